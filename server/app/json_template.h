// server/app/json_template.h
//
// JsonTemplate: a JSON value whose strings may name the request's bound
// parameters, for route files (server/app/route_file.h) to write responses
// and HTTPException details without code. The syntax is Python's
// str.format, restricted to names:
//
//   {"item_id": "{item_id}", "q": "{q}", "msg": "item {item_id} of {owner.name}"}
//
//  - A string that is exactly one placeholder becomes the parameter's bound
//    value with its type: `"{item_id}"` is the int 1, `"{q}"` is null when q
//    was not given, `"{item}"` is the whole validated model.
//  - Placeholders inside a longer string are replaced by text: a string
//    value as it is, any other value as compact JSON (`1`, `1.5`, `true`,
//    `null`, `["a","b"]`; NaN and infinities as Python's json.dumps writes
//    them: `NaN`, `Infinity`, `-Infinity`).
//  - `{name.key.key}` reads into a JSON object (a model: its fields by their
//    JSON key, the alias if any); a missing key, or a value that is not an
//    object, gives null.
//  - `{{` and `}}` are literal braces; any other `{` or `}` is an error.
//  - Object keys, numbers, booleans and null are taken literally.
//
// Placeholder names are checked when the template is compiled, against the
// names the route declares, so a typo stops the server at startup.
//
// Thread safety: immutable after Compile; Render is const and thread-safe.
#ifndef COROUTER_SERVER_APP_JSON_TEMPLATE_H_
#define COROUTER_SERVER_APP_JSON_TEMPLATE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "server/http/response.h"
#include "server/routing/parameters.h"

namespace corouter::app {

class JsonTemplate {
 public:
  /// The null template (renders null).
  JsonTemplate() = default;

  /// Compiles `value`. `names` are the placeholders it may use.
  /// Errors: INVALID_ARGUMENT naming the offending string: a placeholder
  /// whose name is not in `names`, a malformed placeholder (`{}`, `{1x}`,
  /// `{a.}`), an unmatched `{` or `}`.
  static absl::StatusOr<JsonTemplate> Compile(const http::Json& value,
                                              const std::vector<std::string>& names);

  /// The value with every placeholder replaced from `values` (a name that
  /// has no value renders as null).
  http::Json Render(const routing::ParamValues& values) const;

  /// Render, then as text: a string as it is, anything else as compact
  /// JSON (for header values).
  std::string RenderText(const routing::ParamValues& values) const;

  /// Whether the template holds no placeholder at all.
  bool is_literal() const;

 private:
  /// One piece of a string: literal text, or a placeholder's path
  /// (`{item.name}` is {"item", "name"}).
  struct Part {
    bool is_placeholder = false;
    std::string text;
    std::vector<std::string> path;
  };
  // An object's member: its key and its value's template. Declared before
  // Node and defined after it because std::pair<std::string, Node> would
  // need Node complete inside Node (libstdc++ 12 under clang rejects it).
  struct Member;
  struct Node {
    enum class Kind { kLiteral, kString, kArray, kObject };
    Kind kind = Kind::kLiteral;
    http::Json literal;           // kLiteral
    std::vector<Part> parts;      // kString
    std::vector<Node> items;      // kArray
    std::vector<Member> members;  // kObject
  };
  struct Member {
    Member(std::string key, Node value) : first(std::move(key)), second(std::move(value)) {}
    std::string first;
    Node second;
  };

  static absl::StatusOr<Node> CompileNode(const http::Json& value,
                                          const std::vector<std::string>& names);
  static http::Json RenderNode(const Node& node, const routing::ParamValues& values);
  static bool IsLiteral(const Node& node);

  Node root_;
};

/// The text a placeholder inside a longer string becomes (see the file
/// comment): a string as it is, anything else as compact JSON.
std::string TemplateText(const http::Json& value);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_JSON_TEMPLATE_H_
