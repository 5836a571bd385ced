#!/usr/bin/python3
"""Runs a rule fixture and reports what it would really bind, without listening.

    bind_probe.py FIXTURE.py            a one-file fixture
    bind_probe.py FOLDER [ENTRY.py]     a multi-file fixture (a project): ENTRY, or the
                                        folder's file marked `# probe: entry`, or main.py

Every bind goes through a replaced `socket.socket.bind` (also gevent's and
eventlet's sockets and pyzmq's `Socket.bind`), which records the address and then raises ProbeStop, so
nothing listens and the statement that bound stops there. The fixture's top-level
statements run one by one in one namespace (an `if` at top level runs its chosen
branch statement by statement), so one fixture holds many sink calls. A bind is
mapped back to the fixture's lines by walking the Python stack at bind time to
the fixture's frames. Comments `# probe: before STATEMENT` and `# probe: after
STATEMENT` run code before and after the fixture's own (names it leaves free,
calls of functions nothing in the file calls), unseen by the scanner. See tests/probe/README.md for the conventions fixtures follow.

Output, one record per line, tab-separated (read by tests/scanner/probe_test.cpp):
    bind   KIND FAMILY ADDRESS FRAMES     KIND: all (every interface), specific, local (not IP),
                                          invalid: WHY (the real bind raises), autobind (listen
                                          on a socket never bound: an ephemeral port)
    error  FRAMES MESSAGE                 a top-level statement raised (not ProbeStop)
    skip   REASON                         the fixture says `# probe: skip REASON`
FRAMES is a space-separated list of PATH:FIRST-LAST (1-based lines of the call
expression running in each fixture frame, innermost first; PATH relative to the
fixture's folder). Exit status 0 unless the probe itself failed.
"""

import ast
import asyncio
import builtins
import errno
import importlib.abc
import importlib.util
import ipaddress
import linecache
import os
import re
import shutil
import signal
import socket
import subprocess
import sys

STATEMENT_SECONDS = 5.0
SKIP_MARKER = re.compile(r"^#\s*probe:\s*skip\s+(.+)$", re.MULTILINE)
ENTRY_MARKER = re.compile(r"^#\s*probe:\s*entry\b", re.MULTILINE)
DEFINITION = re.compile(r"^\s*(class\s|def\s|async\s+def\s|@)")
DIRECTIVE = re.compile(r"^\s*#\s*probe:\s*(?P<when>before|after)\s+(?P<code>.+?)\s*$")


class ProbeStop(BaseException):
    """Raised where the program would have bound: a BaseException, so that
    libraries' `except Exception` handlers let it through."""


class ProbeTimeout(BaseException):
    """A top-level statement ran past STATEMENT_SECONDS (a serve loop reached)."""


class ProbeRefused(BaseException):
    """The fixture tried to start a process (a reloader, a forking server)."""


class Probe:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.statement = None  # (path, first, last) of the top-level statement running
        self.extra_frame = None  # the code line a `# probe: after` directive checks

    def relative(self, filename):
        path = os.path.realpath(filename)
        if os.path.isdir(self.root):
            if path.startswith(self.root + os.sep):
                return os.path.relpath(path, self.root)
            return None
        return os.path.basename(path) if path == self.root else None

    def frames(self):
        """The fixture's frames on the stack, innermost first, as PATH:FIRST-LAST."""
        out = []
        frame = sys._getframe(1)
        while frame is not None:
            path = self.relative(frame.f_code.co_filename)
            if path is not None:
                first = last = frame.f_lineno
                # The whole expression of the instruction running (a call spanning lines).
                for i, position in enumerate(frame.f_code.co_positions()):
                    if i == frame.f_lasti // 2 and position[0] is not None:
                        first, last = position[0], position[1] or position[0]
                        break
                if DEFINITION.match(linecache.getline(frame.f_code.co_filename, first)):
                    last = first  # a class or function statement: only its first line
                out.append(f"{path}:{first}-{last}")
            frame = frame.f_back
        if self.extra_frame:
            out.append(self.extra_frame)
        if not out and self.statement is not None:
            # Bound in another thread (a server started in a thread): the statement that started it.
            out.append("%s:%d-%d" % self.statement)
        return " ".join(out)

    def record(self, kind, family, address):
        frames = self.frames()
        print(f"bind\t{kind}\t{family}\t{address!r}\t{frames}", flush=True)

    def error(self, exc):
        frames = "%s:%d-%d" % self.statement
        message = f"{type(exc).__name__}: {exc}".replace("\n", " ").replace("\t", " ")
        print(f"error\t{frames}\t{message[:300]}", flush=True)


PROBE = None


def unspecified(ip):
    address = ipaddress.ip_address(ip.split("%")[0])
    # ::ffff:0.0.0.0 on an IPv6 socket is INADDR_ANY to the kernel (IPv4 on every interface).
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_unspecified or mapped is not None and mapped.is_unspecified


def host_kind(host):
    """Whether a host string means every interface ("all") or one address ("specific"),
    as bind resolves it without DNS (pyzmq endpoints; IP sockets outside a namespace)."""
    if host in ("", b"", None):
        return "all"
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            ip = socket.getaddrinfo(host, None, family, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)[0][4][0]
            return "all" if unspecified(ip) else "specific"
        except (OSError, UnicodeError, TypeError):
            continue
    return "specific"  # a host name: never resolved here (no DNS in tests)


def family_name(family):
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return str(family)


ISOLATED = False  # in a network namespace of our own: real binds reach nothing


def ip_bind_kind(sock, address):
    """What binding `address` on an IP socket like `sock` does: "all", "specific", or
    "invalid: WHY" where the real bind raises (an IPv6 host on an IPv4 socket, a list)."""
    if not isinstance(address, tuple) or len(address) < 2:
        return f"invalid: not an address tuple"
    port = address[1]
    if not isinstance(port, int) or not 0 <= port <= 65535:
        return f"invalid: port {port!r}"
    if ISOLATED:
        # The real bind, on port 0 in a namespace without interfaces: the OS's own reading of the host.
        trial = socket.socket(sock.family, sock.type & ~(socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC))
        try:
            REAL_BIND(trial, (address[0], 0) + tuple(address[2:]))
            return "all" if unspecified(trial.getsockname()[0]) else "specific"
        except socket.gaierror as exc:
            # A name that needs DNS (none here) names one host; a malformed number does not resolve.
            return "specific" if exc.errno == socket.EAI_AGAIN else f"invalid: {exc}"
        except OSError as exc:
            # An address this machine lacks (::1 here, with lo down) is still one address.
            return "specific" if exc.errno == errno.EADDRNOTAVAIL else f"invalid: {exc}"
        except (OSError, TypeError, ValueError, UnicodeError, OverflowError) as exc:
            return f"invalid: {exc}"
        finally:
            trial.close()
    host = address[0]
    if host in ("", b""):
        return "all"
    try:
        resolved = socket.getaddrinfo(host, None, sock.family, 0, 0, socket.AI_NUMERICHOST)[0][4][0]
        return "all" if unspecified(resolved) else "specific"
    except (OSError, UnicodeError, TypeError) as exc:
        other = socket.AF_INET6 if sock.family == socket.AF_INET else socket.AF_INET
        if host_kind(host) != "specific" or socket.has_ipv6 and _numeric(host, other):
            return f"invalid: {exc}"
        return "specific"  # a host name


def _numeric(host, family):
    try:
        socket.getaddrinfo(host, None, family, 0, 0, socket.AI_NUMERICHOST)
        return True
    except (OSError, UnicodeError, TypeError):
        return False


UNBOUND = set()  # ids of sockets whose bind was recorded but not stopped (class bodies)


def in_class_body():
    """Whether the innermost fixture frame runs a class body: stopping there would leave
    the class undefined for the rest of the fixture."""
    frame = sys._getframe(2)
    while frame is not None and PROBE.relative(frame.f_code.co_filename) is None:
        frame = frame.f_back
    return frame is not None and frame.f_code.co_flags & 0x2 == 0 and frame.f_locals is not frame.f_globals


def stop_unless_class_body(sock):
    if in_class_body():
        UNBOUND.add(id(sock))
        return
    raise ProbeStop()


def fake_bind(self, address):
    family = self.family
    kind = ip_bind_kind(self, address) if family in (socket.AF_INET, socket.AF_INET6) else "local"
    PROBE.record(kind, family_name(family), address)
    stop_unless_class_body(self)


def fake_listen(self, *args):
    if id(self) in UNBOUND:
        return
    # listen() on a socket never bound binds an ephemeral port on every interface
    # (a server whose server_bind a test double replaced): recorded as its own kind,
    # since no address of the fixture is used.
    PROBE.record("autobind", family_name(self.family), None)
    stop_unless_class_body(self)


ZMQ_ENDPOINT = re.compile(r"^(?P<transport>[a-z+]+)://(?:(?P<iface>[^;]*);)?(?P<host>.*?)(?::(?P<port>[^:\]]*))?$")


def fake_zmq_bind(self, address):
    match = ZMQ_ENDPOINT.match(address if isinstance(address, str) else address.decode())
    kind = "local"
    if match and match["transport"] in ("tcp", "udp", "ws", "wss", "pgm", "epgm"):
        host = match["host"].strip("[]")
        kind = "all" if host == "*" else host_kind(host)
    PROBE.record(kind, "zmq", address)
    raise ProbeStop()


def refuse(*args, **kwargs):
    raise ProbeRefused("the fixture tried to start a process")


# Libraries whose sockets do not go through socket.socket.bind, patched when imported.
def patch_gevent(module):
    module.socket.bind = fake_bind
    module.socket.listen = fake_listen


def patch_zmq(module):
    module.Socket.bind = fake_zmq_bind


def patch_eventlet(module):
    # eventlet's green sockets wrap a socket class from its own fresh copy of the socket module.
    module._original_socket.bind = fake_bind
    module._original_socket.listen = fake_listen


PATCH_ON_IMPORT = {"gevent._socket3": patch_gevent, "zmq.sugar.socket": patch_zmq,
                   "eventlet.greenio.base": patch_eventlet}


class PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in PATCH_ON_IMPORT:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            PATCH_ON_IMPORT[name](module)

        spec.loader.exec_module = exec_and_patch
        return spec


REAL_BIND = socket.socket.bind


def isolate():
    """Re-runs the probe in a network namespace of its own (root: unshare -n; else a user
    namespace, unshare -rn) when the machine allows it; otherwise runs as it is."""
    global ISOLATED
    if os.environ.get("BINDSCAN_PROBE_ISOLATED") == "1":
        ISOLATED = True
        return
    if os.environ.get("BINDSCAN_PROBE_ISOLATED") == "0" or not shutil.which("unshare"):
        return
    for flags in (["-n"], ["-rn"]):
        if subprocess.run(["unshare", *flags, "true"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            os.environ["BINDSCAN_PROBE_ISOLATED"] = "1"
            os.execvp("unshare", ["unshare", *flags, sys.executable, *sys.argv])


def install_patches():
    socket.socket.bind = fake_bind
    socket.socket.listen = fake_listen
    sys.meta_path.insert(0, PatchOnImport())
    subprocess.Popen.__init__ = refuse
    os.fork = refuse
    for name in ("execv", "execve", "execvp", "execvpe", "spawnv", "spawnve", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            setattr(os, name, refuse)
    # Django's runserver reloads in a child process unless told it is the child.
    os.environ["DJANGO_AUTORELOAD_ENV"] = "true"
    os.environ["RUN_MAIN"] = "true"

    def on_alarm(signum, frame):
        raise ProbeTimeout(f"still running after {STATEMENT_SECONDS} s")

    signal.signal(signal.SIGALRM, on_alarm)


def run_statements(statements, namespace, path, flags):
    for statement in statements:
        if isinstance(statement, ast.If):
            # Run the chosen branch statement by statement (`if __name__ == "__main__":`).
            PROBE.statement = (path, statement.lineno, statement.test.end_lineno)
            try:
                chosen = run_code(ast.Expression(statement.test), namespace, path, flags, "eval")
            except _Handled:
                continue
            run_statements(statement.body if chosen else statement.orelse, namespace, path, flags)
            continue
        PROBE.statement = (path, statement.lineno, statement.end_lineno)
        try:
            run_code(ast.Module([statement], type_ignores=[]), namespace, path, flags, "exec")
        except _Handled:
            pass


class _Handled(Exception):
    pass


def run_code(tree, namespace, path, flags, mode):
    signal.setitimer(signal.ITIMER_REAL, STATEMENT_SECONDS)
    try:
        code = compile(tree, os.path.join(PROBE.root, path) if os.path.isdir(PROBE.root) else PROBE.root, mode,
                       flags=flags, dont_inherit=True)
        return eval(code, namespace) if mode == "eval" else exec(code, namespace)
    except ProbeStop:
        raise _Handled()
    except (Exception, ProbeTimeout, ProbeRefused, SystemExit, KeyboardInterrupt) as exc:
        PROBE.error(exc)
        raise _Handled()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def future_flags(tree):
    flags = 0
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            for alias in statement.names:
                feature = getattr(__import__("__future__"), alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


def run_directives(source, which, namespace, path, flags):
    """Runs the fixture's `# probe: before|after STATEMENT` comments (comments, so the
    scanner never sees them), each as a statement of its own."""
    lines = source.splitlines()
    for number, line in enumerate(lines, 1):
        match = DIRECTIVE.match(line)
        if not match or match["when"] != which:
            continue
        PROBE.statement = (path, number, number)
        # Directly under a line of code, the directive checks that line (a config file's
        # `bind = "0.0.0.0:8000"` binds only when the tool reads it): binds count for both.
        above = lines[number - 2].strip() if number > 1 else ""
        PROBE.extra_frame = f"{path}:{number - 1}-{number - 1}" if above and not above.startswith("#") else None
        try:
            tree = ast.parse(match["code"])
            ast.increment_lineno(tree, number - 1)
            run_code(tree, namespace, path, flags, "exec")
        except _Handled:
            pass
        except SyntaxError as exc:
            PROBE.error(exc)
        PROBE.extra_frame = None


def entry_of(folder, chosen):
    if chosen:
        return chosen
    for directory, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
                    if ENTRY_MARKER.search(f.read()):
                        return os.path.relpath(os.path.join(directory, name), folder)
    return "main.py"


def main(argv):
    global PROBE
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = argv[1]
    if os.path.isdir(target):
        entry = entry_of(target, argv[2] if len(argv) > 2 else None)
        entry_path = os.path.join(target, entry)
        sources = []
        for directory, _, files in os.walk(target):
            sources += [os.path.join(directory, n) for n in files if n.endswith(".py")]
    else:
        entry, entry_path, sources = os.path.basename(target), target, [target]
    for source in sorted(sources):
        with open(source, encoding="utf-8", errors="replace") as f:
            skip = SKIP_MARKER.search(f.read())
        if skip:
            print(f"skip\t{skip.group(1).strip()}", flush=True)
            return 0
    with open(entry_path, encoding="utf-8") as f:
        source = f.read()
    try:
        tree = ast.parse(source, entry_path)
    except SyntaxError as exc:
        print(f"skip\tdoes not parse as Python 3 ({exc.msg}, line {exc.lineno})", flush=True)
        return 0

    PROBE = Probe(target)
    isolate()
    install_patches()
    if os.path.isdir(target):
        sys.path.insert(0, os.path.realpath(target))
    else:
        sys.path.insert(0, os.path.dirname(os.path.realpath(target)))
    sys.argv = [entry_path]
    namespace = {"__name__": "__main__", "__file__": os.path.realpath(entry_path), "__builtins__": builtins}
    flags = future_flags(tree)
    run_directives(source, "before", namespace, entry, flags)
    run_statements(tree.body, namespace, entry, flags)
    run_directives(source, "after", namespace, entry, flags)
    sys.stdout.flush()
    # Threads a fixture started (a server's serve loop) must not keep the probe alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
