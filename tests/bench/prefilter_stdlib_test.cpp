// The prefilter must never lose a finding. The fixtures prove it for the
// shapes we know; this test proves it on a large body of real code: every
// Python file of the machine's standard library (site-packages included) is
// scanned with and without the prefilter, and the findings must be the same.
// Files the prefilter passes run the same code either way, so only the files
// it skips are parsed a second time. No time is asserted here.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/walk.h"
#include "scanner/scan.h"

namespace bindscan {
namespace {

namespace fs = std::filesystem;

// BINDSCAN_STDLIB, else what python3 reports, else Debian's python3.11.
std::string stdlib_path() {
  if (const char* given = std::getenv("BINDSCAN_STDLIB"); given != nullptr && *given != '\0') return given;
  std::string path;
  if (FILE* pipe = ::popen("python3 -c 'import sysconfig;print(sysconfig.get_paths()[\"stdlib\"])' 2>/dev/null", "r")) {
    char line[4096];
    if (std::fgets(line, sizeof line, pipe) != nullptr) path = line;
    ::pclose(pipe);
  }
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  std::error_code ec;
  if (!path.empty() && fs::is_directory(path, ec)) return path;
  if (fs::is_directory("/usr/lib/python3.11", ec)) return "/usr/lib/python3.11";
  return {};
}

struct Lost {
  std::string path;
  size_t with_prefilter;
  size_t without;
};

TEST(PrefilterStdlib, LosesNoFindingOnTheStandardLibrary) {
  std::string root = stdlib_path();
  ASSERT_FALSE(root.empty()) << "no Python standard library found: install python3 (Debian package python3), "
                                "or point BINDSCAN_STDLIB at a folder of Python files";
  cli::WalkResult walked = cli::find_python_files({root}, {});
  ASSERT_TRUE(walked.errors.empty()) << walked.errors.front();
  ASSERT_GT(walked.files.size(), 100u) << root << " holds too few Python files to be a standard library";

  ScanOptions filtered;
  ScanOptions unfiltered;
  unfiltered.prefilter = false;
  std::atomic<size_t> next{0}, skipped{0}, findings{0};
  std::mutex mutex;
  std::vector<Lost> lost;
  std::vector<std::string> unreadable;
  auto worker = [&] {
    Scanner with(all_rules(), filtered), without(all_rules(), unfiltered);
    std::string buffer, error;
    for (size_t i; (i = next.fetch_add(1)) < walked.files.size();) {
      const std::string& path = walked.files[i];
      if (cli::read_file(path, 64ull << 20, buffer, error) != cli::ReadStatus::kOk) {
        std::lock_guard lock(mutex);
        unreadable.push_back(path + ": " + error);
        continue;
      }
      ScanResult a = with.scan(buffer);
      findings += a.findings.size();
      if (a.parsed) continue;  // the same code path with or without the prefilter
      ++skipped;
      ScanResult b = without.scan(buffer);
      if (!b.findings.empty()) {
        std::lock_guard lock(mutex);
        lost.push_back({path, a.findings.size(), b.findings.size()});
      }
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  for (const Lost& l : lost)
    ADD_FAILURE() << l.path << ": the prefilter skips this file, yet parsing it gives " << l.without
                  << " finding(s); extend the rule's prefilter (its sieve) so that it passes such files";
  EXPECT_TRUE(unreadable.size() < walked.files.size() / 100) << unreadable.size() << " unreadable files, e.g. "
                                                             << unreadable.front();
  // The prefilter must be doing its job, or the comparison proves little.
  EXPECT_GT(skipped.load(), walked.files.size() / 2) << "the prefilter skipped only " << skipped << " of "
                                                     << walked.files.size() << " files";
  std::printf("[ prefilter ] %s: %zu files, %zu skipped by the prefilter, %zu findings, none lost\n", root.c_str(),
              walked.files.size(), skipped.load(), findings.load());
}

}  // namespace
}  // namespace bindscan
