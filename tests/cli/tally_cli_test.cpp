// The real `dianhong tally` binary (docs/voting.md): the two real elections
// reproduced from their files, a rule changed from the command line, a poll
// file counted to JSON, and bad files refused with the entry at fault named.
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

// tests/data/elections, found from this file's path. __FILE__ is relative to
// the build folder under Ninja; the build folder is two levels above the CLI
// binary's folder (build/native/src/cli/dianhong).
std::string elections_folder() {
  namespace fs = std::filesystem;
  fs::path rel = fs::path(__FILE__).parent_path().parent_path() / "data" / "elections";
  if (rel.is_absolute()) return rel.string();
  fs::path bin = cli_binary();
  for (fs::path base : {fs::absolute(bin).parent_path().parent_path().parent_path(), fs::current_path()}) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(base / rel, ec);
    if (!ec && fs::exists(p / "maine_cd2_2018.json")) return p.string();
  }
  return rel.string();
}
const std::string kElections = elections_folder();

struct TallyDir : TempDir {
  TallyDir() : TempDir("dh-tally-cli") {}
};
CliRun run_tally(const std::string& dir, const std::string& args) { return run_cli(dir, "tally " + args); }


}  // namespace

TEST_CASE("dianhong tally reproduces Burlington 2009 from its file", "[cli][tally]") {
  TallyDir d;
  REQUIRE(!d.path().empty());
  CliRun r = run_tally(d.path(), "'" + kElections + "/burlington_2009_mayor.json' --out '" + d.path() + "/r.json'");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Round 1: Kurt Wright 2951, Bob Kiss 2585, Andy Montroll 2063, Dan Smith 1306, Write-in 36, "
                   "James Simpson 35; exhausted 4") != std::string::npos);
  CHECK(r.out.find("Round 3: Bob Kiss 4313 (+1332), Kurt Wright 4061 (+767); exhausted 606") != std::string::npos);
  CHECK(r.out.find("overvote=exhaust_if_multiple_continuing") != std::string::npos);
  CHECK(r.out.find("elimination=batch") != std::string::npos);
  CHECK(r.out.find("Outcome: elected: Bob Kiss") != std::string::npos);
  dh::Json j = dh::Json::parse(read_all(d.path() + "/r.json"));
  const dh::Json official = dh::Json::parse(read_all(kElections + "/burlington_2009_mayor.json"))["expected"];
  REQUIRE(j["rounds"].size() == official["rounds"].size());
  for (size_t k = 0; k < j["rounds"].size(); ++k) {
    CHECK(j["rounds"][k]["votes"] == official["rounds"][k]["tallies"]);
    CHECK(j["rounds"][k]["exhausted"] == official["rounds"][k]["exhausted"]);
  }
  CHECK(j["winners"][0] == "Bob Kiss");

  // "An overvote ends the ballot" moves one vote, as the data's README says.
  CliRun ex = run_tally(d.path(), "'" + kElections + "/burlington_2009_mayor.json' --rule ranked.overvote=exhaust --json");
  REQUIRE(ex.status == 0);
  dh::Json e = dh::Json::parse(ex.out);
  CHECK(e["rounds"][2]["votes"]["Kurt Wright"] == 4060);
  CHECK(e["rounds"][2]["exhausted"] == 607);
  CHECK(e["rules"]["ranked"]["overvote"] == "exhaust");
}

TEST_CASE("dianhong tally reproduces Maine CD2 2018 from its file", "[cli][tally]") {
  TallyDir d;
  CliRun r = run_tally(d.path(), "'" + kElections + "/maine_cd2_2018.json' --json");
  REQUIRE(r.status == 0);
  dh::Json j = dh::Json::parse(r.out);
  const dh::Json official = dh::Json::parse(read_all(kElections + "/maine_cd2_2018.json"))["expected"];
  REQUIRE(j["rounds"].size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    CHECK(j["rounds"][k]["votes"] == official["rounds"][k]["tallies"]);
    CHECK(j["rounds"][k]["exhausted"] == official["rounds"][k]["exhausted"]);
    CHECK(j["rounds"][k]["exhausted_by_reason"]["overvote"] == official["rounds"][k]["exhausted_detail"]["overvote"]);
  }
  CHECK(j["rounds"][1]["votes"]["DEM Golden, Jared F."] == 142440);
  CHECK(j["winners"][0] == "DEM Golden, Jared F.");
  // One elimination per round: three rounds, same last round.
  CliRun one = run_tally(d.path(), "'" + kElections + "/maine_cd2_2018.json' --json --rule ranked.elimination=single");
  REQUIRE(one.status == 0);
  dh::Json o = dh::Json::parse(one.out);
  CHECK(o["rounds"].size() == 3);
  CHECK(o["rounds"][2]["votes"] == j["rounds"][1]["votes"]);
}

TEST_CASE("dianhong tally counts a poll file and refuses a bad one by its entry", "[cli][tally]") {
  TallyDir d;
  {
    std::ofstream f(d.path() + "/motion.json");
    f << R"({"method": "yes_no_abstain", "threshold": {"kind": "two_thirds", "base": "votes_cast"},
             "entitled": 12, "present": 10, "quorum": {"numerator": 1, "denominator": 2},
             "ballots": ["yes", "yes", "yes", "yes", "no", "no", "abstain", {"marks": ["yes", "no"]}]})";
  }
  CliRun r = run_tally(d.path(), "'" + d.path() + "/motion.json'");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Outcome: carried") != std::string::npos);
  CHECK(r.out.find("invalid: 1 (too_many_marks 1)") != std::string::npos);
  CHECK(r.out.find("needed 4 of 6") != std::string::npos);
  {
    std::ofstream f(d.path() + "/hands.json");
    f << R"({"method": "yes_no_abstain", "present": 10,
             "paper": {"show_of_hands": true, "counts": {"yes": 7, "no": 4, "abstain": 1}}})";
  }
  CliRun h = run_tally(d.path(), "'" + d.path() + "/hands.json' --json");
  REQUIRE(h.status == 0);
  dh::Json hj = dh::Json::parse(h.out);
  CHECK(hj["counts_consistent"] == false);
  CHECK(hj["notes"][0]["code"] == "more_ballots_than_present");
  {
    std::ofstream f(d.path() + "/bad.json");
    f << R"({"method": "ranked_choice", "options": ["Li", "Wang"], "ballots": [["Li"], ["Wang", "Zhou"]]})";
  }
  CliRun b = run_tally(d.path(), "'" + d.path() + "/bad.json'");
  CHECK(b.status == 1);
  CHECK(b.err.find("ballots[1][1]") != std::string::npos);
  CHECK(b.err.find("is not one of the options") != std::string::npos);
  CliRun missing = run_tally(d.path(), "'" + d.path() + "/nope.json'");
  CHECK(missing.status == 2);
  CliRun usage = run_tally(d.path(), "");
  CHECK(usage.status == 2);
}
