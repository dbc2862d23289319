// The authorization table: every moderation command from every role, on a
// fresh room each time. Allowed ones succeed and are audited "ok"; refused ones
// answer 103, change nothing anyone can see and are audited "denied".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

using moderation_authorization_test = moderation_fixture;

// Every moderation command from every role: facilitators and co-facilitators
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
      staff_and_group();
      const auto seq = say(4, "from b", 1000);
      moderate(1, mod::mute(4, true, false), 1500);  // something for unmute to lift
      if (c.lock_first) {
        moderate(1, mod::lock(), 1600);
      }
      const bool allowed =
          is_facilitator(role) && !(role == v1::ROLE_CO_FACILITATOR && c.action == "end_session");
      if (allowed) {
        auto fx = moderate(actor, c.make(seq), 2000);
        EXPECT_FALSE(fx.events.empty());
        ASSERT_EQ(fx.audit.size(), 1U);
        EXPECT_EQ(fx.audit[0].action, c.action);
        EXPECT_EQ(fx.audit[0].outcome, "ok");
        EXPECT_EQ(fx.audit[0].actor_role, role);
        EXPECT_EQ(fx.audit[0].target, c.names_b ? "b" : "");
      } else {
        denied(actor, c.make(seq), 2000, c.action, c.names_b ? "b" : "");
      }
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
  }
}

}  // namespace
}  // namespace hearth::core::testing
