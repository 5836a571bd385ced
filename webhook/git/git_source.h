// Commits from GitHub, through libgit2: one bare mirror per repository, fetch
// of exactly the ref a job needs, and files read straight from the object
// database (no working tree is ever written). libgit2's negative codes and
// git_error_last() become our Error here and nowhere else.
//
// Layout: <mirrors_dir>/<owner>/<repo>.git, names checked by validate_name(),
// so nothing from a payload can point outside mirrors_dir.
//
// Safety rules:
//   - the clone URL must pass check_clone_url() against `allowed_hosts`
//     (https by default; http and git:// only for hosts listed with that
//     scheme; never file:// or scp-like paths);
//   - the token reaches libgit2 only through the credential callback (user
//     "x-access-token"), never a URL, the mirror's config or a message, and is
//     offered once per fetch (a rejected token fails instead of looping);
//   - redirects are not followed, and global/system git config is not read
//     (an `insteadOf` there could send a fetch elsewhere);
//   - symlinks (mode 120000) and submodules (gitlinks, mode 160000) are
//     skipped, never followed.
//
// Error codes: "git" (libgit2 failed: network, protocol, corrupt data),
// "git-missing-commit" (fetched, but the commit is not there), "git-ref" (a
// ref of the mirror cannot be written: permanent), "invalid-name",
// "invalid-clone-url", "clone-host-not-allowed", "limit" (too many files),
// "timeout" (the deadline passed during a fetch), "busy" (another process has
// the mirror open; retried).
//
// A damaged mirror is not trusted again; it is only a cache. A read that
// cannot get an object the mirror should hold (a commit it has, a tree, a
// blob id from python_files) fails with Error "git" saying so and marks the
// mirror (file `bindscan-damaged`); the next open() moves it aside, deletes
// it and starts an empty one, so a retry fetches afresh. A mirror that no
// longer opens as a repository is replaced the same way, and a fetch that
// fails because the mirror's own ref tips cannot be read replaces it at once
// and fetches again. When the server breaks off, its "error:"/"fatal:" lines
// are part of the message.
//
// A GitMirror is used by one thread at a time; two jobs for the same
// repository must not use it concurrently (the runner locks per repository).
// Across processes, an open GitMirror holds an exclusive lock on
// <repo>.git.lock; open() then removes git lock files a crashed process left
// in the mirror (a `kill -9` during a ref write would otherwise fail every
// later job of that commit).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "webhook/git/git_stream.h"
#include "webhook/receive/validate.h"

namespace bindscan::webhook {

struct GitSourceOptions {
  std::filesystem::path mirrors_dir;    // e.g. DATA_DIR/git; created on demand
  std::vector<CloneHost> allowed_hosts;  // what clone URLs may point at
  size_t max_files = 20000;             // Python files per commit; more → Error "limit"
  // More packs than this (or any loose object) after a fetch: compact().
  size_t max_packs = 8;
  // Connect and idle (no progress) limits of every git connection: 15 s and
  // 60 s by default. PROCESS-WIDE (webhook/git/git_stream.h): each open() applies
  // them to all connections opened afterwards, whichever mirror they are for.
  GitTimeouts socket_timeouts;
  // How long open() waits for another process that has the same mirror open
  // (two services sharing one data dir); then Error "busy".
  std::chrono::milliseconds lock_wait{30000};
};

// A Python file of a commit's tree.
struct TreeFile {
  std::string path;     // repository-relative, '/'-separated, as git spells it
  std::string blob_id;  // 40 hex
  bool operator==(const TreeFile&) const = default;
};

class GitMirror {
 public:
  // Opens the mirror of owner/repo, creating an empty bare repository on the
  // first use. Fails for names that validate_name() rejects.
  static Result<GitMirror> open(const GitSourceOptions& options, std::string_view owner,
                                std::string_view repo);

  GitMirror(GitMirror&&) noexcept;
  GitMirror& operator=(GitMirror&&) noexcept;
  ~GitMirror();

  // The mirror's directory.
  const std::filesystem::path& path() const { return path_; }

  // Fetches `fetch_ref` (refs/heads/B, refs/tags/T or refs/pull/N/head) from
  // `clone_url` and checks that `commit_sha` is present. If it is not, it
  // asks for the commit itself (servers that allow fetching reachable SHAs,
  // as GitHub does), and else fails with "commit X not found after fetching
  // REF; was it force-pushed away?".
  // Refs: the mirror never holds branch or pull request names (a deleted
  // branch "fix" would block a later "fix/login", and "rel/1.0" a later
  // "rel"). The fetch lands in refs/bindscan/incoming/<sha>; on success the
  // mirror keeps exactly one ref, refs/bindscan/commits/<commit_sha>, which
  // protects the commit while it is scanned and tells the next fetch what
  // the mirror has; every other ref (an older layout's refs/heads/* included)
  // is deleted, so a deleted branch needs nothing done. Then compact() runs.
  // A ref the mirror cannot write fails with Error "git-ref", never retried
  // as if the network had failed. `token` empty: no credentials offered. A fetch still running at
  // `deadline` is aborted ("timeout"), checked as data arrives; a server that
  // stops sending or accepting data fails the fetch after the idle timeout,
  // one that never accepts the connection after the connect timeout (Error
  // "git", "git remote HOST:PORT silent for 60 s").
  Status fetch(std::string_view clone_url, std::string_view fetch_ref,
               std::string_view commit_sha, std::string_view token,
               std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  // When the mirror holds more than max_packs packs or any loose object:
  // writes everything reachable from its refs into one new pack and deletes
  // the other packs and loose objects (git gc --prune=now, by libgit2), so a
  // mirror stays about the size of one clone of the commits jobs need.
  Status compact();

  // The commit the remote's `ref` pointed at when the last fetch() of this
  // GitMirror fetched it, tags peeled (the mirror keeps no branch refs, so
  // this is remembered, not read from a ref). Error "git" when the last
  // fetch was of another ref or did not bring it.
  Result<std::string> ref_commit(std::string_view ref) const;

  // True when `sha` names a commit in the mirror.
  bool has_commit(std::string_view sha) const;

  // Every Python file of the commit's tree, sorted by path, chosen by the
  // rules `bindscan scan` follows (common/python_files.h): `*.py` blobs and
  // extension-less blobs whose first line is a `#!` naming python; files and
  // folders `selection` excludes (config::excluded on the repository-relative
  // path; by default .git, node_modules, .venv, caches) and virtualenvs
  // (folders holding pyvenv.cfg) are not entered; symlinks and submodules are
  // skipped. `selection` is the seam for a repository's own configuration
  // file (config/config.h). More than max_files → Error "limit".
  Result<std::vector<TreeFile>> python_files(std::string_view commit_sha,
                                             const config::Config& selection = config::default_config()) const;

  // Paths of Python files added, modified, renamed or copied (new path) from
  // `before` to `after`, by diffing their trees. Deleted files and files the
  // default configuration excludes are not listed.
  // `before` empty, all zeros or unknown to the mirror (new branch, force
  // push): every Python file of `after`.
  Result<std::set<std::string>> changed_python_files(std::string_view before,
                                                     std::string_view after) const;

  // The bytes of the regular file `name` at the root of the commit's tree
  // (e.g. ".bindscan.toml"); nullopt when there is none (or it is a symlink,
  // a folder or a submodule).
  Result<std::optional<std::string>> root_file(std::string_view commit_sha, std::string_view name) const;

  // Size of a blob in bytes, without reading it.
  Result<uint64_t> blob_size(std::string_view blob_id) const;
  // A blob's bytes.
  Result<std::string> read_blob(std::string_view blob_id) const;

 private:
  struct Repo;
  GitMirror(std::filesystem::path path, std::unique_ptr<Repo> repo, GitSourceOptions options);
  // The refs/bindscan/commits/ ref a previous fetch kept, or "".
  std::string previous_commit_ref() const;

  std::filesystem::path path_;
  std::unique_ptr<Repo> repo_;
  GitSourceOptions options_;
  std::string fetched_ref_;  // what the last fetch() fetched, and its tip
  std::string fetched_tip_;
};

}  // namespace bindscan::webhook
