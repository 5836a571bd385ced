# Every spelling the OS turns into the unspecified address, decided by parsing.
from socketserver import TCPServer

TCPServer(("", 1), None)  # expect: bind-all-interfaces
TCPServer(("0.0.0.0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0.0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0.0.0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0x0", 1), None)  # expect: bind-all-interfaces
TCPServer(("000.00.0.0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0x00000000", 1), None)  # expect: bind-all-interfaces
TCPServer(("::", 1), None)  # expect: bind-all-interfaces
TCPServer(("::0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0::", 1), None)  # expect: bind-all-interfaces
TCPServer(("0:0:0:0:0:0:0:0", 1), None)  # expect: bind-all-interfaces
TCPServer(("0000:0000:0000:0000:0000:0000:0000:0000", 1), None)  # expect: bind-all-interfaces
TCPServer(("::%eth0", 1), None)  # expect: bind-all-interfaces

TCPServer(("127.0.0.1", 1), None)
TCPServer(("0.0.0.1", 1), None)
TCPServer(("1", 1), None)
TCPServer(("::1", 1), None)
TCPServer(("::ffff:0.0.0.0", 1), None)
TCPServer((" 0.0.0.0", 1), None)
TCPServer(("0.0.0.0 ", 1), None)
TCPServer(("0.0.0.0.0", 1), None)
TCPServer(("localhost", 1), None)
TCPServer(("<broadcast>", 1), None)
TCPServer(("fe80::1%eth0", 1), None)
