// Drives one room core on its own strand: stamps nothing itself (the core does),
// but serializes each event once, keeps the replay history, hands the same bytes
// to every recipient and arms the room's single timer. All private members are
// touched only on strand_ (with one network thread, a command may also run
// straight from its connection's handler: see command()).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "admin/live.hpp"
#include "core/history.hpp"
#include "core/room.hpp"
#include "net/clock.hpp"
#include "net/connection.hpp"
#include "net/connection_table.hpp"
#include "net/output_turn.hpp"
#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::net {

class room_directory;

class room_runner : public std::enable_shared_from_this<room_runner> {
 public:
  // A strand over the io_context's own executor: over any_io_executor, every
  // dispatch went through type erasure and built a new polymorphic executor
  // (a heap allocation per command).
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  // `session_ended`: a facilitator ended this room's session earlier in the
  // process' life, so every join is refused.
  room_runner(std::string room_id, std::string epoch, strand_type strand, const settings& config,
              const server_clock& clock, room_directory& directory, store::store_writer& records,
              bool session_ended = false);

  const std::string& room_id() const { return room_id_; }
  strand_type& strand() { return strand_; }

  // Each of these may be called from any thread; it hops to the room's strand.
  void join(std::shared_ptr<connection> conn, core::identity who, v1::JoinRoom request,
            std::uint32_t request_id);
  void command(std::shared_ptr<connection> conn, v1::ClientMessage message);
  void disconnect(std::shared_ptr<connection> conn);
  // An observer's consent changed through the admin API (committed).
  void update_consent(store::consent_record record);
  // Hops to the strand, builds the admin view of the room and hands it to `done`.
  void describe(std::function<void(admin::live_summary)> done);

  // Joins announced by the directory but not yet run; guarded by the directory's mutex.
  std::atomic<int> pending_joins{0};

 private:
  void do_join(const std::shared_ptr<connection>& conn, const core::identity& who,
               const v1::JoinRoom& request, std::uint32_t request_id);
  void do_command(const std::shared_ptr<connection>& conn, const v1::ClientMessage& message,
                  bool loaded);
  void do_disconnect(const std::shared_ptr<connection>& conn);
  // The session's plan and bans come from the store (in order with its
  // writes) before the first join runs. Until then joins, commands and
  // disconnects wait in `queued_`, in order; each learns whether the plan
  // loaded.
  void when_loaded(std::function<void(bool loaded)> work);
  void load_plan();
  struct loaded_plan {
    std::optional<store::session_record> session;
    std::vector<store::ban_record> bans;
    std::vector<store::consent_record> consents;
    std::vector<store::worksheet_record> worksheets;
  };
  void plan_loaded(const loaded_plan& plan, bool ok);
  void record_bans(const core::effects& fx, const std::shared_ptr<connection>& caller,
                   std::optional<v1::Reply>& reply, std::uint32_t request_id);
  void record(const core::consent_change& change);
  // Worksheets (net/room_worksheets.cpp): what the core asks to store, its
  // commit reported back to the core, answers to other connections, and the
  // sheets read back when the room opens.
  void record_worksheets(const core::effects& fx);
  void record_templates(const core::effects& fx);
  // Hands the room the shared catalog as it is now.
  void refresh_templates();
  void worksheet_stored(std::uint64_t ticket, bool committed);
  // room_attendance.cpp: read the records, then answer on the strand
  // (`segments` null: the store could not be read).
  void answer_attendance(const std::shared_ptr<connection>& conn, std::uint32_t request_id);
  // A worksheet as PDF (room_pdf_export.cpp): laid out on the render queue,
  // answered and audited back on this room's strand.
  void start_pdf_export(const std::shared_ptr<connection>& conn, std::uint32_t request_id,
                        core::pdf_export job);
  void finish_pdf_export(const std::shared_ptr<connection>& conn, std::uint32_t request_id,
                         const core::pdf_export& job, std::optional<std::string> file);
  void send_attendance(const std::shared_ptr<connection>& conn, std::uint32_t request_id,
                       const std::vector<store::attendance_segment>* segments);
  void send_replies(core::effects& fx);
  void restore_worksheets(const std::vector<store::worksheet_record>& sheets);
  void admit(const core::admission& admission);
  // The connection of `id`, joined or waiting, taken out of the maps.
  std::shared_ptr<connection> take(core::connection_id id);
  void apply(core::effects& fx, const std::shared_ptr<connection>& caller,
             std::uint32_t request_id);
  void send_reply(const std::shared_ptr<connection>& conn, v1::Reply reply,
                  std::uint32_t request_id);
  // The rooms of the session (room_places.cpp): each room stream reaches the
  // connections in its room and keeps its own history.
  // `alone`: the event is all the command gives its recipients, so each but
  // `caller` (whose reply follows) can have it written at once.
  void fan_out(const core::room_event& event, bool alone, core::connection_id caller);
  bool in_place(core::connection_id id, std::uint32_t place) const;
  core::history_ring* history_of(std::uint32_t place);
  const core::history_ring* history_of(std::uint32_t place) const;
  // A moving connection gets no room stream events from `after_events` on;
  // then ServerMessage.moved with a snapshot of where it is.
  void start_moves(const core::effects& fx, std::size_t event_index,
                   std::vector<core::place_move>::const_iterator& next);
  void finish_moves(const core::effects& fx);
  void close_places(const core::effects& fx);
  void set_place(core::connection_id id, std::uint32_t place);
  void record(const core::attendance_change& change);
  void record(const core::audit_note& note);
  void record(const core::kept_chat_change& change);
  void replay(const std::shared_ptr<connection>& conn, std::uint32_t member,
              const v1::ResumePosition& from);
  bool can_replay(std::uint32_t member, const v1::ResumePosition& from) const;
  // Posts to the strand, counting the work that waits there. With one
  // thread the work's output (a join's snapshot and presence, a store's
  // answer) is written when it ends, its sends in one batch.
  template <typename Work>
  void post_to_room(Work&& work) {
    posted_.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(strand_,
                      [self = shared_from_this(), work = std::forward<Work>(work)]() mutable {
                        self->posted_.fetch_sub(1, std::memory_order_relaxed);
                        const output_turn turn(self->config_.threads <= 1);
                        work();
                      });
  }
  // Whether work for the room may run on the calling stack (see the .cpp).
  bool runs_inline() const;
  void rearm_timer();
  void on_timer();
  void retire_if_empty();

  std::string room_id_;
  std::string epoch_;
  strand_type strand_;
  std::atomic<std::uint32_t> posted_{0};  // posted to strand_, not yet run
  const settings& config_;
  const server_clock& clock_;
  room_directory& directory_;
  store::store_writer& records_;
  core::room room_;
  core::history_ring history_;
  std::unordered_map<core::member_id, core::history_ring> direct_history_;
  connection_table joined_;                                                       // members
  std::unordered_map<core::connection_id, std::shared_ptr<connection>> waiting_;  // in the lobby
  std::unordered_map<core::connection_id, std::uint32_t>
      in_breakout_;  // joined, not in the main room
  std::unordered_map<std::uint32_t, core::history_ring> breakout_history_;
  std::unordered_set<core::connection_id> in_transit_;  // moving during the current apply()
  enum class plan_state : std::uint8_t { unloaded, loading, loaded };
  plan_state plan_ = plan_state::unloaded;
  std::vector<std::function<void(bool loaded)>> queued_;
  boost::asio::steady_timer timer_;
  std::optional<core::time_ms> armed_for_;
  bool retired_ = false;
};

}  // namespace hearth::net
