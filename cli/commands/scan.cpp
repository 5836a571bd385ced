#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <variant>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output_file.h"
#include "cli/walk.h"
#include "config/config.h"
#include "common/python_files.h"
#include "sarif/location.h"
#include "report/report.h"
#include "sarif/baseline.h"
#include "sarif/writer.h"
#include "scanner/scan.h"

namespace bindscan::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage = R"(usage: bindscan scan [options] [PATH...]

Scans Python files (*.py and extension-less files with a python shebang) under
each PATH (default: .) and reports servers bound to all network interfaces.

options:
  --format FORMAT             text (default), sarif, github, gitlab, junit, rdjson,
                              azure or json (`bindscan scan --help-formats`)
  -o, --output FILE           write the report to FILE instead of standard output
  --sarif-output FILE         also write SARIF to FILE, from the same scan
                              (e.g. --format github for annotations plus SARIF)
  --category NAME             SARIF automationDetails.id (default: bindscan/python/)
  --root DIR                  report paths relative to DIR (default: the current directory);
                              files outside it are named by absolute paths
  --exclude GLOB              skip paths or file names matching GLOB (repeatable)
  --config FILE               read settings from FILE instead of the nearest
                              .bindscan.toml or pyproject.toml [tool.bindscan]
  --isolated                  ignore configuration files
  --baseline FILE             compare with a SARIF file of an earlier scan: only
                              findings not in it are reported and counted
  --write-baseline FILE       also write this scan's SARIF to FILE, for --baseline
  -j, --jobs N                parallel workers (default: all cores)
  --max-file-size BYTES       skip larger files with a notification (default: 67108864)
  --show-suppressed           also report findings silenced by comments or allow entries
  --exit-zero                 exit 0 even when there are findings

Missing parent folders of output files are created.
exit status: 0 nothing found, 1 findings, 2 usage or I/O error.
environment: NO_COLOR disables colour; BINDSCAN_NO_PREFILTER=1 parses every file
(for benchmarking the parser); BINDSCAN_STATS=1 prints counts and step times.
)";

struct Config {
  std::vector<std::string> paths;
  const report::Format* format = report::find_format("text");
  std::string output;
  std::string sarif_output;
  std::string category = std::string(sarif::kDefaultCategory);
  std::string root;
  WalkOptions walk;
  unsigned jobs = 0;
  uint64_t max_file_size = files::kDefaultMaxFileBytes;
  bool show_suppressed = false;
  bool exit_zero = false;
  std::string baseline;        // --baseline
  std::string write_baseline;  // --write-baseline
  std::string config_file;  // --config
  bool isolated = false;    // --isolated
};

struct UsageError {
  std::string message;
};

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::variant<Config, UsageError> parse(Args args) {
  static constexpr std::string_view kFlags[] = {
      "--format", "--output",        "--sarif-output",    "--category",  "--root",   "--exclude", "--jobs",
      "--max-file-size", "--show-suppressed", "--exit-zero", "--config", "--isolated", "--baseline", "--write-baseline", "--help"};
  Config config;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("-") || arg == "-") {
      config.paths.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      for (++i; i < args.size(); ++i) config.paths.emplace_back(args[i]);
      break;
    }
    std::string_view flag = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    } else if (arg.size() > 2 && (arg.starts_with("-j") || arg.starts_with("-o"))) {
      // `-j4`, `-oreport.sarif`: a short option with its value attached, as make and cc take them.
      flag = arg.substr(0, 2);
      inline_value = arg.substr(2);
    }
    auto value = [&]() -> std::optional<std::string_view> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    auto needs = [&](std::string_view what) { return UsageError{std::string(flag) + " needs " + std::string(what)}; };
    if (flag == "--show-suppressed") {
      config.show_suppressed = true;
    } else if (flag == "--exit-zero") {
      config.exit_zero = true;
    } else if (flag == "--isolated") {
      config.isolated = true;
    } else if (flag == "--baseline" || flag == "--write-baseline") {
      auto v = value();
      if (!v || v->empty()) return needs("a file name");
      (flag == "--baseline" ? config.baseline : config.write_baseline) = *v;
    } else if (flag == "--config") {
      auto v = value();
      if (!v || v->empty()) return needs("a file name");
      config.config_file = *v;
    } else if (flag == "--format") {
      auto v = value();
      if (!v) return needs("one of " + report::format_names());
      config.format = report::find_format(*v);
      if (config.format == nullptr) {
        std::vector<std::string_view> names;
        for (const report::Format& f : report::all_formats()) names.push_back(f.name);
        return UsageError{"--format must be one of " + report::format_names() + ", not '" + std::string(*v) + "'" +
                          did_you_mean(*v, names)};
      }
    } else if (flag == "--output" || flag == "-o") {
      auto v = value();
      if (!v || v->empty()) return needs("a file name");
      config.output = *v;
    } else if (flag == "--sarif-output") {
      auto v = value();
      if (!v || v->empty()) return needs("a file name");
      config.sarif_output = *v;
    } else if (flag == "--category") {
      auto v = value();
      if (!v || v->empty()) return needs("a name");
      config.category = *v;
    } else if (flag == "--root") {
      auto v = value();
      if (!v || v->empty()) return needs("a directory");
      config.root = *v;
    } else if (flag == "--exclude") {
      auto v = value();
      if (!v || v->empty()) return needs("a glob");
      config.walk.excludes.emplace_back(*v);
    } else if (flag == "--jobs" || flag == "-j") {
      auto v = value();
      auto n = v ? parse_number(*v) : std::nullopt;
      if (!n || *n == 0 || *n > 1024) return needs("a number of workers from 1 to 1024");
      config.jobs = static_cast<unsigned>(*n);
    } else if (flag == "--max-file-size") {
      auto v = value();
      auto n = v ? parse_number(*v) : std::nullopt;
      if (!n || *n == 0) return needs("a size in bytes");
      config.max_file_size = *n;
    } else {
      return UsageError{"unknown option '" + std::string(flag) + "'" + did_you_mean(flag, kFlags)};
    }
  }
  if (config.paths.empty()) config.paths.emplace_back(".");
  if (config.isolated && !config.config_file.empty()) return UsageError{"--config and --isolated exclude each other"};
  if (config.jobs == 0) config.jobs = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

// What became of one file.
struct Outcome {
  std::vector<sarif::LocatedFinding> findings;
  std::optional<sarif::Notification> notification;
  bool failed = false;  // could not be read or analysed: exit status 2
};

// One file to scan and the configuration that governs it.
struct FileToScan {
  std::string path;
  const config::Config* config;
};

// A buffer of this thread's own, for reading files.
std::string& spare_buffer() {
  static thread_local std::string buffer;
  return buffer;
}

// Scans the files as one project (values cross modules): the core reads every
// file (on `jobs` threads), parses what its prefilter passes (and what the
// value flow needs of the rest), and each file's findings are filtered by its
// configuration and located against its bytes.
std::vector<Outcome> scan_all(const std::vector<FileToScan>& files, const Config& config, double walk_ms) {
  std::vector<Outcome> outcomes(files.size());
  ScanOptions options;
  const char* no_prefilter = std::getenv("BINDSCAN_NO_PREFILTER");
  options.prefilter = no_prefilter == nullptr || std::string_view(no_prefilter) != "1";
  options.keep_trees = true;  // the process ends after this scan
  std::vector<std::string> paths(files.size());
  for (size_t i = 0; i < files.size(); ++i) paths[i] = files[i].path;
  // Files are read when the scanner asks (on its threads) and dropped when
  // it releases them: only the files it parses stay in memory.
  std::vector<std::string> sources(files.size());
  enum class Bytes : uint8_t { kUnread, kHeld, kReleased, kUnreadable };
  std::vector<Bytes> bytes(files.size(), Bytes::kUnread);
  auto source_of = [&](size_t i) -> std::optional<std::string_view> {
    if (bytes[i] == Bytes::kUnread || bytes[i] == Bytes::kReleased) {
      const std::string& path = paths[i];
      Outcome& outcome = outcomes[i];
      std::string error;
      // Each thread reads into the buffer of the file it released last (see
      // `release`): no allocation and no fresh pages for most files.
      std::string& buffer = spare_buffer();
      ReadStatus status = read_file(path, config.max_file_size, buffer, error);
      if (status == ReadStatus::kOk) sources[i].swap(buffer);
      switch (status) {
        case ReadStatus::kError:
          outcome.failed = true;
          outcome.notification = sarif::Notification{path, "could not read " + path + ": " + error, Level::kError};
          bytes[i] = Bytes::kUnreadable;
          break;
        case ReadStatus::kTooLarge:
          outcome.notification = sarif::Notification{path,
                                                     "skipped " + path + ": larger than --max-file-size (" +
                                                         std::to_string(config.max_file_size) + " bytes)",
                                                     Level::kWarning};
          bytes[i] = Bytes::kUnreadable;
          break;
        case ReadStatus::kOk:
          bytes[i] = Bytes::kHeld;
          break;
      }
    }
    if (bytes[i] != Bytes::kHeld) return std::nullopt;
    return std::string_view(sources[i]);
  };
  auto release = [&](size_t i) {
    std::string& buffer = spare_buffer();
    if (sources[i].capacity() > buffer.capacity()) buffer.swap(sources[i]);
    std::string().swap(sources[i]);
    bytes[i] = Bytes::kReleased;
  };
  unsigned threads = static_cast<unsigned>(std::min<size_t>(config.jobs, std::max<size_t>(files.size(), 1)));
  ScanStats stats;
  std::vector<ScanResult> results =
      Scanner(all_rules(), options).scan_project(paths, source_of, threads, &stats, release);
  if (const char* show = std::getenv("BINDSCAN_STATS"); show != nullptr && std::string_view(show) == "1")
    std::fprintf(stderr,
                 "bindscan: %zu files, %zu read, %zu passed the prefilter, %zu parsed, "
                 "%zu loaded for values, %zu parsed for callers, %zu bytes parsed; "
                 "walked %.0f ms, read %.0f ms, judged %.0f ms, callers %.0f ms\n",
                 stats.files, stats.read, stats.passed, stats.parsed, stats.loaded, stats.callers, stats.parsed_bytes,
                 walk_ms, stats.read_ms, stats.judge_ms, stats.callers_ms);
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < paths.size(); ++i) index.emplace(paths[i], i);
  auto other_file = [&](const std::string& path) -> std::string_view {
    auto it = index.find(path);
    return it == index.end() ? std::string_view() : std::string_view(sources[it->second]);
  };
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = paths[i];
    ScanResult& result = results[i];
    if (result.timed_out)
      outcomes[i].notification =
          sarif::Notification{path, "parsing " + path + " timed out; it was not scanned", Level::kWarning};
    if (result.error) {
      outcomes[i].failed = true;
      outcomes[i].notification = sarif::Notification{
          path, "analysing " + path + " failed (" + *result.error + "); findings made before that are reported",
          Level::kError};
    }
    if (result.findings.empty()) continue;  // most files: no path arithmetic for them
    const std::string relative = config::relative_path(*files[i].config, path).value_or(path);
    std::erase_if(result.findings, [&](Finding& f) { return !config::apply(*files[i].config, relative, f); });
    if (!result.findings.empty()) outcomes[i].findings = sarif::locate(sources[i], result.findings, other_file);
  }
  return outcomes;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::tm parts{};
  gmtime_r(&now, &parts);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::optional<sarif::VersionControl> actions_provenance() {
  const char* repository = std::getenv("GITHUB_REPOSITORY");
  const char* sha = std::getenv("GITHUB_SHA");
  if (repository == nullptr || sha == nullptr) return std::nullopt;
  const char* server = std::getenv("GITHUB_SERVER_URL");
  const char* ref = std::getenv("GITHUB_REF");
  return sarif::VersionControl{std::string(server ? server : "https://github.com") + "/" + repository, sha,
                               ref ? ref : ""};
}

bool use_color(const Config& config) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return config.output.empty() && (no_color == nullptr || *no_color == '\0') && isatty(STDOUT_FILENO) &&
         !(term != nullptr && std::string_view(term) == "dumb");
}

// The configuration of each PATH: --isolated none, --config FILE that file,
// else the nearest one above the PATH. Files read once. Problems are printed
// and give nullopt: nothing is scanned on a broken configuration.
std::optional<std::vector<std::shared_ptr<const config::Config>>> load_configs(const Config& options,
                                                                                std::ostream& err) {
  std::vector<std::shared_ptr<const config::Config>> out;
  std::map<std::string, std::shared_ptr<const config::Config>> by_file;
  const auto defaults = std::make_shared<const config::Config>(config::default_config());
  bool broken = false;
  for (const std::string& path : options.paths) {
    if (options.isolated) {
      out.push_back(defaults);
      continue;
    }
    config::Parsed parsed =
        options.config_file.empty() ? config::find_config(path) : config::read_config_file(options.config_file);
    for (const config::Problem& problem : parsed.problems) err << "bindscan: " << problem.to_string() << '\n';
    broken |= !parsed.problems.empty();
    if (!parsed.config) {
      out.push_back(defaults);
      continue;
    }
    auto& shared = by_file[parsed.config->file];
    if (!shared) shared = std::make_shared<const config::Config>(std::move(*parsed.config));
    out.push_back(shared);
    if (!options.config_file.empty()) break;  // the same file for every PATH
  }
  while (out.size() < options.paths.size()) out.push_back(out.back());
  if (broken) {
    err << "bindscan scan: the configuration has errors; nothing was scanned\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace

int run_scan(Args args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << kUsage;
    return kExitClean;
  }
  if (!args.empty() && args[0] == "--help-formats") {
    for (const report::Format& f : report::all_formats())
      out << "  " << f.name << std::string(8 - std::min<size_t>(f.name.size(), 7), ' ') << f.summary << '\n';
    return kExitClean;
  }
  auto parsed = parse(args);
  if (auto* usage = std::get_if<UsageError>(&parsed)) {
    err << "bindscan scan: " << usage->message << "\n`bindscan scan --help` lists the options\n";
    return kExitError;
  }
  const Config& config = std::get<Config>(parsed);
  std::string started = utc_now();
  // Opened before scanning, so an unwritable path fails at once.
  std::unique_ptr<OutputFile> output, sarif_output, baseline_output;
  for (auto [path, file] : {std::pair{&config.output, &output}, std::pair{&config.sarif_output, &sarif_output},
                            std::pair{&config.write_baseline, &baseline_output}}) {
    if (path->empty()) continue;
    auto opened = OutputFile::open(*path);
    if (!opened) {
      err << "bindscan scan: " << opened.error().message << '\n';
      return kExitError;
    }
    *file = std::move(*opened);
  }

  auto configs = load_configs(config, err);
  if (!configs) return kExitError;
  std::optional<sarif::Baseline> baseline;
  if (!config.baseline.empty()) {
    std::string text, error;
    if (read_file(config.baseline, 1ull << 30, text, error) != ReadStatus::kOk) {
      err << "bindscan scan: cannot read the baseline " << config.baseline << ": "
          << (error.empty() ? "larger than 1 GiB" : error) << '\n';
      return kExitError;
    }
    auto loaded = sarif::parse_baseline(text, config.baseline);
    if (!loaded) {
      err << "bindscan scan: " << loaded.error().message << '\n';
      return kExitError;
    }
    baseline = std::move(*loaded);
  }
  // One run has one rule table (SARIF rules, levels), so every PATH's
  // configuration must agree on it.
  const std::vector<RuleInfo> rules = config::effective_rules(*configs->front(), all_rules());
  for (const auto& other : *configs) {
    const std::vector<RuleInfo> theirs = config::effective_rules(*other, all_rules());
    const auto same = [](const RuleInfo& a, const RuleInfo& b) {
      return a.id == b.id && a.default_level == b.default_level && a.security_severity == b.security_severity;
    };
    if (!std::ranges::equal(rules, theirs, same)) {
      err << "bindscan scan: " << configs->front()->file << " and " << other->file
          << " select different rules or severities; scan their folders separately\n";
      return kExitError;
    }
  }

  WalkResult walked;
  std::vector<FileToScan> files;
  const auto walk_start = std::chrono::steady_clock::now();
  for (size_t p = 0; p < config.paths.size(); ++p) {
    WalkOptions walk = config.walk;
    walk.config = (*configs)[p].get();
    WalkResult one = find_python_files({config.paths[p]}, walk);
    for (std::string& file : one.files) {
      files.push_back({file, walk.config});
      walked.files.push_back(std::move(file));
    }
    for (std::string& error : one.errors) walked.errors.push_back(std::move(error));
  }
  const double walk_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - walk_start).count();
  std::vector<Outcome> outcomes = scan_all(files, config, walk_ms);

  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  fs::path root = config.root.empty() ? cwd : fs::absolute(config.root, ec).lexically_normal();
  report::Report report;
  sarif::SarifLog& log = report.log;
  log.category = config.category;
  log.include_suppressed = config.show_suppressed;
  log.version_control = actions_provenance();
  log.source_root_uri = sarif::directory_file_uri(root.generic_string());
  log.rules = rules;
  bool failed = !walked.errors.empty();
  for (const std::string& error : walked.errors)
    log.notifications.push_back({"", "could not scan " + error, Level::kError});
  int reported = 0, suppressed = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Outcome& outcome = outcomes[i];
    failed |= outcome.failed;
    if (outcome.notification) {
      outcome.notification->path = sarif::root_relative_path(outcome.notification->path, cwd, root);
      log.notifications.push_back(std::move(*outcome.notification));
    }
    if (outcome.findings.empty()) continue;
    for (const auto& located : outcome.findings) (located.finding.suppression ? suppressed : reported)++;
    // One name per file for every format, so annotations, text and SARIF agree.
    // Related locations in other files are named the same way.
    for (auto& located : outcome.findings)
      for (RelatedLocation& related : located.finding.related)
        if (!related.path.empty()) related.path = sarif::root_relative_path(related.path, cwd, root);
    log.files.push_back({sarif::root_relative_path(walked.files[i], cwd, root), std::move(outcome.findings)});
  }
  log.execution_successful = !failed;
  log.start_time_utc = started;
  log.end_time_utc = utc_now();

  if (baseline_output) {
    // The baseline file is this scan as it is, without a comparison.
    if (Status written = baseline_output->commit(sarif::write_sarif(log)); !written) {
      err << "bindscan scan: " << written.error().message << '\n';
      return kExitError;
    }
  }
  if (baseline) {
    report.baseline = sarif::compare_with_baseline(log, *baseline);
  }
  report.files_scanned = static_cast<int>(walked.files.size());
  report.show_suppressed = config.show_suppressed;
  report.color = use_color(config);
  const std::string bytes = config.format->write(report);
  if (sarif_output) {
    if (Status written = sarif_output->commit(report::find_format("sarif")->write(report)); !written) {
      err << "bindscan scan: " << written.error().message << '\n';
      return kExitError;
    }
  }
  if (output) {
    if (Status written = output->commit(bytes); !written) {
      err << "bindscan scan: " << written.error().message << '\n';
      return kExitError;
    }
  } else if (!(out << bytes).flush()) {
    err << "bindscan scan: writing the report failed\n";
    return kExitError;
  }
  out.flush();
  for (const auto& n : log.notifications) err << "bindscan: " << n.message << '\n';
  if (config.format->name == "text" || !config.output.empty())
    err << "bindscan: " << reported << (reported == 1 ? " finding" : " findings") << " in " << walked.files.size()
        << (walked.files.size() == 1 ? " file" : " files")
        << (suppressed ? " (" + std::to_string(suppressed) + " suppressed)" : std::string())
        << (report.baseline ? "; against the baseline: " + std::to_string(report.baseline->new_findings) + " new, " +
                                  std::to_string(report.baseline->unchanged) + " unchanged, " +
                                  std::to_string(report.baseline->absent) + " absent"
                            : std::string())
        << '\n';
  if (failed) return kExitError;
  // With a baseline only new findings fail the scan.
  const int counted = report.baseline ? report.baseline->new_findings : reported;
  return counted > 0 && !config.exit_zero ? kExitFindings : kExitClean;
}

}  // namespace bindscan::cli
