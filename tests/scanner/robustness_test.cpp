// Any bytes in: findings for what parses, never a crash or a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "scanner/scan.h"

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

}  // namespace
}  // namespace bindscan
