// Suggestions for misspelt names: "did you mean --listen?".
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan {

// Levenshtein distance: insertions, deletions and substitutions of bytes.
inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ", did you mean 'X'?" for the closest of `choices` to `typo` (edit
// distance at most 2), or "" when none is close.
inline std::string did_you_mean(std::string_view typo, std::span<const std::string_view> choices) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view choice : choices) {
    const size_t d = edit_distance(typo, choice);
    if (d < best_distance) {
      best = choice;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : ", did you mean '" + std::string(best) + "'?";
}

}  // namespace bindscan
