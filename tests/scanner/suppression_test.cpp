#include "scanner/suppression.h"

#include <gtest/gtest.h>

#include "scanner/rule.h"

namespace bindscan {
namespace {

const RuleInfo& rule() { return find_rule("bind-all-interfaces")->info; }

TEST(Suppression, RecognisesEachToolsComment) {
  struct Case {
    const char* comment;
    std::optional<SuppressionKind> kind;
  } cases[] = {
      {"# bindscan: ignore", SuppressionKind::kBindscan},
      {"#bindscan:ignore[bind-all-interfaces]", SuppressionKind::kBindscan},
      {"# bindscan: ignore[other, bind-all-interfaces]", SuppressionKind::kBindscan},
      {"# bindscan: ignore[other]", std::nullopt},
      {"# bindscan: ignore[bind-all-interfaces", std::nullopt},
      {"# bindscan ignore", std::nullopt},
      {"# nosec", SuppressionKind::kNosec},
      {"# NOSEC", SuppressionKind::kNosec},
      {"# nosec B104", SuppressionKind::kNosec},
      {"# nosec: B104", SuppressionKind::kNosec},
      {"# nosec B105,B104", SuppressionKind::kNosec},
      {"# nosec hardcoded_bind_all_interfaces", SuppressionKind::kNosec},
      {"# nosec B105", std::nullopt},
      {"# nosecurity", std::nullopt},
      {"# noqa", SuppressionKind::kNoqa},
      {"# noqa: S104", SuppressionKind::kNoqa},
      {"# noqa:E501,S104", SuppressionKind::kNoqa},
      {"# noqa: E501", std::nullopt},
      {"# type: ignore # noqa: S104", SuppressionKind::kNoqa},
      {"# see the noqa docs", std::nullopt},
      {"# todo: nosec later", std::nullopt},
      {"#", std::nullopt},
  };
  for (const Case& c : cases) {
    auto found = suppression_for(rule(), c.comment);
    EXPECT_EQ(found.has_value(), c.kind.has_value()) << c.comment;
    if (found && c.kind) {
      EXPECT_EQ(found->kind, *c.kind) << c.comment;
      EXPECT_EQ(found->comment, c.comment);
    }
  }
}

}  // namespace
}  // namespace bindscan
