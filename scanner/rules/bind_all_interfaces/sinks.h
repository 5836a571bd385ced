// The sink table: the calls (and assignments) that make a Python program
// listen on a network address, one line of data each, grouped in one table
// per library (sinks_stdlib.cpp, sinks_<library>.cpp). The rules
// bind-all-interfaces and bind-all-interfaces-by-default read it; they hold
// no list of their own.
//
// HOW TO ADD A SINK
//   1. Add one line to the library's table (sinks_<library>.cpp; a new
//      library gets a new file: copy sinks_stdlib.cpp's shape, declare its
//      table below, list it in sinks.cpp and in scanner/CMakeLists.txt).
//   2. Put the evidence beside the line as a comment: where the library's
//      own source shows how it reads the address and what it binds when the
//      host is left out, e.g.
//        // werkzeug serving.py run_simple: hostname required, no default
//      A default you could not verify in the library's source stays nullopt.
//   3. Add fixtures (a positive and a near-miss negative) under
//      scanner/rules/bind_all_interfaces/fixtures/ (and
//      bind_all_interfaces_by_default/fixtures/ when the line has a default).
//   4. Nothing for the prefilter: it is derived from the tables (binds.cpp
//      sieve(): a file must write every part of a sink's name).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace bindscan::rules::sinks {

// What is called.
enum class CalleeKind : uint8_t {
  // A module-level callable, named by its module path:
  // "socket.create_server", "uvicorn.run", "aiohttp.web.run_app". A method
  // of a module-level object that is imported rather than constructed
  // (`from twisted.internet import reactor; reactor.listenTCP(...)`) is a
  // function too: "twisted.internet.reactor.listenTCP".
  kFunction,
  // A class whose constructor binds: "socketserver.TCPServer". Subclasses
  // (in the file or, with value flow, elsewhere) are sinks too.
  kConstructor,
  // A method on instances of a class: "socket.socket.bind" is `bind` on
  // instances of "socket.socket". Instances are recognised by how the code
  // creates them: calling the class, or a Factory line below.
  kMethod,
};

// How the address argument is written.
enum class AddressShape : uint8_t {
  kHostPortTuple,   // ("host", port[, flowinfo, scope_id]): socket.bind, socketserver
  kHost,            // "host" alone, the port elsewhere: Flask.run(host=...)
  kHostPort,        // "host:port", "[::]:8000", ":8000": gunicorn bind, waitress listen
  kUrl,             // "scheme://host:port": zmq "tcp://*:5555"
  kPortOrHostPort,  // "[host:]port": without a colon the string is the port alone (Django's runserver addrport)
};

// Spellings of the host that mean "every interface" for this library, beyond
// the IP spellings address.h's all_interfaces() recognises ("0.0.0.0", "::",
// "0", ...), which every sink accepts. A bit set.
enum Wildcard : uint8_t {
  kEmptyHost = 1 << 0,  // "": INADDR_ANY for socket.bind and everything built on it
  kStar = 1 << 1,       // "*": zmq, hypercorn, gunicorn
  kNoneHost = 1 << 2,   // None, where the library documents None as every interface
  kZero = 1 << 3,       // the integer 0 / socket.INADDR_ANY, where an int is accepted
};
using Wildcards = uint8_t;

// Where an argument sits in a call: its position (among the positional
// arguments, `self` not counted) and its keyword.
struct Slot {
  int8_t position = -1;       // -1: keyword-only
  std::string_view keyword;   // "": positional-only
};

// Where in a dict argument the address sits (CherryPy's config dicts): under
// `key`, or, when the dict holds a dict under `section`, only in that one.
struct DictEntry {
  std::string_view key;
  std::string_view section;
  bool section_only = false;  // a dict without the section sets no address
};

struct Address {
  Slot slot;
  AddressShape shape = AddressShape::kHostPortTuple;
  bool or_list = false;  // a list or tuple of such addresses is accepted too (gunicorn `bind`)
  // The argument is a dict (of this file) holding the address.
  std::optional<DictEntry> in_dict = std::nullopt;
};

// Which instances a kMethod sink applies to.
enum class InstanceFilter : uint8_t {
  kAny,
  // The instance's constructor got no family, AF_INET or AF_INET6 as its
  // first argument (`family=`): not AF_UNIX, AF_PACKET, AF_NETLINK, Bluetooth.
  // An unknown family is not reported.
  kInetFamily,
};

// An argument that must hold one constant string for the call to be the sink
// (Django's call_command is runserver's sink only for "runserver").
struct Condition {
  Slot slot;
  std::string_view equals;
};

// Arguments that, given, make a call serve something else instead of its
// default address (a Unix `path`, sockets bound elsewhere in `sock`), so the
// default is not bound; unless `yet_with` is given too (not None), which
// binds the default address besides (aiohttp run_app's `port`).
struct ServedInstead {
  std::span<const Slot> slots;
  std::optional<Slot> yet_with = std::nullopt;
};

// The object a call hands its address to, when that object does the
// listening (Twisted's endpoints call listenTCP on their reactor argument),
// and the test doubles of it that listen nowhere.
struct Listener {
  Slot slot;
  std::span<const std::string_view> doubles;  // qualified names of the doubles' classes
};

struct Sink {
  std::string_view name;  // canonical qualified name (see CalleeKind for methods)
  CalleeKind kind = CalleeKind::kConstructor;
  Address address;
  // A second argument that also takes an address (waitress `listen=` beside `host=`).
  std::optional<Address> other_address = std::nullopt;
  // Passing both `address` and `other_address` raises before anything is
  // bound (asyncio create_server: host with sock=).
  bool addresses_exclusive = false;
  // The port argument, when a call that passes neither an address nor the
  // port raises instead of binding the default (asyncio create_server):
  // the default is then reported only when the port is passed.
  std::optional<Slot> port = std::nullopt;
  // The library raises before binding unless `port` is an int (Trio:
  // `if not isinstance(port, int): raise TypeError`): a call whose port is
  // only None, strings or bytes binds nothing.
  bool int_port = false;
  Wildcards wildcards = kEmptyHost;
  // What the library binds when the call passes no address at all (and no
  // port-only form decides otherwise): nullopt when the address is required
  // or the default was not verified. A default that means every interface is
  // reported by bind-all-interfaces-by-default, with the address keyword of
  // `address` used in its fix.
  std::optional<std::string_view> default_host = std::nullopt;
  InstanceFilter filter = InstanceFilter::kAny;
  // A factory's argument that replaces the server class it creates; when
  // given, that class decides whether anything is bound (wsgiref make_server).
  std::optional<Slot> server_class = std::nullopt;
  // When set, the call is this sink only if the argument is that string.
  std::optional<Condition> only_when = std::nullopt;
  std::optional<ServedInstead> served_instead = std::nullopt;
  // When set, a call whose listener is, on every path the code shows, an
  // instance of one of its doubles binds nothing.
  std::optional<Listener> listener = std::nullopt;
};

// A call that returns an instance of a class whose methods may be sinks.
// Calling a class needs no line here (it returns an instance of itself);
// `with x as y` binds y to x when the class's "__enter__" has a line saying
// it returns the same class.
struct Factory {
  std::string_view callee;   // a function ("asyncio.get_running_loop") or a method ("zmq.Context.socket")
  CalleeKind kind = CalleeKind::kFunction;
  std::string_view returns;  // the class of the result ("asyncio.AbstractEventLoop")
};

// Which files an AssignmentSink applies to.
enum class ConfigFile : uint8_t {
  kAny,       // the target is a qualified name reached through imports (cherrypy.server.socket_host)
  kGunicorn,  // a gunicorn config file: named gunicorn.conf.py / gunicorn*.py (gunicorn's -c default)
  kJupyter,   // a Jupyter config file: jupyter_*_config.py, or one that calls get_config()
};

// An assignment that sets the address a server will use:
// `cherrypy.server.socket_host = "0.0.0.0"`, Jupyter's
// `c.ServerApp.ip = "*"`, gunicorn's `bind = "0.0.0.0:8000"`. The value the
// assignment leaves (a later assignment to the same target in the same scope
// replaces it) is judged like a call's address.
struct AssignmentSink {
  // kAny: the qualified attribute, on a module or on an instance of a class
  // ("cherrypy.server.socket_host", "hypercorn.config.Config.bind");
  // otherwise the target as written in the config file ("bind",
  // "c.ServerApp.ip"), at module level.
  std::string_view target;
  ConfigFile file = ConfigFile::kAny;
  AddressShape shape = AddressShape::kHost;
  bool or_list = false;
  Wildcards wildcards = kEmptyHost;
};

// Other names of a library's modules (Python 2, six.moves).
struct ModuleAlias {
  std::string_view alias;
  std::string_view target;
};

struct SinkTable {
  std::string_view library;  // for `explain` and messages: "Python standard library"
  std::span<const Sink> sinks;
  std::span<const Factory> factories = {};
  std::span<const AssignmentSink> assignments = {};
  std::span<const ModuleAlias> module_aliases = {};
};

// One table per file of this folder.
extern const SinkTable kStdlibSinks;  // sinks_stdlib.cpp
extern const SinkTable kAiohttpSinks;  // sinks_aiohttp.cpp
extern const SinkTable kAnyioSinks;  // sinks_anyio.cpp
extern const SinkTable kAsyncioSinks;  // sinks_asyncio.cpp
extern const SinkTable kAsyncoreSinks;  // sinks_asyncore.cpp
extern const SinkTable kBottleSinks;  // sinks_bottle.cpp
extern const SinkTable kDjangoSinks;  // sinks_django.cpp
extern const SinkTable kEventletSinks;  // sinks_eventlet.cpp
extern const SinkTable kFlaskSinks;  // sinks_flask.cpp
extern const SinkTable kGunicornSinks;   // sinks_gunicorn.cpp
extern const SinkTable kHypercornSinks;  // sinks_hypercorn.cpp
extern const SinkTable kCherryPySinks;   // sinks_cherrypy.cpp
extern const SinkTable kJupyterSinks;    // sinks_jupyter.cpp
extern const SinkTable kGeventSinks;  // sinks_gevent.cpp
extern const SinkTable kMultiprocessingSinks;  // sinks_multiprocessing.cpp
extern const SinkTable kPrometheusClientSinks;  // sinks_prometheus_client.cpp
extern const SinkTable kRpycSinks;  // sinks_rpyc.cpp
extern const SinkTable kTornadoSinks;  // sinks_tornado.cpp
extern const SinkTable kTrioSinks;  // sinks_trio.cpp
extern const SinkTable kTwistedSinks;  // sinks_twisted.cpp
extern const SinkTable kUvicornSinks;  // sinks_uvicorn.cpp
extern const SinkTable kWaitressSinks;  // sinks_waitress.cpp
extern const SinkTable kWerkzeugSinks;  // sinks_werkzeug.cpp
extern const SinkTable kZmqSinks;  // sinks_zmq.cpp

// Every table, in the order listed in sinks.cpp.
std::span<const SinkTable* const> tables();

}  // namespace bindscan::rules::sinks
