#!/usr/bin/env python3
"""Writes one large Python file for the "no file size is superlinear" check.

    make_big_file.py STDLIB OUT [MEGABYTES]

Concatenates the standard library's modules that compile as Python 3, in
sorted path order, until OUT holds MEGABYTES (default 50) million bytes; a
header imports socketserver and a footer starts a server on all interfaces,
so the prefilter passes and the rule has one finding to report. The result
is real code at the same mix as the stdlib corpus, so its MB/s compare.
"""
import os
import sys
import warnings


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    stdlib, out = sys.argv[1], sys.argv[2]
    target = int(float(sys.argv[3] if len(sys.argv) == 4 else 50) * 1_000_000)
    paths = []
    for folder, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    paths.sort()
    header = b"import socketserver\n\n"
    footer = b'\n\nserver = socketserver.TCPServer(("", 8000), socketserver.BaseRequestHandler)\n'
    written = len(header)
    with open(out + ".part", "wb") as sink:
        sink.write(header)
        while written < target:
            before = written
            for path in paths:
                with open(path, "rb") as f:
                    data = f.read()
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        compile(data, path, "exec", dont_inherit=True)
                except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
                    continue
                sink.write(data if data.endswith(b"\n") else data + b"\n")
                written += len(data) + (0 if data.endswith(b"\n") else 1)
                if written >= target:
                    break
            if written == before:
                print(f"make_big_file: no compilable *.py under {stdlib}", file=sys.stderr)
                return 1
        sink.write(footer)
    os.replace(out + ".part", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
