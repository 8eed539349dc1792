// Residents' requests and the restricted roles (issue 10, docs/talent.md "Who
// sees requests", docs/security.md): a kiosk submits requests taken at the
// kiosk and reads none; projectors read none; staff read all.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/demo.h"
#include "core/schema.h"
#include "server/roles.h"
#include "pull_log.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

Operation kiosk_request(const std::string& id, Json fields) {
  Operation op;
  op.id = *OpId::parse(id);
  op.hlc = Hlc{1780000000000, 0};
  op.author = "kiosk";
  op.type = "request.create";
  op.payload = Json{{"entity", id}, {"fields", fields}};
  return op;
}

Json kiosk_fields() {
  return Json{{"category", "elderly_care"},
              {"urgency", 2},
              {"description", "家里老人需要助餐服务"},
              {"intake_channel", "kiosk"},
              {"recorded_at", "2026-12-02T10:00"},
              {"contact_name", "杨燊"},
              {"contact_phone", "13912345678"}};
}

}  // namespace

TEST_CASE("talent roles: a kiosk may record a request at the kiosk, nothing else about requests",
          "[server][talent]") {
  State state;
  Principal kiosk{"kiosk-1", "kiosk"};
  CHECK(role_may_push(kiosk, kiosk_request("kiosk-1:1", kiosk_fields()), state).ok());

  Json other = kiosk_fields();
  other["intake_channel"] = "hall";
  auto st = role_may_push(kiosk, kiosk_request("kiosk-1:2", other), state);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == "forbidden");
  Json with_parties = kiosk_fields();
  with_parties["parties"] = Json::array({"res-00001"});
  st = role_may_push(kiosk, kiosk_request("kiosk-1:3", with_parties), state);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("parties") != std::string::npos);

  Operation step = kiosk_request("kiosk-1:4", Json{{"request", "rq-0001"}, {"step", "close"}, {"at", "2026-12-02T10:00"}});
  step.type = "request_step.create";
  CHECK_FALSE(role_may_push(kiosk, step, state).ok());
  Operation edit = kiosk_request("kiosk-1:5", Json{{"description", "x"}});
  edit.type = "request.edit";
  CHECK_FALSE(role_may_push(kiosk, edit, state).ok());
  CHECK_FALSE(role_may_push(Principal{"proj-1", "projector"}, kiosk_request("proj-1:1", kiosk_fields()), state).ok());
  // Staff may.
  CHECK(role_may_push(Principal{"kiosk-1", "coordinator"}, step, state).ok());

  // Pulls: withheld whole from kiosk and projector, as stored for staff.
  for (const char* type : {"request.create", "request.edit", "request_step.create", "trainee_case.create"}) {
    Operation op = kiosk_request("hall-1:9", kiosk_fields());
    op.type = type;
    INFO(type);
    CHECK(withheld_from_role(op, "kiosk"));
    CHECK(withheld_from_role(op, "projector"));
    CHECK_FALSE(withheld_from_role(op, "coordinator"));
    CHECK_FALSE(withheld_from_role(op, "grid_worker"));
    CHECK_FALSE(fields_for_role(op, "kiosk").payload.contains("fields"));
  }
  Operation resident = kiosk_request("hall-1:9", Json{{"name", "张三明"}});
  resident.type = "resident.create";
  CHECK_FALSE(withheld_from_role(resident, "kiosk"));
}

TEST_CASE("talent roles: the real server takes a kiosk's request and never shows a kiosk any request",
          "[native][server][talent]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo", "--auth", "devices"});
  REQUIRE(server.start(std::chrono::seconds(120)));
  const std::string kiosk_token = server.enrol_as("kiosk", "kiosk-1");
  const std::string projector_token = server.enrol_as("projector", "proj-1");
  REQUIRE_FALSE(kiosk_token.empty());
  REQUIRE_FALSE(projector_token.empty());
  auto kiosk = server.client_with(kiosk_token);

  // The kiosk pushes a request; one with parties and a step are refused per operation.
  Operation ok = kiosk_request("kiosk-1:1", kiosk_fields());
  Json with_parties = kiosk_fields();
  with_parties["parties"] = Json::array({"res-00001"});
  Operation bad = kiosk_request("kiosk-1:2", with_parties);
  Operation step = kiosk_request("kiosk-1:3", Json{{"request", "rq-0001"}, {"step", "close"}, {"at", "2026-12-02T10:00"}});
  step.type = "request_step.create";
  auto res = kiosk->Post("/api/v1/ops", encode_push_request("kiosk-1", {ok, bad, step}), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto r = decode_push_response(res->body);
  REQUIRE(r.ok());
  REQUIRE(r->results.size() == 3);
  CHECK(r->results[0].status == PushStatus::accepted);
  CHECK(r->results[1].status == PushStatus::rejected);
  CHECK(r->results[1].code == "forbidden");
  CHECK(r->results[2].status == PushStatus::rejected);
  CHECK(r->results[2].code == "forbidden");

  auto pull_all = [&](const std::string& token) { return dh::test::pull_whole_log(server, token).ops; };
  auto requests_in = [](const std::vector<Operation>& ops) {
    size_t n = 0;
    for (const auto& op : ops) {
      std::string kind;
      split_type(op.type, &kind, nullptr);
      n += kind == "request" || kind == "request_step" || kind == "trainee_case";
    }
    return n;
  };
  const auto staff = pull_all(server.admin_token());
  const auto at_kiosk = pull_all(kiosk_token);
  const auto at_projector = pull_all(projector_token);
  const size_t staff_requests = requests_in(staff);
  CHECK(staff_requests > 500);  // the demo's requests, steps, case records and the kiosk's request
  bool kiosk_request_on_staff = false;
  for (const auto& op : staff) kiosk_request_on_staff |= op.id.to_string() == "kiosk-1:1";
  CHECK(kiosk_request_on_staff);
  CHECK(requests_in(at_kiosk) == 0);  // not even its own
  CHECK(requests_in(at_projector) == 0);
  CHECK(at_kiosk.size() + staff_requests == staff.size());  // everything else still arrives
  CHECK(at_projector.size() == at_kiosk.size());
  CHECK(server.stop() == 0);
}
