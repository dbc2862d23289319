// Request-target parsing for the admin API: path segments and query
// parameters, percent-decoded. Strict: malformed escapes are errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hearth::admin {

struct target_parts {
  std::vector<std::string> path;  // "/admin/v1/audit" -> {"admin", "v1", "audit"}
  std::map<std::string, std::string> query;
};

// nullopt when an escape is malformed or a parameter repeats.
std::optional<target_parts> parse_target(const std::string& target);

// "2026-11-23" -> local midnight of that date in the process's time zone (TZ),
// and the local midnight seven days later; nullopt for anything but a real date.
std::optional<std::pair<std::int64_t, std::int64_t>> local_week_ms(const std::string& date);

}  // namespace hearth::admin
