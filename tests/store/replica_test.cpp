// The replica: log, snapshot, recovery from damage, storage full, identity.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <string>

#include "store/file_system.h"
#include "store/replica.h"
#include "replica_helpers.h"
#include "store/segment.h"

using namespace dh;

namespace {

using test::kDir;
using test::kT0;
using test::make_grid;
using test::must_commit;
using test::open_ok;

// A few grids and households with edits: n operations.
std::vector<Operation> fill(Replica& r, int n, int64_t t = kT0) {
  std::vector<Operation> out;
  std::string grid;
  for (int i = 0; i < n; ++i) {
    if (i % 5 == 0) {
      out.push_back(must_commit(r, make_grid(i), t + i));
      grid = out.back().id.to_string();
    } else {
      out.push_back(must_commit(r, EditEntity{"grid", grid, Json{{"note", "走访记录 " + std::to_string(i)}}}, t + i));
    }
  }
  return out;
}

std::vector<std::string> segment_files(MemoryFileSystem& fs) {
  std::vector<std::string> out;
  const std::vector<std::string> names = fs.list(kDir).value();
  for (const auto& name : names) {
    uint64_t n;
    if (segment::parse_file_name(name, &n)) out.push_back(name);
  }
  return out;
}

std::vector<std::string> quarantined(MemoryFileSystem& fs) { return fs.list(kDir + "/quarantine").value(); }

}  // namespace

TEST_CASE("commit, reopen: identical state and log", "[store][replica]") {
  MemoryFileSystem fs;
  uint64_t hash = 0;
  std::vector<Operation> made;
  {
    auto r = open_ok(fs);
    CHECK(r->open_report().operations == 0);
    CHECK(r->open_report().problems.empty());
    made = fill(*r, 40);
    CHECK(r->operation_count() == 40);
    CHECK(r->state().count("grid") == 8);
    hash = r->state().hash();
    for (const auto& op : made) CHECK(r->contains(op.id));
  }
  auto r = open_ok(fs, "other-id");
  CHECK(r->device_id() == "dev-a");
  CHECK(r->open_report().problems.empty());
  CHECK(r->open_report().operations == 40);
  CHECK(r->open_report().replayed == 40);
  CHECK_FALSE(r->open_report().used_snapshot);
  CHECK(r->state().hash() == hash);
  auto all = r->read_all();
  REQUIRE(all.ok());
  REQUIRE(all.value().size() == made.size());
  for (size_t i = 0; i < made.size(); ++i) CHECK(to_json_text(all.value()[i]) == to_json_text(made[i]));
}

TEST_CASE("segments are sealed near the size limit", "[store][replica]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 2048;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  fill(*r, 100);
  auto segs = segment_files(fs);
  CHECK(segs.size() > 5);
  for (const auto& s : segs) CHECK(fs.files()[kDir + "/" + s].size() <= 2048);
  auto again = open_ok(fs, "dev-a", kT0, opt);
  CHECK(again->state().hash() == r->state().hash());
  CHECK(again->open_report().segments == segs.size());
}

TEST_CASE("invalid commands change nothing", "[store][replica]") {
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  fill(*r, 3);
  auto before = fs.files();
  auto hash = r->state().hash();
  auto gen = r->write_generation();
  auto bad = r->commit(CreateEntity{"grid", Json{{"code", "G9"}}, ""}, kT0 + 100);  // no name
  REQUIRE_FALSE(bad.ok());
  CHECK(r->state().hash() == hash);
  CHECK(fs.files() == before);
  CHECK(r->write_generation() == gen);
  auto next = must_commit(*r, make_grid(9), kT0 + 101);
  CHECK(next.id.seq == 4);  // no gap
}

TEST_CASE("device id and sequence survive restart and never repeat", "[store][replica]") {
  MemoryFileSystem fs;
  Hlc last_stamp;
  {
    auto r = open_ok(fs, "tablet-1");
    auto ops = fill(*r, 3);
    last_stamp = ops.back().hlc;
  }
  SECTION("normal restart, even with the clock set back") {
    auto r = open_ok(fs, "tablet-2", kT0 - 86400000);
    CHECK(r->device_id() == "tablet-1");
    auto op = must_commit(*r, make_grid(4), kT0 - 86400000);
    CHECK(op.id.seq == 4);
    CHECK(op.hlc > last_stamp);
  }
  SECTION("device.json behind the log: the log wins") {
    fs.files()[kDir + "/device.json"] = R"({"device":"tablet-1","format":1,"last_hlc":"0.0","next_seq":1})";
    auto r = open_ok(fs, "tablet-2", kT0);
    CHECK(r->device_id() == "tablet-1");
    auto op = must_commit(*r, make_grid(4), kT0);
    CHECK(op.id.seq == 4);
    CHECK(op.hlc > last_stamp);
  }
  SECTION("device.json ahead of the log (a lost record): numbers still never repeat") {
    fs.files()[kDir + "/device.json"] = R"({"device":"tablet-1","format":1,"last_hlc":"0.0","next_seq":9})";
    auto r = open_ok(fs, "tablet-2", kT0);
    CHECK(must_commit(*r, make_grid(4), kT0).id.seq == 9);
  }
  SECTION("a damaged device.json: set aside, and a new device id") {
    fs.files()[kDir + "/device.json"] = "{\"device\":\"tab";
    auto r = open_ok(fs, "tablet-2", kT0 + 5000);
    CHECK(r->device_id() == "tablet-2");
    REQUIRE(r->open_report().problems.size() == 1);
    CHECK(r->open_report().problems[0].file == "device.json");
    CHECK(r->open_report().problems[0].message.find("new device id") != std::string::npos);
    CHECK(quarantined(fs) == std::vector<std::string>{"device.json." + std::to_string(kT0 + 5000)});
    CHECK(r->operation_count() == 3);
    CHECK(must_commit(*r, make_grid(4), kT0 + 6000).id == (OpId{"tablet-2", 1}));
  }
}

TEST_CASE("an invalid new device id is refused", "[store][replica]") {
  MemoryFileSystem fs;
  auto r = Replica::open(fs, kDir, "Not Valid!", kT0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_device_id");
}

TEST_CASE("a flipped byte in the middle of a segment", "[store][replica][damage]") {
  MemoryFileSystem fs;
  std::vector<Operation> made;
  {
    auto r = open_ok(fs);
    made = fill(*r, 20);
  }
  std::string& seg = fs.files()[kDir + "/seg-000001.log"];
  const std::string original = seg;
  // Find line 10 and flip a byte inside its JSON.
  size_t pos = 0;
  for (int line = 1; line < 10; ++line) pos = seg.find('\n', pos) + 1;
  seg[pos + 30] ^= 0x20;
  const std::string damaged = seg;

  auto r = open_ok(fs, "dev-a", kT0 + 777);
  const auto& rep = r->open_report();
  REQUIRE(rep.problems.size() == 1);
  const auto& p = rep.problems[0];
  CHECK(p.file == "seg-000001.log");
  CHECK(p.records_kept == 19);
  CHECK(p.records_lost == 1);
  CHECK(p.set_aside_as == "quarantine/seg-000001.log." + std::to_string(kT0 + 777));
  INFO(p.message);
  CHECK(p.message.find("seg-000001.log") != std::string::npos);
  CHECK(p.message.find("line 10") != std::string::npos);
  CHECK(p.message.find("checksum") != std::string::npos);
  CHECK(p.message.find("19 operations were kept") != std::string::npos);
  CHECK(p.message.find("set aside") != std::string::npos);
  // Never delete data: the damaged bytes are in quarantine unchanged.
  CHECK(fs.files()[kDir + "/" + p.set_aside_as] == damaged);
  CHECK_FALSE(fs.exists(kDir + "/seg-000001.log"));
  CHECK(segment_files(fs) == std::vector<std::string>{"seg-000002.log"});
  CHECK(r->operation_count() == 19);
  CHECK_FALSE(r->contains(made[9].id));
  for (size_t i = 0; i < made.size(); ++i)
    if (i != 9) CHECK(r->contains(made[i].id));

  // The app keeps working, and the next start is clean.
  auto op = must_commit(*r, make_grid(99), kT0 + 1000);
  CHECK(op.id.seq == 21);
  auto hash = r->state().hash();
  r.reset();
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->operation_count() == 20);
  CHECK(again->state().hash() == hash);
}

TEST_CASE("a truncated tail from a crash", "[store][replica][damage]") {
  MemoryFileSystem fs;
  std::vector<Operation> made;
  {
    auto r = open_ok(fs);
    made = fill(*r, 12);
  }
  std::string& seg = fs.files()[kDir + "/seg-000001.log"];
  const size_t last_start = seg.rfind('\n', seg.size() - 2) + 1;
  seg.resize(last_start + 17);

  auto r = open_ok(fs, "dev-a", kT0 + 5);
  REQUIRE(r->open_report().problems.size() == 1);
  const auto& p = r->open_report().problems[0];
  INFO(p.message);
  CHECK(p.records_kept == 11);
  CHECK(p.records_lost == 1);
  CHECK(p.message.find("cut off") != std::string::npos);
  CHECK(p.message.find("line 12") != std::string::npos);
  CHECK(r->operation_count() == 11);
  // The lost operation's number was already issued (device.json): never reuse it.
  auto op = must_commit(*r, make_grid(50), kT0 + 100);
  CHECK(op.id.seq == 13);
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->operation_count() == 12);
}

TEST_CASE("a last record complete but without its newline is kept", "[store][replica][damage]") {
  MemoryFileSystem fs;
  { fill(*open_ok(fs), 6); }
  fs.files()[kDir + "/seg-000001.log"].pop_back();
  auto r = open_ok(fs);
  REQUIRE(r->open_report().problems.size() == 1);
  CHECK(r->open_report().problems[0].records_kept == 6);
  CHECK(r->open_report().problems[0].records_lost == 0);
  CHECK(r->operation_count() == 6);
  must_commit(*r, make_grid(7), kT0 + 50);
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->operation_count() == 7);
}

TEST_CASE("a garbage file named like a segment", "[store][replica][damage]") {
  MemoryFileSystem fs;
  uint64_t hash;
  {
    auto r = open_ok(fs);
    fill(*r, 10);
    hash = r->state().hash();
  }
  std::mt19937 rng(3);
  std::string garbage(3000, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() & 0xFF);
  fs.files()[kDir + "/seg-000007.log"] = garbage;
  fs.files()[kDir + "/notes.txt"] = "not a segment: ignored";

  auto r = open_ok(fs, "dev-a", kT0 + 9);
  REQUIRE(r->open_report().problems.size() == 1);
  const auto& p = r->open_report().problems[0];
  INFO(p.message);
  CHECK(p.file == "seg-000007.log");
  CHECK(p.records_kept == 0);
  CHECK(p.records_lost > 0);
  CHECK(p.message.find("0 operations were kept") != std::string::npos);
  CHECK(fs.files()[kDir + "/quarantine/seg-000007.log." + std::to_string(kT0 + 9)] == garbage);
  CHECK(r->state().hash() == hash);
  CHECK(r->operation_count() == 10);
  must_commit(*r, make_grid(11), kT0 + 20);
  CHECK(segment_files(fs) == std::vector<std::string>{"seg-000001.log", "seg-000008.log"});
  CHECK(fs.exists(kDir + "/notes.txt"));
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->operation_count() == 11);
}

TEST_CASE("storage full during commit leaves the state unchanged", "[store][replica][full]") {
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  fill(*r, 5);
  const auto hash = r->state().hash();
  const auto count = r->operation_count();
  const auto files = fs.files();
  fs.set_capacity(fs.used_bytes() + 10);

  auto failed = r->commit(make_grid(6), kT0 + 100);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "storage_full");
  CHECK(failed.error().message.find("full") != std::string::npos);
  CHECK(r->state().hash() == hash);
  CHECK(r->operation_count() == count);
  CHECK(fs.files() == files);
  CHECK_FALSE(r->contains(OpId{"dev-a", 6}));

  fs.set_capacity(-1);  // space freed
  auto op = must_commit(*r, make_grid(6), kT0 + 200);
  CHECK(op.id.seq == 6);
  CHECK(r->operation_count() == count + 1);
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->state().hash() == r->state().hash());
}

TEST_CASE("a failed fsync during commit leaves state, log and numbering unchanged", "[store][replica][full]") {
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  fill(*r, 5);
  const auto hash = r->state().hash();
  const auto count = r->operation_count();
  const auto files = fs.files();

  fs.fail_next_syncs(1);
  auto failed = r->commit(make_grid(6), kT0 + 100);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "storage_error");
  CHECK(failed.error().message.find("not saved") != std::string::npos);
  CHECK(r->state().hash() == hash);  // the contract: nothing applied
  CHECK(r->operation_count() == count);
  CHECK_FALSE(r->contains(OpId{"dev-a", 6}));
  CHECK(fs.files() == files);  // the record was cut back out of the segment

  // The next commit takes the same number; a reopen sees exactly what the
  // replica shows.
  auto op = must_commit(*r, make_grid(7), kT0 + 200);
  CHECK(op.id.seq == 6);
  auto again = open_ok(fs);
  CHECK(again->open_report().problems.empty());
  CHECK(again->state().hash() == r->state().hash());
  CHECK(again->operation_count() == count + 1);
}

TEST_CASE("a failed fsync when the record opens a new segment", "[store][replica][full]") {
  MemoryFileSystem fs;
  ReplicaOptions small;
  small.segment_bytes = 600;
  auto r = open_ok(fs, "dev-a", kT0, small);
  // Commit until the next record would seal the segment.
  int i = 0;
  size_t before = segment_files(fs).size();
  for (; i < 50; ++i) {
    const auto files = fs.files();
    const auto hash = r->state().hash();
    fs.fail_next_syncs(1);
    auto failed = r->commit(make_grid(i), kT0 + i);
    REQUIRE_FALSE(failed.ok());
    CHECK(r->state().hash() == hash);
    // A new segment file may stay behind, empty; every other file is as it was.
    for (const auto& [name, bytes] : fs.files()) {
      if (files.count(name)) {
        CHECK(bytes == files.at(name));
      } else {
        CHECK(bytes.empty());
      }
    }
    must_commit(*r, make_grid(i), kT0 + i);
    if (segment_files(fs).size() > before + 1) break;
  }
  CHECK(i < 50);  // a segment was sealed along the way
  auto again = open_ok(fs, "dev-a", kT0, small);
  CHECK(again->open_report().problems.empty());
  CHECK(again->state().hash() == r->state().hash());
  CHECK(again->operation_count() == r->operation_count());
}

TEST_CASE("a failed fsync that cannot be undone keeps the record, applied", "[store][replica][full]") {
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  fill(*r, 3);
  const auto count = r->operation_count();
  fs.fail_next_syncs(1);
  fs.fail_next_truncates(1);
  auto failed = r->commit(make_grid(4), kT0 + 100);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "storage_unconfirmed");
  // The record is in the log, so the state is its fold and the number is used.
  CHECK(r->operation_count() == count + 1);
  CHECK(r->contains(OpId{"dev-a", 4}));
  auto op = must_commit(*r, make_grid(5), kT0 + 200);
  CHECK(op.id.seq == 5);
  auto again = open_ok(fs);
  CHECK(again->state().hash() == r->state().hash());
}

TEST_CASE("storage full during ingest keeps state and log in step", "[store][replica][full]") {
  MemoryFileSystem src_fs;
  std::vector<Operation> remote;
  {
    auto src = open_ok(src_fs, "remote-1");
    remote = fill(*src, 200);
  }
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 1024;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  fs.set_capacity(fs.used_bytes() + 5000);
  auto res = r->ingest(remote, kT0 + 1000);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().code == "storage_full");
  const size_t stored = r->operation_count();
  CHECK(stored > 0);
  CHECK(stored < remote.size());
  fs.set_capacity(-1);
  {
    auto reopened = open_ok(fs, "dev-a", kT0, opt);
    CHECK(reopened->operation_count() == stored);
    CHECK(reopened->state().hash() == r->state().hash());
  }
  auto rest = r->ingest(remote, kT0 + 2000);
  REQUIRE(rest.ok());
  CHECK(rest.value() == remote.size() - stored);
  CHECK(r->operation_count() == remote.size());
}

TEST_CASE("duplicate ingest is harmless", "[store][replica]") {
  MemoryFileSystem src_fs;
  std::vector<Operation> remote;
  uint64_t remote_hash;
  {
    auto src = open_ok(src_fs, "remote-1");
    remote = fill(*src, 30);
    remote_hash = src->state().hash();
  }
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  auto first = r->ingest(remote, kT0 + 100);
  REQUIRE(first.ok());
  CHECK(first.value() == 30);
  CHECK(r->state().hash() == remote_hash);
  const auto files = fs.files();
  auto second = r->ingest(remote, kT0 + 200);
  REQUIRE(second.ok());
  CHECK(second.value() == 0);
  CHECK(fs.files().at(kDir + "/seg-000001.log") == files.at(kDir + "/seg-000001.log"));
  // Twice within one batch.
  std::vector<Operation> doubled = {remote[0], remote[1]};
  CHECK(r->ingest(doubled, kT0 + 300).value() == 0);
  CHECK(r->operation_count() == 30);
  CHECK(r->state().hash() == remote_hash);
  // Remote stamps move our clock past them.
  auto op = must_commit(*r, make_grid(1), kT0);
  CHECK(op.hlc > remote.back().hlc);

  // A structurally bad operation refuses the whole batch.
  Operation broken = remote[0];
  broken.id = OpId{"remote-1", 999};
  broken.author = "";
  auto refused = r->ingest({remote[0], broken}, kT0 + 400);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "invalid_operation");
  CHECK(r->operation_count() == 31);
}

TEST_CASE("own operations coming back through ingest move the numbering", "[store][replica]") {
  MemoryFileSystem old_fs;
  std::vector<Operation> mine;
  {
    auto r = open_ok(old_fs, "tablet-9");
    mine = fill(*r, 8);
  }
  MemoryFileSystem fs;  // a reinstalled device given the same id, restored from the server
  auto r = open_ok(fs, "tablet-9");
  REQUIRE(r->ingest(mine, kT0 + 10).ok());
  CHECK(must_commit(*r, make_grid(9), kT0 + 20).id.seq == 9);
}

TEST_CASE("a snapshot start-up equals a full replay (random operations)", "[store][replica][snapshot]") {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    MemoryFileSystem fs;
    ReplicaOptions opt;
    opt.segment_bytes = 1500 + rng() % 3000;
    auto r = open_ok(fs, "dev-a", kT0, opt);
    MemoryFileSystem other_fs;
    auto other = open_ok(other_fs, "dev-b", kT0, opt);
    std::vector<std::string> grids, households;
    int64_t t = kT0;
    int snapshots = 0;
    const int steps = 300 + static_cast<int>(rng() % 200);
    for (int i = 0; i < steps; ++i) {
      t += 1 + rng() % 5000;
      Replica& who = (rng() % 4 == 0) ? *other : *r;
      const uint32_t what = rng() % 100;
      Result<Operation> op = make_error("skip", "");
      if (grids.empty() || what < 10) {
        op = who.commit(make_grid(i), t);
        if (op.ok()) grids.push_back(op.value().id.to_string());
      } else if (households.empty() || what < 35) {
        op = who.commit(CreateEntity{"household",
                                     Json{{"address", "凤山路" + std::to_string(i) + "号"}, {"grid", grids[rng() % grids.size()]}},
                                     ""},
                        t);
        if (op.ok()) households.push_back(op.value().id.to_string());
      } else if (what < 80) {
        op = who.commit(EditEntity{"household", households[rng() % households.size()],
                                   Json{{"note", "第" + std::to_string(i) + "次走访"}, {"members", 1 + static_cast<int>(rng() % 6)}}},
                        t);
      } else if (what < 90) {
        op = who.commit(ArchiveEntity{"household", households[rng() % households.size()], "搬走"}, t);
      } else {
        op = who.commit(RestoreEntity{"household", households[rng() % households.size()]}, t);
      }
      (void)op;  // archive/restore/edit may be refused by the rules: fine
      if (rng() % 40 == 0) {  // exchange operations both ways
        auto theirs = other->read_all();
        auto ours = r->read_all();
        REQUIRE(r->ingest(theirs.value(), t).ok());
        REQUIRE(other->ingest(ours.value(), t).ok());
      }
      if (rng() % 90 == 0 || r->should_snapshot()) {
        REQUIRE(r->write_snapshot().ok());
        ++snapshots;
      }
    }
    REQUIRE(r->ingest(other->read_all().value(), t).ok());
    if (snapshots == 0) REQUIRE(r->write_snapshot().ok());
    fill(*r, 7, t + 1);  // operations after the last snapshot

    MemoryFileSystem without = fs;
    without.files().erase(kDir + "/snapshot.bin");
    auto from_snapshot = open_ok(fs, "x", t + 10, opt);
    auto full = open_ok(without, "x", t + 10, opt);
    CHECK(from_snapshot->open_report().used_snapshot);
    CHECK_FALSE(full->open_report().used_snapshot);
    CHECK(from_snapshot->open_report().problems.empty());
    CHECK(from_snapshot->open_report().replayed < full->open_report().replayed);
    CHECK(from_snapshot->state().hash() == r->state().hash());
    CHECK(full->state().hash() == r->state().hash());
    CHECK(from_snapshot->operation_count() == full->operation_count());
    CHECK(from_snapshot->operation_count() == r->operation_count());
    auto all = full->read_all();
    REQUIRE(all.ok());
    CHECK(all.value().size() == r->operation_count());
    for (const auto& op : all.value()) CHECK(from_snapshot->contains(op.id));
    // Same numbering and clock either way.
    auto a = from_snapshot->commit(make_grid(1), t + 20);
    auto b = full->commit(make_grid(1), t + 20);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a.value().id == b.value().id);
    CHECK(a.value().hlc == b.value().hlc);
  }
}

TEST_CASE("start-up from a snapshot does not read the covered segments", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  uint64_t hash;
  {
    auto r = open_ok(fs);
    fill(*r, 25);
    REQUIRE(r->write_snapshot().ok());
    fill(*r, 5, kT0 + 1000);
    hash = r->state().hash();
  }
  // Make the covered segment unreadable garbage: start-up must not notice.
  fs.files()[kDir + "/seg-000001.log"] = "garbage";
  auto r = open_ok(fs);
  CHECK(r->open_report().used_snapshot);
  CHECK(r->open_report().replayed == 5);
  CHECK(r->open_report().problems.empty());
  CHECK(r->state().hash() == hash);
  CHECK(r->operation_count() == 30);
}

TEST_CASE("a corrupt snapshot is reported and everything is replayed", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  uint64_t hash;
  {
    auto r = open_ok(fs);
    fill(*r, 25);
    REQUIRE(r->write_snapshot().ok());
    fill(*r, 5, kT0 + 1000);
    hash = r->state().hash();
  }
  std::string& snap = fs.files()[kDir + "/snapshot.bin"];
  SECTION("flipped byte") { snap[snap.size() / 2] ^= 0x04; }
  SECTION("cut off") { snap.resize(snap.size() / 3); }
  SECTION("not a snapshot at all") { snap = "[]"; }
  auto r = open_ok(fs, "dev-a", kT0 + 42);
  CHECK_FALSE(r->open_report().used_snapshot);
  REQUIRE(r->open_report().problems.size() == 1);
  const auto& p = r->open_report().problems[0];
  INFO(p.message);
  CHECK(p.file == "snapshot.bin");
  CHECK(p.message.find("nothing is missing") != std::string::npos);
  CHECK(p.set_aside_as == "quarantine/snapshot.bin." + std::to_string(kT0 + 42));
  CHECK(r->open_report().replayed == 30);
  CHECK(r->state().hash() == hash);
  CHECK(must_commit(*r, make_grid(1), kT0 + 2000).id.seq == 31);
}

TEST_CASE("should_snapshot after enough operations or segments", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.snapshot_every_ops = 50;
  opt.snapshot_every_segments = 1000;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  fill(*r, 49);
  CHECK_FALSE(r->should_snapshot());
  fill(*r, 1, kT0 + 100);
  CHECK(r->should_snapshot());
  REQUIRE(r->write_snapshot().ok());
  CHECK_FALSE(r->should_snapshot());

  opt.snapshot_every_ops = 100000;
  opt.snapshot_every_segments = 3;
  opt.segment_bytes = 1024;
  auto reopened = open_ok(fs, "dev-a", kT0, opt);
  CHECK_FALSE(reopened->should_snapshot());
  fill(*reopened, 40, kT0 + 200);
  CHECK(reopened->should_snapshot());
}

TEST_CASE("write_generation moves with every write", "[store][replica]") {
  MemoryFileSystem fs;
  auto r = open_ok(fs);
  auto g0 = r->write_generation();
  must_commit(*r, make_grid(1), kT0);
  auto g1 = r->write_generation();
  CHECK(g1 > g0);
  REQUIRE(r->write_snapshot().ok());
  CHECK(r->write_generation() > g1);
}

// Natively a temporary folder on the disk; in the wasm build Emscripten's
// MEMFS, as under IDBFS in the browser.
TEST_CASE("the replica on a real folder", "[store][replica][posix]") {
  auto fs = make_posix_file_system();
  char tmpl[] = "/tmp/dh-replica-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = std::string(tmpl) + "/store";
  uint64_t hash;
  {
    auto r = Replica::open(*fs, dir, "native-1", kT0);
    REQUIRE(r.ok());
    r.value()->set_author("staff:test");
    fill(*r.value(), 30);
    REQUIRE(r.value()->write_snapshot().ok());
    fill(*r.value(), 10, kT0 + 500);
    hash = r.value()->state().hash();
  }
  {
    // Tear the tail as a crash would.
    auto seg = fs->read(dir + "/seg-000002.log");
    REQUIRE(seg.ok());
    REQUIRE(fs->write_atomic(dir + "/seg-000002.log", seg.value().substr(0, seg.value().size() - 9)).ok());
  }
  auto r = Replica::open(*fs, dir, "native-2", kT0 + 1);
  REQUIRE(r.ok());
  CHECK(r.value()->device_id() == "native-1");
  CHECK(r.value()->open_report().used_snapshot);
  REQUIRE(r.value()->open_report().problems.size() == 1);
  CHECK(r.value()->open_report().problems[0].records_kept == 9);
  CHECK(r.value()->operation_count() == 39);
  CHECK(r.value()->state().hash() != hash);
  CHECK(fs->exists(dir + "/quarantine/seg-000002.log." + std::to_string(kT0 + 1)));
  r.value()->set_author("staff:test");
  CHECK(must_commit(*r.value(), make_grid(1), kT0 + 600).id.seq == 41);
#ifndef __EMSCRIPTEN__
  std::string cmd = "rm -rf '" + std::string(tmpl) + "'";
  CHECK(std::system(cmd.c_str()) == 0);
#endif
}

TEST_CASE("own operations of this session come from memory until forgotten", "[store][replica]") {
  MemoryFileSystem fs;
  {
    auto r = open_ok(fs);
    CHECK_FALSE(r->own_ops_in(0, 5).has_value());  // nothing committed this session
    for (int i = 1; i <= 3; ++i) must_commit(*r, make_grid(i), kT0 + i);
  }
  auto r = open_ok(fs);  // seqs 1..3 are from the last session
  for (int i = 4; i <= 8; ++i) must_commit(*r, make_grid(i), kT0 + i);
  CHECK_FALSE(r->own_ops_in(2, 8).has_value());  // reaches back before this session: read the log
  auto mine = r->own_ops_in(3, 6);
  REQUIRE(mine);
  REQUIRE(mine->size() == 3);
  CHECK((*mine)[0].id.seq == 4);
  CHECK((*mine)[2].id.seq == 6);
  auto all = r->read_all();
  REQUIRE(all.ok());
  for (const auto& op : *mine) {
    bool same = false;
    for (const auto& logged : all.value()) same = same || (logged.id == op.id && logged.hlc == op.hlc && logged.payload == op.payload);
    CHECK(same);  // what memory gives is what the log holds
  }
  r->forget_own_through(5);
  CHECK_FALSE(r->own_ops_in(4, 8).has_value());  // 5 was forgotten
  auto rest = r->own_ops_in(5, 8);
  REQUIRE(rest);
  CHECK(rest->size() == 3);
  CHECK(r->own_ops_in(8, 8)->empty());
}
