// The scanning core: bytes in, findings out. No files, sockets, clocks or
// globals; the caller does I/O. A Scanner owns one tree-sitter parser and is
// meant for one thread; make one per worker.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "scanner/finding.h"
#include "scanner/rule.h"

namespace bindscan {

namespace flow {
struct ModuleSummary;
}

struct ScanOptions {
  // Skip files that provably cannot match (Rule::prefilter). Off only to
  // measure raw parsing speed (BINDSCAN_NO_PREFILTER=1 in the CLI).
  bool prefilter = true;
  // Parsing a file stops after parse_timeout plus parse_timeout_per_mib for
  // each MiB of it (the parser is linear, at a few MB/s); such a file is
  // reported as timed out, without findings. Guards against pathological input.
  std::chrono::microseconds parse_timeout = std::chrono::seconds(10);
  std::chrono::microseconds parse_timeout_per_mib = std::chrono::seconds(2);
  // Leave the syntax trees of scan_project allocated when it returns, for a
  // process that exits after one scan (the CLI): the system takes the pages
  // back at once, where freeing walks every node (as clang's -disable-free).
  bool keep_trees = false;
};

struct ScanResult {
  std::vector<Finding> findings;  // sorted by position, then rule id; suppressed ones included
  bool parsed = false;            // false when the prefilter skipped the file
  bool timed_out = false;         // the parse timeout cut the file short
  // The analysis of this file failed (a defect of bindscan, not of the
  // file): what. The findings before the failure stand; other files go on.
  std::optional<std::string> error;
  // scan_project with a ProjectScope only: the other files (indexes into its
  // `paths`) the value flow consulted for this file's findings, sorted.
  std::vector<size_t> consulted;
};

// Which files of a project scan are judged: a subset, for a service that
// re-judges only what a change can reach. Both vectors have one entry per path.
struct ProjectScope {
  std::vector<bool> judged;   // judged (with the prefilter); their results say what they consulted
  std::vector<bool> preload;  // parsed up front (with the prefilter) so calls in them and their
                              // callees are followed; other files are parsed only for a value
};

// How much work a project scan did (for benchmarks and tuning).
struct ScanStats {
  size_t files = 0;         // given
  size_t read = 0;          // whose bytes source_of gave
  size_t passed = 0;        // passed by a rule's prefilter (words)
  size_t parsed = 0;        // parsed to be judged
  size_t loaded = 0;        // parsed later because the value flow needed a value they define
  size_t callers = 0;       // parsed later because they may call a wrapper of a sink (with the name it has)
  size_t parsed_bytes = 0;  // bytes of the files parsed for any of these reasons
  // Wall time of each step of scan_project, in milliseconds.
  double read_ms = 0;     // 1. read, prefiltered and parsed (on every thread)
  double judge_ms = 0;    // 3. linked and judged (with the files the value flow loads)
  double callers_ms = 0;  // 4. callers in files the prefilter skipped
};

class Scanner {
 public:
  explicit Scanner(std::span<const Rule> rules = all_rules(), ScanOptions options = {});
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Scans one file's bytes. Any bytes are accepted: invalid UTF-8, NUL bytes
  // and syntax errors give findings for what parses, never a crash.
  ScanResult scan(std::string_view source) const;

  // Scans one file for a per-module summary (flow/summary.h), as the webhook
  // service does file by file: findings that the file alone decides go into
  // the result; sites that depend on names of other modules go into
  // `summary.open_sites` (for flow::link), and the values of its module-level
  // names into `summary.exports`. A file that no rule may match is parsed
  // only with `parse_unmatched` (other files may import its names); without
  // it, the result says parsed == false and the summary holds only
  // `called_imports`, read from its import statements without parsing (what
  // it may call into: a wrapper or server class of another module), for the
  // caller to summarize later when a link needs the file.
  ScanResult summarize(std::string_view source, flow::ModuleSummary& summary, bool parse_unmatched = true) const;

  // Scans files as one project: module names come from the paths (packages
  // by their __init__.py files), imports between them are followed by the
  // value flow, and related locations may point into other files
  // (RelatedLocation::path is then one of `paths`). `source_of(i)` gives file
  // i's bytes, or nothing when it cannot be read; it is called from `jobs`
  // threads at once (for different files), and the bytes must stay valid
  // until this returns or until `release(i)` is called. Files the prefilter
  // passes are parsed (on `jobs` threads) and judged; other files are
  // released at once (so a caller may read files lazily and hold only those
  // parsed), and parsed only when the value flow needs a value they define
  // (an imported constant), or when they import and write the name of a
  // server class or of a function whose callers a sink's address depends on
  // (then judged, or the sink's file judged again): source_of(i) is then
  // asked again. results[i] belongs to paths[i]. `stats`, when given,
  // receives the work done. With `scope`, only the files it names are
  // parsed up front and judged (a judged file should also be preloaded).
  std::vector<ScanResult> scan_project(const std::vector<std::string>& paths,
                                       const std::function<std::optional<std::string_view>(size_t)>& source_of,
                                       unsigned jobs = 1, ScanStats* stats = nullptr,
                                       const std::function<void(size_t)>& release = nullptr,
                                       const ProjectScope* scope = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bindscan
