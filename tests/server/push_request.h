// Shared by the in-process server tests: operations as the server receives
// them from a device (encoded, then decoded as the HTTP route does).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sync/protocol.h"

namespace dh::test {

inline sync::PushRequest request_of(const std::string& device, const std::vector<Operation>& ops) {
  auto r = sync::decode_push_request(sync::encode_push_request(device, ops));
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace dh::test
