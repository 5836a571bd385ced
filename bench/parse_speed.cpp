// How fast bindscan parses, next to tree-sitter's bare parse of the same bytes.
//
//   parse_speed [--rounds N] [--every K] [--stages bare,index,scan,filter] PATH...
//
// Loads every *.py file under PATHs into memory (every K-th file with
// --every), then times, on one thread and in rounds that interleave the
// stages so that machine noise hits them alike:
//   bare   ts_parser_parse_string, then ts_tree_delete: tree-sitter alone
//   index  bindscan's Parser plus the Module index walk (scopes, bindings, calls)
//   scan   Scanner::scan with the prefilter off: parse, index, rule, suppressions
//   filter Scanner::scan with the prefilter on (the default)
//   summary Scanner::summarize: what `bindscan serve` does per new blob (every
//           file parsed, for its exports; not in the default --stages)
// Times are this thread's CPU time, so MB/s are per core. Prints a table and,
// for scripts, one `RESULT key=value ...` line with the medians.
#include <time.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/flow/summary.h"
#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/scan.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace {

namespace fs = std::filesystem;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\0', ' ');  // as Scanner::scan does
  return text;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3;
  size_t every = 1;
  std::string only = "bare,index,scan,filter";
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--every" && i + 1 < argc) {
      every = static_cast<size_t>(std::max(1, std::atoi(argv[++i])));
    } else if (arg == "--stages" && i + 1 < argc) {
      only = std::string(",") + argv[++i] + ",";
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr,
                   "usage: parse_speed [--rounds N] [--every K] [--stages bare,index,scan,summary,filter] PATH...\n");
      return 2;
    } else {
      roots.emplace_back(arg);
    }
  }
  std::vector<fs::path> paths;
  for (const fs::path& root : roots) {
    if (fs::is_regular_file(root)) {
      paths.push_back(root);
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied))
      if (entry.is_regular_file() && entry.path().extension() == ".py") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> files;
  double bytes = 0;
  for (size_t i = 0; i < paths.size(); i += every) {
    files.push_back(slurp(paths[i]));
    bytes += static_cast<double>(files.back().size());
  }
  if (files.empty()) {
    std::fprintf(stderr, "parse_speed: no *.py files\n");
    return 2;
  }
  double mb = bytes / 1e6;

  TSParser* bare = ts_parser_new();
  ts_parser_set_language(bare, tree_sitter_python());
  bindscan::Parser parser;
  bindscan::ScanOptions off;
  off.prefilter = false;
  off.parse_timeout = std::chrono::hours(1);
  bindscan::ScanOptions on = off;
  on.prefilter = true;
  bindscan::Scanner unfiltered(bindscan::all_rules(), off);
  bindscan::Scanner filtered(bindscan::all_rules(), on);
  size_t sink = 0, findings = 0;  // keeps the optimiser honest

  struct Stage {
    const char* name;
    const char* what;
    std::function<void(const std::string&)> run;
    std::vector<double> seconds;
  };
  std::vector<Stage> stages = {
      {"bare",
       "tree-sitter parse alone",
       [&](const std::string& s) {
         TSTree* tree = ts_parser_parse_string(bare, nullptr, s.data(), static_cast<uint32_t>(s.size()));
         sink += ts_node_child_count(ts_tree_root_node(tree));
         ts_tree_delete(tree);
       },
       {}},
      {"index",
       "parse + Module index walk",
       [&](const std::string& s) {
         auto tree = parser.parse(s, std::chrono::hours(1));
         bindscan::Module module(*tree);
         sink += module.calls().size();
       },
       {}},
      {"scan",
       "Scanner::scan, prefilter off",
       [&](const std::string& s) { findings += unfiltered.scan(s).findings.size(); },
       {}},
      {"summary",
       "Scanner::summarize (serve)",
       [&](const std::string& s) {
         bindscan::flow::ModuleSummary summary;
         sink += filtered.summarize(s, summary).findings.size() + summary.exports.size();
       },
       {}},
      {"filter",
       "Scanner::scan, prefilter on",
       [&](const std::string& s) { sink += filtered.scan(s).findings.size(); },
       {}},
  };
  if (only.front() != ',') only = "," + only + ",";
  std::erase_if(stages, [&](const Stage& stage) {
    return stage.name != std::string_view("bare") && only.find("," + std::string(stage.name) + ",") == std::string::npos;
  });
  for (int r = 0; r < rounds; ++r) {
    for (Stage& stage : stages) {
      double start = cpu_seconds();
      for (const std::string& file : files) stage.run(file);
      stage.seconds.push_back(cpu_seconds() - start);
    }
  }
  ts_parser_delete(bare);

  double bare_mbps = mb / median(stages[0].seconds);  // bare always runs: the reference
  std::printf("%zu files, %.1f MB, %d rounds, one thread (CPU time)\n", files.size(), mb, rounds);
  std::printf("%-7s %-30s %10s %10s %12s\n", "stage", "what", "median s", "MB/s/core", "vs bare");
  std::string result = "RESULT files=" + std::to_string(files.size()) + " mb=" + std::to_string(mb);
  for (const Stage& stage : stages) {
    double s = median(stage.seconds);
    double mbps = mb / s;
    std::printf("%-7s %-30s %10.2f %10.2f %+11.1f%%\n", stage.name, stage.what, s, mbps,
                (bare_mbps / mbps - 1) * 100);
    result += std::string(" ") + stage.name + "_s=" + std::to_string(s) + " " + stage.name +
              "_mbps=" + std::to_string(mbps);
  }
  std::printf("%s findings=%zu\n", result.c_str(), findings / static_cast<size_t>(rounds));
  return sink == 0xdeadbeef ? 1 : 0;
}
