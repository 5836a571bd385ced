#include "scanner/rules/bind_all_interfaces/binds.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "scanner/address.h"
#include "scanner/flow/evaluator.h"
#include "scanner/flow/project.h"
#include "scanner/flow/summary.h"
#include "scanner/rules/bind_all_interfaces/sinks.h"
#include "scanner/values.h"
#include "scanner/words.h"

namespace bindscan::rules::binds {
namespace {

using sinks::AddressShape;
using sinks::CalleeKind;
using sinks::Sink;

// Sinks and factories of every table, by canonical qualified name.
struct Index {
  std::unordered_map<std::string_view, const Sink*> sinks;
  std::unordered_map<std::string_view, const sinks::Factory*> factories;
  std::unordered_set<std::string_view> last_names;  // "TCPServer", "bind", "create_server", ...
  std::vector<const sinks::ModuleAlias*> aliases;
  std::vector<const Sink*> all;
  std::vector<const sinks::AssignmentSink*> assignments;
};

const Index& index() {
  static const Index built = [] {
    Index out;
    for (const sinks::SinkTable* table : sinks::tables()) {
      for (const Sink& sink : table->sinks) {
        out.sinks.emplace(sink.name, &sink);
        out.last_names.insert(sink.name.substr(sink.name.rfind('.') + 1));
        out.all.push_back(&sink);
      }
      for (const sinks::Factory& factory : table->factories) out.factories.emplace(factory.callee, &factory);
      for (const sinks::ModuleAlias& alias : table->module_aliases) out.aliases.push_back(&alias);
      for (const sinks::AssignmentSink& assignment : table->assignments) out.assignments.push_back(&assignment);
    }
    return out;
  }();
  return built;
}

// `qualified` with a module alias (Python 2, six.moves) replaced by the
// module it stands for, written into `storage` then; else `qualified` itself
// (most names: looked up without a copy).
std::string_view canonical(std::string_view qualified, std::string& storage) {
  for (const sinks::ModuleAlias* alias : index().aliases) {
    if (qualified.starts_with(alias->alias) && qualified.size() > alias->alias.size() &&
        qualified[alias->alias.size()] == '.')
      return storage = std::string(alias->target) + std::string(qualified.substr(alias->alias.size()));
  }
  return qualified;
}

const Sink* find_sink(std::string_view qualified, CalleeKind kind) {
  const auto& sinks = index().sinks;
  std::string storage;
  auto it = sinks.find(canonical(qualified, storage));
  return it != sinks.end() && it->second->kind == kind ? it->second : nullptr;
}

const sinks::Factory* find_factory(std::string_view qualified, CalleeKind kind) {
  const auto& factories = index().factories;
  std::string storage;
  auto it = factories.find(canonical(qualified, storage));
  return it != factories.end() && it->second->kind == kind ? it->second : nullptr;
}

// The words a spelling of `qualified` writes: every part of it, or, through
// a module alias (Python 2, six.moves), the alias's parts and the rest.
std::vector<std::vector<WordSieve::Need>> spellings(std::string_view qualified) {
  auto parts = [](std::string_view dotted, std::vector<WordSieve::Need>& out) {
    while (!dotted.empty()) {
      size_t dot = dotted.find('.');
      out.push_back({std::string(dotted.substr(0, dot)), kWritten});
      if (dot == std::string_view::npos) break;
      dotted.remove_prefix(dot + 1);
    }
  };
  std::vector<std::vector<WordSieve::Need>> out(1);
  parts(qualified, out.back());
  for (const sinks::ModuleAlias* alias : index().aliases)
    if (qualified.starts_with(alias->target) && qualified.size() > alias->target.size() &&
        qualified[alias->target.size()] == '.') {
      out.emplace_back();
      parts(alias->alias, out.back());
      parts(qualified.substr(alias->target.size() + 1), out.back());
    }
  return out;
}

std::string_view last_part(std::string_view qualified) { return qualified.substr(qualified.rfind('.') + 1); }

}  // namespace

// A file can only reach a sink by writing every part of one spelling of its
// qualified name (in imports or attribute access), or, for a method, the
// method after a dot and a way to get an instance: the class or a factory,
// named and called (the value flow follows instances from there). An
// assignment sink needs every part of its target, a config file's bare name
// (gunicorn's `bind`) at the start of a line.
const WordSieve& sieve() {
  static const WordSieve built = [] {
    std::vector<std::vector<WordSieve::Need>> alternatives;
    // Ways to make an instance of `cls` in a file.
    auto instance_makers = [](std::string_view cls) {
      std::vector<std::vector<WordSieve::Need>> out;
      for (auto& spelling : spellings(cls)) {
        spelling.push_back({std::string(last_part(cls)), kCalled});
        out.push_back(std::move(spelling));
      }
      for (const auto& [callee, factory] : index().factories) {
        if (factory->returns != cls) continue;
        auto ways = spellings(callee);
        if (factory->kind == CalleeKind::kMethod) ways.resize(1);  // named by its class's parts
        for (auto& spelling : ways) {
          spelling.push_back({std::string(last_part(callee)), kCalled});
          out.push_back(std::move(spelling));
        }
      }
      return out;
    };
    for (const Sink* sink : index().all) {
      if (sink->kind != CalleeKind::kMethod) {
        for (auto& spelling : spellings(sink->name)) alternatives.push_back(std::move(spelling));
        continue;
      }
      std::string_view cls = sink->name.substr(0, sink->name.rfind('.'));
      for (auto& maker : instance_makers(cls)) {
        maker.push_back({std::string(last_part(sink->name)), kAfterDot});
        alternatives.push_back(std::move(maker));
      }
    }
    for (const sinks::SinkTable* table : sinks::tables())
      for (const sinks::AssignmentSink& assignment : table->assignments) {
        std::string_view target = assignment.target;
        if (target.find('.') == std::string_view::npos) {
          // A config file's module-level name (gunicorn's `bind`): the rule
          // reads it where a line starts with it.
          alternatives.push_back({{std::string(target), kWritten | kLineStart}});
          continue;
        }
        for (auto& spelling : spellings(target)) alternatives.push_back(std::move(spelling));
      }
    return WordSieve(alternatives);
  }();
  return built;
}

bool is_library_name(std::string_view qualified) {
  static const std::unordered_set<std::string> modules = [] {
    std::unordered_set<std::string> out;
    auto add = [&out](std::string_view name) { out.emplace(name.substr(0, name.find('.'))); };
    for (const Sink* sink : index().all) add(sink->name);
    for (const auto& [callee, factory] : index().factories) add(callee);
    for (const sinks::ModuleAlias* alias : index().aliases) add(alias->alias);
    return out;
  }();
  return modules.contains(std::string(qualified.substr(0, qualified.find('.'))));
}

namespace {

// One value the host argument may hold. Free of parser handles, so that a
// project scan and the link of per-module summaries judge it alike.
struct Host {
  std::string text;  // the host (for "host:port" and URLs, the host part); "" for None and 0
  // What holds it (a string, `None`, `0`, `socket.INADDR_ANY`): its spelling,
  // span, file, hops, environment variable or option, and the fix's text.
  flow::Constant written;
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

std::optional<std::string> made_by_factory(std::string_view qualified, bool method) {
  const sinks::Factory* factory = find_factory(qualified, method ? CalleeKind::kMethod : CalleeKind::kFunction);
  if (factory == nullptr) return std::nullopt;
  return std::string(factory->returns);
}

// A host as a string, None, or the integer INADDR_ANY.
std::optional<Host> host_value(const flow::Constant& written) {
  Host host;
  host.written = written;
  switch (written.kind) {
    case flow::ValueKind::kString:
      host.text = written.text;
      host.whole = written.text;
      host.host_end = written.text.size();
      return host;
    case flow::ValueKind::kNone:
      host.kind = Host::kNone;
      return host;
    case flow::ValueKind::kInt:
      if (written.text != "0") return std::nullopt;
      host.kind = Host::kZero;
      return host;
    case flow::ValueKind::kImported:
      if (written.text != "socket.INADDR_ANY") return std::nullopt;
      host.kind = Host::kZero;
      return host;
    default:
      return std::nullopt;
  }
}

// The host that `written` carries in `shape` (for a tuple: `written` is its host element).
std::optional<Host> host_of(const flow::Constant& written, AddressShape shape) {
  std::optional<Host> host = host_value(written);
  if (!host || shape == AddressShape::kHost || shape == AddressShape::kHostPortTuple || host->kind != Host::kString)
    return host;
  // "8000" alone is the port: the host is the library's default.
  if (shape == AddressShape::kPortOrHostPort && host->whole.find(':') == std::string::npos) return std::nullopt;
  auto range = shape == AddressShape::kUrl ? host_in_url(host->whole) : host_in_host_port(host->whole, 0);
  if (!range) return std::nullopt;
  host->host_begin = range->first;
  host->host_end = range->second;
  host->text = host->whole.substr(range->first, range->second - range->first);
  return host;
}

// The literal as written, shortened for a message.
std::string quoted(std::string_view literal) {
  constexpr size_t kMax = 40;
  if (literal.size() <= kMax) return std::string(literal);
  return std::string(literal.substr(0, kMax)) + "...";
}

// The finding for an address that `wild` (every value that means every
// interface, with its meaning) reaches, and other values too when `other`:
// one judge for a project scan and for linked summaries alike.
Finding verdict(std::string_view rule_id, const Span& argument, const std::string& display,
                const std::vector<RelatedLocation>& target_hops,
                const std::vector<std::pair<Host, AllInterfaces>>& wild, bool other) {
  const auto& [host, meaning] = wild.front();
  const flow::Constant& written = host.written;
  std::string spelling = quoted(written.spelling);
  Finding finding;
  finding.rule_id = std::string(rule_id);
  finding.span = argument;
  finding.sink = display;
  std::string_view what = host.kind == Host::kString ? "host" : "host value";
  std::string listens = other ? " may listen on all network interfaces" : " listens on all network interfaces";
  if (written.option) {
    finding.message = display + listens + " when " + *written.option + " is not given: its default " +
                      std::string(what) + " " + spelling + " is " + std::string(meaning.meaning) + ". Use " +
                      std::string(meaning.loopback) + " or a specific address as the option's default.";
  } else if (written.environment_variable && host.kind == Host::kString) {
    std::string variable =
        written.environment_variable->empty() ? "the environment variable" : *written.environment_variable;
    finding.message = display + listens + " when " + variable + " is unset: the fallback " + std::string(what) + " " +
                      spelling + " is " + std::string(meaning.meaning) + ". Use " + std::string(meaning.loopback) +
                      " or a specific address as the default.";
  } else {
    finding.message = display + listens + ": " + std::string(what) + " " + spelling + " is " +
                      std::string(meaning.meaning) + (other ? " on one of the paths that reach it" : "") +
                      ". Bind to " + std::string(meaning.loopback) + " or the specific address that must be reachable.";
  }
  if (other) finding.level = Level::kNote;
  finding.related = target_hops;
  Fix fix{"Bind to " + std::string(meaning.loopback) + " (loopback) instead", {}};
  for (const auto& [h, m] : wild) {
    for (const RelatedLocation& location : h.written.hops)
      if (std::find(finding.related.begin(), finding.related.end(), location) == finding.related.end())
        finding.related.push_back(location);
    // A fix edits the finding's own file only.
    if (!h.written.path.empty() || !h.written.replacement) continue;
    TextEdit edit{h.written.span, *h.written.replacement};
    if (std::find(fix.edits.begin(), fix.edits.end(), edit) == fix.edits.end()) fix.edits.push_back(std::move(edit));
  }
  if (!fix.edits.empty()) finding.fix = std::move(fix);
  return finding;
}

class Checker {
 public:
  Checker(const Module& module, Report what, std::string_view rule_id, std::vector<Finding>& out,
          std::vector<flow::OpenSite>* open = nullptr)
      : m_(module), what_(what), rule_id_(rule_id), out_(out), open_(open), flow_(evaluator_for(module)) {}

  void run() {
    for (const CallSite& call : m_.calls()) check(call);
    if (what_ == Report::kWildcardHost) check_assignments();
  }

  // The top-level classes that are servers judged where they are called (not
  // those whose __init__ takes the address its own way: judged inside).
  void servers_defined(std::vector<std::string>& out) {
    const auto& g = m_.grammar();
    for (TSNode statement : Module::named_children(m_.root())) {
      TSNode definition = ts_node_symbol(statement) == g.sym.decorated_definition
                              ? ts_node_child_by_field_id(statement, g.field.definition)
                              : statement;
      if (ts_node_symbol(definition) != g.sym.class_definition) continue;
      Server server = server_for({{}, definition, kModuleScope});
      if (server.sink != nullptr && server.sink->kind == CalleeKind::kConstructor && !server.moves_address)
        out.emplace_back(m_.text(ts_node_child_by_field_id(definition, g.field.name)));
    }
  }

 private:
  struct Server {
    const Sink* sink = nullptr;
    std::string display;  // what the message calls it
    std::string library;  // the library class or function it is or derives from
    bool moves_address = false;  // a class of this file whose __init__ takes the address its own way
  };

  // A sink that a call reaches.
  struct Target {
    Server server;
    int offset = 0;               // arguments before the sink's own (self, in Base.__init__(self, ...))
    std::vector<flow::Hop> hops;  // how the callee was reached
    flow::Value callee{};         // what the call calls: a functools.partial's arguments count as the call's
  };

  // The server a flow value names: an imported sink, or a server subclass in
  // any module of the project.
  Server server_of(const flow::Value& v) {
    if (v.kind == flow::ValueKind::kImported && !v.bound) return server_for({v.text, {}, kModuleScope});
    if (v.kind == flow::ValueKind::kClass && v.module != nullptr) return server_for({{}, v.node, v.scope}, *v.module);
    return {};
  }

  Server server_for(const Reference& reference) { return server_for(reference, m_); }

  Server server_for(const Reference& reference, const Module& module, int depth = 0) {
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
    Server server = subclass(reference.local_class, reference.class_scope, module, depth);
    classes_[key] = server;
    return server;
  }

  // A class of this file is a server when one of its bases is, unless it
  // switches to Unix domain sockets or replaces server_bind with code that
  // does not call a server_bind of its bases (test doubles do).
  Server subclass(TSNode definition, ScopeId scope, const Module& module, int depth) {
    const auto& g = module.grammar();
    std::string name(module.text(ts_node_child_by_field_id(definition, g.field.name)));
    if (unix_domain(definition, module) || overrides_bind(definition, module)) return {};
    TSNode bases = ts_node_child_by_field_id(definition, g.field.superclasses);
    if (ts_node_is_null(bases)) return {};
    for (uint32_t i = 0, n = ts_node_named_child_count(bases); i < n; ++i) {
      TSNode base = ts_node_named_child(bases, i);
      if (ts_node_symbol(base) == g.sym.keyword_argument) continue;
      // Bases through the value flow: an imported sink, or a class of any
      // module already parsed. As for callees, no module is parsed for a
      // base: one the prefilter skipped names no sink, so its classes are
      // servers only through a server class of the project, whose importers
      // the scan parses later, judging this file again (scan_project, step 4).
      Server parent;
      for (const flow::Value& v : evaluator_for(module).callee_values(base, scope, ts_node_start_byte(definition)).items) {
        if (v.kind == flow::ValueKind::kImported && !v.bound) parent = server_for({v.text, {}, kModuleScope});
        if (v.kind == flow::ValueKind::kClass && v.module != nullptr && depth < Module::kMaxHops)
          parent = server_for({{}, v.node, v.scope}, *v.module, depth + 1);
        if (parent.sink != nullptr) break;
      }
      if (parent.sink != nullptr && parent.sink->kind == CalleeKind::kConstructor) {
        auto body = module.scope_of(definition);
        bool own_init = body && module.bindings(*body, "__init__") != nullptr;
        return {parent.sink, name + " (a subclass of " + parent.library + ")", parent.library,
                own_init || parent.moves_address};
      }
    }
    return {};
  }

  static bool overrides_bind(TSNode definition, const Module& module) {
    auto scope = module.scope_of(definition);
    if (!scope) return false;
    const auto* methods = module.bindings(*scope, "server_bind");
    if (methods == nullptr) return false;
    TSNode method = methods->back().statement;
    if (ts_node_symbol(method) != module.grammar().sym.function_definition) return false;
    return module.text(method).find(".server_bind(") == std::string_view::npos;
  }

  static bool unix_domain(TSNode definition, const Module& module) {
    auto scope = module.scope_of(definition);
    if (!scope) return false;
    const auto* family = module.bindings(*scope, "address_family");
    if (family == nullptr || family->back().kind != BindingKind::kAssignment) return false;
    // Also when `socket` is not imported here: the name alone says what is meant.
    std::string_view value = module.text(family->back().value);
    return value == "AF_UNIX" || value.ends_with(".AF_UNIX");
  }

  // Whether the instance passes the sink's filter (raw sockets: IP families only).
  // `instance`: the bound method value, which keeps its instance's creation
  // and the scope that creation is evaluated in.
  bool passes_filter(const Sink& sink, const flow::Value& instance) {
    if (sink.filter == sinks::InstanceFilter::kAny) return true;
    TSNode creation = instance.creation;
    ScopeId scope = instance.scope;
    // The instance may have been made in another module of the project.
    flow::Evaluator& flow = instance.module != nullptr ? evaluator_for(*instance.module) : flow_;
    if (ts_node_is_null(creation)) return false;  // how it was made is unknown
    flow::Evaluator::Argument family = flow.argument(creation, scope, 0, "family");
    if (!family.known) return false;
    if (!family.found) return !flow.argument(creation, scope, 3, "fileno").found;
    flow::Values values = flow.values_of(family.node, family.scope, family.at);
    if (values.unknown || values.items.empty()) return false;
    return std::all_of(values.items.begin(), values.items.end(), [](const flow::Value& v) {
      return v.kind == flow::ValueKind::kImported && (v.text == "socket.AF_INET" || v.text == "socket.AF_INET6");
    });
  }

  // The sinks a call reaches: by its callee's values, and the constructor
  // calls of a server subclass (super().__init__(...), Base.__init__(self, ...)).
  std::vector<Target> targets(const CallSite& call) {
    const auto& g = m_.grammar();
    uint32_t at = ts_node_start_byte(call.node);
    TSNode callee = call.callee;
    std::vector<Target> out;
    auto add = [&out](Target target) {
      for (const Target& t : out)
        if (t.server.sink == target.server.sink && t.offset == target.offset &&
            ts_node_eq(t.callee.partial, target.callee.partial))
          return;
      out.push_back(std::move(target));
    };
    if (ts_node_is_null(callee)) return out;
    if (ts_node_symbol(callee) == g.sym.attribute && call.name == "__init__") {
      init_targets(call, ts_node_child_by_field_id(callee, g.field.object), add);
      return out;
    }
    // `o.m(...)` reaches a sink only when m is a sink's own name or names a
    // class of this file (a subclass, a nested class): skip the rest cheaply.
    if (ts_node_symbol(callee) == g.sym.attribute && !index().last_names.contains(call.name) &&
        !m_.defines_class(call.name))
      return out;
    flow::Values callees = flow_.callee_values(callee, call.scope, at);
    if (callees.items.empty() && ts_node_symbol(callee) == g.sym.attribute) inherited_targets(callee, call, add);
    for (const flow::Value& v : callees.items) {
      if (v.kind == flow::ValueKind::kImported && !v.bound) {
        Server server = server_of(v);
        if (server.sink != nullptr) add({server, 0, v.hops, v});
      } else if (v.kind == flow::ValueKind::kImported) {
        const Sink* sink = find_sink(v.text, CalleeKind::kMethod);
        if (sink != nullptr && passes_filter(*sink, v)) add({{sink, v.text, v.text}, 0, v.hops, v});
      } else if (v.kind == flow::ValueKind::kClass) {
        Server server = server_of(v);
        // A subclass whose __init__ takes the address its own way is judged
        // at its super().__init__ call, where the address reaches the library.
        if (server.sink != nullptr && !server.moves_address) add({server, 0, v.hops, v});
      }
    }
    return out;
  }

  // `self.bind(...)` in a method of a class deriving from the sink's class
  // (asyncore.dispatcher subclasses): the method no class of the file
  // defines is the library's. `self` only: its class is the one whose
  // method this is, or a subclass.
  template <typename Add>
  void inherited_targets(TSNode callee, const CallSite& call, Add&& add) {
    const auto& g = m_.grammar();
    TSNode object = ts_node_child_by_field_id(callee, g.field.object);
    if (ts_node_symbol(object) != g.sym.identifier) return;
    std::string_view member = m_.text(ts_node_child_by_field_id(callee, g.field.attribute));
    for (const flow::Value& v : flow_.values_of(object, call.scope, ts_node_start_byte(call.node)).items) {
      if (v.kind != flow::ValueKind::kInstance || !v.text.empty() || !ts_node_is_null(v.creation) || v.module != &m_)
        continue;
      std::vector<std::pair<TSNode, ScopeId>> pending{{v.node, v.scope}};
      for (int hops = 0; !pending.empty() && hops < Module::kMaxHops; ++hops) {
        auto [cls, scope] = pending.back();
        pending.pop_back();
        TSNode bases = ts_node_child_by_field_id(cls, g.field.superclasses);
        if (ts_node_is_null(bases)) continue;
        for (TSNode base : Module::named_children(bases)) {
          if (ts_node_symbol(base) == g.sym.keyword_argument) continue;
          for (const flow::Value& b : flow_.values_of(base, scope, ts_node_start_byte(cls)).items) {
            if (b.kind == flow::ValueKind::kClass && b.module == &m_) pending.emplace_back(b.node, b.scope);
            if (b.kind != flow::ValueKind::kImported || b.bound) continue;
            const Sink* sink = find_sink(b.text + "." + std::string(member), CalleeKind::kMethod);
            if (sink != nullptr && sink->filter == sinks::InstanceFilter::kAny)
              add({{sink, std::string(sink->name), b.text}, 0, v.hops});
          }
        }
      }
    }
  }

  template <typename Add>
  void init_targets(const CallSite& call, TSNode object, Add&& add) {
    const auto& g = m_.grammar();
    uint32_t at = ts_node_start_byte(call.node);
    // super().__init__(...) in a method of a server subclass: its first server base.
    if (ts_node_symbol(object) == g.sym.call &&
        m_.text(ts_node_child_by_field_id(object, g.field.function)) == "super") {
      std::optional<TSNode> cls = std::nullopt;
      for (ScopeId s = call.scope;; s = m_.parent_scope(s)) {
        if ((cls = flow_.enclosing_class(s)) || s == kModuleScope) break;
      }
      if (!cls) return;
      TSNode bases = ts_node_child_by_field_id(*cls, g.field.superclasses);
      if (ts_node_is_null(bases)) return;
      auto body = m_.scope_of(*cls);
      if (!body) return;
      for (uint32_t i = 0, n = ts_node_named_child_count(bases); i < n; ++i) {
        TSNode base = ts_node_named_child(bases, i);
        if (ts_node_symbol(base) == g.sym.keyword_argument) continue;
        Server server = server_for(m_.resolve(base, m_.parent_scope(*body), ts_node_start_byte(*cls)));
        if (server.sink == nullptr) continue;
        if (!server.moves_address) add(Target{server, 0, {}});
        return;
      }
      return;
    }
    // Base.__init__(self, address, ...): self is passed explicitly.
    flow::Values bases = flow_.values_of(object, call.scope, at);
    for (const flow::Value& v : bases.items) {
      Server server;
      server = server_of(v);
      if (server.sink != nullptr && server.sink->kind == CalleeKind::kConstructor && !server.moves_address)
        add(Target{server, 1, v.hops});
    }
  }

  void check(const CallSite& call) {
    std::vector<Target> found = targets(call);
    // A sink under a constant false condition (`if False:`, `if DEBUG:` with DEBUG = False) never runs.
    if (found.empty() || flow_.never_runs(call.node, call.scope)) return;
    for (const Target& target : found) {
      if (behind_fake_trio_sockets(call, *target.server.sink) || connects_later(call) || behind_test_double(call))
        continue;
      judge(call, target);
    }
  }

  // Test doubles that mean nothing real is bound (missing a report is the safe side):
  // - a function decorated so that a socket module is a mock: `@mock.patch("pkg.socket")`,
  //   or a decorator function of this file that applies such a patch;
  // - `o.m(...)` after the same function replaced a method of `o` with a function
  //   or a mock (`self.loop.getaddrinfo = fake`).
  bool behind_test_double(const CallSite& call) {
    const auto& g = m_.grammar();
    for (ScopeId s = call.scope; s != kModuleScope; s = m_.parent_scope(s)) {
      if (m_.scope_kind(s) != ScopeKind::kFunction) continue;
      const auto* decorators = m_.decorators(m_.scope_node(s));
      if (decorators == nullptr) continue;
      for (TSNode decorator : *decorators)
        if (patches_socket(ts_node_named_child(decorator, 0), s)) return true;
    }
    TSNode callee = call.callee;
    if (ts_node_is_null(callee) || ts_node_symbol(callee) != g.sym.attribute) return false;
    std::string_view object = m_.text(ts_node_child_by_field_id(callee, g.field.object));
    uint32_t at = ts_node_start_byte(call.node);
    for (const AttributeWrite& w : m_.attribute_writes()) {
      if (w.scope != call.scope || ts_node_start_byte(w.statement) >= at || ts_node_is_null(w.value) ||
          m_.text(w.object) != object)
        continue;
      for (const flow::Value& v : flow_.values_of(w.value, w.scope, ts_node_start_byte(w.statement)).items)
        if (v.kind == flow::ValueKind::kFunction || (v.kind == flow::ValueKind::kInstance && is_mock(v.text)))
          return true;
    }
    return false;
  }

  static bool is_mock(std::string_view qualified) {
    return qualified.starts_with("unittest.mock.") || qualified.starts_with("mock.");
  }

  // Whether `decorator` (of a function in `scope`) patches a socket module:
  // `mock.patch("...socket...")`, or a function of this file that calls it.
  bool patches_socket(TSNode decorator, ScopeId scope) {
    const auto& g = m_.grammar();
    if (ts_node_is_null(decorator)) return false;
    uint32_t at = ts_node_start_byte(decorator);
    if (ts_node_symbol(decorator) == g.sym.call) {
      TSNode callee = ts_node_child_by_field_id(decorator, g.field.function);
      std::string patch = m_.resolve(callee, scope, at).qualified;
      if (patch != "unittest.mock.patch" && patch != "mock.patch") return false;
      TSNode arguments = ts_node_child_by_field_id(decorator, g.field.arguments);
      TSNode target = ts_node_is_null(arguments) ? TSNode{} : ts_node_named_child(arguments, 0);
      return !ts_node_is_null(target) && ts_node_symbol(target) == g.sym.string &&
             m_.text(target).find("socket") != std::string_view::npos;
    }
    if (ts_node_symbol(decorator) != g.sym.identifier) return false;
    const Module::Lookup found = m_.lookup(m_.text(decorator), m_.parent_scope(scope), at);
    if (found.binding == nullptr || ts_node_symbol(found.binding->statement) != g.sym.function_definition) return false;
    std::optional<ScopeId> body = m_.scope_of(found.binding->statement);
    if (!body) return false;
    for (const CallSite& inner : m_.calls()) {
      if (inner.scope != *body) continue;
      TSNode callee = inner.callee;
      // `mock.patch("...socket", ...)(f)`: the patch is the callee's own call.
      if (!ts_node_is_null(callee) && ts_node_symbol(callee) == g.sym.call && patches_socket(callee, inner.scope))
        return true;
      if (patches_socket(inner.node, inner.scope)) return true;
    }
    return false;
  }

  // Whether `s.bind(...)` is followed, in the same function, by `s.connect(...)`
  // (or connect_ex) on the same name: a client choosing its local address
  // (trio's open_tcp_stream(local_address=...)), which listens nowhere.
  bool connects_later(const CallSite& call) {
    const auto& g = m_.grammar();
    TSNode callee = call.callee;
    if (call.name != "bind" || ts_node_symbol(callee) != g.sym.attribute) return false;
    std::string_view object = m_.text(ts_node_child_by_field_id(callee, g.field.object));
    uint32_t at = ts_node_start_byte(call.node);
    for (const CallSite& other : m_.calls()) {
      if (other.scope != call.scope || ts_node_start_byte(other.node) <= at) continue;
      TSNode later = other.callee;
      if (other.name != "connect" && other.name != "connect_ex") continue;
      if (ts_node_symbol(later) == g.sym.attribute &&
          m_.text(ts_node_child_by_field_id(later, g.field.object)) == object)
        return true;
    }
    return false;
  }

  // Whether `call` of a trio sink comes after `trio.socket.set_custom_socket_factory(f)`
  // (f not None) in the same function: trio's sockets are then the factory's
  // (a test double), and nothing real is bound. Matched by the method's name,
  // which only trio defines: missing a report is the safe side here.
  bool behind_fake_trio_sockets(const CallSite& call, const Sink& sink) {
    if (!sink.name.starts_with("trio.")) return false;
    if (!fake_factories_) {
      fake_factories_.emplace();
      if (m_.source().find("set_custom_socket_factory") != std::string_view::npos) {
        const auto& g = m_.grammar();
        for (const CallSite& other : m_.calls()) {
          if (other.name != "set_custom_socket_factory" || ts_node_symbol(other.callee) != g.sym.attribute)
            continue;
          TSNode arguments = ts_node_child_by_field_id(other.node, g.field.arguments);
          TSNode factory = ts_node_is_null(arguments) ? TSNode{} : ts_node_named_child(arguments, 0);
          if (ts_node_is_null(factory) || m_.text(factory) == "None") continue;
          uint32_t at = ts_node_start_byte(other.node);
          auto [it, added] = fake_factories_->emplace(other.scope, at);
          if (!added) it->second = std::min(it->second, at);
        }
      }
    }
    auto it = fake_factories_->find(call.scope);
    return it != fake_factories_->end() && it->second < ts_node_start_byte(call.node);
  }

  void judge(const CallSite& call, const Target& target) {
    const Sink& sink = *target.server.sink;
    if (const auto& replaced = sink.server_class) {
      auto server_class =
          flow_.argument(target.callee, call.node, call.scope, replaced->position + target.offset, replaced->keyword);
      if (!server_class.known) return;
      if (server_class.found) {
        flow::Values classes = flow_.values_of(server_class.node, server_class.scope, server_class.at);
        if (classes.unknown || classes.items.empty()) return;
        for (const flow::Value& v : classes.items) {
          Server replacement;
          replacement = server_of(v);
          if (replacement.sink == nullptr) return;
        }
      }
    }
    auto argument_for = [&](const sinks::Slot& slot) {
      int position = slot.position < 0 ? -1 : slot.position + target.offset;
      return flow_.argument(target.callee, call.node, call.scope, position, slot.keyword);
    };
    // Every value the argument may hold must be the string.
    if (sink.only_when && !every_value(argument_for(sink.only_when->slot), [&](const flow::Value& v) {
          return v.kind == flow::ValueKind::kString && v.text == sink.only_when->equals;
        }))
      return;
    // A listener that is a test double on every path binds nothing.
    if (sink.listener && every_value(argument_for(sink.listener->slot), [&](const flow::Value& v) {
          return v.kind == flow::ValueKind::kInstance &&
                 std::ranges::find(sink.listener->doubles, v.text) != sink.listener->doubles.end();
        }))
      return;
    // A port that is only None, strings or bytes: the library raises before binding.
    if (sink.port && sink.int_port && every_value(argument_for(*sink.port), [](const flow::Value& v) {
          return v.kind == flow::ValueKind::kNone || v.kind == flow::ValueKind::kString;
        }))
      return;
    std::vector<std::pair<const sinks::Address*, flow::Evaluator::Argument>> given;
    bool address_unknown = false;
    for (const sinks::Address* address : {&sink.address, sink.other_address ? &*sink.other_address : nullptr}) {
      if (address == nullptr) continue;
      flow::Evaluator::Argument argument = argument_for(address->slot);
      if (!argument.known) address_unknown = true;
      if (argument.found) given.emplace_back(address, argument);
    }
    if (sink.addresses_exclusive && given.size() == 2) return;  // the library raises
    if (what_ == Report::kWildcardHost) {
      for (const auto& [address, argument] : given)
        judge_address(target, *address, address == &sink.address ? 0 : 1, argument, sink.wildcards);
      return;
    }
    if (!given.empty() || address_unknown || !sink.default_host) return;
    if (sink.port) {
      // Without the port too, the library raises instead of binding its default.
      flow::Evaluator::Argument port = argument_for(*sink.port);
      if (port.known && !port.found) return;
    }
    if (const auto& instead = sink.served_instead) {
      bool served = false;
      for (const sinks::Slot& slot : instead->slots) {
        flow::Evaluator::Argument other = argument_for(slot);
        if (!other.known) return;
        served |= other.found;
      }
      auto not_none = [](const flow::Value& v) { return v.kind != flow::ValueKind::kNone; };
      if (served && !(instead->yet_with && every_value(argument_for(*instead->yet_with), not_none))) return;
    }
    report_default(call, target);
  }

  // Whether the argument is given and every value it may hold is known and passes `test`.
  template <typename Test>
  bool every_value(const flow::Evaluator::Argument& argument, Test test) {
    if (!argument.known || !argument.found) return false;
    flow::Values values = flow_.values_of(argument.node, argument.scope, argument.at);
    return !values.unknown && !values.items.empty() && std::all_of(values.items.begin(), values.items.end(), test);
  }

  // What the dicts in `dicts` hold under `entry` (dicts of this file only; others are unknown).
  flow::Values entries_of(const flow::Values& dicts, const sinks::DictEntry& entry) {
    flow::Values out;
    out.unknown = dicts.unknown;
    for (const flow::Value& dict : dicts.items) {
      if (dict.kind != flow::ValueKind::kDict || dict.module != &m_) {
        out.unknown = true;
        continue;
      }
      // The section, when the dict holds one as a dict, is all that is read.
      flow::Values section = flow_.item(dict, entry.section);
      bool in_section = std::any_of(section.items.begin(), section.items.end(),
                                    [](const flow::Value& v) { return v.kind == flow::ValueKind::kDict; });
      if (section.unknown || (in_section && section.items.size() != 1)) {
        out.unknown = true;
        continue;
      }
      if (!in_section && entry.section_only) continue;
      out.add(flow_.item(in_section ? section.items.front() : dict, entry.key));
    }
    return out;
  }

  void judge_address(const Target& target, const sinks::Address& address, int address_index,
                     const flow::Evaluator::Argument& argument, sinks::Wildcards wildcards) {
    flow::Evaluator::SinkQuestion asking(flow_);
    flow::Values values = flow_.values_of(argument.node, argument.scope, argument.at);
    if (address.in_dict) values = entries_of(values, *address.in_dict);
    std::vector<std::pair<Host, AllInterfaces>> wild;
    std::vector<flow::Reference> references;  // names of other modules, when judged alone with open sites
    bool other = values.unknown;
    auto judge_host = [&](const flow::Value& value) {
      // Open sites are made for sinks of the call table (assignment sinks judge imported names as unknown).
      if (open_ != nullptr && target.server.sink != nullptr && value.kind == flow::ValueKind::kImported &&
          !value.bound && !is_library_name(value.text)) {
        references.push_back(*flow::reference_of(value, path_of_fn()));
        return;
      }
      std::optional<flow::Constant> constant = written_of(value);
      std::optional<Host> host = constant ? host_of(*constant, address.shape) : std::nullopt;
      std::optional<AllInterfaces> meaning = host ? meaning_of(*host, wildcards) : std::nullopt;
      if (meaning) {
        if (value.module == &m_) host->written.replacement = replacement(*host, value.node, meaning->loopback);
        wild.emplace_back(std::move(*host), *meaning);
      } else {
        other = true;
      }
    };
    auto consider = [&](const flow::Value& value) {
      if (address.shape != AddressShape::kHostPortTuple) return judge_host(value);
      // (host, port[, flowinfo, scope_id]): each value the host may have.
      uint32_t size = value.kind == flow::ValueKind::kTuple ? ts_node_named_child_count(value.node) : 0;
      if (size < 2 || size > 4) {
        other = true;
        return;
      }
      flow::Values hosts = flow_.element(value, 0);
      other |= hosts.unknown;
      for (const flow::Value& host : hosts.items) judge_host(host);
    };
    for (const flow::Value& value : values.items) {
      bool sequence = value.kind == flow::ValueKind::kList ||
                      (value.kind == flow::ValueKind::kTuple && address.shape != AddressShape::kHostPortTuple);
      if (!sequence || !address.or_list) {
        consider(value);
        continue;
      }
      // Every element of the list is bound: one wildcard among them listens on every interface
      // whatever the others are.
      bool other_before = other;
      size_t wild_before = wild.size();
      for (uint32_t i = 0, n = ts_node_named_child_count(value.node); i < n && i < 16; ++i) {
        flow::Values elements = flow_.element(value, i);
        other |= elements.unknown;
        for (const flow::Value& e : elements.items) consider(e);
      }
      if (wild.size() > wild_before) other = other_before;
    }
    std::vector<RelatedLocation> target_hops;
    for (const flow::Hop& hop : target.hops) target_hops.push_back(related(hop));
    if (!references.empty()) {
      // The verdict waits for the other modules' exports (flow/summary.h).
      flow::OpenSite site;
      site.rule_id = std::string(rule_id_);
      site.sink = std::string(target.server.sink->name);
      site.sink_kind = static_cast<int>(target.server.sink->kind);
      site.address = address_index;
      site.argument = m_.span(argument.written);
      site.display = target.server.display;
      site.target_hops = std::move(target_hops);
      for (auto& [host, meaning] : wild) site.local.push_back(std::move(host.written));
      site.other = other;
      site.references = std::move(references);
      open_->push_back(std::move(site));
      return;
    }
    if (wild.empty()) return;
    out_.push_back(verdict(rule_id_, m_.span(argument.written), target.server.display, target_hops, wild, other));
  }

  // A value as what holds a host: a literal, or a library's name (socket.INADDR_ANY).
  std::optional<flow::Constant> written_of(const flow::Value& value) const {
    if (auto constant = flow::constant_of(value, path_of_fn())) return constant;
    auto reference = flow::reference_of(value, path_of_fn());
    if (!reference) return std::nullopt;
    flow::Constant library;
    library.kind = flow::ValueKind::kImported;
    library.text = std::move(reference->qualified);
    library.spelling = std::move(reference->spelling);
    library.span = reference->span;
    library.path = path_of(value.module);
    library.hops = std::move(reference->hops);
    return library;
  }

  void report_default(const CallSite& call, const Target& target) {
    const Sink& sink = *target.server.sink;
    std::optional<AllInterfaces> meaning = all_interfaces(*sink.default_host);
    if (*sink.default_host == "*" || !meaning) meaning = AllInterfaces{AddressFamily::kIPv4, "every interface", "127.0.0.1"};
    TSNode callee = call.callee;
    // The API's own keyword for the address (Twisted's interface=, Tornado's address=, ...).
    std::string_view keyword = sink.address.slot.keyword;
    std::string pass = std::string(keyword.empty() ? "host" : keyword) + "=\"" + std::string(meaning->loopback) + "\"";
    Finding finding;
    finding.rule_id = std::string(rule_id_);
    finding.span = m_.span(callee);
    finding.sink = target.server.display;
    finding.message = target.server.display + " listens on all network interfaces: called without " +
                      (keyword.empty() ? std::string("a host") : std::string(keyword) + "=") + ", it binds " +
                      "its default " + std::string(sink.default_host->empty() ? "\"\"" : *sink.default_host) + " (" +
                      std::string(meaning->meaning) + "). Pass " + pass +
                      " or the specific address that must be reachable.";
    for (const flow::Hop& hop : target.hops) finding.related.push_back(related(hop));
    // The fix adds the keyword before the closing parenthesis.
    TSNode arguments = ts_node_child_by_field_id(call.node, m_.grammar().field.arguments);
    if (!keyword.empty() && !ts_node_is_null(arguments) && ts_node_symbol(arguments) == m_.grammar().sym.argument_list) {
      std::string_view written = m_.text(arguments);
      size_t inside = written.find_last_not_of(" \t\r\n", written.size() - 2);
      bool empty = inside == 0;  // only "("
      bool trailing_comma = !empty && written[inside] == ',';
      Span at = m_.span(arguments);
      Span end{at.end - 1, at.end - 1, at.stop, at.stop};
      end.start.column = end.stop.column = at.stop.column - 1;
      std::string text = std::string(empty || trailing_comma ? "" : ", ") + pass;
      finding.fix = Fix{"Pass " + pass + " (loopback)", {{end, std::move(text)}}};
    }
    out_.push_back(std::move(finding));
  }

  // Assignment sinks: config files' settings and server attributes.
  void check_assignments() {
    using sinks::ConfigFile;
    std::optional<bool> gunicorn, jupyter;
    auto applies = [&](ConfigFile file) {
      switch (file) {
        case ConfigFile::kAny:
          return true;
        case ConfigFile::kGunicorn:
          if (!gunicorn) gunicorn = is_gunicorn_config();
          return *gunicorn;
        case ConfigFile::kJupyter:
          if (!jupyter) jupyter = is_jupyter_config();
          return *jupyter;
      }
      return false;
    };
    for (const sinks::AssignmentSink* sink : index().assignments) {
      if (!applies(sink->file)) continue;
      size_t dot = sink->target.rfind('.');
      if (dot == std::string_view::npos) {
        // A module-level name (gunicorn's `bind`): the assignment that the end of the file sees.
        // Only a top-level statement (at column 0: what the prefilter looks for).
        Module::Lookup found = m_.lookup(sink->target, kModuleScope, static_cast<uint32_t>(m_.source().size()));
        if (found.binding == nullptr || found.scope != kModuleScope ||
            found.binding->kind != BindingKind::kAssignment ||
            ts_node_start_point(found.binding->statement).column != 0)
          continue;
        judge_assignment(*sink, found.binding->value, kModuleScope, ts_node_start_byte(found.binding->statement));
        continue;
      }
      std::string_view attribute = sink->target.substr(dot + 1);
      std::string_view object = sink->target.substr(0, dot);
      const AttributeWrite* last = nullptr;  // a later write to the same target replaces an earlier one
      for (const AttributeWrite& w : m_.attribute_writes()) {
        if (w.name != attribute || ts_node_is_null(w.value)) continue;
        bool matches = false;
        if (sink->file != ConfigFile::kAny) {
          matches = w.scope == kModuleScope && m_.text(w.object) == object;
        } else {
          for (const flow::Value& v : flow_.values_of(w.object, w.scope, ts_node_start_byte(w.statement)).items) {
            bool named = (v.kind == flow::ValueKind::kImported && !v.bound) ||
                         (v.kind == flow::ValueKind::kInstance && !v.text.empty());
            std::string storage;
            if (named && canonical(v.text, storage) == object) matches = true;
          }
        }
        if (!matches) continue;
        if (last != nullptr && last->scope == w.scope && m_.text(last->object) == m_.text(w.object)) last = nullptr;
        if (last != nullptr) judge_assignment(*sink, last->value, last->scope, ts_node_start_byte(last->statement));
        last = &w;
      }
      if (last != nullptr) judge_assignment(*sink, last->value, last->scope, ts_node_start_byte(last->statement));
    }
  }

  void judge_assignment(const sinks::AssignmentSink& sink, TSNode value, ScopeId scope, uint32_t at) {
    flow::Evaluator::Argument argument;
    argument.node = argument.written = value;
    argument.scope = scope;
    argument.at = at;
    argument.found = true;
    sinks::Address address{{}, sink.shape, sink.or_list};
    Target target{{nullptr, std::string(sink.target), std::string(sink.target)}, 0, {}};
    if (sink.file == sinks::ConfigFile::kGunicorn) target.server.display = "gunicorn's `bind` setting";
    if (sink.file == sinks::ConfigFile::kJupyter) target.server.display = "Jupyter's `" + target.server.display + "`";
    judge_address(target, address, 0, argument, sink.wildcards);
  }

  // The file's name, when the scan knows it (`bindscan scan` does; the service does not).
  std::string file_name() const {
    if (m_.project() == nullptr) return {};
    std::optional<size_t> file = m_.project()->file_of(m_);
    if (!file) return {};
    const std::string& path = m_.project()->path(*file);
    size_t slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  // gunicorn reads ./gunicorn.conf.py by default; other names are given with -c
  // (gunicorn*.py by convention).
  bool is_gunicorn_config() const {
    std::string name = file_name();
    return name.starts_with("gunicorn") && name.ends_with(".py");
  }

  // Jupyter loads jupyter_<app>_config.py; a config file calls get_config() for `c`.
  bool is_jupyter_config() const {
    std::string name = file_name();
    if (name.starts_with("jupyter_") && name.ends_with("_config.py")) return true;
    const auto& g = m_.grammar();
    for (const CallSite& call : m_.calls()) {
      if (call.name == "get_config" && ts_node_symbol(call.callee) == g.sym.identifier &&
          m_.lookup("get_config", call.scope, ts_node_start_byte(call.node)).binding == nullptr)
        return true;
    }
    return false;
  }

  // `literal` (which holds `host`) rewritten to name `loopback`, in the same
  // quotes (bytes stay bytes), keeping a port or scheme around the host.
  std::optional<std::string> replacement(const Host& host, TSNode literal, std::string_view loopback) const {
    const auto& g = m_.grammar();
    if (host.kind != Host::kString) return "\"" + std::string(loopback) + "\"";
    std::string value =
        host.whole.substr(0, host.host_begin) + std::string(loopback) + host.whole.substr(host.host_end);
    // The rest of the value is re-written as decoded: only when that needs no escaping.
    if (value.find_first_of("'\"\\\n\r") != std::string::npos) return std::nullopt;
    TSSymbol kind = ts_node_symbol(literal);
    if (kind != g.sym.string && kind != g.sym.concatenated_string) return std::nullopt;
    TSNode first = kind == g.sym.concatenated_string ? ts_node_named_child(literal, 0) : literal;
    std::string_view start = m_.text(ts_node_named_child(first, 0));
    size_t quote = start.find_first_of("'\"");
    std::string prefix;
    for (char c : start.substr(0, quote))
      if (c == 'b' || c == 'B') prefix += c;
    std::string quotes(quote == std::string_view::npos ? std::string_view("\"") : start.substr(quote));
    return prefix + quotes + value + quotes;
  }

  // In a project the modules share evaluators (values cross files); alone, the file has its own.
  flow::Evaluator& evaluator_for(const Module& module) {
    if (module.project() != nullptr) {
      module.project()->set_library_names(is_library_name);
      return module.project()->evaluator_of(module, made_by_factory);
    }
    if (&module != &m_) return flow_;  // not reached: values from other files come with a project
    // Made once: a new one would drop every answer found so far (a file with
    // many classes asks this for each base it resolves).
    if (!own_) own_.emplace(module, made_by_factory);
    return *own_;
  }

  // Where a hop's file is, for a related location: "" for this file.
  std::string path_of(const Module* module) const {
    if (module == nullptr || module == &m_ || m_.project() == nullptr) return {};
    std::optional<size_t> file = m_.project()->file_of(*module);
    return file ? m_.project()->path(*file) : std::string();
  }

  RelatedLocation related(const flow::Hop& hop) const { return {hop.span, hop.message, path_of(hop.module)}; }
  flow::PathOf path_of_fn() const {
    return [this](const Module* module) { return path_of(module); };
  }

  const Module& m_;
  Report what_;
  std::string_view rule_id_;
  std::vector<Finding>& out_;
  std::vector<flow::OpenSite>* open_;  // set: sites that depend on other modules go here (flow/summary.h)
  std::optional<flow::Evaluator> own_;
  flow::Evaluator& flow_;
  std::unordered_map<uintptr_t, Server> classes_;
  // Per function scope: where the first trio fake socket factory is installed (computed on first use).
  std::optional<std::unordered_map<ScopeId, uint32_t>> fake_factories_;
};

}  // namespace

void check(const Module& module, Report what, std::string_view rule_id, std::vector<Finding>& out) {
  Checker(module, what, rule_id, out).run();
}

void sink_classes(const Module& module, std::vector<std::string>& out) {
  std::vector<Finding> unused;
  Checker(module, Report::kWildcardHost, {}, unused).servers_defined(out);
}

void check_open(const Module& module, Report what, std::string_view rule_id, std::vector<Finding>& out,
                std::vector<flow::OpenSite>& open) {
  Checker(module, what, rule_id, out, &open).run();
}

void close(const flow::OpenSite& site, const flow::Resolved& resolved, std::vector<Finding>& out) {
  // The sink the site was opened for, as the table has it now.
  const Sink* sink = nullptr;
  for (const Sink* candidate : index().all)
    if (candidate->name == site.sink && static_cast<int>(candidate->kind) == site.sink_kind) sink = candidate;
  if (sink == nullptr || (site.address == 1 && !sink->other_address)) return;
  const sinks::Address& address = site.address == 0 ? sink->address : *sink->other_address;
  std::vector<std::pair<Host, AllInterfaces>> wild;
  bool other = site.other || resolved.unknown;
  for (const auto* constants : {&site.local, &resolved.constants}) {
    for (const flow::Constant& constant : *constants) {
      std::optional<Host> host = host_of(constant, address.shape);
      std::optional<AllInterfaces> meaning = host ? meaning_of(*host, sink->wildcards) : std::nullopt;
      if (meaning) {
        wild.emplace_back(std::move(*host), *meaning);
      } else {
        other = true;
      }
    }
  }
  if (wild.empty()) return;
  out.push_back(verdict(site.rule_id, site.argument, site.display, site.target_hops, wild, other));
}

}  // namespace bindscan::rules::binds
