// Runs tests/report-validators/validate.js: each report format checked by its
// consumer's published schema or parser (pinned in that folder's
// package-lock.json), for any test that produces a report:
//
//   ReportCheck check = check_report("gitlab", text);
//   EXPECT_THAT(check.errors, ::testing::IsEmpty());
//
// `parsed` is what the consumer's parser read (validate.js describes it per
// format). Missing validators are an error telling to run `scripts/dev test`,
// which installs them; the test fails rather than skips. ~0.2 s per call.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace bindscan::report::testing {

struct ReportCheck {
  std::vector<std::string> errors;
  nlohmann::json parsed;
};

inline ReportCheck check_report(const std::string& format, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(BINDSCAN_SOURCE_DIR) / "tests/report-validators";
  if (!fs::exists(dir / "node_modules/ajv")) {
    return {
        {"report validators not installed in " + dir.string() + "; run `scripts/dev test` (it runs `npm ci` there)"},
        nullptr};
  }
  std::string temp = (fs::temp_directory_path() / "bindscan-report-XXXXXX").string();
  if (mkdtemp(temp.data()) == nullptr) return {{"cannot create a temporary directory"}, nullptr};
  const fs::path input = fs::path(temp) / ("report." + format);
  const fs::path output = fs::path(temp) / "result.json";
  std::ofstream(input, std::ios::binary) << text;
  const auto quote = [](const fs::path& p) { return "'" + p.string() + "'"; };
  const std::string command =
      "node " + quote(dir / "validate.js") + " " + format + " " + quote(input) + " >" + quote(output) + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(output, std::ios::binary);
  std::ostringstream printed;
  printed << in.rdbuf();
  ReportCheck check;
  try {
    const auto result = nlohmann::json::parse(printed.str());
    for (const auto& error : result.at("errors")) check.errors.push_back(error.get<std::string>());
    check.parsed = result.at("parsed");
  } catch (const nlohmann::json::exception&) {
    check.errors.push_back("validate.js (status " + std::to_string(status) + ") printed: " + printed.str());
  }
  std::error_code ignored;
  fs::remove_all(temp, ignored);
  return check;
}

}  // namespace bindscan::report::testing
