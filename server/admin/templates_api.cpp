// The admin API's worksheet templates: the catalog every room uses (built-in
// and facilitators' own), one template with every version, a new template or
// version (the body in the template file format; the server assigns the
// version), and retirement. The same rules as the protocol (template_rules);
// a change is committed with its audit record, then put in the shared
// catalog, so rooms use it from their next worksheet command. Audit details
// carry ids and versions, never template text.
#include <boost/json.hpp>
#include <map>

#include "admin/admin_api.hpp"
#include "admin/reply.hpp"
#include "admin/template_catalog.hpp"
#include "core/template_rules.hpp"
#include "worksheets/labels.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::admin {
namespace {

namespace json = boost::json;

response refusal(const core::template_refusal& r) {
  if (r.code == v1::ERROR_CODE_NOT_FOUND) {
    return error(404, "not_found", r.message);
  }
  if (r.reason == "built_in") {
    return error(409, "conflict", "built-in templates are not changed or retired");
  }
  if (r.reason == "retired" || r.reason == "too_many") {
    return error(409, "conflict", r.message);
  }
  if (r.reason == "too_large") {
    return error(413, "too_large", r.message);
  }
  return error(400, "bad_request", r.message);
}

json::value template_value(const v1::WorksheetTemplate& t) {
  return json::parse(worksheets::template_to_json(t));
}

json::object summary(const core::worksheet_templates& templates, const v1::WorksheetTemplate& t) {
  return {{"id", t.id()},
          {"version", t.version()},
          {"title", t.title()},
          {"scope", worksheets::scope_label(t.default_scope())},
          {"built_in", !core::is_custom_template_id(t.id())},
          {"retired", templates.retired(t.id())}};
}

}  // namespace

response api::templates_route(const request& req, const std::vector<std::string>& path,
                              const std::map<std::string, std::string>& query) {
  const auto retired = query.find("include_retired");
  if (query.size() > (retired == query.end() ? 0U : 1U)) {
    return error(400, "bad_request", "the only parameter is include_retired");
  }
  if (path.size() == 3) {
    if (req.method == "GET") {
      if (retired != query.end() && retired->second != "true" && retired->second != "false") {
        return error(400, "bad_request", "include_retired is true or false");
      }
      return list_templates(retired != query.end() && retired->second == "true");
    }
    if (retired != query.end()) {
      return error(400, "bad_request", "include_retired applies to GET only");
    }
    return req.method == "POST" ? save_template(req.body)
                                : error(405, "method_not_allowed", "GET or POST only");
  }
  if (retired != query.end()) {
    return error(400, "bad_request", "include_retired applies to the list only");
  }
  if (req.method == "GET") {
    return get_template(path[3]);
  }
  return req.method == "DELETE" ? retire_template(path[3])
                                : error(405, "method_not_allowed", "GET or DELETE only");
}

response api::list_templates(bool include_retired) {
  if (templates_ == nullptr) {
    return error(404, "not_found", "worksheet templates are not loaded");
  }
  const auto templates = templates_->snapshot();
  json::array out;
  for (const auto* t :
       templates->latest(include_retired ? core::with_retired::yes : core::with_retired::no)) {
    out.push_back(summary(*templates, *t));
  }
  audit("record_viewed", "worksheet_templates", "", "ok",
        "templates=" + std::to_string(out.size()));
  return ok_json(json::object{{"templates", std::move(out)}});
}

response api::get_template(const std::string& id) {
  if (templates_ == nullptr) {
    return error(404, "not_found", "worksheet templates are not loaded");
  }
  const auto templates = templates_->snapshot();
  const auto versions = templates->versions(id);
  if (versions.empty()) {
    return error(404, "not_found", "no such worksheet template");
  }
  // Who made each version of a facilitator's template is in the store.
  std::map<std::int64_t, store::worksheet_template_record> made;
  if (core::is_custom_template_id(id)) {
    for (auto& r : store_.worksheet_templates(store::retired_templates::include)) {
      if (r.template_id == id) {
        made.emplace(r.version, std::move(r));
      }
    }
  }
  json::array out;
  for (const auto* t : versions) {
    json::object v{{"template", template_value(*t)}};
    if (auto it = made.find(t->version()); it != made.end()) {
      v["created_by"] = it->second.created_by;
      v["created_at_ms"] = it->second.created_at;
    }
    out.push_back(std::move(v));
  }
  audit("record_viewed", "worksheet_template", "", "ok", core::template_detail(id));
  auto body = summary(*templates, *versions.back());
  body["versions"] = std::move(out);
  return ok_json(body);
}

response api::save_template(const std::string& body) {
  if (templates_ == nullptr) {
    return error(404, "not_found", "worksheet templates are not loaded");
  }
  // The file format with its version optional: the server assigns it.
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return error(400, "bad_request", "the body must be a template as a JSON object");
  }
  doc.as_object()["version"] = 1;
  auto parsed = worksheets::parse_template(json::serialize(doc));
  if (!parsed.value) {
    audit("template_saved", "worksheet_template", "", "denied", "invalid template=?");
    return error(400, "bad_request", "invalid template: " + parsed.error);
  }
  auto t = std::move(*parsed.value);
  const auto id = t.id();
  if (auto refused = core::next_version(*templates_->snapshot(), t, config_.templates)) {
    audit("template_saved", "worksheet_template", "", "denied",
          refused->reason + " " + core::template_detail(id));
    return refusal(*refused);
  }
  if (!templates_->claim(id, t.version())) {
    return error(409, "conflict", "the template changed meanwhile; send it again");
  }
  const auto detail = "template=" + id + " version=" + std::to_string(t.version());
  const auto now = now_();
  try {
    store_.commit(
        {store::worksheet_template_put{id, t.version(), t.SerializeAsString(), "admin", now},
         store::audit_entry{now, "admin", "admin", "template_saved", "worksheet_template", "", "ok",
                            detail}});
  } catch (...) {
    templates_->release(id, t.version());
    throw;
  }
  templates_->add(t);
  return ok_json(json::object{{"template", template_value(t)}}, 201);
}

response api::retire_template(const std::string& id) {
  if (templates_ == nullptr) {
    return error(404, "not_found", "worksheet templates are not loaded");
  }
  if (auto refused = core::may_retire(*templates_->snapshot(), id)) {
    if (refused->code != v1::ERROR_CODE_NOT_FOUND) {
      audit("template_retired", "worksheet_template", "", "denied",
            refused->reason + " " + core::template_detail(id));
    }
    return refusal(*refused);
  }
  const auto now = now_();
  store_.commit({store::worksheet_template_retire{id, now},
                 store::audit_entry{now, "admin", "admin", "template_retired", "worksheet_template",
                                    "", "ok", "template=" + id}});
  templates_->retire(id);
  return ok_json(json::object{{"id", id}, {"retired", true}});
}

}  // namespace hearth::admin
