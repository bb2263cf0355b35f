// tests/unit/routing/validation_test.cc
//
// pydantic 1.10's coercions and constraints (validation.h). Every expected
// value was observed through FastAPI 0.92 (fastapi-semantics.md sections 1,
// 2 and 6, and tests/unit/app/testdata/make_fastapi_golden.py).
#include "server/routing/validation.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using http::Json;
using Kind = PyValue::Kind;

// The validated value, or the errors as FastAPI's detail list (JSON).
Json Validate(const ValueType& type, const Json& value, Kind kind = Kind::kJson,
              const Constraints& constraints = {}) {
  std::vector<ValidationError> errors;
  std::optional<Json> out =
      ValidateValue(type, constraints, PyValue{value, kind}, Json::array({"body"}), &errors);
  if (out.has_value()) {
    EXPECT_TRUE(errors.empty());
    return *out;
  }
  Json detail = Json::array();
  for (const ValidationError& e : errors) {
    Json entry{{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}};
    if (!e.ctx.is_null()) entry["ctx"] = e.ctx;
    detail.push_back(entry);
  }
  return Json{{"errors", detail}};
}

std::string ErrorType(const Json& result) {
  return result.contains("errors") ? result["errors"][0]["type"].get<std::string>() : "";
}

TEST(ValidateStr, WritesNumbersAndBoolsAsPythonsStr) {
  EXPECT_EQ(Validate(ParamType::kStr, "x"), "x");
  EXPECT_EQ(Validate(ParamType::kStr, 5), "5");
  EXPECT_EQ(Validate(ParamType::kStr, 1.5), "1.5");
  EXPECT_EQ(Validate(ParamType::kStr, 1.0), "1.0");
  EXPECT_EQ(Validate(ParamType::kStr, true), "True");  // bool is an int
  EXPECT_EQ(Validate(ParamType::kStr, std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ErrorType(Validate(ParamType::kStr, Json::array())), "type_error.str");
  EXPECT_EQ(ErrorType(Validate(ParamType::kStr, Json::object())), "type_error.str");
}

TEST(ValidateStr, DecodesBytesStrictly) {
  EXPECT_EQ(Validate(ParamType::kStr, "raw \xC3\xA9", Kind::kBytes), "raw \xC3\xA9");
  const Json error = Validate(ParamType::kStr, "raw \xFF", Kind::kBytes);
  EXPECT_EQ(error["errors"][0]["msg"],
            "'utf-8' codec can't decode byte 0xff in position 4: invalid start byte");
  EXPECT_EQ(error["errors"][0]["type"], "value_error.unicodedecode");
  EXPECT_EQ(Validate(ParamType::kStr, "\xE2\x82", Kind::kBytes)["errors"][0]["msg"],
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data");
}

TEST(ValidateStr, AUuidObjectIsNoStr) {
  // `{v:uuid}` with `v: str` -> "str type expected".
  EXPECT_EQ(
      ErrorType(Validate(ParamType::kStr, "12345678-1234-1234-1234-123456789abc", Kind::kUuid)),
      "type_error.str");
}

TEST(ValidateInt, CoercesLikeIntValidator) {
  EXPECT_EQ(Validate(ParamType::kInt, 7), 7);
  EXPECT_EQ(Validate(ParamType::kInt, true), 1);
  EXPECT_EQ(Validate(ParamType::kInt, 1.9), 1);
  EXPECT_EQ(Validate(ParamType::kInt, -1.9), -1);
  EXPECT_EQ(Validate(ParamType::kInt, "  7 "), 7);
  EXPECT_EQ(Validate(ParamType::kInt, " 12 ", Kind::kBytes), 12);
  for (const Json& bad : {Json("x"), Json(std::numeric_limits<double>::infinity()),
                          Json(std::nan("")), Json::array(), Json(1e300)}) {
    EXPECT_EQ(ErrorType(Validate(ParamType::kInt, bad)), "type_error.integer") << bad.dump();
  }
  // int(bytes) reads ASCII only.
  EXPECT_EQ(ErrorType(Validate(ParamType::kInt, "\xEF\xBC\x95", Kind::kBytes)),
            "type_error.integer");
}

TEST(ValidateInt, PythonIntsBeyond64BitsAreADocumentedDifference) {
  EXPECT_EQ(ErrorType(Validate(ParamType::kInt, "99999999999999999999999", Kind::kBigInt)),
            "type_error.integer");
  EXPECT_EQ(ErrorType(Validate(ParamType::kInt, Json(uint64_t{1} << 63))), "type_error.integer");
  // int(UUID) is its 128-bit value; it fits here only when small.
  EXPECT_EQ(Validate(ParamType::kInt, "00000000-0000-0000-0000-000000000005", Kind::kUuid), 5);
}

TEST(ValidateFloat, CoercesLikeFloatValidator) {
  EXPECT_EQ(Validate(ParamType::kFloat, 1), 1.0);
  EXPECT_TRUE(Validate(ParamType::kFloat, 1).is_number_float());
  EXPECT_EQ(Validate(ParamType::kFloat, true), 1.0);
  EXPECT_EQ(Validate(ParamType::kFloat, "2.5"), 2.5);
  EXPECT_EQ(Validate(ParamType::kFloat, "2.5", Kind::kBytes), 2.5);
  EXPECT_TRUE(std::isnan(Validate(ParamType::kFloat, "nan").get<double>()));
  EXPECT_EQ(ErrorType(Validate(ParamType::kFloat, "x")), "type_error.float");
  EXPECT_EQ(ErrorType(Validate(ParamType::kFloat, Json::array())), "type_error.float");
}

TEST(ValidateBool, ComparesNumbersByValue) {
  EXPECT_EQ(Validate(ParamType::kBool, 1), true);
  EXPECT_EQ(Validate(ParamType::kBool, 0.0), false);
  EXPECT_EQ(Validate(ParamType::kBool, 1.0), true);
  EXPECT_EQ(Validate(ParamType::kBool, "Yes", Kind::kBytes), true);
  EXPECT_EQ(ErrorType(Validate(ParamType::kBool, 2)), "type_error.bool");
  EXPECT_EQ(ErrorType(Validate(ParamType::kBool, Json::array())), "type_error.bool");
}

TEST(ValidateUuid, AcceptsStrBytesAndUuidObjects) {
  EXPECT_EQ(Validate(ParamType::kUuid, "12345678123456781234567812345678"),
            "12345678-1234-5678-1234-567812345678");
  std::string raw;
  for (int i = 0; i < 16; ++i) raw.push_back(static_cast<char>(i));
  EXPECT_EQ(Validate(ParamType::kUuid, raw, Kind::kBytes), "00010203-0405-0607-0809-0a0b0c0d0e0f");
  EXPECT_EQ(ErrorType(Validate(ParamType::kUuid, 5)), "type_error.uuid");
  EXPECT_EQ(ErrorType(Validate(ParamType::kUuid, "5", Kind::kBigInt)), "type_error.uuid");
}

// pydantic 1.10.4's decimal_validator, then jsonable_encoder, under Python
// 3.11: an int when the exponent is >= 0, else a float.
TEST(ValidateDecimal, ReadsPythonsDecimalSyntaxAndWritesIntOrFloat) {
  EXPECT_EQ(Validate(ParamType::kDecimal, "1.50"), 1.5);
  EXPECT_EQ(Validate(ParamType::kDecimal, "1e2"), 100);
  EXPECT_TRUE(Validate(ParamType::kDecimal, "1e2").is_number_integer());
  const Json negative_zero = Validate(ParamType::kDecimal, "-0.0");
  EXPECT_TRUE(negative_zero.is_number_float() && std::signbit(negative_zero.get<double>()));
  EXPECT_EQ(Validate(ParamType::kDecimal, "-0"), 0);
  EXPECT_EQ(Validate(ParamType::kDecimal, "1__0"), 10);                // every '_' dropped
  EXPECT_EQ(Validate(ParamType::kDecimal, " \xd9\xa1\xd9\xa2 "), 12);  // Arabic-Indic digits
  EXPECT_EQ(Validate(ParamType::kDecimal, 1e16), 10000000000000000);   // str(1e16) == "1e+16"
  EXPECT_EQ(Validate(ParamType::kDecimal, 3), 3);
  EXPECT_EQ(Validate(ParamType::kDecimal, "12345678901234567890.5"), 1.2345678901234567e19);
  EXPECT_EQ(ErrorType(Validate(ParamType::kDecimal, "NaN12")), "value_error.decimal.not_finite");
  EXPECT_EQ(ErrorType(Validate(ParamType::kDecimal, "-Infinity")),
            "value_error.decimal.not_finite");
  for (const Json& bad : {Json("x"), Json("1e"), Json("0x10"), Json("1.2.3"), Json(true),
                          Json::array({1}), Json::object()}) {
    EXPECT_EQ(ErrorType(Validate(ParamType::kDecimal, bad)), "type_error.decimal") << bad;
  }
}

TEST(ValidateTemporal, DatesTimesAndDurationsAsJsonableEncoderWritesThem) {
  EXPECT_EQ(Validate(ParamType::kDate, "2020-1-2"), "2020-01-02");
  EXPECT_EQ(Validate(ParamType::kDatetime, true), "1970-01-01T00:00:01+00:00");
  EXPECT_EQ(Validate(ParamType::kTime, 3600.5), "01:00:00.500000");
  EXPECT_EQ(Validate(ParamType::kTimedelta, "1:30"), 90.0);
  EXPECT_EQ(Validate(ParamType::kDate, "2020-01-02", Kind::kBytes), "2020-01-02");
  EXPECT_EQ(ErrorType(Validate(ParamType::kDate, "2020-02-30")), "value_error.date");
  EXPECT_EQ(ErrorType(Validate(ParamType::kDatetime, Json::array())), "type_error");
  EXPECT_EQ(Validate(ValueType(ParamType::kDate).AsNullable(), nullptr), nullptr);
}

// pydantic 1.10 without smart_union: left to right, the first that
// validates; else every member's errors at the same loc.
TEST(ValidateUnion, TakesTheFirstMemberThatValidatesElseReportsThemAll) {
  const ValueType int_or_str = ValueType::Union({ParamType::kInt, ParamType::kStr});
  EXPECT_EQ(Validate(int_or_str, "5"), 5);
  EXPECT_EQ(Validate(int_or_str, "x"), "x");
  EXPECT_EQ(Validate(ValueType::Union({ParamType::kFloat, ParamType::kInt}), 1), 1.0);
  const Json errors = Validate(ValueType::Union({ParamType::kInt, ParamType::kBool}), "x");
  ASSERT_EQ(errors["errors"].size(), 2u);
  EXPECT_EQ(errors["errors"][0]["type"], "type_error.integer");
  EXPECT_EQ(errors["errors"][1]["type"], "type_error.bool");
  EXPECT_EQ(errors["errors"][1]["loc"], Json::array({"body"}));
  EXPECT_EQ(ErrorType(Validate(int_or_str, nullptr)), "type_error.none.not_allowed");
  EXPECT_EQ(Validate(int_or_str.AsNullable(), nullptr), nullptr);
}

TEST(ValidateEnum, ListsThePermittedValuesWithPythonsRepr) {
  const ValueType color = ValueType::Enum("Color", {"red", "green", "it's"});
  EXPECT_EQ(Validate(color, "green"), "green");
  const Json error = Validate(color, "blue");
  EXPECT_EQ(error["errors"][0].dump(),
            R"({"loc":["body"],"msg":"value is not a valid enumeration member; permitted: )"
            R"('red', 'green', \"it's\"","type":"type_error.enum",)"
            R"("ctx":{"enum_values":["red","green","it's"]}})");
  EXPECT_EQ(ErrorType(Validate(color, 1)), "type_error.enum");
}

TEST(ValidateNone, OnlyOptionalTypesAcceptIt) {
  EXPECT_EQ(Validate(ValueType(ParamType::kInt).AsNullable(), nullptr), nullptr);
  EXPECT_EQ(
      Validate(ParamType::kInt, nullptr)["errors"][0].dump(),
      R"({"loc":["body"],"msg":"none is not an allowed value","type":"type_error.none.not_allowed"})");
}

TEST(ValidateList, ReportsEveryFailingItemAtItsIndex) {
  const Json result =
      Validate(ValueType::List(ParamType::kInt), Json::parse(R"([1,"2",null,"x"])"));
  EXPECT_EQ(
      result["errors"].dump(),
      R"([{"loc":["body",2],"msg":"none is not an allowed value","type":"type_error.none.not_allowed"},)"
      R"({"loc":["body",3],"msg":"value is not a valid integer","type":"type_error.integer"}])");
  EXPECT_EQ(Validate(ValueType::List(ParamType::kInt), Json::parse(R"([1,"2"])")),
            Json::parse("[1,2]"));
  EXPECT_EQ(ErrorType(Validate(ValueType::List(ParamType::kInt), "abc")), "type_error.list");
  EXPECT_EQ(ErrorType(Validate(ValueType::List(ParamType::kInt), "[1]", Kind::kBytes)),
            "type_error.list");
}

std::shared_ptr<ModelSpec> ItemModel() {
  auto model = std::make_shared<ModelSpec>();
  model->name = "Item";
  model->fields = {FieldSpec::Required("name", ParamType::kStr),
                   FieldSpec::Required("price", ParamType::kFloat),
                   FieldSpec::Optional("tags", ValueType::List(ParamType::kStr), Json::array()),
                   FieldSpec::Optional("desc", ValueType(ParamType::kStr).AsNullable())};
  return model;
}

TEST(ValidateModel, FillsDefaultsAndKeepsFieldOrder) {
  const ValueType item = ValueType::Model(ItemModel());
  EXPECT_EQ(Validate(item, Json::parse(R"({"price":"2.5","extra":1,"name":"x"})")).dump(),
            R"({"name":"x","price":2.5,"tags":[],"desc":null})");
  EXPECT_EQ(
      Validate(item, Json::parse(R"({"name":{},"tags":"a"})"))["errors"].dump(),
      R"([{"loc":["body","name"],"msg":"str type expected","type":"type_error.str"},)"
      R"({"loc":["body","price"],"msg":"field required","type":"value_error.missing"},)"
      R"({"loc":["body","tags"],"msg":"value is not a valid list","type":"type_error.list"}])");
}

TEST(ValidateModel, ConvertsLikePythonsDict) {
  const ValueType item = ValueType::Model(ItemModel());
  EXPECT_EQ(Validate(item, Json::parse(R"([["name","x"],["price",1]])")).dump(),
            R"({"name":"x","price":1.0,"tags":[],"desc":null})");
  // dict(["np", "ab"]) == {"n": "p", "a": "b"}; dict("") == {}.
  EXPECT_EQ(Validate(item, Json::parse(R"(["np","ab"])"))["errors"].size(), 2u);
  EXPECT_EQ(Validate(item, "")["errors"].size(), 2u);
  // Iterating a dict gives its keys.
  EXPECT_EQ(Validate(item, Json::parse(R"([{"name":1,"x":2}])"))["errors"][0]["loc"].dump(),
            R"(["body","price"])");
  EXPECT_EQ(Validate(item, Json::parse("[[1,2]]"))["errors"][0].dump(),
            R"({"loc":["body"],"msg":"keywords must be strings","type":"type_error"})");
  for (const char* bad : {R"("ab")", "5", "[1,2]", R"([[{"a":1},2]])", "true"}) {
    EXPECT_EQ(ErrorType(Validate(item, Json::parse(bad))), "type_error.dict") << bad;
  }
  EXPECT_EQ(ErrorType(Validate(item, R"({"name":"x","price":1})", Kind::kBytes)),
            "type_error.dict");
}

TEST(ValidateModel, UsesAliasesForReadingWritingAndLoc) {
  auto model = std::make_shared<ModelSpec>();
  FieldSpec field = FieldSpec::Required("al", ParamType::kInt);
  field.alias = "Al-ias";
  model->fields = {field};
  EXPECT_EQ(Validate(ValueType::Model(model), Json::parse(R"({"Al-ias":"3"})")).dump(),
            R"({"Al-ias":3})");
  EXPECT_EQ(
      Validate(ValueType::Model(model), Json::parse(R"({"al":3})"))["errors"][0]["loc"].dump(),
      R"(["body","Al-ias"])");
}

Constraints Strings(std::optional<int64_t> min, std::optional<int64_t> max,
                    std::optional<std::string> regex = std::nullopt) {
  Constraints c;
  c.min_length = min;
  c.max_length = max;
  if (regex) c.pattern.emplace(*regex);
  return c;
}

TEST(Constraints, StringLengthsCountCharacters) {
  EXPECT_EQ(Validate(ParamType::kStr, "\xC3\xA9\xC3\xA9\xC3\xA9", Kind::kJson, Strings(3, 5)),
            "\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(Validate(ParamType::kStr, "ab", Kind::kJson, Strings(3, 5))["errors"][0].dump(),
            R"({"loc":["body"],"msg":"ensure this value has at least 3 characters",)"
            R"("type":"value_error.any_str.min_length","ctx":{"limit_value":3}})");
  EXPECT_EQ(Validate(ParamType::kStr, "abcdef", Kind::kJson, Strings(3, 5))["errors"][0].dump(),
            R"({"loc":["body"],"msg":"ensure this value has at most 5 characters",)"
            R"("type":"value_error.any_str.max_length","ctx":{"limit_value":5}})");
}

TEST(Constraints, RegexIsReMatchAnchoredAtTheStartOnly) {
  EXPECT_EQ(Validate(ParamType::kStr, "abcd", Kind::kJson, Strings({}, {}, "ab")), "abcd");
  EXPECT_EQ(
      Validate(ParamType::kStr, "xab", Kind::kJson, Strings({}, {}, "ab"))["errors"][0].dump(),
      R"({"loc":["body"],"msg":"string does not match regex \"ab\"",)"
      R"("type":"value_error.str.regex","ctx":{"pattern":"ab"}})");
  // The length checks come first; one error per value.
  EXPECT_EQ(ErrorType(Validate(ParamType::kStr, "x", Kind::kJson, Strings(2, {}, "^y"))),
            "value_error.any_str.min_length");
}

TEST(Constraints, NumberLimitsKeepTheirWrittenType) {
  Constraints c;
  c.gt = 0;
  c.lt = 10;
  EXPECT_EQ(Validate(ParamType::kInt, 5, Kind::kJson, c), 5);
  EXPECT_EQ(Validate(ParamType::kInt, 0, Kind::kJson, c)["errors"][0].dump(),
            R"({"loc":["body"],"msg":"ensure this value is greater than 0",)"
            R"("type":"value_error.number.not_gt","ctx":{"limit_value":0}})");
  EXPECT_EQ(ErrorType(Validate(ParamType::kInt, 10, Kind::kJson, c)), "value_error.number.not_lt");
  Constraints f;
  f.ge = 0.5;
  f.le = 10;
  EXPECT_EQ(Validate(ParamType::kFloat, 0.25, Kind::kJson, f)["errors"][0]["msg"],
            "ensure this value is greater than or equal to 0.5");
  EXPECT_EQ(Validate(ParamType::kFloat, 0.25, Kind::kJson, f)["errors"][0]["ctx"].dump(),
            R"({"limit_value":0.5})");
  EXPECT_EQ(ErrorType(Validate(ParamType::kFloat, 10.5, Kind::kJson, f)),
            "value_error.number.not_le");
  // `not nan >= 0.5` is true: NaN fails every limit.
  EXPECT_EQ(ErrorType(Validate(ParamType::kFloat, "nan", Kind::kJson, f)),
            "value_error.number.not_ge");
  Constraints both;
  both.gt = 0;
  both.ge = 5;  // pydantic checks ge when gt passed
  EXPECT_EQ(ErrorType(Validate(ParamType::kInt, 3, Kind::kJson, both)),
            "value_error.number.not_ge");
}

TEST(PythonStrRepr, QuotesAndEscapesAsPythonDoes) {
  // repr() in Python 3.11.
  EXPECT_EQ(PythonStrRepr("red"), "'red'");
  EXPECT_EQ(PythonStrRepr("it's"), "\"it's\"");
  EXPECT_EQ(PythonStrRepr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(PythonStrRepr("both ' \""), "'both \\' \"'");
  EXPECT_EQ(PythonStrRepr("a\\b"), "'a\\\\b'");
  EXPECT_EQ(PythonStrRepr("tab\there"), "'tab\\there'");
  EXPECT_EQ(PythonStrRepr(std::string("\x00\x7f\xC2\x80\xC2\xA0\xC2\xAD\xC3\xA9", 10)),
            "'\\x00\\x7f\\x80\\xa0\\xad\xC3\xA9'");
  EXPECT_EQ(PythonStrRepr("\xE2\x80\xA8\xE3\x80\x80\xEF\xBB\xBF"), "'\\u2028\\u3000\\ufeff'");
  EXPECT_EQ(PythonStrRepr("\xF0\x9F\x98\x80"), "'\xF0\x9F\x98\x80'");
  EXPECT_EQ(PythonStrRepr("\xF3\xA0\x80\x81"), "'\\U000e0001'");
}

TEST(ValidateList, MinAndMaxItemsComeBeforeTheItemsAtEveryLevel) {
  Constraints c;
  c.min_items = 2;
  c.max_items = 3;
  c.ge = 0;
  const ValueType ints = ValueType::List(ParamType::kInt);
  EXPECT_EQ(Validate(ints, Json::array({1, "2"}), Kind::kJson, c), Json::array({1, 2}));
  // Too short: the item errors are not reported (a pre validator failed).
  EXPECT_EQ(Validate(ints, Json::array({"x"}), Kind::kJson, c).dump(),
            R"({"errors":[{"loc":["body"],"msg":"ensure this value has at least 2 items",)"
            R"("type":"value_error.list.min_items","ctx":{"limit_value":2}}]})");
  EXPECT_EQ(ErrorType(Validate(ints, Json::array({1, 2, 3, 4}), Kind::kJson, c)),
            "value_error.list.max_items");
  EXPECT_EQ(ErrorType(Validate(ints, Json::array({1, -1}), Kind::kJson, c)),
            "value_error.number.not_ge");
  // A list of lists: the limits hold for the inner lists too.
  const ValueType grid = ValueType::List(ints);
  const Json inner = Validate(grid, Json::parse("[[1, 2], [3]]"), Kind::kJson, c);
  EXPECT_EQ(inner["errors"][0]["loc"], Json::parse(R"(["body", 1])"));
  EXPECT_EQ(inner["errors"][0]["type"], "value_error.list.min_items");
}

TEST(ValidateModel, ExtraForbidReportsEachUndeclaredKeyAfterTheFields) {
  auto strict = std::make_shared<ModelSpec>();
  strict->name = "Strict";
  strict->fields = {FieldSpec::Required("name", ParamType::kStr)};
  strict->forbid_extra = true;
  EXPECT_EQ(Validate(ValueType::Model(strict), Json::parse(R"({"name":"x"})")),
            Json::parse(R"({"name":"x"})"));
  EXPECT_EQ(
      Validate(ValueType::Model(strict), Json::parse(R"({"colour":"red"})")).dump(),
      R"({"errors":[{"loc":["body","name"],"msg":"field required","type":"value_error.missing"},)"
      R"({"loc":["body","colour"],"msg":"extra fields not permitted","type":"value_error.extra"}]})");
  strict->forbid_extra = false;  // pydantic's default, ignore: dropped
  EXPECT_EQ(Validate(ValueType::Model(strict), Json::parse(R"({"name":"x","colour":"red"})")),
            Json::parse(R"({"name":"x"})"));
}

TEST(CheckValueType, ItemLimitsApplyToListsOnly) {
  Constraints c;
  c.min_items = 1;
  EXPECT_TRUE(CheckValueType(ValueType::List(ValueType::List(ParamType::kInt)), c, "x").ok());
  EXPECT_THAT(std::string(CheckValueType(ParamType::kInt, c, "x").message()),
              ::testing::HasSubstr("min_items and max_items apply to lists"));
  c.min_items = -1;
  EXPECT_FALSE(CheckValueType(ValueType::List(ParamType::kInt), c, "x").ok());
}

TEST(ValidateEnum, NumberEnumsAsIntEnumAndFloatEnum) {
  const ValueType level = ValueType::NumberEnum("Level", ParamType::kInt, {1, 2});
  EXPECT_EQ(Validate(level, "2"), 2);  // IntEnum: int_validator first
  EXPECT_EQ(Validate(level, 2.0), 2);
  EXPECT_EQ(Validate(level, true), 1);
  EXPECT_EQ(ErrorType(Validate(level, "two")), "type_error.integer");
  const Json not_member = Validate(level, 7);
  EXPECT_EQ(not_member["errors"][0]["msg"],
            "value is not a valid enumeration member; permitted: 1, 2");
  EXPECT_EQ(not_member["errors"][0]["ctx"], Json::parse(R"({"enum_values":[1,2]})"));
  // Beyond 64 bits it is still an int to Python: not a member.
  EXPECT_EQ(ErrorType(Validate(level, "123456789012345678901234567890")), "type_error.enum");
  const ValueType ratio = ValueType::NumberEnum("Ratio", ParamType::kFloat, {0.5, 1.0});
  EXPECT_EQ(Validate(ratio, 1).dump(), "1.0");
  EXPECT_EQ(ErrorType(Validate(ratio, "0.5")), "type_error.enum");  // a str is never one
  EXPECT_EQ(Validate(ratio, 7)["errors"][0]["msg"],
            "value is not a valid enumeration member; permitted: 0.5, 1.0");
}

TEST(ValidateDict, ValuesByKeyWithTheConstraints) {
  Constraints c;
  c.ge = 0;
  const ValueType scores = ValueType::Dict(ParamType::kInt);
  EXPECT_EQ(Validate(scores, Json::parse(R"({"a":1,"b":"2"})"), Kind::kJson, c),
            Json::parse(R"({"a":1,"b":2})"));
  const Json bad = Validate(scores, Json::parse(R"({"a":-1,"b":"x","c":3})"), Kind::kJson, c);
  ASSERT_EQ(bad["errors"].size(), 2u);
  EXPECT_EQ(bad["errors"][0]["loc"], Json::parse(R"(["body","a"])"));
  EXPECT_EQ(bad["errors"][1]["type"], "type_error.integer");
  EXPECT_EQ(ErrorType(Validate(scores, Json::array({1, 2}))), "type_error.dict");
  EXPECT_EQ(Validate(scores, Json::parse(R"([["a", 1]])")), Json::parse(R"({"a":1})"));
  EXPECT_EQ(scores.Name(), "dict[str, int]");
}

}  // namespace
}  // namespace corouter::routing
