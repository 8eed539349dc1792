// The format-2 snapshot (snapshot.bin), the format-1 snapshot.json still read,
// and compaction of segments the server holds.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <vector>

#include <unistd.h>
#include <string>

#include "core/state_codec.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "replica_helpers.h"
#include "store/segment.h"
#include "store/snapshot_file.h"

using namespace dh;

namespace {

using test::kDir;
using test::kT0;
using test::make_temp_dir;
using test::make_grid;
using test::must_commit;
using test::open_ok;

Operation raw(const std::string& device, uint64_t seq, int64_t wall, const std::string& type, Json payload,
              const std::string& author = "staff:wang") {
  Operation op;
  op.id = OpId{device, seq};
  op.hlc = Hlc{wall, static_cast<uint32_t>(seq % 3)};
  op.author = author;
  op.type = type;
  op.payload = std::move(payload);
  return op;
}

size_t segment_files(MemoryFileSystem& fs) {
  size_t n = 0;
  for (const auto& [name, bytes] : fs.files()) {
    uint64_t number = 0;
    auto slash = name.rfind('/');
    if (name.compare(0, kDir.size() + 1, kDir + "/") == 0 && slash == kDir.size() &&
        segment::parse_file_name(name.substr(slash + 1), &number))
      ++n;
  }
  return n;
}

// A format-1 snapshot.json as the previous version wrote it.
std::string old_json_snapshot(const Replica& r, uint64_t covers) {
  OpIdSet ids;
  auto all = r.read_all();
  for (const auto& op : all.value()) ids.insert(op.id);
  Json body = {{"format", 1},
               {"covers_through_segment", covers},
               {"operations", ids.size()},
               {"ids", ids.to_json()},
               {"device", r.device_id()},
               {"clock", r.state().max_hlc().to_string()},
               {"state_hash", r.state().hash_hex()},
               {"state", r.state().to_snapshot()},
               {"excluded", OpIdSet().to_json()}};
  const std::string text = body.dump();
  return "{\"crc32\":\"" + segment::crc32_hex(text) + "\",\"length\":" + std::to_string(text.size()) +
         ",\"snapshot\":" + text + "}\n";
}

}  // namespace

TEST_CASE("state records round-trip every kind of value, stamp and author", "[store][snapshot][codec]") {
  State s;
  std::mt19937 rng(7);
  const Json values[] = {"文本", "", -1, 0, 42, -9007199254740991LL, 18446744073709551615ULL, 3.25, -0.5, 1e300, true,
                         false, nullptr, Json::array({1, "二", Json::array()}),
                         Json{{"nested", Json{{"deep", Json::array({nullptr, 2.5})}}}, {"键", "值"}}};
  uint64_t seq = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string device = i % 3 == 0 ? "dev-b" : "dev-a";
    const std::string entity = "h" + std::to_string(rng() % 60);
    Json fields;
    fields["note"] = values[rng() % std::size(values)];
    fields["f" + std::to_string(rng() % 5)] = values[rng() % std::size(values)];
    const char* types[] = {"household.create", "household.edit", "household.archive", "household.restore",
                           "signup.create", "zzz.create"};
    const std::string type = types[rng() % std::size(types)];
    Json payload = {{"entity", type.rfind("signup", 0) == 0 ? "s" + entity : entity}, {"fields", fields}};
    if (type == "signup.create") payload["fields"]["shift"] = "shift" + std::to_string(rng() % 4);
    s.apply(raw(device, ++seq, kT0 + static_cast<int64_t>(rng() % 100000), type, payload,
                "author" + std::to_string(rng() % 7)));
  }
  REQUIRE(s.ignored_ops() > 0);
  SnapshotInfo info;
  info.covers_through_segment = 3;
  info.ids.insert(OpId{"dev-a", 1});
  info.clock = s.max_hlc();
  info.device = "dev-a";
  info.state_hash = s.hash_hex();
  for (size_t chunk : {size_t{64}, size_t{1000}, size_t{64 * 1024}}) {
    CAPTURE(chunk);
    const std::string bytes = encode_snapshot(info, s, chunk);
    auto back = decode_snapshot(bytes);
    REQUIRE(back.ok());
    const State& t = back.value().state;
    CHECK(t.hash_hex() == s.hash_hex());
    CHECK(t.to_snapshot() == s.to_snapshot());  // authors, stamps, uncreated entities too
    CHECK(t.applied_ops() == s.applied_ops());
    CHECK(t.ignored_ops() == s.ignored_ops());
    CHECK(t.max_hlc() == s.max_hlc());
    for (int k = 0; k < 4; ++k)
      CHECK(t.referring("signup", "shift", "shift" + std::to_string(k)).size() ==
            s.referring("signup", "shift", "shift" + std::to_string(k)).size());
    CHECK(back.value().info.covers_through_segment == 3);
    CHECK(back.value().info.ids == info.ids);
  }
  // Every truncation and every flipped byte is refused, never a crash.
  const std::string bytes = encode_snapshot(info, s, 500);
  for (size_t cut = 0; cut < bytes.size(); cut += 37) CHECK_FALSE(decode_snapshot(bytes.substr(0, cut)).ok());
  for (size_t at = 0; at < bytes.size(); at += 53) {
    std::string bad = bytes;
    bad[at] ^= 0x20;
    CHECK_FALSE(decode_snapshot(bad).ok());
  }
  CHECK_FALSE(decode_snapshot(bytes + "x").ok());
}

TEST_CASE("snapshot.bin start-up equals a full replay", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 2000;
  uint64_t hash = 0;
  {
    auto r = open_ok(fs, "dev-a", kT0, opt);
    for (int i = 0; i < 60; ++i) must_commit(*r, make_grid(i), kT0 + i);
    REQUIRE(r->write_snapshot().ok());
    for (int i = 60; i < 70; ++i) must_commit(*r, make_grid(i), kT0 + i);
    hash = r->state().hash();
  }
  CHECK(fs.files().count(kDir + "/snapshot.bin") == 1);
  CHECK(fs.files().count(kDir + "/snapshot.json") == 0);
  MemoryFileSystem without = fs;
  without.files().erase(kDir + "/snapshot.bin");
  auto from_snapshot = open_ok(fs, "x", kT0 + 100, opt);
  auto replayed = open_ok(without, "x", kT0 + 100, opt);
  CHECK(from_snapshot->open_report().used_snapshot);
  CHECK(from_snapshot->open_report().snapshot_format == 2);
  CHECK(from_snapshot->open_report().replayed == 10);
  CHECK(from_snapshot->open_report().problems.empty());
  CHECK(replayed->open_report().replayed == 70);
  CHECK(from_snapshot->state().hash() == hash);
  CHECK(replayed->state().hash() == hash);
  CHECK(must_commit(*from_snapshot, make_grid(1), kT0 + 200).id == must_commit(*replayed, make_grid(1), kT0 + 200).id);
}

TEST_CASE("a damaged snapshot.bin is set aside and the log replayed", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  uint64_t hash = 0;
  {
    auto r = open_ok(fs);
    for (int i = 0; i < 40; ++i) must_commit(*r, make_grid(i), kT0 + i);
    REQUIRE(r->write_snapshot().ok());
    must_commit(*r, make_grid(99), kT0 + 99);
    hash = r->state().hash();
  }
  // Re-frame it in small parts so damage can hit a part boundary.
  std::string& snap = fs.files()[kDir + "/snapshot.bin"];
  auto loaded = decode_snapshot(snap);
  REQUIRE(loaded.ok());
  snap = encode_snapshot(loaded.value().info, loaded.value().state, 300);
  REQUIRE(decode_snapshot(snap).ok());
  std::string expect;
  SECTION("a flipped byte in a state part") {
    snap[snap.size() - 100] ^= 0x01;
    expect = "wrong checksum";
  }
  SECTION("cut off exactly after a part") {
    // Walk the frames ("<crc> <length>\n<payload>\n") to the start of the last.
    size_t at = std::string("dianhong-snapshot 2\n").size(), last = at;
    while (at < snap.size()) {
      last = at;
      const size_t nl = snap.find('\n', at);
      at = nl + 1 + std::stoul(snap.substr(at + 9, nl - at - 9)) + 1;
    }
    REQUIRE(at == snap.size());
    snap.resize(last);
    expect = "cut off";
  }
  SECTION("cut off inside a part") {
    snap.resize(snap.size() - 7);
    expect = "cut off";
  }
  SECTION("a damaged header") {
    snap[25] ^= 0x10;
    expect = "header";
  }
  SECTION("extra bytes") {
    snap += "more";
    expect = "extra bytes";
  }
  auto r = open_ok(fs, "dev-a", kT0 + 42);
  CHECK_FALSE(r->open_report().used_snapshot);
  REQUIRE(r->open_report().problems.size() == 1);
  const auto& p = r->open_report().problems[0];
  INFO(p.message);
  CHECK(p.file == "snapshot.bin");
  CHECK(p.message.find(expect) != std::string::npos);
  CHECK(p.message.find("nothing is missing") != std::string::npos);
  CHECK(p.set_aside_as == "quarantine/snapshot.bin." + std::to_string(kT0 + 42));
  CHECK(r->open_report().replayed == 41);
  CHECK(r->state().hash() == hash);
  CHECK(must_commit(*r, make_grid(1), kT0 + 2000).id.seq == 42);
}

TEST_CASE("an older version's snapshot.json is still read, then replaced", "[store][replica][snapshot]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 1500;
  uint64_t hash = 0;
  {
    auto r = open_ok(fs, "dev-a", kT0, opt);
    for (int i = 0; i < 30; ++i) must_commit(*r, make_grid(i), kT0 + i);
    // The previous version sealed segment N and wrote snapshot.json over 1..N.
    uint64_t covers = 0;
    for (const auto& [name, bytes] : fs.files()) {
      uint64_t n = 0;
      if (segment::parse_file_name(name.substr(name.rfind('/') + 1), &n)) covers = std::max(covers, n);
    }
    fs.files()[kDir + "/snapshot.json"] = old_json_snapshot(*r, covers);
    hash = r->state().hash();
  }
  {
    auto r = open_ok(fs, "dev-a", kT0 + 100, opt);
    CHECK(r->open_report().used_snapshot);
    CHECK(r->open_report().snapshot_format == 1);
    CHECK(r->open_report().replayed == 0);
    CHECK(r->open_report().problems.empty());
    CHECK(r->state().hash() == hash);
    must_commit(*r, make_grid(30), kT0 + 130);
    hash = r->state().hash();
    REQUIRE(r->write_snapshot().ok());
  }
  CHECK(fs.files().count(kDir + "/snapshot.json") == 0);
  auto r = open_ok(fs, "dev-a", kT0 + 200, opt);
  CHECK(r->open_report().snapshot_format == 2);
  CHECK(r->state().hash() == hash);
}

TEST_CASE("compaction removes only what the server holds", "[store][replica][compact]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 1200;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  for (int i = 0; i < 40; ++i) must_commit(*r, make_grid(i), kT0 + i);
  const size_t before = segment_files(fs);
  REQUIRE(before > 3);
  // No snapshot yet: nothing to compact under.
  CHECK(r->compact(40).value() == 0);
  REQUIRE(r->write_snapshot().ok());
  // Own operations not acknowledged: nothing goes.
  CHECK(r->compact(39).value() == 0);
  CHECK(segment_files(fs) == before);
  CHECK(r->compacted_through() == 0);
  CHECK(r->compact(40).value() == before);
  CHECK(segment_files(fs) == 0);
  CHECK(r->compacted_through() > 0);
  CHECK(fs.files().count(kDir + "/base.bin") == 1);
  CHECK(fs.files().count(kDir + "/snapshot.bin") == 0);  // renamed, not copied
  // Later operations go on; read_all holds exactly the remaining ones.
  must_commit(*r, make_grid(41), kT0 + 41);
  CHECK(r->read_all().value().size() == 1);
  auto again = open_ok(fs, "dev-a", kT0 + 100, opt);
  CHECK(again->open_report().used_snapshot);
  CHECK(again->open_report().replayed == 1);
  CHECK(again->state().hash() == r->state().hash());
  CHECK(again->operation_count() == 41);
  CHECK(must_commit(*again, make_grid(42), kT0 + 120).id.seq == 42);
}

TEST_CASE("after compaction, exclude() and a damaged snapshot fold from base.bin", "[store][replica][compact]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 1000;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  const Operation grid = must_commit(*r, make_grid(1), kT0);
  const std::string g = grid.id.to_string();
  const Operation house = must_commit(*r, CreateEntity{"household", Json{{"address", "凤山路1号"}, {"grid", g}}, ""}, kT0 + 1);
  const std::string h = house.id.to_string();
  for (int i = 0; i < 20; ++i)
    must_commit(*r, EditEntity{"household", h, Json{{"note", "走访" + std::to_string(i)}}}, kT0 + 10 + i);
  REQUIRE(r->write_snapshot().ok());
  REQUIRE(r->compact(22).value() > 0);
  // A new own edit the server then refuses: the note goes back to the last
  // acknowledged one, which only base.bin still holds.
  const Operation refused = must_commit(*r, EditEntity{"household", h, Json{{"note", "被拒绝"}}}, kT0 + 100);
  CHECK(r->state().find("household", h)->text("note") == "被拒绝");
  REQUIRE(r->exclude({refused.id}).ok());
  CHECK(r->state().find("household", h)->text("note") == "走访19");
  CHECK(r->state().find("household", h)->text("address") == "凤山路1号");
  const uint64_t hash = r->state().hash();
  // The refused one stays in the log (audit, redo).
  bool found = false;
  auto log = r->read_all();
  for (const auto& op : log.value()) found = found || op.id == refused.id;
  CHECK(found);
  REQUIRE(r->write_snapshot().ok());
  CHECK(r->compact(23).value() == 0);  // the segment with the refused operation stays
  CHECK(segment_files(fs) >= 1);
  REQUIRE(fs.files().count(kDir + "/snapshot.bin") == 1);

  SECTION("a damaged snapshot: base.bin and the remaining log") {
    fs.files()[kDir + "/snapshot.bin"][60] ^= 1;
    auto again = open_ok(fs, "dev-a", kT0 + 200, opt);
    CHECK(again->open_report().used_snapshot);  // base.bin, the older snapshot
    CHECK_FALSE(again->open_report().history_missing);
    REQUIRE(again->open_report().problems.size() == 1);
    CHECK(again->open_report().problems[0].message.find("base.bin") != std::string::npos);
    CHECK(again->state().hash() == hash);
  }
  SECTION("both damaged: the remaining log, and the history is fetched again") {
    fs.files()[kDir + "/snapshot.bin"][60] ^= 1;
    fs.files()[kDir + "/base.bin"][60] ^= 1;
    auto again = open_ok(fs, "dev-a", kT0 + 200, opt);
    CHECK(again->open_report().history_missing);
    CHECK(again->open_report().problems.size() == 2);
    CHECK(again->contains(refused.id));
    CHECK(must_commit(*again, make_grid(2), kT0 + 300).id.seq == 24);  // numbering never repeats
  }
}

TEST_CASE("restamp_own after compaction folds from base.bin", "[store][replica][compact]") {
  MemoryFileSystem fs;
  ReplicaOptions opt;
  opt.segment_bytes = 1000;
  auto r = open_ok(fs, "dev-a", kT0, opt);
  for (int i = 0; i < 15; ++i) must_commit(*r, make_grid(i), kT0 + i);
  REQUIRE(r->write_snapshot().ok());
  REQUIRE(r->compact(15).value() > 0);
  const int64_t ahead = kT0 + 3600000;
  const Operation late = must_commit(*r, make_grid(100), ahead);
  REQUIRE(r->restamp_own(15, kT0 + 1000, kT0 + 500).value() == late.id.seq);
  CHECK(r->state().count("grid") == 16);
  CHECK(r->state().max_hlc().wall_ms < ahead);
  auto again = open_ok(fs, "dev-a", kT0 + 600, opt);
  CHECK(again->state().hash() == r->state().hash());
}

TEST_CASE("compaction never removes an unsynced own operation (random runs)", "[store][replica][compact]") {
  size_t removed_total = 0, excluded_total = 0, reopened = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    MemoryFileSystem fs, other_fs;
    ReplicaOptions opt;
    opt.segment_bytes = 600 + rng() % 2000;
    auto r = open_ok(fs, "dev-a", kT0, opt);
    auto other = open_ok(other_fs, "dev-b", kT0, opt);
    std::vector<Operation> all;     // every operation the device holds
    std::vector<Operation> own;     // own ones, by seq - 1
    OpIdSet excluded;
    uint64_t acked = 0;
    std::vector<std::string> grids;
    int64_t t = kT0;
    auto reference_hash = [&] {
      State s;
      for (const auto& op : all)
        if (!excluded.contains(op.id)) s.apply(op);
      return s.hash();
    };
    auto check_invariants = [&](const char* after) {
      INFO("after " << after);
      auto log = r->read_all();
      REQUIRE(log.ok());
      OpIdSet in_log;
      for (const auto& op : log.value()) in_log.insert(op.id);
      for (const auto& op : own)
        if (op.id.seq > acked || excluded.contains(op.id)) REQUIRE(in_log.contains(op.id));
      REQUIRE(r->state().hash() == reference_hash());
      REQUIRE(r->operation_count() == all.size());
    };
    const int steps = 250;
    for (int i = 0; i < steps; ++i) {
      t += 1 + rng() % 3000;
      const uint32_t what = rng() % 100;
      if (what < 45) {  // own change
        Result<Operation> op = make_error("x", "");
        if (grids.empty() || rng() % 3 == 0) op = r->commit(make_grid(i), t);
        else op = r->commit(EditEntity{"grid", grids[rng() % grids.size()], Json{{"name", "改" + std::to_string(i)}}}, t);
        if (!op.ok()) continue;  // an edit of a grid whose creation was refused
        if (op.value().type == "grid.create") grids.push_back(op.value().id.to_string());
        all.push_back(op.value());
        own.push_back(op.value());
      } else if (what < 60) {  // another device's change arrives through the server
        auto theirs = other->commit(make_grid(1000 + i), t);
        REQUIRE(theirs.ok());
        grids.push_back(theirs.value().id.to_string());
        REQUIRE(r->ingest({theirs.value()}, t).ok());
        all.push_back(theirs.value());
      } else if (what < 72) {  // the server answers a push
        const uint64_t max_own = own.size();
        if (max_own > acked) {
          const uint64_t upto = acked + 1 + rng() % (max_own - acked);
          // ... and may refuse some of it (before the ack, as SyncClient does)
          if (rng() % 4 == 0) {
            const OpId id = own[acked + rng() % (upto - acked)].id;
            REQUIRE(r->exclude({id}).ok());
            if (excluded.insert(id)) ++excluded_total;
          }
          acked = upto;
        }
      } else if (what < 82) {
        REQUIRE(r->write_snapshot().ok());
      } else if (what < 94) {
        auto n = r->compact(acked);
        REQUIRE(n.ok());
        removed_total += n.value();
      } else {
        const uint64_t hash = r->state().hash();
        r.reset();
        r = open_ok(fs, "dev-a", t, opt);
        ++reopened;
        REQUIRE(r->open_report().problems.empty());
        REQUIRE(r->state().hash() == hash);
      }
      check_invariants(what < 45 ? "commit" : what < 60 ? "ingest" : what < 72 ? "ack" : what < 82 ? "snapshot"
                                                                         : what < 94 ? "compact" : "reopen");
    }
    // The end: everything acknowledged, snapshot, compact, reopen.
    acked = own.size();
    REQUIRE(r->write_snapshot().ok());
    removed_total += r->compact(acked).value();
    r.reset();
    r = open_ok(fs, "dev-a", t + 1, opt);
    check_invariants("the final reopen");
  }
  // The runs really compacted, refused and reopened.
  CHECK(removed_total > 50);
  CHECK(excluded_total > 5);
  CHECK(reopened > 20);
}

TEST_CASE("the decoder's fingerprint is the state's, and only for records in the encoder's order",
          "[store][snapshot][codec]") {
  State s;
  uint64_t seq = 0;
  for (int i = 0; i < 30; ++i) {
    s.apply(raw("dev-a", ++seq, kT0 + i, "household.create",
                {{"entity", "h" + std::to_string(i)}, {"fields", {{"address", "巷 " + std::to_string(i)}}}}, "a"));
    s.apply(raw("dev-b", ++seq, kT0 + i, "signup.create",
                {{"entity", "s" + std::to_string(i)}, {"fields", {{"shift", "x"}, {"volunteer", "v"}}}}, "b"));
  }
  StateEncoder encoder(s);
  std::vector<std::string> chunks;
  REQUIRE(encoder.encode(1, [&](const std::string& c) {  // one record a chunk
    chunks.push_back(c);
    return ok_status();
  }).ok());
  REQUIRE(chunks.size() == 60);
  auto decode = [&](const std::vector<std::string>& order) {
    auto d = StateDecoder::start(encoder.header());
    REQUIRE(d.ok());
    for (size_t i = 0; i < order.size(); ++i) REQUIRE(d.value().feed(order[i], i).ok());
    const uint64_t fingerprint = d.value().hash();
    auto state = d.value().finish();
    REQUIRE(state.ok());
    return std::make_pair(fingerprint, state.value().hash());
  };
  auto in_order = decode(chunks);
  CHECK(in_order.first == s.hash());
  CHECK(in_order.second == s.hash());
  // The same records backwards make the same State (maps sort them), but
  // not the encoder's sequence: the fingerprint differs, so a snapshot
  // whose header carries s.hash() is refused.
  std::vector<std::string> backwards(chunks.rbegin(), chunks.rend());
  auto reversed = decode(backwards);
  CHECK(reversed.second == s.hash());
  CHECK(reversed.first != s.hash());
}

// read_snapshot reads through one 256 KiB window (snapshot_file.cpp Window):
// frames that straddle the window's edge, frames larger than the window,
// and damage just past the edge, from memory and from both file systems.
TEST_CASE("snapshot files larger than the read window load whole and refuse damage anywhere",
          "[store][snapshot]") {
  State s;
  uint64_t seq = 0;
  for (int i = 0; i < 12000; ++i)
    s.apply(raw("dev-a", ++seq, kT0 + i, "household.create",
                {{"entity", "h" + std::to_string(100000 + i)},
                 {"fields", {{"address", "凤庆县东城社区 巷 " + std::to_string(i) + " 号，靠近服务站的那一户"}}}},
                "staff:协调员"));
  SnapshotInfo info;
  for (uint64_t i = 1; i <= seq; ++i) info.ids.insert(OpId{"dev-a", i});
  info.device = "dev-a";
  info.clock = s.max_hlc();
  info.state_hash = s.hash_hex();
  MemoryFileSystem memory;
  REQUIRE(memory.make_dirs("/m").ok());
  auto posix = make_posix_file_system();
  const std::string dir = make_temp_dir("dh-window");
  for (const size_t chunk : {size_t{64 * 1024}, size_t{1024 * 1024}}) {
    const std::string bytes = encode_snapshot(info, s, chunk);
    INFO("frames of " << chunk << " bytes, file of " << bytes.size());
    REQUIRE(bytes.size() > 3 * 256 * 1024);
    auto whole = decode_snapshot(bytes);
    REQUIRE(whole.ok());
    CHECK(whole.value().state.hash_hex() == s.hash_hex());
    for (FileSystem* fs : {static_cast<FileSystem*>(&memory), posix.get()}) {
      const std::string path = (fs == &memory ? std::string("/m") : dir) + "/snapshot.bin";
      REQUIRE(fs->write_atomic(path, bytes).ok());
      auto read = read_snapshot_file(*fs, path);
      REQUIRE(read.ok());
      CHECK(read.value().state.hash_hex() == s.hash_hex());
      CHECK(read.value().info.ids.size() == seq);
      // One changed byte just past the first window, and one near the end.
      for (const size_t at : {size_t{256 * 1024 + 7}, bytes.size() - 20}) {
        std::string damaged = bytes;
        damaged[at] ^= 0x01;
        REQUIRE(fs->write_atomic(path, damaged).ok());
        auto bad = read_snapshot_file(*fs, path);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().code == "bad_snapshot");
      }
      // Cut off inside a frame past the first window; and bytes after the end.
      REQUIRE(fs->write_atomic(path, bytes.substr(0, 300 * 1024)).ok());
      CHECK_FALSE(read_snapshot_file(*fs, path).ok());
      REQUIRE(fs->write_atomic(path, bytes + "x").ok());
      CHECK_FALSE(read_snapshot_file(*fs, path).ok());
      (void)fs->remove(path);
    }
  }
  (void)posix->remove(dir + "/snapshot.bin.tmp");
  rmdir(dir.c_str());
}

// Fields share their operation's interned origin (core/state.h FieldOrigin).
TEST_CASE("interned origins: one per stamp and author, stable through the pool's growth", "[store][snapshot][codec]") {
  const std::string* a = intern_string("staff:甲");
  const std::string* b = intern_string("staff:乙");
  std::vector<const FieldOrigin*> first;
  for (uint64_t i = 1; i <= 100000; ++i)  // past the pool's first size (65,536 slots at 0.7)
    first.push_back(intern_origin(Stamp{Hlc{kT0 + static_cast<int64_t>(i), 0}, OpId{"pool-test", i}}, i % 2 ? a : b));
  std::set<const FieldOrigin*> distinct(first.begin(), first.end());
  CHECK(distinct.size() == first.size());
  for (uint64_t i = 1; i <= 100000; i += 997) {
    const Stamp st{Hlc{kT0 + static_cast<int64_t>(i), 0}, OpId{"pool-test", i}};
    const FieldOrigin* again = intern_origin(st, i % 2 ? a : b);
    CHECK(again == first[i - 1]);
    CHECK(again->stamp == st);
    CHECK(again->author == (i % 2 ? a : b));
    CHECK(intern_origin(st, i % 2 ? b : a) != again);  // another author: another origin
  }
  CHECK(no_origin()->author == nullptr);
  CHECK(no_origin()->stamp == Stamp{});
}
