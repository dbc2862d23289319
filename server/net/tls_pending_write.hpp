// The rest of a TLS session's write that the socket did not take at once. It
// is one of two things: plaintext, which OpenSSL must be offered again from
// where it stopped (it keeps a record the socket took in part and finishes it
// on the retry), or records already sealed for a batch of sends, which go out
// as they are.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "net/frame_send.hpp"
#include "net/send_batch.hpp"
#include "net/tls_socket.hpp"
#include "wire/frame_codec.hpp"

namespace hearth::net {

class tls_pending_write {
 public:
  void keep_plaintext(std::string_view rest);
  void keep_sealed(std::string_view rest);

  // Sends more of the rest, as far as the socket takes it now.
  frame_send_result send_more(tls_socket& socket);
  bool finished() const { return written_ == out_.size(); }

  // After the write: an idle connection keeps no large buffer.
  void clear();

 private:
  std::string out_;
  std::size_t written_ = 0;  // of out_
  bool sealed_ = false;
};

// A binary frame around `messages`, sealed as one record into `batch` and
// committed there for `sender`. False if the batch refuses it (too large for
// a batch, no room) or the connection failed: the caller then writes it
// itself, and a failed connection finds out there.
bool seal_frame_into(send_batch& batch, tls_socket& socket,
                     std::span<const wire::shared_bytes> messages,
                     std::shared_ptr<batched_sender> sender);

}  // namespace hearth::net
