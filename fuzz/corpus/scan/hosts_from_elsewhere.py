# Hosts from parameters, calls, attributes and other modules: nothing to report.
import socketserver
from settings import HOST

H = socketserver.BaseRequestHandler


def serve(host, port=8000, *, bind=""):
    socketserver.TCPServer((host, port), H)
    socketserver.TCPServer((bind, port), H)


class Service:
    host = "0.0.0.0"

    def start(self):
        socketserver.TCPServer((self.host, 1), H)
        socketserver.TCPServer((host, 1), H)


socketserver.TCPServer((HOST, 1), H)
socketserver.TCPServer((get_host(), 1), H)
socketserver.TCPServer((args.host, 1), H)
socketserver.TCPServer((options["host"], 1), H)
with open("host") as listen:
    socketserver.TCPServer((listen, 1), H)
