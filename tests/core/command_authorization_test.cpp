// The authorization table of the foundation's commands (chat in each scope,
// the floor, distress signals, polls, the attendance so far) from every role, on a fresh room each
// time. Allowed ones succeed; refused ones answer 103, change nothing anyone
// can see and are on record as denied, without what they carried. The
// moderation, lobby and breakout commands have their own table
// (moderation_authorization_test.cpp).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "floor_fixture.hpp"
#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

using command_authorization_test = moderation_fixture;

v1::ClientMessage floor_message(const v1::FloorCommand& command) {
  v1::ClientMessage m;
  *m.mutable_floor() = command;
  return m;
}
v1::ClientMessage poll(void (*fill)(v1::PollCommand&)) {
  v1::ClientMessage m;
  fill(*m.mutable_poll());
  return m;
}

TEST_F(command_authorization_test, every_foundation_command_from_every_role) {
  enum class setup : std::uint8_t { none, hand, distress, poll };
  struct command_case {
    const char* name;
    std::set<v1::Role> allowed;
    setup before;
    v1::ClientMessage (*make)();
  };
  const std::set<v1::Role> everyone = {v1::ROLE_FACILITATOR, v1::ROLE_CO_FACILITATOR,
                                       v1::ROLE_PARTICIPANT, v1::ROLE_FAMILY_MEMBER,
                                       v1::ROLE_OBSERVER};
  const std::set<v1::Role> staff = {v1::ROLE_FACILITATOR, v1::ROLE_CO_FACILITATOR};
  const std::set<v1::Role> speakers = {v1::ROLE_FACILITATOR, v1::ROLE_CO_FACILITATOR,
                                       v1::ROLE_PARTICIPANT, v1::ROLE_FAMILY_MEMBER};
  const std::set<v1::Role> group = {v1::ROLE_PARTICIPANT, v1::ROLE_FAMILY_MEMBER};
  const std::vector<command_case> commands = {
      {"room chat", speakers, setup::none, [] { return mod::chat("hello all"); }},
      {"chat to the facilitators", everyone, setup::none,
       [] { return private_chat(0, "to the staff", 0, v1::CHAT_SCOPE_FACILITATORS); }},
      {"private chat to a participant", staff, setup::none,
       [] { return private_chat(4, "just you"); }},
      {"raise a hand", speakers, setup::none, [] { return floor_message(cmd::raise()); }},
      {"grant the floor", staff, setup::hand, [] { return floor_message(cmd::grant(4)); }},
      {"lower another's hand", staff, setup::hand, [] { return floor_message(cmd::lower(4)); }},
      {"set the floor mode", staff, setup::none,
       [] { return floor_message(cmd::mode(v1::FLOOR_MODE_OPEN)); }},
      {"start a round", staff, setup::none, [] { return floor_message(cmd::round()); }},
      {"pause the floor", staff, setup::none, [] { return floor_message(cmd::pause()); }},
      {"read airtime", staff, setup::none, [] { return floor_message(cmd::airtime()); }},
      {"signal distress", group, setup::none, [] { return signal(); }},
      {"acknowledge distress", staff, setup::distress, [] { return acknowledge(1); }},
      {"start a poll", staff, setup::none,
       [] {
         return poll([](v1::PollCommand& c) {
           c.mutable_start()->set_question("how are you");
           c.mutable_start()->mutable_scale()->set_max(10);
         });
       }},
      {"answer a poll", group, setup::poll,
       [] {
         return poll([](v1::PollCommand& c) {
           c.mutable_answer()->set_poll_id(1);
           c.mutable_answer()->set_value(5);
         });
       }},
      {"close a poll", staff, setup::poll,
       [] { return poll([](v1::PollCommand& c) { c.mutable_close()->set_poll_id(1); }); }},
  };
  // Actors: facilitator 1, co-facilitator 2, participant 3, family member 5, observer 6.
  const std::vector<std::pair<member_id, v1::Role>> actors = {{1, v1::ROLE_FACILITATOR},
                                                              {2, v1::ROLE_CO_FACILITATOR},
                                                              {3, v1::ROLE_PARTICIPANT},
                                                              {5, v1::ROLE_FAMILY_MEMBER},
                                                              {6, v1::ROLE_OBSERVER}};
  for (const auto& c : commands) {
    for (const auto& [actor, role] : actors) {
      SCOPED_TRACE(std::string(c.name) + " by " + role_label(role));
      reset();
      staff_and_group();
      switch (c.before) {
        case setup::hand:
          ASSERT_TRUE(run(4, floor_message(cmd::raise()), 1000).reply->has_floor());
          break;
        case setup::distress:
          ASSERT_TRUE(run(4, signal(), 1000).reply->has_distress());
          break;
        case setup::poll:
          ASSERT_TRUE(run(1, poll([](v1::PollCommand& p) {
                            p.mutable_start()->set_question("how are you");
                            p.mutable_start()->mutable_scale()->set_max(10);
                          }),
                          1000)
                          .reply->has_poll());
          break;
        case setup::none:
          break;
      }
      if (c.allowed.contains(role)) {
        auto fx = run(actor, c.make(), 2000);
        ASSERT_TRUE(fx.reply);
        EXPECT_FALSE(fx.reply->has_error()) << fx.reply->error().message();
        for (const auto& note : fx.audit) {
          EXPECT_NE(note.outcome, "denied");
        }
      } else {
        refused(actor, c.make(), 2000, v1::ERROR_CODE_PERMISSION_DENIED);
      }
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
  }
}

TEST_F(command_authorization_test, attendance_so_far_is_for_facilitators_and_on_record) {
  v1::ClientMessage ask;
  ask.mutable_attendance();
  for (const auto& [actor, role] :
       std::vector<std::pair<member_id, v1::Role>>{{1, v1::ROLE_FACILITATOR},
                                                   {2, v1::ROLE_CO_FACILITATOR},
                                                   {3, v1::ROLE_PARTICIPANT},
                                                   {5, v1::ROLE_FAMILY_MEMBER},
                                                   {6, v1::ROLE_OBSERVER}}) {
    SCOPED_TRACE(role_label(role));
    reset();
    staff_and_group();
    if (is_facilitator(role)) {
      auto fx = run(actor, ask, 2000);
      EXPECT_FALSE(fx.reply) << "the shell answers from the records";
      EXPECT_TRUE(fx.attendance_asked);
      EXPECT_TRUE(fx.events.empty());
      ASSERT_EQ(fx.audit.size(), 1U);
      EXPECT_EQ(fx.audit[0].action, "record_viewed");
      EXPECT_EQ(fx.audit[0].outcome, "ok");
      EXPECT_EQ(fx.audit[0].detail, "attendance");
    } else {
      refused(actor, ask, 2000, v1::ERROR_CODE_PERMISSION_DENIED);
    }
  }
}

}  // namespace
}  // namespace hearth::core::testing
