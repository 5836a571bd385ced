// Sinks of Django. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages/django), read
// for each line, and confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // core/management/__init__.py call_command(command_name, *args, **options) runs the command;
    // commands/runserver.py: addrport matches naiveip_re `[addr:]port` (a bare "8000" is the port;
    // "[::]:8000" sets use_ipv6; ":8000" does not match and raises), no addrport -> default_addr
    // "127.0.0.1"; the addr is passed as is to servers/basehttp.py run(addr, port, ...), a
    // socketserver bind, so "0" and "0.0.0.0" are INADDR_ANY and "::" in6addr_any. call_command also takes
    // the positional by its dest (`addrport=`): its options override the parsed defaults.
    {.name = "django.core.management.call_command",
     .kind = CalleeKind::kFunction,
     .address = {{1, "addrport"}, AddressShape::kPortOrHostPort},
     .wildcards = 0,
     .only_when = Condition{{0, "command_name"}, "runserver"}},
};

}  // namespace

extern const SinkTable kDjangoSinks{"Django", kSinks, {}};

}  // namespace bindscan::rules::sinks
