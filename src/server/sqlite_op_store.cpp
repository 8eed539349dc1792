#include "server/sqlite_op_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

namespace dh {

// One connection, its mutex, and its prepared statements (kept: preparing a
// statement costs more than running these small queries).
struct SqliteOpStore::Conn {
  sqlite3* db = nullptr;
  std::mutex mu;
  std::map<const char*, sqlite3_stmt*> cache;
  ~Conn() {
    for (auto& [sql, stmt] : cache) sqlite3_finalize(stmt);
    if (db) sqlite3_close_v2(db);
  }
  // A reset statement with no bindings, or nullptr. Caller holds mu. Keyed by
  // the address of a string literal.
  sqlite3_stmt* prepare(const char* sql) {
    auto it = cache.find(sql);
    if (it != cache.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK || !s) {
      sqlite3_finalize(s);
      return nullptr;
    }
    cache.emplace(sql, s);
    return s;
  }
};

namespace {

Error db_error(sqlite3* db, const std::string& what) {
  return make_error("store_error", "The server's database failed while " + what + ": " +
                                       (db ? sqlite3_errmsg(db) : "cannot open") + ".");
}

Status exec(sqlite3* db, const char* sql, const char* what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error("store_error",
                      std::string("The server's database failed while ") + what + ": " + msg + ".");
  }
  return ok_status();
}

// Prepared statement that finalises itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return rc_ == SQLITE_OK && s_; }
  sqlite3_stmt* get() { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  int n = sqlite3_column_bytes(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

Result<sqlite3*> open_db(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is guarded by its own mutex
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e = make_error("store_error", "Cannot open the server database " + path + ": " +
                                            (db ? sqlite3_errmsg(db) : "out of memory") + ".");
    if (db) sqlite3_close_v2(db);
    return e;
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS ops("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " op_id TEXT NOT NULL UNIQUE,"
    " device TEXT NOT NULL,"
    " dev_seq INTEGER NOT NULL,"
    " hlc TEXT NOT NULL,"
    " author TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " received_ms INTEGER NOT NULL,"
    " pushed_by TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS rejected("
    " op_id TEXT PRIMARY KEY,"
    " body TEXT NOT NULL,"
    " code TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " rejected_ms INTEGER NOT NULL,"
    " pushed_by TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS withdrawn("
    " seq INTEGER PRIMARY KEY,"
    " op_id TEXT NOT NULL UNIQUE,"
    " code TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " withdrawn_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS upstream("
    " name TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "PRAGMA user_version = 2;";

}  // namespace

SqliteOpStore::SqliteOpStore() = default;
SqliteOpStore::~SqliteOpStore() {
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpointer_.join();
  }
  if (writer_ && writer_->db) sqlite3_wal_hook(writer_->db, nullptr, nullptr);
  if (checkpoint_db_) sqlite3_close_v2(checkpoint_db_);
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

std::pair<SqliteOpStore::Conn*, std::unique_lock<std::mutex>> SqliteOpStore::lease_reader() {
  if (readers_.empty()) return {writer_.get(), std::unique_lock<std::mutex>(writer_->mu)};
  const size_t n = readers_.size();
  const size_t start = next_reader_.fetch_add(1) % n;
  for (size_t k = 0; k < n; ++k) {
    Conn* c = readers_[(start + k) % n].get();
    std::unique_lock<std::mutex> lock(c->mu, std::try_to_lock);
    if (lock.owns_lock()) return {c, std::move(lock)};
  }
  Conn* c = readers_[start].get();
  return {c, std::unique_lock<std::mutex>(c->mu)};
}

uint64_t SqliteOpStore::note_commit(uint64_t last_seq) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  ++committed_ticket_;
  if (last_seq > committed_seq_) committed_seq_ = last_seq;
  if (wal_fd_ < 0 && !sync_hook_) {  // in memory: nothing to wait for
    durable_ticket_ = committed_ticket_;
    if (committed_seq_ > durable_seq_.load()) durable_seq_ = committed_seq_;
  }
  return committed_ticket_;
}

uint64_t SqliteOpStore::committed_ticket() const {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return committed_ticket_;
}

Status SqliteOpStore::sync_wal() {
  int err = 0;
  if (sync_hook_) {
    err = sync_hook_();
  } else if (wal_fd_ >= 0 && ::fdatasync(wal_fd_) != 0) {
    err = errno;
  }
  ++fsyncs_;
  if (err != 0) {
    return make_error("store_error", std::string("The server's disk did not confirm a write (") + std::strerror(err) +
                                         "). Nothing more is stored until the server is restarted; "
                                         "devices send again what was not confirmed.");
  }
  return ok_status();
}

Status SqliteOpStore::wait_durable(uint64_t ticket) {
  std::unique_lock<std::mutex> lock(commit_mu_);
  for (;;) {
    if (sync_failed_) return *sync_failed_;
    if (durable_ticket_ >= ticket) return ok_status();
    if (syncing_) {  // someone's fsync is running: it may or may not cover us
      durable_cv_.wait(lock);
      continue;
    }
    // Lead a group sync: it covers every commit made before it starts (their
    // WAL frames were written when the commit returned).
    syncing_ = true;
    const uint64_t covers_ticket = committed_ticket_;
    const uint64_t covers_seq = committed_seq_;
    lock.unlock();
    Status st = sync_wal();
    lock.lock();
    syncing_ = false;
    if (!st) {
      sync_failed_ = st.error();
    } else {
      durable_ticket_ = std::max(durable_ticket_, covers_ticket);
      if (covers_seq > durable_seq_.load()) durable_seq_ = covers_seq;
    }
    durable_cv_.notify_all();
  }
}

// Called by SQLite after each commit on the writer (under writer_->mu), with
// the WAL's size in pages: wakes the checkpointer past the mark.
int SqliteOpStore::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  constexpr int kCheckpointPages = 1000;  // SQLite's own autocheckpoint mark
  auto* store = static_cast<SqliteOpStore*>(self);
  if (pages >= kCheckpointPages) {
    {
      std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
      store->checkpoint_wanted_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteOpStore::checkpoint_loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stop_; });
      if (checkpoint_stop_) return;
      checkpoint_wanted_ = false;
    }
    // PASSIVE: copies what no reader still needs, never waits for the writer
    // or readers; what it leaves is taken at the next mark. An error (busy)
    // only leaves the WAL longer: nothing is lost.
    int log = 0, done = 0;
    (void)sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  }
}

Result<std::unique_ptr<SqliteOpStore>> SqliteOpStore::open(const std::string& path) {
  std::unique_ptr<SqliteOpStore> store(new SqliteOpStore());
  store->writer_ = std::make_unique<Conn>();
  auto w = open_db(path, false);
  if (!w) return w.error();
  store->writer_->db = w.value();
  sqlite3* db = store->writer_->db;
  const bool memory = path == ":memory:" || path.empty();
  if (!memory) {
    // WAL: readers never block the writer. Durability: the group fsync
    // (wait_durable), so an acknowledged push survives a crash or power cut.
    Stmt wal(db, "PRAGMA journal_mode=WAL;");
    if (!wal.ok() || sqlite3_step(wal.get()) != SQLITE_ROW ||
        column_text(wal.get(), 0) != "wal") {
      return db_error(db, "switching to WAL mode");
    }
  }
  // File stores: NORMAL, so COMMIT does not fsync; append() and push answers
  // wait for the group fsync of the WAL instead (wait_durable).
  if (auto s = exec(db, memory ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;", "setting synchronous");
      !s)
    return s.error();
  {
    Stmt v(db, "PRAGMA user_version;");
    if (!v.ok() || sqlite3_step(v.get()) != SQLITE_ROW) return db_error(db, "reading its version");
    int version = sqlite3_column_int(v.get(), 0);
    if (version > 2) {
      return make_error("store_error", "The server database " + path + " has schema version " +
                                           std::to_string(version) +
                                           ", newer than this server (2). Use a newer server.");
    }
  }
  if (auto s = exec(db, kSchema, "creating its tables"); !s) return s.error();
  if (!memory) {
    constexpr int kReaders = 4;
    for (int i = 0; i < kReaders; ++i) {
      auto r = open_db(path, true);
      if (!r) return r.error();
      store->readers_.push_back(std::make_unique<Conn>());
      store->readers_.back()->db = r.value();
    }
    auto c = open_db(path, false);
    if (!c) return c.error();
    store->checkpoint_db_ = c.value();
    if (auto s = exec(store->checkpoint_db_, "PRAGMA synchronous=FULL;", "setting synchronous=FULL"); !s)
      return s.error();
    // Replaces SQLite's automatic checkpoint in the committing connection.
    sqlite3_wal_hook(db, &SqliteOpStore::on_wal_commit, store.get());
    store->checkpointer_ = std::thread([s = store.get()] { s->checkpoint_loop(); });
    // The WAL file, for the group fsync; it exists from the switch to WAL on
    // and stays (same file) while a connection is open.
    store->wal_fd_ = ::open((path + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    if (store->wal_fd_ < 0) {
      return make_error("store_error", "Cannot open the server database's log " + path + "-wal: " +
                                           std::strerror(errno) + ".");
    }
    // Its directory entry too, once, and whatever an earlier process left in
    // the WAL unconfirmed: from here on everything stored is on disk.
    const auto slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    if (int dfd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
      (void)::fsync(dfd);
      ::close(dfd);
    }
    if (::fdatasync(store->wal_fd_) != 0) {
      return make_error("store_error", "The server's disk did not confirm its database log " + path + "-wal: " +
                                           std::strerror(errno) + ".");
    }
  }
  if (auto s = store->read_marks(); !s) return s.error();
  {
    const uint64_t head = store->head();
    std::lock_guard<std::mutex> lock(store->commit_mu_);
    store->committed_seq_ = head;
    store->durable_seq_ = head;
  }
  return store;
}

void SqliteOpStore::raise_mark(const std::string& device, uint64_t seq) {
  auto [it, fresh] = highest_.try_emplace(device, seq);
  if (!fresh && it->second < seq) it->second = seq;
}

void SqliteOpStore::raise_mark(const std::string& op_id) {
  // A stored id that is not canonical "device:seq" can only be found by its
  // own text, which never parses: it needs no mark.
  if (auto id = OpId::parse(op_id)) raise_mark(id->device, id->seq);
}

bool SqliteOpStore::certainly_absent(const std::string& op_id) const {
  auto id = OpId::parse(op_id);
  if (!id) return false;  // not canonical: ask the database
  auto it = highest_.find(id->device);
  return it == highest_.end() || id->seq > it->second;
}

Status SqliteOpStore::read_marks() {
  std::lock_guard<std::mutex> lock(writer_->mu);
  sqlite3* db = writer_->db;
  highest_.clear();
  {
    Stmt s(db, "SELECT device, MAX(dev_seq) FROM ops GROUP BY device;");
    if (!s.ok()) return db_error(db, "preparing a scan");
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      raise_mark(column_text(s.get(), 0), static_cast<uint64_t>(sqlite3_column_int64(s.get(), 1)));
    }
    if (rc != SQLITE_DONE) return db_error(db, "reading the devices' last operations");
  }
  {
    Stmt s(db, "SELECT op_id FROM rejected;");
    if (!s.ok()) return db_error(db, "preparing a scan");
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) raise_mark(column_text(s.get(), 0));
    if (rc != SQLITE_DONE) return db_error(db, "reading the refused operations");
  }
  return ok_status();
}

Result<SqliteOpStore::Pending> SqliteOpStore::append_pending(const std::vector<NewOp>& ops,
                                                 const std::vector<Rejection>& rejections) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  {
    std::lock_guard<std::mutex> c(commit_mu_);
    if (sync_failed_) return *sync_failed_;
  }
  sqlite3* db = writer_->db;
  Pending pending;
  std::vector<uint64_t>& seqs = pending.seqs;
  seqs.reserve(ops.size());
  if (ops.empty() && rejections.empty()) return pending;
  if (auto s = exec(db, "BEGIN IMMEDIATE;", "starting a transaction"); !s) return s.error();
  static const char* const kInsert =
      "INSERT INTO ops(op_id, device, dev_seq, hlc, author, type, body, received_ms, pushed_by)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);";
  sqlite3_stmt* ins = writer_->prepare(kInsert);
  if (!ins) {
    Error e = db_error(db, "preparing an insert");
    exec(db, "ROLLBACK;", "rolling back");
    return e;
  }
  for (const NewOp& n : ops) {
    sqlite3_stmt* s = ins;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    bind_text(s, 1, n.op->id.to_string());
    bind_text(s, 2, n.op->id.device);
    sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(n.op->id.seq));
    bind_text(s, 4, n.op->hlc.to_string());
    bind_text(s, 5, n.op->author);
    bind_text(s, 6, n.op->type);
    bind_text(s, 7, n.body);
    sqlite3_bind_int64(s, 8, n.received_ms);
    bind_text(s, 9, n.pushed_by);
    if (sqlite3_step(s) != SQLITE_DONE) {
      Error e = db_error(db, "storing operation " + n.op->id.to_string());
      sqlite3_reset(s);
      exec(db, "ROLLBACK;", "rolling back");
      return e;
    }
    seqs.push_back(static_cast<uint64_t>(sqlite3_last_insert_rowid(db)));
  }
  sqlite3_reset(ins);
  if (!rejections.empty()) {
    // OR IGNORE: the first answer for an id stands (push() never sends one twice).
    static const char* const kReject =
        "INSERT OR IGNORE INTO rejected(op_id, body, code, reason, rejected_ms, pushed_by)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6);";
    sqlite3_stmt* rej = writer_->prepare(kReject);
    if (!rej) {
      Error e = db_error(db, "preparing an insert");
      exec(db, "ROLLBACK;", "rolling back");
      return e;
    }
    for (const Rejection& r : rejections) {
      sqlite3_reset(rej);
      sqlite3_clear_bindings(rej);
      bind_text(rej, 1, r.op_id);
      bind_text(rej, 2, r.body);
      bind_text(rej, 3, r.code);
      bind_text(rej, 4, r.reason);
      sqlite3_bind_int64(rej, 5, r.rejected_ms);
      bind_text(rej, 6, r.pushed_by);
      if (sqlite3_step(rej) != SQLITE_DONE) {
        Error e = db_error(db, "recording the refusal of operation " + r.op_id);
        sqlite3_reset(rej);
        exec(db, "ROLLBACK;", "rolling back");
        return e;
      }
    }
    sqlite3_reset(rej);
  }
  if (auto s = exec(db, "COMMIT;", "committing"); !s) {
    exec(db, "ROLLBACK;", "rolling back");
    return s.error();
  }
  for (const NewOp& n : ops) raise_mark(n.op->id.device, n.op->id.seq);
  for (const Rejection& r : rejections) raise_mark(r.op_id);
  pending.ticket = note_commit(seqs.empty() ? 0 : seqs.back());
  return pending;
}

Result<std::vector<SqliteOpStore::Row>> SqliteOpStore::read_after(uint64_t after, size_t limit) {
  return read_rows(after, limit, durable_seq_.load());
}

Result<std::vector<SqliteOpStore::Withdrawal>> SqliteOpStore::withdrawals_after(uint64_t after, size_t limit) {
  return read_withdrawals(after, limit, durable_seq_.load());
}

// One cap for both lists: everything at or below a durable seq is committed,
// so both reads (started after the cap was taken) see all of it.
Result<SqliteOpStore::Page> SqliteOpStore::read_page(uint64_t after, size_t limit) {
  const uint64_t through = durable_seq_.load();
  Page page;
  auto rows = read_rows(after, limit, through);
  if (!rows) return rows.error();
  auto gone = read_withdrawals(after, limit, through);
  if (!gone) return gone.error();
  page.rows = std::move(rows).value();
  page.withdrawals = std::move(gone).value();
  return page;
}

Result<std::vector<SqliteOpStore::Row>> SqliteOpStore::read_rows(uint64_t after, size_t limit, uint64_t through) {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  static const char* const kRead = "SELECT seq, body, pushed_by FROM ops WHERE seq > ?1 AND seq <= ?3 ORDER BY seq LIMIT ?2;";
  sqlite3_stmt* s = c.prepare(kRead);
  if (!s) return db_error(c.db, "preparing a read");
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(after));
  sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(limit));
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(through));
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    rows.push_back(Row{static_cast<uint64_t>(sqlite3_column_int64(s, 0)), column_text(s, 1), column_text(s, 2)});
  }
  sqlite3_reset(s);  // ends the read transaction
  if (rc != SQLITE_DONE) return db_error(c.db, "reading operations");
  return rows;
}

Result<std::optional<SqliteOpStore::Row>> SqliteOpStore::find(const std::string& op_id) {
  // The writer connection: a push checks duplicates against what it just wrote.
  std::lock_guard<std::mutex> lock(writer_->mu);
  if (certainly_absent(op_id)) return std::optional<Row>();
  static const char* const kFind = "SELECT seq, body, pushed_by FROM ops WHERE op_id = ?1;";
  sqlite3_stmt* s = writer_->prepare(kFind);
  if (!s) return db_error(writer_->db, "preparing a lookup");
  bind_text(s, 1, op_id);
  int rc = sqlite3_step(s);
  std::optional<Row> found;
  if (rc == SQLITE_ROW) {
    found = Row{static_cast<uint64_t>(sqlite3_column_int64(s, 0)), column_text(s, 1), column_text(s, 2)};
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(writer_->db, "looking up an operation id");
  return found;
}

Result<std::optional<SqliteOpStore::Rejection>> SqliteOpStore::find_rejection(const std::string& op_id) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  if (certainly_absent(op_id)) return std::optional<Rejection>();
  static const char* const kFind =
      "SELECT body, code, reason, rejected_ms, pushed_by FROM rejected WHERE op_id = ?1;";
  sqlite3_stmt* s = writer_->prepare(kFind);
  if (!s) return db_error(writer_->db, "preparing a lookup");
  bind_text(s, 1, op_id);
  int rc = sqlite3_step(s);
  std::optional<Rejection> found;
  if (rc == SQLITE_ROW) {
    found = Rejection{op_id, column_text(s, 0), column_text(s, 1), column_text(s, 2), sqlite3_column_int64(s, 3),
                      column_text(s, 4)};
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(writer_->db, "looking up a refused operation");
  return found;
}

uint64_t SqliteOpStore::rejection_count() {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  Stmt s(c.db, "SELECT COUNT(*) FROM rejected;");
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return 0;
  return static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
}

Status SqliteOpStore::for_each(const std::function<Status(const Row&)>& fn) {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  Stmt s(c.db, "SELECT seq, body FROM ops ORDER BY seq;");
  if (!s.ok()) return db_error(c.db, "preparing a scan");
  int rc;
  Row row;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    row.seq = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
    row.body = column_text(s.get(), 1);
    if (auto st = fn(row); !st) return st;
  }
  if (rc != SQLITE_DONE) return db_error(c.db, "scanning operations");
  return ok_status();
}

uint64_t SqliteOpStore::count() {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  Stmt s(c.db, "SELECT COUNT(*) FROM ops;");
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return 0;
  return static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
}

uint64_t SqliteOpStore::head() {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  Stmt s(c.db, "SELECT MAX(COALESCE((SELECT MAX(seq) FROM ops), 0), COALESCE((SELECT MAX(seq) FROM withdrawn), 0));");
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return 0;
  return static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
}

Result<uint64_t> SqliteOpStore::withdraw(const Rejection& r) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  sqlite3* db = writer_->db;
  {
    Stmt f(db, "SELECT seq FROM withdrawn WHERE op_id = ?1;");
    if (!f.ok()) return db_error(db, "preparing a lookup");
    bind_text(f.get(), 1, r.op_id);
    int rc = sqlite3_step(f.get());
    if (rc == SQLITE_ROW) return static_cast<uint64_t>(sqlite3_column_int64(f.get(), 0));
    if (rc != SQLITE_DONE) return db_error(db, "looking up a withdrawal");
  }
  if (auto s = exec(db, "BEGIN IMMEDIATE;", "starting a transaction"); !s) return s.error();
  auto fail = [&](const std::string& what) {
    Error e = db_error(db, what);
    exec(db, "ROLLBACK;", "rolling back");
    return e;
  };
  // The next number of the ops sequence: AUTOINCREMENT never hands it to an
  // operation after this (sqlite_sequence only grows), so the withdrawal has
  // a seq of its own in the one order every cursor follows.
  if (auto s = exec(db, "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'ops';", "taking a sequence number");
      !s) {
    exec(db, "ROLLBACK;", "rolling back");
    return s.error();
  }
  uint64_t seq = 0;
  {
    Stmt q(db, "SELECT seq FROM sqlite_sequence WHERE name = 'ops';");
    if (!q.ok() || sqlite3_step(q.get()) != SQLITE_ROW) return fail("reading the sequence");
    seq = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
  }
  {
    Stmt ins(db, "INSERT INTO withdrawn(seq, op_id, code, reason, withdrawn_ms) VALUES(?1, ?2, ?3, ?4, ?5);");
    if (!ins.ok()) return fail("preparing an insert");
    sqlite3_bind_int64(ins.get(), 1, static_cast<sqlite3_int64>(seq));
    bind_text(ins.get(), 2, r.op_id);
    bind_text(ins.get(), 3, r.code);
    bind_text(ins.get(), 4, r.reason);
    sqlite3_bind_int64(ins.get(), 5, r.rejected_ms);
    if (sqlite3_step(ins.get()) != SQLITE_DONE) return fail("recording the withdrawal of " + r.op_id);
  }
  {
    Stmt rej(db,
             "INSERT OR IGNORE INTO rejected(op_id, body, code, reason, rejected_ms, pushed_by)"
             " VALUES(?1, ?2, ?3, ?4, ?5, ?6);");
    if (!rej.ok()) return fail("preparing an insert");
    bind_text(rej.get(), 1, r.op_id);
    bind_text(rej.get(), 2, r.body);
    bind_text(rej.get(), 3, r.code);
    bind_text(rej.get(), 4, r.reason);
    sqlite3_bind_int64(rej.get(), 5, r.rejected_ms);
    bind_text(rej.get(), 6, r.pushed_by);
    if (sqlite3_step(rej.get()) != SQLITE_DONE) return fail("recording the refusal of " + r.op_id);
  }
  if (auto s = exec(db, "COMMIT;", "committing"); !s) {
    exec(db, "ROLLBACK;", "rolling back");
    return s.error();
  }
  raise_mark(r.op_id);
  if (auto d = wait_durable(note_commit(seq)); !d) return d.error();
  return seq;
}

Result<std::vector<SqliteOpStore::Withdrawal>> SqliteOpStore::read_withdrawals(uint64_t after, size_t limit,
                                                                              uint64_t through) {
  auto lease = lease_reader();
  Conn& c = *lease.first;
  static const char* const kRead =
      "SELECT seq, op_id, code, reason FROM withdrawn WHERE seq > ?1 AND seq <= ?3 ORDER BY seq LIMIT ?2;";
  sqlite3_stmt* s = c.prepare(kRead);
  if (!s) return db_error(c.db, "preparing a read");
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(after));
  sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(limit));
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(through));
  std::vector<Withdrawal> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    out.push_back(Withdrawal{static_cast<uint64_t>(sqlite3_column_int64(s, 0)), column_text(s, 1), column_text(s, 2),
                             column_text(s, 3)});
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return db_error(c.db, "reading withdrawals");
  return out;
}

Result<std::string> SqliteOpStore::upstream_value(const std::string& name) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Stmt s(writer_->db, "SELECT value FROM upstream WHERE name = ?1;");
  if (!s.ok()) return db_error(writer_->db, "preparing a lookup");
  bind_text(s.get(), 1, name);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return column_text(s.get(), 0);
  if (rc != SQLITE_DONE) return db_error(writer_->db, "reading the upstream state");
  return std::string();
}

Status SqliteOpStore::set_upstream_value(const std::string& name, const std::string& value) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Stmt s(writer_->db, "INSERT INTO upstream(name, value) VALUES(?1, ?2)"
                      " ON CONFLICT(name) DO UPDATE SET value = excluded.value;");
  if (!s.ok()) return db_error(writer_->db, "preparing an update");
  bind_text(s.get(), 1, name);
  bind_text(s.get(), 2, value);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return db_error(writer_->db, "saving the upstream state");
  return wait_durable(note_commit(0));
}

}  // namespace dh
