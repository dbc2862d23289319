// The admin API's kept chat: the transcript of a session whose plan keeps
// chat, as JSON or CSV. The text is content: it leaves only in this answer,
// never in the audit record of the call.
#include <boost/json.hpp>

#include "admin/admin_api.hpp"
#include "admin/reply.hpp"

namespace hearth::admin {

namespace json = boost::json;

response api::kept_chat(const std::string& session, bool csv) {
  const auto planned = store_.session(session);
  if (!planned) {
    return error(404, "not_found", "no such session");
  }
  // What is stored is shown, even if keep_chat was turned off since: it stays
  // until a facilitator deletes it or retention purges it.
  const auto messages = store_.kept_chat(session);
  // A CSV file leaves the system: that is an export, not just a look.
  audit(csv ? "export" : "record_viewed", "chat", session, "ok", csv ? "csv" : "json");
  if (csv) {
    std::string out = "sent_at_ms,epoch,breakout,seq,author,role,text\r\n";
    for (const auto& m : messages) {
      out += std::to_string(m.at) + "," + csv_field(m.epoch) + "," + std::to_string(m.breakout) +
             "," + std::to_string(m.seq) + "," + csv_field(m.author) + "," + csv_field(m.role) +
             "," + csv_field(m.text) + "\r\n";
    }
    return {200, "text/csv; charset=utf-8", out};
  }
  json::array out;
  for (const auto& m : messages) {
    out.push_back(json::object{{"sent_at_ms", m.at},
                               {"epoch", m.epoch},
                               {"breakout", m.breakout},
                               {"seq", m.seq},
                               {"author", m.author},
                               {"role", m.role},
                               {"text", m.text}});
  }
  return ok_json(json::object{
      {"session", session}, {"keep_chat", planned->keep_chat}, {"messages", std::move(out)}});
}

}  // namespace hearth::admin
