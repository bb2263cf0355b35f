// Tests of the flags of `corouter dashboard` (client/dashboard_command.h):
// defaults, --listen parsing, and errors that name the flag.
#include <string>

#include "client/dashboard_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ParseListenAddressTest, HostAndPort) {
  auto a = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 0);
  auto b = ParseListenAddress("[::1]:8080");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 8080);
  auto c = ParseListenAddress("localhost:65535");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->second, 65535);
}

TEST(ParseListenAddressTest, Bad) {
  for (const char* bad : {"8080", "127.0.0.1:", ":8080", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:80x", "::1:8080", "[]:80"}) {
    EXPECT_FALSE(ParseListenAddress(bad).ok()) << bad;
  }
}

TEST(ToDashboardOptionsTest, Defaults) {
  auto o = ToDashboardOptions(DashboardFlags{});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->servers, ElementsAre("127.0.0.1:50051"));
  EXPECT_EQ(o->listen_host, "127.0.0.1");
  EXPECT_EQ(o->listen_port, 8080);
  EXPECT_EQ(o->tab_buffer, 4096u);
  EXPECT_EQ(o->max_tabs, 32u);
  EXPECT_EQ(o->replay, 50u);
}

TEST(ToDashboardOptionsTest, SeveralServersInOrder) {
  DashboardFlags flags;
  flags.servers = {"b:2", "a:1"};
  flags.listen = "0.0.0.0:0";
  flags.port_file = "/tmp/p";
  auto o = ToDashboardOptions(flags);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->servers, ElementsAre("b:2", "a:1"));
  EXPECT_EQ(o->listen_host, "0.0.0.0");
  EXPECT_EQ(o->listen_port, 0);
  EXPECT_EQ(o->port_file, "/tmp/p");
}

TEST(ToDashboardOptionsTest, ErrorsNameTheFlag) {
  struct Case {
    DashboardFlags flags;
    const char* flag;
  };
  DashboardFlags empty_server, twice, listen, buffer, tabs, replay;
  empty_server.servers = {""};
  twice.servers = {"a:1", "a:1"};
  listen.listen = "nowhere";
  buffer.tab_buffer = 0;
  tabs.max_tabs = 0;
  replay.replay = -1;
  for (const Case& c :
       {Case{empty_server, "--server: "}, Case{twice, "--server: "}, Case{listen, "--listen: "},
        Case{buffer, "--tab-buffer: "}, Case{tabs, "--max-tabs: "}, Case{replay, "--replay: "}}) {
    auto o = ToDashboardOptions(c.flags);
    ASSERT_FALSE(o.ok()) << c.flag;
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(o.status().message()), StartsWith(c.flag));
  }
  listen.listen = "127.0.0.1:99999";
  EXPECT_THAT(std::string(ToDashboardOptions(listen).status().message()), HasSubstr("0 to 65535"));
}

}  // namespace
}  // namespace corouter::client
