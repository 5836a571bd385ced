#include "sarif/location.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sarif/fingerprint.h"
#include "sarif/json.h"
#include "sarif/utf8.h"
#include "tests/sarif/sarif_test_util.h"

namespace bindscan::sarif {
namespace {

using ::testing::ElementsAre;
using testing::finding_at;
using testing::span_of;

Region region_of(std::string_view source, std::string_view needle, int occurrence = 0) {
  const Span span = span_of(source, needle, occurrence);
  return to_region(source, span.begin, span.end);
}

TEST(LocationTest, AsciiColumnsAreOneBasedAndEndExclusive) {
  constexpr std::string_view source = "import socket\ns.bind((\"0.0.0.0\", 80))\n";
  EXPECT_EQ(region_of(source, "\"0.0.0.0\""), (Region{2, 9, 2, 18}));
  EXPECT_EQ(region_of(source, "import"), (Region{1, 1, 1, 7}));
}

TEST(LocationTest, TwoByteCharacterIsOneUnit) {
  constexpr std::string_view source = "x = \"\u00e9\"; s.bind((\"\", 80))\n";  // é: 2 bytes
  const Span span = span_of(source, "\"\"");
  EXPECT_EQ(span.start.column, 18u);  // bytes, 0-based: 17 units before it
  EXPECT_EQ(to_region(source, span.begin, span.end), (Region{1, 18, 1, 20}));
}

TEST(LocationTest, EmojiIsTwoUnitsAndThreeByteCharacterOne) {
  constexpr std::string_view source = "\U0001F600\u2615s";  // 4 + 3 bytes, 2 + 1 units
  EXPECT_EQ(region_of(source, "s"), (Region{1, 4, 1, 5}));
  EXPECT_EQ(region_of(source, "\U0001F600"), (Region{1, 1, 1, 3}));
}

TEST(LocationTest, InvalidBytesCountOneUnitEach) {
  constexpr std::string_view source =
      "\xff\xfe"
      "ab";
  EXPECT_EQ(region_of(source, "ab"), (Region{1, 3, 1, 5}));
}

TEST(LocationTest, LinesEndAtLfCrLfAndLoneCr) {
  constexpr std::string_view source = "a\r\nb\rc\nd";
  EXPECT_EQ(region_of(source, "b"), (Region{2, 1, 2, 2}));
  EXPECT_EQ(region_of(source, "c"), (Region{3, 1, 3, 2}));
  EXPECT_EQ(region_of(source, "d"), (Region{4, 1, 4, 2}));
}

TEST(LocationTest, MultiLineSpanAndSpanEndingAfterNewline) {
  constexpr std::string_view source = "f(\n  host=\"\u00e9\")\nx\n";
  EXPECT_EQ(region_of(source, "f(\n  host=\"\u00e9\")"), (Region{1, 1, 2, 12}));
  EXPECT_EQ(region_of(source, "x\n"), (Region{3, 1, 4, 1}));
}

TEST(LocationTest, EmptyAndOutOfRangeSpans) {
  constexpr std::string_view source = "ab\ncd";
  EXPECT_EQ(to_region(source, 4, 4), (Region{2, 2, 2, 2}));
  EXPECT_EQ(to_region(source, 4, 100), (Region{2, 2, 2, 3}));
  EXPECT_EQ(to_region(source, 100, 200), (Region{2, 3, 2, 3}));
  EXPECT_EQ(to_region("", 0, 0), (Region{1, 1, 1, 1}));
}

TEST(LocationTest, LocateResolvesRelatedFixesAndLineHash) {
  constexpr std::string_view source = "HOST = \"0.0.0.0\"  # caf\u00e9\n\u00e9 = 1; s.bind((HOST, 80))\n";
  Finding finding = finding_at(source, "HOST,", "Socket bound to all interfaces");
  finding.span.end -= 1;  // drop the comma
  finding.related.push_back({span_of(source, "\"0.0.0.0\""), "host set here"});
  finding.fix = Fix{"Bind to loopback", {{span_of(source, "\"0.0.0.0\""), "\"127.0.0.1\""}}};
  const Finding plain = finding_at(source, "HOST", "first line");

  const auto located = locate(source, std::vector<Finding>{finding, plain});
  ASSERT_EQ(located.size(), 2u);
  EXPECT_EQ(located[0].finding, finding);
  EXPECT_EQ(located[0].region, (Region{2, 16, 2, 20}));
  EXPECT_THAT(located[0].related, ElementsAre(Region{1, 8, 1, 17}));
  EXPECT_THAT(located[0].fix_regions, ElementsAre(Region{1, 8, 1, 17}));
  const auto hashes = line_hashes(source);
  EXPECT_EQ(located[0].line_hash, hashes[1]);
  EXPECT_EQ(located[1].region, (Region{1, 1, 1, 5}));
  EXPECT_EQ(located[1].line_hash, hashes[0]);
  EXPECT_TRUE(located[1].related.empty());
  EXPECT_TRUE(located[1].fix_regions.empty());
  EXPECT_TRUE(locate(source, {}).empty());
}

TEST(SarifUtf8Test, SanitizeReplacesOnlyInvalidBytes) {
  EXPECT_EQ(sanitize_utf8("caf\u00e9 \U0001F600"), "caf\u00e9 \U0001F600");
  EXPECT_EQ(sanitize_utf8("a\xff"
                          "b"),
            "a\uFFFDb");
  EXPECT_EQ(sanitize_utf8("\xe2\x82"), "\uFFFD");                  // truncated: one U+FFFD
  EXPECT_EQ(sanitize_utf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate: three
  EXPECT_EQ(sanitize_utf8("\xc0\xaf"), "\uFFFD\uFFFD");            // overlong
  EXPECT_EQ(utf16_length("\u00e9\U0001F600\xff"), 4u);
}

LocatedFinding sample_located() {
  constexpr std::string_view source = "HOST = \"0.0.0.0\"\ns.bind((HOST, 80))  # nosec B104\n";
  Finding finding = finding_at(source, "HOST",
                               "Socket bound to \xe2\x80\x98"
                               "0.0.0.0\xe2\x80\x99");
  finding.span = span_of(source, "HOST", 1);
  finding.related.push_back({span_of(source, "\"0.0.0.0\""), "host set here"});
  finding.fix = Fix{"Bind to loopback", {{span_of(source, "\"0.0.0.0\""), "\"127.0.0.1\""}}};
  finding.suppression = Suppression{SuppressionKind::kNosec, "# nosec B104"};
  return locate(source, std::vector<Finding>{finding}).at(0);
}

TEST(SarifJsonTest, LocatedFindingRoundTrips) {
  const std::vector<LocatedFinding> original = {sample_located(), sample_located()};
  const std::string text = nlohmann::json(original).dump();
  const auto parsed = parse_located_findings(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, original);

  LocatedFinding minimal = original[0];
  minimal.finding.fix.reset();
  minimal.finding.suppression.reset();
  minimal.finding.related.clear();
  minimal.related.clear();
  minimal.fix_regions.clear();
  EXPECT_EQ(nlohmann::json(minimal).get<LocatedFinding>(), minimal);
}

TEST(SarifJsonTest, InvalidUtf8IsReplacedSoDumpNeverThrows) {
  LocatedFinding located = sample_located();
  located.finding.message = "bad \xff byte";
  located.finding.fix->edits[0].replacement = "\xc3";
  const nlohmann::json j = located;
  std::string text;
  ASSERT_NO_THROW(text = j.dump());
  const auto back = nlohmann::json::parse(text).get<LocatedFinding>();
  EXPECT_EQ(back.finding.message, "bad \uFFFD byte");
  EXPECT_EQ(back.finding.fix->edits[0].replacement, "\uFFFD");
}

TEST(SarifJsonTest, MalformedCacheIsAnErrorNotAnException) {
  for (const std::string_view text : {"", "{", "[{}]", "[1]", R"({"finding": 1})"}) {
    const auto parsed = parse_located_findings(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, "cache");
  }
  auto j = nlohmann::json(std::vector<LocatedFinding>{sample_located()});
  j[0]["finding"]["suppression"]["kind"] = "pylint";
  EXPECT_FALSE(parse_located_findings(j.dump()).ok());
  EXPECT_TRUE(parse_located_findings("[]").ok());
}

// Found by fuzz/finding_cache_fuzzer.cpp: 1e300 as a uint32_t was undefined
// behaviour, and -1 or 2^32 wrapped around silently.
TEST(SarifJsonTest, NumbersOutOfRangeAreAnErrorNotUndefinedBehaviour) {
  const auto original = nlohmann::json(std::vector<LocatedFinding>{sample_located()});
  for (const nlohmann::json& bad : {nlohmann::json(1e300), nlohmann::json(-1), nlohmann::json(4294967296u),
                                    nlohmann::json(1.5), nlohmann::json("1")}) {
    auto j = original;
    j[0]["finding"]["span"]["begin"] = bad;
    EXPECT_FALSE(parse_located_findings(j.dump()).ok()) << bad;
    j = original;
    j[0]["finding"]["span"]["start"][0] = bad;
    EXPECT_FALSE(parse_located_findings(j.dump()).ok()) << bad;
    if (bad == nlohmann::json(-1)) continue;  // a region's int may be negative
    j = original;
    j[0]["region"][1] = bad.is_number_unsigned() ? nlohmann::json(2147483648u) : bad;
    EXPECT_FALSE(parse_located_findings(j.dump()).ok()) << bad;
  }
  EXPECT_TRUE(parse_located_findings(original.dump()).ok());
}

}  // namespace
}  // namespace bindscan::sarif
