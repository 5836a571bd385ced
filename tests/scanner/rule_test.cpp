// What a bind-all-interfaces finding carries besides its position: the
// message, related locations and the fix. Positions and which lines fire are
// covered by the fixtures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scanner/scan.h"

namespace bindscan {
namespace {

std::vector<Finding> scan(std::string_view source) { return Scanner().scan(source).findings; }

std::string_view slice(std::string_view source, const Span& span) {
  return source.substr(span.begin, span.end - span.begin);
}

TEST(BindAllInterfaces, MessageNamesTheClassTheSpellingAndItsMeaning) {
  auto findings = scan("import socketserver\nsocketserver.TCPServer(('0', 80), H)\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "bind-all-interfaces");
  EXPECT_NE(findings[0].message.find("socketserver.TCPServer"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("'0'"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("INADDR_ANY (0.0.0.0)"), std::string::npos) << findings[0].message;
}

TEST(BindAllInterfaces, ReportsTheAddressAsWrittenAndRelatesTheAssignment) {
  std::string source = "import socketserver\nHOST, PORT = \"\", 9\nADDR = (HOST, PORT)\nsocketserver.UDPServer(ADDR, H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(slice(source, findings[0].span), "ADDR");
  ASSERT_EQ(findings[0].related.size(), 2u);
  EXPECT_EQ(slice(source, findings[0].related[0].span), "ADDR = (HOST, PORT)");
  EXPECT_EQ(slice(source, findings[0].related[1].span), "HOST, PORT = \"\", 9");
}

TEST(BindAllInterfaces, FixReplacesTheLiteralWhereItIsWritten) {
  std::string source = "import socketserver\nHOST = ''\nsocketserver.TCPServer((HOST, 1), H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].fix);
  ASSERT_EQ(findings[0].fix->edits.size(), 1u);
  EXPECT_EQ(slice(source, findings[0].fix->edits[0].span), "''");
  EXPECT_EQ(findings[0].fix->edits[0].replacement, "'127.0.0.1'");
}

TEST(BindAllInterfaces, FixKeepsBytesAndUsesIPv6Loopback) {
  std::string source = "from socketserver import TCPServer\nTCPServer((b\"::\", 1), H)\nTCPServer((f'0.0.0.0', 1), H)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].fix->edits[0].replacement, "b\"::1\"");
  EXPECT_EQ(findings[1].fix->edits[0].replacement, "'127.0.0.1'");
}

TEST(BindAllInterfaces, EnvironmentDefaultIsReportedAsTheFallback) {
  std::string source =
      "import os\nfrom wsgiref.simple_server import make_server\nmake_server(os.getenv('BIND', '::'), 80, app)\n";
  auto findings = scan(source);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("when BIND is unset"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("fallback"), std::string::npos) << findings[0].message;
  EXPECT_EQ(slice(source, findings[0].fix->edits[0].span), "'::'");
}

TEST(BindAllInterfaces, SubclassMessageNamesTheLibraryClass) {
  auto findings = scan(
      "from http.server import HTTPServer\nclass A(HTTPServer): pass\nclass B(A): pass\nB(('', 8000), H)\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message.rfind("B (a subclass of http.server.HTTPServer) listens", 0), 0u)
      << findings[0].message;
}

TEST(BindAllInterfaces, SuppressionIsKeptOnTheFinding) {
  auto findings = scan("from socketserver import TCPServer\nTCPServer(('', 1), H)  # noqa: S104\n");
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].suppression);
  EXPECT_EQ(findings[0].suppression->kind, SuppressionKind::kNoqa);
  EXPECT_EQ(findings[0].suppression->comment, "# noqa: S104");
}

TEST(BindAllInterfaces, CyclicAliasesAndInheritanceEndQuietly) {
  EXPECT_TRUE(scan("import socketserver\nA = B\nB = A\nA(('', 1), H)\n").empty());
  EXPECT_TRUE(scan("import socketserver\nclass A(B): pass\nclass B(A): pass\nA(('', 1), H)\n").empty());
  EXPECT_TRUE(scan("import socketserver\nH = H\nsocketserver.TCPServer((H, 1), X)\n").empty());
}

// bind-all-interfaces-by-default: the message and the fix name the API's own keyword.
TEST(BindAllInterfacesByDefault, MessageAndFixUseTheApisKeyword) {
  struct Case {
    std::string source;
    std::string pass;
  };
  for (const Case& c : std::vector<Case>{
           {"from twisted.internet import reactor\nreactor.listenTCP(8000, f)\n", "interface=\"127.0.0.1\""},
           {"from tornado import netutil\nnetutil.bind_sockets(8888)\n", "address=\"127.0.0.1\""},
           {"import anyio\nanyio.create_tcp_listener(local_port=1)\n", "local_host=\"127.0.0.1\""},
           {"from twisted.internet import endpoints\nendpoints.TCP6ServerEndpoint(r, 80)\n", "interface=\"::1\""},
       }) {
    std::vector<Finding> findings;
    for (const Finding& f : scan(c.source))
      if (f.rule_id == "bind-all-interfaces-by-default") findings.push_back(f);
    ASSERT_EQ(findings.size(), 1u) << c.source;
    EXPECT_NE(findings[0].message.find("Pass " + c.pass), std::string::npos) << findings[0].message;
    ASSERT_TRUE(findings[0].fix) << c.source;
    ASSERT_EQ(findings[0].fix->edits.size(), 1u);
    EXPECT_EQ(findings[0].fix->edits[0].replacement, ", " + c.pass);
  }
}

}  // namespace
}  // namespace bindscan
