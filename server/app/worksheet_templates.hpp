// Reads the worksheet template library from a directory at start-up.
#pragma once

#include <memory>
#include <string>

#include "core/worksheet_book.hpp"
#include "store/store.hpp"

namespace hearth::app {

// Every *.json file of `dir`, parsed and checked against the template schema.
// Throws std::runtime_error naming the file and the reason when a file cannot
// be read or does not validate, when two files hold one (id, version), when
// an id starts with the prefix kept for facilitators' templates, or when the
// directory holds no template.
core::worksheet_templates load_worksheet_templates(const std::string& dir);

// Adds the facilitators' templates kept in the store (every version, retired
// ones marked so). A stored version that no longer validates is left out and
// logged by id; built-in ids are never taken from the store.
void add_stored_templates(core::worksheet_templates& templates, store::store& db);

}  // namespace hearth::app
