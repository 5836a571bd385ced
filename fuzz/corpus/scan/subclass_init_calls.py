# Known gap: an address passed up through super().__init__ is not followed yet.
import socketserver


class Server(socketserver.TCPServer):
    def __init__(self):
        super().__init__(("", 8000), socketserver.BaseRequestHandler)  # todo-expect: bind-all-interfaces


Server()
