#include "scanner/module.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace bindscan {
namespace {

uintptr_t node_key(TSNode node) { return reinterpret_cast<uintptr_t>(node.id); }

// `module.name`; a relative module written as dots alone ("..", see
// visit_import_from) takes the name without another dot.
std::string member_of(std::string_view module, std::string_view name) {
  std::string out(module);
  if (!out.ends_with('.')) out += '.';
  return out + std::string(name);
}

}  // namespace

// One pre-order walk over the tree with an explicit stack (no recursion:
// 10,000-deep nesting must not overflow the stack).
class ModuleBuilder {
 public:
  explicit ModuleBuilder(Module& module)
      : m_(module), s_(module.grammar_.sym), f_(module.grammar_.field), kinds_(WalkKinds::of(module.grammar_)) {
    mark_bytes_that_bind_or_call();
  }

  void build() {
    m_.scopes_.push_back({ScopeKind::kModule, kModuleScope, m_.root(), {}, {}, {}});
    open_.push_back({kModuleScope, m_.root(), 0});
    TSTreeCursor cursor = ts_tree_cursor_new(m_.root());
    bool descend = true;
    for (;;) {
      if (descend) {
        TSNode node = ts_tree_cursor_current_node(&cursor);
        TSSymbol kind = ts_node_symbol(node);
        visit(node, kind);
        if (worth_descending(node, kind) && ts_tree_cursor_goto_first_child(&cursor)) {
          ++depth_;
          continue;
        }
      }
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        descend = true;
        continue;
      }
      if (!ts_tree_cursor_goto_parent(&cursor)) break;
      --depth_;
      descend = false;
    }
    ts_tree_cursor_delete(&cursor);
  }

 private:
  struct Open {
    ScopeId id;
    TSNode range;
    uint32_t depth;  // of `range` in the tree: the scope ends where the walk leaves it
  };

  // Per node kind, read once from the grammar: whether it is named, and
  // whether its subtree can call, bind or hold a comment only through a byte
  // the walk marks (see inert()): expressions, simple statements, imports;
  // and how many marks the kind writes itself (an assignment's `=`, a
  // pair's `:`), read by the walk's visit of the node, not of its children.
  struct WalkKinds {
    static constexpr int8_t kNeverSkipped = -1;
    // Error recovery's kinds (ERROR is 65535) lie past the grammar's symbols.
    bool is_named(TSSymbol kind) const { return kind >= named.size() || named[kind]; }
    int8_t marks_of(TSSymbol kind) const { return kind < own_marks.size() ? own_marks[kind] : kNeverSkipped; }
    std::vector<uint8_t> named;
    std::vector<int8_t> own_marks;  // kNeverSkipped, or the marks the kind writes itself
    static const WalkKinds& of(const PythonGrammar& grammar) {
      static const WalkKinds kinds = [&grammar] {
        WalkKinds k;
        const TSLanguage* language = grammar.language;
        uint32_t count = ts_language_symbol_count(language);
        k.named.resize(count);
        k.own_marks.assign(count, kNeverSkipped);
        for (TSSymbol i = 0; i < count; ++i)
          k.named[i] = ts_language_symbol_type(language, i) == TSSymbolTypeRegular;
        auto set = [&](std::string_view name, int8_t marks) {
          TSSymbol symbol =
              ts_language_symbol_for_name(language, name.data(), static_cast<uint32_t>(name.size()), true);
          if (symbol == 0 || symbol >= count)
            throw std::logic_error("the grammar has no node kind " + std::string(name));
          k.own_marks[symbol] = marks;
        };
        // Not the patterns (`case [x as y]:` binds without any of the marks).
        for (std::string_view name :
             {"attribute", "subscript", "list", "tuple", "set", "dictionary", "binary_operator",
              "comparison_operator", "boolean_operator", "not_operator", "unary_operator", "conditional_expression",
              "parenthesized_expression", "expression_list", "concatenated_string", "list_comprehension",
              "set_comprehension", "dictionary_comprehension", "generator_expression", "argument_list", "await",
              "string", "type", "decorator", "expression_statement", "return_statement", "assert_statement",
              "raise_statement", "delete_statement", "import_statement", "import_from_statement",
              "future_import_statement", "dotted_name", "aliased_import", "global_statement",
              "nonlocal_statement"})
          set(name, 0);
        // One mark of their own: `x = v`, `x += v`, `f(k=v)`, `def f(p=v)`,
        // `def f(p: T)`, `{k: v}`, `a[i:j]`, `lambda p: v`. What visiting the
        // node itself records (the binding, the lambda's scope) stays.
        for (std::string_view name : {"assignment", "augmented_assignment", "keyword_argument", "default_parameter",
                                      "typed_parameter", "pair", "slice", "lambda"})
          set(name, 1);
        return k;
      }();
      return kinds;
    }
  };

  // Offsets of the bytes without which no call (`(`), binding (`=`, `:=`,
  // `+=`, `lambda ...:`; `def`, `class`, `for`, `with` end in `:`) or comment
  // (`#`) can be written. Comparisons (`==`, `!=`, `<=`, `>=`) are not marks;
  // `<<=` and `>>=` are. Strings are not told apart: a mark in one only
  // costs a descent.
  void mark_bytes_that_bind_or_call() {
    std::string_view source = m_.source();
    auto mark = [&](size_t i) {
      char c = source[i];
      if (c != '(' && c != ':' && c != '#' && c != '=') return;
      if (c == '=') {
        char before = i > 0 ? source[i - 1] : ' ';
        bool shifts = (before == '<' || before == '>') && i > 1 && source[i - 2] == before;  // `<<=`, `>>=`
        bool compares = (i + 1 < source.size() && source[i + 1] == '=') || before == '=' || before == '!' ||
                        ((before == '<' || before == '>') && !shifts);
        if (compares) return;
      }
      marks_.push_back(static_cast<uint32_t>(i));
    };
    // Eight bytes at a time: most words hold none of the four.
    size_t i = 0;
    for (; i + 8 <= source.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, source.data() + i, sizeof word);
      if (has_byte(word, '(') | has_byte(word, ':') | has_byte(word, '#') | has_byte(word, '='))
        for (size_t j = i; j < i + 8; ++j) mark(j);
    }
    for (; i < source.size(); ++i) mark(i);
  }

  // Whether some byte of `word` is `c` (the "has zero byte" test of Hacker's Delight).
  static uint64_t has_byte(uint64_t word, char c) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    uint64_t x = word ^ (kOnes * static_cast<uint8_t>(c));
    return (x - kOnes) & ~x & kHighs;
  }

  // A skippable node with no marks in its bytes but its own holds no call,
  // binding or comment below it: the walk steps over its children. Many of
  // a file's nodes are below ones like `self.x`, `a + b`, `[1, 2]`,
  // `return x`, `import os`, `x = y`.
  bool inert(TSNode node, TSSymbol kind) const {
    int8_t own = kinds_.marks_of(kind);
    if (own == WalkKinds::kNeverSkipped || ts_node_has_error(node)) return false;
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    // Its own opening parenthesis (`(a, b)`, an argument list) calls nothing.
    // (A zero-width node, which error recovery makes, may sit past the last byte.)
    if (start < end && m_.source()[start] == '(') ++start;
    auto first = std::lower_bound(marks_.begin(), marks_.end(), start);
    auto past = std::lower_bound(first, marks_.end(), end);
    return past - first <= own;
  }

  bool worth_descending(TSNode node, TSSymbol kind) const {
    return ts_node_child_count(node) > 0 && !plain_string(node, kind) && !inert(node, kind);
  }

  // A string without an f prefix: nothing below it binds or calls, so the
  // walk steps over its parts (docstrings are many of a file's nodes).
  bool plain_string(TSNode node, TSSymbol kind) const {
    if (kind != s_.string) return false;
    std::string_view text = m_.text(node);
    for (size_t i = 0; i < text.size() && i < 3 && text[i] != '"' && text[i] != '\''; ++i)
      if (text[i] == 'f' || text[i] == 'F') return false;
    return true;
  }

  // The scope of the node the walk is at (depth_ deep).
  ScopeId current(TSNode node) {
    while (open_.size() > 1 && open_.back().depth >= depth_) open_.pop_back();
    // A class body opens its scope when the walk reaches it; the class's
    // name and bases before it belong to the enclosing scope.
    if (!pending_.empty() && ts_node_eq(pending_.back().range, node)) {
      open_.push_back(pending_.back());
      open_.back().depth = depth_;
      pending_.pop_back();
    }
    return open_.back().id;
  }

  ScopeId open_scope(ScopeKind kind, ScopeId parent, TSNode definition, TSNode range) {
    auto id = static_cast<ScopeId>(m_.scopes_.size());
    m_.scopes_.push_back({kind, parent, definition, {}, {}, {}});
    m_.definition_scopes_[node_key(definition)] = id;
    // The walk is at `definition`: its scope covers what lies below it.
    (ts_node_eq(range, definition) ? open_ : pending_).push_back({id, range, depth_});
    return id;
  }

  void bind(ScopeId scope, TSNode name, Binding binding) {
    std::string_view text = m_.text(name);
    auto& globals = m_.scopes_[scope].globals;
    if (std::find(globals.begin(), globals.end(), text) != globals.end()) scope = kModuleScope;
    m_.scopes_[scope].names[text].push_back(std::move(binding));
  }

  void write_attribute(ScopeId scope, TSNode target, TSNode value, TSNode statement) {
    TSNode object = ts_node_child_by_field_id(target, f_.object);
    TSNode name = ts_node_child_by_field_id(target, f_.attribute);
    if (ts_node_is_null(object) || ts_node_is_null(name)) return;
    m_.attribute_writes_.push_back({object, m_.text(name), value, statement, scope});
  }

  void bind_unknown_names(ScopeId scope, TSNode pattern, TSNode statement, uint32_t at) {
    if (ts_node_is_null(pattern)) return;
    if (ts_node_symbol(pattern) == s_.identifier) {
      bind(scope, pattern, {BindingKind::kUnknown, at, statement, {}, {}});
      return;
    }
    if (ts_node_symbol(pattern) == s_.attribute) {
      write_attribute(scope, pattern, {}, statement);
      return;
    }
    if (ts_node_symbol(pattern) == s_.subscript) return;
    for (uint32_t i = 0, n = ts_node_named_child_count(pattern); i < n; ++i)
      bind_unknown_names(scope, ts_node_named_child(pattern, i), statement, at);
  }

  bool is_sequence_pattern(TSNode node) const {
    TSSymbol k = ts_node_symbol(node);
    return k == s_.pattern_list || k == s_.tuple_pattern || k == s_.list_pattern;
  }

  bool is_sequence_value(TSNode node) const {
    TSSymbol k = ts_node_symbol(node);
    return k == s_.expression_list || k == s_.tuple || k == s_.pattern_list;
  }

  bool has_splat(TSNode node) const {
    for (uint32_t i = 0, n = ts_node_named_child_count(node); i < n; ++i) {
      TSSymbol k = ts_node_symbol(ts_node_named_child(node, i));
      if (k == s_.list_splat_pattern || k == s_.list_splat) return true;
    }
    return false;
  }

  // `a = v`, `a, b = x, y`, `(a, b) = (x, y)`: pairs each name with its value
  // when the shapes line up; otherwise the names are bound to unknown values.
  void bind_target(ScopeId scope, TSNode target, TSNode value, TSNode statement, uint32_t at) {
    TSSymbol k = ts_node_symbol(target);
    if (k == s_.identifier) {
      bind(scope, target, {BindingKind::kAssignment, at, statement, value, {}});
      return;
    }
    if (k == s_.attribute) {
      write_attribute(scope, target, value, statement);
      return;
    }
    if (is_sequence_pattern(target)) {
      uint32_t n = ts_node_named_child_count(target);
      if (!ts_node_is_null(value) && is_sequence_value(value) && ts_node_named_child_count(value) == n &&
          !has_splat(target) && !has_splat(value)) {
        for (uint32_t i = 0; i < n; ++i)
          bind_target(scope, ts_node_named_child(target, i), ts_node_named_child(value, i), statement, at);
        return;
      }
    }
    bind_unknown_names(scope, target, statement, at);
  }

  void visit_assignment(TSNode node, ScopeId scope) {
    // Chained `a = b = v`: the right side nests; the outermost binds every
    // target to v and the inner ones are skipped when the walk reaches them.
    if (!chained_.empty() && ts_node_eq(chained_.back(), node)) {
      chained_.pop_back();
      return;
    }
    std::vector<TSNode> targets{ts_node_child_by_field_id(node, f_.left)};
    TSNode value = ts_node_child_by_field_id(node, f_.right);
    size_t first_inner = chained_.size();
    while (!ts_node_is_null(value) && ts_node_symbol(value) == s_.assignment) {
      chained_.push_back(value);
      targets.push_back(ts_node_child_by_field_id(value, f_.left));
      value = ts_node_child_by_field_id(value, f_.right);
    }
    std::reverse(chained_.begin() + static_cast<std::ptrdiff_t>(first_inner), chained_.end());
    if (ts_node_is_null(value)) return;  // `x: int` annotates without binding
    for (TSNode target : targets) bind_target(scope, target, value, node, ts_node_end_byte(node));
  }

  void visit_import(TSNode node, ScopeId scope) {
    uint32_t at = ts_node_end_byte(node);
    for (uint32_t i = 0, n = ts_node_named_child_count(node); i < n; ++i) {
      TSNode child = ts_node_named_child(node, i);
      if (ts_node_symbol(child) == s_.dotted_name) {
        // `import a.b.c` binds `a`, which then reaches a.b.c by attribute.
        TSNode first = ts_node_named_child(child, 0);
        bind(scope, first, {BindingKind::kImport, at, node, {}, std::string(m_.text(first))});
        m_.imports_.push_back(dotted(child));
      } else if (ts_node_symbol(child) == s_.aliased_import) {
        TSNode name = ts_node_child_by_field_id(child, f_.name);
        TSNode alias = ts_node_child_by_field_id(child, f_.alias);
        if (!ts_node_is_null(alias))
          bind(scope, alias, {BindingKind::kImport, at, node, {}, dotted(name)});
        m_.imports_.push_back(dotted(name));
      }
    }
  }

  void visit_import_from(TSNode node, ScopeId scope) {
    uint32_t at = ts_node_end_byte(node);
    TSNode module_name = ts_node_child_by_field_id(node, f_.module_name);
    if (ts_node_is_null(module_name)) return;
    // Relative imports name modules of this package, never the standard library.
    std::string module;
    if (ts_node_symbol(module_name) == s_.relative_import) module += '.';
    module += ts_node_symbol(module_name) == s_.relative_import ? std::string(m_.text(module_name))
                                                                : dotted(module_name);
    m_.imports_.push_back(module);
    for (uint32_t i = 0, n = ts_node_named_child_count(node); i < n; ++i) {
      TSNode child = ts_node_named_child(node, i);
      if (ts_node_eq(child, module_name)) continue;
      if (ts_node_symbol(child) == s_.dotted_name) m_.imports_.push_back(member_of(module, dotted(child)));
      if (ts_node_symbol(child) == s_.aliased_import)
        m_.imports_.push_back(member_of(module, dotted(ts_node_child_by_field_id(child, f_.name))));
      if (ts_node_symbol(child) == s_.wildcard_import) {
        m_.scopes_[scope].star_imports.emplace_back(at, module);
      } else if (ts_node_symbol(child) == s_.dotted_name) {
        bind(scope, child, {BindingKind::kImport, at, node, {}, member_of(module, dotted(child))});
      } else if (ts_node_symbol(child) == s_.aliased_import) {
        TSNode name = ts_node_child_by_field_id(child, f_.name);
        TSNode alias = ts_node_child_by_field_id(child, f_.alias);
        if (!ts_node_is_null(alias))
          bind(scope, alias, {BindingKind::kImport, at, node, {}, member_of(module, dotted(name))});
      }
    }
  }

  // "a . b" as written with comments or spaces is still "a.b".
  std::string dotted(TSNode name) const {
    std::string out;
    for (uint32_t i = 0, n = ts_node_named_child_count(name); i < n; ++i) {
      if (i > 0) out += '.';
      out += m_.text(ts_node_named_child(name, i));
    }
    return out.empty() ? std::string(m_.text(name)) : out;
  }

  void bind_parameters(ScopeId scope, TSNode parameters, TSNode definition) {
    if (ts_node_is_null(parameters)) return;
    uint32_t at = ts_node_start_byte(definition);
    for (uint32_t i = 0, n = ts_node_named_child_count(parameters); i < n; ++i) {
      TSNode p = ts_node_named_child(parameters, i);
      TSSymbol k = ts_node_symbol(p);
      TSNode name = p;
      if (k == s_.default_parameter || k == s_.typed_default_parameter) {
        name = ts_node_child_by_field_id(p, f_.name);
      } else if (k == s_.typed_parameter || k == s_.list_splat_pattern || k == s_.dictionary_splat_pattern) {
        name = ts_node_named_child(p, 0);
        if (!ts_node_is_null(name) && ts_node_symbol(name) != s_.identifier) name = ts_node_named_child(name, 0);
      }
      bind_unknown_names(scope, name, definition, at);
    }
  }

  // `case [x as y]:` binds x and y, `case Point(x=a) | b:` a and b, `case
  // {**rest}:` rest, to what the subject holds: unknown. A dotted name is a
  // value to compare with (`case Color.RED`), and so is a class's name.
  void bind_captures(ScopeId scope, TSNode clause) {
    uint32_t at = ts_node_start_byte(clause);
    std::vector<TSNode> pending;
    for (TSNode child : Module::named_children(clause))
      if (ts_node_symbol(child) == s_.case_pattern) pending.push_back(child);
    while (!pending.empty()) {
      TSNode pattern = pending.back();
      pending.pop_back();
      TSSymbol k = ts_node_symbol(pattern);
      std::vector<TSNode> children = Module::named_children(pattern);
      for (size_t i = 0; i < children.size(); ++i) {
        TSNode child = children[i];
        TSSymbol c = ts_node_symbol(child);
        if (c == s_.identifier && (k == s_.as_pattern || k == s_.splat_pattern)) {
          bind(scope, child, {BindingKind::kUnknown, at, clause, {}, {}});
        } else if (c == s_.dotted_name) {
          bool class_name = k == s_.class_pattern && i == 0;
          if (!class_name && ts_node_named_child_count(child) == 1)
            bind(scope, ts_node_named_child(child, 0), {BindingKind::kUnknown, at, clause, {}, {}});
        } else if (c != s_.identifier) {
          pending.push_back(child);
        }
      }
    }
  }

  void visit(TSNode node, TSSymbol k) {
    if (k == s_.comment) {
      visit_comment(node);
      return;
    }
    if (!kinds_.is_named(k)) return;
    ScopeId scope = current(node);
    if (k == s_.call) {
      TSNode callee = ts_node_child_by_field_id(node, f_.function);
      TSNode last = !ts_node_is_null(callee) && ts_node_symbol(callee) == s_.attribute
                        ? ts_node_child_by_field_id(callee, f_.attribute)
                        : callee;
      bool named = !ts_node_is_null(last) && ts_node_symbol(last) == s_.identifier;
      m_.calls_.push_back({node, scope, callee, named ? m_.text(last) : std::string_view()});
    } else if (k == s_.assignment) {
      visit_assignment(node, scope);
    } else if (k == s_.augmented_assignment) {
      bind_unknown_names(scope, ts_node_child_by_field_id(node, f_.left), node, ts_node_end_byte(node));
    } else if (k == s_.named_expression) {
      TSNode name = ts_node_child_by_field_id(node, f_.name);
      if (!ts_node_is_null(name))
        bind(scope, name, {BindingKind::kAssignment, ts_node_end_byte(node), node,
                           ts_node_child_by_field_id(node, f_.value), {}});
    } else if (k == s_.import_statement) {
      visit_import(node, scope);
    } else if (k == s_.import_from_statement) {
      visit_import_from(node, scope);
    } else if (k == s_.class_definition) {
      TSNode name = ts_node_child_by_field_id(node, f_.name);
      if (!ts_node_is_null(name)) {
        bind(scope, name, {BindingKind::kClass, ts_node_end_byte(node), node, node, {}});
        m_.class_names_.insert(m_.text(name));
      }
      TSNode body = ts_node_child_by_field_id(node, f_.body);
      open_scope(ScopeKind::kClass, scope, node, ts_node_is_null(body) ? node : body);
    } else if (k == s_.function_definition || k == s_.lambda) {
      TSNode name = ts_node_child_by_field_id(node, f_.name);
      if (!ts_node_is_null(name)) {
        bind(scope, name, {BindingKind::kUnknown, ts_node_end_byte(node), node, {}, {}});
        ++m_.function_names_[m_.text(name)];
      }
      ScopeId inner = open_scope(ScopeKind::kFunction, scope, node, node);
      bind_parameters(inner, ts_node_child_by_field_id(node, f_.parameters), node);
    } else if (k == s_.case_clause) {
      bind_captures(scope, node);
    } else if (k == s_.for_statement) {
      bind_unknown_names(scope, ts_node_child_by_field_id(node, f_.left), node, ts_node_start_byte(node));
    } else if (k == s_.as_pattern_target) {
      TSNode pattern = ts_node_parent(node);
      TSNode name = ts_node_named_child(node, 0);
      if (!ts_node_is_null(pattern) && ts_node_symbol(pattern) == s_.as_pattern && !ts_node_is_null(name) &&
          ts_node_symbol(name) == s_.identifier && ts_node_symbol(ts_node_parent(pattern)) == s_.with_item) {
        bind(scope, name, {BindingKind::kUnknown, ts_node_start_byte(node), pattern, ts_node_named_child(pattern, 0),
                           {}, true});
      } else {
        bind_unknown_names(scope, node, node, ts_node_start_byte(node));
      }
    } else if (k == s_.decorated_definition) {
      TSNode definition = ts_node_child_by_field_id(node, f_.definition);
      if (!ts_node_is_null(definition)) {
        auto& list = m_.decorators_[node_key(definition)];
        for (TSNode child : Module::named_children(node))
          if (ts_node_symbol(child) == s_.decorator) list.push_back(child);
      }
    } else if (k == s_.global_statement || k == s_.nonlocal_statement) {
      for (uint32_t i = 0, n = ts_node_named_child_count(node); i < n; ++i) {
        TSNode name = ts_node_named_child(node, i);
        if (k == s_.global_statement) {
          m_.scopes_[scope].globals.push_back(m_.text(name));
        } else {
          bind(scope, name, {BindingKind::kUnknown, 0, node, {}, {}});
        }
      }
    }
  }

  void visit_comment(TSNode node) {
    TSPoint start = ts_node_start_point(node);
    uint32_t begin = ts_node_start_byte(node);
    std::string_view source = m_.source();
    bool own_line = true;
    for (uint32_t i = begin - start.column; i < begin; ++i)
      if (source[i] != ' ' && source[i] != '\t' && source[i] != '\f') own_line = false;
    m_.comments_.push_back({start.row, m_.text(node), own_line});
  }

  Module& m_;
  const decltype(PythonGrammar::sym)& s_;
  const decltype(PythonGrammar::field)& f_;
  const WalkKinds& kinds_;
  std::vector<uint32_t> marks_;  // see mark_bytes_that_bind_or_call
  uint32_t depth_ = 0;  // of the node the walk is at
  std::vector<Open> open_;
  std::vector<Open> pending_;   // class bodies not reached yet
  std::vector<TSNode> chained_;  // inner assignments of `a = b = v`, next one last
};

Module::Module(const Tree& tree) : tree_(tree), grammar_(python_grammar()) {
  ModuleBuilder(*this).build();
}

std::vector<TSNode> Module::ancestors(TSNode node) const {
  std::vector<TSNode> out;
  TSNode at = root();
  if (ts_node_is_null(node) || ts_node_eq(at, node)) return out;
  const uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
  if (start == end) {  // zero-width (a MISSING token): step up as tree-sitter does
    for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); p = ts_node_parent(p)) out.push_back(p);
    std::reverse(out.begin(), out.end());
    return out;
  }
  // By byte, as ts_node_parent descends: the cursor skips the hidden nodes
  // that balance long runs of statements instead of visiting every sibling.
  TSTreeCursor cursor = ts_tree_cursor_new(at);
  out.push_back(at);
  while (ts_tree_cursor_goto_first_child_for_byte(&cursor, start) >= 0) {
    TSNode child = ts_tree_cursor_current_node(&cursor);
    // A child that ends at `start` may come first (`@` of `@name`): the next holds the node.
    while (ts_node_end_byte(child) < end && ts_node_start_byte(child) <= start &&
           ts_tree_cursor_goto_next_sibling(&cursor))
      child = ts_tree_cursor_current_node(&cursor);
    if (ts_node_eq(child, node) || ts_node_start_byte(child) > start || ts_node_end_byte(child) < end) break;
    out.push_back(child);
  }
  ts_tree_cursor_delete(&cursor);
  return out;
}

std::vector<TSNode> Module::named_children(TSNode node) {
  std::vector<TSNode> out;
  if (ts_node_is_null(node)) return out;  // an absent field (error recovery) has no children
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      if (ts_node_is_named(child)) out.push_back(child);
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return out;
}

std::string_view Module::text(TSNode node) const {
  uint32_t begin = ts_node_start_byte(node);
  uint32_t end = ts_node_end_byte(node);
  return source().substr(begin, end - begin);
}

Span Module::span(TSNode node) const {
  TSPoint start = ts_node_start_point(node);
  TSPoint stop = ts_node_end_point(node);
  return {ts_node_start_byte(node), ts_node_end_byte(node), {start.row, start.column}, {stop.row, stop.column}};
}

std::vector<std::string_view> Module::names_bound_not_by_def() const {
  std::vector<std::string_view> out;
  for (ScopeId scope = 0; scope < scopes_.size(); ++scope)
    for (const auto& [name, bound] : scopes_[scope].names)
      for (const Binding& b : bound) {
        // A def binds its name in the scope around it (its parameters, also
        // kUnknown with the def as statement, are bound inside).
        bool def = b.kind == BindingKind::kUnknown && !ts_node_is_null(b.statement) &&
                   ts_node_symbol(b.statement) == grammar_.sym.function_definition && scope_of(b.statement) != scope;
        if (!def) {
          out.push_back(name);
          break;
        }
      }
  for (const AttributeWrite& w : attribute_writes_) out.push_back(w.name);
  return out;
}

const Comment* Module::comment_on_row(uint32_t row) const {
  auto it = std::lower_bound(comments_.begin(), comments_.end(), row,
                             [](const Comment& c, uint32_t r) { return c.row < r; });
  return it != comments_.end() && it->row == row ? &*it : nullptr;
}

const std::vector<Binding>* Module::bindings(ScopeId scope, std::string_view name) const {
  const auto& names = scopes_[scope].names;
  auto it = names.find(name);
  return it == names.end() ? nullptr : &it->second;
}

std::optional<ScopeId> Module::scope_of(TSNode definition) const {
  auto it = definition_scopes_.find(node_key(definition));
  if (it == definition_scopes_.end()) return std::nullopt;
  return it->second;
}

Module::Lookup Module::lookup(std::string_view name, ScopeId scope, uint32_t at) const {
  // Inline code (module and class bodies) sees the bindings made before it;
  // a function body runs later, so from inside one an enclosing scope's
  // last binding is the one in effect.
  bool inline_code = true;
  ScopeId s = scope;
  const auto& own_globals = scopes_[scope].globals;
  if (std::find(own_globals.begin(), own_globals.end(), name) != own_globals.end()) {
    s = kModuleScope;
    inline_code = false;
  }
  for (bool first = true;; first = false) {
    const Scope& here = scopes_[s];
    bool skip = !first && here.kind == ScopeKind::kClass;  // class bodies do not enclose functions
    if (const auto* found = skip ? nullptr : bindings(s, name)) {
      const Binding* last = nullptr;
      for (const Binding& b : *found)
        if (!inline_code || b.at <= at) last = &b;
      if (last != nullptr) return {last, s, {}};
      // A name bound anywhere in a function is local to all of it.
      if (here.kind == ScopeKind::kFunction) return {&unknown_, s, {}};
    }
    if (s == kModuleScope) break;
    if (here.kind == ScopeKind::kFunction) inline_code = false;
    s = here.parent;
  }
  for (const auto& [star_at, module] : scopes_[kModuleScope].star_imports)
    if (!inline_code || star_at <= at) return {nullptr, kModuleScope, module};
  return {};
}

Reference Module::resolve(TSNode expression, ScopeId scope, uint32_t at) const {
  const auto& s = grammar_.sym;
  std::vector<std::string_view> members;  // attribute names, innermost last
  auto qualify = [&members](std::string qualified) {
    for (auto it = members.rbegin(); it != members.rend(); ++it) {
      qualified += '.';
      qualified += *it;
    }
    return Reference{std::move(qualified), {}, kModuleScope};
  };
  for (int hops = 0; hops < kMaxHops && !ts_node_is_null(expression); ++hops) {
    while (ts_node_symbol(expression) == s.attribute) {
      members.push_back(text(ts_node_child_by_field_id(expression, grammar_.field.attribute)));
      expression = ts_node_child_by_field_id(expression, grammar_.field.object);
      if (ts_node_is_null(expression)) return {};
    }
    if (ts_node_symbol(expression) != s.identifier) return {};
    std::string_view name = text(expression);
    Lookup found = lookup(name, scope, at);
    if (found.binding == nullptr) {
      if (found.star_module.empty()) return {};
      return qualify(member_of(found.star_module, name));
    }
    const Binding& b = *found.binding;
    switch (b.kind) {
      case BindingKind::kImport:
        return qualify(b.qualified);
      case BindingKind::kClass:
        if (!members.empty()) return {};
        return {{}, b.value, found.scope};
      case BindingKind::kAssignment:  // `Server = socketserver.TCPServer`
        expression = b.value;
        scope = found.scope;
        at = ts_node_start_byte(b.statement);
        continue;
      case BindingKind::kUnknown:
        return {};
    }
  }
  return {};
}

}  // namespace bindscan
