// A worksheet instance's state as plain values, and the checks and changes an
// op makes to it. Pure; owned by one worksheet (server) or one client replica.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hearth/v1/role.pb.h"
#include "hearth/v1/worksheet.pb.h"
#include "worksheets/ops.hpp"

namespace hearth::worksheets {

// A field's or an item value's content: `text` for text types, else `value`.
struct cell {
  std::u32string text;
  scalar value;
  bool operator==(const cell&) const = default;
};

struct item {
  std::string order_key;
  bool removed = false;
  std::uint32_t author = 0;           // the member who inserted it
  std::map<std::string, cell> cells;  // one per item field of the template
  bool operator==(const item&) const = default;
};

struct field_state {
  cell own;                           // fields other than lists
  std::map<std::string, item> items;  // list fields, by item id
  bool operator==(const field_state&) const = default;
};

struct document {
  std::map<std::string, field_state> fields;  // one per template field
  bool operator==(const document&) const = default;
};

// Same numbers as v1::WorksheetError.
enum class error : std::uint8_t {
  none = 0,
  malformed,
  bad_version,
  not_allowed,
  out_of_range,
  too_long,
  bad_date,
  bad_choice,
  unknown_item,
  item_exists,
  bad_order_key,
  too_many_items,
  too_old,
};

// Who writes, as the room knows them.
struct writer {
  std::uint32_t member = 0;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string family;  // the member's family unit, if any
};

// Whose sheet it is.
struct sheet {
  v1::WorksheetScope scope = v1::WORKSHEET_SCOPE_UNSPECIFIED;
  std::uint32_t owner_member = 0;  // personal sheets
  std::string owner_family;        // family sheets
};

document empty_document(const v1::WorksheetTemplate& t);

// Authorization, decided from the sheet, the template and the current state:
// observers never write; a personal sheet is written by its owner and the
// facilitators, a family sheet by its family's members and the facilitators;
// facilitator-only fields by facilitators; in shared sheets an item of an
// own_rows list by the member who inserted it and the facilitators.
error may_write(const v1::WorksheetTemplate& t, const sheet& s, const document& d, const writer& w,
                const op& o);

// Checks `o` against the template and the current state (types, ranges, dates,
// choices, text limits, items) and applies it; on an error `d` is unchanged.
// Authorization is separate (may_write).
error apply_checked(document& d, const v1::WorksheetTemplate& t, const op& o, std::uint32_t author);

// Applies an op the server has already accepted, without the limits (a
// client's replica may hold local edits the server has not seen). Returns
// false only when the op does not fit the document's structure.
bool apply_committed(document& d, const v1::WorksheetTemplate& t, const op& o,
                     std::uint32_t author);

// A list field's items as they are shown, by (order_key, item_id), removed
// ones included: (item id, item) pairs pointing into `f`.
std::vector<std::pair<const std::string*, const item*>> items_in_order(const field_state& f);

// The ids of the template's fields that hold something (text, a value, or
// an item not removed), in template order.
std::vector<std::string> filled_fields(const v1::WorksheetTemplate& t, const document& d);

// Whether `s` is a calendar date written YYYY-MM-DD.
bool valid_date(const std::string& s);

// Whether `id` can name an item: 1 to 64 of [A-Za-z0-9_-].
bool valid_item_id(const std::string& id);

}  // namespace hearth::worksheets
