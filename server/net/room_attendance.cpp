// A room runner answering a facilitator's AttendanceQuery: the core has
// authorized and audited it; the runner reads the session's attendance
// segments on the store's thread (after every write queued before, so the
// answer includes the latest arrivals and departures), summarizes them on the
// room's strand and answers the asking connection. Subjects never leave the
// server: people are named by their member id and display name in this room.
#include <boost/asio/post.hpp>

#include "net/room_runner.hpp"
#include "store/attendance_report.hpp"
#include "telemetry/log.hpp"

namespace hearth::net {
namespace {

v1::Role role_of(const std::string& label) {
  for (const auto role : {v1::ROLE_FACILITATOR, v1::ROLE_CO_FACILITATOR, v1::ROLE_PARTICIPANT,
                          v1::ROLE_FAMILY_MEMBER, v1::ROLE_OBSERVER}) {
    if (core::role_label(role) == label) {
      return role;
    }
  }
  return v1::ROLE_UNSPECIFIED;
}

}  // namespace

void room_runner::answer_attendance(const std::shared_ptr<connection>& conn,
                                    std::uint32_t request_id) {
  const bool queued =
      records_.read([self = shared_from_this(), conn, request_id](store::store& db) {
        auto segments = std::make_shared<std::vector<store::attendance_segment>>();
        bool ok = true;
        try {
          *segments = db.attendance(self->room_id_);
        } catch (const store::store_error& e) {
          ok = false;
          telemetry::log(telemetry::level::error, "attendance_unavailable",
                         {{"kind", std::string_view(store::kind_name(e.which()))}});
        }
        self->post_to_room([self, conn, request_id, segments, ok] {
          self->send_attendance(conn, request_id, ok ? segments.get() : nullptr);
        });
      });
  if (!queued) {
    send_attendance(conn, request_id, nullptr);
  }
}

void room_runner::send_attendance(const std::shared_ptr<connection>& conn, std::uint32_t request_id,
                                  const std::vector<store::attendance_segment>* segments) {
  if (segments == nullptr) {
    send_reply(
        conn,
        core::error_reply(v1::ERROR_CODE_INTERNAL, "attendance records unavailable; retry", true),
        request_id);
    return;
  }
  const auto now = clock_.now();
  const auto report = store::summarize_session(room_id_, *segments, now);
  v1::Reply reply;
  auto* out = reply.mutable_attendance();
  out->set_participants(static_cast<std::uint32_t>(report.participants));
  out->set_family_members(static_cast<std::uint32_t>(report.family_members));
  out->set_as_of_ms(static_cast<std::uint64_t>(now));
  for (const auto& person : report.people) {
    auto* p = out->add_people();
    // A member the room only keeps an id for (a sheet's owner not back since
    // a restart) has no name here: the same as someone unknown.
    const core::member* m = room_.people().find_by_subject(person.subject);
    if (m != nullptr && !m->who.display_name.empty()) {
      p->set_member_id(m->id);
      p->set_display_name(m->who.display_name);
    }
    p->set_role(role_of(person.role));
    p->set_present_ms(static_cast<std::uint64_t>(person.present_ms));
    p->set_first_joined_ms(static_cast<std::uint64_t>(person.first_joined));
    p->set_last_left_ms(static_cast<std::uint64_t>(person.last_left));
    p->set_present_now(person.present_now);
    p->set_stays(static_cast<std::uint32_t>(person.segments));
  }
  send_reply(conn, std::move(reply), request_id);
}

}  // namespace hearth::net
