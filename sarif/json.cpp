#include "sarif/json.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "sarif/utf8.h"

namespace bindscan {
namespace {

std::string_view kind_name(SuppressionKind kind) {
  switch (kind) {
    case SuppressionKind::kBindscan: return "bindscan";
    case SuppressionKind::kNosec: return "nosec";
    case SuppressionKind::kNoqa: return "noqa";
    case SuppressionKind::kConfig: return "config";
  }
  return "bindscan";
}

SuppressionKind kind_from_name(const std::string& name) {
  for (auto kind : {SuppressionKind::kBindscan, SuppressionKind::kNosec, SuppressionKind::kNoqa,
                    SuppressionKind::kConfig}) {
    if (kind_name(kind) == name) return kind;
  }
  throw std::invalid_argument("unknown suppression kind: " + sarif::sanitize_utf8(name));
}

// Cache text is untrusted (a damaged or edited file): nlohmann's get<uint32_t>()
// wraps -1 and is undefined behaviour for 1e300, so numbers must be integers
// that fit. Found by fuzz/finding_cache_fuzzer.cpp.
template <typename Int>
Int get_integer(const nlohmann::json& j) {
  using Limits = std::numeric_limits<Int>;
  if (j.is_number_unsigned()) {
    const auto value = j.get<uint64_t>();
    if (value <= static_cast<uint64_t>(Limits::max())) return static_cast<Int>(value);
  } else if (j.is_number_integer()) {
    const auto value = j.get<int64_t>();
    if (value >= static_cast<int64_t>(Limits::min()) && value <= static_cast<int64_t>(Limits::max()))
      return static_cast<Int>(value);
  }
  throw std::out_of_range(std::string("expected an integer in range, got a ") + j.type_name());
}

}  // namespace

void to_json(nlohmann::json& j, const Point& point) {
  j = {point.row, point.column};
}

void from_json(const nlohmann::json& j, Point& point) {
  point.row = get_integer<uint32_t>(j.at(0));
  point.column = get_integer<uint32_t>(j.at(1));
}

void to_json(nlohmann::json& j, const Span& span) {
  j = {{"begin", span.begin}, {"end", span.end}, {"start", span.start}, {"stop", span.stop}};
}

void from_json(const nlohmann::json& j, Span& span) {
  span.begin = get_integer<uint32_t>(j.at("begin"));
  span.end = get_integer<uint32_t>(j.at("end"));
  j.at("start").get_to(span.start);
  j.at("stop").get_to(span.stop);
}

void to_json(nlohmann::json& j, const TextEdit& edit) {
  j = {{"span", edit.span}, {"replacement", sarif::sanitize_utf8(edit.replacement)}};
}

void from_json(const nlohmann::json& j, TextEdit& edit) {
  j.at("span").get_to(edit.span);
  j.at("replacement").get_to(edit.replacement);
}

void to_json(nlohmann::json& j, const Fix& fix) {
  j = {{"description", sarif::sanitize_utf8(fix.description)}, {"edits", fix.edits}};
}

void from_json(const nlohmann::json& j, Fix& fix) {
  j.at("description").get_to(fix.description);
  j.at("edits").get_to(fix.edits);
}

void to_json(nlohmann::json& j, const RelatedLocation& related) {
  j = {{"span", related.span}, {"message", sarif::sanitize_utf8(related.message)}};
}

void from_json(const nlohmann::json& j, RelatedLocation& related) {
  j.at("span").get_to(related.span);
  j.at("message").get_to(related.message);
}

void to_json(nlohmann::json& j, const Suppression& suppression) {
  j = {{"kind", kind_name(suppression.kind)}, {"comment", sarif::sanitize_utf8(suppression.comment)}};
}

void from_json(const nlohmann::json& j, Suppression& suppression) {
  suppression.kind = kind_from_name(j.at("kind").get<std::string>());
  j.at("comment").get_to(suppression.comment);
}

void to_json(nlohmann::json& j, const Finding& finding) {
  j = {{"rule_id", sarif::sanitize_utf8(finding.rule_id)},
       {"span", finding.span},
       {"message", sarif::sanitize_utf8(finding.message)},
       {"related", finding.related}};
  if (finding.fix) j["fix"] = *finding.fix;
  if (finding.suppression) j["suppression"] = *finding.suppression;
  if (!finding.sink.empty()) j["sink"] = sarif::sanitize_utf8(finding.sink);
}

void from_json(const nlohmann::json& j, Finding& finding) {
  j.at("rule_id").get_to(finding.rule_id);
  j.at("span").get_to(finding.span);
  j.at("message").get_to(finding.message);
  j.at("related").get_to(finding.related);
  finding.fix.reset();
  if (j.contains("fix")) finding.fix = j.at("fix").get<Fix>();
  finding.suppression.reset();
  if (j.contains("suppression")) finding.suppression = j.at("suppression").get<Suppression>();
  finding.sink.clear();
  if (j.contains("sink")) j.at("sink").get_to(finding.sink);
}

}  // namespace bindscan

namespace bindscan::sarif {

void to_json(nlohmann::json& j, const Region& region) {
  j = {region.start_line, region.start_column, region.end_line, region.end_column};
}

void from_json(const nlohmann::json& j, Region& region) {
  region.start_line = get_integer<int>(j.at(0));
  region.start_column = get_integer<int>(j.at(1));
  region.end_line = get_integer<int>(j.at(2));
  region.end_column = get_integer<int>(j.at(3));
}

void to_json(nlohmann::json& j, const LocatedFinding& located) {
  j = {{"finding", located.finding},
       {"region", located.region},
       {"related", located.related},
       {"fix_regions", located.fix_regions},
       {"line_hash", sanitize_utf8(located.line_hash)}};
}

void from_json(const nlohmann::json& j, LocatedFinding& located) {
  j.at("finding").get_to(located.finding);
  j.at("region").get_to(located.region);
  j.at("related").get_to(located.related);
  j.at("fix_regions").get_to(located.fix_regions);
  j.at("line_hash").get_to(located.line_hash);
}

Result<std::vector<LocatedFinding>> parse_located_findings(std::string_view text) {
  try {
    return nlohmann::json::parse(text).get<std::vector<LocatedFinding>>();
  } catch (const std::exception& e) {
    return Error{"cache", std::string("cached findings unreadable, rescan needed: ") + e.what()};
  }
}

}  // namespace bindscan::sarif
