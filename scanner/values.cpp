#include "scanner/values.h"

#include <cctype>

namespace bindscan {
namespace {

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's escape sequences; an unknown one stays as written, as in Python.
std::string unescape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out += in[i];
      continue;
    }
    char c = in[++i];
    switch (c) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': case 'u': case 'U': {
        size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t code = 0;
        size_t k = 0;
        for (; k < digits && i + 1 + k < in.size() && hex_digit(in[i + 1 + k]) >= 0; ++k)
          code = code * 16 + static_cast<uint32_t>(hex_digit(in[i + 1 + k]));
        if (k != digits || code > 0x10FFFF) {
          out += '\\';
          out += c;
          break;
        }
        append_utf8(out, code);
        i += digits;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t code = 0;
          size_t k = 0;
          for (; k < 3 && i + k < in.size() && in[i + k] >= '0' && in[i + k] <= '7'; ++k)
            code = code * 8 + static_cast<uint32_t>(in[i + k] - '0');
          append_utf8(out, code);
          i += k - 1;
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

bool is_environment_lookup(const Module& module, TSNode call, ScopeId scope, uint32_t at) {
  if (ts_node_symbol(call) != module.grammar().sym.call) return false;
  Reference callee = module.resolve(ts_node_child_by_field_id(call, module.grammar().field.function), scope, at);
  return callee.qualified == "os.environ.get" || callee.qualified == "os.getenv";
}

}  // namespace

TSNode call_argument(const Module& module, TSNode call, uint32_t position, std::string_view keyword) {
  const auto& s = module.grammar().sym;
  TSNode arguments = ts_node_child_by_field_id(call, module.grammar().field.arguments);
  if (ts_node_is_null(arguments) || ts_node_symbol(arguments) != s.argument_list) return {};
  uint32_t index = 0;
  bool splat = false;
  for (uint32_t i = 0, n = ts_node_named_child_count(arguments); i < n; ++i) {
    TSNode argument = ts_node_named_child(arguments, i);
    TSSymbol kind = ts_node_symbol(argument);
    if (kind == s.comment) continue;
    if (kind == s.keyword_argument) {
      TSNode name = ts_node_child_by_field_id(argument, module.grammar().field.name);
      if (!keyword.empty() && !ts_node_is_null(name) && module.text(name) == keyword)
        return ts_node_child_by_field_id(argument, module.grammar().field.value);
      continue;
    }
    if (kind == s.list_splat || kind == s.dictionary_splat) {
      splat = true;  // positions after *args are unknown
      continue;
    }
    if (!splat && index++ == position) return argument;
  }
  return {};
}

std::optional<Followed> follow(const Module& module, TSNode expression, ScopeId scope, uint32_t at) {
  const auto& s = module.grammar().sym;
  Followed out{expression, scope, at, {}};
  for (int hops = 0; hops < Module::kMaxHops; ++hops) {
    if (ts_node_is_null(out.expression)) return std::nullopt;
    TSSymbol kind = ts_node_symbol(out.expression);
    if (kind == s.parenthesized_expression && ts_node_named_child_count(out.expression) == 1) {
      out.expression = ts_node_named_child(out.expression, 0);
      continue;
    }
    if (kind != s.identifier) return out;
    Module::Lookup found = module.lookup(module.text(out.expression), out.scope, out.at);
    if (found.binding == nullptr || found.binding->kind != BindingKind::kAssignment) return std::nullopt;
    out.via.push_back(found.binding);
    out.expression = found.binding->value;
    out.scope = found.scope;
    out.at = ts_node_start_byte(found.binding->statement);
  }
  return std::nullopt;
}

std::optional<std::string> decode_string(const Module& module, TSNode string) {
  const auto& s = module.grammar().sym;
  std::string_view prefix;
  std::string value;
  bool raw = false;
  for (uint32_t i = 0, n = ts_node_child_count(string); i < n; ++i) {
    TSNode part = ts_node_child(string, i);
    TSSymbol kind = ts_node_symbol(part);
    if (kind == s.string_start) {
      prefix = module.text(part);
      for (char c : prefix.substr(0, prefix.find_first_of("'\"")))
        if (c == 'r' || c == 'R') raw = true;
    } else if (kind == s.interpolation) {
      return std::nullopt;
    } else if (kind == s.string_content) {
      value += raw ? std::string(module.text(part)) : unescape(module.text(part));
    } else if (kind != s.string_end) {
      return std::nullopt;  // an ERROR node inside: the literal is not what it seems
    }
  }
  return value;
}

namespace {

std::optional<StringValue> evaluate(const Module& module, TSNode expression, ScopeId scope, uint32_t at, int depth);

// The value of `fallback`, marked as the default of `lookup` (an environment call).
std::optional<StringValue> environment_default(const Module& module, const Followed& site, TSNode lookup,
                                               TSNode fallback, int depth) {
  if (ts_node_is_null(fallback)) return std::nullopt;
  auto value = evaluate(module, fallback, site.scope, site.at, depth + 1);
  if (!value || value->environment_variable) return std::nullopt;
  TSNode name = call_argument(module, lookup, 0, "key");
  std::optional<std::string> variable;
  if (!ts_node_is_null(name) && ts_node_symbol(name) == module.grammar().sym.string)
    variable = decode_string(module, name);
  value->environment_variable = variable.value_or("");
  value->via.insert(value->via.begin(), site.via.begin(), site.via.end());
  return value;
}

std::optional<StringValue> evaluate(const Module& module, TSNode expression, ScopeId scope, uint32_t at, int depth) {
  const auto& s = module.grammar().sym;
  const auto& f = module.grammar().field;
  if (depth > Module::kMaxHops) return std::nullopt;
  std::optional<Followed> found = follow(module, expression, scope, at);
  if (!found) return std::nullopt;
  TSNode node = found->expression;
  TSSymbol kind = ts_node_symbol(node);

  if (kind == s.string) {
    auto text = decode_string(module, node);
    if (!text) return std::nullopt;
    return StringValue{std::move(*text), node, std::move(found->via), std::nullopt};
  }
  if (kind == s.concatenated_string) {
    StringValue out{{}, node, std::move(found->via), std::nullopt};
    for (uint32_t i = 0, n = ts_node_named_child_count(node); i < n; ++i) {
      TSNode part = ts_node_named_child(node, i);
      if (ts_node_symbol(part) == s.comment) continue;
      auto text = ts_node_symbol(part) == s.string ? decode_string(module, part) : std::nullopt;
      if (!text) return std::nullopt;
      out.text += *text;
    }
    return out;
  }
  // os.environ.get("HOST", DEFAULT), os.getenv("HOST", default=DEFAULT)
  if (is_environment_lookup(module, node, found->scope, found->at))
    return environment_default(module, *found, node, call_argument(module, node, 1, "default"), depth);
  // os.environ.get("HOST") or DEFAULT
  if (kind == s.boolean_operator) {
    TSNode op = ts_node_child_by_field_id(node, f.operator_);
    TSNode left = ts_node_child_by_field_id(node, f.left);
    if (ts_node_is_null(op) || module.text(op) != "or" || ts_node_is_null(left) ||
        !is_environment_lookup(module, left, found->scope, found->at) ||
        !ts_node_is_null(call_argument(module, left, 1, "default")))
      return std::nullopt;
    return environment_default(module, *found, left, ts_node_child_by_field_id(node, f.right), depth);
  }
  return std::nullopt;
}

}  // namespace

std::optional<StringValue> string_value(const Module& module, TSNode expression, ScopeId scope, uint32_t at) {
  return evaluate(module, expression, scope, at, 0);
}

}  // namespace bindscan
