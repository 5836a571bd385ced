// Git faults that tests/webhook did not cover: damaged objects on the server
// (detected by the server, or only by us), a damaged local mirror, and the
// per-commit file limit at its boundary. A silent or unreachable remote is in
// tests/webhook/git/git_stream_test.cpp; a remote that is down, a missing commit
// and the over-size file in tests/webhook/{git_source,runner}_test.cpp.
//
// The promise tested here: a fault gives a clear Error "git" (which the runner
// retries), leaves nothing that breaks the next fetch, and once the cause is
// gone the same mirror (or its fresh replacement) fetches and reads fine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/webhook/git/git_server.h"
#include "webhook/git/git_source.h"

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;
using testing::GitDaemon;
using testing::TestRepo;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

std::string read_file(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Git makes objects read-only; the tests damage them anyway.
void write_file(const fs::path &path, const std::string &bytes) {
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Flips the bits of `length` bytes of `path` from `offset`.
void flip(const fs::path &path, size_t offset, size_t length) {
  std::string bytes = read_file(path);
  ASSERT_LE(offset + length, bytes.size()) << path;
  for (size_t i = offset; i < offset + length; ++i)
    bytes[i] = static_cast<char>(bytes[i] ^ 0x55);
  write_file(path, bytes);
}

fs::path only_pack(const fs::path &git_dir) {
  for (const auto &entry :
       fs::directory_iterator(git_dir / "objects" / "pack")) {
    if (entry.path().extension() == ".pack")
      return entry.path();
  }
  throw std::runtime_error("no pack in " + git_dir.string());
}

// Offset of `object` inside the pack, from `git verify-pack -v`.
size_t pack_offset(const fs::path &pack, const std::string &object) {
  std::istringstream lines(
      testing::run("git verify-pack -v " + testing::quote(pack.string())));
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(object))
      continue;
    std::istringstream fields(line);
    std::string sha, type, size, packed, offset;
    fields >> sha >> type >> size >> packed >> offset;
    return std::stoul(offset);
  }
  throw std::runtime_error(object + " is not in " + pack.string());
}

class GitFaults : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("bindscan-gitfaults-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    repo_ = std::make_unique<TestRepo>(root_ / "served" / "octo" / "hello");
    repo_->write(
        "app.py",
        "import socketserver\nsocketserver.TCPServer((\"\", 1), None)\n");
    std::string data;
    for (int i = 0; i < 400; ++i)
      data += "VALUE_" + std::to_string(i * 7919 % 10007) + " = " +
              std::to_string(i) + "\n";
    repo_->write("data.py", data);
    c1_ = repo_->commit("first");
    data_blob_ = trimmed(repo_->git("rev-parse HEAD:data.py"));
    daemon_ = std::make_unique<GitDaemon>(root_ / "served");
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(root_);
  }

  GitSourceOptions options() const {
    GitSourceOptions o;
    o.mirrors_dir = root_ / "git";
    o.allowed_hosts = {*parse_clone_host("git://" + daemon_->host_port())};
    return o;
  }
  GitMirror open() const {
    auto mirror = GitMirror::open(options(), "octo", "hello");
    if (!mirror)
      throw std::runtime_error(mirror.error().message);
    return std::move(*mirror);
  }
  Status fetch(GitMirror &mirror, const std::string &commit) const {
    return mirror.fetch(daemon_->url("octo/hello"), "refs/heads/main", commit,
                        "");
  }
  // Fetches c1 into a new mirror; returns the pack it was stored in.
  fs::path first_fetch_pack() const {
    GitMirror mirror = open();
    if (auto s = fetch(mirror, c1_); !s)
      throw std::runtime_error(s.error().message);
    return only_pack(mirror.path());
  }
  fs::path loose_object(const std::string &sha) const {
    return repo_->dir() / ".git" / "objects" / sha.substr(0, 2) / sha.substr(2);
  }

  fs::path root_;
  std::unique_ptr<TestRepo> repo_;
  std::unique_ptr<GitDaemon> daemon_;
  std::string c1_;
  std::string data_blob_;
};

// Reads every Python file of `commit`, as the runner does.
Status read_everything(const GitMirror &mirror, const std::string &commit) {
  auto files = mirror.python_files(commit);
  if (!files)
    return files.error();
  for (const auto &file : *files) {
    if (auto size = mirror.blob_size(file.blob_id); !size)
      return size.error();
    if (auto bytes = mirror.read_blob(file.blob_id); !bytes)
      return bytes.error();
  }
  return ok_status();
}

// The server cannot read the object and breaks off; its reason is kept.
TEST_F(GitFaults, AnUnreadableObjectOnTheServerFailsWithTheServersReason) {
  const fs::path object = loose_object(data_blob_);
  const std::string healthy = read_file(object);
  write_file(object, "not a zlib stream");

  GitMirror mirror = open();
  auto fetched = fetch(mirror, c1_);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git");
  EXPECT_NE(fetched.error().message.find("the server said: error:"),
            std::string::npos)
      << fetched.error().message;
  EXPECT_NE(fetched.error().message.find(data_blob_), std::string::npos)
      << fetched.error().message;
  EXPECT_FALSE(mirror.has_commit(c1_));

  // Another repository on the same server is not affected.
  TestRepo other(root_ / "served" / "octo" / "other");
  other.write("x.py", "x = 1\n");
  const std::string other_commit = other.commit("other");
  auto other_mirror = GitMirror::open(options(), "octo", "other");
  ASSERT_TRUE(other_mirror
                  ->fetch(daemon_->url("octo/other"), "refs/heads/main",
                          other_commit, "")
                  .ok());

  // Repaired on the server: the same mirror fetches and reads it.
  write_file(object, healthy);
  ASSERT_TRUE(fetch(mirror, c1_).ok());
  auto read = read_everything(mirror, c1_);
  EXPECT_TRUE(read.ok()) << read.error().message;
}

// The server sends its damaged pack bytes as they are; our side finds out.
TEST_F(GitFaults,
       ADamagedPackOnTheServerFailsTheFetchAndLeavesTheMirrorUsable) {
  repo_->git("gc -q");
  const fs::path pack = only_pack(repo_->dir() / ".git");
  const std::string healthy = read_file(pack);
  flip(pack, pack_offset(pack, data_blob_) + 4, 64);

  GitMirror mirror = open();
  auto fetched = fetch(mirror, c1_);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git");
  EXPECT_NE(fetched.error().message.find("fetching refs/heads/main from " +
                                         daemon_->url("octo/hello")),
            std::string::npos)
      << fetched.error().message;
  EXPECT_FALSE(mirror.has_commit(c1_));

  write_file(pack, healthy);
  ASSERT_TRUE(fetch(mirror, c1_).ok());
  EXPECT_TRUE(read_everything(mirror, c1_).ok());
}

// An object whose bytes are valid but wrong: the fetch itself succeeds (the
// object arrives under another id), the read finds the blob missing, marks
// the mirror, and after the repair the next open starts afresh and works.
TEST_F(GitFaults,
       WrongObjectContentOnTheServerIsFoundAtReadTimeAndHealsAfterTheRepair) {
  const fs::path object = loose_object(data_blob_);
  const std::string healthy = read_file(object);
  const std::string other = trimmed(testing::run(
      "printf 'x = 0\\n' | git -C " + testing::quote(repo_->dir().string()) +
      " hash-object -w --stdin"));
  write_file(object, read_file(loose_object(other)));

  {
    GitMirror mirror = open();
    ASSERT_TRUE(fetch(mirror, c1_).ok());
    auto read = read_everything(mirror, c1_);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, "git");
    EXPECT_NE(read.error().message.find("cannot read blob " + data_blob_),
              std::string::npos)
        << read.error().message;
    EXPECT_NE(read.error().message.find(
                  "is damaged and is fetched afresh on the next attempt"),
              std::string::npos);
  }
  write_file(object, healthy);
  GitMirror mirror = open();
  EXPECT_FALSE(mirror.has_commit(c1_)); // a fresh, empty mirror
  ASSERT_TRUE(fetch(mirror, c1_).ok());
  auto read = read_everything(mirror, c1_);
  EXPECT_TRUE(read.ok()) << read.error().message;
}

// Our own mirror damaged on disk where a fetch reads it (the commit at the
// tip of a ref): the fetch replaces the mirror at once and succeeds.
TEST_F(GitFaults, AMirrorWhoseRefTipsAreDamagedIsReplacedDuringTheFetch) {
  const fs::path mirror_dir = root_ / "git" / "octo" / "hello.git";
  const fs::path pack = first_fetch_pack();
  flip(pack, pack_offset(pack, c1_) + 2, 32);
  repo_->write("new.py", "y = 2\n");
  const std::string c2 = repo_->commit("second");

  GitMirror mirror = open();
  auto fetched = fetch(mirror, c2);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  auto read = read_everything(mirror, c2);
  EXPECT_TRUE(read.ok()) << read.error().message;
  for (const auto &entry : fs::directory_iterator(mirror_dir.parent_path())) {
    EXPECT_TRUE(entry.path().filename() == "hello.git" ||
                entry.path().filename() == "hello.git.lock")
        << "left behind: " << entry.path();
  }
}

// kill -9 during a ref write leaves git's lock file behind; every later write
// of that ref would fail with "failed to lock file". The next open removes it.
TEST_F(GitFaults, LockFilesACrashedProcessLeftInTheMirrorAreRemovedOnOpen) {
  const fs::path mirror_dir = root_ / "git" / "octo" / "hello.git";
  first_fetch_pack();
  const fs::path stale_ref_lock =
      mirror_dir / "refs" / "bindscan" / "commits" / (c1_ + ".lock");
  std::ofstream(stale_ref_lock) << "";
  std::ofstream(mirror_dir / "packed-refs.lock") << "";

  GitMirror mirror = open();
  EXPECT_FALSE(fs::exists(stale_ref_lock));
  EXPECT_FALSE(fs::exists(mirror_dir / "packed-refs.lock"));
  auto fetched = fetch(mirror, c1_);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(read_everything(mirror, c1_).ok());
}

// While one GitMirror has the mirror open (another process sharing the data
// dir), a second open waits, then fails "busy" without touching it; once the
// first is closed, it opens.
TEST_F(GitFaults, ASecondOpenOfAMirrorInUseWaitsThenFailsBusy) {
  GitSourceOptions quick = options();
  quick.lock_wait = std::chrono::milliseconds(100);
  {
    auto first = GitMirror::open(quick, "octo", "hello");
    ASSERT_TRUE(first);
    ASSERT_TRUE(fetch(*first, c1_).ok());
    const fs::path in_flight =
        first->path() / "refs" / "bindscan" / "commits" / "in-flight.lock";
    std::ofstream(in_flight) << ""; // as if the holder were writing a ref now

    auto second = GitMirror::open(quick, "octo", "hello");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "busy");
    EXPECT_NE(second.error().message.find("in use by another process"),
              std::string::npos)
        << second.error().message;
    EXPECT_TRUE(fs::exists(in_flight)) << "the holder's lock file was removed";
    fs::remove(in_flight);
  } // the first is closed: its lock is released
  auto third = GitMirror::open(quick, "octo", "hello");
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_TRUE(third->has_commit(c1_));
}

// Damage deeper in the mirror (a blob) is found when it is read; the next
// open replaces the mirror. One that is no longer a repository is replaced too.
TEST_F(GitFaults, AMirrorWithADamagedBlobIsReplacedOnTheNextOpen) {
  const fs::path mirror_dir = root_ / "git" / "octo" / "hello.git";
  const fs::path pack = first_fetch_pack();
  flip(pack, pack_offset(pack, data_blob_) + 4, 64);
  {
    GitMirror mirror = open();
    ASSERT_TRUE(
        fetch(mirror, c1_).ok()); // nothing new to fetch: the tips are fine
    auto read = read_everything(mirror, c1_);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, "git");
    EXPECT_NE(read.error().message.find("cannot read blob " + data_blob_),
              std::string::npos)
        << read.error().message;
    EXPECT_TRUE(fs::exists(mirror_dir / "bindscan-damaged"));
  }
  {
    GitMirror mirror = open();
    ASSERT_TRUE(fetch(mirror, c1_).ok());
    auto read = read_everything(mirror, c1_);
    EXPECT_TRUE(read.ok()) << read.error().message;
  }
  fs::remove_all(mirror_dir / "objects");
  GitMirror mirror = open();
  ASSERT_TRUE(fetch(mirror, c1_).ok());
  EXPECT_TRUE(read_everything(mirror, c1_).ok());
}

// The limit counts Python files only, and exactly max_files is allowed
// (runner_test covers a job over the limit and a file over the size limit).
TEST_F(GitFaults, TheFileLimitCountsPythonFilesAndAllowsExactlyTheLimit) {
  for (int i = 0; i < 40; ++i)
    repo_->write("pkg/m" + std::to_string(i) + ".py",
                 "x = " + std::to_string(i) + "\n");
  for (int i = 0; i < 200; ++i)
    repo_->write("assets/f" + std::to_string(i) + ".txt", std::to_string(i));
  const std::string c2 = repo_->commit("many files");
  GitSourceOptions at_limit = options();
  at_limit.max_files = 42; // app.py, data.py and pkg/m0..m39
  {
    auto mirror = GitMirror::open(at_limit, "octo", "hello");
    ASSERT_TRUE(
        mirror->fetch(daemon_->url("octo/hello"), "refs/heads/main", c2, "")
            .ok());
    auto files = mirror->python_files(c2);
    ASSERT_TRUE(files.ok()) << files.error().message;
    EXPECT_EQ(files->size(), 42u);
  } // closed: one GitMirror of a repository at a time

  GitSourceOptions over = options();
  over.max_files = 41;
  auto limited = GitMirror::open(over, "octo", "hello")->python_files(c2);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, "limit");
  EXPECT_NE(limited.error().message.find("more than 41 Python files"),
            std::string::npos);
}

} // namespace
} // namespace bindscan::webhook
