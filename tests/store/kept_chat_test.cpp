// Kept chat: kept_chat_put stores a room chat message of a session that keeps
// chat, kept_chat_delete removes it, both inside commit()'s transaction;
// kept_chat() reads a session's messages back exactly, in the order they were
// sent; retention purges them with their session. A deleted or purged message
// is gone for real: from the SQLite file and its WAL, byte for byte, and from
// PostgreSQL's tables, which the purge vacuums.
#include <fstream>
#include <iterator>

#include "postgres_raw.hpp"
#include "sqlite_raw.hpp"
#include "store/sqlite_store.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class kept_chat_test : public store_test {
 protected:
  static kept_chat_put said(const std::string& session, std::int64_t seq, time_ms at,
                            const std::string& text, const std::string& epoch = "e1",
                            std::int64_t breakout = 0) {
    return {session, epoch, breakout, seq, "sub-" + std::to_string(seq), "participant", at, text};
  }
  static kept_chat_message message(const kept_chat_put& put) {
    return {put.epoch, put.breakout, put.seq, put.author, put.role, put.at, put.text};
  }
  static session_record planned(const std::string& id, time_ms end) {
    session_record r;
    r.id = id;
    r.title = "Group";
    r.scheduled_start = end - 100;
    r.scheduled_end = end;
    r.keep_chat = true;
    r.status = "scheduled";
    r.version = 1;
    r.roster = {{"fac-1", "Fac", "facilitator", "", "", ""}};
    return r;
  }
  std::vector<std::string> texts(const std::string& session) {
    std::vector<std::string> out;
    for (const auto& m : db().kept_chat(session)) {
      out.push_back(m.text);
    }
    return out;
  }
};

using strings = std::vector<std::string>;
using messages = std::vector<kept_chat_message>;

TEST_P(kept_chat_test, messages_read_back_exactly_in_the_order_they_were_sent) {
  // Any bytes: a NUL, a line break, quotes, text that is not UTF-8.
  const auto odd = said("room-1", 3, 1200, std::string("a\0b\r\n\"c\xff", 9));
  const auto first = said("room-1", 1, 1000, "hello");
  // A room opened again numbers from 1 again: same seq, another epoch.
  const auto reopened = said("room-1", 1, 5000, "again", "e2");
  db().commit({odd, first, said("room-2", 1, 1100, "elsewhere"), entry(1)});
  db().commit({reopened});
  EXPECT_EQ(db().kept_chat("room-1"), (messages{message(first), message(odd), message(reopened)}));
  EXPECT_EQ(texts("room-2"), strings{"elsewhere"});
  EXPECT_TRUE(db().kept_chat("room-3").empty());
  reopen();
  EXPECT_EQ(db().kept_chat("room-1").size(), 3U);
}

TEST_P(kept_chat_test, a_repeated_message_keeps_the_first_and_fails_nothing) {
  db().commit({said("room-1", 1, 1000, "first")});
  db().commit({said("room-1", 1, 2000, "repeat"), entry(1),
               attendance_open{"room-1", "sub-1", "participant", 2000}});
  EXPECT_EQ(texts("room-1"), strings{"first"});
  EXPECT_EQ(all_audit().size(), 1U);
  EXPECT_EQ(db().attendance("room-1").size(), 1U);
}

TEST_P(kept_chat_test, a_deleted_message_is_gone_and_only_that_one) {
  // A breakout room counts its own seqs: the same seq there is another message.
  db().commit({said("room-1", 1, 1000, "one"), said("room-1", 2, 1001, "two"),
               said("room-1", 2, 1002, "two elsewhere", "e2"), said("room-2", 2, 1003, "two"),
               said("room-1", 2, 1004, "two in breakout 3", "e1", 3)});
  db().commit({kept_chat_delete{"room-1", "e1", 0, 2}, kept_chat_delete{"room-1", "e1", 0, 99}});
  EXPECT_EQ(texts("room-1"), (strings{"one", "two elsewhere", "two in breakout 3"}));
  EXPECT_EQ(texts("room-2"), strings{"two"});
  EXPECT_EQ(db().kept_chat("room-1").back().breakout, 3);
  // Deleting it again is no error.
  db().commit({kept_chat_delete{"room-1", "e1", 0, 2}});
  EXPECT_EQ(texts("room-1").size(), 3U);
  db().commit({kept_chat_delete{"room-1", "e1", 3, 2}});
  EXPECT_EQ(texts("room-1"), (strings{"one", "two elsewhere"}));
}

TEST_P(kept_chat_test, retention_purges_chat_with_its_session) {
  const time_ms cutoff = 10'000;
  db().commit({session_put{planned("old", cutoff - 1)}, session_put{planned("new", cutoff + 1)}});
  db().commit({// A planned session's chat goes with it, whatever its own times...
               said("old", 1, cutoff + 50, "old chat"), said("old", 2, cutoff + 60, "more"),
               // ...and stays with it, however old.
               said("new", 1, 5, "new chat"),
               // Rooms without a plan: by their own times.
               said("walk-in", 1, cutoff - 1, "gone"), said("walk-in", 2, cutoff, "stays")});
  const auto report = db().purge({cutoff, std::nullopt});
  EXPECT_EQ(report, (purge_report{.sessions = 1, .roster_entries = 1, .chat_messages = 3}));
  EXPECT_TRUE(db().kept_chat("old").empty());
  EXPECT_EQ(texts("new"), strings{"new chat"});
  EXPECT_EQ(texts("walk-in"), strings{"stays"});
  EXPECT_EQ(db().purge({cutoff, std::nullopt}), purge_report{});
}

// What a deletion or a purge removed cannot be found anywhere the backend
// keeps it: in SQLite's file and WAL (secure_delete and a checkpoint), in
// PostgreSQL's tables through SQL (the purge vacuumed the table too).
TEST_P(kept_chat_test, deleted_and_purged_text_is_gone_for_real) {
  const std::string deleted = "CANARY-DELETED-c4e1";
  const std::string purged = "CANARY-PURGED-91d7";
  const std::string kept = "CANARY-KEPT-5a0b";
  db().commit({session_put{planned("old", 1000)}, session_put{planned("new", 9000)}});
  db().commit({said("new", 1, 100, deleted), said("new", 2, 200, kept),
               said("old", 1, 300, purged + " once"), said("old", 2, 400, purged + " twice")});
  if (GetParam().name == "sqlite") {
    const auto path = sqlite_path(dir());
    const auto on_disk = [&] {
      auto bytes = [](const std::string& file) {
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      };
      return bytes(path) + bytes(path + "-wal");
    };
    ASSERT_NE(on_disk().find(deleted), std::string::npos);
    ASSERT_NE(on_disk().find(purged), std::string::npos);
    db().commit({kept_chat_delete{"new", "e1", 0, 1}});
    EXPECT_EQ(on_disk().find(deleted), std::string::npos);
    EXPECT_EQ(db().purge({5000, std::nullopt}).chat_messages, 2);
    EXPECT_EQ(on_disk().find(purged), std::string::npos);
    EXPECT_NE(on_disk().find(kept), std::string::npos);
    raw_sqlite raw(path);
    EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
    return;
  }
  raw_postgres raw(postgres_conninfo(dir()));
  const auto found = [&](const std::string& canary) {
    return raw.integer("SELECT count(*) FROM kept_chat WHERE position('" + canary +
                       "'::bytea IN text) > 0");
  };
  ASSERT_EQ(found(deleted), 1);
  db().commit({kept_chat_delete{"new", "e1", 0, 1}});
  EXPECT_EQ(found(deleted), 0);
  const auto vacuums_before = raw.integer(
      "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'kept_chat'::regclass");
  EXPECT_EQ(db().purge({5000, std::nullopt}).chat_messages, 2);
  EXPECT_EQ(found(purged), 0);
  EXPECT_EQ(found(kept), 1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM kept_chat"), 1);
  // The store's role owns the tables here, so the purge vacuumed them.
  EXPECT_GT(raw.integer("SELECT vacuum_count FROM pg_stat_user_tables "
                        "WHERE relid = 'kept_chat'::regclass"),
            vacuums_before);
}

INSTANTIATE_TEST_SUITE_P(sqlite, kept_chat_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, kept_chat_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
