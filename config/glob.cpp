#include "config/glob.h"

#include <string>

namespace bindscan::config {
namespace {

// Matches the character class starting at pattern[0] == '['; advances `p`
// past it. Returns whether `c` is in it.
bool class_matches(std::string_view pattern, size_t& p, char c) {
  size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool found = false;
  bool first = true;
  for (; i < pattern.size() && (first || pattern[i] != ']'); ++i, first = false) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      found |= pattern[i] <= c && c <= pattern[i + 2];
      i += 2;
    } else {
      found |= pattern[i] == c;
    }
  }
  p = i + 1;  // past ']'
  return found != negate && c != '/';
}

bool match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  while (p < pattern.size()) {
    if (pattern.substr(p).starts_with("**")) {
      // "**/" may match nothing at all, or any number of whole segments.
      std::string_view rest = pattern.substr(p + 2);
      if (rest.starts_with('/')) {
        if (match(rest.substr(1), text.substr(t))) return true;
      }
      for (size_t k = t; k <= text.size(); ++k)
        if (match(rest, text.substr(k))) return true;
      return false;
    }
    if (pattern[p] == '*') {
      std::string_view rest = pattern.substr(p + 1);
      for (size_t k = t; k <= text.size(); ++k) {
        if (match(rest, text.substr(k))) return true;
        if (k < text.size() && text[k] == '/') break;
      }
      return false;
    }
    if (t >= text.size()) return false;
    if (pattern[p] == '?') {
      if (text[t] == '/') return false;
      ++p, ++t;
    } else if (pattern[p] == '[') {
      if (!class_matches(pattern, p, text[t])) return false;
      ++t;
    } else {
      if (pattern[p] != text[t]) return false;
      ++p, ++t;
    }
  }
  return t == text.size();
}

}  // namespace

bool glob_valid(std::string_view pattern, std::string* why) {
  if (pattern.empty()) {
    if (why) *why = "an empty pattern matches nothing";
    return false;
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '[') continue;
    size_t close = pattern.find(']', i + 2);
    if (close == std::string_view::npos) {
      if (why) *why = "'[' at position " + std::to_string(i + 1) + " is never closed";
      return false;
    }
    i = close;
  }
  return true;
}

namespace {

// The pattern as matched: without "./", trailing '/' or "/**", and whether
// it is anchored (holds a '/').
std::string_view normalized(std::string_view pattern, bool& anchored) {
  while (pattern.starts_with("./")) pattern.remove_prefix(2);
  while (pattern.size() > 1 && pattern.ends_with('/')) pattern.remove_suffix(1);
  anchored = pattern.find('/') != std::string_view::npos;
  if (pattern.starts_with('/')) pattern.remove_prefix(1);
  if (pattern.ends_with("/**")) pattern.remove_suffix(3);
  return pattern;
}

// Whether the normalized pattern matches `prefix`, a path or a folder above it.
bool matches_prefix(std::string_view pattern, bool anchored, std::string_view prefix) {
  const size_t slash = prefix.rfind('/');
  return match(pattern, anchored || slash == std::string_view::npos ? prefix : prefix.substr(slash + 1));
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view path) {
  bool anchored = false;
  pattern = normalized(pattern, anchored);
  // The path itself, or any folder above it, may match.
  for (size_t from = 0;;) {
    const size_t end = path.find('/', from);
    if (matches_prefix(pattern, anchored, path.substr(0, end))) return true;
    if (end == std::string_view::npos) return false;
    from = end + 1;
  }
}

bool glob_matches_itself(std::string_view pattern, std::string_view path) {
  // A plain name (the default excludes: "node_modules", ".git") is the path's
  // last part: asked for every entry of a walk, it skips the general matcher.
  if (pattern.find_first_of("*?[/") == std::string_view::npos) {
    const size_t slash = path.rfind('/');
    return pattern == (slash == std::string_view::npos ? path : path.substr(slash + 1));
  }
  bool anchored = false;
  pattern = normalized(pattern, anchored);
  return matches_prefix(pattern, anchored, path);
}

}  // namespace bindscan::config
