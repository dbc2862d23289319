// The checks run in this order so that the cheapest refusal with the most
// useful reason comes first; the schema check runs last, on the version the
// server assigned.
#include "core/template_rules.hpp"

#include "worksheets/template_check.hpp"

namespace hearth::core {

std::optional<template_refusal> next_version(const worksheet_templates& templates,
                                             v1::WorksheetTemplate& t, const room_limits& limits) {
  if (t.ByteSizeLong() > limits.max_template_bytes) {
    return template_refusal{v1::ERROR_CODE_LIMIT_EXCEEDED, "the template is too large",
                            "too_large"};
  }
  if (!is_custom_template_id(t.id())) {
    if (templates.newest(t.id()) != nullptr) {
      return template_refusal{v1::ERROR_CODE_BAD_REQUEST,
                              "built-in templates are not changed; save it under an id starting "
                              "with " +
                                  std::string(custom_template_prefix),
                              "built_in"};
    }
    return template_refusal{
        v1::ERROR_CODE_BAD_REQUEST,
        "a facilitator's template id starts with " + std::string(custom_template_prefix),
        "not_custom"};
  }
  if (templates.retired(t.id())) {
    return template_refusal{v1::ERROR_CODE_FAILED_PRECONDITION, "the template is retired",
                            "retired"};
  }
  const auto versions = templates.versions(t.id());
  if (versions.empty() && templates.custom_count() >= limits.max_custom_templates) {
    return template_refusal{v1::ERROR_CODE_LIMIT_EXCEEDED, "too many templates", "too_many"};
  }
  if (versions.size() >= limits.max_template_versions) {
    return template_refusal{v1::ERROR_CODE_LIMIT_EXCEEDED, "too many versions of this template",
                            "too_many"};
  }
  t.set_version(versions.empty() ? 1 : versions.back()->version() + 1);
  if (auto reason = worksheets::check_template(t); !reason.empty()) {
    return template_refusal{v1::ERROR_CODE_BAD_REQUEST, "invalid template: " + reason, "invalid"};
  }
  return std::nullopt;
}

std::optional<template_refusal> may_retire(const worksheet_templates& templates,
                                           const std::string& id) {
  if (templates.newest(id) == nullptr) {
    return template_refusal{v1::ERROR_CODE_NOT_FOUND, "no such worksheet template", "unknown"};
  }
  if (!is_custom_template_id(id)) {
    return template_refusal{v1::ERROR_CODE_FAILED_PRECONDITION,
                            "built-in templates are not retired", "built_in"};
  }
  if (templates.retired(id)) {
    return template_refusal{v1::ERROR_CODE_FAILED_PRECONDITION, "the template is retired",
                            "retired"};
  }
  return std::nullopt;
}

std::string template_detail(const std::string& id) {
  return worksheets::valid_id(id) ? "template=" + id : std::string("template=?");
}

}  // namespace hearth::core
