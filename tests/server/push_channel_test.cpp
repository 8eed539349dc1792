// The push channel GET /api/v1/wait (docs/sync-protocol.md "Push channel")
// against the real server process: it answers as soon as a push moves the
// head, is authenticated and bounded before it waits, and a stopping server
// does not hang on its waiters.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "core/demo.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::test;
using Clock = std::chrono::steady_clock;

namespace {

uint64_t head_of(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_object() && j.contains("head") ? j["head"].get<uint64_t>() : 0;
}

std::vector<Operation> few_ops() {
  DemoOptions o;
  o.households = 3;
  o.experts = 1;
  o.trainees = 1;
  auto ops = generate_demo(o);
  ops.resize(6);
  return ops;
}

}  // namespace

TEST_CASE("push channel: a waiter is woken by a push within a moment, not at its timeout",
          "[native][server][projector]") {
  TempDir data;
  ServerProcess server(data.path(), {"--auth", "devices"});
  REQUIRE(server.start());
  const std::string projector = server.enrol_as("projector", "proj-1");
  REQUIRE_FALSE(projector.empty());
  auto ops = few_ops();

  auto admin = server.client();
  REQUIRE(admin->Post("/api/v1/ops", sync::encode_push_request("demo", {ops[0], ops[1]}), "application/json")->status == 200);
  auto h = admin->Get("/api/v1/health");
  REQUIRE(h);
  const uint64_t head = sync::decode_health(h->body)->head;
  REQUIRE(head >= 2);

  // Behind the head: answered at once.
  auto c = server.client_with(projector);
  auto t0 = Clock::now();
  auto res = c->Get("/api/v1/wait?after=0&timeout_ms=20000");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(head_of(res->body) == head);
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));

  // At the head: waits until the push, then answers with the new head.
  auto waiter = std::async(std::launch::async, [&] {
    auto wc = server.client_with(projector);
    auto start = Clock::now();
    auto r = wc->Get(("/api/v1/wait?after=" + std::to_string(head) + "&timeout_ms=20000").c_str());
    return std::make_pair(r ? r->status : 0, std::make_pair(r ? head_of(r->body) : 0, Clock::now() - start));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const auto pushed_at = Clock::now();
  REQUIRE(admin->Post("/api/v1/ops", sync::encode_push_request("demo", {ops[2]}), "application/json")->status == 200);
  auto [status, rest] = waiter.get();
  const auto woke_after_push = Clock::now() - pushed_at;
  CHECK(status == 200);
  CHECK(rest.first == head + 1);
  CHECK(rest.second >= std::chrono::milliseconds(600));  // it did wait
  CHECK(woke_after_push < std::chrono::milliseconds(1000));

  // Nothing new: answered at the timeout with the same head.
  t0 = Clock::now();
  res = c->Get(("/api/v1/wait?after=" + std::to_string(head + 1) + "&timeout_ms=300").c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(head_of(res->body) == head + 1);
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(250));
}

TEST_CASE("push channel: authenticated and bounded before it waits", "[native][server][projector]") {
  TempDir data;
  ServerProcess server(data.path(), {"--auth", "devices"});
  REQUIRE(server.start());
  const std::string projector = server.enrol_as("projector", "proj-1");
  REQUIRE_FALSE(projector.empty());

  auto t0 = Clock::now();
  auto anon = server.anonymous_client()->Get("/api/v1/wait?after=0&timeout_ms=20000");
  REQUIRE(anon);
  CHECK(anon->status == 401);
  auto forged = server.client_with("not-a-token")->Get("/api/v1/wait?after=0&timeout_ms=20000");
  REQUIRE(forged);
  CHECK(forged->status == 401);
  auto c = server.client_with(projector);
  for (const char* bad : {"/api/v1/wait", "/api/v1/wait?after=-1", "/api/v1/wait?after=1x",
                          "/api/v1/wait?after=0&timeout_ms=25001", "/api/v1/wait?after=0&timeout_ms=abc",
                          "/api/v1/wait?after=99999999999999999999"}) {
    INFO(bad);
    auto r = c->Get(bad);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.find("bad_query") != std::string::npos);
  }
  CHECK(Clock::now() - t0 < std::chrono::seconds(5));  // none of them waited
}

TEST_CASE("push channel: a stopping server does not hang on its waiters", "[native][server][projector]") {
  TempDir data;
  ServerProcess server(data.path(), {"--auth", "open"});
  REQUIRE(server.start());
  auto waiter = std::async(std::launch::async, [&] {
    auto c = server.anonymous_client();
    auto r = c->Get("/api/v1/wait?after=999&timeout_ms=25000");
    return r ? r->status : 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = Clock::now();
  server.stop();
  CHECK(Clock::now() - t0 < std::chrono::seconds(5));
  waiter.wait_for(std::chrono::seconds(10));
}
