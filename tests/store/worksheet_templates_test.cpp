// Facilitators' worksheet templates: worksheet_template_put stores a version,
// worksheet_template_retire retires every version of an id, both inside
// commit()'s transaction; worksheet_templates() reads them back by (id,
// version), with or without the retired ones, after a reopen too. A version
// stored twice fails its whole transaction. A version 7 database gains the
// table.
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class worksheet_templates_test : public store_test {};

worksheet_template_put version_of(std::string id, std::int64_t version, std::string body) {
  return {std::move(id), version, std::move(body), "fac-1", 1'700'000'000'000 + version};
}

worksheet_template_record record_of(const worksheet_template_put& p,
                                    std::optional<time_ms> retired = std::nullopt) {
  return {p.template_id, p.version, p.body, p.created_by, p.at, retired};
}

using records = std::vector<worksheet_template_record>;

TEST_P(worksheet_templates_test, versions_round_trip_in_order) {
  EXPECT_TRUE(db().worksheet_templates(retired_templates::include).empty());
  const std::string binary("\x0a\x00\xff\x12 form \xC3\xA9", 12);
  const auto b1 = version_of("c_b", 1, binary);
  const auto a1 = version_of("c_a", 1, "a one");
  const auto a2 = version_of("c_a", 2, "a two");
  db().commit({b1, a2});
  db().commit({a1});
  const records expected{record_of(a1), record_of(a2), record_of(b1)};
  EXPECT_EQ(db().worksheet_templates(retired_templates::exclude), expected);
  EXPECT_EQ(db().worksheet_templates(retired_templates::include), expected);
  reopen();
  EXPECT_EQ(db().worksheet_templates(retired_templates::exclude), expected);
}

TEST_P(worksheet_templates_test, retiring_hides_every_version_unless_asked) {
  const auto a1 = version_of("c_a", 1, "a one");
  const auto a2 = version_of("c_a", 2, "a two");
  const auto b1 = version_of("c_b", 1, "b one");
  db().commit({a1, a2, b1});
  db().commit({worksheet_template_retire{"c_a", 5000}});
  EXPECT_EQ(db().worksheet_templates(retired_templates::exclude), records{record_of(b1)});
  // Retiring again keeps the first time.
  db().commit({worksheet_template_retire{"c_a", 6000}, worksheet_template_retire{"c_none", 6000}});
  reopen();
  EXPECT_EQ(db().worksheet_templates(retired_templates::include),
            (records{record_of(a1, 5000), record_of(a2, 5000), record_of(b1)}));
}

TEST_P(worksheet_templates_test, a_version_stored_twice_fails_the_whole_transaction) {
  db().commit({version_of("c_a", 1, "first")});
  EXPECT_THROW(db().commit({version_of("c_b", 1, "b"), version_of("c_a", 1, "second")}),
               store_error);
  EXPECT_EQ(db().worksheet_templates(retired_templates::include),
            records{record_of(version_of("c_a", 1, "first"))});
}

TEST_P(worksheet_templates_test, a_version_7_database_migrates_and_keeps_its_sheets) {
  worksheet_put sheet{"room-1", "ws-1", "c_a", 1, "session", "", "", "fac-1", 1000};
  db().commit({sheet});
  tamper("DELETE FROM schema_migrations WHERE version >= 8; DROP TABLE worksheet_templates;");
  EXPECT_EQ(GetParam().schema_version(dir()), 7);
  crash_and_reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().worksheets("room-1").size(), 1U);
  db().commit({version_of("c_a", 1, "a one")});
  EXPECT_EQ(db().worksheet_templates(retired_templates::exclude).size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(sqlite, worksheet_templates_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, worksheet_templates_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
