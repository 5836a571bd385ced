// The rule set's own contract: ids, docs and fixtures in their places.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "scanner/rule.h"

namespace bindscan {
namespace {

namespace fs = std::filesystem;

std::string folder_of(std::string_view id) {
  std::string folder(id);
  std::replace(folder.begin(), folder.end(), '-', '_');
  return folder;
}

TEST(Registry, IdsAreKebabCaseUniqueAndSorted) {
  auto rules = all_rules();
  ASSERT_FALSE(rules.empty());
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_TRUE(std::regex_match(std::string(rules[i].info.id), std::regex("[a-z]+(-[a-z0-9]+)*")))
        << rules[i].info.id;
    if (i > 0) {
      EXPECT_LT(rules[i - 1].info.id, rules[i].info.id) << "registry.cpp must stay sorted and unique";
    }
    EXPECT_EQ(find_rule(rules[i].info.id), &rules[i]);
  }
  EXPECT_EQ(find_rule("no-such-rule"), nullptr);
}

TEST(Registry, MetadataIsCompleteForSarif) {
  for (const Rule& rule : all_rules()) {
    const RuleInfo& info = rule.info;
    EXPECT_TRUE(std::regex_match(std::string(info.name), std::regex("[A-Z][A-Za-z0-9]+"))) << info.name;
    EXPECT_FALSE(info.short_description.empty());
    EXPECT_LE(info.short_description.size(), 1024u);
    EXPECT_FALSE(info.full_description.empty());
    EXPECT_LE(info.full_description.size(), 1024u);
    EXPECT_GT(info.cwe, 0);
    EXPECT_TRUE(info.precision == "very-high" || info.precision == "high" || info.precision == "medium" ||
                info.precision == "low");
    double severity = std::stod(std::string(info.security_severity));
    EXPECT_GT(severity, 0.0);
    EXPECT_LE(severity, 10.0);
  }
}

TEST(Registry, DocumentationHasTheFiveHeadingsAndIsTheShippedFile) {
  for (const Rule& rule : all_rules()) {
    std::string doc(rule.info.documentation);
    for (const char* heading : {"## What it finds\n", "## Why it matters\n", "## Example\n", "## Fix\n",
                                "## References\n"})
      EXPECT_NE(doc.find(heading), std::string::npos) << rule.info.id << " doc.md lacks " << heading;
    fs::path file = fs::path(BINDSCAN_SOURCE_DIR) / "scanner/rules" / folder_of(rule.info.id) / "doc.md";
    std::ifstream in(file, std::ios::binary);
    std::string on_disk{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(doc, on_disk) << "the embedded doc.md is stale";
  }
}

TEST(Registry, EveryRuleHasPositiveAndNegativeFixtures) {
  for (const Rule& rule : all_rules()) {
    fs::path folder = fs::path(BINDSCAN_SOURCE_DIR) / "scanner/rules" / folder_of(rule.info.id) / "fixtures";
    int positive = 0, negative = 0;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file()) continue;  // a folder fixture counts by its files
      std::ifstream in(entry.path());
      std::string text{std::istreambuf_iterator<char>(in), {}};
      (text.find("# expect: ") != std::string::npos ? positive : negative)++;
    }
    EXPECT_GE(positive, 1) << rule.info.id;
    EXPECT_GE(negative, 1) << rule.info.id;
  }
}

}  // namespace
}  // namespace bindscan
