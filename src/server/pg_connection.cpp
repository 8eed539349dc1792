#include "server/pg_connection.h"

#include <cstring>
#include <string>
#include <utility>

namespace dh {

namespace {

std::string trimmed(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "unknown error" : m;
}

}  // namespace

PgConnection::PgConnection(std::string conninfo, std::string where)
    : conninfo_(std::move(conninfo)), where_(std::move(where)) {}

PgConnection::~PgConnection() {
  if (pg) PQfinish(pg);
}

PGconn* PgConnection::connect_bounded(const std::string& conninfo) {
  // dbname last, expanded: the connection string's own settings override
  // these defaults (libpq processes the keywords in order).
  const std::string timeout = std::to_string(kConnectTimeoutS);
  const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "1", "5", "2", "3", "10000", conninfo.c_str(), nullptr};
  return PQconnectdbParams(keys, values, 1);
}

Status PgConnection::reconnect() {
  if (pg) PQfinish(pg);
  pg = connect_bounded(conninfo_);
  lost_ = false;
  if (!pg || PQstatus(pg) != CONNECTION_OK) {
    std::string why = trimmed(pg ? PQerrorMessage(pg) : "out of memory");
    lost_ = true;
    return make_error("store_error", "Cannot reach the server database " + where_ + ": " + why + ".");
  }
  PQsetNoticeReceiver(pg, &PgConnection::on_notice, this);
  return ok_status();
}

bool PgConnection::usable() const { return pg && !lost_ && PQstatus(pg) == CONNECTION_OK; }

bool PgConnection::is_connection_failure(PGconn* pg, const PGresult* result) {
  if (!pg || PQstatus(pg) != CONNECTION_OK) return true;
  if (!result) return true;  // libpq could not even make a result: out of memory or no connection
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (!state) {
    // An error libpq made itself (no server answer): the connection broke.
    const ExecStatusType s = PQresultStatus(result);
    return s == PGRES_FATAL_ERROR || s == PGRES_BAD_RESPONSE;
  }
  return std::strncmp(state, "08", 2) == 0 || std::strcmp(state, "57P01") == 0 || std::strcmp(state, "57P02") == 0 ||
         std::strcmp(state, "57P03") == 0 || std::strcmp(state, "25006") == 0;
}

bool PgConnection::note_failure(const PGresult* result) {
  if (is_connection_failure(pg, result)) lost_ = true;
  return lost_;
}

void PgConnection::on_notice(void* self, const PGresult* notice) {
  // syncrep.c: "canceling wait for synchronous replication ..." (WARNING):
  // the transaction committed locally but may not be on the standby.
  const char* message = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
  if (message && std::strstr(message, "synchronous replication")) {
    static_cast<PgConnection*>(self)->sync_wait_cancelled_ = true;
  }
}

Status PgConnection::commit() {
  sync_wait_cancelled_ = false;
  PGresult* r = PQexec(pg, "COMMIT");
  // COMMIT of a transaction that had failed answers "ROLLBACK", also OK.
  const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
  std::string why = trimmed(r && PQresultStatus(r) == PGRES_COMMAND_OK ? std::string("it rolled back")
                            : r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
  if (!ok) note_failure(r);
  PQclear(r);
  if (ok && !sync_wait_cancelled_) return ok_status();
  if (ok) {
    // Committed here but perhaps not on the standby: not durable in the
    // sense of the deployment (docs/county-deployment.md). Dropped as lost,
    // so the caller reads the store again after reconnecting.
    lost_ = true;
    return make_error("store_error", "The server database " + where_ +
                                         " committed without its synchronous standby's confirmation; the change "
                                         "is not counted as stored.");
  }
  if (lost_) {
    return make_error("store_error", "The connection to the server database " + where_ +
                                         " was lost while committing, so it is unknown whether the change was "
                                         "stored: " + why + ".");
  }
  return make_error("store_error", "The server database failed while committing: " + why + ".");
}

}  // namespace dh
