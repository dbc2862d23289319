// A room runner's worksheet side. The core makes a new sheet or a batch exist
// only once it is durable: the runner stores what the core hands it (one
// transaction per write, group-committed with whatever else is queued), and
// the store's answer goes back to the core on the room's strand, which then
// applies it, sends the events and answers the author, or answers an error
// and changes nothing. Runs on the room's strand like the rest of the runner.
#include <boost/asio/post.hpp>

#include "net/room_runner.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "worksheets/labels.hpp"

namespace hearth::net {

using worksheets::scope_from;
using worksheets::scope_label;
using worksheets::sharing_from;
using worksheets::sharing_label;
namespace asio = boost::asio;
void room_runner::record_worksheets(const core::effects& fx) {
  for (const auto& change : fx.worksheet_sharing) {
    if (!records_.submit(store::worksheet_share_put{room_id_, change.instance_id,
                                                    sharing_label(change.sharing)})) {
      telemetry::global_metrics().store_refused.fetch_add(1);
      telemetry::log(telemetry::level::error, "worksheet_sharing_not_recorded",
                     {{"reason", std::string_view("store queue full")}});
    }
  }
  for (const auto& w : fx.worksheet_writes) {
    std::vector<store::write> writes;
    for (const auto& c : w.created) {
      writes.emplace_back(store::worksheet_put{
          room_id_, c.instance_id, c.template_id, c.template_version, scope_label(c.scope),
          c.owner_subject, c.family_subject, c.created_by, c.at});
    }
    if (w.commit) {
      writes.emplace_back(store::worksheet_commit_put{
          room_id_, w.commit->instance_id(), static_cast<std::int64_t>(w.commit->version()),
          w.author_subject, w.commit->SerializeAsString(), w.at});
    }
    // One writer thread commits in submission order: the completion of the
    // last write runs after all of them are in one or more durable commits.
    // A refusal of any but the last would leave a gap; the queue refuses only
    // when full, and then the core hears of a failure and stores nothing more
    // of this change.
    bool queued = true;
    for (std::size_t i = 0; i < writes.size() && queued; ++i) {
      store::store_writer::completion done;
      if (i + 1 == writes.size()) {
        done = [self = shared_from_this(), ticket = w.ticket](bool committed) {
          self->post_to_room(
              [self, ticket, committed] { self->worksheet_stored(ticket, committed); });
        };
      }
      queued = records_.submit(std::move(writes[i]), std::move(done));
    }
    if (!queued) {
      telemetry::global_metrics().store_refused.fetch_add(1);
      telemetry::log(telemetry::level::error, "worksheet_not_recorded",
                     {{"reason", std::string_view("store queue full")}});
      post_to_room([self = shared_from_this(), ticket = w.ticket] {
        self->worksheet_stored(ticket, false);
      });
    }
  }
}

void room_runner::record_templates(const core::effects& fx) {
  for (const auto& w : fx.template_writes) {
    store::write write = store::worksheet_template_retire{w.retired, w.at};
    if (w.saved) {
      write = store::worksheet_template_put{w.saved->id(), w.saved->version(),
                                            w.saved->SerializeAsString(), w.by_subject, w.at};
    }
    // The catalog changes on the strand once the store has the change, and
    // before the core answers: the author's next command sees it.
    auto catalog = config_.worksheet_templates;  // the core refuses templates without one
    auto done = [self = shared_from_this(), w, catalog](bool committed) {
      self->post_to_room([self, w, committed, catalog] {
        if (w.saved && committed) {
          catalog->add(*w.saved);
        } else if (w.saved) {
          catalog->release(w.saved->id(), w.saved->version());
        } else if (committed) {
          catalog->retire(w.retired);
        }
        self->refresh_templates();
        self->worksheet_stored(w.ticket, committed);
      });
    };
    // Another room (or the admin API) saving the same version first: this
    // one is answered "retry" and the next try gets the next version.
    const bool claimed = !w.saved || catalog->claim(w.saved->id(), w.saved->version());
    if (!claimed || !records_.submit(std::move(write), std::move(done))) {
      if (claimed && w.saved) {
        catalog->release(w.saved->id(), w.saved->version());
      }
      if (claimed) {
        telemetry::global_metrics().store_refused.fetch_add(1);
        telemetry::log(telemetry::level::error, "worksheet_template_not_recorded",
                       {{"reason", std::string_view("store queue full")}});
      }
      post_to_room([self = shared_from_this(), ticket = w.ticket] {
        self->worksheet_stored(ticket, false);
      });
    }
  }
}

void room_runner::worksheet_stored(std::uint64_t ticket, bool committed) {
  auto fx = room_.worksheet_stored(ticket, committed, clock_.now());
  apply(fx, nullptr, 0);
  retire_if_empty();
}

void room_runner::send_replies(core::effects& fx) {
  for (auto& r : fx.replies) {
    auto it = joined_.find(r.connection);
    if (it != joined_.end()) {
      send_reply(it->second, std::move(r.reply), r.request_id);
    }
  }
}

void room_runner::restore_worksheets(const std::vector<store::worksheet_record>& sheets) {
  refresh_templates();  // sheets of templates saved since the room was made
  std::int64_t refused = 0;
  for (const auto& record : sheets) {
    core::stored_worksheet stored;
    const auto scope = scope_from(record.scope);
    stored.created = {record.instance_id,
                      record.template_id,
                      static_cast<std::uint32_t>(record.template_version),
                      scope.value_or(v1::WORKSHEET_SCOPE_UNSPECIFIED),
                      record.owner_subject,
                      record.family_subject,
                      record.created_by,
                      record.created_at};
    stored.sharing = sharing_from(record.sharing);
    bool readable = scope.has_value();
    for (const auto& c : record.commits) {
      v1::WorksheetCommit commit;
      readable = readable && commit.ParseFromString(c.body);
      stored.log.emplace_back(c.author_subject, std::move(commit));
    }
    if (!readable || !room_.restore_worksheet(stored)) {
      ++refused;
    }
  }
  if (refused > 0) {
    // Ids and counts only: the sheet stays in the store, out of the room.
    telemetry::log(telemetry::level::error, "worksheets_not_restored", {{"count", refused}});
  }
}

}  // namespace hearth::net
