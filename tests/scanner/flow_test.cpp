// The value flow's budgets: pathological files end quickly with "unknown"
// (no finding), never a wrong finding or a hang. No time is asserted; a hang
// would hit ctest's timeout.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "scanner/flow/evaluator.h"
#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/scan.h"

namespace bindscan {
namespace {

constexpr std::string_view kHeader = "import socketserver\nH = socketserver.BaseRequestHandler\n";

std::vector<Finding> scan(const std::string& source) { return Scanner().scan(source).findings; }

// Exactly one finding, at note level ("may listen").
::testing::AssertionResult OneNote(const std::vector<Finding>& findings) {
  if (findings.size() != 1) return ::testing::AssertionFailure() << findings.size() << " findings, not one";
  if (findings[0].level != Level::kNote) return ::testing::AssertionFailure() << "not a note: " << findings[0].message;
  return ::testing::AssertionSuccess();
}

TEST(FlowBudget, DeepChainOfCallsIsUnknownPastTheDepth) {
  std::string source(kHeader);
  constexpr int kFunctions = 3000;
  for (int i = 0; i < kFunctions; ++i)
    source += "def f" + std::to_string(i) + "(h):\n    f" + std::to_string(i + 1) + "(h)\n";
  source += "def f" + std::to_string(kFunctions) + "(h):\n    socketserver.TCPServer((h, 1), H)\n";
  source += "f0('')\n";
  EXPECT_TRUE(scan(source).empty());
}

TEST(FlowBudget, ShortChainOfCallsIsFollowed) {
  std::string source(kHeader);
  for (int i = 0; i < 5; ++i) source += "def f" + std::to_string(i) + "(h):\n    f" + std::to_string(i + 1) + "(h)\n";
  source += "def f5(h):\n    socketserver.TCPServer((h, 1), H)\n";
  source += "f0('')\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].related.size(), 6u);  // one hop per parameter
}

TEST(FlowBudget, ThousandsOfCallSitesAreUnknown) {
  std::string source(kHeader);
  source += "def serve(host):\n    socketserver.TCPServer((host, 1), H)\n";
  for (int i = 0; i < 5000; ++i) source += "serve('127.0.0.1')\n";
  source += "serve('')\n";
  EXPECT_TRUE(scan(source).empty());
}

// Whether a function escapes (its callers are then unknown) is decided by
// counting the mentions of its name: searched name by name for the first
// few, then every word counted at once. Both must agree: here forty wrappers,
// every third handed around (a callback: silent), every third mentioned only
// in a comment or a string (a string counts as a mention: silent; a comment
// does not: reported), the rest never called (their default is reported).
TEST(FlowEscapes, ManyFunctionsAskedGiveTheSameAnswersAsFew) {
  std::string source(kHeader);
  std::set<int> reported;
  std::map<uint32_t, int> wrapper_at;  // the sink's row -> its wrapper
  constexpr int kWrappers = 40;
  for (int i = 0; i < kWrappers; ++i) {
    const std::string name = "serve_" + std::to_string(i);
    source += "def " + name + "(host=''):\n";
    wrapper_at[static_cast<uint32_t>(std::count(source.begin(), source.end(), '\n'))] = i;
    source += "    socketserver.TCPServer((host, 1), H)\n";
    switch (i % 3) {
      case 0:
        source += "callbacks.append(" + name + ")\n";
        break;
      case 1:
        source += (i % 2 ? "# see " + name + "\n" : "doc = 'see " + name + "'\n");
        if (i % 2) reported.insert(i);
        break;
      default:
        reported.insert(i);
    }
  }
  std::set<int> found;
  for (const Finding& f : scan(source)) found.insert(wrapper_at.at(f.span.start.row));
  EXPECT_EQ(found, reported);
}

TEST(FlowBudget, RecursionAndAssignmentCyclesEnd) {
  std::string source(kHeader);
  source +=
      "def f(h):\n    f(h)\n    socketserver.TCPServer((h, 1), H)\n"
      "f('')\n"
      "def g():\n    a = b\n    b = a\n    socketserver.TCPServer((a, 1), H)\n"
      "class A(B):\n    pass\nclass B(A):\n    pass\n"
      "A.x.y.z\n";
  // f: the recursive call passes h itself (a cycle, unknown), f('') passes "":
  // a "may" finding at note level.
  EXPECT_TRUE(OneNote(scan(source)));
}

TEST(FlowBudget, ManyValuesForOneNameAreCapped) {
  std::string source(kHeader);
  source += "def serve(host):\n    socketserver.TCPServer((host, 1), H)\n";
  for (int i = 0; i < 60; ++i) source += "serve('10.0.0." + std::to_string(i) + "')\n";
  source += "serve('')\n";
  // 61 call sites: over the call-site budget, so unknown, not a guess.
  EXPECT_TRUE(scan(source).empty());
}

// Branches: a wildcard on one path is a "may" finding (note), on every path a
// "must" one (warning); constant conditions decide.
TEST(FlowBranches, WildcardOnOnePathIsANoteOnEveryPathAWarning) {
  std::string source(kHeader);
  source +=
      "h = '127.0.0.1'\nif flag:\n    h = '0.0.0.0'\nsocketserver.TCPServer((h, 1), H)\n"
      "g = '127.0.0.1'\nif flag:\n    g = ''\nelse:\n    g = '0.0.0.0'\nsocketserver.TCPServer((g, 2), H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].level, Level::kNote);
  EXPECT_NE(findings[0].message.find("may listen"), std::string::npos);
  EXPECT_FALSE(findings[1].level.has_value());  // the rule's level: both branches bind every interface
  EXPECT_EQ(findings[1].related.size(), 2u);    // one per path
}

TEST(FlowBranches, ConstantConditionsRuleOutDeadPaths) {
  std::string source(kHeader);
  source +=
      "DEBUG = False\nh = '127.0.0.1'\nif DEBUG:\n    h = '0.0.0.0'\nsocketserver.TCPServer((h, 1), H)\n"
      "if not DEBUG:\n    pass\nelse:\n    socketserver.TCPServer(('', 2), H)\n"
      "while 0:\n    h = ''\nsocketserver.TCPServer((h, 3), H)\n"
      "MODE = 'dev'\nif MODE == 'production':\n    h = ''\nelif MODE is None:\n    h = ''\n"
      "socketserver.TCPServer((h, 4), H)\n";
  EXPECT_TRUE(scan(source).empty());
  // The same comparison with a constant that matches: the branch runs, on every path.
  auto findings = scan(std::string(kHeader) + "MODE = 'production'\nh = '127.0.0.1'\nif MODE == 'production':\n" +
                       "    h = ''\nsocketserver.TCPServer((h, 1), H)\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].level.has_value());
}

TEST(FlowBranches, NestedFunctionReadsWhatTheEnclosingFunctionEndsWith) {
  std::string source(kHeader);
  source +=
      "def outer():\n    host = '0.0.0.0'\n    host = '127.0.0.1'\n"
      "    def inner():\n        socketserver.TCPServer((host, 1), H)\n    inner()\n";
  EXPECT_TRUE(scan(source).empty());
}

TEST(FlowBranches, ValuesReplacedByAnIfIsNoneNeverGetPastIt) {
  std::string source =
      "import asyncio, socketserver\n"
      "async def start(cb, host=None):\n    if host is None:\n        host = '127.0.0.1'\n"
      "    await asyncio.start_server(cb, host, 1)\n"
      "async def main(cb):\n    await start(cb)\n    await start(cb, '10.0.0.1')\n"
      "def serve(host=''):\n    if not host:\n        host = '127.0.0.1'\n"
      "    socketserver.TCPServer((host, 2), None)\n"
      "serve()\nserve('10.0.0.2')\n";
  EXPECT_TRUE(scan(source).empty());
  // Near miss of the near miss: a wildcard that is not None still gets past.
  EXPECT_TRUE(OneNote(scan(source + "serve('0.0.0.0')\n")));
}

TEST(FlowBranches, BranchesThatReturnOrRaiseDoNotReachTheUse) {
  std::string source(kHeader);
  source +=
      "def f(local):\n    h = ''\n    if local:\n        h = '127.0.0.1'\n    else:\n        return\n"
      "    socketserver.TCPServer((h, 1), H)\n"
      "def g(conf):\n    h = ''\n    try:\n        h = conf.get_loopback()\n        h = '127.0.0.1'\n"
      "    except KeyError:\n        raise SystemExit(1)\n    socketserver.TCPServer((h, 2), H)\n"
      "import sys\ndef e(local):\n    h = ''\n    if local:\n        h = '127.0.0.1'\n    else:\n"
      "        sys.exit('needs --local')\n    socketserver.TCPServer((h, 4), H)\n";
  EXPECT_TRUE(scan(source).empty());
  // A handler that lets the code after the `try` run: the value before it may reach.
  source +=
      "def k(conf):\n    h = ''\n    try:\n        h = '127.0.0.1'\n    except KeyError:\n        pass\n"
      "    socketserver.TCPServer((h, 3), H)\n";
  EXPECT_TRUE(OneNote(scan(source)));
}

TEST(FlowBranches, LaterAssignmentInALoopReachesTheNextIteration) {
  std::string source(kHeader);
  source +=
      "def f():\n    h = '127.0.0.1'\n    while True:\n        socketserver.TCPServer((h, 1), H)\n        h = ''\n";
  // Near miss: each iteration assigns loopback before the use.
  source +=
      "def g(items):\n    for i in items:\n        h = '127.0.0.1'\n        socketserver.TCPServer((h, 2), H)\n"
      "        h = ''\n";
  EXPECT_TRUE(OneNote(scan(source)));
}

TEST(FlowBranches, GetoptDefaultIsReportedWithTheOption) {
  std::string source(kHeader);
  source +=
      "import getopt, sys\nopts, args = getopt.getopt(sys.argv[1:], 'h:')\nhost = '0.0.0.0'\n"
      "for o, a in opts:\n    if o == '-h':\n        host = a\nsocketserver.TCPServer((host, 1), H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].level.has_value());  // the rule's level: the default runs without the option
  EXPECT_NE(findings[0].message.find("when -h is not given"), std::string::npos);
}

TEST(FlowBudget, ThousandsOfBranchesEndWithoutAMustFinding) {
  std::string source(kHeader);
  source += "h = ''\n";
  for (int i = 0; i < 3000; ++i) source += "if c" + std::to_string(i) + ":\n    h = '10.0.0.1'\n";
  source += "socketserver.TCPServer((h, 1), H)\n";
  for (const Finding& finding : scan(source)) EXPECT_EQ(finding.level, Level::kNote);
}

// functools.partial: its arguments count as the call's, so a host it binds
// keeps a call without one from "binds every interface by default".
TEST(FlowPartial, ArgumentsBoundByThePartialCountAsTheCalls) {
  std::string source =
      "import asyncio, functools\n"
      "async def main(cb):\n"
      "    local = functools.partial(asyncio.start_server, host='127.0.0.1')\n"
      "    await local(cb, port=1)\n"
      "    everywhere = functools.partial(asyncio.start_server, port=2)\n"
      "    await everywhere(cb)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "bind-all-interfaces-by-default");
  EXPECT_EQ(findings[0].span.start.row, 5u);
}

// f-strings and joins of constants are constants; anything Python would have
// to format (conversions, format specs) or a value the file does not show is not.
TEST(FlowConstants, FStringsAndJoinsOfConstantsOnly) {
  std::string source(kHeader);
  source +=
      "HOST = '0.0.0.0'\n"
      "socketserver.TCPServer((f'{HOST}', 1), H)\n"
      "socketserver.TCPServer(('.'.join(('0', '0', '0', '0')), 2), H)\n"
      "socketserver.TCPServer((f'{HOST!r}', 3), H)\n"
      "socketserver.TCPServer((f'{HOST:>8}', 4), H)\n"
      "socketserver.TCPServer((f'{other}', 5), H)\n"
      "socketserver.TCPServer(('.'.join(parts), 6), H)\n"
      "socketserver.TCPServer((f'{HOST}1', 7), H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].span.start.row, 3u);
  EXPECT_EQ(findings[1].span.start.row, 4u);
}

// A call node of another module's tree (an instance created there) is that
// module's to read: read against this module's bytes its offsets may lie
// past the end (once an uncaught std::out_of_range that ended a whole scan).
TEST(FlowEvaluator, AnArgumentOfAnotherModulesCallIsUnknown) {
  Parser parser;
  std::string here_source = "x = 1\n";
  std::string there_source = "# " + std::string(4000, 'x') + "\nmake(\"0.0.0.0\")\n";
  std::optional<Tree> here = parser.parse(here_source, std::chrono::seconds(10));
  std::optional<Tree> there = parser.parse(there_source, std::chrono::seconds(10));
  ASSERT_TRUE(here && there);
  Module here_module(*here), there_module(*there);
  ASSERT_EQ(there_module.calls().size(), 1u);
  flow::Evaluator evaluator(here_module, nullptr);
  flow::Evaluator::Argument argument = evaluator.argument(there_module.calls()[0].node, kModuleScope, 0, "host");
  EXPECT_FALSE(argument.known);
  EXPECT_FALSE(argument.found);
}

// What may hold a class (the callers of an __init__ are looked for among
// calls written with these names): every binding but a def's own name.
TEST(FlowConstructors, NamesBoundOtherThanByDefAreThoseThatMayHoldAClass) {
  Parser parser;
  std::string source =
      "import os as system\n"
      "from pkg import Thing\n"
      "def helper(param, *rest, **options):\n"
      "    local = param\n"
      "    for item in rest: pass\n"
      "    with open(param) as handle: pass\n"
      "class Server:\n"
      "    factory = Thing\n"
      "    def start(self):\n"
      "        self.handler = Thing\n"
      "@decorated\n"
      "def wrapped(): pass\n"
      "lam = lambda arg: arg\n";
  std::optional<Tree> tree = parser.parse(source, std::chrono::seconds(10));
  ASSERT_TRUE(tree);
  Module module(*tree);
  std::vector<std::string_view> names = module.names_bound_not_by_def();
  std::set<std::string_view> found(names.begin(), names.end());
  for (std::string_view name : {"system", "Thing", "param", "rest", "options", "local", "item", "handle", "Server",
                                "factory", "self", "handler", "lam", "arg"})
    EXPECT_TRUE(found.contains(name)) << name;
  for (std::string_view name : {"helper", "start", "wrapped", "os", "open", "decorated"})
    EXPECT_FALSE(found.contains(name)) << name;
}

// A class constructed through a name that is also a method's elsewhere in
// the file: the call is among the callers of its __init__.
TEST(FlowConstructors, AConstructorCalledByAMethodsNameIsACaller) {
  std::string source = std::string(kHeader) +
                       "class Listener:\n"
                       "    def __init__(self, host):\n"
                       "        socketserver.TCPServer((host, 80), H)\n"
                       "class Other:\n"
                       "    def make(self): pass\n"
                       "class App:\n"
                       "    def __init__(self):\n"
                       "        self.make = Listener\n"
                       "    def start(self):\n"
                       "        self.make('0.0.0.0')\n";
  EXPECT_EQ(scan(source).size(), 1u);
  // Only the method: no class is made, and Listener's host has no caller that gives it.
  std::string only_method = std::string(kHeader) +
                            "class Listener:\n"
                            "    def __init__(self, host):\n"
                            "        socketserver.TCPServer((host, 80), H)\n"
                            "class App:\n"
                            "    def make(self, host): pass\n"
                            "    def start(self):\n"
                            "        self.make('0.0.0.0')\n"
                            "Listener('127.0.0.1')\n";
  EXPECT_TRUE(scan(only_method).empty());
}

}  // namespace
}  // namespace bindscan
