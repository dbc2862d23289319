// The admin API's attendance endpoints: a session's attendance, a running
// session's live summary, and a person's weekly hours.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "admin/admin_api.hpp"
#include "admin/query.hpp"
#include "admin/reply.hpp"
#include "store/attendance_report.hpp"

namespace hearth::admin {

namespace json = boost::json;

response api::attendance(const std::string& session, bool csv) {
  const auto now = now_();
  const auto report = store::summarize_session(session, store_.attendance(session), now);
  // A CSV file leaves the system: that is an export, not just a look.
  audit(csv ? "export" : "record_viewed", "attendance", session, "ok", csv ? "csv" : "json");
  if (csv) {
    std::string out =
        "subject,role,present_minutes,present_ms,segments,first_joined_ms,"
        "last_left_ms,present_now\r\n";
    for (const auto& p : report.people) {
      out += csv_field(p.subject) + "," + csv_field(p.role) + "," +
             std::to_string(p.present_ms / 60'000) + "," + std::to_string(p.present_ms) + "," +
             std::to_string(p.segments) + "," + std::to_string(p.first_joined) + "," +
             std::to_string(p.last_left) + "," + (p.present_now ? "true" : "false") + "\r\n";
    }
    return {200, "text/csv; charset=utf-8", out};
  }
  json::array people;
  for (const auto& p : report.people) {
    people.push_back(json::object{{"subject", p.subject},
                                  {"role", p.role},
                                  {"present_ms", p.present_ms},
                                  {"present_minutes", p.present_ms / 60'000},
                                  {"segments", p.segments},
                                  {"first_joined_ms", p.first_joined},
                                  {"last_left_ms", p.last_left},
                                  {"present_now", p.present_now}});
  }
  return ok_json(json::object{{"session", session},
                              {"as_of_ms", now},
                              {"participants", report.participants},
                              {"family_members", report.family_members},
                              {"people", std::move(people)}});
}

response api::live(const std::string& session) {
  live_source* source = live_.load();
  const auto summary = source == nullptr ? std::nullopt : source->live(session);
  audit("record_viewed", "live", session, "ok");
  json::object out{{"session", session}, {"running", summary.has_value()}};
  if (summary) {
    json::array members;
    for (const auto& m : summary->members) {
      members.push_back(json::object{{"member_id", m.member_id},
                                     {"subject", m.subject},
                                     {"role", m.role},
                                     {"presence", m.presence}});
    }
    out["members"] = std::move(members);
    json::array waiting;
    for (const auto& w : summary->waiting) {
      waiting.push_back(json::object{{"subject", w.subject},
                                     {"role", w.role},
                                     {"since_ms", w.since_ms},
                                     {"connected", w.connected}});
    }
    out["waiting"] = std::move(waiting);
    out["floor"] = json::object{{"mode", summary->floor_mode},
                                {"holder_member_id", summary->floor_holder},
                                {"hands_raised", summary->hands_raised},
                                {"round_running", summary->round_running}};
  }
  return ok_json(out);
}

response api::weekly(const std::string& subject, const std::string& query) {
  const auto parts = parse_target("?" + query);
  const std::set<std::string> known = {"week", "program"};
  for (const auto& [k, v] : parts ? parts->query : std::map<std::string, std::string>{}) {
    if (known.count(k) == 0) {
      return error(400, "bad_request", "unknown parameter: " + k);
    }
  }
  if (!parts || parts->query.count("week") == 0) {
    return error(400, "bad_request", "week=YYYY-MM-DD (the week's first day) is required");
  }
  const auto week = local_week_ms(parts->query.at("week"));
  if (!week) {
    return error(400, "bad_request", "week must be a date, YYYY-MM-DD");
  }
  // The program comes from the request, else from the person's place on a
  // roster of a session that week, else it is adult.
  std::string program = "adult";
  std::string program_source = "default";
  if (parts->query.count("program") != 0) {
    program = parts->query.at("program");
    program_source = "request";
  } else {
    for (const auto& s : store_.sessions(week->first, week->second)) {
      if (s.status == "cancelled") {
        continue;
      }
      for (const auto& e : s.roster) {
        if (e.subject == subject && !e.program.empty() && program_source == "default") {
          program = e.program;
          program_source = "roster";
        }
      }
    }
  }
  if (program != "adult" && program != "adolescent") {
    return error(400, "bad_request", "program is adult or adolescent");
  }
  const double minimum =
      program == "adult" ? config_.adult_minimum_hours : config_.adolescent_minimum_hours;
  const auto now = now_();
  const auto segments = store_.attendance_of(subject, week->first, week->second);
  std::map<std::string, std::vector<store::attendance_segment>> by_session;
  for (const auto& s : segments) {
    by_session[s.session].push_back(s);
  }
  json::array sessions;
  for (const auto& [session, list] : by_session) {
    sessions.push_back(
        json::object{{"session", session},
                     {"present_ms", store::present_within(list, week->first, week->second, now)}});
  }
  // Sessions never overlap for one person in practice, but the union is what counts.
  const auto total = store::present_within(segments, week->first, week->second, now);
  const auto minimum_minutes = static_cast<std::int64_t>(std::llround(minimum * 60.0));
  audit("record_viewed", subject, "", "ok", "weekly_hours");
  return ok_json(json::object{{"subject", subject},
                              {"week_start_ms", week->first},
                              {"week_end_ms", week->second},
                              {"present_ms", total},
                              {"present_minutes", total / 60'000},
                              {"program", program},
                              {"program_source", program_source},
                              {"minimum_minutes", minimum_minutes},
                              {"meets_minimum", total >= minimum_minutes * 60'000},
                              {"sessions", std::move(sessions)}});
}

}  // namespace hearth::admin
