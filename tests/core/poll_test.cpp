// Check-in polls with literal times: who starts, answers and closes, who
// receives each event, what each snapshot shows, the audit notes, the limits,
// and (poll_containment_test) that no answer ever reaches anyone but the
// facilitators and the member who gave it, except as closed aggregate counts.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

namespace polls {

inline v1::ClientMessage wrap(v1::PollCommand c) {
  v1::ClientMessage out;
  *out.mutable_poll() = std::move(c);
  return out;
}
inline v1::ClientMessage scale(const std::string& question, std::uint32_t min, std::uint32_t max,
                               v1::PollVisibility visibility = v1::POLL_VISIBILITY_UNSPECIFIED) {
  v1::PollCommand c;
  c.mutable_start()->set_question(question);
  c.mutable_start()->mutable_scale()->set_min(min);
  c.mutable_start()->mutable_scale()->set_max(max);
  c.mutable_start()->set_visibility(visibility);
  return wrap(c);
}
inline v1::ClientMessage choices(const std::string& question,
                                 const std::vector<std::string>& options,
                                 v1::PollVisibility visibility = v1::POLL_VISIBILITY_UNSPECIFIED) {
  v1::PollCommand c;
  c.mutable_start()->set_question(question);
  auto* list = c.mutable_start()->mutable_choices();
  for (const auto& option : options) {
    list->add_choices(option);
  }
  c.mutable_start()->set_visibility(visibility);
  return wrap(c);
}
inline v1::ClientMessage value(std::uint32_t poll_id, std::uint32_t v) {
  v1::PollCommand c;
  c.mutable_answer()->set_poll_id(poll_id);
  c.mutable_answer()->set_value(v);
  return wrap(c);
}
inline v1::ClientMessage choice(std::uint32_t poll_id, std::uint32_t index) {
  v1::PollCommand c;
  c.mutable_answer()->set_poll_id(poll_id);
  c.mutable_answer()->set_choice(index);
  return wrap(c);
}
inline v1::ClientMessage close(std::uint32_t poll_id) {
  v1::PollCommand c;
  c.mutable_close()->set_poll_id(poll_id);
  return wrap(c);
}

}  // namespace polls

constexpr auto group = v1::POLL_VISIBILITY_GROUP_AGGREGATE;

class poll_test : public moderation_fixture {
 protected:
  using floor_fixture::ok;  // floor commands

  // Runs, expects a PollResult; returns the effects.
  effects ok(member_id who, const v1::ClientMessage& message, time_ms now) {
    auto fx = run(who, message, now);
    EXPECT_TRUE(fx.reply && fx.reply->has_poll())
        << (fx.reply && fx.reply->has_error() ? fx.reply->error().message() : "no reply");
    if (fx.reply && fx.reply->has_poll()) {
      EXPECT_EQ(fx.reply->poll().seq(), room_.head_seq());
    }
    return fx;
  }

  // The poll `id` in `viewer`'s snapshot; fails the test when it is not there.
  v1::PollState seen(member_id viewer, std::uint32_t id, time_ms now = 0) const {
    const auto snap = room_.snapshot(viewer, now);
    for (const auto& p : snap.polls()) {
      if (p.poll_id() == id) {
        return p;
      }
    }
    ADD_FAILURE() << "poll " << id << " is not in the snapshot of " << viewer;
    return {};
  }

  std::vector<std::uint32_t> poll_ids(member_id viewer) const {
    std::vector<std::uint32_t> out;
    const auto snap = room_.snapshot(viewer, 0);
    for (const auto& p : snap.polls()) {
      out.push_back(p.poll_id());
    }
    return out;
  }

  // member id -> value or choice, from a list of answers.
  static std::map<member_id, std::uint32_t> answers(
      const google::protobuf::RepeatedPtrField<v1::PollAnswer>& list) {
    std::map<member_id, std::uint32_t> out;
    for (const auto& a : list) {
      out[a.member_id()] = a.has_value() ? a.value() : a.choice();
    }
    return out;
  }

  static std::vector<std::uint32_t> counts(
      const google::protobuf::RepeatedField<std::uint32_t>& c) {
    return {c.begin(), c.end()};
  }
};

using answers_t = std::map<member_id, std::uint32_t>;
using counts_t = std::vector<std::uint32_t>;

TEST_F(poll_test, a_started_poll_goes_to_the_room_stream_with_an_audit_note_of_codes) {
  staff_and_group();
  const auto direct = direct_heads();
  auto fx = ok(1, polls::scale("How are you right now, 0-10?", 0, 10), 10'000);
  EXPECT_EQ(fx.reply->poll().poll_id(), 1U);
  EXPECT_EQ(fx.reply->poll().direct_seq(), 0U);
  EXPECT_FALSE(fx.reply->poll().duplicate());
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:poll_started"}));
  const auto& e = fx.events[0].event;
  EXPECT_EQ(e.seq(), room_.head_seq());
  EXPECT_EQ(e.server_time_ms(), 10'000U);
  const auto& started = e.poll_started();
  EXPECT_EQ(started.poll_id(), 1U);
  EXPECT_EQ(started.question(), "How are you right now, 0-10?");
  ASSERT_TRUE(started.has_scale());
  EXPECT_EQ(started.scale().min(), 0U);
  EXPECT_EQ(started.scale().max(), 10U);
  EXPECT_EQ(started.visibility(), v1::POLL_VISIBILITY_FACILITATORS);  // the default
  EXPECT_EQ(started.started_by_member_id(), 1U);
  EXPECT_EQ(started.started_at_ms(), 10'000U);
  EXPECT_EQ(direct_heads(), direct);
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].actor, "f");
  EXPECT_EQ(fx.audit[0].actor_role, v1::ROLE_FACILITATOR);
  EXPECT_EQ(fx.audit[0].action, "poll_started");
  EXPECT_EQ(fx.audit[0].target, "");
  EXPECT_EQ(fx.audit[0].outcome, "ok");
  EXPECT_EQ(fx.audit[0].detail, "poll=1 kind=scale visibility=facilitators");
  EXPECT_EQ(fx.audit[0].at, 10'000);

  // Everyone sees the question, open, with no answers.
  for (member_id viewer : {1U, 3U, 6U}) {
    const auto p = seen(viewer, 1);
    EXPECT_TRUE(p.open());
    EXPECT_EQ(p.question(), "How are you right now, 0-10?");
    EXPECT_EQ(p.visibility(), v1::POLL_VISIBILITY_FACILITATORS);
    EXPECT_EQ(p.started_at_ms(), 10'000U);
    EXPECT_EQ(p.closed_by_member_id(), 0U);
    EXPECT_TRUE(p.answers().empty());
  }
}

TEST_F(poll_test, a_co_facilitator_starts_a_choices_poll_for_the_group) {
  staff_and_group();
  auto fx =
      ok(2, polls::choices("Which skill helped most?", {"Breathing", "HALT", "Calling"}, group),
         10'000);
  const auto& started = fx.events.at(0).event.poll_started();
  ASSERT_TRUE(started.has_choices());
  EXPECT_EQ(started.choices().choices_size(), 3);
  EXPECT_EQ(started.choices().choices(1), "HALT");
  EXPECT_EQ(started.visibility(), group);
  EXPECT_EQ(started.started_by_member_id(), 2U);
  EXPECT_EQ(fx.audit.at(0).actor_role, v1::ROLE_CO_FACILITATOR);
  EXPECT_EQ(fx.audit.at(0).detail, "poll=1 kind=choices visibility=group_aggregate");
}

TEST_F(poll_test, only_facilitators_start_and_close_and_each_refusal_is_audited) {
  staff_and_group();
  for (member_id who : {3U, 4U, 5U, 6U}) {
    denied(who, polls::scale("q", 0, 10), 10'000, "poll_started", "");
  }
  ok(1, polls::scale("q", 0, 10), 11'000);
  for (member_id who : {3U, 5U, 6U}) {
    denied(who, polls::close(1), 12'000, "poll_closed", "");
  }
  // The denial names no poll and says why.
  auto fx = run(4, polls::close(1), 12'500);
  EXPECT_EQ(fx.audit.at(0).detail, "not_staff");
  EXPECT_EQ(fx.audit.at(0).actor, "b");
  EXPECT_TRUE(seen(1, 1).open());
}

TEST_F(poll_test, bad_arguments_are_107_and_limits_106_and_change_nothing) {
  staff_and_group();
  auto bad = [&](const v1::ClientMessage& m) { refused(1, m, 10'000, v1::ERROR_CODE_BAD_REQUEST); };
  auto over = [&](const v1::ClientMessage& m) {
    refused(1, m, 10'000, v1::ERROR_CODE_LIMIT_EXCEEDED);
  };
  bad(polls::wrap(v1::PollCommand{}));  // no action
  v1::PollCommand no_kind;
  no_kind.mutable_start()->set_question("q");
  bad(polls::wrap(no_kind));
  bad(polls::scale("", 0, 10));
  bad(polls::scale("q", 0, 10, static_cast<v1::PollVisibility>(7)));
  bad(polls::scale("q", 5, 5));
  bad(polls::scale("q", 6, 5));
  bad(polls::scale("q", 0, 11));
  bad(polls::choices("q", {}));
  bad(polls::choices("q", {"only"}));
  bad(polls::choices("q", {"yes", ""}));
  bad(polls::choices("q", {"yes", "no", "yes"}));
  over(polls::scale(std::string(301, 'q'), 0, 10));
  over(polls::choices("q", {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}));
  over(polls::choices("q", {"yes", std::string(101, 'n')}));
  EXPECT_TRUE(poll_ids(1).empty());

  // Right at the limits is fine.
  ok(1,
     polls::choices(std::string(300, 'q'),
                    {"1", "2", "3", "4", "5", "6", "7", "8", "9", std::string(100, 'x')}),
     11'000);
  ok(1, polls::close(1), 11'500);
  ok(1, polls::scale("q", 9, 10), 12'000);
}

TEST_F(poll_test, one_poll_is_open_at_a_time) {
  staff_and_group();
  ok(1, polls::scale("first", 0, 10), 10'000);
  refused(2, polls::scale("second", 0, 10), 11'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, polls::choices("second", {"a", "b"}), 11'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(2, polls::close(1), 12'000);  // any facilitator closes it
  auto fx = ok(1, polls::scale("second", 0, 10), 13'000);
  EXPECT_EQ(fx.reply->poll().poll_id(), 2U);
  EXPECT_EQ(poll_ids(3), (std::vector<std::uint32_t>{1, 2}));
}

TEST_F(poll_test, an_answer_reaches_every_facilitator_and_the_answerer_and_nobody_else) {
  staff_and_group();
  ok(1, polls::scale("How are you?", 0, 10), 10'000);
  drop(2, 10'500);  // a reconnecting co-facilitator still receives
  const auto head = room_.head_seq();
  const auto before = direct_heads();
  auto fx = ok(3, polls::value(1, 7), 11'000);
  EXPECT_EQ(deliveries(fx),
            (std::vector<std::string>{"direct:1:poll_answer", "direct:2:poll_answer",
                                      "direct:3:poll_answer"}));
  for (const auto& e : fx.events) {
    EXPECT_EQ(e.event.seq(), 0U);
    EXPECT_EQ(e.event.direct_seq(), before.at(e.to.member) + 1);
    EXPECT_EQ(e.event.server_time_ms(), 11'000U);
    const auto& a = e.event.poll_answer();
    EXPECT_EQ(a.poll_id(), 1U);
    EXPECT_EQ(a.member_id(), 3U);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a.value(), 7U);
    EXPECT_EQ(a.answered_at_ms(), 11'000U);
  }
  EXPECT_EQ(room_.head_seq(), head);  // no trace in the room stream
  EXPECT_EQ(fx.reply->poll().poll_id(), 1U);
  EXPECT_EQ(fx.reply->poll().direct_seq(), room_.direct_head(3));
  EXPECT_FALSE(fx.reply->poll().duplicate());
  EXPECT_TRUE(fx.audit.empty());  // answers are never audited
  EXPECT_EQ(room_.direct_head(4), before.at(4));
  EXPECT_EQ(room_.direct_head(5), before.at(5));
  EXPECT_EQ(room_.direct_head(6), before.at(6));

  // The family member answers too.
  auto family = ok(5, polls::value(1, 0), 11'500);
  EXPECT_EQ(deliveries(family),
            (std::vector<std::string>{"direct:1:poll_answer", "direct:2:poll_answer",
                                      "direct:5:poll_answer"}));
  EXPECT_EQ(family.events[0].event.poll_answer().value(), 0U);
}

TEST_F(poll_test, facilitators_and_observers_do_not_answer_and_nothing_is_audited) {
  staff_and_group();
  ok(1, polls::scale("q", 0, 10), 10'000);
  for (member_id who : {1U, 2U, 6U}) {
    refused(who, polls::value(1, 5), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  }
  // The role is checked first.
  refused(6, polls::value(99, 5), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(seen(1, 1).answered(), 0U);
}

TEST_F(poll_test, a_new_answer_replaces_the_old_and_the_same_answer_again_sends_nothing) {
  staff_and_group();
  ok(1, polls::choices("Today I feel", {"calm", "tense", "tired"}), 10'000);
  ok(3, polls::choice(1, 1), 11'000);
  auto changed = ok(3, polls::choice(1, 2), 12'000);
  EXPECT_EQ(deliveries(changed),
            (std::vector<std::string>{"direct:1:poll_answer", "direct:2:poll_answer",
                                      "direct:3:poll_answer"}));
  EXPECT_EQ(changed.events[0].event.poll_answer().choice(), 2U);
  EXPECT_EQ(changed.events[0].event.poll_answer().answered_at_ms(), 12'000U);

  const auto head = room_.head_seq();
  const auto before = direct_heads();
  auto again = ok(3, polls::choice(1, 2), 13'000);  // a retry
  EXPECT_TRUE(again.reply->poll().duplicate());
  EXPECT_EQ(again.reply->poll().direct_seq(), 0U);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(room_.head_seq(), head);
  EXPECT_EQ(direct_heads(), before);

  const auto p = seen(1, 1);
  EXPECT_EQ(answers(p.answers()), (answers_t{{3, 2}}));
  EXPECT_EQ(p.answers(0).answered_at_ms(), 12'000U);  // the retry kept the time
  EXPECT_EQ(p.answered(), 1U);
}

TEST_F(poll_test, answers_to_unknown_or_closed_polls_or_that_do_not_fit_are_refused) {
  staff_and_group();
  refused(3, polls::value(1, 5), 10'000, v1::ERROR_CODE_NOT_FOUND);  // none yet
  ok(1, polls::scale("q", 1, 5), 10'000);
  refused(3, polls::value(0, 5), 11'000, v1::ERROR_CODE_NOT_FOUND);
  refused(3, polls::value(2, 5), 11'000, v1::ERROR_CODE_NOT_FOUND);
  v1::PollCommand empty;
  empty.mutable_answer()->set_poll_id(1);
  refused(3, polls::wrap(empty), 11'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(3, polls::value(1, 0), 11'000, v1::ERROR_CODE_BAD_REQUEST);   // below min
  refused(3, polls::value(1, 6), 11'000, v1::ERROR_CODE_BAD_REQUEST);   // above max
  refused(3, polls::choice(1, 0), 11'000, v1::ERROR_CODE_BAD_REQUEST);  // the other kind
  ok(3, polls::value(1, 1), 11'500);
  ok(3, polls::value(1, 5), 11'600);
  ok(1, polls::close(1), 12'000);
  refused(3, polls::value(1, 3), 13'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(4, polls::value(1, 3), 13'000, v1::ERROR_CODE_FAILED_PRECONDITION);

  ok(1, polls::choices("q", {"a", "b", "c"}), 14'000);
  refused(3, polls::choice(2, 3), 14'500, v1::ERROR_CODE_BAD_REQUEST);
  refused(3, polls::value(2, 1), 14'500, v1::ERROR_CODE_BAD_REQUEST);
  ok(3, polls::choice(2, 0), 14'600);
}

TEST_F(poll_test, closing_tells_the_room_the_count_and_the_facilitators_every_answer) {
  staff_and_group();
  ok(1, polls::scale("How are you?", 0, 3), 10'000);
  ok(3, polls::value(1, 2), 10'100);
  ok(4, polls::value(1, 0), 10'200);
  ok(5, polls::value(1, 2), 10'300);
  const auto before = direct_heads();
  auto fx = ok(2, polls::close(1), 11'000);
  EXPECT_EQ(fx.reply->poll().poll_id(), 1U);
  EXPECT_FALSE(fx.reply->poll().duplicate());
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:poll_closed", "direct:1:poll_closed",
                                                      "direct:2:poll_closed"}));
  const auto& room_copy = fx.events[0].event;
  EXPECT_EQ(room_copy.seq(), room_.head_seq());
  EXPECT_EQ(room_copy.poll_closed().poll_id(), 1U);
  EXPECT_EQ(room_copy.poll_closed().answered(), 3U);
  EXPECT_TRUE(room_copy.poll_closed().counts().empty());  // visibility: facilitators
  EXPECT_TRUE(room_copy.poll_closed().answers().empty());
  EXPECT_EQ(room_copy.poll_closed().closed_by_member_id(), 2U);
  EXPECT_EQ(room_copy.poll_closed().closed_at_ms(), 11'000U);
  for (std::size_t i = 1; i < fx.events.size(); ++i) {
    const auto& e = fx.events[i].event;
    EXPECT_EQ(e.seq(), 0U);
    EXPECT_EQ(e.direct_seq(), before.at(fx.events[i].to.member) + 1);
    EXPECT_EQ(e.poll_closed().answered(), 3U);
    EXPECT_EQ(counts(e.poll_closed().counts()), (counts_t{1, 0, 2, 0}));
    EXPECT_EQ(answers(e.poll_closed().answers()), (answers_t{{3, 2}, {4, 0}, {5, 2}}));
    EXPECT_EQ(e.poll_closed().answers(0).answered_at_ms(), 10'100U);
  }
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].actor, "co");
  EXPECT_EQ(fx.audit[0].action, "poll_closed");
  EXPECT_EQ(fx.audit[0].target, "");
  EXPECT_EQ(fx.audit[0].outcome, "ok");
  EXPECT_EQ(fx.audit[0].detail, "poll=1 answers=3 visibility=facilitators");
  EXPECT_EQ(fx.audit[0].at, 11'000);

  // Closing again: a success that sends and records nothing. Unknown: 104.
  const auto head = room_.head_seq();
  auto twice = ok(1, polls::close(1), 12'000);
  EXPECT_TRUE(twice.reply->poll().duplicate());
  EXPECT_TRUE(twice.events.empty());
  EXPECT_TRUE(twice.audit.empty());
  EXPECT_EQ(room_.head_seq(), head);
  refused(1, polls::close(2), 12'000, v1::ERROR_CODE_NOT_FOUND);
  refused(1, polls::close(0), 12'000, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(poll_test, a_group_aggregate_poll_shows_everyone_the_anonymous_counts_once_closed) {
  staff_and_group();
  ok(1, polls::choices("Craving today?", {"none", "some", "strong"}, group), 10'000);
  ok(3, polls::choice(1, 1), 10'100);
  ok(4, polls::choice(1, 1), 10'200);
  // While open, the group sees neither counts nor how many answered.
  for (member_id viewer : {3U, 4U, 5U, 6U}) {
    const auto p = seen(viewer, 1);
    EXPECT_EQ(p.answered(), 0U);
    EXPECT_TRUE(p.counts().empty());
  }
  auto fx = ok(1, polls::close(1), 11'000);
  const auto& closed = fx.events.at(0).event.poll_closed();
  EXPECT_EQ(fx.events.at(0).to.kind, audience_kind::room_stream);
  EXPECT_EQ(closed.answered(), 2U);
  EXPECT_EQ(counts(closed.counts()), (counts_t{0, 2, 0}));
  EXPECT_TRUE(closed.answers().empty());  // no member ids on the room stream
  EXPECT_EQ(fx.audit.at(0).detail, "poll=1 answers=2 visibility=group_aggregate");
  for (member_id viewer : {1U, 3U, 5U, 6U}) {
    const auto p = seen(viewer, 1);
    EXPECT_FALSE(p.open());
    EXPECT_EQ(p.answered(), 2U);
    EXPECT_EQ(counts(p.counts()), (counts_t{0, 2, 0}));
  }
}

TEST_F(poll_test, snapshots_show_facilitators_everything_and_others_only_their_own_answer) {
  staff_and_group();
  ok(1, polls::scale("q", 0, 10), 10'000);
  ok(3, polls::value(1, 4), 10'100);
  ok(5, polls::value(1, 9), 10'200);
  for (member_id staff : {1U, 2U}) {
    const auto p = seen(staff, 1);
    EXPECT_EQ(answers(p.answers()), (answers_t{{3, 4}, {5, 9}}));
    EXPECT_EQ(p.answered(), 2U);
    EXPECT_EQ(counts(p.counts()), (counts_t{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}));
  }
  EXPECT_EQ(answers(seen(3, 1).answers()), (answers_t{{3, 4}}));
  EXPECT_EQ(answers(seen(5, 1).answers()), (answers_t{{5, 9}}));
  for (member_id viewer : {3U, 4U, 5U, 6U}) {
    const auto p = seen(viewer, 1);
    EXPECT_EQ(p.answered(), 0U);
    EXPECT_TRUE(p.counts().empty());
  }
  EXPECT_TRUE(seen(4, 1).answers().empty());
  EXPECT_TRUE(seen(6, 1).answers().empty());
  EXPECT_TRUE(seen(0, 1).answers().empty());  // no viewer

  ok(1, polls::close(1), 11'000);
  // Closed, visibility facilitators: the group learns how many answered, no counts.
  for (member_id viewer : {3U, 4U, 6U}) {
    const auto p = seen(viewer, 1);
    EXPECT_FALSE(p.open());
    EXPECT_EQ(p.closed_by_member_id(), 1U);
    EXPECT_EQ(p.closed_at_ms(), 11'000U);
    EXPECT_EQ(p.answered(), 2U);
    EXPECT_TRUE(p.counts().empty());
  }
  EXPECT_EQ(answers(seen(3, 1).answers()), (answers_t{{3, 4}}));  // still one's own
  EXPECT_EQ(answers(seen(1, 1).answers()), (answers_t{{3, 4}, {5, 9}}));
}

TEST_F(poll_test, the_last_closed_polls_are_kept_and_older_ones_forgotten) {
  staff_and_group();
  for (std::uint32_t id = 1; id <= 7; ++id) {
    const time_ms at = 10'000 + static_cast<time_ms>(id) * 1000;
    ok(1, polls::scale("q", 0, 10), at);
    ok(3, polls::value(id, id), at + 100);
    ok(1, polls::close(id), at + 200);
  }
  EXPECT_EQ(poll_ids(3), (std::vector<std::uint32_t>{3, 4, 5, 6, 7}));  // kept_polls: 5
  ok(1, polls::scale("q", 0, 10), 20'000);
  EXPECT_EQ(poll_ids(1), (std::vector<std::uint32_t>{3, 4, 5, 6, 7, 8}));
  refused(1, polls::close(2), 20'500, v1::ERROR_CODE_NOT_FOUND);
  refused(3, polls::value(1, 1), 20'500, v1::ERROR_CODE_NOT_FOUND);
  ok(1, polls::close(8), 21'000);
  EXPECT_EQ(poll_ids(1), (std::vector<std::uint32_t>{4, 5, 6, 7, 8}));
}

TEST_F(poll_test, with_no_closed_polls_kept_a_poll_leaves_the_snapshot_as_it_closes) {
  reset();
  auto l = limits();
  l.kept_polls = 0;
  room_ = room("r1", l);
  staff_and_group();
  ok(1, polls::scale("q", 0, 10), 10'000);
  ok(3, polls::value(1, 3), 10'100);
  auto fx = ok(1, polls::close(1), 11'000);
  EXPECT_EQ(fx.events.at(0).event.poll_closed().answered(), 1U);
  EXPECT_EQ(answers(fx.events.at(1).event.poll_closed().answers()), (answers_t{{3, 3}}));
  EXPECT_TRUE(poll_ids(1).empty());
  refused(1, polls::close(1), 12'000, v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(ok(1, polls::scale("q", 0, 10), 13'000).reply->poll().poll_id(), 2U);
}

TEST_F(poll_test, a_member_who_leaves_keeps_their_answer_and_may_change_it_on_return) {
  staff_and_group();
  ok(1, polls::scale("q", 0, 10), 10'000);
  ok(3, polls::value(1, 6), 10'100);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(3, leave, 10'500);
  EXPECT_EQ(answers(seen(1, 1).answers()), (answers_t{{3, 6}}));
  // Back in the room (the same member), the poll still open: a new answer replaces it.
  auto back = room_.join(70, person("a", v1::ROLE_PARTICIPANT), 11'000);
  ASSERT_TRUE(back.reply && back.reply->has_join());
  EXPECT_EQ(back.reply->join().member_id(), 3U);
  conn_of_[3] = 70;
  EXPECT_EQ(answers(seen(3, 1).answers()), (answers_t{{3, 6}}));
  ok(3, polls::value(1, 8), 11'500);
  run(3, leave, 11'600);
  auto fx = ok(1, polls::close(1), 12'000);
  EXPECT_EQ(fx.events.at(0).event.poll_closed().answered(), 1U);
  EXPECT_EQ(answers(fx.events.at(1).event.poll_closed().answers()), (answers_t{{3, 8}}));
}

TEST_F(poll_test, a_facilitator_arriving_or_promoted_gets_the_answers_on_their_direct_stream) {
  join("a", v1::ROLE_PARTICIPANT, 1000);  // 1
  join("b", v1::ROLE_PARTICIPANT, 1000);  // 2
  join("f", v1::ROLE_FACILITATOR, 2000);  // 3
  ok(3, polls::scale("first", 0, 10), 3000);
  ok(1, polls::value(1, 2), 3100);
  ok(3, polls::close(1), 3200);
  ok(3, polls::choices("second", {"yes", "no"}), 4000);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(3, leave, 4100);
  // Answers given while no facilitator is here are kept all the same.
  auto answered = ok(1, polls::choice(2, 1), 4200);
  EXPECT_EQ(deliveries(answered), (std::vector<std::string>{"direct:1:poll_answer"}));
  ok(2, polls::choice(2, 0), 4300);

  // The facilitator comes back: results of the closed poll and the open
  // poll's answers, on their direct stream as part of the join.
  auto arrival = room_.join(80, person("f", v1::ROLE_FACILITATOR), 5000);
  conn_of_[3] = 80;
  check();
  EXPECT_EQ(deliveries(arrival),
            (std::vector<std::string>{"room:0:member_joined", "direct:3:poll_closed",
                                      "direct:3:poll_answer", "direct:3:poll_answer"}));
  EXPECT_EQ(answers(arrival.events[1].event.poll_closed().answers()), (answers_t{{1, 2}}));
  EXPECT_EQ(arrival.events[2].event.poll_answer().member_id(), 1U);
  EXPECT_EQ(arrival.events[2].event.poll_answer().choice(), 1U);
  EXPECT_EQ(arrival.events[3].event.poll_answer().member_id(), 2U);
  EXPECT_EQ(arrival.reply->join().direct_head_seq(), room_.direct_head(3));

  // A participant promoted to co-facilitator learns the others' answers too.
  auto promoted = moderate(3, mod::set_role(2, v1::ROLE_CO_FACILITATOR), 6000);
  EXPECT_EQ(deliveries(promoted),
            (std::vector<std::string>{"room:0:member_role_changed", "direct:2:poll_closed",
                                      "direct:2:poll_answer", "direct:2:poll_answer"}));
  EXPECT_EQ(answers(seen(2, 2).answers()), (answers_t{{1, 1}, {2, 0}}));
  // As staff they no longer answer; their earlier answer stays.
  refused(2, polls::choice(2, 1), 6100, v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_F(poll_test, polls_leave_the_floor_chat_and_mutes_alone) {
  staff_and_group();
  ok(1, cmd::round(60'000), 10'000);
  moderate(1, mod::mute(4), 10'600);  // a muted member still answers
  const auto floor_before = floor(10'500).SerializeAsString();
  ok(1, polls::scale("q", 0, 10), 11'000);
  ok(4, polls::value(1, 3), 11'100);
  auto fx = ok(1, polls::close(1), 11'200);
  for (const auto& e : fx.events) {
    EXPECT_FALSE(e.event.has_floor());
  }
  EXPECT_EQ(floor(10'500).SerializeAsString(), floor_before);
  EXPECT_NE(say(3, "thanks", 11'300), 0U);
  EXPECT_EQ(room_.snapshot(1, 11'300).recent_chat_size(), 1);
}

// Every effect and every snapshot of a scripted session: an answer, or a
// list of answers, reaches only a facilitator or the member who gave it,
// only on a direct stream; the room stream carries counts only for a closed
// GROUP_AGGREGATE poll; no audit note holds a question or an answer.
class poll_containment_test : public poll_test {
 protected:
  void step(member_id who, const v1::ClientMessage& message, time_ms now) {
    inspect(run(who, message, now), now);
  }

  void inspect(const effects& fx, time_ms now) {
    // Poll notes are codes only: never a question, a choice or an answer.
    static const std::regex codes(
        "not_staff|not_allowed|poll=[0-9]+ (kind=(scale|choices)|answers=[0-9]+) "
        "visibility=(facilitators|group_aggregate)");
    for (const auto& note : fx.audit) {
      if (note.action.rfind("poll", 0) == 0) {
        ++notes_;
        // A refused answer is on record as such, without its value.
        EXPECT_TRUE(note.action == "poll_started" || note.action == "poll_closed" ||
                    (note.action == "poll_answered" && note.outcome == "denied"))
            << note.action;
        EXPECT_TRUE(std::regex_match(note.detail, codes)) << note.detail;
        EXPECT_EQ(note.target, "");
      }
    }
    for (const auto& delivery : fx.events) {
      const auto& e = delivery.event;
      const bool staff = delivery.to.kind == audience_kind::direct &&
                         is_facilitator(room_.people().find(delivery.to.member)->who.role);
      if (e.has_poll_started()) {
        aggregate_[e.poll_started().poll_id()] = e.poll_started().visibility() == group;
        EXPECT_EQ(delivery.to.kind, audience_kind::room_stream);
      } else if (e.has_poll_answer()) {
        ++answers_seen_;
        ASSERT_EQ(delivery.to.kind, audience_kind::direct);
        EXPECT_TRUE(staff || delivery.to.member == e.poll_answer().member_id())
            << "member " << delivery.to.member << " got the answer of "
            << e.poll_answer().member_id();
      } else if (e.has_poll_closed()) {
        const auto& closed = e.poll_closed();
        if (delivery.to.kind == audience_kind::room_stream) {
          EXPECT_TRUE(closed.answers().empty());
          EXPECT_EQ(closed.counts().empty(), !aggregate_.at(closed.poll_id()));
        } else {
          EXPECT_TRUE(staff) << "member " << delivery.to.member << " got a poll's results";
        }
      }
    }
    for (const member* m : room_.people().active_members()) {
      const bool staff = is_facilitator(m->who.role);
      const auto snap = room_.snapshot(m->id, now);
      for (const auto& p : snap.polls()) {
        if (staff) {
          continue;
        }
        for (const auto& a : p.answers()) {
          EXPECT_EQ(a.member_id(), m->id) << "member " << m->id << " sees another's answer";
        }
        if (p.open()) {
          EXPECT_EQ(p.answered(), 0U);
        }
        EXPECT_EQ(p.counts().empty(),
                  p.open() || p.visibility() != v1::POLL_VISIBILITY_GROUP_AGGREGATE);
      }
    }
  }

  std::map<std::uint32_t, bool> aggregate_;
  int answers_seen_ = 0;
  int notes_ = 0;
};

TEST_F(poll_containment_test, no_answer_reaches_anyone_but_the_staff_and_its_author) {
  join("a", v1::ROLE_PARTICIPANT, 1000);                                   // 1
  join("fam", v1::ROLE_FAMILY_MEMBER, 1000);                               // 2
  inspect(room_.join(40, person("f", v1::ROLE_FACILITATOR), 2000), 2000);  // 3
  conn_of_[3] = 40;
  join("o", v1::ROLE_OBSERVER, 2100);         // 4
  join("b", v1::ROLE_PARTICIPANT, 2200);      // 5
  join("co", v1::ROLE_CO_FACILITATOR, 2300);  // 6
  step(3, polls::scale("Secret scale", 0, 10), 3000);
  step(1, polls::value(1, 7), 3100);
  step(2, polls::value(1, 3), 3200);
  step(5, polls::value(1, 7), 3300);
  step(1, polls::value(1, 1), 3400);  // changed
  step(4, polls::value(1, 1), 3500);  // refused: an observer
  step(6, polls::value(1, 1), 3600);  // refused: staff
  step(6, polls::close(1), 3700);
  step(6, polls::choices("Secret choices", {"Secret a", "Secret b"}, group), 4000);
  step(1, polls::choice(2, 1), 4100);
  inspect(drop(3, 4150), 4150);
  step(2, polls::choice(2, 0), 4200);
  step(5, polls::choice(2, 1), 4300);
  inspect(room_.join(41, person("f", v1::ROLE_FACILITATOR), 4400), 4400);
  conn_of_[3] = 41;
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  step(5, leave, 4500);
  step(3, polls::close(2), 4600);
  step(3, polls::close(2), 4700);  // twice
  step(3, polls::choices("Secret again", {"x", "y"}), 5000);
  step(1, polls::choice(3, 0), 5100);
  inspect(moderate(3, mod::set_role(2, v1::ROLE_CO_FACILITATOR), 5200), 5200);
  step(3, polls::close(3), 5300);
  inspect(moderate(3, mod::set_role(2, v1::ROLE_UNSPECIFIED), 5400), 5400);
  EXPECT_GT(answers_seen_, 15);
  EXPECT_EQ(notes_, 8);  // with the two refused answers (the observer's and the staff's)
}

}  // namespace
}  // namespace hearth::core::testing
