// Constant values of expressions, as far as one file tells: string literals
// (concatenated, prefixed, escaped; f-strings only without interpolation),
// names assigned such values, and environment lookups with a constant default.
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <vector>

#include "scanner/module.h"

namespace bindscan {

// An expression after following the names that lead to it.
struct Followed {
  TSNode expression;                // not an identifier
  ScopeId scope = kModuleScope;     // where it is written
  uint32_t at = 0;                  // the byte it is evaluated at
  std::vector<const Binding*> via;  // assignments followed, use site first
};

// Follows identifiers through their reaching assignments (and parentheses)
// to the expression that supplies the value. Nothing when a name is unknown.
std::optional<Followed> follow(const Module& module, TSNode expression, ScopeId scope, uint32_t at);

struct StringValue {
  std::string text;                 // decoded value
  TSNode literal{};                 // the string or concatenated_string that holds it
  std::vector<const Binding*> via;  // assignments followed to reach `literal`
  // Set when the value is only the default of an environment lookup
  // (`os.environ.get("HOST", "0.0.0.0")`, `os.getenv("HOST") or "0.0.0.0"`):
  // the variable's name as written, or "" when not a literal.
  std::optional<std::string> environment_variable;
};

// The constant string `expression` evaluates to, when the file tells.
std::optional<StringValue> string_value(const Module& module, TSNode expression, ScopeId scope, uint32_t at);

// Decodes one `string` node's value; nothing for an f-string that interpolates.
std::optional<std::string> decode_string(const Module& module, TSNode string);

// The i-th positional argument of a call's argument_list, or the keyword
// argument `keyword` (empty: none). Null node when absent or after a splat.
TSNode call_argument(const Module& module, TSNode call, uint32_t position, std::string_view keyword);

}  // namespace bindscan
