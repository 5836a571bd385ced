// The least a tree-sitter scanner can spend on a corpus to parse what
// bindscan parses there: read every *.py file, parse the listed ones with
// tree-sitter alone (no index, no rule, no output), on all cores.
//
//   parse_floor list CORPUS          the files bindscan parses in CORPUS
//                                    (Scanner::scan_project with the CLI's
//                                    defaults: prefilter on, loads and callers)
//   parse_floor run CORPUS LIST      read every file of CORPUS, parse those in LIST
//
// bench/run.sh times `run` next to `cat` and bindscan: the gap between it
// and bindscan is what bindscan's own work costs; its ratio to `cat` is the
// floor of bindscan's.
#include <fcntl.h>
#include <sys/stat.h>
#include <tree_sitter/api.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "scanner/scan.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace {

namespace fs = std::filesystem;

// The *.py files under `root`, outside __pycache__, sorted.
std::vector<std::string> python_files(const fs::path& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == "__pycache__") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".py") out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Reads `path` into `buffer` with open, fstat, read, close; false if it cannot.
bool read_whole(const std::string& path, std::string& buffer) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = fstat(fd, &st) == 0;
  if (ok) {
    buffer.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < buffer.size()) {
      ssize_t n = read(fd, buffer.data() + done, buffer.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    buffer.resize(done);
  }
  close(fd);
  return ok;
}

int list(const fs::path& corpus) {
  std::vector<std::string> paths = python_files(corpus);
  std::vector<std::string> sources(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) read_whole(paths[i], sources[i]);
  bindscan::Scanner scanner;
  auto results = scanner.scan_project(
      paths, [&](size_t i) -> std::optional<std::string_view> { return sources[i]; },
      std::max(1u, std::thread::hardware_concurrency()));
  for (size_t i = 0; i < paths.size(); ++i)
    if (results[i].parsed) std::printf("%s\n", paths[i].c_str());
  return 0;
}

int run(const fs::path& corpus, const fs::path& listed) {
  std::unordered_set<std::string> to_parse;
  std::ifstream in(listed);
  for (std::string line; std::getline(in, line);) to_parse.insert(line);
  std::vector<std::string> paths = python_files(corpus);
  std::atomic<size_t> next{0};
  std::atomic<size_t> parsed{0};
  auto worker = [&] {
    TSParser* parser = ts_parser_new();
    ts_parser_set_language(parser, tree_sitter_python());
    std::string buffer;
    for (size_t i; (i = next.fetch_add(1)) < paths.size();) {
      if (!read_whole(paths[i], buffer) || !to_parse.contains(paths[i])) continue;
      ts_tree_delete(ts_parser_parse_string(parser, nullptr, buffer.data(), static_cast<uint32_t>(buffer.size())));
      parsed.fetch_add(1);
    }
    ts_parser_delete(parser);
  };
  std::vector<std::jthread> others;
  for (unsigned t = 1; t < std::max(1u, std::thread::hardware_concurrency()); ++t) others.emplace_back(worker);
  worker();
  others.clear();
  if (parsed.load() != to_parse.size()) {
    std::fprintf(stderr, "parse_floor: %zu of the %zu listed files are not in %s\n", to_parse.size() - parsed.load(),
                 to_parse.size(), corpus.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "list" && argc == 3) return list(argv[2]);
  if (mode == "run" && argc == 4) return run(argv[2], argv[3]);
  std::fprintf(stderr, "usage: parse_floor list CORPUS | parse_floor run CORPUS LIST\n");
  return 2;
}
