// Room lookup and lifetime.
#include "net/room_directory.hpp"

#include <boost/asio/strand.hpp>
#include <stdexcept>

#include "auth/random_id.hpp"
#include "net/room_runner.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {

std::string random_epoch() { return auth::random_hex_id(8); }

room_directory::room_directory(boost::asio::io_context::executor_type executor,
                               const settings& config, const server_clock& clock,
                               store::store_writer& records)
    : executor_(std::move(executor)), config_(config), clock_(clock), records_(records) {}

std::shared_ptr<room_runner> room_directory::acquire_for_join(const std::string& room_id) {
  std::lock_guard lock(mutex_);
  auto& slot = rooms_[room_id];
  if (!slot) {
    slot =
        std::make_shared<room_runner>(room_id, random_epoch(), boost::asio::make_strand(executor_),
                                      config_, clock_, *this, records_, ended_.contains(room_id));
    telemetry::global_metrics().rooms_open.fetch_add(1);
  }
  slot->pending_joins.fetch_add(1);
  return slot;
}

bool room_directory::retire(const room_runner& runner, bool session_ended) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(runner.room_id());
  if (it == rooms_.end() || it->second.get() != &runner || runner.pending_joins.load() != 0) {
    return false;
  }
  if (session_ended) {
    ended_.insert(runner.room_id());
  }
  rooms_.erase(it);
  telemetry::global_metrics().rooms_open.fetch_sub(1);
  return true;
}

std::shared_ptr<room_runner> room_directory::find(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : it->second;
}

std::size_t room_directory::size() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace hearth::net
