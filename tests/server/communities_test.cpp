// Many communities on one real dianhong_server process (--communities,
// src/server/communities.h, docs/communities.md): the Host names the
// community; every endpoint refuses one community's token, code or check-in
// key at another's host and leaves the other's data as it was; an unknown
// Host is refused before any token is looked at or any body read; the
// county reads counts only, computed by the server from each community's
// operations. The server runs with --communities-open 1, so every switch
// between A and B closes one community and opens the other.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"
#include "core/talent.h"
#include "server/communities.h"
#include "../skip.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* kKey = "k3y0f7h1s5h1f7ab";   // the shift both communities have (same ids, same key)
const char* kKeyB = "bbbbkeyonlyinbbb";  // a shift only B has

const std::string kA = "a.fengqing.test", kB = "b.fengqing.test", kCounty = "county.fengqing.test";

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string text;
  std::string code() const {
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
};

struct Client {
  const ServerProcess& server;
  Answer get(const std::string& host, const std::string& path, const std::string& token = "") const {
    auto c = server.client_with(token);
    auto res = c->Get(path.c_str(), httplib::Headers{{"Host", host}});
    REQUIRE(res);
    return Answer{res->status, nlohmann::json::parse(res->body, nullptr, false), res->body};
  }
  Answer post(const std::string& host, const std::string& path, const std::string& body, const std::string& token = "",
              const char* type = "application/json") const {
    auto c = server.client_with(token);
    auto res = c->Post(path.c_str(), httplib::Headers{{"Host", host}}, body, type);
    REQUIRE(res);
    return Answer{res->status, nlohmann::json::parse(res->body, nullptr, false), res->body};
  }
  std::string enrol(const std::string& host, const std::string& code, const std::string& device) const {
    Answer a = post(host, "/api/v1/enrol", nlohmann::json{{"code", code}, {"device", device}, {"name", "t"}}.dump());
    INFO(a.text);
    REQUIRE(a.status == 200);
    return a.body["token"].get<std::string>();
  }
  std::string code(const std::string& host, const std::string& admin, const std::string& role) const {
    Answer a = post(host, "/api/v1/admin/codes", nlohmann::json{{"role", role}}.dump(), admin);
    INFO(a.text);
    REQUIRE(a.status == 200);
    return a.body["code"].get<std::string>();
  }
  sync::Health health(const std::string& host, const std::string& token) const {
    Answer a = get(host, "/api/v1/health", token);
    INFO(a.text);
    REQUIRE(a.status == 200);
    auto h = sync::decode_health(a.text);
    REQUIRE(h.ok());
    REQUIRE(h->full);
    return h.value();
  }
  void push(const std::string& host, const std::string& token, const std::vector<Operation>& ops) const {
    Answer a = post(host, "/api/v1/ops", sync::encode_push_request("coord1", ops), token);
    INFO(a.text);
    REQUIRE(a.status == 200);
    for (const auto& r : a.body["results"]) REQUIRE(r["status"] == "accepted");
  }
};

// Records made on a "coordinator" device; pushed by a community's administrator.
struct Site {
  State state;
  OpSource src{"coord1", "staff:wang", 1, HlcClock{}};
  std::vector<Operation> ops;
  int64_t now_local = local_minutes_from_utc_ms(wall_now_ms());
  std::string grid, station, household, resident, volunteer, shift, signup;
  std::string commit(const Command& cmd) {
    auto op = make_operation(state, cmd, src, wall_now_ms());
    INFO((op ? "" : op.error().message));
    REQUIRE(op);
    state.apply(op.value());
    ops.push_back(op.value());
    return op->payload["entity"].get<std::string>();
  }
  std::string shift_now(const std::string& key) {
    return commit(CreateEntity{"shift",
                               {{"station", station}, {"role", "课后托管"}, {"start", format_datetime(now_local - 10)},
                                {"end", format_datetime(now_local + 60)}, {"capacity", 2}, {"checkin_key", key}},
                               ""});
  }
  void households(int n) {
    for (int i = 0; i < n; ++i) commit(CreateEntity{"household", {{"address", "茶乡苑" + std::to_string(i) + "号"}, {"grid", grid}}, ""});
  }
};

// What both communities hold: the same records with the same ids.
Site shared_site() {
  Site s;
  s.grid = s.commit(CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""});
  s.station = s.commit(CreateEntity{"station", {{"name", "幸福里站"}, {"station_type", "station"}}, ""});
  s.household = s.commit(CreateEntity{"household", {{"address", "幸福里 1 号"}, {"grid", s.grid}}, ""});
  s.resident = s.commit(CreateEntity{"resident", {{"name", "张小华"}, {"household", s.household}, {"phone", "13812345678"}}, ""});
  s.volunteer = s.commit(CreateEntity{"volunteer", {{"resident", s.resident}}, ""});
  s.shift = s.shift_now(kKey);
  s.signup = s.commit(CreateEntity{"signup", {{"shift", s.shift}, {"volunteer", s.volunteer}, {"channel", "coordinator"}}, ""});
  return s;
}

std::string read_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

struct Many {
  TempDir dir{"dh-communities-test"};
  TempDir web{"dh-communities-web"};
  std::string conf = dir.path() + "/communities.conf";
  std::string data = dir.path() + "/data";
  std::unique_ptr<ServerProcess> server;
  explicit Many(std::vector<std::string> extra = {}) {
    std::ofstream(conf) << "# test\n" << "a " << kA << "\n" << "b " << kB << " B.Other.Test\n"
                        << "county " << kCounty << "\n";
    std::ofstream(web.path() + "/index.html") << "<!doctype html><title>Dianhong</title>";
    std::vector<std::string> args{"--communities", conf, "--communities-open", "1", "--web", web.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<ServerProcess>(data, args);
    INFO(server->error());
    REQUIRE(server->start());
  }
  std::string code_file(const std::string& id) const {
    return read_line(data + (id == "county" ? "/county" : "/communities/" + id) + "/admin-enrolment-code.txt");
  }
};

}  // namespace

TEST_CASE("communities: a Host that names no community is refused before any token or body", "[server][communities]") {
  Many m;
  Client c{*m.server};
  const std::string a_admin = c.enrol(kA, m.code_file("a"), "a-admin");
  for (const std::string host : {"c.fengqing.test", "127.0.0.1", "localhost", ""}) {
    INFO(host);
    Answer h = c.get(host, "/api/v1/health", a_admin);
    CHECK(h.status == 421);
    CHECK(h.code() == "unknown_community");
    // Not JSON, wrong type: still 421, nothing was parsed.
    Answer p = c.post(host, "/api/v1/ops", "not json", a_admin, "text/plain");
    CHECK(p.status == 421);
    CHECK(p.code() == "unknown_community");
    CHECK(c.get(host, "/").status == 421);
  }
  // A second name of B, in another case and with a port, is B.
  CHECK(c.get("b.other.test:80", "/api/v1/health").status == 200);
  CHECK(c.get("A.FENGQING.TEST", "/api/v1/health", a_admin).status == 200);
}

TEST_CASE("communities: every endpoint keeps A's tokens, codes and keys away from B's data", "[server][communities]") {
  Many m;
  Client c{*m.server};
  // Each administrator code enrols only at its own community.
  CHECK(c.post(kB, "/api/v1/enrol", nlohmann::json{{"code", m.code_file("a")}, {"device", "x"}}.dump()).code() == "bad_code");
  const std::string a_admin = c.enrol(kA, m.code_file("a"), "a-admin");
  const std::string b_admin = c.enrol(kB, m.code_file("b"), "b-admin");
  const std::string b_coord = c.enrol(kB, c.code(kB, b_admin, "coordinator"), "b-coord");
  const std::string a_code = c.code(kA, a_admin, "coordinator");
  Answer wrong = c.post(kB, "/api/v1/enrol", nlohmann::json{{"code", a_code}, {"device", "a-coord"}}.dump());
  CHECK(wrong.status == 403);
  CHECK(wrong.code() == "bad_code");
  const std::string a_coord = c.enrol(kA, a_code, "a-coord");  // the code was good, at A

  Site a = shared_site(), b = a;
  b.shift_now(kKeyB);  // only B has this shift
  c.push(kA, a_admin, a.ops);
  c.push(kB, b_admin, b.ops);
  const sync::Health b_before = c.health(kB, b_admin);
  const sync::Health a_before = c.health(kA, a_admin);
  CHECK(b_before.head == a_before.head + 1);

  // Each endpoint: A's token works at A, and is refused at B.
  for (const std::string path : {"/api/v1/health", "/api/v1/ops?after=0", "/api/v1/snapshot", "/api/v1/wait?after=0&timeout_ms=0",
                                 "/api/v1/admin/devices"}) {
    INFO(path);
    CHECK(c.get(kA, path, a_admin).status == 200);
    Answer refused = c.get(kB, path, a_admin);
    CHECK(refused.status == 401);
    CHECK(refused.code() == "unauthorized");
    CHECK(refused.text.find("coord1") == std::string::npos);
    CHECK(c.get(kB, path, a_coord).status == 401);
  }
  // Push: A's operations with A's token to B.
  Site more = a;
  more.households(1);
  std::vector<Operation> one{more.ops.back()};
  Answer pushed = c.post(kB, "/api/v1/ops", sync::encode_push_request("coord1", one), a_admin);
  CHECK(pushed.status == 401);
  // Administration of B with A's administrator token.
  CHECK(c.post(kB, "/api/v1/admin/codes", R"({"role":"administrator"})", a_admin).status == 401);
  CHECK(c.post(kB, "/api/v1/admin/devices/b-coord/revoke", "{}", a_admin).status == 401);
  CHECK(c.get(kB, "/api/v1/ops?after=0", b_coord).status == 200);  // still enrolled at B
  // The county endpoint is not on a community's host.
  CHECK(c.get(kB, "/api/v1/county/aggregates", a_admin).status == 404);
  CHECK(c.get(kA, "/api/v1/county/aggregates", a_admin).status == 404);

  // QR check-in: B's shift is unknown at A's host (as a wrong key); the shift
  // both have, checked in at A, changes A only.
  auto qr = [&](const std::string& host, const std::string& path, nlohmann::json body) { return c.post(host, path, body.dump()); };
  const std::string b_only_shift = b.ops.back().payload["entity"];
  Answer lk = qr(kA, "/api/v1/checkin/lookup", {{"shift", b_only_shift}, {"key", kKeyB}, {"name", "张小华"}, {"phone", "5678"}});
  CHECK(lk.status == 403);
  CHECK(lk.code() == "bad_key");
  lk = qr(kB, "/api/v1/checkin/lookup", {{"shift", b_only_shift}, {"key", kKeyB}, {"name", "张小华"}, {"phone", "5678"}});
  CHECK(lk.status == 200);  // the key is good at B
  Answer in = qr(kA, "/api/v1/checkin", {{"shift", a.shift}, {"key", kKey}, {"signup", a.signup}, {"action", "check_in"}});
  INFO(in.text);
  CHECK(in.status == 200);
  CHECK(c.health(kA, a_admin).head == a_before.head + 1);
  lk = qr(kB, "/api/v1/checkin/lookup", {{"shift", a.shift}, {"key", kKey}, {"name", "张小华"}, {"phone", "5678"}});
  REQUIRE(lk.status == 200);
  CHECK(lk.body["people"][0]["action"] == "check_in");  // not checked in at B
  CHECK(lk.body["people"][0]["state"] == "not_checked_in");

  // Static files: the same app for every community, nothing of their data.
  Answer index_a = c.get(kA, "/"), index_b = c.get(kB, "/");
  CHECK(index_a.status == 200);
  CHECK(index_a.text == index_b.text);
  for (const std::string path : {"/communities/a/server.sqlite", "/../data/communities/a/server.sqlite",
                                 "/data/communities/b/admin-enrolment-code.txt", "/%2e%2e/data/communities/b/server.sqlite"}) {
    INFO(path);
    CHECK(c.get(kA, path).status != 200);
    CHECK(c.get(kB, path).status != 200);
  }

  // B is as it was: same head, same state.
  const sync::Health b_after = c.health(kB, b_admin);
  CHECK(b_after.head == b_before.head);
  CHECK(b_after.state_hash == b_before.state_hash);
  // Both stayed correct while --communities-open 1 closed one to open the other.
  CHECK(c.health(kA, a_admin).state_hash != b_after.state_hash);
}

TEST_CASE("communities: the county reads counts per community and totals, and nothing else", "[server][communities]") {
  Many m;
  Client c{*m.server};
  const std::string a_admin = c.enrol(kA, m.code_file("a"), "a-admin");
  const std::string b_admin = c.enrol(kB, m.code_file("b"), "b-admin");
  const std::string county_admin = c.enrol(kCounty, m.code_file("county"), "county-admin");
  CHECK(c.post(kCounty, "/api/v1/admin/codes", R"({"role":"coordinator"})", county_admin).code() == "bad_role");
  CHECK(c.post(kA, "/api/v1/admin/codes", R"({"role":"county"})", a_admin).code() == "bad_role");
  const std::string county = c.enrol(kCounty, c.code(kCounty, county_admin, "county"), "county-reader");

  // A: 2 households, a request (resolved) whose party lives in the first.
  Site a = shared_site();
  a.households(1);
  const std::string expert = a.commit(CreateEntity{"expert", {{"name", "段明"}, {"fields", {"dispute_mediation"}}}, ""});
  const std::string request = a.commit(CreateEntity{
      "request",
      {{"category", "dispute_mediation"}, {"urgency", 2}, {"grid", a.grid}, {"parties", {a.resident}},
       {"description", "楼上漏水"}, {"intake_channel", "hall"}, {"recorded_at", format_datetime(a.now_local - 60)}},
      ""});
  a.commit(CreateEntity{"request_step", talent::step_fields(request, "assign", format_datetime(a.now_local - 50), expert), ""});
  a.commit(CreateEntity{"request_step", talent::step_fields(request, "resolve", format_datetime(a.now_local - 40), expert), ""});
  // B: 3 households, 90 minutes added for the volunteer, a meeting held.
  Site b = shared_site();
  b.households(2);
  b.commit(CreateEntity{"hours_adjustment", {{"volunteer", b.volunteer}, {"date", format_date(b.now_local / 1440)},
                                             {"minutes", 90}, {"reason", "纸质签到表补录"}}, ""});
  const std::string council = b.commit(CreateEntity{"council", {{"name", "社区议事会"}, {"tier", "level2"}, {"council_scope", "community"}}, ""});
  const std::string meeting = b.commit(CreateEntity{"meeting", {{"council", council}, {"title", "议事会"}, {"start", "2026-01-20T14:00"}}, ""});
  b.commit(EditEntity{"meeting", meeting, {{"meeting_state", "in_session"}}});
  b.commit(EditEntity{"meeting", meeting, {{"meeting_state", "adjourned"}}});
  c.push(kA, a_admin, a.ops);
  c.push(kB, b_admin, b.ops);

  // Tokens of one side never read the other's endpoints.
  CHECK(c.get(kCounty, "/api/v1/county/aggregates", a_admin).status == 401);
  CHECK(c.get(kCounty, "/api/v1/county/aggregates").status == 401);
  CHECK(c.get(kA, "/api/v1/ops?after=0", county).status == 401);
  CHECK(c.get(kA, "/api/v1/health", county).status == 401);
  CHECK(c.get(kCounty, "/api/v1/ops?after=0", county).status == 404);
  CHECK(c.get(kCounty, "/api/v1/snapshot", county).status == 404);
  CHECK(c.post(kCounty, "/api/v1/checkin", R"({"shift":"x"})").status == 404);

  Answer agg = c.get(kCounty, "/api/v1/county/aggregates", county);
  INFO(agg.text);
  REQUIRE(agg.status == 200);
  REQUIRE(agg.body["communities"].size() == 2);
  const auto& fa = agg.body["communities"][0];
  const auto& fb = agg.body["communities"][1];
  CHECK(fa["community"] == "a");
  CHECK(fb["community"] == "b");
  CHECK(fa["figures"]["households"] == 2);
  CHECK(fa["figures"]["households_taking_part"] == 1);  // through the request
  CHECK(fa["figures"]["requests"] == 1);
  CHECK(fa["figures"]["requests_resolved"] == 1);
  CHECK(fa["figures"]["resolution_rate"] == 1.0);
  CHECK(fa["figures"]["volunteer_minutes"] == 0);
  CHECK(fa["figures"]["meetings_held"] == 0);
  CHECK(fb["figures"]["households"] == 3);
  CHECK(fb["figures"]["households_taking_part"] == 1);  // through the hours
  CHECK(fb["figures"]["volunteer_minutes"] == 90);
  CHECK(fb["figures"]["requests"] == 0);
  CHECK(fb["figures"]["meetings"] == 1);
  CHECK(fb["figures"]["meetings_held"] == 1);
  const auto& t = agg.body["totals"];
  CHECK(t["households"] == 5);
  CHECK(t["households_taking_part"] == 2);
  CHECK(t["volunteer_minutes"] == 90);
  CHECK(t["requests"] == 1);
  CHECK(t["meetings_held"] == 1);
  // Counts only: no name, phone, address or id of the records.
  for (const std::string secret : {"张小华", "13812345678", "幸福里", "coord1", "段明"}) {
    CHECK(agg.text.find(secret) == std::string::npos);
  }
  // New operations at B show in the next answer (computed, not kept stale).
  b.households(1);
  c.push(kB, b_admin, {b.ops.back()});
  agg = c.get(kCounty, "/api/v1/county/aggregates", county_admin);
  REQUIRE(agg.status == 200);
  CHECK(agg.body["communities"][1]["figures"]["households"] == 4);
  CHECK(agg.body["totals"]["households"] == 6);
}

TEST_CASE("communities: a bad communities file, or data inside the web folder, stops the server at start",
          "[server][communities]") {
  TempDir dir{"dh-communities-bad"};
  const std::string conf = dir.path() + "/communities.conf";
  for (const std::string bad : {"a a.test\nb a.test\n", "A a.test\n", "a\n", "a a.test\na b.test\n", "# none\n",
                                "county c.test\n", "a a.test\ncounty c.test\ncounty d.test\n", "a bad/host\n"}) {
    INFO(bad);
    std::ofstream(conf, std::ios::trunc) << bad;
    ServerProcess server(dir.path() + "/data", {"--communities", conf});
    CHECK_FALSE(server.start(std::chrono::seconds(10)));  // exits with the line number on stderr
  }
  std::ofstream(conf, std::ios::trunc) << "a a.test\n";
  std::filesystem::create_directories(dir.path() + "/web");
  std::ofstream(dir.path() + "/web/index.html") << "x";
  ServerProcess inside(dir.path() + "/web/data", {"--communities", conf, "--web", dir.path() + "/web"});
  CHECK_FALSE(inside.start(std::chrono::seconds(10)));
  ServerProcess ok(dir.path() + "/data", {"--communities", conf, "--web", dir.path() + "/web"});
  CHECK(ok.start());
}

TEST_CASE("communities: the file's lines, host names normalised, each error with its line", "[server][communities]") {
  auto c = parse_communities_config("# county of Fengqing\n\ndongcheng Dongcheng.Example. dc.local:8080  # two names\n"
                                    "county county.example\nxicheng xicheng.example\n");
  REQUIRE(c.ok());
  REQUIRE(c->communities.size() == 2);
  CHECK(c->communities[0].id == "dongcheng");
  CHECK(c->communities[0].hosts == std::vector<std::string>{"dongcheng.example", "dc.local"});
  CHECK(c->communities[1].id == "xicheng");
  CHECK(c->county_hosts == std::vector<std::string>{"county.example"});
  auto bad = parse_communities_config("a a.example\nb b.example\nc A.EXAMPLE\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_config");
  CHECK(bad.error().message.find("Line 3") != std::string::npos);
  CHECK_FALSE(parse_communities_config("Upper a.example\n").ok());
  CHECK_FALSE(parse_communities_config("").ok());
  CHECK_FALSE(parse_communities_config("a a.example\na b.example\n").ok());
}

#ifdef DH_HAVE_LIBPQ
namespace {
// The same story whichever way the communities share PostgreSQL: isolation,
// a second server process on the same data, the county's figures.
// max_backends: when not 0, the most connections the two servers may hold
// to the database named by count_db (checked while both run).
void check_communities_on_postgres(const std::string& store, const std::vector<std::string>& extra = {},
                                   const std::string& count_db = "", int max_backends = 0) {
  std::vector<std::string> args{"--store", store};
  args.insert(args.end(), extra.begin(), extra.end());
  Many m(args);
  Client c{*m.server};
  const std::string a_admin = c.enrol(kA, m.code_file("a"), "a-admin");
  const std::string b_admin = c.enrol(kB, m.code_file("b"), "b-admin");
  Site a = shared_site();
  a.households(2);
  c.push(kA, a_admin, a.ops);
  CHECK(c.health(kA, a_admin).head == a.ops.size());
  CHECK(c.health(kB, b_admin).head == 0);  // B's database has none of A's operations
  Answer pushed = c.post(kB, "/api/v1/ops", sync::encode_push_request("coord1", a.ops), a_admin);
  CHECK(pushed.status == 401);
  Site b = shared_site();
  c.push(kB, b_admin, b.ops);
  const sync::Health ha = c.health(kA, a_admin), hb = c.health(kB, b_admin);
  CHECK(hb.head == b.ops.size());
  CHECK(ha.state_hash != hb.state_hash);
  CHECK(ha.state_hash == a.state.hash_hex());
  CHECK(hb.state_hash == b.state.hash_hex());

  // A second server process on the same databases, with the same key file
  // (docs/communities.md "PostgreSQL"): the device lists are the databases',
  // so a device enrolled at one is known at the other, per community.
  std::vector<std::string> second_args = args;
  second_args.insert(second_args.end(), {"--secret-file", m.data + "/server-secret.key"});
  Many second(second_args);
  Client c2{*second.server};
  CHECK(c2.health(kA, a_admin).head == a.ops.size());
  CHECK(c2.health(kB, b_admin).state_hash == hb.state_hash);
  CHECK(c2.get(kB, "/api/v1/health", a_admin).status == 401);  // still A's token only
  const std::string code_at_second = c2.code(kB, b_admin, "coordinator");
  const std::string b_coord = c.enrol(kB, code_at_second, "b-coord");  // made at one, used at the other
  CHECK(c2.health(kB, b_coord).head == b.ops.size());
  CHECK(c.post(kA, "/api/v1/enrol", nlohmann::json{{"code", code_at_second}, {"device", "x"}}.dump()).status == 403);

  // The county's figures at the first server follow what the second one
  // stored, for a closed community too (--communities-open 1: reading the
  // figures opens A, then B, which closes A).
  const std::string county_admin = c.enrol(kCounty, m.code_file("county"), "county-admin");
  const std::string county = c.enrol(kCounty, c.code(kCounty, county_admin, "county"), "county-reader");
  auto households = [&](const std::string& id) {
    Answer agg = c.get(kCounty, "/api/v1/county/aggregates", county);
    INFO(agg.text);
    REQUIRE(agg.status == 200);
    for (const auto& row : agg.body["communities"])
      if (row["community"] == id) return row["figures"]["households"].get<int>();
    FAIL("no figures for " << id);
    return -1;
  };
  const int a_before = households("a"), b_before = households("b");
  auto added = [](Site& site, int n) {
    const size_t from = site.ops.size();
    site.households(n);
    return std::vector<Operation>(site.ops.begin() + static_cast<std::ptrdiff_t>(from), site.ops.end());
  };
  c2.push(kA, a_admin, added(a, 1));
  c2.push(kB, b_admin, added(b, 2));
  CHECK(households("a") == a_before + 1);
  CHECK(households("b") == b_before + 2);
  if (max_backends > 0) {
    const std::string n = dh::test::pg_value(
        count_db, "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()");
    INFO("connections of both servers to the database: " << n);
    CHECK(std::atoi(n.c_str()) >= 2);
    CHECK(std::atoi(n.c_str()) <= max_backends);
  }
}
}  // namespace
#endif

TEST_CASE("communities: on PostgreSQL each community has its own database", "[server][communities][postgres]") {
#ifdef DH_HAVE_LIBPQ
  const std::string admin = dh::test::test_pg_admin();
  if (admin.empty()) {
    DH_SKIP("no PostgreSQL for the tests: DH_TEST_PG is not set (script/test starts one with script/pg)");
    return;
  }
  for (const char* db : {"dh_comm_a", "dh_comm_b", "dh_comm_county"})
    REQUIRE(dh::test::pg_make_database(admin, db, true).empty());
  check_communities_on_postgres(dh::test::pg_conninfo_with_dbname(admin, "dh_comm_{community}"));
#else
  DH_SKIP("this build has no libpq");
#endif
}

TEST_CASE("communities: on one PostgreSQL database, a schema each, on few connections",
          "[server][communities][postgres]") {
#ifdef DH_HAVE_LIBPQ
  const std::string admin = dh::test::test_pg_admin();
  if (admin.empty()) {
    DH_SKIP("no PostgreSQL for the tests: DH_TEST_PG is not set (script/test starts one with script/pg)");
    return;
  }
  REQUIRE(dh::test::pg_make_database(admin, "dh_comm_one", true).empty());
  const std::string one = dh::test::pg_conninfo_with_dbname(admin, "dh_comm_one");
  // Two connections per process (and its listener), whatever the number of
  // communities: the pool is shared (server/pg_pool.h).
  // At most 2 x 2 (a nested lease may take a second) + the listener, per process.
  check_communities_on_postgres(one, {"--pg-connections", "2"}, one, 2 * 5);
  auto value = [&](const std::string& sql) { return dh::test::pg_value(one, sql); };
  CHECK(value("SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'dh\\_%'") ==
        "dh_a,dh_b,dh_county");
  CHECK(value("SELECT count(*) FROM dh_a.devices") == "1");
  CHECK(value("SELECT count(*) FROM dh_b.devices") == "2");
  CHECK(value("SELECT count(*) FROM dh_county.devices") == "2");
  CHECK(value("SELECT to_regclass('dianhong.ops') IS NULL") == "t");  // nothing in the single-store schema  // nothing in the single-store schema
#else
  DH_SKIP("this build has no libpq");
#endif
}
