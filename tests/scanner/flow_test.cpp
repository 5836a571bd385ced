// The value flow's budgets: pathological files end quickly with "unknown"
// (no finding), never a wrong finding or a hang. No time is asserted; a hang
// would hit ctest's timeout.
#include <gtest/gtest.h>

#include <string>

#include "scanner/scan.h"

namespace bindscan {
namespace {

constexpr std::string_view kHeader = "import socketserver\nH = socketserver.BaseRequestHandler\n";

std::vector<Finding> scan(const std::string& source) { return Scanner().scan(source).findings; }

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

TEST(FlowBudget, RecursionAndAssignmentCyclesEnd) {
  std::string source(kHeader);
  source +=
      "def f(h):\n    f(h)\n    socketserver.TCPServer((h, 1), H)\n"
      "f('')\n"
      "def g():\n    a = b\n    b = a\n    socketserver.TCPServer((a, 1), H)\n"
      "class A(B):\n    pass\nclass B(A):\n    pass\n"
      "A.x.y.z\n";
  auto findings = scan(source);
  // f: the recursive call passes h itself (a cycle, unknown), f('') passes "":
  // a "may" finding at note level.
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].level, Level::kNote);
}

TEST(FlowBudget, ManyValuesForOneNameAreCapped) {
  std::string source(kHeader);
  source += "def serve(host):\n    socketserver.TCPServer((host, 1), H)\n";
  for (int i = 0; i < 60; ++i) source += "serve('10.0.0." + std::to_string(i) + "')\n";
  source += "serve('')\n";
  // 61 call sites: over the call-site budget, so unknown, not a guess.
  EXPECT_TRUE(scan(source).empty());
}

}  // namespace
}  // namespace bindscan
