# Classes called like the standard library's, from elsewhere: not servers we know.
from twisted.internet import TCPServer
from mylib.servers import HTTPServer
import aiosmtpd.smtp as socketserver


class UDPServer:
    def __init__(self, address, handler):
        self.address = address


TCPServer(("0.0.0.0", 80), None)
HTTPServer(("", 80), None)
socketserver.TCPServer(("", 80), None)
UDPServer(("", 53), None)


def shadowed():
    TCPServer = make_server_class()
    TCPServer(("", 80), None)
