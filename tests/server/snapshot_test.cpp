// First start from the server's snapshot (issue 13 part 1; docs/sync-protocol.md
// "Snapshot for a new device"), against the real dianhong_server process:
// GET /api/v1/snapshot authenticates first, refuses restricted roles, is
// gzipped and matches the server's state; a new device's Replica +
// SyncClient that starts from it and pulls the tail ends with exactly the
// state of a device that pulled everything; a bad snapshot changes nothing
// and the device pulls page by page; a device with data never adopts one.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/commands.h"
#include "core/demo.h"
#include "core/state.h"
#include "server/compression.h"
#include "server_process.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "store/snapshot_file.h"
#include "sync/client.h"
#include "sync/protocol.h"

using namespace dh;
using dh::sync::SyncClient;
using dh::test::ServerProcess;
using dh::test::TempDir;
using Json = nlohmann::json;

namespace {

int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sync::Health health_of(httplib::Client& c) {
  auto res = c.Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = sync::decode_health(res->body);
  REQUIRE(h.ok());
  return h.value();
}

// The snapshot as sent (gzip asked for, not unpacked by the client), in
// format 1 (no parameter, as devices of earlier versions ask) or 2 (the
// app's SyncClient::kSnapshotPath).
std::string snapshot_path(int format) { return format == 2 ? SyncClient::kSnapshotPath : "/api/v1/snapshot"; }

httplib::Result get_snapshot_raw(const ServerProcess& server, const std::string& token, bool gzip, int format = 1) {
  auto c = server.client_with(token);
  c->set_decompress(false);
  httplib::Headers h;
  if (gzip) h.emplace("Accept-Encoding", "gzip");
  else h.emplace("Accept-Encoding", "identity");
  return c->Get(snapshot_path(format), h);
}

std::string snapshot_document(const ServerProcess& server, const std::string& token, int format = 1) {
  auto res = get_snapshot_raw(server, token, true, format);
  REQUIRE(res);
  REQUIRE(res->status == 200);
  REQUIRE(res->get_header_value("Content-Encoding") == "gzip");
  auto plain = gzip_decompress(res->body);
  REQUIRE(plain.has_value());
  return *plain;
}

// A device: a Replica on its own MemoryFileSystem and its SyncClient, synced
// over HTTP like the app (flush handshake included, the flush being instant).
struct Device {
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<SyncClient> client;
  size_t pages = 0;
  explicit Device(const std::string& id) { reopen(id); }
  void reopen(const std::string& id) {
    client.reset();
    replica.reset();
    auto r = Replica::open(fs, "/r", id, wall_now());
    REQUIRE(r.ok());
    replica = std::move(r).value();
    replica->set_author("staff:test");
    auto c = SyncClient::open(fs, *replica);
    REQUIRE(c.ok());
    client = std::move(c).value();
  }
  void flush() { REQUIRE(client->flush_completed(client->begin_flush()).ok()); }
  void pull_all(httplib::Client& http) {
    for (;;) {
      auto q = client->next_pull();
      auto res = http.Get(q.path.c_str());
      REQUIRE(res);
      REQUIRE(res->status == 200);
      auto out = client->on_pull_response(q, res->body, wall_now());
      REQUIRE(out.ok());
      ++pages;
      if (!out->more) break;
    }
    flush();
  }
  void push_all(httplib::Client& http) {
    flush();
    while (auto b = client->next_push(wall_now())) {
      auto res = http.Post("/api/v1/ops", b->body, "application/json");
      REQUIRE(res);
      REQUIRE(res->status == 200);
      REQUIRE(client->on_push_response(*b, res->body, wall_now()).ok());
    }
  }
};

// n household edits by `device` on a device that holds the demo (a tail for
// the snapshot).
void edit_households(Device& d, int n, const std::string& note) {
  int done = 0;
  for (const Entity* e : d.replica->state().list("household")) {
    if (done >= n) break;
    auto op = d.replica->commit(EditEntity{"household", e->id, Json{{"note", note + std::to_string(done)}}},
                                d.client->corrected_now(wall_now()));
    INFO((op.ok() ? std::string() : op.error().code + ": " + op.error().message));
    REQUIRE(op.ok());
    ++done;
  }
}

}  // namespace

TEST_CASE("snapshot endpoint: token first, restricted roles refused, gzipped, equal to the server's state",
          "[native][server][snapshot]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo", "--auth", "devices"});
  REQUIRE(server.start());
  auto admin = server.client();
  const sync::Health h = health_of(*admin);

  // No token, a wrong token: 401 before anything is built or looked up.
  for (const std::string token : {std::string(), std::string("not-a-token")}) {
    auto res = get_snapshot_raw(server, token, true);
    REQUIRE(res);
    CHECK(res->status == 401);
    auto e = sync::decode_error(res->body);
    REQUIRE(e.has_value());
    CHECK(e->code == "unauthorized");
  }
  // Roles that read an allow-listed copy get none: they pull as before.
  for (const std::string role : {"kiosk", "projector", "voting_tablet"}) {
    INFO(role);
    const std::string token = server.enrol_as(role, "dev-" + std::string(role == "voting_tablet" ? "vote" : role));
    REQUIRE_FALSE(token.empty());
    auto res = get_snapshot_raw(server, token, true);
    REQUIRE(res);
    CHECK(res->status == 403);
    auto e = sync::decode_error(res->body);
    REQUIRE(e.has_value());
    CHECK(e->code == "snapshot_not_for_role");
    CHECK(res->body.find("\"state\"") == std::string::npos);
  }

  // An administrator and a coordinator: the gzipped document of the state at the head.
  const std::string coordinator = server.enrol_as("coordinator", "coord-1");
  REQUIRE_FALSE(coordinator.empty());
  for (const std::string& token : {server.admin_token(), coordinator}) {
    const std::string doc = snapshot_document(server, token);
    Json j = Json::parse(doc, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["format"] == 1);
    CHECK(j["seq"].get<uint64_t>() == h.head);
    CHECK(j["operations"].get<uint64_t>() == h.ops);
    CHECK(j["state_hash"] == h.state_hash);
    auto state = State::from_snapshot(j["state"]);
    REQUIRE(state.ok());
    CHECK(state.value().hash_hex() == h.state_hash);
  }
  // Without gzip the same document, unpacked.
  auto plain = get_snapshot_raw(server, server.admin_token(), false);
  REQUIRE(plain);
  CHECK(plain->status == 200);
  CHECK_FALSE(plain->has_header("Content-Encoding"));
  CHECK(plain->body == snapshot_document(server, server.admin_token()));
  CHECK(plain->get_header_value("X-Dh-Snapshot-Seq") == std::to_string(h.head));

  // Format 2 (what this version's devices ask for): a snapshot file whose
  // frames and fingerprint check out, at the head, with every operation id.
  for (const std::string& token : {server.admin_token(), coordinator}) {
    auto res = get_snapshot_raw(server, token, true, 2);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/octet-stream");
    CHECK(res->get_header_value("X-Dh-Snapshot-Seq") == std::to_string(h.head));
    auto plain2 = gzip_decompress(res->body);
    REQUIRE(plain2.has_value());
    auto loaded = decode_snapshot(*plain2);
    INFO((loaded.ok() ? std::string() : loaded.error().message));
    REQUIRE(loaded.ok());
    CHECK(loaded.value().info.server_seq == h.head);
    CHECK(loaded.value().info.ids.size() == h.ops);
    CHECK(loaded.value().info.state_hash == h.state_hash);
    CHECK(loaded.value().state.hash_hex() == h.state_hash);
    // Smaller than the JSON document it replaces.
    CHECK(plain2->size() < snapshot_document(server, token, 1).size());
  }
  auto plain2 = get_snapshot_raw(server, server.admin_token(), false, 2);
  REQUIRE(plain2);
  CHECK(plain2->status == 200);
  CHECK(plain2->body == snapshot_document(server, server.admin_token(), 2));
  // The one parameter is checked (after the token): other formats are refused.
  for (const std::string bad : {"3", "0", "two", "", "22"}) {
    INFO(bad);
    auto c = server.client_with(server.admin_token());
    auto res = c->Get("/api/v1/snapshot?format=" + bad);
    REQUIRE(res);
    CHECK(res->status == 400);
    auto e = sync::decode_error(res->body);
    REQUIRE(e.has_value());
    CHECK(e->code == "bad_query");
  }
  {
    auto res = server.client_with("not-a-token")->Get("/api/v1/snapshot?format=3");
    REQUIRE(res);
    CHECK(res->status == 401);
  }

  // Other methods are not routes.
  auto post = admin->Post("/api/v1/snapshot", "{}", "application/json");
  REQUIRE(post);
  CHECK(post->status >= 400);

  // An empty server has no snapshot: 404 no_snapshot (the device pulls).
  TempDir empty_data;
  ServerProcess empty(empty_data.path(), {"--auth", "devices"});
  REQUIRE(empty.start());
  auto res = get_snapshot_raw(empty, empty.admin_token(), true);
  REQUIRE(res);
  CHECK(res->status == 404);
  auto e = sync::decode_error(res->body);
  REQUIRE(e.has_value());
  CHECK(e->code == "no_snapshot");
}

TEST_CASE("a new device: snapshot + tail equals a full pull, survives a reopen and a refusal",
          "[native][server][snapshot]") {
  // Format 2 is what the app asks for; format 1 is what devices of earlier
  // versions asked for, and a device may hold a base of either kind.
  const int format = GENERATE(2, 1);
  // As the app takes it (the platform wrote the download into the store
  // folder: SyncClient::on_snapshot_file) or from memory.
  const bool from_file = GENERATE(true, false);
  const std::string base_file = format == 2 ? "/r/server-base.bin" : "/r/server-base.json";
  INFO("format " << format << (from_file ? ", from the downloaded file" : ", from memory"));
  TempDir data;
  ServerProcess server(data.path(), {"--demo"});
  REQUIRE(server.start());
  auto admin = server.client();

  // A device with the whole log makes a tail of 30 edits after the snapshot
  // the server built at start.
  Device writer("writer-1");
  writer.pull_all(*admin);
  CHECK(writer.pages > 10);
  const std::string first_doc = snapshot_document(server, server.admin_token(), format);
  edit_households(writer, 30, "tail ");
  writer.push_all(*admin);
  const sync::Health h = health_of(*admin);

  // The new device: snapshot (still at the start's seq: fewer than
  // kSnapshotRefreshOps newer), then only the tail.
  Device fresh("fresh-1");
  REQUIRE(fresh.client->wants_snapshot());
  const std::string doc = snapshot_document(server, server.admin_token(), format);
  CHECK(doc == first_doc);
  if (from_file) {
    REQUIRE(fresh.fs.write_atomic(fresh.replica->incoming_snapshot_path(), doc).ok());
    REQUIRE(fresh.client->on_snapshot_file(wall_now()).ok());
    CHECK_FALSE(fresh.fs.exists(fresh.replica->incoming_snapshot_path()));  // renamed, or read and removed
  } else {
    REQUIRE(fresh.client->on_snapshot_response(doc, wall_now()).ok());
  }
  CHECK_FALSE(fresh.client->wants_snapshot());
  CHECK(fresh.client->snapshot_seq() + 30 == h.head);
  CHECK(fresh.client->state().cursor == 0);  // moves only with a flush
  fresh.pull_all(*admin);
  CHECK(fresh.pages == 1);
  CHECK(fresh.client->state().cursor == h.head);
  CHECK(fresh.replica->state().hash_hex() == h.state_hash);
  CHECK(fresh.replica->operation_count() == h.ops);
  CHECK(fresh.replica->state().hash_hex() == writer.replica->state().hash_hex());
  // The clock is past every stamp in the snapshot.
  auto own = fresh.replica->commit(EditEntity{"household", fresh.replica->state().list("household")[0]->id,
                                              Json{{"note", "fresh's own"}}},
                                   wall_now());
  REQUIRE(own.ok());
  CHECK(fresh.replica->state().max_hlc() == own.value().hlc);
  CHECK(own.value().id.seq == 1);
  // read_all lists the log only: the tail and the own edit, not the snapshot's operations.
  auto logged = fresh.replica->read_all();
  REQUIRE(logged.ok());
  CHECK(logged.value().size() == 31);

  // The server refuses nothing here, so undo it as a refusal would: the record
  // folds again from the snapshot base plus the log, back to the server's.
  REQUIRE(fresh.replica->exclude({own.value().id}).ok());
  CHECK(fresh.replica->state().hash_hex() == h.state_hash);

  // Reopen: starts from the stored base + the log, same state and ids.
  CHECK(fresh.fs.exists(base_file));
  if (format == 2) CHECK(fresh.fs.read(base_file).value() == doc);  // kept as received
  fresh.reopen("fresh-1");
  CHECK(fresh.replica->open_report().used_server_base);
  CHECK(fresh.replica->open_report().problems.empty());
  CHECK(fresh.replica->state().hash_hex() == h.state_hash);
  CHECK(fresh.replica->operation_count() == h.ops + 1);
  CHECK_FALSE(fresh.client->wants_snapshot());
  // A snapshot.json written later takes over; the state stays.
  REQUIRE(fresh.replica->write_snapshot().ok());
  fresh.reopen("fresh-1");
  CHECK(fresh.replica->open_report().used_snapshot);
  CHECK(fresh.replica->state().hash_hex() == h.state_hash);

  // Its own edits reach the server; then a compaction folds the server's
  // snapshot into base.bin with the log files the server holds, and
  // server-base.json goes: one base, and the same state after a reopen.
  edit_households(fresh, 3, "fresh ");
  fresh.push_all(*admin);
  fresh.pull_all(*admin);
  const sync::Health h1 = health_of(*admin);
  REQUIRE(fresh.replica->state().hash_hex() == h1.state_hash);
  REQUIRE(fresh.replica->write_snapshot().ok());
  auto removed = fresh.replica->compact(fresh.client->state().acked_seq);
  REQUIRE(removed.ok());
  CHECK(removed.value() > 0);
  CHECK(fresh.fs.exists("/r/base.bin"));
  CHECK_FALSE(fresh.fs.exists(base_file));
  CHECK_FALSE(fresh.replica->has_server_base());
  fresh.reopen("fresh-1");
  CHECK(fresh.replica->open_report().problems.empty());
  CHECK(fresh.replica->state().hash_hex() == h1.state_hash);
  CHECK(fresh.replica->operation_count() == h1.ops);
  // A refusal after the compaction still folds from the one base.
  auto late = fresh.replica->commit(EditEntity{"household", fresh.replica->state().list("household")[1]->id,
                                               Json{{"note", "late"}}},
                                    wall_now());
  REQUIRE(late.ok());
  REQUIRE(fresh.replica->exclude({late.value().id}).ok());
  CHECK(fresh.replica->state().hash_hex() == h1.state_hash);

  // More than kSnapshotRefreshOps newer operations: the next snapshot is new.
  edit_households(writer, 2100, "again ");
  writer.push_all(*admin);
  const sync::Health h2 = health_of(*admin);
  const std::string doc2 = snapshot_document(server, server.admin_token(), format);
  if (format == 2) {
    auto loaded = decode_snapshot(doc2);
    REQUIRE(loaded.ok());
    CHECK(loaded.value().info.server_seq == h2.head);
    CHECK(loaded.value().info.state_hash == h2.state_hash);
  } else {
    Json j2 = Json::parse(doc2);
    CHECK(j2["seq"].get<uint64_t>() == h2.head);
    CHECK(j2["state_hash"] == h2.state_hash);
  }
}

TEST_CASE("a bad snapshot changes nothing and the device pulls page by page", "[native][server][snapshot]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo"});
  REQUIRE(server.start());
  auto admin = server.client();
  const sync::Health h = health_of(*admin);
  const std::string doc = snapshot_document(server, server.admin_token());

  std::string wrong_hash = doc;
  const size_t at = wrong_hash.find("\"state_hash\":\"") + 14;
  wrong_hash[at] = wrong_hash[at] == '0' ? '1' : '0';
  std::string garbled = doc;
  const size_t name = garbled.find("\"household\"", garbled.find("\"state\""));
  REQUIRE(name != std::string::npos);
  garbled.replace(name, 11, "\"houseXold\"");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"cut off", doc.substr(0, doc.size() / 2)},
      {"wrong fingerprint", wrong_hash},
      {"records changed", garbled},
      {"not JSON", "\x1f\x8b garbage"},
      {"empty", ""}};
  bool pulled_once = false;
  for (const auto& [what, body] : bad) {
    INFO(what);
    Device d("bad-1");
    REQUIRE(d.client->wants_snapshot());
    auto st = d.client->on_snapshot_response(body, wall_now());
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "bad_server_snapshot");
    CHECK_FALSE(st.error().message.empty());
    CHECK_FALSE(d.client->problem().empty());
    CHECK(d.replica->operation_count() == 0);
    CHECK_FALSE(d.replica->has_server_base());
    CHECK_FALSE(d.fs.exists("/r/server-base.json"));
    CHECK_FALSE(d.client->wants_snapshot());  // one try per session
    if (pulled_once) continue;  // the paged pull once is enough (36 pages)
    pulled_once = true;
    d.pull_all(*admin);
    CHECK(d.pages == (h.head + sync::kDefaultPullLimit - 1) / sync::kDefaultPullLimit);
    CHECK(d.replica->state().hash_hex() == h.state_hash);
  }

  // A stored base that was damaged afterwards: set aside, said in plain
  // words, and the client pulls everything again.
  Device d("bad-2");
  REQUIRE(d.client->on_snapshot_response(doc, wall_now()).ok());
  d.pull_all(*admin);
  auto text = d.fs.read("/r/server-base.json");
  REQUIRE(text.ok());
  std::string damaged = text.value();
  damaged[damaged.size() / 2] ^= 0x20;
  REQUIRE(d.fs.write_atomic("/r/server-base.json", damaged).ok());
  d.reopen("bad-2");
  CHECK(d.replica->open_report().server_base_lost);
  REQUIRE_FALSE(d.replica->open_report().problems.empty());
  CHECK(d.replica->open_report().problems[0].file == "server-base.json");
  CHECK(d.client->state().cursor == 0);
  d.pages = 0;
  d.pull_all(*admin);
  CHECK(d.replica->state().hash_hex() == h.state_hash);
}

TEST_CASE("a bad format-2 snapshot changes nothing and the device pulls page by page", "[native][server][snapshot]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo"});
  REQUIRE(server.start());
  auto admin = server.client();
  const sync::Health h = health_of(*admin);
  const std::string doc = snapshot_document(server, server.admin_token(), 2);
  auto good = decode_snapshot(doc);
  REQUIRE(good.ok());

  // Well-framed documents that must still be refused: a fingerprint that
  // does not match the records, and a device's own snapshot file (no
  // server_seq), re-encoded so that every frame's checksum is right.
  SnapshotInfo wrong = good.value().info;
  wrong.state_hash[0] = wrong.state_hash[0] == '0' ? '1' : '0';
  const std::string wrong_hash = encode_snapshot(wrong, good.value().state);
  SnapshotInfo own = good.value().info;
  own.server_seq = 0;
  const std::string device_file = encode_snapshot(own, good.value().state);
  std::string flipped = doc;
  flipped[flipped.size() - 100] ^= 0x01;  // inside the last frame of records
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"cut off", doc.substr(0, doc.size() / 2)},
      {"a changed byte", flipped},
      {"wrong fingerprint", wrong_hash},
      {"a device's own file", device_file},
      {"extra bytes", doc + "x"},
      {"magic only", "dianhong-snapshot 2\n"}};
  for (const bool from_file : {false, true})
  for (const auto& [what, body] : bad) {
    INFO(what << (from_file ? " (downloaded into a file)" : ""));
    Device d("bad2-1");
    REQUIRE(d.client->wants_snapshot());
    Status st = ok_status();
    if (from_file) {
      REQUIRE(d.fs.write_atomic(d.replica->incoming_snapshot_path(), body).ok());
      st = d.client->on_snapshot_file(wall_now());
      CHECK_FALSE(d.fs.exists(d.replica->incoming_snapshot_path()));  // not kept
    } else {
      st = d.client->on_snapshot_response(body, wall_now());
    }
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "bad_server_snapshot");
    CHECK_FALSE(st.error().message.empty());
    CHECK(d.replica->operation_count() == 0);
    CHECK_FALSE(d.replica->has_server_base());
    CHECK_FALSE(d.fs.exists("/r/server-base.bin"));
    CHECK_FALSE(d.client->wants_snapshot());
  }

  // A stored base damaged afterwards: set aside, said in plain words, and
  // the client pulls everything again.
  Device d("bad2-2");
  REQUIRE(d.client->on_snapshot_response(doc, wall_now()).ok());
  d.pull_all(*admin);
  auto bytes = d.fs.read("/r/server-base.bin");
  REQUIRE(bytes.ok());
  std::string damaged = bytes.value();
  damaged[damaged.size() / 2] ^= 0x20;
  REQUIRE(d.fs.write_atomic("/r/server-base.bin", damaged).ok());
  d.reopen("bad2-2");
  CHECK(d.replica->open_report().server_base_lost);
  REQUIRE_FALSE(d.replica->open_report().problems.empty());
  CHECK(d.replica->open_report().problems[0].file == "server-base.bin");
  CHECK(d.client->state().cursor == 0);
  CHECK(d.replica->operation_count() == 0);
  d.pages = 0;
  d.pull_all(*admin);
  CHECK(d.replica->state().hash_hex() == h.state_hash);
}

TEST_CASE("a device that holds data never replaces it with a snapshot", "[native][server][snapshot]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo"});
  REQUIRE(server.start());
  auto admin = server.client();
  const std::string doc = snapshot_document(server, server.admin_token());

  // Own data (one record made here, never synced).
  Device own("own-1");
  auto made = own.replica->commit(CreateEntity{"grid", Json{{"name", "East"}, {"code", "E1"}}}, wall_now());
  INFO((made.ok() ? std::string() : made.error().code + ": " + made.error().message));
  REQUIRE(made.ok());
  const std::string before = own.replica->state().hash_hex();
  CHECK_FALSE(own.client->wants_snapshot());
  auto st = own.client->on_snapshot_response(doc, wall_now());
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == "not_empty");
  CHECK(own.replica->state().hash_hex() == before);
  CHECK(own.replica->operation_count() == 1);
  // The Replica refuses too, whoever calls it.
  auto direct = own.replica->adopt_server_snapshot(doc, wall_now());
  REQUIRE_FALSE(direct.ok());
  CHECK(direct.error().code == "not_empty");
  CHECK_FALSE(own.fs.exists("/r/server-base.json"));

  // Data pulled before (the cursor moved): no snapshot either, even if the
  // replica were emptied of operations.
  Device pulled("pulled-1");
  pulled.pull_all(*admin);
  CHECK_FALSE(pulled.client->wants_snapshot());
  CHECK_FALSE(pulled.client->on_snapshot_response(doc, wall_now()).ok());

  // A device that adopted once does not adopt again.
  Device twice("twice-1");
  REQUIRE(twice.client->on_snapshot_response(doc, wall_now()).ok());
  auto again = twice.replica->adopt_server_snapshot(doc, wall_now());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "not_empty");
  // Nor from a downloaded file, which is not kept.
  const std::string before_twice = twice.replica->state().hash_hex();
  REQUIRE(twice.fs.write_atomic(twice.replica->incoming_snapshot_path(), doc).ok());
  auto again_file = twice.client->on_snapshot_file(wall_now());
  REQUIRE_FALSE(again_file.ok());
  CHECK(again_file.error().code == "not_empty");
  CHECK_FALSE(twice.fs.exists(twice.replica->incoming_snapshot_path()));
  REQUIRE(own.fs.write_atomic(own.replica->incoming_snapshot_path(), doc).ok());
  auto direct_file = own.replica->adopt_server_snapshot_file(wall_now());
  REQUIRE_FALSE(direct_file.ok());
  CHECK(direct_file.error().code == "not_empty");
  CHECK_FALSE(own.fs.exists(own.replica->incoming_snapshot_path()));
  CHECK(own.replica->state().hash_hex() == before);
  CHECK(twice.replica->state().hash_hex() == before_twice);
}
