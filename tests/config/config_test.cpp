// Configuration files: parsing, every error naming file, line and key, the
// nearest-file lookup, globs, and their effect on `bindscan scan`.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "tests/cli/run_command.h"
#include "config/glob.h"
#include "tests/sarif/sarif_validator.h"

namespace bindscan::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> problems_of(std::string_view text, const std::string& name = ".bindscan.toml") {
  std::vector<std::string> out;
  for (const Problem& p : parse(text, name, "/repo").problems) out.push_back(p.to_string());
  return out;
}

TEST(Glob, SegmentsStarsAndFolders) {
  EXPECT_TRUE(glob_matches("docker/**", "docker/entrypoint.py"));
  EXPECT_TRUE(glob_matches("docker/**", "docker/a/b.py"));
  EXPECT_TRUE(glob_matches("docker", "docker/a/b.py"));
  EXPECT_TRUE(glob_matches("docker", "svc/docker/run.py"));      // no '/': any folder or file name
  EXPECT_FALSE(glob_matches("docker/**", "svc/docker/run.py"));  // with '/': anchored
  EXPECT_TRUE(glob_matches("**/docker/**", "svc/docker/run.py"));
  EXPECT_TRUE(glob_matches("tests/**/test_*.py", "tests/test_a.py"));
  EXPECT_TRUE(glob_matches("tests/**/test_*.py", "tests/unit/deep/test_a.py"));
  EXPECT_FALSE(glob_matches("tests/*.py",
                            "tests/unit/test_a.py"));  // '*' stays in one folder
  EXPECT_TRUE(glob_matches("*.pyw", "tools/run.pyw"));
  EXPECT_TRUE(glob_matches("test_[a-c].py", "test_b.py"));
  EXPECT_FALSE(glob_matches("test_[!a-c].py", "test_b.py"));
  EXPECT_TRUE(glob_matches("./app/?.py", "app/x.py"));
  EXPECT_FALSE(glob_matches("app", "application/x.py"));
  std::string why;
  EXPECT_FALSE(glob_valid("src/[abc", &why));
  EXPECT_THAT(why, HasSubstr("never closed"));
}

TEST(ConfigParse, EveryKeyIsRead) {
  Parsed parsed = parse(R"(
[project]
name = "x"

[tool.bindscan]
exclude = ["vendor"]
extend-exclude = ["build/**"]
include = ["bin/*"]
select = ["bind-all-interfaces"]
ignore = []
per-file-ignores = { "tests/**" = ["bind-all-interfaces"] }
allow = [
  { path = "docker/**", reason = "container entrypoint" },
  { path = "dev/**", reason = "dev server", rule = "bind-all-interfaces", sink = "http.server.HTTPServer", dismiss-reason = "used in tests" },
]
severity = { bind-all-interfaces = "error" }
)",
                        "pyproject.toml", "/repo");
  ASSERT_THAT(parsed.problems, IsEmpty());
  ASSERT_TRUE(parsed.config);
  const Config& c = *parsed.config;
  EXPECT_THAT(c.exclude, ElementsAre("vendor"));
  EXPECT_THAT(c.extend_exclude, ElementsAre("build/**"));
  EXPECT_THAT(c.include, ElementsAre("bin/*"));
  ASSERT_EQ(c.allow.size(), 2u);
  EXPECT_EQ(c.allow[1].sink, "http.server.HTTPServer");
  EXPECT_EQ(c.allow[0].dismiss_reason, "");  // the service dismisses as "won't fix"
  EXPECT_EQ(c.allow[1].dismiss_reason, "used in tests");
  EXPECT_EQ(c.allow[0].origin.to_string(), "pyproject.toml:13");
  EXPECT_EQ(c.severity.at("bind-all-interfaces"), Level::kError);
  EXPECT_EQ(c.origins.at("severity").to_string(), "pyproject.toml:16");
}

TEST(ConfigParse, PyprojectWithoutToolBindscanIsNoConfig) {
  Parsed parsed = parse("[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n", "pyproject.toml", "/repo");
  EXPECT_FALSE(parsed.config);
  EXPECT_THAT(parsed.problems, IsEmpty());
}

TEST(ConfigParse, ErrorsNameFileLineKeyAndTheNearestName) {
  EXPECT_THAT(problems_of("exlude = [\"x\"]\n"), ElementsAre(".bindscan.toml:1:1: key 'exlude': unknown key, did "
                                                             "you mean 'exclude'? "
                                                             "(`bindscan config --help` lists the keys)"));
  EXPECT_THAT(problems_of("\nselect = [\"bind-all-interface\"]\n"),
              ElementsAre(HasSubstr(".bindscan.toml:2:11: key 'select': "
                                    "unknown rule 'bind-all-interface', "
                                    "did you mean 'bind-all-interfaces'?")));
  EXPECT_THAT(problems_of("severity = { bind-all-interfaces = \"eror\" }\n"),
              ElementsAre(HasSubstr(":1:36: key 'severity.bind-all-interfaces': must "
                                    "be \"note\", \"warning\" or "
                                    "\"error\", not 'eror', did you mean 'error'?")));
  EXPECT_THAT(problems_of("allow = [{ path = \"a\", reasn = \"x\" }]\n"),
              ElementsAre(HasSubstr("key 'allow.reason': an allow entry needs a reason"),
                          HasSubstr(":1:24: key 'allow.reasn': unknown key in an allow entry, "
                                    "did you mean 'reason'?")));
  EXPECT_THAT(problems_of("allow = [{ reason = \"x\" }]\n"), ElementsAre(HasSubstr("an allow entry needs a path")));
  EXPECT_THAT(problems_of("allow = [{ path = \"t/**\", reason = \"x\", dismiss-reason = \"used in test\" }]\n"),
              ElementsAre(HasSubstr(":1:58: key 'allow.dismiss-reason': must be \"won't fix\" or \"used in tests\" "
                                    "(GitHub's reason for the dismissed alert), not 'used in test', "
                                    "did you mean 'used in tests'?")));
  EXPECT_THAT(problems_of("allow = [{ path = \"t/**\", reason = \"x\", dismiss-reason = \"false positive\" }]\n"),
              ElementsAre(HasSubstr("key 'allow.dismiss-reason': must be \"won't fix\" or \"used in tests\"")));
  EXPECT_THAT(problems_of("allow = [{ path = \"t/**\", reason = \"x\", dismis-reason = \"won't fix\" }]\n"),
              ElementsAre(HasSubstr("did you mean 'dismiss-reason'?")));
  EXPECT_THAT(problems_of("exclude = \"build\"\n"), ElementsAre(HasSubstr("key 'exclude': must be a list of strings")));
  EXPECT_THAT(problems_of("exclude = [\"src/[ab\"]\n"), ElementsAre(HasSubstr("bad pattern 'src/[ab'")));
  EXPECT_THAT(problems_of("per-file-ignores = { \"t/**\" = [\"nope\"] }\n"),
              ElementsAre(HasSubstr("unknown rule 'nope'")));
  EXPECT_THAT(problems_of("[tool]\nbindscan = 3\n", "pyproject.toml"), ElementsAre(HasSubstr("must be a table")));
  // Malformed TOML: the parser's line and column.
  EXPECT_THAT(problems_of("select = [\n"), ElementsAre(".bindscan.toml:1:12: not valid TOML: Error while "
                                                       "parsing array: encountered end-of-file"));
  // Any problem means no configuration at all, never half of one.
  EXPECT_FALSE(parse("select = [\"bind-all-interfaces\"]\nexlude = []\n", ".bindscan.toml", "/r").config);
}

TEST(ConfigApply, AllowSelectIgnoreAndPerFileIgnores) {
  Config c = *parse(R"(
per-file-ignores = { "tests/**" = ["bind-all-interfaces"] }
allow = [
  { path = "docker/**", reason = "container" },
  { path = "dev/**", reason = "dev only", sink = "http.server.HTTPServer" },
]
)",
                    ".bindscan.toml", "/repo")
                  .config;
  Finding f;
  f.rule_id = "bind-all-interfaces";
  f.sink = "socketserver.TCPServer";
  EXPECT_FALSE(apply(c, "tests/test_server.py", f));
  Finding allowed = f;
  EXPECT_TRUE(apply(c, "docker/entrypoint.py", allowed));
  ASSERT_TRUE(allowed.suppression);
  EXPECT_EQ(allowed.suppression->kind, SuppressionKind::kConfig);
  EXPECT_EQ(allowed.suppression->comment, "container");
  Finding other_sink = f;
  EXPECT_TRUE(apply(c, "dev/run.py", other_sink));
  EXPECT_FALSE(other_sink.suppression);  // the entry names another sink
  Finding same_sink = f;
  same_sink.sink = "http.server.HTTPServer";
  EXPECT_TRUE(apply(c, "dev/run.py", same_sink));
  EXPECT_TRUE(same_sink.suppression);
  Finding elsewhere = f;
  EXPECT_TRUE(apply(c, "app/server.py", elsewhere));
  EXPECT_FALSE(elsewhere.suppression);
  Finding commented = f;
  commented.suppression = Suppression{SuppressionKind::kNosec, "# nosec"};
  EXPECT_TRUE(apply(c, "docker/x.py", commented));
  EXPECT_EQ(commented.suppression->kind,
            SuppressionKind::kNosec);  // the comment stays
  Config ignoring = *parse("ignore = [\"bind-all-interfaces\"]\n", ".bindscan.toml", "/repo").config;
  EXPECT_FALSE(rule_enabled(ignoring, "bind-all-interfaces", "a.py"));
  for (const RuleInfo& rule : effective_rules(ignoring, all_rules())) EXPECT_NE(rule.id, "bind-all-interfaces");
}

TEST(ConfigApply, SeverityOverridesLevelAndSecuritySeverity) {
  Config c = *parse("severity = { bind-all-interfaces = \"error\" }\n", ".bindscan.toml", "/repo").config;
  std::vector<RuleInfo> rules = effective_rules(c, all_rules());
  ASSERT_EQ(rules.size(), all_rules().size());
  ASSERT_EQ(rules[0].id, "bind-all-interfaces");
  EXPECT_EQ(rules[0].default_level, Level::kError);
  EXPECT_EQ(rules[0].security_severity, "8.0");
  Config same = *parse("severity = { bind-all-interfaces = \"warning\" }\n", ".bindscan.toml", "/repo").config;
  EXPECT_EQ(effective_rules(same, all_rules())[0].security_severity,
            find_rule("bind-all-interfaces")->info.security_severity);
  Config note = *parse("severity = { bind-all-interfaces = \"note\" }\n", ".bindscan.toml", "/repo").config;
  EXPECT_EQ(effective_rules(note, all_rules())[0].security_severity, "3.0");
}

// ---- On disk and through the CLI ----

namespace fs = std::filesystem;

using cli::testing::Ran;
using cli::testing::scan;
using cli::testing::run_command;

constexpr const char* kServer = "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-config-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(ConfigFiles, NearestFileAboveThePathAndDotFileWins) {
  write("pyproject.toml", "[tool.bindscan]\nextend-exclude = [\"a\"]\n");
  write("sub/deeper/x.py", kServer);
  Parsed found = find_config((dir_ / "sub/deeper").string());
  ASSERT_TRUE(found.config);
  EXPECT_EQ(found.config->file, (dir_ / "pyproject.toml").string());
  EXPECT_EQ(found.config->directory, dir_.string());
  write("sub/pyproject.toml", "[project]\nname = 'no bindscan table here'\n");
  EXPECT_EQ(find_config((dir_ / "sub/deeper/x.py").string()).config->file, (dir_ / "pyproject.toml").string());
  write("sub/.bindscan.toml", "extend-exclude = [\"b\"]\n");
  EXPECT_EQ(find_config((dir_ / "sub/deeper").string()).config->file, (dir_ / "sub/.bindscan.toml").string());
  write("sub/deeper/pyproject.toml", "[tool.bindscan]\nselect = [\"nope\"]\n");
  Parsed broken = find_config((dir_ / "sub/deeper").string());
  EXPECT_FALSE(broken.config);
  EXPECT_THAT(broken.problems[0].to_string(), HasSubstr((dir_ / "sub/deeper/pyproject.toml").string() + ":2:"));
}

TEST_F(ConfigFiles, ScanHonoursAllowExcludeIncludeAndPerFileIgnores) {
  write("pyproject.toml", R"([tool.bindscan]
extend-exclude = ["build"]
include = ["bin/*"]
per-file-ignores = { "tests/**" = ["bind-all-interfaces"] }
allow = [{ path = "docker/**", reason = "container entrypoint: the port is published" }]
)");
  for (const char* file : {"app/server.py", "docker/entrypoint.py", "build/gen.py", "tests/test_x.py"})
    write(file, kServer);
  write("bin/serve",
        kServer);  // no extension, no shebang: only `include` makes it Python
  const Ran plain = scan({"--root", dir_.string(), dir_.string()});
  EXPECT_EQ(plain.status, cli::kExitFindings);
  EXPECT_THAT(plain.out, HasSubstr("app/server.py:2"));
  EXPECT_THAT(plain.out, HasSubstr("bin/serve:2"));
  for (const char* absent : {"docker", "build", "tests"}) EXPECT_THAT(plain.out, ::testing::Not(HasSubstr(absent)));
  EXPECT_THAT(plain.err, HasSubstr("2 findings in 4 files (1 suppressed)"));

  const Ran shown =
      scan({"--show-suppressed", "--format", "sarif", "--root", dir_.string(), dir_.string()});
  const auto results = nlohmann::json::parse(shown.out)["runs"][0]["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "docker/entrypoint.py");
  EXPECT_EQ(results[2]["suppressions"][0],
            (nlohmann::json{{"kind", "external"}, {"justification", "container entrypoint: the port is published"}}));
  EXPECT_THAT(sarif::testing::sarif_validation_errors(shown.out), IsEmpty());

  const Ran isolated = scan({"--isolated", dir_.string()});
  EXPECT_THAT(isolated.err,
              HasSubstr("4 findings in 4 files"));  // bin/serve is not Python without include
}

TEST_F(ConfigFiles, SeverityReachesEveryFormat) {
  write(".bindscan.toml", "severity = { bind-all-interfaces = \"error\" }\n");
  write("a.py", kServer);
  const auto sarif = nlohmann::json::parse(scan({"--format", "sarif", dir_.string()}).out);
  const auto& rule = sarif["runs"][0]["tool"]["driver"]["rules"][0];
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(rule["properties"]["security-severity"], "8.0");
  EXPECT_EQ(sarif["runs"][0]["results"][0]["level"], "error");
  EXPECT_THAT(scan({"--format", "github", dir_.string()}).out, ::testing::StartsWith("::error "));
  EXPECT_THAT(scan({"--format", "gitlab", dir_.string()}).out, HasSubstr("\"critical\""));
}

TEST_F(ConfigFiles, BrokenConfigurationStopsTheScanAndWritesNothing) {
  write("pyproject.toml", "[tool.bindscan]\nexlude = [\"x\"]\n");
  write("a.py", kServer);
  const fs::path output = dir_ / "report.sarif";
  const Ran ran = scan({"--format", "sarif", "-o", output.string(), dir_.string()});
  EXPECT_EQ(ran.status, cli::kExitError);
  EXPECT_THAT(ran.err, HasSubstr((dir_ / "pyproject.toml").string() +
                                 ":2:1: key 'exlude': unknown key, did you mean 'exclude'?"));
  EXPECT_THAT(ran.err, HasSubstr("nothing was scanned"));
  EXPECT_FALSE(fs::exists(output));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()),
            2);  // no temporary file
  // --isolated ignores it; --config reads another file instead.
  EXPECT_EQ(scan({"--isolated", dir_.string()}).status, cli::kExitFindings);
  write("other/strict.toml", "ignore = [\"bind-all-interfaces\"]\n");
  EXPECT_EQ(scan({"--config", (dir_ / "other/strict.toml").string(), dir_.string()}).status,
            cli::kExitClean);
  const Ran missing = scan({"--config", (dir_ / "nope.toml").string(), dir_.string()});
  EXPECT_EQ(missing.status, cli::kExitError);
  EXPECT_THAT(missing.err, HasSubstr("nope.toml: no such file"));
}

TEST_F(ConfigFiles, ConfigCommandPrintsValuesAndWhereTheyCameFrom) {
  write("pyproject.toml",
        "[tool.bindscan]\n\nextend-exclude = [\"build\"]\nallow = [{ path = "
        "\"docker/**\", reason = \"say \\\"hi\\\"\" }]\n");
  const Ran ran = run_command(cli::run_config, {dir_.string()});
  EXPECT_EQ(ran.status, cli::kExitClean);
  const std::string file = (dir_ / "pyproject.toml").string();
  EXPECT_THAT(ran.out, HasSubstr("extend-exclude = [\"build\"]  # " + file + ":3\n"));
  EXPECT_THAT(ran.out, HasSubstr("exclude = [\".git\""));
  EXPECT_THAT(ran.out, HasSubstr("  # default\n"));
  EXPECT_THAT(ran.out, HasSubstr("{ path = \"docker/**\", reason = \"say \\\"hi\\\"\" },  # " + file + ":4\n"));
  EXPECT_THAT(run_command(cli::run_config, {"--isolated", dir_.string()}).out, HasSubstr("# configuration: none (defaults)"));
  write("pyproject.toml", "[tool.bindscan]\nselect = 1\n");
  EXPECT_EQ(run_command(cli::run_config, {dir_.string()}).status, cli::kExitError);
}

}  // namespace
}  // namespace bindscan::config
