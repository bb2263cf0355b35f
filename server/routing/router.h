// server/routing/router.h
//
// The Router picks the route for a (method, path) pair the way Starlette's
// Router.__call__ does (starlette/routing.py, lines 697-747):
//  1. routes are tried in registration order;
//  2. the first route whose path template matches AND whose methods include
//     the request method wins (a FULL match);
//  3. otherwise, if some route matched the path only (a PARTIAL match), the
//     answer is 405 with the methods of the FIRST such route;
//  4. otherwise 404.
// Methods are compared case-sensitively (h11 passes "get" through; it then
// matches no "GET" route).
//
// Routes are identified by their registration index; what a route runs is the
// caller's business (see app::App).
//
// Thread safety: Add is not thread-safe; after the last Add, Match is const
// and may be called from any number of threads.
#ifndef COROUTER_SERVER_ROUTING_ROUTER_H_
#define COROUTER_SERVER_ROUTING_ROUTER_H_

#include <cstddef>
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
    kNotFound,
  };
  Kind kind = Kind::kNotFound;
  size_t route = 0;
  PathParams path_params;
  /// Sorted (see AllowHeader).
  std::vector<std::string> allowed_methods;
};

class Router {
 public:
  /// Appends a route; `methods` are HTTP method tokens ("GET"). Returns its index.
  size_t Add(std::vector<std::string> methods, PathTemplate path_template);

  /// Routes a percent-decoded path.
  RouteResult Match(std::string_view method, std::string_view path) const;

  size_t size() const { return routes_.size(); }

 private:
  struct Entry {
    std::vector<std::string> methods;  // sorted
    PathTemplate path_template;
  };
  std::vector<Entry> routes_;
};

/// The `allow` header value of a 405: the first partial route's methods joined
/// with ", ". Starlette joins a Python set, whose order follows the hash seed;
/// corouter sorts them (a documented difference: same set, stable order).
std::string AllowHeader(const std::vector<std::string>& methods);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_ROUTER_H_
