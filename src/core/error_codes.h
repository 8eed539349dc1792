// The one list of the error codes (Error::code, result.h) a person can be
// shown: what the core returns (validation, rules, imports, typed dates), what
// the store and the sync client return on the device, and what the server
// answers (a push's refusal or an HTTP error body, docs/sync-protocol.md).
// The UI says each as "error.<code>" in zh-CN and English;
// tests/ui/error_codes_test.cpp checks both tables against these lists, and
// that every code literal in src/core, src/store, src/sync, src/session and
// src/server (make_error/invalid/rule/fail/send_error/res.code) is listed, so a
// new code without words fails the build's tests.
#pragma once

#include <string>
#include <vector>

namespace dh {

const std::vector<std::string>& core_error_codes();
const std::vector<std::string>& client_error_codes();  // src/store, src/sync, src/session
const std::vector<std::string>& server_error_codes();  // src/server

}  // namespace dh
