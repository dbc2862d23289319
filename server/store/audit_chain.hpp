// The hash chain of the audit trail: record n's hash covers its number, its
// fields and record n-1's hash. Pure functions, shared by every store.
#pragma once

#include <functional>
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

// Walks the whole chain page by page through `read` (a store's audit query):
// numbers must run 1, 2, 3, ... and each record must check against the one
// before. Reports the first record that does not.
audit_verification verify_chain(
    const std::function<std::vector<audit_record>(const audit_query&)>& read);

}  // namespace hearth::store
