// tests/unit/routing/redirect_slashes_test.cc
//
// Starlette's redirect_slashes response (fastapi-semantics.md section 3):
// the location built from the host header or the server address, quoted.
#include "server/routing/redirect_slashes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using ::testing::ElementsAre;

TEST(IsValidHostHeader, FollowsStarlettesHostRe) {
  for (const char* ok : {"testserver", "example.com:8080", "EXAMPLE.com", "a-b.c", "127.0.0.1:1",
                         "[::1]", "[::1]:80", "[2001:db8::1]", "[::ffff:1.2.3.4]"}) {
    EXPECT_TRUE(IsValidHostHeader(ok)) << ok;
  }
  for (const char* bad : {"", "evil.com/x?", "a:b", "a:", ":80", "[::1", "[]", "[abc]", "[:]",
                          "a b", "h\xC3\xA9", "a_b", "[::1]x"}) {
    EXPECT_FALSE(IsValidHostHeader(bad)) << bad;
  }
}

TEST(QuoteLocation, KeepsSafeCharactersAndEncodesTheRest) {
  EXPECT_EQ(QuoteLocation("http://h/a b/\xC3\xA9\"<>\\^`{|}"),
            "http://h/a%20b/%C3%A9%22%3C%3E%5C%5E%60%7B%7C%7D");
  EXPECT_EQ(QuoteLocation("/p?x=1&y=%20+;:@[]!$'()*,#~_.-"), "/p?x=1&y=%20+;:@[]!$'()*,#~_.-");
}

TEST(RedirectSlashesResponse, Is307WithAnEmptyBodyAndALocation) {
  const http::Response r = RedirectSlashesResponse("/slash", "", {{"host", "testserver"}}, "x:1");
  EXPECT_EQ(r.status_code, 307);
  EXPECT_EQ(r.body, "");
  EXPECT_THAT(r.headers, ElementsAre(http::Header{"content-length", "0"},
                                     http::Header{"location", "http://testserver/slash"}));
}

TEST(RedirectSlashesResponse, CopiesTheQueryRaw) {
  EXPECT_EQ(RedirectSlashesResponse("/withslash/", "x=1&y=%20+", {{"Host", "h:8"}}, "s")
                .headers.back()
                .value,
            "http://h:8/withslash/?x=1&y=%20+");
}

TEST(RedirectSlashesResponse, FallsBackToTheServerAddress) {
  EXPECT_EQ(RedirectSlashesResponse("/slash", "", {{"host", "evil.com/x?"}}, "127.0.0.1:8765")
                .headers.back()
                .value,
            "http://127.0.0.1:8765/slash");
  EXPECT_EQ(RedirectSlashesResponse("/slash", "", {}, "127.0.0.1:50051").headers.back().value,
            "http://127.0.0.1:50051/slash");
  // The first host field is the one read.
  EXPECT_EQ(RedirectSlashesResponse("/s", "", {{"host", "bad/"}, {"host", "good"}}, "srv")
                .headers.back()
                .value,
            "http://srv/s");
}

}  // namespace
}  // namespace corouter::routing
