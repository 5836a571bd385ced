# Hosts that reach the call through names and literals the file spells out.
import socketserver

H = socketserver.BaseRequestHandler

HOST, PORT = "", 9999
socketserver.TCPServer((HOST, PORT), H)  # expect: bind-all-interfaces

LISTEN = BIND = "0.0.0.0"
socketserver.TCPServer((LISTEN, 1), H)  # expect: bind-all-interfaces
socketserver.TCPServer((BIND, 1), H)  # expect: bind-all-interfaces

(A, B), C = ("::", 1), 2
socketserver.TCPServer((A, 1), H)  # expect: bind-all-interfaces

CONCATENATED = "0.0" ".0.0"
socketserver.TCPServer((CONCATENATED, 1), H)  # expect: bind-all-interfaces

F_STRING = f"0.0.0.0"
socketserver.TCPServer((F_STRING, 1), H)  # expect: bind-all-interfaces

ESCAPED = "\x30.0.0.0"
socketserver.TCPServer((ESCAPED, 1), H)  # expect: bind-all-interfaces

RAW = r"::"
socketserver.TCPServer((RAW, 1), H)  # expect: bind-all-interfaces

BYTES = b""
socketserver.TCPServer((BYTES, 1), H)  # expect: bind-all-interfaces

TRIPLE = """0.0.0.0"""
socketserver.TCPServer((TRIPLE, 1), H)  # expect: bind-all-interfaces

ALIAS = HOST
socketserver.TCPServer((ALIAS, 1), H)  # expect: bind-all-interfaces

ANNOTATED: str = ""
socketserver.TCPServer((ANNOTATED, 1), H)  # expect: bind-all-interfaces


def serve():
    local = "0.0.0.0"
    socketserver.TCPServer((local, 1), H)  # expect: bind-all-interfaces
    socketserver.TCPServer((HOST, 1), H)  # expect: bind-all-interfaces


# Values the file cannot pin down are not guessed.
port = 8000
INTERPOLATED = f"{HOST}"
socketserver.TCPServer((INTERPOLATED, 1), H)
JOINED = "".join(["0.0", ".0.0"])
socketserver.TCPServer((JOINED, 1), H)
SAFE = "127.0.0.1"
socketserver.TCPServer((SAFE, 1), H)
