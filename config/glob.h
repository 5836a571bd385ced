// Glob patterns for configuration paths, in the spirit of ruff's and
// .gitignore's: matched against a '/'-separated path relative to the
// configuration file's directory.
//   *     any characters except '/'
//   **    any characters including '/' (a whole "**/" segment also matches
//         nothing, so "**/test_*.py" matches "test_a.py")
//   ?     one character except '/'
//   [abc] [a-z] [!abc]  one character from (or not from) the set
// A pattern without '/' matches the file name or any one folder name
// ("docker" matches "docker/run.py" and "svc/docker/run.py"); a pattern
// with '/' is anchored at the configuration's folder. A pattern that matches
// a folder matches everything below it ("docker", "docker/" and "docker/**"
// are the same). glibc's fnmatch has no "**", hence this.
#pragma once

#include <string_view>

namespace bindscan::config {

// Whether `pattern` matches the relative path `path` (no leading "./").
bool glob_matches(std::string_view pattern, std::string_view path);
// The same for a walk that tests each folder before going into it: whether
// `pattern` matches `path` itself, leaving out the folders above it.
bool glob_matches_itself(std::string_view pattern, std::string_view path);

// Whether `pattern` is well formed (no unclosed '['); the message says why not.
bool glob_valid(std::string_view pattern, std::string* why);

}  // namespace bindscan::config
