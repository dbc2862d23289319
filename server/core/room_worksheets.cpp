// The room's worksheets: facilitators push sheets, participants open their
// own, everyone who may write a sheet submits batches, owners share personal
// sheets. Scopes are decided here before any event is made: a session sheet's
// events go on the room stream; any other sheet's go on the direct stream of
// each member who may read it. A batch or a new sheet exists only once the
// shell reports its store commit (worksheet_stored): until then nothing is
// sent and nothing changes, so a failed commit leaves nothing to undo.
// Worksheet content never reaches an audit note.
#include <algorithm>
#include <set>

#include "core/room.hpp"
#include "worksheets/labels.hpp"

namespace hearth::core {

using worksheets::scope_label;
namespace {

v1::Reply worksheet_reply() {
  v1::Reply reply;
  reply.mutable_worksheet();
  return reply;
}

bool is_writer_role(v1::Role role) {
  return role == v1::ROLE_PARTICIPANT || role == v1::ROLE_FAMILY_MEMBER;
}

}  // namespace

void room::use_templates(std::shared_ptr<const worksheet_templates> templates) {
  worksheets_.use(std::move(templates));
}

std::string room::family_of(const member& m) const {
  if (m.who.role == v1::ROLE_FAMILY_MEMBER) {
    auto it = plan_.accompanies.find(m.who.subject);
    const member* participant =
        it == plan_.accompanies.end() ? nullptr : roster_.find_by_subject(it->second);
    return participant == nullptr ? std::string() : "f" + std::to_string(participant->id);
  }
  for (const auto& [family_member, participant] : plan_.accompanies) {
    if (participant == m.who.subject) {
      return "f" + std::to_string(m.id);
    }
  }
  return {};
}

std::string room::family_id(const std::string& participant_subject) {
  return "f" + std::to_string(roster_.reserve(participant_subject));
}

worksheets::writer room::writer_of(const member& m) const {
  return {m.id, m.who.role, family_of(m)};
}

bool room::may_read(const member& m, const sheet_entry& s) const {
  if (is_facilitator(m.who.role) || s.owner.scope == v1::WORKSHEET_SCOPE_SESSION) {
    return true;
  }
  if (m.who.role == v1::ROLE_OBSERVER || m.who.role == v1::ROLE_UNSPECIFIED) {
    return false;
  }
  if (s.owner.scope == v1::WORKSHEET_SCOPE_FAMILY) {
    return !s.owner.owner_family.empty() && family_of(m) == s.owner.owner_family;
  }
  if (m.id == s.owner.owner_member || s.sharing == v1::WORKSHEET_SHARING_GROUP) {
    return true;
  }
  const member* owner = roster_.find(s.owner.owner_member);
  if (s.sharing != v1::WORKSHEET_SHARING_FAMILY || owner == nullptr) {
    return false;
  }
  const auto family = family_of(*owner);
  return !family.empty() && family == family_of(m);
}

v1::WorksheetSheet room::sheet_to_wire(const sheet_entry& s) const {
  v1::WorksheetSheet out;
  *out.mutable_document() = s.sequencer.snapshot();
  *out.mutable_form() = s.sequencer.form();
  out.set_sharing(s.sharing);
  return out;
}

void room::emit_sheet(effects& out, const sheet_entry& s, const v1::Event& event, time_ms now) {
  if (s.owner.scope == v1::WORKSHEET_SCOPE_SESSION) {
    emit_room(out, event, now);
    return;
  }
  for (member* m : roster_.active_members()) {
    if (may_read(*m, s)) {
      emit_direct(out, *m, event, now);
    }
  }
}

effects room::worksheet_command(member& from, connection_id conn, const v1::ClientMessage& message,
                                time_ms now) {
  const auto& command = message.worksheet();
  effects out;
  if (worksheets_.templates() == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "worksheets are not available");
    return out;
  }
  switch (command.kind_case()) {
    case v1::WorksheetCommand::kPush:
      return push_worksheet(from, conn, message.request_id(), command.push(), now);
    case v1::WorksheetCommand::kOpen:
      return open_worksheet(from, conn, message.request_id(), command.open(), now);
    case v1::WorksheetCommand::kSubmit:
      return submit_worksheet(from, conn, message.request_id(), command.submit(), now);
    case v1::WorksheetCommand::kShare:
      return share_worksheet(from, command.share(), now);
    case v1::WorksheetCommand::kPresence:
      return worksheet_presence(from, command.presence(), now);
    case v1::WorksheetCommand::kExport:
      return export_worksheet(from, command.export_(), now);
    case v1::WorksheetCommand::kListTemplates:
      return list_templates(command.list_templates());
    case v1::WorksheetCommand::kSaveTemplate:
      return save_template(from, conn, message.request_id(), command.save_template(), now);
    case v1::WorksheetCommand::kRetireTemplate:
      return retire_template(from, conn, message.request_id(), command.retire_template(), now);
    case v1::WorksheetCommand::KIND_NOT_SET:
      break;
  }
  out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "worksheet command without a kind");
  return out;
}

effects room::create_sheets(member& by, connection_id conn, std::uint32_t request_id,
                            const v1::WorksheetTemplate& form, v1::WorksheetScope scope,
                            const std::vector<std::pair<std::string, std::string>>& owners,
                            const std::string& action, time_ms now) {
  effects out;
  if (worksheets_.count() + owners.size() > limits_.max_worksheets) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "too many worksheets in this session");
    return out;
  }
  pending_creation creation;
  creation.connection = conn;
  creation.request_id = request_id;
  creation.by = by.id;
  creation.by_subject = by.who.subject;
  creation.by_role = by.who.role;
  creation.action = action;
  // owners: (owner subject, family participant subject), per sheet.
  for (const auto& [owner_subject, family_subject] : owners) {
    worksheets::sheet owner{scope, 0, {}};
    if (!owner_subject.empty()) {
      owner.owner_member = roster_.reserve(owner_subject);
    }
    if (!family_subject.empty()) {
      owner.owner_family = family_id(family_subject);
    }
    const std::string id = worksheets_.next_id();
    sheet_entry entry(id, worksheets::worksheet(id, form, owner), owner);
    entry.owner_subject = owner_subject;
    entry.family_subject = family_subject;
    creation.sheets.push_back(std::move(entry));
    creation.records.push_back(
        {id, form.id(), form.version(), scope, owner_subject, family_subject, by.who.subject, now});
  }
  worksheet_write write;
  write.created = creation.records;
  write.at = now;
  write.ticket = worksheets_.hold(std::move(creation));
  out.worksheet_writes.push_back(std::move(write));
  return out;  // answered by worksheet_stored
}

effects room::push_worksheet(member& by, connection_id conn, std::uint32_t request_id,
                             const v1::PushWorksheet& push, time_ms now) {
  effects out;
  if (!is_facilitator(by.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators push worksheets");
    out.audit.push_back(
        {by.who.subject, by.who.role, "worksheet_pushed", {}, "denied", "not_staff", now});
    return out;
  }
  const auto* form = usable_template(out, push.template_id());
  if (form == nullptr) {
    return out;
  }
  std::vector<std::pair<std::string, std::string>> owners;
  switch (push.scope()) {
    case v1::WORKSHEET_SCOPE_SESSION:
      owners.emplace_back();
      break;
    case v1::WORKSHEET_SCOPE_PERSONAL:
      for (const member* m : roster_.active_members()) {
        if (m->who.role == v1::ROLE_PARTICIPANT) {
          owners.emplace_back(m->who.subject, std::string());
        }
      }
      break;
    case v1::WORKSHEET_SCOPE_FAMILY: {
      std::set<std::string> families;  // sorted: the same plan makes the same sheets
      for (const auto& [family_member, participant] : plan_.accompanies) {
        families.insert(participant);
      }
      for (const auto& participant : families) {
        owners.emplace_back(std::string(), participant);
      }
      break;
    }
    default:
      out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "push needs a scope");
      return out;
  }
  if (owners.empty()) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                            push.scope() == v1::WORKSHEET_SCOPE_FAMILY
                                ? "the session's plan has no family units"
                                : "no participant is here");
    return out;
  }
  return create_sheets(by, conn, request_id, *form, push.scope(), owners, "worksheet_pushed", now);
}

effects room::open_worksheet(member& by, connection_id conn, std::uint32_t request_id,
                             const v1::OpenWorksheet& open, time_ms now) {
  effects out;
  if (!is_writer_role(by.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "only participants and family members open personal worksheets");
    return out;
  }
  const auto* form = usable_template(out, open.template_id());
  if (form == nullptr) {
    return out;
  }
  return create_sheets(by, conn, request_id, *form, v1::WORKSHEET_SCOPE_PERSONAL,
                       {{by.who.subject, std::string()}}, "worksheet_opened", now);
}

effects room::submit_worksheet(member& from, connection_id conn, std::uint32_t request_id,
                               const v1::WorksheetBatch& batch, time_ms now) {
  effects out;
  sheet_entry* s = worksheets_.find(batch.instance_id());
  // Sheets the sender may not read do not exist for them.
  if (s == nullptr || !may_read(from, *s)) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet");
    return out;
  }
  if (from.who.role == v1::ROLE_OBSERVER) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "observers do not write worksheets");
    return out;
  }
  // Editing a sheet keeps the editor's presence in it alive.
  auto& presence = worksheets_.presence();
  if (auto it = presence.find(from.id);
      it != presence.end() && it->second.where.instance_id() == s->id) {
    it->second.refreshed = now;
  }
  if (s->storing) {
    if (s->queue.size() >= limits_.max_worksheet_queue) {
      out.reply = error_reply(v1::ERROR_CODE_TOO_MANY_REQUESTS, "worksheet busy; retry", true);
      return out;
    }
    s->queue.push_back({conn, request_id, from.id, batch});
    return out;
  }
  start_batch(out, *s, {conn, request_id, from.id, batch}, now);
  return out;
}

void room::start_batch(effects& out, sheet_entry& s, const queued_batch& q, time_ms now) {
  const member* from = roster_.find(q.from);
  if (from == nullptr || !may_read(*from, s)) {
    out.replies.push_back(
        {q.connection, q.request_id, error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet")});
    return;
  }
  auto proposed = s.sequencer.propose(q.batch, writer_of(*from));
  if (!proposed.commit) {
    // Refused, or a resubmission answered with its original version.
    auto reply = worksheet_reply();
    *reply.mutable_worksheet()->mutable_ack() = std::move(proposed.ack);
    out.replies.push_back({q.connection, q.request_id, std::move(reply)});
    return;
  }
  worksheet_write write;
  write.commit = *proposed.commit;
  write.author_subject = from->who.subject;
  write.at = now;
  write.ticket = worksheets_.hold(pending_commit{
      *worksheet_book::number_of(s.id), std::move(*proposed.commit), q.connection, q.request_id});
  s.storing = write.ticket;
  out.worksheet_writes.push_back(std::move(write));
}

effects room::worksheet_stored(std::uint64_t ticket, bool committed, time_ms now) {
  effects out;
  auto work = worksheets_.release(ticket);
  if (!work) {
    return out;
  }
  if (auto* creation = std::get_if<pending_creation>(&*work)) {
    sheets_created(out, *creation, committed, now);
    return out;
  }
  if (const auto* saved = std::get_if<pending_template>(&*work)) {
    template_stored(out, *saved, committed, now);
    return out;
  }
  auto& done = std::get<pending_commit>(*work);
  sheet_entry* s = worksheets_.find(done.commit.instance_id());
  if (s == nullptr) {
    return out;
  }
  s->storing.reset();
  if (committed && s->sequencer.accept(done.commit)) {
    auto reply = worksheet_reply();
    auto* ack = reply.mutable_worksheet()->mutable_ack();
    ack->set_instance_id(s->id);
    ack->set_client_id(done.commit.client_id());
    ack->set_client_seq(done.commit.client_seq());
    ack->set_version(done.commit.version());
    v1::Event e;
    *e.mutable_worksheet_committed()->mutable_commit() = std::move(done.commit);
    emit_sheet(out, *s, e, now);
    if (s->owner.scope == v1::WORKSHEET_SCOPE_PERSONAL) {
      emit_progress(out, *s, now);
    }
    out.replies.push_back({done.connection, done.request_id, std::move(reply)});
  } else {
    // Not durable: not applied either; the client sends the batch again.
    out.replies.push_back({done.connection, done.request_id,
                           error_reply(v1::ERROR_CODE_INTERNAL,
                                       "the edit could not be recorded; send it again", true)});
  }
  while (!s->storing && !s->queue.empty()) {
    auto next = std::move(s->queue.front());
    s->queue.pop_front();
    start_batch(out, *s, next, now);
  }
  return out;
}

void room::sheets_created(effects& out, pending_creation& creation, bool committed, time_ms now) {
  const std::string& actor = creation.by_subject;
  const v1::Role role = creation.by_role;
  const auto& first = creation.records.front();
  const std::string detail =
      "template=" + first.template_id + " version=" + std::to_string(first.template_version) +
      " scope=" + scope_label(first.scope) + " sheets=" + std::to_string(creation.records.size());
  if (!committed) {
    out.replies.push_back({creation.connection, creation.request_id,
                           error_reply(v1::ERROR_CODE_INTERNAL,
                                       "the worksheets could not be recorded; retry", true)});
    out.audit.push_back({actor, role, creation.action, {}, "failed", detail, now});
    return;
  }
  auto reply = worksheet_reply();
  for (auto& entry : creation.sheets) {
    reply.mutable_worksheet()->add_instance_ids(entry.id);
    const sheet_entry& s = worksheets_.insert(std::move(entry));
    v1::Event e;
    *e.mutable_worksheet_opened()->mutable_sheet() = sheet_to_wire(s);
    e.mutable_worksheet_opened()->set_by_member_id(creation.by);
    emit_sheet(out, s, e, now);
  }
  out.replies.push_back({creation.connection, creation.request_id, std::move(reply)});
  out.audit.push_back({actor, role, creation.action, {}, "ok", detail, now});
}

void room::emit_progress(effects& out, const sheet_entry& s, time_ms now) {
  v1::Event e;
  auto* progress = e.mutable_worksheet_progress();
  progress->set_instance_id(s.id);
  progress->set_owner_member_id(s.owner.owner_member);
  progress->set_version(s.sequencer.version());
  for (const auto& field : worksheets::filled_fields(s.sequencer.form(), s.sequencer.state())) {
    progress->add_filled_fields(field);
  }
  for (member* f : roster_.facilitators()) {
    emit_direct(out, *f, e, now);
  }
}

}  // namespace hearth::core
