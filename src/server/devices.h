// Enrolled devices and enrolment codes (issues 3 and 8), stored in the
// server's SQLite file next to the operation log (own connection, WAL):
//
//   devices(device_id TEXT PRIMARY KEY, name TEXT, role TEXT,
//           token_hash TEXT UNIQUE,     -- keyed hash of the bearer token
//           enrolled_ms INTEGER, revoked INTEGER)
//   enrol_codes(code_hash TEXT PRIMARY KEY,  -- keyed hash of the 16 digits
//               role TEXT, created_ms INTEGER, expires_ms INTEGER,
//               used_ms INTEGER, used_by TEXT)
//   registry_meta(name TEXT PRIMARY KEY, value TEXT)  -- "secret_check"
//
// Contracts
// - Tokens and codes are stored only as HMAC-SHA256 under the server secret,
//   a 32-byte random key in its own 0600 file beside the database (not in
//   it): a copy of the database alone neither lets anyone act as a device
//   nor reverses a code. open() refuses a secret that does not match the
//   database (registry_meta.secret_check) rather than locking every device
//   out silently. Tokens stored by older servers as plain SHA-256 still work
//   and are re-keyed on first use.
// - A code is 16 digits in four groups ("1234-5678-9012-3456"), one-time
//   (used_ms set when a device enrols with it), expires after 24 h, and is
//   bound to a role; the device gets that role. A code that was ever stored
//   is never armed again (create_code refuses it once used or expired, and
//   does not extend it while unused).
// - An enrolled, unrevoked device id is never taken over: enrolling it again
//   is refused "device_exists" (the code is not used up). After an
//   administrator revokes it, the id may be enrolled again (new token, name,
//   role; the old token stays dead).
// - Failed enrolments (wrong, used or expired codes) are counted per address
//   and overall; past the limit enrol() refuses "too_many_attempts" before
//   looking at the code, and enrol_retry_after_ms() says for how long.
// - Revoking is immediate: the next request with that token gets 401.
// - Last contact and pull cursor per device are kept in memory only (since the
//   server started; note_contact, note_pulled): what the administrator's
//   device list shows. Nothing is written to the database per request.
// - Thread-safe (one mutex around the connection).
// - open_postgres: the same tables in the PostgreSQL database of the
//   operations (pg_registry.h), for several server processes on one
//   database (docs/sync-protocol.md "Several servers on one database"). The
//   same contracts, across processes: a device enrolled at one server is
//   known at all, a code used at one is used at all, and a revocation is
//   refused at every server from the next request on (no caching). Every
//   process must use the same secret key file (--secret-file,
//   docs/security.md); a different key is refused "secret_mismatch" at open.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/rate_limit.h"

struct sqlite3;

namespace dh {

// administrator, coordinator, grid_worker, kiosk, projector, voting_tablet (roles.h).
bool is_valid_role(const std::string& role);

struct DeviceRecord {
  std::string device_id;
  std::string name;
  std::string role;
  int64_t enrolled_ms = 0;
  bool revoked = false;
  // Since the server started (0 / false: not since then): the last
  // authenticated request, and the seq its last pull reached.
  int64_t last_contact_ms = 0;
  bool pulled = false;
  uint64_t pulled_to = 0;
};

struct EnrolCode {
  std::string code;  // "1234-5678-9012-3456"
  std::string role;
  int64_t expires_ms = 0;
};

struct Enrolment {
  std::string token;  // give to the device once; the server keeps only its keyed hash
  std::string role;
};

class DeviceRegistry {
 public:
  static constexpr int64_t kCodeValidMs = 24LL * 60 * 60 * 1000;  // 24 h
  static constexpr int kCodeDigits = 16;
  static constexpr size_t kMaxNameBytes = 64;  // cut at a UTF-8 code point boundary
  // Failed enrolments: per address, and all addresses together.
  static constexpr int kMaxFailuresPerAddress = 10;
  static constexpr int64_t kAddressWindowMs = 15LL * 60 * 1000;  // 15 min
  static constexpr int kMaxFailuresOverall = 100;
  static constexpr int64_t kOverallWindowMs = 60LL * 60 * 1000;  // 1 h

  // path: the server's SQLite file, or ":memory:". secret_path: the key file;
  // "" = "server-secret.key" in the database's folder (a fresh in-memory key
  // for ":memory:"). Created 0600 when missing. Errors "store_error",
  // "secret_mismatch" (the key file is not the one this database was used with).
  static Result<std::unique_ptr<DeviceRegistry>> open(const std::string& path, const std::string& secret_path = "");
  // The registry in PostgreSQL (conninfo: the --store connection string);
  // secret_path: the key file every process of the database shares (created
  // 0600 when missing). Errors as open(). Refused with "store_error" in a
  // build without libpq.
  // connections: how many it keeps open (3; one per community when a
  // server hosts many, communities.h).
  static Result<std::unique_ptr<DeviceRegistry>> open_postgres(const std::string& conninfo,
                                                               const std::string& secret_path, int connections = 3);
  // The same in a schema of a database whose connections are shared
  // (pg_pool.h; a county's communities, communities.h).
  static Result<std::unique_ptr<DeviceRegistry>> open_postgres(std::shared_ptr<class PgPool> pool,
                                                               const std::string& schema,
                                                               const std::string& secret_path);
  ~DeviceRegistry();

  // A new one-time code for role. code: "" = random, else a given code
  // (tests, --admin-code). Errors "bad_role", "bad_code" (not 16 digits),
  // "code_used" (this code was used or has expired: it is never armed again).
  // A given code that is stored and still unused is returned as it is (same
  // expiry).
  // The roles create_code accepts: by default the community roles
  // (is_valid_role); the county registry (communities.h) takes only
  // administrator and county.
  void set_roles(std::vector<std::string> roles) { roles_ = std::move(roles); }
  Result<EnrolCode> create_code(const std::string& role, int64_t now_ms, const std::string& code = "");
  // Is this code known, unused and unexpired?
  bool code_usable(const std::string& code, int64_t now_ms);
  // from: the caller's address (failure counting). Errors:
  // "too_many_attempts", "bad_code" (unknown, used or expired: plain words),
  // "bad_device", "device_exists", "store_error".
  Result<Enrolment> enrol(const std::string& code, const std::string& device_id, const std::string& name,
                          int64_t now_ms, const std::string& from = "");
  // How long (ms) enrolments from this address are refused; 0 = not refused.
  int64_t enrol_retry_after_ms(const std::string& from, int64_t now_ms);
  // The enrolled, unrevoked device holding this token. Errors: "unauthorized"
  // (unknown or revoked, with plain words), "store_error".
  Result<DeviceRecord> find_by_token(const std::string& token);
  // With last_contact_ms / pulled_to filled in from memory.
  Result<std::vector<DeviceRecord>> list();
  // An authenticated request from device_id at now_ms.
  void note_contact(const std::string& device_id, int64_t now_ms);
  // device_id's pull answered up to seq (the answer's "next").
  void note_pulled(const std::string& device_id, uint64_t seq);
  // Error "not_found" when no such device.
  Status revoke(const std::string& device_id);
  // Enrolled, unrevoked administrators.
  Result<uint64_t> active_administrators();

  // Plain SHA-256 hex (how tokens were stored before issue 8).
  static std::string sha256_hex(const std::string& text);
  // HMAC-SHA256 hex of text under the server secret; purpose separates uses.
  std::string keyed_hash(const std::string& purpose, const std::string& text) const;
  // "1234-5678-9012-3456" from 16 digits with any '-' or ' ' between them;
  // "" otherwise.
  static std::string normalise_code(const std::string& text);
  // At most max_bytes of text, cut at a code point boundary.
  static std::string cut_utf8(const std::string& text, size_t max_bytes);

 private:
  DeviceRegistry() = default;
  void enrol_failed(const std::string& from, int64_t now_ms);
  // The key and its check in registry_meta (both backends).
  Status load_and_check_secret(const std::string& key_file);
  sqlite3* db_ = nullptr;
  std::unique_ptr<class RegistryBackend> backend_;  // open_postgres: the tables are there, not in db_
  std::string secret_;  // 32 raw bytes
  std::mutex mu_;
  std::vector<std::string> roles_;  // set_roles; empty: is_valid_role
  struct Contact {
    int64_t last_ms = 0;
    bool pulled = false;
    uint64_t pulled_to = 0;
  };
  std::mutex contact_mu_;  // not mu_: a request's bookkeeping never waits for the database
  std::map<std::string, Contact> contacts_;
  FailureLimiter per_address_{kMaxFailuresPerAddress, kAddressWindowMs};
  FailureLimiter overall_{kMaxFailuresOverall, kOverallWindowMs, 1};
};

}  // namespace dh
