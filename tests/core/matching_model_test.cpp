// The record-based cost model of matching (core/matching.h): the conflict-of-
// interest filter with its counts, the shortlist's ranking and reasons, the
// week's batch and its proposal (capacities, trainees with mentors), the
// "records" problem form, and the whole path on the demo community's State.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/civil_time.h"
#include "core/demo.h"
#include "core/matching.h"
#include "core/state.h"

using namespace dh;
using namespace dh::matching;

namespace {

// Grids g1..g5 in a row; residents r1 (household h1), r2 (h1), r3 (h2).
const char* kRecords = R"({
  "form": "records",
  "grids": ["g1", "g2", "g3", "g4", "g5"],
  "households": [{"id": "h1"}, {"id": "h2"}],
  "residents": [{"id": "r1", "household": "h1"}, {"id": "r2", "household": "h1"}, {"id": "r3", "household": "h2"}],
  "experts": [
    {"id": "e_party", "grid": "g1", "resident": "r1", "field_levels": {"dispute_mediation": 3}, "capacity": 3,
     "availability": ["mon 09:00-12:00"]},
    {"id": "e_house", "grid": "g1", "resident": "r2", "field_levels": {"dispute_mediation": 3}, "capacity": 3,
     "availability": ["mon 09:00-12:00"]},
    {"id": "e_near", "grid": "g1", "field_levels": {"dispute_mediation": 2}, "capacity": 2, "open_cases": 1,
     "availability": ["tue 14:00-17:00"]},
    {"id": "e_far", "grid": "g5", "field_levels": {"dispute_mediation": 3, "legal_publicity": 1}, "capacity": 3,
     "availability": ["wed 09:00-12:00"], "earlier_parties": ["r3"]},
    {"id": "e_full", "grid": "g1", "field_levels": {"dispute_mediation": 3}, "capacity": 1, "open_cases": 1},
    {"id": "e_away", "grid": "g1", "field_levels": {"dispute_mediation": 3}, "capacity": 3, "available": false},
    {"id": "e_legal", "grid": "g2", "field_levels": {"legal_publicity": 3}, "capacity": 1}
  ],
  "requests": [
    {"id": "q1", "category": "dispute_mediation", "grid": "g1", "urgency": 3, "parties": ["r1"], "state": "triaged"},
    {"id": "q2", "category": "dispute_mediation", "grid": "g2", "urgency": 1, "parties": ["r3"]},
    {"id": "q3", "category": "legal_publicity", "grid": "g2", "urgency": 1, "parties": [], "state": "recorded"},
    {"id": "q4", "category": "legal_publicity", "grid": "g2", "urgency": 1, "parties": []},
    {"id": "q5", "category": "dispute_mediation", "grid": "g1", "urgency": 1, "parties": ["r2"], "state": "in_hand"}
  ],
  "trainees": [{"id": "t1", "mentor": "e_far", "cases": 2}, {"id": "t2", "mentor": "e_far", "cases": 0}]
})";

RecordsProblem records() {
  auto p = records_problem_from_json(Json::parse(kRecords));
  REQUIRE(p.ok());
  return p.value();
}

bool has_reason(const std::vector<Reason>& rs, const std::string& code, const std::vector<std::string>& params) {
  return std::any_of(rs.begin(), rs.end(), [&](const Reason& r) { return r.code == code && r.params == params; });
}

}  // namespace

TEST_CASE("matching model: conflicts of interest are filtered and counted", "[matching]") {
  const RecordsProblem p = records();
  auto dist = [&p](const std::string& a, const std::string& b) { return p.distance(a, b); };
  auto s = shortlist(p.view, "q1", dist);
  REQUIRE(s.ok());
  // r1 is the party: e_party is a party, e_house lives in r1's household.
  CHECK(s->filtered_party == 1);
  CHECK(s->filtered_household == 1);
  CHECK(s->filtered_unavailable == 1);
  CHECK(s->filtered_full == 1);
  CHECK(has_reason(s->filtered, "match.reason.filtered_party", {"1"}));
  CHECK(has_reason(s->filtered, "match.reason.filtered_household", {"1"}));
  std::vector<std::string> ids;
  for (const auto& c : s->ranked) ids.push_back(c.expert_id);
  // Never a conflicted expert; e_legal is of another field (not counted).
  // e_near: level 2 (40) + same grid (0) + urgent below top (25) + next case 12*1 = 77.
  // e_far: level 3 (0) + 4 grids away (60) + next case 12*0 = 60: ranked first.
  CHECK(ids == std::vector<std::string>{"e_far", "e_near"});
  const auto& far = s->ranked[0];
  const auto& near = s->ranked[1];
  CHECK(near.cost == 40 + 0 + 25 + 12);
  CHECK(far.cost == 0 + 4 * 15 + 0);
}

TEST_CASE("matching model: shortlist ranks by cost and says why", "[matching]") {
  const RecordsProblem p = records();
  auto dist = [&p](const std::string& a, const std::string& b) { return p.distance(a, b); };
  auto s = shortlist(p.view, "q1", dist);
  REQUIRE(s.ok());
  REQUIRE(s->ranked.size() == 2);
  // Ranked best first.
  CHECK(s->ranked[0].expert_id == "e_far");
  CHECK(s->ranked[0].cost <= s->ranked[1].cost);
  const Candidate& far = s->ranked[0];
  CHECK(has_reason(far.reasons, "match.reason.field_level", {"dispute_mediation", "3"}));
  CHECK(has_reason(far.reasons, "match.reason.grid_distance", {"4"}));
  CHECK(has_reason(far.reasons, "match.reason.load", {"0", "3"}));
  CHECK(has_reason(far.reasons, "match.reason.available_this_week", {"1"}));
  const Candidate& near = s->ranked[1];
  CHECK(has_reason(near.reasons, "match.reason.same_grid", {}));
  CHECK(has_reason(near.reasons, "match.reason.urgent_below_top", {"2"}));
  CHECK(has_reason(near.reasons, "match.reason.load", {"1", "2"}));

  // q2's party r3 was an earlier party of e_far: a bonus and its reason.
  auto s2 = shortlist(p.view, "q2", dist);
  REQUIRE(s2.ok());
  auto it = std::find_if(s2->ranked.begin(), s2->ranked.end(), [](const Candidate& c) { return c.expert_id == "e_far"; });
  REQUIRE(it != s2->ranked.end());
  CHECK(has_reason(it->reasons, "match.reason.earlier_cases", {"1"}));
  CHECK(it->cost == 3 * 15 - 20);
  CHECK(s2->filtered_party == 0);
  CHECK(s2->filtered_household == 0);

  CHECK_FALSE(shortlist(p.view, "nope", dist).ok());
}

TEST_CASE("matching model: the week's batch and its proposal", "[matching]") {
  const RecordsProblem p = records();
  auto dist = [&p](const std::string& a, const std::string& b) { return p.distance(a, b); };
  RecordBatch rb = batch_from_view(p.view, dist);
  // q5 is in hand already: not in the batch.
  CHECK(rb.batch.request_ids == std::vector<std::string>{"q1", "q2", "q3", "q4"});
  // Full and unavailable experts are not in it either.
  CHECK(std::find(rb.batch.expert_ids.begin(), rb.batch.expert_ids.end(), "e_full") == rb.batch.expert_ids.end());
  CHECK(std::find(rb.batch.expert_ids.begin(), rb.batch.expert_ids.end(), "e_away") == rb.batch.expert_ids.end());
  auto prop = propose_from_batch(rb, p.trainees);
  REQUIRE(prop.ok());
  // q3 and q4 are legal: e_legal has room for one, e_far (level 1) for the other.
  CHECK(prop->assigned == 4);
  std::map<std::string, const ProposedAssignment*> by;
  for (const auto& a : prop->assignments) by[a.request_id] = &a;
  REQUIRE(by.count("q1"));
  CHECK(by["q1"]->expert_id != "e_party");
  CHECK(by["q1"]->expert_id != "e_house");
  // The same optimum as the solver on the batch's numbers, and it equals brute force in matching_test.
  auto direct = solve_batch(rb.batch.problem);
  REQUIRE(direct.ok());
  CHECK(direct->total_cost == prop->total_cost);
  // Capacities: nobody over their room.
  std::map<std::string, int> load;
  for (const auto& a : prop->assignments) ++load[a.expert_id];
  CHECK(load["e_near"] <= 1);
  CHECK(load["e_legal"] <= 1);
  // Trainees: t2 (fewer cases) goes first with their mentor e_far, then t1.
  int with_trainee = 0;
  for (const auto& a : prop->assignments) {
    if (a.trainee_id.empty()) continue;
    ++with_trainee;
    CHECK(a.expert_id == "e_far");
  }
  CHECK(with_trainee == std::min(load["e_far"], 2));
  for (const auto& a : prop->assignments) {
    if (a.expert_id != "e_far") continue;
    CHECK(a.trainee_id == "t2");  // the first of e_far's cases in request order
    CHECK(has_reason(a.reasons, "match.reason.trainee_with_mentor", {}));
    break;
  }
  // As operations: one assign step per proposed assignment.
  auto cmds = proposal_commands(prop.value(), "2026-12-02 09:00");
  REQUIRE(cmds.size() == prop->assignments.size());
  const auto& c0 = std::get<CreateEntity>(cmds[0]);
  CHECK(c0.kind == "request_step");
  CHECK(c0.fields["step"] == "assign");
  CHECK(c0.fields["request"] == prop->assignments[0].request_id);
  CHECK(c0.fields["expert"] == prop->assignments[0].expert_id);
}

TEST_CASE("matching model: the records form refuses bad entries by name", "[matching]") {
  struct Case {
    std::string from, to, message;
  };
  const std::vector<Case> cases = {
      {"\"parties\": [\"r1\"]", "\"parties\": [\"r9\"]", "requests[0].parties[0]: no resident \"r9\""},
      {"{\"dispute_mediation\": 2}", "{\"dispute_mediation\": 4}", "experts[2].field_levels.dispute_mediation: the level must be 1, 2 or 3"},
      {"\"grid\": \"g5\"", "\"grid\": \"g7\"", "experts[3].grid: no grid \"g7\" in \"grids\""},
      {"\"mentor\": \"e_far\", \"cases\": 0", "\"mentor\": \"e_none\", \"cases\": 0", "trainees[1].mentor: no expert \"e_none\""},
      {"\"urgency\": 3", "\"urgency\": 5", "requests[0].urgency: must be a whole number from 1 to 3"},
      {"\"category\": \"legal_publicity\", \"grid\": \"g2\", \"urgency\": 1, \"parties\": [], \"state\"",
       "\"category\": \"astrology\", \"grid\": \"g2\", \"urgency\": 1, \"parties\": [], \"state\"",
       "requests[2].category: \"astrology\" is not a known field"},
  };
  for (const auto& c : cases) {
    std::string text = kRecords;
    const size_t at = text.find(c.from);
    REQUIRE(at != std::string::npos);
    text.replace(at, c.from.size(), c.to);
    auto p = records_problem_from_json(Json::parse(text));
    INFO(c.message);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().message.find(c.message) == 0);
  }
}

TEST_CASE("matching model: the demo community's open requests, from the State", "[matching]") {
  DemoOptions small;
  small.households = 300;
  small.requests = 60;
  State state;
  for (const auto& op : generate_demo(small)) state.apply(op);
  const long long now = *parse_datetime("2026-12-01T09:00");
  const auto view = talent::talent_view(state, now);
  auto prop = propose_batch(state, now);
  REQUIRE(prop.ok());
  int open_unassigned = 0;
  for (const auto& r : view.requests) open_unassigned += (r.state == "recorded" || r.state == "triaged") ? 1 : 0;
  CHECK(prop->assigned + static_cast<int>(prop->unassigned.size()) == open_unassigned);
  std::map<std::string, int> load;
  for (const auto& a : prop->assignments) {
    const auto* r = view.request(a.request_id);
    const auto* e = view.expert(a.expert_id);
    REQUIRE(r);
    REQUIRE(e);
    // Never a conflict of interest, always the request's field.
    CHECK(std::find(r->party_resident_ids.begin(), r->party_resident_ids.end(), e->resident_id) ==
          r->party_resident_ids.end());
    CHECK((e->household_id.empty() || std::find(r->party_household_ids.begin(), r->party_household_ids.end(),
                                                e->household_id) == r->party_household_ids.end()));
    CHECK(e->level_in(r->category) > 0);
    ++load[e->id];
  }
  for (const auto& [id, n] : load) {
    const auto* e = view.expert(id);
    CHECK(e->open_cases + n <= (e->capacity > 0 ? e->capacity : CostModel{}.default_capacity));
  }
  // Each shortlist through the State's grid distance agrees with the batch's admissible set.
  for (const auto& r : view.requests) {
    auto s = shortlist(state, view, r.id);
    REQUIRE(s.ok());
  }
}
