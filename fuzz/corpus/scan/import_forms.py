# Every way of importing a server class names the same class.
import socketserver as ss
from socketserver import TCPServer
from socketserver import UDPServer as Datagram
from http import server
import http.server as hs
from xmlrpc import server as rpc

ss.TCPServer(("", 1), None)  # expect: bind-all-interfaces
TCPServer(("", 2), None)  # expect: bind-all-interfaces
Datagram(("", 3), None)  # expect: bind-all-interfaces
server.HTTPServer(("", 4), None)  # expect: bind-all-interfaces
hs.ThreadingHTTPServer(("", 5), None)  # expect: bind-all-interfaces
rpc.SimpleXMLRPCServer(("", 6))  # expect: bind-all-interfaces

# An alias assigned from the class is the class.
Server = ss.ThreadingTCPServer
Server(("", 7), None)  # expect: bind-all-interfaces


def local_import():
    from socketserver import ForkingTCPServer as F
    F(("", 8), None)  # expect: bind-all-interfaces
