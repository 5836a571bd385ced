# A default taken when the environment says nothing is still a default.
import os
from os import environ, getenv

H = None
import socketserver

socketserver.TCPServer((os.environ.get("HOST", "0.0.0.0"), 8000), H)  # expect: bind-all-interfaces
socketserver.TCPServer((os.getenv("HOST", ""), 8000), H)  # expect: bind-all-interfaces
socketserver.TCPServer((environ.get("HOST", "::"), 8000), H)  # expect: bind-all-interfaces
socketserver.TCPServer((getenv("HOST", default="0.0.0.0"), 8000), H)  # expect: bind-all-interfaces
socketserver.TCPServer((os.environ.get("HOST") or "0.0.0.0", 8000), H)  # expect: bind-all-interfaces

LISTEN = os.environ.get("LISTEN_HOST", "0.0.0.0")
socketserver.TCPServer((LISTEN, 8000), H)  # expect: bind-all-interfaces

socketserver.TCPServer((os.environ.get("HOST", "127.0.0.1"), 8000), H)
socketserver.TCPServer((os.environ.get("HOST"), 8000), H)
socketserver.TCPServer((os.environ["HOST"], 8000), H)
socketserver.TCPServer((config.get("HOST", "0.0.0.0"), 8000), H)
