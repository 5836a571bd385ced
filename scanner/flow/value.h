// Abstract values: what an expression may evaluate to at run time, as far as
// the code shows. A Value is one possibility (a constant, a container written
// as a literal, a class, a function, an instance, an imported name) together
// with where it was written and the hops the analysis took to reach it from
// the expression asked about, so a finding can show the path. Values is the
// set of possibilities plus a flag saying that some path is unknown.
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <vector>

#include "scanner/finding.h"
#include "scanner/module.h"

namespace bindscan::flow {

// One step from a use to where a value was written: "the host comes from
// parameter `host`'s default", with the place it points at.
struct Hop {
  Span span;
  std::string message;
  const Module* module = nullptr;  // the file the span is in (set by the evaluator that made the hop)
};

enum class ValueKind {
  kString,    // text: the decoded value
  kInt,       // text: as written
  kNone,
  kBool,      // text: "True" or "False"
  kTuple,     // node: the tuple / expression_list; elements evaluated on demand
  kList,      // node: the list
  kDict,      // node: the dictionary
  kImported,  // text: a qualified name the file imports (module, class, function, constant)
  kClass,     // node: a class_definition of this file
  kFunction,  // node: a function_definition or lambda of this file
  kInstance,  // an instance: of `node` (a class_definition) or of the imported class `text`
};

struct Value {
  Value() = default;
  Value(ValueKind kind_, std::string text_, TSNode node_, ScopeId scope_, uint32_t at_)
      : kind(kind_), text(std::move(text_)), node(node_), scope(scope_), at(at_) {}

  ValueKind kind = ValueKind::kNone;
  std::string text;
  TSNode node{};  // where the value is written (literal, container, definition)
  // Containers: where their elements are evaluated. Classes and functions:
  // the scope their definition sits in.
  ScopeId scope = kModuleScope;
  uint32_t at = 0;
  // kInstance: the call that created it, when the file shows one.
  TSNode creation{};
  // kFunction: reached through an instance or a class's instance, so the
  // first parameter (self) is passed implicitly.
  bool bound = false;
  // Set when the value is only the default of an environment lookup: the
  // variable's name as written, or "" when not a literal.
  std::optional<std::string> environment_variable;
  // Set when the value is the default of a command-line option (argparse,
  // click, typer): the option as written, e.g. "--host".
  std::optional<std::string> option;
  // Set when the value is a callable wrapped by `functools.partial(f, ...)`:
  // that call, whose arguments come before (positions) or under (keywords)
  // the arguments of a call of the value (Evaluator::argument), and its scope.
  TSNode partial{};
  ScopeId partial_scope = kModuleScope;
  std::vector<Hop> hops;  // from the expression asked about, use site first
  // kImported named by an import statement of the file (`from m import x`):
  // the hop a project scan adds when the name resolves to a module of the
  // project. Kept for per-module summaries, which resolve it later (summary.h).
  std::optional<Hop> import_hop;
  // The file `node` belongs to: values can come from other modules of a project.
  const Module* module = nullptr;
};

struct Values {
  std::vector<Value> items;
  // Some path leads to a value the code does not show (a parameter of an
  // uncalled function without default, an unknown call, a budget exceeded).
  bool unknown = false;

  void add(Values&& other) {
    unknown |= other.unknown;
    for (Value& v : other.items) items.push_back(std::move(v));
  }
  static Values of_unknown() { return {{}, true}; }
};

}  // namespace bindscan::flow
