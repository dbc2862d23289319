// Observers and their consent (42 CFR Part 2), with literal times: no
// admission without valid consent, a facilitator's attestation, consent from
// the admin API with an expiry, and a revocation that takes the observer out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

v1::ClientMessage admit_cmd(std::uint32_t id, bool attest = false) {
  v1::ClientMessage m;
  m.mutable_lobby()->mutable_admit()->set_waiting_id(id);
  m.mutable_lobby()->mutable_admit()->set_attest_consent(attest);
  return m;
}

class consent_test : public moderation_fixture {
 protected:
  // Facilitator 1 and participant 2 in the room; observer "sup" waiting on
  // connection 30. Returns the waiting id.
  std::uint32_t supervisor_waits(time_ms now = 1000) {
    join("f", v1::ROLE_FACILITATOR);
    join("a", v1::ROLE_PARTICIPANT);
    auto fx = room_.join(30, person("sup", v1::ROLE_OBSERVER), now);
    EXPECT_TRUE(fx.reply->join().has_lobby());
    return fx.reply->join().lobby().waiting_id();
  }
  v1::ConsentState seen_consent(time_ms now = 0) const {
    const auto lobby = room_.snapshot(1, now).lobby();
    return lobby.waiting_size() == 0 ? v1::CONSENT_STATE_UNSPECIFIED : lobby.waiting(0).consent();
  }
};

TEST_F(consent_test, no_observer_comes_in_without_consent) {
  const auto id = supervisor_waits();
  EXPECT_EQ(seen_consent(), v1::CONSENT_STATE_NONE);
  refused(1, admit_cmd(id), 2000, v1::ERROR_CODE_FAILED_PRECONDITION);
  v1::ClientMessage all;
  all.mutable_lobby()->mutable_admit_all();
  auto fx = run(1, all, 2100);
  EXPECT_EQ(fx.reply->lobby().admitted(), 0U);  // passed over, still waiting
  EXPECT_TRUE(fx.admitted.empty());
  EXPECT_EQ(room_.snapshot(1, 0).lobby().waiting_size(), 1);
}

TEST_F(consent_test, a_facilitator_attests_consent_and_admits) {
  const auto id = supervisor_waits();
  auto fx = run(1, admit_cmd(id, /*attest=*/true), 2000);
  ASSERT_EQ(fx.admitted.size(), 1U);
  ASSERT_EQ(fx.consents.size(), 1U);
  EXPECT_EQ(fx.consents[0].subject, "sup");
  EXPECT_EQ(fx.consents[0].recorded_by, "f");
  EXPECT_EQ(fx.consents[0].granted_at, 2000);
  ASSERT_EQ(fx.audit.size(), 2U);
  EXPECT_EQ(fx.audit[0].action, "consent_attested");
  EXPECT_EQ(fx.audit[0].target, "sup");
  EXPECT_EQ(fx.audit[1].action, "admit");
  // Everyone sees the observer, with their role: nobody listens in unseen.
  const auto snap = room_.snapshot(2, 2000);
  EXPECT_EQ(snap.members(snap.members_size() - 1).role(), v1::ROLE_OBSERVER);
}

TEST_F(consent_test, consent_with_an_expiry_lets_in_until_it_runs_out) {
  const auto id = supervisor_waits();
  auto changed = room_.update_consent("sup", {"admin_api", 1500, 60'000, std::nullopt}, 1600);
  EXPECT_EQ(deliveries(changed), (std::vector<std::string>{"direct:1:lobby_changed"}));
  EXPECT_EQ(seen_consent(), v1::CONSENT_STATE_VALID);
  auto fx = run(1, admit_cmd(id), 2000);
  ASSERT_EQ(fx.admitted.size(), 1U);
  EXPECT_TRUE(fx.consents.empty());  // nothing to attest
  const member_id sup = fx.admitted[0].member;
  conn_of_[sup] = 30;
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(60'000));
  auto out = wake(60'000);
  ASSERT_EQ(out.closes.size(), 1U);
  EXPECT_EQ(out.closes[0].connection, 30U);
  EXPECT_EQ(out.closes[0].code, v1::CLOSE_CODE_CONSENT_WITHDRAWN);
  EXPECT_EQ(out.events.at(0).event.member_left().reason(), v1::LEAVE_REASON_CONSENT_WITHDRAWN);
  ASSERT_EQ(out.audit.size(), 1U);
  EXPECT_EQ(out.audit[0].action, "observer_removed");
  EXPECT_EQ(out.audit[0].actor, "");
  EXPECT_EQ(out.audit[0].detail, "consent_expired");
  EXPECT_EQ(out.attendance.at(0).what, attendance_change::kind::closed);
  // Back again: they wait, and the lobby says why they cannot come in.
  auto back = room_.join(31, person("sup", v1::ROLE_OBSERVER), 61'000);
  EXPECT_TRUE(back.reply->join().has_lobby());
  EXPECT_EQ(seen_consent(61'000), v1::CONSENT_STATE_EXPIRED);
}

TEST_F(consent_test, a_revocation_takes_the_observer_out_at_once) {
  const auto id = supervisor_waits();
  room_.restore_consent("sup", {"admin_api", 500, std::nullopt, std::nullopt});
  const member_id sup = run(1, admit_cmd(id), 2000).admitted.at(0).member;
  auto fx = room_.update_consent("sup", {"admin_api", 500, std::nullopt, 3000}, 3000);
  ASSERT_EQ(fx.closes.size(), 1U);
  EXPECT_EQ(fx.closes[0].code, v1::CLOSE_CODE_CONSENT_WITHDRAWN);
  EXPECT_EQ(fx.audit.at(0).detail, "consent_revoked");
  EXPECT_EQ(who(sup).presence, v1::PRESENCE_LEFT);
  check();
  // A revocation for someone waiting only changes what facilitators see.
  room_.join(32, person("sup", v1::ROLE_OBSERVER), 4000);
  EXPECT_EQ(seen_consent(), v1::CONSENT_STATE_REVOKED);
  auto again = room_.update_consent("sup", {"admin_api", 5000, std::nullopt, std::nullopt}, 5000);
  EXPECT_TRUE(again.closes.empty());
  EXPECT_EQ(seen_consent(), v1::CONSENT_STATE_VALID);  // granted again
}

}  // namespace
}  // namespace hearth::core::testing
