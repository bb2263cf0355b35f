// server/routing/router.cc
#include "server/routing/router.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_join.h"

namespace corouter::routing {
namespace {

using Piece = PathTemplate::Piece;
constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// One segment of a template, between two '/': literal pieces and parameters
// (never a `path` one). Two segments are the same shape when their literals
// and converters agree; parameter names do not matter.
struct Segment {
  std::vector<Piece> pieces;

  bool is_literal() const {
    return std::none_of(pieces.begin(), pieces.end(),
                        [](const Piece& p) { return p.is_parameter; });
  }
  std::string literal() const {
    std::string out;
    for (const Piece& p : pieces) out += p.literal;
    return out;
  }
  bool SameShape(const Segment& other) const {
    return std::equal(pieces.begin(), pieces.end(), other.pieces.begin(), other.pieces.end(),
                      [](const Piece& a, const Piece& b) {
                        return a.is_parameter == b.is_parameter && a.literal == b.literal &&
                               (!a.is_parameter || a.parameter.converter == b.parameter.converter);
                      });
  }
};

// A template cut at its slashes: `segments`, and for a template with a
// `path` converter the index of the segment where it starts (`tail`).
struct Segmented {
  std::vector<Segment> segments;
  size_t tail = std::string::npos;
};

Segmented Segmentize(const PathTemplate& path_template) {
  Segmented out;
  Segment current;
  bool first = true;
  for (const Piece& piece : path_template.pieces()) {
    if (piece.is_parameter) {
      if (piece.parameter.converter == Converter::kPath) {
        out.tail = out.segments.size();
        return out;
      }
      current.pieces.push_back(piece);
      continue;
    }
    // Compile() guarantees the template starts with a literal '/'.
    std::string_view text = piece.literal;
    if (first) text.remove_prefix(1);
    size_t start = 0;
    while (true) {
      const size_t slash = text.find('/', start);
      const std::string_view part = text.substr(start, slash - start);
      if (!part.empty()) current.pieces.push_back(Piece{false, std::string(part), {}});
      if (slash == std::string_view::npos) break;
      out.segments.push_back(std::move(current));
      current = Segment{};
      start = slash + 1;
    }
    first = false;
  }
  out.segments.push_back(std::move(current));
  return out;
}

using Segments = absl::InlinedVector<std::string_view, 16>;

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. False when `path` is not absolute.
bool SplitPath(std::string_view path, Segments* out) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out->push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

struct Router::Node {
  explicit Node(uint32_t first) : first_route(first) {}

  absl::flat_hash_map<std::string, std::unique_ptr<Node>> literal_children;
  std::vector<std::pair<Segment, std::unique_ptr<Node>>> pattern_children;
  std::vector<uint32_t> routes_ending_here;  // ascending
  std::vector<uint32_t> routes_with_tail;    // `path` templates cut here; ascending
  // The smallest route index in this subtree: routes are added in order, so
  // it is the route that created the node.
  uint32_t first_route;
};

// One Match: a depth-first walk that keeps the smallest FULL and PARTIAL
// route indices found.
class Router::Search {
 public:
  Search(const Router& router, std::string_view method, std::string_view path, bool any)
      : router_(router), method_(method), path_(path), any_(any) {}

  // Returns false when `path` cannot match anything (not absolute).
  bool Run() {
    if (!SplitPath(path_, &segments_)) return false;
    Visit(*router_.root_, 0);
    return true;
  }

  uint32_t full() const { return full_; }
  uint32_t partial() const { return partial_; }
  PathParams TakeParams() { return std::move(full_params_); }

 private:
  bool Done() const { return any_ && (full_ != kNone || partial_ != kNone); }

  void Visit(const Node& node, size_t depth) {
    // Nothing below can beat the FULL match already found.
    if (node.first_route >= full_ || Done()) return;
    for (const uint32_t route : node.routes_with_tail) {
      if (route >= full_) break;
      PathParams params;
      if (router_.routes_[route].path_template.Match(path_, &params)) Record(route, &params);
    }
    if (depth == segments_.size()) {
      for (const uint32_t route : node.routes_ending_here) {
        if (route >= full_) break;
        Record(route, nullptr);
      }
      return;
    }
    const std::string_view segment = segments_[depth];
    // flat_hash_map<std::string> looks up by absl::string_view without a
    // copy (Debian's absl::string_view is not std::string_view).
    if (auto it = node.literal_children.find(absl::string_view(segment.data(), segment.size()));
        it != node.literal_children.end()) {
      Visit(*it->second, depth + 1);
    }
    for (const auto& [shape, child] : node.pattern_children) {
      if (child->first_route >= full_) continue;
      const size_t mark = captures_.size();
      if (shape.pieces.size() == 1) {
        const PathTemplate::Parameter& parameter = shape.pieces[0].parameter;
        if (!ConverterMatches(parameter.converter, segment)) continue;
        captures_.push_back({&parameter, segment});
      } else if (!MatchPieces(shape.pieces.data(), shape.pieces.size(), segment, &captures_)) {
        continue;
      }
      Visit(*child, depth + 1);
      captures_.resize(mark);
    }
  }

  // `tail_params` is set for a tail route (matched with its full template);
  // otherwise the captures so far are the route's, in template order.
  void Record(uint32_t route, PathParams* tail_params) {
    const Entry& entry = router_.routes_[route];
    if (!std::binary_search(entry.methods.begin(), entry.methods.end(), method_)) {
      partial_ = std::min(partial_, route);
      return;
    }
    full_ = route;
    if (any_) return;
    if (tail_params != nullptr) {
      full_params_ = std::move(*tail_params);
      return;
    }
    full_params_.clear();
    for (size_t i = 0; i < captures_.size(); ++i) {
      full_params_.emplace_back(
          entry.parameter_names[i],
          ConvertPathValue(captures_[i].parameter->converter, captures_[i].text));
    }
  }

  const Router& router_;
  const std::string_view method_;
  const std::string_view path_;
  const bool any_;  // stop at the first FULL or PARTIAL match
  Segments segments_;
  std::vector<RawCapture> captures_;
  uint32_t full_ = kNone;
  uint32_t partial_ = kNone;
  PathParams full_params_;
};

Router::Router() : Router(RouterOptions{}) {}
Router::Router(RouterOptions options) : options_(options), root_(std::make_unique<Node>(kNone)) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

size_t Router::Add(std::vector<std::string> methods, PathTemplate path_template) {
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  const auto index = static_cast<uint32_t>(routes_.size());
  const Segmented segmented = Segmentize(path_template);
  std::vector<std::string> names;
  for (const PathTemplate::Parameter& p : path_template.parameters()) names.push_back(p.name);
  routes_.push_back(Entry{std::move(methods), std::move(path_template), std::move(names)});

  Node* node = root_.get();
  node->first_route = std::min(node->first_route, index);
  const size_t depth = std::min(segmented.tail, segmented.segments.size());
  for (size_t i = 0; i < depth; ++i) {
    const Segment& segment = segmented.segments[i];
    std::unique_ptr<Node>* child = nullptr;
    if (segment.is_literal()) {
      child = &node->literal_children[segment.literal()];
    } else {
      for (auto& [shape, existing] : node->pattern_children) {
        if (shape.SameShape(segment)) child = &existing;
      }
      if (child == nullptr) child = &node->pattern_children.emplace_back(segment, nullptr).second;
    }
    if (*child == nullptr) *child = std::make_unique<Node>(index);
    node = child->get();
  }
  if (segmented.tail == std::string::npos) {
    node->routes_ending_here.push_back(index);
  } else {
    node->routes_with_tail.push_back(index);
  }
  return index;
}

RouteResult Router::Match(std::string_view method, std::string_view path) const {
  RouteResult result;
  Search search(*this, method, path, /*any=*/false);
  search.Run();
  if (search.full() != kNone) {
    result.kind = RouteResult::Kind::kMatched;
    result.route = search.full();
    result.path_params = search.TakeParams();
    result.path_template = &routes_[result.route].path_template;
    return result;
  }
  if (search.partial() != kNone) {
    result.kind = RouteResult::Kind::kMethodNotAllowed;
    result.allowed_methods = routes_[search.partial()].methods;
    return result;
  }
  // starlette/routing.py Router.__call__: `if scope["type"] == "http" and
  // self.redirect_slashes and scope["path"] != "/"`, then any route whose
  // match is not Match.NONE (FULL or PARTIAL) on the other path.
  if (options_.redirect_slashes && path != "/") {
    std::string other = RedirectSlashesPath(path);
    Search any(*this, method, other, /*any=*/true);
    any.Run();
    if (any.full() != kNone || any.partial() != kNone) {
      result.kind = RouteResult::Kind::kRedirectSlashes;
      result.redirect_path = std::move(other);
    }
  }
  return result;
}

std::string AllowHeader(const std::vector<std::string>& methods) {
  return absl::StrJoin(methods, ", ");
}

std::string RedirectSlashesPath(std::string_view path) {
  if (path.empty() || path.back() != '/') return std::string(path) + "/";
  const size_t last = path.find_last_not_of('/');
  return std::string(path.substr(0, last == std::string_view::npos ? 0 : last + 1));
}

}  // namespace corouter::routing
