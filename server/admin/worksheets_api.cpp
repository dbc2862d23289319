// The admin API's worksheets: a session's sheets (metadata only) and one
// sheet as JSON, Markdown or HTML. Each sheet is rebuilt from the store, its
// instance and committed batches replayed with the worksheet library: a
// change exists only once committed, so the store is the record. With
// `subject`, only what that person could read is there; anything else
// answers 404 like an unknown sheet. Worksheet text leaves only in the
// answer, never in an audit record.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <map>

#include "admin/admin_api.hpp"
#include "admin/reply.hpp"
#include "admin/template_catalog.hpp"
#include "pdf/worksheet_pdf.hpp"
#include "worksheets/codec.hpp"
#include "worksheets/export.hpp"
#include "worksheets/labels.hpp"
#include "worksheets/unicode.hpp"
#include "worksheets/worksheet.hpp"

namespace hearth::admin {
namespace {

namespace json = boost::json;
using worksheets::scalar;

// Whether `subject` could read the sheet: session sheets, their own personal
// sheets, their family unit's sheets (the participant, and the family
// members the plan says accompany them).
bool readable_by(const store::worksheet_record& w, const std::string& subject,
                 const std::optional<store::session_record>& plan) {
  if (w.scope == "session") {
    return true;
  }
  if (w.scope == "personal") {
    return w.owner_subject == subject;
  }
  if (w.scope != "family" || w.family_subject.empty()) {
    return false;
  }
  if (w.family_subject == subject) {
    return true;
  }
  return plan && std::any_of(plan->roster.begin(), plan->roster.end(), [&](const auto& entry) {
           return entry.subject == subject && entry.accompanies == w.family_subject;
         });
}

// The sheet's document at its last committed version; nothing when its
// template version is not loaded or its commits do not replay.
std::optional<worksheets::worksheet> rebuild(const store::worksheet_record& w,
                                             const v1::WorksheetTemplate& form) {
  // Member ids exist only in a room; any stable numbering of authors will do.
  std::map<std::string, std::uint32_t> authors;
  std::vector<v1::WorksheetCommit> log;
  for (const auto& c : w.commits) {
    v1::WorksheetCommit commit;
    if (!commit.ParseFromString(c.body)) {
      return std::nullopt;
    }
    commit.set_author(authors.emplace(c.author_subject, authors.size() + 1).first->second);
    log.push_back(std::move(commit));
  }
  const auto scope = worksheets::scope_from(w.scope);
  worksheets::sheet owner{scope.value_or(v1::WORKSHEET_SCOPE_UNSPECIFIED), 0, {}};
  return worksheets::worksheet::replay(w.instance_id, form, owner, log);
}

json::value value_json(const worksheets::cell& c, const v1::WorksheetField& f) {
  if (f.type() == v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT ||
      f.type() == v1::WORKSHEET_FIELD_TYPE_LONG_TEXT) {
    return json::string(worksheets::encode_utf8(c.text));
  }
  switch (c.value.k) {
    case scalar::kind::scale:
      return c.value.number;
    case scalar::kind::checkbox:
      return c.value.checked;
    case scalar::kind::date:
    case scalar::kind::choice:
      return json::string(c.value.text);
    case scalar::kind::empty:
    default:
      return f.type() == v1::WORKSHEET_FIELD_TYPE_CHECKBOX ? json::value(false) : json::value();
  }
}

json::array fields_json(const v1::WorksheetTemplate& form, const worksheets::document& d) {
  static const worksheets::field_state none;
  json::array out;
  for (const auto& f : form.fields()) {
    auto it = d.fields.find(f.id());
    const auto& state = it == d.fields.end() ? none : it->second;
    json::object field{
        {"id", f.id()}, {"type", worksheets::field_type_label(f.type())}, {"label", f.label()}};
    if (f.type() != v1::WORKSHEET_FIELD_TYPE_LIST) {
      field["value"] = value_json(state.own, f);
      out.push_back(std::move(field));
      continue;
    }
    // Every item, removed ones included and marked: this is the record.
    json::array items;
    for (const auto& [id, item] : worksheets::items_in_order(state)) {
      json::object values;
      for (const auto& sub : f.item_fields()) {
        auto cell = item->cells.find(sub.id());
        values[sub.id()] =
            value_json(cell == item->cells.end() ? worksheets::cell{} : cell->second, sub);
      }
      items.push_back(json::object{{"item_id", *id},
                                   {"order_key", item->order_key},
                                   {"removed", item->removed},
                                   {"values", std::move(values)}});
    }
    field["items"] = std::move(items);
    out.push_back(std::move(field));
  }
  return out;
}

json::object sheet_json(const store::worksheet_record& w, const v1::WorksheetTemplate* form,
                        const std::optional<worksheets::worksheet>& sheet) {
  json::object out{{"instance_id", w.instance_id},
                   {"template_id", w.template_id},
                   {"template_version", w.template_version},
                   {"title", form == nullptr ? json::value() : json::value(form->title())},
                   {"scope", w.scope},
                   {"owner_subject", w.owner_subject},
                   {"family", w.family_subject},
                   {"sharing", w.sharing},
                   {"created_at_ms", w.created_at},
                   {"version", static_cast<std::int64_t>(w.commits.size())}};
  json::array filled;
  if (sheet) {
    for (const auto& id : worksheets::filled_fields(*form, sheet->state())) {
      filled.push_back(json::string(id));
    }
  }
  out["filled_fields"] = std::move(filled);
  return out;
}

}  // namespace

api::session_sheets api::worksheets_of(const std::string& session,
                                       const std::optional<std::string>& subject) {
  session_sheets out;
  if (subject && subject->empty()) {
    out.refused = error(400, "bad_request", "subject must not be empty");
    return out;
  }
  out.plan = store_.session(session);
  out.sheets = store_.worksheets(session);
  if (!out.plan && out.sheets.empty()) {
    out.refused = error(404, "not_found", "no such session");
    return out;
  }
  if (subject) {
    std::erase_if(out.sheets, [&](const auto& w) { return !readable_by(w, *subject, out.plan); });
  }
  return out;
}

const v1::WorksheetTemplate* api::template_of(const core::worksheet_templates* templates,
                                              const store::worksheet_record& w) {
  if (templates == nullptr || w.template_version <= 0 ||
      w.template_version > std::numeric_limits<std::uint32_t>::max()) {
    return nullptr;
  }
  return templates->find(w.template_id, static_cast<std::uint32_t>(w.template_version));
}

response api::list_worksheets(const std::string& session,
                              const std::optional<std::string>& subject) {
  const auto [refused, sheets, plan] = worksheets_of(session, subject);
  if (refused) {
    return *refused;
  }
  json::array out;
  const auto templates = templates_ ? templates_->snapshot() : nullptr;
  for (const auto& w : sheets) {
    const auto* form = template_of(templates.get(), w);
    out.push_back(sheet_json(w, form, form == nullptr ? std::nullopt : rebuild(w, *form)));
  }
  audit("record_viewed", "worksheets", session, "ok",
        "sheets=" + std::to_string(sheets.size()) + (subject ? " subject=" + *subject : ""));
  json::object body{{"session", session}, {"worksheets", std::move(out)}};
  if (subject) {
    body["subject"] = *subject;
  }
  return ok_json(body);
}

response api::get_worksheet(const std::string& session, const std::string& instance,
                            const std::string& format, const std::optional<std::string>& subject) {
  if (format != "json" && format != "markdown" && format != "html" && format != "pdf") {
    return error(400, "bad_request", "format is json, markdown, html or pdf");
  }
  const auto [refused, sheets, plan] = worksheets_of(session, subject);
  if (refused) {
    return *refused;
  }
  auto it = std::find_if(sheets.begin(), sheets.end(),
                         [&](const auto& w) { return w.instance_id == instance; });
  if (it == sheets.end()) {
    return error(404, "not_found", "no such worksheet");
  }
  const auto templates = templates_ ? templates_->snapshot() : nullptr;
  const auto* form = template_of(templates.get(), *it);
  const auto sheet = form == nullptr ? std::nullopt : rebuild(*it, *form);
  if (!sheet) {
    return error(409, "conflict",
                 "the sheet's template version is not loaded on this server, or its record does "
                 "not replay");
  }
  const std::string detail =
      "instance=" + instance + " format=" + format + (subject ? " subject=" + *subject : "");
  if (format == "json") {
    audit("record_viewed", "worksheet", session, "ok", detail);
    auto body = sheet_json(*it, form, sheet);
    body["session"] = session;
    body["fields"] = fields_json(*form, sheet->state());
    return ok_json(body);
  }
  worksheets::export_meta meta;
  meta.instance_id = it->instance_id;
  meta.session_id = session;
  meta.scope = worksheets::scope_from(it->scope).value_or(v1::WORKSHEET_SCOPE_UNSPECIFIED);
  meta.version = sheet->version();
  meta.generated_at_ms = now_();
  const std::string& owner = it->scope == "family" ? it->family_subject : it->owner_subject;
  if (plan && !owner.empty()) {
    for (const auto& entry : plan->roster) {
      if (entry.subject == owner) {
        meta.owner_name = entry.display_name;
      }
    }
  }
  if (format == "pdf") {
    // Laid out here, on the admin API's thread, never on a room's executor.
    auto pdf = pdf::render_worksheet(*form, sheet->state(), meta);
    if (!pdf) {
      audit("export", "worksheet", session, "failed", detail);
      return error(500, "internal", "the PDF could not be written");
    }
    audit("export", "worksheet", session, "ok", detail);
    return {200, pdf::pdf_media_type, std::move(*pdf)};
  }
  const auto kind =
      format == "html" ? worksheets::export_format::html : worksheets::export_format::markdown;
  // Leaving the system as a document: an export, recorded before it is sent.
  audit("export", "worksheet", session, "ok", detail);
  return {200, worksheets::export_media_type(kind),
          worksheets::render_export(*form, sheet->state(), meta, kind)};
}

}  // namespace hearth::admin
