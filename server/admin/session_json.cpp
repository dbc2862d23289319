// Session bodies: parsing, validation and serialization.
#include "admin/session_json.hpp"

#include <boost/json.hpp>
#include <set>

namespace hearth::admin {
namespace {

namespace json = boost::json;

const std::set<std::string> session_fields = {"id",
                                              "title",
                                              "kind",
                                              "scheduled_start_ms",
                                              "scheduled_end_ms",
                                              "lobby_policy",
                                              "admit_before_facilitator",
                                              "chat_policy",
                                              "keep_chat",
                                              "roster",
                                              "version"};
const std::set<std::string> entry_fields = {"subject",      "display_name", "role",
                                            "relationship", "accompanies",  "program"};
const std::set<std::string> kinds = {"group", "family", "multi_family_group", "individual"};
const std::set<std::string> lobby_policies = {"everyone_waits", "roster_enters", "open"};
const std::set<std::string> chat_policies = {"room", "facilitators_only", "off"};
const std::set<std::string> roles = {"facilitator", "co_facilitator", "participant",
                                     "family_member", "observer"};

// Reads an optional string field; `error` explains a wrong one.
std::optional<std::string> text(const json::object& o, const char* field, std::size_t max,
                                bool required, std::string& error) {
  const auto* v = o.if_contains(field);
  if (v == nullptr) {
    if (required) {
      error = std::string(field) + " is required";
    }
    return std::nullopt;
  }
  if (!v->is_string() || v->as_string().size() > max || (required && v->as_string().empty())) {
    error = std::string(field) + " must be a " + (required ? "non-empty " : "") +
            "string of at most " + std::to_string(max) + " bytes";
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<std::string> choice(const json::object& o, const char* field,
                                  const std::set<std::string>& allowed, const std::string& fallback,
                                  std::string& error) {
  const auto* v = o.if_contains(field);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_string() || allowed.count(std::string(v->as_string())) == 0) {
    std::string list;
    for (const auto& a : allowed) {
      list += (list.empty() ? "" : ", ") + a;
    }
    error = std::string(field) + " is one of: " + list;
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<bool> flag(const json::object& o, const char* field, std::string& error) {
  const auto* v = o.if_contains(field);
  if (v == nullptr) {
    return false;
  }
  if (!v->is_bool()) {
    error = std::string(field) + " must be true or false";
    return std::nullopt;
  }
  return v->as_bool();
}

std::string parse_roster(const json::value* list, const session_limits& limits,
                         std::vector<store::roster_entry>& out) {
  if (list == nullptr) {
    return "roster is required (at least one facilitator)";
  }
  if (!list->is_array() || list->as_array().size() > limits.max_roster) {
    return "roster must be an array of at most " + std::to_string(limits.max_roster) + " people";
  }
  std::set<std::string> subjects;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) {
      return "each roster entry must be an object";
    }
    const auto& o = item.as_object();
    for (const auto& [k, v] : o) {
      if (entry_fields.count(std::string(k)) == 0) {
        return "unknown roster field: " + std::string(k);
      }
    }
    std::string error;
    store::roster_entry e;
    auto subject = text(o, "subject", 128, true, error);
    auto name = text(o, "display_name", 100, true, error);
    auto role = choice(o, "role", roles, "", error);
    auto relationship = text(o, "relationship", 50, false, error);
    auto accompanies = text(o, "accompanies", 128, false, error);
    auto program = choice(o, "program", {"adult", "adolescent"}, "", error);
    if (!error.empty()) {
      return "roster: " + error;
    }
    if (!role || role->empty()) {
      return "roster: role is required";
    }
    e.subject = *subject;
    e.display_name = *name;
    e.role = *role;
    const bool family = e.role == "family_member";
    if (!family && (relationship || accompanies)) {
      return "roster: relationship and accompanies are for family members only";
    }
    // An empty accompanies would skip the check below that it names a participant.
    if (family &&
        (!relationship || relationship->empty() || !accompanies || accompanies->empty())) {
      return "roster: a family member needs relationship and accompanies";
    }
    if (e.role != "participant" && !program->empty()) {
      return "roster: program is for participants only";
    }
    e.relationship = relationship.value_or("");
    e.accompanies = accompanies.value_or("");
    e.program = e.role == "participant" ? (program->empty() ? "adult" : *program) : "";
    if (!subjects.insert(e.subject).second) {
      return "roster: a subject appears twice: each person is listed once";
    }
    out.push_back(std::move(e));
  }
  for (const auto& e : out) {
    if (!e.accompanies.empty()) {
      const bool found = std::any_of(out.begin(), out.end(), [&](const store::roster_entry& p) {
        return p.subject == e.accompanies && p.role == "participant";
      });
      if (!found) {
        return "roster: accompanies must name a participant on this roster";
      }
    }
  }
  if (std::none_of(out.begin(), out.end(),
                   [](const store::roster_entry& e) { return e.role == "facilitator"; })) {
    return "roster: a session needs at least one facilitator";
  }
  return {};
}

}  // namespace

bool valid_session_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

parsed_session parse_session(const std::string& body, const session_limits& limits) {
  parsed_session out;
  boost::system::error_code ec;
  const auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    out.error = "the body must be a JSON object";
    return out;
  }
  const auto& o = parsed.as_object();
  for (const auto& [k, v] : o) {
    if (session_fields.count(std::string(k)) == 0) {
      out.error = "unknown field: " + std::string(k);
      return out;
    }
  }
  std::string& error = out.error;
  auto& r = out.record;
  if (auto id = text(o, "id", 128, false, error)) {
    if (!valid_session_id(*id)) {
      error = "id is 1 to 128 of A-Z a-z 0-9 . _ -";
      return out;
    }
    r.id = *id;
  }
  auto title = text(o, "title", 200, true, error);
  auto kind = choice(o, "kind", kinds, "", error);
  auto lobby = choice(o, "lobby_policy", lobby_policies, "roster_enters", error);
  auto chat = choice(o, "chat_policy", chat_policies, "room", error);
  auto early = flag(o, "admit_before_facilitator", error);
  auto keep = flag(o, "keep_chat", error);
  if (!error.empty()) {
    return out;
  }
  if (kind->empty()) {
    error = "kind is required";
    return out;
  }
  for (const char* field : {"scheduled_start_ms", "scheduled_end_ms"}) {
    const auto* v = o.if_contains(field);
    if (v == nullptr || !v->is_int64() || v->as_int64() < 0) {
      error = std::string(field) + " is required: milliseconds since the Unix epoch";
      return out;
    }
  }
  r.title = *title;
  r.kind = *kind;
  r.scheduled_start = o.at("scheduled_start_ms").as_int64();
  r.scheduled_end = o.at("scheduled_end_ms").as_int64();
  if (r.scheduled_end <= r.scheduled_start ||
      r.scheduled_end - r.scheduled_start > limits.max_duration_ms) {
    error = "a session ends after it starts, within " +
            std::to_string(limits.max_duration_ms / 3'600'000) + " hours";
    return out;
  }
  r.lobby_policy = *lobby;
  r.chat_policy = *chat;
  r.admit_before_facilitator = *early;
  r.keep_chat = *keep;
  if (const auto* v = o.if_contains("version")) {
    if (!v->is_int64() || v->as_int64() < 1) {
      error = "version must be a positive integer";
      return out;
    }
    out.version = v->as_int64();
  }
  error = parse_roster(o.if_contains("roster"), limits, r.roster);
  if (error.empty() && r.kind == "individual" &&
      std::count_if(r.roster.begin(), r.roster.end(),
                    [](const store::roster_entry& e) { return e.role == "participant"; }) > 1) {
    error = "an individual session has one participant";
  }
  return out;
}

json::object session_json(const store::session_record& r) {
  json::array roster;
  for (const auto& e : r.roster) {
    json::object entry{{"subject", e.subject}, {"display_name", e.display_name}, {"role", e.role}};
    if (!e.relationship.empty()) {
      entry["relationship"] = e.relationship;
      entry["accompanies"] = e.accompanies;
    }
    if (!e.program.empty()) {
      entry["program"] = e.program;
    }
    roster.push_back(std::move(entry));
  }
  return {{"id", r.id},
          {"title", r.title},
          {"kind", r.kind},
          {"scheduled_start_ms", r.scheduled_start},
          {"scheduled_end_ms", r.scheduled_end},
          {"lobby_policy", r.lobby_policy},
          {"admit_before_facilitator", r.admit_before_facilitator},
          {"chat_policy", r.chat_policy},
          {"keep_chat", r.keep_chat},
          {"status", r.status},
          {"version", r.version},
          {"created_at_ms", r.created_at},
          {"updated_at_ms", r.updated_at},
          {"roster", std::move(roster)}};
}

}  // namespace hearth::admin
