#include "server/pg_op_store.h"

#include "server/pg_commit_listener.h"

#include <libpq-fe.h>

#include "server/pg_connection.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace dh {

namespace {

// The prepared statements, by name; every connection prepares all of them.
struct Statement {
  const char* name;
  const char* sql;
  int params;
};

// The highest seq given out: operations and withdrawals share the sequence.
constexpr const char* kHeadSql =
    "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM dianhong.ops), 0),"
    " COALESCE((SELECT MAX(seq) FROM dianhong.withdrawn), 0))";

constexpr Statement kStatements[] = {
    {"lock", "SELECT pg_advisory_xact_lock($1::bigint)", 1},
    {"next_seq",
     kHeadSql,
     0},
    {"insert_rejected",
     "INSERT INTO dianhong.rejected(op_id, body, code, reason, rejected_ms, pushed_by)"
     " VALUES($1, $2, $3, $4, $5::bigint, $6) ON CONFLICT (op_id) DO NOTHING",
     6},
    // A whole batch in one statement: one array parameter per column (one
    // round trip instead of one per row). Rows are inserted in array order.
    {"insert_ops",
     "INSERT INTO dianhong.ops(seq, op_id, device, dev_seq, hlc, author, type, body, received_ms, pushed_by)"
     " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],"
     " $7::text[], $8::text[], $9::bigint[], $10::text[])",
     10},
    {"insert_rejections",
     "INSERT INTO dianhong.rejected(op_id, body, code, reason, rejected_ms, pushed_by)"
     " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])"
     " ON CONFLICT (op_id) DO NOTHING",
     6},
    {"notify", "SELECT pg_notify('dianhong_ops', $1)", 1},
    {"insert_withdrawn",
     "INSERT INTO dianhong.withdrawn(seq, op_id, code, reason, withdrawn_ms)"
     " VALUES($1::bigint, $2, $3, $4, $5::bigint)",
     5},
    {"read_ops", "SELECT seq, body, pushed_by FROM dianhong.ops WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint",
     2},
    {"read_withdrawn",
     "SELECT seq, op_id, code, reason FROM dianhong.withdrawn WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint",
     2},
    // Both lists in one statement, so from one snapshot (read_page).
    {"read_page",
     "(SELECT 0 AS kind, seq, body AS a, pushed_by AS b, '' AS c FROM dianhong.ops"
     "  WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint)"
     " UNION ALL "
     "(SELECT 1, seq, op_id, code, reason FROM dianhong.withdrawn"
     "  WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint)",
     2},
    {"scan", "SELECT seq, body FROM dianhong.ops WHERE seq > $1::bigint ORDER BY seq LIMIT 1000", 1},
    {"find", "SELECT seq, body, pushed_by FROM dianhong.ops WHERE op_id = $1", 1},
    {"find_rejection", "SELECT body, code, reason, rejected_ms, pushed_by FROM dianhong.rejected WHERE op_id = $1", 1},
    // A push's ids at once, in both tables (at most kMaxPushOps ids).
    {"find_many",
     "SELECT i.ord, o.seq, o.body, o.pushed_by, r.body, r.code, r.reason, r.rejected_ms, r.pushed_by,"
     " o.op_id IS NOT NULL, r.op_id IS NOT NULL"
     " FROM unnest($1::text[]) WITH ORDINALITY AS i(id, ord)"
     " LEFT JOIN dianhong.ops o ON o.op_id = i.id"
     " LEFT JOIN dianhong.rejected r ON r.op_id = i.id",
     1},
    {"find_withdrawn", "SELECT seq FROM dianhong.withdrawn WHERE op_id = $1", 1},
    {"count_ops", "SELECT COUNT(*) FROM dianhong.ops", 0},
    {"count_rejected", "SELECT COUNT(*) FROM dianhong.rejected", 0},
    {"head",
     kHeadSql,
     0},
    {"get_upstream", "SELECT value FROM dianhong.upstream WHERE name = $1", 1},
    {"set_upstream",
     "INSERT INTO dianhong.upstream(name, value) VALUES($1, $2)"
     " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
     2},
};

// Created once per database, under the append lock (two servers starting at
// once would otherwise race on CREATE ... IF NOT EXISTS).
constexpr const char* kSchemaVersion = "1";
constexpr const char* kSchema =
    "CREATE SCHEMA IF NOT EXISTS dianhong;"
    "CREATE TABLE IF NOT EXISTS dianhong.ops("
    " seq BIGINT PRIMARY KEY,"
    " op_id TEXT NOT NULL UNIQUE,"
    " device TEXT NOT NULL,"
    " dev_seq BIGINT NOT NULL,"
    " hlc TEXT NOT NULL,"
    " author TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " received_ms BIGINT NOT NULL,"
    " pushed_by TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS dianhong.rejected("
    " op_id TEXT PRIMARY KEY,"
    " body TEXT NOT NULL,"
    " code TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " rejected_ms BIGINT NOT NULL,"
    " pushed_by TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS dianhong.withdrawn("
    " seq BIGINT PRIMARY KEY,"
    " op_id TEXT NOT NULL UNIQUE,"
    " code TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " withdrawn_ms BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dianhong.upstream("
    " name TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dianhong.meta("
    " name TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "INSERT INTO dianhong.meta(name, value) VALUES('schema_version', '1') ON CONFLICT (name) DO NOTHING;";

std::string pq_message(PGconn* c) {
  std::string m = c ? PQerrorMessage(c) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "unknown error" : m;
}

// A PGresult that clears itself.
class Res {
 public:
  explicit Res(PGresult* r = nullptr) : r_(r) {}
  ~Res() { PQclear(r_); }
  Res(Res&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Res& operator=(Res&& o) noexcept {
    if (this != &o) {
      PQclear(r_);
      r_ = o.r_;
      o.r_ = nullptr;
    }
    return *this;
  }
  PGresult* get() const { return r_; }
  bool ok() const {
    auto s = PQresultStatus(r_);
    return r_ && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
  }
  int rows() const { return PQntuples(r_); }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  uint64_t u64(int row, int col) const { return std::strtoull(PQgetvalue(r_, row, col), nullptr, 10); }
  int64_t i64(int row, int col) const { return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }
  std::string message() const {
    std::string m = r_ ? PQresultErrorMessage(r_) : "no result";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m.empty() ? "unknown error" : m;
  }

 private:
  PGresult* r_;
};

Error db_error(const std::string& what, const std::string& detail) {
  return make_error("store_error", "The server's database failed while " + what + ": " + detail + ".");
}

// A PostgreSQL array literal, built up element by element: a parameter's
// value (data never becomes SQL). Text elements are quoted, with " and a
// backslash escaped by a backslash; numbers are written as they are.
class ArrayParam {
 public:
  void add_text(const std::string& v) {
    sep();
    out_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }
  void add_number(int64_t v) {
    sep();
    out_ += std::to_string(v);
  }
  const std::string& text() {
    if (!closed_) {
      out_ += '}';
      closed_ = true;
    }
    return out_;
  }

 private:
  void sep() {
    if (out_.size() > 1) out_ += ',';
  }
  std::string out_ = "{";
  bool closed_ = false;
};

// Notices ("schema already exists, skipping") are not errors: not printed.
void ignore_notice(void*, const char*) {}

}  // namespace

// A connection (pg_connection.h: it notices a lost connection or a server
// that is no longer the primary, and reconnects) with its mutex and its
// prepared statements.
struct PgOpStore::Conn : PgConnection {
  using PgConnection::PgConnection;
  std::mutex mu;
  // Read connections: a statement that fails because the connection was lost
  // is run once more on a new connection (reads change nothing).
  bool retry_reads = false;

  // After a connect or a reset: UTF-8, synchronous commits, the statements.
  Status setup() {
    PQsetNoticeProcessor(pg, ignore_notice, nullptr);
    if (PQsetClientEncoding(pg, "UTF8") != 0) return db_error("choosing UTF-8", pq_message(pg));
    {
      Res r(PQexec(pg, "SHOW synchronous_commit"));
      if (!r.ok()) return db_error("reading synchronous_commit", r.message());
      if (r.rows() == 1 && r.text(0, 0) == "off") {
        Res set(PQexec(pg, "SET synchronous_commit TO on"));
        if (!set.ok()) return db_error("setting synchronous_commit", set.message());
      }
    }
    return ok_status();
  }
  Status prepare_all() {
    for (const Statement& s : kStatements) {
      Res r(PQprepare(pg, s.name, s.sql, s.params, nullptr));
      if (!r.ok()) return db_error(std::string("preparing statement ") + s.name, r.message());
    }
    return ok_status();
  }
  // Reconnects a lost connection (the server restarted or failed over):
  // with the same connection string, so to whichever host is the primary.
  Status ready() {
    if (usable()) return ok_status();
    if (auto s = reconnect(); !s) return s;
    if (auto s = setup(); !s) return s;
    return prepare_all();
  }
  // Runs a prepared statement with text parameters; on a read connection
  // outside a transaction, once more after a lost connection.
  Res run(const char* name, std::initializer_list<const std::string*> params) {
    const bool idle = PQtransactionStatus(pg) == PQTRANS_IDLE;
    Res r = run_once(name, params);
    if (r.ok() || !note_failure(r.get()) || !retry_reads || !idle || !ready()) return r;
    return run_once(name, params);
  }
  Res run_once(const char* name, std::initializer_list<const std::string*> params) {
    const char* values[16];
    int lengths[16];
    int n = 0;
    for (const std::string* p : params) {
      values[n] = p->c_str();
      lengths[n] = static_cast<int>(p->size());
      ++n;
    }
    return Res(PQexecPrepared(pg, name, n, values, lengths, nullptr, 0));
  }
  // A command without parameters or data (BEGIN, COMMIT, ROLLBACK).
  Status exec(const char* sql, const char* what) {
    Res r(PQexec(pg, sql));
    if (!r.ok()) {
      note_failure(r.get());
      return db_error(what, r.message());
    }
    return ok_status();
  }
  // BEGIN, once more on a new connection if the old one turns out lost
  // (nothing was sent in it yet, so nothing can be half done).
  Status begin() {
    if (auto s = exec("BEGIN", "starting a transaction"); s || usable()) return s;
    if (auto s = ready(); !s) return s;
    return exec("BEGIN", "starting a transaction");
  }
  void rollback() { Res r(PQexec(pg, "ROLLBACK")); }
};

Result<std::unique_ptr<PgOpStore::Conn>> PgOpStore::connect(const std::string& conninfo, const std::string& where,
                                                             bool prepare) {
  auto c = std::make_unique<PgOpStore::Conn>(conninfo, where);
  if (auto s = c->reconnect(); !s) {
    return make_error("store_error", "Cannot open the server database " + where + ": " + pq_message(c->pg) + ".");
  }
  if (auto s = c->setup(); !s) return s.error();
  if (prepare) {
    if (auto s = c->prepare_all(); !s) return s.error();
  }
  return c;
}

std::string PgOpStore::describe(const std::string& conninfo) {
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

PgOpStore::~PgOpStore() { listener_.reset(); }

Result<std::unique_ptr<PgOpStore>> PgOpStore::open(const std::string& conninfo) {
  std::unique_ptr<PgOpStore> store(new PgOpStore());
  store->where_ = describe(conninfo);
  store->conninfo_ = conninfo;
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
  auto w = connect(conninfo, store->where_, false);
  if (!w) return w.error();
  store->writer_ = std::move(w).value();
  Conn& c = *store->writer_;
  // The schema, under the append lock; then its version.
  if (auto s = c.begin(); !s) return s.error();
  {
    const std::string key = std::to_string(kAppendLockKey);
    const char* v[1] = {key.c_str()};
    Res lock(PQexecParams(c.pg, "SELECT pg_advisory_xact_lock($1::bigint)", 1, nullptr, v, nullptr, nullptr, 0));
    if (!lock.ok()) {
      c.rollback();
      return db_error("taking the append lock", lock.message());
    }
  }
  if (auto s = c.exec(kSchema, "creating its tables"); !s) {
    c.rollback();
    return s.error();
  }
  {
    Res v(PQexec(c.pg, "SELECT value FROM dianhong.meta WHERE name = 'schema_version'"));
    if (!v.ok() || v.rows() != 1) {
      c.rollback();
      return db_error("reading its version", v.message());
    }
    if (v.text(0, 0) != kSchemaVersion) {
      c.rollback();
      return make_error("store_error", "The server database " + store->where_ + " has schema version " +
                                           v.text(0, 0) + ", not this server's (" + kSchemaVersion +
                                           "). Use a matching server.");
    }
  }
  if (auto s = c.exec("COMMIT", "committing its tables"); !s) return s.error();
  if (auto s = c.prepare_all(); !s) return s.error();
  constexpr int kReaders = 4;
  for (int i = 0; i < kReaders; ++i) {
    auto r = connect(conninfo, store->where_, true);
    if (!r) return r.error();
    r.value()->retry_reads = true;
    store->readers_.push_back(std::move(r).value());
  }
  store->durable_seq_ = store->head();
  return store;
}

Result<std::pair<PgOpStore::Conn*, std::unique_lock<std::mutex>>> PgOpStore::lease_reader() {
  const size_t n = readers_.size();
  const size_t start = next_reader_.fetch_add(1) % n;
  Conn* c = nullptr;
  std::unique_lock<std::mutex> lock;
  for (size_t k = 0; k < n && !c; ++k) {
    Conn* candidate = readers_[(start + k) % n].get();
    std::unique_lock<std::mutex> l(candidate->mu, std::try_to_lock);
    if (l.owns_lock()) {
      c = candidate;
      lock = std::move(l);
    }
  }
  if (!c) {
    c = readers_[start].get();
    lock = std::unique_lock<std::mutex>(c->mu);
  }
  if (auto s = c->ready(); !s) return s.error();
  return std::make_pair(c, std::move(lock));
}

Result<std::unique_lock<std::mutex>> PgOpStore::lock_writer() {
  std::unique_lock<std::mutex> lock(writer_->mu);
  if (auto s = writer_->ready(); !s) return s.error();
  return lock;
}

void PgOpStore::note_commit(uint64_t last_seq) {
  ++committed_ticket_;
  uint64_t seen = durable_seq_.load();
  while (last_seq > seen && !durable_seq_.compare_exchange_weak(seen, last_seq)) {
  }
}

Status PgOpStore::wait_durable(uint64_t) {
  // COMMIT returned after PostgreSQL flushed it (synchronous_commit on).
  return ok_status();
}

Result<OpStore::Pending> PgOpStore::append_pending(const std::vector<NewOp>& ops,
                                                   const std::vector<Rejection>& rejections) {
  if (ops.empty() && rejections.empty()) return Pending{};
  return transact(0, false, [&](const Page&) -> Result<Batch> { return Batch{ops, rejections}; });
}

Result<OpStore::Pending> PgOpStore::append_after(uint64_t after,
                                                 const std::function<Result<Batch>(const Page& tail)>& decide) {
  return transact(after, true, decide);
}

Result<OpStore::Pending> PgOpStore::transact(uint64_t after, bool read_tail,
                                             const std::function<Result<Batch>(const Page& tail)>& decide) {
  Pending pending;
  auto locked = lock_writer();
  if (!locked) return locked.error();
  Conn& c = *writer_;
  if (auto s = c.begin(); !s) return s.error();
  auto fail = [&](const std::string& what, const Res& r) {
    Error e = db_error(what, r.message());
    c.rollback();
    return e;
  };
  // Serialises appenders across processes until COMMIT: seqs commit in
  // order, and refusals are recorded after every earlier decision is visible.
  const std::string key = std::to_string(kAppendLockKey);
  Res lock = c.run("lock", {&key});
  if (!lock.ok()) return fail("taking the append lock", lock);
  // The catch-up: what other processes committed after `after`. Nobody can
  // append while we hold the lock, so page by page is one consistent view.
  Page tail;
  if (read_tail) {
    const std::string l = "1000";
    for (uint64_t from = after;;) {
      const std::string a = std::to_string(from);
      Res r = c.run("read_ops", {&a, &l});
      if (!r.ok()) return fail("reading operations", r);
      for (int i = 0; i < r.rows(); ++i) tail.rows.push_back(Row{r.u64(i, 0), r.text(i, 1), r.text(i, 2)});
      if (r.rows() < 1000) break;
      from = tail.rows.back().seq;
    }
    for (uint64_t from = after;;) {
      const std::string a = std::to_string(from);
      Res r = c.run("read_withdrawn", {&a, &l});
      if (!r.ok()) return fail("reading withdrawals", r);
      for (int i = 0; i < r.rows(); ++i)
        tail.withdrawals.push_back(Withdrawal{r.u64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
      if (r.rows() < 1000) break;
      from = tail.withdrawals.back().seq;
    }
  }
  auto decided = decide(tail);
  if (!decided) {
    c.rollback();
    return decided.error();
  }
  const std::vector<NewOp>& ops = decided->ops;
  const std::vector<Rejection>& rejections = decided->rejections;
  if (ops.empty() && rejections.empty()) {
    c.rollback();
    return pending;
  }
  uint64_t seq = 0;
  if (!ops.empty()) {
    Res next = c.run("next_seq", {});
    if (!next.ok() || next.rows() != 1) return fail("taking a sequence number", next);
    seq = next.u64(0, 0);
  }
  pending.seqs.reserve(ops.size());
  if (!ops.empty()) {
    ArrayParam seq_a, id_a, device_a, dev_seq_a, hlc_a, author_a, type_a, body_a, received_a, by_a;
    for (const NewOp& n : ops) {
      ++seq;
      pending.seqs.push_back(seq);
      seq_a.add_number(static_cast<int64_t>(seq));
      id_a.add_text(n.op->id.to_string());
      device_a.add_text(n.op->id.device);
      dev_seq_a.add_number(static_cast<int64_t>(n.op->id.seq));
      hlc_a.add_text(n.op->hlc.to_string());
      author_a.add_text(n.op->author);
      type_a.add_text(n.op->type);
      body_a.add_text(n.body);
      received_a.add_number(n.received_ms);
      by_a.add_text(n.pushed_by);
    }
    Res r = c.run("insert_ops", {&seq_a.text(), &id_a.text(), &device_a.text(), &dev_seq_a.text(), &hlc_a.text(),
                                 &author_a.text(), &type_a.text(), &body_a.text(), &received_a.text(), &by_a.text()});
    if (!r.ok()) {
      const std::string first = ops.front().op->id.to_string();
      return fail(ops.size() == 1 ? "storing operation " + first
                                  : "storing " + std::to_string(ops.size()) + " operations from " + first,
                  r);
    }
    // The push channel of the other processes (pg_commit_listener.h): sent
    // at COMMIT, so a listener never hears of a seq it cannot read yet.
    const std::string last = std::to_string(seq);
    Res n = c.run("notify", {&last});
    if (!n.ok()) return fail("announcing new operations", n);
  }
  if (!rejections.empty()) {
    ArrayParam id_a, body_a, code_a, reason_a, at_a, by_a;
    for (const Rejection& rej : rejections) {
      id_a.add_text(rej.op_id);
      body_a.add_text(rej.body);
      code_a.add_text(rej.code);
      reason_a.add_text(rej.reason);
      at_a.add_number(rej.rejected_ms);
      by_a.add_text(rej.pushed_by);
    }
    Res r = c.run("insert_rejections",
                  {&id_a.text(), &body_a.text(), &code_a.text(), &reason_a.text(), &at_a.text(), &by_a.text()});
    if (!r.ok()) return fail("recording the refusal of operation " + rejections.front().op_id, r);
  }
  if (auto s = c.commit(); !s) return s.error();  // never "stored" unless COMMIT said so
  note_commit(pending.seqs.empty() ? 0 : pending.seqs.back());
  pending.ticket = committed_ticket_.load();
  return pending;
}

void PgOpStore::watch_commits(std::function<void(uint64_t seq)> on_commit) {
  listener_.reset();  // stops and joins the old one
  if (on_commit) listener_ = std::make_unique<PgCommitListener>(conninfo_, std::move(on_commit));
}

Result<std::vector<OpStore::Row>> PgOpStore::read_after(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Conn& c = *lease->first;
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = c.run("read_ops", {&a, &l});
  if (!r.ok()) return db_error("reading operations", r.message());
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(Row{r.u64(i, 0), r.text(i, 1), r.text(i, 2)});
  return rows;
}

Result<std::vector<OpStore::Withdrawal>> PgOpStore::withdrawals_after(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Conn& c = *lease->first;
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = c.run("read_withdrawn", {&a, &l});
  if (!r.ok()) return db_error("reading withdrawals", r.message());
  std::vector<Withdrawal> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(Withdrawal{r.u64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
  return out;
}

Result<OpStore::Page> PgOpStore::read_page(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Conn& c = *lease->first;
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = c.run("read_page", {&a, &l});
  if (!r.ok()) return db_error("reading operations", r.message());
  Page page;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.text(i, 0) == "0") {
      page.rows.push_back(Row{r.u64(i, 1), r.text(i, 2), r.text(i, 3)});
    } else {
      page.withdrawals.push_back(Withdrawal{r.u64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
    }
  }
  // Each part of the UNION ALL is ordered; their concatenation may not be.
  auto by_seq = [](const auto& x, const auto& y) { return x.seq < y.seq; };
  std::sort(page.rows.begin(), page.rows.end(), by_seq);
  std::sort(page.withdrawals.begin(), page.withdrawals.end(), by_seq);
  return page;
}

Result<std::optional<OpStore::Row>> PgOpStore::find(const std::string& op_id) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = lease->first->run("find", {&op_id});
  if (!r.ok()) return db_error("looking up an operation id", r.message());
  if (r.rows() == 0) return std::optional<Row>();
  return std::optional<Row>(Row{r.u64(0, 0), r.text(0, 1), r.text(0, 2)});
}

Result<std::optional<OpStore::Rejection>> PgOpStore::find_rejection(const std::string& op_id) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = lease->first->run("find_rejection", {&op_id});
  if (!r.ok()) return db_error("looking up a refused operation", r.message());
  if (r.rows() == 0) return std::optional<Rejection>();
  return std::optional<Rejection>(Rejection{op_id, r.text(0, 0), r.text(0, 1), r.text(0, 2), r.i64(0, 3), r.text(0, 4)});
}

Result<std::vector<OpStore::Known>> PgOpStore::find_many(const std::vector<std::string>& op_ids) {
  std::vector<Known> out(op_ids.size());
  if (op_ids.empty()) return out;
  ArrayParam ids;
  for (const std::string& id : op_ids) ids.add_text(id);
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = lease->first->run("find_many", {&ids.text()});
  if (!r.ok()) return db_error("looking up operation ids", r.message());
  for (int row = 0; row < r.rows(); ++row) {
    const uint64_t ord = r.u64(row, 0);
    if (ord < 1 || ord > out.size()) return db_error("looking up operation ids", "an answer out of range");
    Known& k = out[ord - 1];
    if (r.text(row, 9) == "t") k.stored = Row{r.u64(row, 1), r.text(row, 2), r.text(row, 3)};
    if (r.text(row, 10) == "t") {
      k.refused = Rejection{op_ids[ord - 1], r.text(row, 4), r.text(row, 5), r.text(row, 6), r.i64(row, 7),
                            r.text(row, 8)};
    }
  }
  return out;
}

uint64_t PgOpStore::rejection_count() {
  auto lease = lease_reader();
  if (!lease) return 0;
  Res r = lease->first->run("count_rejected", {});
  return r.ok() && r.rows() == 1 ? r.u64(0, 0) : 0;
}

uint64_t PgOpStore::count() {
  auto lease = lease_reader();
  if (!lease) return 0;
  Res r = lease->first->run("count_ops", {});
  return r.ok() && r.rows() == 1 ? r.u64(0, 0) : 0;
}

Result<uint64_t> PgOpStore::peek_head(const std::string& conninfo) {
  PgConnection c(conninfo, describe(conninfo));
  if (auto st = c.reconnect(); !st) return st.error();
  Res exists(PQexec(c.pg, "SELECT to_regclass('dianhong.ops') IS NOT NULL AND to_regclass('dianhong.withdrawn') IS NOT NULL"));
  if (!exists.ok() || exists.rows() != 1) return db_error("looking for the operations", exists.message());
  if (exists.text(0, 0) != "t") return uint64_t{0};
  Res r(PQexec(c.pg, kHeadSql));
  if (!r.ok() || r.rows() != 1) return db_error("reading the head", r.message());
  return r.u64(0, 0);
}

uint64_t PgOpStore::head() {
  auto lease = lease_reader();
  if (!lease) return 0;
  Res r = lease->first->run("head", {});
  return r.ok() && r.rows() == 1 ? r.u64(0, 0) : 0;
}

Status PgOpStore::for_each(const std::function<Status(const Row&)>& fn) {
  // Pages of 1,000 by seq: bounded memory, and each page is a prefix-closed
  // view (seqs commit in order), so no row is missed between pages.
  uint64_t after = 0;
  for (;;) {
    std::vector<Row> page;
    {
      auto lease = lease_reader();
      if (!lease) return lease.error();
      const std::string a = std::to_string(after);
      Res r = lease->first->run("scan", {&a});
      if (!r.ok()) return db_error("scanning operations", r.message());
      for (int i = 0; i < r.rows(); ++i) page.push_back(Row{r.u64(i, 0), r.text(i, 1), std::string()});
    }
    if (page.empty()) return ok_status();
    for (const Row& row : page) {
      if (auto st = fn(row); !st) return st;
    }
    after = page.back().seq;
  }
}

Result<uint64_t> PgOpStore::withdraw(const Rejection& r) {
  auto locked = lock_writer();
  if (!locked) return locked.error();
  Conn& c = *writer_;
  if (auto s = c.begin(); !s) return s.error();
  auto fail = [&](const std::string& what, const Res& res) {
    Error e = db_error(what, res.message());
    c.rollback();
    return e;
  };
  const std::string key = std::to_string(kAppendLockKey);
  Res lock = c.run("lock", {&key});
  if (!lock.ok()) return fail("taking the append lock", lock);
  // Under the lock, so two servers withdrawing the same op agree on its seq.
  Res found = c.run("find_withdrawn", {&r.op_id});
  if (!found.ok()) return fail("looking up a withdrawal", found);
  if (found.rows() == 1) {
    const uint64_t first = found.u64(0, 0);
    c.rollback();
    return first;
  }
  Res next = c.run("next_seq", {});
  if (!next.ok() || next.rows() != 1) return fail("taking a sequence number", next);
  const uint64_t seq = next.u64(0, 0) + 1;
  const std::string seq_s = std::to_string(seq), at = std::to_string(r.rejected_ms);
  Res ins = c.run("insert_withdrawn", {&seq_s, &r.op_id, &r.code, &r.reason, &at});
  if (!ins.ok()) return fail("recording the withdrawal of " + r.op_id, ins);
  Res rej = c.run("insert_rejected", {&r.op_id, &r.body, &r.code, &r.reason, &at, &r.pushed_by});
  if (!rej.ok()) return fail("recording the refusal of " + r.op_id, rej);
  {
    const std::string last = std::to_string(seq);
    Res n = c.run("notify", {&last});
    if (!n.ok()) return fail("announcing a withdrawal", n);
  }
  if (auto s = c.commit(); !s) return s.error();  // never "stored" unless COMMIT said so
  note_commit(seq);
  return seq;
}

Result<std::string> PgOpStore::upstream_value(const std::string& name) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = lease->first->run("get_upstream", {&name});
  if (!r.ok()) return db_error("reading the upstream state", r.message());
  return r.rows() == 0 ? std::string() : r.text(0, 0);
}

Status PgOpStore::set_upstream_value(const std::string& name, const std::string& value) {
  auto locked = lock_writer();
  if (!locked) return locked.error();
  Res r = writer_->run("set_upstream", {&name, &value});
  if (!r.ok()) return db_error("saving the upstream state", r.message());
  return ok_status();
}

}  // namespace dh
