#include "sarif/json.h"

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
  }
  return "bindscan";
}

SuppressionKind kind_from_name(const std::string& name) {
  for (auto kind : {SuppressionKind::kBindscan, SuppressionKind::kNosec, SuppressionKind::kNoqa}) {
    if (kind_name(kind) == name) return kind;
  }
  throw std::invalid_argument("unknown suppression kind: " + sarif::sanitize_utf8(name));
}

}  // namespace

void to_json(nlohmann::json& j, const Point& point) {
  j = {point.row, point.column};
}

void from_json(const nlohmann::json& j, Point& point) {
  point.row = j.at(0).get<uint32_t>();
  point.column = j.at(1).get<uint32_t>();
}

void to_json(nlohmann::json& j, const Span& span) {
  j = {{"begin", span.begin}, {"end", span.end}, {"start", span.start}, {"stop", span.stop}};
}

void from_json(const nlohmann::json& j, Span& span) {
  j.at("begin").get_to(span.begin);
  j.at("end").get_to(span.end);
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
}

}  // namespace bindscan

namespace bindscan::sarif {

void to_json(nlohmann::json& j, const Region& region) {
  j = {region.start_line, region.start_column, region.end_line, region.end_column};
}

void from_json(const nlohmann::json& j, Region& region) {
  region.start_line = j.at(0).get<int>();
  region.start_column = j.at(1).get<int>();
  region.end_line = j.at(2).get<int>();
  region.end_column = j.at(3).get<int>();
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
