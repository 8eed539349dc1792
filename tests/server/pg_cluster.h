// Test helper without Catch2 (benchmarks include it too): databases on the
// test PostgreSQL cluster named by $DH_TEST_PG (script/pg starts one).
#pragma once

#include <string>

#ifdef DH_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

namespace dh::test {

// The cluster's admin connection string, "" when none is set.
inline std::string test_pg_admin() {
  const char* env = std::getenv("DH_TEST_PG");
  return env ? env : "";
}

#ifdef DH_HAVE_LIBPQ
// conninfo with another database name, as a keyword/value string.
// "" when conninfo cannot be read.
inline std::string pg_conninfo_with_dbname(const std::string& conninfo, const std::string& db) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return "";
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

// Runs commands without parameters on the admin connection; "" or the error.
// `fresh`: drop the database first; else keep it when it exists.
inline std::string pg_make_database(const std::string& admin, const std::string& name, bool fresh) {
  PGconn* c = PQconnectdb(admin.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    std::string why = c ? PQerrorMessage(c) : "out of memory";
    if (c) PQfinish(c);
    return "cannot reach the test PostgreSQL (DH_TEST_PG): " + why;
  }
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  char* q = PQescapeIdentifier(c, name.c_str(), name.size());
  const std::string quoted = q ? q : "";
  PQfreemem(q);
  std::string error;
  auto run = [&](const std::string& sql) {
    if (!error.empty()) return;
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = sql + ": " + PQresultErrorMessage(r);
    PQclear(r);
  };
  if (fresh) run("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
  bool exists = false;
  if (!fresh && error.empty()) {
    const char* v[1] = {name.c_str()};
    PGresult* r = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, v, nullptr, nullptr, 0);
    exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
  }
  if (!exists) run("CREATE DATABASE " + quoted);
  PQfinish(c);
  return error;
}

// The first cell of a query's answer on conninfo, or "ERROR: ..." .
inline std::string pg_value(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    std::string why = c ? PQerrorMessage(c) : "out of memory";
    if (c) PQfinish(c);
    return "ERROR: " + why;
  }
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    out = std::string("ERROR: ") + PQresultErrorMessage(r);
  } else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
    out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

inline void pg_drop_database(const std::string& admin, const std::string& name) {
  PGconn* c = PQconnectdb(admin.c_str());
  if (c && PQstatus(c) == CONNECTION_OK) {
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    char* q = PQescapeIdentifier(c, name.c_str(), name.size());
    PGresult* r = PQexec(c, ("DROP DATABASE IF EXISTS " + std::string(q ? q : "") + " WITH (FORCE)").c_str());
    PQfreemem(q);
    PQclear(r);
  }
  if (c) PQfinish(c);
}
#endif

}  // namespace dh::test
