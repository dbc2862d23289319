// What only the PostgreSQL store promises: it refuses a server that would not
// make commits durable, migrates once (also when several start together), and
// maps server failures (held locks, lost connections, unreachable servers)
// onto store_error kinds. Needs HEARTH_TEST_POSTGRES, like the contract suite.
#include <atomic>
#include <chrono>
#include <thread>

#include "postgres_raw.hpp"
#include "store/pg_db.hpp"
#include "store/postgres_store.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class postgres_only : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = postgres_unavailable(); !why.empty()) {
      if (postgres_required()) {
        FAIL() << why;
      }
      GTEST_SKIP() << why;
    }
    active_ = true;
  }
  void TearDown() override {
    if (active_) {
      drop_postgres_schema(dir_.path());
    }
  }
  std::string conninfo(const std::string& options = "", const std::string& extra = "") {
    return postgres_conninfo(dir_.path(), options, extra);
  }
  std::string schema() const { return postgres_schema(dir_.path()); }

 private:
  temp_dir dir_;
  bool active_ = false;
};

// Drops a role the test made, with whatever it owns, when the test ends.
struct role_guard {
  raw_postgres& admin;
  std::string role;
  ~role_guard() {
    try {
      admin.exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
};

store_error::kind open_fails_with(const std::string& conninfo, const std::string& expected_text) {
  try {
    postgres_store db(conninfo);
    ADD_FAILURE() << "opened";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find(expected_text), std::string::npos) << e.what();
    return e.which();
  }
  return store_error::kind::io;
}

TEST(postgres_rules, durability_needs_fsync_and_a_flushed_commit) {
  for (const auto* setting : {"on", "local", "remote_write", "remote_apply"}) {
    EXPECT_EQ(pg::durability_problem("on", setting), "") << setting;
  }
  const auto off = pg::durability_problem("on", "off");
  EXPECT_NE(off.find("synchronous_commit = off"), std::string::npos) << off;
  const auto no_fsync = pg::durability_problem("off", "on");
  EXPECT_NE(no_fsync.find("fsync = off"), std::string::npos) << no_fsync;
  EXPECT_NE(pg::durability_problem("on", "something new"), "");
}

TEST(postgres_rules, sqlstates_map_to_kinds) {
  using kind = store_error::kind;
  EXPECT_EQ(pg::kind_of("53100"), kind::full);  // disk_full
  for (const auto* busy : {"40001", "40P01", "55P03", "57014"}) {
    EXPECT_EQ(pg::kind_of(busy), kind::busy) << busy;
  }
  EXPECT_EQ(pg::kind_of("XX001"), kind::corrupt);
  EXPECT_EQ(pg::kind_of("XX002"), kind::corrupt);
  for (const auto* io : {"08006", "08001", "57P01", "57P03", "P0001", "53200", "42P01", ""}) {
    EXPECT_EQ(pg::kind_of(io), kind::io) << io;
  }
}

// Needs no server: nothing listens on port 1.
TEST(postgres_rules, an_unreachable_server_is_an_io_error_that_keeps_the_password_out) {
  for (const auto* conninfo :
       {"host=127.0.0.1 port=1 dbname=hearth user=hearth password=canary-7731 connect_timeout=5",
        "postgresql://hearth:canary-7731@127.0.0.1:1/hearth?connect_timeout=5"}) {
    try {
      postgres_store db(conninfo);
      ADD_FAILURE() << "connected to port 1";
    } catch (const store_error& e) {
      EXPECT_EQ(e.which(), store_error::kind::io) << e.what();
      EXPECT_EQ(std::string(e.what()).find("canary"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("connect to PostgreSQL"), std::string::npos);
    }
  }
}

TEST_F(postgres_only, refuses_synchronous_commit_off) {
  EXPECT_EQ(open_fails_with(conninfo("-c synchronous_commit=off"), "synchronous_commit = off"),
            store_error::kind::io);
  // It refused before touching the schema.
  raw_postgres raw(conninfo());
  EXPECT_EQ(raw.text("SELECT to_regclass('schema_migrations')"), "");
  EXPECT_EQ(raw.text("SELECT to_regclass('audit')"), "");
}

TEST_F(postgres_only, accepts_every_synchronous_commit_that_waits_for_the_flush) {
  for (const auto* setting : {"on", "local", "remote_write", "remote_apply"}) {
    SCOPED_TRACE(setting);
    postgres_store db(conninfo(std::string("-c synchronous_commit=") + setting));
    db.commit({entry(1)});
  }
  postgres_store db(conninfo());
  EXPECT_EQ(db.verify_audit().records, 4);
}

TEST_F(postgres_only, migrations_apply_once) {
  {
    postgres_store db(conninfo());
    EXPECT_EQ(db.schema_version(), latest_schema);
    db.commit({entry(1), attendance_open{"room-1", "sub-1", "participant", 1}});
  }
  raw_postgres raw(conninfo());
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), latest_schema);
  const auto applied_at = raw.text("SELECT applied_at_ms FROM schema_migrations WHERE version = 1");
  EXPECT_GT(std::stoll(applied_at), 1'600'000'000'000);  // milliseconds, not seconds
  for (int i = 0; i < 3; ++i) {
    postgres_store db(conninfo());
    EXPECT_EQ(db.schema_version(), latest_schema);
    EXPECT_EQ(db.audit({}).size(), 1U);
    EXPECT_EQ(db.attendance("room-1").size(), 1U);
  }
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), latest_schema);
  EXPECT_EQ(raw.text("SELECT applied_at_ms FROM schema_migrations WHERE version = 1"), applied_at);
}

// Several processes starting on an empty schema at once (the server and the
// command line) migrate it once between them.
TEST_F(postgres_only, simultaneous_first_starts_migrate_once) {
  const auto info = conninfo();
  std::vector<std::thread> starters;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&, i] {
      try {
        postgres_store db(info);
        db.commit({entry(i)});
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        failures.fetch_add(1);
      }
    });
  }
  for (auto& t : starters) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  raw_postgres raw(info);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), latest_schema);
  postgres_store db(info);
  const auto v = db.verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 4);
}

TEST_F(postgres_only, a_search_path_without_a_schema_is_an_io_error) {
  // The later -c wins over the fixture's own search_path.
  EXPECT_EQ(open_fails_with(conninfo("-c search_path=hearth_no_such_schema"), "migrat"),
            store_error::kind::io);
}

// Another session holds the audit table: the commit gives up after
// lock_timeout as busy, applies nothing, and works once the lock is gone.
TEST_F(postgres_only, a_lock_held_elsewhere_makes_the_commit_busy) {
  postgres_store db(conninfo("-c lock_timeout=200"));
  db.commit({entry(1)});
  raw_postgres holder(conninfo());
  holder.exec("BEGIN; LOCK TABLE audit IN ACCESS EXCLUSIVE MODE");
  try {
    db.commit({attendance_open{"room-1", "sub-1", "participant", 2}, entry(2)});
    ADD_FAILURE() << "committed past a held lock";
  } catch (const store_error& e) {
    EXPECT_EQ(e.which(), store_error::kind::busy) << e.what();
  }
  holder.exec("ROLLBACK");
  EXPECT_EQ(db.audit({}).size(), 1U);
  EXPECT_TRUE(db.attendance("room-1").empty());
  db.commit({entry(3)});
  const auto v = db.verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

// The role hearthd runs as can be kept from rewriting history: allowed only to
// read and add audit records (and to read and write attendance, sessions,
// bans and consents, which it never deletes), it works.
TEST_F(postgres_only, runs_as_a_role_that_can_only_append_to_the_audit_trail) {
  {
    postgres_store owner(conninfo());  // the owner migrates
    owner.commit({entry(1)});
  }
  raw_postgres admin(conninfo());
  if (admin.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user") !=
      "t") {
    GTEST_SKIP() << "the HEARTH_TEST_POSTGRES user may not create roles";
  }
  const auto role = schema() + "_app";
  const auto as_role = "user=" + role + " password=append-only";
  admin.exec("CREATE ROLE " + role + " LOGIN PASSWORD 'append-only'");
  const role_guard guard{admin, role};
  admin.exec("GRANT USAGE ON SCHEMA " + schema() + " TO " + role + "; GRANT SELECT ON " +
             "schema_migrations, audit_anchor TO " + role + "; GRANT SELECT, INSERT ON audit TO " +
             role + "; GRANT SELECT, INSERT, UPDATE ON attendance, runs, sessions TO " + role +
             "; GRANT SELECT, INSERT, DELETE ON session_roster TO " + role +
             "; GRANT SELECT, INSERT, UPDATE, DELETE ON bans TO " + role +
             "; GRANT SELECT, INSERT, UPDATE ON consents TO " + role);
  {
    postgres_store app(conninfo("", as_role));
    EXPECT_EQ(app.schema_version(), latest_schema);
    const auto run = app.begin_run(1000);
    app.commit({entry(2), attendance_open{"room-1", "sub-1", "participant", 1100},
                alive_mark{run, 1200}, attendance_close{"room-1", "sub-1", 1300}, entry(3)});
    const auto v = app.verify_audit();
    EXPECT_TRUE(v.ok()) << v.reason;
    EXPECT_EQ(v.records, 3);
    EXPECT_EQ(app.attendance("room-1").at(0).left_at, 1300);
    session_record planned;
    planned.id = "room-1";
    planned.roster = {{"sub-1", "Sam", "participant", "", "", "adult"}};
    app.commit({session_put{planned}});
    planned.version = 2;
    planned.roster = {{"sub-2", "Kim", "participant", "", "", "adult"}};
    app.commit({session_put{planned}, entry(4)});
    EXPECT_EQ(app.session("room-1"), planned);
    app.commit({ban_put{"room-1", "sub-1", "Sam", "participant", "fac-1", 1400},
                ban_put{"room-1", "sub-2", "Kim", "participant", "fac-1", 1500}});
    app.commit({ban_put{"room-1", "sub-1", "Sam", "participant", "fac-2", 1600},
                ban_lift{"room-1", "sub-2"}});
    EXPECT_EQ(app.bans("room-1"),
              (std::vector<ban_record>{{"sub-1", "Sam", "participant", "fac-2", 1600}}));
    app.commit({consent_put{"room-1", "obs-1", "admin_api", "admin", 1700, 9000},
                consent_put{"room-1", "obs-2", "attested", "fac-1", 1700, std::nullopt}, entry(5)});
    app.commit({consent_revoke{"room-1", "obs-1", "admin", 1800}});
    app.commit({consent_put{"room-1", "obs-2", "attested", "fac-2", 1900, std::nullopt}});
    EXPECT_EQ(app.consents("room-1"),
              (std::vector<consent_record>{
                  {"obs-1", "admin_api", "admin", 1700, 9000, 1800, "admin"},
                  {"obs-2", "attested", "fac-2", 1900, std::nullopt, std::nullopt, ""}}));
    // Without DELETE it cannot purge either, and a purge it tries deletes nothing.
    EXPECT_THROW(app.purge({1'000'000, 1'000'000}), store_error);
    EXPECT_EQ(app.bans("room-1").size(), 1U);
    EXPECT_EQ(app.session("room-1"), planned);
  }
  raw_postgres app(conninfo("", as_role));
  EXPECT_THROW(app.exec("UPDATE audit SET detail = 'x' WHERE seq = 1"), std::runtime_error);
  EXPECT_THROW(app.exec("DELETE FROM audit WHERE seq = 3"), std::runtime_error);
  EXPECT_THROW(app.exec("DELETE FROM consents"), std::runtime_error);
  EXPECT_EQ(app.integer("SELECT count(*) FROM audit"), 5);
  EXPECT_EQ(app.integer("SELECT count(*) FROM consents"), 2);
}

// A role that may delete rows but owns no table purges all the same: the
// VACUUM it may not run is skipped (and logged), never an error, and the
// purge stays committed.
TEST_F(postgres_only, a_purge_by_a_role_that_owns_no_table_skips_the_vacuum) {
  {
    postgres_store owner(conninfo());  // the owner migrates
    session_record old;
    old.id = "old";
    old.scheduled_end = 1000;
    old.keep_chat = true;
    owner.commit({session_put{old}});
    owner.commit({kept_chat_put{"old", "e1", 0, 1, "sub-1", "participant", 500, "said"}});
  }
  raw_postgres admin(conninfo());
  if (admin.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user") !=
      "t") {
    GTEST_SKIP() << "the HEARTH_TEST_POSTGRES user may not create roles";
  }
  const auto role = schema() + "_purger";
  admin.exec("CREATE ROLE " + role + " LOGIN PASSWORD 'purger'");
  const role_guard guard{admin, role};
  admin.exec("GRANT USAGE ON SCHEMA " + schema() + " TO " + role +
             "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema() + " TO " +
             role);
  const auto vacuums = [&] {
    return admin.integer(
        "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'kept_chat'::regclass");
  };
  const auto before = vacuums();
  {
    postgres_store app(conninfo("", "user=" + role + " password=purger"));
    EXPECT_EQ(app.purge({5000, std::nullopt}), (purge_report{.sessions = 1, .chat_messages = 1}));
    EXPECT_TRUE(app.kept_chat("old").empty());
  }
  EXPECT_EQ(vacuums(), before);
  EXPECT_EQ(admin.integer("SELECT count(*) FROM kept_chat"), 0);
}

// The server ends the store's session (a restart, a failover, an operator):
// the call that finds out fails as io; the next one connects again.
TEST_F(postgres_only, a_lost_connection_fails_one_call_and_is_made_again) {
  const auto info = conninfo();
  const auto app = schema();  // unique to this test
  postgres_store db(conninfo("", "application_name=" + app));
  db.commit({entry(1)});
  raw_postgres admin(info);
  const auto sessions =
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'";
  ASSERT_EQ(admin.integer(sessions), 1);
  admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
             app + "'");
  for (int i = 0; i < 500 && admin.integer(sessions) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  try {
    db.commit({entry(2)});
    ADD_FAILURE() << "committed on a terminated connection";
  } catch (const store_error& e) {
    EXPECT_EQ(e.which(), store_error::kind::io) << e.what();
  }
  db.commit({entry(3)});
  EXPECT_EQ(admin.integer(sessions), 1);
  const auto v = db.verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

}  // namespace
}  // namespace hearth::store::testing
