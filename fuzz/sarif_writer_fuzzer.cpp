// SARIF writing from arbitrary findings built from the fuzz input: any bytes
// in any string, spans past the end of the file, regions nobody located, rules
// missing from the log. The document must always be JSON (nlohmann parses it)
// with one result per reported finding; locate() must give 1-based regions in
// order; and the findings cache must read back what it wrote.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sarif/json.h"
#include "sarif/location.h"
#include "sarif/writer.h"
#include "scanner/rule.h"

namespace {

using namespace bindscan;
using sarif::LocatedFinding;
using sarif::Region;

void fail(const char* what) {
  std::fprintf(stderr, "sarif_writer_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

std::string some_text(FuzzedDataProvider& in, size_t max = 24) { return in.ConsumeRandomLengthString(max); }

Span some_span(FuzzedDataProvider& in, uint32_t source_size) {
  Span span;
  span.begin = in.ConsumeIntegralInRange<uint32_t>(0, source_size + 4);
  span.end = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, source_size + 4) : span.begin;
  if (in.ConsumeBool()) span.end = in.ConsumeIntegral<uint32_t>();  // far past the end
  span.start = {in.ConsumeIntegral<uint32_t>(), in.ConsumeIntegral<uint32_t>()};
  span.stop = {in.ConsumeIntegral<uint32_t>(), in.ConsumeIntegral<uint32_t>()};
  return span;
}

Finding some_finding(FuzzedDataProvider& in, uint32_t source_size) {
  Finding f;
  f.rule_id = in.ConsumeBool() ? std::string(all_rules()[0].info.id) : some_text(in);
  f.span = some_span(in, source_size);
  f.message = some_text(in, 64);
  for (int n = in.ConsumeIntegralInRange(0, 2); n > 0; --n)
    f.related.push_back({some_span(in, source_size), some_text(in)});
  if (in.ConsumeBool()) {
    Fix fix{some_text(in), {}};
    for (int n = in.ConsumeIntegralInRange(0, 2); n > 0; --n)
      fix.edits.push_back({some_span(in, source_size), some_text(in)});
    f.fix = std::move(fix);
  }
  if (in.ConsumeBool()) {
    f.suppression = Suppression{in.PickValueInArray({SuppressionKind::kBindscan, SuppressionKind::kNosec,
                                                     SuppressionKind::kNoqa}),
                                some_text(in)};
  }
  return f;
}

bool well_formed(const Region& r) {
  return r.start_line >= 1 && r.start_column >= 1 && r.end_column >= 1 &&
         (r.end_line > r.start_line || (r.end_line == r.start_line && r.end_column >= r.start_column));
}

Region some_region(FuzzedDataProvider& in) {
  return {in.ConsumeIntegral<int>(), in.ConsumeIntegral<int>(), in.ConsumeIntegral<int>(), in.ConsumeIntegral<int>()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string source = in.ConsumeRandomLengthString(512);
  const auto source_size = static_cast<uint32_t>(source.size());

  sarif::SarifLog log;
  if (in.ConsumeBool())
    for (const Rule& rule : all_rules()) log.rules.push_back(rule.info);
  if (in.ConsumeBool()) log.category = some_text(in);
  if (in.ConsumeBool()) log.tool_version = some_text(in);
  if (in.ConsumeBool()) log.source_root_uri = some_text(in);
  if (in.ConsumeBool()) log.version_control = sarif::VersionControl{some_text(in), some_text(in), some_text(in)};
  log.include_suppressed = in.ConsumeBool();
  log.execution_successful = in.ConsumeBool();
  if (in.ConsumeBool()) log.start_time_utc = some_text(in);
  for (int n = in.ConsumeIntegralInRange(0, 2); n > 0; --n)
    log.notifications.push_back(
        {some_text(in), some_text(in), in.PickValueInArray({Level::kNote, Level::kWarning, Level::kError})});

  size_t reported = 0;
  for (int files = in.ConsumeIntegralInRange(1, 3); files > 0 && in.remaining_bytes() > 0; --files) {
    std::vector<Finding> findings;
    for (int n = in.ConsumeIntegralInRange(0, 6); n > 0; --n) findings.push_back(some_finding(in, source_size));
    std::vector<LocatedFinding> located = sarif::locate(source, findings);
    if (located.size() != findings.size()) fail("locate lost or added findings");
    for (size_t i = 0; i < located.size(); ++i) {
      if (located[i].finding != findings[i]) fail("locate changed a finding");
      if (!well_formed(located[i].region)) fail("locate gave a region that is not 1-based and ordered");
      if (located[i].related.size() != findings[i].related.size()) fail("related regions do not match");
      for (const Region& r : located[i].related)
        if (!well_formed(r)) fail("bad related region");
      for (const Region& r : located[i].fix_regions)
        if (!well_formed(r)) fail("bad fix region");
    }
    // What a stale or hand-edited cache could hold: regions nobody located.
    if (!located.empty() && in.ConsumeBool()) {
      located.front().region = some_region(in);
      located.front().line_hash = some_text(in);
      located.front().related.clear();
    }

    const std::string cached = nlohmann::json(located).dump();
    auto back = sarif::parse_located_findings(cached);
    if (!back) fail("the findings cache did not read back its own output");
    if (nlohmann::json(*back).dump() != cached) fail("the findings cache round trip changed something");

    for (const LocatedFinding& l : located) reported += !l.finding.suppression || log.include_suppressed;
    log.files.push_back({some_text(in), std::move(located)});
  }

  const std::string sarif = sarif::write_sarif(log);
  if (sarif.empty() || sarif.back() != '\n') fail("the SARIF does not end in a newline");
  nlohmann::json doc = nlohmann::json::parse(sarif, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) fail("the SARIF is not JSON");
  const nlohmann::json& run = doc.at("runs").at(0);
  if (run.at("results").size() != reported) fail("results are not one per reported finding");
  return 0;
}
