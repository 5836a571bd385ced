#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <variant>
#include <cstring>
#include <cerrno>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/walk.h"
#include "sarif/location.h"
#include "sarif/writer.h"
#include "scanner/scan.h"

namespace bindscan::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage = R"(usage: bindscan scan [options] [PATH...]

Scans Python files (*.py and extension-less files with a python shebang) under
each PATH (default: .) and reports servers bound to all network interfaces.

options:
  --format text|sarif|github  output format (default: text)
  -o, --output FILE           write the report to FILE instead of standard output
  --category NAME             SARIF automationDetails.id (default: bindscan/python/)
  --root DIR                  make SARIF paths relative to DIR (default: the current directory)
  --exclude GLOB              skip paths or file names matching GLOB (repeatable)
  -j, --jobs N                parallel workers (default: all cores)
  --max-file-size BYTES       skip larger files with a notification (default: 67108864)
  --show-suppressed           also report findings silenced by comments
  --exit-zero                 exit 0 even when there are findings

exit status: 0 nothing found, 1 findings, 2 usage or I/O error.
environment: NO_COLOR disables colour; BINDSCAN_NO_PREFILTER=1 parses every file
(for benchmarking the parser).
)";

enum class Format { kText, kSarif, kGithub };

struct Config {
  std::vector<std::string> paths;
  Format format = Format::kText;
  std::string output;
  std::string category = std::string(sarif::kDefaultCategory);
  std::string root;
  WalkOptions walk;
  unsigned jobs = 0;
  uint64_t max_file_size = 64ull << 20;
  bool show_suppressed = false;
  bool exit_zero = false;
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
  static constexpr std::string_view kFlags[] = {"--format", "--output", "--category", "--root", "--exclude",
                                                "--jobs", "--max-file-size", "--show-suppressed", "--exit-zero",
                                                "--help"};
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
    } else if (flag == "--format") {
      auto v = value();
      if (!v) return needs("text, sarif or github");
      if (*v == "text") config.format = Format::kText;
      else if (*v == "sarif") config.format = Format::kSarif;
      else if (*v == "github") config.format = Format::kGithub;
      else return UsageError{"--format must be text, sarif or github, not '" + std::string(*v) + "'"};
    } else if (flag == "--output" || flag == "-o") {
      auto v = value();
      if (!v || v->empty()) return needs("a file name");
      config.output = *v;
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
  if (config.jobs == 0) config.jobs = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

// What became of one file.
struct Outcome {
  std::vector<sarif::LocatedFinding> findings;
  std::optional<sarif::Notification> notification;
  bool failed = false;  // could not be read: exit status 2
};

// Scans the files as one project (values cross modules): every file is read
// (on `jobs` threads), the core parses what its prefilter passes plus what
// those files import, and each file's findings are located against its bytes.
std::vector<Outcome> scan_all(const std::vector<std::string>& files, const Config& config) {
  std::vector<Outcome> outcomes(files.size());
  ScanOptions options;
  const char* no_prefilter = std::getenv("BINDSCAN_NO_PREFILTER");
  options.prefilter = no_prefilter == nullptr || std::string_view(no_prefilter) != "1";
  std::vector<std::string> sources(files.size());
  std::vector<bool> readable(files.size(), false);
  std::atomic<size_t> next{0};
  auto reader = [&] {
    std::string error;
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      Outcome& outcome = outcomes[i];
      switch (read_file(files[i], config.max_file_size, sources[i], error)) {
        case ReadStatus::kError:
          outcome.failed = true;
          outcome.notification =
              sarif::Notification{files[i], "could not read " + files[i] + ": " + error, Level::kError};
          break;
        case ReadStatus::kTooLarge:
          outcome.notification = sarif::Notification{files[i],
                                                     "skipped " + files[i] + ": larger than --max-file-size (" +
                                                         std::to_string(config.max_file_size) + " bytes)",
                                                     Level::kWarning};
          break;
        case ReadStatus::kOk:
          readable[i] = true;
          break;
      }
    }
  };
  unsigned threads = static_cast<unsigned>(std::min<size_t>(config.jobs, std::max<size_t>(files.size(), 1)));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(reader);
    reader();
  }
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < files.size(); ++i) index.emplace(files[i], i);
  auto source_of = [&](size_t i) -> std::optional<std::string_view> {
    if (!readable[i]) return std::nullopt;
    return std::string_view(sources[i]);
  };
  std::vector<ScanResult> results = Scanner(all_rules(), options).scan_project(files, source_of, threads);
  auto other_file = [&](const std::string& path) -> std::string_view {
    auto it = index.find(path);
    return it == index.end() ? std::string_view() : std::string_view(sources[it->second]);
  };
  for (size_t i = 0; i < files.size(); ++i) {
    if (results[i].timed_out)
      outcomes[i].notification = sarif::Notification{
          files[i], "parsing " + files[i] + " timed out; it was not scanned", Level::kWarning};
    if (!results[i].findings.empty()) outcomes[i].findings = sarif::locate(sources[i], results[i].findings, other_file);
  }
  return outcomes;
}

// A path as SARIF wants it: relative to the root, with '/' separators.
std::string relative_to(const fs::path& path, const fs::path& cwd, const fs::path& root) {
  fs::path absolute = (path.is_absolute() ? path : cwd / path).lexically_normal();
  fs::path relative = absolute.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return absolute.generic_string();
  return relative.generic_string();
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

}  // namespace

int run_scan(Args args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << kUsage;
    return kExitClean;
  }
  auto parsed = parse(args);
  if (auto* usage = std::get_if<UsageError>(&parsed)) {
    err << "bindscan scan: " << usage->message << "\n`bindscan scan --help` lists the options\n";
    return kExitError;
  }
  const Config& config = std::get<Config>(parsed);
  std::string started = utc_now();

  WalkResult walked = find_python_files(config.paths, config.walk);
  std::vector<Outcome> outcomes = scan_all(walked.files, config);

  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  fs::path root = config.root.empty() ? cwd : fs::absolute(config.root, ec).lexically_normal();
  sarif::SarifLog log;
  log.category = config.category;
  log.include_suppressed = config.show_suppressed;
  log.version_control = actions_provenance();
  log.source_root_uri = sarif::directory_file_uri(root.generic_string());
  for (const Rule& rule : all_rules()) log.rules.push_back(rule.info);
  bool failed = !walked.errors.empty();
  for (const std::string& error : walked.errors)
    log.notifications.push_back({"", "could not scan " + error, Level::kError});
  std::vector<sarif::FileResults> text_files;
  int reported = 0, suppressed = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Outcome& outcome = outcomes[i];
    failed |= outcome.failed;
    if (outcome.notification) {
      outcome.notification->path = relative_to(outcome.notification->path, cwd, root);
      log.notifications.push_back(std::move(*outcome.notification));
    }
    if (outcome.findings.empty()) continue;
    for (const auto& located : outcome.findings) (located.finding.suppression ? suppressed : reported)++;
    text_files.push_back({walked.files[i], outcome.findings});
    for (auto& located : outcome.findings)
      for (RelatedLocation& related : located.finding.related)
        if (!related.path.empty()) related.path = relative_to(related.path, cwd, root);
    log.files.push_back({relative_to(walked.files[i], cwd, root), std::move(outcome.findings)});
  }
  log.execution_successful = !failed;
  log.start_time_utc = started;
  log.end_time_utc = utc_now();

  std::ofstream file;
  if (!config.output.empty()) {
    file.open(config.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "bindscan scan: cannot write " << config.output << ": " << std::strerror(errno) << '\n';
      return kExitError;
    }
  }
  std::ostream& sink = config.output.empty() ? out : file;
  switch (config.format) {
    case Format::kSarif: sink << sarif::write_sarif(log); break;
    case Format::kGithub: write_github(sink, text_files, config.show_suppressed); break;
    case Format::kText: write_text(sink, text_files, config.show_suppressed, use_color(config)); break;
  }
  sink.flush();
  if (!sink) {
    err << "bindscan scan: writing the report failed\n";
    return kExitError;
  }
  out.flush();
  for (const auto& n : log.notifications) err << "bindscan: " << n.message << '\n';
  if (config.format == Format::kText || !config.output.empty())
    err << "bindscan: " << reported << (reported == 1 ? " finding" : " findings") << " in " << walked.files.size()
        << (walked.files.size() == 1 ? " file" : " files")
        << (suppressed ? " (" + std::to_string(suppressed) + " suppressed)" : std::string()) << '\n';
  if (failed) return kExitError;
  return reported > 0 && !config.exit_zero ? kExitFindings : kExitClean;
}

}  // namespace bindscan::cli
