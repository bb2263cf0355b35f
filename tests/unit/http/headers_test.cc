// tests/unit/http/headers_test.cc
#include "server/http/headers.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(FindHeader, MatchesNamesCaseInsensitively) {
  const Headers headers = {{"Content-Type", "application/json"}};
  EXPECT_THAT(FindHeader(headers, "content-type"), Optional(std::string_view("application/json")));
  EXPECT_THAT(FindHeader(headers, "CONTENT-TYPE"), Optional(std::string_view("application/json")));
}

TEST(FindHeader, ReturnsTheFirstOfRepeatedFieldsAsStarlettesHeadersGet) {
  const Headers headers = {{"x-a", "1"}, {"X-A", "2"}, {"x-b", "3"}};
  EXPECT_THAT(FindHeader(headers, "x-a"), Optional(std::string_view("1")));
}

TEST(FindAllHeaders, ReturnsEveryValueInOrderAsStarlettesGetlist) {
  const Headers headers = {{"x-a", "1"}, {"x-b", "3"}, {"X-A", "2"}};
  EXPECT_THAT(FindAllHeaders(headers, "X-a"), ElementsAre("1", "2"));
  EXPECT_THAT(FindAllHeaders(headers, "x-c"), IsEmpty());
}

TEST(FindHeader, ReturnsNulloptWhenAbsent) {
  EXPECT_EQ(FindHeader({{"x-a", "1"}}, "x-b"), std::nullopt);
  EXPECT_EQ(FindHeader({}, "x-a"), std::nullopt);
}

TEST(FindHeader, DoesNotMatchPrefixes) {
  EXPECT_EQ(FindHeader({{"x-ab", "1"}}, "x-a"), std::nullopt);
}

TEST(FindHeader, ReturnsAnEmptyValueAsPresent) {
  EXPECT_THAT(FindHeader({{"x-a", ""}}, "x-a"), Optional(std::string_view("")));
}

}  // namespace
}  // namespace corouter::http
