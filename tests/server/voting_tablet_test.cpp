// The voting tablet role (issue 11, docs/security.md "What each role can read
// and write", docs/deliberation.md "Voting tablets"): against the real server
// with the demo data, a tablet enrolled with a voting_tablet code casts a
// ballot on an open poll; every other kind of change, and a ballot made on
// another device, is refused `forbidden` with plain words; its pull carries
// no resident, household, volunteer, request, ballot or ballot card, and no
// member's resident link. The administrator's device list shows the tablet
// with its role, last contact and how far behind it is; a revoke stops it.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/schema.h"
#include "core/state.h"
#include "server/roles.h"
#include "pull_log.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;
using dh::test::ServerProcess;
using dh::test::TempDir;
namespace dl = dh::deliberation;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// cmd as device `source` makes it against state (validated like the app does).
Operation made(const State& state, const Command& cmd, OpSource& source) {
  auto op = make_operation(state, cmd, source, now_ms());
  INFO((op ? std::string() : op.error().code + ": " + op.error().message));
  REQUIRE(op.ok());
  return op.value();
}

std::string kind_of(const Operation& op) {
  std::string kind;
  split_type(op.type, &kind, nullptr);
  return kind;
}

}  // namespace

TEST_CASE("voting tablet: ballots only, as itself", "[native][server][deliberation][roles]") {
  State state;
  const Principal tablet{"tab-1", "voting_tablet"};
  auto op = [](const std::string& id, const std::string& type, Json payload) {
    Operation o;
    o.id = *OpId::parse(id);
    o.hlc = Hlc{1780000000000, 0};
    o.author = "平板1";
    o.type = type;
    o.payload = std::move(payload);
    return o;
  };
  const Json ballot{{"entity", "tab-1:1"}, {"fields", Json{{"poll", "p"}, {"voter_digest", "x"}}}};
  CHECK(role_may_push(tablet, op("tab-1:1", "ballot.create", ballot), state).ok());
  // Made on another device: refused before anything else.
  auto other = role_may_push(tablet, op("tab-2:1", "ballot.create", ballot), state);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == "forbidden");
  CHECK(other.error().message.find("tab-2") != std::string::npos);
  for (const char* type : {"poll.edit", "poll.create", "attendance.create", "proxy.create", "ballot_card.create",
                           "ballot.edit", "ballot.archive", "signup.create", "resident.create", "request.create"}) {
    INFO(type);
    auto st = role_may_push(tablet, op("tab-1:2", type, Json{{"entity", "tab-1:2"}, {"fields", Json::object()}}),
                            state);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "forbidden");
    CHECK(st.error().message.find("voting tablet may only cast ballots") != std::string::npos);
  }
  // A new ballot's id must be the tablet's own.
  auto minted = role_may_push(
      tablet, op("tab-1:3", "ballot.create", Json{{"entity", "tab-2:9"}, {"fields", ballot["fields"]}}), state);
  REQUIRE_FALSE(minted.ok());
  CHECK(minted.error().code == "entity_id_not_yours");
}

TEST_CASE("voting tablet: the real server takes its ballot, refuses the rest and pulls it only what a voter needs",
          "[native][server][deliberation][roles]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo", "--auth", "devices"});
  REQUIRE(server.start(std::chrono::seconds(120)));
  const std::string code = server.new_code("voting_tablet");
  REQUIRE_FALSE(code.empty());
  std::string role;
  const std::string tablet_token = server.enrol(code, "tab-1", &role);
  REQUIRE_FALSE(tablet_token.empty());
  CHECK(role == "voting_tablet");
  auto admin = server.client_with(server.admin_token());
  auto tablet = server.client_with(tablet_token);

  // The administrator opens a new named poll on the demo's meeting in session
  // (the third-quarter one: ten members at the door).
  const auto staff_log = dh::test::pull_whole_log(server, server.admin_token());
  State full;
  for (const auto& o : staff_log.ops) full.apply(o);
  std::string meeting_id, voter;
  for (const auto& m : dl::meetings_view(full, ""))
    if (m.present > 0) meeting_id = m.id;
  REQUIRE_FALSE(meeting_id.empty());
  for (const Entity* a : full.referring("attendance", "meeting", meeting_id))
    if (a->live() && voter.empty()) voter = a->text("member");
  REQUIRE_FALSE(voter.empty());
  OpSource admin_src{"test-admin", "秘书", 1, {}};
  const Operation poll = made(full, CreateEntity{"poll", Json{{"meeting", meeting_id},
                                                              {"title", "平板表决测试"},
                                                              {"voting_method", "yes_no_abstain"},
                                                              {"threshold", "simple_majority"},
                                                              {"threshold_base", "votes_cast"},
                                                              {"secret", false},
                                                              {"vote_unit", "person"},
                                                              {"voting_mode", "electronic"},
                                                              {"poll_state", "draft"}},
                                                   ""},
                              admin_src);
  full.apply(poll);
  const std::string poll_id = poll.payload["entity"].get<std::string>();
  const Operation open = made(full, dl::open_poll(poll_id), admin_src);
  full.apply(open);
  auto res = admin->Post("/api/v1/ops", encode_push_request("test-admin", {poll, open}), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);

  // The tablet casts (and changes) a ballot; an edit of the poll, a sign-up
  // and a ballot made on another device are refused one by one.
  OpSource tab_src{"tab-1", "平板1", 1, {}};
  auto cast = dl::cast_named_ballot(full, poll_id, voter, "", {"2"});
  REQUIRE(cast.ok());
  const Operation ballot = made(full, cast.value(), tab_src);
  full.apply(ballot);
  auto again = dl::cast_named_ballot(full, poll_id, voter, "", {"1"});
  REQUIRE(again.ok());
  const Operation changed = made(full, again.value(), tab_src);
  full.apply(changed);
  const Operation close = made(full, dl::close_poll(full, poll_id).value(), tab_src);
  OpSource other_src{"tab-2", "平板2", 1, {}};
  const Operation foreign = made(full, again.value(), other_src);
  res = tablet->Post("/api/v1/ops", encode_push_request("tab-1", {ballot, changed, close, foreign}),
                     "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto answer = decode_push_response(res->body);
  REQUIRE(answer.ok());
  REQUIRE(answer->results.size() == 4);
  CHECK(answer->results[0].status == PushStatus::accepted);
  CHECK(answer->results[1].status == PushStatus::accepted);
  CHECK(answer->results[2].status == PushStatus::rejected);
  CHECK(answer->results[2].code == "forbidden");
  CHECK(answer->results[2].reason.find("may only cast ballots") != std::string::npos);
  CHECK(answer->results[3].status == PushStatus::rejected);
  CHECK(answer->results[3].code == "forbidden");
  CHECK(answer->results[3].reason.find("tab-2") != std::string::npos);
  // Pushing in another device's name is refused as a whole.
  res = tablet->Post("/api/v1/ops", encode_push_request("tab-2", {foreign}), "application/json");
  REQUIRE(res);
  CHECK(res->status == 403);
  CHECK(res->body.find("\"forbidden\"") != std::string::npos);
  // Device management is the administrator's.
  res = tablet->Post("/api/v1/admin/codes", R"({"role":"voting_tablet"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 403);
  res = tablet->Get("/api/v1/admin/devices");
  REQUIRE(res);
  CHECK(res->status == 403);

  // The chair's device counts the tablet's later ballot, once.
  const auto staff_after = dh::test::pull_whole_log(server, server.admin_token());
  State chair;
  for (const auto& o : staff_after.ops) chair.apply(o);
  const auto audit = dl::poll_audit(chair, poll_id);
  REQUIRE(audit.counted.size() == 1);
  CHECK(audit.result.votes.at(0) == 1);  // yes: the changed vote

  // What the tablet pulls.
  const auto at_tablet = dh::test::pull_whole_log(server, tablet_token);
  std::set<std::string> kinds;
  for (const auto& o : at_tablet.ops) kinds.insert(kind_of(o));
  CHECK(kinds == std::set<std::string>{"council", "council_member", "meeting", "motion", "attendance", "proxy", "poll"});
  for (const auto& o : at_tablet.ops) {
    const Json& f = o.payload.contains("fields") ? o.payload["fields"] : Json::object();
    CHECK_FALSE(f.contains("resident"));         // a member's link to the register
    CHECK_FALSE(f.contains("member_category"));  // nor anything else about them
    CHECK_FALSE(f.contains("note"));
    CHECK_FALSE(f.contains("minutes_note"));
    CHECK_FALSE(f.contains("published_result"));
  }
  // Not even its own ballots come back, nor the demo's secret card codes.
  CHECK(at_tablet.text.find("card3q2026x") == std::string::npos);
  CHECK(at_tablet.text.find("\"marks\"") == std::string::npos);
  CHECK(at_tablet.text.find("\"voter_digest\"") == std::string::npos);
  // Yet its own fold shows the open poll, its motion-less title and the voters.
  State tablet_state;
  for (const auto& o : at_tablet.ops) tablet_state.apply(o);
  const auto pv = dl::poll_view(tablet_state, poll_id);
  CHECK(pv.title == "平板表决测试");
  CHECK(pv.state == "open");
  const Entity* member = tablet_state.find("council_member", voter);
  REQUIRE(member);
  CHECK(member->text("name") == full.find("council_member", voter)->text("name"));
  CHECK(dl::cast_named_ballot(tablet_state, poll_id, voter, "", {"3"}).ok());

  // The administrator's list: role, last contact, how far behind.
  res = admin->Get("/api/v1/admin/devices");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  Json list = Json::parse(res->body);
  bool listed = false;
  for (const auto& d : list["devices"]) {
    if (d["device"] != "tab-1") continue;
    listed = true;
    CHECK(d["role"] == "voting_tablet");
    CHECK(d["revoked"] == false);
    REQUIRE(d.contains("last_contact_ms"));
    CHECK(d["last_contact_ms"].get<int64_t>() > now_ms() - 600000);
    REQUIRE(d.contains("behind"));
    CHECK(d["behind"] == 0);  // it pulled everything just now
  }
  CHECK(listed);

  // Revoked: its next pull is 401, and the list says so.
  res = admin->Post("/api/v1/admin/devices/tab-1/revoke", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  res = tablet->Get("/api/v1/ops?after=0");
  REQUIRE(res);
  CHECK(res->status == 401);
  CHECK(res->body.find("removed this device") != std::string::npos);
  res = admin->Get("/api/v1/admin/devices");
  REQUIRE(res);
  CHECK(res->body.find("\"revoked\":true") != std::string::npos);
  CHECK(server.stop() == 0);
}
