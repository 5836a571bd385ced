# Unix domain socket servers bind to paths: never all interfaces.
import socketserver

socketserver.UnixStreamServer("/tmp/app.sock", socketserver.StreamRequestHandler)
socketserver.UnixDatagramServer("", socketserver.DatagramRequestHandler)
socketserver.ThreadingUnixStreamServer("", socketserver.StreamRequestHandler)
