// The real `dianhong match` binary (docs/matching.md): the "costs" form solved
// to its known optimum, the result file's shape, and bad files refused with
// exit status 1 and the entry at fault named.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "core/operation.h"


namespace {

using namespace dh::cli_test;
struct MatchDir : TempDir {
  MatchDir() : TempDir("dh-match-cli") {}
};


// Three requests, three experts. q3 can only go to e1; e1's second case
// costs 50 more; e3 has no capacity left. Optimum (hand-checked over all 12
// feasible assignments): q1->e2 (4+1), q2->e1 (3+0), q3->e1 (6+50) = 64, all
// three assigned; q4 has no admissible expert.
const char* kProblem = R"({
  "form": "costs",
  "requests": ["q1", "q2", "q3", "q4"],
  "experts": [
    {"id": "e1", "capacity": 2, "extra_costs": [0, 50]},
    {"id": "e2", "capacity": 1, "extra_cost_rule": {"base": 1, "step": 10}},
    {"id": "e3", "capacity": 0, "extra_costs": []}
  ],
  "pairs": [
    ["q1", "e1", 2], ["q1", "e2", 4], ["q1", "e3", 0],
    {"request": "q2", "expert": "e1", "cost": 3}, ["q2", "e2", 9],
    ["q3", "e1", 6]
  ]
})";

}  // namespace

TEST_CASE("dianhong match: the costs form to its optimum, in a file and on stdout", "[cli][native]") {
  MatchDir dir;
  REQUIRE(!dir.path().empty());
  write_all(dir.path() + "/p.json", kProblem);
  CliRun r = run_cli(dir.path(), "match '" + dir.path() + "/p.json' --out '" + dir.path() + "/r.json'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("assigned 3 of 4 requests, total cost 64") != std::string::npos);
  dh::Json res = dh::Json::parse(read_all(dir.path() + "/r.json"));
  CHECK(res["assigned"] == 3);
  CHECK(res["unassigned"] == 1);
  CHECK(res["total_cost"] == 64);
  REQUIRE(res["assignments"].size() == 4);
  CHECK(res["assignments"][0] == dh::Json({{"request", "q1"}, {"expert", "e2"}}));
  CHECK(res["assignments"][1] == dh::Json({{"request", "q2"}, {"expert", "e1"}}));
  CHECK(res["assignments"][2] == dh::Json({{"request", "q3"}, {"expert", "e1"}}));
  CHECK(res["assignments"][3]["expert"].is_null());

  // Standard input in, standard output out: the same result.
  CliRun piped = run_cli(dir.path(), "match - < '" + dir.path() + "/p.json'");
  REQUIRE(piped.status == 0);
  CHECK(dh::Json::parse(piped.out) == res);
}

TEST_CASE("dianhong match: bad files name the entry at fault", "[cli][native]") {
  MatchDir dir;
  REQUIRE(!dir.path().empty());
  struct Case {
    std::string from, to, message;
  };
  const std::vector<Case> cases = {
      {"[0, 50]", "[50, 0]", "experts[0].extra_costs[1]: must not be less than the one before"},
      {"[\"q3\", \"e1\", 6]", "[\"q3\", \"e9\", 6]", "pairs[5]: no expert \"e9\" in \"experts\""},
      {"[\"q3\", \"e1\", 6]", "[\"q3\", \"e1\", 6.5]", "pairs[5].cost: must be a whole number, not 6.5"},
      {"[\"q3\", \"e1\", 6]", "[\"q1\", \"e2\", 6]", "pairs[5]: request \"q1\" and expert \"e2\" are paired twice (first at pairs[1])"},
      {"\"step\": 10", "\"step\": -1", "experts[1].extra_cost_rule.step: must not be negative"},
      {"\"capacity\": 2, \"extra_costs\": [0, 50]", "\"capacity\": 3, \"extra_costs\": [0, 50]",
       "experts[0].extra_costs: lists 2 costs, fewer than the capacity 3"},
      {"\"q4\"]", "\"q1\"]", "requests[3]: the request \"q1\" is listed twice"},
      {"[\"q3\", \"e1\", 6]", "[\"q3\", \"e1\", 288230376151711745]", "pairs[5].cost: the costs are too large"},
  };
  for (const Case& c : cases) {
    std::string text = kProblem;
    const size_t at = text.find(c.from);
    REQUIRE(at != std::string::npos);
    text.replace(at, c.from.size(), c.to);
    write_all(dir.path() + "/bad.json", text);
    CliRun r = run_cli(dir.path(), "match '" + dir.path() + "/bad.json' --out '" + dir.path() + "/never.json'");
    INFO(c.message << "\n" << r.err);
    CHECK(r.status == 1);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path() + "/never.json"));
  }
  write_all(dir.path() + "/notjson.json", "{\"form\": ");
  CHECK(run_cli(dir.path(), "match '" + dir.path() + "/notjson.json'").status == 1);
  CHECK(run_cli(dir.path(), "match '" + dir.path() + "/missing.json'").status == 2);
  CHECK(run_cli(dir.path(), "match").status == 2);
}

TEST_CASE("dianhong match: the records form, costs computed by the project", "[cli][native]") {
  MatchDir dir;
  REQUIRE(!dir.path().empty());
  // r1 is the party of q1: e1 is r1 and e2 lives in r1's household, so only e3 may take it.
  write_all(dir.path() + "/rec.json", R"({
    "form": "records",
    "grids": ["g1", "g2"],
    "households": [{"id": "h1"}],
    "residents": [{"id": "r1", "household": "h1"}, {"id": "r2", "household": "h1"}],
    "experts": [
      {"id": "e1", "grid": "g1", "resident": "r1", "field_levels": {"dispute_mediation": 3}, "capacity": 2},
      {"id": "e2", "grid": "g1", "resident": "r2", "field_levels": {"dispute_mediation": 3}, "capacity": 2},
      {"id": "e3", "grid": "g2", "field_levels": {"dispute_mediation": 1}, "capacity": 2,
       "availability": ["mon 09:00-12:00"]}
    ],
    "requests": [{"id": "q1", "category": "dispute_mediation", "grid": "g1", "parties": ["r1"]}],
    "trainees": [{"id": "t1", "mentor": "e3"}]
  })");
  CliRun r = run_cli(dir.path(), "match '" + dir.path() + "/rec.json'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  dh::Json res = dh::Json::parse(r.out);
  CHECK(res["assigned"] == 1);
  // Level 1 (80) + one grid away (15) + first case (0).
  CHECK(res["total_cost"] == 95);
  const dh::Json& a = res["assignments"][0];
  CHECK(a["expert"] == "e3");
  CHECK(a["trainee"] == "t1");
  CHECK(a["admissible"] == 1);
  CHECK(a["filtered"] == dh::Json::parse(R"([{"code": "match.reason.filtered_party", "params": ["1"]},
                                             {"code": "match.reason.filtered_household", "params": ["1"]}])"));
  CHECK(a["reasons"][0] == dh::Json::parse(R"({"code": "match.reason.field_level", "params": ["dispute_mediation", "1"]})"));

  write_all(dir.path() + "/bad.json", R"({"form": "records", "grids": [], "households": [], "residents": [],
    "experts": [], "requests": [{"id": "q1", "category": "dispute_mediation", "parties": ["r9"]}]})");
  CliRun bad = run_cli(dir.path(), "match '" + dir.path() + "/bad.json'");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("requests[0].parties[0]: no resident \"r9\"") != std::string::npos);
}
