#include "scanner/suppression.h"

#include <cctype>
#include <string>

namespace bindscan {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Consumes `word` at the start of `text`, ignoring case, when a word boundary follows.
bool take_word(std::string_view& text, std::string_view word) {
  if (text.size() < word.size() || !equals_ignore_case(text.substr(0, word.size()), word)) return false;
  if (text.size() > word.size()) {
    unsigned char next = static_cast<unsigned char>(text[word.size()]);
    if (std::isalnum(next) || next == '_' || next == '-') return false;
  }
  text.remove_prefix(word.size());
  return true;
}

// Whether the comma- or space-separated `codes` name one of `wanted`.
template <typename... Codes>
bool lists(std::string_view codes, Codes... wanted) {
  while (!codes.empty()) {
    size_t end = codes.find_first_of(", \t");
    std::string_view code = codes.substr(0, end);
    if (!code.empty() && ((!std::string_view(wanted).empty() && equals_ignore_case(code, wanted)) || ...))
      return true;
    if (end == std::string_view::npos) break;
    codes.remove_prefix(end + 1);
  }
  return false;
}

std::optional<SuppressionKind> match_segment(const RuleInfo& rule, std::string_view segment) {
  segment = trim(segment);
  if (take_word(segment, "bindscan")) {
    segment = trim(segment);
    if (segment.empty() || segment.front() != ':') return std::nullopt;
    segment = trim(segment.substr(1));
    if (!take_word(segment, "ignore")) return std::nullopt;
    segment = trim(segment);
    if (segment.empty() || segment.front() != '[') return SuppressionKind::kBindscan;
    size_t close = segment.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return lists(segment.substr(1, close - 1), rule.id) ? std::optional(SuppressionKind::kBindscan)
                                                        : std::nullopt;
  }
  if (take_word(segment, "nosec")) {
    segment = trim(segment);
    if (!segment.empty() && segment.front() == ':') segment = trim(segment.substr(1));
    if (segment.empty() || lists(segment, rule.bandit_id, rule.bandit_name))
      return SuppressionKind::kNosec;
    return std::nullopt;
  }
  if (take_word(segment, "noqa")) {
    segment = trim(segment);
    if (segment.empty() || segment.front() != ':') return SuppressionKind::kNoqa;  // blanket
    if (lists(trim(segment.substr(1)), rule.ruff_code)) return SuppressionKind::kNoqa;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Suppression> suppression_for(const RuleInfo& rule, std::string_view comment) {
  std::string_view rest = comment;
  while (!rest.empty()) {
    size_t hash = rest.find('#');
    if (hash == std::string_view::npos) break;
    rest.remove_prefix(hash + 1);
    std::string_view segment = rest.substr(0, rest.find('#'));
    if (auto kind = match_segment(rule, segment))
      return Suppression{*kind, std::string(trim(comment))};
  }
  return std::nullopt;
}

}  // namespace bindscan
