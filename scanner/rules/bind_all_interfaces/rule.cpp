#include "scanner/rules/bind_all_interfaces/rule.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "scanner/address.h"
#include "scanner/module.h"
#include "scanner/values.h"

namespace bindscan::embedded {
extern const std::string_view BindAllInterfacesDoc;
}

namespace bindscan::rules {
namespace {

constexpr RuleInfo kInfo{
    .id = "bind-all-interfaces",
    .name = "ServerBoundToAllInterfaces",
    .short_description = "Server listens on all network interfaces",
    .full_description =
        "A server whose address is the empty host, 0.0.0.0 or :: accepts connections on every network "
        "interface of the machine, exposing it beyond the hosts meant to reach it (CWE-1327).",
    .documentation = {},
    .cwe = 1327,
    .default_level = Level::kWarning,
    .precision = "very-high",
    .security_severity = "6.5",
    .bandit_id = "B104",
    .bandit_name = "hardcoded_bind_all_interfaces",
    .ruff_code = "S104",
};

// Which argument carries the address, and in what shape.
enum class AddressArgument {
  kServerAddress,  // positional 0 or server_address=: a (host, port[, flowinfo, scope_id]) tuple
  kHost,           // positional 0 or host=: the host string alone
};

struct Sink {
  std::string_view name;  // canonical (Python 3) qualified name
  AddressArgument address;
  // A factory's argument that replaces the server class it creates (position,
  // keyword); when given, that class decides whether anything is bound.
  std::optional<std::pair<uint32_t, std::string_view>> server_class = std::nullopt;
};

// Calls that create a listening server. A new kind of server is a line here.
constexpr Sink kSinks[] = {
    {"socketserver.TCPServer", AddressArgument::kServerAddress},
    {"socketserver.UDPServer", AddressArgument::kServerAddress},
    {"socketserver.ForkingTCPServer", AddressArgument::kServerAddress},
    {"socketserver.ForkingUDPServer", AddressArgument::kServerAddress},
    {"socketserver.ThreadingTCPServer", AddressArgument::kServerAddress},
    {"socketserver.ThreadingUDPServer", AddressArgument::kServerAddress},
    {"http.server.HTTPServer", AddressArgument::kServerAddress},
    {"http.server.ThreadingHTTPServer", AddressArgument::kServerAddress},
    {"xmlrpc.server.SimpleXMLRPCServer", AddressArgument::kServerAddress},
    {"xmlrpc.server.DocXMLRPCServer", AddressArgument::kServerAddress},
    {"xmlrpc.server.MultiPathXMLRPCServer", AddressArgument::kServerAddress},
    {"wsgiref.simple_server.WSGIServer", AddressArgument::kServerAddress},
    {"wsgiref.simple_server.make_server", AddressArgument::kHost, {{3, "server_class"}}},
};

// Other names of the sinks' modules: Python 2 and six.moves.
constexpr std::pair<std::string_view, std::string_view> kModuleAliases[] = {
    {"SocketServer", "socketserver"},
    {"six.moves.socketserver", "socketserver"},
    {"BaseHTTPServer", "http.server"},
    {"six.moves.BaseHTTPServer", "http.server"},
    {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"DocXMLRPCServer", "xmlrpc.server"},
    {"six.moves.xmlrpc_server", "xmlrpc.server"},
};

std::string canonical(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  if (dot == std::string_view::npos) return std::string(qualified);
  std::string_view module = qualified.substr(0, dot);
  for (auto [alias, target] : kModuleAliases)
    if (module == alias) return std::string(target) + std::string(qualified.substr(dot));
  return std::string(qualified);
}

const Sink* find_sink(std::string_view qualified) {
  std::string name = canonical(qualified);
  for (const Sink& sink : kSinks)
    if (sink.name == name) return &sink;
  return nullptr;
}

// Every sink's own name contains this. Most files lack it, so one fast pass
// over them is all the prefilter costs; the checks below only run on the rest.
constexpr std::string_view kCommonPartOfSinkNames = "erver";
constexpr size_t kRareByteOfCommonPart = 2;  // 'v': uncommon in Python source, unlike 'e'

constexpr bool every_sink_name_contains(std::string_view part) {
  for (const Sink& sink : kSinks)
    if (sink.name.substr(sink.name.rfind('.') + 1).find(part) == std::string_view::npos) return false;
  return true;
}
static_assert(every_sink_name_contains(kCommonPartOfSinkNames),
              "a new sink needs a shorter kCommonPartOfSinkNames, or the prefilter would skip its files");

// Whether `text` contains `part`, found by memchr on its byte at `anchor`:
// string_view::find stops at every occurrence of the first byte instead.
bool contains(std::string_view text, std::string_view part, size_t anchor) {
  const char* const end = text.data() + text.size();
  const char* from = text.data() + anchor;
  while (from < end) {
    const char* hit = static_cast<const char*>(std::memchr(from, part[anchor], static_cast<size_t>(end - from)));
    if (hit == nullptr) return false;
    const char* start = hit - anchor;
    if (static_cast<size_t>(end - start) < part.size()) return false;  // no room left for `part`
    if (std::string_view(start, part.size()) == part) return true;
    from = hit + 1;
  }
  return false;
}

// Sound prefilter: the file can only reach a sink by naming every part of one
// spelling of its qualified name (in imports or attribute access).
bool may_match(std::string_view source) {
  if (!contains(source, kCommonPartOfSinkNames, kRareByteOfCommonPart)) return false;
  auto has = [source](std::string_view needle) { return source.find(needle) != std::string_view::npos; };
  auto has_all_parts = [&has](std::string_view dotted) {
    while (!dotted.empty()) {
      size_t dot = dotted.find('.');
      if (!has(dotted.substr(0, dot))) return false;
      if (dot == std::string_view::npos) break;
      dotted.remove_prefix(dot + 1);
    }
    return true;
  };
  for (const Sink& sink : kSinks) {
    size_t dot = sink.name.rfind('.');
    std::string_view module = sink.name.substr(0, dot);
    if (!has(sink.name.substr(dot + 1))) continue;
    if (has_all_parts(module)) return true;
    for (auto [alias, target] : kModuleAliases)
      if (target == module && has_all_parts(alias)) return true;
  }
  return false;
}

class Checker {
 public:
  Checker(const Module& module, std::vector<Finding>& out) : m_(module), out_(out) {}

  void run() {
    for (const CallSite& call : m_.calls()) check(call);
  }

 private:
  struct Server {
    const Sink* sink = nullptr;
    std::string display;  // what the message calls it
    std::string library;  // the standard-library class it is or derives from
  };

  Server server_for(const Reference& reference, int depth = 0) {
    if (!reference.qualified.empty()) {
      const Sink* sink = find_sink(reference.qualified);
      if (sink == nullptr) return {};
      return {sink, reference.qualified, reference.qualified};
    }
    if (ts_node_is_null(reference.local_class) || depth > Module::kMaxHops) return {};
    auto key = reinterpret_cast<uintptr_t>(reference.local_class.id);
    if (auto it = classes_.find(key); it != classes_.end()) return it->second;
    classes_[key] = {};  // a cycle through this class resolves to "not a server"
    Server server = subclass(reference.local_class, reference.class_scope, depth);
    classes_[key] = server;
    return server;
  }

  // A class of this file is a server when one of its bases is, unless it
  // switches to Unix domain sockets or replaces server_bind with code that
  // does not call a server_bind of its bases (test doubles do).
  Server subclass(TSNode definition, ScopeId scope, int depth) {
    const auto& g = m_.grammar();
    std::string name(m_.text(ts_node_child_by_field_id(definition, g.field.name)));
    if (unix_domain(definition) || overrides_bind(definition)) return {};
    TSNode bases = ts_node_child_by_field_id(definition, g.field.superclasses);
    if (ts_node_is_null(bases)) return {};
    for (uint32_t i = 0, n = ts_node_named_child_count(bases); i < n; ++i) {
      TSNode base = ts_node_named_child(bases, i);
      if (ts_node_symbol(base) == g.sym.keyword_argument) continue;
      Server parent = server_for(m_.resolve(base, scope, ts_node_start_byte(definition)), depth + 1);
      if (parent.sink != nullptr)
        return {parent.sink, name + " (a subclass of " + parent.library + ")", parent.library};
    }
    return {};
  }

  bool overrides_bind(TSNode definition) const {
    auto scope = m_.scope_of(definition);
    if (!scope) return false;
    const auto* methods = m_.bindings(*scope, "server_bind");
    if (methods == nullptr) return false;
    TSNode method = methods->back().statement;
    if (ts_node_symbol(method) != m_.grammar().sym.function_definition) return false;
    return m_.text(method).find(".server_bind(") == std::string_view::npos;
  }

  bool unix_domain(TSNode definition) const {
    auto scope = m_.scope_of(definition);
    if (!scope) return false;
    const auto* family = m_.bindings(*scope, "address_family");
    if (family == nullptr || family->back().kind != BindingKind::kAssignment) return false;
    // Also when `socket` is not imported here: the name alone says what is meant.
    std::string_view value = m_.text(family->back().value);
    return value == "AF_UNIX" || value.ends_with(".AF_UNIX");
  }

  void check(const CallSite& call) {
    const auto& g = m_.grammar();
    uint32_t at = ts_node_start_byte(call.node);
    Server server = server_for(m_.resolve(ts_node_child_by_field_id(call.node, g.field.function), call.scope, at));
    if (server.sink == nullptr) return;
    if (const auto& replaced = server.sink->server_class) {
      TSNode server_class = call_argument(m_, call.node, replaced->first, replaced->second);
      if (!ts_node_is_null(server_class) && server_for(m_.resolve(server_class, call.scope, at)).sink == nullptr) return;
    }

    bool tuple_form = server.sink->address == AddressArgument::kServerAddress;
    TSNode argument = call_argument(m_, call.node, 0, tuple_form ? "server_address" : "host");
    if (ts_node_is_null(argument)) return;

    std::optional<StringValue> host;
    if (tuple_form) {
      std::optional<Followed> address = follow(m_, argument, call.scope, at);
      if (!address || ts_node_symbol(address->expression) != g.sym.tuple) return;
      uint32_t size = ts_node_named_child_count(address->expression);
      if (size < 2 || size > 4) return;
      host = string_value(m_, ts_node_named_child(address->expression, 0), address->scope, address->at);
      if (host) host->via.insert(host->via.begin(), address->via.begin(), address->via.end());
    } else {
      host = string_value(m_, argument, call.scope, at);
    }
    if (!host) return;
    std::optional<AllInterfaces> meaning = all_interfaces(host->text);
    if (!meaning) return;
    report(server, argument, *host, *meaning);
  }

  void report(const Server& server, TSNode argument, const StringValue& host, const AllInterfaces& meaning) {
    std::string spelling = quoted(m_.text(host.literal));
    Finding finding;
    finding.rule_id = std::string(kInfo.id);
    finding.span = m_.span(argument);
    finding.sink = server.display;
    if (host.environment_variable) {
      std::string variable = host.environment_variable->empty() ? "the environment variable"
                                                                : *host.environment_variable;
      finding.message = server.display + " listens on all network interfaces when " + variable +
                        " is unset: the fallback host " + spelling + " is " + std::string(meaning.meaning) +
                        ". Use " + std::string(meaning.loopback) + " or a specific address as the default.";
    } else {
      finding.message = server.display + " listens on all network interfaces: host " + spelling + " is " +
                        std::string(meaning.meaning) + ". Bind to " + std::string(meaning.loopback) +
                        " or the specific address that must be reachable.";
    }
    for (const Binding* binding : host.via)
      finding.related.push_back({m_.span(binding->statement), "the address comes from this assignment"});
    finding.fix = Fix{"Bind to " + std::string(meaning.loopback) + " (loopback) instead",
                      {{m_.span(host.literal), replacement(host.literal, meaning.loopback)}}};
    out_.push_back(std::move(finding));
  }

  // The literal as written, shortened for a message.
  static std::string quoted(std::string_view literal) {
    constexpr size_t kMax = 40;
    if (literal.size() <= kMax) return std::string(literal);
    return std::string(literal.substr(0, kMax)) + "...";
  }

  // `address` in the same quotes as `literal` (bytes stay bytes).
  std::string replacement(TSNode literal, std::string_view address) const {
    const auto& g = m_.grammar();
    TSNode first = ts_node_symbol(literal) == g.sym.concatenated_string ? ts_node_named_child(literal, 0) : literal;
    std::string_view start = m_.text(ts_node_named_child(first, 0));
    size_t quote = start.find_first_of("'\"");
    std::string prefix;
    for (char c : start.substr(0, quote))
      if (c == 'b' || c == 'B') prefix += c;
    std::string quotes(quote == std::string_view::npos ? std::string_view("\"") : start.substr(quote));
    return prefix + quotes + std::string(address) + quotes;
  }

  const Module& m_;
  std::vector<Finding>& out_;
  std::unordered_map<uintptr_t, Server> classes_;
};

void check(const Module& module, std::vector<Finding>& out) { Checker(module, out).run(); }

}  // namespace

Rule bind_all_interfaces() {
  static const RuleInfo info = [] {
    RuleInfo with_docs = kInfo;
    with_docs.documentation = embedded::BindAllInterfacesDoc;
    return with_docs;
  }();
  return {info, may_match, check};
}

}  // namespace bindscan::rules
