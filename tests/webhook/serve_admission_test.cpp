// `bindscan serve` through the binary (issue 14): what a delivery must name
// to be admitted, and what the mirror keeps between jobs.
//
//   - a clone URL naming another repository than full_name: 400, nothing
//     queued or fetched; the names compare case-insensitively, as GitHub's do;
//   - App mode: a delivery without an integer installation.id gets 400; the
//     installation token is scoped to the delivery's repository, so one the
//     installation cannot see gets no token and no upload;
//   - branches whose names nest (fix, then fix/login; rel/1.0, then rel) all
//     upload, around a branch deletion, and the mirror keeps one ref.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "tests/webhook/github/test_keys.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kZero(40, '0');
constexpr char kSecret[] = "admission-secret-4Kd";
constexpr char kToken[] = "ghs_admissionToken7";
constexpr auto kWait = 30s;

class ServeAdmission : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = make_temp_root("bindscan-admission");
    hello_ = std::make_unique<TestRepo>(root_ / "served" / "octo" / "hello");
    hello_->write("app.py", "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n");
    c1_ = hello_->commit("first");
    secret_repo_ = std::make_unique<TestRepo>(root_ / "served" / "octo" / "private-src");
    secret_repo_->write("secret.py", "import socket\ns = socket.socket()\ns.bind((\"\", 9))\n");
    private_commit_ = secret_repo_->commit("private");
    daemon_ = std::make_unique<GitDaemon>(root_ / "served");
    github_ = std::make_unique<FakeGitHub>(kToken);
    std::ofstream(root_ / "secret") << kSecret << "\n";
  }
  void TearDown() override {
    serve_.reset();
    github_.reset();
    daemon_.reset();
    if (!HasFailure()) fs::remove_all(root_);
  }

  // `auth` replaces the token: e.g. {"--app-id", "42", "--app-private-key-file", PATH}.
  void start_serve(std::vector<std::string> extra = {}, bool token = true) {
    port_ = free_port();
    std::vector<std::string> args = {"--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--webhook-secret-file", (root_ / "secret").string(),
                                     "--data-dir", (root_ / "data").string(),
                                     "--github-api", github_->url(),
                                     "--allow-clone-host", "git://" + daemon_->host_port(),
                                     "--max-attempts", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<std::string> env = {"HOME=" + root_.string()};
    if (token) env.push_back(std::string("GITHUB_TOKEN=") + kToken);
    serve_ = std::make_unique<ServeProcess>(args, env, root_ / "serve.log");
    poster_.set_port(port_);
    ASSERT_TRUE(serve_->wait_healthy(port_, kWait)) << read_text(root_ / "serve.log");
  }

  std::optional<FakeGitHub::Upload> upload_for(const std::string& commit, const std::string& ref) {
    eventually([&] { return github_->upload_for(commit, ref).has_value(); }, kWait);
    return github_->upload_for(commit, ref);
  }

  json job_record(const std::string& id) {
    return json::parse(read_text(root_ / "data" / "jobs" / (id + ".json")), nullptr, false);
  }

  // Every ref of the mirror of octo/hello, as `git for-each-ref` lists them.
  std::string mirror_refs() {
    return run("git --git-dir=" + quote((root_ / "data" / "git" / "octo" / "hello.git").string()) +
               " for-each-ref --format='%(refname)'");
  }

  fs::path root_;
  std::unique_ptr<TestRepo> hello_, secret_repo_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<FakeGitHub> github_;
  std::unique_ptr<ServeProcess> serve_;
  WebhookPoster poster_{0, kSecret};
  int port_ = 0;
  std::string c1_, private_commit_;
};

TEST_F(ServeAdmission, CloneUrlOfAnotherRepositoryIsRefusedAtAdmission) {
  start_serve();
  // Named victim, cloned from private-src: the private code must not be fetched or uploaded.
  auto res = poster_.post("push", "mismatch-1",
                          push_payload("octo/hello", daemon_->url("octo/private-src"), "refs/heads/main",
                                       kZero, private_commit_));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("does not name repository.full_name"), std::string::npos) << res->body;
  EXPECT_FALSE(fs::exists(root_ / "data" / "jobs" / "mismatch-1.json"));
  // Another owner's repository of the same name is refused too.
  res = poster_.post("push", "mismatch-2",
                     push_payload("mallory/hello", daemon_->url("octo/hello"), "refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;

  // GitHub's names are case-insensitive: Octo/Hello is octo/hello.
  res = poster_.post("push", "match-1",
                     push_payload("Octo/Hello", daemon_->url("octo/hello"), "refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  auto upload = upload_for(c1_, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  EXPECT_EQ(upload->repo, "Hello");
  std::this_thread::sleep_for(200ms);
  for (const auto& u : github_->uploads()) EXPECT_NE(u.commit_sha, private_commit_);
  EXPECT_FALSE(fs::exists(root_ / "data" / "git" / "octo" / "private-src.git"));
  EXPECT_EQ(serve_->terminate(kWait).value_or(-1), 0);
}

TEST_F(ServeAdmission, AppModeRefusesNonAppDeliveriesAndScopesTokensToTheRepository) {
  std::ofstream(root_ / "app.pem") << generate_rsa_key().private_pem;
  github_->set_installation_token(kToken, "2099-01-01T00:00:00Z");
  github_->set_installation_repositories({"hello"});
  start_serve({"--app-id", "42", "--app-private-key-file", (root_ / "app.pem").string()}, false);

  auto with_installation = [](std::string body, const json& id) {
    json doc = json::parse(body);
    doc["installation"] = {{"id", id}, {"node_id", "MDIz"}};
    return doc.dump();
  };
  const std::string hello = push_payload("octo/hello", daemon_->url("octo/hello"), "refs/heads/main", kZero, c1_);
  // A repository webhook's delivery (no installation) and a malformed id: 400 at once.
  for (const auto& [id, body] : {std::pair{"no-installation", hello},
                                 std::pair{"string-installation", with_installation(hello, "7")}}) {
    auto res = poster_.post("push", id, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_NE(res->body.find("deliveries must come from the App's webhook"), std::string::npos) << res->body;
    EXPECT_FALSE(fs::exists(root_ / "data" / "jobs" / (std::string(id) + ".json")));
  }

  // The App's own delivery: queued, a token scoped to "hello", uploaded.
  auto res = poster_.post("push", "app-1", with_installation(hello, 7));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(upload_for(c1_, "refs/heads/main")) << read_text(root_ / "serve.log");
  ASSERT_FALSE(github_->token_requests().empty());
  EXPECT_EQ(json::parse(github_->token_requests().front()), json({{"repositories", {"hello"}}}));

  // A repository the installation cannot see gets no token: the job fails, nothing is fetched.
  res = poster_.post("push", "app-2",
                     with_installation(push_payload("octo/private-src", daemon_->url("octo/private-src"),
                                                    "refs/heads/main", kZero, private_commit_),
                                       7));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(eventually([&] { return job_record("app-2").value("state", "") == "failed"; }, kWait))
      << read_text(root_ / "serve.log");
  EXPECT_NE(job_record("app-2").dump().find("not accessible"), std::string::npos) << job_record("app-2");
  EXPECT_EQ(github_->uploads().size(), 1u);
  EXPECT_FALSE(fs::exists(root_ / "data" / "git" / "octo" / "private-src.git"));
  EXPECT_EQ(serve_->terminate(kWait).value_or(-1), 0);
}

TEST_F(ServeAdmission, NestedBranchNamesAfterADeletionAllUploadAndTheMirrorKeepsOneRef) {
  start_serve();
  // Delivery ids name files: "rel/1.0" becomes "rel-1-0".
  auto delivery_of = [](std::string name) {
    for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return name;
  };
  auto push = [&](const std::string& id, const std::string& ref, const std::string& sha, bool deleted = false) {
    std::string body = push_payload("octo/hello", daemon_->url("octo/hello"), ref, deleted ? sha : kZero,
                                    deleted ? kZero : sha);
    if (deleted) {
      json doc = json::parse(body);
      doc["deleted"] = true;
      body = doc.dump();
    }
    auto res = poster_.post("push", delivery_of(id), body);
    return res ? res->status : -1;
  };
  // Branch `first` is pushed, scanned and deleted on GitHub; then `second`,
  // whose name nests inside `first` or the other way round, is pushed.
  auto first_then_second = [&](const std::string& first, const std::string& second) {
    hello_->git("checkout -q main");
    hello_->git("checkout -q -b " + first);
    hello_->write("branch.py", "BRANCH = '" + first + "'\n");
    const std::string one = hello_->commit(first);
    EXPECT_EQ(push(first, "refs/heads/" + first, one), 202);
    EXPECT_TRUE(upload_for(one, "refs/heads/" + first)) << read_text(root_ / "serve.log");
    hello_->git("checkout -q main");
    hello_->git("branch -q -D " + first);
    EXPECT_EQ(push(first + "-deleted", "refs/heads/" + first, one, true), 202);
    hello_->git("checkout -q -b " + second);
    hello_->write("branch.py", "import socket\nsocket.create_server((\"0.0.0.0\", 1))\n");
    const std::string two = hello_->commit(second);
    EXPECT_EQ(push(second, "refs/heads/" + second, two), 202);
    EXPECT_TRUE(upload_for(two, "refs/heads/" + second)) << read_text(root_ / "serve.log");
    EXPECT_TRUE(eventually([&] { return job_record(delivery_of(second)).value("state", "") == "uploaded"; },
                           kWait))
        << job_record(delivery_of(second));
    return two;
  };
  first_then_second("fix", "fix/login");
  const std::string rel = first_then_second("rel/1.0", "rel");
  // One ref: the last job's commit, in bindscan's own namespace.
  EXPECT_EQ(mirror_refs(), "refs/bindscan/commits/" + rel + "\n");
  EXPECT_EQ(serve_->terminate(kWait).value_or(-1), 0);
}

}  // namespace
}  // namespace bindscan::testing
