// Any bytes in: findings for what parses, never a crash or a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <stdexcept>

#include "scanner/module.h"
#include "scanner/scan.h"
#include "scanner/words.h"

namespace bindscan {
namespace {

constexpr std::string_view kServer = "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";

TEST(Robustness, InvalidUtf8AndNulBytesStillGiveFindings) {
  std::string source = "# \xff\xfe caf\xc3 \x80\n";
  source += std::string("x = '\0\0'\n", 10);
  source += kServer;
  auto result = Scanner().scan(source);
  EXPECT_EQ(result.findings.size(), 1u);
}

TEST(Robustness, DeepNestingDoesNotOverflowTheStack) {
  std::string source(kServer);
  source += "x = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n";
  source += "y = " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  std::string chain = "v";
  for (int i = 0; i < 5000; ++i) chain += ".a";
  source += chain + "\n";
  auto result = Scanner().scan(source);
  EXPECT_EQ(result.findings.size(), 1u);
}

TEST(Robustness, DeeplyNestedClassesAndCalls) {
  std::string source(kServer);
  std::string calls;
  for (int i = 0; i < 3000; ++i) calls += "f(";
  calls += std::string(3000, ')');
  source += calls + "\n";
  for (int i = 0; i < 500; ++i) source += std::string(static_cast<size_t>(i), ' ') + "class C" + std::to_string(i) + ":\n";
  source += std::string(500, ' ') + "pass\n";
  EXPECT_EQ(Scanner().scan(source).findings.size(), 1u);
}

TEST(Robustness, RandomBytesNeverCrash) {
  std::mt19937 random(1327);
  std::uniform_int_distribution<int> byte(0, 255);
  Scanner scanner;
  for (int round = 0; round < 200; ++round) {
    std::string source(kServer);
    for (int i = 0; i < 2000; ++i) source += static_cast<char>(byte(random));
    scanner.scan(source);
  }
}

TEST(Robustness, LargeFileScansInLinearTime) {
  std::string block = "def handler(request):\n    \"\"\"" + std::string(400, 'd') +
                      "\"\"\"\n    return request.send(b'0.0.0.0')\n";
  std::string source(kServer);
  while (source.size() < 50u << 20) source += block;
  source += kServer;
  auto start = std::chrono::steady_clock::now();
  auto result = Scanner().scan(source);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.findings.size(), 2u);
  std::cout << "50 MB file: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
}

TEST(Robustness, ParseTimeoutIsReported) {
  std::string source(kServer);
  while (source.size() < 8u << 20) source += "x = [1, 2, 3]\n";
  ScanOptions options;
  options.parse_timeout = std::chrono::microseconds(1);
  options.parse_timeout_per_mib = std::chrono::microseconds(0);
  auto result = Scanner(all_rules(), options).scan(source);
  EXPECT_TRUE(result.timed_out);
  EXPECT_TRUE(result.findings.empty());
}

TEST(Robustness, PrefilterSkipsFilesWithoutSinks) {
  auto result = Scanner().scan("print('0.0.0.0')\n");
  EXPECT_FALSE(result.parsed);
  ScanOptions options;
  options.prefilter = false;
  EXPECT_TRUE(Scanner(all_rules(), options).scan("print('0.0.0.0')\n").parsed);
}

// A rule with a defect: it throws on files that write `boom`.
RuleInfo throwing_info() {
  RuleInfo info{};
  info.id = "throwing-rule";
  return info;
}
const RuleInfo kThrowingInfo = throwing_info();
const WordSieve& any_file() {
  static const WordSieve sieve({{{"boom", kWritten}}, {{"socketserver", kWritten}}});
  return sieve;
}
void throw_on_boom(const Module& module, std::vector<Finding>&) {
  if (module.source().find("boom") != std::string_view::npos) throw std::runtime_error("an invariant broke");
}

std::vector<Rule> bind_rule_and_a_throwing_one() {
  return {*find_rule("bind-all-interfaces"), Rule{.info = kThrowingInfo, .prefilter = any_file, .check = throw_on_boom}};
}

// An analysis that fails on one file (a defect of bindscan) says so for that
// file; what was found before stands, and the other files are judged as ever.
TEST(Robustness, AnAnalysisFailureIsReportedForItsFileAndTheScanGoesOn) {
  std::vector<Rule> rules = bind_rule_and_a_throwing_one();
  Scanner scanner(rules);
  ScanResult alone = scanner.scan(std::string(kServer) + "boom = 1\n");
  ASSERT_TRUE(alone.error);
  EXPECT_NE(alone.error->find("throwing-rule failed on this file: an invariant broke"), std::string::npos);
  EXPECT_EQ(alone.findings.size(), 1u);

  std::vector<std::string> paths = {"a.py", "b.py", "c.py"};
  std::vector<std::string> sources = {std::string(kServer) + "boom = 1\n", std::string(kServer),
                                      "from a import H\nboom = H\n"};
  std::vector<ScanResult> results =
      scanner.scan_project(paths, [&](size_t i) { return std::optional<std::string_view>(sources[i]); });
  ASSERT_TRUE(results[0].error);
  EXPECT_EQ(results[0].findings.size(), 1u);
  EXPECT_FALSE(results[1].error);
  EXPECT_EQ(results[1].findings.size(), 1u);
  EXPECT_TRUE(results[2].error);
}

}  // namespace
}  // namespace bindscan
