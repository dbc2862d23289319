// Sessions as the admin API reads and writes them: JSON to a validated
// session_record (every rule of docs/admin-api.md, "Sessions"), and back.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "store/records.hpp"

namespace hearth::admin {

struct session_limits {
  std::size_t max_roster = 50;
  std::int64_t max_duration_ms = 24LL * 3'600'000;
};

struct parsed_session {
  store::session_record record;         // id empty when the body had none
  std::optional<std::int64_t> version;  // the version the caller last saw, if given
  std::string error;                    // non-empty: why the body is refused (400)
};

// Parses a create or replace body. The editable fields only: status, version
// and times of creation and change are the server's.
parsed_session parse_session(const std::string& body, const session_limits& limits);

boost::json::object session_json(const store::session_record& r);

// Room and session ids: 1 to 128 of A-Z a-z 0-9 . _ -
bool valid_session_id(const std::string& id);

}  // namespace hearth::admin
