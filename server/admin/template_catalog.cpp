// Copy-on-write: a change copies the catalog (a few hundred templates at
// most), so a snapshot in use by a room is never touched.
#include "admin/template_catalog.hpp"

namespace hearth::admin {

std::shared_ptr<const worksheet_templates> template_catalog::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

bool template_catalog::claim(const std::string& id, std::uint32_t version) {
  std::lock_guard lock(mutex_);
  if (current_->retired(id) || current_->find(id, version) != nullptr) {
    return false;
  }
  return claimed_.emplace(id, version).second;
}

void template_catalog::release(const std::string& id, std::uint32_t version) {
  std::lock_guard lock(mutex_);
  claimed_.erase({id, version});
}

void template_catalog::add(const v1::WorksheetTemplate& t) {
  std::lock_guard lock(mutex_);
  claimed_.erase({t.id(), t.version()});
  auto next = std::make_shared<worksheet_templates>(*current_);
  if (next->add(t)) {
    current_ = std::move(next);
  }
}

void template_catalog::retire(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<worksheet_templates>(*current_);
  next->retire(id);
  current_ = std::move(next);
}

}  // namespace hearth::admin
