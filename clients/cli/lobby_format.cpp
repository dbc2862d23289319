// Lobby and ban lines for the terminal client.
#include "lobby_format.hpp"

#include <cctype>
#include <string_view>

#include "event_format.hpp"

namespace hearth::cli {

std::string wait_reason_label(v1::WaitReason reason) {
  if (!v1::WaitReason_IsValid(reason) || reason == v1::WAIT_REASON_UNSPECIFIED) {
    return "unknown";
  }
  std::string label = v1::WaitReason_Name(reason).substr(std::string_view("WAIT_REASON_").size());
  for (char& c : label) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return label;
}

namespace {

std::string policy_label(v1::LobbyPolicy policy) {
  switch (policy) {
    case v1::LOBBY_POLICY_EVERYONE_WAITS:
      return "everyone_waits";
    case v1::LOBBY_POLICY_ROSTER_ENTERS:
      return "roster_enters";
    case v1::LOBBY_POLICY_OPEN:
      return "open";
    default:
      return "unknown";
  }
}

// " consent=valid" for observers; "" for everyone else.
std::string consent_label(v1::ConsentState state) {
  switch (state) {
    case v1::CONSENT_STATE_NONE:
      return " consent=none";
    case v1::CONSENT_STATE_VALID:
      return " consent=valid";
    case v1::CONSENT_STATE_EXPIRED:
      return " consent=expired";
    case v1::CONSENT_STATE_REVOKED:
      return " consent=revoked";
    default:
      return {};
  }
}

}  // namespace

std::string format_lobby_status(const v1::LobbyStatus& status) {
  return "waiting id=" + std::to_string(status.waiting_id()) +
         " reason=" + wait_reason_label(status.reason()) +
         " since=" + std::to_string(status.since_ms()) +
         (status.message().empty() ? "" : " message=" + status.message());
}

std::string format_lobby_state(const v1::LobbyState& state) {
  std::string line = "lobby policy=" + policy_label(state.policy()) +
                     " waiting=" + std::to_string(state.waiting_size());
  if (!state.message().empty()) {
    line += " message=" + state.message();
  }
  for (const auto& w : state.waiting()) {
    line += "\nwaiting #" + std::to_string(w.waiting_id()) + " " + w.display_name() +
            " role=" + role_label(w.role()) + " reason=" + wait_reason_label(w.reason()) +
            " since=" + std::to_string(w.since_ms()) + (w.connected() ? "" : " dropped") +
            consent_label(w.consent());
  }
  return line;
}

std::string format_bans(const google::protobuf::RepeatedPtrField<v1::BannedPerson>& bans) {
  std::string line = "bans=" + std::to_string(bans.size());
  for (const auto& b : bans) {
    line += "\nban #" + std::to_string(b.ban_id()) + " " + b.display_name() +
            " role=" + role_label(b.role());
  }
  return line;
}

}  // namespace hearth::cli
