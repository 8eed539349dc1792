// Enrolled devices and enrolment codes (issue 3), stored in the server's
// SQLite file next to the operation log (own connection, WAL):
//
//   devices(device_id TEXT PRIMARY KEY, name TEXT, role TEXT,
//           token_hash TEXT UNIQUE,     -- SHA-256 hex of the bearer token
//           enrolled_ms INTEGER, revoked INTEGER)
//   enrol_codes(code_hash TEXT PRIMARY KEY,  -- SHA-256 hex of the 8 digits
//               role TEXT, created_ms INTEGER, expires_ms INTEGER,
//               used_ms INTEGER, used_by TEXT)
//
// Contracts
// - Tokens and codes are stored only as hashes: a copy of the database does
//   not let anyone act as a device.
// - A code is one-time (used_ms set when a device enrols with it), expires,
//   and is bound to a role; the device gets that role.
// - Enrolling a device id again (with a new code) replaces its token, name and
//   role and clears "revoked": the old token stops working.
// - Revoking is immediate: the next request with that token gets 401.
// - Thread-safe (one mutex around the connection).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace dh {

// administrator, coordinator, grid_worker, kiosk, projector (roles.h).
bool is_valid_role(const std::string& role);

struct DeviceRecord {
  std::string device_id;
  std::string name;
  std::string role;
  int64_t enrolled_ms = 0;
  bool revoked = false;
};

struct EnrolCode {
  std::string code;  // "1234-5678"
  std::string role;
  int64_t expires_ms = 0;
};

struct Enrolment {
  std::string token;  // give to the device once; the server keeps only its hash
  std::string role;
};

class DeviceRegistry {
 public:
  static constexpr int64_t kCodeValidMs = 24LL * 60 * 60 * 1000;  // 24 h

  // path: the server's SQLite file, or ":memory:".
  static Result<std::unique_ptr<DeviceRegistry>> open(const std::string& path);
  ~DeviceRegistry();

  // A new one-time code for role. code: "" = random, else "1234-5678" (tests,
  // --admin-code). Error "bad_role", "bad_code".
  Result<EnrolCode> create_code(const std::string& role, int64_t now_ms, const std::string& code = "");
  // Is this code known, unused and unexpired?
  bool code_usable(const std::string& code, int64_t now_ms);
  // Errors: "bad_code" (unknown, used or expired: plain words), "bad_device".
  Result<Enrolment> enrol(const std::string& code, const std::string& device_id, const std::string& name,
                          int64_t now_ms);
  // The enrolled, unrevoked device holding this token. Errors: "unauthorized"
  // (unknown or revoked, with plain words), "store_error".
  Result<DeviceRecord> find_by_token(const std::string& token);
  Result<std::vector<DeviceRecord>> list();
  // Error "not_found" when no such device.
  Status revoke(const std::string& device_id);
  // Enrolled, unrevoked administrators.
  Result<uint64_t> active_administrators();

  static std::string sha256_hex(const std::string& text);
  // "1234-5678" from "12345678", "1234 5678", "1234-5678"; "" when not 8 digits.
  static std::string normalise_code(const std::string& text);

 private:
  DeviceRegistry() = default;
  sqlite3* db_ = nullptr;
  std::mutex mu_;
};

}  // namespace dh
