from socketserver import *

TCPServer(("0.0.0.0", 8000), BaseRequestHandler)  # expect: bind-all-interfaces
