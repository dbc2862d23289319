// The schema of each store as its migrations, in order: index 0 brings an
// empty database to version 1, index 1 to version 2, and so on. Each runs
// once, in its own transaction, when the store opens.
#pragma once

#include <span>
#include <string_view>

namespace hearth::store {

std::span<const std::string_view> sqlite_migrations();    // sqlite_migrations.cpp
std::span<const std::string_view> postgres_migrations();  // postgres_migrations.cpp

}  // namespace hearth::store
