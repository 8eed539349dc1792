// The real `dianhong` CLI binary (docs/cli.md): demo, fold and validate.
// Built into dh_server_tests (src/server/CMakeLists.txt), which knows the path.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/demo.h"
#include "core/state.h"
#include "../server/server_process.h"
#include "cli_harness.h"


namespace {

using namespace dh::cli_test;
using Run = CliRun;
const auto& slurp = read_all;


std::string hash_line(const std::string& text) {
  auto at = text.find("state hash: ");
  return at == std::string::npos ? "" : text.substr(at + 12, 16);
}

}  // namespace

TEST_CASE("cli demo is deterministic and fold gives the same hash as the core", "[native][cli]") {
  dh::test::TempDir dir;
  std::string a = dir.path() + "/a.jsonl", b = dir.path() + "/b.jsonl";
  Run ra = run_cli(dir.path(), "demo --seed 5 --out '" + a + "'");
  REQUIRE(ra.status == 0);
  Run rb = run_cli(dir.path(), "demo --seed 5 --out '" + b + "'");
  REQUIRE(rb.status == 0);
  CHECK(slurp(a) == slurp(b));
  CHECK(ra.out.find("household: 3058") != std::string::npos);

  dh::DemoOptions o;
  o.seed = 5;
  dh::State expected;
  for (const auto& op : dh::generate_demo(o)) expected.apply(op);
  CHECK(hash_line(ra.out) == expected.hash_hex());

  Run fold = run_cli(dir.path(), "fold '" + a + "'");
  CHECK(fold.status == 0);
  CHECK(hash_line(fold.out) == expected.hash_hex());
  Run valid = run_cli(dir.path(), "validate '" + a + "'");
  CHECK(valid.status == 0);
  CHECK(valid.out.find("invalid: 0") != std::string::npos);
}

TEST_CASE("cli reports bad lines by number and keeps the good ones", "[native][cli]") {
  dh::test::TempDir dir;
  dh::DemoOptions o;
  o.households = 5;
  auto ops = dh::generate_demo(o);
  REQUIRE(ops.size() > 10);
  std::string path = dir.path() + "/mixed.jsonl";
  {
    std::ofstream f(path, std::ios::binary);
    for (size_t i = 0; i < 10; ++i) f << dh::to_json_text(ops[i]) << "\n";
    f << "{\"id\":\"broken\n";  // line 11
    f << dh::to_json_text(ops[10]) << "\n";
    f << R"({"author":"a","hlc":"1767225600001.0","id":"t:1","payload":{"entity":"hh-x","fields":{}},"type":"household.create"})"
      << "\n";  // line 13: no address
  }
  dh::State good;
  for (size_t i = 0; i <= 10; ++i) good.apply(ops[i]);

  Run fold = run_cli(dir.path(), "fold '" + path + "'");
  CHECK(fold.status == 1);
  CHECK(fold.err.find(":11: ") != std::string::npos);
  CHECK(fold.out.find("operations: 12") != std::string::npos);  // the bad household still folds

  Run val = run_cli(dir.path(), "validate '" + path + "'");
  CHECK(val.status == 1);
  CHECK(val.err.find(":11: ") != std::string::npos);
  CHECK(val.err.find(":13: t:1") != std::string::npos);
  CHECK(val.err.find("address") != std::string::npos);
  CHECK(val.out.find("valid: 11, invalid: 1") != std::string::npos);
  CHECK(hash_line(val.out) == good.hash_hex());

  CHECK(run_cli(dir.path(), "fold '" + dir.path() + "/missing.jsonl'").status == 2);
  CHECK(run_cli(dir.path(), "frobnicate").status == 2);
  CHECK(run_cli(dir.path(), "demo --seed abc").status == 2);
}
