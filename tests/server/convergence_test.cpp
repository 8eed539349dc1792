// Property test of convergence (issue 3): simulated devices, each a Replica on
// a MemoryFileSystem with a SyncClient, make random operations of every kind
// and sync in random orders through the real SyncService (in-memory SQLite, no
// HTTP), with dropped, duplicated, delayed and reordered messages, partitions,
// device clocks a day ahead, and restarts that lose whatever was not flushed.
// After a final full sync every run must end with:
//   - every device holding exactly the server's operation set plus its own
//     operations the server rejected (excluded in the replica, reported in
//     SyncClient::rejected());
//   - every device's state (the replica's own, rejected operations undone)
//     hashing equal to the server's state (issue 15);
//   - no operation the server ever acknowledged missing from the server;
//   - every operation pushed again (a device that lost its sync state)
//     getting the same answer: duplicate, or the same refusal (issue 15).
// The second test case (issue 15) runs 3 to 10 devices with many archives and
// restores racing edits, devices that lose sync-state.json, and checks that
// the server accepted edits of records archived before they arrived.
// DH_CONVERGENCE_SCHEDULES overrides the number of schedules (default 10,000
// and 1,500).
// Lives in tests/server because it links the server library (SQLite).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "core/sha256.h"
#include "core/commands.h"
#include "core/schema.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"
#include "sync/protocol.h"

using namespace dh;
using dh::sync::SyncClient;

namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

// The real role rules, with the caller's principal given by the test.
class RoleAuth : public Authenticator {
 public:
  std::string name() const override { return "test-roles"; }
  Result<Principal> authenticate(const RequestContext&) override { return make_error("unauthorized", "unused"); }
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }
};

struct Rng {
  std::mt19937_64 g;
  explicit Rng(uint64_t seed) : g(seed) {}
  uint64_t below(uint64_t n) { return n ? g() % n : 0; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

Json text_value(Rng& r, const FieldSpec& f) {
  switch (f.format) {
    case TextFormat::datetime: {
      int day = 1 + static_cast<int>(r.below(5));
      return "2026-12-" + two(day) + "T" + two(8 + static_cast<int>(r.below(3)) * 4) + ":00";
    }
    case TextFormat::time_of_day: return two(8 + static_cast<int>(r.below(12))) + ":00";
    case TextFormat::weekly_slot: return std::string("mon 09:00-12:00");
    case TextFormat::date: return "2026-12-" + two(1 + static_cast<int>(r.below(20)));
    case TextFormat::field_level: return std::string("other:2");
    case TextFormat::free: break;
  }
  static const std::vector<std::string> words = {"甲", "乙", "茶", "东城", "care", "night", "x"};
  return r.pick(words) + std::to_string(r.below(50));
}

// A random value of the field's type, or null when none can be made (a ref
// with no live target).
Json random_value(Rng& r, const FieldSpec& f, const State& s) {
  switch (f.type) {
    case FieldType::text: return text_value(r, f);
    case FieldType::integer: return f.min + static_cast<long long>(r.below(static_cast<uint64_t>(f.max - f.min + 1)));
    case FieldType::boolean: return r.chance(50);
    case FieldType::date: return "2026-" + two(1 + static_cast<int>(r.below(12))) + "-" + two(1 + static_cast<int>(r.below(28)));
    case FieldType::phone: return "138" + std::to_string(10000000 + r.below(89999999));
    case FieldType::choice: return r.pick(f.choices);
    case FieldType::choices: {
      Json out = Json::array();
      std::string a = r.pick(f.choices), b = r.pick(f.choices);
      out.push_back(a);
      if (b != a && r.chance(50)) out.push_back(b);
      std::vector<std::string> sorted;
      for (const auto& c : f.choices) {
        for (const auto& v : out) if (v == c) sorted.push_back(c);
      }
      return sorted;
    }
    case FieldType::ref: {
      auto live = s.list(f.ref_kind);
      if (live.empty()) return nullptr;
      return live[r.below(live.size())]->id;
    }
    case FieldType::text_list: {
      Json out = Json::array();
      out.push_back(text_value(r, f));
      return out;
    }
  }
  return nullptr;
}

// How often each verb is tried (percent, the rest are restores).
struct VerbMix {
  int create = 55, edit = 30, archive = 10;
};

// A random command against the state: create (with the required fields and
// some optional ones), edit, archive or restore.
Command random_command(Rng& r, const State& s, const VerbMix& mix = {}) {
  // Kinds whose required references can be met, the deeper ones (sign-ups,
  // hours) as likely as the roots, so every kind appears.
  std::vector<const KindSpec*> kinds;
  for (const auto& k : all_kinds()) {
    bool ok = true;
    for (const auto& f : k.fields) {
      if (f.required && f.type == FieldType::ref && s.count(f.ref_kind) == 0) ok = false;
    }
    if (ok) kinds.push_back(&k);
  }
  const KindSpec& k = *kinds[r.below(kinds.size())];
  int verb = static_cast<int>(r.below(100));
  auto existing = s.list(k.kind, /*include_archived=*/true);
  if (verb < mix.create || existing.empty()) {
    CreateEntity c;
    c.kind = k.kind;
    for (const auto& f : k.fields) {
      if (!f.required && !r.chance(30)) continue;
      Json v = random_value(r, f, s);
      if (!v.is_null()) c.fields[f.name] = v;
    }
    if (k.kind == "shift") {  // a real interval: same day, start before end
      int day = 1 + static_cast<int>(r.below(5));
      int h = 8 + static_cast<int>(r.below(3)) * 4;
      c.fields["start"] = "2026-12-" + two(day) + "T" + two(h) + ":00";
      c.fields["end"] = "2026-12-" + two(day) + "T" + two(h + 3) + ":00";
    }
    if (k.kind == "shift_template") {
      c.fields["start_time"] = "09:00";
      c.fields["end_time"] = "12:00";
    }
    if (k.kind == "ballot_card") c.fields["digest"] = sha256_hex(std::to_string(r.below(1000000)));  // a SHA-256
    return c;
  }
  const Entity* e = existing[r.below(existing.size())];
  if (verb < mix.create + mix.edit) {
    EditEntity ed;
    ed.kind = k.kind;
    ed.id = e->id;
    for (int tries = 0; tries < 3 && ed.fields.empty(); ++tries) {
      const FieldSpec& f = k.fields[r.below(k.fields.size())];
      if (f.type == FieldType::text && f.format == TextFormat::datetime) continue;  // keep shifts well-formed
      Json v = random_value(r, f, s);
      if (!v.is_null()) ed.fields[f.name] = v;
    }
    return ed;
  }
  if (verb < mix.create + mix.edit + mix.archive) return ArchiveEntity{k.kind, e->id, "test"};
  return RestoreEntity{k.kind, e->id};
}

struct Net;

struct Device {
  std::string id;
  std::string role;
  int64_t skew = 0;  // device clock minus true time
  std::unique_ptr<MemoryFileSystem> fs;
  std::map<std::string, std::string> flushed;  // what IndexedDB holds
  std::unique_ptr<Replica> replica;
  std::unique_ptr<SyncClient> client;
  std::optional<SyncClient::FlushTicket> flushing;
  std::map<std::string, std::string> flushing_files;
  bool partitioned = false;
  int restarts = 0;
};

ReplicaOptions small_options() {
  ReplicaOptions o;
  o.segment_bytes = 2048;
  o.snapshot_every_ops = 40;
  o.snapshot_every_segments = 3;
  return o;
}

void open_device(Device& d, int64_t now) {
  d.client.reset();
  d.replica.reset();
  d.fs = std::make_unique<MemoryFileSystem>();
  for (const auto& [path, bytes] : d.flushed) d.fs->files()[path] = bytes;
  auto rep = Replica::open(*d.fs, "/r", d.id, now + d.skew, small_options());
  REQUIRE(rep.ok());
  d.replica = std::move(rep).value();
  d.replica->set_author("staff:" + d.id);
  auto c = SyncClient::open(*d.fs, *d.replica);
  REQUIRE(c.ok());
  d.client = std::move(c).value();
  d.flushing.reset();
}

void begin_flush(Device& d) {
  if (d.replica->should_snapshot()) (void)d.replica->write_snapshot();
  d.flushing = d.client->begin_flush();
  d.flushing_files = d.fs->files();
}

void complete_flush(Device& d) {
  if (!d.flushing) return;
  d.flushed = d.flushing_files;
  REQUIRE(d.client->flush_completed(*d.flushing).ok());
  d.flushing.reset();
}

struct PendingPush {
  size_t device;
  SyncClient::PushBatch batch;
  std::string answer;  // set once the server handled it
};
struct PendingPull {
  size_t device;
  SyncClient::PullRequest request;
  std::string answer;
  int restarts;  // the device's restart count when asked
};

struct Sim {
  Rng rng;
  VerbMix mix;
  int lose_sync_state = 0;  // percent of restarts that also lose sync-state.json
  size_t archived_edits = 0;  // edits/moves the server took for a record archived when they arrived
  int64_t now = 1767225600000;  // 2026-01-01
  std::unique_ptr<SyncService> server;
  RoleAuth auth;
  std::vector<Device> devices;
  std::vector<PendingPush> pushes;
  std::vector<PendingPull> pulls;
  std::map<std::string, std::string> acknowledged;  // op id -> canonical body the server acknowledged
  std::map<std::string, int> type_counts;
  size_t clock_refusals = 0;
  static bool refused(const std::string& answer) { return answer.find("\"clock_far_ahead\"") != std::string::npos &&
                                                          answer.rfind("{\"error\"", 0) == 0; }

  explicit Sim(uint64_t seed) : rng(seed) {}

  // The answer body; a push stamped too far ahead gets the 422 body (with
  // the server's clock) instead, which the device hears through
  // on_push_failed and answers by re-stamping (docs/sync-protocol.md "Clocks").
  std::string server_push(const std::string& body, const Device& d) {
    auto req = sync::decode_push_request(body);
    REQUIRE(req.ok());
    std::set<std::string> onto_archived;  // edits of records archived on the server now
    server->read_state([&](const State& st) {
      for (const auto& item : req->items) {
        if (!item.op || item.op->type.find(".create") != std::string::npos) continue;
        if (item.op->type.find(".edit") == std::string::npos && item.op->type != "signup.move") continue;
        auto t = State::target_of(*item.op);
        const Entity* e = t ? st.find(t->first, t->second) : nullptr;
        if (e && e->archived()) onto_archived.insert(item.id);
      }
    });
    auto resp = server->push(req.value(), Principal{d.id, d.role}, auth, now);
    if (!resp && resp.error().code == "clock_far_ahead") {
      ++clock_refusals;
      return sync::encode_clock_error(resp.error(), now);
    }
    REQUIRE(resp.ok());
    for (size_t i = 0; i < resp->results.size(); ++i) {
      if (resp->results[i].status != sync::PushStatus::rejected) {
        acknowledged[resp->results[i].id] = to_json_text(*req->items[i].op);
      }
      if (resp->results[i].status == sync::PushStatus::accepted && onto_archived.count(resp->results[i].id))
        ++archived_edits;
    }
    return sync::encode_push_response(resp.value());
  }

  void make_op(Device& d) {
    for (int tries = 0; tries < 6; ++tries) {
      Command cmd = random_command(rng, d.replica->state(), mix);
      auto op = d.replica->commit(cmd, d.client->corrected_now(now + d.skew));
      if (op) return;
    }
  }

  void step() {
    size_t di = rng.below(devices.size());
    Device& d = devices[di];
    int a = static_cast<int>(rng.below(100));
    if (a < 30) {
      make_op(d);
      if (rng.chance(50)) make_op(d);
    } else if (a < 40) {
      begin_flush(d);
    } else if (a < 50) {
      complete_flush(d);
    } else if (a < 60) {
      if (auto b = d.client->next_push(now + d.skew)) {
        if (d.partitioned) {
          d.client->on_push_failed(*b, 0, "");
        } else {
          pushes.push_back(PendingPush{di, *b, ""});
        }
      }
    } else if (a < 68) {
      if (!pushes.empty()) {  // the server handles a request (maybe twice)
        size_t i = rng.below(pushes.size());
        PendingPush p = pushes[i];
        if (p.answer.empty()) {
          pushes[i].answer = server_push(p.batch.body, devices[p.device]);
          if (rng.chance(15)) pushes.push_back(PendingPush{p.device, p.batch, ""});  // duplicated request
        }
      }
    } else if (a < 76) {
      if (!pushes.empty()) {  // an answer arrives, is lost, or times out
        size_t i = rng.below(pushes.size());
        PendingPush p = pushes[i];
        pushes.erase(pushes.begin() + static_cast<long>(i));
        Device& pd = devices[p.device];
        if (p.answer.empty() || pd.partitioned || rng.chance(15)) {
          pd.client->on_push_failed(p.batch, 0, "");
        } else {
          if (refused(p.answer)) pd.client->on_push_failed(p.batch, 422, p.answer);
          else (void)pd.client->on_push_response(p.batch, p.answer, now + pd.skew);
          if (rng.chance(10)) pushes.push_back(p);  // and arrives again later
        }
      }
    } else if (a < 84) {
      if (!d.partitioned) {
        auto q = d.client->next_pull(1 + rng.below(6));
        auto body = server->pull(sync::PullQuery{q.after, q.limit}, now);
        REQUIRE(body.ok());
        pulls.push_back(PendingPull{di, q, body.value(), d.restarts});
      }
    } else if (a < 90) {
      if (!pulls.empty()) {
        size_t i = rng.below(pulls.size());
        PendingPull p = pulls[i];
        pulls.erase(pulls.begin() + static_cast<long>(i));
        Device& pd = devices[p.device];
        if (!pd.partitioned && !rng.chance(15) && p.restarts == pd.restarts) {
          REQUIRE(pd.client->on_pull_response(p.request, p.answer, now + pd.skew).ok());
          if (rng.chance(10)) pulls.push_back(p);
        }
      }
    } else if (a < 94) {
      d.partitioned = !d.partitioned;
    } else if (a < 97) {
      // Restart: whatever was not flushed is gone; answers to the old process
      // are never delivered to the new one.
      ++d.restarts;
      if (rng.chance(lose_sync_state)) d.flushed.erase("/r/sync-state.json");
      open_device(d, now);
      for (auto it = pushes.begin(); it != pushes.end();) it = it->device == di ? pushes.erase(it) : it + 1;
    } else {
      now += static_cast<int64_t>(rng.below(60000));
    }
    now += 1 + static_cast<int64_t>(rng.below(500));
  }

  void final_sync() {
    for (auto& p : pushes) devices[p.device].client->on_push_failed(p.batch, 0, "");
    pushes.clear();
    pulls.clear();
    for (auto& d : devices) {
      d.partitioned = false;
      complete_flush(d);
      begin_flush(d);
      complete_flush(d);
    }
    for (int round = 0; round < 2; ++round) {
      for (auto& d : devices) {
        for (int tries = 0; tries < 3; ++tries) {
          while (auto b = d.client->next_push(now + d.skew)) {
            std::string answer = server_push(b->body, d);
            if (refused(answer)) {
              d.client->on_push_failed(*b, 422, answer);
              break;
            }
            REQUIRE(d.client->on_push_response(*b, answer, now + d.skew).ok());
          }
          begin_flush(d);  // re-stamped operations go up once flushed
          complete_flush(d);
        }
        for (;;) {
          auto q = d.client->next_pull(7);
          auto body = server->pull(sync::PullQuery{q.after, q.limit}, now);
          REQUIRE(body.ok());
          auto out = d.client->on_pull_response(q, body.value(), now + d.skew);
          REQUIRE(out.ok());
          if (!out->more) break;
        }
        begin_flush(d);
        complete_flush(d);
      }
    }
  }
};

std::set<std::string> ids_of(const std::vector<Operation>& ops) {
  std::set<std::string> out;
  for (const auto& op : ops) out.insert(op.id.to_string());
  return out;
}

const std::vector<Operation>& seed_ops();

struct Shape {
  size_t min_devices = 2, max_devices = 4;
  size_t min_steps = 16, max_steps = 40;
  VerbMix mix;
  int lose_sync_state = 0;
};

struct Totals {
  std::map<std::string, int> types;  // operation types the server stored
  size_t rejected = 0;               // refusals undone on devices
  size_t archived_edits = 0;         // edits accepted onto records archived before they arrived
  size_t same_answers = 0;           // operations pushed again that got the same answer
  size_t overridden = 0;             // own changes reported as overridden by a concurrent change
};

void run_schedule(uint64_t seed, const Shape& shape, Totals* totals) {
  std::map<std::string, int>* server_types = &totals->types;
  size_t* rejected_total = &totals->rejected;
  Sim sim(seed);
  sim.mix = shape.mix;
  sim.lose_sync_state = shape.lose_sync_state;
  auto store = OpStore::open(":memory:");
  REQUIRE(store.ok());
  auto svc = SyncService::open(std::move(store).value());
  REQUIRE(svc.ok());
  sim.server = std::move(svc).value();
  REQUIRE(sim.server->load_if_empty(seed_ops(), "seed", sim.now).ok());

  const std::vector<std::string> roles = {"administrator", "coordinator", "coordinator", "grid_worker"};
  size_t n = shape.min_devices + sim.rng.below(shape.max_devices - shape.min_devices + 1);
  sim.devices.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Device& d = sim.devices[i];
    d.id = "dev" + std::to_string(i);
    d.role = i == 0 ? "administrator" : sim.rng.pick(roles);
    d.skew = sim.rng.chance(15) ? kDay : 0;  // a tablet a day ahead
    open_device(d, sim.now);
    if (sim.rng.chance(70)) {  // synced the base before (but its cursor is 0: pulls it again)
      REQUIRE(d.replica->ingest(seed_ops(), sim.now).ok());
      begin_flush(d);
      complete_flush(d);
    }
  }
  size_t steps = shape.min_steps + sim.rng.below(shape.max_steps - shape.min_steps);
  for (size_t s = 0; s < steps; ++s) sim.step();
  sim.final_sync();

  // The server's operation set and fold.
  std::vector<Operation> server_ops;
  std::map<std::string, std::string> server_bodies;
  uint64_t after = 0;
  for (;;) {
    auto body = sim.server->pull(sync::PullQuery{after, 1000}, sim.now);
    REQUIRE(body.ok());
    auto page = sync::decode_pull_response(body.value());
    REQUIRE(page.ok());
    for (auto& p : page->ops) {
      server_bodies[p.op.id.to_string()] = to_json_text(p.op);
      server_ops.push_back(std::move(p.op));
    }
    after = page->next;
    if (!page->more) break;
  }
  State server_fold;
  for (const auto& op : server_ops) {
    server_fold.apply(op);
    (*server_types)[op.type]++;
  }
  const std::string server_hash = sim.server->state_hash();
  REQUIRE(server_fold.hash_hex() == server_hash);

  // No acknowledged operation missing, and stored as acknowledged.
  for (const auto& [id, body] : sim.acknowledged) {
    INFO("seed " << seed << " acknowledged " << id);
    REQUIRE(server_bodies.count(id) == 1);
    REQUIRE(server_bodies[id] == body);
  }
  const std::set<std::string> server_ids = ids_of(server_ops);
  for (auto& d : sim.devices) {
    INFO("seed " << seed << " device " << d.id << " role " << d.role);
    auto local = d.replica->read_all();
    REQUIRE(local.ok());
    std::map<std::string, std::string> rejected;  // id -> code the client recorded
    for (const auto& r : d.client->rejected()) rejected[r.id] = r.code;
    std::set<std::string> excluded;
    for (const auto& id : d.replica->excluded_ids().list()) excluded.insert(id.to_string());
    *rejected_total += excluded.size();
    std::set<std::string> expected = server_ids;
    std::set<std::string> local_ids = ids_of(local.value());
    for (const auto& [id, code] : rejected) {
      REQUIRE(server_ids.count(id) == 0);
      if (local_ids.count(id)) REQUIRE(excluded.count(id) == 1);  // undone here
    }
    for (const auto& id : excluded) {
      REQUIRE(server_ids.count(id) == 0);
      REQUIRE(local_ids.count(id) == 1);  // kept in the log
      expected.insert(id);
    }
    REQUIRE(local_ids == expected);
    // A notice of an overridden change names an own operation in the log that
    // is not a create (sync/client.h OverriddenOp), won by another device.
    for (const auto& o : d.client->overridden()) {
      INFO("overridden " << o.id << " " << o.type << " " << o.how << " by " << o.by);
      REQUIRE(o.id.rfind(d.id + ":", 0) == 0);
      REQUIRE(local_ids.count(o.id) == 1);
      REQUIRE(o.by != d.id);
      REQUIRE_FALSE((o.type.size() >= 7 && o.type.compare(o.type.size() - 7, 7, ".create") == 0));
      REQUIRE((o.how == "archived" || o.how == "restored" || o.how == "overwritten"));
      ++totals->overridden;
    }
    // The device shows what the server has: its refused changes are undone.
    REQUIRE(d.replica->state().hash_hex() == server_hash);
    REQUIRE(d.client->waiting_ops() == 0);
    // A device that lost its sync state pushes everything again: the same answers.
    std::vector<Operation> own;
    for (const auto& op : local.value())
      if (op.id.device == d.id) own.push_back(op);
    for (size_t from = 0; from < own.size(); from += 500) {
      std::vector<Operation> part(own.begin() + static_cast<long>(from),
                                  own.begin() + static_cast<long>(std::min(own.size(), from + 500)));
      auto req = sync::decode_push_request(sync::encode_push_request(d.id, part, sim.now + d.skew));
      REQUIRE(req.ok());
      auto again = sim.server->push(req.value(), Principal{d.id, d.role}, sim.auth, sim.now);
      REQUIRE(again.ok());
      for (const auto& res : again->results) {
        INFO("pushed again: " << res.id << " " << res.code);
        if (server_ids.count(res.id)) {
          REQUIRE(res.status == sync::PushStatus::duplicate);
        } else {
          REQUIRE(res.status == sync::PushStatus::rejected);
          REQUIRE(excluded.count(res.id) == 1);
          if (rejected.count(res.id)) REQUIRE(res.code == rejected[res.id]);
        }
        ++totals->same_answers;
      }
    }
  }
  REQUIRE(sim.server->state_hash() == server_hash);  // pushing again changed nothing
  totals->archived_edits += sim.archived_edits;
}

// A small base every schedule starts from (on the server and, as if synced
// before, on each device), so the deep kinds (volunteer, sign-up, hours) are
// reachable within a short schedule.
const std::vector<Operation>& seed_ops() {
  static const std::vector<Operation> ops = [] {
    MemoryFileSystem fs;
    auto rep = Replica::open(fs, "/seed", "seed", 1767225600000);
    REQUIRE(rep.ok());
    Replica& r = *rep.value();
    r.set_author("staff:seed");
    std::vector<Operation> out;
    Rng rng(99);
    auto add = [&](CreateEntity c) {
      for (const auto& f : find_kind(c.kind)->fields) {  // the other required fields
        if (f.required && !c.fields.contains(f.name)) c.fields[f.name] = random_value(rng, f, r.state());
      }
      auto op = r.commit(c, 1767225600000);
      INFO((op ? std::string() : op.error().message));
      REQUIRE(op.ok());
      out.push_back(op.value());
      return out.back().payload["entity"].get<std::string>();
    };
    std::string grid = add(CreateEntity{"grid", {{"name", "一网格"}}, ""});
    std::string hh = add(CreateEntity{"household", {{"address", "东城小区3栋1单元201室"}, {"grid", grid}}, ""});
    std::string res = add(CreateEntity{"resident", {{"name", "李梅"}, {"household", hh}}, ""});
    add(CreateEntity{"resident", {{"name", "王芳"}, {"household", hh}}, ""});
    std::string station = add(CreateEntity{"station", {{"name", "东城站"}, {"station_type", "station"}}, ""});
    add(CreateEntity{"squad", {{"name", "一队"}}, ""});
    add(CreateEntity{"volunteer", {{"resident", res}}, ""});
    add(CreateEntity{"shift", {{"station", station}, {"role", "值班"}, {"start", "2026-12-01T09:00"},
                               {"end", "2026-12-01T12:00"}, {"capacity", 3}}, ""});
    return out;
  }();
  return ops;
}

size_t schedule_count(size_t fallback) {
  const char* env = std::getenv("DH_CONVERGENCE_SCHEDULES");
  if (env && *env) return static_cast<size_t>(std::strtoull(env, nullptr, 10));
  return fallback;
}

}  // namespace

TEST_CASE("devices and the server converge under random schedules", "[server][sync][convergence]") {
  const size_t schedules = schedule_count(10000);
  Totals totals;
  for (uint64_t seed = 1; seed <= schedules; ++seed) run_schedule(seed, Shape{}, &totals);
  auto& types = totals.types;
  const size_t rejected = totals.rejected;
  // Every kind was created and stored somewhere in the suite, and the rules
  // that reject (roles, concurrent archives) were exercised.
  std::string seen;
  for (const auto& [t, c] : types) seen += t + "=" + std::to_string(c) + " ";
  INFO("operation types stored: " << seen << " rejected: " << rejected);
  // Except ballots: a ballot carries a digest of its poll and voter key and
  // needs an open poll, which random values do not hit; their convergence
  // under shuffled delivery is tests/core/deliberation_test.cpp's. And
  // projections: a projection's content must be the slide built from its
  // meeting, which random values do not hit (tests/core/projection_test.cpp).
  for (const auto& k : all_kinds())
    if (k.kind != "ballot" && k.kind != "projection") CHECK(types[k.kind + ".create"] > 0);
  CHECK(types.size() >= all_kinds().size() * 2);
  if (schedules >= 1000) CHECK(rejected > 0);
}

TEST_CASE("many devices, archives racing edits, lost sync state: every device ends on the server's state",
          "[server][sync][convergence]") {
  const size_t schedules = schedule_count(1500);
  Shape shape;
  shape.min_devices = 3;
  shape.max_devices = 10;
  shape.min_steps = 30;
  shape.max_steps = 70;
  shape.mix = VerbMix{35, 35, 18};  // 12% restores
  shape.lose_sync_state = 50;
  Totals totals;
  for (uint64_t seed = 1; seed <= schedules; ++seed) run_schedule(1000000 + seed, shape, &totals);
  INFO("rejected " << totals.rejected << ", edits kept on archived records " << totals.archived_edits
                   << ", answers checked again " << totals.same_answers << ", overridden noticed "
                   << totals.overridden);
  if (schedules >= 500) {
    CHECK(totals.rejected > 0);
    CHECK(totals.archived_edits > 0);
    CHECK(totals.overridden > 0);
  }
  CHECK(totals.same_answers > 0);
}
