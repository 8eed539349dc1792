// What a projector (and a kiosk) pulls of councils, meetings and ballots
// (issue 11, docs/deliberation.md "What the projector may see"): the real
// server with the demo's published third-quarter meeting. No ballot's voter,
// card code or marks, no card digest; and the projector's own fold gives the
// same meeting, poll counts and published results as a staff device's.
#include <catch2/catch.hpp>

#include <algorithm>

#include <chrono>

#include "core/deliberation.h"
#include "core/state.h"
#include "server/roles.h"
#include "pull_log.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using dh::test::ServerProcess;
using dh::test::TempDir;
namespace dl = dh::deliberation;

TEST_CASE("deliberation: the projector pulls no voter, card or marks, and counts the same",
          "[native][server][deliberation]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo", "--auth", "devices"});
  REQUIRE(server.start(std::chrono::seconds(120)));
  const std::string projector_token = server.enrol_as("projector", "proj-1");
  const std::string kiosk_token = server.enrol_as("kiosk", "kiosk-1");
  REQUIRE_FALSE(projector_token.empty());

  auto pull_all = [&](const std::string& token, std::vector<Operation>* ops) {
    dh::test::PulledLog log = dh::test::pull_whole_log(server, token);
    *ops = std::move(log.ops);
    return log.text;
  };
  std::vector<Operation> admin_ops, projector_ops, kiosk_ops;
  pull_all(server.admin_token(), &admin_ops);
  const std::string projector_text = pull_all(projector_token, &projector_ops);
  const std::string kiosk_text = pull_all(kiosk_token, &kiosk_ops);
  // Residents' requests are withheld whole from both restricted roles
  // (talent_roles_test.cpp); compare the rest operation by operation.
  admin_ops.erase(std::remove_if(admin_ops.begin(), admin_ops.end(),
                                 [](const Operation& op) { return withheld_from_role(op, "projector"); }),
                  admin_ops.end());
  REQUIRE(projector_ops.size() == admin_ops.size());
  REQUIRE(kiosk_ops.size() == admin_ops.size());

  size_t ballots = 0, secret_tokens_at_admin = 0;
  for (size_t i = 0; i < admin_ops.size(); ++i) {
    const Operation& a = admin_ops[i];
    if (a.type == "ballot.create") {
      ++ballots;
      if (a.payload["fields"].contains("token")) ++secret_tokens_at_admin;
      for (const auto* ops : {&projector_ops, &kiosk_ops}) {
        const Json& f = (*ops)[i].payload["fields"];
        CHECK_FALSE(f.contains("token"));
        CHECK_FALSE(f.contains("voter"));
        CHECK_FALSE(f.contains("cast_for"));
        CHECK_FALSE(f.contains("marks"));
      }
      CHECK(projector_ops[i].payload["fields"].contains("voter_digest"));
    }
    if (a.type == "ballot_card.create") {
      CHECK(projector_ops[i].payload["fields"] == Json::object());
      CHECK(kiosk_ops[i].payload["fields"] == Json::object());
    }
  }
  CHECK(ballots > 30);
  CHECK(secret_tokens_at_admin >= 11);
  // The demo's card codes end "card3q2026x": none reaches a projector or a kiosk.
  CHECK(projector_text.find("card3q2026x") == std::string::npos);
  CHECK(kiosk_text.find("card3q2026x") == std::string::npos);

  State full, projector;
  for (const auto& op : admin_ops) full.apply(op);
  for (const auto& op : projector_ops) projector.apply(op);
  const auto meetings = dl::meetings_view(full, "");
  REQUIRE(meetings.size() == 2);
  for (const auto& m : meetings) {
    const auto pm = dl::meeting_view(projector, m.id);
    CHECK(pm.title == m.title);
    CHECK(pm.entitled == m.entitled);
    CHECK(pm.present == m.present);
    CHECK(pm.agenda.size() == m.agenda.size());
    for (const auto& p : dl::polls_view(full, m.id)) {
      INFO(p.title);
      const auto pp = dl::poll_view(projector, p.id);
      CHECK(pp.state == p.state);
      CHECK(pp.ballots_received == p.ballots_received);
      CHECK(pp.entitled == p.entitled);
      CHECK(pp.present == p.present);
      REQUIRE(pp.published_result.has_value() == p.published_result.has_value());
      if (p.published_result) {
        CHECK(dl::result_to_json(*pp.published_result) == dl::result_to_json(*p.published_result));
        CHECK(dl::poll_audit(full, p.id).published_matches);
      }
    }
    for (const auto& mo : dl::motions_view(full, m.id)) {
      const auto pmo = dl::motion_view(projector, mo.id);
      CHECK(pmo.title == mo.title);
      CHECK(pmo.proposer_name == mo.proposer_name);
      CHECK(pmo.seconder_names == mo.seconder_names);
    }
  }
  // The projector cannot recount (it has no marks): its audit counts nothing.
  for (const auto& p : dl::polls_view(full, meetings[0].id)) CHECK(dl::poll_audit(projector, p.id).counted.empty());
}
