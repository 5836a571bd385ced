# Python 2 module names and six.moves, still found in old code.
import SocketServer
import BaseHTTPServer
import SimpleXMLRPCServer
from DocXMLRPCServer import DocXMLRPCServer
from six.moves import socketserver

SocketServer.TCPServer(("", 9000), SocketServer.BaseRequestHandler)  # expect: bind-all-interfaces
SocketServer.ThreadingUDPServer(("0.0.0.0", 9000), SocketServer.BaseRequestHandler)  # expect: bind-all-interfaces
BaseHTTPServer.HTTPServer(("", 8000), BaseHTTPServer.BaseHTTPRequestHandler)  # expect: bind-all-interfaces
SimpleXMLRPCServer.SimpleXMLRPCServer(("0.0.0.0", 8000))  # expect: bind-all-interfaces
DocXMLRPCServer(("", 8000))  # expect: bind-all-interfaces
socketserver.TCPServer(("", 9000), socketserver.BaseRequestHandler)  # expect: bind-all-interfaces

SocketServer.TCPServer(("127.0.0.1", 9000), SocketServer.BaseRequestHandler)
