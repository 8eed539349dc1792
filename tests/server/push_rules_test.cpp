// What a push may do (issue 8 "The server keeps out who doesn't belong",
// issue 15's clock bullet): authorisation before any lookup by id, who may
// mint which entity ids, a kiosk records no attendance, the author text is
// not trusted, operations of a newer app version, and the server's clock
// bounding every stamp. Real SyncService and SQLite (in memory), the real
// role rules (roles.cpp), no HTTP.
#include <catch2/catch.hpp>

#include "core/commands.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

constexpr int64_t kNow = 1796083200000;  // 2026-12-01T00:00Z
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

class RoleAuth : public Authenticator {
 public:
  std::string name() const override { return "test-roles"; }
  Result<Principal> authenticate(const RequestContext&) override { return make_error("unauthorized", "unused"); }
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }
};

// One device: its principal and its own operation source. Operations are
// made against `mirror`, the server's state as this test knows it.
struct Device {
  Principal who;
  OpSource source;
  Device(const std::string& id, const std::string& role, const std::string& author)
      : who{id, role}, source{id, author, 1, HlcClock{}} {}
};

struct Community {
  std::unique_ptr<SyncService> svc;
  RoleAuth auth;
  State mirror;
  Device coord{"coord1", "coordinator", "staff:wang"};
  Device kiosk{"kiosk1", "kiosk", "kiosk"};
  std::string station, volunteer, volunteer2, shift;

  Community() {
    auto store = OpStore::open(":memory:");
    REQUIRE(store.ok());
    auto s = SyncService::open(std::move(store).value());
    REQUIRE(s.ok());
    svc = std::move(s).value();
    std::string grid = create(coord, "grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    std::string hh = create(coord, "household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}});
    station = create(coord, "station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}});
    std::string r1 = create(coord, "resident",
                            Json{{"name", "李堃"}, {"household", hh}, {"birth_date", "1980-05-01"}, {"phone", "13812345678"}});
    std::string r2 = create(coord, "resident", Json{{"name", "王玥"}, {"household", hh}, {"birth_date", "1990-01-01"}});
    volunteer = create(coord, "volunteer", Json{{"resident", r1}});
    volunteer2 = create(coord, "volunteer", Json{{"resident", r2}});
    shift = create(coord, "shift", Json{{"station", station}, {"role", "课后托管"}, {"start", "2026-12-01T16:00"},
                                        {"end", "2026-12-01T18:00"}, {"capacity", 5}});
  }
  Operation make(Device& d, const Command& cmd, int64_t at = kNow) {
    auto op = make_operation(mirror, cmd, d.source, at);
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op.value();
  }
  Result<sync::PushResponse> push(const Device& d, const std::vector<Operation>& ops, int64_t device_ms = 0,
                                  int64_t now = kNow) {
    auto req = sync::decode_push_request(sync::encode_push_request(d.who.device, ops, device_ms));
    REQUIRE(req.ok());
    auto r = svc->push(req.value(), d.who, auth, now);
    if (r) {
      for (size_t i = 0; i < ops.size(); ++i)
        if (r->results[i].status == sync::PushStatus::accepted) mirror.apply(ops[i]);
    }
    return r;
  }
  sync::PushResult push_one(const Device& d, const Operation& op) {
    auto r = push(d, {op});
    REQUIRE(r.ok());
    REQUIRE(r->results.size() == 1);
    return r->results[0];
  }
  std::string create(Device& d, const std::string& kind, Json fields) {
    Operation op = make(d, CreateEntity{kind, std::move(fields), ""});
    auto res = push_one(d, op);
    INFO(res.code << " " << res.reason);
    REQUIRE(res.status == sync::PushStatus::accepted);
    return op.payload["entity"].get<std::string>();
  }
  Json kiosk_signup(const std::string& vol) const {
    return Json{{"shift", shift}, {"volunteer", vol}, {"channel", "kiosk"}, {"seen_place", "confirmed"}};
  }
  // An operation put together by hand (what a hostile client can send).
  static Operation forged(const std::string& id, const std::string& type, Json payload, const std::string& author,
                          int64_t wall = kNow) {
    Operation op;
    op.id = *OpId::parse(id);
    op.hlc = Hlc{wall, 0};
    op.author = author;
    op.type = type;
    op.payload = std::move(payload);
    return op;
  }
};

}  // namespace

TEST_CASE("a foreign op id is refused before any lookup: the same answer whether it exists or not",
          "[server][push][security]") {
  Community c;
  // The coordinator's resident with a phone is stored as coord1:4.
  auto stored = c.svc->stored("coord1:4");
  REQUIRE(stored.ok());
  REQUIRE(stored.value().has_value());
  const std::string body = stored.value()->body;
  REQUIRE(body.find("13812345678") != std::string::npos);
  auto stored_op = parse_operation(body);
  REQUIRE(stored_op.ok());
  // A kiosk guessing the phone: the right guess (identical body, was
  // "duplicate"), a wrong guess (was "id_reused") and an id nobody used all
  // get the same answer.
  Operation wrong = stored_op.value();
  wrong.payload["fields"]["phone"] = "13812340000";
  Operation unused = stored_op.value();
  unused.id = OpId{"coord1", 999};
  std::vector<sync::PushResult> answers = {c.push_one(c.kiosk, stored_op.value()), c.push_one(c.kiosk, wrong),
                                           c.push_one(c.kiosk, unused)};
  for (const auto& a : answers) {
    CHECK(a.status == sync::PushStatus::rejected);
    CHECK(a.code == "forbidden");
    CHECK(a.seq == 0);
    CHECK(a.reason == answers[0].reason);
  }
  // The coordinator itself still gets its duplicate answer.
  auto again = c.push_one(c.coord, stored_op.value());
  CHECK(again.status == sync::PushStatus::duplicate);
  CHECK(again.seq == stored.value()->seq);
}

TEST_CASE("a create names an id its device may mint; a squatter cannot take another device's next id",
          "[server][push][security]") {
  Community c;
  // The coordinator's next create will be coord1:<next seq>.
  const std::string next_id = OpId{"coord1", c.coord.source.next_seq}.to_string();
  CreateEntity squat{"signup", c.kiosk_signup(c.volunteer), next_id};
  auto r = c.push_one(c.kiosk, c.make(c.kiosk, squat));
  CHECK(r.status == sync::PushStatus::rejected);
  CHECK(r.code == "entity_id_not_yours");
  // ... so the coordinator's own create is kept.
  Operation own = c.make(c.coord, CreateEntity{"squad", Json{{"name", "青年突击队"}}, ""});
  REQUIRE(own.payload["entity"] == next_id);
  CHECK(c.push_one(c.coord, own).status == sync::PushStatus::accepted);
  // Any device may use its own namespace; the op's own id is the default.
  CHECK(c.push_one(c.coord, c.make(c.coord, CreateEntity{"squad", Json{{"name", "二队"}}, "coord1:squad-2"})).status ==
        sync::PushStatus::accepted);
  CHECK(c.push_one(c.coord, c.make(c.coord, CreateEntity{"squad", Json{{"name", "三队"}}, "squad-3"})).code ==
        "entity_id_not_yours");
  CHECK(c.push_one(c.kiosk, c.make(c.kiosk, CreateEntity{"signup", c.kiosk_signup(c.volunteer), ""})).status ==
        sync::PushStatus::accepted);
  // An administrator importing data keeps the imported ids.
  Device admin{"admin1", "administrator", "staff:secretary"};
  CHECK(c.push_one(admin, c.make(admin, CreateEntity{"squad", Json{{"name", "导入队"}}, "squad-0042"})).status ==
        sync::PushStatus::accepted);
}

TEST_CASE("a kiosk records no attendance; the fabricated year of hours is refused for every role",
          "[server][push][security][attendance]") {
  Community c;
  Json year = c.kiosk_signup(c.volunteer);
  year["check_in"] = "2026-01-01T00:00";
  year["check_out"] = "2026-12-31T23:59";
  // Made by hand: the kiosk's own core would refuse to make it.
  Operation op = Community::forged("kiosk1:1", "signup.create", Json{{"entity", "kiosk1:1"}, {"fields", year}}, "kiosk");
  auto r = c.push_one(c.kiosk, op);
  CHECK(r.status == sync::PushStatus::rejected);
  CHECK(r.code == "forbidden");
  CHECK(r.reason.find("attendance") != std::string::npos);
  // Even a check-in inside the shift's window: a kiosk does not record it.
  Json plausible = c.kiosk_signup(c.volunteer);
  plausible["check_in"] = "2026-12-01T16:00";
  CHECK(c.push_one(c.kiosk, Community::forged("kiosk1:2", "signup.create",
                                               Json{{"entity", "kiosk1:2"}, {"fields", plausible}}, "kiosk"))
            .code == "forbidden");
  // A coordinator's device gets the rule book's answer (core: creates as edits).
  year["channel"] = "coordinator";
  CHECK(c.push_one(c.coord, Community::forged("coord1:100", "signup.create",
                                               Json{{"entity", "coord1:100"}, {"fields", year}}, "staff:wang"))
            .code == "too_long");
  Json backwards = year;
  backwards["check_in"] = "2026-12-01T17:00";
  backwards["check_out"] = "2026-12-01T16:00";
  backwards["attendance"] = "no_show";
  CHECK(c.push_one(c.coord, Community::forged("coord1:101", "signup.create",
                                               Json{{"entity", "coord1:101"}, {"fields", backwards}}, "staff:wang"))
            .code == "check_out_before_check_in");
  c.svc->read_state([](const State& s) { CHECK(s.count("signup") == 0); });
}

TEST_CASE("a kiosk cannot cancel a sign-up once its person is checked in; a coordinator clears the check-in first",
          "[server][push][attendance]") {
  Community c;
  // Two sign-ups made at the kiosk.
  Operation mine = c.make(c.kiosk, CreateEntity{"signup", c.kiosk_signup(c.volunteer), ""});
  Operation theirs = c.make(c.kiosk, CreateEntity{"signup", c.kiosk_signup(c.volunteer2), ""});
  REQUIRE(c.push_one(c.kiosk, mine).status == sync::PushStatus::accepted);
  REQUIRE(c.push_one(c.kiosk, theirs).status == sync::PushStatus::accepted);
  const std::string signup = mine.payload["entity"].get<std::string>();
  const std::string other = theirs.payload["entity"].get<std::string>();
  // The kiosk made its cancel while it had not yet heard of the check-in
  // (offline): the coordinator's check-in reaches the server first.
  Operation cancel = c.make(c.kiosk, ArchiveEntity{"signup", signup, "cancelled at the kiosk"});
  REQUIRE(c.push_one(c.coord, c.make(c.coord, EditEntity{"signup", signup, Json{{"check_in", "2026-12-01T15:50"},
                                                                                  {"check_in_method", "list"}}}))
              .status == sync::PushStatus::accepted);
  auto r = c.push_one(c.kiosk, cancel);
  CHECK(r.status == sync::PushStatus::rejected);
  CHECK(r.code == "cancel_after_check_in");
  c.svc->read_state([&](const State& s) {
    const Entity* e = s.find("signup", signup);
    REQUIRE(e);
    CHECK(e->live());
    CHECK(e->text("check_in") == "2026-12-01T15:50");
  });
  // Before a check-in the kiosk cancels its own sign-up as before.
  CHECK(c.push_one(c.kiosk, c.make(c.kiosk, ArchiveEntity{"signup", other, "cancelled at the kiosk"})).status ==
        sync::PushStatus::accepted);
  // The coordinator's cancel of the checked-in sign-up is refused too ...
  CHECK(c.push_one(c.coord, Community::forged("coord1:200", "signup.archive",
                                               Json{{"entity", signup}, {"reason", "cancelled by the coordinator"}},
                                               "staff:wang"))
            .code == "cancel_after_check_in");
  // ... a mistaken check-in is cleared (an edit in the log), then cancelled.
  CHECK(c.push_one(c.coord, c.make(c.coord, EditEntity{"signup", signup, Json{{"check_in", nullptr},
                                                                              {"check_in_method", nullptr}}}))
            .status == sync::PushStatus::accepted);
  CHECK(c.push_one(c.coord, c.make(c.coord, ArchiveEntity{"signup", signup, "cancelled by the coordinator"})).status ==
        sync::PushStatus::accepted);
}

TEST_CASE("the author is what the person typed; the server keeps the authenticated device next to it",
          "[server][push][security]") {
  Community c;
  // A kiosk may call itself anything ...
  Device liar{"kiosk1", "kiosk", "staff:secretary"};
  Operation op = c.make(liar, CreateEntity{"signup", c.kiosk_signup(c.volunteer), ""});
  REQUIRE(c.push_one(liar, op).status == sync::PushStatus::accepted);
  // ... but the operation is its own device's (op id) and the store records
  // which authenticated device pushed it.
  auto row = c.svc->stored(op.id.to_string());
  REQUIRE(row.ok());
  REQUIRE(row.value().has_value());
  CHECK(row.value()->pushed_by == "kiosk1");
  CHECK(op.id.device == "kiosk1");
  // The server's own QR check-in author is reserved, for every role.
  Device fake_qr{"coord1", "coordinator", "qr:" + c.volunteer};
  fake_qr.source.next_seq = c.coord.source.next_seq;
  auto r = c.push_one(fake_qr, c.make(fake_qr, CreateEntity{"squad", Json{{"name", "假队"}}, ""}));
  CHECK(r.code == "author_reserved");
  Device admin_qr{"admin1", "administrator", "qr:x"};
  CHECK(c.push_one(admin_qr, c.make(admin_qr, CreateEntity{"squad", Json{{"name", "假队"}}, ""})).code ==
        "author_reserved");
}

TEST_CASE("an operation of a newer app version is stored and synced, ignored by this fold, pushed only by staff",
          "[server][push][unknown-type]") {
  Community c;
  std::string before;
  c.svc->read_state([&](const State& s) { before = s.hash_hex(); });
  const uint64_t head = c.svc->head();
  Json payload{{"entity", "coord1:50"}, {"fields", {{"title", "居民议事会"}}}};
  auto r = c.push_one(c.coord, Community::forged("coord1:50", "petition.create", payload, "staff:wang"));
  CHECK(r.status == sync::PushStatus::accepted);
  CHECK(r.seq == head + 1);
  // A new verb of a known kind is the same.
  CHECK(c.push_one(c.coord, Community::forged("coord1:51", "resident.merge",
                                              Json{{"entity", "coord1:4"}, {"into", "coord1:5"}}, "staff:wang"))
            .status == sync::PushStatus::accepted);
  std::string after;
  c.svc->read_state([&](const State& s) { after = s.hash_hex(); });
  CHECK(after == before);
  auto pulled = c.svc->pull(sync::PullQuery{head, 10}, kNow);
  REQUIRE(pulled.ok());
  auto page = sync::decode_pull_response(pulled.value());
  REQUIRE(page.ok());
  REQUIRE(page->ops.size() == 2);
  CHECK(page->ops[0].op.type == "petition.create");
  // The same id again: duplicate, as for any operation.
  CHECK(c.push_one(c.coord, Community::forged("coord1:50", "petition.create", payload, "staff:wang")).status ==
        sync::PushStatus::duplicate);
  // Not for roles with a fixed list, not from another device, not malformed, not huge.
  CHECK(c.push_one(c.kiosk, Community::forged("kiosk1:9", "petition.create", Json{{"entity", "kiosk1:9"}}, "kiosk"))
            .code == "forbidden");
  Device grid{"grid1", "grid_worker", "staff:li"};
  CHECK(c.push_one(grid, Community::forged("grid1:1", "petition.create", Json{{"entity", "grid1:1"}}, "staff:li"))
            .code == "forbidden");
  CHECK(c.push_one(c.coord, Community::forged("admin1:1", "petition.create", Json{{"entity", "admin1:1"}}, "x")).code ==
        "forbidden");
  CHECK(c.push_one(c.coord, Community::forged("coord1:52", "Meeting.Create!", Json{{"entity", "coord1:52"}}, "x"))
            .code == "unknown_type");
  Json big{{"entity", "coord1:53"}, {"blob", std::string(sync::kMaxOpBytes, 'x')}};
  CHECK(c.push_one(c.coord, Community::forged("coord1:53", "petition.create", big, "x")).code == "op_too_large");
}

TEST_CASE("the server's clock bounds every stamp; a device clock ahead is only told", "[server][push][clock]") {
  Community c;
  auto squad = [&](int64_t wall) {
    Device d{"coord1", "coordinator", "staff:wang"};
    d.source.next_seq = c.coord.source.next_seq++;
    return c.make(d, CreateEntity{"squad", Json{{"name", "队" + std::to_string(wall)}}, ""}, wall);
  };
  // 30 days ahead used to be accepted with a warning (and won every edit for a month).
  auto far = c.push(c.coord, {squad(kNow + 30 * kDay)});
  REQUIRE_FALSE(far.ok());
  CHECK(far.error().code == "clock_far_ahead");
  auto ten = c.push(c.coord, {squad(kNow + 10 * kMinute)});
  REQUIRE_FALSE(ten.ok());
  CHECK(ten.error().code == "clock_far_ahead");
  auto slightly = c.push(c.coord, {squad(kNow + 4 * kMinute)});
  REQUIRE(slightly.ok());
  CHECK(slightly->results[0].status == sync::PushStatus::accepted);
  // Correctly stamped changes from a device whose own clock runs a day ahead:
  // kept, and the person is told.
  auto told = c.push(c.coord, {squad(kNow)}, kNow + kDay);
  REQUIRE(told.ok());
  CHECK(told->results[0].status == sync::PushStatus::accepted);
  CHECK(told->clock_warning.find("about 1 day ahead") != std::string::npos);
  // The 422 body carries the server's clock.
  const std::string body = sync::encode_clock_error(far.error(), kNow);
  CHECK(sync::decode_error_server_ms(body) == std::optional<int64_t>(kNow));
}
