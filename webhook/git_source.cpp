#include "webhook/git_source.h"

#include <git2.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <regex>
#include <system_error>

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

// `*.py`, or a name without an extension whose blob starts "#!...python".
bool is_python(git_repository* repo, std::string_view name, const git_oid& blob_id) {
  if (name.size() > 3 && name.ends_with(".py")) return true;
  if (name.find('.') != std::string_view::npos) return false;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &blob_id) != 0) return false;
  BlobPtr blob(raw);
  const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  std::string_view text(static_cast<const char*>(git_blob_rawcontent(blob.get())), std::min<size_t>(size, 256));
  if (!text.starts_with("#!")) return false;
  return text.substr(0, text.find('\n')).find("python") != std::string_view::npos;
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

}  // namespace

struct GitMirror::Repo {
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
  git_repository* raw = nullptr;
  bool exists = std::filesystem::exists(path, ec);
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
  return GitMirror(path, std::make_unique<Repo>(Repo{RepoPtr(raw)}), options);
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
      Error error = git_failure("fetching " + std::string(fetch_ref) + " from " + url, token);
      if (bad_data) error.message += " (damaged data)";
      if (const std::string said = remote_errors(state.remote_says); !said.empty()) {
        error.message += "; the server said: " + redact(said, token);
      }
      return error;
    }
    return ok_status();
  };

  const std::string ref(fetch_ref);
  if (auto s = fetch_refspec("+" + ref + ":" + ref); !s) {
    if (s.error().code != "git" || ref_tips_readable(repo_->handle.get())) return s;
    // The mirror itself is damaged: start it afresh and fetch once more.
    repo_->handle.reset();
    if (auto d = discard_mirror(path_); !d) return d;
    git_repository* raw = nullptr;
    if (git_repository_init(&raw, path_.c_str(), /*is_bare=*/1) != 0) {
      return git_failure("cannot create mirror " + path_.string());
    }
    repo_->handle.reset(raw);
    if (auto again = fetch_refspec("+" + ref + ":" + ref); !again) return again;
  }
  if (has_commit(commit_sha)) return ok_status();
  // The ref moved on: ask for the commit itself (GitHub serves reachable SHAs).
  const std::string sha(commit_sha);
  (void)fetch_refspec("+" + sha + ":refs/bindscan/commits/" + sha);
  if (has_commit(commit_sha)) return ok_status();
  git_reference* local = nullptr;
  if (git_reference_lookup(&local, repo_->handle.get(), ref.c_str()) != 0) {
    return Error{"git-missing-commit", "commit " + sha + " not found after fetching " + ref +
                                           " from " + url + ": the ref does not exist there "
                                           "(branch deleted or pull request gone?)"};
  }
  git_reference_free(local);
  return Error{"git-missing-commit", "commit " + sha + " not found after fetching " + ref +
                                         " from " + url + "; was it force-pushed away?"};
}

Result<std::string> GitMirror::ref_commit(std::string_view ref) const {
  const std::string name(ref);
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo_->handle.get(), name.c_str()) != 0) {
    return Error{"git", "the mirror has no ref " + name};
  }
  git_object* peeled = nullptr;
  const int rc = git_object_peel(&peeled, raw, GIT_OBJECT_COMMIT);
  git_object_free(raw);
  if (rc != 0) return Error{"git", "ref " + name + " does not point at a commit"};
  std::string sha = oid_hex(*git_object_id(peeled));
  git_object_free(peeled);
  return sha;
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
  std::vector<TreeFile>* files;
  bool over_limit = false;
};

int collect_python(const char* root, const git_tree_entry* entry, void* payload) {
  auto& state = *static_cast<WalkState*>(payload);
  const auto mode = static_cast<uint32_t>(git_tree_entry_filemode(entry));
  if (!is_scannable_mode(mode)) return 0;  // trees are entered; links and gitlinks skipped
  const std::string_view name = git_tree_entry_name(entry);
  const git_oid* id = git_tree_entry_id(entry);
  if (!is_python(state.repo, name, *id)) return 0;
  if (state.files->size() >= state.max_files) {
    state.over_limit = true;
    return -1;
  }
  state.files->push_back(TreeFile{std::string(root) + std::string(name), oid_hex(*id)});
  return 0;
}

}  // namespace

Result<std::vector<TreeFile>> GitMirror::python_files(std::string_view commit_sha) const {
  auto tree = commit_tree(repo_->handle.get(), path_, commit_sha);
  if (!tree) return tree.error();
  std::vector<TreeFile> files;
  WalkState state{repo_->handle.get(), options_.max_files, &files};
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
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (is_python(repo_->handle.get(), name, delta->new_file.id)) changed.emplace(path);
  }
  return changed;
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
