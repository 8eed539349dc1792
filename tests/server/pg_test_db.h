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

#ifdef DH_HAVE_LIBPQ
#include <libpq-fe.h>
#include <unistd.h>
#endif

namespace dh::test {

class PgTestDb {
 public:
  PgTestDb() {
#ifndef DH_HAVE_LIBPQ
    why_ = "this build has no libpq (install libpq-dev), so no PostgreSQL store";
#else
    const char* env = std::getenv("DH_TEST_PG");
    if (!env || !*env) {
      why_ = "no PostgreSQL for the tests: DH_TEST_PG is not set (script/test starts one with script/pg)";
      return;
    }
    admin_ = env;
    static std::atomic<int> counter{0};
    name_ = "dh_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    PGconn* c = PQconnectdb(admin_.c_str());
    INFO("DH_TEST_PG is set, so its cluster must answer: " << (c ? PQerrorMessage(c) : "out of memory"));
    REQUIRE((c && PQstatus(c) == CONNECTION_OK));
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    run(c, "DROP DATABASE IF EXISTS " + quoted(c, name_) + " WITH (FORCE)");
    run(c, "CREATE DATABASE " + quoted(c, name_));
    PQfinish(c);
    conninfo_ = with_dbname(admin_, name_);
    available_ = true;
#endif
  }
  ~PgTestDb() {
#ifdef DH_HAVE_LIBPQ
    if (!available_) return;
    PGconn* c = PQconnectdb(admin_.c_str());
    if (c && PQstatus(c) == CONNECTION_OK) {
      PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
      PGresult* r = PQexec(c, ("DROP DATABASE IF EXISTS " + quoted(c, name_) + " WITH (FORCE)").c_str());
      PQclear(r);
    }
    if (c) PQfinish(c);
#endif
  }
  PgTestDb(const PgTestDb&) = delete;
  PgTestDb& operator=(const PgTestDb&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }
  // A keyword/value connection string to the fresh database.
  const std::string& conninfo() const { return conninfo_; }

 private:
#ifdef DH_HAVE_LIBPQ
  // The database name is ours (digits and underscores), quoted all the same.
  static std::string quoted(PGconn* c, const std::string& name) {
    char* q = PQescapeIdentifier(c, name.c_str(), name.size());
    std::string out = q ? q : "";
    PQfreemem(q);
    return out;
  }
  static void run(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    INFO(sql << ": " << PQresultErrorMessage(r));
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    REQUIRE(ok);
  }
  // The admin connection string with another database name.
  static std::string with_dbname(const std::string& conninfo, const std::string& db) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (err) PQfreemem(err);
    REQUIRE(opts != nullptr);
    std::string out;
    auto add = [&](const std::string& k, const std::string& v) {
      std::string e;
      for (char ch : v) {
        if (ch == '\\' || ch == '\'') e += '\\';
        e += ch;
      }
      out += (out.empty() ? "" : " ") + k + "='" + e + "'";
    };
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (std::string(o->keyword) == "dbname") continue;
      if (o->val && *o->val) add(o->keyword, o->val);
    }
    PQconninfoFree(opts);
    add("dbname", db);
    return out;
  }
  std::string admin_, name_;
#endif
  bool available_ = false;
  std::string why_, conninfo_;
};

}  // namespace dh::test
