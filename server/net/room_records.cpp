// What a room runner hands to the store's writer as the core reports it:
// attendance, audit notes and kept chat. Writes are queued, never waited for;
// a full queue is counted and logged, never with content.
#include <string>
#include <string_view>

#include "net/room_runner.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {

void room_runner::record(const core::attendance_change& change) {
  store::write w;
  if (change.what == core::attendance_change::kind::opened) {
    w = store::attendance_open{room_id_, change.subject, core::role_label(change.role), change.at};
  } else {
    w = store::attendance_close{room_id_, change.subject, change.at};
  }
  if (!records_.submit(std::move(w))) {
    telemetry::global_metrics().store_refused.fetch_add(1);
    telemetry::log(telemetry::level::error, "attendance_not_recorded",
                   {{"reason", std::string_view("store queue full")}});
  }
}

void room_runner::record(const core::audit_note& note) {
  // Codes and subjects only: the core never puts content in a note.
  // No actor role: the server itself acted (an observer's consent ran out).
  const std::string role =
      note.actor_role == v1::ROLE_UNSPECIFIED ? "system" : core::role_label(note.actor_role);
  if (!records_.submit(store::audit_entry{note.at, note.actor, role, note.action, note.target,
                                          room_id_, note.outcome, note.detail})) {
    telemetry::global_metrics().store_refused.fetch_add(1);
    telemetry::log(telemetry::level::error, "audit_not_recorded",
                   {{"action", std::string_view(note.action)},
                    {"reason", std::string_view("store queue full")}});
  }
}

void room_runner::record(const core::kept_chat_change& change) {
  // Keyed by this runner's epoch (a room opened again numbers from 1 again)
  // and the breakout whose stream the seq counts in.
  store::write w = store::kept_chat_delete{room_id_, epoch_, change.place, change.seq};
  if (change.what == core::kept_chat_change::kind::sent) {
    w = store::kept_chat_put{room_id_,   epoch_,        change.place,
                             change.seq, change.author, core::role_label(change.role),
                             change.at,  change.text};
  }
  if (!records_.submit(std::move(w))) {
    // Counted and logged without the text.
    telemetry::global_metrics().store_refused.fetch_add(1);
    telemetry::log(telemetry::level::error, "kept_chat_not_recorded",
                   {{"reason", std::string_view("store queue full")}});
  }
}

}  // namespace hearth::net
