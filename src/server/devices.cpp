#include "server/devices.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/operation.h"
#include "server/registry_backend.h"
#ifdef DH_HAVE_LIBPQ
#include "server/pg_registry.h"
#endif

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

// Bytes from the kernel's CSPRNG through OpenSSL; throws if it has none (the
// HTTP layer answers 500, nothing is stored).
std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&out[0]), static_cast<int>(n)) != 1) {
    throw std::runtime_error("no random numbers");
  }
  return out;
}

std::string to_hex(const unsigned char* p, size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += hex[p[i] >> 4];
    out += hex[p[i] & 15];
  }
  return out;
}

std::string random_hex(size_t bytes) {
  std::string b = random_bytes(bytes);
  return to_hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

// 16 uniform digits (bytes >= 250 are drawn again), in groups of four.
std::string random_code() {
  std::string d;
  while (d.size() < static_cast<size_t>(DeviceRegistry::kCodeDigits)) {
    for (unsigned char c : random_bytes(32)) {
      if (c < 250 && d.size() < static_cast<size_t>(DeviceRegistry::kCodeDigits)) d += static_cast<char>('0' + c % 10);
    }
  }
  return DeviceRegistry::normalise_code(d);
}

const char* const kBadCodeFormat =
    "An enrolment code is 16 digits in four groups, like 1234-5678-9012-3456. Check the digits, or ask the "
    "community secretary for a new code.";

// The key file: 64 hex characters. Created 0600 (O_EXCL) when missing;
// a looser mode is tightened.
Result<std::string> load_secret(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    const std::string raw = random_bytes(32);
    const std::string hex = to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size()) + "\n";
    int w = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w >= 0) {
      bool ok = ::write(w, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(w) == 0;
      ::close(w);
      if (!ok) {
        ::unlink(file.c_str());
        return make_error("store_error", "The server could not write its secret key file " + file + ".");
      }
      return raw;
    }
    if (errno != EEXIST) {
      return make_error("store_error",
                        "The server could not create its secret key file " + file + ": " + std::strerror(errno) + ".");
    }
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);  // another process made it first
  }
  if (fd < 0) {
    return make_error("store_error",
                      "The server could not read its secret key file " + file + ": " + std::strerror(errno) + ".");
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) ::fchmod(fd, 0600);
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  std::string raw;
  for (size_t i = 0; text.size() == 64 && i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) break;
    raw += static_cast<char>(hi * 16 + lo);
  }
  if (raw.size() != 32) {
    return make_error("store_error", "The server's secret key file " + file +
                                         " is damaged (it should hold 64 hexadecimal characters). Restore it "
                                         "from the backup of the data folder.");
  }
  return raw;
}

const char* const kUnknownCode =
    "This enrolment code is not known. Check the digits, or ask the community secretary for a new code.";
const char* const kUsedCode =
    "This enrolment code was already used. Each code enrols one device: ask the community secretary for a new code.";
const char* const kExpiredCode = "This enrolment code has expired. Ask the community secretary for a new code.";
const char* const kUnknownToken =
    "The server does not know this device's token. Enrol the device again with a code from the community secretary.";
const char* const kRevokedToken =
    "An administrator removed this device's access. Ask the community secretary to enrol it again.";

std::string device_exists_message(const std::string& device_id) {
  return "A device with the id \"" + device_id +
         "\" is already enrolled. The code was not used up: enrol under another id, or ask the community "
         "secretary to remove the old device first.";
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
         role == "projector" || role == "hub" ||
         role == "voting_tablet";
}

std::string DeviceRegistry::sha256_hex(const std::string& text) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  return to_hex(md, sizeof md);
}

std::string DeviceRegistry::keyed_hash(const std::string& purpose, const std::string& text) const {
  const std::string msg = purpose + '\n' + text;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), md, &len);
  return to_hex(md, len);
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
  if (d.size() != static_cast<size_t>(kCodeDigits)) return "";
  return d.substr(0, 4) + "-" + d.substr(4, 4) + "-" + d.substr(8, 4) + "-" + d.substr(12);
}

std::string DeviceRegistry::cut_utf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

Result<std::unique_ptr<DeviceRegistry>> DeviceRegistry::open(const std::string& path,
                                                              const std::string& secret_path) {
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
      " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, used_ms INTEGER, used_by TEXT);"
      "CREATE TABLE IF NOT EXISTS registry_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);";
  char* err = nullptr;
  if (sqlite3_exec(r->db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error("store_error", "The server's database failed while creating the device list: " + msg + ".");
  }
  std::string key_file = secret_path;
  if (key_file.empty() && path != ":memory:" && !path.empty()) {
    auto slash = path.rfind('/');
    key_file = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/server-secret.key";
  }
  if (auto s = r->load_and_check_secret(key_file); !s) return s.error();
  return r;
}

Result<std::unique_ptr<DeviceRegistry>> DeviceRegistry::open_postgres(const std::string& conninfo,
                                                                       const std::string& secret_path,
                                                                       int connections) {
#ifdef DH_HAVE_LIBPQ
  auto pool = PgPool::open(conninfo, static_cast<size_t>(std::max(connections, 1)));
  if (!pool) return make_error("store_error", "Cannot open the device list in PostgreSQL: " + pool.error().message);
  return open_postgres(std::move(pool).value(), "dianhong", secret_path);
#else
  (void)conninfo;
  (void)secret_path;
  (void)connections;
  return make_error("store_error", "This server was built without PostgreSQL (libpq).");
#endif
}

Result<std::unique_ptr<DeviceRegistry>> DeviceRegistry::open_postgres(std::shared_ptr<PgPool> pool,
                                                                       const std::string& schema,
                                                                       const std::string& secret_path) {
#ifdef DH_HAVE_LIBPQ
  if (secret_path.empty()) {
    return make_error("store_error", "The device list in PostgreSQL needs the path of the shared secret key file.");
  }
  std::unique_ptr<DeviceRegistry> r(new DeviceRegistry());
  auto backend = open_pg_registry(std::move(pool), schema);
  if (!backend) return backend.error();
  r->backend_ = std::move(backend).value();
  if (auto s = r->load_and_check_secret(secret_path); !s) return s.error();
  return r;
#else
  (void)pool;
  (void)schema;
  (void)secret_path;
  return make_error("store_error", "This server was built without PostgreSQL (libpq).");
#endif
}

Status DeviceRegistry::load_and_check_secret(const std::string& key_file) {
  if (key_file.empty()) {
    secret_ = random_bytes(32);
  } else {
    auto secret = load_secret(key_file);
    if (!secret) return secret.error();
    secret_ = std::move(secret).value();
  }
  // The database remembers which key it was used with.
  const std::string check = keyed_hash("secret-check", "dianhong");
  const auto mismatch = [&] {
    return make_error("secret_mismatch",
                      "The secret key file " + key_file +
                          " is not the one this database was used with, so no enrolled device could sign in. " +
                          (backend_ ? std::string("Every server of one PostgreSQL database must be given the same "
                                                  "file with --secret-file.")
                                    : std::string("Restore the key file from the same backup as server.sqlite.")));
  };
  if (backend_) {
    auto stored = backend_->put_meta_if_absent("secret_check", check);
    if (!stored) return stored.error();
    if (stored.value() != check) return mismatch();
    return ok_status();
  }
  {
    Stmt s(db_, "SELECT value FROM registry_meta WHERE name='secret_check'");
    if (!s.ok()) return db_error(db_, "reading the device list");
    int rc = s.step();
    if (rc == SQLITE_ROW && s.col_text(0) != check) return mismatch();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db_, "reading the device list");
  }
  Stmt s(db_, "INSERT OR IGNORE INTO registry_meta(name, value) VALUES('secret_check', ?)");
  if (!s.ok()) return db_error(db_, "saving the device list");
  s.text(1, check);
  if (s.step() != SQLITE_DONE) return db_error(db_, "saving the device list");
  return ok_status();
}

DeviceRegistry::~DeviceRegistry() {
  if (db_) sqlite3_close_v2(db_);
}

Result<EnrolCode> DeviceRegistry::create_code(const std::string& role, int64_t now_ms, const std::string& code) {
  if (!roles_.empty()) {
    if (std::find(roles_.begin(), roles_.end(), role) == roles_.end()) {
      std::string list;
      for (const auto& r : roles_) list += (list.empty() ? "" : ", ") + r;
      return make_error("bad_role", "\"" + role.substr(0, 40) + "\" is not a role here. Roles: " + list + ".");
    }
  } else if (!is_valid_role(role)) {
    return make_error("bad_role", "\"" + role +
                                      "\" is not a role. Roles: administrator, coordinator, grid_worker, kiosk, "
                                      "projector, hub, voting_tablet.");
  }
  const bool given = !code.empty();
  std::string c = given ? normalise_code(code) : random_code();
  if (c.empty()) return make_error("bad_code", kBadCodeFormat);
  std::lock_guard<std::mutex> lock(mu_);
  for (int attempt = 0;; ++attempt) {
    const std::string h = keyed_hash("code", c);
    // A code stored before is never armed again, never extended: a given one
    // still unused, unexpired and of this role is answered as it stands;
    // nullopt: try another random code.
    auto stored_before = [&](const std::string& stored_role, bool used,
                             int64_t expires_ms) -> std::optional<Result<EnrolCode>> {
      if (given && !used && expires_ms > now_ms && stored_role == role) return Result<EnrolCode>(EnrolCode{c, role, expires_ms});
      if (given) {
        return Result<EnrolCode>(make_error("code_used", "The enrolment code " + c +
                                                             " was used or has expired, or belongs to another role; a "
                                                             "code is never armed again. Choose another code."));
      }
      if (attempt > 10) return Result<EnrolCode>(make_error("store_error", "The server could not find a fresh enrolment code."));
      return std::nullopt;
    };
    if (backend_) {
      auto found = backend_->find_code(h);
      if (!found) return found.error();
      bool inserted = false;
      if (!found.value()) {
        auto ins = backend_->insert_code(h, role, now_ms, now_ms + kCodeValidMs);
        if (!ins) return ins.error();
        inserted = ins.value();
        if (inserted) return EnrolCode{c, role, now_ms + kCodeValidMs};
        // Another server stored it a moment ago: judge the stored one.
        found = backend_->find_code(h);
        if (!found) return found.error();
        if (!found.value()) return make_error("store_error", "The server could not store an enrolment code.");
      }
      const RegistryBackend::CodeRow& row = *found.value();
      if (auto answer = stored_before(row.role, row.used, row.expires_ms)) return std::move(*answer);
      c = random_code();
      continue;
    }
    Stmt q(db_, "SELECT role, expires_ms, used_ms FROM enrol_codes WHERE code_hash=?");
    if (!q.ok()) return db_error(db_, "saving an enrolment code");
    q.text(1, h);
    int rc = q.step();
    if (rc == SQLITE_ROW) {
      const bool used = sqlite3_column_type(q.get(), 2) != SQLITE_NULL;
      if (auto answer = stored_before(q.col_text(0), used, q.col_i64(1))) return std::move(*answer);
      c = random_code();
      continue;
    }
    if (rc != SQLITE_DONE) return db_error(db_, "saving an enrolment code");
    Stmt s(db_, "INSERT INTO enrol_codes(code_hash, role, created_ms, expires_ms) VALUES(?,?,?,?)");
    if (!s.ok()) return db_error(db_, "saving an enrolment code");
    s.text(1, h);
    s.text(2, role);
    s.i64(3, now_ms);
    s.i64(4, now_ms + kCodeValidMs);
    if (s.step() != SQLITE_DONE) return db_error(db_, "saving an enrolment code");
    return EnrolCode{c, role, now_ms + kCodeValidMs};
  }
}

bool DeviceRegistry::code_usable(const std::string& code, int64_t now_ms) {
  std::string c = normalise_code(code);
  if (c.empty()) return false;
  if (backend_) {
    auto usable = backend_->code_usable(keyed_hash("code", c), now_ms);
    return usable && usable.value();
  }
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT 1 FROM enrol_codes WHERE code_hash=? AND used_ms IS NULL AND expires_ms>?");
  if (!s.ok()) return false;
  s.text(1, keyed_hash("code", c));
  s.i64(2, now_ms);
  return s.step() == SQLITE_ROW;
}

int64_t DeviceRegistry::enrol_retry_after_ms(const std::string& from, int64_t now_ms) {
  return std::max(per_address_.blocked_for("addr:" + from, now_ms), overall_.blocked_for("all", now_ms));
}

void DeviceRegistry::enrol_failed(const std::string& from, int64_t now_ms) {
  per_address_.record_failure("addr:" + from, now_ms);
  overall_.record_failure("all", now_ms);
}

Result<Enrolment> DeviceRegistry::enrol(const std::string& code, const std::string& device_id,
                                         const std::string& name, int64_t now_ms, const std::string& from) {
  // Bounded before anything is looked up.
  if (int64_t wait = enrol_retry_after_ms(from, now_ms); wait > 0) {
    return make_error("too_many_attempts", "Too many wrong enrolment codes were tried. Wait " +
                                               std::to_string((wait + 59999) / 60000) +
                                               " minutes, then type the code again carefully.");
  }
  if (!is_valid_device_id(device_id)) {
    return make_error("bad_device", "The device id must be 1 to 32 characters of a-z, 0-9 and '-'.");
  }
  // "server" authors the QR check-ins and "demo" the demo data set: a device
  // enrolled under either name could push operations that pass for theirs.
  if (device_id == "server" || device_id == "demo") {
    return make_error("bad_device", "The device id \"" + device_id + "\" is reserved; the app picks a random one.");
  }
  std::string c = normalise_code(code);
  if (c.empty()) {
    enrol_failed(from, now_ms);
    return make_error("bad_code", kBadCodeFormat);
  }
  const std::string h = keyed_hash("code", c);
  if (backend_) {
    Enrolment out{random_hex(32), ""};
    auto done = backend_->enrol(h, device_id, cut_utf8(name, kMaxNameBytes), keyed_hash("token", out.token), now_ms);
    if (!done) return done.error();
    using O = RegistryBackend::EnrolOutcome;
    switch (done->outcome) {
      case O::enrolled:
        out.role = done->role;
        return out;
      case O::unknown_code:
        enrol_failed(from, now_ms);
        return make_error("bad_code", kUnknownCode);
      case O::used_code:
        enrol_failed(from, now_ms);
        return make_error("bad_code", kUsedCode);
      case O::expired_code:
        enrol_failed(from, now_ms);
        return make_error("bad_code", kExpiredCode);
      case O::device_exists:
        return make_error("device_exists", device_exists_message(device_id));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db_, "enrolling a device");
  }
  auto rollback = [&](Error e) -> Result<Enrolment> {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    if (e.code == "bad_code") enrol_failed(from, now_ms);
    return e;
  };
  std::string role;
  {
    Stmt s(db_, "SELECT role, expires_ms, used_ms FROM enrol_codes WHERE code_hash=?");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.text(1, h);
    if (s.step() != SQLITE_ROW) {
      return rollback(make_error("bad_code", kUnknownCode));
    }
    role = s.col_text(0);
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) {
      return rollback(make_error("bad_code", kUsedCode));
    }
    if (s.col_i64(1) <= now_ms) {
      return rollback(make_error("bad_code", kExpiredCode));
    }
  }
  {
    // An enrolled id belongs to its device until an administrator revokes it.
    Stmt s(db_, "SELECT revoked FROM devices WHERE device_id=?");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.text(1, device_id);
    int rc = s.step();
    if (rc == SQLITE_ROW && s.col_i64(0) == 0) {
      return rollback(make_error("device_exists", device_exists_message(device_id)));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rollback(db_error(db_, "enrolling a device"));
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
    // Only an absent or revoked id gets here.
    Stmt s(db_,
           "INSERT OR REPLACE INTO devices(device_id, name, role, token_hash, enrolled_ms, revoked) "
           "VALUES(?,?,?,?,?,0)");
    if (!s.ok()) return rollback(db_error(db_, "enrolling a device"));
    s.text(1, device_id);
    s.text(2, cut_utf8(name, kMaxNameBytes));
    s.text(3, role);
    s.text(4, keyed_hash("token", out.token));
    s.i64(5, now_ms);
    if (s.step() != SQLITE_DONE) return rollback(db_error(db_, "enrolling a device"));
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return rollback(db_error(db_, "enrolling a device"));
  }
  return out;
}

Result<DeviceRecord> DeviceRegistry::find_by_token(const std::string& token) {
  const std::string keyed = keyed_hash("token", token);
  const std::string legacy = sha256_hex(token);
  if (backend_) {
    auto found = backend_->find_token(keyed, legacy);
    if (!found) return found.error();
    if (!found.value()) return make_error("unauthorized", kUnknownToken);
    const RegistryBackend::TokenMatch& m = *found.value();
    if (m.revoked) return make_error("unauthorized", kRevokedToken);
    if (m.token_hash == legacy) (void)backend_->set_token_hash(m.device_id, keyed);
    DeviceRecord d;
    d.device_id = m.device_id;
    d.name = m.name;
    d.role = m.role;
    d.enrolled_ms = m.enrolled_ms;
    return d;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT device_id, name, role, enrolled_ms, revoked, token_hash FROM devices WHERE token_hash IN (?,?)");
  if (!s.ok()) return db_error(db_, "checking a device token");
  s.text(1, keyed);
  s.text(2, legacy);
  int rc = s.step();
  if (rc == SQLITE_DONE) {
    return make_error("unauthorized", kUnknownToken);
  }
  if (rc != SQLITE_ROW) return db_error(db_, "checking a device token");
  DeviceRecord d = read_device(s);
  const bool rekey = s.col_text(5) == legacy;
  if (d.revoked) {
    return make_error("unauthorized", kRevokedToken);
  }
  if (rekey) {  // stored as plain SHA-256 by an older server
    Stmt u(db_, "UPDATE devices SET token_hash=? WHERE device_id=?");
    if (u.ok()) {
      u.text(1, keyed);
      u.text(2, d.device_id);
      u.step();
    }
  }
  return d;
}

Result<std::vector<DeviceRecord>> DeviceRegistry::list() {
  std::vector<DeviceRecord> out;
  if (backend_) {
    auto rows = backend_->list();
    if (!rows) return rows.error();
    for (const auto& m : rows.value()) {
      DeviceRecord d;
      d.device_id = m.device_id;
      d.name = m.name;
      d.role = m.role;
      d.enrolled_ms = m.enrolled_ms;
      d.revoked = m.revoked;
      out.push_back(std::move(d));
    }
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT device_id, name, role, enrolled_ms, revoked FROM devices ORDER BY device_id");
    if (!s.ok()) return db_error(db_, "listing devices");
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_device(s));
    if (rc != SQLITE_DONE) return db_error(db_, "listing devices");
  }
  std::lock_guard<std::mutex> contact_lock(contact_mu_);
  for (auto& d : out) {
    auto it = contacts_.find(d.device_id);
    if (it == contacts_.end()) continue;
    d.last_contact_ms = it->second.last_ms;
    d.pulled = it->second.pulled;
    d.pulled_to = it->second.pulled_to;
  }
  return out;
}

void DeviceRegistry::note_contact(const std::string& device_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(contact_mu_);
  Contact& c = contacts_[device_id];
  c.last_ms = std::max(c.last_ms, now_ms);
}

void DeviceRegistry::note_pulled(const std::string& device_id, uint64_t seq) {
  std::lock_guard<std::mutex> lock(contact_mu_);
  Contact& c = contacts_[device_id];
  c.pulled = true;
  c.pulled_to = seq;
}

Status DeviceRegistry::revoke(const std::string& device_id) {
  if (backend_) {
    auto done = backend_->revoke(device_id);
    if (!done) return done.error();
    if (!done.value()) return make_error("not_found", "There is no enrolled device \"" + device_id + "\".");
    return ok_status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "UPDATE devices SET revoked=1 WHERE device_id=?");
  if (!s.ok()) return db_error(db_, "revoking a device");
  s.text(1, device_id);
  if (s.step() != SQLITE_DONE) return db_error(db_, "revoking a device");
  if (sqlite3_changes(db_) == 0) return make_error("not_found", "There is no enrolled device \"" + device_id + "\".");
  return ok_status();
}

Result<uint64_t> DeviceRegistry::active_administrators() {
  if (backend_) return backend_->active_administrators();
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT count(*) FROM devices WHERE role='administrator' AND revoked=0");
  if (!s.ok() || s.step() != SQLITE_ROW) return db_error(db_, "counting administrators");
  return static_cast<uint64_t>(s.col_i64(0));
}

}  // namespace dh
