# The assignment that reaches the call decides.
import socketserver

H = socketserver.BaseRequestHandler

host = "0.0.0.0"
host = "127.0.0.1"
socketserver.TCPServer((host, 1), H)

address = "127.0.0.1"
socketserver.TCPServer((address, 1), H)
address = ""

public = "127.0.0.1"
if expose:
    public = "0.0.0.0"
socketserver.TCPServer((public, 1), H)  # expect: bind-all-interfaces


def later_reassignment():
    bind = ""
    bind = "::1"
    socketserver.TCPServer((bind, 1), H)


def parameter_shadows_module_constant(public):
    socketserver.TCPServer((public, 1), H)


def local_assigned_after_use():
    socketserver.TCPServer((late, 1), H)
    late = ""


LATE_MODULE = "127.0.0.1"


def module_constant_changed_later():
    # Functions run after the module is loaded, with the last value.
    socketserver.TCPServer((LATE_MODULE, 1), H)  # expect: bind-all-interfaces


LATE_MODULE = "0.0.0.0"


def uses_module_constant():
    socketserver.TCPServer((host, 1), H)


for host in ("", "127.0.0.1"):
    socketserver.TCPServer((host, 1), H)
