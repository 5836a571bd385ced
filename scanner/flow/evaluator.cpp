#include "scanner/flow/evaluator.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "scanner/values.h"

namespace bindscan::flow {
namespace {

// A byte of a word as escapes() counts mentions (ASCII letters, digits, '_').
bool is_word_byte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Where a comment starts in its file's source.
size_t offset_in(std::string_view source, const Comment& comment) {
  return static_cast<size_t>(comment.text.data() - source.data());
}

uintptr_t id_of(TSNode node) { return reinterpret_cast<uintptr_t>(node.id); }

Values one(Value value) { return {{std::move(value)}, false}; }

// Prepends `hop` to every value's path.
Values with_hop(Values values, Hop hop) {
  for (Value& v : values.items) v.hops.insert(v.hops.begin(), hop);
  return values;
}

// argparse's dest for an option: `dest=`, else the first long option without
// its dashes ('-' -> '_'), else the first short one. Positional arguments
// (always given) have no default that runs: none.
std::optional<std::string> dest_of(const std::vector<std::string>& options, std::optional<std::string> dest) {
  if (dest) return dest;
  const std::string* chosen = nullptr;
  for (const std::string& o : options) {
    if (o.starts_with("--")) {
      chosen = &o;
      break;
    }
    if (o.starts_with("-") && chosen == nullptr) chosen = &o;
  }
  if (chosen == nullptr) return std::nullopt;
  std::string name = chosen->substr(chosen->find_first_not_of('-'));
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// Node kinds only the branch analysis looks at, resolved once by name (0, which
// no named node has, when the grammar lacks one).
struct BranchSymbols {
  TSSymbol elif_clause, else_clause, while_statement, try_statement, except_clause, except_group_clause, finally_clause,
      case_clause, not_operator, break_statement, comparison_operator, list_comprehension, set_comprehension,
      dictionary_comprehension, generator_expression, raise_statement, block, continue_statement, expression_statement;
};

const BranchSymbols& branch_symbols(const TSLanguage* language) {
  static const BranchSymbols symbols = [language] {
    auto named = [language](const char* name) {
      return ts_language_symbol_for_name(language, name, static_cast<uint32_t>(std::strlen(name)), true);
    };
    return BranchSymbols{named("elif_clause"),
                         named("else_clause"),
                         named("while_statement"),
                         named("try_statement"),
                         named("except_clause"),
                         named("except_group_clause"),
                         named("finally_clause"),
                         named("case_clause"),
                         named("not_operator"),
                         named("break_statement"),
                         named("comparison_operator"),
                         named("list_comprehension"),
                         named("set_comprehension"),
                         named("dictionary_comprehension"),
                         named("generator_expression"),
                         named("raise_statement"),
                         named("block"),
                         named("continue_statement"),
                         named("expression_statement")};
  }();
  return symbols;
}

bool holds(TSNode outer, uint32_t at) { return ts_node_start_byte(outer) <= at && at < ts_node_end_byte(outer); }

// Python's truth of a constant value; nothing for others.
std::optional<bool> truth_of(const Value& v) {
  switch (v.kind) {
    case ValueKind::kBool:
      return v.text == "True";
    case ValueKind::kNone:
      return false;
    case ValueKind::kInt:
      if (v.text.find_first_not_of("0123456789_") != std::string::npos) return std::nullopt;  // 0x0, 1e3, ...
      return v.text.find_first_not_of("0_") != std::string::npos;
    case ValueKind::kString:
      return !v.text.empty();
    default:
      return std::nullopt;
  }
}

}  // namespace

// Each question a rule asks gets the step budget afresh; the questions the
// evaluation asks itself share it.
class Evaluator::Question {
 public:
  explicit Question(Evaluator& e) : e_(e) {
    if (e_.questions_++ == 0) e_.steps_ = 0;
  }
  ~Question() { --e_.questions_; }
  Question(const Question&) = delete;
  Question& operator=(const Question&) = delete;

 private:
  Evaluator& e_;
};

Evaluator::Evaluator(const Module& module, InstanceFactories factories, Budget budget, Linker* linker)
    : m_(module), factories_(factories), budget_(budget), linker_(linker) {}

void Evaluator::stamp(Values& values) const {
  for (Value& v : values.items) {
    if (v.module == nullptr) v.module = &m_;
    for (Hop& h : v.hops)
      if (h.module == nullptr) h.module = &m_;
  }
}

Evaluator& Evaluator::owner(const Value& value) {
  if (value.module == nullptr || value.module == &m_ || linker_ == nullptr) return *this;
  return linker_->evaluator_of(*value.module, factories_);
}

Values Evaluator::imported(std::string qualified, TSNode node, ScopeId scope, uint32_t at, int depth) {
  // `options.NAME` of Tornado's global options: the default this file defines.
  constexpr std::string_view kTornadoOptions = "tornado.options.options.";
  if (qualified.starts_with(kTornadoOptions) && qualified.find('.', kTornadoOptions.size()) == std::string::npos)
    if (std::optional<Values> option =
            tornado_option(std::string_view(qualified).substr(kTornadoOptions.size()), depth + 1))
      return std::move(*option);
  if (linker_ != nullptr) {
    if (std::optional<Values> linked = linker_->values(qualified, m_, depth + 1, !callees_only_ && !building_)) {
      stamp(*linked);
      return *linked;
    }
  }
  return one({ValueKind::kImported, std::move(qualified), node, scope, at});
}

Values Evaluator::global(std::string_view name) {
  Question q(*this);
  Values out = name_of(name, {}, kModuleScope, static_cast<uint32_t>(m_.source().size()), 1);
  stamp(out);
  return out;
}

Values Evaluator::returns(const Value& function) {
  Question q(*this);
  Values out = returns_of(function, 1);
  stamp(out);
  return out;
}

void Evaluator::add_caller(TSNode definition, Edge edge) { callers_[id_of(definition)].push_back(edge); }

Values Evaluator::values_of(TSNode expression, ScopeId scope, uint32_t at) {
  Question q(*this);
  Values out = evaluate(expression, scope, at, 0);
  stamp(out);
  return out;
}

Values Evaluator::callee_values(TSNode expression, ScopeId scope, uint32_t at) {
  bool saved = callees_only_;
  callees_only_ = true;
  Values out = values_of(expression, scope, at);
  callees_only_ = saved;
  return out;
}

Values Evaluator::element(const Value& container, uint32_t index) {
  Question q(*this);
  Values out = element_of(container, index, 0);
  stamp(out);
  return out;
}
Values Evaluator::item(const Value& dict, std::string_view key) {
  Question q(*this);
  Values out = item_of(dict, key, 0);
  stamp(out);
  return out;
}
Values Evaluator::attribute(const Value& object, std::string_view name) {
  Question q(*this);
  Values out = attribute_of(object, name, 0);
  stamp(out);
  return out;
}

void Evaluator::cap(Values& values) const {
  if (values.items.size() <= budget_.max_values) return;
  values.items.resize(budget_.max_values);
  values.unknown = true;
}

Values Evaluator::evaluate(TSNode expression, ScopeId scope, uint32_t at, int depth) {
  if (ts_node_is_null(expression) || depth > budget_.max_depth || ++steps_ > budget_.max_steps)
    return Values::of_unknown();
  // A node of another module's tree is that module's evaluator's to answer;
  // read here it would be read against the wrong source. Unknown, never a
  // guess (a path that still does this is a bug to find, not a crash).
  if (!m_.owns(expression)) return Values::of_unknown();
  Key key{id_of(expression), scope, at};
  // While the call graph is built, parameters read as unknown: those answers
  // are kept only until the build ends (build_call_graph clears them).
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  // A cycle (a = b; b = a, or recursion through parameters) is unknown.
  if (!in_progress_.insert(key).second) return Values::of_unknown();
  Values out = evaluate_uncached(expression, scope, at, depth);
  forget_mutated_containers(expression, out);
  in_progress_.erase(key);
  cap(out);
  stamp(out);
  memo_.emplace(key, out);
  return out;
}

namespace {

// Strips `a[k][j]` down to `a`: a write into an element is a write into the container.
TSNode container_written(const Module& m, TSNode target) {
  while (!ts_node_is_null(target) && ts_node_symbol(target) == m.grammar().sym.subscript)
    target = ts_node_child_by_field_id(target, m.grammar().field.value);
  return target;
}

}  // namespace

const std::unordered_set<std::string_view>& Evaluator::mutated_containers() {
  if (mutated_) return *mutated_;
  mutated_.emplace();
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  auto note = [&](TSNode container) {
    container = container_written(m_, container);
    if (!ts_node_is_null(container)) mutated_->insert(m_.text(container));
  };
  auto written = [&](TSNode target, auto&& self) -> void {
    if (ts_node_is_null(target)) return;
    TSSymbol k = ts_node_symbol(target);
    if (k == s.subscript) {
      note(target);
    } else if (k == s.pattern_list || k == s.tuple_pattern || k == s.list_pattern || k == s.tuple || k == s.list ||
               k == s.expression_list || k == s.parenthesized_expression) {
      for (TSNode element : Module::named_children(target)) self(element, self);
    }
  };
  // `c = CONF`: changing `c` in place changes CONF.
  std::vector<std::pair<std::string_view, std::string_view>> aliases;
  auto is_name = [&](TSNode n) {
    return !ts_node_is_null(n) && (ts_node_symbol(n) == s.identifier || ts_node_symbol(n) == s.attribute);
  };
  // Statements only: an expression cannot assign into a container.
  auto walk = [&](TSNode node, auto&& self) -> void {
    for (TSNode child : Module::named_children(node)) {
      TSSymbol k = ts_node_symbol(child);
      if (k == s.assignment) {
        // `a = b[k] = v` chains its targets through the right side.
        for (TSNode a = child; !ts_node_is_null(a) && ts_node_symbol(a) == s.assignment;
             a = ts_node_child_by_field_id(a, f.right)) {  // `x: int` has no right side
          TSNode left = ts_node_child_by_field_id(a, f.left), right = ts_node_child_by_field_id(a, f.right);
          written(left, written);
          if (is_name(left) && is_name(right)) aliases.emplace_back(m_.text(left), m_.text(right));
        }
      } else if (k == s.augmented_assignment) {
        // `CONF |= {...}` and `HOSTS += [...]` change a dict or list in place.
        TSNode left = ts_node_child_by_field_id(child, f.left);
        note(left);
      } else if (k == s.delete_statement) {
        written(ts_node_named_child(child, 0), written);
      } else {
        std::string_view type = ts_node_type(child);
        if (type == "module" || type == "block" || type == "ERROR" || type.ends_with("_statement") ||
            type.ends_with("_clause") || type.ends_with("_definition"))
          self(child, self);
      }
    }
  };
  walk(m_.root(), walk);
  // Methods that change a dict or a list in place.
  static const std::unordered_set<std::string_view> kMutators = {
      "update", "setdefault", "pop",    "popitem", "clear", "__setitem__", "__delitem__",
      "append", "extend",     "insert", "remove",  "sort",  "reverse"};
  for (const CallSite& call : m_.calls())
    if (kMutators.contains(call.name) && !ts_node_is_null(call.callee) && ts_node_symbol(call.callee) == s.attribute)
      note(ts_node_child_by_field_id(call.callee, f.object));
  // A container handed to a function of this file whose parameter of that
  // name is changed in place (by name, anywhere in the file: the safe side).
  std::vector<std::pair<std::string_view, std::vector<std::string_view>>> handed;  // argument, parameter names
  for (const CallSite& call : m_.calls()) {
    if (ts_node_is_null(call.callee) || ts_node_symbol(call.callee) != s.identifier) continue;
    const Binding* b = m_.lookup(call.name, call.scope, ts_node_start_byte(call.node)).binding;
    if (b == nullptr || ts_node_symbol(b->statement) != s.function_definition) continue;
    std::vector<std::string_view> parameters;
    for (TSNode p : Module::named_children(ts_node_child_by_field_id(b->statement, f.parameters))) {
      TSNode name = ts_node_symbol(p) == s.identifier ? p : ts_node_child_by_field_id(p, f.name);
      if (ts_node_is_null(name) && ts_node_symbol(p) == s.typed_parameter) name = ts_node_named_child(p, 0);
      if (!ts_node_is_null(name)) parameters.push_back(m_.text(name));
    }
    for (TSNode a : Module::named_children(ts_node_child_by_field_id(call.node, f.arguments))) {
      TSNode value = ts_node_symbol(a) == s.keyword_argument ? ts_node_child_by_field_id(a, f.value) : a;
      if (is_name(value)) handed.emplace_back(m_.text(value), parameters);
    }
  }
  // To a fixed point, a few rounds deep.
  for (int round = 0; round < 4; ++round) {
    size_t before = mutated_->size();
    for (const auto& [alias, original] : aliases)
      if (mutated_->contains(alias)) mutated_->insert(original);
    for (const auto& [argument, parameters] : handed)
      if (std::any_of(parameters.begin(), parameters.end(), [&](std::string_view p) { return mutated_->contains(p); }))
        mutated_->insert(argument);
    if (mutated_->size() == before) break;
  }
  return *mutated_;
}

void Evaluator::forget_mutated_containers(TSNode expression, Values& values) {
  TSSymbol kind = ts_node_symbol(expression);
  if (kind != m_.grammar().sym.identifier && kind != m_.grammar().sym.attribute) return;
  auto container = [](const Value& v) { return v.kind == ValueKind::kDict || v.kind == ValueKind::kList; };
  if (std::none_of(values.items.begin(), values.items.end(), container)) return;
  if (!mutated_containers().contains(m_.text(expression))) return;
  std::erase_if(values.items, container);
  values.unknown = true;
}

Values Evaluator::evaluate_uncached(TSNode node, ScopeId scope, uint32_t at, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  TSSymbol kind = ts_node_symbol(node);
  if (kind == s.parenthesized_expression) {
    if (ts_node_named_child_count(node) != 1) return Values::of_unknown();
    return evaluate(ts_node_named_child(node, 0), scope, at, depth + 1);
  }
  // Strings, and environment lookups with a constant default.
  if (kind == s.string || kind == s.concatenated_string || kind == s.call || kind == s.boolean_operator) {
    if (std::optional<StringValue> text = string_value(m_, node, scope, at)) {
      Value v{ValueKind::kString, std::move(text->text), text->literal, scope, at};
      v.environment_variable = std::move(text->environment_variable);
      for (const Binding* b : text->via) v.hops.push_back({m_.span(b->statement), "the value comes from this assignment"});
      return one(std::move(v));
    }
    if (kind == s.string) return interpolated(node, scope, at, depth);
    if (kind == s.concatenated_string) return Values::of_unknown();
  }
  if (kind == s.integer) return one({ValueKind::kInt, std::string(m_.text(node)), node, scope, at});
  if (kind == s.none) return one({ValueKind::kNone, "None", node, scope, at});
  if (kind == s.true_ || kind == s.false_) return one({ValueKind::kBool, std::string(m_.text(node)), node, scope, at});
  if (kind == s.tuple || kind == s.expression_list) return one({ValueKind::kTuple, {}, node, scope, at});
  if (kind == s.list) return one({ValueKind::kList, {}, node, scope, at});
  if (kind == s.dictionary) return one({ValueKind::kDict, {}, node, scope, at});
  if (kind == s.lambda) return one({ValueKind::kFunction, {}, node, scope, at});
  if (kind == s.identifier) return name(node, scope, at, depth);
  if (kind == s.attribute) {
    // A name the file imports, reached by attribute (socketserver.TCPServer).
    Reference reference = m_.resolve(node, scope, at);
    if (!reference.qualified.empty()) return imported(reference.qualified, node, scope, at, depth);
    TSNode object = ts_node_child_by_field_id(node, f.object);
    std::string_view member = m_.text(ts_node_child_by_field_id(node, f.attribute));
    Values objects = evaluate(object, scope, at, depth + 1);
    Values out;
    out.unknown = objects.unknown;
    for (const Value& v : objects.items) out.add(attribute_of(v, member, depth + 1));
    return out;
  }
  if (kind == s.subscript) return subscript(node, scope, at, depth);
  if (kind == s.call) return call(node, scope, at, depth);
  if (kind == s.conditional_expression) {
    // `a if condition else b`: both, unless the condition is a constant.
    TSNode consequence = ts_node_named_child(node, 0);
    TSNode condition = ts_node_named_child(node, 1);
    TSNode alternative = ts_node_named_child(node, 2);
    if (std::optional<bool> truth = this->truth(condition, scope, at, depth))
      return evaluate(*truth ? consequence : alternative, scope, at, depth + 1);
    Values out = evaluate(consequence, scope, at, depth + 1);
    out.add(evaluate(alternative, scope, at, depth + 1));
    return out;
  }
  return Values::of_unknown();
}

Values Evaluator::interpolated(TSNode string, ScopeId scope, uint32_t at, int depth) {
  // f"{HOST}:{PORT}": each interpolation must be constant (every combination
  // of their values, within the budget); no conversions, format specs or
  // escapes, which would need Python's formatting to get right.
  const auto& s = m_.grammar().sym;
  struct Partial {
    std::string text;
    Value from;  // hops and option / environment marks of the values used
  };
  std::vector<Partial> texts{{}};
  bool formatted = false;
  for (TSNode part : Module::named_children(string)) {
    TSSymbol k = ts_node_symbol(part);
    std::string_view written = m_.text(part);
    if (k == s.string_start) {
      formatted = written.find_first_of("fF") < written.find_first_of("'\"") &&
                  written.find_first_of("bB") == std::string_view::npos;
      continue;
    }
    if (k == s.string_end) continue;
    if (k == s.string_content) {
      if (written.find_first_of("\\{}") != std::string_view::npos) return Values::of_unknown();
      for (Partial& p : texts) p.text += written;
      continue;
    }
    if (k != s.interpolation || !formatted || ts_node_child_count(part) != 3) return Values::of_unknown();
    Values values = evaluate(ts_node_named_child(part, 0), scope, at, depth + 1);
    if (values.unknown || values.items.empty() || texts.size() * values.items.size() > budget_.max_values)
      return Values::of_unknown();
    std::vector<Partial> next;
    for (const Partial& p : texts) {
      for (const Value& v : values.items) {
        bool decimal = v.kind == ValueKind::kInt && v.text.find_first_not_of("0123456789") == std::string::npos &&
                       (v.text.size() == 1 || v.text[0] != '0');
        if (v.kind != ValueKind::kString && !decimal) return Values::of_unknown();
        Partial joined{p.text + v.text, p.from};
        joined.from.hops.insert(joined.from.hops.end(), v.hops.begin(), v.hops.end());
        if (v.option) joined.from.option = v.option;
        if (v.environment_variable) joined.from.environment_variable = v.environment_variable;
        next.push_back(std::move(joined));
      }
    }
    texts = std::move(next);
  }
  if (!formatted) return Values::of_unknown();
  Values out;
  for (Partial& p : texts) {
    Value v{ValueKind::kString, std::move(p.text), string, scope, at};
    v.hops = std::move(p.from.hops);
    v.option = std::move(p.from.option);
    v.environment_variable = std::move(p.from.environment_variable);
    out.items.push_back(std::move(v));
  }
  return out;
}

Values Evaluator::joined(TSNode call, ScopeId scope, uint32_t at, int depth) {
  // "SEP".join(("a", "b")): a constant separator and a literal tuple or list
  // of constant strings.
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  Values separators =
      evaluate(ts_node_child_by_field_id(ts_node_child_by_field_id(call, f.function), f.object), scope, at, depth + 1);
  Argument items = argument(call, scope, 0, "");
  if (separators.unknown || separators.items.size() != 1 || separators.items[0].kind != ValueKind::kString ||
      !items.found || !items.known || !ts_node_is_null(call_argument(m_, call, 1, "")))
    return Values::of_unknown();
  Values sequences = evaluate(items.node, items.scope, items.at, depth + 1);
  if (sequences.unknown || sequences.items.size() != 1) return Values::of_unknown();
  const Value& sequence = sequences.items[0];
  if (sequence.kind != ValueKind::kTuple && sequence.kind != ValueKind::kList) return Values::of_unknown();
  Value out{ValueKind::kString, {}, call, scope, at};
  uint32_t index = 0;
  for (TSNode element : Module::named_children(sequence.node)) {
    if (ts_node_symbol(element) == s.comment) continue;
    Values parts = element_of(sequence, index, depth + 1);
    if (parts.unknown || parts.items.size() != 1 || parts.items[0].kind != ValueKind::kString)
      return Values::of_unknown();
    if (index++ > 0) out.text += separators.items[0].text;
    out.text += parts.items[0].text;
    out.hops.insert(out.hops.end(), parts.items[0].hops.begin(), parts.items[0].hops.end());
  }
  out.hops.insert(out.hops.begin(), separators.items[0].hops.begin(), separators.items[0].hops.end());
  return one(std::move(out));
}

Values Evaluator::name(TSNode identifier, ScopeId scope, uint32_t at, int depth) {
  return name_of(m_.text(identifier), identifier, scope, at, depth);
}

Values Evaluator::name_of(std::string_view text, TSNode identifier, ScopeId scope, uint32_t at, int depth) {
  Module::Lookup found = m_.lookup(text, scope, at);
  if (found.binding == nullptr) {
    if (found.star_module.empty()) return Values::of_unknown();
    std::string qualified = found.star_module;
    if (!qualified.ends_with('.')) qualified += '.';
    return imported(qualified + std::string(text), identifier, scope, at, depth);
  }
  // Code inline with the binding scope (its own body, class bodies in it)
  // reads the bindings before it; a function nested in it runs later and
  // reads what the scope ends with.
  bool inline_code = true;
  for (ScopeId s = scope; s != found.scope && s != kModuleScope; s = m_.parent_scope(s))
    if (m_.scope_kind(s) == ScopeKind::kFunction) inline_code = false;
  std::optional<uint32_t> use_at = inline_code ? std::optional(at) : std::nullopt;
  if (ts_node_is_null(found.binding->statement))
    return binding_values(*found.binding, found.scope, text, identifier, use_at, at, depth);
  bool truncated = false;
  std::vector<Guard> guards;
  std::vector<const Binding*> bindings = reaching(text, found, scope, at, depth, truncated, guards);
  if (bindings.size() == 1 && !truncated)
    return binding_values(*bindings[0], found.scope, text, identifier, use_at, at, depth);
  // getopt loops: the assignments from the option's argument are what runs
  // when it is given; the ones before the loop are its default.
  std::optional<GetoptOption> getopt;
  for (const Binding* b : bindings)
    if (!getopt) getopt = getopt_option(*b, found.scope);
  Values out;
  for (const Binding* b : bindings) {
    if (getopt && getopt_option(*b, found.scope)) continue;
    Values values = binding_values(*b, found.scope, text, identifier, use_at, at, depth);
    for (const Guard& guard : guards) {
      if (ts_node_is_null(b->statement) || ts_node_start_byte(b->statement) >= guard.before) continue;
      std::erase_if(values.items, [&guard](const Value& v) {
        return v.kind == ValueKind::kNone || (guard.falsy && truth_of(v) == false);
      });
    }
    if (getopt && b->at <= ts_node_start_byte(getopt->loop)) {
      for (Value& v : values.items) v.option = getopt->option;
      values = with_hop(std::move(values), {m_.span(getopt->condition),
                                            "option `" + getopt->option + "` keeps this value when it is not given"});
    }
    out.add(std::move(values));
  }
  out.unknown |= truncated;
  return out;
}

std::optional<bool> Evaluator::truth(TSNode condition, ScopeId scope, uint32_t at, int depth) {
  struct Nesting {
    int& n;
    explicit Nesting(int& count) : n(++count) {}
    ~Nesting() { --n; }
  } nesting(conditions_);
  const BranchSymbols& b = branch_symbols(m_.grammar().language);
  if (ts_node_is_null(condition)) return std::nullopt;
  if (ts_node_symbol(condition) == b.not_operator) {
    std::optional<bool> inner = truth(ts_node_named_child(condition, 0), scope, at, depth + 1);
    if (!inner) return std::nullopt;
    return !*inner;
  }
  if (ts_node_symbol(condition) == b.comparison_operator) return comparison(condition, scope, at, depth);
  Values test = evaluate(condition, scope, at, depth + 1);
  if (test.unknown || test.items.empty()) return std::nullopt;
  std::optional<bool> out;
  for (const Value& v : test.items) {
    std::optional<bool> t = truth_of(v);
    if (!t || (out && *out != *t)) return std::nullopt;
    out = t;
  }
  return out;
}

std::optional<bool> Evaluator::comparison(TSNode condition, ScopeId scope, uint32_t at, int depth) {
  // `MODE == "production"`, `PORT != 0`, `HOST is None`: two constants, one operator.
  if (ts_node_named_child_count(condition) != 2 || ts_node_child_count(condition) < 3) return std::nullopt;
  std::string op;
  for (uint32_t i = 1, n = ts_node_child_count(condition) - 1; i < n; ++i) {
    if (!op.empty()) op += ' ';
    op += m_.text(ts_node_child(condition, i));
  }
  bool equal_op = op == "==" || op == "is";
  if (!equal_op && op != "!=" && op != "is not") return std::nullopt;
  auto constant = [&](TSNode side) -> std::optional<Value> {
    Values values = evaluate(side, scope, at, depth + 1);
    if (values.unknown || values.items.size() != 1) return std::nullopt;
    const Value& v = values.items[0];
    bool decimal = v.kind == ValueKind::kInt && v.text.find_first_not_of("0123456789") == std::string::npos;
    if (v.kind != ValueKind::kString && v.kind != ValueKind::kNone && v.kind != ValueKind::kBool && !decimal)
      return std::nullopt;
    return v;
  };
  std::optional<Value> left = constant(ts_node_named_child(condition, 0));
  std::optional<Value> right = left ? constant(ts_node_named_child(condition, 1)) : std::nullopt;
  if (!right) return std::nullopt;
  // `is` compares identity: only None (and the bools) are certain to be one object.
  if (op.starts_with("is") && left->kind != ValueKind::kNone && right->kind != ValueKind::kNone) return std::nullopt;
  if (left->kind != right->kind && left->kind != ValueKind::kNone && right->kind != ValueKind::kNone)
    return std::nullopt;  // 1 == True, 0 == False: not worth Python's rules
  auto normal = [](const Value& v) {
    if (v.kind != ValueKind::kInt) return v.text;
    size_t digit = v.text.find_first_not_of('0');
    return digit == std::string::npos ? std::string("0") : v.text.substr(digit);
  };
  bool same = left->kind == right->kind && normal(*left) == normal(*right);
  return equal_op ? same : !same;
}

std::optional<bool> Evaluator::clause_runs(TSNode clause, ScopeId scope, int depth, TSNode statement) {
  // `if`'s consequence, an `elif` or the `else`: the conditions before it must
  // be false, its own true.
  const BranchSymbols& b = branch_symbols(m_.grammar().language);
  const auto& f = m_.grammar().field;
  if (ts_node_symbol(clause) == m_.grammar().sym.if_statement) statement = clause;
  if (ts_node_is_null(statement)) statement = ts_node_parent(clause);
  if (ts_node_is_null(statement)) return std::nullopt;
  bool all_false = true;
  auto condition_truth = [&](TSNode c) {
    TSNode condition = ts_node_child_by_field_id(c, f.condition);
    return truth(condition, scope, ts_node_start_byte(condition), depth + 1);
  };
  if (!ts_node_eq(statement, clause)) {
    std::optional<bool> first = condition_truth(statement);
    if (first == true) return false;
    all_false = first == false;
    for (TSNode alternative : Module::named_children(statement)) {
      if (ts_node_eq(alternative, clause)) break;
      if (ts_node_symbol(alternative) != b.elif_clause) continue;
      std::optional<bool> t = condition_truth(alternative);
      if (t == true) return false;
      all_false &= t == false;
    }
  }
  if (ts_node_symbol(clause) == b.else_clause) return all_false ? std::optional(true) : std::nullopt;
  std::optional<bool> own = condition_truth(clause);
  if (own == false) return false;
  if (own == true && all_false) return true;
  return std::nullopt;
}

Evaluator::Runs Evaluator::runs(TSNode node, ScopeId scope, std::optional<uint32_t> use_at, int depth) {
  if (ts_node_is_null(node)) return Runs::kMaybe;  // nothing to rule out
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  const BranchSymbols& b = branch_symbols(m_.grammar().language);
  TSNode top = m_.scope_node(scope);
  if (use_at && holds(node, *use_at)) return Runs::kAlways;
  Runs out = Runs::kAlways;
  auto maybe = [&out] {
    if (out == Runs::kAlways) out = Runs::kMaybe;
  };
  const std::vector<TSNode> up = m_.ancestors(node);
  TSNode n = node;
  for (size_t i = up.size(); i > 0 && !ts_node_eq(n, top); n = up[--i]) {
    const TSNode p = up[i - 1];
    const TSNode above = i > 1 ? up[i - 2] : TSNode{};  // p's parent
    if (++steps_ > budget_.max_steps) return Runs::kMaybe;
    TSSymbol k = ts_node_symbol(p);
    if (use_at && holds(p, *use_at)) {
      // The innermost statement holding both: exclusive branches of one `if`
      // (or two handlers of one `try`) never follow each other.
      bool exclusive = false;
      if (k == s.if_statement) {
        exclusive = !ts_node_eq(n, ts_node_child_by_field_id(p, f.condition));
      } else if (k == b.try_statement) {
        exclusive = ts_node_symbol(n) == b.except_clause || ts_node_symbol(n) == b.except_group_clause;
        if (exclusive) {
          for (TSNode clause : Module::named_children(p))
            if (holds(clause, *use_at) && ts_node_symbol(clause) == b.finally_clause) exclusive = false;
        }
      }
      if (exclusive) return Runs::kNever;
      break;
    }
    if (ts_node_eq(p, top)) break;  // the scope's own body runs whenever the scope does
    if (k == s.function_definition || k == s.lambda || k == s.class_definition) {
      maybe();  // a function's body runs when called (a `global` write)
      break;
    }
    if (k == s.if_statement) {
      if (ts_node_eq(n, ts_node_child_by_field_id(p, f.consequence))) {
        std::optional<bool> t = clause_runs(p, scope, depth);
        if (t == false) return Runs::kNever;
        if (!t) maybe();
      }
    } else if (k == b.elif_clause) {
      if (!ts_node_eq(n, ts_node_child_by_field_id(p, f.condition))) {
        std::optional<bool> t = clause_runs(p, scope, depth, above);
        if (t == false) return Runs::kNever;
        if (!t) maybe();
      }
    } else if (k == b.else_clause) {
      std::optional<bool> t;
      if (!ts_node_is_null(above) && ts_node_symbol(above) == s.if_statement) t = clause_runs(p, scope, depth, above);
      if (t == false) return Runs::kNever;
      if (!t) maybe();
    } else if (k == s.for_statement) {
      if (ts_node_eq(n, ts_node_child_by_field_id(p, f.body))) maybe();
    } else if (k == b.while_statement) {
      if (ts_node_eq(n, ts_node_child_by_field_id(p, f.body))) {
        TSNode condition = ts_node_child_by_field_id(p, f.condition);
        if (truth(condition, scope, ts_node_start_byte(condition), depth) == false) return Runs::kNever;
        maybe();
      }
    } else if (k == b.try_statement) {
      // The body may stop early when a handler lets the code after the `try` run.
      if (ts_node_eq(n, ts_node_child_by_field_id(p, f.body))) {
        for (TSNode clause : Module::named_children(p))
          if ((ts_node_symbol(clause) == b.except_clause || ts_node_symbol(clause) == b.except_group_clause) &&
              !terminates(clause, scope))
            maybe();
      }
    } else if (k == b.except_clause || k == b.except_group_clause || k == b.case_clause || k == b.list_comprehension ||
               k == b.set_comprehension || k == b.dictionary_comprehension || k == b.generator_expression) {
      maybe();
    } else if (k == s.boolean_operator) {
      if (ts_node_eq(n, ts_node_child_by_field_id(p, f.right))) maybe();
    } else if (k == s.conditional_expression) {
      if (!ts_node_eq(n, ts_node_named_child(p, 1))) maybe();
    }
  }
  return out;
}

bool Evaluator::terminates(TSNode block, ScopeId scope) const {
  // Its last statement: return, raise, continue, break, sys.exit(...) or os._exit(...).
  const auto& s = m_.grammar().sym;
  const BranchSymbols& b = branch_symbols(m_.grammar().language);
  std::vector<TSNode> children = Module::named_children(block);
  while (!children.empty() && ts_node_symbol(children.back()) == s.comment) children.pop_back();
  if (children.empty()) return false;
  TSNode last = children.back();
  TSSymbol k = ts_node_symbol(last);
  if (k == s.return_statement || k == b.raise_statement || k == b.continue_statement || k == b.break_statement)
    return true;
  if (k == b.block) return terminates(last, scope);  // an except clause: its block is its last child
  if (k != b.expression_statement) return false;
  TSNode call = ts_node_named_child(last, 0);
  if (ts_node_is_null(call) || ts_node_symbol(call) != s.call) return false;
  std::string exit =
      m_.resolve(ts_node_child_by_field_id(call, m_.grammar().field.function), scope, ts_node_start_byte(call))
          .qualified;
  return exit == "sys.exit" || exit == "os._exit";
}

bool Evaluator::never_runs(TSNode node, ScopeId scope) {
  Question q(*this);
  return runs(node, scope, std::nullopt, 1) == Runs::kNever;
}

std::vector<const Binding*> Evaluator::reaching(std::string_view name, const Module::Lookup& found, ScopeId scope,
                                                uint32_t at, int depth, bool& truncated, std::vector<Guard>& guards) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  const BranchSymbols& sym = branch_symbols(m_.grammar().language);
  const std::vector<Binding>* all = m_.bindings(found.scope, name);
  if (all == nullptr || all->size() == 1) return {found.binding};
  bool inline_code = true;
  for (ScopeId i = scope; i != found.scope && i != kModuleScope; i = m_.parent_scope(i))
    if (m_.scope_kind(i) == ScopeKind::kFunction) inline_code = false;
  std::optional<uint32_t> use_at = inline_code ? std::optional(at) : std::nullopt;
  TSNode top = m_.scope_node(found.scope);
  std::vector<const Binding*> out;
  // An `if` whose every branch assigns the name (directly in the branch, or
  // the branch is ruled out) hides the assignments before it.
  auto branch_assigns = [&](TSNode block) {
    if (ts_node_is_null(block)) return false;
    for (TSNode statement : Module::named_children(block)) {
      TSNode assignment = ts_node_named_child(statement, 0);
      if (ts_node_is_null(assignment) || ts_node_symbol(assignment) != s.assignment) continue;
      TSNode target = ts_node_child_by_field_id(assignment, f.left);
      if (ts_node_symbol(target) == s.identifier && m_.text(target) == name &&
          !ts_node_is_null(ts_node_child_by_field_id(assignment, f.right)) &&
          (!use_at || ts_node_end_byte(assignment) <= *use_at))
        return true;
    }
    return false;
  };
  // A branch that ends in `return` or `raise` never reaches the use after the `if`.
  auto covered = [&](TSNode block) { return branch_assigns(block) || terminates(block, found.scope); };
  auto exhaustive = [&](TSNode statement) {
    bool has_else = false;
    if (!covered(ts_node_child_by_field_id(statement, f.consequence)) &&
        clause_runs(statement, found.scope, depth) != false)
      return false;
    for (TSNode clause : Module::named_children(statement)) {
      TSSymbol k = ts_node_symbol(clause);
      if (k != sym.elif_clause && k != sym.else_clause) continue;
      has_else |= k == sym.else_clause;
      TSNode block = ts_node_child_by_field_id(clause, k == sym.elif_clause ? f.consequence : f.body);
      if (!covered(block) && clause_runs(clause, found.scope, depth) != false) return false;
    }
    return has_else;
  };
  std::optional<uint32_t> hidden_before;
  const Binding* always = nullptr;  // the latest binding that runs on every path to the use
  // Before the use (or up to the scope's end), latest first, until one runs on every path.
  for (auto it = all->rbegin(); it != all->rend(); ++it) {
    const Binding& b = *it;
    if (use_at && b.at > at) continue;
    if (hidden_before && !ts_node_is_null(b.statement) && ts_node_start_byte(b.statement) < *hidden_before) break;
    if (out.size() >= budget_.max_values) {
      truncated = true;  // more paths than the budget: unknown, not a guess
      break;
    }
    if (ts_node_is_null(b.statement)) {
      out.push_back(&b);
      break;
    }
    Runs r = runs(b.statement, found.scope, use_at, depth);
    if (r == Runs::kNever) continue;
    // A loop target is bound only when the loop runs at least once.
    if (r == Runs::kAlways && ts_node_symbol(b.statement) == s.for_statement && !(use_at && holds(b.statement, at))) {
      Values items = evaluate(ts_node_child_by_field_id(b.statement, f.right), found.scope,
                              ts_node_start_byte(b.statement), depth + 1);
      bool nonempty = !items.unknown && !items.items.empty();
      for (const Value& v : items.items)
        nonempty &=
            (v.kind == ValueKind::kTuple || v.kind == ValueKind::kList) && ts_node_named_child_count(v.node) > 0;
      if (!nonempty) r = Runs::kMaybe;
    }
    out.push_back(&b);
    if (r == Runs::kAlways) {
      always = &b;
      break;
    }
    if (hidden_before || b.kind != BindingKind::kAssignment || ts_node_symbol(b.statement) != s.assignment) continue;
    // assignment, statement, block, clause (or the `if` itself), `if`
    const std::vector<TSNode> up = m_.ancestors(b.statement);
    auto above = [&up](size_t k) { return up.size() >= k ? up[up.size() - k] : TSNode{}; };
    TSNode block = above(2);
    TSNode clause = above(3);
    if (ts_node_is_null(clause)) continue;
    TSNode statement = ts_node_symbol(clause) == s.if_statement ? clause : above(4);
    if (ts_node_eq(clause, statement) && ts_node_eq(block, ts_node_child_by_field_id(statement, f.consequence))) {
      // `if name is None:` / `if not name:` whose branch assigns the name.
      TSNode condition = ts_node_child_by_field_id(statement, f.condition);
      std::optional<bool> falsy;
      auto is_name = [&](TSNode n) { return ts_node_symbol(n) == s.identifier && m_.text(n) == name; };
      if (ts_node_symbol(condition) == sym.not_operator && is_name(ts_node_named_child(condition, 0))) falsy = true;
      if (ts_node_symbol(condition) == sym.comparison_operator && ts_node_child_count(condition) == 3) {
        std::string_view op = m_.text(ts_node_child(condition, 1));
        TSNode left = ts_node_named_child(condition, 0), right = ts_node_named_child(condition, 1);
        if ((op == "is" || op == "==") &&
            ((is_name(left) && ts_node_symbol(right) == s.none) || (is_name(right) && ts_node_symbol(left) == s.none)))
          falsy = false;
      }
      if (falsy && runs(statement, found.scope, use_at, depth) == Runs::kAlways)
        guards.push_back({ts_node_start_byte(statement), *falsy});
    }
    if (!ts_node_is_null(statement) && ts_node_symbol(statement) == s.if_statement &&
        runs(statement, found.scope, use_at, depth) == Runs::kAlways && exhaustive(statement))
      hidden_before = ts_node_start_byte(statement);
  }
  if (!use_at) return out;
  // Later assignments in a loop that holds the use reach it on the next
  // iteration, unless an assignment in the loop before the use hides them.
  std::vector<std::pair<uint32_t, uint32_t>> loops;  // byte ranges that repeat with the use
  const TSNode innermost = ts_node_descendant_for_byte_range(top, at, at);
  const std::vector<TSNode> up = m_.ancestors(innermost);
  size_t i = up.size();
  for (TSNode n = innermost; !ts_node_is_null(n) && !ts_node_eq(n, top); n = i > 0 ? up[--i] : TSNode{}) {
    TSSymbol k = ts_node_symbol(n);
    if (k == s.function_definition || k == s.lambda || k == s.class_definition) break;
    TSNode range = k == s.for_statement ? ts_node_child_by_field_id(n, f.body) : n;
    if ((k != s.for_statement && k != sym.while_statement) || !holds(range, at)) continue;
    uint32_t begin = ts_node_start_byte(range);
    if (always != nullptr && !ts_node_is_null(always->statement) && ts_node_start_byte(always->statement) >= begin)
      break;  // hidden in this loop and in the loops around it
    loops.emplace_back(begin, ts_node_end_byte(range));
  }
  for (const Binding& b : *all) {
    if (loops.empty()) break;
    if (b.at <= at || ts_node_is_null(b.statement)) continue;
    uint32_t start = ts_node_start_byte(b.statement);
    bool repeats = false;
    for (const auto& [begin, end] : loops) repeats |= begin <= start && start < end;
    if (!repeats) continue;
    if (out.size() >= budget_.max_values) {
      truncated = true;
      break;
    }
    if (runs(b.statement, found.scope, std::nullopt, depth) != Runs::kNever) out.push_back(&b);
  }
  return out;
}

Values Evaluator::binding_values(const Binding& b, ScopeId binding_scope, std::string_view text, TSNode identifier,
                                 std::optional<uint32_t> use_at, uint32_t at, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  ScopeId scope = binding_scope;
  switch (b.kind) {
    case BindingKind::kImport: {
      Values values = imported(b.qualified, b.statement, scope, at, depth);
      Hop hop{m_.span(b.statement), "`" + std::string(text) + "` is imported here"};
      if (values.items.size() == 1 && values.items[0].kind == ValueKind::kImported) {
        values.items[0].import_hop = std::move(hop);
        return values;
      }
      return with_hop(std::move(values), std::move(hop));
    }
    case BindingKind::kClass:
      return one({ValueKind::kClass, {}, b.value, scope, at});
    case BindingKind::kAssignment: {
      Values values = evaluate(b.value, scope, ts_node_start_byte(b.statement), depth + 1);
      return with_hop(std::move(values),
                      {m_.span(b.statement), "the value of `" + std::string(text) + "` comes from this assignment"});
    }
    case BindingKind::kUnknown:
      break;
  }
  if (b.entered) {
    // `with manager as name`: what the manager's __enter__ returns.
    Values managers = evaluate(b.value, scope, ts_node_start_byte(b.statement), depth + 1);
    Values out;
    out.unknown = managers.unknown;
    for (const Value& v : managers.items) {
      std::optional<std::string> entered;
      if (v.kind == ValueKind::kInstance && !v.text.empty() && factories_) entered = factories_(v.text + ".__enter__", true);
      if (!entered) {
        out.unknown = true;
        continue;
      }
      Value instance = v;
      instance.text = *entered;
      instance.hops.insert(instance.hops.begin(), {m_.span(b.statement), "`" + std::string(text) + "` is entered here"});
      out.items.push_back(std::move(instance));
    }
    return out;
  }
  TSNode statement = b.statement;
  if (ts_node_is_null(statement)) return Values::of_unknown();  // a local used before it is bound
  TSSymbol kind = ts_node_symbol(statement);
  if (kind == s.for_statement) return loop_target(b, scope, use_at, depth);
  if (kind == s.assignment) return unpacked(b, scope, text, depth);
  if (kind != s.function_definition && kind != s.lambda) return Values::of_unknown();
  TSNode function_name = ts_node_child_by_field_id(statement, f.name);
  if (!ts_node_is_null(function_name) && !ts_node_is_null(identifier) && ts_node_eq(function_name, identifier))
    return Values::of_unknown();
  if (!ts_node_is_null(function_name) && m_.text(function_name) == text && scope != m_.scope_of(statement)) {
    // The function's own name, bound in the enclosing scope. A decorator
    // may replace the function: only staticmethod / classmethod keep it.
    if (const auto* decorators = m_.decorators(statement)) {
      for (TSNode decorator : *decorators) {
        std::string_view written = m_.text(decorator);
        if (written != "@staticmethod" && written != "@classmethod") return Values::of_unknown();
      }
    }
    return one({ValueKind::kFunction, {}, statement, scope, at});
  }
  return parameter(statement, text, depth + 1);
}

Values Evaluator::loop_target(const Binding& b, ScopeId scope, std::optional<uint32_t> use_at, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  const BranchSymbols& sym = branch_symbols(m_.grammar().language);
  TSNode loop = b.statement;
  TSNode left = ts_node_child_by_field_id(loop, f.left);
  TSNode right = ts_node_child_by_field_id(loop, f.right);
  TSNode body = ts_node_child_by_field_id(loop, f.body);
  if (ts_node_symbol(left) != s.identifier) return Values::of_unknown();
  // Inside the loop: each element. After it: the last one, unless a `break`
  // (of this loop, not of one nested in it) may end it early.
  bool every = use_at && holds(body, *use_at);
  std::vector<TSNode> stack{body};
  while (!every && !stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    TSSymbol k = ts_node_symbol(n);
    if (k == sym.break_statement) every = true;
    if (k == s.for_statement || k == sym.while_statement || k == s.function_definition || k == s.lambda ||
        k == s.class_definition)
      continue;
    for (TSNode child : Module::named_children(n)) stack.push_back(child);
    if (++steps_ > budget_.max_steps) return Values::of_unknown();
  }
  Values containers = evaluate(right, scope, ts_node_start_byte(loop), depth + 1);
  Values out;
  out.unknown = containers.unknown;
  for (const Value& c : containers.items) {
    if (c.kind != ValueKind::kTuple && c.kind != ValueKind::kList) {
      out.unknown = true;
      continue;
    }
    uint32_t size = 0;
    bool splat = false;
    for (TSNode element : Module::named_children(c.node)) {
      splat |= ts_node_symbol(element) == s.list_splat;
      size += ts_node_symbol(element) != s.comment ? 1 : 0;
    }
    if (splat) {
      out.unknown = true;
      continue;
    }
    for (uint32_t i = every ? 0 : size - 1; i < size; ++i) out.add(element_of(c, i, depth + 1));
  }
  return with_hop(std::move(out), {m_.span(right), "the loop assigns `" + std::string(m_.text(left)) +
                                                       (every ? "` each element of this sequence"
                                                              : "` the last element of this sequence")});
}

Values Evaluator::unpacked(const Binding& b, ScopeId scope, std::string_view text, int depth) {
  // `a, b = f()`: the element at a's position of each sequence the right side may be.
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  TSNode left = ts_node_child_by_field_id(b.statement, f.left);
  TSNode right = ts_node_child_by_field_id(b.statement, f.right);
  TSSymbol k = ts_node_symbol(left);
  if ((k != s.pattern_list && k != s.tuple_pattern && k != s.list_pattern) || ts_node_is_null(right) ||
      ts_node_symbol(right) == s.assignment)
    return Values::of_unknown();
  std::optional<uint32_t> index;
  uint32_t size = 0;
  for (TSNode target : Module::named_children(left)) {
    TSSymbol t = ts_node_symbol(target);
    if (t == s.comment) continue;
    if (t == s.list_splat_pattern) return Values::of_unknown();
    if (t == s.identifier && m_.text(target) == text) index = size;
    ++size;
  }
  if (!index) return Values::of_unknown();
  Values sources = evaluate(right, scope, ts_node_start_byte(b.statement), depth + 1);
  Values out;
  out.unknown = sources.unknown;
  for (const Value& v : sources.items) {
    if (std::optional<Value> options = parsed_options(v)) {
      // `(options, args) = parser.parse_args()`
      if (*index != 0 || size != 2) {
        out.unknown = true;
        continue;
      }
      out.items.push_back(std::move(*options));
      continue;
    }
    uint32_t elements = 0;
    bool splat = false;
    if (v.kind == ValueKind::kTuple || v.kind == ValueKind::kList) {
      for (TSNode element : Module::named_children(v.node)) {
        splat |= ts_node_symbol(element) == s.list_splat;
        elements += ts_node_symbol(element) != s.comment ? 1 : 0;
      }
    }
    if (elements != size || splat) {
      out.unknown = true;
      continue;
    }
    out.add(element_of(v, *index, depth + 1));
  }
  return with_hop(std::move(out), {m_.span(b.statement), "`" + std::string(text) + "` is unpacked here"});
}

std::optional<Evaluator::GetoptOption> Evaluator::getopt_option(const Binding& b, ScopeId scope) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  const BranchSymbols& sym = branch_symbols(m_.grammar().language);
  if (b.kind != BindingKind::kAssignment || ts_node_symbol(b.value) != s.identifier) return std::nullopt;
  GetoptOption out;
  TSNode top = m_.scope_node(scope);
  const std::vector<TSNode> up = m_.ancestors(b.statement);
  for (size_t i = up.size(); i > 0 && !ts_node_eq(up[i - 1], top); --i) {
    const TSNode n = up[i - 1];
    TSSymbol k = ts_node_symbol(n);
    if (k == s.function_definition || k == s.lambda || k == s.class_definition) return std::nullopt;
    if ((k == s.if_statement || k == sym.elif_clause) && ts_node_is_null(out.condition)) {
      if (!holds(ts_node_child_by_field_id(n, f.consequence), ts_node_start_byte(b.statement))) return std::nullopt;
      out.condition = ts_node_child_by_field_id(n, f.condition);
    } else if (k == s.for_statement) {
      out.loop = n;
      break;
    }
  }
  if (ts_node_is_null(out.condition) || ts_node_is_null(out.loop)) return std::nullopt;
  // `for o, a in opts`, the value assigned being `a`.
  TSNode targets = ts_node_child_by_field_id(out.loop, f.left);
  if (ts_node_symbol(targets) != s.pattern_list && ts_node_symbol(targets) != s.tuple_pattern) return std::nullopt;
  std::vector<TSNode> pair = Module::named_children(targets);
  if (pair.size() != 2 || ts_node_symbol(pair[0]) != s.identifier || ts_node_symbol(pair[1]) != s.identifier ||
      m_.text(pair[1]) != m_.text(b.value))
    return std::nullopt;
  // `opts` from `opts, args = getopt.getopt(...)` (or gnu_getopt).
  TSNode opts = ts_node_child_by_field_id(out.loop, f.right);
  if (ts_node_symbol(opts) != s.identifier) return std::nullopt;
  Module::Lookup made = m_.lookup(m_.text(opts), scope, ts_node_start_byte(out.loop));
  if (made.binding == nullptr || ts_node_is_null(made.binding->statement) ||
      ts_node_symbol(made.binding->statement) != s.assignment)
    return std::nullopt;
  TSNode unpack = ts_node_child_by_field_id(made.binding->statement, f.left);
  TSNode call = ts_node_child_by_field_id(made.binding->statement, f.right);
  if ((ts_node_symbol(unpack) != s.pattern_list && ts_node_symbol(unpack) != s.tuple_pattern) ||
      ts_node_symbol(call) != s.call || m_.text(ts_node_named_child(unpack, 0)) != m_.text(opts))
    return std::nullopt;
  std::string getopt =
      m_.resolve(ts_node_child_by_field_id(call, f.function), made.scope, ts_node_start_byte(made.binding->statement))
          .qualified;
  if (getopt != "getopt.getopt" && getopt != "getopt.gnu_getopt") return std::nullopt;
  // `o == "-h"`, `"-h" == o`, `o in ("-h", "--host")`.
  if (ts_node_symbol(out.condition) != sym.comparison_operator || ts_node_named_child_count(out.condition) != 2 ||
      ts_node_child_count(out.condition) != 3)
    return std::nullopt;
  std::string_view op = m_.text(ts_node_child(out.condition, 1));
  TSNode first = ts_node_named_child(out.condition, 0);
  TSNode second = ts_node_named_child(out.condition, 1);
  std::vector<TSNode> strings;
  if (op == "==") {
    if (ts_node_symbol(first) == s.string) std::swap(first, second);
    strings.push_back(second);
  } else if (op == "in" && (ts_node_symbol(second) == s.tuple || ts_node_symbol(second) == s.list)) {
    strings = Module::named_children(second);
  } else {
    return std::nullopt;
  }
  if (ts_node_symbol(first) != s.identifier || m_.text(first) != m_.text(pair[0])) return std::nullopt;
  for (TSNode string : strings) {
    if (ts_node_symbol(string) != s.string) return std::nullopt;
    std::optional<std::string> option = decode_string(m_, string);
    if (!option || !option->starts_with("-")) return std::nullopt;
    if (out.option.empty() || (option->starts_with("--") && !out.option.starts_with("--"))) out.option = *option;
  }
  if (out.option.empty()) return std::nullopt;
  return out;
}

std::optional<TSNode> Evaluator::enclosing_class(ScopeId function_scope) const {
  if (m_.scope_kind(function_scope) != ScopeKind::kFunction) return std::nullopt;
  ScopeId parent = m_.parent_scope(function_scope);
  if (m_.scope_kind(parent) != ScopeKind::kClass) return std::nullopt;
  return m_.scope_node(parent);
}

std::optional<Evaluator::Parameter> Evaluator::find_parameter(TSNode definition, std::string_view name) const {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  TSNode parameters = ts_node_child_by_field_id(definition, f.parameters);
  if (ts_node_is_null(parameters)) return std::nullopt;
  int position = 0;
  bool keyword_only = false;
  for (uint32_t i = 0, n = ts_node_named_child_count(parameters); i < n; ++i) {
    TSNode p = ts_node_named_child(parameters, i);
    TSSymbol k = ts_node_symbol(p);
    Parameter out;
    out.node = p;
    TSNode id = p;
    if (k == s.default_parameter || k == s.typed_default_parameter) {
      id = ts_node_child_by_field_id(p, f.name);
      out.default_value = ts_node_child_by_field_id(p, f.value);
      if (k == s.typed_default_parameter) out.annotation = ts_node_child_by_field_id(p, f.type);
    } else if (k == s.typed_parameter) {
      id = ts_node_named_child(p, 0);
      out.annotation = ts_node_child_by_field_id(p, f.type);
      if (!ts_node_is_null(id) && ts_node_symbol(id) != s.identifier) {
        out.variadic = true;
        id = ts_node_named_child(id, 0);
      }
    } else if (k == s.list_splat_pattern || k == s.dictionary_splat_pattern) {
      out.variadic = true;
      id = ts_node_named_child(p, 0);
      if (k == s.list_splat_pattern) keyword_only = true;
    } else if (k == s.keyword_separator) {
      keyword_only = true;
      continue;
    } else if (k != s.identifier) {
      continue;  // `/` separator and the like
    }
    bool positional = !keyword_only && !out.variadic;
    if (!ts_node_is_null(id) && m_.text(id) == name) {
      out.position = positional ? position : -1;
      return out;
    }
    if (positional) ++position;
  }
  return std::nullopt;
}

Values Evaluator::parameter(TSNode definition, std::string_view name, int depth) {
  std::optional<Parameter> p = find_parameter(definition, name);
  if (!p || p->variadic) return Values::of_unknown();
  std::optional<ScopeId> inner = m_.scope_of(definition);
  if (!inner) return Values::of_unknown();
  ScopeId outer = m_.parent_scope(*inner);
  // `self` / `cls`: the first parameter of a method.
  if (p->position == 0) {
    if (std::optional<TSNode> cls = enclosing_class(*inner)) {
      bool is_static = false, is_classmethod = false;
      if (const auto* decorators = m_.decorators(definition)) {
        for (TSNode decorator : *decorators) {
          std::string_view d = m_.text(decorator);
          is_static |= d == "@staticmethod";
          is_classmethod |= d == "@classmethod";
        }
      }
      if (!is_static) {
        // The scope the class is defined in, where its bases are resolved.
        Value v{is_classmethod ? ValueKind::kClass : ValueKind::kInstance, {}, *cls, m_.parent_scope(outer), 0};
        return one(std::move(v));
      }
    }
  }
  if (building_) return Values::of_unknown();
  std::string quoted = "`" + std::string(name) + "`";
  auto default_values = [&](std::string_view why) {
    if (ts_node_is_null(p->default_value)) return Values::of_unknown();
    Values values = evaluate(p->default_value, outer, ts_node_start_byte(definition), depth + 1);
    return with_hop(std::move(values), {m_.span(p->node), "parameter " + quoted + " takes its default " + std::string(why)});
  };
  // click calls a command itself: the parameter holds its option's default.
  if (const auto* decorators = m_.decorators(definition)) {
    for (TSNode decorator : *decorators) {
      TSNode call = ts_node_named_child(decorator, 0);
      if (ts_node_is_null(call) || ts_node_symbol(call) != m_.grammar().sym.call) continue;
      std::string q = m_.resolve(ts_node_child_by_field_id(call, m_.grammar().field.function), outer,
                                 ts_node_start_byte(definition))
                          .qualified;
      if (q != "click.option") continue;
      std::vector<std::string> options;
      std::optional<std::string> explicit_name;
      for (TSNode a : Module::named_children(ts_node_child_by_field_id(call, m_.grammar().field.arguments))) {
        if (ts_node_symbol(a) != m_.grammar().sym.string) continue;
        std::optional<std::string> text = decode_string(m_, a);
        if (!text) continue;
        (text->starts_with("-") ? options.push_back(*text) : (void)(explicit_name = *text));
      }
      std::optional<std::string> dest = dest_of(options, explicit_name);
      if (!dest || *dest != name) continue;
      Argument fallback = argument(call, outer, -1, "default");
      if (!fallback.known || argument(call, outer, -1, "required").found) return Values::of_unknown();
      std::string option = options.empty() ? std::string(name) : options.front();
      for (const std::string& o : options)
        if (o.starts_with("--")) option = o;
      Values values = fallback.found ? evaluate(fallback.node, fallback.scope, fallback.at, depth + 1)
                                     : one({ValueKind::kNone, "None", call, outer, 0});
      for (Value& v : values.items) v.option = option;
      return with_hop(std::move(values),
                      {m_.span(call), "option `" + option + "` takes this default when it is not given"});
    }
  }
  if (linker_ != nullptr && conditions_ == 0) {
    // What a call writes: the function's name, its class's for a constructor (lambdas have none).
    std::string_view word = definition_name(definition);
    std::optional<TSNode> cls = enclosing_class(*inner);
    if (cls && (word == "__init__" || word == "__new__")) word = definition_name(*cls);
    if (!word.empty()) linker_->callers_asked(m_, word);
  }
  // A copy: evaluating a caller's argument may build other modules' call
  // graphs, which add edges to this function and reallocate the vector.
  const std::vector<Edge> edges = calls_of(definition);
  // A function the file also hands around (a callback, an alias) has callers
  // the file does not show: their arguments are unknown.
  bool escapes = this->escapes(definition, edges.size());
  if (edges.empty() && escapes) return Values::of_unknown();
  if (edges.empty()) {
    if (!ts_node_is_null(p->default_value)) return default_values("(no call in this file passes it)");
    if (!ts_node_is_null(p->annotation)) {
      // `def run(server_class: DocXMLRPCServer)`: what the annotation names.
      Values named = evaluate(p->annotation, outer, ts_node_start_byte(definition), depth + 1);
      Values out;
      out.unknown = named.unknown;
      for (Value& v : named.items)
        if (v.kind == ValueKind::kImported || v.kind == ValueKind::kClass) out.items.push_back(std::move(v));
      return with_hop(std::move(out), {m_.span(p->node), "parameter " + quoted + " is annotated with this class"});
    }
    return Values::of_unknown();
  }
  if (edges.size() > budget_.max_call_sites) return Values::of_unknown();
  bool is_method = enclosing_class(*inner).has_value();
  Values out;
  bool defaulted = false;
  for (const Edge& edge : edges) {
    int position = p->position;
    if (position >= 0 && is_method && edge.bound) --position;
    if (position < 0 && p->position >= 0) continue;  // self itself
    Evaluator& caller = edge.caller != nullptr ? *edge.caller : *this;
    if (caller.never_runs(edge.call, edge.scope)) continue;  // a call a constant condition rules out
    Value callee;
    callee.partial = edge.partial;
    callee.partial_scope = edge.partial_scope;
    Argument arg = caller.argument(callee, edge.call, edge.scope, position, name);
    if (!arg.known) {
      out.unknown = true;
      continue;
    }
    if (!arg.found) {
      defaulted = true;
      continue;
    }
    if (&caller != this) {
      Values there = caller.values_of(arg.node, arg.scope, arg.at);
      Hop hop{caller.m_.span(arg.node), "parameter " + quoted + " gets this argument", &caller.m_};
      out.add(with_hop(std::move(there), hop));
      continue;
    }
    out.add(with_hop(evaluate(arg.node, arg.scope, arg.at, depth + 1),
                     {m_.span(arg.node), "parameter " + quoted + " gets this argument"}));
  }
  if (defaulted) out.add(default_values("(a call omits it)"));
  out.unknown |= escapes;
  return out;
}

std::string_view Evaluator::definition_name(TSNode definition) const {
  TSNode name = ts_node_child_by_field_id(definition, m_.grammar().field.name);
  return ts_node_is_null(name) ? std::string_view() : m_.text(name);
}

bool Evaluator::escapes(TSNode definition, size_t calls) {
  std::string_view text = definition_name(definition);
  if (text.empty()) return true;  // a lambda: called wherever it is passed
  if (Linker::is_dunder(text)) return false;  // Python calls these itself
  // Every mention of the name as a word outside comments (strings count,
  // which only errs towards "unknown"), against the definitions plus the calls
  // found. Searched once per name (find() runs at memchr's speed), the comments
  // by binary search: a few names are asked per file. A file that asks for
  // many (a huge generated module asks thousands, each a pass over all its
  // bytes) has all its words counted in one pass instead, to the same counts.
  if (!words_counted_ && !mentions_.contains(text)) {
    if (++names_searched_ > kNamesSearchedOneByOne) {
      count_every_word();
    } else {
      mentions_.emplace(text, mentions_of(text));
    }
  }
  auto it = mentions_.find(text);
  const size_t mentioned = it == mentions_.end() ? 0 : it->second;
  // Methods share names across classes: count every definition of the name.
  return mentioned > calls + definitions_named(text);
}

size_t Evaluator::mentions_of(std::string_view name) const {
  std::string_view source = m_.source();
  const std::vector<Comment>& comments = m_.comments();  // in source order
  size_t count = 0;
  for (size_t at = source.find(name); at != std::string_view::npos; at = source.find(name, at + 1)) {
    size_t end = at + name.size();
    if ((at > 0 && is_word_byte(source[at - 1])) || (end < source.size() && is_word_byte(source[end]))) continue;
    auto after = std::upper_bound(comments.begin(), comments.end(), at,
                                  [&](size_t position, const Comment& c) { return position < offset_in(source, c); });
    if (after != comments.begin() && offset_in(source, after[-1]) + after[-1].text.size() > at) continue;
    ++count;
  }
  return count;
}

void Evaluator::count_every_word() {
  mentions_.clear();
  std::string_view source = m_.source();
  const std::vector<Comment>& comments = m_.comments();  // in source order
  auto comment = comments.begin();
  for (size_t at = 0; at < source.size();) {
    while (comment != comments.end() && offset_in(source, *comment) < at) ++comment;
    if (comment != comments.end() && offset_in(source, *comment) == at) {
      at += std::max<size_t>(comment->text.size(), 1);
    } else if (!is_word_byte(source[at])) {
      ++at;
    } else {
      size_t start = at;
      while (at < source.size() && is_word_byte(source[at])) ++at;
      ++mentions_[source.substr(start, at - start)];
    }
  }
  words_counted_ = true;
}

size_t Evaluator::definitions_named(std::string_view name) { return m_.functions_named(name); }

Evaluator::Argument Evaluator::argument(TSNode call, ScopeId scope, int position, std::string_view keyword) {
  Question q(*this);
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  Argument out;
  // A call in another module (an instance created there) is that module's
  // evaluator's to read.
  if (!m_.owns(call)) {
    out.known = false;
    return out;
  }
  TSNode arguments = ts_node_child_by_field_id(call, f.arguments);
  if (ts_node_is_null(arguments) || ts_node_symbol(arguments) != s.argument_list) {
    out.known = false;  // a generator argument
    return out;
  }
  uint32_t at = ts_node_start_byte(call);
  int index = 0;
  for (TSNode a : Module::named_children(arguments)) {
    TSSymbol k = ts_node_symbol(a);
    if (k == s.comment) continue;
    if (k == s.keyword_argument) {
      TSNode name = ts_node_child_by_field_id(a, f.name);
      if (!keyword.empty() && !ts_node_is_null(name) && m_.text(name) == keyword)
        return {ts_node_child_by_field_id(a, f.value), scope, at, true, true, ts_node_child_by_field_id(a, f.value)};
      continue;
    }
    if (k == s.list_splat || k == s.dictionary_splat) {
      // `*args` / `**kw` of a literal tuple or dict, possibly through names.
      Values spread = evaluate(ts_node_named_child(a, 0), scope, at, 1);
      if (spread.unknown || spread.items.size() != 1) {
        out.known = false;
        continue;
      }
      const Value& v = spread.items[0];
      if (k == s.list_splat && (v.kind == ValueKind::kTuple || v.kind == ValueKind::kList)) {
        for (TSNode element : Module::named_children(v.node)) {
          if (ts_node_symbol(element) == s.comment) continue;
          if (ts_node_symbol(element) == s.list_splat) return {{}, scope, at, false, false, {}};
          if (index++ == position) return {element, v.scope, v.at, true, true, a};
        }
        continue;
      }
      if (k == s.dictionary_splat && v.kind == ValueKind::kDict) {
        for (TSNode pair : Module::named_children(v.node)) {
          if (ts_node_symbol(pair) == s.comment) continue;
          if (ts_node_symbol(pair) != s.pair) {
            out.known = false;
            break;
          }
          std::optional<std::string> key = constant_key(ts_node_child_by_field_id(pair, f.key), v.scope, v.at, 1);
          if (!key) {
            out.known = false;
            continue;
          }
          if (!keyword.empty() && *key == keyword)
            return {ts_node_child_by_field_id(pair, f.value), v.scope, v.at, true, true, a};
        }
        continue;
      }
      out.known = false;
      continue;
    }
    if (position >= 0 && index == position && out.known) return {a, scope, at, true, true, a};
    ++index;
  }
  return out;
}

Evaluator::Argument Evaluator::argument(const Value& callee, TSNode call, ScopeId scope, int position,
                                        std::string_view keyword) {
  if (ts_node_is_null(callee.partial)) return argument(call, scope, position, keyword);
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  Argument unknown;
  unknown.known = false;
  if (callee.module != nullptr && callee.module != &m_) return unknown;  // a partial made in another module
  // The call's own keyword replaces the partial's.
  if (!keyword.empty()) {
    Argument own = argument(call, scope, -1, keyword);
    if (!own.known || own.found) return own;
  }
  // The partial's positional arguments after the function come first.
  int bound = -1;
  for (TSNode a : Module::named_children(ts_node_child_by_field_id(callee.partial, f.arguments))) {
    TSSymbol k = ts_node_symbol(a);
    if (k == s.list_splat || k == s.dictionary_splat) return unknown;
    if (k != s.comment && k != s.keyword_argument) ++bound;
  }
  TSNode written = ts_node_child_by_field_id(call, f.function);
  Argument supplied = position >= 0 && position < bound
                          ? argument(callee.partial, callee.partial_scope, position + 1, "")
                          : argument(callee.partial, callee.partial_scope, -1, keyword);
  if (supplied.found) {
    supplied.written = written;
    return supplied;
  }
  return argument(call, scope, position < 0 ? -1 : position - std::max(bound, 0), keyword);
}

bool Evaluator::names_partial(TSNode callee, ScopeId scope, uint32_t at) const {
  // `p = functools.partial(f, ...)` then `p(...)`: a call of f (cheap test on the text).
  if (ts_node_symbol(callee) != m_.grammar().sym.identifier) return false;
  Module::Lookup found = m_.lookup(m_.text(callee), scope, at);
  if (found.binding == nullptr || found.binding->kind != BindingKind::kAssignment ||
      ts_node_symbol(found.binding->value) != m_.grammar().sym.call)
    return false;
  return m_.text(ts_node_child_by_field_id(found.binding->value, m_.grammar().field.function)).ends_with("partial");
}

std::optional<std::string> Evaluator::constant_key(TSNode node, ScopeId scope, uint32_t at, int depth) {
  Values keys = evaluate(node, scope, at, depth + 1);
  if (keys.unknown || keys.items.size() != 1) return std::nullopt;
  const Value& k = keys.items[0];
  if (k.kind == ValueKind::kString || k.kind == ValueKind::kInt) return k.text;
  return std::nullopt;
}

const std::vector<Evaluator::Edge>& Evaluator::calls_of(TSNode definition) {
  // By name; dunders by the names that may hold a class or an instance
  // (`__init__` is called by its class's name); lambdas by every call.
  std::string_view name = definition_name(definition);
  if (linker_ != nullptr) {
    linker_->build_graphs_reaching(m_, factories_, name);
  } else if (Linker::is_dunder(name)) {
    build_dunder_sites(name);
  } else if (name.empty()) {
    build_call_graph();
  } else {
    build_calls_named(name);
  }
  static const std::vector<Edge> kNone;
  auto it = callers_.find(id_of(definition));
  return it == callers_.end() ? kNone : it->second;
}

void Evaluator::build_call_graph() {
  if (graph_built_) return;
  graph_built_ = true;
  std::vector<uint32_t> all(m_.calls().size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  build_sites(all);
}

void Evaluator::index_sites_by_name() {
  if (!sites_by_name_.empty()) return;
  for (uint32_t i = 0; i < m_.calls().size(); ++i) {
    const CallSite& site = m_.calls()[i];
    bool named = !site.name.empty() && !names_partial(site.callee, site.scope, ts_node_start_byte(site.node));
    sites_by_name_[named ? site.name : std::string_view()].push_back(i);
  }
}

const std::vector<uint32_t>& Evaluator::calls_named(std::string_view name) {
  if (calls_by_name_.empty())
    for (uint32_t i = 0; i < m_.calls().size(); ++i) calls_by_name_[m_.calls()[i].name].push_back(i);
  static const std::vector<uint32_t> kNone;
  auto it = calls_by_name_.find(name);
  return it == calls_by_name_.end() ? kNone : it->second;
}

void Evaluator::build_calls_named(std::string_view name) {
  if (graph_built_ || !names_built_.insert(name).second) return;
  index_sites_by_name();
  for (std::string_view key : {name, std::string_view()})
    if (auto it = sites_by_name_.find(key); it != sites_by_name_.end()) build_sites(it->second);
}

bool Evaluator::may_name_class(std::string_view name) {
  if (linker_ != nullptr) return linker_->may_name_class(name);
  if (!class_names_here_) {
    std::vector<std::string_view> names = m_.names_bound_not_by_def();
    class_names_here_.emplace(names.begin(), names.end());
  }
  return class_names_here_->contains(name);
}

void Evaluator::build_dunder_sites(std::string_view dunder) {
  if (graph_built_) return;
  // Without a project the names that may be classes are the file's: fixed.
  size_t names = linker_ != nullptr ? linker_->class_name_count() : 0;
  auto [built, first] = dunder_sites_built_.try_emplace(std::string(dunder), names);
  if (!first && built->second == names) return;
  built->second = names;
  index_sites_by_name();
  // Sites already built are skipped by build_sites: asked again after more
  // modules are attached, only the names they made possible cost anything.
  for (const auto& [name, sites] : sites_by_name_)
    if (name.empty() || name == dunder || may_name_class(name)) build_sites(sites);
}

void Evaluator::build_sites(const std::vector<uint32_t>& sites) {
  if (site_built_.empty()) site_built_.assign(m_.calls().size(), 0);
  // While building, parameters read as unknown: those answers are dropped
  // with the build's memo, and the answers from before it are kept.
  std::unordered_map<Key, Values, KeyHash> saved_memo;
  saved_memo.swap(memo_);
  bool was_building = building_;
  building_ = true;
  size_t saved_steps = steps_;
  for (uint32_t index : sites) {
    if (site_built_[index]) continue;
    site_built_[index] = 1;
    const CallSite& site = m_.calls()[index];
    steps_ = 0;  // each callee is one question of its own
    TSNode callee = site.callee;
    // Only a name the file defines as a function or class can lead to one
    // (an alias `g = f` makes f escape, see escapes()).
    if (!site.name.empty() && !m_.defines_function(site.name) && !m_.defines_class(site.name) &&
        !names_partial(callee, site.scope, ts_node_start_byte(site.node))) {
      // In a project, an imported name may be another module's function or class.
      if (linker_ == nullptr) continue;
      if (m_.resolve(callee, site.scope, ts_node_start_byte(site.node)).qualified.empty()) continue;
    }
    Values targets = evaluate(callee, site.scope, ts_node_start_byte(site.node), 0);
    for (const Value& v : targets.items) {
      Evaluator& target = owner(v);
      Evaluator* caller = &target == this ? nullptr : this;
      // A partial made in another module: its arguments are not followed, so
      // neither is the call (the function then escapes: unknown).
      if (!ts_node_is_null(v.partial) && caller != nullptr) continue;
      if (v.kind == ValueKind::kFunction) {
        target.add_caller(v.node, {site.node, site.scope, v.bound, caller, v.partial, v.partial_scope});
      } else if (v.kind == ValueKind::kClass) {
        Values init = &target == this ? class_member(v.node, v.scope, "__init__", true, 0)
                                      : target.attribute(v, "__init__");
        // An inherited __init__ may sit in a third module: its own evaluator keeps the edge.
        for (const Value& i : init.items) {
          if (i.kind != ValueKind::kFunction) continue;
          Evaluator& init_owner = &target == this ? owner(i) : target.owner(i);
          if (!ts_node_is_null(v.partial) && &init_owner != this) continue;  // as above
          init_owner.add_caller(i.node, {site.node, site.scope, true, &init_owner == this ? nullptr : this, v.partial,
                                         v.partial_scope});
        }
      }
    }
  }
  steps_ = saved_steps;
  building_ = was_building;
  memo_.swap(saved_memo);
}

Values Evaluator::attribute_of(const Value& object, std::string_view member, int depth) {
  if (depth > budget_.max_depth) return Values::of_unknown();
  Values out;
  switch (object.kind) {
    case ValueKind::kImported: {
      if (object.bound) return Values::of_unknown();
      Values values = object.module == nullptr || object.module == &m_
                          ? imported(object.text + "." + std::string(member), object.node, object.scope, object.at,
                                     depth)
                          : owner(object).attribute(object, member);
      for (Value& v : values.items) v.hops.insert(v.hops.begin(), object.hops.begin(), object.hops.end());
      return values;
    }
    case ValueKind::kClass:
      if (&owner(object) != this) return owner(object).attribute(object, member);
      out = class_member(object.node, object.scope, member, false, depth + 1);
      break;
    case ValueKind::kInstance:
      if (&owner(object) != this) return owner(object).attribute(object, member);
      if (object.text == "argparse.Namespace" || object.text == "optparse.Values")
        return option_default(object, member, depth + 1);
      if (!object.text.empty()) {
        // A method or attribute of an instance of an imported class: named
        // "class.member" and bound, with the instance's creation kept so a
        // rule can look at how it was made.
        Value v{ValueKind::kImported, object.text + "." + std::string(member), object.node, object.scope, object.at};
        v.creation = object.creation;
        v.bound = true;
        v.hops = object.hops;
        return one(std::move(v));
      }
      out = instance_member(object, member, depth + 1);
      break;
    default:
      return Values::of_unknown();
  }
  for (Value& v : out.items) v.hops.insert(v.hops.begin(), object.hops.begin(), object.hops.end());
  return out;
}

Values Evaluator::class_member(TSNode definition, ScopeId class_parent, std::string_view member, bool through_instance,
                               int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  if (depth > budget_.max_depth) return Values::of_unknown();
  std::optional<ScopeId> body = m_.scope_of(definition);
  if (!body) return Values::of_unknown();
  if (const auto* bindings = m_.bindings(*body, member); bindings != nullptr && !bindings->empty()) {
    const Binding& b = bindings->back();
    if (b.kind == BindingKind::kClass) return one({ValueKind::kClass, {}, b.value, *body, 0});
    if (b.kind == BindingKind::kAssignment) {
      // Every assignment of the class body must agree to be known: take the last.
      Values values = evaluate(b.value, *body, ts_node_start_byte(b.statement), depth + 1);
      return with_hop(std::move(values), {m_.span(b.statement), "class attribute `" + std::string(member) + "` is set here"});
    }
    if (b.kind == BindingKind::kUnknown && ts_node_symbol(b.statement) == s.function_definition) {
      Value v{ValueKind::kFunction, {}, b.statement, *body, 0};
      v.bound = through_instance;
      return one(std::move(v));
    }
    return Values::of_unknown();
  }
  // Not in the body: the bases, in order.
  TSNode bases = ts_node_child_by_field_id(definition, f.superclasses);
  if (ts_node_is_null(bases)) return Values::of_unknown();
  for (uint32_t i = 0, n = ts_node_named_child_count(bases); i < n; ++i) {
    TSNode base = ts_node_named_child(bases, i);
    if (ts_node_symbol(base) == s.keyword_argument) continue;
    Reference reference = m_.resolve(base, class_parent, ts_node_start_byte(definition));
    if (ts_node_is_null(reference.local_class)) return Values::of_unknown();
    Values found = class_member(reference.local_class, reference.class_scope, member, through_instance, depth + 1);
    if (!found.items.empty() || found.unknown) return found;
  }
  return Values::of_unknown();
}

bool Evaluator::is_dataclass(TSNode definition, ScopeId scope) {
  auto [cached, fresh] = dataclasses_.try_emplace(id_of(definition), false);
  if (!fresh) return cached->second;
  cached->second = is_dataclass_uncached(definition, scope);
  return cached->second;
}

bool Evaluator::is_dataclass_uncached(TSNode definition, ScopeId scope) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  if (const auto* decorators = m_.decorators(definition)) {
    for (TSNode decorator : *decorators) {
      TSNode expression = ts_node_named_child(decorator, 0);
      if (ts_node_symbol(expression) == s.call) expression = ts_node_child_by_field_id(expression, f.function);
      std::string q = m_.resolve(expression, scope, ts_node_start_byte(definition)).qualified;
      if (q == "dataclasses.dataclass") return true;
    }
  }
  TSNode bases = ts_node_child_by_field_id(definition, f.superclasses);
  if (ts_node_is_null(bases)) return false;
  for (uint32_t i = 0, n = ts_node_named_child_count(bases); i < n; ++i) {
    std::string q = m_.resolve(ts_node_named_child(bases, i), scope, ts_node_start_byte(definition)).qualified;
    if (q == "typing.NamedTuple") return true;
  }
  return false;
}

Values Evaluator::instance_member(const Value& instance, std::string_view member, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  TSNode definition = instance.node;
  std::optional<ScopeId> body = m_.scope_of(definition);
  if (!body) return Values::of_unknown();
  std::string quoted = "`" + std::string(member) + "`";

  // Dataclass / NamedTuple fields: the constructor's argument, or the default.
  if (is_dataclass(definition, instance.scope)) {
    TSNode block = ts_node_child_by_field_id(definition, f.body);
    int position = 0;
    for (TSNode statement : Module::named_children(block)) {
      TSNode assignment = ts_node_named_child(statement, 0);
      if (ts_node_is_null(assignment) || ts_node_symbol(assignment) != s.assignment ||
          ts_node_is_null(ts_node_child_by_field_id(assignment, f.type)))
        continue;
      TSNode field_name = ts_node_child_by_field_id(assignment, f.left);
      if (m_.text(field_name) != member) {
        ++position;
        continue;
      }
      TSNode default_value = ts_node_child_by_field_id(assignment, f.right);
      std::vector<Edge> creations;
      if (!ts_node_is_null(instance.creation)) {
        creations.push_back({instance.creation, kModuleScope, true});
        // The scope of the creation call: find it among the file's calls.
        for (const CallSite& site : m_.calls())
          if (ts_node_eq(site.node, instance.creation)) creations.back().scope = site.scope;
      } else {
        return Values::of_unknown();
      }
      Values out;
      for (const Edge& edge : creations) {
        Argument arg = argument(edge.call, edge.scope, position, member);
        if (!arg.known) {
          out.unknown = true;
        } else if (arg.found) {
          out.add(with_hop(evaluate(arg.node, arg.scope, arg.at, depth + 1),
                           {m_.span(arg.node), "field " + quoted + " gets this argument"}));
        } else if (!ts_node_is_null(default_value)) {
          out.add(with_hop(evaluate(default_value, *body, ts_node_start_byte(assignment), depth + 1),
                           {m_.span(assignment), "field " + quoted + " takes its default here"}));
        } else {
          out.unknown = true;
        }
      }
      return out;
    }
  }

  // Writes to the attribute: on `self` in the class's methods, and on any
  // object elsewhere that may be an instance of the class.
  Values writes;
  bool written_in_init = false;
  bool any = false;
  if (writes_by_name_.empty() && !m_.attribute_writes().empty()) {
    for (const AttributeWrite& w : m_.attribute_writes()) writes_by_name_[w.name].push_back({&w, self_class_of(w)});
  }
  static const std::vector<NamedWrite> kNoWrites;
  auto named = writes_by_name_.find(member);
  for (const NamedWrite& write : named == writes_by_name_.end() ? kNoWrites : named->second) {
    // Through the `self` of another class's method: an instance of that
    // class, never of this one (what evaluating the object would answer).
    if (write.self_class != 0 && write.self_class != id_of(definition)) continue;
    const AttributeWrite& w = *write.write;
    bool on_self = false;
    if (ts_node_symbol(w.object) == s.identifier) {
      for (ScopeId scope = w.scope;; scope = m_.parent_scope(scope)) {
        if (m_.scope_kind(scope) == ScopeKind::kFunction && enclosing_class(scope) &&
            ts_node_eq(*enclosing_class(scope), definition)) {
          TSNode function = m_.scope_node(scope);
          TSNode first = first_parameter(function);
          on_self = !ts_node_is_null(first) && m_.text(first) == m_.text(w.object);
          if (on_self) {
            TSNode name = ts_node_child_by_field_id(function, f.name);
            written_in_init |= !ts_node_is_null(name) && m_.text(name) == "__init__";
          }
          break;
        }
        if (scope == kModuleScope) break;
      }
    }
    if (!on_self) {
      // Another object: counts when it may be an instance of this class.
      Values objects = evaluate(w.object, w.scope, ts_node_start_byte(w.statement), depth + 1);
      bool may_be = objects.unknown;
      for (const Value& o : objects.items)
        may_be |= o.kind == ValueKind::kInstance && o.text.empty() && ts_node_eq(o.node, definition);
      if (!may_be) continue;
    }
    any = true;
    if (ts_node_is_null(w.value)) {
      writes.unknown = true;
      continue;
    }
    writes.add(with_hop(evaluate(w.value, w.scope, ts_node_start_byte(w.statement), depth + 1),
                        {m_.span(w.statement), "attribute " + quoted + " is set here"}));
  }
  // One write the analysis cannot tell makes the attribute unknown.
  if (writes.unknown) return Values::of_unknown();
  if (any && written_in_init) return writes;
  Values from_class = class_member(definition, instance.scope, member, true, depth + 1);
  // `self` (made by no call the file shows) may be an instance of a subclass.
  if (from_class.items.empty() && ts_node_is_null(instance.creation) && m_.defines_function(member)) {
    Values overrides = subclass_member(definition, member, depth + 1);
    if (!overrides.items.empty()) from_class = std::move(overrides);
  }
  if (!any) return from_class;
  writes.add(std::move(from_class));
  return writes;
}

TSNode Evaluator::first_parameter(TSNode function) const {
  TSNode parameters = ts_node_child_by_field_id(function, m_.grammar().field.parameters);
  return ts_node_is_null(parameters) ? TSNode{} : ts_node_named_child(parameters, 0);
}

uintptr_t Evaluator::self_class_of(const AttributeWrite& write) const {
  const auto& s = m_.grammar().sym;
  if (ts_node_symbol(write.object) != s.identifier) return 0;
  std::optional<TSNode> cls = enclosing_class(write.scope);
  if (!cls) return 0;
  // The object must be the method's first parameter, never rebound there,
  // and the method not static: then `parameter` answers an instance (or,
  // in a classmethod, the class) of the enclosing class and nothing else.
  std::string_view name = m_.text(write.object);
  const auto* bindings = m_.bindings(write.scope, name);
  TSNode function = m_.scope_node(write.scope);
  if (bindings == nullptr || bindings->size() != 1 || !ts_node_eq(bindings->front().statement, function))
    return 0;
  TSNode first = first_parameter(function);
  if (ts_node_is_null(first) || ts_node_symbol(first) != s.identifier || m_.text(first) != name) return 0;
  if (const auto* decorators = m_.decorators(function))
    for (TSNode decorator : *decorators)
      if (m_.text(decorator) == "@staticmethod") return 0;
  return id_of(*cls);
}

Values Evaluator::subclass_member(TSNode definition, std::string_view member, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  if (depth > budget_.max_depth) return Values::of_unknown();
  if (!subclasses_) {
    // Once per file: each class's bases that are classes of the file (the
    // module's class scopes, not a walk of the tree).
    subclasses_.emplace();
    for (ScopeId body = 0; body < m_.scope_count(); ++body) {
      if (m_.scope_kind(body) != ScopeKind::kClass) continue;
      TSNode n = m_.scope_node(body);
      TSNode bases = ts_node_child_by_field_id(n, f.superclasses);
      if (ts_node_is_null(bases)) continue;
      for (TSNode base : Module::named_children(bases)) {
        if (ts_node_symbol(base) == s.keyword_argument) continue;
        TSNode local = m_.resolve(base, m_.parent_scope(body), ts_node_start_byte(n)).local_class;
        if (!ts_node_is_null(local)) (*subclasses_)[id_of(local)].push_back(n);
      }
    }
  }
  Values out;
  std::vector<TSNode> pending{definition};
  std::unordered_set<uintptr_t> seen{id_of(definition)};
  while (!pending.empty() && seen.size() <= budget_.max_call_sites) {
    TSNode cls = pending.back();
    pending.pop_back();
    auto children = subclasses_->find(id_of(cls));
    if (children == subclasses_->end()) continue;
    for (TSNode sub : children->second) {
      if (!seen.insert(id_of(sub)).second) continue;
      pending.push_back(sub);
      std::optional<ScopeId> body = m_.scope_of(sub);
      const auto* bindings = body ? m_.bindings(*body, member) : nullptr;
      if (bindings == nullptr || bindings->empty()) continue;  // inherited: from `definition` or a base elsewhere
      const Binding& b = bindings->back();
      if (b.kind != BindingKind::kUnknown || ts_node_symbol(b.statement) != s.function_definition) continue;
      Value v{ValueKind::kFunction, {}, b.statement, *body, 0};
      v.bound = true;
      out.items.push_back(std::move(v));
      if (out.items.size() >= budget_.max_values) return out;
    }
  }
  return out;
}

Values Evaluator::element_of(const Value& container, uint32_t index, int depth) {
  if (&owner(container) != this) return owner(container).element(container, index);
  const auto& s = m_.grammar().sym;
  if (container.kind != ValueKind::kTuple && container.kind != ValueKind::kList) return Values::of_unknown();
  uint32_t position = 0;
  for (TSNode element : Module::named_children(container.node)) {
    TSSymbol k = ts_node_symbol(element);
    if (k == s.comment) continue;
    if (k == s.list_splat) return Values::of_unknown();
    if (position++ != index) continue;
    Values values = evaluate(element, container.scope, container.at, depth + 1);
    for (Value& v : values.items) v.hops.insert(v.hops.begin(), container.hops.begin(), container.hops.end());
    return values;
  }
  return Values::of_unknown();
}

Values Evaluator::item_of(const Value& dict, std::string_view key, int depth) {
  if (&owner(dict) != this) return owner(dict).item(dict, key);
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  if (dict.kind != ValueKind::kDict) return Values::of_unknown();
  // The last pair with this key wins, as in Python; an unknown key or a splat may be it.
  TSNode found{};
  for (TSNode pair : Module::named_children(dict.node)) {
    if (ts_node_symbol(pair) == s.comment) continue;
    if (ts_node_symbol(pair) != s.pair) return Values::of_unknown();
    std::optional<std::string> k = constant_key(ts_node_child_by_field_id(pair, f.key), dict.scope, dict.at, depth);
    if (!k) return Values::of_unknown();
    if (*k == key) found = ts_node_child_by_field_id(pair, f.value);
  }
  if (ts_node_is_null(found)) return {};
  Values values = evaluate(found, dict.scope, dict.at, depth + 1);
  for (Value& v : values.items) v.hops.insert(v.hops.begin(), dict.hops.begin(), dict.hops.end());
  return values;
}

Values Evaluator::subscript(TSNode node, ScopeId scope, uint32_t at, int depth) {
  const auto& f = m_.grammar().field;
  TSNode object = ts_node_child_by_field_id(node, f.value);
  TSNode index = ts_node_child_by_field_id(node, f.subscript);
  std::optional<std::string> key = constant_key(index, scope, at, depth);
  if (!key) return Values::of_unknown();
  Values containers = evaluate(object, scope, at, depth + 1);
  Values out;
  out.unknown = containers.unknown;
  for (const Value& c : containers.items) {
    if (c.kind == ValueKind::kDict) {
      Values found = item_of(c, *key, depth + 1);
      if (found.items.empty()) found.unknown = true;  // a KeyError, or a key set elsewhere
      out.add(std::move(found));
    } else if (std::optional<Value> options = *key == "0" ? parsed_options(c) : std::nullopt) {
      out.items.push_back(std::move(*options));
    } else if ((c.kind == ValueKind::kTuple || c.kind == ValueKind::kList) && !key->empty() &&
               key->find_first_not_of("0123456789") == std::string::npos && key->size() < 6) {
      out.add(element_of(c, static_cast<uint32_t>(std::stoul(*key)), depth + 1));
    } else {
      out.unknown = true;
    }
  }
  return out;
}

Values Evaluator::call(TSNode node, ScopeId scope, uint32_t at, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  TSNode callee = ts_node_child_by_field_id(node, f.function);
  // `d.get("key", default)` on a literal dict.
  if (ts_node_symbol(callee) == s.attribute &&
      m_.text(ts_node_child_by_field_id(callee, f.attribute)) == "get") {
    Values dicts = evaluate(ts_node_child_by_field_id(callee, f.object), scope, at, depth + 1);
    if (!dicts.unknown && !dicts.items.empty() &&
        std::all_of(dicts.items.begin(), dicts.items.end(), [](const Value& v) { return v.kind == ValueKind::kDict; })) {
      std::optional<std::string> key = constant_key(call_argument(m_, node, 0, ""), scope, at, depth);
      if (!key) return Values::of_unknown();
      Values out;
      for (const Value& d : dicts.items) {
        Values found = item_of(d, *key, depth + 1);
        if (found.items.empty() && !found.unknown) {
          TSNode fallback = call_argument(m_, node, 1, "");
          found = ts_node_is_null(fallback) ? one({ValueKind::kNone, "None", node, scope, at})
                                            : evaluate(fallback, scope, at, depth + 1);
        }
        out.add(std::move(found));
      }
      return out;
    }
  }
  if (ts_node_symbol(callee) == s.attribute && m_.text(ts_node_child_by_field_id(callee, f.attribute)) == "join") {
    Values text = joined(node, scope, at, depth);
    if (!text.unknown) return text;
  }
  // What is called: other modules only when already parsed (see callee_values).
  bool saved = callees_only_;
  callees_only_ = true;
  Values callees = evaluate(callee, scope, at, depth + 1);
  callees_only_ = saved;
  Values out;
  out.unknown = callees.unknown;
  for (const Value& c : callees.items) {
    switch (c.kind) {
      case ValueKind::kClass: {
        Value v{ValueKind::kInstance, {}, c.node, c.scope, at};
        v.creation = node;  // in this module, even when the class is another's
        v.module = c.module;
        v.hops = c.hops;
        out.items.push_back(std::move(v));
        break;
      }
      case ValueKind::kImported: {
        if (std::optional<Values> known = library_call(c, node, scope, at, depth)) {
          out.add(std::move(*known));
          break;
        }
        std::optional<std::string> made = factories_ ? factories_(c.text, c.bound) : std::nullopt;
        if (!made && c.bound) {
          out.unknown = true;
          break;
        }
        // Calling an imported name makes an instance of it when it is a
        // class; when it is a function, the "instance" matches no sink.
        // Its scope is where the creating call is evaluated.
        Value v{ValueKind::kInstance, made.value_or(c.text), c.node, scope, at};
        v.creation = made ? TSNode{} : node;
        v.hops = c.hops;
        out.items.push_back(std::move(v));
        break;
      }
      case ValueKind::kFunction:
        out.add(returns_of(c, depth + 1));
        break;
      default:
        out.unknown = true;
    }
  }
  return out;
}

Values Evaluator::returns_of(const Value& function, int depth) {
  if (&owner(function) != this) return owner(function).returns(function);
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  std::optional<ScopeId> inner = m_.scope_of(function.node);
  if (!inner) return Values::of_unknown();
  if (ts_node_symbol(function.node) == s.lambda)
    return evaluate(ts_node_child_by_field_id(function.node, f.body), *inner, ts_node_start_byte(function.node),
                    depth + 1);
  // Every `return` of the body, not of functions or classes nested in it.
  Values out;
  bool any = false;
  std::vector<TSNode> stack{ts_node_child_by_field_id(function.node, f.body)};
  while (!stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    if (ts_node_is_null(n)) continue;
    TSSymbol k = ts_node_symbol(n);
    if (k == s.function_definition || k == s.class_definition || k == s.lambda) continue;
    if (k == s.return_statement) {
      any = true;
      TSNode value = ts_node_named_child(n, 0);
      if (ts_node_is_null(value)) {
        out.items.push_back({ValueKind::kNone, "None", n, *inner, 0});
      } else {
        out.add(with_hop(evaluate(value, *inner, ts_node_start_byte(n), depth + 1),
                         {m_.span(n), "the call returns this value"}));
      }
      continue;
    }
    for (TSNode child : Module::named_children(n)) stack.push_back(child);
    if (++steps_ > budget_.max_steps) return Values::of_unknown();
  }
  if (!any) return Values::of_unknown();
  return out;
}


std::optional<Values> Evaluator::library_call(const Value& callee, TSNode call, ScopeId scope, uint32_t at, int depth) {
  // parser.parse_args(): a namespace of the parser's options.
  if (callee.bound && callee.text == "argparse.ArgumentParser.parse_args") {
    Value v{ValueKind::kInstance, "argparse.Namespace", callee.creation, callee.scope, callee.at};
    v.hops = callee.hops;
    return one(std::move(v));
  }
  // functools.partial(f, ...): f, with the partial's arguments bound (see argument()).
  if (!callee.bound && callee.text == "functools.partial") {
    Argument wrapped = argument(call, scope, 0, "func");
    if (!wrapped.found || !wrapped.known) return Values::of_unknown();
    Values functions = evaluate(wrapped.node, wrapped.scope, wrapped.at, depth + 1);
    for (Value& v : functions.items) {
      if (!ts_node_is_null(v.partial) || (v.module != nullptr && v.module != &m_)) {
        functions.unknown = true;  // a partial of a partial, or of another module's function: not followed
        continue;
      }
      v.partial = call;
      v.partial_scope = scope;
    }
    std::erase_if(functions.items, [&](const Value& v) { return !ts_node_eq(v.partial, call); });
    return with_hop(std::move(functions), {m_.span(call), "`functools.partial` binds arguments here"});
  }
  // optparse's parser.parse_args() and argparse's parse_known_args() are
  // (options, rest); see parsed_options().
  bool optparse = callee.text == "optparse.OptionParser.parse_args";
  if (callee.bound && (optparse || callee.text == "argparse.ArgumentParser.parse_known_args")) {
    // A values object or namespace passed in keeps its own attributes.
    std::string_view into = optparse ? "values" : "namespace";
    if (argument(call, scope, 1, into).found || !argument(call, scope, 1, into).known) return Values::of_unknown();
    Value v{ValueKind::kInstance, optparse ? "optparse.ParseResult" : "argparse.ParseResult", callee.creation,
            callee.scope, callee.at};
    v.hops = callee.hops;
    return one(std::move(v));
  }
  // optparse.OptionGroup(parser, title): its options land in the parser's values.
  if (!callee.bound && callee.text == "optparse.OptionGroup") {
    Argument parser = argument(call, scope, 0, "parser");
    if (!parser.found || !parser.known) return Values::of_unknown();
    Values parsers = evaluate(parser.node, parser.scope, parser.at, depth + 1);
    if (parsers.unknown || parsers.items.size() != 1 || parsers.items[0].text != "optparse.OptionParser")
      return Values::of_unknown();
    return parsers;
  }
  // Groups add options to the parser's own namespace.
  if (callee.bound && (callee.text == "argparse.ArgumentParser.add_argument_group" ||
                       callee.text == "argparse.ArgumentParser.add_mutually_exclusive_group" ||
                       callee.text == "optparse.OptionParser.add_option_group")) {
    std::string parser = callee.text.substr(0, callee.text.rfind('.'));
    Value v{ValueKind::kInstance, parser, callee.node, callee.scope, callee.at};
    v.creation = callee.creation;
    return one(std::move(v));
  }
  // typer.Option(default, ...) as a parameter's default: the option's default.
  if (!callee.bound && (callee.text == "typer.Option" || callee.text == "typer.Argument")) {
    Argument value = argument(call, scope, 0, "default");
    if (!value.known || !value.found) return Values::of_unknown();
    return with_hop(evaluate(value.node, value.scope, value.at, depth + 1), {m_.span(call), "the option's default"});
  }
  (void)at;
  return std::nullopt;
}

std::optional<Value> Evaluator::parsed_options(const Value& result) {
  if (result.kind != ValueKind::kInstance) return std::nullopt;
  if (result.text != "optparse.ParseResult" && result.text != "argparse.ParseResult") return std::nullopt;
  Value options = result;
  options.text = result.text == "optparse.ParseResult" ? "optparse.Values" : "argparse.Namespace";
  return options;
}

Values Evaluator::option_default(const Value& parsed, std::string_view name, int depth) {
  const auto& s = m_.grammar().sym;
  const auto& f = m_.grammar().field;
  if (ts_node_is_null(parsed.node)) return Values::of_unknown();  // which parser is unknown
  bool optparse = parsed.text == "optparse.Values";
  std::string_view parser_class = optparse ? "optparse.OptionParser" : "argparse.ArgumentParser";
  std::string_view add = optparse ? "add_option" : "add_argument";
  Values out;
  bool found = false;
  std::vector<uint32_t> sites;
  for (std::string_view method : {add, std::string_view("set_defaults"), std::string_view("set_default")}) {
    if (method == "set_default" && !optparse) continue;
    const std::vector<uint32_t>& named = calls_named(method);
    sites.insert(sites.end(), named.begin(), named.end());
  }
  std::sort(sites.begin(), sites.end());  // in source order, as the options are defined
  for (uint32_t index : sites) {
    const CallSite& site = m_.calls()[index];
    TSNode callee = site.callee;
    if (ts_node_is_null(callee) || ts_node_symbol(callee) != s.attribute) continue;
    std::string_view method = site.name;
    uint32_t at = ts_node_start_byte(site.node);
    Values parsers = evaluate(ts_node_child_by_field_id(callee, f.object), site.scope, at, depth + 1);
    bool same = false;
    for (const Value& p : parsers.items)
      same |= p.kind == ValueKind::kInstance && p.text == parser_class && ts_node_eq(p.creation, parsed.node);
    if (!same) {
      // An unknown object might be this parser: its options are then unknown.
      if (parsers.unknown && method == add) out.unknown = true;
      continue;
    }
    if (method == "set_default") {
      // optparse's set_default(dest, value)
      std::optional<std::string> dest = constant_key(call_argument(m_, site.node, 0, "dest"), site.scope, at, depth);
      if (!dest || *dest == name) return Values::of_unknown();
      continue;
    }
    if (method == "set_defaults") {
      if (argument(site.node, site.scope, -1, name).found || !argument(site.node, site.scope, -1, "").known)
        return Values::of_unknown();
      continue;
    }
    std::vector<std::string> options;
    std::optional<std::string> dest;
    bool required = false;
    TSNode arguments = ts_node_child_by_field_id(site.node, f.arguments);
    TSNode default_value{};
    std::string action;
    for (TSNode a : Module::named_children(arguments)) {
      TSSymbol k = ts_node_symbol(a);
      if (k == s.string) {
        if (auto text = decode_string(m_, a)) options.push_back(*text);
      } else if (k == s.keyword_argument) {
        std::string_view key = m_.text(ts_node_child_by_field_id(a, f.name));
        TSNode value = ts_node_child_by_field_id(a, f.value);
        if (key == "dest" && ts_node_symbol(value) == s.string) dest = decode_string(m_, value);
        if (key == "default") default_value = value;
        if (key == "required") required = m_.text(value) != "False";
        if (key == "action" && ts_node_symbol(value) == s.string) action = decode_string(m_, value).value_or("?");
      } else if (k != s.comment) {
        options.push_back("?");  // an option string the file computes
      }
    }
    std::optional<std::string> option_dest = dest_of(options, dest);
    if (!option_dest) {
      out.unknown = true;
      continue;
    }
    if (*option_dest != name) continue;
    found = true;
    if (required || (!action.empty() && action != "store")) {
      out.unknown = true;
      continue;
    }
    std::string option = options.empty() ? std::string(name) : options.back();
    for (const std::string& o : options)
      if (o.starts_with("--")) option = o;
    Values defaults = ts_node_is_null(default_value)
                          ? one({ValueKind::kNone, "None", site.node, site.scope, at})
                          : evaluate(default_value, site.scope, at, depth + 1);
    for (Value& v : defaults.items) v.option = option;
    out.add(with_hop(std::move(defaults),
                     {m_.span(site.node), "option `" + option + "` takes this default when it is not given"}));
  }
  if (!found) return Values::of_unknown();
  for (Value& v : out.items) v.hops.insert(v.hops.begin(), parsed.hops.begin(), parsed.hops.end());
  return out;
}

std::optional<Values> Evaluator::tornado_option(std::string_view name, int depth) {
  if (name == "define") return std::nullopt;  // the method itself (`options.define(...)`)
  // tornado/options.py OptionParser._normalize_name: `_` and `-` are one.
  auto normalized = [](std::string_view text) {
    std::string out(text);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
  };
  const std::string wanted = normalized(name);
  const std::string option = "--" + wanted;
  Values out;
  bool found = false;
  for (uint32_t index : calls_named("define")) {
    const CallSite& site = m_.calls()[index];
    uint32_t at = ts_node_start_byte(site.node);
    Values callees = evaluate(site.callee, site.scope, at, depth + 1);
    bool tornado = std::any_of(callees.items.begin(), callees.items.end(), [](const Value& v) {
      return v.kind == ValueKind::kImported &&
             (v.text == "tornado.options.define" || v.text == "tornado.options.options.define");
    });
    if (!tornado) continue;
    TSNode option_name = call_argument(m_, site.node, 0, "name");
    std::optional<std::string> defined =
        ts_node_is_null(option_name) ? std::nullopt : constant_key(option_name, site.scope, at, depth + 1);
    // A computed name is not this option: defining it twice raises.
    if (!defined || normalized(*defined) != wanted) continue;
    found = true;
    // define(name, default=None, type=None, help=None, metavar=None, multiple=False, ...)
    TSNode multiple = call_argument(m_, site.node, 5, "multiple");
    if (callees.unknown || callees.items.size() != 1 || (!ts_node_is_null(multiple) && m_.text(multiple) != "False")) {
      out.unknown = true;
      continue;
    }
    TSNode default_value = call_argument(m_, site.node, 1, "default");
    Values defaults = ts_node_is_null(default_value) ? one({ValueKind::kNone, "None", site.node, site.scope, at})
                                                     : evaluate(default_value, site.scope, at, depth + 1);
    for (Value& v : defaults.items) v.option = option;
    out.add(with_hop(std::move(defaults),
                     {m_.span(site.node), "option `" + option + "` takes this default when it is not given"}));
  }
  if (!found) return std::nullopt;
  // `options.name = value` anywhere in the file may replace the default before it is read.
  for (const AttributeWrite& write : m_.attribute_writes()) {
    if (normalized(write.name) != wanted) continue;
    uint32_t at = ts_node_start_byte(write.statement);
    Values objects = evaluate(write.object, write.scope, at, depth + 1);
    if (objects.unknown || std::any_of(objects.items.begin(), objects.items.end(), [](const Value& v) {
          return v.kind == ValueKind::kImported && v.text == "tornado.options.options";
        }))
      return Values::of_unknown();
  }
  return out;
}

}  // namespace bindscan::flow
