// The server's token signing key: 32 random bytes kept in the data directory,
// readable only by its owner, created on first use so that `hearthd` and
// `hearthd mint-token` agree without configuration.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace hearth::auth {

class signing_key {
 public:
  static constexpr std::size_t size = 32;

  // Loads <dir>/signing.key, creating the directory (0700) and the key (0600,
  // exclusive create, so two processes never overwrite each other) if missing.
  // Throws std::runtime_error with a clear message on failure (start-up only).
  static signing_key load_or_create(const std::filesystem::path& dir);

  static signing_key from_bytes(const std::array<std::uint8_t, size>& bytes);

  const std::array<std::uint8_t, size>& bytes() const { return bytes_; }
  // Short public id (hex of the first 4 bytes of SHA-256 of the key), the JWS kid.
  const std::string& key_id() const { return key_id_; }

 private:
  explicit signing_key(const std::array<std::uint8_t, size>& bytes);
  std::array<std::uint8_t, size> bytes_{};
  std::string key_id_;
};

}  // namespace hearth::auth
