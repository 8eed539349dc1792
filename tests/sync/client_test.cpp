// SyncClient without a server: answers are built with the protocol encoders,
// so each client rule is checked on its own (the convergence test in
// tests/server drives it against the real service).
#include <catch2/catch.hpp>

#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;

namespace {

constexpr int64_t kNow = 1767225600000;

struct Fixture {
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<SyncClient> client;
  Fixture() { reopen(); }
  void reopen() {
    client.reset();
    replica.reset();
    auto r = Replica::open(fs, "/r", "tab-1", kNow);
    REQUIRE(r.ok());
    replica = std::move(r).value();
    replica->set_author("staff:test");
    auto c = SyncClient::open(fs, *replica);
    REQUIRE(c.ok());
    client = std::move(c).value();
  }
  Operation grid(const std::string& name) {
    auto op = replica->commit(CreateEntity{"grid", {{"name", name}, {"code", "G1"}}, ""}, client->corrected_now(kNow));
    REQUIRE(op.ok());
    return op.value();
  }
  void flush() { REQUIRE(client->flush_completed(client->begin_flush()).ok()); }
};

std::string answer(const SyncClient::PushBatch& b, int reject_index = -1, int64_t server_ms = kNow) {
  PushResponse r;
  uint64_t seq = 100;
  for (size_t i = 0; i < b.op_ids.size(); ++i) {
    PushResult p;
    p.id = b.op_ids[i];
    if (static_cast<int>(i) == reject_index) {
      p.status = PushStatus::rejected;
      p.code = "missing_field";
      p.reason = "A grid needs a name.";
    } else {
      p.status = PushStatus::accepted;
      p.seq = ++seq;
    }
    r.results.push_back(p);
  }
  r.head = seq;
  r.server_ms = server_ms;
  return encode_push_response(r);
}

std::string entity_of_op(const Operation& op) { return op.payload["entity"].get<std::string>(); }

}  // namespace

TEST_CASE("back-off doubles from 2 s to at most 5 min, with jitter", "[sync][client]") {
  CHECK(backoff_delay_ms(0, 0.5) == 0);
  CHECK(backoff_delay_ms(1, 0.5) == 2000);
  CHECK(backoff_delay_ms(2, 0.5) == 4000);
  CHECK(backoff_delay_ms(3, 0.5) == 8000);
  CHECK(backoff_delay_ms(30, 0.5) == 300000);
  CHECK(backoff_delay_ms(1, 0.0) == 1600);
  CHECK(backoff_delay_ms(1, 0.999999) == 2400);
  CHECK(backoff_delay_ms(100000, 2.0) <= 360000);
}

TEST_CASE("only flushed operations are pushed; ones made in flight go next round", "[sync][client]") {
  Fixture f;
  f.grid("一");
  CHECK_FALSE(f.client->next_push(kNow).has_value());  // not flushed yet
  CHECK(f.client->waiting_ops() == 1);
  f.flush();
  auto b = f.client->next_push(kNow);
  REQUIRE(b.has_value());
  CHECK(b->op_ids == std::vector<std::string>{"tab-1:1"});
  f.grid("二");  // made while the push is in flight
  f.flush();
  CHECK_FALSE(f.client->next_push(kNow).has_value());  // one push at a time
  REQUIRE(f.client->on_push_response(*b, answer(*b), kNow).ok());
  auto b2 = f.client->next_push(kNow);
  REQUIRE(b2.has_value());
  CHECK(b2->op_ids == std::vector<std::string>{"tab-1:2"});
  f.client->on_push_failed(*b2, 0, "");  // no answer: same ops again
  CHECK_FALSE(f.client->last_error().empty());
  auto b3 = f.client->next_push(kNow);
  REQUIRE(b3.has_value());
  CHECK(b3->op_ids == b2->op_ids);
  CHECK(b3->body.find("\"device_ms\":") != std::string::npos);
}

TEST_CASE("a rejected operation is recorded with its reason and never blocks or returns", "[sync][client]") {
  Fixture f;
  f.grid("一");
  f.grid("二");
  f.grid("三");
  f.flush();
  auto b = f.client->next_push(kNow);
  REQUIRE(b.has_value());
  REQUIRE(b->op_ids.size() == 3);
  REQUIRE(f.client->on_push_response(*b, answer(*b, 1), kNow).ok());
  REQUIRE(f.client->rejected().size() == 1);
  CHECK(f.client->rejected()[0].id == "tab-1:2");
  CHECK(f.client->rejected()[0].type == "grid.create");
  CHECK(f.client->rejected()[0].reason == "A grid needs a name.");
  CHECK(f.client->waiting_ops() == 0);
  CHECK_FALSE(f.client->next_push(kNow).has_value());
  // The record survives a restart (sync-state.json).
  f.reopen();
  REQUIRE(f.client->rejected().size() == 1);
  CHECK(f.client->state().acked_seq == 3);
  CHECK_FALSE(f.client->next_push(kNow).has_value());
}

TEST_CASE("the pull cursor moves only when the flush of the pulled operations completed", "[sync][client]") {
  Fixture f;
  // Another device's operation, as the server would send it.
  MemoryFileSystem other_fs;
  auto other = Replica::open(other_fs, "/o", "tab-2", kNow);
  REQUIRE(other.ok());
  other.value()->set_author("staff:other");
  auto op = other.value()->commit(CreateEntity{"grid", {{"name", "远"}, {"code", "G2"}}, ""}, kNow);
  REQUIRE(op.ok());
  auto q = f.client->next_pull(10);
  CHECK(q.after == 0);
  CHECK(q.path == "/api/v1/ops?after=0&limit=10");
  std::string page = encode_pull_response({RawPulledOp{7, to_json_text(op.value())}}, 7, false, 7, kNow);
  auto out = f.client->on_pull_response(q, page, kNow);
  REQUIRE(out.ok());
  CHECK(out->ingested == 1);
  CHECK(f.client->next_pull().after == 7);  // next page continues
  CHECK(f.client->state().cursor == 0);     // but nothing is durable yet
  auto ticket = f.client->begin_flush();
  f.reopen();  // the tab died before the flush completed: the cursor did not move
  CHECK(f.client->state().cursor == 0);
  (void)ticket;
  out = f.client->on_pull_response(f.client->next_pull(10), page, kNow);
  REQUIRE(out.ok());
  f.flush();
  CHECK(f.client->state().cursor == 7);
  f.reopen();
  CHECK(f.client->state().cursor == 7);
  // A late answer to an older request that starts past what we hold is ignored.
  SyncClient::PullRequest late{20, 10, ""};
  auto ignored = f.client->on_pull_response(late, encode_pull_response({}, 30, false, 30, kNow), kNow);
  REQUIRE(ignored.ok());
  CHECK(f.client->next_pull().after == 7);
}

TEST_CASE("the server clock offset corrects later stamps; warnings are kept for the UI", "[sync][client]") {
  Fixture f;
  f.grid("一");
  f.flush();
  auto b = f.client->next_push(kNow);
  REQUIRE(b.has_value());
  // This device runs a day ahead of the server.
  const int64_t day = 24LL * 3600 * 1000;
  PushResponse r = decode_push_response(answer(*b, -1, kNow - day)).value();
  r.clock_warning = "This device's clock is about 1 day ahead of the server; please set the date and time.";
  REQUIRE(f.client->on_push_response(*b, encode_push_response(r), kNow).ok());
  CHECK(f.client->state().server_offset_ms == -day);
  CHECK(f.client->corrected_now(kNow) == kNow - day);
  CHECK(f.client->clock_warning().find("about 1 day ahead") != std::string::npos);
}

TEST_CASE("a rejected operation is undone on the device, kept in its log, and can be redone", "[sync][client][undo]") {
  Fixture f;
  Operation keep = f.grid("一");
  Operation refused = f.grid("二");
  auto edit = f.replica->commit(EditEntity{"grid", entity_of_op(keep), {{"name", "一改"}}}, kNow + 5);
  REQUIRE(edit.ok());
  f.flush();
  const std::string before_hash = f.replica->state().hash_hex();
  auto b = f.client->next_push(kNow);
  REQUIRE(b.has_value());
  REQUIRE(b->op_ids.size() == 3);
  // The server refused the create of 二 and the rename of 一.
  PushResponse r;
  for (size_t i = 0; i < 3; ++i) {
    PushResult p;
    p.id = b->op_ids[i];
    if (i == 0) {
      p.status = PushStatus::accepted;
      p.seq = 7;
    } else {
      p.status = PushStatus::rejected;
      p.code = "forbidden";
      p.reason = "This device may not change grids.";
    }
    r.results.push_back(p);
  }
  r.head = 7;
  r.server_ms = kNow;
  REQUIRE(f.client->on_push_response(*b, encode_push_response(r), kNow).ok());
  // Undone: 二 does not exist, 一 has its old name; the log still holds both.
  CHECK(f.replica->state().hash_hex() != before_hash);
  CHECK(f.replica->state().find("grid", entity_of_op(refused)) == nullptr);
  REQUIRE(f.replica->state().find("grid", entity_of_op(keep)) != nullptr);
  CHECK(f.replica->state().find("grid", entity_of_op(keep))->text("name") == "一");
  State expected;
  expected.apply(keep);
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
  auto log = f.replica->read_all();
  REQUIRE(log.ok());
  CHECK(log->size() == 3);
  REQUIRE(f.client->rejected().size() == 2);
  CHECK(f.client->rejected()[0].entity == entity_of_op(refused));
  CHECK(f.client->rejected_op(refused.id.to_string())->type == "grid.create");
  // It stays undone after a restart, also from a snapshot written before the undo.
  f.reopen();
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
  CHECK(f.replica->excluded(refused.id));
  // Redo: the same change as a new operation, validated now.
  auto redo = f.client->redo(refused.id.to_string(), kNow + 100);
  REQUIRE(redo.ok());
  CHECK(redo->id.seq == 4);
  CHECK(redo->type == "grid.create");
  CHECK(redo->payload["entity"] == entity_of_op(refused));
  CHECK(f.replica->state().find("grid", entity_of_op(refused))->text("name") == "二");
  CHECK(f.client->rejected()[0].redone_as == redo->id.to_string());
  CHECK(f.client->redo(refused.id.to_string(), kNow + 101).error().code == "already_redone");
  CHECK(f.client->redo("tab-1:1", kNow + 101).error().code == "not_rejected");
  f.flush();
  auto b2 = f.client->next_push(kNow + 200);
  REQUIRE(b2.has_value());
  CHECK(b2->op_ids == std::vector<std::string>{redo->id.to_string()});
}

TEST_CASE("a snapshot written before a refusal does not bring the refused change back", "[sync][client][undo]") {
  Fixture f;
  Operation a = f.grid("一");
  Operation b = f.grid("二");
  REQUIRE(f.replica->write_snapshot().ok());  // folds both
  REQUIRE(f.replica->exclude({b.id}).ok());
  State expected;
  expected.apply(a);
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
  f.reopen();  // the snapshot still holds 二; the exclusion is applied again
  CHECK(f.replica->open_report().used_snapshot);
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
  REQUIRE(f.replica->write_snapshot().ok());  // now written without it
  f.reopen();
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
}

TEST_CASE("refusals recorded in sync-state.json are undone even if excluded.json was lost", "[sync][client][undo]") {
  Fixture f;
  Operation a = f.grid("一");
  Operation b = f.grid("二");
  f.flush();
  auto batch = f.client->next_push(kNow);
  REQUIRE(batch.has_value());
  REQUIRE(f.client->on_push_response(*batch, answer(*batch, 1), kNow).ok());
  State expected;
  expected.apply(a);
  REQUIRE(f.replica->state().hash_hex() == expected.hash_hex());
  REQUIRE(f.fs.remove("/r/excluded.json").ok());
  f.reopen();
  CHECK(f.replica->excluded(b.id));
  CHECK(f.replica->state().hash_hex() == expected.hash_hex());
}
