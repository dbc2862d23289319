// A token's claims as a session keeps them from Hello on, for its joins: one
// heap block of exactly their size behind an 8-byte pointer, where a
// core::identity takes 104 bytes before its strings (each of three longer
// than 15 bytes in a block of its own).
#pragma once

#include <memory>
#include <string_view>

#include "core/types.hpp"

namespace hearth::net {

class packed_identity {
 public:
  packed_identity() = default;
  explicit packed_identity(const core::identity& who);

  explicit operator bool() const { return bytes_ != nullptr; }

  // Only when set.
  v1::Role role() const;
  std::string_view room() const;
  core::identity unpack() const;

 private:
  struct header {
    std::int32_t role;
    std::uint32_t subject_bytes;
    std::uint32_t display_name_bytes;
    std::uint32_t room_bytes;
  };

  header read_header() const;

  std::unique_ptr<char[]> bytes_;  // header, then subject, display name and room
};

}  // namespace hearth::net
