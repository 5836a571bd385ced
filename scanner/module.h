// What one Python file tells about its names: scopes, the bindings in each
// (assignments, imports, classes, parameters, ...), the calls, and the
// comments. Built by one walk over the syntax tree; rules ask it questions
// such as "what does this name refer to at this point" instead of walking
// the tree themselves.
//
// Resolution follows Python's rules within the file: a name bound anywhere
// in a function is local to it (unless declared global); class bodies are
// not visible from the functions inside them; the binding that reaches a use
// is the last one before it in its scope. Anything the file cannot tell
// (parameters, loop targets, calls, other modules) resolves to "unknown".
#pragma once

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/finding.h"
#include "scanner/python.h"

namespace bindscan {

namespace flow {
class Project;
}

using ScopeId = uint32_t;
inline constexpr ScopeId kModuleScope = 0;

enum class ScopeKind { kModule, kFunction, kClass };

// How a name got its value.
enum class BindingKind {
  kAssignment,  // value: the expression assigned to this name
  kImport,      // qualified: the module path or module member it names
  kClass,       // node: the class_definition
  kUnknown,     // a parameter, loop target, `with ... as`, augmented assignment, ...
};

struct Binding {
  BindingKind kind = BindingKind::kUnknown;
  uint32_t at = 0;          // byte offset where the binding takes effect
  TSNode statement{};       // the statement that binds (for related locations)
  TSNode value{};           // kAssignment: the assigned expression; kClass: the class node
  std::string qualified;    // kImport only, e.g. "socketserver.TCPServer"
  // kUnknown made by `with value as name`: `value` is the context manager,
  // whose __enter__ decides what the name holds.
  bool entered = false;
};

// Where a call sits, and what it calls as written (read once while indexing:
// the value flow and the rules ask for every call, many times).
struct CallSite {
  TSNode node;  // a `call`
  ScopeId scope;
  TSNode callee{};         // its `function` field
  std::string_view name;   // the callee's last name (`f` of `f(...)` and of `o.f(...)`); else empty
};

// `object.name = value` (or `object.name += ...`, or an attribute inside an
// unpacking target): the attribute writes a file shows, for attribute values.
struct AttributeWrite {
  TSNode object;     // the expression before the last dot
  std::string_view name;
  TSNode value{};    // null: written, but not from one expression of its own
  TSNode statement;
  ScopeId scope;
};

struct Comment {
  uint32_t row;
  std::string_view text;  // starting with '#'
  bool own_line;          // nothing but white space before it on its row
};

// What an expression names when it names something the file imports or defines.
struct Reference {
  std::string qualified;  // an imported name, e.g. "http.server.HTTPServer"; else empty
  TSNode local_class{};   // a class_definition in this file; else null
  ScopeId class_scope = kModuleScope;  // the scope that local_class is defined in
};

class Module {
 public:
  // Indexes `tree`, which must outlive the Module.
  explicit Module(const Tree& tree);

  const PythonGrammar& grammar() const { return grammar_; }
  std::string_view source() const { return tree_.source(); }
  TSNode root() const { return tree_.root(); }
  // Whether `node` is of this file's tree (values of a project cross modules;
  // another module's node read here would be read against the wrong bytes).
  bool owns(TSNode node) const { return node.tree == root().tree; }
  std::string_view text(TSNode node) const;
  Span span(TSNode node) const;

  const std::vector<CallSite>& calls() const { return calls_; }
  const std::vector<AttributeWrite>& attribute_writes() const { return attribute_writes_; }
  // Every module an import statement of this file names, as written
  // ("a.b", ".config", ".config.BIND" for `from .config import BIND`).
  const std::vector<std::string>& imports() const { return imports_; }
  // The project this file is scanned in (Scanner::scan_project), or null.
  flow::Project* project() const { return project_; }
  void set_project(flow::Project* project) { project_ = project; }
  // Whether some class of this file has this name.
  bool defines_class(std::string_view name) const {
    return class_names_.contains(name);
  }
  // How many functions and methods of this file have this name.
  size_t functions_named(std::string_view name) const {
    auto it = function_names_.find(name);
    return it == function_names_.end() ? 0 : it->second;
  }
  bool defines_function(std::string_view name) const { return functions_named(name) > 0; }
  // The decorators of a function_definition or class_definition, as written ("@staticmethod").
  const std::vector<TSNode>* decorators(TSNode definition) const {
    auto it = decorators_.find(reinterpret_cast<uintptr_t>(definition.id));
    return it == decorators_.end() ? nullptr : &it->second;
  }
  // The named children of `node`, found with a cursor (ts_node_named_child(i)
  // walks from the first child each time: quadratic in loops). None for a null node.
  static std::vector<TSNode> named_children(TSNode node);
  // The nodes above `node`, the root first and its parent last, found in one
  // descent from the root (tree-sitter 0.20's ts_node_parent descends from
  // the root on every call: walking up with it is quadratic in the depth).
  std::vector<TSNode> ancestors(TSNode node) const;
  // The scope a node sits in (the innermost scope whose definition contains it).
  ScopeId parent_scope(ScopeId scope) const { return scopes_[scope].parent; }
  ScopeKind scope_kind(ScopeId scope) const { return scopes_[scope].kind; }
  // Scopes are numbered 0 (the module) to scope_count() - 1, in source order.
  size_t scope_count() const { return scopes_.size(); }
  TSNode scope_node(ScopeId scope) const { return scopes_[scope].node; }
  const std::vector<Comment>& comments() const { return comments_; }
  // The comment that ends row `row`, if any.
  const Comment* comment_on_row(uint32_t row) const;

  struct Lookup {
    const Binding* binding = nullptr;  // null: not bound by a statement of this file
    ScopeId scope = kModuleScope;      // where `binding` was made
    std::string star_module;           // unbound, but `from star_module import *` may bind it
  };
  // The binding of `name` that reaches byte `at` in `scope`, following
  // enclosing scopes as Python does. A function-local name used before any
  // binding reaches a kUnknown binding.
  Lookup lookup(std::string_view name, ScopeId scope, uint32_t at) const;

  // What `expression` (an identifier or attribute chain) refers to at byte
  // `at`: an imported name or a class of this file. Follows simple aliases
  // (`Server = socketserver.TCPServer`). Unknown otherwise.
  Reference resolve(TSNode expression, ScopeId scope, uint32_t at) const;

  // The scope that a class_definition, function_definition or lambda opens.
  std::optional<ScopeId> scope_of(TSNode definition) const;

  // How many assignments a resolution follows before giving up (cycles,
  // pathological chains).
  static constexpr int kMaxHops = 16;

  // Bindings made directly in `scope`, in source order, for `name`.
  const std::vector<Binding>* bindings(ScopeId scope, std::string_view name) const;
  // The names bound directly in `scope` (unordered).
  std::vector<std::string_view> names_in(ScopeId scope) const {
    std::vector<std::string_view> out;
    for (const auto& [name, bound] : scopes_[scope].names) out.push_back(name);
    return out;
  }
  // The names this file binds other than as a function's own name (`def f`):
  // by assignment, import, class, parameter, loop, `with`, ..., and the
  // attributes it writes (`o.name = ...`). A callee written with another
  // name is a function of the file or something the file does not show.
  std::vector<std::string_view> names_bound_not_by_def() const;
  // The modules of the module-level `from M import *` statements, as written, in order.
  std::vector<std::string> star_imports() const {
    std::vector<std::string> out;
    for (const auto& [at, module] : scopes_[kModuleScope].star_imports) out.push_back(module);
    return out;
  }

 private:
  struct Scope {
    ScopeKind kind;
    ScopeId parent;
    TSNode node;
    std::unordered_map<std::string_view, std::vector<Binding>> names;
    std::vector<std::string_view> globals;     // declared `global` here
    std::vector<std::pair<uint32_t, std::string>> star_imports;  // at, module
  };
  friend class ModuleBuilder;

  const Tree& tree_;
  const PythonGrammar& grammar_;
  std::vector<Scope> scopes_;
  std::unordered_map<uintptr_t, ScopeId> definition_scopes_;  // def/class node id -> its scope
  std::vector<CallSite> calls_;
  std::vector<AttributeWrite> attribute_writes_;
  std::unordered_set<std::string_view> class_names_;
  std::vector<std::string> imports_;
  flow::Project* project_ = nullptr;
  std::unordered_map<std::string_view, size_t> function_names_;
  std::unordered_map<uintptr_t, std::vector<TSNode>> decorators_;  // definition node id -> decorators
  std::vector<Comment> comments_;
  Binding unknown_{};
};

}  // namespace bindscan
