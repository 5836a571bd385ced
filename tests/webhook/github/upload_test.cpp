// `bindscan upload` against the fake GitHub API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "tests/webhook/github/fake_github.h"

namespace bindscan::cli {
namespace {

namespace fs = std::filesystem;
using bindscan::testing::FakeGitHub;

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kSarif =
    R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bindscan","rules":[]}},"results":[]}]})";
constexpr const char* kActionsVariables[] = {"GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF",
                                             "GITHUB_TOKEN", "GITHUB_API_URL"};

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kActionsVariables) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
    dir_ = fs::temp_directory_path() / ("bindscan-upload-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "results.sarif") << kSarif;
    std::ofstream(dir_ / "token") << "tok\n";
    std::ofstream(dir_ / "not.sarif") << "{\"hello\": 1}";
  }
  void TearDown() override {
    for (const char* name : kActionsVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    fs::remove_all(dir_);
  }

  int upload(std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    out_.str("");
    err_.str("");
    return run_upload(views, out_, err_);
  }
  std::vector<std::string> flags(const FakeGitHub& github) const {
    return {"--sarif", (dir_ / "results.sarif").string(), "--repository", "octo/hello",
            "--commit", kSha, "--ref", "refs/heads/main", "--token-file", (dir_ / "token").string(),
            "--github-api", github.url()};
  }

  fs::path dir_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(UploadTest, UploadsWithFlags) {
  FakeGitHub github("tok");
  ASSERT_EQ(upload(flags(github)), kExitClean) << err_.str();
  const auto uploads = github.uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].owner, "octo");
  EXPECT_EQ(uploads[0].repo, "hello");
  EXPECT_EQ(uploads[0].commit_sha, kSha);
  EXPECT_EQ(uploads[0].ref, "refs/heads/main");
  EXPECT_EQ(uploads[0].tool_name, "bindscan");
  EXPECT_EQ(uploads[0].sarif, nlohmann::json::parse(kSarif));
  EXPECT_NE(out_.str().find("sarif id sarif-1"), std::string::npos) << out_.str();
}

TEST_F(UploadTest, DefaultsFromTheActionsEnvironmentAndWaits) {
  FakeGitHub github("env-token");
  github.set_processing_status("complete", 1);
  ::setenv("GITHUB_REPOSITORY", "octo/hello", 1);
  ::setenv("GITHUB_SHA", kSha, 1);
  ::setenv("GITHUB_REF", "refs/pull/7/merge", 1);
  ::setenv("GITHUB_TOKEN", "env-token", 1);
  ::setenv("GITHUB_API_URL", github.url().c_str(), 1);
  ASSERT_EQ(upload({"--sarif=" + (dir_ / "results.sarif").string(), "--wait"}), kExitClean) << err_.str();
  ASSERT_EQ(github.uploads().size(), 1u);
  EXPECT_EQ(github.uploads()[0].ref, "refs/pull/7/merge");
  EXPECT_NE(out_.str().find("processing complete"), std::string::npos) << out_.str();
}

TEST_F(UploadTest, FailedProcessingExits2WithGitHubsErrors) {
  FakeGitHub github("tok");
  github.set_processing_status("failed", 0, {"SARIF URI scheme \"git\" did not match"});
  auto args = flags(github);
  args.push_back("--wait");
  EXPECT_EQ(upload(args), kExitError);
  EXPECT_NE(err_.str().find("did not match"), std::string::npos) << err_.str();
}

TEST_F(UploadTest, ValidatesInputsBeforeSendingAnything) {
  FakeGitHub github("tok");
  struct Case {
    std::string flag;
    std::string value;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{{"--ref", "main", "^refs/(heads|pull|tags)/"},
                                         {"--ref", "refs/remotes/origin/main", "^refs/(heads|pull|tags)/"},
                                         {"--commit", "abc123", "40 lowercase hex"},
                                         {"--repository", "octo", "OWNER/REPO"},
                                         {"--repository", "../x/y", "OWNER/REPO"},
                                         {"--sarif", (dir_ / "not.sarif").string(), "not a SARIF 2.1.0"},
                                         {"--sarif", (dir_ / "missing.sarif").string(), "cannot read"},
                                         {"--token-file", (dir_ / "missing").string(), "missing: No such file or directory"},
                                         {"--github-api", "ftp://x", "is not http(s)"}}) {
    auto args = flags(github);
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == c.flag) args[i + 1] = c.value;
    }
    EXPECT_EQ(upload(args), kExitError) << c.flag << " " << c.value;
    EXPECT_NE(err_.str().find(c.expected), std::string::npos) << c.flag << " " << c.value << ": " << err_.str();
  }
  EXPECT_EQ(github.upload_attempts(), 0);
}

TEST_F(UploadTest, MissingTokenOrRepositoryIsAClearError) {
  EXPECT_EQ(upload({"--sarif", (dir_ / "results.sarif").string(), "--commit", kSha, "--ref",
                    "refs/heads/main"}),
            kExitError);
  EXPECT_NE(err_.str().find("GITHUB_REPOSITORY"), std::string::npos) << err_.str();
  EXPECT_EQ(upload({"--sarif", (dir_ / "results.sarif").string(), "--repository", "octo/hello",
                    "--commit", kSha, "--ref", "refs/heads/main"}),
            kExitError);
  EXPECT_NE(err_.str().find("GITHUB_TOKEN"), std::string::npos) << err_.str();
}

TEST_F(UploadTest, APermanentGitHubErrorExits2WithItsMessageAndNoToken) {
  FakeGitHub github("tok");
  github.script_upload_replies({{403, R"({"message":"Advanced Security must be enabled for this repository"})", {}}});
  EXPECT_EQ(upload(flags(github)), kExitError);
  EXPECT_NE(err_.str().find("Advanced Security must be enabled"), std::string::npos) << err_.str();
  EXPECT_EQ(err_.str().find("tok\n"), std::string::npos);
  EXPECT_EQ(github.upload_attempts(), 1);
}

TEST_F(UploadTest, UnknownOptionsSuggestTheNearestOne) {
  EXPECT_EQ(upload({"--sarfi", "x"}), kExitError);
  EXPECT_NE(err_.str().find("did you mean '--sarif'"), std::string::npos) << err_.str();
  EXPECT_EQ(upload({"--help"}), kExitClean);
  EXPECT_NE(out_.str().find("usage: bindscan upload"), std::string::npos);
}

}  // namespace
}  // namespace bindscan::cli
