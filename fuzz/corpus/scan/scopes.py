# Python's scoping rules decide which binding a name refers to.
import socketserver

H = socketserver.BaseRequestHandler
HOST = "0.0.0.0"


class Config:
    HOST = "127.0.0.1"
    # The class body sees its own HOST.
    socketserver.TCPServer((HOST, 1), H)

    def start(self):
        # Methods do not see the class body: this is the module's HOST.
        socketserver.TCPServer((HOST, 1), H)  # expect: bind-all-interfaces


def uses_global():
    global HOST
    socketserver.TCPServer((HOST, 1), H)  # expect: bind-all-interfaces


def outer():
    bind = ""

    def inner():
        socketserver.TCPServer((bind, 1), H)  # expect: bind-all-interfaces

    return inner


def nonlocal_rebinding():
    bind = ""

    def inner():
        nonlocal bind
        bind = compute()
        socketserver.TCPServer((bind, 1), H)

    return inner


lam = lambda HOST: socketserver.TCPServer((HOST, 1), H)
