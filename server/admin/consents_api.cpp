// The admin API's consents (42 CFR Part 2): record an observer's consent for a
// session, withdraw it, and list a session's consents. Every change commits
// together with its audit record and is answered only after that commit;
// then the running rooms hear of it, so that a revocation removes the
// observer from an open room.
#include <boost/json.hpp>

#include "admin/admin_api.hpp"
#include "admin/reply.hpp"

namespace hearth::admin {

namespace json = boost::json;

namespace {

// As long as a roster's subjects.
constexpr std::size_t max_subject_bytes = 128;

json::value optional_ms(const std::optional<store::time_ms>& t) {
  return t ? json::value(*t) : json::value(nullptr);
}

json::object consent_json(const std::string& session, const store::consent_record& c) {
  return {{"session", session},
          {"subject", c.subject},
          {"method", c.method},
          {"recorded_by", c.recorded_by},
          {"granted_at_ms", c.granted_at},
          {"expires_at_ms", optional_ms(c.expires_at)},
          {"revoked_at_ms", optional_ms(c.revoked_at)}};
}

store::audit_entry admin_entry(store::time_ms at, const std::string& action,
                               const std::string& subject, const std::string& session) {
  return {at, "admin", "admin", action, subject, session, "ok", ""};
}

std::optional<store::consent_record> find(const std::vector<store::consent_record>& consents,
                                          const std::string& subject) {
  for (const auto& c : consents) {
    if (c.subject == subject) {
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace

void api::consent_changed(const std::string& session, const store::consent_record& record) {
  if (live_source* source = live_.load()) {
    source->consent_changed(session, record);
  }
}

response api::grant_consent(const std::string& session, const std::string& body) {
  boost::system::error_code ec;
  const auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    return error(400, "bad_request", "the body must be a JSON object");
  }
  const auto& o = parsed.as_object();
  for (const auto& [k, v] : o) {
    if (k != "subject" && k != "expires_at_ms") {
      return error(400, "bad_request", "unknown field: " + std::string(k));
    }
  }
  const auto* subject = o.if_contains("subject");
  if (subject == nullptr) {
    return error(400, "bad_request", "subject is required");
  }
  if (!subject->is_string() || subject->as_string().empty() ||
      subject->as_string().size() > max_subject_bytes) {
    return error(400, "bad_request",
                 "subject must be a non-empty string of at most " +
                     std::to_string(max_subject_bytes) + " bytes");
  }
  const auto now = now_();
  std::optional<store::time_ms> expires;
  if (const auto* v = o.if_contains("expires_at_ms")) {
    if (!v->is_int64()) {
      return error(400, "bad_request",
                   "expires_at_ms must be an integer: milliseconds since the Unix epoch");
    }
    if (v->as_int64() <= now) {
      return error(400, "bad_request", "expires_at_ms must be in the future");
    }
    expires = v->as_int64();
  }
  const auto planned = store_.session(session);
  if (!planned) {
    return error(404, "not_found", "no such session");
  }
  if (planned->status == "cancelled") {
    return error(409, "conflict", "the session is cancelled");
  }
  store::consent_put put{session, std::string(subject->as_string()), "admin_api", "admin", now,
                         expires};
  const store::consent_record record{
      put.subject, put.method, put.recorded_by, put.granted_at, put.expires_at, std::nullopt, ""};
  store_.commit({put, admin_entry(now, "consent_granted", put.subject, session)});
  consent_changed(session, record);
  return ok_json(consent_json(session, record), 201);
}

response api::list_consents(const std::string& session) {
  const auto consents = store_.consents(session);
  audit("record_viewed", "consents", session, "ok", std::to_string(consents.size()));
  json::array out;
  for (const auto& c : consents) {
    out.push_back(consent_json(session, c));
  }
  return ok_json(json::object{{"session", session}, {"consents", std::move(out)}});
}

response api::revoke_consent(const std::string& session, const std::string& subject) {
  const auto current = find(store_.consents(session), subject);
  if (!current) {
    return error(404, "not_found", "no consent for this subject in this session");
  }
  if (current->revoked_at) {
    // Nothing changes, and the first revocation stands; the answer shows it: a view.
    audit("record_viewed", subject, session, "ok", "already_revoked");
    return ok_json(consent_json(session, *current));
  }
  const auto now = now_();
  store_.commit({store::consent_revoke{session, subject, "admin", now},
                 admin_entry(now, "consent_revoked", subject, session)});
  auto revoked = *current;
  revoked.revoked_at = now;
  revoked.revoked_by = "admin";
  consent_changed(session, revoked);
  return ok_json(consent_json(session, revoked));
}

}  // namespace hearth::admin
