// Per-repository configuration: `[tool.bindscan]` in pyproject.toml, or the
// same keys at the top level of .bindscan.toml (which wins when a folder has
// both). README "Configuration" documents every key with an example.
//
// Parsing is pure (text in, Config or errors out), so the CLI and the
// service read files the same way: the CLI from disk (find_config), the
// service from a commit's tree. A broken file is never half-applied: any
// error means no Config, and callers stop (exit 2 for the CLI).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/finding.h"
#include "scanner/rule.h"

namespace bindscan::config {

inline constexpr std::string_view kPyproject = "pyproject.toml";
inline constexpr std::string_view kDotFile = ".bindscan.toml";

// Where a value was set: "FILE:LINE", or "default" / "--exclude" and the like.
struct Origin {
  std::string file;  // empty: a default or a command-line flag (see `what`)
  int line = 0;
  std::string what;  // "default", "--exclude"
  std::string to_string() const;
};

// An all-interfaces bind accepted as intended.
struct AllowEntry {
  std::string path;    // glob (glob.h), relative to the configuration's folder
  std::string reason;  // required, non-empty: written as the SARIF justification
  std::string rule;    // empty: every rule
  std::string sink;    // empty: every sink; else as the finding names it, e.g.
                       // "http.server.HTTPServer"
  // How `bindscan serve` dismisses the finding's code-scanning alert (GitHub's
  // dismissed_reason): "won't fix" or "used in tests"; empty: "won't fix".
  std::string dismiss_reason;
  Origin origin;
};

struct Config {
  std::string file;       // the file read; empty: no file (defaults)
  std::string directory;  // globs are relative to this folder (absolute, or ""
                          // for a commit's root)
  // Folder and file globs never walked. Default: version-control folders,
  // caches, node_modules and virtualenv folders (kDefaultExcludes); `exclude`
  // replaces that list, `extend-exclude` adds to it.
  std::vector<std::string> exclude;
  std::vector<std::string> extend_exclude;
  std::vector<std::string> include;  // extra globs of files to scan as Python
  std::vector<std::string> select;   // rule ids run; default every rule
  std::vector<std::string> ignore;   // rule ids not run
  std::vector<std::pair<std::string, std::vector<std::string>>> per_file_ignores;  // glob -> rule ids
  std::vector<AllowEntry> allow;
  std::map<std::string, Level> severity;  // rule id -> level
  // Where each key's value came from, by key as spelt in the file.
  std::map<std::string, Origin> origins;
};

// The configuration without a file: default excludes, every rule, globs
// relative to `directory` ("" for paths as given).
Config default_config(std::string directory = "");

// The folders skipped unless `exclude` says otherwise. (A folder with a
// pyvenv.cfg, a virtualenv, is always skipped.)
const std::vector<std::string>& default_excludes();

// One problem in a configuration file, printed as
// "FILE:LINE:COLUMN: key 'exlude': unknown key, did you mean 'exclude'?".
struct Problem {
  std::string file;
  int line = 0;    // 1-based; 0: unknown
  int column = 0;  // 1-based; 0: unknown
  std::string key;
  std::string message;
  std::string to_string() const;
};

struct Parsed {
  std::optional<Config> config;  // set when `problems` is empty and the file has bindscan settings
  std::vector<Problem> problems;
};

// Reads `text` as the file `file_name` (whose base name decides the kind:
// pyproject.toml reads [tool.bindscan], any other name the top level).
// `directory` is stored in the Config. A pyproject.toml without
// [tool.bindscan] gives neither config nor problems.
Parsed parse(std::string_view text, const std::string& file_name, const std::string& directory);

// The nearest configuration for `path` on disk: .bindscan.toml or a
// pyproject.toml with [tool.bindscan] in the path's folder (the path itself
// when it is a folder) or the closest folder above it. Absent: no config and
// no problems. A file that cannot be read is a problem.
Parsed find_config(const std::string& path);

// Reads one named file (--config FILE), whatever its name; its folder is the
// base of globs.
Parsed read_config_file(const std::string& file);

// ---- Applying a configuration ----

// `path` relative to config.directory with '/' separators, or nullopt when
// the path is not below it. `path` may be relative to the working directory.
std::optional<std::string> relative_path(const Config& config, const std::string& path);

// Whether the file or folder at `relative` (relative_path) is excluded.
bool excluded(const Config& config, std::string_view relative);
// The same for a walk that tested the folders above `relative` already.
bool excluded_itself(const Config& config, std::string_view relative);

// Whether `relative` matches `include`.
bool included(const Config& config, std::string_view relative);

// Whether findings of `rule_id` are reported for the file at `relative`
// (select, ignore and per-file-ignores).
bool rule_enabled(const Config& config, std::string_view rule_id, std::string_view relative);

// The allow entry that accepts `finding` in the file at `relative`, if any.
const AllowEntry* allowed_by(const Config& config, const Finding& finding, std::string_view relative);

// Applies rule selection and allow entries to one finding of the file at
// `relative`: false when its rule is not enabled there (drop it); an allowed
// finding gets a kConfig suppression with the reason (an in-source
// suppression stays as it is).
bool apply(const Config& config, std::string_view relative, Finding& finding);

// `rules` with the configuration's severity overrides: level, and a
// security-severity of the new level's band (note 3.0 low, warning 5.0
// medium, error 8.0 high) unless the level is the rule's default.
std::vector<RuleInfo> effective_rules(const Config& config, std::span<const Rule> rules);

// `bindscan config`: every key with its effective value and where it came from.
std::string describe(const Config& config);

}  // namespace bindscan::config
