// The admin API: authentication, routing, the audit trail and tokens.
#include "admin/admin_api.hpp"

#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <set>

#include "admin/query.hpp"
#include "admin/reply.hpp"
#include "admin/template_catalog.hpp"
#include "auth/random_id.hpp"
#include "auth/token.hpp"
#include "store/store_writer.hpp"

namespace hearth::admin {
namespace {

namespace json = boost::json;

// A longer room id could never be joined (session_core refuses it).
constexpr std::size_t max_room_id_bytes = 128;

bool key_matches(const std::string& header, const std::string& key) {
  const std::string prefix = "Bearer ";
  if (header.rfind(prefix, 0) != 0 || header.size() - prefix.size() != key.size()) {
    return false;
  }
  return CRYPTO_memcmp(header.data() + prefix.size(), key.data(), key.size()) == 0;
}

json::object record_json(const store::audit_record& r) {
  return {{"seq", r.seq},
          {"at_ms", r.entry.at},
          {"actor", r.entry.actor},
          {"actor_role", r.entry.actor_role},
          {"action", r.entry.action},
          {"target", r.entry.target},
          {"session", r.entry.session},
          {"outcome", r.entry.outcome},
          {"detail", r.entry.detail},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

}  // namespace

api::api(settings config, store::store& records, const auth::signing_key& key, wall_clock now,
         std::shared_ptr<admin::template_catalog> templates)
    : config_(std::move(config)),
      store_(records),
      key_(key),
      now_(std::move(now)),
      templates_(std::move(templates)) {}

void api::audit(const std::string& action, const std::string& target, const std::string& session,
                const std::string& outcome, const std::string& detail, bool authenticated) {
  store_.commit({store::audit_entry{now_(), authenticated ? "admin" : "",
                                    authenticated ? "admin" : "unauthenticated", action, target,
                                    session, outcome, detail}});
}

response api::handle(const request& req) {
  try {
    if (auto* writer = server_writes_.load(); writer != nullptr) {
      writer->flush();
    }
    return route(req);
  } catch (const store::store_error& e) {
    // No false success: nothing the call wanted to record is acknowledged.
    return error(e.which() == store::store_error::kind::full ? 507 : 503, "store_unavailable",
                 std::string("the store failed: ") + store::kind_name(e.which()));
  }
}

response api::route(const request& req) {
  if (config_.key.empty()) {
    return error(404, "not_found", "the admin API is not enabled");
  }
  if (!key_matches(req.authorization, config_.key)) {
    audit("admin_auth_failed", "", "", "denied", req.authorization.empty() ? "no_key" : "wrong_key",
          false);
    return error(401, "unauthorized", "a valid bearer key is required");
  }
  if (req.body.size() > config_.max_body_bytes) {
    return error(413, "too_large", "the request body is over the limit");
  }
  const auto parts = parse_target(req.target);
  if (!parts) {
    return error(400, "bad_request",
                 "the request target has a malformed percent escape or a repeated parameter");
  }
  if (parts->path.size() < 3 || parts->path[0] != "admin" || parts->path[1] != "v1") {
    return error(404, "not_found", "no such endpoint");
  }
  // Endpoints whose handlers do not read the query themselves take only these.
  auto unknown_parameter = [&](const std::set<std::string>& allowed) -> std::optional<response> {
    for (const auto& [k, v] : parts->query) {
      if (allowed.count(k) == 0) {
        return error(400, "bad_request", "unknown parameter: " + k);
      }
    }
    return std::nullopt;
  };
  const auto& path = parts->path;
  const std::string query =
      req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  {
    if (path.size() == 5 && path[2] == "sessions" &&
        (path[4] == "attendance" || path[4] == "chat")) {
      if (req.method != "GET") {
        return error(405, "method_not_allowed", "GET only");
      }
      if (auto bad = unknown_parameter({"format"})) {
        return *bad;
      }
      const auto format = parts->query.find("format");
      const bool csv = format != parts->query.end() && format->second == "csv";
      if (format != parts->query.end() && !csv && format->second != "json") {
        return error(400, "bad_request", "format is json or csv");
      }
      return path[4] == "chat" ? kept_chat(path[3], csv) : attendance(path[3], csv);
    }
    if (path.size() >= 5 && path.size() <= 6 && path[2] == "sessions" && path[4] == "worksheets") {
      if (req.method != "GET") {
        return error(405, "method_not_allowed", "GET only");
      }
      if (auto bad =
              unknown_parameter(path.size() == 5 ? std::set<std::string>{"subject"}
                                                 : std::set<std::string>{"subject", "format"})) {
        return *bad;
      }
      const auto subject = parts->query.find("subject");
      const auto scoped = subject == parts->query.end()
                              ? std::nullopt
                              : std::optional<std::string>(subject->second);
      if (path.size() == 5) {
        return list_worksheets(path[3], scoped);
      }
      const auto format = parts->query.find("format");
      return get_worksheet(path[3], path[5], format == parts->query.end() ? "json" : format->second,
                           scoped);
    }
    if (path.size() <= 4 && path[2] == "worksheet-templates") {
      return templates_route(req, path, parts->query);
    }
    if (path.size() == 3 && path[2] == "sessions") {
      if (req.method == "POST") {
        if (auto bad = unknown_parameter({})) {
          return *bad;
        }
        return create_session(req.body);
      }
      return req.method == "GET" ? list_sessions(query)
                                 : error(405, "method_not_allowed", "GET or POST only");
    }
    if (path.size() == 4 && path[2] == "sessions") {
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      if (req.method == "GET") {
        return get_session(path[3]);
      }
      if (req.method == "PUT") {
        return replace_session(path[3], req.body);
      }
      if (req.method == "DELETE") {
        return cancel_session(path[3]);
      }
      return error(405, "method_not_allowed", "GET, PUT or DELETE only");
    }
    if (path.size() == 5 && path[2] == "sessions" && path[4] == "tokens") {
      if (req.method != "POST") {
        return error(405, "method_not_allowed", "POST only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return session_tokens(path[3], req.body);
    }
    if (path.size() == 5 && path[2] == "sessions" && path[4] == "consents") {
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      if (req.method == "POST") {
        return grant_consent(path[3], req.body);
      }
      return req.method == "GET" ? list_consents(path[3])
                                 : error(405, "method_not_allowed", "GET or POST only");
    }
    if (path.size() == 6 && path[2] == "sessions" && path[4] == "consents") {
      if (req.method != "DELETE") {
        return error(405, "method_not_allowed", "DELETE only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return revoke_consent(path[3], path[5]);
    }
    if (path.size() == 5 && path[2] == "sessions" && path[4] == "live") {
      if (req.method != "GET") {
        return error(405, "method_not_allowed", "GET only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return live(path[3]);
    }
    if (path.size() == 5 && path[2] == "people" && path[4] == "weekly") {
      return req.method == "GET" ? weekly(path[3], query)
                                 : error(405, "method_not_allowed", "GET only");
    }
    if (path.size() == 3 && path[2] == "audit") {
      return req.method == "GET" ? audit_list(query) : error(405, "method_not_allowed", "GET only");
    }
    if (path.size() == 4 && path[2] == "audit" && path[3] == "verify") {
      if (req.method != "GET") {
        return error(405, "method_not_allowed", "GET only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return audit_verify();
    }
    if (path.size() == 4 && path[2] == "retention" && path[3] == "purge") {
      if (req.method != "POST") {
        return error(405, "method_not_allowed", "POST only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return retention_purge(req.body);
    }
    if (path.size() == 3 && path[2] == "tokens") {
      if (req.method != "POST") {
        return error(405, "method_not_allowed", "POST only");
      }
      if (auto bad = unknown_parameter({})) {
        return *bad;
      }
      return mint(req.body);
    }
  }
  return error(404, "not_found", "no such endpoint");
}

response api::audit_list(const std::string& query) {
  const auto parts = parse_target("?" + query);
  if (!parts) {
    return error(400, "bad_request", "malformed query");
  }
  store::audit_query q;
  for (const auto& [k, v] : parts->query) {
    if (k == "session") {
      q.session = v;
    } else if (k == "actor") {
      q.actor = v;
    } else if (k == "since" || k == "until" || k == "after" || k == "limit") {
      const auto n = to_int(v);
      if (!n) {
        return error(400, "bad_request", k + " must be a non-negative integer");
      }
      if (k == "since") {
        q.since = *n;
      } else if (k == "until") {
        q.until = *n;
      } else if (k == "after") {
        q.after_seq = *n;
      } else {
        q.limit = static_cast<std::size_t>(std::clamp<std::int64_t>(*n, 1, 1000));
      }
    } else {
      return error(400, "bad_request", "unknown parameter: " + k);
    }
  }
  const auto records = store_.audit(q);
  audit("record_viewed", "audit", q.session.value_or(""), "ok");
  json::array out;
  for (const auto& r : records) {
    out.push_back(record_json(r));
  }
  return ok_json(json::object{{"records", std::move(out)},
                              {"next_after", records.empty() ? q.after_seq : records.back().seq}});
}

response api::audit_verify() {
  const auto result = store_.verify_audit();
  audit("audit_verified", "audit", "", result.ok() ? "ok" : "failed",
        result.ok() ? "" : std::to_string(*result.first_broken));
  json::object body{{"ok", result.ok()}, {"records", result.records}};
  if (result.purged_through > 0) {
    // Records 1 to this were purged by retention; the walk began after them.
    body["purged_through_seq"] = result.purged_through;
  }
  if (!result.ok()) {
    body["first_broken"] = *result.first_broken;
    body["reason"] = result.reason;
  }
  return ok_json(body);
}

response api::mint(const std::string& body) {
  boost::system::error_code ec;
  const auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    return error(400, "bad_request", "the body must be a JSON object");
  }
  const auto& o = parsed.as_object();
  const std::set<std::string> allowed = {"room", "role", "subject", "name", "ttl_seconds"};
  for (const auto& [k, v] : o) {
    if (allowed.count(std::string(k)) == 0) {
      return error(400, "bad_request", "unknown field: " + std::string(k));
    }
  }
  auto text = [&](const char* field) -> std::optional<std::string> {
    const auto* v = o.if_contains(field);
    if (v == nullptr || !v->is_string() || v->as_string().empty() || v->as_string().size() > 256) {
      return std::nullopt;
    }
    return std::string(v->as_string());
  };
  const auto room = text("room");
  const auto subject = text("subject");
  const auto name = text("name");
  const auto role_text = text("role");
  if (!room || !subject || !name || !role_text) {
    return error(400, "bad_request",
                 "room, role, subject and name are required non-empty strings (at most 256 "
                 "bytes)");
  }
  if (room->size() > max_room_id_bytes) {
    return error(400, "bad_request",
                 "room is at most " + std::to_string(max_room_id_bytes) + " bytes");
  }
  const auto role = auth::parse_role(*role_text);
  if (!role) {
    return error(400, "bad_request", "unknown role");
  }
  std::int64_t ttl = config_.default_token_ttl_seconds;
  if (const auto* v = o.if_contains("ttl_seconds")) {
    if (!v->is_int64() || v->as_int64() <= 0 || v->as_int64() > config_.max_token_ttl_seconds) {
      return error(400, "bad_request",
                   "ttl_seconds must be a positive integer up to " +
                       std::to_string(config_.max_token_ttl_seconds));
    }
    ttl = v->as_int64();
  }
  const auto now_s = now_() / 1000;
  auth::claims c;
  c.subject = *subject;
  c.display_name = *name;
  c.room = *room;
  c.role = *role;
  c.issuer = config_.token_issuer;
  c.audience = config_.token_audience;
  c.token_id = auth::random_hex_id(12);
  c.issued_at = now_s;
  c.not_before = now_s;
  c.expires_at = now_s + ttl;
  const auto token = auth::mint_token(c, key_);
  // Recorded before the token is handed out.
  audit("token_minted", c.subject, c.room, "ok",
        std::string(auth::role_name(c.role)) + " jti=" + c.token_id);
  json::object out{
      {"token", token}, {"token_id", c.token_id}, {"expires_at_ms", c.expires_at * 1000}};
  if (!config_.join_url_base.empty()) {
    // The token rides in the fragment, which browsers never send to a server.
    out["join_link"] = config_.join_url_base + "#token=" + token;
  }
  return ok_json(out, 201);
}

}  // namespace hearth::admin
