#include "server/pg_commit_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>

namespace dh {

PgCommitListener::PgCommitListener(std::string conninfo, std::function<void(uint64_t seq)> on_commit)
    : conninfo_(std::move(conninfo)), on_commit_(std::move(on_commit)) {
  thread_ = std::thread([this] { run(); });
}

PgCommitListener::~PgCommitListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PgCommitListener::run() {
  PGconn* pg = nullptr;
  auto drop = [&] {
    if (pg) PQfinish(pg);
    pg = nullptr;
  };
  auto nap = [&](int ms) {
    for (int slept = 0; slept < ms && !stop_; slept += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  while (!stop_) {
    if (!pg) {
      // At most 3 s per attempt, whatever the connection string says, so a
      // stopping server never waits long for an unreachable database.
      const char* keys[] = {"dbname", "connect_timeout", nullptr};
      const char* values[] = {conninfo_.c_str(), "3", nullptr};
      pg = PQconnectdbParams(keys, values, 1);
      if (!pg || PQstatus(pg) != CONNECTION_OK) {
        drop();
        nap(1000);
        continue;
      }
      PQsetNoticeProcessor(pg, [](void*, const char*) {}, nullptr);
      PGresult* r = PQexec(pg, "LISTEN dianhong_ops");
      const bool listening = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (!listening) {
        drop();
        nap(1000);
        continue;
      }
      // Whatever was committed before LISTEN took effect.
      r = PQexec(pg,
                 "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM dianhong.ops), 0),"
                 " COALESCE((SELECT MAX(seq) FROM dianhong.withdrawn), 0))");
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        on_commit_(std::strtoull(PQgetvalue(r, 0, 0), nullptr, 10));
      }
      PQclear(r);
    }
    pollfd p{PQsocket(pg), POLLIN, 0};
    if (p.fd < 0) {
      drop();
      continue;
    }
    const int ready = ::poll(&p, 1, 250);
    if (ready < 0) continue;
    if (ready > 0 && PQconsumeInput(pg) == 0) {
      drop();  // the connection broke: reconnect (and read the head again)
      continue;
    }
    uint64_t highest = 0;
    while (PGnotify* n = PQnotifies(pg)) {
      const uint64_t seq = std::strtoull(n->extra, nullptr, 10);
      if (seq > highest) highest = seq;
      PQfreemem(n);
    }
    if (highest > 0) on_commit_(highest);
    if (PQstatus(pg) != CONNECTION_OK) drop();
  }
  drop();
}

}  // namespace dh
