// Retention policy, purge reports and the audited purge.
#include "store/retention.hpp"

namespace hearth::store {

std::string retention_problem(const retention_policy& policy) {
  const std::string limit = std::to_string(max_retention_days);
  if (policy.content_days < 1 || policy.content_days > max_retention_days) {
    return "--content-retention-days must be a whole number of days from 1 to " + limit;
  }
  if (policy.audit_days < 0 || policy.audit_days > max_retention_days) {
    return "--audit-retention-days must be a whole number of days from 1 to " + limit +
           ", or 0 to keep audit records forever";
  }
  if (policy.audit_days != 0 && policy.audit_days < policy.content_days) {
    return "--audit-retention-days (" + std::to_string(policy.audit_days) +
           ") is shorter than --content-retention-days (" + std::to_string(policy.content_days) +
           "): the audit trail must be kept at least as long as the records it describes "
           "(0 keeps it forever)";
  }
  return {};
}

purge_request purge_request_for(const retention_policy& policy, time_ms now) {
  purge_request request;
  request.content_before = now - policy.content_days * day_ms;
  if (policy.audit_days > 0) {
    request.audit_before = now - policy.audit_days * day_ms;
  }
  return request;
}

std::string purge_detail(const purge_report& report) {
  return "sessions=" + std::to_string(report.sessions) +
         " roster_entries=" + std::to_string(report.roster_entries) +
         " bans=" + std::to_string(report.bans) + " consents=" + std::to_string(report.consents) +
         " chat_messages=" + std::to_string(report.chat_messages) +
         " worksheets=" + std::to_string(report.worksheets) +
         " attendance=" + std::to_string(report.attendance) +
         " audit=" + std::to_string(report.audit);
}

std::string purge_json(const purge_request& request, const purge_report& report) {
  return "{\"content_before_ms\":" + std::to_string(request.content_before) +
         ",\"audit_before_ms\":" +
         (request.audit_before ? std::to_string(*request.audit_before) : std::string("null")) +
         ",\"sessions\":" + std::to_string(report.sessions) +
         ",\"roster_entries\":" + std::to_string(report.roster_entries) +
         ",\"bans\":" + std::to_string(report.bans) +
         ",\"consents\":" + std::to_string(report.consents) +
         ",\"chat_messages\":" + std::to_string(report.chat_messages) +
         ",\"worksheets\":" + std::to_string(report.worksheets) +
         ",\"attendance\":" + std::to_string(report.attendance) +
         ",\"audit\":" + std::to_string(report.audit) + "}";
}

purge_report purge_and_record(store& target, const purge_request& request, time_ms now,
                              const std::string& actor, const std::string& role,
                              bool record_empty) {
  purge_report report;
  try {
    report = target.purge(request);
  } catch (const store_error& e) {
    try {
      target.commit({audit_entry{now, actor, role, "retention_purge", "retention", "", "failed",
                                 kind_name(e.which())}});
    } catch (const store_error&) {
      // The store took neither: the caller reports the purge's failure.
    }
    throw;
  }
  if (record_empty || report != purge_report{}) {
    target.commit({audit_entry{now, actor, role, "retention_purge", "retention", "", "ok",
                               purge_detail(report)}});
  }
  return report;
}

}  // namespace hearth::store
