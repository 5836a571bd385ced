// Per-module summaries and their link (scanner/flow/summary.h): each file is
// summarized alone, the summaries are linked, and for the shapes summaries
// carry the result must equal a project scan of the same files, finding for
// finding (message, level, related locations, fix).
#include "scanner/flow/summary.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "scanner/rule.h"
#include "scanner/scan.h"
#include "tests/scanner/linked.h"

namespace bindscan {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;  // path, source

struct Linked {
  std::vector<flow::ModuleSummary> summaries;
  std::vector<std::vector<Finding>> findings;  // per file: its own plus the linked ones
};

using testing::close_of;

Linked summarize_and_link(const Files& files) {
  std::vector<std::string> paths, sources;
  for (const auto& [path, source] : files) {
    paths.push_back(path);
    sources.push_back(source);
  }
  Linked out;
  out.findings = testing::summarize_and_link(paths, sources, &out.summaries);
  return out;
}

std::string describe(const std::vector<std::vector<Finding>>& all) {
  std::string out;
  for (const auto& file : all)
    for (const Finding& f : file) {
      out += "finding " + std::to_string(f.span.begin) + " fix=" + (f.fix ? std::to_string(f.fix->edits.size()) : "-") +
             "\n";
      for (const RelatedLocation& r : f.related)
        out += "  " + r.path + ":" + std::to_string(r.span.begin) + "-" + std::to_string(r.span.end) + " " + r.message +
               "\n";
    }
  return out;
}

std::vector<std::vector<Finding>> project_scan(const Files& files) {
  std::vector<std::string> paths;
  for (const auto& [path, source] : files) paths.push_back(path);
  auto results =
      Scanner().scan_project(paths, [&](size_t i) { return std::optional<std::string_view>(files[i].second); });
  std::vector<std::vector<Finding>> out;
  for (ScanResult& r : results) {
    std::sort(r.findings.begin(), r.findings.end());
    out.push_back(std::move(r.findings));
  }
  return out;
}

const std::string kServer =
    "import socketserver\nfrom settings import HOST\n\n"
    "socketserver.TCPServer((HOST, 8000), socketserver.BaseRequestHandler)\n";

TEST(Summary, AnImportedConstantIsLinkedExactlyAsAProjectScanJudgesIt) {
  Files files{{"server.py", kServer}, {"settings.py", "HOST = \"0.0.0.0\"\n"}};
  Linked linked = summarize_and_link(files);
  ASSERT_EQ(linked.findings[0].size(), 1u);
  const Finding& f = linked.findings[0][0];
  EXPECT_EQ(f.rule_id, "bind-all-interfaces");
  EXPECT_FALSE(f.level) << "every value is a wildcard: the rule's level";
  bool in_settings = false;
  for (const RelatedLocation& r : f.related) in_settings |= r.path == "settings.py";
  EXPECT_TRUE(in_settings) << f;
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
  // The server file alone left its site open, with a reference to settings.HOST.
  ASSERT_EQ(linked.summaries[0].open_sites.size(), 1u);
  ASSERT_EQ(linked.summaries[0].open_sites[0].references.size(), 1u);
  EXPECT_EQ(linked.summaries[0].open_sites[0].references[0].qualified, "settings.HOST");
}

TEST(Summary, ALoopbackSettingGivesNoFinding) {
  Files files{{"server.py", kServer}, {"settings.py", "HOST = \"127.0.0.1\"\n"}};
  Linked linked = summarize_and_link(files);
  EXPECT_TRUE(linked.findings[0].empty()) << linked.findings[0][0];
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
}

TEST(Summary, ModuleAttributesClassAttributesAndRelativeReExports) {
  Files files{
      {"main.py",
       "import socketserver\nimport settings\nfrom pkg import BIND\nfrom settings import Config\n"
       "H = socketserver.BaseRequestHandler\n"
       "socketserver.TCPServer((settings.HOST, 1), H)\n"
       "socketserver.TCPServer((BIND, 2), H)\n"
       "socketserver.TCPServer((Config.BIND, 3), H)\n"
       "socketserver.TCPServer((settings.LOCAL, 4), H)\n"},
      {"settings.py", "HOST = \"0.0.0.0\"\nLOCAL = \"127.0.0.1\"\n\n\nclass Config:\n    BIND = \"\"\n"},
      {"pkg/__init__.py", "from .config import BIND\n"},
      {"pkg/config.py", "BIND = \"::\"\n"},
  };
  Linked linked = summarize_and_link(files);
  EXPECT_EQ(linked.findings[0].size(), 3u);
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
}

TEST(Summary, StarImportsAreFollowedInTheServerAndInAReExportingModule) {
  Files files{
      {"a.py", "import socketserver\nfrom conf import *\nsocketserver.TCPServer((HOST, 1), None)\n"},
      {"b.py", "import socketserver\nfrom middle import HOST\nsocketserver.TCPServer((HOST, 1), None)\n"},
      {"middle.py", "from conf import *\n"},
      {"conf.py", "HOST = \"0.0.0.0\"\n"},
  };
  Linked linked = summarize_and_link(files);
  EXPECT_EQ(linked.findings[0].size(), 1u);
  EXPECT_EQ(linked.findings[1].size(), 1u);
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
}

TEST(Summary, AMayBindMixOfLocalAndImportedValuesIsANote) {
  Files files{
      {"server.py",
       "import socketserver\nimport sys\nfrom settings import HOST\n"
       "host = \"127.0.0.1\" if sys.argv[1:] else HOST\n"
       "socketserver.TCPServer((host, 8000), None)\n"},
      {"settings.py", "HOST = \"0.0.0.0\"\n"},
  };
  Linked linked = summarize_and_link(files);
  ASSERT_EQ(linked.findings[0].size(), 1u);
  EXPECT_EQ(linked.findings[0][0].level, Level::kNote);
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
}

TEST(Summary, ImportCyclesAndMissingModulesAreUnknownNotFindings) {
  Files files{
      {"server.py",
       "import socketserver\nfrom a import X\nfrom missing import Y\n"
       "socketserver.TCPServer((X, 1), None)\nsocketserver.TCPServer((Y, 2), None)\n"},
      {"a.py", "from b import X\n"},
      {"b.py", "from a import X\n"},
  };
  Linked linked = summarize_and_link(files);
  EXPECT_TRUE(linked.findings[0].empty());
  std::vector<flow::SummarizedFile> summarized;
  for (size_t i = 0; i < files.size(); ++i) summarized.push_back({files[i].first, &linked.summaries[i]});
  flow::SummaryLinker linker(summarized);
  flow::Resolved cycle = linker.resolve({"a.X", {}, {}, "X", std::nullopt}, 0);
  EXPECT_TRUE(cycle.unknown);
  EXPECT_TRUE(cycle.constants.empty());
  // Not a module of the commit: a library's name, for the rule to judge (not a host here).
  flow::Resolved missing = linker.resolve({"missing.Y", {}, {}, "Y", std::nullopt}, 0);
  ASSERT_EQ(missing.constants.size(), 1u);
  EXPECT_EQ(missing.constants[0].kind, flow::ValueKind::kImported);
  EXPECT_EQ(missing.constants[0].text, "missing.Y");
}

// Bounded: a chain of re-exports longer than the link budget is unknown
// (no finding), a shorter one is followed to the end.
TEST(Summary, ReExportChainsAreFollowedWithinTheLinkBudgetOnly) {
  auto chain = [](int length) {
    Files files{{"server.py", "import socketserver\nfrom m0 import HOST\nsocketserver.TCPServer((HOST, 1), None)\n"}};
    for (int i = 0; i < length; ++i)
      files.push_back({"m" + std::to_string(i) + ".py", "from m" + std::to_string(i + 1) + " import HOST\n"});
    files.push_back({"m" + std::to_string(length) + ".py", "HOST = \"0.0.0.0\"\n"});
    return files;
  };
  EXPECT_EQ(summarize_and_link(chain(10)).findings[0].size(), 1u);
  EXPECT_TRUE(summarize_and_link(chain(flow::SummaryLinker::kMaxLinkDepth + 5)).findings[0].empty());
}

TEST(Summary, AFileWithoutSummaryMakesItsNamesUnknown) {
  Files files{{"server.py", kServer}, {"settings.py", "HOST = \"0.0.0.0\"\n"}};
  Linked linked = summarize_and_link(files);
  std::vector<flow::SummarizedFile> summarized{{"server.py", &linked.summaries[0]}, {"settings.py", nullptr}};
  auto out = flow::link(summarized, close_of);
  EXPECT_TRUE(out[0].empty());
}

TEST(Summary, ASuppressionCommentOnTheCallSilencesTheLinkedFinding) {
  Files files{{"server.py",
               "import socketserver\nfrom settings import HOST\n"
               "socketserver.TCPServer((HOST, 8000), None)  # nosec B104\n"},
              {"settings.py", "HOST = \"0.0.0.0\"\n"}};
  Linked linked = summarize_and_link(files);
  ASSERT_EQ(linked.findings[0].size(), 1u);
  EXPECT_TRUE(linked.findings[0][0].suppression);
  EXPECT_EQ(linked.findings, project_scan(files)) << describe(linked.findings) << "---\n"
                                                  << describe(project_scan(files));
}

TEST(Summary, ExportsCarryConstantsAndReferencesOfModuleLevelNames) {
  flow::ModuleSummary summary;
  Scanner().summarize(
      "import os\nfrom .conf import BIND as B\nHOST = \"0.0.0.0\"\nPORT = 8000\n"
      "def f():\n    pass\nfrom x import *\n",
      summary);
  std::vector<std::string> names;
  for (const flow::Export& e : summary.exports) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"B", "HOST", "PORT", "os"}));
  EXPECT_EQ(summary.exports[1].constants.at(0).text, "0.0.0.0");
  EXPECT_EQ(summary.exports[1].constants.at(0).spelling, "\"0.0.0.0\"");
  EXPECT_EQ(summary.exports[0].references.at(0).qualified, "..conf.BIND");
  EXPECT_EQ(summary.star_imports, (std::vector<std::string>{"x"}));
}

}  // namespace
}  // namespace bindscan
