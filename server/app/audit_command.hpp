// `hearthd verify-audit`: checks the audit trail's hash chain from the first
// record to the last and reports the first record that does not verify.
#pragma once

#include <string>
#include <vector>

namespace hearth::app {

int verify_audit_command(const std::vector<std::string>& args);

}  // namespace hearth::app
