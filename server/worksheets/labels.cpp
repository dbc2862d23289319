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

std::string field_type_label(v1::WorksheetFieldType type) {
  switch (type) {
    case v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT:
      return "short_text";
    case v1::WORKSHEET_FIELD_TYPE_LONG_TEXT:
      return "long_text";
    case v1::WORKSHEET_FIELD_TYPE_SCALE:
      return "scale";
    case v1::WORKSHEET_FIELD_TYPE_CHECKBOX:
      return "checkbox";
    case v1::WORKSHEET_FIELD_TYPE_DATE:
      return "date";
    case v1::WORKSHEET_FIELD_TYPE_CHOICE:
      return "choice";
    case v1::WORKSHEET_FIELD_TYPE_LIST:
      return "list";
    default:
      return "unspecified";
  }
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
