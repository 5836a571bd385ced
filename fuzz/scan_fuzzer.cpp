// The scanner on arbitrary bytes: no crash, no hang (a short parse timeout
// stands in for the service's), and findings that keep scan.h's promises:
// sorted, every span inside the input with points that agree with its byte
// offsets, and the prefilter never hiding a finding.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>
#include <tuple>

#include "scanner/scan.h"

namespace {

using bindscan::Finding;
using bindscan::Point;
using bindscan::Span;

void fail(const char* what) {
  std::fprintf(stderr, "scan_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

bindscan::ScanOptions options(bool prefilter) {
  bindscan::ScanOptions o;
  o.prefilter = prefilter;
  o.parse_timeout = std::chrono::milliseconds(500);
  o.parse_timeout_per_mib = std::chrono::milliseconds(0);
  return o;
}

// The tree-sitter point of byte `offset`: rows end at LF, columns count bytes.
Point point_at(std::string_view source, uint32_t offset) {
  Point p;
  for (uint32_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      ++p.row;
      p.column = 0;
    } else {
      ++p.column;
    }
  }
  return p;
}

void check_span(std::string_view source, const Span& span) {
  if (span.begin > span.end) fail("span begins after it ends");
  if (span.end > source.size()) fail("span ends past the input");
  if (span.start != point_at(source, span.begin)) fail("start point disagrees with begin");
  if (span.stop != point_at(source, span.end)) fail("stop point disagrees with end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bindscan::Scanner unfiltered(bindscan::all_rules(), options(false));
  static const bindscan::Scanner filtered(bindscan::all_rules(), options(true));
  std::string_view source(reinterpret_cast<const char*>(data), size);

  bindscan::ScanResult result = unfiltered.scan(source);
  if (result.timed_out) {
    if (!result.findings.empty()) fail("a timed-out scan has findings");
    return 0;
  }
  if (!result.parsed) fail("a scan without prefilter did not parse");

  const auto& findings = result.findings;
  auto key = [](const Finding& f) { return std::tie(f.span.start, f.rule_id); };
  if (!std::is_sorted(findings.begin(), findings.end(),
                      [&](const Finding& a, const Finding& b) { return key(a) < key(b); }))
    fail("findings not sorted by position, then rule id");
  for (const Finding& f : findings) {
    if (bindscan::find_rule(f.rule_id) == nullptr) fail("finding of an unknown rule");
    if (f.message.empty()) fail("finding without a message");
    check_span(source, f.span);
    for (const auto& related : f.related) check_span(source, related.span);
    if (f.fix)
      for (const auto& edit : f.fix->edits) check_span(source, edit.span);
  }

  bindscan::ScanResult prefiltered = filtered.scan(source);
  if (!prefiltered.timed_out && prefiltered.findings != findings) fail("the prefilter changed the findings");
  return 0;
}
