// Fractional order keys for list items: items sort by (order_key, item_id), so
// inserting or moving an item never renumbers the others.
#pragma once

#include <string>
#include <string_view>

namespace hearth::worksheets {

// 1 to 64 of [0-9a-z], not ending in '0' (so that a key always exists between
// any two keys).
bool valid_order_key(std::string_view key);

// A key strictly between `lo` and `hi`; an empty `lo` means before everything,
// an empty `hi` after everything. Requires lo < hi when both are given.
std::string key_between(std::string_view lo, std::string_view hi);

}  // namespace hearth::worksheets
