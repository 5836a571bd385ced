# The six socketserver server classes, each bound to every interface.
import socketserver

HOST, PORT = "", 9999

socketserver.TCPServer((HOST, PORT), socketserver.BaseRequestHandler)  # expect: 24 bind-all-interfaces
socketserver.UDPServer(("0.0.0.0", PORT), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces
socketserver.ForkingTCPServer(("", PORT), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces
socketserver.ForkingUDPServer(("::", PORT, 0, 0), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces
socketserver.ThreadingTCPServer(("0", PORT), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces
socketserver.ThreadingUDPServer(("0.0.0.0", 53), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces

# Specific addresses are fine.
socketserver.TCPServer(("127.0.0.1", PORT), socketserver.BaseRequestHandler)
socketserver.UDPServer(("192.0.2.10", PORT), socketserver.BaseRequestHandler)
socketserver.ThreadingTCPServer(("::1", PORT), socketserver.BaseRequestHandler)
socketserver.TCPServer(("localhost", PORT), socketserver.BaseRequestHandler)

with socketserver.TCPServer(("", 8000), socketserver.StreamRequestHandler) as server:  # expect: 29 bind-all-interfaces
    server.serve_forever()
