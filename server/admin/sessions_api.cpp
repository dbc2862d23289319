// The admin API's sessions: plan, read, change and cancel sessions with their
// rosters, and mint the roster's join tokens. Every change commits together
// with its audit record, and is answered only after that commit.
#include <boost/json.hpp>

#include "admin/admin_api.hpp"
#include "admin/query.hpp"
#include "admin/reply.hpp"
#include "admin/session_json.hpp"
#include "auth/random_id.hpp"
#include "auth/token.hpp"

namespace hearth::admin {

namespace json = boost::json;

namespace {

constexpr std::int64_t max_list_window_ms = 366LL * 24 * 3'600'000;

store::audit_entry admin_entry(store::time_ms at, const std::string& action,
                               const std::string& session, const std::string& detail = {}) {
  return {at, "admin", "admin", action, session, session, "ok", detail};
}

}  // namespace

response api::create_session(const std::string& body) {
  auto parsed = parse_session(body, config_.sessions);
  if (!parsed.error.empty()) {
    return error(400, "bad_request", parsed.error);
  }
  if (parsed.version) {
    return error(400, "bad_request", "a new session has no version yet");
  }
  auto& r = parsed.record;
  if (r.id.empty()) {
    r.id = "s-" + auth::random_hex_id(8);
  }
  if (store_.session(r.id)) {
    return error(409, "conflict", "a session with this id exists");
  }
  r.status = "scheduled";
  r.version = 1;
  r.created_at = r.updated_at = now_();
  store_.commit({store::session_put{r}, admin_entry(r.created_at, "session_created", r.id)});
  return ok_json(session_json(r), 201);
}

response api::list_sessions(const std::string& query) {
  const auto parts = parse_target("?" + query);
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  for (const auto& [k, v] : parts ? parts->query : std::map<std::string, std::string>{}) {
    if (k != "from" && k != "to") {
      return error(400, "bad_request", "unknown parameter: " + k);
    }
    (k == "from" ? from : to) = to_int(v);
    if (!(k == "from" ? from : to)) {
      return error(400, "bad_request", k + " must be a non-negative integer (ms)");
    }
  }
  if (!from || !to || *to <= *from || *to - *from > max_list_window_ms) {
    return error(400, "bad_request",
                 "from and to (ms since the Unix epoch) are required, at most 366 days apart");
  }
  const auto found = store_.sessions(*from, *to);
  audit("record_viewed", "sessions", "", "ok", std::to_string(found.size()));
  json::array out;
  for (const auto& r : found) {
    out.push_back(session_json(r));
  }
  return ok_json(json::object{{"sessions", std::move(out)}});
}

response api::get_session(const std::string& id) {
  const auto r = store_.session(id);
  if (!r) {
    return error(404, "not_found", "no such session");
  }
  audit("record_viewed", "session", id, "ok");
  return ok_json(session_json(*r));
}

response api::replace_session(const std::string& id, const std::string& body) {
  auto parsed = parse_session(body, config_.sessions);
  if (!parsed.error.empty()) {
    return error(400, "bad_request", parsed.error);
  }
  const auto current = store_.session(id);
  if (!current) {
    return error(404, "not_found", "no such session");
  }
  if (!parsed.record.id.empty() && parsed.record.id != id) {
    return error(400, "bad_request", "the id in the body differs from the path");
  }
  if (current->status == "cancelled") {
    return error(409, "conflict", "a cancelled session cannot change");
  }
  if (parsed.version && *parsed.version != current->version) {
    return error(409, "conflict",
                 "the session changed since version " + std::to_string(*parsed.version) +
                     "; it is now version " + std::to_string(current->version));
  }
  auto& r = parsed.record;
  r.id = id;
  r.status = current->status;
  r.version = current->version + 1;
  r.created_at = current->created_at;
  r.updated_at = now_();
  store_.commit({store::session_put{r}, admin_entry(r.updated_at, "session_updated", id)});
  return ok_json(session_json(r));
}

response api::cancel_session(const std::string& id) {
  auto r = store_.session(id);
  if (!r) {
    return error(404, "not_found", "no such session");
  }
  if (r->status == "cancelled") {
    // Nothing changes, but the answer shows the session, names and all: a view.
    audit("record_viewed", "session", id, "ok", "already_cancelled");
    return ok_json(session_json(*r));
  }
  r->status = "cancelled";
  ++r->version;
  r->updated_at = now_();
  store_.commit({store::session_put{*r}, admin_entry(r->updated_at, "session_cancelled", id)});
  return ok_json(session_json(*r));
}

response api::session_tokens(const std::string& id, const std::string& body) {
  boost::system::error_code ec;
  const auto parsed = json::parse(body.empty() ? std::string("{}") : body, ec);
  if (ec || !parsed.is_object()) {
    return error(400, "bad_request", "the body must be a JSON object (or empty)");
  }
  const auto& o = parsed.as_object();
  std::optional<std::string> only;
  std::int64_t ttl = config_.default_token_ttl_seconds;
  for (const auto& [k, v] : o) {
    if (k == "subject" && v.is_string() && !v.as_string().empty()) {
      only = std::string(v.as_string());
    } else if (k == "ttl_seconds" && v.is_int64() && v.as_int64() > 0 &&
               v.as_int64() <= config_.max_token_ttl_seconds) {
      ttl = v.as_int64();
    } else {
      return error(400, "bad_request",
                   "fields: subject (a non-empty string), ttl_seconds (1 to " +
                       std::to_string(config_.max_token_ttl_seconds) + "); got " + std::string(k));
    }
  }
  const auto session = store_.session(id);
  if (!session) {
    return error(404, "not_found", "no such session");
  }
  if (session->status == "cancelled") {
    return error(409, "conflict", "the session is cancelled");
  }
  const auto now = now_();
  std::vector<store::write> records;
  json::array tokens;
  for (const auto& person : session->roster) {
    if (only && person.subject != *only) {
      continue;
    }
    auth::claims c;
    c.subject = person.subject;
    c.display_name = person.display_name;
    c.room = id;
    c.role = *auth::parse_role(person.role);
    c.issuer = config_.token_issuer;
    c.audience = config_.token_audience;
    c.token_id = auth::random_hex_id(12);
    c.issued_at = c.not_before = now / 1000;
    c.expires_at = c.issued_at + ttl;
    const auto token = auth::mint_token(c, key_);
    records.emplace_back(store::audit_entry{now, "admin", "admin", "token_minted", c.subject, id,
                                            "ok", person.role + " jti=" + c.token_id});
    json::object t{{"subject", c.subject},
                   {"role", person.role},
                   {"token", token},
                   {"token_id", c.token_id},
                   {"expires_at_ms", c.expires_at * 1000}};
    if (!config_.join_url_base.empty()) {
      t["join_link"] = config_.join_url_base + "#token=" + token;
    }
    tokens.push_back(std::move(t));
  }
  if (only && tokens.empty()) {
    return error(404, "not_found", "that subject is not on the session's roster");
  }
  store_.commit(records);  // every token is recorded before any is handed out
  return ok_json(json::object{{"session", id}, {"tokens", std::move(tokens)}}, 201);
}

}  // namespace hearth::admin
