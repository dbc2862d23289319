// Serving the built browser client: a strict whitelist of names and types,
// so that a crafted path can never reach a file outside the web root.
#include "net/static_files.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace hearth::net {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t max_file_bytes = std::uintmax_t{16} * 1024 * 1024;

constexpr std::array<std::pair<std::string_view, std::string_view>, 11> content_types{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".map", "application/json"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
}};

bool allowed_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/';
}

// Every segment must be a plain name: no empty, ".", ".." or hidden segment.
bool plain_segments(std::string_view path) {
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto segment = path.substr(0, slash);
    if (segment.empty() || segment.front() == '.') {
      return false;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return true;
}

std::string_view type_of(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) {
    return {};
  }
  const auto ext = name.substr(dot);
  const auto* hit = std::find_if(content_types.begin(), content_types.end(),
                                 [ext](const auto& entry) { return entry.first == ext; });
  return hit == content_types.end() ? std::string_view{} : hit->second;
}

}  // namespace

static_file load_static_file(const std::string& root, std::string_view target) {
  static_file out;
  if (root.empty() || target.empty() || target.front() != '/') {
    return out;
  }
  target = target.substr(0, target.find('?'));
  std::string_view relative = target.substr(1);
  if (relative.empty()) {
    relative = "index.html";
  }
  if (!std::all_of(relative.begin(), relative.end(), allowed_char) || !plain_segments(relative)) {
    return out;
  }
  const auto type = type_of(relative);
  if (type.empty()) {
    return out;
  }
  std::error_code ec;
  const auto base = fs::canonical(root, ec);
  if (ec) {
    return out;
  }
  const auto path = fs::canonical(base / fs::path(relative), ec);
  if (ec) {
    return out;
  }
  // The real path must stay inside the root, whatever symlinks say.
  const auto inside = std::mismatch(base.begin(), base.end(), path.begin(), path.end());
  if (inside.first != base.end() || !fs::is_regular_file(path, ec) ||
      fs::file_size(path, ec) > max_file_bytes || ec) {
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return out;
  }
  out.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  out.status = 200;
  out.content_type = std::string(type);
  return out;
}

}  // namespace hearth::net
