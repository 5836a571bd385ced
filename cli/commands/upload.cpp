// `bindscan upload`: sends an existing SARIF file to GitHub code scanning,
// like the upload step of other scanners, through the service's client
// (webhook/github/github_client.h: gzip + base64, retries, polling).
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "webhook/github/credentials.h"
#include "webhook/github/github_client.h"
#include "webhook/receive/validate.h"

namespace bindscan::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: bindscan upload --sarif FILE [options]

Uploads a SARIF file to GitHub code scanning for one commit and ref. Inside
GitHub Actions every option but --sarif defaults from the environment; the
workflow needs `permissions: security-events: write`.

options:
  --sarif FILE             the SARIF 2.1.0 file to upload (required)
  --repository OWNER/REPO  default: $GITHUB_REPOSITORY
  --commit SHA             40-hex commit the results belong to; default: $GITHUB_SHA
  --ref REF                refs/heads/B, refs/pull/N/head|merge or refs/tags/T;
                           default: $GITHUB_REF
  --token-file PATH        file holding the token; default: $GITHUB_TOKEN
  --github-api URL         default: $GITHUB_API_URL, else https://api.github.com
                           (Enterprise Server: https://HOST/api/v3)
  --wait                   poll until GitHub has processed the upload; fail
                           when processing fails
  --wait-timeout SECONDS   how long --wait polls, 1 to 3600 (default: 300)

Exit status: 0 uploaded (and, with --wait, processed or still pending when
the wait ran out), 2 anything else, with the reason on stderr.
)";

struct UploadArgs {
  std::string sarif;
  std::string repository;
  std::string commit;
  std::string ref;
  std::string token_file;
  std::string github_api;
  bool wait = false;
  int wait_timeout_seconds = 300;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Parses the flags; nullopt after writing the problem to `err`.
std::optional<UploadArgs> parse(Args args, std::ostream& out, std::ostream& err, bool& help) {
  static constexpr std::string_view kValued[] = {"--sarif",      "--repository", "--commit",
                                                 "--ref",        "--token-file", "--github-api",
                                                 "--wait-timeout"};
  static constexpr std::string_view kAll[] = {"--sarif",      "--repository", "--commit",
                                              "--ref",        "--token-file", "--github-api",
                                              "--wait-timeout", "--wait",     "--help"};
  UploadArgs parsed;
  std::map<std::string_view, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::optional<std::string> value;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      value = std::string(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      out << kUsage;
      help = true;
      return std::nullopt;
    }
    if (flag == "--wait" && !value) {
      parsed.wait = true;
      continue;
    }
    if (std::find(std::begin(kValued), std::end(kValued), flag) == std::end(kValued)) {
      err << "bindscan upload: unknown option '" << flag << "'" << did_you_mean(flag, kAll)
          << "\n(see bindscan upload --help)\n";
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        err << "bindscan upload: " << flag << " needs a value\n";
        return std::nullopt;
      }
      value = std::string(args[++i]);
    }
    values[flag] = *value;
  }
  auto pick = [&](std::string_view flag, const char* variable) {
    auto it = values.find(flag);
    return it != values.end() ? it->second : (variable ? env(variable) : std::string());
  };
  parsed.sarif = pick("--sarif", nullptr);
  parsed.repository = pick("--repository", "GITHUB_REPOSITORY");
  parsed.commit = pick("--commit", "GITHUB_SHA");
  parsed.ref = pick("--ref", "GITHUB_REF");
  parsed.token_file = pick("--token-file", nullptr);
  parsed.github_api = pick("--github-api", "GITHUB_API_URL");
  if (parsed.github_api.empty()) parsed.github_api = "https://api.github.com";
  if (auto it = values.find("--wait-timeout"); it != values.end()) {
    try {
      size_t used = 0;
      parsed.wait_timeout_seconds = std::stoi(it->second, &used);
      if (used != it->second.size() || parsed.wait_timeout_seconds < 1 ||
          parsed.wait_timeout_seconds > 3600) {
        throw std::out_of_range("range");
      }
    } catch (const std::exception&) {
      err << "bindscan upload: --wait-timeout expects whole seconds from 1 to 3600, got '"
          << it->second << "'\n";
      return std::nullopt;
    }
  }
  return parsed;
}

// The first problem with the inputs, or "".
std::string check(const UploadArgs& a) {
  static const std::regex upload_ref("^refs/(heads|pull|tags)/.+$");
  if (a.sarif.empty()) return "--sarif FILE is required";
  const auto slash = a.repository.find('/');
  if (a.repository.empty()) return "no repository: give --repository OWNER/REPO or set GITHUB_REPOSITORY";
  if (slash == std::string::npos || !webhook::is_valid_name(a.repository.substr(0, slash)) ||
      !webhook::is_valid_name(a.repository.substr(slash + 1))) {
    return "repository '" + a.repository + "' is not OWNER/REPO";
  }
  if (a.commit.empty()) return "no commit: give --commit SHA or set GITHUB_SHA";
  if (!webhook::is_commit_sha(a.commit)) return "commit '" + a.commit + "' is not 40 lowercase hex digits";
  if (a.ref.empty()) return "no ref: give --ref REF or set GITHUB_REF";
  if (!std::regex_match(a.ref, upload_ref) || !webhook::is_valid_ref(a.ref)) {
    return "ref '" + a.ref + "' must match ^refs/(heads|pull|tags)/ (e.g. refs/heads/main)";
  }
  return "";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

int run_upload(Args args, std::ostream& out, std::ostream& err) {
  bool help = false;
  auto parsed = parse(args, out, err, help);
  if (!parsed) return help ? kExitClean : kExitError;
  const UploadArgs& a = *parsed;
  if (std::string problem = check(a); !problem.empty()) {
    err << "bindscan upload: " << problem << '\n';
    return kExitError;
  }

  std::ifstream in(a.sarif, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    err << "bindscan upload: cannot read " << a.sarif << '\n';
    return kExitError;
  }
  const auto sarif = nlohmann::json::parse(text.str(), nullptr, false);
  if (!sarif.is_object() || sarif.value("version", "") != "2.1.0" || !sarif.contains("runs")) {
    err << "bindscan upload: " << a.sarif << " is not a SARIF 2.1.0 JSON document\n";
    return kExitError;
  }

  auto credentials = a.token_file.empty() ? webhook::token_credentials_from_env("GITHUB_TOKEN")
                                          : webhook::token_credentials_from_file(a.token_file);
  if (!credentials) {
    err << "bindscan upload: " << credentials.error().message
        << " (give --token-file PATH or set GITHUB_TOKEN)\n";
    return kExitError;
  }

  webhook::ClientOptions options;
  options.api_base = a.github_api;
  options.poll = webhook::PollPolicy{webhook::Millis(1000), 1.5, webhook::Millis(15000),
                                     webhook::Millis(int64_t{a.wait_timeout_seconds} * 1000)};
  auto client = webhook::GitHubClient::create(options);
  if (!client) {
    err << "bindscan upload: " << client.error().message << '\n';
    return kExitError;
  }

  const auto slash = a.repository.find('/');
  const std::string owner = a.repository.substr(0, slash);
  const std::string repo = a.repository.substr(slash + 1);
  const std::string& token = credentials->token;
  auto receipt = client->upload_sarif(
      owner, repo, webhook::SarifUpload{a.commit, a.ref, text.str(), "bindscan", utc_now()}, token);
  if (!receipt) {
    err << "bindscan upload: upload failed: " << receipt.error().message << '\n';
    return kExitError;
  }
  out << "uploaded " << a.sarif << " to " << a.repository << " for " << a.ref << " @ "
      << a.commit << ": sarif id " << receipt->id << '\n';
  if (!a.wait) return kExitClean;

  auto status = client->wait_for_processing(owner, repo, receipt->id, token);
  if (!status) {
    err << "bindscan upload: checking the processing status failed: " << status.error().message << '\n';
    return kExitError;
  }
  if (status->status == "failed") {
    err << "bindscan upload: GitHub could not process sarif " << receipt->id << ":\n";
    for (const auto& e : status->errors) err << "  " << e << '\n';
    return kExitError;
  }
  if (status->status != "complete") {
    err << "bindscan upload: sarif " << receipt->id << " is still " << status->status << " after "
        << a.wait_timeout_seconds << " s; the upload itself was accepted\n";
    return kExitClean;
  }
  out << "processing complete" << (status->analyses_url.empty() ? "" : ": " + status->analyses_url)
      << '\n';
  return kExitClean;
}

}  // namespace bindscan::cli
