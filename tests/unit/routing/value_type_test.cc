// tests/unit/routing/value_type_test.cc
#include "server/routing/value_type.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using http::Json;
using ::testing::HasSubstr;

TEST(ValueType, NamesTheAnnotationAsPythonWritesIt) {
  EXPECT_EQ(ValueType(ParamType::kInt).Name(), "int");
  EXPECT_EQ(ValueType(ParamType::kUuid).Name(), "UUID");
  EXPECT_EQ(ValueType(ParamType::kDate).Name(), "date");
  EXPECT_EQ(ValueType(ParamType::kDatetime).AsNullable().Name(), "Optional[datetime]");
  EXPECT_EQ(ValueType(ParamType::kTimedelta).Name(), "timedelta");
  EXPECT_EQ(ValueType(ParamType::kDecimal).Name(), "Decimal");
  EXPECT_EQ(ValueType::Union({ParamType::kInt, ValueType::List(ParamType::kStr)}).Name(),
            "Union[int, list[str]]");
  EXPECT_TRUE(ValueType::Union({ParamType::kInt, ParamType::kUuid}).is_scalar());
  EXPECT_FALSE(ValueType::Union({ParamType::kInt, ValueType::List(ParamType::kStr)}).is_scalar());
  EXPECT_EQ(ValueType::List(ParamType::kStr).Name(), "list[str]");
  EXPECT_EQ(ValueType::Enum("Color", {"red"}).AsNullable().Name(), "Optional[Color]");
  auto model = std::make_shared<ModelSpec>(ModelSpec{"Item", {}});
  EXPECT_EQ(ValueType::Model(model).Name(), "Item");
  EXPECT_EQ(TypeName(ValueType::List(ParamType::kInt)), "list[int]");
  EXPECT_EQ(TypeName(ParamType::kBool), "bool");
}

TEST(CheckValueType, RefusesMalformedTypesAndUnenforcedConstraints) {
  EXPECT_TRUE(CheckValueType(ParamType::kStr, {}, "q").ok());
  Constraints gt;
  gt.gt = 0;
  EXPECT_TRUE(CheckValueType(ValueType::List(ParamType::kFloat), gt, "q").ok());
  EXPECT_THAT(CheckValueType(ParamType::kBool, gt, "q").message(), HasSubstr("q: gt, ge"));
  EXPECT_THAT(CheckValueType(ParamType::kList, {}, "q").message(), HasSubstr("item type"));
  EXPECT_THAT(CheckValueType(ParamType::kModel, {}, "q").message(), HasSubstr("ModelSpec"));
  Constraints negative;
  negative.min_length = -1;
  EXPECT_THAT(CheckValueType(ParamType::kStr, negative, "q").message(),
              HasSubstr("must not be negative"));
  auto model = std::make_shared<ModelSpec>();
  FieldSpec field = FieldSpec::Required("f", ParamType::kInt);
  field.constraints.pattern.emplace("x");
  model->fields = {field};
  EXPECT_THAT(CheckValueType(ValueType::Model(model), {}, "item").message(),
              HasSubstr("item field 'f'"));
}

TEST(Pattern, CompilesWithRe2AndMatchesAtTheStart) {
  Pattern p("^[a-z]+");
  EXPECT_TRUE(p.status().ok());
  EXPECT_TRUE(p.MatchesAtStart("abc1"));
  EXPECT_FALSE(p.MatchesAtStart("1abc"));
  EXPECT_TRUE(Pattern("(?P<name>x)").status().ok());  // Python's named groups
  Pattern lookbehind("(?<=a)b");
  EXPECT_EQ(lookbehind.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(lookbehind.MatchesAtStart("ab"));
}

TEST(DefaultFitsType, SaysWhetherADefaultSuitsItsType) {
  EXPECT_TRUE(DefaultFitsType(ParamType::kInt, nullptr));
  EXPECT_TRUE(DefaultFitsType(ParamType::kFloat, 1));
  EXPECT_FALSE(DefaultFitsType(ParamType::kInt, 1.5));
  EXPECT_TRUE(DefaultFitsType(ValueType::Enum("C", {"red"}), "red"));
  EXPECT_FALSE(DefaultFitsType(ValueType::Enum("C", {"red"}), "blue"));
  EXPECT_TRUE(DefaultFitsType(ValueType::List(ParamType::kInt), Json::array({1, 2})));
  EXPECT_FALSE(DefaultFitsType(ValueType::List(ParamType::kInt), Json::array({"1"})));
  EXPECT_FALSE(DefaultFitsType(ValueType::List(ParamType::kInt), Json::array({nullptr})));
  EXPECT_TRUE(DefaultFitsType(ValueType::List(ValueType(ParamType::kInt).AsNullable()),
                              Json::array({nullptr})));
}

}  // namespace
}  // namespace corouter::routing
