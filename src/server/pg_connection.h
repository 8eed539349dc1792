// One libpq connection that knows when it must be replaced, and replaces it
// with the same connection string: the part of PgOpStore (pg_op_store.h) that
// survives a PostgreSQL failover (docs/county-deployment.md).
//
// Contracts
// - Bounded waits: a connect gives up after connect_timeout (kConnectTimeoutS
//   unless the connection string sets its own), and TCP keepalives plus
//   tcp_user_timeout notice a vanished host in about ten seconds, so a
//   request never hangs on a dead database. No statement_timeout and no
//   query cancel: cancelling a COMMIT that waits for the synchronous standby
//   makes PostgreSQL keep it locally and answer success (it only warns).
// - note_failure(result) marks the connection lost when the error means this
//   connection is no use any more: libpq reports CONNECTION_BAD, SQLSTATE
//   class 08 (connection exception), 57P01/57P02/57P03 (the server is
//   shutting down or cannot take connections now), or 25006 (read-only
//   transaction: the server is a standby now, e.g. an old primary that came
//   back as one). usable() is then false, and reconnect() opens a new
//   connection with the same string; with several hosts and
//   target_session_attrs=read-write, libpq tries each and keeps the one that
//   is the primary now.
// - commit() returns success only when COMMIT returned success and
//   PostgreSQL did not warn that it cancelled the wait for the synchronous
//   standby. Every other outcome is an error, "store_error"; when the
//   connection was lost during COMMIT the outcome is unknown (it may have
//   committed), which the error message says: the caller must read the
//   store again before it trusts what it holds in memory.
// - Not thread-safe: its owner serialises the calls (PgOpStore: one mutex
//   per connection).
#pragma once

#include <libpq-fe.h>

#include <string>

#include "core/result.h"

namespace dh {

class PgConnection {
 public:
  static constexpr int kConnectTimeoutS = 5;

  // where: "host:port/db" for messages (never the password).
  PgConnection(std::string conninfo, std::string where);
  virtual ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // (Re)connects: closes the old connection if any and opens a new one.
  Status reconnect();
  // Connected, and nothing has shown that the connection is lost.
  bool usable() const;
  // After a failed statement: marks the connection lost when the error says
  // so (see the top). Returns true then.
  bool note_failure(const PGresult* result);
  // COMMIT of the open transaction (see the top). On error the transaction
  // is over either way (rolled back, or lost with the connection).
  Status commit();

  // PQconnectdbParams with the bounded waits above, conninfo's own settings
  // winning; the caller checks PQstatus and PQfinish-es the result.
  static PGconn* connect_bounded(const std::string& conninfo);
  // True when this error (SQLSTATE, or the connection's state) means the
  // connection must be replaced.
  static bool is_connection_failure(PGconn* pg, const PGresult* result);

  PGconn* pg = nullptr;  // the connection (nullptr before the first connect)

 protected:
  const std::string& where() const { return where_; }

 private:
  static void on_notice(void* self, const PGresult* notice);

  std::string conninfo_;
  std::string where_;
  bool lost_ = false;
  bool sync_wait_cancelled_ = false;  // a WARNING said the commit may not be on the standby
};

}  // namespace dh
