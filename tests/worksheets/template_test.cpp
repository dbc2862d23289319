// Every shipped template parses and passes the schema and reads back equal
// once written as JSON; broken templates are refused with a reason that
// names the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "worksheets/template_check.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::worksheets {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Templates, EveryShippedTemplateIsValid) {
  std::set<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(HEARTH_TEMPLATE_DIR)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    SCOPED_TRACE(entry.path().filename().string());
    const auto r = parse_template(read_file(entry.path()));
    ASSERT_TRUE(r.value.has_value()) << r.error;
    EXPECT_EQ(r.value->id() + ".json", entry.path().filename().string());
    ids.insert(r.value->id());
    // The admin API hands templates out in this format: it reads back equal.
    const auto again = parse_template(template_to_json(*r.value));
    ASSERT_TRUE(again.value.has_value()) << again.error;
    EXPECT_EQ(again.value->SerializeAsString(), r.value->SerializeAsString());
  }
  EXPECT_EQ(
      ids, (std::set<std::string>{"safety_plan", "decisional_balance", "change_plan", "craving_log",
                                  "trigger_log", "relapse_prevention", "thought_record",
                                  "emotion_log", "halt_checkin", "family_communication"}));
}

TEST(Templates, DefaultsFillScalesAndPlainLists) {
  const auto r = parse_template(R"({"id":"t","version":1,"title":"T","scope":"personal",
    "fields":[{"id":"s","type":"scale","label":"S"},{"id":"l","type":"list","label":"L"}]})");
  ASSERT_TRUE(r.value.has_value()) << r.error;
  EXPECT_EQ(r.value->fields(0).min(), 0);
  EXPECT_EQ(r.value->fields(0).max(), 10);
  ASSERT_EQ(r.value->fields(1).item_fields_size(), 1);
  EXPECT_EQ(r.value->fields(1).item_fields(0).id(), "text");
  EXPECT_EQ(r.value->default_scope(), v1::WORKSHEET_SCOPE_PERSONAL);
}

struct bad_case {
  const char* fields;  // the template's "fields" array
  const char* reason;  // a part of the expected reason
};

class refused_template : public ::testing::TestWithParam<bad_case> {};

TEST_P(refused_template, NamesTheProblem) {
  const std::string json = std::string(R"({"id":"t","version":1,"title":"T","scope":"session",)") +
                           R"("fields":)" + GetParam().fields + "}";
  const auto r = parse_template(json);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_NE(r.error.find(GetParam().reason), std::string::npos) << r.error;
}

INSTANTIATE_TEST_SUITE_P(
    Schema, refused_template,
    ::testing::Values(
        bad_case{R"([])", "1 to 60 fields"},
        bad_case{R"([{"id":"a","type":"date","label":"A"},{"id":"a","type":"date","label":"B"}])",
                 "'a' appears twice"},
        bad_case{R"([{"id":"Bad-Id","type":"date","label":"A"}])", "not 1-64 of [a-z0-9_]"},
        bad_case{R"([{"id":"a","type":"colour","label":"A"}])", "unknown type 'colour'"},
        bad_case{R"([{"id":"a","type":"date"}])", "needs a label"},
        bad_case{R"([{"id":"a","type":"scale","label":"A","min":5,"max":5}])",
                 "min must be below max"},
        bad_case{R"([{"id":"a","type":"scale","label":"A","max":5000}])", "within -1000..1000"},
        bad_case{R"([{"id":"a","type":"date","label":"A","min":1}])", "scale fields only"},
        bad_case{R"([{"id":"a","type":"choice","label":"A","choices":[{"id":"x","label":"X"}]}])",
                 "2 to 30 options"},
        bad_case{R"([{"id":"a","type":"choice","label":"A","choices":[{"id":"x","label":"X"},
                   {"id":"x","label":"Y"}]}])",
                 "option id 'x' appears twice"},
        bad_case{R"([{"id":"a","type":"short_text","label":"A","max_length":5000}])",
                 "max_length above 1000"},
        bad_case{R"([{"id":"a","type":"date","label":"A","max_length":5}])", "text fields only"},
        bad_case{R"([{"id":"a","type":"list","label":"A","item_fields":[
                   {"id":"b","type":"list","label":"B"}]}])",
                 "a list cannot hold a list"},
        bad_case{R"([{"id":"a","type":"list","label":"A","item_fields":[]}])",
                 "at least one item field"},
        bad_case{R"([{"id":"a","type":"list","label":"A","item_fields":[
                   {"id":"b","type":"date","label":"B"},{"id":"b","type":"date","label":"C"}]}])",
                 "field 'a': field id 'b' appears twice"},
        bad_case{R"([{"id":"a","type":"date","label":"A","colour":"red"}])",
                 "unknown key 'colour'"},
        bad_case{R"([{"id":"a","type":"date","label":"A","own_rows":true}])", "list fields only"}));

TEST(Templates, RefusesBadDocuments) {
  EXPECT_NE(parse_template("{").error.find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_template("[]").error.find("JSON object"), std::string::npos);
  EXPECT_NE(parse_template(R"({"id":"t","version":0,"title":"T","scope":"session","fields":[]})")
                .error.find("'version'"),
            std::string::npos);
  EXPECT_NE(parse_template(R"({"id":"t","version":1,"title":"T","scope":"team","fields":[]})")
                .error.find("unknown scope 'team'"),
            std::string::npos);
}

}  // namespace
}  // namespace hearth::worksheets
