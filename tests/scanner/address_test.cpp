#include "scanner/address.h"

#include <gtest/gtest.h>

namespace bindscan {
namespace {

class AllInterfacesTest : public ::testing::TestWithParam<const char*> {};
class SpecificAddressTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AllInterfacesTest, IsEveryInterface) { EXPECT_TRUE(all_interfaces(GetParam()).has_value()) << GetParam(); }
TEST_P(SpecificAddressTest, IsNotEveryInterface) { EXPECT_FALSE(all_interfaces(GetParam()).has_value()) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(Spellings, AllInterfacesTest,
                         ::testing::Values("", "0", "0.0", "0.0.0", "0.0.0.0", "00", "0x0", "0X0", "0x00000000",
                                           "000.000.000.000", "0.0x0.00.0", "::", "::0", "0::", "0::0",
                                           "0:0:0:0:0:0:0:0", "0000:0000:0000:0000:0000:0000:0000:0000", "::%eth0",
                                           "::0.0.0.0", "::ffff:0.0.0.0", "::FFFF:0:0"));
INSTANTIATE_TEST_SUITE_P(Spellings, SpecificAddressTest,
                         ::testing::Values("127.0.0.1", "1", "0.0.0.1", "0x1", "::1", "::ffff:127.0.0.1",
                                           "::ffff:0.0.0.1", "localhost", " 0.0.0.0", "0.0.0.0 ", "0.0.0.0.0",
                                           "0.0.0.0/0", "<broadcast>", "fe80::1%eth0", "08", "0x", "::::", "0.0.0.0\n",
                                           "*", "any"));

TEST(AllInterfaces, NamesTheFamilyAndTheLoopbackToUseInstead) {
  auto v4 = all_interfaces("0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, AddressFamily::kIPv4);
  EXPECT_EQ(v4->meaning, "INADDR_ANY (0.0.0.0)");
  EXPECT_EQ(v4->loopback, "127.0.0.1");
  auto v6 = all_interfaces("0:0::0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, AddressFamily::kIPv6);
  EXPECT_EQ(v6->loopback, "::1");
  // The IPv4-mapped 0.0.0.0 binds INADDR_ANY on an IPv6 socket (bind probe):
  // its loopback keeps the IPv4-mapped form.
  auto mapped = all_interfaces("::ffff:0.0.0.0");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->loopback, "::ffff:127.0.0.1");
}

TEST(AllInterfaces, RejectsEmbeddedNulAndLongStrings) {
  EXPECT_FALSE(all_interfaces(std::string_view("0\0x", 3)));
  EXPECT_FALSE(all_interfaces(std::string(1000, '0')));
}

}  // namespace
}  // namespace bindscan
