#include "webhook/jobs/result_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;

class ResultCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bindscan-cache-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr const char* kBlob = "0123456789abcdef0123456789abcdef01234567";

TEST_F(ResultCacheTest, MissThenHit) {
  ResultCache cache(dir_, "0.1.0");
  EXPECT_EQ(cache.get(kBlob), std::nullopt);
  ASSERT_TRUE(cache.put(kBlob, R"([{"a":1}])").ok());
  EXPECT_EQ(cache.get(kBlob), R"([{"a":1}])");
  EXPECT_TRUE(fs::exists(dir_ / "v-0.1.0" / "01" / "23456789abcdef0123456789abcdef01234567.json"));
}

TEST_F(ResultCacheTest, EmptyResultsAreCachedToo) {
  ResultCache cache(dir_, "0.1.0");
  ASSERT_TRUE(cache.put(kBlob, "").ok());
  EXPECT_EQ(cache.get(kBlob), "");
}

TEST_F(ResultCacheTest, AnotherScannerVersionMisses) {
  ASSERT_TRUE(ResultCache(dir_, "0.1.0").put(kBlob, "old").ok());
  EXPECT_EQ(ResultCache(dir_, "0.2.0").get(kBlob), std::nullopt);
  EXPECT_EQ(ResultCache(dir_, "0.1.0").get(kBlob), "old");
}

TEST_F(ResultCacheTest, OverwritesAtomicallyAndLeavesNoTemporaryFiles) {
  ResultCache cache(dir_, "1/../../x");  // a version with path characters stays inside dir
  ASSERT_TRUE(cache.put(kBlob, "first").ok());
  ASSERT_TRUE(cache.put(kBlob, "second").ok());
  EXPECT_EQ(cache.get(kBlob), "second");
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) {
      ++files;
      EXPECT_EQ(e.path().extension(), ".json") << e.path();
    }
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(cache.dir().parent_path(), dir_);
}

TEST_F(ResultCacheTest, RejectsMalformedIds) {
  ResultCache cache(dir_, "0.1.0");
  for (const char* bad : {"", "../../etc/passwd", "0123", "0123456789ABCDEF0123456789abcdef01234567"}) {
    EXPECT_FALSE(cache.put(bad, "x").ok()) << bad;
    EXPECT_EQ(cache.get(bad), std::nullopt) << bad;
  }
}

TEST_F(ResultCacheTest, EraseDropsAnEntry) {
  ResultCache cache(dir_, "0.1.0");
  ASSERT_TRUE(cache.put(kBlob, "x").ok());
  cache.erase(kBlob);
  EXPECT_EQ(cache.get(kBlob), std::nullopt);
}

TEST_F(ResultCacheTest, AnUnwritableDirectoryIsAnIoError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "v-0.1.0") << "a file where a directory should be";
  ResultCache cache(dir_, "0.1.0");
  auto put = cache.put(kBlob, "x");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, "io");
}

}  // namespace
}  // namespace bindscan::webhook
