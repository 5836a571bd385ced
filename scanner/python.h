// RAII over tree-sitter's parser and tree for the Python grammar, plus the
// grammar's symbol and field ids resolved once, so walks compare integers
// instead of strings.
#pragma once

#include <tree_sitter/api.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace bindscan {

// The node kinds and fields the scanner looks at. Resolved from the grammar by
// name at first use; a name the grammar lacks fails loudly (see python.cpp).
struct PythonGrammar {
  const TSLanguage* language;
  struct {
    TSSymbol comment, identifier, attribute, call, argument_list, keyword_argument, string,
        concatenated_string, string_start, string_content, string_end, interpolation, tuple,
        parenthesized_expression, expression_list, pattern_list, tuple_pattern, list_pattern,
        list_splat_pattern, assignment, augmented_assignment, named_expression,
        import_statement, import_from_statement, aliased_import, dotted_name, relative_import,
        wildcard_import, class_definition, function_definition, lambda, default_parameter,
        typed_parameter, typed_default_parameter, list_splat, dictionary_splat_pattern,
        for_statement, as_pattern_target, global_statement, nonlocal_statement,
        boolean_operator, subscript, dictionary_splat, as_pattern, with_item, integer, none, list,
        dictionary, pair, conditional_expression, return_statement, decorated_definition, decorator,
        keyword_separator, if_statement, true_, false_, case_clause, case_pattern, splat_pattern,
        class_pattern, delete_statement;
  } sym;
  struct {
    TSFieldId name, alias, left, right, value, function, arguments, object,
        attribute, superclasses, body, parameters, module_name, operator_, key, subscript, condition,
        consequence, alternative, type, definition;
  } field;
};

// The grammar, loaded once; immutable and safe to share between threads.
const PythonGrammar& python_grammar();

// A syntax tree together with the bytes it was parsed from. Nodes borrow
// from both, so a Tree must outlive every TSNode taken from it.
class Tree {
 public:
  Tree(TSTree* tree, std::string_view source) : tree_(tree), source_(source) {}
  TSNode root() const { return ts_tree_root_node(tree_.get()); }
  std::string_view source() const { return source_; }

 private:
  struct Deleter {
    void operator()(TSTree* tree) const { ts_tree_delete(tree); }
  };
  std::unique_ptr<TSTree, Deleter> tree_;
  std::string_view source_;
};

// One tree-sitter parser for Python. Not thread-safe: one per thread.
class Parser {
 public:
  Parser();
  // Parses `source` (any bytes; invalid UTF-8 and errors give ERROR nodes).
  // Returns nothing when parsing took longer than `timeout`.
  std::optional<Tree> parse(std::string_view source, std::chrono::microseconds timeout);

 private:
  struct Deleter {
    void operator()(TSParser* parser) const { ts_parser_delete(parser); }
  };
  std::unique_ptr<TSParser, Deleter> parser_;
};

}  // namespace bindscan
