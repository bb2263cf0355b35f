// server/routing/path_template.h
//
// A compiled path template: "/slow_task/{item_id}", "/files/{p:path}",
// "/prefix-{name}.txt". The grammar is Starlette's
// (starlette/routing.py compile_path, PARAM_REGEX
// `{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}`): literal text
// matches itself, a parameter matches its converter's pattern
// (starlette/convertors.py), and the whole path must match (`^...$`).
//
//   converter  pattern                          value
//   str        [^/]+                            the text
//   path       .* (stops at '\n', may be empty) the text
//   int        [0-9]+                           int(text): "007" -> 7
//   float      [0-9]+(\.[0-9]+)?                float(text): "01.50" -> 1.5
//   uuid       8-4-4-4-12 lowercase hex         the text
//
// A parameter may sit anywhere in a segment. Where a template allows several
// splits, the match is the one Python's backtracking regex finds: each
// parameter takes the longest text that still lets the rest match.
//
// Difference from Starlette: Python's `$` also matches before one final
// "\n", so Starlette routes "/users/me%0A" to "/users/me". corouter requires
// the whole path to match (no newline quirk).
//
// Thread safety: immutable after Compile; Match is const and thread-safe.
#ifndef COROUTER_SERVER_ROUTING_PATH_TEMPLATE_H_
#define COROUTER_SERVER_ROUTING_PATH_TEMPLATE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace corouter::routing {

/// Starlette's path converters.
enum class Converter { kStr, kPath, kInt, kFloat, kUuid };

/// "str", "path", "int", "float", "uuid".
std::string_view ConverterName(Converter converter);

/// A captured path parameter: its name and its converted value as text,
/// `str(convertor.convert(text))` ("007" through `int` is "7", "01.50"
/// through `float` is "1.5").
using PathParams = std::vector<std::pair<std::string, std::string>>;

class PathTemplate {
 public:
  /// Compiles `text`. Braces that do not form `{name}` or `{name:conv}` are
  /// literal text, as Starlette's PARAM_REGEX leaves them.
  /// Errors: INVALID_ARGUMENT when it does not start with '/' (FastAPI's
  /// "Routed paths must start with '/'"), names an unknown converter
  /// (Starlette asserts), or repeats a parameter name (Starlette raises
  /// ValueError).
  static absl::StatusOr<PathTemplate> Compile(std::string_view text);

  /// Matches a percent-decoded path. On success fills `params` (cleared
  /// first) in template order and returns true.
  bool Match(std::string_view path, PathParams* params) const;

  /// The template as written.
  const std::string& text() const { return text_; }

  /// Parameter names and converters, in template order.
  struct Parameter {
    std::string name;
    Converter converter;
  };
  std::vector<Parameter> parameters() const;

  /// The converter of the parameter named `name`, or nullopt.
  std::optional<Converter> ConverterOf(std::string_view name) const;

  /// The compiled template: literal text and parameters, alternating.
  struct Piece {
    bool is_parameter = false;
    std::string literal;  // when !is_parameter
    Parameter parameter;  // when is_parameter
  };
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  std::string text_;
  std::vector<Piece> pieces_;
};

/// Whether all of `text` matches the converter's pattern.
bool ConverterMatches(Converter converter, std::string_view text);

/// `str(convertor.convert(text))` for a `text` the converter matches: int
/// drops leading zeros ("007" -> "7"), float is Python's str of the float
/// ("01.50" -> "1.5"), the others are the text itself.
std::string ConvertPathValue(Converter converter, std::string_view text);

/// A parameter's raw (unconverted) text within a matched path.
struct RawCapture {
  const PathTemplate::Parameter* parameter;
  std::string_view text;
};

/// Matches the whole of `text` against `count` pieces starting at `pieces`,
/// as the compiled regex would: each parameter takes the longest text that
/// still lets the rest match. On success appends one capture per parameter
/// to `captures`, in order, and returns true; on failure leaves `captures`
/// as it was.
bool MatchPieces(const PathTemplate::Piece* pieces, size_t count, std::string_view text,
                 std::vector<RawCapture>* captures);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_PATH_TEMPLATE_H_
