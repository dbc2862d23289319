// Finds or creates the runner of a room; retires runners of empty rooms. The
// map is the only state shared across threads here, behind one mutex.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "net/clock.hpp"
#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::net {

class room_runner;

class room_directory {
 public:
  room_directory(boost::asio::io_context::executor_type executor, const settings& config,
                 const server_clock& clock, store::store_writer& records);

  // Returns the live runner for `room_id`, creating it (with a fresh epoch) if
  // needed, and counts a pending join on it so it is not retired meanwhile.
  std::shared_ptr<room_runner> acquire_for_join(const std::string& room_id);

  // Called on the runner's strand when its room is empty and no join is pending.
  // Returns true if the runner was removed (it must then refuse further work).
  // `session_ended`: a facilitator ended the session; the room's id is kept
  // until the process exits and a room created for it again refuses every join.
  bool retire(const room_runner& runner, bool session_ended);

  std::size_t size() const;

  // The runner of an open room, if any (no pending join is counted).
  std::shared_ptr<room_runner> find(const std::string& room_id) const;

 private:
  boost::asio::io_context::executor_type executor_;
  const settings& config_;
  const server_clock& clock_;
  store::store_writer& records_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<room_runner>> rooms_;
  std::unordered_set<std::string> ended_;  // rooms whose session a facilitator ended
};

std::string random_epoch();

}  // namespace hearth::net
