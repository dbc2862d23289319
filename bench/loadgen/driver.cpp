#include "driver.hpp"

#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "auth/random_id.hpp"
#include "auth/signing_key.hpp"
#include "auth/token.hpp"
#include "histogram.hpp"
#include "member.hpp"
#include "payload.hpp"
#include "proc_stats.hpp"
#include "report.hpp"

namespace hearth::bench {
namespace {

constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t max_wait_ns = 1'000'000;
constexpr std::uint64_t churn_lifetime_ns = ns_per_s;
constexpr std::size_t max_reported_problems = 8;

std::uint64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * ns_per_s + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t seconds_to_ns(double s) { return static_cast<std::uint64_t>(s * 1e9); }

class driver final : public member_events {
 public:
  explicit driver(const options& o) : o_(o) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      throw std::runtime_error("epoll_create1 failed");
    }
    if (o_.tls) {
      tls_ = SSL_CTX_new(TLS_client_method());
      SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
      SSL_CTX_set_verify(tls_, SSL_VERIFY_NONE, nullptr);  // the contestants use self-signed certs
      SSL_CTX_set_mode(tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    if (o_.mode == mode::hearth) {
      key_.emplace(auth::signing_key::load_or_create(o_.data_dir));
    }
    readers_per_room_.assign(o_.rooms, 0);
  }

  ~driver() {
    members_.clear();
    if (tls_ != nullptr) {
      SSL_CTX_free(tls_);
    }
    ::close(epoll_fd_);
  }

  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  run_result run() {
    report r;
    r.set("mode", mode_name(o_.mode));
    r.set("label", o_.label);
    r.set("rooms", o_.rooms);
    r.set("members", o_.members);
    r.set("rate", o_.rate);
    r.set("payload", o_.payload);
    r.set("tls", o_.tls);
    r.set("coedit", o_.coedit);
    r.set("slow_rooms_permille", o_.slow_rooms_permille);
    r.set("churn_per_second", o_.churn_per_second);

    const auto rss_before = server_rss();
    const auto slab_before = read_slab_kb();
    const auto cpu_before_connect = server_cpu();
    const auto self_before_connect = read_cpu_times(static_cast<int>(::getpid()));
    bool joined = connect_all();
    if (joined && o_.coedit) {
      joined = open_sheets();
    }
    const auto cpu_after_connect = server_cpu();
    const auto self_after_connect = read_cpu_times(static_cast<int>(::getpid()));
    r.set("connections", static_cast<std::uint64_t>(planned_));
    r.set("joined", static_cast<std::uint64_t>(ready_));
    r.set("connect_seconds", connect_seconds_);
    r.set("joins_per_second",
          connect_seconds_ > 0 ? static_cast<double>(ready_) / connect_seconds_ : 0.0);
    if (cpu_before_connect && cpu_after_connect && ready_ > 0) {
      r.set("server_cpu_per_join_us",
            (cpu_seconds(*cpu_after_connect) - cpu_seconds(*cpu_before_connect)) /
                static_cast<double>(ready_) * 1e6);
    } else {
      r.set_null("server_cpu_per_join_us");
    }
    // Near 1, joins/s is this generator's limit and only the server's CPU per
    // join compares servers.
    if (self_before_connect && self_after_connect && connect_seconds_ > 0) {
      r.set("generator_cpu_share_joining",
            (cpu_seconds(*self_after_connect) - cpu_seconds(*self_before_connect)) /
                connect_seconds_);
    } else {
      r.set_null("generator_cpu_share_joining");
    }
    if (!joined) {
      problem_text_.insert(problem_text_.begin(), "not every member joined");
      finish_report(r);
      return {1, r.json()};
    }
    settle(std::min<std::uint64_t>(seconds_to_ns(o_.warmup_seconds), ns_per_s));
    const auto rss_connected = server_rss();
    const auto slab_connected = read_slab_kb();
    r.set_kb("server_rss_before_kb", rss_before);
    r.set_kb("server_rss_connected_kb", rss_connected);
    if (rss_before && rss_connected) {
      r.set("rss_per_connection_bytes",
            (static_cast<double>(*rss_connected) - static_cast<double>(*rss_before)) * 1024.0 /
                static_cast<double>(planned_));
    } else {
      r.set_null("rss_per_connection_bytes");
    }
    if (slab_before && slab_connected) {
      // Both ends of each loopback connection live in this kernel.
      r.set("slab_per_connection_bytes",
            (static_cast<double>(*slab_connected) - static_cast<double>(*slab_before)) * 1024.0 /
                static_cast<double>(planned_));
    } else {
      r.set_null("slab_per_connection_bytes");
    }

    measure();

    r.set_kb("server_rss_after_kb", server_rss());
    r.set("window_seconds", o_.duration_seconds);
    r.set("sent", sent_);
    r.set("sent_in_window", sent_in_window_);
    r.set("send_failures", send_failures_);
    r.set("expected", expected_);
    r.set("delivered", delivered_);
    r.set("delivery_ratio",
          expected_ > 0 ? static_cast<double>(delivered_) / static_cast<double>(expected_) : 1.0);
    r.set("deliveries_in_window", received_in_window_);
    r.set("deliveries_per_second", static_cast<double>(received_in_window_) / o_.duration_seconds);
    r.set_latency("latency_us", latency_);
    r.set("send_lag_p99_us", static_cast<double>(send_lag_.percentile(0.99)) / 1e3);
    r.set("send_lag_max_us", static_cast<double>(send_lag_.max()) / 1e3);
    if (cpu_window_start_ && cpu_window_end_) {
      const double user = cpu_window_end_->user_seconds - cpu_window_start_->user_seconds;
      const double sys = cpu_window_end_->system_seconds - cpu_window_start_->system_seconds;
      r.set("server_cpu_user_s", user);
      r.set("server_cpu_sys_s", sys);
      r.set("server_cpu_share", (user + sys) / o_.duration_seconds);
      r.set("cpu_per_delivery_us",
            received_in_window_ > 0 ? (user + sys) / static_cast<double>(received_in_window_) * 1e6
                                    : 0.0);
    } else {
      r.set_null("server_cpu_user_s");
      r.set_null("server_cpu_sys_s");
      r.set_null("server_cpu_share");
      r.set_null("cpu_per_delivery_us");
    }
    if (self_window_start_ && self_window_end_) {
      r.set("generator_cpu_share",
            (cpu_seconds(*self_window_end_) - cpu_seconds(*self_window_start_)) /
                o_.duration_seconds);
    }
    r.set("slow_members", slow_planned_);
    r.set("slow_members_closed_by_server", slow_closed_);
    r.set("churn_connects", churn_opened_);
    r.set("churn_joined", churn_ready_);
    if (o_.coedit) {
      r.set("sheets_open", sheets_open_);
      r.set("edits_acked", edits_acked_);
      r.set("edits_acked_in_window", acked_in_window_);
      r.set("durable_edits_per_second",
            static_cast<double>(acked_in_window_) / o_.duration_seconds);
      r.set_latency("ack_latency_us", ack_latency_);
    }
    finish_report(r);
    const bool healthy = steady_lost_ == 0;
    return {healthy ? 0 : 1, r.json()};
  }

  // member_events

  void on_ready(member& m) override {
    m.ready_at_ns = now_;
    if (m.kind() == member_kind::churn) {
      ++churn_ready_;
      churn_leaving_.push_back({now_ + churn_lifetime_ns, m.index()});
      return;
    }
    ++ready_;
    if (m.kind() == member_kind::slow) {
      m.conn().stop_reading();
    }
  }

  void on_payload(member& m, std::string_view payload) override {
    const auto s = read_payload(payload);
    if (!s) {
      on_problem(m, "a relayed payload lost its stamp");
      return;
    }
    if (s->sender == m.index()) {
      return;  // Hearth's room stream includes the sender's own message
    }
    if (now_ >= window_start_ && now_ < window_end_) {
      ++received_in_window_;
    }
    if (m.kind() == member_kind::steady && s->scheduled_ns >= window_start_ &&
        s->scheduled_ns < window_end_) {
      ++delivered_;
      latency_.record(now_ > s->scheduled_ns ? now_ - s->scheduled_ns : 0);
    }
  }

  void on_sheet(member& /*m*/) override { ++sheets_open_; }

  void on_acked(member& /*m*/, const std::vector<std::uint64_t>& scheduled) override {
    for (const auto t : scheduled) {
      ++edits_acked_;
      if (t >= window_start_ && t < window_end_) {
        ++acked_in_window_;
        ack_latency_.record(now_ > t ? now_ - t : 0);
      }
    }
  }

  void on_problem(member& /*m*/, std::string_view what) override {
    ++problems_;
    if (problem_text_.size() < max_reported_problems) {
      problem_text_.emplace_back(what);
    }
  }

 private:
  struct leave_at {
    std::uint64_t when;
    std::uint32_t index;
  };

  std::optional<cpu_times> server_cpu() const {
    return o_.server_pid ? read_cpu_times(*o_.server_pid) : std::nullopt;
  }
  std::optional<std::uint64_t> server_rss() const {
    return o_.server_pid ? read_rss_kb(*o_.server_pid) : std::nullopt;
  }
  static double cpu_seconds(const cpu_times& t) { return t.user_seconds + t.system_seconds; }

  bool is_slow_room(std::uint32_t room) const {
    const auto k = o_.slow_rooms_permille;
    return k > 0 && (static_cast<std::uint64_t>(room) * k) % 1000 < k;
  }

  std::string token_for(std::uint32_t index, std::uint32_t room, bool lead) {
    if (!key_) {
      return {};
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auth::claims c;
    c.subject = "bench-" + std::to_string(index);
    c.display_name = "Member " + std::to_string(index);
    c.room = room_name(room);
    c.role = lead ? auth::role::facilitator : auth::role::participant;
    c.issuer = "hearthd";
    c.audience = "hearth";
    c.token_id = auth::random_hex_id(8);
    c.issued_at = now;
    c.not_before = now;
    c.expires_at = now + 86400;
    return auth::mint_token(c, *key_);
  }

  // Returns the new member's index; a member whose socket failed at once is
  // already retired.
  std::uint32_t open_member(std::uint32_t room, member_kind kind, bool lead) {
    const auto index = static_cast<std::uint32_t>(members_.size());
    members_.push_back(
        std::make_unique<member>(o_, tls_, index, room, kind, token_for(index, room, lead), *this));
    armed_.push_back(0);
    auto& m = *members_.back();
    if (m.conn().closed()) {
      retire(m);
      return index;
    }
    epoll_event ev{};
    ev.events = m.conn().wanted_events();
    ev.data.u32 = index;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, m.conn().fd(), &ev);
    armed_[index] = ev.events;
    return index;
  }

  void retire(member& m) {
    const auto index = m.index();
    if (!m.conn().error().empty()) {
      on_problem(m, m.conn().error());
    }
    if (m.conn().fd() >= 0) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, m.conn().fd(), nullptr);
    }
    switch (m.kind()) {
      case member_kind::steady:
        if (m.ready()) {
          ++steady_lost_;
          if (readers_per_room_[m.room()] > 0) {
            --readers_per_room_[m.room()];
          }
        } else {
          ++failed_;
        }
        break;
      case member_kind::slow:
        if (m.ready()) {
          ++slow_closed_;
        } else {
          ++failed_;
        }
        break;
      case member_kind::churn:
        break;
    }
    members_[index].reset();
  }

  // After any handler: drop a closed connection or update its epoll interest.
  void after(member& m) {
    if (m.conn().closed()) {
      retire(m);
      return;
    }
    const auto wanted = m.conn().wanted_events();
    if (wanted != armed_[m.index()]) {
      epoll_event ev{};
      ev.events = wanted;
      ev.data.u32 = m.index();
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, m.conn().fd(), &ev);
      armed_[m.index()] = wanted;
    }
  }

  void poll(std::int64_t timeout_ns) {
    std::array<epoll_event, 512> events{};
    timespec ts{0, std::clamp<std::int64_t>(timeout_ns, 0, max_wait_ns)};
    const int n =
        ::epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
    for (int i = 0; i < n; ++i) {
      const auto& ev = events[static_cast<std::size_t>(i)];
      member* m = members_[ev.data.u32].get();
      if (m == nullptr) {
        continue;
      }
      now_ = now_ns();
      auto& conn = m->conn();
      if (!conn.reading() && (ev.events & (EPOLLHUP | EPOLLERR)) != 0) {
        conn.close();  // the server gave up on a member that stopped reading
      } else {
        if ((ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
          conn.on_writable(*m);
        }
        if (!conn.closed() && (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
          conn.on_readable(*m);
        }
      }
      after(*m);
    }
    now_ = now_ns();
  }

  bool connect_all() {
    struct plan {
      std::uint32_t room;
      member_kind kind;
      bool lead;
    };
    std::vector<plan> plans;
    for (std::uint32_t k = 0; k < o_.members; ++k) {
      for (std::uint32_t room = 0; room < o_.rooms; ++room) {
        plans.push_back({room, member_kind::steady, k == 0});
      }
    }
    for (std::uint32_t room = 0; room < o_.rooms; ++room) {
      if (is_slow_room(room)) {
        plans.push_back({room, member_kind::slow, false});
        ++slow_planned_;
      }
    }
    planned_ = plans.size();
    const auto started = now_ns();
    const auto deadline = started + 60 * ns_per_s + planned_ * ns_per_s / 200;
    std::size_t next = 0;
    now_ = started;
    while (ready_ + failed_ < planned_ && now_ < deadline) {
      while (next < plans.size() && (next - ready_ - failed_) < o_.connect_concurrency) {
        const auto& p = plans[next++];
        if (p.kind == member_kind::steady) {
          ++readers_per_room_[p.room];
          steady_.push_back(open_member(p.room, p.kind, p.lead));
        } else {
          open_member(p.room, p.kind, p.lead);
        }
      }
      poll(max_wait_ns);
    }
    connect_seconds_ = static_cast<double>(now_ - started) / 1e9;
    return ready_ == planned_;
  }

  // W8: each room's lead (its first member) pushes the session sheet; waits
  // until every member has it open.
  bool open_sheets() {
    for (std::uint32_t room = 0; room < o_.rooms && room < members_.size(); ++room) {
      if (member* lead = members_[room].get()) {
        lead->push_sheet();
        after(*lead);
      }
    }
    const auto deadline = now_ns() + 30 * ns_per_s;
    while (sheets_open_ < steady_.size() && now_ < deadline) {
      poll(max_wait_ns);
    }
    if (sheets_open_ < steady_.size()) {
      problem_text_.insert(problem_text_.begin(), "not every member opened the sheet");
      return false;
    }
    return true;
  }

  // Keeps the connections serviced (pings) without sending.
  void settle(std::uint64_t duration) {
    const auto until = now_ns() + duration;
    while (now_ < until) {
      poll(static_cast<std::int64_t>(until - now_));
    }
  }

  void send_one(std::uint64_t sequence, std::uint64_t scheduled) {
    const auto index = steady_[sequence % steady_.size()];
    member* m = members_[index].get();
    if (m == nullptr || !m->ready()) {
      ++send_failures_;
      return;
    }
    if (o_.coedit) {
      write_payload({scheduled, index, static_cast<std::uint32_t>(sequence)}, stamp_bytes,
                    payload_);
      if (!m->edit_sheet(payload_, scheduled)) {
        ++send_failures_;
        return;
      }
    } else {
      write_payload({scheduled, index, static_cast<std::uint32_t>(sequence)}, o_.payload, payload_);
      m->send_payload(payload_);
    }
    ++sent_;
    if (scheduled >= window_start_ && scheduled < window_end_) {
      ++sent_in_window_;
      expected_ += readers_per_room_[m->room()] - 1;
      send_lag_.record(now_ - scheduled);
    }
    after(*m);
  }

  void churn_step() {
    if (o_.churn_per_second <= 0) {
      return;
    }
    const auto interval = static_cast<std::uint64_t>(1e9 / o_.churn_per_second);
    while (next_churn_ <= now_) {
      const auto room = static_cast<std::uint32_t>(churn_opened_ % o_.rooms);
      open_member(room, member_kind::churn, false);
      ++churn_opened_;
      next_churn_ += interval;
    }
    while (!churn_leaving_.empty() && churn_leaving_.front().when <= now_) {
      const auto index = churn_leaving_.front().index;
      churn_leaving_.pop_front();
      if (member* m = members_[index].get()) {
        m->conn().close();
        after(*m);
      }
    }
  }

  void measure() {
    const auto start = now_ns();
    window_start_ = start + seconds_to_ns(o_.warmup_seconds);
    window_end_ = window_start_ + seconds_to_ns(o_.duration_seconds);
    next_churn_ = start;
    const double interval = o_.rate > 0 ? 1e9 / o_.rate : 0;
    std::uint64_t sequence = 0;
    now_ = start;
    bool window_open = false;
    while (now_ < window_end_) {
      if (!window_open && now_ >= window_start_) {
        window_open = true;
        cpu_window_start_ = server_cpu();
        self_window_start_ = read_cpu_times(static_cast<int>(::getpid()));
      }
      std::uint64_t next_send = window_end_;
      if (interval > 0) {
        for (;;) {
          const auto scheduled =
              start + static_cast<std::uint64_t>(static_cast<double>(sequence) * interval);
          if (scheduled > now_ || scheduled >= window_end_) {
            next_send = scheduled;
            break;
          }
          send_one(sequence++, scheduled);
        }
      }
      churn_step();
      auto wake = std::min(next_send, window_end_);
      if (!window_open) {
        wake = std::min(wake, window_start_);
      }
      if (o_.churn_per_second > 0) {
        wake = std::min(wake, next_churn_);
      }
      poll(wake > now_ ? static_cast<std::int64_t>(wake - now_) : 0);
    }
    cpu_window_end_ = server_cpu();
    self_window_end_ = read_cpu_times(static_cast<int>(::getpid()));
    const auto drain_until = now_ + seconds_to_ns(o_.drain_seconds);
    while (delivered_ < expected_ && now_ < drain_until) {
      poll(max_wait_ns);
    }
  }

  void finish_report(report& r) {
    r.set("problems", problems_);
    r.set("steady_members_lost", steady_lost_);
    r.set_strings("errors", problem_text_);
  }

  options o_;
  int epoll_fd_ = -1;
  SSL_CTX* tls_ = nullptr;
  std::optional<auth::signing_key> key_;
  std::vector<std::unique_ptr<member>> members_;
  std::vector<std::uint32_t> armed_;
  std::vector<std::uint32_t> steady_;  // senders, room-interleaved
  std::vector<std::uint32_t> readers_per_room_;
  std::deque<leave_at> churn_leaving_;
  std::string payload_;
  std::uint64_t now_ = 0;
  std::uint64_t window_start_ = UINT64_MAX;
  std::uint64_t window_end_ = UINT64_MAX;
  std::uint64_t next_churn_ = 0;
  std::size_t planned_ = 0;
  std::size_t ready_ = 0;
  std::size_t failed_ = 0;
  std::uint64_t slow_planned_ = 0;
  std::uint64_t slow_closed_ = 0;
  std::uint64_t steady_lost_ = 0;
  std::uint64_t churn_opened_ = 0;
  std::uint64_t churn_ready_ = 0;
  double connect_seconds_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t sent_in_window_ = 0;
  std::uint64_t send_failures_ = 0;
  std::uint64_t expected_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t received_in_window_ = 0;
  std::uint64_t problems_ = 0;
  std::vector<std::string> problem_text_;
  histogram latency_;
  histogram ack_latency_;  // W8: scheduled edit to its durable acknowledgement
  std::uint64_t sheets_open_ = 0;
  std::uint64_t edits_acked_ = 0;
  std::uint64_t acked_in_window_ = 0;
  histogram send_lag_;
  std::optional<cpu_times> cpu_window_start_;
  std::optional<cpu_times> cpu_window_end_;
  std::optional<cpu_times> self_window_start_;
  std::optional<cpu_times> self_window_end_;
};

}  // namespace

run_result run(const options& opts) {
  driver d(opts);
  return d.run();
}

}  // namespace hearth::bench
