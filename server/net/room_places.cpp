// The rooms of one session in its runner: the main room and the open breakout
// rooms each have a room stream with its own history; a connection receives
// the stream of the room its member is in, and a move hands it a snapshot of
// the new room (ServerMessage.moved). The direct streams are the session's.
#include "net/room_runner.hpp"

namespace hearth::net {

bool room_runner::in_place(core::connection_id id, std::uint32_t place) const {
  if (in_transit_.contains(id)) {
    return false;
  }
  auto it = in_breakout_.find(id);
  return (it == in_breakout_.end() ? 0 : it->second) == place;
}

core::history_ring* room_runner::history_of(std::uint32_t place) {
  if (place == 0) {
    return &history_;
  }
  auto it = breakout_history_.find(place);
  return it == breakout_history_.end() ? nullptr : &it->second;
}

const core::history_ring* room_runner::history_of(std::uint32_t place) const {
  return const_cast<room_runner*>(this)->history_of(
      place);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

void room_runner::set_place(core::connection_id id, std::uint32_t place) {
  if (place == 0) {
    in_breakout_.erase(id);
  } else {
    in_breakout_[id] = place;
  }
}

void room_runner::fan_out(const core::room_event& event, bool alone, core::connection_id caller) {
  // Serialized once; the same bytes go to every recipient and into history.
  auto bytes = wire::encode_event(event.event);
  auto next = joined_.begin();
  if (next != joined_.end()) {
    prefetch_connection(next->second.get());
  }
  const auto give = [&](core::connection_id id, connection& conn) {
    // The walks below go through joined_ in order: fetch the one after this.
    while (next != joined_.end() && next->first != id) {
      ++next;
    }
    if (next != joined_.end() && ++next != joined_.end()) {
      prefetch_connection(next->second.get());
    }
    if (alone && id != caller) {
      conn.deliver_alone(bytes);
    } else {
      conn.deliver(bytes);
    }
  };
  const v1::Event& sent = event.event;
  // Without breakouts or moves every joined connection is in the main room.
  const bool everyone_here = in_breakout_.empty() && in_transit_.empty();
  switch (event.to.kind) {
    case core::audience_kind::room_stream: {
      const std::uint32_t place = event.to.place;
      if (place != 0 && !breakout_history_.contains(place)) {
        breakout_history_.try_emplace(place, config_.history_events, config_.history_bytes);
      }
      history_of(place)->append(sent.seq(), bytes);
      for (auto& [id, conn] : joined_) {
        if ((everyone_here && place == 0) || in_place(id, place)) {
          give(id, *conn);
        }
      }
      break;
    }
    case core::audience_kind::direct: {
      auto ring = direct_history_.try_emplace(event.to.member, config_.direct_history_events,
                                              config_.direct_history_bytes);
      ring.first->second.append(sent.direct_seq(), bytes);
      for (auto& [id, conn] : joined_) {
        if (room_.member_of(id) == event.to.member) {
          give(id, *conn);
        }
      }
      break;
    }
    case core::audience_kind::direct_ephemeral:
      // Not sequenced and not kept: a reconnecting member's readers learn
      // presence afresh.
      for (auto& [id, conn] : joined_) {
        if (room_.member_of(id) == event.to.member) {
          give(id, *conn);
        }
      }
      break;
    case core::audience_kind::everyone_but:
      for (auto& [id, conn] : joined_) {
        if (((everyone_here && event.to.place == 0) || in_place(id, event.to.place)) &&
            room_.member_of(id) != event.to.member) {
          give(id, *conn);
        }
      }
      break;
  }
}

void room_runner::start_moves(const core::effects& fx, std::size_t event_index,
                              std::vector<core::place_move>::const_iterator& next) {
  for (; next != fx.moves.end() && next->after_events <= event_index; ++next) {
    if (joined_.contains(next->connection)) {
      in_transit_.insert(next->connection);
    }
  }
}

void room_runner::finish_moves(const core::effects& fx) {
  in_transit_.clear();
  std::unordered_set<core::connection_id> done;
  // The last move of a connection in this call decides where it is; one snapshot each.
  for (std::size_t i = fx.moves.size(); i-- > 0;) {
    const core::place_move& move = fx.moves[i];
    auto conn = joined_.find(move.connection);
    if (conn == joined_.end() || !done.insert(move.connection).second) {
      continue;
    }
    const std::uint32_t place = room_.place_of_member(move.member);
    set_place(move.connection, place);
    v1::ServerMessage message;
    auto* join = message.mutable_moved()->mutable_join();
    join->set_room_id(room_id_);
    join->set_epoch(epoch_);
    join->set_head_seq(room_.head_seq(place));
    join->set_direct_head_seq(room_.direct_head(move.member));
    join->set_member_id(move.member);
    join->set_breakout_id(place);
    join->set_recovered(false);
    *join->mutable_snapshot() = room_.snapshot(move.member, clock_.now());
    conn->second->deliver(wire::encode(message));
  }
}

void room_runner::close_places(const core::effects& fx) {
  for (std::uint32_t place : fx.places_closed) {
    breakout_history_.erase(place);
    std::erase_if(in_breakout_, [place](const auto& entry) { return entry.second == place; });
  }
}

}  // namespace hearth::net
