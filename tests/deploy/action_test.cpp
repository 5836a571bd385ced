// action/run.sh, the Action's one step, run as the runner runs it: with the
// runner's variables and a `docker` on PATH that records its arguments and
// runs this build's bindscan in place of the image (fake_docker.h).
// tests/container/smoke.sh runs the same script with a real container engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/deploy/fake_docker.h"

namespace bindscan {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kRoot = BINDSCAN_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct StepResult {
  int status;
  std::string log;
  std::string calls;
  std::string github_output;
};

class ActionStep : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-action-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    workspace_ = dir_ / "workspace";
    fs::create_directories(workspace_ / "repo/app");
    std::ofstream(workspace_ / "repo/app/server.py") << "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";
    // Where the runner checks out `uses: MyFork/bindscan@v0`.
    action_path_ = dir_ / "_actions/MyFork/bindscan/v0";
    fs::create_directories(action_path_);
    fs::copy_file(kRoot / "CMakeLists.txt", action_path_ / "CMakeLists.txt");
    testing::install_fake_docker(dir_ / "bin");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs action/run.sh with `inputs` ("NAME=value" pairs for the environment).
  StepResult run(const std::string& inputs) {
    fs::remove(dir_ / "calls.txt");
    fs::remove(dir_ / "github-output");
    const std::string command = "cd '" + workspace_.string() + "' && env -u ACTION_REPOSITORY -u INPUT_IMAGE PATH='" +
                                (dir_ / "bin").string() + ":/usr/bin:/bin' CALLS='" + (dir_ / "calls.txt").string() +
                                "' BINDSCAN='" + BINDSCAN_BINARY + "' GITHUB_WORKSPACE='" + workspace_.string() +
                                "' GITHUB_OUTPUT='" + (dir_ / "github-output").string() + "' GITHUB_ACTION_PATH='" +
                                action_path_.string() + "' " + inputs + " '" + (kRoot / "action/run.sh").string() +
                                "' > '" + (dir_ / "log").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(dir_ / "log"), read(dir_ / "calls.txt"),
            read(dir_ / "github-output")};
  }

  fs::path dir_, workspace_, action_path_;
};

TEST_F(ActionStep, OneScanAsTheWorkspaceOwnerWritesSarifAndAnnotations) {
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(workspace_.c_str(), 4242, 4243), 0);
  }
  struct stat owner {};
  ASSERT_EQ(::stat(workspace_.c_str(), &owner), 0);
  StepResult step =
      run("INPUT_ROOT=repo INPUT_PATHS=app "
          "INPUT_OUTPUT=reports/deep/bindscan.sarif");
  ASSERT_EQ(step.status, 0) << step.log;
  // One container run, as the workspace's owner, on the fork's own image.
  const std::string expected_call = "user=" + std::to_string(owner.st_uid) + ":" + std::to_string(owner.st_gid) +
                                    " image=ghcr.io/myfork/bindscan:" + BINDSCAN_VERSION + "\n";
  EXPECT_EQ(step.calls, expected_call);
  EXPECT_THAT(step.log, HasSubstr("::warning file=app/server.py,line=2,"));
  EXPECT_EQ(step.github_output, "sarif=reports/deep/bindscan.sarif\n");
  auto sarif = nlohmann::json::parse(read(workspace_ / "reports/deep/bindscan.sarif"));
  EXPECT_EQ(sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "app/server.py");
}

TEST_F(ActionStep, FailOnFindingsImageOverrideAndActionRepository) {
  StepResult step = run("INPUT_ROOT=repo INPUT_FAIL_ON_FINDINGS=true");
  EXPECT_EQ(step.status, 1) << step.log;
  EXPECT_EQ(step.github_output, "sarif=bindscan.sarif\n") << "the SARIF is written before the step fails";
  EXPECT_THAT(run("INPUT_ROOT=repo ACTION_REPOSITORY=Other/bindscan").calls,
              HasSubstr("image=ghcr.io/other/bindscan:" BINDSCAN_VERSION "\n"));
  EXPECT_THAT(run("INPUT_ROOT=repo INPUT_IMAGE=registry.example/me/scan:1").calls,
              HasSubstr("image=registry.example/me/scan:1\n"));
  // Without findings the step passes even with fail-on-findings.
  fs::remove(workspace_ / "repo/app/server.py");
  EXPECT_EQ(run("INPUT_ROOT=repo INPUT_FAIL_ON_FINDINGS=true").status, 0);
}

TEST_F(ActionStep, PathsThatLeaveTheWorkspaceAreRefused) {
  for (const char* inputs :
       {"INPUT_ROOT=../elsewhere", "INPUT_OUTPUT=/etc/x.sarif", "INPUT_OUTPUT=a/../../x.sarif", "INPUT_ROOT=missing"}) {
    StepResult step = run(inputs);
    EXPECT_EQ(step.status, 2) << inputs;
    EXPECT_THAT(step.log, HasSubstr("::error title=bindscan::")) << inputs;
    EXPECT_EQ(step.calls, "") << inputs;
  }
}

}  // namespace
}  // namespace bindscan
