// Every command in README.md and docs/*.md says which test runs it, and the
// ones this test owns run here. A fenced block is preceded by a marker:
//
//   <!-- doc-test: run -->       sh: run here in a checkout with a finding,
//                                 `bindscan` on PATH; must exit 0
//   <!-- doc-test: workflow -->  yaml: each `run:` step, and `uses:` of this
//                                 action, runs here as the runner would, with
//                                 a `docker` that runs this build
//                                 (fake_docker.h) and the loopback GitHub
//                                 stand-in for uploads
//   <!-- doc-test: smoke -->     sh: tests/container/smoke.sh runs it with a
//                                 real container engine
//   <!-- doc-test: manual (why) --> not run by any test, for the reason given
//
// A block without a marker fails
// DocBlocks.EveryShellAndWorkflowBlockSaysWhoRunsIt, so a new doc command
// cannot go untested unnoticed (docs/github-action.md's `bindscan upload
// bindscan.sarif` was `unknown option` for months).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/deploy/fake_docker.h"
#include "tests/webhook/github/fake_github.h"

namespace bindscan {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kRoot = BINDSCAN_SOURCE_DIR;
constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";

struct DocBlock {
  std::string file;  // relative to the repository
  int line;          // of the opening fence
  std::string language;
  std::string marker;  // "" when none
  std::string text;
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<DocBlock> doc_blocks() {
  std::vector<fs::path> files = {"README.md"};
  for (const auto& entry : fs::directory_iterator(kRoot / "docs"))
    if (entry.path().extension() == ".md") files.push_back(fs::relative(entry.path(), kRoot));
  std::sort(files.begin(), files.end());
  const std::regex marker_line(R"(^<!-- doc-test: (.*) -->$)");
  std::vector<DocBlock> blocks;
  for (const fs::path& file : files) {
    std::istringstream in(read(kRoot / file));
    std::string line, previous;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.starts_with("```") && line.size() > 3) {
        DocBlock block{file.string(), number, line.substr(3), "", ""};
        std::smatch match;
        if (std::regex_match(previous, match, marker_line)) block.marker = match[1];
        while (std::getline(in, line) && !line.starts_with("```")) {
          ++number;
          block.text += line + "\n";
        }
        ++number;
        blocks.push_back(std::move(block));
      }
      previous = line;
    }
  }
  return blocks;
}

std::vector<DocBlock> blocks_marked(const std::string& marker) {
  std::vector<DocBlock> out;
  for (DocBlock& block : doc_blocks())
    if (block.marker == marker) out.push_back(std::move(block));
  return out;
}

struct Ran {
  int status;
  std::string log;
};

// A throwaway checkout with one finding, and tools on PATH: `bindscan` (this
// build) and `docker` (the stand-in).
class DocCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-doc-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    checkout_ = dir_ / "checkout";
    fs::create_directories(checkout_ / "app");
    std::ofstream(checkout_ / "app/server.py") << "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";
    testing::install_fake_docker(dir_ / "bin");
    fs::create_symlink(BINDSCAN_BINARY, dir_ / "bin/bindscan");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `script` with bash as the runner does (-e, pipefail) in the checkout.
  Ran run_script(const std::string& script, const std::string& environment) {
    std::ofstream(dir_ / "step.sh") << script;
    const std::string command = "cd '" + checkout_.string() + "' && env PATH='" + (dir_ / "bin").string() +
                                ":/usr/bin:/bin' BINDSCAN='" + BINDSCAN_BINARY + "' CALLS='" +
                                (dir_ / "calls").string() + "' " + environment +
                                " bash --noprofile --norc -eo pipefail '" + (dir_ / "step.sh").string() + "' > '" +
                                (dir_ / "log").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(dir_ / "log")};
  }

  fs::path dir_, checkout_;
};

TEST(DocBlocks, EveryShellAndWorkflowBlockSaysWhoRunsIt) {
  const std::regex known(R"(run|workflow|smoke|manual \(.+\))");
  int shell_blocks = 0;
  for (const DocBlock& block : doc_blocks()) {
    if (block.language != "sh" && block.language != "yaml") continue;
    ++shell_blocks;
    EXPECT_TRUE(std::regex_match(block.marker, known))
        << block.file << ":" << block.line << ": a ```" << block.language
        << " block needs <!-- doc-test: run|workflow|smoke|manual (why) --> on "
           "the line before it";
    if (block.language == "yaml") {
      EXPECT_NE(block.marker, "run") << block.file << ":" << block.line;
    }
  }
  EXPECT_GE(shell_blocks, 10);
  EXPECT_GE(blocks_marked("run").size(), 1u);
  EXPECT_GE(blocks_marked("workflow").size(), 3u);
}

TEST(DocBlocks, SmokeBlocksAreInFilesSmokeShRuns) {
  // smoke.sh extracts them by this marker from the files it names; keep the two in step.
  const std::string smoke = read(kRoot / "tests/container/smoke.sh");
  EXPECT_THAT(smoke, HasSubstr("<!-- doc-test: smoke -->"));
  const std::vector<DocBlock> blocks = blocks_marked("smoke");
  EXPECT_GE(blocks.size(), 2u);
  for (const DocBlock& block : blocks)
    EXPECT_THAT(smoke, HasSubstr("\"$root/" + block.file + "\"")) << block.file << ":" << block.line;
}

TEST_F(DocCommands, RunBlocksSucceedInACheckout) {
  for (const DocBlock& block : blocks_marked("run")) {
    SCOPED_TRACE(block.file + ":" + std::to_string(block.line));
    Ran ran = run_script(block.text, "");
    EXPECT_EQ(ran.status, 0) << ran.log;
    // Each output the block names exists afterwards.
    const std::regex output(R"((?:--output|--sarif-output|-o) ([^ \n]+))");
    for (auto it = std::sregex_iterator(block.text.begin(), block.text.end(), output); it != std::sregex_iterator();
         ++it)
      EXPECT_TRUE(fs::exists(checkout_ / (*it)[1].str())) << (*it)[1] << " was not written";
  }
}

// The steps of every documented workflow, in order, as the runner runs them.
TEST_F(DocCommands, WorkflowStepsRunAsTheRunnerRunsThem) {
  testing::FakeGitHub github("doc-token");
  int steps_run = 0;
  for (const DocBlock& block : blocks_marked("workflow")) {
    SCOPED_TRACE(block.file + ":" + std::to_string(block.line));
    YAML::Node doc = YAML::Load(block.text);
    std::vector<YAML::Node> steps;
    if (doc.IsSequence()) {
      for (const auto& step : doc) steps.push_back(step);
    } else {
      for (const auto& job : doc["jobs"])
        for (const auto& step : job.second["steps"]) steps.push_back(step);
    }
    for (const YAML::Node& step : steps) {
      std::string environment = "GITHUB_ACTIONS=true GITHUB_WORKSPACE='" + checkout_.string() +
                                "' GITHUB_REPOSITORY=octo/hello GITHUB_SHA=" + kSha +
                                " GITHUB_REF=refs/heads/main GITHUB_SERVER_URL=https://github.com "
                                "GITHUB_API_URL=" +
                                github.url() + " GITHUB_OUTPUT='" + (dir_ / "output").string() + "'";
      for (const auto& variable : step["env"]) {
        std::string value = variable.second.as<std::string>();
        if (value == "${{ github.token }}") value = "doc-token";
        environment += " " + variable.first.as<std::string>() + "='" + value + "'";
      }
      std::string script;
      if (step["run"]) {
        script = step["run"].as<std::string>();
      } else if (step["uses"] && step["uses"].as<std::string>().starts_with("bindscan/bindscan@")) {
        // This action: its composite step with the inputs the workflow gives.
        environment += " GITHUB_ACTION_PATH='" + kRoot.string() + "' ACTION_REPOSITORY=bindscan/bindscan";
        for (const auto& input : step["with"]) {
          std::string name = input.first.as<std::string>();
          std::transform(name.begin(), name.end(), name.begin(),
                         [](char c) { return c == '-' ? '_' : static_cast<char>(std::toupper(c)); });
          environment += " INPUT_" + name + "='" + input.second.as<std::string>() + "'";
        }
        script = "exec '" + (kRoot / "action/run.sh").string() + "'\n";
      } else {
        continue;  // other actions (checkout, upload-sarif) are GitHub's
      }
      ++steps_run;
      Ran ran = run_script(script, environment);
      // 0, or 1 where the docs say findings fail the step; never a usage or I/O
      // error.
      EXPECT_THAT(ran.status, ::testing::AnyOf(0, 1)) << script << ran.log;
      EXPECT_THAT(ran.log, Not(HasSubstr("unknown option"))) << script;
    }
  }
  EXPECT_GE(steps_run, 3);
  // The one-step workflow's upload reached the code scanning API, for this
  // commit.
  const auto uploads = github.uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].commit_sha, kSha);
  EXPECT_EQ(uploads[0].sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "app/server.py");
}

}  // namespace
}  // namespace bindscan
