// Sinks of asyncore and smtpd (standard library, removed in Python 3.12). Evidence: CPython 3.11 as Debian 12 ships it
// (/usr/lib/python3.11).
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // asyncore.py dispatcher.bind(addr): self.socket.bind(addr)
    {.name = "asyncore.dispatcher.bind",
     .kind = CalleeKind::kMethod,
     .address = {{0, "addr"}, AddressShape::kHostPortTuple}},
    // smtpd.py SMTPServer.__init__(localaddr, remoteaddr): getaddrinfo(*localaddr)
    // picks the family, then self.bind(localaddr); "" does not resolve there
    // (gaierror), so only the IP spellings count
    {.name = "smtpd.SMTPServer",
     .kind = CalleeKind::kConstructor,
     .address = {{0, "localaddr"}, AddressShape::kHostPortTuple},
     .wildcards = 0},
    {.name = "smtpd.DebuggingServer",
     .kind = CalleeKind::kConstructor,
     .address = {{0, "localaddr"}, AddressShape::kHostPortTuple},
     .wildcards = 0},
};

}  // namespace

extern const SinkTable kAsyncoreSinks{"asyncore and smtpd (standard library, removed in Python 3.12)", kSinks, {}};

}  // namespace bindscan::rules::sinks
