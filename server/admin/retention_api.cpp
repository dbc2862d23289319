// The admin API's retention purge: deletes what the server's retention
// settings say is past keeping, now, and answers with the counts once the
// purge and its audit record are committed.
#include <boost/json.hpp>

#include "admin/admin_api.hpp"
#include "admin/reply.hpp"

namespace hearth::admin {

namespace json = boost::json;

response api::retention_purge(const std::string& body) {
  // No options: what is purged is the server's configuration, not the caller's.
  if (!body.empty()) {
    boost::system::error_code ec;
    const auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object() || !parsed.as_object().empty()) {
      return error(400, "bad_request", "the body must be empty or {}");
    }
  }
  const auto now = now_();
  const auto request = store::purge_request_for(config_.retention, now);
  const auto report = store::purge_and_record(store_, request, now, "admin", "admin");
  return ok_json(json::parse(store::purge_json(request, report)));
}

}  // namespace hearth::admin
