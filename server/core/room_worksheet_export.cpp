// A sheet exported as a readable document (Markdown, HTML or PDF) for the
// clinical record. Whoever may read the sheet may export it, and nobody else: a sheet
// the sender may not read is missing for them, as everywhere else. The
// export is the durable state (what every reader has), rendered here from
// values the core holds, the time included; every export and every refusal
// is audited with ids and codes only. A PDF is laid out by the shell, off
// the room's executor (effects::pdf).
#include "core/room.hpp"
#include "worksheets/export.hpp"

namespace hearth::core {
namespace {

std::optional<worksheets::export_format> format_of(v1::WorksheetExportFormat f) {
  switch (f) {
    case v1::WORKSHEET_EXPORT_FORMAT_MARKDOWN:
      return worksheets::export_format::markdown;
    case v1::WORKSHEET_EXPORT_FORMAT_HTML:
      return worksheets::export_format::html;
    default:
      return std::nullopt;
  }
}

std::string format_label(v1::WorksheetExportFormat f) {
  switch (f) {
    case v1::WORKSHEET_EXPORT_FORMAT_HTML:
      return "html";
    case v1::WORKSHEET_EXPORT_FORMAT_PDF:
      return "pdf";
    default:
      return "markdown";
  }
}

}  // namespace

effects room::export_worksheet(member& from, const v1::ExportWorksheet& request, time_ms now) {
  effects out;
  const bool pdf = request.format() == v1::WORKSHEET_EXPORT_FORMAT_PDF;
  const auto format = format_of(request.format());
  if (!format && !pdf) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "export needs a format");
    return out;
  }
  const sheet_entry* s = worksheets_.find(request.instance_id());
  if (s == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet");
    return out;
  }
  // The sheet's own id: nothing the client wrote reaches the audit trail.
  const std::string detail = "instance=" + s->id + " format=" + format_label(request.format());
  if (!may_read(from, *s)) {
    // Missing for the sender, as everywhere; recorded as the refusal it is.
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet");
    out.audit.push_back(
        {from.who.subject, from.who.role, "export", {}, "denied", detail + " not_allowed", now});
    return out;
  }
  worksheets::export_meta meta;
  meta.instance_id = s->id;
  meta.session_id = id_;
  meta.scope = s->owner.scope;
  meta.version = s->sequencer.version();
  meta.generated_at_ms = now;
  const member* owner = nullptr;
  if (s->owner.scope == v1::WORKSHEET_SCOPE_PERSONAL) {
    owner = roster_.find(s->owner.owner_member);
  } else if (s->owner.scope == v1::WORKSHEET_SCOPE_FAMILY) {
    owner = roster_.find_by_subject(s->family_subject);
  }
  if (owner != nullptr) {
    meta.owner_name = owner->who.display_name;
  }
  const auto& form = s->sequencer.form();
  if (pdf) {
    out.pdf = pdf_export{form,
                         s->sequencer.state(),
                         meta,
                         worksheets::export_basename(form, meta) + ".pdf",
                         {from.who.subject, from.who.role, "export", {}, "ok", detail, now}};
    return out;  // answered, and audited, once the shell has laid it out
  }
  v1::Reply reply;
  auto* exported = reply.mutable_worksheet()->mutable_export_();
  exported->set_instance_id(s->id);
  exported->set_format(request.format());
  exported->set_media_type(worksheets::export_media_type(*format));
  exported->set_filename(worksheets::export_filename(form, meta, *format));
  exported->set_body(worksheets::render_export(form, s->sequencer.state(), meta, *format));
  if (reply.ByteSizeLong() > limits_.max_export_bytes) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED,
                            "the export is larger than this connection may receive");
    out.audit.push_back(
        {from.who.subject, from.who.role, "export", {}, "failed", detail + " too_large", now});
    return out;
  }
  out.reply = std::move(reply);
  out.audit.push_back({from.who.subject, from.who.role, "export", {}, "ok", detail, now});
  return out;
}

}  // namespace hearth::core
