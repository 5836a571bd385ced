#include "scanner/scan.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/suppression.h"

namespace bindscan {

struct Scanner::Impl {
  std::vector<Rule> rules;
  ScanOptions options;
  mutable Parser parser;
};

Scanner::Scanner(std::span<const Rule> rules, ScanOptions options)
    : impl_(new Impl{{rules.begin(), rules.end()}, options, {}}) {}

Scanner::~Scanner() = default;

ScanResult Scanner::scan(std::string_view source) const {
  ScanResult result;
  // tree-sitter addresses bytes with 32-bit offsets.
  if (source.size() >= std::numeric_limits<uint32_t>::max()) return result;
  std::vector<const Rule*> active;
  for (const Rule& rule : impl_->rules)
    if (!impl_->options.prefilter || rule.may_match(source)) active.push_back(&rule);
  if (active.empty()) return result;

  // tree-sitter reads a NUL byte as the end of input. Python refuses such
  // files anyway; blanking the NULs keeps every offset and lets the rest parse.
  std::string without_nul;
  if (std::memchr(source.data(), '\0', source.size()) != nullptr) {
    without_nul.assign(source);
    std::replace(without_nul.begin(), without_nul.end(), '\0', ' ');
    source = without_nul;
  }
  const ScanOptions& options = impl_->options;
  auto timeout = options.parse_timeout + options.parse_timeout_per_mib * static_cast<int64_t>(source.size() >> 20);
  std::optional<Tree> tree = impl_->parser.parse(source, timeout);
  result.parsed = true;
  if (!tree) {
    result.timed_out = true;
    return result;
  }
  Module module(*tree);
  for (const Rule* rule : active) {
    size_t first = result.findings.size();
    rule->check(module, result.findings);
    for (size_t i = first; i < result.findings.size(); ++i) {
      Finding& finding = result.findings[i];
      // The comment may sit on the first or the last line of what is reported.
      for (uint32_t row : {finding.span.start.row, finding.span.stop.row}) {
        const Comment* comment = module.comment_on_row(row);
        if (comment != nullptr && !finding.suppression)
          finding.suppression = suppression_for(rule->info, comment->text);
      }
    }
  }
  std::sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.span.start, a.rule_id, a.span.begin, a.span.end) <
           std::tie(b.span.start, b.rule_id, b.span.begin, b.span.end);
  });
  return result;
}

}  // namespace bindscan
