// The value-flow layer of one file: answers "which values can reach this
// expression" (see value.h) across names, parameters and their call sites,
// functions' return values, class and instance attributes, dataclass fields,
// literal containers and command-line option defaults. Rules ask it
// questions; they do not walk trees.
//
// How a parameter gets its values: the argument at each call of the function
// in the file that passes it (positional, keyword, `*` of a literal tuple,
// `**` of a literal dict), plus its default when some call omits it or when
// no call of the file calls the function (a public API's default is what its
// callers get). Calls are found through the same evaluation (a call graph of
// the file built once): `f(...)`, `self.m(...)`, `obj.m(...)` on instances of
// classes of the file, `Class(...)` for `__init__`.
//
// An attribute of an instance of a class of the file is the union of every
// write to it the file shows (`self.x = ...` in the class's methods, `obj.x =
// ...` elsewhere); one write the analysis cannot evaluate makes it unknown.
// Class attributes, nested classes and methods are read from the class body
// and the bases of the file.
//
// Branches: a name read at a point may hold the value of every assignment
// that reaches it on some path (if/elif/else, try/except, loops, including a
// loop's later iterations); an assignment that runs on every path to the use
// hides the ones before it. Conditions that evaluate to a constant (`if
// False:`, `DEBUG = False` ... `if DEBUG:`) rule their dead branches out, for
// assignments and for the calls that pass arguments alike. A `for` target
// over a literal tuple or list holds each element inside the loop and the
// last one after it. getopt loops (`for o, a in opts: if o == "-h": host =
// a`) leave the value assigned before the loop as the option's default.
//
// Bounded: each question has a budget of hops, call sites and steps; past it
// the answer is "unknown" (Values::unknown), never a guess. Cycles (recursion,
// a = b; b = a) are unknown too.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/flow/value.h"
#include "scanner/module.h"

namespace bindscan::flow {

// Which calls return instances of which classes, beyond calling a class:
// `asyncio.get_running_loop` -> "asyncio.AbstractEventLoop". `method` is set
// for a method on an instance ("zmq.Context.socket", "socket.socket.__enter__").
using InstanceFactories = std::optional<std::string> (*)(std::string_view qualified, bool method);

class Evaluator;

// What links the modules of a project (project.h): values of names that other
// modules of the project define, and the evaluator of each module.
class Linker {
 public:
  virtual ~Linker() = default;
  // The values of `qualified` as `importer` wrote it ("settings.HOST",
  // ".config.BIND"), when a module of the project defines it; nullopt when no
  // module of the project is named by it.
  // `may_load`: the module may be parsed now if it was not (false for
  // questions about callees, which only modules the prefilter passed answer).
  virtual std::optional<Values> values(std::string_view qualified, const Module& importer, int depth,
                                       bool may_load) = 0;
  virtual Evaluator& evaluator_of(const Module& module, InstanceFactories factories) = 0;
  // Builds the call graphs of `module` and of every module that imports it
  // (or a package above it, which may re-export its names), so calls of its
  // functions from other modules are known: of the calls
  // that may call a function named `name` (Evaluator::build_calls_named), of
  // the calls that may reach a dunder when `name` is one
  // (Evaluator::build_dunder_sites), or of every call when `name` is empty.
  virtual void build_graphs_reaching(const Module& module, InstanceFactories factories, std::string_view name) = 0;
  static bool is_dunder(std::string_view name) {
    return name.size() > 4 && name.starts_with("__") && name.ends_with("__");
  }
  // Whether some module of the project binds `name` other than with `def`
  // (Module::names_bound_not_by_def): only such a name may hold a class or
  // an instance.
  virtual bool may_name_class(std::string_view name) const = 0;
  // How many names may_name_class answers true for: the set only grows, so
  // while this count stays, so do its answers.
  virtual size_t class_name_count() const = 0;
  // While a SinkQuestion lives (they nest), callers_asked notes the
  // functions whose callers the values a sink receives depend on: callers in
  // files the project has not parsed could add to them. `caller_word` is the
  // name a call of it writes (the class's name for an __init__).
  virtual void sink_question(bool begins) { (void)begins; }
  virtual void callers_asked(const Module& module, std::string_view caller_word) {
    (void)module;
    (void)caller_word;
  }
};

struct Budget {
  int max_depth = 32;         // nested evaluations for one question
  size_t max_call_sites = 64;  // calls of one function considered
  size_t max_values = 32;      // possibilities kept for one expression
  size_t max_steps = 20000;    // evaluations for one question
};

class Evaluator {
 public:
  Evaluator(const Module& module, InstanceFactories factories, Budget budget = {}, Linker* linker = nullptr);

  // What `expression`, evaluated at byte `at` of `scope`, may be.
  Values values_of(TSNode expression, ScopeId scope, uint32_t at);
  // Marks the questions asked while it lives as being about what a sink
  // receives (its address): the project notes whose callers they needed
  // (Linker::callers_asked), conditions on the way aside.
  class SinkQuestion {
   public:
    explicit SinkQuestion(Evaluator& e) : linker_(e.linker_) {
      if (linker_ != nullptr) linker_->sink_question(true);
    }
    ~SinkQuestion() {
      if (linker_ != nullptr) linker_->sink_question(false);
    }
    SinkQuestion(const SinkQuestion&) = delete;
    SinkQuestion& operator=(const SinkQuestion&) = delete;

   private:
    Linker* linker_;
  };
  // The same for a callee: other modules are consulted only when already
  // parsed (a server class or wrapper sits in a file the prefilter passed).
  Values callee_values(TSNode expression, ScopeId scope, uint32_t at);
  // The i-th element of a tuple or list value.
  Values element(const Value& container, uint32_t index);
  // The value under a constant string key of a dict value.
  Values item(const Value& dict, std::string_view key);
  // `object.name`.
  Values attribute(const Value& object, std::string_view name);
  // What the module defines under `name` once it has run (for other modules).
  Values global(std::string_view name);
  // What calling a function value returns.
  Values returns(const Value& function);
  // Builds this module's call graph (edges to other modules go to their evaluators).
  void build_call_graph();
  // The part of it that calls of a function named `name` (not a dunder) need:
  // the calls that write that name last (`name(...)`, `x.name(...)`), of a
  // partial, or of a callee that is not a name (`handlers[k](...)`). A call
  // of it that the graph misses (an alias) still counts as a mention, which
  // makes the function escape (unknown), never a wrong value.
  void build_calls_named(std::string_view name);
  // The calls that may reach the dunder `name`, a method Python calls
  // itself (an __init__ through its class's name): those written with
  // `name` (`Base.__init__(self)`), those whose callee is not a name, and
  // those whose callee's last name some module binds other than with `def`
  // (Linker::may_name_class): a name only a def binds holds a function,
  // never a class or an alias. What a module attached later binds counts
  // from then on.
  void build_dunder_sites(std::string_view name);
  // Drops the values answered so far and keeps the call graph: a module
  // attached since adds its calls to the graph when next asked, and the
  // edges already found stay true (a callee's value does not depend on
  // which other modules are parsed: those it names are loaded when asked).
  void forget_values() {
    memo_.clear();
    in_progress_.clear();
  }

  // The argument a call passes for slot (position, keyword), looking through
  // `*` of literal tuples and `**` of literal dicts. `found` is false when the
  // call does not pass it; `known` is false when a splat may pass it.
  struct Argument {
    TSNode node{};
    ScopeId scope = kModuleScope;  // where `node` is evaluated (a splatted literal's scope)
    uint32_t at = 0;
    bool found = false;
    bool known = true;
    TSNode written{};  // what the call itself has there: `node`, or the `*`/`**` splat that supplies it
  };
  Argument argument(TSNode call, ScopeId scope, int position, std::string_view keyword);
  // The same for a call of `callee`: when it is a `functools.partial`, the
  // partial's arguments count as the call's (the call's keywords win); an
  // argument the partial supplies is `written` at the call's callee.
  Argument argument(const Value& callee, TSNode call, ScopeId scope, int position, std::string_view keyword);

  // The class_definition whose method `function` is, if it is one.
  std::optional<TSNode> enclosing_class(ScopeId function_scope) const;

  const Module& module() const { return m_; }

  // Whether a constant condition rules out every path to `node` within its
  // scope (`if False:`, `if DEBUG:` with `DEBUG = False`).
  bool never_runs(TSNode node, ScopeId scope);

 private:
  class Question;
  struct Edge {
    TSNode call;
    ScopeId scope;
    bool bound;  // self is passed implicitly
    Evaluator* caller = nullptr;  // the module the call is in; null: this one
    TSNode partial{};             // the `functools.partial` whose arguments come first (see Value::partial)
    ScopeId partial_scope = kModuleScope;
  };
  void add_caller(TSNode definition, Edge edge);
  Values imported(std::string qualified, TSNode node, ScopeId scope, uint32_t at, int depth);
  Values name_of(std::string_view text, TSNode use, ScopeId scope, uint32_t at, int depth);
  // Whether a statement runs when the code around it does (see runs()).
  enum class Runs { kAlways, kMaybe, kNever };
  // How `node` runs relative to a use at `use_at` (or to the end of the scope
  // when `use_at` is nullopt): walking up to the innermost statement that
  // holds both, or to `scope`'s own node.
  Runs runs(TSNode node, ScopeId scope, std::optional<uint32_t> use_at, int depth);
  std::optional<bool> truth(TSNode condition, ScopeId scope, uint32_t at, int depth);
  std::optional<bool> comparison(TSNode condition, ScopeId scope, uint32_t at, int depth);
  // `statement`: the clause's `if` statement when the caller knows it (else found here).
  std::optional<bool> clause_runs(TSNode clause, ScopeId scope, int depth, TSNode statement = {});
  // Whether no path through a block (or except clause) goes on after it: it ends
  // in return, raise, continue, break, sys.exit(...) or os._exit(...).
  bool terminates(TSNode block, ScopeId scope) const;
  // `if x is None: x = ...` (or `if not x:`) on every path to the use: the
  // values of x assigned before it that meet the condition never get past it.
  struct Guard {
    uint32_t before = 0;  // the `if` statement's first byte
    bool falsy = false;   // `not x`: every false constant; else (`x is None`, `x == None`) None only
  };
  // The bindings of `name` in `found.scope` that may reach the use, latest
  // first; `truncated`: more than the value budget may (the answer is then unknown).
  std::vector<const Binding*> reaching(std::string_view name, const Module::Lookup& found, ScopeId scope, uint32_t at,
                                       int depth, bool& truncated, std::vector<Guard>& guards);
  Values binding_values(const Binding& b, ScopeId binding_scope, std::string_view text, TSNode identifier,
                        std::optional<uint32_t> use_at, uint32_t at, int depth);
  Values loop_target(const Binding& b, ScopeId binding_scope, std::optional<uint32_t> use_at, int depth);
  Values unpacked(const Binding& b, ScopeId binding_scope, std::string_view text, int depth);
  // `name = a` under `if o == "-h":` in `for o, a in opts` over getopt's
  // result: the option as written (the long one when both), and the condition.
  struct GetoptOption {
    std::string option;
    TSNode condition{};
    TSNode loop{};
  };
  std::optional<GetoptOption> getopt_option(const Binding& b, ScopeId scope);
  Evaluator& owner(const Value& value);
  void stamp(Values& values) const;
  struct Parameter {
    TSNode node{};  // the parameter as written
    int position = -1;  // among positional parameters; -1 for keyword-only
    bool variadic = false;  // *args or **kwargs
    TSNode default_value{};
    TSNode annotation{};
  };

  Values evaluate(TSNode expression, ScopeId scope, uint32_t at, int depth);
  Values evaluate_uncached(TSNode expression, ScopeId scope, uint32_t at, int depth);
  Values name(TSNode identifier, ScopeId scope, uint32_t at, int depth);
  // An f-string whose interpolations are constants; unknown otherwise.
  Values interpolated(TSNode string, ScopeId scope, uint32_t at, int depth);
  // `"sep".join(literal sequence of constant strings)`; unknown otherwise.
  Values joined(TSNode call, ScopeId scope, uint32_t at, int depth);
  Values attribute_of(const Value& object, std::string_view name, int depth);
  Values class_member(TSNode definition, ScopeId class_parent, std::string_view name, bool through_instance,
                      int depth);
  Values instance_member(const Value& instance, std::string_view name, int depth);
  // The methods `name` that classes of the file deriving from `definition`
  // define in their own bodies: what a mixin's `self.m()` calls when only its
  // subclasses define m. Like a method the class defines (whose overrides are
  // not looked for), the file's classes are taken as the ones that run it.
  Values subclass_member(TSNode definition, std::string_view name, int depth);
  Values subscript(TSNode node, ScopeId scope, uint32_t at, int depth);
  Values call(TSNode node, ScopeId scope, uint32_t at, int depth);
  Values returns_of(const Value& function, int depth);
  Values parameter(TSNode definition, std::string_view name, int depth);
  Values element_of(const Value& container, uint32_t index, int depth);
  Values item_of(const Value& dict, std::string_view key, int depth);
  // `name` of an argparse namespace or optparse values object: the option's default.
  Values option_default(const Value& namespace_value, std::string_view name, int depth);
  // `name` of Tornado's global options (`tornado.options.options`): the
  // default of this file's `define("name", default)` calls; nullopt when the
  // file defines no such option.
  std::optional<Values> tornado_option(std::string_view name, int depth);
  // The options element (index 0) of optparse's parse_args() or argparse's
  // parse_known_args() result; nothing for other values.
  static std::optional<Value> parsed_options(const Value& result);
  // Calls of libraries the flow knows (argparse, optparse, typer); nothing for others.
  std::optional<Values> library_call(const Value& callee, TSNode call, ScopeId scope, uint32_t at, int depth);

  std::optional<Parameter> find_parameter(TSNode definition, std::string_view name) const;
  // The name of a function or class definition; "" for a lambda.
  std::string_view definition_name(TSNode definition) const;
  const std::vector<Edge>& calls_of(TSNode definition);
  bool names_partial(TSNode callee, ScopeId scope, uint32_t at) const;
  bool escapes(TSNode definition, size_t calls);
  size_t definitions_named(std::string_view name);
  // Mentions of `name` as a word outside comments, searched for; or every
  // word's, counted in one pass into mentions_.
  size_t mentions_of(std::string_view name) const;
  void count_every_word();
  bool is_dataclass(TSNode definition, ScopeId scope);
  bool is_dataclass_uncached(TSNode definition, ScopeId scope);
  std::optional<std::string> constant_key(TSNode node, ScopeId scope, uint32_t at, int depth);
  void cap(Values& values) const;

  const Module& m_;
  InstanceFactories factories_;
  Budget budget_;
  Linker* linker_;
  size_t steps_ = 0;      // spent on the current question
  int questions_ = 0;     // nesting of public calls
  int conditions_ = 0;    // nesting of truth(): callers asked there are not a sink's
  bool callees_only_ = false;
  bool building_ = false;
  bool graph_built_ = false;
  // The call sites by the name their callee writes last ("" for callees that
  // are not names, and for partials): built on first use.
  std::unordered_map<std::string_view, std::vector<uint32_t>> sites_by_name_;
  // Per dunder, the class_name_count its sites were last built at: asked
  // again with the count unchanged, build_dunder_sites has nothing new to build.
  std::unordered_map<std::string, size_t> dunder_sites_built_;
  // The file's call sites by their callee's last name as written (CallSite::name),
  // in source order; built on first use. See calls_named.
  std::unordered_map<std::string_view, std::vector<uint32_t>> calls_by_name_;
  const std::vector<uint32_t>& calls_named(std::string_view name);
  std::vector<uint8_t> site_built_;  // by call site: its edges are in the graph
  std::unordered_set<std::string_view> names_built_;
  void index_sites_by_name();
  bool may_name_class(std::string_view name);
  // Without a project: this module's Module::names_bound_not_by_def (built on first use).
  std::optional<std::unordered_set<std::string_view>> class_names_here_;
  // The expressions (as written) whose dict or list the file changes in
  // place: `CONF["host"] = v`, `del CONF[k]`, `CONF.update(...)`, `L += [...]`.
  // A literal container reached through one of them is unknown: the code
  // may have changed it before it is read. Built on first use.
  std::optional<std::unordered_set<std::string_view>> mutated_;
  const std::unordered_set<std::string_view>& mutated_containers();
  void forget_mutated_containers(TSNode expression, Values& values);
  void build_sites(const std::vector<uint32_t>& sites);
  std::unordered_map<uintptr_t, std::vector<Edge>> callers_;  // function node id -> calls of it
  struct Key {
    uintptr_t node;
    ScopeId scope;
    uint32_t at;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.node * 31 + k.scope * 17 + k.at; }
  };
  std::unordered_map<Key, Values, KeyHash> memo_;
  // The file's attribute writes by name, in source order, each with the class
  // whose instance it writes through a method's own `self` (see
  // self_class_of, a class node id); 0 for writes on other objects.
  struct NamedWrite {
    const AttributeWrite* write;
    uintptr_t self_class;
  };
  std::unordered_map<std::string_view, std::vector<NamedWrite>> writes_by_name_;
  uintptr_t self_class_of(const AttributeWrite& write) const;
  // The first of a function's parameters as written (`self`), or null.
  TSNode first_parameter(TSNode function) const;
  std::unordered_map<std::string_view, size_t> mentions_;     // function name -> mentions outside comments
  // Names searched one by one so far; past kNamesSearchedOneByOne every word is counted at once.
  static constexpr size_t kNamesSearchedOneByOne = 16;
  size_t names_searched_ = 0;
  bool words_counted_ = false;  // mentions_ holds every word of the file (count_every_word)
  std::unordered_map<std::string_view, size_t> definitions_;  // function name -> defs of that name
  std::unordered_map<uintptr_t, bool> dataclasses_;           // class node id -> dataclass or NamedTuple
  // class node id -> the classes of the file that name it as a base (built on first use)
  std::optional<std::unordered_map<uintptr_t, std::vector<TSNode>>> subclasses_;
  std::unordered_set<Key, KeyHash> in_progress_;
};

}  // namespace bindscan::flow
