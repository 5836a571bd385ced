// JSON round-trip of findings, for caches that keep results between runs
// (the webhook stores each blob's std::vector<LocatedFinding>). Not SARIF:
// a private format that only needs to read back what this build wrote.
//
// Strings are sanitised to valid UTF-8 on the way out (see utf8.h), so any
// dump() succeeds; text that was not valid UTF-8 comes back with U+FFFD in
// place of the bad bytes, everything else comes back equal (==).
//
// from_json throws (nlohmann::json::exception for a missing key or wrong
// type, std::invalid_argument for an unknown suppression kind); use
// parse_located_findings for a non-throwing read of untrusted cache text.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sarif/location.h"
#include "scanner/finding.h"

// Found by argument-dependent lookup, so these live in the types' namespace.
namespace bindscan {

void to_json(nlohmann::json& j, const Point& point);
void from_json(const nlohmann::json& j, Point& point);
void to_json(nlohmann::json& j, const Span& span);
void from_json(const nlohmann::json& j, Span& span);
void to_json(nlohmann::json& j, const TextEdit& edit);
void from_json(const nlohmann::json& j, TextEdit& edit);
void to_json(nlohmann::json& j, const Fix& fix);
void from_json(const nlohmann::json& j, Fix& fix);
void to_json(nlohmann::json& j, const RelatedLocation& related);
void from_json(const nlohmann::json& j, RelatedLocation& related);
void to_json(nlohmann::json& j, const Suppression& suppression);
void from_json(const nlohmann::json& j, Suppression& suppression);
void to_json(nlohmann::json& j, const Finding& finding);
void from_json(const nlohmann::json& j, Finding& finding);

}  // namespace bindscan

namespace bindscan::sarif {

void to_json(nlohmann::json& j, const Region& region);
void from_json(const nlohmann::json& j, Region& region);
void to_json(nlohmann::json& j, const LocatedFinding& located);
void from_json(const nlohmann::json& j, LocatedFinding& located);

// Reads `text` written as nlohmann::json(findings).dump(). An Error with code
// "cache" when it is not JSON or not in this format; never throws.
Result<std::vector<LocatedFinding>> parse_located_findings(std::string_view text);

}  // namespace bindscan::sarif
