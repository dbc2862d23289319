// The SQLite layer's kept statements, on a real database file: each use
// starts from fresh bindings, a nested use of the same SQL gets a statement of
// its own, and a use that ends early leaves no statement reading.
#include "store/sqlite_db.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp is POSIX

#include <filesystem>
#include <string>
#include <vector>

namespace hearth::store::sqlite {
namespace {

class sqlite_kept_statements : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "hearth-sqlite-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    db_ = std::make_unique<connection>(dir_ + "/kept.db");
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, tag TEXT)");
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Statements of the connection still reading (stepped, not reset).
  int busy_statements() const {
    int busy = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db_->handle(), nullptr); s != nullptr;
         s = sqlite3_next_stmt(db_->handle(), s)) {
      busy += sqlite3_stmt_busy(s) != 0 ? 1 : 0;
    }
    return busy;
  }

  std::string dir_;
  std::unique_ptr<connection> db_;
};

constexpr const char* insert_sql = "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)";

TEST_F(sqlite_kept_statements, each_use_starts_from_fresh_bindings) {
  for (std::int64_t i = 1; i <= 50; ++i) {
    statement insert(*db_, insert_sql);
    insert.bind(1, i).bind(2, "body " + std::to_string(i));
    if (i % 2 == 0) {
      insert.bind(3, std::string("even"));
    }
    insert.run();
  }
  statement count(*db_, "SELECT COUNT(*), COUNT(tag) FROM notes");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 50);
  EXPECT_EQ(count.integer(1), 25) << "an odd row's tag is NULL, not the even row's before it";

  statement body(*db_, "SELECT body FROM notes WHERE id = ?");
  ASSERT_TRUE(body.bind(1, std::int64_t{37}).step());
  EXPECT_EQ(body.text(0), "body 37");
}

TEST_F(sqlite_kept_statements, a_nested_use_of_the_same_sql_gets_its_own_statement) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    statement(*db_, insert_sql).bind(1, i).bind(2, std::string("b")).run();
  }
  constexpr const char* by_id = "SELECT id FROM notes WHERE id >= ? ORDER BY id";
  std::vector<std::int64_t> pairs;
  statement outer(*db_, by_id);
  outer.bind(1, std::int64_t{1});
  while (outer.step()) {
    statement inner(*db_, by_id);
    inner.bind(1, outer.integer(0));
    while (inner.step()) {
      pairs.push_back(outer.integer(0) * 10 + inner.integer(0));
    }
  }
  EXPECT_EQ(pairs, (std::vector<std::int64_t>{11, 12, 13, 22, 23, 33}));
}

TEST_F(sqlite_kept_statements, a_use_that_ends_early_leaves_nothing_reading) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    statement(*db_, insert_sql).bind(1, i).bind(2, std::string("b")).run();
  }
  {
    statement first(*db_, "SELECT id FROM notes ORDER BY id");
    ASSERT_TRUE(first.step());
    EXPECT_EQ(busy_statements(), 1);
  }
  EXPECT_EQ(busy_statements(), 0);
  // So a checkpoint can move every frame into the database and empty the WAL.
  int wal_frames = -1;
  int moved = -1;
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                      &wal_frames, &moved),
            SQLITE_OK);
  EXPECT_EQ(wal_frames, 0);
}

TEST_F(sqlite_kept_statements, transactions_commit_and_roll_back_with_kept_statements) {
  {
    transaction tx(*db_);
    statement(*db_, insert_sql).bind(1, std::int64_t{1}).bind(2, std::string("kept")).run();
    tx.commit();
  }
  {
    transaction tx(*db_);
    statement(*db_, insert_sql).bind(1, std::int64_t{2}).bind(2, std::string("dropped")).run();
  }
  statement count(*db_, "SELECT COUNT(*) FROM notes");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 1);
}

}  // namespace
}  // namespace hearth::store::sqlite
