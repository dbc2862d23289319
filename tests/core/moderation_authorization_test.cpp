// The authorization table: every moderation and lobby command from every role,
// and from someone waiting in the lobby, on a fresh room each time. Allowed
// ones succeed and are audited "ok"; refused ones answer 103 (114 from the
// lobby), change nothing anyone can see and are audited "denied".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

using moderation_authorization_test = moderation_fixture;

// Every moderation, lobby and breakout command from every role: facilitators and co-facilitators
// may (a co-facilitator may not end the session while a facilitator is
// here), everyone else is refused with 103, nothing changes and one audit
// note says "denied".
TEST_F(moderation_authorization_test, every_command_from_every_role) {
  struct command_case {
    const char* name;
    std::string action;
    bool names_b;  // the audit target is member 4 ("b")
    bool lock_first;
    v1::ClientMessage (*make)(std::uint32_t chat_seq);
    const char* target = nullptr;  // the audit target when not "b" or ""
    bool breakouts_first = false;  // breakout rooms 1 ({a}) and 2 ({b}) are open
  };

  const std::vector<command_case> commands = {
      {"mute", "mute", true, false, [](std::uint32_t) { return mod::mute(4); }},
      {"unmute", "unmute", true, false, [](std::uint32_t) { return mod::unmute(4); }},
      {"mute_all", "mute_all", false, false, [](std::uint32_t) { return mod::mute_all(); }},
      {"unmute_all", "unmute_all", false, false, [](std::uint32_t) { return mod::unmute_all(); }},
      {"remove", "remove", true, false, [](std::uint32_t) { return mod::remove(4); }},
      {"lock", "lock", false, false, [](std::uint32_t) { return mod::lock(); }},
      {"unlock", "unlock", false, true, [](std::uint32_t) { return mod::unlock(); }},
      {"end_session", "end_session", false, false,
       [](std::uint32_t) { return mod::end_session(); }},
      {"delete_chat", "delete_chat", true, false,
       [](std::uint32_t seq) { return mod::delete_chat(seq); }},
      {"promote", "role_change", true, false,
       [](std::uint32_t) { return mod::set_role(4, v1::ROLE_CO_FACILITATOR); }},
      {"ban", "ban", true, false, [](std::uint32_t) { return mod::ban(4); }},
      {"unban", "unban", false, false, [](std::uint32_t) { return mod::unban(1); }, "z"},
      {"admit", "admit", false, false, [](std::uint32_t) { return mod::admit(2); }, "w"},
      {"admit_all", "admit_all", false, false, [](std::uint32_t) { return mod::admit_all(); }},
      {"deny", "deny", false, false, [](std::uint32_t) { return mod::deny(2); }, "w"},
      {"deny_all", "deny_all", false, false, [](std::uint32_t) { return mod::deny_all(); }},
      {"lobby_message", "lobby_message", false, false,
       [](std::uint32_t) { return mod::lobby_message("back at ten past"); }},
      {"step_out", "step_out", true, false, [](std::uint32_t) { return mod::step_out(4); }},
      {"start_break", "break_start", false, false,
       [](std::uint32_t) {
         v1::Moderation m;
         m.mutable_start_break()->set_duration_ms(600'000);
         return mod::wrap(m);
       }},
      {"open_breakouts", "breakouts_opened", false, false,
       [](std::uint32_t) {
         v1::ClientMessage m;
         m.mutable_breakout()->mutable_open()->add_rooms()->add_member_ids(3);
         return m;
       }},
      {"move_to_breakout", "breakout_move", false, false,
       [](std::uint32_t) {
         v1::ClientMessage m;
         m.mutable_breakout()->mutable_move()->set_member_id(5);
         m.mutable_breakout()->mutable_move()->set_breakout_id(1);
         return m;
       },
       "fam", true},
      {"enter_breakout", "breakout_entered", false, false,
       [](std::uint32_t) {
         v1::ClientMessage m;
         m.mutable_breakout()->mutable_enter()->set_breakout_id(2);
         return m;
       },
       nullptr, true},
      {"broadcast", "breakout_broadcast", false, false,
       [](std::uint32_t) {
         v1::ClientMessage m;
         m.mutable_breakout()->mutable_broadcast()->set_text("two minutes");
         return m;
       },
       nullptr, true},
      {"recall", "breakouts_recalled", false, false,
       [](std::uint32_t) {
         v1::ClientMessage m;
         m.mutable_breakout()->mutable_recall();
         return m;
       },
       nullptr, true},
  };
  const std::vector<std::pair<member_id, v1::Role>> actors = {{1, v1::ROLE_FACILITATOR},
                                                              {2, v1::ROLE_CO_FACILITATOR},
                                                              {3, v1::ROLE_PARTICIPANT},
                                                              {5, v1::ROLE_FAMILY_MEMBER},
                                                              {6, v1::ROLE_OBSERVER}};
  for (const auto& c : commands) {
    for (const auto& [actor, role] : actors) {
      SCOPED_TRACE(std::string(c.name) + " by " + role_label(role));
      reset();
      room_.restore_ban("z", "name-z", v1::ROLE_PARTICIPANT, 500);  // ban 1, for unban
      room_.restore_consent("w", {"admin_api", 400, std::nullopt, std::nullopt});
      staff_and_group();
      // Observers "w" and "v" wait in the lobby (waiting ids 2 and 3; "o" was 1).
      ASSERT_TRUE(room_.join(50, person("w", v1::ROLE_OBSERVER), 900).reply->join().has_lobby());
      ASSERT_TRUE(room_.join(60, person("v", v1::ROLE_OBSERVER), 900).reply->join().has_lobby());
      const auto seq = say(4, "from b", 1000);
      moderate(1, mod::mute(4, true, false), 1500);  // something for unmute to lift
      if (c.lock_first) {
        moderate(1, mod::lock(), 1600);
      }
      if (c.breakouts_first) {
        v1::ClientMessage open;
        open.mutable_breakout()->mutable_open()->add_rooms()->add_member_ids(3);
        open.mutable_breakout()->mutable_open()->add_rooms()->add_member_ids(4);
        ASSERT_TRUE(run(1, open, 1700).reply->has_breakout());
      }
      const std::string target = c.target != nullptr ? c.target : c.names_b ? "b" : "";
      const bool allowed =
          is_facilitator(role) && !(role == v1::ROLE_CO_FACILITATOR && c.action == "end_session");
      if (allowed) {
        auto fx = run(actor, c.make(seq), 2000);
        ASSERT_TRUE(fx.reply);
        EXPECT_FALSE(fx.reply->has_error()) << fx.reply->error().message();
        EXPECT_FALSE(fx.events.empty());
        ASSERT_EQ(fx.audit.size(), 1U);
        EXPECT_EQ(fx.audit[0].action, c.action);
        EXPECT_EQ(fx.audit[0].outcome, "ok");
        EXPECT_EQ(fx.audit[0].actor_role, role);
        EXPECT_EQ(fx.audit[0].target, target);
      } else {
        denied(actor, c.make(seq), 2000, c.action, target);
      }
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
    // From the lobby: not in the room (114), nothing changes, and the attempt
    // is on record.
    SCOPED_TRACE(std::string(c.name) + " from the lobby");
    const auto head = room_.head_seq();
    const auto before = room_.snapshot(1, 3000).SerializeAsString();
    auto fx = room_.handle(60, c.make(1), 3000);
    ASSERT_TRUE(fx.reply && fx.reply->has_error());
    EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_NOT_JOINED);
    EXPECT_TRUE(fx.events.empty());
    EXPECT_TRUE(fx.closes.empty());
    EXPECT_EQ(room_.head_seq(), head);
    EXPECT_EQ(room_.snapshot(1, 3000).SerializeAsString(), before);
    ASSERT_EQ(fx.audit.size(), 1U);
    EXPECT_EQ(fx.audit[0].actor, "v");
    EXPECT_EQ(fx.audit[0].action, c.action);
    EXPECT_EQ(fx.audit[0].outcome, "denied");
    EXPECT_EQ(fx.audit[0].detail, "waiting");
  }
}

// Banned and removed people have no connection left to command with; what
// they can still try is to come back. A banned identity is refused with any
// token, on record; a removed one waits for a facilitator.
TEST_F(moderation_authorization_test, banned_and_removed_people_can_only_knock) {
  staff_and_group();
  moderate(1, mod::ban(3), 1000);
  moderate(1, mod::remove(4), 1000);
  auto banned = room_.join(70, person("a", v1::ROLE_PARTICIPANT), 2000);
  ASSERT_TRUE(banned.reply->has_error());
  EXPECT_EQ(banned.reply->error().code(), v1::ERROR_CODE_BANNED);
  EXPECT_TRUE(banned.events.empty());
  ASSERT_EQ(banned.audit.size(), 1U);
  EXPECT_EQ(banned.audit[0].action, "join");
  EXPECT_EQ(banned.audit[0].outcome, "denied");
  EXPECT_EQ(banned.audit[0].detail, "banned");
  auto removed = room_.join(71, person("b", v1::ROLE_PARTICIPANT), 2000);
  EXPECT_EQ(removed.reply->join().lobby().reason(), v1::WAIT_REASON_REMOVED);
  EXPECT_FALSE(room_.member_of(71).has_value());
  check();
}

}  // namespace
}  // namespace hearth::core::testing
