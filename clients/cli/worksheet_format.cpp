// Worksheet lines for the terminal client: which sheets open, their versions,
// who shares and who is where, and the answers to worksheet commands. The
// terminal shows sheets by id and version; editing them needs a fuller client.
#include <string>

#include "event_format.hpp"
#include "worksheets/labels.hpp"

namespace hearth::cli {

using worksheets::scope_label;
using worksheets::sharing_label;
std::string event_formatter::format_worksheet_result(const v1::WorksheetResult& result) const {
  std::string line = "worksheet";
  for (const auto& id : result.instance_ids()) {
    line += " sheet=" + id;
  }
  if (result.has_ack()) {
    line += " version=" + std::to_string(result.ack().version());
  }
  for (const auto& form : result.templates()) {
    line += " template=" + form.id();
  }
  return line;
}

std::string event_formatter::format_worksheet_event(const v1::Event& event) const {
  if (event.has_worksheet_opened()) {
    const auto& doc = event.worksheet_opened().sheet().document();
    return "worksheet " + doc.instance_id() + " opened template=" + doc.template_id() +
           " scope=" + scope_label(doc.scope()) + " by " +
           who(event.worksheet_opened().by_member_id());
  }
  if (event.has_worksheet_committed()) {
    const auto& commit = event.worksheet_committed().commit();
    return "worksheet " + commit.instance_id() + " version=" + std::to_string(commit.version()) +
           " by " + who(commit.author());
  }
  if (event.has_worksheet_sharing()) {
    return "worksheet " + event.worksheet_sharing().instance_id() +
           " shared=" + sharing_label(event.worksheet_sharing().sharing()) + " by " +
           who(event.worksheet_sharing().by_member_id());
  }
  if (event.has_worksheet_presence()) {
    const auto& here = event.worksheet_presence();
    return "worksheet " + here.instance_id() + " " + who(here.member_id()) + " in " +
           (here.field_id().empty() ? std::string("no field") : here.field_id());
  }
  const auto& progress = event.worksheet_progress();
  return "worksheet " + progress.instance_id() + " of " + who(progress.owner_member_id()) +
         " filled=" + std::to_string(progress.filled_fields_size()) +
         " version=" + std::to_string(progress.version());
}

}  // namespace hearth::cli
