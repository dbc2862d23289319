// Sealed bytes bypass OpenSSL on the way out: they are records already.
#include "net/tls_pending_write.hpp"

#include <array>
#include <utility>

#include "net/tls_send.hpp"

namespace hearth::net {
namespace {

constexpr std::size_t idle_write_bytes = std::size_t{4} * 1024;

}  // namespace

void tls_pending_write::keep_plaintext(std::string_view rest) {
  out_.assign(rest);
  written_ = 0;
  sealed_ = false;
}

void tls_pending_write::keep_sealed(std::string_view rest) {
  out_.assign(rest);
  written_ = 0;
  sealed_ = true;
}

frame_send_result tls_pending_write::send_more(tls_socket& socket) {
  const std::string_view rest = std::string_view(out_).substr(written_);
  const frame_send_result sent = sealed_ ? send_plain_bytes(socket_of(socket).native_handle(), rest)
                                         : send_tls_bytes(socket, rest);
  written_ += sent.written;
  return sent;
}

void tls_pending_write::clear() {
  sealed_ = false;
  written_ = 0;
  out_.clear();
  if (out_.capacity() > idle_write_bytes) {
    std::string().swap(out_);
  }
}

bool seal_frame_into(send_batch& batch, tls_socket& socket,
                     std::span<const wire::shared_bytes> messages,
                     std::shared_ptr<batched_sender> sender) {
  const frame_layout layout = lay_out_frame(messages);
  if (layout.total > send_batch::max_frame_bytes) {
    return false;
  }
  const std::span<char> room = batch.reserve(layout.total + tls_socket::seal_overhead);
  if (room.empty()) {
    return false;
  }
  // Left uninitialized: only the frame's bytes are written and read.
  std::array<char, send_batch::max_frame_bytes>
      frame;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  copy_frame(layout, messages, frame.data());
  const std::size_t sealed = socket.seal(frame.data(), layout.total, room.data(), room.size());
  if (sealed == 0) {
    return false;
  }
  batch.commit(std::move(sender), sealed);
  return true;
}

}  // namespace hearth::net
