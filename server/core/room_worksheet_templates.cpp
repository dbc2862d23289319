// Facilitators' own worksheet templates: facilitators and co-facilitators save
// a version (the next one of an id, assigned here) or retire a template; the
// change is checked here, stored by the shell, and put in the catalog every
// room shares before the author hears of it (worksheet_stored). Built-in
// templates are never changed: custom ids start with custom_template_prefix.
// Audit notes carry ids, versions and codes, never template text.
#include "core/room.hpp"
#include "core/template_rules.hpp"

namespace hearth::core {

const v1::WorksheetTemplate* room::usable_template(effects& out, const std::string& id) const {
  const auto* form = worksheets_.templates()->current(id);
  if (form == nullptr) {
    out.reply = worksheets_.templates()->retired(id)
                    ? error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "the template is retired")
                    : error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet template");
  }
  return form;
}

effects room::list_templates(const v1::ListWorksheetTemplates& request) const {
  effects out;
  auto* result = out.reply.emplace().mutable_worksheet();
  const auto which = request.include_retired() ? with_retired::yes : with_retired::no;
  for (const auto* t : worksheets_.templates()->latest(which)) {
    *result->add_templates() = *t;
  }
  return out;
}

effects room::save_template(member& by, connection_id conn, std::uint32_t request_id,
                            const v1::SaveWorksheetTemplate& save, time_ms now) {
  v1::WorksheetTemplate form = save.template_();
  std::optional<template_refusal> refused;
  if (!is_facilitator(by.who.role)) {
    refused = template_refusal{v1::ERROR_CODE_PERMISSION_DENIED,
                               "only facilitators save worksheet templates", "not_staff"};
  } else if (worksheets_.template_storing(form.id())) {
    refused = template_refusal{v1::ERROR_CODE_TOO_MANY_REQUESTS,
                               "the template is being stored; retry", "busy"};
  } else {
    refused = next_version(*worksheets_.templates(), form, limits_);
  }
  effects out;
  if (refused) {
    refuse_template(out, by, "template_saved", save.template_().id(), *refused, now);
    return out;
  }
  template_write write;
  write.by_subject = by.who.subject;
  write.at = now;
  write.ticket = worksheets_.hold(
      pending_template{conn, request_id, by.who.subject, by.who.role, form.id(), form.version()});
  write.saved = std::move(form);
  out.template_writes.push_back(std::move(write));
  return out;  // answered by worksheet_stored
}

effects room::retire_template(member& by, connection_id conn, std::uint32_t request_id,
                              const v1::RetireWorksheetTemplate& retire, time_ms now) {
  const auto& id = retire.template_id();
  std::optional<template_refusal> refused;
  if (!is_facilitator(by.who.role)) {
    refused = template_refusal{v1::ERROR_CODE_PERMISSION_DENIED,
                               "only facilitators retire worksheet templates", "not_staff"};
  } else if (worksheets_.template_storing(id)) {
    refused = template_refusal{v1::ERROR_CODE_TOO_MANY_REQUESTS,
                               "the template is being stored; retry", "busy"};
  } else {
    refused = may_retire(*worksheets_.templates(), id);
  }
  effects out;
  if (refused) {
    refuse_template(out, by, "template_retired", id, *refused, now);
    return out;
  }
  template_write write;
  write.retired = id;
  write.by_subject = by.who.subject;
  write.at = now;
  write.ticket =
      worksheets_.hold(pending_template{conn, request_id, by.who.subject, by.who.role, id, 0});
  out.template_writes.push_back(std::move(write));
  return out;  // answered by worksheet_stored
}

void room::refuse_template(effects& out, const member& by, const std::string& action,
                           const std::string& id, const template_refusal& refused, time_ms now) {
  const bool temporary = refused.code == v1::ERROR_CODE_TOO_MANY_REQUESTS;
  out.reply = error_reply(refused.code, refused.message, temporary);
  // An unknown template is not worth a record; every other refusal is.
  if (refused.code != v1::ERROR_CODE_NOT_FOUND) {
    out.audit.push_back({by.who.subject,
                         by.who.role,
                         action,
                         {},
                         "denied",
                         refused.reason + " " + template_detail(id),
                         now});
  }
}

void room::template_stored(effects& out, const pending_template& done, bool committed,
                           time_ms now) {
  const std::string& actor = done.by_subject;
  const v1::Role role = done.by_role;
  const bool saved = done.version != 0;
  const std::string action = saved ? "template_saved" : "template_retired";
  std::string detail = "template=" + done.template_id;
  if (saved) {
    detail += " version=" + std::to_string(done.version);
  }
  if (!committed) {
    out.replies.push_back(
        {done.connection, done.request_id,
         error_reply(v1::ERROR_CODE_INTERNAL, "the template could not be recorded; retry", true)});
    out.audit.push_back({actor, role, action, {}, "failed", detail, now});
    return;
  }
  // The shell put the change in the catalog before calling: the room's copy
  // has it.
  v1::Reply reply;
  auto* result = reply.mutable_worksheet();  // a retirement answers it empty
  const auto* stored =
      saved ? worksheets_.templates()->find(done.template_id, done.version) : nullptr;
  if (stored != nullptr) {
    *result->mutable_saved_template() = *stored;
  }
  out.replies.push_back({done.connection, done.request_id, std::move(reply)});
  out.audit.push_back({actor, role, action, {}, "ok", detail, now});
}

}  // namespace hearth::core
