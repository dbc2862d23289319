#include "driver.hpp"

#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "auth/signing_key.hpp"
#include "member.hpp"
#include "member_token.hpp"
#include "payload.hpp"
#include "tally.hpp"

namespace hearth::bench {
namespace {

constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t max_wait_ns = 1'000'000;
constexpr std::uint64_t churn_lifetime_ns = ns_per_s;

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
    report_shape(r, o_);
    const auto before = take_snapshot(o_);
    bool joined = connect_all();
    if (joined && o_.coedit) {
      joined = open_sheets();
    }
    report_joins(r, t_, before, take_snapshot(o_));
    if (!joined) {
      t_.problem_text.insert(t_.problem_text.begin(), "not every member joined");
      report_problems(r, t_);
      return {1, r.json()};
    }
    settle(std::min<std::uint64_t>(seconds_to_ns(o_.warmup_seconds), ns_per_s));
    report_memory(r, t_, before, take_snapshot(o_));
    measure();
    report_window(r, t_, o_, take_snapshot(o_));
    report_problems(r, t_);
    return {t_.steady_lost == 0 ? 0 : 1, r.json()};
  }

  // member_events

  void on_ready(member& m) override {
    m.ready_at_ns = now_;
    if (m.kind() == member_kind::churn) {
      ++t_.churn_ready;
      churn_leaving_.push_back({now_ + churn_lifetime_ns, m.index()});
      return;
    }
    ++t_.ready;
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
      ++t_.received_in_window;
    }
    if (m.kind() == member_kind::steady && s->scheduled_ns >= window_start_ &&
        s->scheduled_ns < window_end_) {
      ++t_.delivered;
      t_.latency.record(now_ > s->scheduled_ns ? now_ - s->scheduled_ns : 0);
    }
  }

  void on_sheet(member& /*m*/) override { ++t_.sheets_open; }

  void on_acked(member& /*m*/, const std::vector<std::uint64_t>& scheduled) override {
    for (const auto t : scheduled) {
      ++t_.edits_acked;
      if (t >= window_start_ && t < window_end_) {
        ++t_.acked_in_window;
        t_.ack_latency.record(now_ > t ? now_ - t : 0);
      }
    }
  }

  void on_problem(member& /*m*/, std::string_view what) override { t_.problem(what); }

 private:
  struct leave_at {
    std::uint64_t when;
    std::uint32_t index;
  };

  bool is_slow_room(std::uint32_t room) const {
    const auto k = o_.slow_rooms_permille;
    return k > 0 && (static_cast<std::uint64_t>(room) * k) % 1000 < k;
  }

  // Returns the new member's index; a member whose socket failed at once is
  // already retired.
  std::uint32_t open_member(std::uint32_t room, member_kind kind, bool lead) {
    const auto index = static_cast<std::uint32_t>(members_.size());
    members_.push_back(std::make_unique<member>(
        o_, tls_, index, room, kind, key_ ? member_token(*key_, index, room, lead) : std::string(),
        *this));
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
          ++t_.steady_lost;
          if (readers_per_room_[m.room()] > 0) {
            --readers_per_room_[m.room()];
          }
        } else {
          ++t_.failed;
        }
        break;
      case member_kind::slow:
        if (m.ready()) {
          ++t_.slow_closed;
        } else {
          ++t_.failed;
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
        ++t_.slow_planned;
      }
    }
    t_.planned = plans.size();
    const auto started = now_ns();
    const auto deadline = started + 60 * ns_per_s + t_.planned * ns_per_s / 200;
    std::size_t next = 0;
    now_ = started;
    while (t_.ready + t_.failed < t_.planned && now_ < deadline) {
      while (next < plans.size() && (next - t_.ready - t_.failed) < o_.connect_concurrency) {
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
    t_.connect_seconds = static_cast<double>(now_ - started) / 1e9;
    return t_.ready == t_.planned;
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
    while (t_.sheets_open < steady_.size() && now_ < deadline) {
      poll(max_wait_ns);
    }
    if (t_.sheets_open < steady_.size()) {
      t_.problem_text.insert(t_.problem_text.begin(), "not every member opened the sheet");
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
      ++t_.send_failures;
      return;
    }
    if (o_.coedit) {
      write_payload({scheduled, index, static_cast<std::uint32_t>(sequence)}, stamp_bytes,
                    payload_);
      if (!m->edit_sheet(payload_, scheduled)) {
        ++t_.send_failures;
        return;
      }
    } else {
      write_payload({scheduled, index, static_cast<std::uint32_t>(sequence)}, o_.payload, payload_);
      m->send_payload(payload_);
    }
    ++t_.sent;
    if (scheduled >= window_start_ && scheduled < window_end_) {
      ++t_.sent_in_window;
      t_.expected += readers_per_room_[m->room()] - 1;
      t_.send_lag.record(now_ - scheduled);
    }
    after(*m);
  }

  void churn_step() {
    if (o_.churn_per_second <= 0) {
      return;
    }
    const auto interval = static_cast<std::uint64_t>(1e9 / o_.churn_per_second);
    while (next_churn_ <= now_) {
      const auto room = static_cast<std::uint32_t>(t_.churn_opened % o_.rooms);
      open_member(room, member_kind::churn, false);
      ++t_.churn_opened;
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
        t_.window_start = take_snapshot(o_);
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
    t_.window_end = take_snapshot(o_);
    const auto drain_until = now_ + seconds_to_ns(o_.drain_seconds);
    while (t_.delivered < t_.expected && now_ < drain_until) {
      poll(max_wait_ns);
    }
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
  tally t_;
};

}  // namespace

run_result run(const options& opts) {
  driver d(opts);
  return d.run();
}

}  // namespace hearth::bench
