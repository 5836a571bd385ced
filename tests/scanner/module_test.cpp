// The Module index: what it reads once so that questions about a file do not
// walk its tree again.
#include "scanner/module.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace bindscan {
namespace {

Tree parsed(Parser& parser, const std::string& source) {
  std::optional<Tree> tree = parser.parse(source, std::chrono::seconds(10));
  if (!tree) throw std::runtime_error("parse timed out");
  return std::move(*tree);
}

// Every node of the tree, in pre-order.
std::vector<TSNode> every_node(TSNode root) {
  std::vector<TSNode> out, stack{root};
  while (!stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    out.push_back(n);
    for (uint32_t i = ts_node_child_count(n); i-- > 0;) stack.push_back(ts_node_child(n, i));
  }
  return out;
}

// What Module::ancestors replaces: ts_node_parent, step by step.
std::vector<TSNode> parents_of(TSNode node) {
  std::vector<TSNode> out;
  for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); p = ts_node_parent(p)) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

TEST(ModuleAncestors, AreTheParentsOfEveryNodeRootFirst) {
  Parser parser;
  // Nesting, decorators, comments between tokens, a long run of statements
  // (which tree-sitter balances under hidden nodes), and broken code whose
  // recovery makes ERROR and zero-width MISSING nodes.
  std::string source =
      "import socket\n"
      "@decorate(1)\n"
      "class Server(Base):\n"
      "    def run(self, host='0.0.0.0'):\n"
      "        if host:  # a comment\n"
      "            s = socket.socket(); s.bind((host, 80))\n"
      "        elif (x.\n"
      "              # inside\n"
      "              y):\n"
      "            pass\n"
      "        else:\n"
      "            return [f(a) for a in b if a]\n"
      "def broken(:\n"
      "    print(\n"
      "x = (1,\n";
  for (int i = 0; i < 150; ++i) source += "call_" + std::to_string(i) + "(i, j)\n";
  Tree tree = parsed(parser, source);
  Module module(tree);
  size_t checked = 0;
  for (TSNode node : every_node(module.root())) {
    std::vector<TSNode> got = module.ancestors(node), want = parents_of(node);
    ASSERT_EQ(got.size(), want.size()) << ts_node_type(node) << " at byte " << ts_node_start_byte(node);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(ts_node_eq(got[i], want[i]));
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_TRUE(module.ancestors(module.root()).empty());
}

TEST(ModuleCalls, KnowTheirCalleeAndItsLastName) {
  Parser parser;
  const std::string source =
      "f(1)\n"
      "a.b.c(2)\n"
      "g(3)(4)\n"
      "items[0](5)\n"
      "(yield)(6)\n";
  Tree tree = parsed(parser, source);
  Module module(tree);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const CallSite& call : module.calls())
    seen.emplace_back(std::string(module.text(call.callee)), std::string(call.name));
  std::vector<std::pair<std::string, std::string>> want = {
      {"f", "f"}, {"a.b.c", "c"}, {"g(3)", ""}, {"g", "g"}, {"items[0]", ""}, {"(yield)", ""}};
  std::sort(seen.begin(), seen.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
}

// The index walk steps over expressions whose bytes hold no `(`, `=`, `:` or
// `#`: what it records must be what a walk into every node finds.
TEST(ModuleWalk, StepsOverNothingThatCallsBindsOrComments) {
  Parser parser;
  const std::string source =
      "import os\n"
      "n >>= 2\n"
      "m <<= 3\n"
      "obj.v <<= 1\n"
      "ok = a <= b and c >= d and e == f and g != h\n"
      "print(f\"{q}\", f\"{(w := 5)}\", outer(inner(1)), [k.x for k in ks])\n"
      "match p:\n"
      "    case [x as y]:\n"
      "        pass\n"
      "    case (1, {\"a\": [z as zz], **rest}):\n"
      "        pass\n"
      "    case Point(px=pa, py=Color.RED) | pb if pb > 0:\n"
      "        pass\n"
      "from pkg import (a,  # why\n"
      "                 b)\n"
      "xs = [1,  # one\n"
      "      2]\n"
      "fn = lambda v: v\n"
      "ca = cb = 1\n"
      "cc = cd = e()\n"
      "g(k=1, j=h(), m={\"k\": f2(), \"s\": xs[1:2]})\n"
      "def f(p: int = 1) -> int:\n"
      "    global gl\n"
      "    return [p.q, gl]\n";
  Tree tree = parsed(parser, source);
  Module module(tree);
  const auto& sym = module.grammar().sym;

  std::vector<uint32_t> calls, comments, indexed_calls, indexed_comments;
  for (TSNode n : every_node(tree.root())) {
    if (ts_node_symbol(n) == sym.call) calls.push_back(ts_node_start_byte(n));
    if (ts_node_symbol(n) == sym.comment) comments.push_back(ts_node_start_point(n).row);
  }
  for (const CallSite& call : module.calls()) indexed_calls.push_back(ts_node_start_byte(call.node));
  for (const Comment& comment : module.comments()) indexed_comments.push_back(comment.row);
  std::sort(calls.begin(), calls.end());
  std::sort(indexed_calls.begin(), indexed_calls.end());
  EXPECT_EQ(indexed_calls, calls);
  EXPECT_EQ(calls.size(), 7u);  // print, outer, inner, e, g, h, f2
  EXPECT_EQ(indexed_comments, comments);
  EXPECT_EQ(comments.size(), 2u);

  std::vector<std::string> bound;
  for (ScopeId scope = 0; scope < module.scope_count(); ++scope)
    for (std::string_view name : module.names_in(scope)) bound.emplace_back(name);
  std::sort(bound.begin(), bound.end());
  // Match captures: x, y, z, zz, rest, pa, pb (not Point, Color, the keywords px and py).
  std::vector<std::string> want = {"a",  "b",  "ca", "cb", "cc", "cd", "f", "fn", "m", "n",  "ok", "os",
                                   "p",  "pa", "pb", "rest", "v", "w", "x", "xs", "y", "z", "zz"};
  EXPECT_EQ(bound, want);
  ASSERT_EQ(module.attribute_writes().size(), 1u);
  EXPECT_EQ(module.attribute_writes()[0].name, "v");
}

// Error recovery makes ERROR nodes (a kind past the grammar's symbols, which
// the walk's kind tables do not cover) and zero-width nodes at the very end
// of the source: the walk still records every call and comment, and reads
// nothing past its tables or the source (under valgrind, the code before
// 41a258d fails here with invalid reads).
TEST(ModuleWalk, RecordsCallsInsideBrokenCode) {
  Parser parser;
  const std::string source =
      "def broken(:\n"
      "    s.bind(h(1))  # inside\n"
      "z = (x.y(2),";
  Tree tree = parsed(parser, source);
  Module module(tree);
  ASSERT_TRUE(ts_node_has_error(tree.root()));
  std::vector<uint32_t> calls, indexed;
  for (TSNode n : every_node(tree.root()))
    if (ts_node_symbol(n) == module.grammar().sym.call) calls.push_back(ts_node_start_byte(n));
  for (const CallSite& call : module.calls()) indexed.push_back(ts_node_start_byte(call.node));
  std::sort(calls.begin(), calls.end());
  std::sort(indexed.begin(), indexed.end());
  EXPECT_EQ(indexed, calls);
  EXPECT_EQ(calls.size(), 3u);  // s.bind, h, x.y (inside an ERROR node)
  ASSERT_EQ(module.comments().size(), 1u);
  EXPECT_EQ(module.comments()[0].row, 1u);
}

}  // namespace
}  // namespace bindscan
