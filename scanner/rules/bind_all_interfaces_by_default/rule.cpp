#include "scanner/rules/bind_all_interfaces_by_default/rule.h"

#include "scanner/rules/bind_all_interfaces/binds.h"

namespace bindscan::embedded {
extern const std::string_view BindAllInterfacesByDefaultDoc;
}

namespace bindscan::rules {
namespace {

constexpr RuleInfo kInfo{
    .id = "bind-all-interfaces-by-default",
    .name = "ServerBoundToAllInterfacesByDefault",
    .short_description = "Server listens on all network interfaces because the host is left out",
    .full_description =
        "A call that gives no host to an API whose default host is every interface (None, \"\" or 0.0.0.0 in the "
        "library's own code) accepts connections on every network interface of the machine (CWE-1327).",
    .documentation = {},
    .cwe = 1327,
    .default_level = Level::kWarning,
    .precision = "high",
    .security_severity = "6.5",
    .bandit_id = {},
    .bandit_name = {},
    .ruff_code = {},
};

// The sinks and their defaults are the table of bind-all-interfaces
// (bind_all_interfaces/sinks*.cpp): a line with a default_host is judged here.
void check(const Module& module, std::vector<Finding>& out) {
  binds::check(module, binds::Report::kDefaultHost, kInfo.id, out);
}

}  // namespace

Rule bind_all_interfaces_by_default() {
  static const RuleInfo info = [] {
    RuleInfo with_docs = kInfo;
    with_docs.documentation = embedded::BindAllInterfacesByDefaultDoc;
    return with_docs;
  }();
  return {.info = info,
          .prefilter = binds::sieve,
          .check = check,
          .sink_classes = binds::sink_classes,
          .is_library = binds::is_library_name};
}

}  // namespace bindscan::rules
