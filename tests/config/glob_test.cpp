// Glob patterns as a walk asks them, entry by entry (glob_matches_itself),
// and as a file's whole path is asked (glob_matches).
#include "config/glob.h"

#include <gtest/gtest.h>

namespace bindscan::config {
namespace {

TEST(GlobItself, APlainNameIsTheLastPartOfThePathExactly) {
  EXPECT_TRUE(glob_matches_itself("node_modules", "node_modules"));
  EXPECT_TRUE(glob_matches_itself("node_modules", "web/node_modules"));
  EXPECT_TRUE(glob_matches_itself(".git", "a/b/.git"));
  EXPECT_FALSE(glob_matches_itself("node_modules", "node_modules/pkg"));  // below it: the walk never gets there
  EXPECT_FALSE(glob_matches_itself(".git", "a/.github"));
  EXPECT_FALSE(glob_matches_itself(".git", "a/x.git"));
  EXPECT_FALSE(glob_matches_itself("venv", ".venv"));
}

TEST(GlobItself, PatternsWithSlashesOrWildcardsKeepTheirMeaning) {
  EXPECT_TRUE(glob_matches_itself("docs/build", "docs/build"));
  EXPECT_FALSE(glob_matches_itself("docs/build", "src/docs/build"));  // anchored
  EXPECT_TRUE(glob_matches_itself("./docs/", "docs"));
  EXPECT_TRUE(glob_matches_itself("*_pb2.py", "api/user_pb2.py"));
  EXPECT_TRUE(glob_matches_itself("test_?.py", "t/test_a.py"));
  EXPECT_TRUE(glob_matches_itself("[._]venv", "x/_venv"));
  EXPECT_TRUE(glob_matches_itself("**/gen", "a/b/gen"));
  EXPECT_FALSE(glob_matches_itself("*.py", "a/b.pyi"));
}

TEST(GlobWhole, AFolderAboveThePathMatchesToo) {
  EXPECT_TRUE(glob_matches("node_modules", "web/node_modules/pkg/setup.py"));
  EXPECT_FALSE(glob_matches("node_modules", "web/node_modules_extra/setup.py"));
}

}  // namespace
}  // namespace bindscan::config
