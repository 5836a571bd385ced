// The runner's per-blob cache entry: findings, module summary and regions,
// written as text and read back equal; damaged text is an error, not a crash.
#include "webhook/jobs/blob_entry.h"

#include <gtest/gtest.h>

#include "scanner/rule.h"

namespace bindscan::webhook {
namespace {

const std::string kServer =
    "import socketserver\nfrom .settings import HOST as H\n"
    "ADDR = \"0.0.0.0\"  # no finding by itself\nNAME = None\n"
    "class Config:\n    PORT = 8000\n"
    "socketserver.TCPServer((\"\", 1), None)\n"
    "socketserver.TCPServer((H, 8000), None)  # nosec B104\n";

BlobEntry entry_of(std::string_view source) {
  flow::ModuleSummary summary;
  ScanResult result = Scanner().summarize(source, summary);
  return make_blob_entry(source, result, std::move(summary));
}

TEST(BlobEntry, RoundTripsFindingsSummaryRegionsAndLineHashes) {
  const BlobEntry entry = entry_of(kServer);
  ASSERT_EQ(entry.findings.size(), 1u);
  ASSERT_EQ(entry.summary.open_sites.size(), 1u);
  EXPECT_TRUE(entry.summary.open_sites[0].suppression);
  EXPECT_EQ(entry.summary.open_sites[0].references.at(0).qualified, "..settings.HOST");
  EXPECT_TRUE(entry.summary.open_sites[0].references.at(0).import_hop);
  EXPECT_FALSE(entry.summary.exports.empty());
  EXPECT_FALSE(entry.regions.empty());
  EXPECT_EQ(entry.line_hashes.size(), 1u);
  EXPECT_TRUE(entry.line_hashes.contains(8));

  auto back = parse_blob_entry(to_text(entry));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, entry);
}

TEST(BlobEntry, AFileNoRuleMayMatchIsDeferredUnparsedUntilALinkNeedsIt) {
  const std::string settings = "HOST = \"0.0.0.0\"\n";
  flow::ModuleSummary summary;
  ScanResult result = Scanner().summarize(settings, summary, /*parse_unmatched=*/false);
  EXPECT_FALSE(result.parsed);
  const BlobEntry deferred = make_blob_entry(settings, result, std::move(summary));
  EXPECT_TRUE(deferred.deferred);
  EXPECT_TRUE(deferred.summary.exports.empty());
  auto back = parse_blob_entry(to_text(deferred));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, deferred);

  // The link asks for it when server.py's open site imports from it.
  const BlobEntry server = entry_of(
      "import socketserver\nfrom settings import HOST\n"
      "socketserver.TCPServer((HOST, 8000), None)\n");
  const BlobEntry loaded = entry_of(settings);
  std::vector<flow::SummarizedFile> files{{"server.py", &server.summary}, {"settings.py", nullptr}};
  std::vector<size_t> asked;
  auto linked = flow::link(
      files, [](std::string_view id) { return find_rule(id)->close; },
      [&](size_t i) {
        asked.push_back(i);
        return &loaded.summary;
      });
  EXPECT_EQ(asked, std::vector<size_t>{1});
  EXPECT_EQ(linked[0].size(), 1u);
}

TEST(BlobEntry, DamagedTextIsAnErrorNotACrash) {
  const std::string text = to_text(entry_of(kServer));
  for (const std::string& bad : {std::string(), std::string("[]"), std::string("{\"findings\": []}"),
                                 text.substr(0, text.size() / 2), std::string("{\"x\": 1}")}) {
    auto parsed = parse_blob_entry(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "cache");
  }
  // An unknown constant kind is refused too.
  std::string tampered = text;
  size_t at = tampered.find("\"kind\":\"string\"");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, 15, "\"kind\":\"tuple\"");
  EXPECT_FALSE(parse_blob_entry(tampered));
}

TEST(BlobEntry, ALinkedFindingIsLocatedFromTheStoredRegions) {
  const std::string settings = "# settings\nHOST = \"0.0.0.0\"\n";
  const BlobEntry server = entry_of(
      "import socketserver\nfrom settings import HOST\n\n"
      "socketserver.TCPServer((HOST, 8000), None)\n");
  const BlobEntry config = entry_of(settings);
  std::vector<flow::SummarizedFile> files{{"server.py", &server.summary}, {"settings.py", &config.summary}};
  auto linked = flow::link(files, [](std::string_view id) { return find_rule(id)->close; });
  ASSERT_EQ(linked[0].size(), 1u);
  sarif::LocatedFinding located = locate_linked(
      linked[0][0], server, [&](const std::string& path) { return path == "settings.py" ? &config : nullptr; });
  EXPECT_EQ(located.region, (sarif::Region{4, 24, 4, 36}));
  ASSERT_EQ(located.related.size(), 2u);
  EXPECT_EQ(located.related[0], (sarif::Region{2, 1, 2, 26}));  // the import, in server.py
  EXPECT_EQ(located.related[1], (sarif::Region{2, 1, 2, 17}));  // the assignment, in settings.py
  EXPECT_FALSE(located.line_hash.empty());
}

}  // namespace
}  // namespace bindscan::webhook
