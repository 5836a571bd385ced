// The webhook's per-blob findings cache read from arbitrary text (a corrupt
// or hand-edited cache file): parse_located_findings never throws or crashes,
// and whatever it accepts writes back to text that reads back the same.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sarif/json.h"

namespace {

void fail(const char* what) {
  std::fprintf(stderr, "finding_cache_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto findings = bindscan::sarif::parse_located_findings(text);
  if (!findings) {
    if (findings.error().code != "cache") fail("an error code other than \"cache\"");
    return 0;
  }
  const std::string again = nlohmann::json(*findings).dump();
  auto back = bindscan::sarif::parse_located_findings(again);
  if (!back) fail("accepted text that does not read back after writing");
  if (*back != *findings) fail("the round trip changed accepted findings");
  return 0;
}
