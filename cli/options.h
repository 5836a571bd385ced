// Small helpers shared by the subcommands' option parsing.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bindscan::cli {

// ", did you mean 'X'?" for the closest of `choices` to `typo` (edit
// distance at most 2), or "" when none is close.
std::string did_you_mean(std::string_view typo, std::span<const std::string_view> choices);

}  // namespace bindscan::cli
