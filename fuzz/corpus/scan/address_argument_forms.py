# Where the address sits in the call and what shape it has.
import socketserver

ADDRESS = ("", 8000)
IPV6_ADDRESS = ("::", 8000, 0, 0)

socketserver.TCPServer(server_address=("", 1), RequestHandlerClass=None)  # expect: 39 bind-all-interfaces
socketserver.TCPServer(RequestHandlerClass=None, server_address=("0.0.0.0", 1))  # expect: bind-all-interfaces
socketserver.TCPServer(ADDRESS, None)  # expect: 24 bind-all-interfaces
socketserver.TCPServer(IPV6_ADDRESS, None)  # expect: bind-all-interfaces
socketserver.TCPServer((("", 1)), None)  # expect: bind-all-interfaces
socketserver.TCPServer(
    # expect: bind-all-interfaces
    ("0.0.0.0", 8000),
    None,
)

# Not an address tuple socketserver accepts, or not the address argument.
socketserver.TCPServer(["", 1], None)
socketserver.TCPServer(("",), None)
socketserver.TCPServer(None, ("", 1))
socketserver.TCPServer(*args)
socketserver.TCPServer(**options)
