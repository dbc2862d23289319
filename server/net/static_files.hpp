// The browser client's files, served read-only from one directory (--web-root).
#pragma once

#include <string>
#include <string_view>

namespace hearth::net {

struct static_file {
  unsigned status = 404;     // 200, or 404 for anything that is not a servable file
  std::string content_type;  // set with 200
  std::string body;          // the file's bytes with 200
};

// Maps a GET target to a regular file under `root`: "/" is index.html; a
// query string is ignored. Refuses (404) dot segments, hidden names, any byte
// outside [A-Za-z0-9._-/], percent escapes, unknown file types, directories,
// files over 16 MiB and anything whose real path leaves `root` (symlinks).
// Reads the file synchronously: the files are small and few. Thread-safe.
static_file load_static_file(const std::string& root, std::string_view target);

}  // namespace hearth::net
