// server/routing/validation.h
//
// pydantic 1.10's validation of one value against a declared type
// (ModelField.validate with the default BaseConfig), as FastAPI 0.92 runs it
// for each path, query, header and body parameter. The input is the Python
// value pydantic would see; the output is the validated value as JSON (what
// `jsonable_encoder` would write for it), or the errors, each at its `loc`.
//
// Coercion follows pydantic/validators.py:
//   str    str as is; int and float -> str(v) ("1", "1.5", "inf"; True ->
//          "True" because bool is an int); bytes -> v.decode() (a failure is
//          value_error.unicodedecode with Python's message); else
//          type_error.str "str type expected"
//   int    int as is; bool -> 0/1; float -> int(v) (truncated; nan, inf ->
//          type_error.integer); str -> int(v) (coercion.h); bytes -> int(v)
//   float  float as is; int and bool -> float(v); str and bytes -> float(v)
//   bool   True/False; 0/1 and 0.0/1.0; str -> the word sets (coercion.h);
//          bytes decoded first
//   UUID   a UUID; str -> uuid.UUID(v); bytes -> UUID(v.decode()), or
//          UUID(bytes=v) for 16 raw bytes; else type_error.uuid
//   enum   Color(v): v equal to a member's value; else type_error.enum with
//          msg "value is not a valid enumeration member; permitted: 'red',
//          'green'" and ctx {"enum_values": [...]}
//   list   a JSON array, validated item by item (loc gains the index); else
//          type_error.list
//   model  a JSON object; else dict(v) as Python computes it (a list of
//          pairs, "" -> {}); else type_error.dict; then every field in
//          order: absent -> "field required" or the default (unvalidated);
//          present -> validated at loc + [key]. Non-string keys from dict(v)
//          give type_error "keywords must be strings".
//   bytes  bytes as is; str -> v.encode(); int and float -> str(v).encode();
//          else type_error.bytes "byte type expected"
//   UploadFile  a form's file part; else value_error "Expected UploadFile,
//          received: <class 'str'>" (fastapi/datastructures.py)
//   None   accepted by Optional[...] types; else type_error.none.not_allowed.
// Constraints (value_type.h) are checked after coercion, one error at most:
// min_length, max_length, then regex for str; gt or ge, then lt, then le for
// numbers, with pydantic's messages, types and ctx.
//
// Where Python's ints are unbounded, corouter's are 64-bit: an integer
// beyond int64 is type_error.integer for an int (a documented difference).
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_ROUTING_VALIDATION_H_
#define COROUTER_SERVER_ROUTING_VALIDATION_H_

#include <optional>
#include <string>
#include <vector>

#include "server/http/response.h"
#include "server/routing/validation_error.h"
#include "server/routing/value_type.h"

namespace corouter::routing {

/// The Python value pydantic validates: usually JSON (a query value is a
/// JSON string; a body is what json.loads returned), or one of the Python
/// types that JSON cannot carry, held in `json` as a string.
struct PyValue {
  enum class Kind {
    kJson,        // the JSON value itself
    kBytes,       // bytes (a body whose content-type is not JSON): the raw bytes
    kUuid,        // a uuid.UUID (Starlette's uuid converter): canonical text
    kBigInt,      // an int beyond 64 bits (Starlette's int converter): its digits
    kUploadFile,  // a form's file part (Starlette's UploadFile): `json` is
                  // {"filename", "content_type", "size"}, what templates read
  };
  const http::Json& json;
  Kind kind = Kind::kJson;
  /// For a JSON array (a form's getlist): each item's kind, when some are
  /// not JSON (a file among str fields); null means all kJson.
  const std::vector<Kind>* item_kinds = nullptr;
};

/// Validates `value` against `type` and `constraints`. On success returns
/// the validated value. On failure returns nullopt and appends one error per
/// failing leaf to `errors`, each `loc` being `loc` (a JSON array) extended
/// with list indices and field keys.
std::optional<http::Json> ValidateValue(const ValueType& type, const Constraints& constraints,
                                        const PyValue& value, const http::Json& loc,
                                        std::vector<ValidationError>* errors);

/// Python's repr() of a str: single quotes unless the text has a single
/// quote and no double quote; backslash, the quote, \t \n \r and other
/// non-printable characters escaped (\xhh, \uhhhh, \Uhhhhhhhh). Printability
/// follows str.isprintable for ASCII, Latin-1 and the common Unicode
/// separators and format characters; other code points are kept.
std::string PythonStrRepr(std::string_view text);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_VALIDATION_H_
