// The WebSocket transport of a session: the one translation unit that
// instantiates beast::websocket::stream (plain and TLS). One read and at most
// one write in flight; each write gathers every queued message into one frame.
#include "net/ws_session.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/session_core.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using error_code = boost::system::error_code;

constexpr const char* subprotocol = "hearth.v1";
constexpr std::size_t idle_read_buffer_bytes = 4096;

// Reads, writes and flushes happen once per message per connection; with the
// recycling allocator their operation state reuses thread-local blocks instead
// of going through malloc each time.
template <typename Handler>
auto recycled(Handler&& handler) {
  return asio::bind_allocator(asio::recycling_allocator<void>(), std::forward<Handler>(handler));
}

// A plain connection's socket after the upgrade: a concrete strand executor
// instead of any_io_executor, and no tcp_stream timer bookkeeping on every
// read and write (the WebSocket stream has its own timeouts).
using session_strand = asio::strand<asio::io_context::executor_type>;
using plain_socket = asio::basic_stream_socket<asio::ip::tcp, session_strand>;

plain_socket& socket_of(plain_socket& socket) { return socket; }
asio::ip::tcp::socket& socket_of(beast::tcp_stream& stream) { return stream.socket(); }

// The gathered buffers of one write, as a sequence that is cheap to copy:
// Beast copies the sequence many times per write, and copying a std::vector
// allocates each time. The vector it points into outlives the write.
class buffer_view {
 public:
  using value_type = asio::const_buffer;
  using const_iterator = const asio::const_buffer*;

  explicit buffer_view(const std::vector<asio::const_buffer>& buffers)
      : begin_(buffers.data()), end_(buffers.data() + buffers.size()) {}
  const_iterator begin() const { return begin_; }
  const_iterator end() const { return end_; }

 private:
  const_iterator begin_;
  const_iterator end_;
};

template <typename Stream>
class ws_session final : public session_core {
 public:
  ws_session(Stream&& stream, session_context& context)
      : session_core(context), ws_(std::move(stream)), timer_(ws_.get_executor()) {}

  void run(upgrade_request request) {
    const auto& config = context_.config;
    ws_.read_message_max(config.max_message_bytes);
    ws_.auto_fragment(false);
    ws_.binary(true);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = config.hello_timeout;
    // A backstop behind the application ping: Beast pings and gives up after this.
    timeouts.idle_timeout = config.ping_interval + config.pong_timeout + config.pong_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::server, "hearthd/" HEARTH_VERSION);
      res.set(beast::http::field::sec_websocket_protocol, subprotocol);
    }));
    request_ = std::move(request);
    ws_.async_accept(request_, [self = shared()](error_code ec) { self->on_accept(ec); });
  }

 private:
  std::shared_ptr<ws_session> shared() {
    return std::static_pointer_cast<ws_session>(shared_from_this());
  }

  void on_accept(error_code ec) {
    request_ = {};
    if (ec) {
      telemetry::global_metrics().handshakes_refused.fetch_add(1, std::memory_order_relaxed);
      return;  // Beast has answered the bad upgrade; nothing was registered yet
    }
    auto& m = telemetry::global_metrics();
    m.connections_open.fetch_add(1, std::memory_order_relaxed);
    m.connections_total.fetch_add(1, std::memory_order_relaxed);
    context_.registry.add(shared_from_this());
    if (context_.shutting_down.load()) {
      begin_close(v1::CLOSE_CODE_GOING_AWAY, "server shutting down");
    }
    do_read();
    deadlines_changed();
  }

  void do_read() {
    ws_.async_read(read_buffer_,
                   recycled([self = shared()](error_code ec, std::size_t) { self->on_read(ec); }));
  }

  void on_read(error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        telemetry::global_metrics().count_close(1009);  // Beast closed it with 1009
      }
      finish();
      return;
    }
    if (!ws_.got_binary()) {
      begin_close(v1::CLOSE_CODE_UNSUPPORTED_DATA, "binary frames only");
    } else {
      const auto data = read_buffer_.cdata();
      on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    read_buffer_.consume(read_buffer_.size());
    if (read_buffer_.capacity() > idle_read_buffer_bytes) {
      read_buffer_.shrink_to_fit();  // a large message must not pin memory while idle
    }
    do_read();
  }

  void finish() {
    timer_.cancel();
    on_finished();
  }

  // session_core hooks

  void run_on_strand(std::function<void()> work) override {
    asio::post(ws_.get_executor(), std::move(work));
  }

  void schedule_flush() override {
    asio::post(ws_.get_executor(), recycled([self = shared()] { self->flush(); }));
  }

  void flush() override {
    if (writing_ || close_sent_) {
      return;
    }
    take_batch(context_.config.max_write_batch_bytes, batch_);
    if (batch_.empty()) {
      if (close_started_) {
        send_close_frame();  // the Disconnect and everything before it are out
      }
      return;
    }
    buffers_.clear();
    for (const auto& bytes : batch_) {
      buffers_.emplace_back(bytes->data(), bytes->size());
    }
    begin_write();
  }

  void begin_write() {
    writing_ = true;
    const bool arm = !write_started_;
    write_started_ = steady::now();
    ws_.async_write(buffer_view(buffers_), recycled([self = shared()](error_code ec, std::size_t) {
                      self->on_write(ec);
                    }));
    if (arm) {
      deadlines_changed();
    }
  }

  void on_write(error_code ec) {
    writing_ = false;
    write_started_.reset();
    batch_.clear();
    if (ec) {
      hard_close();
      return;
    }
    if (finish_batch() || close_started_) {
      flush();
    }
  }

  void start_close(std::uint32_t code) override {
    close_code_ = code;
    flush();
  }

  void send_close_frame() {
    close_sent_ = true;
    websocket::close_reason reason(static_cast<websocket::close_code>(close_code_), close_reason_);
    ws_.async_close(reason, [self = shared()](error_code) { self->hard_close(); });
  }

  void hard_close() {
    error_code ignored;
    auto& socket = socket_of(beast::get_lowest_layer(ws_));
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void deadlines_changed() override {
    const auto next = next_deadline();
    if (!next) {
      return;
    }
    if (timer_armed_ && *timer_armed_ <= *next) {
      return;  // an earlier wake-up is already set; it re-arms for this one
    }
    timer_armed_ = *next;
    timer_.expires_at(*next);
    timer_.async_wait([self = shared()](error_code ec) {
      if (ec == asio::error::operation_aborted) {
        return;
      }
      self->on_timer();
    });
  }

  void on_timer() {
    timer_armed_.reset();
    const auto now = steady::now();
    if (close_deadline_ && now >= *close_deadline_) {
      hard_close();  // the peer never completed the close handshake
      return;
    }
    if (write_started_ && now >= *write_started_ + context_.config.write_timeout) {
      if (!close_started_) {
        telemetry::global_metrics().queue_overflows.fetch_add(1, std::memory_order_relaxed);
        telemetry::global_metrics().count_close(v1::CLOSE_CODE_SLOW_CONSUMER);
      }
      hard_close();  // a write that cannot finish will not carry a close either
      return;
    }
    on_deadline(now);
    deadlines_changed();
  }

  websocket::stream<Stream> ws_;
  asio::steady_timer timer_;
  std::optional<steady::time_point> timer_armed_;
  beast::flat_buffer read_buffer_;
  upgrade_request request_;
  std::vector<wire::shared_bytes> batch_;
  std::vector<asio::const_buffer> buffers_;
  bool writing_ = false;
  bool close_sent_ = false;
  std::uint32_t close_code_ = 0;
};

template <typename Stream>
void start(Stream stream, upgrade_request request, session_context& context) {
  auto session = std::make_shared<ws_session<Stream>>(std::move(stream), context);
  session->run(std::move(request));
}

}  // namespace

void start_ws_session(beast::tcp_stream stream, upgrade_request request, session_context& context) {
  auto accepted = stream.release_socket();
  const auto* strand = accepted.get_executor().target<session_strand>();
  error_code ec;
  const auto endpoint = accepted.local_endpoint(ec);
  if (strand == nullptr || ec) {
    telemetry::log(telemetry::level::error, "upgrade_failed", {{"reason", "socket state"}});
    return;  // the socket closes as `accepted` goes out of scope
  }
  const auto handle = accepted.release(ec);
  if (ec) {
    telemetry::log(telemetry::level::error, "upgrade_failed", {{"reason", "socket release"}});
    return;
  }
  start(plain_socket(*strand, endpoint.protocol(), handle), std::move(request), context);
}

void start_ws_session(beast::ssl_stream<beast::tcp_stream> stream, upgrade_request request,
                      session_context& context) {
  start(std::move(stream), std::move(request), context);
}

}  // namespace hearth::net
