// Helpers for building effects.
#include "core/effects.hpp"

namespace hearth::core {

v1::Reply error_reply(v1::ErrorCode code, std::string message, bool temporary) {
  v1::Reply reply;
  auto* error = reply.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  error->set_temporary(temporary);
  return reply;
}

}  // namespace hearth::core
