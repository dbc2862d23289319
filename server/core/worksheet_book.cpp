// A room's worksheets and the shared template catalog.
#include "core/worksheet_book.hpp"

#include <algorithm>
#include <charconv>

namespace hearth::core {

bool is_custom_template_id(const std::string& id) {
  return id.size() > custom_template_prefix.size() && id.starts_with(custom_template_prefix);
}

bool worksheet_templates::add(const v1::WorksheetTemplate& t) {
  return by_id_[t.id()].try_emplace(t.version(), t).second;
}

const v1::WorksheetTemplate* worksheet_templates::current(const std::string& id) const {
  return retired(id) ? nullptr : newest(id);
}

const v1::WorksheetTemplate* worksheet_templates::newest(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() || it->second.empty() ? nullptr : &it->second.rbegin()->second;
}

const v1::WorksheetTemplate* worksheet_templates::find(const std::string& id,
                                                       std::uint32_t version) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    return nullptr;
  }
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : &v->second;
}

std::vector<const v1::WorksheetTemplate*> worksheet_templates::versions(
    const std::string& id) const {
  std::vector<const v1::WorksheetTemplate*> out;
  auto it = by_id_.find(id);
  if (it != by_id_.end()) {
    for (const auto& [version, t] : it->second) {
      out.push_back(&t);
    }
  }
  return out;
}

std::vector<const v1::WorksheetTemplate*> worksheet_templates::latest(with_retired which) const {
  std::vector<const v1::WorksheetTemplate*> out;
  for (const auto& [id, versions] : by_id_) {
    if (!versions.empty() && (which == with_retired::yes || !retired(id))) {
      out.push_back(&versions.rbegin()->second);
    }
  }
  return out;
}

std::size_t worksheet_templates::custom_count() const {
  return static_cast<std::size_t>(
      std::count_if(by_id_.begin(), by_id_.end(),
                    [](const auto& entry) { return is_custom_template_id(entry.first); }));
}

std::optional<std::uint64_t> worksheet_book::number_of(const std::string& instance_id) {
  constexpr std::string_view prefix = "ws-";
  if (instance_id.size() <= prefix.size() || instance_id.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  const char* first = instance_id.data() + prefix.size();
  const char* last = instance_id.data() + instance_id.size();
  auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || end != last || n == 0) {
    return std::nullopt;
  }
  return n;
}

sheet_entry* worksheet_book::find(const std::string& instance_id) {
  const auto n = number_of(instance_id);
  if (!n) {
    return nullptr;
  }
  auto it = sheets_.find(*n);
  return it == sheets_.end() ? nullptr : &it->second;
}

const sheet_entry* worksheet_book::find(const std::string& instance_id) const {
  return const_cast<worksheet_book*>(this)->find(  // NOLINT(cppcoreguidelines-pro-type-const-cast)
      instance_id);
}

sheet_entry& worksheet_book::insert(sheet_entry entry) {
  const auto n = number_of(entry.id).value_or(0);
  next_number_ = std::max(next_number_, n + 1);
  return sheets_.insert_or_assign(n, std::move(entry)).first->second;
}

std::uint64_t worksheet_book::hold(pending_work work) {
  if (const auto* creation = std::get_if<pending_creation>(&work)) {
    creating_ += creation->sheets.size();
  }
  const auto ticket = next_ticket_++;
  pending_.emplace(ticket, std::move(work));
  return ticket;
}

std::optional<pending_work> worksheet_book::release(std::uint64_t ticket) {
  auto it = pending_.find(ticket);
  if (it == pending_.end()) {
    return std::nullopt;
  }
  auto work = std::move(it->second);
  pending_.erase(it);
  if (const auto* creation = std::get_if<pending_creation>(&work)) {
    creating_ -= creation->sheets.size();
  }
  return work;
}

bool worksheet_book::template_storing(const std::string& template_id) const {
  return std::any_of(pending_.begin(), pending_.end(), [&](const auto& entry) {
    const auto* t = std::get_if<pending_template>(&entry.second);
    return t != nullptr && t->template_id == template_id;
  });
}

std::string worksheet_book::check_invariants() const {
  for (const auto& [n, s] : sheets_) {
    if (s.storing && !pending_.contains(*s.storing)) {
      return "a worksheet waits for a store ticket nobody holds";
    }
    if (!s.storing && !s.queue.empty()) {
      return "a worksheet has queued batches and nothing being stored";
    }
    if (s.owner.scope == v1::WORKSHEET_SCOPE_PERSONAL && s.owner.owner_member == 0) {
      return "a personal worksheet without an owner";
    }
  }
  return {};
}

}  // namespace hearth::core
