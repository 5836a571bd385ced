// Runs the official SARIF validator (@microsoft/sarif-multitool, pinned in
// tests/sarif-validator/package-lock.json) with SARIF and GitHub ingestion
// rules, for any test that produces SARIF:
//
//   EXPECT_THAT(sarif_validation_errors(text), ::testing::IsEmpty());
//
// The validator always exits 0, so this reads its output log and returns
// one line per result of level "error" (rule id, message, where). A missing
// validator is itself an error, telling to run `scripts/dev test`, which
// installs it; the test fails rather than skips. Takes ~1 s per call.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace bindscan::sarif::testing {

inline std::filesystem::path sarif_validator_path() {
  return std::filesystem::path(BINDSCAN_SOURCE_DIR) /
         "tests/sarif-validator/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
}

namespace detail {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The multitool writes messages as a rule's messageStrings[id] with {N} arguments.
inline std::string message_text(const nlohmann::json& run, const nlohmann::json& result) {
  const nlohmann::json& message = result.value("message", nlohmann::json::object());
  if (message.contains("text")) return message["text"].get<std::string>();
  std::string text = message.value("id", "");
  for (const auto& rule : run["tool"]["driver"].value("rules", nlohmann::json::array())) {
    if (rule.value("id", "") != result.value("ruleId", "")) continue;
    const auto strings = rule.value("messageStrings", nlohmann::json::object());
    if (strings.contains(text)) text = strings[text].value("text", text);
  }
  const auto arguments = message.value("arguments", nlohmann::json::array());
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string placeholder = "{" + std::to_string(i) + "}";
    for (std::size_t at; (at = text.find(placeholder)) != std::string::npos;) {
      text.replace(at, placeholder.size(), arguments[i].get<std::string>());
    }
  }
  return text;
}

inline std::vector<std::string> errors_in_log(const nlohmann::json& log) {
  std::vector<std::string> errors;
  for (const auto& run : log.value("runs", nlohmann::json::array())) {
    for (const auto& result : run.value("results", nlohmann::json::array())) {
      if (result.value("level", "warning") != "error") continue;
      std::string where;
      const auto locations = result.value("locations", nlohmann::json::array());
      if (!locations.empty()) {
        const auto region = locations[0]
                                .value("physicalLocation", nlohmann::json::object())
                                .value("region", nlohmann::json::object());
        if (region.contains("startLine")) where = " (line " + region["startLine"].dump() + ")";
      }
      errors.push_back(result.value("ruleId", "?") + ": " + message_text(run, result) + where);
    }
    for (const auto& invocation : run.value("invocations", nlohmann::json::array())) {
      for (const auto& n : invocation.value("toolExecutionNotifications", nlohmann::json::array())) {
        if (n.value("level", "warning") == "error") {
          errors.push_back("validator: " +
                           n.value("message", nlohmann::json::object()).value("text", n.dump()));
        }
      }
    }
  }
  return errors;
}

}  // namespace detail

inline std::vector<std::string> sarif_validation_errors(const std::string& sarif_text) {
  namespace fs = std::filesystem;
  const fs::path validator = sarif_validator_path();
  if (!fs::exists(validator)) {
    return {"SARIF validator not found at " + validator.string() +
            "; run `scripts/dev test` (it runs `npm ci` in tests/sarif-validator)"};
  }
  std::string dir_template = (fs::temp_directory_path() / "bindscan-sarif-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) return {"cannot create a temporary directory"};
  const fs::path dir = dir_template;
  const fs::path input = dir / "input.sarif";
  const fs::path output = dir / "validation.sarif";
  const fs::path console = dir / "console.txt";
  std::ofstream(input, std::ios::binary) << sarif_text;

  const auto quote = [](const fs::path& p) { return "'" + p.string() + "'"; };
  const std::string command = quote(validator) + " validate " + quote(input) + " --rule-kind 'Sarif;Gh' -o " +
                              quote(output) + " --log ForceOverwrite >" + quote(console) + " 2>&1";
  const int status = std::system(command.c_str());

  std::vector<std::string> errors;
  if (!fs::exists(output)) {
    errors.push_back("validator wrote no log (status " + std::to_string(status) +
                     "): " + detail::read_text(console));
  } else {
    try {
      errors = detail::errors_in_log(nlohmann::json::parse(detail::read_text(output)));
    } catch (const nlohmann::json::exception& e) {
      errors.push_back(std::string("validator log unreadable: ") + e.what());
    }
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return errors;
}

}  // namespace bindscan::sarif::testing
