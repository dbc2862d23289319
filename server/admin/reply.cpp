// The admin API's answers.
#include "admin/reply.hpp"

#include <boost/json.hpp>

namespace hearth::admin {

namespace json = boost::json;

response error(unsigned status, const std::string& code, const std::string& message) {
  json::object body{{"error", json::object{{"code", code}, {"message", message}}}};
  return {status, "application/json", json::serialize(body) + "\n"};
}

response ok_json(const json::value& body, unsigned status) {
  return {status, "application/json", json::serialize(body) + "\n"};
}

std::string csv_field(const std::string& value) {
  std::string v = value;
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    return v;
  }
  std::string quoted = "\"";
  for (char c : v) {
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return quoted + "\"";
}

std::optional<std::int64_t> to_int(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace hearth::admin
