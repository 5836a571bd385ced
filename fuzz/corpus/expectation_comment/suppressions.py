# Comments written for bindscan, bandit and ruff silence the finding on their line.
from socketserver import TCPServer

# expect-suppressed: bind-all-interfaces
TCPServer(("", 1), None)  # bindscan: ignore
# expect-suppressed: bind-all-interfaces
TCPServer(("", 2), None)  # bindscan: ignore[bind-all-interfaces]
# expect-suppressed: bind-all-interfaces
TCPServer(("", 3), None)  # nosec
# expect-suppressed: bind-all-interfaces
TCPServer(("", 4), None)  # nosec B104
# expect-suppressed: bind-all-interfaces
TCPServer(("", 5), None)  # nosec: B104, B105
# expect-suppressed: bind-all-interfaces
TCPServer(("", 6), None)  # noqa
# expect-suppressed: bind-all-interfaces
TCPServer(("", 7), None)  # noqa: S104
# expect-suppressed: bind-all-interfaces
TCPServer(("", 8), None)  # type: ignore  # NOQA:E501,S104
# expect-suppressed: bind-all-interfaces
TCPServer((
    "", 9), None)  # nosec

# Comments that name other checks leave the finding open.
# expect: bind-all-interfaces
TCPServer(("", 10), None)  # bindscan: ignore[some-other-rule]
# expect: bind-all-interfaces
TCPServer(("", 11), None)  # nosec B105
# expect: bind-all-interfaces
TCPServer(("", 12), None)  # noqa: E501
# expect: bind-all-interfaces
TCPServer(("", 13), None)  # nosecurity review pending
