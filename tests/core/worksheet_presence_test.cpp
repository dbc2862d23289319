// Worksheet presence over time and sheets following a role change, with
// literal times: a presence nobody refreshes is cleared for its readers, an
// edit refreshes it, and a member promoted to co-facilitator receives the
// personal sheets they may now read on their direct stream (so a resume
// replays them), and loses them again when the role goes back.
#include <algorithm>

#include "worksheet_fixture.hpp"

namespace hearth::core::testing {
namespace {

class worksheet_presence_test : public worksheet_fixture {
 protected:
  // The presence events of `fx` sent to `to`.
  static std::vector<v1::WorksheetPresence> presences_to(const effects& fx, member_id to) {
    std::vector<v1::WorksheetPresence> out;
    for (const auto& e : fx.events) {
      if (e.to.member == to && e.event.has_worksheet_presence()) {
        out.push_back(e.event.worksheet_presence());
      }
    }
    return out;
  }

  effects set_role(member_id target, v1::Role role, time_ms now) {
    v1::ClientMessage m;
    m.mutable_moderation()->mutable_set_role()->set_member_id(target);
    m.mutable_moderation()->mutable_set_role()->set_role(role);
    return run(f, m, now);
  }

  // The direct events to `to` that open or take away `instance`.
  static std::vector<std::string> sheet_news(const effects& fx, member_id to,
                                             const std::string& instance) {
    std::vector<std::string> out;
    for (const auto& e : fx.events) {
      if (e.to.member != to || e.to.kind != audience_kind::direct) {
        continue;
      }
      if (e.event.has_worksheet_opened() &&
          e.event.worksheet_opened().sheet().document().instance_id() == instance) {
        out.emplace_back("opened");
      } else if (e.event.has_worksheet_sharing() &&
                 e.event.worksheet_sharing().instance_id() == instance) {
        out.emplace_back("lost");
      }
    }
    return out;
  }
};

constexpr time_ms ttl = room_limits{}.worksheet_presence;

TEST_F(worksheet_presence_test, a_presence_nobody_refreshes_is_cleared_for_its_readers) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);  // ws-1: pa's
  run(pa, presence("ws-1", "notes"), 1'000);
  EXPECT_EQ(room_.next_wake(), 1'000 + ttl);

  auto early = room_.wake(1'000 + ttl - 1);
  EXPECT_TRUE(presences_to(early, f).empty());
  auto due = room_.wake(1'000 + ttl);
  const auto cleared = presences_to(due, f);
  ASSERT_EQ(cleared.size(), 1U);
  EXPECT_EQ(cleared[0].member_id(), pa);
  EXPECT_EQ(cleared[0].instance_id(), "ws-1");
  EXPECT_TRUE(cleared[0].field_id().empty());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
}

TEST_F(worksheet_presence_test, editing_the_sheet_or_saying_so_again_keeps_the_presence) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);
  run(pa, presence("ws-1", "notes"), 0);
  store(run(pa, write("ws-1", "notes", "still here", 1), 100'000));
  EXPECT_EQ(room_.next_wake(), 100'000 + ttl);
  EXPECT_TRUE(presences_to(room_.wake(ttl), f).empty());
  run(pa, presence("ws-1", "risk"), 150'000);
  EXPECT_TRUE(presences_to(room_.wake(100'000 + ttl), f).empty());
  EXPECT_EQ(presences_to(room_.wake(150'000 + ttl), f).size(), 1U);
}

TEST_F(worksheet_presence_test, an_edit_to_another_sheet_does_not_refresh_it) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);   // ws-1, everyone's
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);  // ws-2 pa's, ws-3 pb's
  run(pa, presence("ws-2", "notes"), 0);
  store(run(pa, write("ws-1", "notes", "elsewhere", 1), 60'000));
  EXPECT_EQ(presences_to(room_.wake(ttl), f).size(), 1U);
}

TEST_F(worksheet_presence_test, a_promoted_member_receives_the_sheets_they_may_now_read) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);  // ws-1 pa's, ws-2 pb's
  pushed(v1::WORKSHEET_SCOPE_FAMILY);    // ws-3, pa's family with fm
  store(run(pb, write("ws-2", "notes", "mine", 1), 1));

  auto promoted = set_role(pa, v1::ROLE_CO_FACILITATOR, 2);
  ASSERT_TRUE(promoted.reply && !promoted.reply->has_error());
  EXPECT_EQ(sheet_news(promoted, pa, "ws-2"), std::vector<std::string>{"opened"});
  EXPECT_TRUE(sheet_news(promoted, pa, "ws-1").empty()) << "already theirs";
  EXPECT_TRUE(sheet_news(promoted, pa, "ws-3").empty()) << "already their family's";
  for (const auto& e : promoted.events) {
    if (e.event.has_worksheet_opened()) {
      EXPECT_EQ(e.event.worksheet_opened().sheet().document().version(), 1U);
      EXPECT_GT(e.event.direct_seq(), 0U) << "on the direct stream, so a resume replays it";
    }
    EXPECT_FALSE(e.event.has_worksheet_opened() && e.to.member != pa);
  }

  run(pb, presence("ws-2", "notes"), 3);
  auto back = set_role(pa, v1::ROLE_PARTICIPANT, 4);
  ASSERT_TRUE(back.reply && !back.reply->has_error());
  EXPECT_EQ(sheet_news(back, pa, "ws-2"), std::vector<std::string>{"lost"});
  EXPECT_TRUE(sheet_news(back, pa, "ws-1").empty());
  auto refused = run(pa, write("ws-2", "notes", "x", 1), 5);
  ASSERT_TRUE(refused.reply && refused.reply->has_error());
  EXPECT_EQ(refused.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(worksheet_presence_test, a_demoted_member_in_a_lost_sheet_leaves_it_for_its_readers) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);  // ws-1 pa's, ws-2 pb's
  set_role(pa, v1::ROLE_CO_FACILITATOR, 1);
  run(pa, presence("ws-2", "notes"), 2);
  auto back = set_role(pa, v1::ROLE_PARTICIPANT, 3);
  const auto to_pb = presences_to(back, pb);
  ASSERT_EQ(to_pb.size(), 1U);
  EXPECT_EQ(to_pb[0].member_id(), pa);
  EXPECT_TRUE(to_pb[0].field_id().empty());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
}

}  // namespace
}  // namespace hearth::core::testing
