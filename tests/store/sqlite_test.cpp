// What only the SQLite store promises: the file's pragmas and mode, its
// migrations, and how file-level failures map onto store_error kinds.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include "sqlite_raw.hpp"
#include "store/sqlite_store.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

// Captures the handle of every SQLite connection opened while it exists
// (sqlite3_auto_extension), which is how a test reaches the store's own
// connection to read its per-connection pragmas.
std::mutex spied_mutex;
std::vector<sqlite3*> spied;

int spy_entry(sqlite3* db, char** /*error*/, const sqlite3_api_routines* /*api*/) {
  std::lock_guard lock(spied_mutex);
  spied.push_back(db);
  return SQLITE_OK;
}

class connection_spy {
 public:
  connection_spy() {
    spied.clear();
    sqlite3_auto_extension(entry_point());
  }
  ~connection_spy() { sqlite3_cancel_auto_extension(entry_point()); }
  connection_spy(const connection_spy&) = delete;
  connection_spy& operator=(const connection_spy&) = delete;
  std::vector<sqlite3*> opened() const {
    std::lock_guard lock(spied_mutex);
    return spied;
  }

 private:
  // void(*)(void) is the type SQLite asks for; it matches any function type.
  static void (*entry_point())() { return reinterpret_cast<void (*)()>(&spy_entry); }
};

class sqlite_only : public ::testing::Test {
 protected:
  std::string path() const { return sqlite_path(dir_.path()); }
  temp_dir dir_;
};

mode_t file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    ADD_FAILURE() << "no file " << path;
    return 0;
  }
  return st.st_mode & 0777U;
}

TEST_F(sqlite_only, path_is_inside_the_data_directory) {
  EXPECT_EQ(sqlite_path("/var/lib/hearth"), "/var/lib/hearth/hearth.db");
}

TEST_F(sqlite_only, store_connection_is_wal_full_sync_secure_delete) {
  std::unique_ptr<sqlite_store> db;
  sqlite3* handle = nullptr;
  {
    connection_spy spy;
    db = std::make_unique<sqlite_store>(path());
    ASSERT_EQ(spy.opened().size(), 1U);
    handle = spy.opened()[0];
  }
  // The store is idle between calls; its connection is serialized (FULLMUTEX).
  EXPECT_EQ(query_text(handle, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(handle, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(query_text(handle, "PRAGMA secure_delete"), "1");
  EXPECT_EQ(query_text(handle, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(query_text(handle, "PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(query_text(handle, "PRAGMA temp_store"), "2");  // MEMORY
}

TEST_F(sqlite_only, wal_mode_persists_in_the_file) {
  {
    sqlite_store db(path());
    db.commit({entry(1)});
    raw_sqlite second(path());
    EXPECT_EQ(second.text("PRAGMA journal_mode"), "wal");
  }
  raw_sqlite after(path());  // with the store closed
  EXPECT_EQ(after.text("PRAGMA journal_mode"), "wal");
}

TEST_F(sqlite_only, files_are_private_whatever_the_umask) {
  const mode_t previous = ::umask(0);
  {
    sqlite_store db(path());
    db.commit({entry(1), attendance_open{"room-1", "sub-1", "participant", 1}});
    EXPECT_EQ(file_mode(path()), 0600U);
    EXPECT_EQ(file_mode(path() + "-wal"), 0600U);
    EXPECT_EQ(file_mode(path() + "-shm"), 0600U);
  }
  EXPECT_EQ(file_mode(path()), 0600U);
  ::umask(previous);
}

TEST_F(sqlite_only, migrations_apply_once) {
  {
    sqlite_store db(path());
    EXPECT_EQ(db.schema_version(), latest_schema);
    db.commit({entry(1), attendance_open{"room-1", "sub-1", "participant", 1}});
  }
  std::string applied_at;
  {
    raw_sqlite raw(path());
    EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), latest_schema);
    applied_at = raw.text("SELECT applied_at_ms FROM schema_migrations WHERE version = 1");
    EXPECT_GT(std::stoll(applied_at), 1'600'000'000'000);  // milliseconds, not seconds
  }
  for (int i = 0; i < 3; ++i) {
    sqlite_store db(path());
    EXPECT_EQ(db.schema_version(), latest_schema);
    EXPECT_EQ(db.audit({}).size(), 1U);
    EXPECT_EQ(db.attendance("room-1").size(), 1U);
  }
  raw_sqlite raw(path());
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), latest_schema);
  EXPECT_EQ(raw.text("SELECT applied_at_ms FROM schema_migrations WHERE version = 1"), applied_at);
}

TEST_F(sqlite_only, a_file_that_is_not_a_database_is_corrupt) {
  const std::string junk(4096, 'j');
  {
    std::ofstream out(path(), std::ios::binary);
    out << junk;
  }
  try {
    sqlite_store db(path());
    ADD_FAILURE() << "opened a file that is not a database";
  } catch (const store_error& e) {
    EXPECT_EQ(e.which(), store_error::kind::corrupt) << e.what();
    EXPECT_STREQ(kind_name(e.which()), "corrupt");
  }
  std::ifstream in(path(), std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, junk);  // left as it was
}

TEST_F(sqlite_only, a_missing_directory_is_an_io_error) {
  try {
    sqlite_store db(sqlite_path(dir_.path() + "/absent"));
    ADD_FAILURE() << "opened a database in a directory that does not exist";
  } catch (const store_error& e) {
    EXPECT_EQ(e.which(), store_error::kind::io) << e.what();
  }
}

// The database's quota stands in for a full disk: SQLITE_FULL is kind full,
// the batch is not applied, and the store works again once there is room.
TEST_F(sqlite_only, a_full_database_rejects_the_whole_batch) {
  std::unique_ptr<sqlite_store> db;
  sqlite3* handle = nullptr;
  {
    connection_spy spy;
    db = std::make_unique<sqlite_store>(path());
    ASSERT_EQ(spy.opened().size(), 1U);
    handle = spy.opened()[0];
  }
  db->commit({entry(1)});
  const auto pages = query_text(handle, "PRAGMA page_count");
  query_text(handle, "PRAGMA max_page_count = " + pages);
  std::vector<write> big;
  for (int i = 0; i < 200; ++i) {
    big.emplace_back(entry(i, "sub-1", "room-1", std::string(1000, 'x')));
  }
  try {
    db->commit(big);
    ADD_FAILURE() << "a batch larger than the quota committed";
  } catch (const store_error& e) {
    EXPECT_EQ(e.which(), store_error::kind::full) << e.what();
  }
  EXPECT_EQ(db->audit({}).size(), 1U);
  query_text(handle, "PRAGMA max_page_count = 1000000");
  db->commit(big);
  EXPECT_EQ(db->audit({}).size(), 201U);
  EXPECT_TRUE(db->verify_audit().ok());
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What a purge deletes is gone from the database file and from its WAL, byte
// for byte, while the store stays open; what it keeps is still found there.
TEST_F(sqlite_only, purged_content_leaves_no_copy_in_the_file_or_the_wal) {
  const std::string purged = "CANARY-PURGED-7f3a9c";
  const std::string kept = "CANARY-KEPT-2b81de";
  sqlite_store db(path());
  auto session = [](const std::string& id, const std::string& canary, time_ms end) {
    session_record r;
    r.id = id;
    r.title = "Group " + canary;
    r.scheduled_start = end - 1000;
    r.scheduled_end = end;
    r.status = "scheduled";
    r.version = 1;
    r.roster = {{"fac-1", "Fac " + canary, "facilitator", "", "", ""},
                {"pat-1", "Pat " + canary, "participant", "", "", "adult"}};
    return r;
  };
  db.commit({session_put{session("old", purged, 1000)}, session_put{session("new", kept, 9000)},
             ban_put{"old", "pat-2", "Banned " + purged, "participant", "fac-1", 500}});
  {
    // Some copies in the database file, more in the WAL.
    raw_sqlite raw(path());
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  auto changed = session("old", purged, 1000);
  changed.version = 2;
  db.commit({session_put{changed}, entry(1)});
  const auto everything = [&] { return file_bytes(path()) + file_bytes(path() + "-wal"); };
  ASSERT_NE(file_bytes(path()).find(purged), std::string::npos);
  ASSERT_NE(file_bytes(path() + "-wal").find(purged), std::string::npos);

  EXPECT_EQ(db.purge({5000, std::nullopt}),
            (purge_report{.sessions = 1, .roster_entries = 2, .bans = 1}));
  EXPECT_EQ(everything().find(purged), std::string::npos);
  EXPECT_NE(file_bytes(path()).find(kept), std::string::npos);
  EXPECT_EQ(file_bytes(path() + "-wal").size(), 0U);  // truncated
  db.commit({entry(2)});
  EXPECT_EQ(everything().find(purged), std::string::npos);
  EXPECT_EQ(db.session("new"), session("new", kept, 9000));
}

}  // namespace
}  // namespace hearth::store::testing
