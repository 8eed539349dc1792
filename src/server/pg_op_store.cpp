#include "server/pg_op_store.h"

#include <libpq-fe.h>

#include "server/pg_connection.h"
#include "server/pg_pool.h"

#include <algorithm>
#include <optional>
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
#define DH_HEAD_SQL                                                  \
  "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM dianhong.ops), 0)," \
  " COALESCE((SELECT MAX(seq) FROM dianhong.withdrawn), 0))"
constexpr const char* kHeadSql = DH_HEAD_SQL;

// Operations (kind 0) and withdrawals (kind 1) after $1, at most $2 of each,
// in one statement, so from one snapshot (parse_page reads the answer).
#define DH_PAGE_SQL                                                      \
  "(SELECT 0 AS kind, seq, body AS a, pushed_by AS b, '' AS c FROM dianhong.ops" \
  "  WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint)"                  \
  " UNION ALL "                                                             \
  "(SELECT 1, seq, op_id, code, reason FROM dianhong.withdrawn"             \
  "  WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint)"

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
    {"read_page", DH_PAGE_SQL, 2},
    // The catch-up of an append and the head (kind 2), in one round trip
    // (transact).
    {"read_tail", DH_PAGE_SQL " UNION ALL SELECT 2, (" DH_HEAD_SQL "), '', '', ''", 2},
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

// The answer of DH_PAGE_SQL (and read_tail's) into page, each list in seq
// order; the head of read_tail's kind 2 row into *head when given.
void parse_page(const Res& r, OpStore::Page& page, std::optional<uint64_t>* head = nullptr) {
  for (int i = 0; i < r.rows(); ++i) {
    const std::string kind = r.text(i, 0);
    if (kind == "0") {
      page.rows.push_back(OpStore::Row{r.u64(i, 1), r.text(i, 2), r.text(i, 3)});
    } else if (kind == "1") {
      page.withdrawals.push_back(OpStore::Withdrawal{r.u64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
    } else if (head) {
      *head = r.u64(i, 1);
    }
  }
  // Each part of the UNION ALL is ordered; their concatenation may not be.
  auto by_seq = [](const auto& x, const auto& y) { return x.seq < y.seq; };
  std::sort(page.rows.begin(), page.rows.end(), by_seq);
  std::sort(page.withdrawals.begin(), page.withdrawals.end(), by_seq);
}

}  // namespace

// The statements on a pooled connection (pg_pool.h): each prepared on first
// use under "<schema>/<name>", so one connection serves every schema.
struct PgOpStore::Conn {
  // A statement that fails because the connection was lost is run once more
  // on a new connection when `retry` (reads outside a transaction: they
  // change nothing).
  static Res run(PgPool::Conn& c, const PgOpStore::Stmt& s, std::initializer_list<const std::string*> params,
                 bool retry) {
    const bool idle = PQtransactionStatus(c.pg) == PQTRANS_IDLE;
    Res r = run_once(c, s, params);
    if (r.ok() || !c.note_failure(r.get()) || !retry || !idle || !c.ready()) return r;
    return run_once(c, s, params);
  }
  static Res run_once(PgPool::Conn& c, const PgOpStore::Stmt& s, std::initializer_list<const std::string*> params) {
    if (!c.prepared.count(s.name)) {
      Res p(PQprepare(c.pg, s.name.c_str(), s.sql.c_str(), s.params, nullptr));
      if (!p.ok()) return p;
      c.prepared.insert(s.name);
    }
    const char* values[16];
    int lengths[16];
    int n = 0;
    for (const std::string* p : params) {
      values[n] = p->c_str();
      lengths[n] = static_cast<int>(p->size());
      ++n;
    }
    return Res(PQexecPrepared(c.pg, s.name.c_str(), n, values, lengths, nullptr, 0));
  }
  // A command without parameters or data (BEGIN, COMMIT, ROLLBACK).
  static Status exec(PgPool::Conn& c, const char* sql, const char* what) {
    Res r(PQexec(c.pg, sql));
    if (!r.ok()) {
      c.note_failure(r.get());
      return db_error(what, r.message());
    }
    return ok_status();
  }
  // BEGIN, once more on a new connection if the old one turns out lost
  // (nothing was sent in it yet, so nothing can be half done).
  static Status begin(PgPool::Conn& c) {
    if (auto s = exec(c, "BEGIN", "starting a transaction"); s || c.usable()) return s;
    if (auto s = c.ready(); !s) return s;
    return exec(c, "BEGIN", "starting a transaction");
  }
  static void rollback(PgPool::Conn& c) { Res r(PQexec(c.pg, "ROLLBACK")); }
};

std::string PgOpStore::describe(const std::string& conninfo) { return PgPool::describe(conninfo); }

int64_t PgOpStore::lock_key_for(const std::string& schema) {
  if (schema == kDefaultSchema) return kAppendLockKey;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : schema) h = (h ^ ch) * 1099511628211ull;
  return static_cast<int64_t>(h ^ static_cast<uint64_t>(kAppendLockKey));
}

std::string PgOpStore::head_sql(const std::string& schema) {
  return PgPool::in_schema(kHeadSql, schema);
}

PgOpStore::~PgOpStore() {
  if (watch_id_) pool_->unwatch(watch_id_);
}

Result<std::unique_ptr<PgOpStore>> PgOpStore::open(const std::string& conninfo) {
  auto pool = PgPool::open(conninfo, kOwnPoolSize);
  if (!pool) return pool.error();
  return open(std::move(pool).value(), kDefaultSchema);
}

Result<std::unique_ptr<PgOpStore>> PgOpStore::open(std::shared_ptr<PgPool> pool, const std::string& schema) {
  if (!PgPool::is_schema_name(schema)) {
    return make_error("store_error", "\"" + schema.substr(0, 70) + "\" cannot name a PostgreSQL schema.");
  }
  std::unique_ptr<PgOpStore> store(new PgOpStore());
  store->pool_ = std::move(pool);
  store->schema_ = schema;
  store->where_ = store->pool_->where() + (schema == kDefaultSchema ? "" : " (schema " + schema + ")");
  store->lock_key_ = std::to_string(lock_key_for(schema));
  for (const Statement& st : kStatements) {
    store->statements_.emplace(st.name, Stmt{schema + "/" + st.name, PgPool::in_schema(st.sql, schema), st.params});
  }
  auto leased = store->pool_->lease();
  if (!leased) return leased.error();
  PgPool::Conn& c = *leased.value();
  // The schema, under the append lock; then its version.
  if (auto s = Conn::begin(c); !s) return s.error();
  {
    const char* v[1] = {store->lock_key_.c_str()};
    Res lock(PQexecParams(c.pg, "SELECT pg_advisory_xact_lock($1::bigint)", 1, nullptr, v, nullptr, nullptr, 0));
    if (!lock.ok()) {
      Conn::rollback(c);
      return db_error("taking the append lock", lock.message());
    }
  }
  if (auto s = Conn::exec(c, PgPool::in_schema(kSchema, schema).c_str(), "creating its tables"); !s) {
    Conn::rollback(c);
    return s.error();
  }
  {
    Res v(PQexec(c.pg, PgPool::in_schema("SELECT value FROM dianhong.meta WHERE name = 'schema_version'", schema).c_str()));
    if (!v.ok() || v.rows() != 1) {
      Conn::rollback(c);
      return db_error("reading its version", v.message());
    }
    if (v.text(0, 0) != kSchemaVersion) {
      Conn::rollback(c);
      return make_error("store_error", "The server database " + store->where_ + " has schema version " +
                                           v.text(0, 0) + ", not this server's (" + kSchemaVersion +
                                           "). Use a matching server.");
    }
  }
  if (auto s = Conn::exec(c, "COMMIT", "committing its tables"); !s) return s.error();
  leased = PgPool::Lease();
  store->durable_seq_ = store->head();
  return store;
}

// Marks the thread's append transaction on c while it lives (lease_reader).
struct PgOpStore::InTransaction {
  PgOpStore& store;
  InTransaction(PgOpStore& s, PgPool::Conn& c) : store(s) {
    store.txn_conn_ = &c;
    store.txn_thread_ = std::this_thread::get_id();
  }
  ~InTransaction() {
    store.txn_thread_ = std::thread::id();
    store.txn_conn_ = nullptr;
  }
};

const PgOpStore::Stmt& PgOpStore::statement(const char* name) const { return statements_.at(name); }

Result<PgPool::Lease> PgOpStore::lease_reader() {
  // Inside this thread's own append transaction (a decide step that looks
  // something up): its connection, so the read sees what the transaction
  // sees and takes no second connection.
  if (txn_thread_.load() == std::this_thread::get_id() && txn_conn_) return PgPool::Lease(nullptr, txn_conn_);
  return pool_->lease();
}

Result<std::pair<std::unique_lock<std::mutex>, PgPool::Lease>> PgOpStore::lock_writer() {
  // This process's appenders to this store queue here, not on the pool, so
  // at most one pooled connection per store waits for the advisory lock.
  std::unique_lock<std::mutex> lock(append_mu_);
  auto leased = pool_->lease();
  if (!leased) return leased.error();
  return std::make_pair(std::move(lock), std::move(leased).value());
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
  PgPool::Conn& c = *locked->second;
  InTransaction marked(*this, c);
  if (auto s = Conn::begin(c); !s) return s.error();
  auto fail = [&](const std::string& what, const Res& r) {
    Error e = db_error(what, r.message());
    Conn::rollback(c);
    return e;
  };
  // Serialises appenders across processes until COMMIT: seqs commit in
  // order, and refusals are recorded after every earlier decision is visible.
  Res lock = Conn::run(c, statement("lock"), {&lock_key_}, false);
  if (!lock.ok()) return fail("taking the append lock", lock);
  // The catch-up: what other processes committed after `after`. Nobody can
  // append while we hold the lock, so page by page is one consistent view.
  Page tail;
  std::optional<uint64_t> head;  // known with the tail
  if (read_tail) {
    // Usually a few rows (what other processes committed since the caller's
    // catch-up): with the head, in one statement.
    const std::string a = std::to_string(after), l = "1000";
    Res r = Conn::run(c, statement("read_tail"), {&a, &l}, false);
    if (!r.ok()) return fail("reading operations", r);
    parse_page(r, tail, &head);
    // A long tail: the rest page by page (nobody appends while we hold the lock).
    for (uint64_t from = tail.rows.size() >= 1000 ? tail.rows.back().seq : 0; from != 0;) {
      const std::string f = std::to_string(from);
      Res more = Conn::run(c, statement("read_ops"), {&f, &l}, false);
      if (!more.ok()) return fail("reading operations", more);
      for (int i = 0; i < more.rows(); ++i) tail.rows.push_back(Row{more.u64(i, 0), more.text(i, 1), more.text(i, 2)});
      from = more.rows() < 1000 ? 0 : tail.rows.back().seq;
    }
    for (uint64_t from = tail.withdrawals.size() >= 1000 ? tail.withdrawals.back().seq : 0; from != 0;) {
      const std::string f = std::to_string(from);
      Res more = Conn::run(c, statement("read_withdrawn"), {&f, &l}, false);
      if (!more.ok()) return fail("reading withdrawals", more);
      for (int i = 0; i < more.rows(); ++i)
        tail.withdrawals.push_back(Withdrawal{more.u64(i, 0), more.text(i, 1), more.text(i, 2), more.text(i, 3)});
      from = more.rows() < 1000 ? 0 : tail.withdrawals.back().seq;
    }
  }
  auto decided = decide(tail);
  if (!decided) {
    Conn::rollback(c);
    return decided.error();
  }
  const std::vector<NewOp>& ops = decided->ops;
  const std::vector<Rejection>& rejections = decided->rejections;
  if (ops.empty() && rejections.empty()) {
    Conn::rollback(c);
    return pending;
  }
  uint64_t seq = head.value_or(0);  // read under the lock with the tail: nobody appended since
  if (!ops.empty() && !head) {
    Res next = Conn::run(c, statement("next_seq"), {}, false);
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
    Res r = Conn::run(c, statement("insert_ops"), {&seq_a.text(), &id_a.text(), &device_a.text(), &dev_seq_a.text(), &hlc_a.text(),
                                 &author_a.text(), &type_a.text(), &body_a.text(), &received_a.text(), &by_a.text()}, false);
    if (!r.ok()) {
      const std::string first = ops.front().op->id.to_string();
      return fail(ops.size() == 1 ? "storing operation " + first
                                  : "storing " + std::to_string(ops.size()) + " operations from " + first,
                  r);
    }
    // The push channel of the other processes (PgPool::watch): sent
    // at COMMIT, so a listener never hears of a seq it cannot read yet.
    const std::string last = PgPool::commit_payload(schema_, seq);
    Res n = Conn::run(c, statement("notify"), {&last}, false);
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
    Res r = Conn::run(c, statement("insert_rejections"),
                      {&id_a.text(), &body_a.text(), &code_a.text(), &reason_a.text(), &at_a.text(), &by_a.text()},
                      false);
    if (!r.ok()) return fail("recording the refusal of operation " + rejections.front().op_id, r);
  }
  if (auto s = c.commit(); !s) return s.error();  // never "stored" unless COMMIT said so
  note_commit(pending.seqs.empty() ? 0 : pending.seqs.back());
  pending.ticket = committed_ticket_.load();
  return pending;
}

void PgOpStore::watch_commits(std::function<void(uint64_t seq)> on_commit) {
  if (watch_id_) pool_->unwatch(watch_id_);  // waits for a call under way
  watch_id_ = 0;
  if (on_commit) watch_id_ = pool_->watch(schema_, head_sql(schema_), std::move(on_commit));
}

Result<std::vector<OpStore::Row>> PgOpStore::read_after(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  PgPool::Conn& c = *lease.value();
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = Conn::run(c, statement("read_ops"), {&a, &l}, true);
  if (!r.ok()) return db_error("reading operations", r.message());
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(Row{r.u64(i, 0), r.text(i, 1), r.text(i, 2)});
  return rows;
}

Result<std::vector<OpStore::Withdrawal>> PgOpStore::withdrawals_after(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  PgPool::Conn& c = *lease.value();
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = Conn::run(c, statement("read_withdrawn"), {&a, &l}, true);
  if (!r.ok()) return db_error("reading withdrawals", r.message());
  std::vector<Withdrawal> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(Withdrawal{r.u64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
  return out;
}

Result<OpStore::Page> PgOpStore::read_page(uint64_t after, size_t limit) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  PgPool::Conn& c = *lease.value();
  const std::string a = std::to_string(after), l = std::to_string(limit);
  Res r = Conn::run(c, statement("read_page"), {&a, &l}, true);
  if (!r.ok()) return db_error("reading operations", r.message());
  Page page;
  parse_page(r, page);
  return page;
}

Result<std::optional<OpStore::Row>> PgOpStore::find(const std::string& op_id) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = Conn::run(*lease.value(), statement("find"), {&op_id}, true);
  if (!r.ok()) return db_error("looking up an operation id", r.message());
  if (r.rows() == 0) return std::optional<Row>();
  return std::optional<Row>(Row{r.u64(0, 0), r.text(0, 1), r.text(0, 2)});
}

Result<std::optional<OpStore::Rejection>> PgOpStore::find_rejection(const std::string& op_id) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = Conn::run(*lease.value(), statement("find_rejection"), {&op_id}, true);
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
  Res r = Conn::run(*lease.value(), statement("find_many"), {&ids.text()}, true);
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
  Res r = Conn::run(*lease.value(), statement("count_rejected"), {}, true);
  return r.ok() && r.rows() == 1 ? r.u64(0, 0) : 0;
}

uint64_t PgOpStore::count() {
  auto lease = lease_reader();
  if (!lease) return 0;
  Res r = Conn::run(*lease.value(), statement("count_ops"), {}, true);
  return r.ok() && r.rows() == 1 ? r.u64(0, 0) : 0;
}

namespace {
// The head of schema's operations on connection pg; 0 when it has no tables yet.
Result<uint64_t> head_on(PGconn* pg, const std::string& schema) {
  const std::string probe = "SELECT to_regclass('" + schema + ".ops') IS NOT NULL AND to_regclass('" + schema +
                            ".withdrawn') IS NOT NULL";
  Res exists(PQexec(pg, probe.c_str()));
  if (!exists.ok() || exists.rows() != 1) return db_error("looking for the operations", exists.message());
  if (exists.text(0, 0) != "t") return uint64_t{0};
  Res r(PQexec(pg, PgOpStore::head_sql(schema).c_str()));
  if (!r.ok() || r.rows() != 1) return db_error("reading the head", r.message());
  return r.u64(0, 0);
}
}  // namespace

Result<uint64_t> PgOpStore::peek_head(const std::string& conninfo) {
  PgConnection c(conninfo, describe(conninfo));
  if (auto st = c.reconnect(); !st) return st.error();
  return head_on(c.pg, kDefaultSchema);
}

Result<uint64_t> PgOpStore::peek_head(PgPool& pool, const std::string& schema) {
  if (!PgPool::is_schema_name(schema)) return make_error("store_error", "Not a schema name: " + schema.substr(0, 70));
  auto leased = pool.lease();
  if (!leased) return leased.error();
  return head_on(leased.value()->pg, schema);
}

uint64_t PgOpStore::head() {
  auto lease = lease_reader();
  if (!lease) return 0;
  Res r = Conn::run(*lease.value(), statement("head"), {}, true);
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
      Res r = Conn::run(*lease.value(), statement("scan"), {&a}, true);
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
  PgPool::Conn& c = *locked->second;
  InTransaction marked(*this, c);
  if (auto s = Conn::begin(c); !s) return s.error();
  auto fail = [&](const std::string& what, const Res& res) {
    Error e = db_error(what, res.message());
    Conn::rollback(c);
    return e;
  };
  Res lock = Conn::run(c, statement("lock"), {&lock_key_}, false);
  if (!lock.ok()) return fail("taking the append lock", lock);
  // Under the lock, so two servers withdrawing the same op agree on its seq.
  Res found = Conn::run(c, statement("find_withdrawn"), {&r.op_id}, false);
  if (!found.ok()) return fail("looking up a withdrawal", found);
  if (found.rows() == 1) {
    const uint64_t first = found.u64(0, 0);
    Conn::rollback(c);
    return first;
  }
  Res next = Conn::run(c, statement("next_seq"), {}, false);
  if (!next.ok() || next.rows() != 1) return fail("taking a sequence number", next);
  const uint64_t seq = next.u64(0, 0) + 1;
  const std::string seq_s = std::to_string(seq), at = std::to_string(r.rejected_ms);
  Res ins = Conn::run(c, statement("insert_withdrawn"), {&seq_s, &r.op_id, &r.code, &r.reason, &at}, false);
  if (!ins.ok()) return fail("recording the withdrawal of " + r.op_id, ins);
  Res rej = Conn::run(c, statement("insert_rejected"), {&r.op_id, &r.body, &r.code, &r.reason, &at, &r.pushed_by}, false);
  if (!rej.ok()) return fail("recording the refusal of " + r.op_id, rej);
  {
    const std::string last = PgPool::commit_payload(schema_, seq);
    Res n = Conn::run(c, statement("notify"), {&last}, false);
    if (!n.ok()) return fail("announcing a withdrawal", n);
  }
  if (auto s = c.commit(); !s) return s.error();  // never "stored" unless COMMIT said so
  note_commit(seq);
  return seq;
}

Result<std::string> PgOpStore::upstream_value(const std::string& name) {
  auto lease = lease_reader();
  if (!lease) return lease.error();
  Res r = Conn::run(*lease.value(), statement("get_upstream"), {&name}, true);
  if (!r.ok()) return db_error("reading the upstream state", r.message());
  return r.rows() == 0 ? std::string() : r.text(0, 0);
}

Status PgOpStore::set_upstream_value(const std::string& name, const std::string& value) {
  auto locked = lock_writer();
  if (!locked) return locked.error();
  Res r = Conn::run(*locked->second, statement("set_upstream"), {&name, &value}, false);
  if (!r.ok()) return db_error("saving the upstream state", r.message());
  return ok_status();
}

}  // namespace dh
