// Who sees which worksheet, beyond its scope: an owner sharing a personal
// sheet, a role change, presence in a sheet (ephemeral, to its readers only,
// expiring unless refreshed), the sheets in a viewer's snapshot, and sheets
// restored from the store when the room opens.
#include <algorithm>

#include "core/room.hpp"
#include "worksheets/labels.hpp"

namespace hearth::core {

using worksheets::sharing_label;
effects room::share_worksheet(member& from, const v1::ShareWorksheet& share, time_ms now) {
  effects out;
  sheet_entry* s = worksheets_.find(share.instance_id());
  if (s == nullptr || !may_read(from, *s)) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet");
    return out;
  }
  if (s->owner.scope != v1::WORKSHEET_SCOPE_PERSONAL || s->owner.owner_member != from.id) {
    out.reply =
        error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only the owner shares a personal worksheet");
    out.audit.push_back({from.who.subject,
                         from.who.role,
                         "worksheet_shared",
                         {},
                         "denied",
                         "instance=" + s->id,
                         now});
    return out;
  }
  const auto sharing = share.sharing();
  if (sharing != v1::WORKSHEET_SHARING_UNSPECIFIED && sharing != v1::WORKSHEET_SHARING_GROUP &&
      sharing != v1::WORKSHEET_SHARING_FAMILY) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown sharing");
    return out;
  }
  if (sharing == v1::WORKSHEET_SHARING_FAMILY && family_of(from).empty()) {
    out.reply =
        error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "you have no family in this session");
    return out;
  }
  out.reply.emplace();
  out.reply->mutable_worksheet();
  if (sharing == s->sharing) {
    return out;
  }
  std::vector<member*> before;
  for (member* m : roster_.active_members()) {
    if (may_read(*m, *s)) {
      before.push_back(m);
    }
  }
  s->sharing = sharing;
  v1::Event changed;
  changed.mutable_worksheet_sharing()->set_instance_id(s->id);
  changed.mutable_worksheet_sharing()->set_sharing(sharing);
  changed.mutable_worksheet_sharing()->set_by_member_id(from.id);
  v1::Event opened;
  *opened.mutable_worksheet_opened()->mutable_sheet() = sheet_to_wire(*s);
  opened.mutable_worksheet_opened()->set_by_member_id(from.id);
  for (member* m : roster_.active_members()) {
    const bool had = std::find(before.begin(), before.end(), m) != before.end();
    const bool has = may_read(*m, *s);
    if (had) {
      emit_direct(out, *m, changed, now);  // losing it too: they forget the sheet
    } else if (has) {
      emit_direct(out, *m, opened, now);
    }
    if (had && !has) {
      auto it = worksheets_.presence().find(m->id);
      if (it != worksheets_.presence().end() && it->second.where.instance_id() == s->id) {
        worksheets_.presence().erase(it);
      }
    }
  }
  out.worksheet_sharing.push_back({s->id, sharing});
  out.audit.push_back(
      {from.who.subject,
       from.who.role,
       sharing == v1::WORKSHEET_SHARING_UNSPECIFIED ? "worksheet_unshared" : "worksheet_shared",
       {},
       "ok",
       "instance=" + s->id + " sharing=" + sharing_label(sharing),
       now});
  return out;
}

effects room::worksheet_presence(member& from, const v1::WorksheetPresence& where, time_ms now) {
  effects out;
  const sheet_entry* s = worksheets_.find(where.instance_id());
  if (s == nullptr || !may_read(from, *s)) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such worksheet");
    return out;
  }
  if (where.field_id().size() > 64 || where.item_id().size() > 64) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "field or item id too long");
    return out;
  }
  // Leaving another sheet tells that sheet's readers first.
  auto& presence = worksheets_.presence();
  auto it = presence.find(from.id);
  if (it != presence.end() && it->second.where.instance_id() != s->id) {
    clear_worksheet_presence(out, from, now);
  }
  v1::WorksheetPresence now_at = where;
  now_at.set_member_id(from.id);
  if (now_at.field_id().empty()) {
    presence.erase(from.id);
  } else {
    presence[from.id] = {now_at, now};
  }
  send_presence(out, from, *s, now_at, now);
  out.reply.emplace();
  out.reply->mutable_worksheet();
  return out;
}

void room::send_presence(effects& out, const member& from, const sheet_entry& s,
                         const v1::WorksheetPresence& where, time_ms now) {
  v1::Event e;
  e.set_room_id(id_);
  e.set_server_time_ms(static_cast<std::uint64_t>(now));
  *e.mutable_worksheet_presence() = where;
  for (const member* m : roster_.active_members()) {
    if (m->id != from.id && m->connection && may_read(*m, s)) {
      out.events.push_back({{audience_kind::direct_ephemeral, m->id}, e});
    }
  }
}

void room::clear_worksheet_presence(effects& out, const member& m, time_ms now) {
  auto& presence = worksheets_.presence();
  auto it = presence.find(m.id);
  if (it == presence.end()) {
    return;
  }
  v1::WorksheetPresence gone;
  gone.set_instance_id(it->second.where.instance_id());
  gone.set_member_id(m.id);
  presence.erase(it);
  if (const sheet_entry* s = worksheets_.find(gone.instance_id())) {
    send_presence(out, m, *s, gone, now);
  }
}

void room::expire_worksheet_presence(effects& out, time_ms now) {
  std::vector<member_id> stale;
  for (const auto& [id, entry] : worksheets_.presence()) {
    if (entry.refreshed + limits_.worksheet_presence <= now) {
      stale.push_back(id);
    }
  }
  std::sort(stale.begin(), stale.end());  // the map's order is not the same everywhere
  for (member_id id : stale) {
    if (const member* m = roster_.find(id)) {
      clear_worksheet_presence(out, *m, now);
    } else {
      worksheets_.presence().erase(id);
    }
  }
}

std::optional<time_ms> room::next_presence_expiry() const {
  std::optional<time_ms> earliest;
  for (const auto& [id, entry] : worksheets_.presence()) {
    const time_ms at = entry.refreshed + limits_.worksheet_presence;
    if (!earliest || at < *earliest) {
      earliest = at;
    }
  }
  return earliest;
}

std::vector<const sheet_entry*> room::readable_sheets(const member& m) const {
  std::vector<const sheet_entry*> out;
  for (const auto& [n, s] : worksheets_.sheets()) {
    if (s.owner.scope != v1::WORKSHEET_SCOPE_SESSION && may_read(m, s)) {
      out.push_back(&s);
    }
  }
  return out;
}

void room::sheets_after_role_change(effects& out, member& m,
                                    const std::vector<const sheet_entry*>& before, member_id by,
                                    time_ms now) {
  const auto after = readable_sheets(m);
  for (const sheet_entry* s : after) {
    if (std::find(before.begin(), before.end(), s) == before.end()) {
      v1::Event opened;
      *opened.mutable_worksheet_opened()->mutable_sheet() = sheet_to_wire(*s);
      opened.mutable_worksheet_opened()->set_by_member_id(by);
      emit_direct(out, m, std::move(opened), now);
    }
  }
  for (const sheet_entry* s : before) {
    if (std::find(after.begin(), after.end(), s) != after.end()) {
      continue;
    }
    v1::Event lost;
    lost.mutable_worksheet_sharing()->set_instance_id(s->id);
    lost.mutable_worksheet_sharing()->set_sharing(s->sharing);
    lost.mutable_worksheet_sharing()->set_by_member_id(by);
    emit_direct(out, m, std::move(lost), now);
    auto& presence = worksheets_.presence();
    if (auto it = presence.find(m.id);
        it != presence.end() && it->second.where.instance_id() == s->id) {
      clear_worksheet_presence(out, m, now);
    }
  }
}

void room::add_worksheets(v1::RoomSnapshot& snap, const member* viewer) const {
  if (viewer == nullptr) {
    return;
  }
  for (const auto& [n, s] : worksheets_.sheets()) {
    if (may_read(*viewer, s)) {
      *snap.add_worksheets() = sheet_to_wire(s);
    }
  }
}

bool room::restore_worksheet(const stored_worksheet& stored) {
  const auto& record = stored.created;
  const auto* templates = worksheets_.templates();
  const auto* form =
      templates == nullptr ? nullptr : templates->find(record.template_id, record.template_version);
  if (form == nullptr || !worksheet_book::number_of(record.instance_id)) {
    return false;
  }
  worksheets::sheet owner{record.scope, 0, {}};
  if (!record.owner_subject.empty()) {
    owner.owner_member = roster_.reserve(record.owner_subject);
  }
  if (!record.family_subject.empty()) {
    owner.owner_family = family_id(record.family_subject);
  }
  // Member ids last for the room's life: authors are kept by subject.
  std::vector<v1::WorksheetCommit> log;
  log.reserve(stored.log.size());
  for (const auto& [author, commit] : stored.log) {
    log.push_back(commit);
    log.back().set_author(roster_.reserve(author));
  }
  auto sequencer = worksheets::worksheet::replay(record.instance_id, *form, owner, log);
  if (!sequencer) {
    return false;
  }
  sheet_entry entry(record.instance_id, std::move(*sequencer), owner);
  entry.owner_subject = record.owner_subject;
  entry.family_subject = record.family_subject;
  entry.sharing = stored.sharing;
  worksheets_.insert(std::move(entry));
  return true;
}

}  // namespace hearth::core
