// QR check-in against the real dianhong_server process on loopback
// (src/server/checkin.h, docs/qr-checkin.md): lookup shows only the shift's
// confirmed roster with masked names, the key and the time window are
// enforced, a check-in or check-out is an operation authored by the server
// that every device pulls, and refused requests leave the store unchanged.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "core/checkin.h"
#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"
#include "server/checkin.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* kKey = "k3y0f7h1s5h1f7ab";
const char* kKeyFuture = "futurekey0000000";

// A community built on a "coordinator" device, pushed by the test administrator.
struct Site {
  State state;
  OpSource src{"coord1", "staff:wang", 1, HlcClock{}};
  std::vector<Operation> ops;
  int64_t now_local = local_minutes_from_utc_ms(wall_now_ms());
  std::string grid, station;
  std::string commit(const Command& cmd) {
    auto op = make_operation(state, cmd, src, wall_now_ms());
    INFO((op ? "" : op.error().message));
    REQUIRE(op);
    state.apply(op.value());
    ops.push_back(op.value());
    return op->payload["entity"].get<std::string>();
  }
  std::string volunteer(const std::string& name, const std::string& phone) {
    std::string h = commit(CreateEntity{"household", {{"address", "幸福里 " + phone.substr(7) + " 号"}, {"grid", grid}}, ""});
    std::string r = commit(CreateEntity{"resident", {{"name", name}, {"household", h}, {"phone", phone}}, ""});
    return commit(CreateEntity{"volunteer", {{"resident", r}}, ""});
  }
  // A shift from now+from_min to now+to_min (local minutes).
  std::string shift(int64_t from_min, int64_t to_min, int capacity, const std::string& key) {
    Json f{{"station", station},
           {"role", "课后托管"},
           {"start", format_datetime(now_local + from_min)},
           {"end", format_datetime(now_local + to_min)},
           {"capacity", capacity}};
    if (!key.empty()) f["checkin_key"] = key;
    return commit(CreateEntity{"shift", f, ""});
  }
  std::string signup(const std::string& shift_id, const std::string& vol) {
    return commit(CreateEntity{"signup", {{"shift", shift_id}, {"volunteer", vol}, {"channel", "coordinator"}}, ""});
  }
};

struct World {
  Site site;
  std::string now_shift, future_shift, ended_shift, past_shift;
  std::string zhang_xh, zhang_dm, zhang_sf, li;          // volunteers
  std::string su_xh, su_dm, su_sf, su_li, su_ended;      // sign-ups
};

World build_world() {
  World w;
  Site& s = w.site;
  s.grid = s.commit(CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""});
  s.station = s.commit(CreateEntity{"station", {{"name", "幸福里站"}, {"station_type", "station"}}, ""});
  w.zhang_xh = s.volunteer("张小华", "13812345678");
  w.zhang_dm = s.volunteer("张大明", "13900001234");
  w.zhang_sf = s.volunteer("张三丰", "13700002222");
  w.li = s.volunteer("李四", "13600005678");  // same last 4 digits as 张小华, not on the shift
  w.now_shift = s.shift(-10, 60, 2, kKey);            // running now
  w.future_shift = s.shift(24 * 60, 26 * 60, 2, kKeyFuture);  // tomorrow
  w.ended_shift = s.shift(-150, -30, 2, kKey);        // ended 30 minutes ago
  w.past_shift = s.shift(-400, -300, 2, kKey);        // ended 5 hours ago
  w.su_xh = s.signup(w.now_shift, w.zhang_xh);
  w.su_dm = s.signup(w.now_shift, w.zhang_dm);
  w.su_sf = s.signup(w.now_shift, w.zhang_sf);  // capacity 2: waitlisted
  w.su_li = s.signup(w.future_shift, w.li);
  w.su_ended = s.signup(w.ended_shift, w.zhang_dm);
  // 张大明 checked in on the coordinator's list at the ended shift and forgot to check out.
  s.commit(EditEntity{"signup", w.su_ended,
                      {{"check_in", format_datetime(s.now_local - 140)}, {"check_in_method", "list"}}});
  return w;
}

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string text;
};

Answer post(httplib::Client& c, const std::string& path, const std::string& body) {
  auto res = c.Post(path.c_str(), body, "application/json");
  REQUIRE(res);
  Answer a{res->status, nlohmann::json::parse(res->body, nullptr, false), res->body};
  return a;
}

// The whole name and the last 4 digits of the phone (issue 8: exact matches only).
Answer lookup(httplib::Client& c, const std::string& shift, const std::string& key, const std::string& name,
              const std::string& phone) {
  return post(c, "/api/v1/checkin/lookup",
              nlohmann::json{{"shift", shift}, {"key", key}, {"name", name}, {"phone", phone}}.dump());
}
Answer act(httplib::Client& c, const std::string& shift, const std::string& key, const std::string& signup,
           const std::string& action) {
  return post(c, "/api/v1/checkin",
              nlohmann::json{{"shift", shift}, {"key", key}, {"signup", signup}, {"action", action}}.dump());
}

// Counts and the state hash need a token (health answers them only to an
// enrolled device since issue 8): the server's administrator client.
sync::Health health(const ServerProcess& server) {
  auto c = server.client();
  auto res = c->Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = sync::decode_health(res->body);
  REQUIRE(h.ok());
  REQUIRE(h->full);
  return h.value();
}

std::vector<sync::PulledOp> pull_after(httplib::Client& c, uint64_t after) {
  auto res = c.Get(("/api/v1/ops?after=" + std::to_string(after) + "&limit=1000").c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto page = sync::decode_pull_response(res->body);
  REQUIRE(page.ok());
  return page->ops;
}

// Starts a server (device auth: the page needs no token) and pushes the world.
void start_with(ServerProcess& server, const World& w) {
  REQUIRE(server.start());
  auto admin = server.client();
  auto res = admin->Post("/api/v1/ops", sync::encode_push_request("coord1", w.site.ops), "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto r = sync::decode_push_response(res->body);
  REQUIRE(r.ok());
  for (const auto& x : r->results) REQUIRE(x.status == sync::PushStatus::accepted);
}

}  // namespace

TEST_CASE("qr check-in: lookup finds one person of the confirmed roster by whole name and last 4 digits, masked",
          "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();  // a volunteer's phone: no token

  Answer a = lookup(*phone, w.now_shift, kKey, "张小华", "5678");
  INFO(a.text);
  REQUIRE(a.status == 200);
  CHECK(a.body["shift"]["station"] == "幸福里站");
  CHECK(a.body["shift"]["start"] == format_datetime(w.site.now_local - 10));
  REQUIRE(a.body["people"].size() == 1);
  CHECK(a.body["people"][0]["name"] == "张*华");
  CHECK(a.body["people"][0]["signup"] == w.su_xh);
  CHECK(a.body["people"][0]["action"] == "check_in");
  CHECK(a.body["people"][0]["state"] == "not_checked_in");
  // Nothing personal in the answer: no full name, no phone, no volunteer id.
  for (const char* secret : {"张小华", "张大明", "张三丰", "13812345678", "5678", "1234"})
    CHECK(a.text.find(secret) == std::string::npos);
  for (const auto& v : {w.zhang_xh, w.zhang_dm, w.zhang_sf}) CHECK(a.text.find("\"" + v + "\"") == std::string::npos);
  // Spaces in the name and the whole number are fine.
  a = lookup(*phone, w.now_shift, kKey, " 张 大明 ", "139 0000 1234");
  REQUIRE(a.status == 200);
  REQUIRE(a.body["people"].size() == 1);
  CHECK(a.body["people"][0]["name"] == "张*明");

  // Issue 8: no substring search, no digit sweeps. A part of a name, the
  // right name with other digits, the digits without the name: nobody.
  for (auto [name, digits] : std::vector<std::pair<std::string, std::string>>{
           {"张", "5678"}, {"小华", "5678"}, {"张小", "5678"}, {"张小华", "5679"}, {"张小华", "0000"}}) {
    a = lookup(*phone, w.now_shift, kKey, name, digits);
    INFO(name << " " << digits << " -> " << a.text);
    REQUIRE(a.status == 200);
    CHECK(a.body["people"].empty());
  }
  // 李四 shares 张小华's last digits but is not on this shift; 张三丰 is waitlisted.
  CHECK(lookup(*phone, w.now_shift, kKey, "李四", "5678").body["people"].empty());
  CHECK(lookup(*phone, w.now_shift, kKey, "张三丰", "2222").body["people"].empty());
  // A name alone, digits alone (the old "query"), too few digits, an empty name.
  a = post(*phone, "/api/v1/checkin/lookup",
           nlohmann::json{{"shift", w.now_shift}, {"key", kKey}, {"query", "张"}}.dump());
  CHECK(a.status == 400);
  CHECK(a.body["error"]["code"] == "bad_query");
  CHECK(lookup(*phone, w.now_shift, kKey, "张小华", "").status == 400);
  CHECK(lookup(*phone, w.now_shift, kKey, "张小华", "567").status == 400);
  a = lookup(*phone, w.now_shift, kKey, "  ", "5678");
  CHECK(a.status == 400);
  CHECK(a.body["error"]["code"] == "bad_query");
}

TEST_CASE("qr check-in: a wrong key is 403 and changes nothing", "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();
  const auto before = health(server);

  Answer a = lookup(*phone, w.now_shift, "wrongkey00000000", "张小华", "5678");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "bad_key");
  CHECK(a.text.find("张") == std::string::npos);
  // Issue 8: an unknown shift answers exactly like a wrong key (it was 404),
  // so the page does not tell which shift ids exist.
  Answer unknown = lookup(*phone, "nosuch:1", "wrongkey00000000", "张小华", "5678");
  CHECK(unknown.status == a.status);
  CHECK(unknown.text == a.text);
  // Another shift's key does not open this one.
  a = act(*phone, w.now_shift, kKeyFuture, w.su_xh, "check_in");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "bad_key");
  // An unknown shift: the same answer as a wrong key.
  Answer wrong = act(*phone, w.now_shift, "wrongkey00000000", w.su_xh, "check_in");
  a = act(*phone, "nosuch:1", kKey, w.su_xh, "check_in");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "bad_key");
  CHECK(a.text == wrong.text);

  const auto after = health(server);
  CHECK(after.head == before.head);
  CHECK(after.state_hash == before.state_hash);
}

TEST_CASE("qr check-in: refused outside the shift's window", "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();
  const auto before = health(server);

  // Tomorrow's shift: not yet (opens 30 minutes before the start).
  Answer a = lookup(*phone, w.future_shift, kKeyFuture, "李四", "5678");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "outside_window");
  CHECK(a.body["error"]["opens"] == format_datetime(w.site.now_local + 24 * 60 - 30));
  a = act(*phone, w.future_shift, kKeyFuture, w.su_li, "check_in");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "outside_window");
  // Ended five hours ago: check-out closed 2 hours after the end.
  a = lookup(*phone, w.past_shift, kKey, "张大明", "1234");
  CHECK(a.status == 403);
  CHECK(a.body["error"]["code"] == "outside_window");
  // Ended 30 minutes ago: no check-in any more ...
  a = lookup(*phone, w.ended_shift, kKey, "张大明", "1234");
  REQUIRE(a.status == 200);
  REQUIRE(a.body["people"].size() == 1);
  CHECK(a.body["people"][0]["action"] == "check_out");  // 张大明 checked in on the list
  CHECK(health(server).head == before.head);

  // ... but check-out still works (until 2 hours after the end).
  a = act(*phone, w.ended_shift, kKey, w.su_ended, "check_out");
  INFO(a.text);
  CHECK(a.status == 200);
  CHECK(a.body["status"] == "checked_out");
  CHECK(health(server).head == before.head + 1);
}

TEST_CASE("qr check-in: check-in is a server operation that pulls return; then check-out", "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();
  auto admin = server.client();
  const auto before = health(server);

  Answer a = act(*phone, w.now_shift, kKey, w.su_xh, "check_in");
  INFO(a.text);
  REQUIRE(a.status == 200);
  CHECK(a.body["status"] == "checked_in");
  CHECK(a.body["name"] == "张*华");
  CHECK(a.body["op"] == "server:1");
  CHECK(a.body["seq"].get<uint64_t>() == before.head + 1);

  // Every device pulls it: an ordinary signup.edit by the server.
  auto pulled = pull_after(*admin, before.head);
  REQUIRE(pulled.size() == 1);
  const Operation& op = pulled[0].op;
  CHECK(op.id.to_string() == "server:1");
  CHECK(op.author == "qr:" + w.zhang_xh);
  CHECK(op.type == "signup.edit");
  CHECK(op.payload["entity"] == w.su_xh);
  CHECK(op.payload["fields"]["check_in_method"] == "qr");
  auto in = parse_datetime(op.payload["fields"]["check_in"].get<std::string>());
  REQUIRE(in);
  CHECK(std::abs(*in - local_minutes_from_utc_ms(wall_now_ms())) <= 1);
  // A device that folds what it pulled has the server's state.
  State device = w.site.state;
  REQUIRE(validate_operation(device, op).ok());
  device.apply(op);
  CHECK(device.hash_hex() == health(server).state_hash);
  CHECK(attendance_of(*device.find("signup", w.su_xh)) == Attendance::checked_in);

  // The lookup now offers check-out; a second check-in is refused, nothing stored.
  a = lookup(*phone, w.now_shift, kKey, "张小华", "5678");
  REQUIRE(a.status == 200);
  CHECK(a.body["people"][0]["action"] == "check_out");
  CHECK(a.body["people"][0]["state"] == "checked_in");
  a = act(*phone, w.now_shift, kKey, w.su_xh, "check_in");
  CHECK(a.status == 409);
  CHECK(a.body["error"]["code"] == "already_checked_in");
  // The waitlisted 张三丰 cannot check in through the page.
  a = act(*phone, w.now_shift, kKey, w.su_sf, "check_in");
  CHECK(a.status == 404);
  CHECK(a.body["error"]["code"] == "not_on_roster");
  // Someone else's sign-up on another shift cannot be used with this key.
  a = act(*phone, w.now_shift, kKey, w.su_li, "check_in");
  CHECK(a.body["error"]["code"] == "not_on_roster");
  // Check-out before check-in is refused.
  a = act(*phone, w.now_shift, kKey, w.su_dm, "check_out");
  CHECK(a.status == 409);
  CHECK(a.body["error"]["code"] == "not_checked_in");
  CHECK(health(server).head == before.head + 1);

  // 张大明 was checked in on the coordinator's list 5 minutes ago; he checks out by QR.
  Site& s = w.site;
  s.ops.clear();
  s.commit(EditEntity{"signup", w.su_dm, {{"check_in", format_datetime(s.now_local - 5)}, {"check_in_method", "list"}}});
  {
    auto res = admin->Post("/api/v1/ops", sync::encode_push_request("coord1", s.ops), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }
  a = act(*phone, w.now_shift, kKey, w.su_dm, "check_out");
  INFO(a.text);
  REQUIRE(a.status == 200);
  CHECK(a.body["status"] == "checked_out");
  CHECK(a.body["op"] == "server:2");
  pulled = pull_after(*admin, before.head + 2);
  REQUIRE(pulled.size() == 1);
  CHECK(pulled[0].op.author == "qr:" + w.zhang_dm);
  CHECK(pulled[0].op.payload["fields"].contains("check_out"));
  CHECK_FALSE(pulled[0].op.payload["fields"].contains("check_in"));
  a = act(*phone, w.now_shift, kKey, w.su_dm, "check_out");
  CHECK(a.status == 409);
  CHECK(a.body["error"]["code"] == "already_checked_out");

  // After a restart the server continues its own sequence (no id reused).
  const auto head = health(server).head;
  REQUIRE(server.stop() == 0);
  ServerProcess again(dir.path());
  REQUIRE(again.start());
  auto phone2 = again.anonymous_client();
  CHECK(health(again).head == head);
  a = act(*phone2, w.ended_shift, kKey, w.su_ended, "check_out");
  INFO(a.text);
  REQUIRE(a.status == 200);
  CHECK(a.body["op"] == "server:3");
}

TEST_CASE("qr check-in: malformed bodies are 400 and leave the store unchanged", "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();
  const auto before = health(server);
  const std::vector<std::string> bodies = {
      "not json",
      "[]",
      "{\"shift\":1,\"key\":\"" + std::string(kKey) + "\",\"signup\":\"" + w.su_xh + "\",\"action\":\"check_in\"}",
      "{\"shift\":\"" + w.now_shift + "\",\"key\":\"" + kKey + "\",\"signup\":\"" + w.su_xh + "\"}",
      "{\"shift\":\"" + w.now_shift + "\",\"key\":\"" + kKey + "\",\"signup\":\"" + w.su_xh +
          "\",\"action\":\"dance\"}",
      "{\"shift\":\"" + w.now_shift + "\",\"signup\":\"" + w.su_xh + "\",\"action\":\"check_in\"}",
  };
  for (const auto& b : bodies) {
    Answer a = post(*phone, "/api/v1/checkin", b);
    INFO(b << " -> " << a.text);
    CHECK(a.status == 400);
    CHECK(a.body["error"]["code"] == "bad_json");
    CHECK_FALSE(a.body["error"]["message"].get<std::string>().empty());
  }
  Answer a = post(*phone, "/api/v1/checkin/lookup", "{\"shift\":\"x\"");
  CHECK(a.status == 400);
  CHECK(a.body["error"]["code"] == "bad_json");
  const auto after = health(server);
  CHECK(after.head == before.head);
  CHECK(after.ops == before.ops);
  CHECK(after.state_hash == before.state_hash);
}

TEST_CASE("qr check-in: failures are limited per shift and per address (429, Retry-After)", "[server][checkin]") {
  World w = build_world();
  TempDir dir;
  ServerProcess server(dir.path());
  start_with(server, w);
  auto phone = server.anonymous_client();
  const auto before = health(server);
  // Sweeping the last digits of a known name on one shift: stopped after the per-shift limit.
  for (int i = 0; i < kQrMaxFailuresPerShift; ++i) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%04d", 9000 + i);
    Answer a = lookup(*phone, w.now_shift, kKey, "张小华", digits);
    REQUIRE(a.status == 200);
    CHECK(a.body["people"].empty());
  }
  Answer blocked = lookup(*phone, w.now_shift, kKey, "张小华", "5678");  // even the right answer
  INFO(blocked.text);
  CHECK(blocked.status == 429);
  CHECK(blocked.body["error"]["code"] == "too_many_attempts");
  CHECK(blocked.body["error"]["retry_after"].get<int64_t>() > 0);
  CHECK(blocked.body["error"]["retry_after"].get<int64_t>() <= kQrFailureWindowMs / 1000);
  CHECK(blocked.text.find("张*华") == std::string::npos);
  {
    auto res = phone->Post("/api/v1/checkin", nlohmann::json{{"shift", w.now_shift}, {"key", kKey}, {"signup", w.su_xh},
                                                            {"action", "check_in"}}.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 429);
    CHECK(res->has_header("Retry-After"));
  }
  // Another shift from the same address still answers, until the address's
  // own limit (wrong keys count too).
  Answer other = lookup(*phone, w.ended_shift, kKey, "张大明", "1234");
  CHECK(other.status == 200);
  CHECK(other.body["people"].size() == 1);
  for (int i = kQrMaxFailuresPerShift; i < kQrMaxFailuresPerAddress; ++i) {
    Answer a = lookup(*phone, w.ended_shift, "wrongkey00000000", "张大明", "1234");
    CHECK(a.status == 403);
  }
  Answer address_blocked = lookup(*phone, w.ended_shift, kKey, "张大明", "1234");
  CHECK(address_blocked.status == 429);
  CHECK(address_blocked.body["error"]["code"] == "too_many_attempts");
  const auto after = health(server);
  CHECK(after.head == before.head);
  CHECK(after.state_hash == before.state_hash);
}
