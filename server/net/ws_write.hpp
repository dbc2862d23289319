// The bytes of one write of a WebSocket session: control frames (pongs, the
// close frame), then every queued message in one binary frame, as a gathered
// buffer sequence. A session fills a per-thread one and writes it at once;
// only a write the socket cannot take whole is moved to the heap to finish
// asynchronously, so an idle session holds no write buffers at all.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "wire/frame_codec.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {

// A gathered buffer sequence that is cheap to copy (Beast and Asio copy the
// sequence at every step of a composed write); the vector it points into
// outlives the write.
class buffer_view {
 public:
  using value_type = boost::asio::const_buffer;
  using const_iterator = const boost::asio::const_buffer*;

  buffer_view(const boost::asio::const_buffer* begin, const boost::asio::const_buffer* end)
      : begin_(begin), end_(end) {}
  const_iterator begin() const { return begin_; }
  const_iterator end() const { return end_; }

 private:
  const_iterator begin_;
  const_iterator end_;
};

struct ws_write {
  std::vector<wire::shared_bytes> batch;  // the messages, owned until written
  std::string control;                    // control frames, ahead of the batch
  std::array<std::uint8_t, wire::ws::max_header_bytes> header{};
  std::size_t header_bytes = 0;
  std::vector<boost::asio::const_buffer> buffers;  // over the three above

  bool empty() const { return batch.empty() && control.empty(); }

  // Frames the batch and lays out the buffers (again after a move, as
  // `control` and `header` may live inside the object).
  void build() {
    if (!batch.empty()) {
      std::size_t total = 0;
      for (const auto& bytes : batch) {
        total += bytes.size();
      }
      header_bytes = wire::ws::write_server_header(wire::ws::opcode::binary, total, header);
    }
    buffers.clear();
    if (!control.empty()) {
      buffers.emplace_back(control.data(), control.size());
    }
    if (!batch.empty()) {
      buffers.emplace_back(header.data(), header_bytes);
      for (const auto& bytes : batch) {
        buffers.emplace_back(bytes.data(), bytes.size());
      }
    }
  }

  // Drops the first `n` bytes (already written).
  void consume(std::size_t n) {
    std::size_t first = 0;
    while (first < buffers.size() && n >= buffers[first].size()) {
      n -= buffers[first].size();
      ++first;
    }
    buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(first));
    if (!buffers.empty()) {
      buffers.front() += n;
    }
  }

  void clear() {
    batch.clear();
    control.clear();
    buffers.clear();
    header_bytes = 0;
  }

  buffer_view view() const { return {buffers.data(), buffers.data() + buffers.size()}; }
};

}  // namespace hearth::net
