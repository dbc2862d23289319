// Scope and sharing words (labels.hpp).
#include "worksheets/labels.hpp"

namespace hearth::worksheets {

std::string scope_label(v1::WorksheetScope scope) {
  switch (scope) {
    case v1::WORKSHEET_SCOPE_SESSION:
      return "session";
    case v1::WORKSHEET_SCOPE_PERSONAL:
      return "personal";
    case v1::WORKSHEET_SCOPE_FAMILY:
      return "family";
    default:
      return "unspecified";
  }
}

std::optional<v1::WorksheetScope> scope_from(const std::string& label) {
  for (auto scope :
       {v1::WORKSHEET_SCOPE_SESSION, v1::WORKSHEET_SCOPE_PERSONAL, v1::WORKSHEET_SCOPE_FAMILY}) {
    if (scope_label(scope) == label) {
      return scope;
    }
  }
  return std::nullopt;
}

std::string sharing_label(v1::WorksheetSharing sharing) {
  switch (sharing) {
    case v1::WORKSHEET_SHARING_GROUP:
      return "group";
    case v1::WORKSHEET_SHARING_FAMILY:
      return "family";
    default:
      return "none";
  }
}

v1::WorksheetSharing sharing_from(const std::string& label) {
  if (label == "group") {
    return v1::WORKSHEET_SHARING_GROUP;
  }
  return label == "family" ? v1::WORKSHEET_SHARING_FAMILY : v1::WORKSHEET_SHARING_UNSPECIFIED;
}

}  // namespace hearth::worksheets
