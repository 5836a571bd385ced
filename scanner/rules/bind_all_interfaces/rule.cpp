#include "scanner/rules/bind_all_interfaces/rule.h"

#include "scanner/rules/bind_all_interfaces/binds.h"

namespace bindscan::embedded {
extern const std::string_view BindAllInterfacesDoc;
}

namespace bindscan::rules {
namespace {

constexpr RuleInfo kInfo{
    .id = "bind-all-interfaces",
    .name = "ServerBoundToAllInterfaces",
    .short_description = "Server listens on all network interfaces",
    .full_description =
        "A server whose address is the empty host, 0.0.0.0 or :: accepts connections on every network "
        "interface of the machine, exposing it beyond the hosts meant to reach it (CWE-1327).",
    .documentation = {},
    .cwe = 1327,
    .default_level = Level::kWarning,
    .precision = "very-high",
    .security_severity = "6.5",
    .bandit_id = "B104",
    .bandit_name = "hardcoded_bind_all_interfaces",
    .ruff_code = "S104",
};

void check(const Module& module, std::vector<Finding>& out) {
  binds::check(module, binds::Report::kWildcardHost, kInfo.id, out);
}

void check_open(const Module& module, std::vector<Finding>& out, std::vector<flow::OpenSite>& open) {
  binds::check_open(module, binds::Report::kWildcardHost, kInfo.id, out, open);
}

}  // namespace

Rule bind_all_interfaces() {
  static const RuleInfo info = [] {
    RuleInfo with_docs = kInfo;
    with_docs.documentation = embedded::BindAllInterfacesDoc;
    return with_docs;
  }();
  return {.info = info,
          .prefilter = binds::sieve,
          .check = check,
          .check_open = check_open,
          .close = binds::close,
          .sink_classes = binds::sink_classes,
          .is_library = binds::is_library_name};
}

}  // namespace bindscan::rules
