#include "server/pg_registry.h"

#include <libpq-fe.h>

#include "server/pg_pool.h"

#include <cstdlib>
#include <initializer_list>
#include <vector>

namespace dh {
namespace {

constexpr int64_t kSchemaLockKey = 0x4448444556524547;  // "DHDEVREG"

constexpr const char* kSchema =
    "CREATE SCHEMA IF NOT EXISTS dianhong;"
    "CREATE TABLE IF NOT EXISTS dianhong.devices("
    " device_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
    " token_hash TEXT NOT NULL UNIQUE, enrolled_ms BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false);"
    "CREATE TABLE IF NOT EXISTS dianhong.enrol_codes("
    " code_hash TEXT PRIMARY KEY, role TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL,"
    " used_ms BIGINT, used_by TEXT);"
    "CREATE TABLE IF NOT EXISTS dianhong.registry_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);";

std::string trimmed(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "unknown error" : m;
}

Error db_error(const std::string& what, const std::string& detail) {
  return make_error("store_error", "The server's database failed while " + what + ": " + detail + ".");
}

class Res {
 public:
  explicit Res(PGresult* r) : r_(r) {}
  ~Res() { PQclear(r_); }
  Res(const Res&) = delete;
  Res& operator=(const Res&) = delete;
  bool ok() const {
    auto s = PQresultStatus(r_);
    return r_ && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
  }
  int rows() const { return PQntuples(r_); }
  int changed() const { return std::atoi(PQcmdTuples(r_)); }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  int64_t i64(int row, int col) const { return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }
  bool is_true(int row, int col) const { return text(row, col) == "t"; }
  std::string message() const { return trimmed(r_ ? PQresultErrorMessage(r_) : "no result"); }

 private:
  PGresult* r_;
};

// A pooled connection (pg_pool.h: bounded waits, and after a failover or a
// restart it is replaced with the same connection string, so it reaches
// whichever host is the primary now), with the registry's schema.
struct Conn {
  PgPool::Lease lease;
  const std::string* schema;
  PGconn* pg() const { return lease->pg; }
  Res run(const char* sql, std::initializer_list<std::string> params) {
    const std::string text = PgPool::in_schema(sql, *schema);
    std::vector<std::string> keep(params);
    std::vector<const char*> values;
    for (const auto& p : keep) values.push_back(p.c_str());
    PGresult* raw = PQexecParams(pg(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                 nullptr, 0);
    const ExecStatusType st = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) lease->note_failure(raw);  // lost: replaced before its next use
    return Res(raw);
  }
  void rollback() { Res r(PQexec(pg(), "ROLLBACK")); }
};

class PgRegistry final : public RegistryBackend {
 public:
  std::shared_ptr<PgPool> pool;
  std::string schema;

  // A connection, locked for the caller and ready.
  Result<Conn> lease() {
    auto l = pool->lease();
    if (!l) return l.error();
    return Conn{std::move(l).value(), &schema};
  }

  Result<std::string> put_meta_if_absent(const std::string& name, const std::string& value) override {
    auto l = lease();
    if (!l) return l.error();
    Conn& c = l.value();
    Res ins = c.run("INSERT INTO dianhong.registry_meta(name, value) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
                    {name, value});
    if (!ins.ok()) return db_error("saving the device list", ins.message());
    Res r = c.run("SELECT value FROM dianhong.registry_meta WHERE name = $1", {name});
    if (!r.ok() || r.rows() != 1) return db_error("reading the device list", r.message());
    return r.text(0, 0);
  }

  Result<std::optional<CodeRow>> find_code(const std::string& code_hash) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run("SELECT role, expires_ms, used_ms IS NOT NULL FROM dianhong.enrol_codes WHERE code_hash = $1",
                          {code_hash});
    if (!r.ok()) return db_error("reading an enrolment code", r.message());
    if (r.rows() == 0) return std::optional<CodeRow>();
    return std::optional<CodeRow>(CodeRow{r.text(0, 0), r.i64(0, 1), r.is_true(0, 2)});
  }

  Result<bool> insert_code(const std::string& code_hash, const std::string& role, int64_t created_ms,
                           int64_t expires_ms) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run(
        "INSERT INTO dianhong.enrol_codes(code_hash, role, created_ms, expires_ms) VALUES($1, $2, $3::bigint, $4::bigint)"
        " ON CONFLICT (code_hash) DO NOTHING",
        {code_hash, role, std::to_string(created_ms), std::to_string(expires_ms)});
    if (!r.ok()) return db_error("saving an enrolment code", r.message());
    return r.changed() == 1;
  }

  Result<bool> code_usable(const std::string& code_hash, int64_t now_ms) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run(
        "SELECT 1 FROM dianhong.enrol_codes WHERE code_hash = $1 AND used_ms IS NULL AND expires_ms > $2::bigint",
        {code_hash, std::to_string(now_ms)});
    if (!r.ok()) return db_error("reading an enrolment code", r.message());
    return r.rows() == 1;
  }

  Result<Enrolled> enrol(const std::string& code_hash, const std::string& device_id, const std::string& name,
                         const std::string& token_hash, int64_t now_ms) override {
    auto l = lease();
    if (!l) return l.error();
    Conn& c = l.value();
    {
      Res b(PQexec(c.pg(), "BEGIN"));
      if (!b.ok()) return db_error("enrolling a device", b.message());
    }
    auto fail = [&](const Res& r) -> Result<Enrolled> {
      Error e = db_error("enrolling a device", r.message());
      c.rollback();
      return e;
    };
    auto refuse = [&](EnrolOutcome o) -> Result<Enrolled> {
      c.rollback();
      return Enrolled{o, ""};
    };
    const std::string now = std::to_string(now_ms);
    Res code = c.run("SELECT role, expires_ms, used_ms IS NOT NULL FROM dianhong.enrol_codes WHERE code_hash = $1"
                     " FOR UPDATE",
                     {code_hash});
    if (!code.ok()) return fail(code);
    if (code.rows() == 0) return refuse(EnrolOutcome::unknown_code);
    const std::string role = code.text(0, 0);
    if (code.is_true(0, 2)) return refuse(EnrolOutcome::used_code);
    if (code.i64(0, 1) <= now_ms) return refuse(EnrolOutcome::expired_code);
    Res dev = c.run("SELECT revoked FROM dianhong.devices WHERE device_id = $1 FOR UPDATE", {device_id});
    if (!dev.ok()) return fail(dev);
    if (dev.rows() == 1 && !dev.is_true(0, 0)) return refuse(EnrolOutcome::device_exists);
    Res used = c.run("UPDATE dianhong.enrol_codes SET used_ms = $1::bigint, used_by = $2 WHERE code_hash = $3",
                     {now, device_id, code_hash});
    if (!used.ok()) return fail(used);
    // Only an absent or revoked id is (re)placed; another process that
    // enrolled the same new id a moment ago wins (0 rows: device_exists).
    Res put = c.run(
        "INSERT INTO dianhong.devices(device_id, name, role, token_hash, enrolled_ms, revoked)"
        " VALUES($1, $2, $3, $4, $5::bigint, false)"
        " ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, role = excluded.role,"
        " token_hash = excluded.token_hash, enrolled_ms = excluded.enrolled_ms, revoked = false"
        " WHERE dianhong.devices.revoked",
        {device_id, name, role, token_hash, now});
    if (!put.ok()) return fail(put);
    if (put.changed() != 1) return refuse(EnrolOutcome::device_exists);
    Res done(PQexec(c.pg(), "COMMIT"));
    if (!done.ok()) return fail(done);
    return Enrolled{EnrolOutcome::enrolled, role};
  }

  static TokenMatch row_of(const Res& r, int i) {
    TokenMatch m;
    m.device_id = r.text(i, 0);
    m.name = r.text(i, 1);
    m.role = r.text(i, 2);
    m.enrolled_ms = r.i64(i, 3);
    m.revoked = r.is_true(i, 4);
    m.token_hash = r.text(i, 5);
    return m;
  }

  Result<std::optional<TokenMatch>> find_token(const std::string& keyed, const std::string& legacy) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run(
        "SELECT device_id, name, role, enrolled_ms, revoked, token_hash FROM dianhong.devices"
        " WHERE token_hash IN ($1, $2) LIMIT 1",
        {keyed, legacy});
    if (!r.ok()) return db_error("checking a device token", r.message());
    if (r.rows() == 0) return std::optional<TokenMatch>();
    return std::optional<TokenMatch>(row_of(r, 0));
  }

  Status set_token_hash(const std::string& device_id, const std::string& token_hash) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run("UPDATE dianhong.devices SET token_hash = $1 WHERE device_id = $2", {token_hash, device_id});
    if (!r.ok()) return db_error("checking a device token", r.message());
    return ok_status();
  }

  Result<std::vector<TokenMatch>> list() override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run(
        "SELECT device_id, name, role, enrolled_ms, revoked, token_hash FROM dianhong.devices ORDER BY device_id", {});
    if (!r.ok()) return db_error("listing devices", r.message());
    std::vector<TokenMatch> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(row_of(r, i));
    return out;
  }

  Result<bool> revoke(const std::string& device_id) override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run("UPDATE dianhong.devices SET revoked = true WHERE device_id = $1", {device_id});
    if (!r.ok()) return db_error("revoking a device", r.message());
    return r.changed() > 0;
  }

  Result<uint64_t> active_administrators() override {
    auto l = lease();
    if (!l) return l.error();
    Res r = l.value().run("SELECT count(*) FROM dianhong.devices WHERE role = 'administrator' AND NOT revoked", {});
    if (!r.ok() || r.rows() != 1) return db_error("counting administrators", r.message());
    return static_cast<uint64_t>(r.i64(0, 0));
  }
};

}  // namespace

Result<std::unique_ptr<RegistryBackend>> open_pg_registry(std::shared_ptr<PgPool> pool, const std::string& schema) {
  if (!PgPool::is_schema_name(schema)) {
    return make_error("store_error", "\"" + schema.substr(0, 70) + "\" cannot name a PostgreSQL schema.");
  }
  auto reg = std::make_unique<PgRegistry>();
  reg->pool = std::move(pool);
  reg->schema = schema;
  // The tables, once per schema, under a lock (servers starting at once).
  auto l = reg->lease();
  if (!l) return make_error("store_error", "Cannot open the device list in PostgreSQL: " + l.error().message);
  Conn& c = l.value();
  {
    Res b(PQexec(c.pg(), "BEGIN"));
    if (!b.ok()) return db_error("creating the device list", b.message());
  }
  Res lock = c.run("SELECT pg_advisory_xact_lock($1::bigint)", {std::to_string(kSchemaLockKey)});
  if (!lock.ok()) {
    c.rollback();
    return db_error("creating the device list", lock.message());
  }
  Res made(PQexec(c.pg(), PgPool::in_schema(kSchema, schema).c_str()));
  if (!made.ok()) {
    c.rollback();
    return db_error("creating the device list", made.message());
  }
  Res done(PQexec(c.pg(), "COMMIT"));
  if (!done.ok()) return db_error("creating the device list", done.message());
  return std::unique_ptr<RegistryBackend>(std::move(reg));
}

}  // namespace dh
