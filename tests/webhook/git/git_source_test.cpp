#include "webhook/git/git_source.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/webhook/git/git_server.h"

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;
using testing::GitDaemon;
using testing::TestRepo;

const std::string kBinary = std::string("x = 1\0\1\2\3\n", 10);

// A repository served by a real `git daemon`, with three commits:
//   c1: app.py, lib/util.py, README.md, binary.py (NUL bytes), tool (python
//       shebang, no extension), notes (no shebang), link.py -> app.py
//       (symlink), vendor/sub (submodule entry)
//   c2: lib/util.py changed, new.py added, README.md changed
//   c3: app.py deleted
// plus refs/pull/1/head -> c2.
class GitSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() / ("bindscan-git-" + std::to_string(::getpid())));
    fs::remove_all(*root_);
    TestRepo repo(*root_ / "served" / "octo" / "hello");
    repo.write("app.py", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n");
    repo.write("lib/util.py", "def f():\n    return 1\n");
    repo.write("README.md", "# hello\n");
    repo.write("binary.py", kBinary);
    repo.write("tool", "#!/usr/bin/env python3\nprint('hi')\n");
    repo.write("notes", "just text\n");
    repo.symlink("app.py", "link.py");
    repo.submodule("vendor/sub", "1111111111111111111111111111111111111111");
    c1_ = new std::string(repo.commit("first"));
    repo.write("lib/util.py", "def f():\n    return 2\n");
    repo.write("new.py", "print('new')\n");
    repo.write("README.md", "# hello again\n");
    c2_ = new std::string(repo.commit("second"));
    repo.git("update-ref refs/pull/1/head " + *c2_);
    repo.remove("app.py");
    c3_ = new std::string(repo.commit("third"));
    daemon_ = new GitDaemon(*root_ / "served");
  }
  static void TearDownTestSuite() {
    delete daemon_;
    fs::remove_all(*root_);
    delete root_;
    delete c1_;
    delete c2_;
    delete c3_;
  }

  GitSourceOptions options(const std::string& name) const {
    GitSourceOptions o;
    o.mirrors_dir = *root_ / ("mirrors-" + name);
    o.allowed_hosts = {*parse_clone_host("git://" + daemon_->host_port())};
    return o;
  }
  std::string url() const { return daemon_->url("octo/hello"); }

  static fs::path* root_;
  static std::string* c1_;
  static std::string* c2_;
  static std::string* c3_;
  static GitDaemon* daemon_;
};

fs::path* GitSourceTest::root_ = nullptr;
std::string* GitSourceTest::c1_ = nullptr;
std::string* GitSourceTest::c2_ = nullptr;
std::string* GitSourceTest::c3_ = nullptr;
GitDaemon* GitSourceTest::daemon_ = nullptr;

std::vector<std::string> paths(const std::vector<TreeFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

TEST_F(GitSourceTest, FetchesABranchAndListsPythonFilesSkippingLinksAndSubmodules) {
  auto mirror = GitMirror::open(options("branch"), "octo", "hello");
  ASSERT_TRUE(mirror.ok()) << mirror.error().message;
  EXPECT_EQ(mirror->path(), *root_ / "mirrors-branch" / "octo" / "hello.git");
  auto fetched = mirror->fetch(url(), "refs/heads/main", *c3_, "");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  ASSERT_TRUE(mirror->has_commit(*c1_));
  auto files = mirror->python_files(*c1_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(paths(*files), (std::vector<std::string>{"app.py", "binary.py", "lib/util.py", "tool"}));
  auto later = mirror->python_files(*c3_);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(paths(*later), (std::vector<std::string>{"binary.py", "lib/util.py", "new.py", "tool"}));
}

TEST_F(GitSourceTest, ReadsBlobsStraightFromTheObjectDatabase) {
  auto mirror = GitMirror::open(options("read"), "octo", "hello");
  ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "").ok());
  auto files = mirror->python_files(*c1_);
  ASSERT_TRUE(files.ok());
  for (const auto& f : *files) {
    auto bytes = mirror->read_blob(f.blob_id);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(*mirror->blob_size(f.blob_id), bytes->size());
    if (f.path == "binary.py") {
      EXPECT_EQ(*bytes, kBinary);
    }
    if (f.path == "app.py") {
      EXPECT_NE(bytes->find("0.0.0.0"), std::string::npos);
    }
  }
  // A bare mirror: no working tree anywhere.
  EXPECT_FALSE(fs::exists(mirror->path() / "app.py"));
  EXPECT_TRUE(fs::exists(mirror->path() / "HEAD"));
  EXPECT_FALSE(mirror->read_blob("0000000000000000000000000000000000000001").ok());
}

TEST_F(GitSourceTest, DiffListsTheChangedPythonFilesOnly) {
  auto mirror = GitMirror::open(options("diff"), "octo", "hello");
  ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "").ok());
  auto changed = mirror->changed_python_files(*c1_, *c2_);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(*changed, (std::set<std::string>{"lib/util.py", "new.py"}));
  auto deleted = mirror->changed_python_files(*c2_, *c3_);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->empty());
  // A new branch (before all zeros) or an unknown before: everything.
  auto created = mirror->changed_python_files(std::string(40, '0'), *c1_);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created, (std::set<std::string>{"app.py", "binary.py", "lib/util.py", "tool"}));
  auto unknown = mirror->changed_python_files(std::string(40, 'a'), *c1_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->size(), 4u);
}

TEST_F(GitSourceTest, FetchesPullRequestRefs) {
  auto mirror = GitMirror::open(options("pull"), "octo", "hello");
  auto fetched = mirror->fetch(url(), "refs/pull/1/head", *c2_, "");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(mirror->has_commit(*c2_));
  EXPECT_FALSE(mirror->has_commit(*c3_));  // only what the ref needs
}

TEST_F(GitSourceTest, AMissingCommitFailsClearly) {
  auto mirror = GitMirror::open(options("missing"), "octo", "hello");
  const std::string gone = "0123456789abcdef0123456789abcdef01234567";
  auto fetched = mirror->fetch(url(), "refs/heads/main", gone, "");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git-missing-commit");
  EXPECT_NE(fetched.error().message.find("commit " + gone + " not found after fetching refs/heads/main"),
            std::string::npos)
      << fetched.error().message;
  EXPECT_NE(fetched.error().message.find("force-pushed"), std::string::npos);
}

TEST_F(GitSourceTest, AMissingRefSaysSo) {
  auto mirror = GitMirror::open(options("noref"), "octo", "hello");
  auto fetched = mirror->fetch(url(), "refs/heads/nope", *c1_, "");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git-missing-commit");
  EXPECT_NE(fetched.error().message.find("refs/heads/nope"), std::string::npos);
  EXPECT_NE(fetched.error().message.find("does not exist"), std::string::npos);
}

TEST_F(GitSourceTest, ARemoteThatIsDownIsAGitError) {
  const int port = testing::free_port();
  GitSourceOptions o = options("down");
  o.allowed_hosts = {*parse_clone_host("git://127.0.0.1:" + std::to_string(port))};
  auto mirror = GitMirror::open(o, "octo", "hello");
  const auto start = std::chrono::steady_clock::now();
  auto fetched = mirror->fetch("git://127.0.0.1:" + std::to_string(port) + "/octo/hello",
                               "refs/heads/main", *c1_, "");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(GitSourceTest, RefusesCloneUrlsOutsideTheAllowList) {
  auto mirror = GitMirror::open(options("refuse"), "octo", "hello");
  for (const std::string& bad : std::vector<std::string>{"file://" + (*root_ / "served" / "octo" / "hello").string(),
           "https://evil.example.com/octo/hello.git",
           "http://" + daemon_->host_port() + "/octo/hello",  // same host, scheme not allowed
        "git://127.0.0.1:1/octo/hello",                    // same host, other port
        (*root_ / "served" / "octo" / "hello").string()}) {
    auto fetched = mirror->fetch(bad, "refs/heads/main", *c1_, "");
    ASSERT_FALSE(fetched.ok()) << bad;
    EXPECT_TRUE(fetched.error().code == "clone-host-not-allowed" ||
                fetched.error().code == "invalid-clone-url")
        << bad << ": " << fetched.error().code;
  }
  EXPECT_FALSE(mirror->has_commit(*c1_));
}

TEST_F(GitSourceTest, RefusesRefsItShouldNotFetch) {
  auto mirror = GitMirror::open(options("refs"), "octo", "hello");
  for (const char* ref : {"main", "refs/heads/../x", "refs/remotes/origin/main", "+refs/heads/a:refs/heads/b",
                          "refs/pull/x/head"}) {
    auto fetched = mirror->fetch(url(), ref, *c1_, "");
    ASSERT_FALSE(fetched.ok()) << ref;
    EXPECT_EQ(fetched.error().code, "invalid-ref") << ref;
  }
}

TEST_F(GitSourceTest, RefusesNamesThatCouldEscapeTheDataDir) {
  for (auto [owner, repo] : std::vector<std::pair<std::string, std::string>>{
           {"..", "x"}, {"octo", ".."}, {"a/b", "c"}, {"octo", "x/../../y"}, {"", "x"}}) {
    auto mirror = GitMirror::open(options("names"), owner, repo);
    ASSERT_FALSE(mirror.ok()) << owner << "/" << repo;
    EXPECT_EQ(mirror.error().code, "invalid-name");
  }
}

TEST_F(GitSourceTest, EnforcesTheFileLimit) {
  GitSourceOptions o = options("limit");
  o.max_files = 3;
  auto mirror = GitMirror::open(o, "octo", "hello");
  ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "").ok());
  auto files = mirror->python_files(*c1_);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, "limit");
  EXPECT_NE(files.error().message.find("more than 3 Python files"), std::string::npos);
}

TEST_F(GitSourceTest, FetchesAgainIntoTheSameMirrorAndKeepsNoUrlOrToken) {
  {
    auto mirror = GitMirror::open(options("again"), "octo", "hello");
    ASSERT_TRUE(mirror->fetch(url(), "refs/pull/1/head", *c2_, "s3cret-token").ok());
  }
  auto mirror = GitMirror::open(options("again"), "octo", "hello");
  EXPECT_TRUE(mirror->has_commit(*c2_));
  ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "s3cret-token").ok());
  std::ifstream config(mirror->path() / "config");
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_EQ(text.str().find("s3cret-token"), std::string::npos);
  EXPECT_EQ(text.str().find(daemon_->host_port()), std::string::npos);
}

TEST_F(GitSourceTest, AGitConfigCannotRedirectTheFetchToAnotherHost) {
  auto mirror = GitMirror::open(options("insteadof"), "octo", "hello");
  ASSERT_TRUE(mirror.ok());
  {
    std::ofstream config(mirror->path() / "config", std::ios::app);
    config << "[url \"git://127.0.0.1:1/\"]\n\tinsteadOf = git://" << daemon_->host_port() << "/\n";
  }
  auto fetched = mirror->fetch(url(), "refs/heads/main", *c3_, "");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
}

// libgit2 1.5 leaks in its url.*.insteadOf lookup on every remote it creates
// (~50 KB here): a long-running service must not go through it.
TEST_F(GitSourceTest, RepeatedFetchesDoNotGrowTheHeap) {
  auto mirror = GitMirror::open(options("heap"), "octo", "hello");
  ASSERT_TRUE(mirror.ok());
  {
    std::ofstream config(mirror->path() / "config", std::ios::app);
    for (int i = 0; i < 20; ++i) config << "[url \"git://unused" << i << "/\"]\n\tinsteadOf = x" << i << ":\n";
  }
  ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "").ok());
  const size_t before = mallinfo2().uordblks;
  constexpr int kFetches = 50;
  for (int i = 0; i < kFetches; ++i) ASSERT_TRUE(mirror->fetch(url(), "refs/heads/main", *c3_, "").ok());
  const size_t after = mallinfo2().uordblks;
  const size_t growth = after > before ? after - before : 0;
  EXPECT_LT(growth, 256u * 1024) << kFetches << " fetches kept " << growth << " bytes on the heap";
}

TEST_F(GitSourceTest, AFetchPastTheDeadlineTimesOut) {
  auto mirror = GitMirror::open(options("deadline"), "octo", "hello");
  auto fetched = mirror->fetch(url(), "refs/heads/main", *c3_, "",
                               std::chrono::steady_clock::now() - std::chrono::seconds(1));
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "timeout") << fetched.error().message;
}

}  // namespace
}  // namespace bindscan::webhook
