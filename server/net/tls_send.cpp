// One buffer, one record, one send per batch.
#include "net/tls_send.hpp"

#include <cerrno>

namespace hearth::net {

std::string& thread_record_bytes() {
  thread_local std::string bytes;
  return bytes;
}

frame_send_result send_tls_bytes(tls_socket& socket, std::string_view bytes) {
  frame_send_result result;
  result.total = bytes.size();
  while (result.written < result.total) {
    const auto r = socket.write(bytes.data() + result.written, result.total - result.written);
    if (r.state == tls_socket::status::done) {
      result.written += r.bytes;
      continue;
    }
    if (r.state != tls_socket::status::want_write && r.state != tls_socket::status::want_read) {
      result.error = EPIPE;
    }
    break;
  }
  return result;
}

frame_send_result send_tls_pieces(tls_socket& socket,
                                  std::span<const boost::asio::const_buffer> pieces) {
  std::string& record = thread_record_bytes();
  record.clear();
  for (const auto& piece : pieces) {
    record.append(static_cast<const char*>(piece.data()), piece.size());
  }
  return send_tls_bytes(socket, record);
}

frame_send_result send_tls_frame(tls_socket& socket, std::span<const wire::shared_bytes> batch) {
  const frame_layout layout = lay_out_frame(batch);
  std::string& record = thread_record_bytes();
  record.resize(layout.total);
  copy_frame(layout, batch, record.data());
  return send_tls_bytes(socket, record);
}

}  // namespace hearth::net
