// Reads the worksheet template library from a directory at start-up.
#pragma once

#include <memory>
#include <string>

#include "core/worksheet_book.hpp"

namespace hearth::app {

// Every *.json file of `dir`, parsed and checked against the template schema.
// Throws std::runtime_error naming the file and the reason when a file cannot
// be read or does not validate, when two files hold one (id, version), or
// when the directory holds no template.
std::shared_ptr<const core::worksheet_templates> load_worksheet_templates(const std::string& dir);

}  // namespace hearth::app
