#include "config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/spelling.h"
#include "config/glob.h"

namespace bindscan::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeys[] = {"allow",   "exclude",          "extend-exclude", "ignore",
                                      "include", "per-file-ignores", "select",         "severity"};
constexpr std::string_view kAllowKeys[] = {"dismiss-reason", "path", "reason", "rule", "sink"};
// GitHub's dismissed_reason values that fit an intended bind ("false positive" does not).
constexpr std::string_view kDismissReasons[] = {"won't fix", "used in tests"};
constexpr std::string_view kLevels[] = {"note", "warning", "error"};

std::vector<std::string_view> rule_ids() {
  std::vector<std::string_view> ids;
  for (const Rule& rule : all_rules()) ids.push_back(rule.info.id);
  return ids;
}

class Reader {
 public:
  Reader(std::string file, std::string directory) : file_(std::move(file)) {
    config_.file = file_;
    config_.directory = std::move(directory);
  }

  void problem(const toml::node* node, std::string key, std::string message) {
    Problem p{file_, 0, 0, std::move(key), std::move(message)};
    if (node != nullptr) {
      p.line = static_cast<int>(node->source().begin.line);
      p.column = static_cast<int>(node->source().begin.column);
    }
    problems_.push_back(std::move(p));
  }

  // Points at the key itself, which toml++ records too.
  void unknown_key(const toml::key& name, std::string key, std::string message) {
    problems_.push_back(Problem{file_, static_cast<int>(name.source().begin.line),
                                static_cast<int>(name.source().begin.column), std::move(key), std::move(message)});
  }

  Origin origin(const toml::node& node) const { return Origin{file_, static_cast<int>(node.source().begin.line), ""}; }

  // A list of strings; each checked by `check` (returns "" or why not).
  template <typename Check>
  std::vector<std::string> strings(const toml::node& node, const std::string& key, Check check) {
    std::vector<std::string> out;
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      problem(&node, key, "must be a list of strings, like [\"a\", \"b\"]");
      return out;
    }
    for (const toml::node& item : *array) {
      const auto* text = item.as_string();
      if (text == nullptr) {
        problem(&item, key, "must be a list of strings; this item is not a string");
        continue;
      }
      if (std::string why = check(text->get()); !why.empty()) {
        problem(&item, key, why);
        continue;
      }
      out.push_back(text->get());
    }
    return out;
  }

  static std::string check_glob(const std::string& pattern) {
    std::string why;
    return glob_valid(pattern, &why) ? std::string() : "bad pattern '" + pattern + "': " + why;
  }

  static std::string check_rule(const std::string& id) {
    if (find_rule(id) != nullptr) return "";
    const auto ids = rule_ids();
    return "unknown rule '" + id + "'" + did_you_mean(id, ids) + " (`bindscan rules` lists them)";
  }

  void read_allow(const toml::node& node) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      problem(&node, "allow",
              "must be a list of tables, like [{ path = \"docker/**\", reason "
              "= \"...\" }]");
      return;
    }
    for (const toml::node& item : *array) {
      const toml::table* table = item.as_table();
      if (table == nullptr) {
        problem(&item, "allow", "each entry must be a table: { path = \"...\", reason = \"...\" }");
        continue;
      }
      AllowEntry entry;
      entry.origin = origin(item);
      bool ok = true;
      for (const auto& [name, value] : *table) {
        const std::string key = "allow." + std::string(name.str());
        const auto* text = value.as_string();
        if (std::ranges::find(kAllowKeys, name.str()) == std::end(kAllowKeys)) {
          unknown_key(name, key,
                      "unknown key in an allow entry" + did_you_mean(name.str(), kAllowKeys) +
                          " (allowed: path, reason, rule, sink, dismiss-reason)");
          ok = false;
        } else if (text == nullptr) {
          problem(&value, key, "must be a string");
          ok = false;
        } else if (name.str() == "path") {
          if (std::string why = check_glob(text->get()); !why.empty()) problem(&value, key, why), ok = false;
          entry.path = text->get();
        } else if (name.str() == "reason") {
          entry.reason = text->get();
        } else if (name.str() == "dismiss-reason") {
          if (std::ranges::find(kDismissReasons, text->get()) == std::end(kDismissReasons)) {
            problem(&value, key,
                    "must be \"won't fix\" or \"used in tests\" (GitHub's reason for the dismissed alert), not '" +
                        text->get() + "'" + did_you_mean(text->get(), kDismissReasons));
            ok = false;
          }
          entry.dismiss_reason = text->get();
        } else if (name.str() == "rule") {
          if (std::string why = check_rule(text->get()); !why.empty()) problem(&value, key, why), ok = false;
          entry.rule = text->get();
        } else {
          entry.sink = text->get();
        }
      }
      if (!table->contains("path")) problem(&item, "allow.path", "an allow entry needs a path"), ok = false;
      if (entry.reason.find_first_not_of(" \t") == std::string::npos) {
        problem(&item, "allow.reason",
                "an allow entry needs a reason, written into reports as the "
                "justification");
        ok = false;
      }
      if (ok) config_.allow.push_back(std::move(entry));
    }
  }

  void read_severity(const toml::node& node) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      problem(&node, "severity",
              "must be a table of rule = level, like { bind-all-interfaces = "
              "\"error\" }");
      return;
    }
    for (const auto& [name, value] : *table) {
      const std::string key = "severity." + std::string(name.str());
      if (std::string why = check_rule(std::string(name.str())); !why.empty()) {
        problem(&value, key, why);
        continue;
      }
      const auto* text = value.as_string();
      const auto level = text ? std::ranges::find(kLevels, std::string_view(text->get())) : std::end(kLevels);
      if (level == std::end(kLevels)) {
        problem(&value, key,
                "must be \"note\", \"warning\" or \"error\"" +
                    (text ? ", not '" + text->get() + "'" + did_you_mean(text->get(), kLevels) : std::string()));
        continue;
      }
      config_.severity[std::string(name.str())] = static_cast<Level>(level - std::begin(kLevels));
    }
  }

  void read_per_file_ignores(const toml::node& node) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      problem(&node, "per-file-ignores",
              "must be a table of glob = [rule ids], like { \"tests/**\" = "
              "[\"bind-all-interfaces\"] }");
      return;
    }
    for (const auto& [name, value] : *table) {
      const std::string key = "per-file-ignores.\"" + std::string(name.str()) + "\"";
      if (std::string why = check_glob(std::string(name.str())); !why.empty()) problem(&value, key, why);
      config_.per_file_ignores.emplace_back(std::string(name.str()), strings(value, key, check_rule));
    }
  }

  void read(const toml::table& settings) {
    for (const auto& [name, value] : settings) {
      const std::string key(name.str());
      config_.origins[key] = origin(value);
      if (key == "exclude")
        config_.exclude = strings(value, key, check_glob);
      else if (key == "extend-exclude")
        config_.extend_exclude = strings(value, key, check_glob);
      else if (key == "include")
        config_.include = strings(value, key, check_glob);
      else if (key == "select")
        config_.select = strings(value, key, check_rule);
      else if (key == "ignore")
        config_.ignore = strings(value, key, check_rule);
      else if (key == "per-file-ignores")
        read_per_file_ignores(value);
      else if (key == "allow")
        read_allow(value);
      else if (key == "severity")
        read_severity(value);
      else
        unknown_key(name, key, "unknown key" + did_you_mean(key, kKeys) + " (`bindscan config --help` lists the keys)");
    }
    if (!settings.contains("exclude")) config_.exclude = default_excludes();
  }

  Parsed finish(bool found) {
    Parsed out;
    out.problems = std::move(problems_);
    // toml++ visits keys in sorted order; report in file order.
    std::ranges::stable_sort(out.problems, {}, [](const Problem& p) { return std::pair(p.line, p.column); });
    if (out.problems.empty() && found) out.config = std::move(config_);
    return out;
  }

 private:
  std::string file_;
  Config config_;
  std::vector<Problem> problems_;
};

bool is_pyproject(const std::string& file_name) { return fs::path(file_name).filename() == kPyproject; }

Parsed read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return Parsed{std::nullopt, {Problem{file.string(), 0, 0, "", "cannot read the file"}}};
  return parse(text.str(), file.string(), fs::absolute(file).parent_path().lexically_normal().string());
}

// A TOML basic string.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string Origin::to_string() const {
  if (file.empty()) return what.empty() ? "default" : what;
  return file + ":" + std::to_string(line);
}

std::string Problem::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += "key '" + key + "': ";
  return out + message;
}

Config default_config(std::string directory) {
  Config config;
  config.directory = std::move(directory);
  config.exclude = default_excludes();
  return config;
}

const std::vector<std::string>& default_excludes() {
  static const std::vector<std::string> excludes = {".git",          ".hg",         ".svn",  "node_modules",
                                                    "__pycache__",   ".tox",        ".nox",  ".mypy_cache",
                                                    ".pytest_cache", ".ruff_cache", ".venv", ".eggs"};
  return excludes;
}

Parsed parse(std::string_view text, const std::string& file_name, const std::string& directory) {
  Reader reader(file_name, directory);
  toml::table document;
  try {
    document = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    Problem p{file_name, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column), "",
              "not valid TOML: " + std::string(e.description())};
    return Parsed{std::nullopt, {std::move(p)}};
  }
  if (is_pyproject(file_name)) {
    const toml::node* settings = document.at_path("tool.bindscan").node();
    if (settings == nullptr) return Parsed{};
    if (!settings->is_table()) {
      reader.problem(settings, "tool.bindscan", "must be a table ([tool.bindscan])");
      return reader.finish(true);
    }
    reader.read(*settings->as_table());
  } else {
    reader.read(document);
  }
  return reader.finish(true);
}

Parsed read_config_file(const std::string& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return Parsed{std::nullopt, {Problem{file, 0, 0, "", "no such file"}}};
  Parsed parsed = read_file(file);
  if (!parsed.config && parsed.problems.empty())
    parsed.problems.push_back({file, 0, 0, "", "has no [tool.bindscan] table"});
  return parsed;
}

Parsed find_config(const std::string& path) {
  std::error_code ec;
  fs::path folder = fs::absolute(path, ec).lexically_normal();
  if (!fs::is_directory(folder, ec)) folder = folder.parent_path();
  for (;;) {
    for (std::string_view name : {kDotFile, kPyproject}) {
      const fs::path candidate = folder / name;
      if (!fs::exists(candidate, ec)) continue;
      Parsed parsed = read_file(candidate);
      if (parsed.config || !parsed.problems.empty()) return parsed;
    }
    if (!folder.has_relative_path()) return Parsed{};
    folder = folder.parent_path();
  }
}

std::optional<std::string> relative_path(const Config& config, const std::string& path) {
  if (config.directory.empty()) {
    std::string out = fs::path(path).lexically_normal().generic_string();
    while (out.starts_with("./")) out.erase(0, 2);
    return out;
  }
  std::error_code ec;
  const fs::path relative = fs::absolute(path, ec).lexically_normal().lexically_relative(config.directory);
  if (relative.empty() || *relative.begin() == "..") return std::nullopt;
  return relative.generic_string();
}

bool excluded(const Config& config, std::string_view relative) {
  const auto matches = [&](const std::string& glob) { return glob_matches(glob, relative); };
  return std::ranges::any_of(config.exclude, matches) || std::ranges::any_of(config.extend_exclude, matches);
}

bool excluded_itself(const Config& config, std::string_view relative) {
  const auto matches = [&](const std::string& glob) { return glob_matches_itself(glob, relative); };
  return std::ranges::any_of(config.exclude, matches) || std::ranges::any_of(config.extend_exclude, matches);
}

bool included(const Config& config, std::string_view relative) {
  return std::ranges::any_of(config.include, [&](const std::string& glob) { return glob_matches(glob, relative); });
}

bool rule_enabled(const Config& config, std::string_view rule_id, std::string_view relative) {
  if (!config.select.empty() && std::ranges::find(config.select, rule_id) == config.select.end()) return false;
  if (std::ranges::find(config.ignore, rule_id) != config.ignore.end()) return false;
  for (const auto& [glob, rules] : config.per_file_ignores)
    if (glob_matches(glob, relative) && std::ranges::find(rules, rule_id) != rules.end()) return false;
  return true;
}

const AllowEntry* allowed_by(const Config& config, const Finding& finding, std::string_view relative) {
  for (const AllowEntry& entry : config.allow) {
    if (!entry.rule.empty() && entry.rule != finding.rule_id) continue;
    if (!entry.sink.empty() && entry.sink != finding.sink) continue;
    if (glob_matches(entry.path, relative)) return &entry;
  }
  return nullptr;
}

bool apply(const Config& config, std::string_view relative, Finding& finding) {
  if (!rule_enabled(config, finding.rule_id, relative)) return false;
  if (!finding.suppression)
    if (const AllowEntry* entry = allowed_by(config, finding, relative))
      finding.suppression = Suppression{SuppressionKind::kConfig, entry->reason};
  return true;
}

std::vector<RuleInfo> effective_rules(const Config& config, std::span<const Rule> rules) {
  std::vector<RuleInfo> out;
  for (const Rule& rule : rules) {
    if (!config.select.empty() && std::ranges::find(config.select, rule.info.id) == config.select.end()) continue;
    if (std::ranges::find(config.ignore, rule.info.id) != config.ignore.end()) continue;
    RuleInfo info = rule.info;
    if (auto it = config.severity.find(std::string(rule.info.id));
        it != config.severity.end() && it->second != rule.info.default_level) {
      info.default_level = it->second;
      info.security_severity = it->second == Level::kError ? "8.0" : it->second == Level::kWarning ? "5.0" : "3.0";
    }
    out.push_back(info);
  }
  return out;
}

std::string describe(const Config& config) {
  std::ostringstream out;
  out << "# configuration: " << (config.file.empty() ? "none (defaults)" : config.file) << '\n';
  if (!config.directory.empty()) out << "# globs are relative to " << config.directory << '\n';
  const auto origin = [&](const std::string& key) {
    auto it = config.origins.find(key);
    return it == config.origins.end() ? std::string("default") : it->second.to_string();
  };
  const auto list = [](const std::vector<std::string>& items) {
    std::string text = "[";
    for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + toml_string(items[i]);
    return text + "]";
  };
  const auto line = [&](const std::string& key, const std::string& value) {
    out << key << " = " << value << "  # " << origin(key) << '\n';
  };
  line("exclude", list(config.exclude));
  line("extend-exclude", list(config.extend_exclude));
  line("include", list(config.include));
  std::vector<std::string> selected;
  for (std::string_view id : rule_ids())
    if (config.select.empty() || std::ranges::find(config.select, id) != config.select.end()) selected.emplace_back(id);
  line("select", list(selected));
  line("ignore", list(config.ignore));
  std::string pfi = "{";
  for (size_t i = 0; i < config.per_file_ignores.size(); ++i)
    pfi += std::string(i ? ", " : " ") + toml_string(config.per_file_ignores[i].first) + " = " +
           list(config.per_file_ignores[i].second);
  line("per-file-ignores", pfi + (config.per_file_ignores.empty() ? "}" : " }"));
  std::string severity = "{";
  for (const Rule& rule : all_rules()) {
    auto it = config.severity.find(std::string(rule.info.id));
    const Level level = it == config.severity.end() ? rule.info.default_level : it->second;
    severity += " " + std::string(rule.info.id) + " = \"" + std::string(to_string(level)) + "\"";
  }
  line("severity", severity + " }");
  out << "allow = [" << (config.allow.empty() ? "]  # " + origin("allow") + "\n" : "\n");
  for (const AllowEntry& entry : config.allow) {
    out << "  { path = " << toml_string(entry.path) << ", reason = " << toml_string(entry.reason);
    if (!entry.rule.empty()) out << ", rule = " << toml_string(entry.rule);
    if (!entry.sink.empty()) out << ", sink = " << toml_string(entry.sink);
    if (!entry.dismiss_reason.empty()) out << ", dismiss-reason = " << toml_string(entry.dismiss_reason);
    out << " },  # " << entry.origin.to_string() << '\n';
  }
  if (!config.allow.empty()) out << "]\n";
  return out.str();
}

}  // namespace bindscan::config
