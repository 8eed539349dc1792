// SyncService and OpStore without HTTP (in-memory and on-disk SQLite): the
// logic the HTTP layer and the issue-3 convergence tests drive.
#include <catch2/catch.hpp>

#include "core/demo.h"
#include "core/state.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/sync_service.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

sync::PushRequest request_of(const std::string& device, const std::vector<Operation>& ops) {
  auto r = sync::decode_push_request(sync::encode_push_request(device, ops));
  REQUIRE(r.ok());
  return r.value();
}

std::unique_ptr<SyncService> open_service(const std::string& path) {
  auto store = OpStore::open(path);
  REQUIRE(store.ok());
  auto svc = SyncService::open(std::move(store).value());
  REQUIRE(svc.ok());
  return std::move(svc).value();
}

// Refuses one operation type, to show the Authenticator seam is consulted.
class NoExperts : public OpenAccess {
 public:
  Status authorize_push(const Principal&, const Operation& op, const State&) override {
    if (op.type.rfind("expert.", 0) == 0) return make_error("forbidden", "This role may not add experts.");
    return ok_status();
  }
};

}  // namespace

TEST_CASE("in-memory service: pushes, the authorizer, and pulls", "[server]") {
  auto svc = open_service(":memory:");
  DemoOptions o;
  o.households = 30;
  auto ops = generate_demo(o);
  NoExperts auth;
  Principal who{"demo", "open"};
  auto r = svc->push(request_of("demo", ops), who, auth, 1767225600000);
  REQUIRE(r.ok());
  size_t accepted = 0, forbidden = 0;
  State expected;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (r->results[i].status == sync::PushStatus::accepted) {
      ++accepted;
      expected.apply(ops[i]);
    } else if (r->results[i].code == "forbidden") {
      ++forbidden;
    }
  }
  CHECK(forbidden == 103);  // every expert op and nothing else that depends on them
  CHECK(accepted + forbidden <= ops.size());
  CHECK(svc->op_count() == accepted);
  CHECK(svc->state_hash() == expected.hash_hex());

  auto page = svc->pull(sync::PullQuery{0, 1000}, 0);
  REQUIRE(page.ok());
  auto decoded = sync::decode_pull_response(page.value());
  REQUIRE(decoded.ok());
  CHECK(decoded->ops.size() == std::min<size_t>(accepted, 1000));
}

TEST_CASE("on-disk store: reopening folds the same state and keeps seqs", "[native][server]") {
  dh::test::TempDir dir;
  std::string path = dir.path() + "/server.sqlite";
  DemoOptions o;
  o.households = 25;
  auto ops = generate_demo(o);
  std::string hash;
  uint64_t head = 0;
  {
    auto svc = open_service(path);
    auto loaded = svc->load_if_empty(ops, "demo", 1767225600000);
    REQUIRE(loaded.ok());
    CHECK(loaded.value() == ops.size());
    hash = svc->state_hash();
    head = svc->head();
    CHECK(head == ops.size());
    auto again = svc->load_if_empty(ops, "demo", 1767225600000);
    REQUIRE(again.ok());
    CHECK(again.value() == 0);
  }
  auto svc = open_service(path);
  CHECK(svc->state_hash() == hash);
  CHECK(svc->head() == head);
  CHECK(svc->op_count() == ops.size());
  OpenAccess open;
  auto r = svc->push(request_of("demo", {ops[0]}), Principal{"demo", "open"}, open, 1767225600000);
  REQUIRE(r.ok());
  CHECK(r->results[0].status == sync::PushStatus::duplicate);
  CHECK(r->results[0].seq == 1);
}
