// The device registry's defences (issue 8; src/server/devices.h): enrolled ids
// are never taken over, codes are long, keyed-hashed and never revived, wrong
// codes are limited per address and overall, names are cut at a character.
// Unit tests against DeviceRegistry on a real database file, and against the
// real dianhong_server process where the behaviour is HTTP's (409, 429 with
// Retry-After, --admin-code on restart).
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>

#include "server/devices.h"
#include "server_process.h"
#include "sync/protocol.h"

using dh::DeviceRegistry;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

constexpr int64_t kNow = 1780000000000;  // 2026-05-28, any fixed time

std::unique_ptr<DeviceRegistry> open_registry(const std::string& dir) {
  auto r = DeviceRegistry::open(dir + "/server.sqlite");
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(r).value();
}

// Every value of one column, read with SQLite directly.
std::vector<std::string> column(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    out.push_back(t ? reinterpret_cast<const char*>(t) : "");
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("registry: an enrolled device id is never taken over without an administrator",
          "[native][server][devices]") {
  TempDir dir;
  auto reg = open_registry(dir.path());
  auto admin_code = reg->create_code("administrator", kNow);
  REQUIRE(admin_code);
  auto admin = reg->enrol(admin_code->code, "admin-1", "secretary", kNow, "10.0.0.1");
  REQUIRE(admin);

  // A kiosk code enrolled under the administrator's id is refused, and the
  // code is not used up by the refusal.
  auto kiosk_code = reg->create_code("kiosk", kNow);
  REQUIRE(kiosk_code);
  auto hijack = reg->enrol(kiosk_code->code, "admin-1", "kiosk", kNow + 1, "10.0.0.2");
  REQUIRE_FALSE(hijack);
  CHECK(hijack.error().code == "device_exists");
  CHECK(reg->code_usable(kiosk_code->code, kNow + 2));
  auto still = reg->find_by_token(admin->token);
  REQUIRE(still);
  CHECK(still->role == "administrator");
  // Also with an administrator code: the id stays with its device.
  auto second_admin = reg->create_code("administrator", kNow);
  REQUIRE(second_admin);
  auto again = reg->enrol(second_admin->code, "admin-1", "x", kNow + 3);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "device_exists");

  // After the administrator revokes the id, it may be enrolled again.
  auto other = reg->enrol(second_admin->code, "admin-2", "deputy", kNow + 4);
  REQUIRE(other);
  REQUIRE(reg->revoke("admin-1"));
  auto reused = reg->enrol(kiosk_code->code, "admin-1", "kiosk", kNow + 5);
  REQUIRE(reused);
  CHECK(reused->role == "kiosk");
  CHECK_FALSE(reg->find_by_token(admin->token));  // the old token stays dead
  auto now_kiosk = reg->find_by_token(reused->token);
  REQUIRE(now_kiosk);
  CHECK(now_kiosk->role == "kiosk");
}

TEST_CASE("registry: codes are 16 digits, stored as keyed hashes, the key outside the database",
          "[native][server][devices]") {
  TempDir dir;
  auto reg = open_registry(dir.path());
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto c = reg->create_code("kiosk", kNow);
    REQUIRE(c);
    CHECK(std::regex_match(c->code, std::regex(R"(\d{4}-\d{4}-\d{4}-\d{4})")));
    seen.insert(c->code);
  }
  CHECK(seen.size() == 50);
  CHECK(DeviceRegistry::normalise_code("1234 5678 9012 3456") == "1234-5678-9012-3456");
  CHECK(DeviceRegistry::normalise_code("1234567890123456") == "1234-5678-9012-3456");
  CHECK(DeviceRegistry::normalise_code("1234-5678").empty());  // the old 8-digit codes
  CHECK(DeviceRegistry::normalise_code("1234-5678-9012-345x").empty());
  auto short_code = reg->create_code("kiosk", kNow, "1234-5678");
  REQUIRE_FALSE(short_code);
  CHECK(short_code.error().code == "bad_code");

  auto code = reg->create_code("coordinator", kNow, "1111-2222-3333-4444");
  REQUIRE(code);
  auto e = reg->enrol(code->code, "coord-1", "tablet", kNow);
  REQUIRE(e);
  const std::string db = dir.path() + "/server.sqlite";
  auto code_hashes = column(db, "SELECT code_hash FROM enrol_codes");
  auto token_hashes = column(db, "SELECT token_hash FROM devices");
  REQUIRE(token_hashes.size() == 1);
  // Neither the code, nor the token, nor their plain SHA-256 is in the database.
  for (const auto& h : code_hashes) {
    CHECK(h != DeviceRegistry::sha256_hex("1111-2222-3333-4444"));
    CHECK(h != DeviceRegistry::sha256_hex("1111222233334444"));
    // Not the code's digits either (a whole group of them: four digits alone
    // turn up in a random hex hash about once in a thousand runs).
    CHECK(h.find("1111222233334444") == std::string::npos);
    CHECK(h.find("1111-2222") == std::string::npos);
  }
  CHECK(token_hashes[0] != DeviceRegistry::sha256_hex(e->token));
  CHECK(token_hashes[0] != e->token);
  CHECK(token_hashes[0] == reg->keyed_hash("token", e->token));

  // The key: 0600, in its own file, not in the database.
  struct stat st {};
  const std::string key_file = dir.path() + "/server-secret.key";
  REQUIRE(stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream kf(key_file);
  std::string key;
  std::getline(kf, key);
  CHECK(key.size() == 64);
  for (const auto& v : column(db, "SELECT value FROM registry_meta")) CHECK(v.find(key) == std::string::npos);

  // The database with another key opens with a clear refusal, not a lockout.
  reg.reset();
  TempDir other;
  auto wrong = DeviceRegistry::open(db, other.path() + "/other.key");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == "secret_mismatch");
  // With its own key again, the device still signs in.
  auto back = open_registry(dir.path());
  CHECK(back->find_by_token(e->token));
}

TEST_CASE("registry: a token stored by an older server as plain SHA-256 still works and is re-keyed",
          "[native][server][devices]") {
  TempDir dir;
  const std::string token(64, 'b');
  {
    auto reg = open_registry(dir.path());
  }
  exec(dir.path() + "/server.sqlite",
       "INSERT INTO devices(device_id, name, role, token_hash, enrolled_ms, revoked) VALUES('old-1','old','coordinator','" +
           DeviceRegistry::sha256_hex(token) + "',1,0)");
  auto reg = open_registry(dir.path());
  auto d = reg->find_by_token(token);
  REQUIRE(d);
  CHECK(d->device_id == "old-1");
  auto stored = column(dir.path() + "/server.sqlite", "SELECT token_hash FROM devices WHERE device_id='old-1'");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0] == reg->keyed_hash("token", token));
  CHECK(reg->find_by_token(token));
}

TEST_CASE("registry: a used or expired code is never armed again", "[native][server][devices]") {
  TempDir dir;
  auto reg = open_registry(dir.path());
  const std::string given = "5555-6666-7777-8888";
  auto first = reg->create_code("administrator", kNow, given);
  REQUIRE(first);
  // Created again while unused (a restart with --admin-code): the same expiry, not extended.
  auto repeat = reg->create_code("administrator", kNow + 3600000, given);
  REQUIRE(repeat);
  CHECK(repeat->expires_ms == first->expires_ms);
  REQUIRE(reg->enrol(given, "admin-1", "secretary", kNow + 1));
  // Used: refused, and a second administrator cannot enrol with it.
  auto revived = reg->create_code("administrator", kNow + 2, given);
  REQUIRE_FALSE(revived);
  CHECK(revived.error().code == "code_used");
  auto second = reg->enrol(given, "admin-2", "intruder", kNow + 3);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == "bad_code");
  // Expired without use: not armed again either.
  const std::string stale = "1212-3434-5656-7878";
  REQUIRE(reg->create_code("kiosk", kNow, stale));
  auto late = reg->create_code("kiosk", kNow + DeviceRegistry::kCodeValidMs + 1, stale);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == "code_used");
  CHECK_FALSE(reg->code_usable(stale, kNow + DeviceRegistry::kCodeValidMs + 2));
}

TEST_CASE("registry: wrong codes are limited per address and overall", "[native][server][devices]") {
  TempDir dir;
  auto reg = open_registry(dir.path());
  auto good = reg->create_code("kiosk", kNow);
  REQUIRE(good);
  const std::string bad = "0000-0000-0000-0001";
  for (int i = 0; i < DeviceRegistry::kMaxFailuresPerAddress; ++i) {
    auto r = reg->enrol(bad, "k-1", "kiosk", kNow + i, "192.0.2.7");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_code");
  }
  // Past the limit even the right code is refused from that address, before
  // it is looked at (it stays usable).
  auto blocked = reg->enrol(good->code, "k-1", "kiosk", kNow + 100, "192.0.2.7");
  REQUIRE_FALSE(blocked);
  CHECK(blocked.error().code == "too_many_attempts");
  CHECK(reg->code_usable(good->code, kNow + 100));
  const int64_t wait = reg->enrol_retry_after_ms("192.0.2.7", kNow + 100);
  CHECK(wait > 0);
  CHECK(wait <= DeviceRegistry::kAddressWindowMs);
  // Malformed codes count too.
  CHECK(reg->enrol("12", "k-1", "kiosk", kNow + 101, "192.0.2.7").error().code == "too_many_attempts");
  // Another address is not affected; the first may try again after the window.
  CHECK(reg->enrol_retry_after_ms("192.0.2.8", kNow + 100) == 0);
  auto later = reg->enrol(good->code, "k-1", "kiosk", kNow + DeviceRegistry::kAddressWindowMs + 10, "192.0.2.7");
  CHECK(later);

  // Overall: many addresses together hit the overall cap.
  TempDir dir2;
  auto reg2 = open_registry(dir2.path());
  auto good2 = reg2->create_code("kiosk", kNow);
  REQUIRE(good2);
  for (int i = 0; i < DeviceRegistry::kMaxFailuresOverall; ++i) {
    auto r = reg2->enrol(bad, "k-1", "kiosk", kNow + i, "198.51.100." + std::to_string(i));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_code");
  }
  auto fresh = reg2->enrol(good2->code, "k-1", "kiosk", kNow + 1000, "203.0.113.1");
  REQUIRE_FALSE(fresh);
  CHECK(fresh.error().code == "too_many_attempts");
  CHECK(reg2->enrol(good2->code, "k-1", "kiosk", kNow + DeviceRegistry::kOverallWindowMs + 10, "203.0.113.1"));
}

TEST_CASE("registry: a device name is cut at a character boundary", "[native][server][devices]") {
  TempDir dir;
  auto reg = open_registry(dir.path());
  std::string name;
  for (int i = 0; i < 30; ++i) name += "滇";  // 90 bytes
  auto c = reg->create_code("kiosk", kNow);
  REQUIRE(c);
  REQUIRE(reg->enrol(c->code, "k-1", "a" + name, kNow));  // 1 + 3k bytes: 64 falls inside a character
  auto list = reg->list();
  REQUIRE(list);
  REQUIRE(list->size() == 1);
  const std::string& stored = list->front().name;
  CHECK(valid_utf8(stored));
  CHECK(stored.size() <= DeviceRegistry::kMaxNameBytes);
  CHECK(stored == "a" + name.substr(0, 63));  // 21 whole characters
  CHECK(DeviceRegistry::cut_utf8("ab", 64) == "ab");
}

TEST_CASE("server: enrolment refuses a taken id (409) and too many wrong codes (429, Retry-After)",
          "[native][server][devices]") {
  TempDir data;
  ServerProcess server(data.path());
  REQUIRE(server.start());
  auto anon = server.anonymous_client();
  std::string code = server.new_code("kiosk");
  REQUIRE_FALSE(code.empty());
  // The administrator's own id.
  auto res = anon->Post("/api/v1/enrol", "{\"code\":\"" + code + "\",\"device\":\"test-admin\"}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 409);
  auto e = dh::sync::decode_error(res->body);
  REQUIRE(e);
  CHECK(e->code == "device_exists");
  auto list = server.client()->Get("/api/v1/admin/devices");  // the administrator still works
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK_FALSE(server.enrol(code, "kiosk-1").empty());  // the code was not used up

  for (int i = 0; i < DeviceRegistry::kMaxFailuresPerAddress; ++i) {
    auto r = anon->Post("/api/v1/enrol", "{\"code\":\"1111-1111-1111-111" + std::to_string(i % 10) +
                                              "\",\"device\":\"k-2\"}", "application/json");
    REQUIRE(r);
    CHECK(r->status == 403);
  }
  std::string code2 = server.new_code("kiosk");
  REQUIRE_FALSE(code2.empty());
  auto limited = anon->Post("/api/v1/enrol", "{\"code\":\"" + code2 + "\",\"device\":\"k-2\"}", "application/json");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  auto le = dh::sync::decode_error(limited->body);
  REQUIRE(le);
  CHECK(le->code == "too_many_attempts");
  REQUIRE(limited->has_header("Retry-After"));
  const int retry = std::stoi(limited->get_header_value("Retry-After"));
  CHECK(retry > 0);
  CHECK(retry <= DeviceRegistry::kAddressWindowMs / 1000);
  // Bounded before the body is even parsed.
  auto unparsed = anon->Post("/api/v1/enrol", "not json", "application/json");
  REQUIRE(unparsed);
  CHECK(unparsed->status == 429);
  CHECK(server.stop() == 0);
}

// Behind nginx every request comes from nginx's address: with
// --trusted-proxy the enrolment limits count the device's address from
// X-Forwarded-For (the right-most entry, the one nginx wrote), and a device
// cannot escape its count by writing other addresses to the left.
TEST_CASE("server: behind a trusted proxy, wrong codes are counted per device address", "[native][server][devices]") {
  auto wrong_codes_then_try = [](bool trusted) {
    TempDir data;
    std::vector<std::string> args;
    if (trusted) args = {"--trusted-proxy", "127.0.0.1"};
    ServerProcess server(data.path(), args);
    REQUIRE(server.start());
    auto anon = server.anonymous_client();
    auto enrol_from = [&](const std::string& forwarded, const std::string& code, const std::string& device) {
      httplib::Headers h{{"X-Forwarded-For", forwarded}};
      auto r = anon->Post("/api/v1/enrol", h, "{\"code\":\"" + code + "\",\"device\":\"" + device + "\"}",
                          "application/json");
      REQUIRE(r);
      return r->status;
    };
    for (int i = 0; i < DeviceRegistry::kMaxFailuresPerAddress; ++i) {
      CHECK(enrol_from("198.51.100.1", "1111-1111-1111-111" + std::to_string(i % 10), "k-1") == 403);
    }
    std::vector<int> statuses;
    // The guesser again, also behind a forged entry on the left.
    statuses.push_back(enrol_from("198.51.100.1", server.new_code("kiosk"), "k-1"));
    statuses.push_back(enrol_from("198.51.100.2, 198.51.100.1", server.new_code("kiosk"), "k-1"));
    // Another device.
    statuses.push_back(enrol_from("198.51.100.2", server.new_code("kiosk"), "k-2"));
    CHECK(server.stop() == 0);
    return statuses;
  };
  // Trusted: the guesser is refused, the other device enrols.
  CHECK(wrong_codes_then_try(true) == std::vector<int>{429, 429, 200});
  // Not trusted: the header means nothing, everyone is 127.0.0.1 and refused.
  CHECK(wrong_codes_then_try(false) == std::vector<int>{429, 429, 429});
}

TEST_CASE("server: --admin-code is not armed again on restart, no second administrator with it",
          "[native][server][devices]") {
  TempDir data;
  const std::string code = "2468-1357-2468-1357";
  {
    ServerProcess server(data.path(), {"--admin-code", code});
    REQUIRE(server.start());  // enrols "test-admin" with the code
    CHECK(server.stop() == 0);
  }
  ServerProcess again(data.path(), {"--admin-code", code});
  REQUIRE(again.start());
  INFO(again.output());
  CHECK(again.output().find("not armed again") != std::string::npos);
  auto res = again.anonymous_client()->Post("/api/v1/enrol", "{\"code\":\"" + code + "\",\"device\":\"admin-2\"}",
                                            "application/json");
  REQUIRE(res);
  CHECK(res->status == 403);
  auto list = again.client()->Get("/api/v1/admin/devices");
  REQUIRE(list);
  CHECK(list->body.find("admin-2") == std::string::npos);
  CHECK(again.stop() == 0);
}
