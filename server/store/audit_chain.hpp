// The hash chain of the audit trail: record n's hash covers its number, its
// fields and record n-1's hash. Pure functions, shared by every store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace hearth::store {

// The previous hash of record 1.
extern const std::string genesis_hash;

// Hex SHA-256 of the record's canonical encoding (docs/operations.md, "Audit
// trail"): each field as a 4-byte big-endian length followed by its bytes, in
// the order seq, at, actor, actor_role, action, target, session, outcome,
// detail, prev_hash (numbers as decimal text).
std::string audit_hash(std::int64_t seq, const audit_entry& entry, const std::string& prev_hash);

// Checks one record against the previous record's hash; "" when it holds,
// otherwise why not.
std::string check_audit_record(const audit_record& record, const std::string& expected_prev);

// Where the kept chain starts after a retention purge: the number and hash of
// the last record purged. The first record kept follows it as if it were
// still there.
struct audit_anchor {
  std::int64_t seq = 0;
  std::string hash;
  bool operator==(const audit_anchor&) const = default;
};

// Walks the whole chain page by page through `read` (a store's audit query):
// numbers must run 1, 2, 3, ... (or anchor+1, anchor+2, ...) and each record
// must check against the one before (the first against genesis_hash, or the
// anchor's hash). Reports the first record that does not.
audit_verification verify_chain(
    const std::function<std::vector<audit_record>(const audit_query&)>& read,
    const std::optional<audit_anchor>& anchor = std::nullopt);

}  // namespace hearth::store
