// `bindscan scan` end to end, in process: walking, formats, exit codes and
// the SARIF of the whole fixture set checked by the official validator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "sarif/writer.h"
#include "tests/sarif/sarif_validator.h"

namespace bindscan::cli {
namespace {

namespace fs = std::filesystem;

struct Invocation {
  int status;
  std::string out;
  std::string err;
};

Invocation scan(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  int status = run_scan(views, out, err);
  return {status, out.str(), err.str()};
}

class ScanCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-scan-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& relative, const std::string& text) {
    fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path dir_;
};

constexpr const char* kServer = "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";
constexpr const char* kSafe = "import socketserver\nsocketserver.TCPServer(('127.0.0.1', 80), H)\n";

TEST_F(ScanCommand, ExitCodesFollowLinterConventions) {
  write("clean.py", kSafe);
  EXPECT_EQ(scan({dir_.string()}).status, kExitClean);
  write("app/server.py", kServer);
  Invocation found = scan({dir_.string()});
  EXPECT_EQ(found.status, kExitFindings);
  EXPECT_EQ(scan({"--exit-zero", dir_.string()}).status, kExitClean);
  Invocation usage = scan({"--fromat", "sarif"});
  EXPECT_EQ(usage.status, kExitError);
  EXPECT_THAT(usage.err, ::testing::HasSubstr("did you mean '--format'"));
  EXPECT_EQ(scan({(dir_ / "missing").string()}).status, kExitError);
}

TEST_F(ScanCommand, TextOutputIsPathLineColumnRuleMessage) {
  write("app/server.py", kServer);
  Invocation run = scan({dir_.string()});
  std::string expected = (dir_ / "app/server.py").string() + ":2:24: bind-all-interfaces socketserver.TCPServer";
  EXPECT_THAT(run.out, ::testing::StartsWith(expected));
  EXPECT_THAT(run.err, ::testing::HasSubstr("1 finding in 1 file"));
}

TEST_F(ScanCommand, WalkSkipsVendoredFoldersAndHonoursExcludes) {
  write("a.py", kServer);
  write(".git/hooks/b.py", kServer);
  write("node_modules/pkg/c.py", kServer);
  write("env/pyvenv.cfg", "home = /usr\n");
  write("env/lib/d.py", kServer);
  write("tests/e.py", kServer);
  write("tool", std::string("#!/usr/bin/env python3\n") + kServer);
  write("notes.txt", kServer);
  Invocation run = scan({"--exclude", "tests/*", dir_.string()});
  EXPECT_THAT(run.out, ::testing::HasSubstr("a.py:2"));
  EXPECT_THAT(run.out, ::testing::HasSubstr("tool:3"));
  for (const char* skipped : {"b.py", "c.py", "d.py", "e.py", "notes.txt"})
    EXPECT_THAT(run.out, ::testing::Not(::testing::HasSubstr(skipped)));
  Invocation by_name = scan({"--exclude=a.py", dir_.string()});
  EXPECT_THAT(by_name.out, ::testing::Not(::testing::HasSubstr("a.py")));
}

// The walk lists folders itself (POSIX, not std::filesystem): links to
// files and folders are not followed, files come sorted per folder, and a
// PATH given with a trailing slash names its files with one slash.
TEST_F(ScanCommand, WalkListsSortedFilesAndFollowsNoLinks) {
  write("b.py", kServer);
  write("a.py", kServer);
  write("pkg/c.py", kServer);
  fs::create_directories(dir_ / "elsewhere");
  std::ofstream(dir_ / "elsewhere" / "outside.py") << kServer;
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "pkg" / "linked");
  fs::create_symlink(dir_ / "a.py", dir_ / "pkg" / "alias.py");
  Invocation run = scan({"--exclude", "elsewhere", (dir_ / "").string()});
  const std::string root = dir_.string() + "/";
  EXPECT_EQ(run.status, kExitFindings);
  size_t a = run.out.find(root + "a.py:2"), b = run.out.find(root + "b.py:2"), c = run.out.find(root + "pkg/c.py:2");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  for (const char* skipped : {"outside.py", "alias.py", "//"})
    EXPECT_THAT(run.out, ::testing::Not(::testing::HasSubstr(skipped)));
  EXPECT_THAT(run.err, ::testing::HasSubstr("3 findings in 3 files"));
}

// Files are read and parsed on several threads; the output is the same.
TEST_F(ScanCommand, TheOutputDoesNotDependOnTheNumberOfJobs) {
  for (const char* folder : {"a", "b/c", "d", "e/f/g", "h"})
    for (const char* file : {"x.py", "y.py"}) write(std::string(folder) + "/" + file, kServer);
  write("top.py", kServer);
  Invocation one = scan({"--jobs", "1", dir_.string()});
  Invocation four = scan({"--jobs", "4", dir_.string()});
  Invocation attached = scan({"-j2", dir_.string()});  // the value attached, as make takes it
  EXPECT_EQ(one.status, kExitFindings);
  EXPECT_EQ(four.out, one.out);
  EXPECT_EQ(attached.out, one.out);
  EXPECT_THAT(one.err, ::testing::HasSubstr("11 findings in 11 files"));
}

TEST_F(ScanCommand, UnreadableFileIsANotificationAndTheScanGoesOn) {
  write("a.py", kServer);
  fs::path fifo = dir_ / "pipe.py";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Invocation run = scan({"--format", "sarif", "--root", dir_.string(), (dir_ / "a.py").string(), fifo.string()});
  EXPECT_EQ(run.status, kExitError);
  auto sarif = nlohmann::json::parse(run.out);
  EXPECT_EQ(sarif["runs"][0]["results"].size(), 1u);
  auto invocation = sarif["runs"][0]["invocations"][0];
  EXPECT_FALSE(invocation["executionSuccessful"].get<bool>());
  EXPECT_THAT(invocation["toolExecutionNotifications"].dump(), ::testing::HasSubstr("pipe.py"));
  EXPECT_THAT(run.err, ::testing::HasSubstr("not a regular file"));
}

TEST_F(ScanCommand, OversizedFileIsSkippedWithANotification) {
  write("big.py", std::string(kServer) + std::string(4096, '#'));
  Invocation run = scan({"--max-file-size", "1024", dir_.string()});
  EXPECT_EQ(run.status, kExitClean);
  EXPECT_THAT(run.err, ::testing::HasSubstr("larger than --max-file-size"));
}

TEST_F(ScanCommand, SuppressedFindingsAreShownOnlyOnRequest) {
  write("a.py", "import socketserver\nsocketserver.TCPServer(('', 80), H)  # nosec B104\n");
  EXPECT_EQ(scan({dir_.string()}).status, kExitClean);
  Invocation shown = scan({"--show-suppressed", dir_.string()});
  EXPECT_THAT(shown.out, ::testing::HasSubstr("[suppressed: # nosec B104]"));
  Invocation sarif = scan({"--format", "sarif", dir_.string()});
  EXPECT_EQ(nlohmann::json::parse(sarif.out)["runs"][0]["results"].size(), 0u);
}

TEST_F(ScanCommand, GithubFormatWritesWorkflowAnnotations) {
  write("dir,with:odd/a.py", kServer);
  Invocation run = scan({"--format", "github", dir_.string()});
  EXPECT_THAT(run.out, ::testing::HasSubstr("::warning file="));
  EXPECT_THAT(run.out, ::testing::HasSubstr("dir%2Cwith%3Aodd/a.py,line=2,col=24,endLine=2,endColumn=32,"
                                            "title=bind-all-interfaces::socketserver.TCPServer"));
}

TEST_F(ScanCommand, SarifPathsAreRelativeToTheRoot) {
  write("src/app/server.py", kServer);
  Invocation run = scan({"--format", "sarif", "--root", dir_.string(), "--category", "mine/", (dir_ / "src").string()});
  auto sarif = nlohmann::json::parse(run.out);
  auto location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "src/app/server.py");
  EXPECT_EQ(sarif["runs"][0]["automationDetails"]["id"], "mine/");
}

TEST_F(ScanCommand, OutputFileReceivesTheReport) {
  write("a.py", kServer);
  fs::path report = dir_ / "out.sarif";
  Invocation run = scan({"--format", "sarif", "-o", report.string(), dir_.string()});
  EXPECT_EQ(run.status, kExitFindings);
  EXPECT_TRUE(run.out.empty());
  std::ifstream in(report);
  EXPECT_EQ(nlohmann::json::parse(in)["version"], "2.1.0");
}

// `-o /dev/null` (or /dev/stdout, a FIFO, a process substitution) is written
// in place: renaming a temporary file over it would replace the device with a
// regular file. A FIFO stands in for /dev/null here.
TEST_F(ScanCommand, OutputThatIsNotARegularFileIsWrittenInPlace) {
  write("a.py", kServer);
  const fs::path fifo = dir_ / "report.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign(std::istreambuf_iterator<char>(in), {});
  });
  Invocation run = scan({"--format", "sarif", "-o", fifo.string(), dir_.string()});
  reader.join();
  EXPECT_EQ(run.status, kExitFindings) << run.err;
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(nlohmann::json::parse(received)["version"], "2.1.0");
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

// A symbolic link keeps pointing where it did; its target gets the report.
TEST_F(ScanCommand, OutputThroughASymbolicLinkReplacesItsTarget) {
  write("a.py", kServer);
  fs::create_directories(dir_ / "reports");
  write("reports/out.sarif", "old");
  const fs::path link = dir_ / "latest.sarif";
  fs::create_symlink(dir_ / "reports" / "out.sarif", link);
  Invocation run = scan({"--format", "sarif", "-o", link.string(), (dir_ / "a.py").string()});
  EXPECT_EQ(run.status, kExitFindings) << run.err;
  EXPECT_TRUE(fs::is_symlink(link));
  std::ifstream in(dir_ / "reports" / "out.sarif");
  EXPECT_EQ(nlohmann::json::parse(in)["version"], "2.1.0");
}

// Restores the working directory when a test that changed it ends.
class CurrentDirectory {
 public:
  explicit CurrentDirectory(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~CurrentDirectory() { fs::current_path(saved_); }

 private:
  fs::path saved_;
};

TEST_F(ScanCommand, AnnotationAndTextPathsAreRelativeToTheRootLikeSarif) {
  write("checkout/app/server.py", kServer);
  const fs::path checkout = dir_ / "checkout";
  // The README's container form: the checkout mounted elsewhere, scanned by
  // absolute path.
  Invocation github = scan({"--format", "github", "--root", checkout.string(), checkout.string()});
  EXPECT_THAT(github.out, ::testing::StartsWith("::warning file=app/server.py,line=2,"));
  Invocation text = scan({"--root", checkout.string(), checkout.string()});
  EXPECT_THAT(text.out, ::testing::StartsWith("app/server.py:2:24: bind-all-interfaces"));
  // `scan .` from the checkout: no "./" prefix, the current directory is the
  // root.
  CurrentDirectory in_checkout(checkout);
  EXPECT_THAT(scan({"--format", "github", "."}).out, ::testing::StartsWith("::warning file=app/server.py,line=2,"));
  EXPECT_THAT(scan({"./app"}).out, ::testing::StartsWith("app/server.py:2:24: "));
  Invocation sarif = scan({"--format", "sarif", "."});
  EXPECT_EQ(nlohmann::json::parse(
                sarif.out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "app/server.py");
}

TEST_F(ScanCommand, FilesOutsideTheRootGetAbsoluteFileUrisTheValidatorAccepts) {
  write("src/app/server.py", kServer);
  write("extra/a,b.py", kServer);
  const fs::path root = dir_ / "src";
  Invocation run = scan({"--format", "sarif", "--root", root.string(), root.string(), (dir_ / "extra").string()});
  ASSERT_EQ(run.status, kExitFindings) << run.err;
  auto sarif = nlohmann::json::parse(run.out);
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  std::vector<nlohmann::json> locations;
  for (const auto& result : results)
    locations.push_back(result["locations"][0]["physicalLocation"]["artifactLocation"]);
  const std::string outside_uri = sarif::absolute_file_uri((dir_ / "extra/a,b.py").string());
  EXPECT_THAT(locations,
              ::testing::UnorderedElementsAre(nlohmann::json{{"uri", "app/server.py"}, {"uriBaseId", "%SRCROOT%"}},
                                              nlohmann::json{{"uri", outside_uri}}));
  // Every location resolves to a file that exists (the defect wrote
  // file:///src/extra/...).
  const std::string base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
  for (const auto& location : locations) {
    std::string uri =
        location.contains("uriBaseId") ? base + location["uri"].get<std::string>() : location["uri"].get<std::string>();
    ASSERT_TRUE(uri.starts_with("file://")) << uri;
    std::string path = uri.substr(7);
    for (size_t at; (at = path.find("%2C")) != std::string::npos;) path.replace(at, 3, ",");
    EXPECT_TRUE(fs::exists(path)) << uri;
  }
  EXPECT_THAT(sarif::testing::sarif_validation_errors(run.out), ::testing::IsEmpty());
  Invocation github = scan({"--format", "github", "--root", root.string(), (dir_ / "extra").string()});
  std::string escaped = (dir_ / "extra/a").string() + "%2Cb.py";  // ',' ends a property; ':' cannot occur here
  EXPECT_THAT(github.out, ::testing::HasSubstr("file=" + escaped + ","));
}

TEST_F(ScanCommand, OneScanWritesAnnotationsAndSarifIntoANewFolder) {
  write("app/server.py", kServer);
  const fs::path report = dir_ / "reports/deep/bindscan.sarif";
  Invocation run =
      scan({"--format", "github", "--sarif-output", report.string(), "--root", dir_.string(), dir_.string()});
  EXPECT_EQ(run.status, kExitFindings) << run.err;
  EXPECT_THAT(run.out, ::testing::StartsWith("::warning file=app/server.py,"));
  std::ifstream in(report);
  auto sarif = nlohmann::json::parse(in);
  EXPECT_EQ(sarif["runs"][0]["results"].size(), 1u);
  // -o creates its folder too; a folder that cannot be created is exit 2 with
  // the reason.
  EXPECT_EQ(scan({"-o", (dir_ / "text/out.txt").string(), dir_.string()}).status, kExitFindings);
  EXPECT_TRUE(fs::exists(dir_ / "text/out.txt"));
  Invocation blocked = scan({"--sarif-output", (dir_ / "app/server.py/x.sarif").string(), dir_.string()});
  EXPECT_EQ(blocked.status, kExitError);
  EXPECT_THAT(blocked.err, ::testing::HasSubstr("cannot create the folder of"));
}

TEST(ScanFixtures, SarifOfEveryFixturePassesTheOfficialValidator) {
  fs::path root(BINDSCAN_SOURCE_DIR);
  Invocation run = scan({"--format", "sarif", "--root", root.string(), "--show-suppressed",
                  (root / "scanner/rules").string()});
  ASSERT_EQ(run.status, kExitFindings) << run.err;
  auto sarif = nlohmann::json::parse(run.out);
  EXPECT_GT(sarif["runs"][0]["results"].size(), 80u);
  EXPECT_THAT(sarif::testing::sarif_validation_errors(run.out), ::testing::IsEmpty());
  Invocation upload_form = scan({"--format", "sarif", "--root", root.string(), (root / "scanner/rules").string()});
  EXPECT_THAT(sarif::testing::sarif_validation_errors(upload_form.out), ::testing::IsEmpty());
}

TEST(Dispatch, VersionHelpAndTypos) {
  std::ostringstream out, err;
  std::vector<std::string_view> version{"--version"};
  EXPECT_EQ(dispatch(version, out, err), kExitClean);
  EXPECT_THAT(out.str(), ::testing::StartsWith("bindscan "));
  std::vector<std::string_view> typo{"scna"};
  EXPECT_EQ(dispatch(typo, out, err), kExitError);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("did you mean 'scan'"));
  std::vector<std::string_view> explain{"explain", "bind-all-interfaces"};
  std::ostringstream doc;
  EXPECT_EQ(dispatch(explain, doc, err), kExitClean);
  EXPECT_THAT(doc.str(), ::testing::HasSubstr("## Why it matters"));
}

}  // namespace
}  // namespace bindscan::cli
