#include "webhook/git/git_source.h"

#include <git2.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <fstream>
#include <mutex>
#include <regex>
#include <system_error>
#include <thread>
#include <utility>

#include "common/python_files.h"
#include "config/config.h"

namespace bindscan::webhook {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using RepoPtr = Owned<git_repository, git_repository_free>;
using RemotePtr = Owned<git_remote, git_remote_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using BlobPtr = Owned<git_blob, git_blob_free>;
using DiffPtr = Owned<git_diff, git_diff_free>;
using OdbPtr = Owned<git_odb, git_odb_free>;

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Only the mirror's own config counts: a url.*.insteadOf in a global or
    // system config could otherwise redirect a fetch past the host allowlist.
    for (int level : {GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM,
                      GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL}) {
      git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, "");
    }
  });
}

std::string redact(std::string message, std::string_view secret) {
  if (!secret.empty()) {
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
      message.replace(at, secret.size(), "***");
    }
  }
  return message;
}

// The one place libgit2's convention (negative code + git_error_last) becomes ours.
Error git_failure(std::string what, std::string_view secret = {}) {
  const git_error* last = git_error_last();
  return Error{"git", redact(what + ": " + (last && last->message ? last->message : "unknown libgit2 error"), secret)};
}

std::optional<git_oid> parse_oid(std::string_view hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, hex.data(), hex.size()) != 0) {
    return std::nullopt;
  }
  return oid;
}

std::string oid_hex(const git_oid& oid) {
  char text[GIT_OID_HEXSZ + 1];
  git_oid_tostr(text, sizeof text, &oid);
  return text;
}

bool is_fetchable_ref(std::string_view ref) {
  static const std::regex pull(R"(^refs/pull/[0-9]+/(head|merge)$)");
  if (!is_valid_ref(ref)) return false;
  return ref.starts_with("refs/heads/") || ref.starts_with("refs/tags/") ||
         std::regex_match(ref.begin(), ref.end(), pull);
}

// `*.py`, or a name without an extension whose blob starts "#!...python"
// (common/python_files.h, the rules the CLI follows too).
bool is_python(git_repository* repo, std::string_view name, const git_oid& blob_id) {
  if (files::has_python_extension(name)) return true;
  if (!files::may_be_python_script(name)) return false;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &blob_id) != 0) return false;
  BlobPtr blob(raw);
  const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  return files::has_python_shebang(std::string_view(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                                    std::min(size, files::kShebangProbeBytes)));
}

const config::Config& kDefaultSelection() {
  static const config::Config defaults = config::default_config();
  return defaults;
}

// A virtualenv: a folder holding pyvenv.cfg, skipped like the CLI skips it.
bool is_virtualenv(git_repository* repo, const git_oid& tree_id) {
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, repo, &tree_id) != 0) return false;  // the walk reports it
  TreePtr tree(raw);
  return git_tree_entry_byname(tree.get(), std::string(files::kVirtualenvMarker).c_str()) != nullptr;
}

// Whether `path` (repository-relative) or a folder above it is excluded.
bool excluded_here_or_above(const config::Config& selection, std::string_view path) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (config::excluded(selection, path.substr(0, slash))) return true;
  }
  return config::excluded(selection, path);
}

bool is_scannable_mode(uint32_t mode) {
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

struct FetchState {
  std::string_view token;
  int credential_requests = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool timed_out = false;
  std::string remote_says;  // the tail of what the server printed (sideband)
};

// The server's "error:"/"fatal:" lines, which say why a transfer broke off
// ("early EOF" alone does not): "error: unable to unpack 1234… header".
std::string remote_errors(std::string_view printed) {
  std::string lines;
  for (size_t start = 0; start < printed.size();) {
    size_t end = printed.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = printed.size();
    const std::string_view line = printed.substr(start, end - start);
    if ((line.starts_with("error:") || line.starts_with("fatal:")) && lines.find(line) == std::string::npos) {
      lines += (lines.empty() ? "" : "; ") + std::string(line);
    }
    start = end + 1;
  }
  return lines;
}

int offer_credentials(git_credential** out, const char*, const char*, unsigned int allowed_types,
                      void* payload) {
  auto& state = *static_cast<FetchState*>(payload);
  if (state.token.empty() || !(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
    return GIT_PASSTHROUGH;
  }
  // Asked again means the token was rejected; asking forever would loop.
  if (state.credential_requests++ > 0) return GIT_EUSER;
  const std::string token(state.token);
  return git_credential_userpass_plaintext_new(out, "x-access-token", token.c_str());
}

int check_deadline(const git_indexer_progress*, void* payload) {
  auto& state = *static_cast<FetchState*>(payload);
  if (state.deadline && std::chrono::steady_clock::now() > *state.deadline) {
    state.timed_out = true;
    return -1;
  }
  return 0;
}

int keep_sideband(const char* text, int length, void* payload) {
  auto& said = static_cast<FetchState*>(payload)->remote_says;
  said.append(text, static_cast<size_t>(std::max(length, 0)));
  if (said.size() > 4096) said.erase(0, said.size() - 4096);
  return check_deadline(nullptr, payload);
}

constexpr char kDamagedMarker[] = "bindscan-damaged";

// Called when an object the mirror should hold cannot be read: the mirror is
// marked, and the next open() starts it afresh (it is only a cache).
Error damaged(const std::filesystem::path& mirror, std::string what) {
  Error error = git_failure(std::move(what));
  std::ofstream(mirror / kDamagedMarker) << error.message << '\n';
  error.message += "; the mirror " + mirror.string() + " is damaged and is fetched afresh on the next attempt";
  return error;
}

// Moves a mirror out of the way, then deletes it, so a crash half way
// leaves no half-deleted mirror where open() looks.
Status discard_mirror(const std::filesystem::path& mirror) {
  static std::atomic<unsigned> counter{0};
  auto aside = mirror;
  aside += ".discarded-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::error_code ec;
  std::filesystem::rename(mirror, aside, ec);
  if (ec) return Error{"io", "cannot move the damaged mirror " + mirror.string() + " aside: " + ec.message()};
  std::filesystem::remove_all(aside, ec);
  return ok_status();
}

// Every local ref resolves to an object that can be read. A fetch reads the
// ref tips to tell the server what it has; when that fails, the damage is here.
bool ref_tips_readable(git_repository* repo) {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_new(&raw, repo) != 0) return false;
  bool readable = true;
  git_reference* ref = nullptr;
  while (readable && git_reference_next(&ref, raw) == 0) {
    git_reference* resolved = nullptr;
    git_object* object = nullptr;
    readable = git_reference_resolve(&resolved, ref) == 0 &&
               git_object_lookup(&object, repo, git_reference_target(resolved), GIT_OBJECT_ANY) == 0;
    git_object_free(object);
    git_reference_free(resolved);
    git_reference_free(ref);
  }
  git_reference_iterator_free(raw);
  return readable;
}

// The mirror's only refs: one per commit a job needs, under a private prefix
// whose names are 40-hex and flat, so no two can collide (a branch "fix" and
// a branch "fix/login" would, as loose files). Branch names never become refs.
constexpr char kCommitRefPrefix[] = "refs/bindscan/commits/";
constexpr char kIncomingRefPrefix[] = "refs/bindscan/incoming/";

std::string commit_ref(std::string_view sha) { return kCommitRefPrefix + std::string(sha); }

// Deletes every ref but `keep` (a full ref name; empty: none kept): what an
// older layout left (refs/heads/..., refs/pull/...), earlier commits' refs
// and an interrupted fetch's incoming ref. Objects stay until compaction.
Status delete_refs_except(git_repository* repo, std::string_view keep) {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_new(&raw, repo) != 0) return git_failure("cannot list the mirror's refs");
  std::vector<std::string> doomed;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, raw) == 0) {
    if (git_reference_name(ref) != keep) doomed.emplace_back(git_reference_name(ref));
    git_reference_free(ref);
  }
  git_reference_iterator_free(raw);
  for (const std::string& name : doomed) {
    git_reference* found = nullptr;
    if (git_reference_lookup(&found, repo, name.c_str()) != 0) continue;
    const int rc = git_reference_delete(found);
    git_reference_free(found);
    if (rc != 0) return Error{"git-ref", git_failure("cannot delete ref " + name + " from the mirror").message};
  }
  return ok_status();
}

// Packs in objects/pack, and whether any loose object exists.
struct ObjectFiles {
  std::vector<std::filesystem::path> packs;  // pack-*.pack
  bool loose = false;
};

ObjectFiles object_files(const std::filesystem::path& mirror) {
  ObjectFiles files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(mirror / "objects" / "pack", ec)) {
    if (entry.path().extension() == ".pack") files.packs.push_back(entry.path());
  }
  for (const auto& entry : std::filesystem::directory_iterator(mirror / "objects", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 2 && std::isxdigit(static_cast<unsigned char>(name[0])) &&
        std::isxdigit(static_cast<unsigned char>(name[1]))) {
      files.loose = true;
    }
  }
  return files;
}

// An exclusive flock on <mirror>.lock (beside the mirror, so discarding the
// mirror keeps it), held while a GitMirror is open. The kernel drops it when
// its holder dies, even by kill -9, so whoever holds it knows that no other
// process is writing the mirror.
class MirrorLock {
 public:
  MirrorLock() = default;
  MirrorLock(MirrorLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  MirrorLock& operator=(MirrorLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~MirrorLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }

  static Result<MirrorLock> acquire(const std::filesystem::path& mirror, std::chrono::milliseconds wait) {
    std::filesystem::path file = mirror;
    file += ".lock";
    MirrorLock lock;
    lock.fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock.fd_ < 0) return Error{"io", "cannot open " + file.string() + ": " + std::strerror(errno)};
    const auto until = std::chrono::steady_clock::now() + wait;
    while (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return Error{"io", "cannot lock " + file.string() + ": " + std::strerror(errno)};
      }
      if (std::chrono::steady_clock::now() >= until) {
        return Error{"busy", "the mirror " + mirror.string() + " is in use by another process (" + file.string() +
                                 " is locked)"};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return lock;
  }

 private:
  int fd_ = -1;
};

// git's own lock files (`refs/.../X.lock`, `packed-refs.lock`, `config.lock`)
// exist only while a write is under way. Under MirrorLock no other process
// writes, so any found now was left by a process that died mid-write, and
// would make every later write of that ref fail with "failed to lock file".
void remove_stale_git_locks(const std::filesystem::path& mirror) {
  std::error_code ec;
  std::vector<std::filesystem::path> stale;
  for (auto it = std::filesystem::recursive_directory_iterator(mirror, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".lock" && it->is_regular_file(ec)) stale.push_back(it->path());
  }
  for (const auto& path : stale) std::filesystem::remove(path, ec);
}

}  // namespace

struct GitMirror::Repo {
  MirrorLock lock;  // first member: released after the handle is closed
  RepoPtr handle;
};

GitMirror::GitMirror(std::filesystem::path path, std::unique_ptr<Repo> repo, GitSourceOptions options)
    : path_(std::move(path)), repo_(std::move(repo)), options_(std::move(options)) {}
GitMirror::GitMirror(GitMirror&&) noexcept = default;
GitMirror& GitMirror::operator=(GitMirror&&) noexcept = default;
GitMirror::~GitMirror() = default;

Result<GitMirror> GitMirror::open(const GitSourceOptions& options, std::string_view owner,
                                  std::string_view repo) {
  init_libgit2();
  if (auto s = use_git_timeouts(options.socket_timeouts); !s) return s.error();
  if (auto s = validate_name("owner", owner); !s) return s.error();
  if (auto s = validate_name("repository", repo); !s) return s.error();
  const auto path = options.mirrors_dir / std::string(owner) / (std::string(repo) + ".git");
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Error{"io", "cannot create " + path.parent_path().string() + ": " + ec.message()};
  }
  auto lock = MirrorLock::acquire(path, options.lock_wait);
  if (!lock) return lock.error();
  git_repository* raw = nullptr;
  bool exists = std::filesystem::exists(path, ec);
  if (exists) remove_stale_git_locks(path);
  bool discard = exists && std::filesystem::exists(path / kDamagedMarker, ec);  // an earlier read said so
  if (exists && !discard && git_repository_open_bare(&raw, path.c_str()) != 0) {
    const git_error* last = git_error_last();
    if (last && last->klass == GIT_ERROR_OS) return git_failure("cannot open mirror " + path.string());
    discard = true;  // there, but no longer a repository
  }
  if (discard) {
    if (auto s = discard_mirror(path); !s) return s.error();
    exists = false;
  }
  if (!exists && git_repository_init(&raw, path.c_str(), /*is_bare=*/1) != 0) {
    return git_failure("cannot create mirror " + path.string());
  }
  return GitMirror(path, std::make_unique<Repo>(Repo{std::move(*lock), RepoPtr(raw)}), options);
}

Status GitMirror::fetch(std::string_view clone_url, std::string_view fetch_ref,
                        std::string_view commit_sha, std::string_view token,
                        std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (auto s = check_clone_url(clone_url, options_.allowed_hosts); !s) return s.error();
  if (!is_fetchable_ref(fetch_ref)) {
    return Error{"invalid-ref", "cannot fetch '" + std::string(fetch_ref) +
                                    "': expected refs/heads/B, refs/tags/T or refs/pull/N/head"};
  }
  if (!is_commit_sha(commit_sha)) {
    return Error{"invalid-sha", "'" + std::string(commit_sha) + "' is not a 40-hex commit SHA"};
  }
  const std::string url(clone_url);

  auto fetch_refspec = [&](const std::string& refspec) -> Status {
    git_remote* raw = nullptr;
    // Anonymous (no name): nothing, URL included, is written to the mirror's
    // config. No url.*.insteadOf rewriting: a git config must not send the
    // fetch to another host, and libgit2 1.5 leaks ~50 KB per remote in that
    // lookup (fixed upstream in libgit2#6382).
    git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
    create.repository = repo_->handle.get();
    create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
    if (git_remote_create_with_opts(&raw, url.c_str(), &create) != 0) {
      return git_failure("cannot set up a fetch from " + url, token);
    }
    RemotePtr remote(raw);
    FetchState state{token, 0, deadline, false, {}};
    git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
    options.callbacks.credentials = offer_credentials;
    options.callbacks.transfer_progress = check_deadline;
    options.callbacks.sideband_progress = keep_sideband;
    options.callbacks.payload = &state;
    options.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    options.update_fetchhead = 0;
    char* spec = const_cast<char*>(refspec.c_str());
    const git_strarray refspecs{&spec, 1};
    (void)take_git_stream_timeout();
    if (git_remote_fetch(remote.get(), &refspecs, &options, nullptr) != 0) {
      if (state.timed_out) {
        return Error{"timeout", "fetching " + std::string(fetch_ref) + " from " + url +
                                    " ran past the job's time budget"};
      }
      // Kept aside by our stream: a TLS layer may have replaced libgit2's message.
      if (auto silent = take_git_stream_timeout()) {
        return Error{"git", "fetching " + std::string(fetch_ref) + " from " + url + ": " + *silent};
      }
      if (state.credential_requests > 1) {
        return Error{"git", "fetching " + std::string(fetch_ref) + " from " + url +
                                ": the server rejected the token (needs contents: read)"};
      }
      const git_error* last = git_error_last();
      const bool bad_data = last && (last->klass == GIT_ERROR_ZLIB || last->klass == GIT_ERROR_INDEXER);
      // A local ref that cannot be written ("cannot lock ref", a file where a
      // folder is needed) fails again on every retry: not a network error.
      const bool ref_conflict = last && last->klass == GIT_ERROR_REFERENCE;
      Error error = git_failure("fetching " + std::string(fetch_ref) + " from " + url, token);
      if (ref_conflict) {
        error.code = "git-ref";
        error.message += " (a ref of the mirror cannot be written; not retried)";
        return error;
      }
      if (bad_data) error.message += " (damaged data)";
      if (const std::string said = remote_errors(state.remote_says); !said.empty()) {
        error.message += "; the server said: " + redact(said, token);
      }
      return error;
    }
    return ok_status();
  };

  const std::string ref(fetch_ref);
  const std::string sha(commit_sha);
  const std::string incoming = kIncomingRefPrefix + sha;
  const std::string wanted = commit_ref(sha);
  // The commit this job needs is the only ref kept; it stays until the next
  // fetch, so the next one can tell the server what the mirror has.
  auto keep_only_wanted = [&]() -> Status {
    git_oid oid = *parse_oid(sha);
    git_reference* created = nullptr;
    if (git_reference_create(&created, repo_->handle.get(), wanted.c_str(), &oid, /*force=*/1,
                             "bindscan: commit of a job") != 0) {
      return Error{"git-ref", git_failure("cannot create ref " + wanted + " in the mirror").message};
    }
    git_reference_free(created);
    return delete_refs_except(repo_->handle.get(), wanted);
  };
  fetched_ref_.clear();
  fetched_tip_.clear();
  auto fetch_incoming = [&]() -> Status {
    // A ref left by an older layout or a crashed fetch goes first: nothing but
    // the previous job's commit ref is left to clash with or to mislead.
    if (auto s = delete_refs_except(repo_->handle.get(), previous_commit_ref()); !s) return s;
    if (auto s = fetch_refspec("+" + ref + ":" + incoming); !s) return s;
    // What the remote's ref pointed at, tags peeled (ref_commit()).
    git_object* tip = nullptr;
    git_object* peeled = nullptr;
    if (git_revparse_single(&tip, repo_->handle.get(), incoming.c_str()) == 0 &&
        git_object_peel(&peeled, tip, GIT_OBJECT_COMMIT) == 0) {
      fetched_ref_ = ref;
      fetched_tip_ = oid_hex(*git_object_id(peeled));
    }
    git_object_free(peeled);
    git_object_free(tip);
    return ok_status();
  };
  if (auto s = fetch_incoming(); !s) {
    if (s.error().code != "git" || ref_tips_readable(repo_->handle.get())) return s;
    // The mirror itself is damaged: start it afresh and fetch once more.
    repo_->handle.reset();
    if (auto d = discard_mirror(path_); !d) return d;
    git_repository* raw = nullptr;
    if (git_repository_init(&raw, path_.c_str(), /*is_bare=*/1) != 0) {
      return git_failure("cannot create mirror " + path_.string());
    }
    repo_->handle.reset(raw);
    if (auto again = fetch_incoming(); !again) return again;
  }
  auto finish = [&]() -> Status {
    if (auto s = keep_only_wanted(); !s) return s;
    // Only a compaction that lost the mirror's handle fails the job; any
    // other failure leaves the packs for the next fetch to try again.
    if (auto s = compact(); !s && !repo_->handle) return s;
    return ok_status();
  };
  if (has_commit(commit_sha)) return finish();
  git_reference* local = nullptr;
  const bool ref_exists = git_reference_lookup(&local, repo_->handle.get(), incoming.c_str()) == 0;
  git_reference_free(local);
  // The ref moved on: ask for the commit itself (GitHub serves reachable SHAs).
  (void)fetch_refspec("+" + sha + ":" + wanted);
  if (has_commit(commit_sha)) return finish();
  if (!ref_exists) {
    return Error{"git-missing-commit", "commit " + sha + " not found after fetching " + ref +
                                           " from " + url + ": the ref does not exist there "
                                           "(branch deleted or pull request gone?)"};
  }
  return Error{"git-missing-commit", "commit " + sha + " not found after fetching " + ref +
                                         " from " + url + "; was it force-pushed away?"};
}

std::string GitMirror::previous_commit_ref() const {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_glob_new(&raw, repo_->handle.get(), "refs/bindscan/commits/*") != 0) return "";
  std::string name;
  git_reference* ref = nullptr;
  if (git_reference_next(&ref, raw) == 0) {
    name = git_reference_name(ref);
    git_reference_free(ref);
  }
  git_reference_iterator_free(raw);
  return name;
}

Status GitMirror::compact() {
  const ObjectFiles before = object_files(path_);
  if (before.packs.size() <= options_.max_packs && !before.loose) return ok_status();
  git_repository* repo = repo_->handle.get();
  git_packbuilder* raw_builder = nullptr;
  git_revwalk* raw_walk = nullptr;
  if (git_packbuilder_new(&raw_builder, repo) != 0) return git_failure("cannot compact " + path_.string());
  Owned<git_packbuilder, git_packbuilder_free> builder(raw_builder);
  if (git_revwalk_new(&raw_walk, repo) != 0) return git_failure("cannot compact " + path_.string());
  Owned<git_revwalk, git_revwalk_free> walk(raw_walk);
  // Everything reachable from the kept refs goes into one new pack; the
  // rest (commits no job needs any more, old packs, loose objects) goes.
  const int pushed = git_revwalk_push_glob(walk.get(), "refs/*");
  if ((pushed != 0 && pushed != GIT_ENOTFOUND) ||
      git_packbuilder_insert_walk(builder.get(), walk.get()) != 0 ||
      git_packbuilder_write(builder.get(), (path_ / "objects" / "pack").c_str(), 0, nullptr, nullptr) != 0) {
    return git_failure("cannot compact " + path_.string());
  }
  const std::string kept = std::string("pack-") + git_packbuilder_name(builder.get());
  // Reopened afterwards: the handle has the old packs open.
  repo_->handle.reset();
  std::error_code ec;
  for (const auto& pack : before.packs) {
    if (pack.stem() == kept) continue;
    for (const char* extension : {".pack", ".idx", ".rev", ".keep", ".promisor"}) {
      auto file = pack;
      file.replace_extension(extension);
      std::filesystem::remove(file, ec);
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(path_ / "objects", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 2 && entry.is_directory(ec)) std::filesystem::remove_all(entry.path(), ec);
  }
  git_repository* reopened = nullptr;
  if (git_repository_open_bare(&reopened, path_.c_str()) != 0) {
    return git_failure("cannot reopen mirror " + path_.string() + " after compacting it");
  }
  repo_->handle.reset(reopened);
  return ok_status();
}

Result<std::string> GitMirror::ref_commit(std::string_view ref) const {
  if (ref != fetched_ref_ || fetched_tip_.empty()) {
    return Error{"git", "the last fetch did not bring ref " + std::string(ref)};
  }
  return fetched_tip_;
}

bool GitMirror::has_commit(std::string_view sha) const {
  auto oid = parse_oid(sha);
  if (!oid) return false;
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo_->handle.get(), &*oid) != 0) return false;
  git_commit_free(raw);
  return true;
}

namespace {

Result<TreePtr> commit_tree(git_repository* repo, const std::filesystem::path& mirror, std::string_view sha) {
  auto oid = parse_oid(sha);
  if (!oid) return Error{"invalid-sha", "'" + std::string(sha) + "' is not a 40-hex commit SHA"};
  git_commit* commit = nullptr;
  if (const int rc = git_commit_lookup(&commit, repo, &*oid); rc != 0) {
    if (rc == GIT_ENOTFOUND) return git_failure("commit " + std::string(sha) + " is not in the mirror");
    return damaged(mirror, "cannot read commit " + std::string(sha));
  }
  CommitPtr owner(commit);
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit) != 0) {
    return damaged(mirror, "cannot read the tree of commit " + std::string(sha));
  }
  return TreePtr(tree);
}

struct WalkState {
  git_repository* repo;
  size_t max_files;
  const config::Config* selection;
  std::vector<TreeFile>* files;
  bool over_limit = false;
};

constexpr int kSkipSubtree = 1;  // git_tree_walk, pre-order: do not enter

int collect_python(const char* root, const git_tree_entry* entry, void* payload) {
  auto& state = *static_cast<WalkState*>(payload);
  const auto mode = static_cast<uint32_t>(git_tree_entry_filemode(entry));
  const std::string_view name = git_tree_entry_name(entry);
  const git_oid* id = git_tree_entry_id(entry);
  const std::string path = std::string(root) + std::string(name);
  if (config::excluded(*state.selection, path)) return mode == GIT_FILEMODE_TREE ? kSkipSubtree : 0;
  if (mode == GIT_FILEMODE_TREE) return is_virtualenv(state.repo, *id) ? kSkipSubtree : 0;
  if (!is_scannable_mode(mode)) return 0;  // links and gitlinks skipped
  // `include` names more files to scan as Python, as `bindscan scan` does.
  if (!config::included(*state.selection, path) && !is_python(state.repo, name, *id)) return 0;
  if (state.files->size() >= state.max_files) {
    state.over_limit = true;
    return -1;
  }
  state.files->push_back(TreeFile{path, oid_hex(*id)});
  return 0;
}

}  // namespace

Result<std::vector<TreeFile>> GitMirror::python_files(std::string_view commit_sha,
                                                     const config::Config& selection) const {
  auto tree = commit_tree(repo_->handle.get(), path_, commit_sha);
  if (!tree) return tree.error();
  std::vector<TreeFile> files;
  WalkState state{repo_->handle.get(), options_.max_files, &selection, &files};
  if (git_tree_walk(tree->get(), GIT_TREEWALK_PRE, collect_python, &state) != 0) {
    if (state.over_limit) {
      return Error{"limit", "commit " + std::string(commit_sha) + " has more than " +
                                std::to_string(options_.max_files) +
                                " Python files, the per-commit limit; nothing was uploaded"};
    }
    return damaged(path_, "cannot walk the tree of commit " + std::string(commit_sha));
  }
  std::sort(files.begin(), files.end(), [](const TreeFile& a, const TreeFile& b) { return a.path < b.path; });
  return files;
}

Result<std::set<std::string>> GitMirror::changed_python_files(std::string_view before,
                                                               std::string_view after) const {
  auto new_tree = commit_tree(repo_->handle.get(), path_, after);
  if (!new_tree) return new_tree.error();
  std::set<std::string> changed;
  if (!is_commit_sha(before) || is_zero_sha(before) || !has_commit(before)) {
    auto files = python_files(after);
    if (!files) return files.error();
    for (auto& f : *files) changed.insert(std::move(f.path));
    return changed;
  }
  auto old_tree = commit_tree(repo_->handle.get(), path_, before);
  if (!old_tree) return old_tree.error();
  git_diff* raw = nullptr;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.flags |= GIT_DIFF_IGNORE_SUBMODULES;
  if (git_diff_tree_to_tree(&raw, repo_->handle.get(), old_tree->get(), new_tree->get(), &options) != 0) {
    return damaged(path_, "cannot diff " + std::string(before) + ".." + std::string(after));
  }
  DiffPtr diff(raw);
  const size_t count = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < count; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->status == GIT_DELTA_DELETED || !is_scannable_mode(delta->new_file.mode)) continue;
    const std::string_view path = delta->new_file.path;
    if (excluded_here_or_above(kDefaultSelection(), path)) continue;
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (is_python(repo_->handle.get(), name, delta->new_file.id)) changed.emplace(path);
  }
  return changed;
}

Result<std::optional<std::string>> GitMirror::root_file(std::string_view commit_sha,
                                                        std::string_view name) const {
  auto tree = commit_tree(repo_->handle.get(), path_, commit_sha);
  if (!tree) return tree.error();
  const git_tree_entry* entry = git_tree_entry_byname(tree->get(), std::string(name).c_str());
  if (entry == nullptr || !is_scannable_mode(static_cast<uint32_t>(git_tree_entry_filemode(entry)))) {
    return std::optional<std::string>();
  }
  auto bytes = read_blob(oid_hex(*git_tree_entry_id(entry)));
  if (!bytes) return bytes.error();
  return std::optional<std::string>(std::move(*bytes));
}

Result<uint64_t> GitMirror::blob_size(std::string_view blob_id) const {
  auto oid = parse_oid(blob_id);
  if (!oid) return Error{"invalid-sha", "'" + std::string(blob_id) + "' is not a blob id"};
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repo_->handle.get()) != 0) return git_failure("cannot open the object database");
  OdbPtr odb(raw);
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&size, &type, odb.get(), &*oid) != 0) {
    return damaged(path_, "cannot read blob " + std::string(blob_id));
  }
  if (type != GIT_OBJECT_BLOB) return Error{"git", std::string(blob_id) + " is not a blob"};
  return static_cast<uint64_t>(size);
}

Result<std::string> GitMirror::read_blob(std::string_view blob_id) const {
  auto oid = parse_oid(blob_id);
  if (!oid) return Error{"invalid-sha", "'" + std::string(blob_id) + "' is not a blob id"};
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo_->handle.get(), &*oid) != 0) {
    return damaged(path_, "cannot read blob " + std::string(blob_id));
  }
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

}  // namespace bindscan::webhook
