#include "chat_scan.hpp"

#include <array>
#include <optional>

namespace hearth::bench {
namespace {

// Field numbers from proto/hearth/v1 (envelope.proto, room.proto).
constexpr std::uint32_t server_reply = 1;
constexpr std::uint32_t server_event = 2;
constexpr std::uint32_t reply_request_id = 1;
constexpr std::uint32_t reply_chat = 13;
constexpr std::uint32_t chat_result_last_field = 3;  // seq, direct_seq, duplicate
constexpr std::uint32_t event_room_id = 1;
constexpr std::uint32_t event_last_header_field = 5;  // seq, direct_seq, time, breakout: varints
constexpr std::uint32_t event_chat = 13;
constexpr std::uint32_t chat_text = 2;
constexpr std::uint32_t chat_last_field = 6;

enum wire_type : std::uint32_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

struct field {
  std::uint32_t number = 0;
  std::uint32_t type = 0;
  std::string_view bytes;  // length_delimited only
};

// Walks one message's fields; stops (returns nothing) at the end or at bytes
// that are not a well-formed field, which `failed()` then tells apart.
class field_reader {
 public:
  explicit field_reader(std::string_view bytes) : rest_(bytes) {}

  std::optional<field> next() {
    if (rest_.empty()) {
      return std::nullopt;
    }
    std::uint64_t key = 0;
    if (!read_varint(key) || key >> 32 != 0 || (key >> 3) == 0) {
      return fail();
    }
    field f{static_cast<std::uint32_t>(key >> 3), static_cast<std::uint32_t>(key & 7), {}};
    std::uint64_t value = 0;
    switch (f.type) {
      case varint:
        if (!read_varint(value)) {
          return fail();
        }
        return f;
      case fixed64:
        return skip(8) ? std::optional<field>(f) : fail();
      case fixed32:
        return skip(4) ? std::optional<field>(f) : fail();
      case length_delimited:
        if (!read_varint(value) || value > rest_.size()) {
          return fail();
        }
        f.bytes = rest_.substr(0, value);
        rest_.remove_prefix(value);
        return f;
      default:
        return fail();
    }
  }

  bool failed() const { return failed_; }

 private:
  bool read_varint(std::uint64_t& value) {
    value = 0;
    for (unsigned shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      const auto byte = static_cast<std::uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      value |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
      if ((byte & 0x80U) == 0) {
        return true;
      }
    }
    return false;
  }

  bool skip(std::size_t n) {
    if (rest_.size() < n) {
      return false;
    }
    rest_.remove_prefix(n);
    return true;
  }

  std::optional<field> fail() {
    failed_ = true;
    return std::nullopt;
  }

  std::string_view rest_;
  bool failed_ = false;
};

// proto3 strings are UTF-8; protobuf refuses a message whose text is not.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t tail = 0;
    std::uint32_t point = 0;
    if (lead < 0x80U) {
      ++i;
      continue;
    }
    if ((lead & 0xE0U) == 0xC0U) {
      tail = 1;
      point = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0U) {
      tail = 2;
      point = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0U) {
      tail = 3;
      point = lead & 0x07U;
    } else {
      return false;
    }
    if (text.size() - i <= tail) {
      return false;
    }
    for (std::size_t k = 1; k <= tail; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) {
        return false;
      }
      point = (point << 6) | (next & 0x3FU);
    }
    constexpr std::array<std::uint32_t, 4> shortest{0, 0x80, 0x800, 0x10000};
    if (point < shortest.at(tail) || point > 0x10FFFFU || (point >= 0xD800U && point <= 0xDFFFU)) {
      return false;  // overlong, beyond Unicode, or a surrogate
    }
    i += tail + 1;
  }
  return true;
}

// The single length-delimited field a oneof-only message holds, or nothing
// when it holds anything else.
std::optional<field> only_field(std::string_view bytes) {
  field_reader reader(bytes);
  const auto first = reader.next();
  if (!first || first->type != length_delimited || reader.next() || reader.failed()) {
    return std::nullopt;
  }
  return first;
}

// A message of varint fields numbered 1 to `last` (ChatResult).
bool only_varints(std::string_view bytes, std::uint32_t last) {
  field_reader reader(bytes);
  while (const auto f = reader.next()) {
    if (f->number > last || f->type != varint) {
      return false;
    }
  }
  return !reader.failed();
}

std::optional<std::string_view> chat_text_of(std::string_view chat) {
  field_reader reader(chat);
  std::string_view text;
  while (const auto f = reader.next()) {
    if (f->number == chat_text) {
      if (f->type != length_delimited) {
        return std::nullopt;
      }
      text = f->bytes;  // a repeated scalar field: the last one counts
    } else if (f->number > chat_last_field || f->type != varint) {
      return std::nullopt;
    }
  }
  if (reader.failed() || !valid_utf8(text)) {
    return std::nullopt;
  }
  return text;
}

scanned_message scan_event(std::string_view event) {
  field_reader reader(event);
  std::optional<std::string_view> text;
  while (const auto f = reader.next()) {
    if (f->number == event_chat && f->type == length_delimited && !text) {
      text = chat_text_of(f->bytes);
      if (!text) {
        return {};
      }
    } else if (f->number > event_last_header_field ||
               f->type != (f->number == event_room_id ? length_delimited : varint) ||
               !valid_utf8(f->bytes)) {
      return {};  // another body, a second chat, or a mistyped field: the full decode settles it
    }
  }
  if (reader.failed() || !text) {
    return {};
  }
  return {scanned_kind::room_chat, *text};
}

scanned_message scan_reply(std::string_view reply) {
  field_reader reader(reply);
  bool chat = false;
  while (const auto f = reader.next()) {
    if (f->number == reply_chat && f->type == length_delimited && !chat) {
      if (!only_varints(f->bytes, chat_result_last_field)) {
        return {};
      }
      chat = true;
    } else if (f->number != reply_request_id || f->type != varint) {
      return {};  // an error, or another outcome
    }
  }
  if (reader.failed() || !chat) {
    return {};
  }
  return {scanned_kind::chat_reply, {}};
}

}  // namespace

scanned_message scan_server_message(std::string_view bytes) {
  const auto kind = only_field(bytes);
  if (!kind) {
    return {};
  }
  if (kind->number == server_event) {
    return scan_event(kind->bytes);
  }
  if (kind->number == server_reply) {
    return scan_reply(kind->bytes);
  }
  return {};
}

}  // namespace hearth::bench
