// server/routing/value_type.h
//
// The declared type of a parameter or of a body model's field: what a Python
// annotation says to pydantic 1.10 in a FastAPI 0.92 signature, described as
// data so that C++ code, a route file and an OpenAPI generator can all state
// and read it.
//
//   Python annotation                  ValueType
//   str, int, float, bool, uuid.UUID   ParamType::kStr ... ParamType::kUuid
//   datetime.date, datetime.datetime,  ParamType::kDate, kDatetime, kTime,
//   datetime.time, datetime.timedelta  kTimedelta (datetime_parse.h)
//   decimal.Decimal                    ParamType::kDecimal
//   bytes                              ParamType::kBytes (raw bytes in a JSON str)
//   fastapi.UploadFile                 ParamType::kUploadFile (a File() part)
//   class Color(str, Enum)             ValueType::Enum("Color", {"red", "green"})
//   list[int] / List[int]              ValueType::List(ParamType::kInt)
//   dict[str, int] / Dict[str, int]    ValueType::Dict(ParamType::kInt)
//   class Item(BaseModel)              ValueType::Model(item_spec)
//   Optional[X]                        X.AsNullable()  (JSON null is accepted)
//   Union[A, B]                        ValueType::Union({a, b})
//
// Constraints are FastAPI's Query/Path/Header/Body/Field arguments
// min_length, max_length, regex (pydantic's constr), gt, ge, lt, le
// (conint/confloat) and min_items, max_items (conlist). On a list the
// first ones apply to each item, as pydantic's
// get_annotation_with_constraints pushes them into the item type, and
// min_items/max_items to the list itself, at every level of a list of lists.
//
// Thread safety: immutable values once built; shared parts (the model, the
// compiled pattern) are held by shared_ptr to const.
#ifndef COROUTER_SERVER_ROUTING_VALUE_TYPE_H_
#define COROUTER_SERVER_ROUTING_VALUE_TYPE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "server/http/response.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace corouter::routing {

/// The kind of a declared type. Those before kEnum are scalars and convert
/// to a ValueType implicitly (`ParamSpec::Query("n", ParamType::kInt)`).
enum class ParamType {
  kStr,
  kInt,
  kFloat,
  kBool,
  kUuid,
  kDate,
  kDatetime,
  kTime,
  kTimedelta,
  kDecimal,
  kBytes,
  kUploadFile,
  kEnum,
  kList,
  kModel,
  kDict,
  kUnion,
};

/// "str", "int", "float", "bool", "uuid", "date", "datetime", "time",
/// "timedelta", "Decimal", "bytes", "UploadFile", "enum", "list", "model",
/// "dict", "Union".
std::string_view TypeName(ParamType type);

struct ModelSpec;

/// A declared type (see the file comment).
class ValueType {
 public:
  /// A scalar: kStr ... kUploadFile (CheckValueType rejects the compound kinds
  /// built this way).
  ValueType(ParamType scalar = ParamType::kStr) : kind_(scalar) {}  // NOLINT: implicit

  /// A string enum (`class Color(str, Enum)`): `name` names the class (for
  /// OpenAPI), `values` are the members' values in declaration order.
  static ValueType Enum(std::string name, std::vector<std::string> values);
  /// A number enum: `class Level(IntEnum)` (`base` kInt: the value goes
  /// through int_validator first, so "2" is Level(2)) or `class Ratio(float,
  /// Enum)` (`base` kFloat: a member only by equality, so no str is one).
  /// `values` are numbers, in declaration order.
  static ValueType NumberEnum(std::string name, ParamType base, std::vector<http::Json> values);
  /// `dict[str, value]`: a JSON object whose values are `value` (its keys
  /// are str; constraints apply to the values, as pydantic pushes them).
  static ValueType Dict(ValueType value);
  /// `list[item]`.
  static ValueType List(ValueType item);
  /// A pydantic model.
  static ValueType Model(std::shared_ptr<const ModelSpec> model);
  /// `Union[members...]`: pydantic 1.10 (without smart_union) tries the
  /// members left to right and takes the first that validates; when none
  /// does, every member's errors are reported, at the same loc. A member
  /// None is written AsNullable() instead (`Union[int, None]` is
  /// `Optional[int]`).
  static ValueType Union(std::vector<ValueType> members);

  /// `Optional[this]`: JSON null validates to None instead of pydantic's
  /// "none is not an allowed value".
  ValueType AsNullable() const;

  ParamType kind() const { return kind_; }
  bool nullable() const { return nullable_; }
  /// A single value FastAPI reads from a path, query, header or cookie: a
  /// scalar kind, or a Union of such (get_dependant's is_scalar_field).
  bool is_scalar() const;
  /// kEnum only.
  const std::string& enum_name() const { return enum_name_; }
  /// A str enum's values (empty for a number enum).
  const std::vector<std::string>& enum_values() const { return enum_values_; }
  /// kStr for a str enum, else kInt or kFloat (NumberEnum).
  ParamType enum_base() const { return enum_base_; }
  /// Every member's value as JSON, either kind of enum.
  const std::vector<http::Json>& enum_members() const { return enum_members_; }
  /// kList, and kDict for its values (has_item() is false for one built as
  /// a scalar).
  bool has_item() const { return item_ != nullptr; }
  const ValueType& item() const { return *item_; }
  /// kModel only (has_model() is false for a kModel built as a scalar).
  bool has_model() const { return model_ != nullptr; }
  const ModelSpec& model() const { return *model_; }
  /// kUnion: the members, in declaration order (empty otherwise).
  const std::vector<ValueType>& members() const;

  /// The annotation as Python writes it: "int", "list[int]", "Color",
  /// "Optional[Item]".
  std::string Name() const;

 private:
  ParamType kind_;
  bool nullable_ = false;
  std::string enum_name_;
  std::vector<std::string> enum_values_;
  ParamType enum_base_ = ParamType::kStr;
  std::vector<http::Json> enum_members_;
  std::shared_ptr<const ValueType> item_;
  std::shared_ptr<const ModelSpec> model_;
  std::shared_ptr<const std::vector<ValueType>> members_;
};

/// A regular expression as FastAPI's `Query(regex=...)` / pydantic's
/// `constr(regex=...)` uses it: `re.match(pattern, value)`, anchored at the
/// start only. Compiled with RE2 (UTF-8 mode), which reads most of Python's
/// syntax but not lookaround, backreferences, \Z, atomic groups or
/// conditionals, and whose \d \w \s are ASCII and `$` end-of-text only (a
/// documented difference, README.md).
class Pattern {
 public:
  /// Compiles `text`; status() says whether RE2 accepted it.
  explicit Pattern(std::string text);

  const std::string& text() const { return text_; }
  /// OK, or INVALID_ARGUMENT with RE2's complaint.
  absl::Status status() const;
  /// Python's `re.match(text, value) is not None`. False if not compiled.
  bool MatchesAtStart(std::string_view value) const;

 private:
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
};

/// FastAPI's validation arguments (Query/Path/Header/Body/Field).
struct Constraints {
  std::optional<int64_t> min_length;  // in characters (code points)
  std::optional<int64_t> max_length;
  std::optional<Pattern> pattern;  // FastAPI 0.92 spells it `regex=`
  /// Numbers as written: an int limit stays an int in the error's ctx
  /// ("limit_value": 0), a float one a float (0.5).
  std::optional<http::Json> gt;
  std::optional<http::Json> ge;
  std::optional<http::Json> lt;
  std::optional<http::Json> le;
  /// Field(min_items=..., max_items=...): a list's length (pydantic's
  /// conlist, applied to every list level of the type, before its items are
  /// validated).
  std::optional<int64_t> min_items;
  std::optional<int64_t> max_items;

  bool has_item_constraints() const { return min_items.has_value() || max_items.has_value(); }
  bool has_string_constraints() const {
    return min_length.has_value() || max_length.has_value() || pattern.has_value();
  }
  bool has_number_constraints() const {
    return gt.has_value() || ge.has_value() || lt.has_value() || le.has_value();
  }
};

/// One field of a pydantic model: `price: float`, `tags: list[str] = []`,
/// `desc: Optional[str] = None`, `x: str = Field("d", alias="X", min_length=1)`.
struct FieldSpec {
  std::string name;
  ValueType type;
  /// A required field has no default; when absent it is "field required".
  /// An absent optional field takes `default_value`, unvalidated (pydantic).
  bool required = true;
  http::Json default_value;
  /// Field(alias=...): the key read from the input and written to the
  /// output; empty means `name`.
  std::string alias;
  Constraints constraints;

  /// The JSON key: alias, or name.
  const std::string& key() const { return alias.empty() ? name : alias; }

  /// `name: type`.
  static FieldSpec Required(std::string name, ValueType type);
  /// `name: type = default_value`.
  static FieldSpec Optional(std::string name, ValueType type, http::Json default_value = nullptr);
};

/// A pydantic model (`class Item(BaseModel)`). Extra keys are ignored.
struct ModelSpec {
  std::string name;  // "Item"
  std::vector<FieldSpec> fields;
  /// `class Config: extra = "forbid"`: a key the model does not declare is
  /// an error ("extra fields not permitted"); by default (pydantic's
  /// `ignore`) it is dropped.
  bool forbid_extra = false;
};

/// type.Name(): the declared type as ListRoutes reports it ("int",
/// "list[str]", "Optional[Item]").
inline std::string TypeName(const ValueType& type) { return type.Name(); }

/// Checks that `type` is well formed and that `constraints` suit it, as
/// pydantic does when the class or signature is defined.
/// Errors (INVALID_ARGUMENT, naming `what`): an enum without values, a list
/// of lists, a scalar kind built as compound or vice versa, string
/// constraints on anything but str, number constraints on anything but
/// int/float ("the following field constraints are set but not enforced"),
/// a negative length, a non-numeric limit, a pattern RE2 rejects, a model
/// field that fails these checks. Defaults are not checked: pydantic and
/// FastAPI take any default as it is (see DefaultFitsType).
absl::Status CheckValueType(const ValueType& type, const Constraints& constraints,
                            std::string_view what);

/// Whether `value` could be a default of `type`, for declarations that want
/// to refuse a mismatch (a route file) where FastAPI would take it as it is:
/// null for a nullable type, a string for str/uuid/enum members, an integer
/// for int, a number for float, a boolean for bool, an array of such items
/// for a list, an object for a model.
bool DefaultFitsType(const ValueType& type, const http::Json& value);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_VALUE_TYPE_H_
