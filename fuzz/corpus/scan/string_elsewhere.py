"""A docstring that mentions socketserver.TCPServer(("0.0.0.0", 80))."""
import logging
import socket
import socketserver

ALLOWED_HOSTS = ["0.0.0.0", "localhost"]
DEFAULTS = {"host": "0.0.0.0", "port": 8000}
log = logging.getLogger(__name__)
# socketserver.TCPServer(("0.0.0.0", 80), H) in a comment


def describe(address):
    if address[0] == "0.0.0.0":
        log.info("listening on %s", "0.0.0.0")
    return "::" in address


print(socketserver.TCPServer.__doc__, "0.0.0.0")
url = "http://0.0.0.0:8000/"
# Raw sockets belong to a later part of this rule family.
sock = socket.socket()
sock.bind(("0.0.0.0", 8000))  # todo-expect: bind-all-interfaces
socket.create_server(("", 8000))  # todo-expect: bind-all-interfaces
