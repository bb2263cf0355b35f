// tests/unit/routing/router_test.cc
//
// The trie router against Starlette's rules (fastapi-semantics.md sections 0
// and 3), and against a plain registration-order scan of the same templates
// (Starlette's Router.__call__ loop) on thousands of random tables and paths.
#include "server/routing/router.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using Kind = RouteResult::Kind;

PathTemplate T(std::string_view text) {
  auto compiled = PathTemplate::Compile(text);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *std::move(compiled);
}

Router Make(const std::vector<std::pair<std::vector<std::string>, std::string>>& routes,
            RouterOptions options = {}) {
  Router router(options);
  for (const auto& [methods, text] : routes) router.Add(methods, T(text));
  return router;
}

TEST(Router, StaticRouteRegisteredFirstWins) {
  Router router = Make({{{"GET"}, "/users/me"}, {{"GET"}, "/users/{id}"}});
  RouteResult r = router.Match("GET", "/users/me");
  EXPECT_EQ(r.kind, Kind::kMatched);
  EXPECT_EQ(r.route, 0u);
  r = router.Match("GET", "/users/42");
  EXPECT_EQ(r.route, 1u);
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "42")));
  EXPECT_EQ(r.path_template, &router.path_template(1));
}

TEST(Router, LaterStaticRouteLosesToEarlierParameterRoute) {
  // Section 3: `/late/{x}` before `/late/me` makes the static route unreachable.
  Router router = Make({{{"GET"}, "/late/{x}"}, {{"GET"}, "/late/me"}});
  RouteResult r = router.Match("GET", "/late/me");
  EXPECT_EQ(r.route, 0u);
  EXPECT_THAT(r.path_params, ElementsAre(Pair("x", "me")));
}

TEST(Router, FirstOfTwoIdenticalRoutesWins) {
  Router router = Make({{{"GET"}, "/dup"}, {{"GET"}, "/dup"}});
  EXPECT_EQ(router.Match("GET", "/dup").route, 0u);
}

TEST(Router, ConverterMismatchFallsThroughToTheNextRoute) {
  Router router = Make({{{"GET"}, "/fallc/{x:int}"}, {{"GET"}, "/fallc/{x}"}});
  EXPECT_EQ(router.Match("GET", "/fallc/5").route, 0u);
  EXPECT_EQ(router.Match("GET", "/fallc/abc").route, 1u);
}

TEST(Router, FirstPartialRouteGivesTheAllowedMethods) {
  Router router = Make({{{"GET"}, "/multi"}, {{"PUT"}, "/multi"}, {{"DELETE"}, "/multi"}});
  RouteResult r = router.Match("POST", "/multi");
  EXPECT_EQ(r.kind, Kind::kMethodNotAllowed);
  EXPECT_THAT(r.allowed_methods, ElementsAre("GET"));
  EXPECT_EQ(router.Match("DELETE", "/multi").route, 2u);
}

TEST(Router, LaterFullMatchBeatsEarlierPartialMatch) {
  Router router = Make({{{"GET"}, "/pf/{x}"}, {{"PUT"}, "/pf/{x}"}, {{"POST"}, "/pf/fixed"}});
  EXPECT_EQ(router.Match("POST", "/pf/fixed").route, 2u);
  EXPECT_EQ(router.Match("PUT", "/pf/fixed").route, 1u);
  RouteResult r = router.Match("DELETE", "/pf/fixed");
  EXPECT_EQ(r.kind, Kind::kMethodNotAllowed);
  EXPECT_THAT(r.allowed_methods, ElementsAre("GET"));
}

TEST(Router, AllowedMethodsAreSortedAndDeduplicated) {
  Router router = Make({{{"POST", "GET", "PATCH", "GET"}, "/api"}});
  RouteResult r = router.Match("DELETE", "/api");
  EXPECT_THAT(r.allowed_methods, ElementsAre("GET", "PATCH", "POST"));
  EXPECT_EQ(AllowHeader(r.allowed_methods), "GET, PATCH, POST");
}

TEST(Router, HeadOnAGetRouteIsNotAllowedAndMethodsAreCaseSensitive) {
  Router router = Make({{{"GET"}, "/users/me"}});
  EXPECT_EQ(router.Match("HEAD", "/users/me").kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(router.Match("OPTIONS", "/users/me").kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(router.Match("get", "/users/me").kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(router.Match("OPTIONS", "/nope").kind, Kind::kNotFound);
}

TEST(Router, PathsAreCaseSensitiveAndNotNormalised) {
  Router router = Make({{{"GET"}, "/Case"}, {{"GET"}, "/users/me"}});
  EXPECT_EQ(router.Match("GET", "/case").kind, Kind::kNotFound);
  for (const char* path : {"//users/me", "/users//me", "/users/./me", "/users/../users/me", "//"}) {
    EXPECT_EQ(router.Match("GET", path).kind, Kind::kNotFound) << path;
  }
}

TEST(Router, ParametersAnywhereInASegmentAreGreedy) {
  Router router = Make({{{"GET"}, "/prefix-{name}.txt"}, {{"GET"}, "/two/{a}-{b}"}});
  EXPECT_THAT(router.Match("GET", "/prefix-report.txt").path_params,
              ElementsAre(Pair("name", "report")));
  EXPECT_THAT(router.Match("GET", "/two/x-y-z").path_params,
              ElementsAre(Pair("a", "x-y"), Pair("b", "z")));
  EXPECT_EQ(router.Match("GET", "/prefix-.txt").kind, Kind::kNotFound);
}

TEST(Router, PathConverterCrossesSegments) {
  Router router = Make({{{"GET"}, "/conv/path/{p:path}"}, {{"GET"}, "/x/{p:path}/tail"}});
  EXPECT_THAT(router.Match("GET", "/conv/path/a/b/c.txt").path_params,
              ElementsAre(Pair("p", "a/b/c.txt")));
  EXPECT_THAT(router.Match("GET", "/conv/path/").path_params, ElementsAre(Pair("p", "")));
  EXPECT_THAT(router.Match("GET", "/x/y/z/tail").path_params, ElementsAre(Pair("p", "y/z")));
  // '.' in `path` stops at a newline (no DOTALL).
  EXPECT_EQ(router.Match("GET", "/conv/path/a\nb").kind, Kind::kNotFound);
}

TEST(Router, ConvertersConvertTheCapturedText) {
  Router router = Make({{{"GET"}, "/i/{v:int}"}, {{"GET"}, "/f/{v:float}"}});
  EXPECT_THAT(router.Match("GET", "/i/007").path_params, ElementsAre(Pair("v", "7")));
  EXPECT_THAT(router.Match("GET", "/f/01.50").path_params, ElementsAre(Pair("v", "1.5")));
  EXPECT_THAT(router.Match("GET", "/f/3").path_params, ElementsAre(Pair("v", "3.0")));
  EXPECT_EQ(router.Match("GET", "/i/-42").kind, Kind::kNotFound);
  EXPECT_EQ(router.Match("GET", "/f/1e5").kind, Kind::kNotFound);
}

TEST(Router, NoNewlineQuirk) {
  // Python's `$` matches before a final "\n", so Starlette routes
  // "/users/me\n" to "/users/me"; corouter requires the whole path (docs/differences.md).
  Router router = Make({{{"GET"}, "/users/me"}, {{"GET"}, "/users/{id}"}});
  RouteResult r = router.Match("GET", "/users/me\n");
  EXPECT_EQ(r.route, 1u);
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "me\n")));
}

TEST(Router, RedirectSlashesWhenTheOtherPathMatchesFullOrPartially) {
  Router router = Make({{{"GET"}, "/slash"},
                        {{"GET"}, "/withslash/"},
                        {{"GET"}, "/items/{id}"},
                        {{"GET"}, "/conv/path/{p:path}"}});
  RouteResult r = router.Match("GET", "/slash/");
  EXPECT_EQ(r.kind, Kind::kRedirectSlashes);
  EXPECT_EQ(r.redirect_path, "/slash");
  EXPECT_EQ(router.Match("GET", "/withslash").redirect_path, "/withslash/");
  EXPECT_EQ(router.Match("POST", "/slash/").kind, Kind::kRedirectSlashes);  // PARTIAL is enough
  EXPECT_EQ(router.Match("GET", "/slash//").redirect_path, "/slash");
  EXPECT_EQ(router.Match("GET", "/items/").kind, Kind::kNotFound);
  EXPECT_EQ(router.Match("GET", "/conv/path").redirect_path, "/conv/path/");
  EXPECT_EQ(router.Match("GET", "/").kind, Kind::kNotFound);
}

TEST(Router, RedirectSlashesCanBeTurnedOff) {
  Router router = Make({{{"GET"}, "/slash"}}, RouterOptions{.redirect_slashes = false});
  EXPECT_EQ(router.Match("GET", "/slash/").kind, Kind::kNotFound);
}

TEST(Router, RootIsOnlyRedirectedFromElsewhere) {
  Router router = Make({{{"GET"}, "/"}});
  EXPECT_EQ(router.Match("GET", "/").kind, Kind::kMatched);
  EXPECT_EQ(router.Match("GET", "//").kind, Kind::kNotFound);  // "//".rstrip("/") == ""
}

TEST(RedirectSlashesPath, StripsEveryTrailingSlashOrAddsOne) {
  EXPECT_EQ(RedirectSlashesPath("/a/"), "/a");
  EXPECT_EQ(RedirectSlashesPath("/a///"), "/a");
  EXPECT_EQ(RedirectSlashesPath("/a"), "/a/");
  EXPECT_EQ(RedirectSlashesPath("//"), "");
}

// ---- differential: the trie against Starlette's linear scan ---------------

// Starlette's Router.__call__, literally (section 0's pseudo-code).
RouteResult LinearMatch(
    const std::vector<std::pair<std::vector<std::string>, PathTemplate>>& routes,
    std::string_view method, std::string_view path) {
  RouteResult result;
  std::optional<size_t> partial;
  for (size_t i = 0; i < routes.size(); ++i) {
    PathParams params;
    if (!routes[i].second.Match(path, &params)) continue;
    const auto& methods = routes[i].first;
    if (std::find(methods.begin(), methods.end(), method) != methods.end()) {
      result.kind = Kind::kMatched;
      result.route = i;
      result.path_params = std::move(params);
      return result;
    }
    if (!partial) partial = i;
  }
  if (partial) {
    result.kind = Kind::kMethodNotAllowed;
    result.route = *partial;
    return result;
  }
  if (path != "/") {
    const std::string other = RedirectSlashesPath(path);
    for (const auto& [methods, path_template] : routes) {
      PathParams params;
      if (path_template.Match(other, &params)) {
        result.kind = Kind::kRedirectSlashes;
        result.redirect_path = other;
        return result;
      }
    }
  }
  return result;
}

TEST(RouterDifferential, AgreesWithALinearScanOnRandomTablesAndPaths) {
  const std::vector<std::string> template_segments = {
      "a",        "b",        "me",     "",        "{x}",         "{x:int}",  "{x:float}",
      "{x:uuid}", "{x:path}", "p{x}.t", "{x}-{y}", "{x:int}-{y}", "a{x:path}"};
  const std::vector<std::string> path_segments = {
      "a",     "b",    "me",  "",    "7",   "007", "1.5",
      "x-y-z", "p1.t", "p.t", "3-q", "a/b", "-",   "12345678-1234-1234-1234-123456789abc",
      "a\nb"};
  const std::vector<std::string> methods = {"GET", "POST", "PUT"};
  std::mt19937 rng(20240607);
  auto pick = [&rng](const auto& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  size_t compared = 0;
  std::map<Kind, size_t> kinds;
  for (int table = 0; table < 200; ++table) {
    std::vector<std::pair<std::vector<std::string>, PathTemplate>> routes;
    Router router;
    const int count = std::uniform_int_distribution<int>(1, 30)(rng);
    for (int r = 0; r < count; ++r) {
      std::string text;
      int params = 0;
      const int depth = std::uniform_int_distribution<int>(1, 4)(rng);
      for (int d = 0; d < depth; ++d) {
        std::string segment = pick(template_segments);
        // Distinct parameter names within a template.
        for (const char* name : {"{x", "{y"}) {
          const size_t at = segment.find(name);
          // StrCat, not "p" + std::to_string(): GCC 12 at -O2/-O3 reports a
          // false -Wrestrict in libstdc++'s operator+ (GCC bug 105651).
          if (at != std::string::npos) segment.replace(at + 1, 1, absl::StrCat("p", params++));
        }
        text += "/" + segment;
      }
      std::vector<std::string> route_methods = {pick(methods)};
      if (rng() % 4 == 0) route_methods.push_back(pick(methods));
      auto compiled = PathTemplate::Compile(text);
      ASSERT_TRUE(compiled.ok()) << text << ": " << compiled.status();
      routes.emplace_back(route_methods, *compiled);
      router.Add(route_methods, *std::move(compiled));
    }
    for (int q = 0; q < 100; ++q) {
      std::string path;
      const int depth = std::uniform_int_distribution<int>(1, 5)(rng);
      for (int d = 0; d < depth; ++d) path += "/" + pick(path_segments);
      if (rng() % 8 == 0) path += "/";
      const std::string method = pick(methods);
      const RouteResult want = LinearMatch(routes, method, path);
      const RouteResult got = router.Match(method, path);
      ASSERT_EQ(got.kind, want.kind) << method << " " << path;
      if (want.kind == Kind::kMatched) {
        ASSERT_EQ(got.route, want.route) << method << " " << path;
        ASSERT_EQ(got.path_params, want.path_params) << method << " " << path;
      } else if (want.kind == Kind::kMethodNotAllowed) {
        ASSERT_EQ(got.allowed_methods, router.methods(want.route)) << method << " " << path;
      } else if (want.kind == Kind::kRedirectSlashes) {
        ASSERT_EQ(got.redirect_path, want.redirect_path) << method << " " << path;
      }
      ++compared;
      ++kinds[want.kind];
    }
  }
  EXPECT_EQ(compared, 20000u);
  // Every outcome is exercised, not just 404s.
  EXPECT_GT(kinds[Kind::kMatched], 1000u);
  EXPECT_GT(kinds[Kind::kMethodNotAllowed], 300u);
  EXPECT_GT(kinds[Kind::kRedirectSlashes], 100u);
  EXPECT_GT(kinds[Kind::kNotFound], 1000u);
}

}  // namespace
}  // namespace corouter::routing
