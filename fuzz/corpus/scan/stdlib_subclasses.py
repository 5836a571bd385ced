# Standard-library subclasses of the socketserver classes take the same address.
import http.server
import xmlrpc.server
from wsgiref.simple_server import WSGIServer, WSGIRequestHandler

http.server.HTTPServer(("", 8000), http.server.SimpleHTTPRequestHandler)  # expect: bind-all-interfaces
http.server.ThreadingHTTPServer(("0.0.0.0", 8000), http.server.SimpleHTTPRequestHandler)  # expect: bind-all-interfaces
xmlrpc.server.SimpleXMLRPCServer(("", 8001))  # expect: bind-all-interfaces
xmlrpc.server.DocXMLRPCServer(("::", 8002))  # expect: bind-all-interfaces
xmlrpc.server.MultiPathXMLRPCServer(("0.0.0.0", 8003), allow_none=True)  # expect: bind-all-interfaces
WSGIServer(("", 8080), WSGIRequestHandler)  # expect: bind-all-interfaces

http.server.HTTPServer(("127.0.0.1", 8000), http.server.SimpleHTTPRequestHandler)
xmlrpc.server.SimpleXMLRPCServer(("localhost", 8001))
# A client is not a server.
xmlrpc.client.ServerProxy("http://0.0.0.0:8000")
