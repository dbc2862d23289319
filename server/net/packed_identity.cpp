// A session's token claims packed into one block, and back.
#include "net/packed_identity.hpp"

#include <algorithm>
#include <cstring>

namespace hearth::net {

packed_identity::packed_identity(const core::identity& who) {
  const header h{static_cast<std::int32_t>(who.role),
                 static_cast<std::uint32_t>(who.subject.size()),
                 static_cast<std::uint32_t>(who.display_name.size()),
                 static_cast<std::uint32_t>(who.room.size())};
  bytes_ = std::make_unique_for_overwrite<char[]>(sizeof(header) + who.subject.size() +
                                                  who.display_name.size() + who.room.size());
  char* out = bytes_.get();
  std::memcpy(out, &h, sizeof h);
  out += sizeof h;
  for (const std::string* part : {&who.subject, &who.display_name, &who.room}) {
    out = std::copy_n(part->data(), part->size(), out);
  }
}

packed_identity::header packed_identity::read_header() const {
  header h{};
  std::memcpy(&h, bytes_.get(), sizeof h);
  return h;
}

v1::Role packed_identity::role() const { return static_cast<v1::Role>(read_header().role); }

std::string_view packed_identity::room() const {
  const header h = read_header();
  return {bytes_.get() + sizeof h + h.subject_bytes + h.display_name_bytes, h.room_bytes};
}

core::identity packed_identity::unpack() const {
  const header h = read_header();
  const char* in = bytes_.get() + sizeof h;
  core::identity who;
  who.subject.assign(in, h.subject_bytes);
  in += h.subject_bytes;
  who.display_name.assign(in, h.display_name_bytes);
  in += h.display_name_bytes;
  who.room.assign(in, h.room_bytes);
  who.role = static_cast<v1::Role>(h.role);
  return who;
}

}  // namespace hearth::net
