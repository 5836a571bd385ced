// What the runner caches per blob (result_cache.h): the findings the file
// decides alone (located for SARIF), its module summary (scanner/flow/
// summary.h: exports and the sites whose verdict depends on other modules),
// and the SARIF regions and line hashes of the spans the summary names, so a
// finding that linking produces later is located without the file's bytes.
//
// Why summaries and not findings alone: a finding in server.py may depend on
// settings.py. With summaries a push parses only the blobs not in the cache,
// and the link of every file's summary, which needs no parsing, recomputes
// the cross-module findings of the whole commit.
//
// The JSON format is private to this build (the cache key holds the scanner
// version); parse_blob_entry never throws and reports text it cannot read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "sarif/location.h"
#include "scanner/flow/summary.h"
#include "scanner/scan.h"

namespace bindscan::webhook {

struct BlobEntry {
  std::vector<sarif::LocatedFinding> findings;
  flow::ModuleSummary summary;
  // (begin, end) byte range -> region, for every span the summary names.
  std::map<std::pair<uint32_t, uint32_t>, sarif::Region> regions;
  std::map<int, std::string> line_hashes;  // 1-based line of an open site -> primaryLocationLineHash
  // Not parsed: no rule may match the file (so it has no findings and no
  // open sites), and its exports are made when a link first needs them.
  bool deferred = false;
  bool operator==(const BlobEntry&) const = default;
};

// The entry for one scanned blob (deferred when `result` was not parsed).
BlobEntry make_blob_entry(std::string_view source, const ScanResult& result, flow::ModuleSummary summary);

std::string to_text(const BlobEntry& entry);
// Error code "cache" when `text` is not an entry this build wrote.
Result<BlobEntry> parse_blob_entry(std::string_view text);

// A finding that link() produced for the file of `own`, located with the
// regions of `own` and, for related locations in other files, of
// `entry_of(path)` (null: unknown file, region 1:1).
sarif::LocatedFinding locate_linked(const Finding& finding, const BlobEntry& own,
                                    const std::function<const BlobEntry*(const std::string& path)>& entry_of);

}  // namespace bindscan::webhook
