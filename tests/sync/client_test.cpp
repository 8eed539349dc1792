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
  std::string device;
  explicit Fixture(std::string device_id = "tab-1") : device(std::move(device_id)) { reopen(); }
  void reopen() {
    client.reset();
    replica.reset();
    auto r = Replica::open(fs, "/r", device, kNow);
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

namespace {
// Another tablet that has tab-1's operations (as if pulled) and makes its own.
struct OtherTablet {
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  OtherTablet(const std::vector<Operation>& known) {
    auto r = Replica::open(fs, "/o", "tab-2", kNow);
    REQUIRE(r.ok());
    replica = std::move(r).value();
    replica->set_author("staff:other");
    REQUIRE(replica->ingest(known, kNow).ok());
  }
  Operation make(const Command& cmd, int64_t at) {
    auto op = replica->commit(cmd, at);
    REQUIRE(op.ok());
    return op.value();
  }
};

std::string page_of(const std::vector<Operation>& ops, uint64_t first_seq) {
  std::vector<RawPulledOp> raw;
  uint64_t seq = first_seq;
  for (const auto& op : ops) raw.push_back(RawPulledOp{seq++, to_json_text(op)});
  return encode_pull_response(raw, seq - 1, false, seq - 1, kNow);
}

// Pushes everything this tablet holds; the server answers at server_ms.
void push_everything(Fixture& f, int64_t server_ms) {
  f.flush();
  while (auto b = f.client->next_push(server_ms)) REQUIRE(f.client->on_push_response(*b, answer(*b, -1, server_ms), server_ms).ok());
  REQUIRE(f.client->waiting_ops() == 0);
}

// Pulls `ops` as the server's next page (seqs follow the last pull).
void pull(Fixture& f, const std::vector<Operation>& ops, int64_t now) {
  auto q = f.client->next_pull();
  std::vector<RawPulledOp> raw;
  uint64_t seq = q.after;
  for (const auto& op : ops) raw.push_back(RawPulledOp{++seq, to_json_text(op)});
  REQUIRE(f.client->on_pull_response(q, encode_pull_response(raw, seq, false, seq, now), now).ok());
}

Operation made(Fixture& f, const Command& cmd, int64_t at) {
  auto op = f.replica->commit(cmd, at);
  REQUIRE(op.ok());
  return op.value();
}

// Two tablets that both hold one grid tab-1 created and pushed (answered at
// kNow + 100), as after a sync; both then go offline.
struct TwoTablets {
  Fixture a{"tab-1"}, b{"tab-2"};
  Operation created;
  std::string grid;
  TwoTablets() {
    created = a.grid("北网格");
    grid = entity_of_op(created);
    push_everything(a, kNow + 100);
    pull(a, {created}, kNow + 200);
    pull(b, {created}, kNow + 200);
  }
};
}  // namespace

TEST_CASE("an own edit hidden by another device's concurrent archive is reported and can be made to show again",
          "[sync][client][overridden]") {
  Fixture f;
  Operation created = f.grid("东网格");
  const std::string grid = entity_of_op(created);
  OtherTablet other({created});
  // Both offline: the other tablet archives the grid; this one renames it later.
  Operation archived = other.make(ArchiveEntity{"grid", grid, "合并"}, kNow + 1000);
  auto edit = f.replica->commit(EditEntity{"grid", grid, {{"name", "东网格（新）"}}}, kNow + 2000);
  REQUIRE(edit.ok());
  CHECK(f.client->overridden().empty());
  // This tablet pulls: its own operations come back, and the archive.
  auto out = f.client->on_pull_response(f.client->next_pull(), page_of({created, archived, edit.value()}, 1), kNow + 3000);
  REQUIRE(out.ok());
  const Entity* e = f.replica->state().find("grid", grid);
  REQUIRE(e);
  CHECK(e->archived());                         // the archive resolves as everywhere
  CHECK(e->text("name") == "东网格（新）");      // and the edit is kept in the record
  REQUIRE(f.client->overridden().size() == 1);
  const OverriddenOp o = f.client->overridden()[0];
  CHECK(o.id == edit->id.to_string());
  CHECK(o.type == "grid.edit");
  CHECK(o.how == "archived");
  CHECK(o.by == "tab-2");
  CHECK(o.entity == grid);
  // Pulling the same page again notices nothing new.
  REQUIRE(f.client->on_pull_response(SyncClient::PullRequest{0, 10, ""}, page_of({created, archived, edit.value()}, 1),
                                     kNow + 3000).ok());
  CHECK(f.client->overridden().size() == 1);
  // Kept across a restart.
  f.flush();
  f.reopen();
  REQUIRE(f.client->overridden().size() == 1);
  CHECK(f.client->overridden()[0].how == "archived");
  // "Make it again": the record is restored (the renamed fields already hold).
  auto again = f.client->redo_overridden(o.id, kNow + 4000);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 1);
  CHECK(again->front().type == "grid.restore");
  CHECK(f.replica->state().find("grid", grid)->live());
  CHECK(f.client->overridden()[0].redone_as == again->front().id.to_string());
  CHECK(f.client->redo_overridden(o.id, kNow + 5000).error().code == "already_redone");
  CHECK(f.client->redo_overridden("tab-1:999", kNow + 5000).error().code == "not_overridden");
}

TEST_CASE("an own field another device overwrote at the same time is reported and can be edited back",
          "[sync][client][overridden]") {
  Fixture f;
  Operation created = f.grid("西网格");
  const std::string grid = entity_of_op(created);
  auto mine = f.replica->commit(EditEntity{"grid", grid, {{"name", "西网格甲"}}}, kNow + 1000);
  REQUIRE(mine.ok());
  OtherTablet other({created});
  Operation theirs = other.make(EditEntity{"grid", grid, {{"name", "西网格乙"}}}, kNow + 2000);  // later stamp wins
  REQUIRE(f.client->on_pull_response(f.client->next_pull(), page_of({created, mine.value(), theirs}, 1), kNow + 3000).ok());
  CHECK(f.replica->state().find("grid", grid)->text("name") == "西网格乙");
  REQUIRE(f.client->overridden().size() == 1);
  CHECK(f.client->overridden()[0].how == "overwritten");
  CHECK(f.client->overridden()[0].type == "grid.edit");
  CHECK(f.client->overridden()[0].fields == std::vector<std::string>{"name"});
  auto again = f.client->redo_overridden(mine->id.to_string(), kNow + 4000);
  REQUIRE(again.ok());
  CHECK(again->front().type == "grid.edit");
  CHECK(f.replica->state().find("grid", grid)->text("name") == "西网格甲");
}

// The false notice of the fourth session: the tablet that created a record
// and then archived it was told its create had been overwritten by the other
// tablet's edit. The other tablet had the record (it could not edit it
// otherwise): a later edit of what a create set is an ordinary change.
TEST_CASE("an archive racing an edit: only the editing tablet is told; the creator's create is not overridden",
          "[sync][client][overridden]") {
  TwoTablets t;
  // Offline: tab-1 archives, then tab-2 (not knowing) renames it.
  Operation archive = made(t.a, ArchiveEntity{"grid", t.grid, "合并"}, kNow + 2000);
  Operation rename = made(t.b, EditEntity{"grid", t.grid, {{"name", "北网格（改）"}}}, kNow + 3000);
  // tab-1 reconnects first, then tab-2; then tab-1 pulls tab-2's edit.
  push_everything(t.a, kNow + 4000);
  push_everything(t.b, kNow + 5000);
  pull(t.b, {archive, rename}, kNow + 5100);
  pull(t.a, {archive, rename}, kNow + 5200);
  for (Fixture* d : {&t.a, &t.b}) {
    const Entity* e = d->replica->state().find("grid", t.grid);
    REQUIRE(e);
    CHECK(e->archived());
    CHECK(e->text("name") == "北网格（改）");
  }
  CHECK(t.a.replica->state().hash_hex() == t.b.replica->state().hash_hex());
  CHECK(t.a.client->overridden().empty());  // its archive stands; its create is not "overwritten"
  REQUIRE(t.b.client->overridden().size() == 1);
  CHECK(t.b.client->overridden()[0].how == "archived");
  CHECK(t.b.client->overridden()[0].type == "grid.edit");
  CHECK(t.b.client->overridden()[0].by == "tab-1");

  // The other order of stamps and arrival: tab-2 edits first, tab-1 archives
  // later without having seen the edit, tab-2 reconnects first. tab-2 is told
  // (the archive was stamped before tab-2's edit reached the server).
  TwoTablets u;
  Operation rename2 = made(u.b, EditEntity{"grid", u.grid, {{"code", "N9"}}}, kNow + 2000);
  Operation archive2 = made(u.a, ArchiveEntity{"grid", u.grid, ""}, kNow + 3000);
  push_everything(u.b, kNow + 4000);
  push_everything(u.a, kNow + 5000);
  pull(u.a, {rename2, archive2}, kNow + 5100);
  pull(u.b, {rename2, archive2}, kNow + 5200);
  CHECK(u.a.client->overridden().empty());
  REQUIRE(u.b.client->overridden().size() == 1);
  CHECK(u.b.client->overridden()[0].how == "archived");
}

TEST_CASE("a later change by a device that had seen the own change is not an override",
          "[sync][client][overridden]") {
  // An own edit that reached the server, then another device's edit of the
  // same field made after it pulled it: an ordinary later change.
  TwoTablets t;
  Operation mine = made(t.a, EditEntity{"grid", t.grid, {{"name", "北网格甲"}}}, kNow + 1000);
  push_everything(t.a, kNow + 1500);
  pull(t.b, {mine}, kNow + 1600);
  Operation theirs = made(t.b, EditEntity{"grid", t.grid, {{"name", "北网格乙"}}}, kNow + 5000);
  pull(t.a, {mine, theirs}, kNow + 6000);
  CHECK(t.a.replica->state().find("grid", t.grid)->text("name") == "北网格乙");
  CHECK(t.a.client->overridden().empty());

  // The same edits when the other device had not pulled it: its edit is
  // stamped later (kNow + 1200 > 1000) but before the own edit reached the
  // server (kNow + 1500), so it could not have seen it: reported.
  TwoTablets u;
  Operation mine2 = made(u.a, EditEntity{"grid", u.grid, {{"name", "北网格甲"}}}, kNow + 1000);
  Operation theirs2 = made(u.b, EditEntity{"grid", u.grid, {{"name", "北网格乙"}}}, kNow + 1200);
  push_everything(u.a, kNow + 1500);
  pull(u.a, {mine2, theirs2}, kNow + 6000);
  REQUIRE(u.a.client->overridden().size() == 1);
  CHECK(u.a.client->overridden()[0].how == "overwritten");

  // The same value written twice is nothing the person misses.
  TwoTablets v;
  made(v.a, EditEntity{"grid", v.grid, {{"name", "同名"}}}, kNow + 1000);
  Operation same = made(v.b, EditEntity{"grid", v.grid, {{"name", "同名"}}}, kNow + 1200);
  pull(v.a, {same}, kNow + 2000);
  CHECK(v.a.client->overridden().empty());

  // Months later another device archives the record: not a conflict with an
  // edit made (and pushed) long before it.
  TwoTablets w;
  Operation old_edit = made(w.a, EditEntity{"grid", w.grid, {{"name", "北网格丙"}}}, kNow + 1000);
  push_everything(w.a, kNow + 1500);
  pull(w.b, {old_edit}, kNow + 1600);
  Operation archive = made(w.b, ArchiveEntity{"grid", w.grid, ""}, kNow + 60LL * 24 * 3600 * 1000);
  pull(w.a, {old_edit, archive}, kNow + 61LL * 24 * 3600 * 1000);
  CHECK(w.a.replica->state().find("grid", w.grid)->archived());
  CHECK(w.a.client->overridden().empty());
}

TEST_CASE("an own archive undone by a restore made without it is reported as restored",
          "[sync][client][overridden]") {
  TwoTablets t;
  // tab-2 archives and later restores the grid offline; tab-1 archived it in
  // between without knowing. tab-2's restore is stamped last and wins.
  Operation their_archive = made(t.b, ArchiveEntity{"grid", t.grid, ""}, kNow + 1000);
  Operation mine = made(t.a, ArchiveEntity{"grid", t.grid, "停用"}, kNow + 2000);
  Operation their_restore = made(t.b, RestoreEntity{"grid", t.grid}, kNow + 3000);
  push_everything(t.b, kNow + 4000);
  pull(t.a, {their_archive, their_restore}, kNow + 5000);
  CHECK(t.a.replica->state().find("grid", t.grid)->live());
  REQUIRE(t.a.client->overridden().size() == 1);
  CHECK(t.a.client->overridden()[0].how == "restored");
  CHECK(t.a.client->overridden()[0].type == "grid.archive");
  CHECK(t.a.client->overridden()[0].id == mine.id.to_string());
  auto again = t.a.client->redo_overridden(mine.id.to_string(), kNow + 6000);
  REQUIRE(again.ok());
  CHECK(again->front().type == "grid.archive");
  CHECK(t.a.replica->state().find("grid", t.grid)->archived());
}

TEST_CASE("a device whose compacted history is lost pulls from the start again", "[sync][client][compact]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.grid("网格" + std::to_string(i));
  REQUIRE(f.replica->write_snapshot().ok());
  REQUIRE(f.replica->compact(3).value() > 0);
  f.replica->note_folder_write();
  REQUIRE(f.fs.write_atomic("/r/sync-state.json", R"({"version":1,"cursor":50,"acked_seq":3})").ok());
  SECTION("base.bin readable: the pull goes on from the cursor") {
    f.reopen();
    CHECK_FALSE(f.replica->open_report().history_missing);
    CHECK(f.client->next_pull(10).after == 50);
  }
  SECTION("base.bin damaged: everything is pulled again") {
    f.fs.files()["/r/base.bin"][40] ^= 1;
    f.reopen();
    CHECK(f.replica->open_report().history_missing);
    CHECK(f.client->next_pull(10).after == 0);
  }
}
