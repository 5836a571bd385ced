#include "webhook/jobs/blob_entry.h"

#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sarif/fingerprint.h"
#include "sarif/json.h"

namespace bindscan::flow {
namespace {

constexpr std::pair<ValueKind, std::string_view> kKinds[] = {
    {ValueKind::kString, "string"}, {ValueKind::kInt, "int"},           {ValueKind::kNone, "none"},
    {ValueKind::kBool, "bool"},     {ValueKind::kImported, "imported"},
};

std::string_view kind_name(ValueKind kind) {
  for (const auto& [k, name] : kKinds)
    if (k == kind) return name;
  throw std::invalid_argument("a constant of a kind summaries do not carry");
}

ValueKind kind_of(std::string_view name) {
  for (const auto& [k, n] : kKinds)
    if (n == name) return k;
  throw std::invalid_argument("unknown constant kind '" + std::string(name) + "'");
}

template <typename T>
void optional_to(nlohmann::json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}
template <typename T>
void optional_from(const nlohmann::json& j, const char* key, std::optional<T>& value) {
  if (j.contains(key)) value = j.at(key).get<T>();
}

}  // namespace

// Found by argument-dependent lookup.
void to_json(nlohmann::json& j, const Constant& c) {
  j = {{"kind", kind_name(c.kind)},
       {"text", c.text},
       {"spelling", c.spelling},
       {"span", c.span},
       {"path", c.path},
       {"hops", c.hops}};
  optional_to(j, "environment_variable", c.environment_variable);
  optional_to(j, "option", c.option);
  optional_to(j, "replacement", c.replacement);
}
void from_json(const nlohmann::json& j, Constant& c) {
  c.kind = kind_of(j.at("kind").get<std::string>());
  j.at("text").get_to(c.text);
  j.at("spelling").get_to(c.spelling);
  j.at("span").get_to(c.span);
  j.at("path").get_to(c.path);
  j.at("hops").get_to(c.hops);
  optional_from(j, "environment_variable", c.environment_variable);
  optional_from(j, "option", c.option);
  optional_from(j, "replacement", c.replacement);
}
void to_json(nlohmann::json& j, const Reference& r) {
  j = {{"qualified", r.qualified}, {"hops", r.hops}, {"span", r.span}, {"spelling", r.spelling}};
  optional_to(j, "import_hop", r.import_hop);
}
void from_json(const nlohmann::json& j, Reference& r) {
  j.at("qualified").get_to(r.qualified);
  j.at("hops").get_to(r.hops);
  j.at("span").get_to(r.span);
  j.at("spelling").get_to(r.spelling);
  optional_from(j, "import_hop", r.import_hop);
}
// Every field required, named as the member: nlohmann's macro writes both.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Export, name, constants, references, unknown)
void to_json(nlohmann::json& j, const OpenSite& s) {
  j = {{"rule_id", s.rule_id},         {"sink", s.sink},         {"sink_kind", s.sink_kind},
       {"address", s.address},         {"argument", s.argument}, {"display", s.display},
       {"target_hops", s.target_hops}, {"local", s.local},       {"other", s.other},
       {"references", s.references}};
  optional_to(j, "suppression", s.suppression);
}
void from_json(const nlohmann::json& j, OpenSite& s) {
  j.at("rule_id").get_to(s.rule_id);
  j.at("sink").get_to(s.sink);
  j.at("sink_kind").get_to(s.sink_kind);
  j.at("address").get_to(s.address);
  j.at("argument").get_to(s.argument);
  j.at("display").get_to(s.display);
  j.at("target_hops").get_to(s.target_hops);
  j.at("local").get_to(s.local);
  j.at("other").get_to(s.other);
  j.at("references").get_to(s.references);
  optional_from(j, "suppression", s.suppression);
}
void to_json(nlohmann::json& j, const ModuleSummary& m) {
  j = {{"exports", m.exports},
       {"star_imports", m.star_imports},
       {"open_sites", m.open_sites},
       {"called_imports", m.called_imports}};
}
void from_json(const nlohmann::json& j, ModuleSummary& m) {
  j.at("exports").get_to(m.exports);
  j.at("star_imports").get_to(m.star_imports);
  j.at("open_sites").get_to(m.open_sites);
  j.at("called_imports").get_to(m.called_imports);
}

}  // namespace bindscan::flow

namespace bindscan::webhook {
namespace {

// Every span the summary names: where linked findings and their hops point.
template <typename Visit>
void each_span(const flow::ModuleSummary& summary, Visit&& visit) {
  auto hops = [&](const std::vector<RelatedLocation>& list) {
    for (const RelatedLocation& hop : list)
      if (hop.path.empty()) visit(hop.span);
  };
  auto constant = [&](const flow::Constant& c) {
    if (c.path.empty()) visit(c.span);
    hops(c.hops);
  };
  auto reference = [&](const flow::Reference& r) {
    hops(r.hops);
    visit(r.span);
    if (r.import_hop) visit(r.import_hop->span);
  };
  for (const flow::Export& e : summary.exports) {
    for (const flow::Constant& c : e.constants) constant(c);
    for (const flow::Reference& r : e.references) reference(r);
  }
  for (const flow::OpenSite& site : summary.open_sites) {
    visit(site.argument);
    hops(site.target_hops);
    for (const flow::Constant& c : site.local) constant(c);
    for (const flow::Reference& r : site.references) reference(r);
  }
}

}  // namespace

BlobEntry make_blob_entry(std::string_view source, const ScanResult& result, flow::ModuleSummary summary) {
  BlobEntry entry;
  entry.deferred = !result.parsed;
  entry.findings = sarif::locate(source, result.findings);
  entry.summary = std::move(summary);
  each_span(entry.summary, [&](const Span& span) {
    entry.regions.try_emplace({span.begin, span.end}, sarif::Region{});
  });
  // One pass over the bytes for all regions: locate() a finding per span.
  std::vector<Finding> probes;
  for (const auto& [range, region] : entry.regions) {
    Finding probe;
    probe.span.begin = range.first;
    probe.span.end = range.second;
    probes.push_back(std::move(probe));
  }
  std::vector<sarif::LocatedFinding> located = sarif::locate(source, probes);
  size_t i = 0;
  for (auto& [range, region] : entry.regions) region = located[i++].region;
  for (const flow::OpenSite& site : entry.summary.open_sites) {
    auto it = entry.regions.find({site.argument.begin, site.argument.end});
    const sarif::LocatedFinding& at = located[static_cast<size_t>(std::distance(entry.regions.begin(), it))];
    entry.line_hashes[at.region.start_line] = at.line_hash;
  }
  return entry;
}

std::string to_text(const BlobEntry& entry) {
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& [range, region] : entry.regions) regions.push_back({range.first, range.second, region});
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& [line, hash] : entry.line_hashes) hashes.push_back({line, hash});
  nlohmann::json j = {{"findings", entry.findings},        {"summary", entry.summary},
                      {"regions", std::move(regions)},     {"line_hashes", std::move(hashes)},
                      {"deferred", entry.deferred},        {"in_project", entry.in_project},
                      {"dependencies", entry.dependencies}};
  return j.dump();
}

Result<BlobEntry> parse_blob_entry(std::string_view text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    BlobEntry entry;
    j.at("findings").get_to(entry.findings);
    j.at("summary").get_to(entry.summary);
    for (const auto& r : j.at("regions"))
      entry.regions[{r.at(0).get<uint32_t>(), r.at(1).get<uint32_t>()}] = r.at(2).get<sarif::Region>();
    for (const auto& h : j.at("line_hashes")) entry.line_hashes[h.at(0).get<int>()] = h.at(1).get<std::string>();
    j.at("deferred").get_to(entry.deferred);
    j.at("in_project").get_to(entry.in_project);
    j.at("dependencies").get_to(entry.dependencies);
    return entry;
  } catch (const std::exception& e) {
    return Error{"cache", std::string("not a cached blob entry: ") + e.what()};
  }
}

sarif::LocatedFinding locate_linked(const Finding& finding, const BlobEntry& own,
                                    const std::function<const BlobEntry*(const std::string& path)>& entry_of) {
  auto region = [](const BlobEntry* entry, const Span& span) {
    if (entry == nullptr) return sarif::Region{};
    auto it = entry->regions.find({span.begin, span.end});
    return it == entry->regions.end() ? sarif::Region{} : it->second;
  };
  sarif::LocatedFinding out;
  out.finding = finding;
  out.region = region(&own, finding.span);
  for (const RelatedLocation& related : finding.related)
    out.related.push_back(region(related.path.empty() ? &own : entry_of(related.path), related.span));
  if (finding.fix)
    for (const TextEdit& edit : finding.fix->edits) out.fix_regions.push_back(region(&own, edit.span));
  if (auto it = own.line_hashes.find(out.region.start_line); it != own.line_hashes.end()) out.line_hash = it->second;
  return out;
}

}  // namespace bindscan::webhook
