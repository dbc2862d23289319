// A room runner answering a worksheet PDF export: the core has authorized it
// and handed over a copy of the durable sheet; the runner has it laid out on
// the render queue (fonts, layout: never on the room's strand), then answers
// the asking connection and writes the audit record with the outcome, back
// on the room's strand. The limits are those of the other exports: the reply
// must fit the connection's outbound limit.
#include <boost/asio/post.hpp>

#include "net/room_runner.hpp"
#include "pdf/worksheet_pdf.hpp"

namespace hearth::net {
namespace {

// The audit record of a PDF export that was not delivered, and why.
core::audit_note failed(core::audit_note note, const char* why) {
  note.outcome = "failed";
  note.detail += std::string(" ") + why;
  return note;
}

}  // namespace

void room_runner::start_pdf_export(const std::shared_ptr<connection>& conn,
                                   std::uint32_t request_id, core::pdf_export job) {
  if (!config_.pdf_renders) {
    send_reply(conn,
               core::error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                                 "PDF export is not available on this server"),
               request_id);
    record(failed(job.audit, "unavailable"));
    return;
  }
  auto shared = std::make_shared<core::pdf_export>(std::move(job));
  const bool queued =
      config_.pdf_renders->submit([self = shared_from_this(), conn, request_id, shared] {
        auto file = pdf::render_worksheet(shared->form, shared->document, shared->meta);
        self->post_to_room([self, conn, request_id, shared, file = std::move(file)]() mutable {
          self->finish_pdf_export(conn, request_id, *shared, std::move(file));
        });
      });
  if (!queued) {
    send_reply(conn,
               core::error_reply(v1::ERROR_CODE_TOO_MANY_REQUESTS,
                                 "the server is busy making documents; retry", true),
               request_id);
    record(failed(shared->audit, "busy"));
  }
}

void room_runner::finish_pdf_export(const std::shared_ptr<connection>& conn,
                                    std::uint32_t request_id, const core::pdf_export& job,
                                    std::optional<std::string> file) {
  if (!file) {
    send_reply(conn,
               core::error_reply(v1::ERROR_CODE_INTERNAL, "the PDF could not be made; retry", true),
               request_id);
    record(failed(job.audit, "render_failed"));
    return;
  }
  v1::Reply reply;
  auto* exported = reply.mutable_worksheet()->mutable_export_();
  exported->set_instance_id(job.meta.instance_id);
  exported->set_format(v1::WORKSHEET_EXPORT_FORMAT_PDF);
  exported->set_media_type(pdf::pdf_media_type);
  exported->set_filename(job.filename);
  exported->set_data(std::move(*file));
  // The budget of a replay and of the other exports (room_runner.cpp).
  if (reply.ByteSizeLong() > config_.max_outbound_queue_bytes / 2) {
    send_reply(conn,
               core::error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED,
                                 "the export is larger than this connection may receive"),
               request_id);
    record(failed(job.audit, "too_large"));
    return;
  }
  send_reply(conn, std::move(reply), request_id);
  record(job.audit);
}

}  // namespace hearth::net
