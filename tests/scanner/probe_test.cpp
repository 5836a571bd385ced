// Runtime truth for the fixtures: every fixture of every rule (a file, or a
// folder that is one project) runs under tests/probe/bind_probe.py with
// Debian's python3, which records each bind instead of listening. The test
// fails when an unlabelled line binds every interface, or when a labelled line
// (expect, expect-suppressed, todo-expect) never does: binds only one address,
// fails to bind, or never runs. Conventions: tests/probe/README.md.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/scanner/fixture.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;

struct ProbeFixture {
  std::string rule_folder;
  fs::path path;  // a .py file, or a folder of them
};

void PrintTo(const ProbeFixture &fixture, std::ostream *out) { *out << fixture.path.string(); }

std::vector<ProbeFixture> probe_fixtures() {
  std::vector<ProbeFixture> out;
  for (const auto &rule : fs::directory_iterator(fs::path(BINDSCAN_SOURCE_DIR) / "scanner" / "rules")) {
    if (!fs::is_directory(rule.path() / "fixtures")) continue;
    for (const auto &entry : fs::directory_iterator(rule.path() / "fixtures"))
      if (entry.is_directory() || entry.path().extension() == ".py")
        out.push_back({rule.path().filename().string(), entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
  return out;
}

std::string read_file(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string shell_quote(const std::string &text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A fixture line: the file's path relative to the fixture (its name, for a
// one-file fixture) and the 1-based line.
using Line = std::pair<std::string, uint32_t>;

std::string to_string(const Line &line) { return line.first + ":" + std::to_string(line.second); }

// One record of the probe's output.
struct Bind {
  std::string kind;  // "all", "specific", "local" or "invalid: why"
  std::string family;
  std::string address;
  std::vector<std::pair<Line, Line>> frames;  // first and last line of each fixture frame's call
};

struct ProbeRun {
  int exit_code = -1;
  std::string output;
  std::vector<Bind> binds;
  std::vector<std::pair<std::pair<Line, Line>, std::string>> errors;  // statement, message
  std::optional<std::string> skip;
};

std::vector<std::pair<Line, Line>> parse_frames(const std::string &text) {
  std::vector<std::pair<Line, Line>> out;
  std::stringstream words(text);
  for (std::string word; words >> word;) {
    size_t colon = word.rfind(':'), dash = word.rfind('-');
    if (colon == std::string::npos || dash == std::string::npos || dash < colon) continue;
    std::string path = word.substr(0, colon);
    out.push_back({{path, static_cast<uint32_t>(std::stoul(word.substr(colon + 1, dash - colon - 1)))},
                   {path, static_cast<uint32_t>(std::stoul(word.substr(dash + 1)))}});
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string &line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
  return fields;
}

ProbeRun run_probe(const fs::path &fixture) {
  const char *python = std::getenv("BINDSCAN_PROBE_PYTHON");
  // Debian's python3, where the frameworks' python3-* packages are installed,
  // bounded in time whatever the fixture does.
  std::string command = "timeout -k 5 90 " + shell_quote(python ? python : "/usr/bin/python3") + " " +
                        shell_quote(std::string(BINDSCAN_SOURCE_DIR) + "/tests/probe/bind_probe.py") + " " +
                        shell_quote(fixture.string()) + " 2>&1";
  ProbeRun run;
  FILE *pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f = split_tabs(line);
    if (f.size() == 5 && f[0] == "bind") run.binds.push_back({f[1], f[2], f[3], parse_frames(f[4])});
    if (f.size() == 3 && f[0] == "error")
      for (auto &frame : parse_frames(f[1])) run.errors.push_back({frame, f[2]});
    if (f.size() == 2 && f[0] == "skip") run.skip = f[1];
  }
  return run;
}

// The fixture's lines that claim a bind on every interface, under either rule.
std::set<Line> labelled_lines(const fs::path &fixture, std::string &error) {
  std::vector<fs::path> files;
  if (fs::is_directory(fixture)) {
    for (const auto &entry : fs::recursive_directory_iterator(fixture))
      if (entry.path().extension() == ".py") files.push_back(entry.path());
  } else {
    files.push_back(fixture);
  }
  std::set<Line> out;
  for (const fs::path &file : files) {
    std::string relative = fs::is_directory(fixture) ? fs::relative(file, fixture).string() : file.filename().string();
    for (const Expectation &e : read_expectations(read_file(file), error)) {
      if (e.kind == ExpectKind::kTodoOk) continue;  // a known false positive: claims no bind
      out.insert({relative, e.row + 1});
    }
    if (!error.empty()) error = relative + ": " + error;
  }
  return out;
}

// Whether a frame's call, or a statement, spans a labelled line (findings start
// at the address argument, which may sit on a later line of the call).
bool spans(const std::pair<Line, Line> &statement, const Line &line) {
  return statement.first.first == line.first && statement.first.second <= line.second &&
         line.second <= statement.second.second;
}

class ProbeTest : public ::testing::TestWithParam<ProbeFixture> {};

TEST_P(ProbeTest, LabelsAgreeWithWhatTheFixtureReallyBinds) {
  const fs::path &fixture = GetParam().path;
  std::string error;
  std::set<Line> labelled = labelled_lines(fixture, error);
  ASSERT_TRUE(error.empty()) << error;

  ProbeRun run = run_probe(fixture);
  ASSERT_EQ(run.exit_code, 0) << "the probe failed:\n" << run.output;
  if (run.skip) GTEST_SKIP() << fixture.filename().string() << ": " << *run.skip;

  std::map<Line, std::vector<const Bind *>> binds_of_line;
  for (const Bind &bind : run.binds) {
    bool explained = false;
    for (const auto &frame : bind.frames)
      for (const Line &line : labelled)
        if (spans(frame, line)) {
          binds_of_line[line].push_back(&bind);
          explained = true;
        }
    std::string where = bind.frames.empty() ? "(no fixture frame)" : to_string(bind.frames.front().first);
    EXPECT_TRUE(bind.kind != "all" || explained)
        << where << ": binds every interface (" << bind.family << " " << bind.address
        << ") but no line of its call stack carries an expect label";
  }
  for (const Line &line : labelled) {
    const auto &binds = binds_of_line[line];
    if (binds.empty()) {
      std::string errors;
      for (const auto &[statement, message] : run.errors)
        if (spans(statement, line)) errors += "\n  its statement raised " + message;
      ADD_FAILURE() << to_string(line) << ": labelled, but never bound at run time" << errors;
      continue;
    }
    bool binds_all = std::any_of(binds.begin(), binds.end(), [](const Bind *b) { return b->kind == "all"; });
    std::string seen;
    for (const Bind *b : binds) seen += "\n  " + b->family + " " + b->address + ": " + b->kind;
    EXPECT_TRUE(binds_all) << to_string(line) << ": labelled, but never binds every interface:" << seen;
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, ProbeTest, ::testing::ValuesIn(probe_fixtures()),
                         [](const ::testing::TestParamInfo<ProbeFixture> &param) {
                           std::string name = param.param.rule_folder + "_" + param.param.path.stem().string();
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

}  // namespace
}  // namespace bindscan::testing
