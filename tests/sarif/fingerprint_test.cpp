// Expected values come from GitHub's reference vector (§4.7) and were
// cross-checked with the SARIF Multitool's own implementation
// (`Sarif.Multitool rewrite --insert RollingHashPartialFingerprints`).
#include "sarif/fingerprint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bindscan::sarif {
namespace {

using ::testing::ElementsAre;

constexpr std::string_view kVector =
    "import socket\n"
    "\n"
    "def serve():\n"
    "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "    s.bind((\"0.0.0.0\", 8080))\n"
    "    s.listen(5)\n";

// The hash of the sentinel and zeros alone: what an empty last line gets.
constexpr std::string_view kEmptyLineAtEnd = "c129715d7a2bc9a3:1";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(FingerprintTest, MatchesGitHubReferenceVector) {
  const auto hashes = line_hashes(kVector);
  ASSERT_EQ(hashes.size(), 7u);                          // six lines and the empty one after the final LF
  EXPECT_EQ(line_hash(hashes, 1), "c085c490abac4a8:1");  // 15 digits: no zero padding
  EXPECT_EQ(line_hash(hashes, 4), "a8d3a85ae0d0b6e5:1");
  EXPECT_EQ(line_hash(hashes, 5), "6314ea6d1642b9fb:1");
  EXPECT_EQ(line_hash(hashes, 7), kEmptyLineAtEnd);
}

TEST(FingerprintTest, CrLfAndLoneCrHashLikeLf) {
  const auto lf = line_hashes(kVector);
  EXPECT_EQ(line_hashes(replace_all(std::string(kVector), "\n", "\r\n")), lf);
  EXPECT_EQ(line_hashes(replace_all(std::string(kVector), "\n", "\r")), lf);
}

TEST(FingerprintTest, MixedLineEndsAndBlankLines) {
  EXPECT_THAT(line_hashes("a\rb\r\n\n  \t\nc"),
              ElementsAre("df27ea500d01bdf5:1", "54db5e40fb9fc98e:1", "91d83b63a3a0176a:1",
                          "1c206f60a702cfe8:1", "188ff2f224477a1e:1"));
}

TEST(FingerprintTest, SpacesAndTabsNeverEnterTheHash) {
  EXPECT_EQ(line_hashes("s.bind((\"\", 80))\n"), line_hashes("  s.bind( ( \"\",\t80 ) )\n"));
  EXPECT_NE(line_hashes("a\n"), line_hashes("b\n"));
}

TEST(FingerprintTest, NonAsciiHashesUtf16CodeUnits) {
  // é (2 bytes, 1 unit), ☕ (3 bytes, 1 unit), 😀 (4 bytes, 2 units).
  EXPECT_THAT(line_hashes("# caf\u00e9 \u2615 \U0001F600\nx = \"\u00e9\"\nhost = \"0.0.0.0\"\n"
                          "host = \"0.0.0.0\"\n"),
              ElementsAre("58a59a7b79f61c07:1", "ab054cd43e2ebcb9:1", "d875bcee8bf470ed:1",
                          "c5e5a37fa24cc8ea:1", kEmptyLineAtEnd));
}

TEST(FingerprintTest, InvalidUtf8HashesAsReplacementCharacters) {
  // FF is one U+FFFD, the truncated E2 82 another: as Node's decoder reads it.
  EXPECT_THAT(line_hashes("a\xff\xe2\x82"
                          "b\nc\n"),
              ElementsAre("6e67008402b21d83:1", "3791504be0bd17cc:1", kEmptyLineAtEnd));
  EXPECT_EQ(line_hashes("a\xff\xe2\x82"
                        "b\n"),
            line_hashes("a\uFFFD\uFFFDb\n"));
}

TEST(FingerprintTest, EmptyFileHasOneLine) {
  EXPECT_THAT(line_hashes(""), ElementsAre(kEmptyLineAtEnd));
}

TEST(FingerprintTest, FileWithoutFinalNewline) {
  EXPECT_THAT(line_hashes("a = 1\nb = 2"), ElementsAre("6427f35fd5d27919:1", "925d366a134f6008:1"));
}

TEST(FingerprintTest, RepeatedHashesAreCounted) {
  std::string source;
  for (int i = 0; i < 150; ++i) source += "x\n";
  const auto hashes = line_hashes(source);
  ASSERT_EQ(hashes.size(), 151u);
  EXPECT_EQ(hashes[0], "c0fe7b2700d6c254:1");
  EXPECT_EQ(hashes[1], "c0fe7b2700d6c254:2");
  EXPECT_EQ(hashes[7], "c0fe7b2700d6c254:8");
  EXPECT_EQ(hashes[149], "828973aa50c68d6d:1");
}

TEST(FingerprintTest, LineHashLookup) {
  const auto hashes = line_hashes(kVector);
  EXPECT_EQ(line_hash(hashes, 0), line_hash(hashes, 1));  // no region: line 1
  EXPECT_EQ(line_hash(hashes, 8), "");
}

// What locate() asks for: a few lines' hashes, not every line's.
TEST(FingerprintTest, HashesOfSomeLinesAreThoseOfEveryLine) {
  std::string repeated;
  for (int i = 0; i < 150; ++i) repeated += i % 3 == 0 ? "x\n" : "y = 1\n";
  for (const std::string& source : {std::string(kVector), repeated, std::string("a\rb\r\n\n  \t\nc"),
                                   std::string(), std::string("a = 1\nb = 2")}) {
    const auto every = line_hashes(source);
    const int count = static_cast<int>(every.size());
    // Out of order, repeated, line 0 (read as line 1), and past the end.
    const std::vector<int> asked = {count, 1, count / 2, 0, count / 2, count + 5, 2};
    const auto some = hashes_of_lines(source, asked);
    ASSERT_EQ(some.size(), asked.size());
    for (std::size_t i = 0; i < asked.size(); ++i)
      EXPECT_EQ(some[i], line_hash(every, asked[i])) << "line " << asked[i] << " of " << count;
  }
}

TEST(FingerprintTest, LargeFileIsLinear) {
  std::string source;
  for (int i = 0; i < 200000; ++i) source += "s.bind((\"0.0.0.0\", " + std::to_string(i) + "))\n";
  EXPECT_EQ(line_hashes(source).size(), 200001u);
}

}  // namespace
}  // namespace bindscan::sarif
