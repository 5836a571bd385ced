# A file with syntax errors still gives findings for what parses.
import socketserver

def broken(:
    pass

socketserver.TCPServer(("", 8000), None)  # expect: bind-all-interfaces

x = = 1
