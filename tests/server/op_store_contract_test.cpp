// The store contract (server/op_store.h), written once and run against both
// implementations: SQLite (a real file in a temporary folder) and PostgreSQL
// (a fresh database on the cluster of $DH_TEST_PG, tests/server/pg_test_db.h;
// skipped, and said so, when there is none).
//
// Each contract takes the store's spec (a path or a connection string) and
// opens it with open_op_store(), as the server does, as often as it needs:
// reopening shows what was durable; several instances at once are several
// server processes' connections.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "core/operation.h"
#include "pg_test_db.h"
#include "server/op_store.h"
#include "server_process.h"
#include "skip.h"

using namespace dh;

namespace {

Operation op_of(const std::string& device, uint64_t seq) {
  Operation op;
  op.id = OpId{device, seq};
  op.hlc = Hlc{1767225600000 + static_cast<int64_t>(seq), 0};
  op.author = "staff:t";
  op.type = "note.create";
  op.payload = Json{{"entity", device + "-" + std::to_string(seq)}, {"text", "多云 'quoted' \"double\" \\ back"}};
  return op;
}

std::unique_ptr<OpStore> open_store(const std::string& spec) {
  auto s = open_op_store(spec);
  INFO((s.ok() ? std::string() : s.error().code + ": " + s.error().message));
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::vector<OpStore::NewOp> rows_of(const std::vector<Operation>& ops, const std::string& pushed_by) {
  std::vector<OpStore::NewOp> rows;
  for (const auto& op : ops) rows.push_back(OpStore::NewOp{&op, to_json_text(op), 42, pushed_by});
  return rows;
}

// ---- the contracts ----

void append_read_find(const std::string& spec) {
  auto store = open_store(spec);
  CHECK(store->count() == 0);
  CHECK(store->head() == 0);
  auto none = store->append({});
  REQUIRE(none.ok());
  CHECK(none->empty());

  std::vector<Operation> ops = {op_of("dev-a", 1), op_of("dev-a", 2), op_of("dev-b", 7)};
  auto seqs = store->append(rows_of(ops, "dev-a"), {OpStore::Rejection{"dev-b:9", "{\"x\":1}", "bad", "Bad.", 5, "dev-b"}});
  REQUIRE(seqs.ok());
  REQUIRE(seqs->size() == 3);
  CHECK(seqs.value()[0] < seqs.value()[1]);
  CHECK(seqs.value()[1] < seqs.value()[2]);
  CHECK(store->count() == 3);
  CHECK(store->head() == seqs.value()[2]);
  CHECK(store->durable_seq() >= seqs.value()[2]);

  auto all = store->read_after(0, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(all.value()[i].seq == seqs.value()[i]);
    CHECK(all.value()[i].body == to_json_text(ops[i]));
    CHECK(all.value()[i].pushed_by == "dev-a");
  }
  auto one = store->read_after(seqs.value()[0], 1);  // bounded
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK(one.value()[0].seq == seqs.value()[1]);
  auto past = store->read_after(seqs.value()[2], 100);
  REQUIRE(past.ok());
  CHECK(past->empty());

  auto f = store->find("dev-a:2");
  REQUIRE(f.ok());
  REQUIRE(f->has_value());
  CHECK(f.value()->seq == seqs.value()[1]);
  CHECK(f.value()->body == to_json_text(ops[1]));
  CHECK(f.value()->pushed_by == "dev-a");
  for (const char* id : {"dev-a:3", "dev-c:1", "not an id", "dev-b:9"}) {
    INFO(id);
    auto n = store->find(id);
    REQUIRE(n.ok());
    CHECK_FALSE(n->has_value());
  }

  auto r = store->find_rejection("dev-b:9");
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK(r.value()->body == "{\"x\":1}");
  CHECK(r.value()->code == "bad");
  CHECK(r.value()->reason == "Bad.");
  CHECK(r.value()->rejected_ms == 5);
  CHECK(r.value()->pushed_by == "dev-b");
  CHECK(store->rejection_count() == 1);
  auto nr = store->find_rejection("dev-a:1");
  REQUIRE(nr.ok());
  CHECK_FALSE(nr->has_value());

  // The first refusal of an id stands.
  REQUIRE(store->append({}, {OpStore::Rejection{"dev-b:9", "{}", "other", "Other.", 6, "dev-b"}}).ok());
  auto r2 = store->find_rejection("dev-b:9");
  REQUIRE(r2.ok());
  REQUIRE(r2->has_value());
  CHECK(r2.value()->code == "bad");
  CHECK(store->rejection_count() == 1);

  // All or nothing: a batch holding an id already stored stores none of it.
  std::vector<Operation> bad = {op_of("dev-c", 1), op_of("dev-a", 1)};
  auto refused = store->append(rows_of(bad, "dev-c"), {OpStore::Rejection{"dev-c:5", "{}", "bad", "Bad.", 7, "dev-c"}});
  CHECK_FALSE(refused.ok());
  if (!refused.ok()) CHECK(refused.error().code == "store_error");
  CHECK(store->count() == 3);
  auto c1 = store->find("dev-c:1");
  REQUIRE(c1.ok());
  CHECK_FALSE(c1->has_value());
  auto c5 = store->find_rejection("dev-c:5");
  REQUIRE(c5.ok());
  CHECK_FALSE(c5->has_value());

  // The next append numbers on from the head.
  std::vector<Operation> more = {op_of("dev-c", 1)};
  auto s4 = store->append(rows_of(more, ""));
  REQUIRE(s4.ok());
  REQUIRE(s4->size() == 1);
  CHECK(s4.value()[0] > seqs.value()[2]);

  std::vector<uint64_t> visited;
  REQUIRE(store->for_each([&](const OpStore::Row& row) -> Status {
    visited.push_back(row.seq);
    return ok_status();
  }).ok());
  CHECK(visited == std::vector<uint64_t>{seqs.value()[0], seqs.value()[1], seqs.value()[2], s4.value()[0]});
  // for_each stops at the callback's error and returns it.
  size_t calls = 0;
  auto stopped = store->for_each([&](const OpStore::Row&) -> Status {
    ++calls;
    return make_error("stop_here", "Stop.");
  });
  CHECK_FALSE(stopped.ok());
  if (!stopped.ok()) CHECK(stopped.error().code == "stop_here");
  CHECK(calls == 1);
}

void withdrawals_and_pages(const std::string& spec) {
  auto store = open_store(spec);
  std::vector<Operation> ops = {op_of("dev-a", 1), op_of("dev-a", 2), op_of("dev-a", 3)};
  auto seqs = store->append(rows_of(ops, "dev-a"));
  REQUIRE(seqs.ok());
  const uint64_t head = seqs.value()[2];
  auto w = store->withdraw(OpStore::Rejection{"dev-a:2", to_json_text(ops[1]), "parent_refused", "No.", 9, "dev-a"});
  REQUIRE(w.ok());
  CHECK(w.value() == head + 1);  // the next number of the one sequence
  CHECK(store->head() == head + 1);
  auto again = store->withdraw(OpStore::Rejection{"dev-a:2", "{}", "other", "Other.", 10, ""});
  REQUIRE(again.ok());
  CHECK(again.value() == w.value());  // first seq, nothing changed
  auto r = store->find_rejection("dev-a:2");
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK(r.value()->code == "parent_refused");
  auto still = store->find("dev-a:2");  // withdrawn, still stored
  REQUIRE(still.ok());
  CHECK(still->has_value());

  // find_many answers as find() and find_rejection() do, per id, in order.
  REQUIRE(store->append({}, {OpStore::Rejection{"dev-z:1", "{\"z\":\"'\\\"\"}", "bad", "Bad.", 11, "dev-z"}}).ok());
  const std::vector<std::string> ids = {"dev-a:2", "dev-x:1", "dev-a:1", "dev-z:1", "dev-a:1", "a \"quoted\\ id"};
  auto many = store->find_many(ids);
  REQUIRE(many.ok());
  REQUIRE(many->size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    INFO(ids[i]);
    auto f = store->find(ids[i]);
    auto r = store->find_rejection(ids[i]);
    REQUIRE(f.ok());
    REQUIRE(r.ok());
    const OpStore::Known& k = many.value()[i];
    REQUIRE(k.stored.has_value() == f.value().has_value());
    if (k.stored) {
      CHECK(k.stored->seq == f.value()->seq);
      CHECK(k.stored->body == f.value()->body);
      CHECK(k.stored->pushed_by == f.value()->pushed_by);
    }
    REQUIRE(k.refused.has_value() == r.value().has_value());
    if (k.refused) {
      CHECK(k.refused->op_id == ids[i]);
      CHECK(k.refused->body == r.value()->body);
      CHECK(k.refused->code == r.value()->code);
      CHECK(k.refused->reason == r.value()->reason);
      CHECK(k.refused->rejected_ms == r.value()->rejected_ms);
      CHECK(k.refused->pushed_by == r.value()->pushed_by);
    }
  }
  CHECK(many.value()[0].stored.has_value());  // withdrawn: stored and refused
  CHECK(many.value()[0].refused.has_value());
  CHECK_FALSE(many.value()[1].stored.has_value());
  CHECK_FALSE(many.value()[1].refused.has_value());
  CHECK(many.value()[3].refused.has_value());
  CHECK(many.value()[3].refused->body == "{\"z\":\"'\\\"\"}");
  auto empty = store->find_many({});
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  auto ws = store->withdrawals_after(0, 10);
  REQUIRE(ws.ok());
  REQUIRE(ws->size() == 1);
  CHECK(ws.value()[0].seq == w.value());
  CHECK(ws.value()[0].op_id == "dev-a:2");
  CHECK(ws.value()[0].code == "parent_refused");
  CHECK(ws.value()[0].reason == "No.");
  auto none = store->withdrawals_after(w.value(), 10);
  REQUIRE(none.ok());
  CHECK(none->empty());

  // An operation after the withdrawal numbers past it.
  std::vector<Operation> later = {op_of("dev-b", 1)};
  auto s5 = store->append(rows_of(later, "dev-b"));
  REQUIRE(s5.ok());
  CHECK(s5.value()[0] == w.value() + 1);

  auto page = store->read_page(0, 10);
  REQUIRE(page.ok());
  REQUIRE(page->rows.size() == 4);
  REQUIRE(page->withdrawals.size() == 1);
  CHECK(page->rows[0].seq == seqs.value()[0]);
  CHECK(page->rows[3].seq == s5.value()[0]);
  CHECK(page->withdrawals[0].seq == w.value());
  CHECK(page->withdrawals[0].op_id == "dev-a:2");
  auto tail = store->read_page(head, 10);
  REQUIRE(tail.ok());
  REQUIRE(tail->rows.size() == 1);
  CHECK(tail->rows[0].seq == s5.value()[0]);
  REQUIRE(tail->withdrawals.size() == 1);
  auto small = store->read_page(0, 2);  // at most limit of each
  REQUIRE(small.ok());
  CHECK(small->rows.size() == 2);
  CHECK(small->withdrawals.size() == 1);
}

void upstream_values(const std::string& spec) {
  auto store = open_store(spec);
  auto absent = store->upstream_value("pull_cursor");
  REQUIRE(absent.ok());
  CHECK(absent.value().empty());
  REQUIRE(store->set_upstream_value("pull_cursor", "12").ok());
  REQUIRE(store->set_upstream_value("push_cursor", "多云 'x'").ok());
  REQUIRE(store->set_upstream_value("pull_cursor", "13").ok());
  auto v = store->upstream_value("pull_cursor");
  REQUIRE(v.ok());
  CHECK(v.value() == "13");
  auto u = store->upstream_value("push_cursor");
  REQUIRE(u.ok());
  CHECK(u.value() == "多云 'x'");
}

void reopen_keeps_everything(const std::string& spec) {
  std::vector<Operation> ops = {op_of("dev-a", 1), op_of("dev-a", 2), op_of("dev-b", 1)};
  uint64_t withdrawn_at = 0;
  {
    auto store = open_store(spec);
    REQUIRE(store->append(rows_of(ops, "dev-a"), {OpStore::Rejection{"dev-b:2", "{}", "bad", "Bad.", 3, "dev-b"}}).ok());
    auto w = store->withdraw(OpStore::Rejection{"dev-b:1", to_json_text(ops[2]), "parent_refused", "No.", 4, ""});
    REQUIRE(w.ok());
    withdrawn_at = w.value();
    REQUIRE(store->set_upstream_value("pull_cursor", "7").ok());
  }
  auto store = open_store(spec);
  CHECK(store->count() == 3);
  CHECK(store->head() == withdrawn_at);  // the highest seq is a withdrawal
  CHECK(store->durable_seq() >= withdrawn_at);
  CHECK(store->rejection_count() == 2);
  auto f = store->find("dev-a:2");
  REQUIRE(f.ok());
  REQUIRE(f->has_value());
  CHECK(f.value()->body == to_json_text(ops[1]));
  auto r = store->find_rejection("dev-b:2");
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK(r.value()->code == "bad");
  auto ws = store->withdrawals_after(0, 10);
  REQUIRE(ws.ok());
  REQUIRE(ws->size() == 1);
  CHECK(ws.value()[0].seq == withdrawn_at);
  auto v = store->upstream_value("pull_cursor");
  REQUIRE(v.ok());
  CHECK(v.value() == "7");
  auto rows = store->read_after(0, 10);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 3);
  // A seq is never reused: the next operation numbers past the withdrawal.
  std::vector<Operation> next = {op_of("dev-c", 1)};
  auto s = store->append(rows_of(next, "dev-c"));
  REQUIRE(s.ok());
  CHECK(s.value()[0] == withdrawn_at + 1);
}

// Writers append at once (from `instances` store instances: one per
// PostgreSQL connection set, as separate server processes would; SQLite has
// one writer per file, shared by the threads) while a reader pulls with a
// cursor, as a device does. Every operation must be read exactly once: a
// cursor that moved past a seq committed later would miss it for good.
void concurrent_writers(const std::string& spec, int instances) {
  // Batches of mixed sizes, so a long transaction (25 inserts) is often still
  // open while short ones commit: where numbering and commit order could
  // differ, they would.
  constexpr int kWriters = 4, kOpsPerWriter = 200;
  constexpr size_t kSizes[] = {1, 25, 3, 2, 7};
  std::vector<std::unique_ptr<OpStore>> stores;
  for (int i = 0; i < instances; ++i) stores.push_back(open_store(spec));
  // The reader: its own instance where there are several (PostgreSQL), else
  // the one (a SQLite store reads only up to what it made durable itself).
  std::unique_ptr<OpStore> own_reader = instances > 1 ? open_store(spec) : nullptr;
  OpStore* reader_store = own_reader ? own_reader.get() : stores[0].get();

  std::vector<std::vector<Operation>> ops(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    for (int k = 1; k <= kOpsPerWriter; ++k) ops[w].push_back(op_of("dev-" + std::to_string(w), k));
  }
  std::atomic<int> writers_done{0};
  std::atomic<int> failures{0};
  std::vector<std::vector<uint64_t>> acknowledged(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      OpStore& store = *stores[static_cast<size_t>(w % instances)];
      size_t at = 0;
      for (int b = 0; at < ops[w].size(); ++b) {
        const size_t end = std::min(ops[w].size(), at + kSizes[static_cast<size_t>(b + w) % 5]);
        std::vector<Operation> batch(ops[w].begin() + at, ops[w].begin() + end);
        at = end;
        auto seqs = store.append(rows_of(batch, "dev-" + std::to_string(w)));
        if (!seqs.ok()) {
          ++failures;
          break;
        }
        acknowledged[w].insert(acknowledged[w].end(), seqs->begin(), seqs->end());
      }
      ++writers_done;
    });
  }
  uint64_t cursor = 0;
  std::vector<uint64_t> read;
  std::map<uint64_t, std::string> bodies;
  int read_errors = 0, pulls = 0, early = 0;
  bool last_pass = false;
  for (;;) {
    const bool writers_finished = writers_done.load() == kWriters;
    auto page = reader_store->read_after(cursor, 7);
    ++pulls;
    if (!page.ok()) {
      ++read_errors;
      break;
    }
    if (!writers_finished && !page->empty()) ++early;
    for (const auto& row : page.value()) {
      read.push_back(row.seq);
      bodies[row.seq] = row.body;
    }
    if (!page->empty()) cursor = page->back().seq;
    if (page->empty() && last_pass) break;
    // One more empty read after every writer has finished.
    if (page->empty() && writers_finished) last_pass = true;
  }
  for (auto& t : threads) t.join();
  REQUIRE(failures.load() == 0);
  REQUIRE(read_errors == 0);
  INFO("pulls: " << pulls << ", of them with rows while writers ran: " << early);

  std::vector<uint64_t> all;
  for (const auto& a : acknowledged) all.insert(all.end(), a.begin(), a.end());
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == static_cast<size_t>(kWriters * kOpsPerWriter));
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // no seq handed out twice
  // The reader saw seqs in increasing order, each once, and in the end all of
  // them: none was skipped by a cursor that moved past it.
  CHECK(std::is_sorted(read.begin(), read.end()));
  CHECK(std::adjacent_find(read.begin(), read.end()) == read.end());
  CHECK(read == all);
  auto stored = reader_store->read_after(0, all.size() + 10);
  REQUIRE(stored.ok());
  CHECK(stored->size() == all.size());
  // Each writer's batches kept its own order (its seqs increase).
  for (const auto& a : acknowledged) CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(bodies.size() == all.size());
}

// append_after (op_store.h "several server processes"): the tail is what
// another instance committed after `after`, decide's batch goes after it,
// decide's error comes back as it is with nothing stored. One instance per
// store (SQLite) sees no tail.
void append_after_catches_up(const std::string& spec, bool shared) {
  auto mine = open_store(spec);
  auto other = open_store(spec);
  CHECK(mine->shared() == shared);
  std::vector<Operation> theirs = {op_of("dev-o", 1), op_of("dev-o", 2)};
  if (shared) {
    REQUIRE(other->append(rows_of(theirs, "dev-o")).ok());
  } else {
    other.reset();  // one writer per SQLite store
    REQUIRE(mine->append(rows_of(theirs, "dev-o")).ok());
  }
  std::vector<Operation> ours = {op_of("dev-m", 1)};
  size_t tail_rows = 0;
  uint64_t tail_last = 0;
  auto pending = mine->append_after(0, [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    tail_rows = tail.rows.size();
    if (!tail.rows.empty()) tail_last = tail.rows.back().seq;
    return OpStore::Batch{rows_of(ours, "dev-m"), {OpStore::Rejection{"dev-m:2", "{}", "bad", "Bad.", 5, "dev-m"}}};
  });
  REQUIRE(pending.ok());
  REQUIRE(pending->seqs.size() == 1);
  CHECK(pending->seqs[0] == 3);
  if (pending->ticket != 0) REQUIRE(mine->wait_durable(pending->ticket).ok());
  if (shared) {
    CHECK(tail_rows == 2);
    CHECK(tail_last == 2);
  } else {
    CHECK(tail_rows == 0);
  }
  auto refused = mine->find_rejection("dev-m:2");
  REQUIRE(refused.ok());
  CHECK(refused.value().has_value());
  // An error from decide: nothing stored, the error as it was.
  std::vector<Operation> more = {op_of("dev-m", 3)};
  auto failed = mine->append_after(3, [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    CHECK(tail.rows.empty());
    return make_error("not_allowed", "Refused by the caller.");
  });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "not_allowed");
  CHECK(mine->count() == 3);
  // An empty batch stores nothing.
  auto empty = mine->append_after(3, [&](const OpStore::Page&) -> Result<OpStore::Batch> { return OpStore::Batch{}; });
  REQUIRE(empty.ok());
  CHECK(empty->seqs.empty());
  CHECK(mine->head() == 3);
}

// The SQLite file of one test.
struct SqliteFile {
  test::TempDir dir{"dh-store-contract"};
  std::string spec() const { return dir.path() + "/server.sqlite"; }
};

}  // namespace

#define DH_STORE_CONTRACT(title, ...)                                                      \
  TEST_CASE("op store (SQLite): " title, "[native][server][store_contract]") {             \
    SqliteFile file;                                                                        \
    const std::string spec = file.spec();                                                   \
    const bool postgres = false;                                                            \
    (void)postgres;                                                                         \
    __VA_ARGS__;                                                                            \
  }                                                                                         \
  TEST_CASE("op store (PostgreSQL): " title, "[native][server][store_contract][postgres]") { \
    test::PgTestDb db;                                                                      \
    if (!db.available()) {                                                                  \
      DH_SKIP(db.why());                                                                    \
      return;                                                                               \
    }                                                                                       \
    const std::string spec = db.conninfo();                                                 \
    const bool postgres = true;                                                             \
    (void)postgres;                                                                         \
    __VA_ARGS__;                                                                            \
  }

DH_STORE_CONTRACT("append, read_after, find, refusals, count, head, for_each", append_read_find(spec))
DH_STORE_CONTRACT("withdrawals share the sequence; read_page holds both", withdrawals_and_pages(spec))
DH_STORE_CONTRACT("upstream values", upstream_values(spec))
DH_STORE_CONTRACT("reopening keeps everything, and seqs are never reused", reopen_keeps_everything(spec))
DH_STORE_CONTRACT("concurrent writers: a pulling cursor never skips an operation",
                  concurrent_writers(spec, postgres ? 3 : 1))

DH_STORE_CONTRACT("append_after: catch-up and append in one locked transaction", append_after_catches_up(spec, postgres))

TEST_CASE("open_op_store: which spec opens which store", "[server][store_contract]") {
  CHECK(is_postgres_spec("postgresql://u@127.0.0.1:5432/db"));
  CHECK(is_postgres_spec("postgres://127.0.0.1/db"));
  CHECK(is_postgres_spec("host=127.0.0.1 port=5432 dbname=x"));
  CHECK(is_postgres_spec("dbname = x"));
  CHECK_FALSE(is_postgres_spec(":memory:"));
  CHECK_FALSE(is_postgres_spec("/var/lib/dianhong/server.sqlite"));
  CHECK_FALSE(is_postgres_spec("data/server.sqlite"));
  CHECK_FALSE(is_postgres_spec("./host=x.sqlite"));
#ifdef DH_HAVE_LIBPQ
  // Nothing listens on port 1: a clear store_error naming the database, and
  // no password in the message.
  auto s = open_op_store("postgresql://someone:secret-pw@127.0.0.1:1/nowhere?connect_timeout=5");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == "store_error");
  CHECK(s.error().message.find("127.0.0.1:1/nowhere") != std::string::npos);
  CHECK(s.error().message.find("secret-pw") == std::string::npos);
  auto bad = open_op_store("postgresql://[broken");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "store_error");
#else
  auto s = open_op_store("postgresql://127.0.0.1/db");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == "store_error");
#endif
}
