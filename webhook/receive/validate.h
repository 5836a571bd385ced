// Checks on names and URLs that come from webhook payloads, before they reach
// a path on disk, a git fetch or a GitHub API URL. Pure functions. The
// receiver applies them to every job it accepts; the job side may apply them
// again before using a value (defence in depth).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bindscan::webhook {

// A GitHub owner or repository name safe to use as one path component:
// 1-100 characters of [A-Za-z0-9-_.], and not "." or "..". Error code
// "invalid-name"; `what` ("owner", "repository") names the field in the message.
Status validate_name(std::string_view what, std::string_view name);
bool is_valid_name(std::string_view name);

// 40 lowercase hex digits.
bool is_commit_sha(std::string_view sha);
// The all-zero SHA GitHub sends for a created (before) or deleted (after) ref.
bool is_zero_sha(std::string_view sha);

// A full ref GitHub can be asked about and git can fetch: starts with
// "refs/", follows git's check-ref-format rules (no "..", "@{", "//", control
// characters, space, ~^:?*[\, no component starting with "." or ending in
// ".lock", no trailing "/" or "."), at most 255 bytes.
bool is_valid_ref(std::string_view ref);

// An id usable as a file name: 1-100 characters of [A-Za-z0-9-]. GitHub's
// delivery GUIDs pass; the job store names files by it.
bool is_safe_id(std::string_view id);

// One --allow-clone-host entry: "HOST", "HOST:PORT", "[IPV6]:PORT", with an
// optional "https://", "http://" or "git://" prefix. Without a prefix only
// https is allowed; plain http and git:// must be allowed per host, on
// purpose (test servers, internal mirrors), since they send no TLS.
// Without a port, only the scheme's default port (or none) is allowed.
struct CloneHost {
  std::string scheme;            // "https", "http" or "git"
  std::string host;              // lower case; IPv6 without brackets
  std::optional<uint16_t> port;  // empty: the scheme's default

  friend bool operator==(const CloneHost&, const CloneHost&) = default;
};
// Error code "config".
Result<CloneHost> parse_clone_host(std::string_view spec);
// The spelling parse_clone_host reads back, e.g. "github.com", "http://[::1]:8080".
std::string to_string(const CloneHost& host);

// A clone URL taken apart. Only scheme://host[:port]/path is accepted: no
// user info, query or fragment, no "file://", no scp-like "host:path".
struct CloneUrl {
  std::string scheme;  // lower case
  std::string host;    // lower case; IPv6 without brackets
  std::optional<uint16_t> port;
  std::string path;    // starts with "/", only [A-Za-z0-9-_.~/], no "." or ".." segment
};
// Error code "invalid-clone-url".
Result<CloneUrl> parse_clone_url(std::string_view url);

// Parses `url` and checks its scheme, host and port against the allow list.
// Error code "invalid-clone-url" or "clone-host-not-allowed", with a message
// naming the host and the flag to change.
Status check_clone_url(std::string_view url, std::span<const CloneHost> allowed);

// The clone URL names the repository `owner`/`repo`: its path is
// "/OWNER/REPO" or "/OWNER/REPO.git", compared as GitHub compares names, case
// insensitively. A delivery whose clone URL names another repository than its
// full_name would fetch one repository and upload into another's code
// scanning. Error code "clone-url-mismatch" (also "invalid-clone-url").
Status check_clone_url_names(std::string_view url, std::string_view owner, std::string_view repo);

}  // namespace bindscan::webhook
