#include "cli/options.h"

#include "common/spelling.h"

#include <algorithm>
#include <vector>

namespace bindscan::cli {
std::string did_you_mean(std::string_view typo, std::span<const std::string_view> choices) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view choice : choices) {
    size_t d = edit_distance(typo, choice);
    if (d < best_distance) {
      best = choice;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : ", did you mean '" + std::string(best) + "'?";
}

}  // namespace bindscan::cli
