// Test helper: a fresh, empty PostgreSQL database for one test, on the
// cluster named by $DH_TEST_PG (a connection string whose user may CREATE
// DATABASE; script/test starts a throwaway cluster with script/pg and sets
// it). Dropped again by the destructor.
//
// Without $DH_TEST_PG, or in a build without libpq, available() is false and
// why() says so: the caller skips with DH_SKIP (tests/skip.h). With
// $DH_TEST_PG set, a cluster that cannot be reached is a failure, not a skip.
#pragma once

#include <atomic>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "pg_cluster.h"

namespace dh::test {

class PgTestDb {
 public:
  PgTestDb() {
#ifndef DH_HAVE_LIBPQ
    why_ = "this build has no libpq (install libpq-dev), so no PostgreSQL store";
#else
    admin_ = test_pg_admin();
    if (admin_.empty()) {
      why_ = "no PostgreSQL for the tests: DH_TEST_PG is not set (script/test starts one with script/pg)";
      return;
    }
    static std::atomic<int> counter{0};
    name_ = "dh_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const std::string error = pg_make_database(admin_, name_, true);
    INFO("DH_TEST_PG is set, so its cluster must answer: " << error);
    REQUIRE(error.empty());
    conninfo_ = pg_conninfo_with_dbname(admin_, name_);
    REQUIRE_FALSE(conninfo_.empty());
    available_ = true;
#endif
  }
  ~PgTestDb() {
#ifdef DH_HAVE_LIBPQ
    if (available_) pg_drop_database(admin_, name_);
#endif
  }
  PgTestDb(const PgTestDb&) = delete;
  PgTestDb& operator=(const PgTestDb&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }
  // A keyword/value connection string to the fresh database.
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::string admin_, name_;
  bool available_ = false;
  std::string why_, conninfo_;
};

}  // namespace dh::test
