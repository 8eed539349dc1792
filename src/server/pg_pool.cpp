#include "server/pg_pool.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace dh {

namespace {

// The pools whose lease the current thread holds (nested leases: see the top
// of pg_pool.h).
thread_local std::vector<const PgPool*> t_held;

std::string pq_message(PGconn* c) {
  std::string m = c ? PQerrorMessage(c) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "unknown error" : m;
}

Error db_error(const std::string& what, const std::string& detail) {
  return make_error("store_error", "The server's database failed while " + what + ": " + detail + ".");
}

// Notices ("schema already exists, skipping") are not errors: not printed.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string PgPool::describe(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    if (err) PQfreemem(err);
    return "(unreadable connection string)";
  }
  std::string host, port, db;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "host") == 0 || (host.empty() && std::strcmp(o->keyword, "hostaddr") == 0)) host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) db = o->val;
  }
  PQconninfoFree(opts);
  // Several hosts (a failover pair): "h1:p1,h2:p2" (libpq pairs the lists;
  // one port applies to every host).
  auto split = [](const std::string& list) {
    std::vector<std::string> out;
    size_t from = 0;
    for (size_t comma; (comma = list.find(',', from)) != std::string::npos; from = comma + 1)
      out.push_back(list.substr(from, comma - from));
    out.push_back(list.substr(from));
    return out;
  };
  const std::vector<std::string> hosts = split(host.empty() ? "localhost" : host), ports = split(port);
  std::string out;
  for (size_t i = 0; i < hosts.size(); ++i) {
    const std::string& p = ports.size() == hosts.size() ? ports[i] : ports.front();
    out += (i ? "," : "") + hosts[i] + (p.empty() ? "" : ":" + p);
  }
  return out + "/" + db;
}

Status PgPool::Conn::ready() {
  if (usable()) return ok_status();
  prepared.clear();  // a new session has none
  if (auto s = reconnect(); !s) return s;
  PQsetNoticeProcessor(pg, ignore_notice, nullptr);
  if (PQsetClientEncoding(pg, "UTF8") != 0) return db_error("choosing UTF-8", pq_message(pg));
  PGresult* r = PQexec(pg, "SHOW synchronous_commit");
  const bool read = PQresultStatus(r) == PGRES_TUPLES_OK;
  const bool off = read && PQntuples(r) == 1 && std::strcmp(PQgetvalue(r, 0, 0), "off") == 0;
  std::string why = read ? "" : PQresultErrorMessage(r);
  PQclear(r);
  if (!read) {
    note_failure(nullptr);
    return db_error("reading synchronous_commit", why);
  }
  if (off) {
    r = PQexec(pg, "SET synchronous_commit TO on");
    const bool set = PQresultStatus(r) == PGRES_COMMAND_OK;
    why = set ? "" : PQresultErrorMessage(r);
    PQclear(r);
    if (!set) return db_error("setting synchronous_commit", why);
  }
  return ok_status();
}

PgPool::Lease& PgPool::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    release();
    pool_ = o.pool_;
    conn_ = o.conn_;
    o.pool_ = nullptr;
    o.conn_ = nullptr;
  }
  return *this;
}

void PgPool::Lease::release() {
  if (pool_ && conn_) pool_->give_back(conn_);
  pool_ = nullptr;
  conn_ = nullptr;
}

bool PgPool::is_schema_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string PgPool::in_schema(const std::string& sql, const std::string& schema) {
  std::string out = sql;
  if (schema == "dianhong") return out;
  const std::string from = "dianhong.", to = schema + ".";
  for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
    out.replace(at, from.size(), to);
  }
  const std::string create = "SCHEMA IF NOT EXISTS dianhong;";
  if (size_t at = out.find(create); at != std::string::npos) {
    out.replace(at, create.size(), "SCHEMA IF NOT EXISTS " + schema + ";");
  }
  return out;
}

std::string PgPool::commit_payload(const std::string& schema, uint64_t seq) {
  return schema + " " + std::to_string(seq);
}

Result<std::shared_ptr<PgPool>> PgPool::open(const std::string& conninfo, size_t size) {
  {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (!opts) {
      std::string why = err ? err : "unreadable";
      if (err) PQfreemem(err);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return make_error("store_error", "The PostgreSQL connection string cannot be read: " + why + ".");
    }
    PQconninfoFree(opts);
  }
  std::shared_ptr<PgPool> pool(new PgPool());
  pool->conninfo_ = conninfo;
  pool->where_ = describe(conninfo);
  pool->size_ = std::max<size_t>(size, 1);
  auto first = std::make_unique<Conn>(conninfo, pool->where_);
  if (auto s = first->ready(); !s) {
    return make_error("store_error", "Cannot open the server database " + pool->where_ + ": " + s.error().message);
  }
  pool->idle_.push_back(first.get());
  pool->all_.push_back(std::move(first));
  return pool;
}

PgPool::~PgPool() {
  stop_ = true;
  if (listener_.joinable()) listener_.join();
}

size_t PgPool::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_.size();
}

Result<PgPool::Lease> PgPool::lease() {
  const bool nested = std::find(t_held.begin(), t_held.end(), this) != t_held.end();
  Conn* c = nullptr;
  bool open_new = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (!idle_.empty()) {
        c = idle_.back();
        idle_.pop_back();
        break;
      }
      const size_t cap = nested ? 2 * size_ : size_;
      if (all_.size() + opening_ < cap) {
        ++opening_;
        open_new = true;
        break;
      }
      freed_.wait(lock);
    }
  }
  if (open_new) {
    auto fresh = std::make_unique<Conn>(conninfo_, where_);
    Status s = fresh->ready();
    std::lock_guard<std::mutex> lock(mu_);
    --opening_;
    if (!s) {
      freed_.notify_one();  // another waiter may try
      return s.error();
    }
    c = fresh.get();
    all_.push_back(std::move(fresh));
  } else if (auto s = c->ready(); !s) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(c);
    }
    freed_.notify_one();
    return s.error();
  }
  t_held.push_back(this);
  return Lease(this, c);
}

void PgPool::give_back(Conn* c) {
  auto it = std::find(t_held.begin(), t_held.end(), this);
  if (it != t_held.end()) t_held.erase(it);
  std::unique_ptr<Conn> surplus;  // closed outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (all_.size() > size_) {
      // An extra one for a nested lease: the pool goes back to its size.
      auto it = std::find_if(all_.begin(), all_.end(), [c](const std::unique_ptr<Conn>& p) { return p.get() == c; });
      surplus = std::move(*it);
      all_.erase(it);
    } else {
      idle_.push_back(c);
    }
  }
  freed_.notify_one();
}

uint64_t PgPool::watch(const std::string& schema, const std::string& head_sql,
                       std::function<void(uint64_t)> on_commit) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  const uint64_t id = next_watch_++;
  watches_[id] = Watch{schema, head_sql, std::move(on_commit), true};
  if (!listener_.joinable()) listener_ = std::thread([this] { listen_loop(); });
  return id;
}

void PgPool::unwatch(uint64_t id) {
  std::lock_guard<std::mutex> lock(watch_mu_);  // waits for a running on_commit
  watches_.erase(id);
}

void PgPool::listen_loop() {
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
      PQsetNoticeProcessor(pg, ignore_notice, nullptr);
      PGresult* r = PQexec(pg, (std::string("LISTEN ") + kChannel).c_str());
      const bool listening = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (!listening) {
        drop();
        nap(1000);
        continue;
      }
      // Whatever was committed before LISTEN took effect: every watch reads
      // its head again.
      std::lock_guard<std::mutex> lock(watch_mu_);
      for (auto& [id, w] : watches_) w.needs_head = true;
    }
    {
      // New watches (and all of them after a reconnect): their heads.
      std::lock_guard<std::mutex> lock(watch_mu_);
      for (auto& [id, w] : watches_) {
        if (!w.needs_head) continue;
        PGresult* r = PQexec(pg, w.head_sql.c_str());
        const bool read = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        const uint64_t head = read ? std::strtoull(PQgetvalue(r, 0, 0), nullptr, 10) : 0;
        PQclear(r);
        if (!read) break;  // tried again on the next turn (or after a reconnect)
        w.needs_head = false;
        if (head > 0) w.on_commit(head);
      }
    }
    if (PQstatus(pg) != CONNECTION_OK) {
      drop();
      continue;
    }
    pollfd p{PQsocket(pg), POLLIN, 0};
    if (p.fd < 0) {
      drop();
      continue;
    }
    const int ready = ::poll(&p, 1, 250);
    if (ready < 0) continue;
    if (ready > 0 && PQconsumeInput(pg) == 0) {
      drop();  // the connection broke: reconnect (and read the heads again)
      continue;
    }
    std::map<std::string, uint64_t> highest;  // schema -> last seq heard
    while (PGnotify* n = PQnotifies(pg)) {
      const char* payload = n->extra;
      const char* space = std::strchr(payload, ' ');
      if (space) {
        const uint64_t seq = std::strtoull(space + 1, nullptr, 10);
        uint64_t& h = highest[std::string(payload, static_cast<size_t>(space - payload))];
        h = std::max(h, seq);
      }
      PQfreemem(n);
    }
    if (!highest.empty()) {
      std::lock_guard<std::mutex> lock(watch_mu_);
      for (auto& [id, w] : watches_) {
        auto it = highest.find(w.schema);
        if (it != highest.end() && it->second > 0) w.on_commit(it->second);
      }
    }
    if (PQstatus(pg) != CONNECTION_OK) drop();
  }
  drop();
}

}  // namespace dh
