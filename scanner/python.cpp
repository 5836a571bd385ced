#include "scanner/python.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" const TSLanguage* tree_sitter_python();

namespace bindscan {
namespace {

// A grammar upgrade that renames a node kind must fail the first test, not
// silently stop matching.
TSSymbol symbol(const TSLanguage* language, const char* name, bool named = true) {
  TSSymbol id = ts_language_symbol_for_name(language, name, static_cast<uint32_t>(std::strlen(name)), named);
  if (id == 0) {
    std::fprintf(stderr, "bindscan: the Python grammar has no node kind '%s'\n", name);
    std::abort();
  }
  return id;
}

TSFieldId field(const TSLanguage* language, const char* name) {
  TSFieldId id = ts_language_field_id_for_name(language, name, static_cast<uint32_t>(std::strlen(name)));
  if (id == 0) {
    std::fprintf(stderr, "bindscan: the Python grammar has no field '%s'\n", name);
    std::abort();
  }
  return id;
}

PythonGrammar load() {
  PythonGrammar g{};
  const TSLanguage* l = g.language = tree_sitter_python();
  auto& s = g.sym;
  s.comment = symbol(l, "comment");
  s.identifier = symbol(l, "identifier");
  s.attribute = symbol(l, "attribute");
  s.call = symbol(l, "call");
  s.argument_list = symbol(l, "argument_list");
  s.keyword_argument = symbol(l, "keyword_argument");
  s.string = symbol(l, "string");
  s.concatenated_string = symbol(l, "concatenated_string");
  s.string_start = symbol(l, "string_start");
  s.string_content = symbol(l, "string_content");
  s.string_end = symbol(l, "string_end");
  s.interpolation = symbol(l, "interpolation");
  s.tuple = symbol(l, "tuple");
  s.parenthesized_expression = symbol(l, "parenthesized_expression");
  s.expression_list = symbol(l, "expression_list");
  s.pattern_list = symbol(l, "pattern_list");
  s.tuple_pattern = symbol(l, "tuple_pattern");
  s.list_pattern = symbol(l, "list_pattern");
  s.list_splat_pattern = symbol(l, "list_splat_pattern");
  s.assignment = symbol(l, "assignment");
  s.augmented_assignment = symbol(l, "augmented_assignment");
  s.named_expression = symbol(l, "named_expression");
  s.import_statement = symbol(l, "import_statement");
  s.import_from_statement = symbol(l, "import_from_statement");
  s.aliased_import = symbol(l, "aliased_import");
  s.dotted_name = symbol(l, "dotted_name");
  s.relative_import = symbol(l, "relative_import");
  s.wildcard_import = symbol(l, "wildcard_import");
  s.class_definition = symbol(l, "class_definition");
  s.function_definition = symbol(l, "function_definition");
  s.lambda = symbol(l, "lambda");
  s.default_parameter = symbol(l, "default_parameter");
  s.typed_parameter = symbol(l, "typed_parameter");
  s.typed_default_parameter = symbol(l, "typed_default_parameter");
  s.list_splat = symbol(l, "list_splat");
  s.dictionary_splat_pattern = symbol(l, "dictionary_splat_pattern");
  s.for_statement = symbol(l, "for_statement");
  s.as_pattern_target = symbol(l, "as_pattern_target");
  s.global_statement = symbol(l, "global_statement");
  s.nonlocal_statement = symbol(l, "nonlocal_statement");
  s.boolean_operator = symbol(l, "boolean_operator");
  s.subscript = symbol(l, "subscript");
  s.dictionary_splat = symbol(l, "dictionary_splat");
  s.as_pattern = symbol(l, "as_pattern");
  s.with_item = symbol(l, "with_item");
  s.delete_statement = symbol(l, "delete_statement");
  s.integer = symbol(l, "integer");
  s.none = symbol(l, "none");
  s.list = symbol(l, "list");
  s.dictionary = symbol(l, "dictionary");
  s.pair = symbol(l, "pair");
  s.conditional_expression = symbol(l, "conditional_expression");
  s.return_statement = symbol(l, "return_statement");
  s.decorated_definition = symbol(l, "decorated_definition");
  s.decorator = symbol(l, "decorator");
  s.keyword_separator = symbol(l, "keyword_separator");
  s.if_statement = symbol(l, "if_statement");
  s.true_ = symbol(l, "true");
  s.false_ = symbol(l, "false");
  s.case_clause = symbol(l, "case_clause");
  s.case_pattern = symbol(l, "case_pattern");
  s.splat_pattern = symbol(l, "splat_pattern");
  s.class_pattern = symbol(l, "class_pattern");
  auto& f = g.field;
  f.name = field(l, "name");
  f.alias = field(l, "alias");
  f.left = field(l, "left");
  f.right = field(l, "right");
  f.value = field(l, "value");
  f.function = field(l, "function");
  f.arguments = field(l, "arguments");
  f.object = field(l, "object");
  f.attribute = field(l, "attribute");
  f.superclasses = field(l, "superclasses");
  f.body = field(l, "body");
  f.parameters = field(l, "parameters");
  f.module_name = field(l, "module_name");
  f.operator_ = field(l, "operator");
  f.key = field(l, "key");
  f.subscript = field(l, "subscript");
  f.condition = field(l, "condition");
  f.consequence = field(l, "consequence");
  f.alternative = field(l, "alternative");
  f.type = field(l, "type");
  f.definition = field(l, "definition");
  return g;
}

}  // namespace

const PythonGrammar& python_grammar() {
  static const PythonGrammar grammar = load();
  return grammar;
}

Parser::Parser() : parser_(ts_parser_new()) {
  if (!ts_parser_set_language(parser_.get(), python_grammar().language)) {
    std::fprintf(stderr, "bindscan: libtree-sitter cannot load the Python grammar (ABI %u)\n",
                 ts_language_version(python_grammar().language));
    std::abort();
  }
}

std::optional<Tree> Parser::parse(std::string_view source, std::chrono::microseconds timeout) {
  ts_parser_reset(parser_.get());
  ts_parser_set_timeout_micros(parser_.get(), static_cast<uint64_t>(timeout.count()));
  TSTree* tree = ts_parser_parse_string(parser_.get(), nullptr, source.data(),
                                        static_cast<uint32_t>(source.size()));
  if (tree == nullptr) return std::nullopt;
  return Tree(tree, source);
}

}  // namespace bindscan
