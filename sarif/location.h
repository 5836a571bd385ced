// Turning a finding's byte spans into what SARIF shows: 1-based lines and
// 1-based UTF-16 columns. Done once per file while its bytes are in memory;
// afterwards a LocatedFinding carries everything the writer needs, so callers
// (the CLI, the webhook's per-blob cache) can drop the source.
#pragma once

#include <compare>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/finding.h"

namespace bindscan::sarif {

// A SARIF region (columnKind "utf16CodeUnits"). Lines are 1-based and end at
// LF, CR LF or a lone CR. Columns are 1-based counts of UTF-16 code units
// from the line start (`é` is one unit, an emoji two, each invalid UTF-8
// subsequence one, see utf8.h). end_column is exclusive: the column after the
// last character. An empty region (start == end) is an insertion point.
struct Region {
  int start_line = 1;
  int start_column = 1;
  int end_line = 1;
  int end_column = 1;
  auto operator<=>(const Region&) const = default;
};

// A finding with its positions resolved against the file's bytes.
struct LocatedFinding {
  Finding finding;
  Region region;                    // of finding.span
  std::vector<Region> related;      // related[i] is finding.related[i].span
  std::vector<Region> fix_regions;  // fix_regions[i] is finding.fix->edits[i].span
  std::string line_hash;            // primaryLocationLineHash of region.start_line
  // SARIF result.baselineState after a comparison with a baseline (sarif/baseline.h):
  // "new" or "unchanged"; empty without one.
  std::string baseline_state;
  auto operator<=>(const LocatedFinding&) const = default;
};

// The region of the byte range [begin, end) of `source`. Offsets past the
// end are clamped to source.size(), and end < begin reads as end == begin; an
// offset inside a multi-byte character counts that character as before it.
// Uses the byte offsets of a Span, not its tree-sitter points (those count
// rows by LF only). O(size) per call: for many spans of one file use locate().
Region to_region(std::string_view source, uint32_t begin, uint32_t end);

// Resolves every finding of one file, in the given order. O(size of source +
// total length of the lines involved). Any bytes are accepted.
std::vector<LocatedFinding> locate(std::string_view source, std::span<const Finding> findings);

// The same, for findings whose related locations may sit in other files
// (RelatedLocation::path): `source_of(path)` gives those files' bytes.
std::vector<LocatedFinding> locate(std::string_view source, std::span<const Finding> findings,
                                   const std::function<std::string_view(const std::string& path)>& source_of);

// The path every report names a scanned file by, so SARIF, GitHub
// annotations and text agree: relative to `root` with '/' separators
// ("app/server.py", never "./app/server.py" or "/src/app/server.py"), or,
// for a file outside `root`, its absolute normalised path ("/extra/a.py"),
// which the SARIF writer turns into an absolute file:// URI. A relative
// `path` is taken from `cwd`; `root` must be absolute and normalised.
// Path arithmetic only: nothing is read from the filesystem.
std::string root_relative_path(const std::filesystem::path& path, const std::filesystem::path& cwd,
                               const std::filesystem::path& root);

}  // namespace bindscan::sarif
