// The room's check-in polls: a facilitator starts one, participants and family
// members answer, a facilitator closes it. The room stream carries the
// question and, at the close, how many answered (and the anonymous counts when
// the poll shows them to the group); each answer goes only to the
// facilitators' direct streams and the answerer's own. Answers are therapy
// content: audit notes name the poll and how many answered, never an answer,
// and answering writes none. A refused command changes nothing.
#include <string>
#include <utility>

#include "core/room.hpp"

namespace hearth::core {
namespace {

v1::Reply poll_reply(std::uint32_t poll_id, std::uint32_t seq, std::uint32_t direct_seq,
                     bool duplicate) {
  v1::Reply reply;
  auto* result = reply.mutable_poll();
  result->set_poll_id(poll_id);
  result->set_seq(seq);
  result->set_direct_seq(direct_seq);
  result->set_duplicate(duplicate);
  return reply;
}

// The audit detail naming a poll: its number, never its question.
std::string poll_code(const poll& p) { return "poll=" + std::to_string(p.id); }

std::string visibility_code(const poll& p) {
  return p.visibility == v1::POLL_VISIBILITY_GROUP_AGGREGATE ? "visibility=group_aggregate"
                                                             : "visibility=facilitators";
}

}  // namespace

effects room::poll_command(member& from, const v1::PollCommand& command, time_ms now) {
  switch (command.action_case()) {
    case v1::PollCommand::kStart:
      return start_poll(from, command.start(), now);
    case v1::PollCommand::kAnswer:
      return answer_poll(from, command.answer(), now);
    case v1::PollCommand::kClose:
      return close_poll(from, command.close().poll_id(), now);
    case v1::PollCommand::ACTION_NOT_SET:
      break;
  }
  effects out;
  out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "poll command without an action");
  return out;
}

effects room::start_poll(member& by, const v1::StartPoll& start, time_ms now) {
  effects out;
  if (!may_run_polls(by.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators start polls");
    out.audit.push_back(
        {by.who.subject, by.who.role, "poll_started", {}, "denied", "not_staff", now});
    return out;
  }
  if (auto refusal = start_refusal(start, limits_.max_poll_question_bytes)) {
    out.reply = error_reply(refusal->code, std::move(refusal->message));
    return out;
  }
  if (polls_.open_poll() != nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                            "a poll is open; close it before starting another");
    return out;
  }
  const poll& p = polls_.start(start, by.id, now);
  v1::Event e;
  *e.mutable_poll_started() = started_to_wire(p);
  emit_room(out, std::move(e), now);
  out.audit.push_back(
      {by.who.subject,
       by.who.role,
       "poll_started",
       {},
       "ok",
       poll_code(p) + (p.choices.empty() ? " kind=scale " : " kind=choices ") + visibility_code(p),
       now});
  out.reply = poll_reply(p.id, place_of(by).seq, 0, /*duplicate=*/false);
  return out;
}

effects room::answer_poll(member& from, const v1::AnswerPoll& answer, time_ms now) {
  effects out;
  if (!may_answer_polls(from.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "only participants and family members answer polls");
    return out;
  }
  if (answer.answer_case() == v1::AnswerPoll::ANSWER_NOT_SET) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "an answer needs a value or a choice");
    return out;
  }
  const poll* p = polls_.find(answer.poll_id());
  if (p == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such poll");
    return out;
  }
  if (!p->open()) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "the poll is closed");
    return out;
  }
  const auto value = answer_value(*p, answer);
  if (!value) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "the answer does not fit the poll");
    return out;
  }
  if (!polls_.answer(p->id, from.id, *value, now)) {
    out.reply = poll_reply(p->id, place_of(from).seq, 0, /*duplicate=*/true);
    return out;
  }
  v1::Event e;
  *e.mutable_poll_answer() = answer_to_wire(*p, from.id, p->answers.at(from.id));
  // Facilitators who are not here find it in their snapshot when they arrive.
  for (member* f : roster_.facilitators()) {
    emit_direct(out, *f, e, now);
  }
  emit_direct(out, from, std::move(e), now);  // the answerer's confirmation
  out.reply = poll_reply(p->id, place_of(from).seq, from.direct_seq, /*duplicate=*/false);
  return out;
}

effects room::close_poll(member& by, std::uint32_t poll_id, time_ms now) {
  effects out;
  if (!may_run_polls(by.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators close polls");
    out.audit.push_back(
        {by.who.subject, by.who.role, "poll_closed", {}, "denied", "not_staff", now});
    return out;
  }
  const poll* found = polls_.find(poll_id);
  if (found == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such poll");
    return out;
  }
  if (!found->open()) {
    out.reply = poll_reply(poll_id, place_of(by).seq, 0, /*duplicate=*/true);
    return out;
  }
  // A copy: with kept_polls 0 the book forgets the poll as it closes.
  const poll p = polls_.close(poll_id, by.id, now);
  v1::Event e;
  *e.mutable_poll_closed() = closed_to_wire(p, /*for_staff=*/false);
  emit_room(out, std::move(e), now);
  v1::Event results;
  *results.mutable_poll_closed() = closed_to_wire(p, /*for_staff=*/true);
  for (member* f : roster_.facilitators()) {
    emit_direct(out, *f, results, now);
  }
  out.audit.push_back(
      {by.who.subject,
       by.who.role,
       "poll_closed",
       {},
       "ok",
       poll_code(p) + " answers=" + std::to_string(p.answers.size()) + " " + visibility_code(p),
       now});
  out.reply = poll_reply(p.id, place_of(by).seq, 0, /*duplicate=*/false);
  return out;
}

void room::brief_polls(effects& out, member& m, time_ms now) {
  // What a facilitator present all along would have on their direct stream:
  // the open poll's answers, and each kept closed poll's results.
  for (const poll& p : polls_.polls()) {
    if (p.open()) {
      for (const auto& [answerer, answer] : p.answers) {
        v1::Event e;
        *e.mutable_poll_answer() = answer_to_wire(p, answerer, answer);
        emit_direct(out, m, std::move(e), now);
      }
      continue;
    }
    v1::Event e;
    *e.mutable_poll_closed() = closed_to_wire(p, /*for_staff=*/true);
    emit_direct(out, m, std::move(e), now);
  }
}

}  // namespace hearth::core
