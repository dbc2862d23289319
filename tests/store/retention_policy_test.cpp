// The retention policy's arithmetic and the purge report's two forms (the
// audit detail and the JSON line), without a store.
#include <gtest/gtest.h>

#include "store/retention.hpp"

namespace hearth::store {
namespace {

// The policy: cutoffs from days, its limits, and the report's forms.
TEST(retention_policy, cutoffs_are_whole_days_before_now) {
  const time_ms now = 1'800'000'000'000;
  const auto defaults = purge_request_for({}, now);
  EXPECT_EQ(defaults.content_before, now - 90 * day_ms);
  EXPECT_EQ(defaults.audit_before, now - 2190 * day_ms);
  const auto forever = purge_request_for({.content_days = 1, .audit_days = 0}, now);
  EXPECT_EQ(forever.content_before, now - day_ms);
  EXPECT_EQ(forever.audit_before, std::nullopt);
}

TEST(retention_policy, audit_retention_is_never_shorter_than_content_retention) {
  EXPECT_EQ(retention_problem({}), "");
  EXPECT_EQ(retention_problem({.content_days = 1, .audit_days = 1}), "");
  EXPECT_EQ(retention_problem({.content_days = 30, .audit_days = 0}), "");
  EXPECT_EQ(retention_problem({.content_days = max_retention_days, .audit_days = 0}), "");
  EXPECT_NE(retention_problem({.content_days = 90, .audit_days = 89}).find("shorter"),
            std::string::npos);
  EXPECT_NE(retention_problem({.content_days = 0, .audit_days = 0}), "");
  EXPECT_NE(retention_problem({.content_days = -1, .audit_days = 0}), "");
  EXPECT_NE(retention_problem({.content_days = max_retention_days + 1, .audit_days = 0}), "");
  EXPECT_NE(retention_problem({.content_days = 1, .audit_days = -1}), "");
  EXPECT_NE(retention_problem({.content_days = 1, .audit_days = max_retention_days + 1}), "");
}

TEST(retention_policy, the_report_as_detail_and_json) {
  const purge_report report{.sessions = 2,
                            .roster_entries = 7,
                            .bans = 1,
                            .consents = 3,
                            .chat_messages = 6,
                            .worksheets = 2,
                            .attendance = 4,
                            .audit = 5};
  EXPECT_EQ(purge_detail(report),
            "sessions=2 roster_entries=7 bans=1 consents=3 chat_messages=6 worksheets=2 "
            "attendance=4 audit=5");
  EXPECT_EQ(purge_json({10, 5}, report),
            "{\"content_before_ms\":10,\"audit_before_ms\":5,\"sessions\":2,"
            "\"roster_entries\":7,\"bans\":1,\"consents\":3,\"chat_messages\":6,\"worksheets\":2,"
            "\"attendance\":4,\"audit\":5}");
  EXPECT_EQ(purge_json({-10, std::nullopt}, {}),
            "{\"content_before_ms\":-10,\"audit_before_ms\":null,\"sessions\":0,"
            "\"roster_entries\":0,\"bans\":0,\"consents\":0,\"chat_messages\":0,\"worksheets\":0,"
            "\"attendance\":0,\"audit\":0}");
}

}  // namespace
}  // namespace hearth::store
