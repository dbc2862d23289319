// Retention: how long the store keeps what it holds, and a purge that leaves
// its own audit record (docs/operations.md, "Retention"). Shared by the
// server's daily purge, the admin API and `hearthd purge`.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace hearth::store {

constexpr time_ms day_ms = 86'400'000;

struct retention_policy {
  // Session plans, rosters (names), bans, consents and kept chat: days after
  // the session ended (or, without a planned session, after the ban or consent
  // last changed, or the message was sent).
  std::int64_t content_days = 90;
  // Audit records and attendance; 0 keeps them forever. Never shorter than
  // content_days: the trail outlives what it describes.
  std::int64_t audit_days = 2190;  // six years (HIPAA documentation)
};

// The longest retention accepted, in days (100 years).
constexpr std::int64_t max_retention_days = 36'500;

// "" when the policy can be used, otherwise why not (names the settings).
std::string retention_problem(const retention_policy& policy);

// What the policy purges at `now`.
purge_request purge_request_for(const retention_policy& policy, time_ms now);

// The counts as an audit detail: "sessions=2 roster_entries=5 bans=1
// consents=1 chat_messages=40 attendance=0 audit=0". Numbers only, never
// names or text.
std::string purge_detail(const purge_report& report);

// The report as one line of JSON (no newline): content_before_ms,
// audit_before_ms (null when kept forever), then the counts.
std::string purge_json(const purge_request& request, const purge_report& report);

// Purges, then records it in the audit trail as `retention_purge` by
// `actor` in `role` at `now`. The record is committed after the purge, in a
// transaction of its own, so the purge never removes its own record. With
// `record_empty` false, a purge that deleted nothing leaves no record. A purge
// that fails is recorded as failed (if the store takes the record) and its
// store_error rethrown: nothing was deleted.
purge_report purge_and_record(store& target, const purge_request& request, time_ms now,
                              const std::string& actor, const std::string& role,
                              bool record_empty = true);

}  // namespace hearth::store
