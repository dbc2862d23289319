// Building the admin API's answers: JSON bodies, the one error shape, CSV
// fields, and strict integer parameters.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "admin/admin_api.hpp"

namespace hearth::admin {

// {"error": {"code": CODE, "message": MESSAGE}} with `status`.
response error(unsigned status, const std::string& code, const std::string& message);
response ok_json(const boost::json::value& body, unsigned status = 200);

// A spreadsheet must not run a field as a formula; quotes what CSV needs quoted.
std::string csv_field(const std::string& value);

// A non-negative decimal integer, nothing else.
std::optional<std::int64_t> to_int(const std::string& text);

}  // namespace hearth::admin
