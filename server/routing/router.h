// server/routing/router.h
//
// The Router picks the route for a (method, path) pair with exactly the
// answer of Starlette's Router.__call__ (starlette/routing.py, lines
// 697-747), which tries every route's regex in registration order:
//  1. the first route whose path template matches AND whose methods include
//     the request method wins (a FULL match), even when an earlier route
//     matched the path only;
//  2. otherwise, if some route matched the path only (a PARTIAL match), the
//     answer is 405 with the methods of the FIRST such route;
//  3. otherwise, with redirect_slashes on and a path other than "/", the
//     path with its trailing slashes stripped (or with one added) is tried;
//     if any route matches it FULL or PARTIAL, the answer is a redirect
//     there (see redirect_slashes.h);
//  4. otherwise 404.
// Methods are compared case-sensitively (h11 passes "get" through; it then
// matches no "GET" route).
//
// Unlike Starlette, the cost does not grow with the number of routes: the
// templates are compiled into a trie of path segments. A node's children
// are its literal segments (a hash map) and its segment patterns (a
// converter such as `{id:int}`, or literal text and parameters mixed inside
// one segment such as `prefix-{name}.txt`), shared by every route that
// spells them alike whatever the parameter names. Matching walks the path's
// segments down every branch that accepts them, so it visits only routes
// whose every segment fits the path; a template with a `path` converter,
// which crosses segments, is kept at the node of its last segment before
// the converter and checked there with its full pattern. Among the routes
// found, the smallest registration index wins, which is Starlette's order
// exactly (a later static route loses to an earlier parameter route); each
// node records the smallest index below it, so branches that cannot beat the
// best FULL match found so far are skipped.
//
// Difference from Starlette (README.md): Python's `$` also matches before a
// final "\n", so Starlette routes "/users/me%0A" to "/users/me"; here the
// whole path must match.
//
// Routes are identified by their registration index; what a route runs is
// the caller's business (see app::App).
//
// Thread safety: Add is not thread-safe; after the last Add, Match is const
// and may be called from any number of threads.
#ifndef COROUTER_SERVER_ROUTING_ROUTER_H_
#define COROUTER_SERVER_ROUTING_ROUTER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/routing/path_template.h"

namespace corouter::routing {

/// What the router decided.
struct RouteResult {
  enum class Kind {
    kMatched,           // `route` is the index of the route to run
    kMethodNotAllowed,  // `allowed_methods` lists the first partial route's methods
    kRedirectSlashes,   // `redirect_path` is where Starlette's redirect_slashes sends it
    kNotFound,
  };
  Kind kind = Kind::kNotFound;
  size_t route = 0;
  /// kMatched: the captured parameters, converted, in template order.
  PathParams path_params;
  /// kMatched: the route's template (for its converters); owned by the Router.
  const PathTemplate* path_template = nullptr;
  /// kMethodNotAllowed: sorted (see AllowHeader).
  std::vector<std::string> allowed_methods;
  /// kRedirectSlashes: the percent-decoded path to redirect to ("/slash").
  std::string redirect_path;
};

/// Starlette's Router(redirect_slashes=True), FastAPI's default.
struct RouterOptions {
  bool redirect_slashes = true;
};

class Router {
 public:
  Router();
  explicit Router(RouterOptions options);
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  /// Appends a route; `methods` are HTTP method tokens ("GET"). Returns its
  /// index. Cost: proportional to the template's length.
  size_t Add(std::vector<std::string> methods, PathTemplate path_template);

  /// Routes a percent-decoded path. Cost: proportional to the path's
  /// segments times the branches that accept them (routes whose templates
  /// differ in a literal segment are never looked at), not to size().
  RouteResult Match(std::string_view method, std::string_view path) const;

  size_t size() const { return routes_.size(); }
  /// The template and sorted methods of route `index` (< size()).
  const PathTemplate& path_template(size_t index) const { return routes_[index].path_template; }
  const std::vector<std::string>& methods(size_t index) const { return routes_[index].methods; }

 private:
  struct Node;
  struct Entry {
    std::vector<std::string> methods;  // sorted
    PathTemplate path_template;
    std::vector<std::string> parameter_names;  // in template order
  };
  class Search;

  RouterOptions options_;
  std::vector<Entry> routes_;
  std::unique_ptr<Node> root_;
};

/// The `allow` header value of a 405: the first partial route's methods joined
/// with ", ". Starlette joins a Python set, whose order follows the hash seed;
/// corouter sorts them (a documented difference: same set, stable order).
std::string AllowHeader(const std::vector<std::string>& methods);

/// Starlette's redirect_slashes alternative for `path`: its trailing slashes
/// stripped (`path.rstrip("/")`) when it ends with '/', else `path + "/"`.
std::string RedirectSlashesPath(std::string_view path);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_ROUTER_H_
