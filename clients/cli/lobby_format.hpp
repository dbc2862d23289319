// Readable lines for the lobby: what a waiting person is told, what
// facilitators see waiting, and the ban list.
#pragma once

#include <string>

#include "hearth/v1/lobby.pb.h"

namespace hearth::cli {

std::string wait_reason_label(v1::WaitReason reason);
// "waiting id=3 reason=admission since=... message=..."
std::string format_lobby_status(const v1::LobbyStatus& status);
// "lobby policy=... waiting=2" and one "waiting #id name role=..." line each.
std::string format_lobby_state(const v1::LobbyState& state);
// "bans=1" and one "ban #id name role=..." line each.
std::string format_bans(const google::protobuf::RepeatedPtrField<v1::BannedPerson>& bans);

}  // namespace hearth::cli
