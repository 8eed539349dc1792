// One device's view of a real server's log: every page of GET /api/v1/ops
// pulled with its token (docs/sync-protocol.md), as the answers' text and the
// decoded operations. Fails the running test case on any bad answer.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server_process.h"
#include "sync/protocol.h"

namespace dh::test {

struct PulledLog {
  std::string text;             // every page's body, in order
  std::vector<Operation> ops;   // every operation, in pull order
};

inline PulledLog pull_whole_log(const ServerProcess& server, const std::string& token) {
  auto c = server.client_with(token);
  PulledLog log;
  uint64_t after = 0;
  for (;;) {
    auto res = c->Get(("/api/v1/ops?after=" + std::to_string(after) + "&limit=1000").c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    log.text += res->body;
    auto p = sync::decode_pull_response(res->body);
    REQUIRE(p.ok());
    for (auto& x : p->ops) log.ops.push_back(x.op);
    after = p->next;
    if (!p->more) return log;
  }
}

}  // namespace dh::test
