#include "cli/options.h"

#include "common/spelling.h"

namespace bindscan::cli {

std::string did_you_mean(std::string_view typo, std::span<const std::string_view> choices) {
  return bindscan::did_you_mean(typo, choices);
}

}  // namespace bindscan::cli
