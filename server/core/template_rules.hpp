// What makes a facilitator's template version acceptable, and a template
// retirable: one rule set for the room (protocol) and the admin API. Pure.
#pragma once

#include <optional>
#include <string>

#include "core/types.hpp"
#include "core/worksheet_book.hpp"
#include "hearth/v1/errors.pb.h"

namespace hearth::core {

struct template_refusal {
  v1::ErrorCode code = v1::ERROR_CODE_BAD_REQUEST;
  std::string message;  // for the caller: may quote the template's ids
  std::string reason;   // for the audit: a code (not_custom, built_in, retired, ...)
};

// Gives `t` the next version of its id (1 for a new id), ignoring the one it
// carries, and checks it: a custom id (custom_template_prefix; a built-in id
// is "built_in"), not retired, within the limits' bytes, ids and versions,
// and valid against the template schema (the checker's reason).
std::optional<template_refusal> next_version(const worksheet_templates& templates,
                                             v1::WorksheetTemplate& t, const room_limits& limits);

// Whether template `id` may be retired: it exists (else NOT_FOUND), is a
// facilitator's (else "built_in") and is not retired yet.
std::optional<template_refusal> may_retire(const worksheet_templates& templates,
                                           const std::string& id);

// "template=<id>" when the id is well formed, else "template=?": a refused
// id may hold anything a client sent, and never reaches the audit trail.
std::string template_detail(const std::string& id);

}  // namespace hearth::core
