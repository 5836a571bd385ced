# Classes of this file that inherit from a server class are servers too.
import socket
import socketserver
from socketserver import ThreadingMixIn, TCPServer
from http.server import HTTPServer


class ReusableServer(TCPServer):
    allow_reuse_address = True


class ThreadedServer(ThreadingMixIn, ReusableServer):
    daemon_threads = True


class QuietHTTPServer(socketserver.ThreadingMixIn, HTTPServer):
    pass


class UnixServer(socketserver.TCPServer):
    address_family = socket.AF_UNIX


class IPv6Server(TCPServer):
    address_family = socket.AF_INET6


ReusableServer(("", 8000), None)  # expect: bind-all-interfaces
ThreadedServer(("0.0.0.0", 8000), None)  # expect: bind-all-interfaces
QuietHTTPServer(("", 8080), None)  # expect: bind-all-interfaces
IPv6Server(("::", 8000), None)  # expect: bind-all-interfaces

# Unix domain sockets have paths, not hosts.
UnixServer(("", 0), None)
ReusableServer(("127.0.0.1", 8000), None)


class NotAServer(ThreadingMixIn):
    pass


NotAServer(("", 8000), None)


class LoggingServer(TCPServer):
    def server_bind(self):
        log("binding")
        super().server_bind()


class NoSocketServer(TCPServer):
    """A test double: never binds."""

    def server_bind(self):
        self.bound = True


LoggingServer(("", 8000), None)  # expect: bind-all-interfaces
NoSocketServer(("", 8000), None)
