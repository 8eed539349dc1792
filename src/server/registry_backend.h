// Where DeviceRegistry (devices.h) keeps its tables when they are not in
// the server's SQLite file: the interface of the PostgreSQL registry
// (pg_registry.h), used when the operations are in PostgreSQL, so that
// several server processes share devices, enrolment codes and revocations
// (docs/sync-protocol.md "Several servers on one database").
//
// Only storage: DeviceRegistry keeps the rules (keyed hashes, code format,
// rate limits, the words of every error). Every call reads or writes the
// database (no cache), so a revocation or a used code is seen by every
// process at its next request. Errors are "store_error".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace dh {

struct DeviceRecord;

class RegistryBackend {
 public:
  virtual ~RegistryBackend() = default;

  // registry_meta: the value of name ("" when absent); put stores it unless
  // a value is there already, and returns the value that is there now.
  virtual Result<std::string> put_meta_if_absent(const std::string& name, const std::string& value) = 0;

  struct CodeRow {
    std::string role;
    int64_t expires_ms = 0;
    bool used = false;
  };
  virtual Result<std::optional<CodeRow>> find_code(const std::string& code_hash) = 0;
  // False when the hash is stored already (nothing changes).
  virtual Result<bool> insert_code(const std::string& code_hash, const std::string& role, int64_t created_ms,
                                   int64_t expires_ms) = 0;
  virtual Result<bool> code_usable(const std::string& code_hash, int64_t now_ms) = 0;

  // One transaction: the code is known, unused and unexpired, and the device
  // id free (absent or revoked); then the code is marked used by device_id
  // and the device stored (replacing a revoked one). Two processes enrolling
  // with one code: one succeeds, the other sees it used.
  enum class EnrolOutcome { enrolled, unknown_code, used_code, expired_code, device_exists };
  struct Enrolled {
    EnrolOutcome outcome = EnrolOutcome::enrolled;
    std::string role;  // the code's role, when enrolled
  };
  virtual Result<Enrolled> enrol(const std::string& code_hash, const std::string& device_id, const std::string& name,
                                 const std::string& token_hash, int64_t now_ms) = 0;

  // The device whose token_hash is one of the two (revoked or not), and
  // which one it was stored under.
  struct TokenMatch {
    std::string device_id, name, role, token_hash;
    int64_t enrolled_ms = 0;
    bool revoked = false;
  };
  virtual Result<std::optional<TokenMatch>> find_token(const std::string& keyed, const std::string& legacy) = 0;
  virtual Status set_token_hash(const std::string& device_id, const std::string& token_hash) = 0;
  // Every device, by id (last contact etc. left at zero).
  virtual Result<std::vector<TokenMatch>> list() = 0;
  // False when there is no such device.
  virtual Result<bool> revoke(const std::string& device_id) = 0;
  virtual Result<uint64_t> active_administrators() = 0;
};

}  // namespace dh
