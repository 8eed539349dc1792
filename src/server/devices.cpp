#include "server/devices.h"

#include <openssl/sha.h>
#include <sqlite3.h>

#include <random>

#include "core/operation.h"

namespace dh {
namespace {

Error db_error(sqlite3* db, const std::string& what) {
  return make_error("store_error", "The server's database failed while " + what + ": " +
                                       (db ? sqlite3_errmsg(db) : "cannot open") + ".");
}

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return rc_ == SQLITE_OK && s_; }
  sqlite3_stmt* get() { return s_; }
  void text(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void i64(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  int step() { return sqlite3_step(s_); }
  std::string col_text(int i) {
    const unsigned char* t = sqlite3_column_text(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
  }
  int64_t col_i64(int i) { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string random_hex(size_t bytes) {
  std::random_device rd;  // getrandom()/urandom on Linux
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xff;
    out += hex[v >> 4];
    out += hex[v & 15];
  }
  return out;
}

std::string random_code() {
  std::random_device rd;
  std::string d;
  for (int i = 0; i < 8; ++i) d += static_cast<char>('0' + rd() % 10);
  return d.substr(0, 4) + "-" + d.substr(4);
}

DeviceRecord read_device(Stmt& s) {
  DeviceRecord d;
  d.device_id = s.col_text(0);
  d.name = s.col_text(1);
  d.role = s.col_text(2);
  d.enrolled_ms = s.col_i64(3);
  d.revoked = s.col_i64(4) != 0;
  return d;
}

}  // namespace

bool is_valid_role(const std::string& role) {
  return role == "administrator" || role == "coordinator" || role == "grid_worker" || role == "kiosk" ||
         role == "projector";
}

std::string DeviceRegistry::sha256_hex(const std::string& text) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string DeviceRegistry::normalise_code(const std::string& text) {
  std::string d;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      d += c;
    } else if (c != '-' && c != ' ') {
      return "";
    }
  }
  if (d.size() != 8) return "";
  return d.substr(0, 4) + "-" + d.substr(4);
}

Result<std::unique_ptr<DeviceRegistry>> DeviceRegistry::open(const std::string& path) {
  std::unique_ptr<DeviceRegistry> r(new DeviceRegistry());
  if (sqlite3_open_v2(path.c_str(), &r->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return db_error(r->db_, "opening the device list");
  }
  sqlite3_busy_timeout(r->db_, 10000);
  const char* schema =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS devices(device_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
      " token_hash TEXT NOT NULL UNIQUE, enrolled_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE IF NOT EXISTS enrol_codes(code_hash TEXT PRIMARY KEY, role TEXT NOT NULL,"
      " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, used_ms INTEGER, used_by TEXT);";
  char* err = nullptr;
  if (sqlite3_exec(r->db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error("store_error", "The server's database failed while creating the device list: " + msg + ".");
  }
  return r;
}

DeviceRegistry::~DeviceRegistry() {
  if (db_) sqlite3_close_v2(db_);
}

Result<EnrolCode> DeviceRegistry::create_code(const std::string& role, int64_t now_ms, const std::string& code) {
  if (!is_valid_role(role)) {
    return make_error("bad_role", "\"" + role +
                                      "\" is not a role. Roles: administrator, coordinator, grid_worker, kiosk, "
                                      "projector.");
  }
  std::string c = code.empty() ? random_code() : normalise_code(code);
  if (c.empty()) return make_error("bad_code", "An enrolment code is 8 digits, like 1234-5678.");
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "INSERT OR REPLACE INTO enrol_codes(code_hash, role, created_ms, expires_ms) VALUES(?,?,?,?)");
  if (!s.ok()) return db_error(db_, "saving an enrolment code");
  s.text(1, sha256_hex(c));
  s.text(2, role);
  s.i64(3, now_ms);
  s.i64(4, now_ms + kCodeValidMs);
  if (s.step() != SQLITE_DONE) return db_error(db_, "saving an enrolment code");
  return EnrolCode{c, role, now_ms + kCodeValidMs};
}

bool DeviceRegistry::code_usable(const std::string& code, int64_t now_ms) {
  std::string c = normalise_code(code);
  if (c.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT 1 FROM enrol_codes WHERE code_hash=? AND used_ms IS NULL AND expires_ms>?");
  if (!s.ok()) return false;
  s.text(1, sha256_hex(c));
  s.i64(2, now_ms);
  return s.step() == SQLITE_ROW;
}

Result<Enrolment> DeviceRegistry::enrol(const std::string& code, const std::string& device_id,
                                         const std::string& name, int64_t now_ms) {
  if (!is_valid_device_id(device_id)) {
    return make_error("bad_device", "The device id must be 1 to 32 characters of a-z, 0-9 and '-'.");
  }
  // "server" authors the QR check-ins and "demo" the demo data set: a device
  // enrolled under either name could push operations that pass for theirs.
  if (device_id == "server" || device_id == "demo") {
    return make_error("bad_device", "The device id \"" + device_id + "\" is reserved; the app picks a random one.");
  }
  std::string c = normalise_code(code);
  if (c.empty()) return make_error("bad_code", "An enrolment code is 8 digits, like 1234-5678.");
  const std::string h = sha256_hex(c);
  std::lock_guard<std::mutex> lock(mu_);
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db_, "enrolling a device");
  }
  auto rollback = [&](Error e) -> Result<Enrolment> {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  std::string role;
  {
    Stmt s(db_, "SELECT role, expires_ms, used_ms FROM enrol_codes WHERE code_hash=?");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.text(1, h);
    if (s.step() != SQLITE_ROW) {
      return rollback(make_error("bad_code", "This enrolment code is not known. Check the digits, or ask the "
                                             "community secretary for a new code."));
    }
    role = s.col_text(0);
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) {
      return rollback(make_error("bad_code", "This enrolment code was already used. Each code enrols one "
                                             "device: ask the community secretary for a new code."));
    }
    if (s.col_i64(1) <= now_ms) {
      return rollback(
          make_error("bad_code", "This enrolment code has expired. Ask the community secretary for a new code."));
    }
  }
  Enrolment out{random_hex(32), role};
  {
    Stmt s(db_, "UPDATE enrol_codes SET used_ms=?, used_by=? WHERE code_hash=?");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.i64(1, now_ms);
    s.text(2, device_id);
    s.text(3, h);
    if (s.step() != SQLITE_DONE) return rollback(db_error(db_, "enrolling a device"));
  }
  {
    Stmt s(db_,
           "INSERT OR REPLACE INTO devices(device_id, name, role, token_hash, enrolled_ms, revoked) "
           "VALUES(?,?,?,?,?,0)");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.text(1, device_id);
    s.text(2, name.substr(0, 64));
    s.text(3, role);
    s.text(4, sha256_hex(out.token));
    s.i64(5, now_ms);
    if (s.step() != SQLITE_DONE) return rollback(db_error(db_, "enrolling a device"));
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return rollback(db_error(db_, "enrolling a device"));
  }
  return out;
}

Result<DeviceRecord> DeviceRegistry::find_by_token(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT device_id, name, role, enrolled_ms, revoked FROM devices WHERE token_hash=?");
  if (!s.ok()) return db_error(db_, "checking a device token");
  s.text(1, sha256_hex(token));
  int rc = s.step();
  if (rc == SQLITE_DONE) {
    return make_error("unauthorized",
                      "The server does not know this device's token. Enrol the device again with a code from "
                      "the community secretary.");
  }
  if (rc != SQLITE_ROW) return db_error(db_, "checking a device token");
  DeviceRecord d = read_device(s);
  if (d.revoked) {
    return make_error("unauthorized",
                      "An administrator removed this device's access. Ask the community secretary to enrol it "
                      "again.");
  }
  return d;
}

Result<std::vector<DeviceRecord>> DeviceRegistry::list() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT device_id, name, role, enrolled_ms, revoked FROM devices ORDER BY device_id");
  if (!s.ok()) return db_error(db_, "listing devices");
  std::vector<DeviceRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_device(s));
  if (rc != SQLITE_DONE) return db_error(db_, "listing devices");
  return out;
}

Status DeviceRegistry::revoke(const std::string& device_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "UPDATE devices SET revoked=1 WHERE device_id=?");
  if (!s.ok()) return db_error(db_, "revoking a device");
  s.text(1, device_id);
  if (s.step() != SQLITE_DONE) return db_error(db_, "revoking a device");
  if (sqlite3_changes(db_) == 0) return make_error("not_found", "There is no enrolled device \"" + device_id + "\".");
  return ok_status();
}

Result<uint64_t> DeviceRegistry::active_administrators() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT count(*) FROM devices WHERE role='administrator' AND revoked=0");
  if (!s.ok() || s.step() != SQLITE_ROW) return db_error(db_, "counting administrators");
  return static_cast<uint64_t>(s.col_i64(0));
}

}  // namespace dh
