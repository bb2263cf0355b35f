// tests/fuzz/router.cc
//
// Router::Match (server/routing/router.h), the segment trie, against the
// definition it replaces: Starlette's Router.__call__ trying every route in
// registration order with the route's own PathTemplate::Match.
// Input, one item per line:
//   METHOD PATH                  the request (the first line)
//   METHOD[,METHOD...] TEMPLATE  a route, in registration order (at most 24;
//                                lines whose template does not compile are
//                                skipped, as App would refuse them, and
//                                so are those a backtracking match could
//                                take too long on: see WithinBudget)
// Expected, for a router with redirect_slashes and one without:
//  1. the first route whose template matches and whose methods hold the
//     method: kMatched, that index, that route's parameters;
//  2. else the first route whose template matches: kMethodNotAllowed with
//     its methods (sorted, each once);
//  3. else, with redirect_slashes and a path other than "/": if any route
//     matches RedirectSlashesPath(path), kRedirectSlashes to it;
//  4. else kNotFound.
#include "server/routing/router.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/routing/path_template.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace routing = corouter::routing;
using corouter::fuzz::Quote;
using Kind = routing::RouteResult::Kind;

struct Route {
  std::vector<std::string> methods;  // sorted, unique
  routing::PathTemplate path_template;
};

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kMatched:
      return "matched";
    case Kind::kMethodNotAllowed:
      return "405";
    case Kind::kRedirectSlashes:
      return "redirect";
    case Kind::kNotFound:
      return "404";
  }
  return "?";
}

routing::RouteResult Expected(const std::vector<Route>& routes, const std::string& method,
                              const std::string& path, bool redirect_slashes) {
  routing::RouteResult result;
  const Route* partial = nullptr;
  for (size_t i = 0; i < routes.size(); ++i) {
    routing::PathParams params;
    if (!routes[i].path_template.Match(path, &params)) continue;
    const auto& m = routes[i].methods;
    if (std::find(m.begin(), m.end(), method) != m.end()) {
      result.kind = Kind::kMatched;
      result.route = i;
      result.path_params = std::move(params);
      return result;
    }
    if (partial == nullptr) partial = &routes[i];
  }
  if (partial != nullptr) {
    result.kind = Kind::kMethodNotAllowed;
    result.allowed_methods = partial->methods;
    return result;
  }
  if (redirect_slashes && path != "/") {
    const std::string other = routing::RedirectSlashesPath(path);
    for (const Route& route : routes) {
      routing::PathParams params;
      if (route.path_template.Match(other, &params)) {
        result.kind = Kind::kRedirectSlashes;
        result.redirect_path = other;
        return result;
      }
    }
  }
  result.kind = Kind::kNotFound;
  return result;
}

// An upper bound on the splits a backtracking match may try: C(n, k) for k
// parameters over n bytes. Starlette's regex (and PathTemplate, which
// backtracks as it does) is O(n^k) on a template with k parameters that can
// share text: "/{a}{b}{c}{d}{e}{f}!" against "/" + 50 "x" takes 0.21 s in
// CPython's re and 0.25 s in a Release build of corouter (FUZZING.md). Routes
// beyond the budget are skipped: under ASan they would only measure that.
bool WithinBudget(size_t n, size_t k) {
  double splits = 1;
  for (size_t i = 0; i < k && i < n; ++i) splits = splits * static_cast<double>(n - i) / (i + 1);
  return splits <= 2e5;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in = corouter::fuzz::AsView(data, size);
  const std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(in.data(), in.size()), '\n');
  if (lines.empty()) return 0;
  auto split = [](absl::string_view line, std::string* first, std::string* rest) {
    const size_t space = line.find(' ');
    *first = std::string(line.substr(0, space));
    *rest = space == absl::string_view::npos ? std::string() : std::string(line.substr(space + 1));
  };
  std::string method, path;
  split(lines[0], &method, &path);
  if (path.empty()) path = "/";

  std::vector<Route> routes;
  routing::Router router;
  routing::Router plain(routing::RouterOptions{.redirect_slashes = false});
  for (size_t i = 1; i < lines.size() && routes.size() < 24; ++i) {
    std::string methods_text, template_text;
    split(lines[i], &methods_text, &template_text);
    auto compiled = routing::PathTemplate::Compile(template_text);
    if (!compiled.ok()) continue;
    if (!WithinBudget(path.size() + 1, compiled->parameters().size())) continue;
    const std::vector<std::string> methods = absl::StrSplit(methods_text, ',');
    std::vector<std::string> sorted = methods;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    const size_t index = router.Add(methods, *compiled);
    const size_t plain_index = plain.Add(methods, *compiled);
    FUZZ_CHECK(index == routes.size() && plain_index == routes.size()) << index;
    FUZZ_CHECK(router.methods(index) == sorted) << absl::StrJoin(router.methods(index), ",");
    routes.push_back({std::move(sorted), *std::move(compiled)});
  }

  for (const bool redirect : {true, false}) {
    const routing::RouteResult got = (redirect ? router : plain).Match(method, path);
    const routing::RouteResult want = Expected(routes, method, path, redirect);
    const std::string what =
        method + " " + Quote(path) + (redirect ? "" : " (no redirect_slashes)");
    FUZZ_CHECK(got.kind == want.kind)
        << what << ": " << KindName(got.kind) << " (route " << got.route << "), expected "
        << KindName(want.kind) << " (route " << want.route << ")";
    switch (want.kind) {
      case Kind::kMatched:
        FUZZ_CHECK(got.route == want.route)
            << what << ": route " << got.route << " ("
            << Quote(routes[got.route].path_template.text())
            << "), expected the first match, route " << want.route << " ("
            << Quote(routes[want.route].path_template.text()) << ")";
        FUZZ_CHECK(got.path_params == want.path_params) << what << ": parameters differ";
        FUZZ_CHECK(got.path_template == &router.path_template(got.route) ||
                   got.path_template == &plain.path_template(got.route))
            << what << ": path_template";
        break;
      case Kind::kMethodNotAllowed:
        FUZZ_CHECK(got.allowed_methods == want.allowed_methods)
            << what << ": allow " << routing::AllowHeader(got.allowed_methods) << ", expected "
            << routing::AllowHeader(want.allowed_methods);
        break;
      case Kind::kRedirectSlashes:
        FUZZ_CHECK(got.redirect_path == want.redirect_path)
            << what << ": redirect to " << Quote(got.redirect_path);
        break;
      case Kind::kNotFound:
        break;
    }
  }
  return 0;
}
