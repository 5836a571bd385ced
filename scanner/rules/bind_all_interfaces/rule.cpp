#include "scanner/rules/bind_all_interfaces/rule.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "scanner/address.h"
#include "scanner/module.h"
#include "scanner/rules/bind_all_interfaces/sinks.h"
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

using sinks::AddressShape;
using sinks::CalleeKind;
using sinks::Sink;

// Sinks and factories of every table, by canonical qualified name.
struct Index {
  std::unordered_map<std::string_view, const Sink*> sinks;
  std::unordered_map<std::string_view, const sinks::Factory*> factories;
  std::vector<const sinks::ModuleAlias*> aliases;
  std::vector<const Sink*> all;
};

const Index& index() {
  static const Index built = [] {
    Index out;
    for (const sinks::SinkTable* table : sinks::tables()) {
      for (const Sink& sink : table->sinks) {
        out.sinks.emplace(sink.name, &sink);
        out.all.push_back(&sink);
      }
      for (const sinks::Factory& factory : table->factories) out.factories.emplace(factory.callee, &factory);
      for (const sinks::ModuleAlias& alias : table->module_aliases) out.aliases.push_back(&alias);
    }
    return out;
  }();
  return built;
}

// `qualified` with a module alias (Python 2, six.moves) replaced by the module it stands for.
std::string canonical(std::string_view qualified) {
  for (const sinks::ModuleAlias* alias : index().aliases) {
    if (qualified.starts_with(alias->alias) && qualified.size() > alias->alias.size() &&
        qualified[alias->alias.size()] == '.')
      return std::string(alias->target) + std::string(qualified.substr(alias->alias.size()));
  }
  return std::string(qualified);
}

const Sink* find_sink(std::string_view qualified, CalleeKind kind) {
  const auto& sinks = index().sinks;
  auto it = sinks.find(canonical(qualified));
  return it != sinks.end() && it->second->kind == kind ? it->second : nullptr;
}

const sinks::Factory* find_factory(std::string_view qualified, CalleeKind kind) {
  const auto& factories = index().factories;
  auto it = factories.find(canonical(qualified));
  return it != factories.end() && it->second->kind == kind ? it->second : nullptr;
}

// Whether `text` contains `part`, found by memchr on its rarest byte:
// string_view::find stops at every occurrence of the first byte instead.
bool contains(std::string_view text, std::string_view part) {
  // Rarer bytes first: fewer false starts for memchr.
  constexpr std::string_view kRareFirst = "vkzqjxVKZQJXywbpgfm";
  size_t anchor = 0;
  for (char rare : kRareFirst)
    if (size_t at = part.find(rare); at != std::string_view::npos) {
      anchor = at;
      break;
    }
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
// spelling of its qualified name (in imports or attribute access), or, for a
// method, the method and a way to get an instance (the class or a factory).
bool may_match(std::string_view source) {
  bool gate = false;
  for (std::string_view needle : sinks::gate_needles())
    if ((gate = contains(source, needle))) break;
  if (!gate) return false;
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
  auto names = [&](std::string_view qualified) {
    if (has_all_parts(qualified)) return true;
    for (const sinks::ModuleAlias* alias : index().aliases)
      if (qualified.starts_with(alias->target) && qualified.size() > alias->target.size() &&
          qualified[alias->target.size()] == '.' && has_all_parts(alias->alias) &&
          has_all_parts(qualified.substr(alias->target.size() + 1)))
        return true;
    return false;
  };
  // A class's instances: the class named, or a factory that returns it named.
  auto names_instance = [&](std::string_view cls) {
    if (names(cls)) return true;
    for (const auto& [callee, factory] : index().factories) {
      if (factory->returns != cls) continue;
      if (factory->kind == CalleeKind::kFunction ? names(callee) : has_all_parts(callee)) return true;
    }
    return false;
  };
  for (const Sink* sink : index().all) {
    if (sink->kind != CalleeKind::kMethod) {
      if (names(sink->name)) return true;
      continue;
    }
    size_t dot = sink->name.rfind('.');
    if (has(sink->name.substr(dot + 1)) && names_instance(sink->name.substr(0, dot))) return true;
  }
  return false;
}

// What the host argument holds, when the file tells.
struct Host {
  std::string text;    // the host (for "host:port" and URLs, the host part); "" for None and 0
  TSNode literal{};    // what holds it: a string, `None`, `0`, `socket.INADDR_ANY`
  std::vector<const Binding*> via;
  std::optional<std::string> environment_variable;
  enum Kind { kString, kNone, kZero } kind = kString;
  // For strings: the whole decoded value and where the host sits in it, so a
  // fix can keep the port and scheme.
  std::string whole;
  size_t host_begin = 0;
  size_t host_end = 0;
};

// Where the host sits in "host:port", "[v6]:port", ":port" or a bare host.
std::optional<std::pair<size_t, size_t>> host_in_host_port(std::string_view value, size_t from) {
  std::string_view rest = value.substr(from);
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return std::pair{from + 1, from + close};
  }
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos)
    return std::pair{from, value.size()};  // a bare IPv6 address
  return std::pair{from, colon == std::string_view::npos ? value.size() : from + colon};
}

std::optional<std::pair<size_t, size_t>> host_in_url(std::string_view value) {
  size_t scheme = value.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  size_t start = scheme + 3;
  size_t path = value.find('/', start);
  std::string_view authority = value.substr(0, path);
  auto host = host_in_host_port(authority, start);
  return host;
}

// Whether `host` means every interface for a sink that accepts `wildcards`.
std::optional<AllInterfaces> meaning_of(const Host& host, sinks::Wildcards wildcards) {
  static constexpr AllInterfaces kStar{AddressFamily::kIPv4, "every interface", "127.0.0.1"};
  static constexpr AllInterfaces kNone{AddressFamily::kIPv4, "every interface", "127.0.0.1"};
  static constexpr AllInterfaces kZero{AddressFamily::kIPv4, "INADDR_ANY (0.0.0.0)", "127.0.0.1"};
  switch (host.kind) {
    case Host::kNone: return wildcards & sinks::kNoneHost ? std::optional(kNone) : std::nullopt;
    case Host::kZero: return wildcards & sinks::kZero ? std::optional(kZero) : std::nullopt;
    case Host::kString: break;
  }
  if (host.text.empty()) return wildcards & sinks::kEmptyHost ? all_interfaces("") : std::nullopt;
  if (host.text == "*") return wildcards & sinks::kStar ? std::optional(kStar) : std::nullopt;
  return all_interfaces(host.text);
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
    std::string library;  // the library class or function it is or derives from
  };

  // An instance the file creates: its class and the call that made it.
  struct Instance {
    std::string cls;
    TSNode creation{};  // the constructor call, when the class was called directly
  };

  Server server_for(const Reference& reference, int depth = 0) {
    if (!reference.qualified.empty()) {
      const Sink* sink = find_sink(reference.qualified, CalleeKind::kConstructor);
      if (sink == nullptr) sink = find_sink(reference.qualified, CalleeKind::kFunction);
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
      if (parent.sink != nullptr && parent.sink->kind == CalleeKind::kConstructor)
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

  // The class of what `expression` evaluates to, when the file creates it:
  // a class called (`socket.socket(...)`), a factory (`asyncio.get_running_loop()`),
  // or a `with` target whose __enter__ returns the instance itself.
  std::optional<Instance> instance_of(TSNode expression, ScopeId scope, uint32_t at, int depth = 0) {
    const auto& g = m_.grammar();
    for (; depth < Module::kMaxHops; ++depth) {
      if (ts_node_is_null(expression)) return std::nullopt;
      TSSymbol kind = ts_node_symbol(expression);
      if (kind == g.sym.parenthesized_expression && ts_node_named_child_count(expression) == 1) {
        expression = ts_node_named_child(expression, 0);
        continue;
      }
      if (kind == g.sym.identifier) {
        Module::Lookup found = m_.lookup(m_.text(expression), scope, at);
        if (found.binding == nullptr) return std::nullopt;
        const Binding& b = *found.binding;
        if (b.kind == BindingKind::kUnknown && b.entered) {
          auto manager = instance_of(b.value, found.scope, ts_node_start_byte(b.statement), depth + 1);
          if (!manager) return std::nullopt;
          const sinks::Factory* enter = find_factory(manager->cls + ".__enter__", CalleeKind::kMethod);
          if (enter == nullptr) return std::nullopt;
          return Instance{std::string(enter->returns), manager->creation};
        }
        if (b.kind != BindingKind::kAssignment) return std::nullopt;
        expression = b.value;
        scope = found.scope;
        at = ts_node_start_byte(b.statement);
        continue;
      }
      if (kind != g.sym.call) return std::nullopt;
      TSNode callee = ts_node_child_by_field_id(expression, g.field.function);
      Reference reference = m_.resolve(callee, scope, at);
      if (!reference.qualified.empty()) {
        std::string qualified = canonical(reference.qualified);
        if (const sinks::Factory* factory = find_factory(qualified, CalleeKind::kFunction))
          return Instance{std::string(factory->returns), {}};
        return Instance{std::move(qualified), expression};  // calling a class makes an instance of it
      }
      if (ts_node_symbol(callee) != g.sym.attribute) return std::nullopt;
      auto object = instance_of(ts_node_child_by_field_id(callee, g.field.object), scope, at, depth + 1);
      if (!object) return std::nullopt;
      std::string method(m_.text(ts_node_child_by_field_id(callee, g.field.attribute)));
      const sinks::Factory* factory = find_factory(object->cls + "." + method, CalleeKind::kMethod);
      if (factory == nullptr) return std::nullopt;
      return Instance{std::string(factory->returns), {}};
    }
    return std::nullopt;
  }

  // Whether the instance passes the sink's filter (raw sockets: IP families only).
  bool passes_filter(const Sink& sink, const Instance& instance, ScopeId scope, uint32_t at) {
    if (sink.filter == sinks::InstanceFilter::kAny) return true;
    if (ts_node_is_null(instance.creation)) return false;  // how it was made is unknown
    TSNode family = call_argument(m_, instance.creation, 0, "family");
    if (ts_node_is_null(family)) {
      // A positional splat or `fileno=` may set the family: unknown.
      return m_.text(instance.creation).find('*') == std::string_view::npos &&
             ts_node_is_null(call_argument(m_, instance.creation, 3, "fileno"));
    }
    std::string qualified = m_.resolve(family, scope, at).qualified;
    return qualified == "socket.AF_INET" || qualified == "socket.AF_INET6";
  }

  void check(const CallSite& call) {
    const auto& g = m_.grammar();
    uint32_t at = ts_node_start_byte(call.node);
    TSNode callee = ts_node_child_by_field_id(call.node, g.field.function);
    Server server = server_for(m_.resolve(callee, call.scope, at));
    if (server.sink == nullptr && ts_node_symbol(callee) == g.sym.attribute) {
      auto instance = instance_of(ts_node_child_by_field_id(callee, g.field.object), call.scope, at);
      if (!instance) return;
      std::string_view method = m_.text(ts_node_child_by_field_id(callee, g.field.attribute));
      std::string name = instance->cls + "." + std::string(method);
      const Sink* sink = find_sink(name, CalleeKind::kMethod);
      if (sink == nullptr || !passes_filter(*sink, *instance, call.scope, at)) return;
      server = {sink, name, name};
    }
    if (server.sink == nullptr) return;
    const Sink& sink = *server.sink;
    if (const auto& replaced = sink.server_class) {
      TSNode server_class = call_argument(m_, call.node, static_cast<uint32_t>(replaced->position), replaced->keyword);
      if (!ts_node_is_null(server_class) && server_for(m_.resolve(server_class, call.scope, at)).sink == nullptr)
        return;
    }
    for (const sinks::Address* address : {&sink.address, sink.other_address ? &*sink.other_address : nullptr}) {
      if (address == nullptr) continue;
      uint32_t position = address->slot.position < 0 ? UINT32_MAX : static_cast<uint32_t>(address->slot.position);
      TSNode argument = call_argument(m_, call.node, position, address->slot.keyword);
      if (ts_node_is_null(argument)) continue;
      std::optional<Host> host = host_of(argument, address->shape, call.scope, at);
      if (!host) continue;
      if (std::optional<AllInterfaces> meaning = meaning_of(*host, sink.wildcards))
        report(server, argument, *host, *meaning);
    }
  }

  // The host that `argument` carries in `shape`.
  std::optional<Host> host_of(TSNode argument, AddressShape shape, ScopeId scope, uint32_t at) {
    const auto& g = m_.grammar();
    if (shape == AddressShape::kHostPortTuple) {
      std::optional<Followed> address = follow(m_, argument, scope, at);
      if (!address || ts_node_symbol(address->expression) != g.sym.tuple) return std::nullopt;
      uint32_t size = ts_node_named_child_count(address->expression);
      if (size < 2 || size > 4) return std::nullopt;
      auto host = host_value(ts_node_named_child(address->expression, 0), address->scope, address->at);
      if (host) host->via.insert(host->via.begin(), address->via.begin(), address->via.end());
      return host;
    }
    std::optional<Host> host = host_value(argument, scope, at);
    if (!host || shape == AddressShape::kHost || host->kind != Host::kString) return host;
    auto range = shape == AddressShape::kUrl ? host_in_url(host->whole) : host_in_host_port(host->whole, 0);
    if (!range) return std::nullopt;
    host->host_begin = range->first;
    host->host_end = range->second;
    host->text = host->whole.substr(range->first, range->second - range->first);
    return host;
  }

  // A host as a string, None, or the integer INADDR_ANY.
  std::optional<Host> host_value(TSNode expression, ScopeId scope, uint32_t at) {
    const auto& g = m_.grammar();
    if (std::optional<StringValue> value = string_value(m_, expression, scope, at)) {
      Host host;
      host.text = value->text;
      host.literal = value->literal;
      host.via = std::move(value->via);
      host.environment_variable = std::move(value->environment_variable);
      host.whole = host.text;
      host.host_end = host.text.size();
      return host;
    }
    std::optional<Followed> found = follow(m_, expression, scope, at);
    if (!found) return std::nullopt;
    TSSymbol kind = ts_node_symbol(found->expression);
    Host host;
    host.literal = found->expression;
    host.via = std::move(found->via);
    if (kind == g.sym.none) {
      host.kind = Host::kNone;
    } else if ((kind == g.sym.integer && m_.text(found->expression) == "0") ||
               m_.resolve(found->expression, found->scope, found->at).qualified == "socket.INADDR_ANY") {
      host.kind = Host::kZero;
    } else {
      return std::nullopt;
    }
    return host;
  }

  void report(const Server& server, TSNode argument, const Host& host, const AllInterfaces& meaning) {
    std::string spelling = quoted(m_.text(host.literal));
    Finding finding;
    finding.rule_id = std::string(kInfo.id);
    finding.span = m_.span(argument);
    std::string_view what = host.kind == Host::kString ? "host" : "host value";
    if (host.environment_variable) {
      std::string variable = host.environment_variable->empty() ? "the environment variable"
                                                                : *host.environment_variable;
      finding.message = server.display + " listens on all network interfaces when " + variable +
                        " is unset: the fallback " + std::string(what) + " " + spelling + " is " +
                        std::string(meaning.meaning) + ". Use " + std::string(meaning.loopback) +
                        " or a specific address as the default.";
    } else {
      finding.message = server.display + " listens on all network interfaces: " + std::string(what) + " " +
                        spelling + " is " + std::string(meaning.meaning) + ". Bind to " +
                        std::string(meaning.loopback) + " or the specific address that must be reachable.";
    }
    for (const Binding* binding : host.via)
      finding.related.push_back({m_.span(binding->statement), "the address comes from this assignment"});
    if (std::optional<std::string> text = replacement(host, meaning.loopback))
      finding.fix = Fix{"Bind to " + std::string(meaning.loopback) + " (loopback) instead",
                        {{m_.span(host.literal), std::move(*text)}}};
    out_.push_back(std::move(finding));
  }

  // The literal as written, shortened for a message.
  static std::string quoted(std::string_view literal) {
    constexpr size_t kMax = 40;
    if (literal.size() <= kMax) return std::string(literal);
    return std::string(literal.substr(0, kMax)) + "...";
  }

  // `host.literal` rewritten to name `loopback`, in the same quotes (bytes
  // stay bytes), keeping a port or scheme around the host.
  std::optional<std::string> replacement(const Host& host, std::string_view loopback) const {
    const auto& g = m_.grammar();
    if (host.kind != Host::kString) return "\"" + std::string(loopback) + "\"";
    std::string value =
        host.whole.substr(0, host.host_begin) + std::string(loopback) + host.whole.substr(host.host_end);
    // The rest of the value is re-written as decoded: only when that needs no escaping.
    if (value.find_first_of("'\"\\\n\r") != std::string::npos) return std::nullopt;
    TSNode literal = host.literal;
    TSNode first = ts_node_symbol(literal) == g.sym.concatenated_string ? ts_node_named_child(literal, 0) : literal;
    std::string_view start = m_.text(ts_node_named_child(first, 0));
    size_t quote = start.find_first_of("'\"");
    std::string prefix;
    for (char c : start.substr(0, quote))
      if (c == 'b' || c == 'B') prefix += c;
    std::string quotes(quote == std::string_view::npos ? std::string_view("\"") : start.substr(quote));
    return prefix + quotes + value + quotes;
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
