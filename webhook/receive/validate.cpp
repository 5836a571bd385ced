#include "webhook/receive/validate.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bindscan::webhook {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::optional<uint16_t> default_port(std::string_view scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  if (scheme == "git") return 9418;
  return std::nullopt;
}

bool is_known_scheme(std::string_view scheme) { return default_port(scheme).has_value(); }

bool is_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '.'; }) &&
         host.front() != '-' && host.front() != '.';
}

bool is_ipv6_literal(std::string_view host) {
  return !host.empty() && host.find(':') != std::string_view::npos &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                  c == ':' || c == '.';
         });
}

struct Authority {
  std::string host;
  std::optional<uint16_t> port;
};

// "host", "host:port", "[v6]", "[v6]:port". Returns an error message on failure.
Result<Authority> parse_authority(std::string_view text) {
  Authority out;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error{"syntax", "unclosed '[' in host"};
    std::string_view v6 = text.substr(1, close - 1);
    if (!is_ipv6_literal(v6)) return Error{"syntax", "not an IPv6 address in brackets"};
    out.host = lower(v6);
    rest = text.substr(close + 1);
  } else {
    size_t colon = text.find(':');
    std::string_view host = text.substr(0, colon);
    if (!is_hostname(host)) return Error{"syntax", "host must be letters, digits, '-' and '.'"};
    out.host = lower(host);
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
  }
  if (rest.empty()) return out;
  if (rest.front() != ':' || rest.size() == 1) return Error{"syntax", "expected ':PORT' after the host"};
  std::string_view digits = rest.substr(1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    return Error{"syntax", "port must be a number from 1 to 65535"};
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

// Splits "scheme://rest"; the scheme is lower-cased. No "://" gives an empty scheme.
std::pair<std::string, std::string_view> split_scheme(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return {"", text};
  return {lower(text.substr(0, sep)), text.substr(sep + 3)};
}

bool is_safe_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 1024) return false;
  bool chars_ok = std::all_of(path.begin(), path.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/';
  });
  if (!chars_ok) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

Status validate_name(std::string_view what, std::string_view name) {
  if (is_valid_name(name)) return ok_status();
  return Error{"invalid-name", std::string(what) + " name is not 1-100 characters of " +
                                   "[A-Za-z0-9-_.] (or is \".\" or \"..\")"};
}

bool is_commit_sha(std::string_view sha) {
  return sha.size() == 40 && std::all_of(sha.begin(), sha.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_zero_sha(std::string_view sha) {
  return sha.size() == 40 && sha.find_first_not_of('0') == std::string_view::npos;
}

bool is_valid_ref(std::string_view ref) {
  if (ref.size() > 255 || ref.substr(0, 5) != "refs/" || ref.size() == 5) return false;
  if (ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos ||
      ref.find("//") != std::string_view::npos) {
    return false;
  }
  if (ref.back() == '/' || ref.back() == '.') return false;
  for (char c : ref) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' ||
        c == '*' || c == '[' || c == '\\') {
      return false;
    }
  }
  size_t start = 0;
  while (start < ref.size()) {
    size_t end = ref.find('/', start);
    if (end == std::string_view::npos) end = ref.size();
    std::string_view part = ref.substr(start, end - start);
    if (part.empty() || part.front() == '.') return false;
    if (part.size() >= 5 && part.substr(part.size() - 5) == ".lock") return false;
    start = end + 1;
  }
  return true;
}

bool is_safe_id(std::string_view id) {
  return !id.empty() && id.size() <= 100 &&
         std::all_of(id.begin(), id.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

Result<CloneHost> parse_clone_host(std::string_view spec) {
  auto fail = [&](std::string_view why) {
    return Error{"config", "--allow-clone-host \"" + std::string(spec) + "\": " + std::string(why) +
                               " (expected HOST, HOST:PORT or [IPV6]:PORT, optionally with " +
                               "http:// or git://)"};
  };
  auto [scheme, rest] = split_scheme(spec);
  if (scheme.empty()) scheme = "https";
  if (!is_known_scheme(scheme)) return fail("scheme must be https, http or git");
  Result<Authority> authority = parse_authority(rest);
  if (!authority) return fail(authority.error().message);
  return CloneHost{scheme, authority->host, authority->port};
}

std::string to_string(const CloneHost& host) {
  std::string out = host.scheme == "https" ? "" : host.scheme + "://";
  bool v6 = host.host.find(':') != std::string::npos;
  out += v6 ? "[" + host.host + "]" : host.host;
  if (host.port) out += ":" + std::to_string(*host.port);
  return out;
}

Result<CloneUrl> parse_clone_url(std::string_view url) {
  auto fail = [](std::string_view why) {
    return Error{"invalid-clone-url", "clone URL " + std::string(why)};
  };
  auto [scheme, rest] = split_scheme(url);
  if (scheme.empty()) return fail("must be scheme://host/path (scp-like host:path is not accepted)");
  if (scheme == "file") return fail("must not be file://");
  if (!is_known_scheme(scheme)) return fail("scheme must be https, http or git");
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return fail("has no path");
  std::string_view authority_text = rest.substr(0, slash);
  std::string_view path = rest.substr(slash);
  if (authority_text.find('@') != std::string_view::npos) return fail("must not carry user info");
  if (path.find_first_of("?#") != std::string_view::npos) return fail("must not carry a query or fragment");
  Result<Authority> authority = parse_authority(authority_text);
  if (!authority) return fail("has a bad host: " + authority.error().message);
  if (!is_safe_path(path)) return fail("path must be [A-Za-z0-9-_.~/] without \".\" or \"..\" segments");
  return CloneUrl{scheme, authority->host, authority->port, std::string(path)};
}

Status check_clone_url(std::string_view url, std::span<const CloneHost> allowed) {
  Result<CloneUrl> parsed = parse_clone_url(url);
  if (!parsed) return parsed.error();
  std::optional<uint16_t> url_port = parsed->port ? parsed->port : default_port(parsed->scheme);
  for (const CloneHost& entry : allowed) {
    if (entry.scheme != parsed->scheme || entry.host != parsed->host) continue;
    std::optional<uint16_t> entry_port = entry.port ? entry.port : default_port(entry.scheme);
    if (entry_port == url_port) return ok_status();
  }
  std::string shown = to_string(CloneHost{parsed->scheme, parsed->host, parsed->port});
  return Error{"clone-host-not-allowed",
               "clone host " + shown + " is not allowed; add --allow-clone-host " + shown +
                   " to fetch from it"};
}

Status check_clone_url_names(std::string_view url, std::string_view owner, std::string_view repo) {
  Result<CloneUrl> parsed = parse_clone_url(url);
  if (!parsed) return parsed.error();
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string path = lower(parsed->path);
  if (path.ends_with(".git")) path.resize(path.size() - 4);
  const std::string expected = lower("/" + std::string(owner) + "/" + std::string(repo));
  if (path == expected) return ok_status();
  return Error{"clone-url-mismatch",
               "repository.clone_url " + std::string(url) + " does not name repository.full_name " +
                   std::string(owner) + "/" + std::string(repo) +
                   "; its path must be /OWNER/REPO or /OWNER/REPO.git of the full name"};
}

}  // namespace bindscan::webhook
