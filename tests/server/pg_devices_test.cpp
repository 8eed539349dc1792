// The device registry in PostgreSQL (DeviceRegistry::open_postgres,
// server/pg_registry.h), as two server processes use it: two registries on
// one database with one key file. A code enrols exactly one device even when
// both are asked at once; a revocation through one is seen by the other at
// the next check; another key file is refused.
// Runs on a fresh database of $DH_TEST_PG; skipped (and said so) without it.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "pg_test_db.h"
#include "server/devices.h"
#include "server_process.h"
#include "skip.h"

using namespace dh;

TEST_CASE("device registry in PostgreSQL: shared by two registries, one code enrols one device",
          "[native][server][postgres][multi]") {
  test::PgTestDb db;
  if (!db.available()) {
    DH_SKIP(db.why());
    return;
  }
  test::TempDir keys("dh-pg-devices");
  const std::string key = keys.path() + "/server-secret.key";
  auto a = DeviceRegistry::open_postgres(db.conninfo(), key);
  REQUIRE(a.ok());
  auto b = DeviceRegistry::open_postgres(db.conninfo(), key);
  REQUIRE(b.ok());
  const int64_t now = 1767225600000;

  // One code, eight enrolments at once through both registries.
  auto code = a.value()->create_code("coordinator", now);
  REQUIRE(code.ok());
  CHECK(b.value()->code_usable(code->code, now));
  std::atomic<int> enrolled{0}, refused_used{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      DeviceRegistry& r = i % 2 ? *b.value() : *a.value();
      auto e = r.enrol(code->code, "tab-" + std::to_string(i), "平板", now, "10.0.0." + std::to_string(i));
      if (e.ok()) {
        ++enrolled;
      } else if (e.error().code == "bad_code") {
        ++refused_used;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(enrolled == 1);
  CHECK(refused_used == 7);
  CHECK_FALSE(a.value()->code_usable(code->code, now));

  // Enrolled through A, known to B; revoked through B, refused by A.
  auto code2 = b.value()->create_code("kiosk", now);
  REQUIRE(code2.ok());
  auto e = a.value()->enrol(code2->code, "kiosk-1", "门口", now, "");
  REQUIRE(e.ok());
  CHECK(e->role == "kiosk");
  auto found = b.value()->find_by_token(e->token);
  REQUIRE(found.ok());
  CHECK(found->device_id == "kiosk-1");
  // The id is taken at both.
  auto code3 = a.value()->create_code("kiosk", now);
  REQUIRE(code3.ok());
  auto again = b.value()->enrol(code3->code, "kiosk-1", "x", now, "");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "device_exists");
  REQUIRE(b.value()->revoke("kiosk-1").ok());
  auto gone = a.value()->find_by_token(e->token);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == "unauthorized");
  CHECK(b.value()->revoke("nobody").error().code == "not_found");
  // After the revocation the id may be enrolled again (with the unused code3).
  auto back = b.value()->enrol(code3->code, "kiosk-1", "门口", now, "");
  REQUIRE(back.ok());
  CHECK(a.value()->find_by_token(back->token).ok());
  CHECK_FALSE(a.value()->find_by_token(e->token).ok());  // the old token stays dead
  auto list = a.value()->list();
  REQUIRE(list.ok());
  CHECK(list->size() == 2);

  // A given code is shared too: armed once, and a used one is never armed again.
  auto given = a.value()->create_code("administrator", now, "1111-2222-3333-4444");
  REQUIRE(given.ok());
  auto same = b.value()->create_code("administrator", now + 1000, "1111-2222-3333-4444");
  REQUIRE(same.ok());
  CHECK(same->expires_ms == given->expires_ms);
  REQUIRE(b.value()->enrol("1111-2222-3333-4444", "boss", "主任", now, "").ok());
  CHECK(a.value()->active_administrators().value() == 1);
  auto rearm = a.value()->create_code("administrator", now, "1111-2222-3333-4444");
  REQUIRE_FALSE(rearm.ok());
  CHECK(rearm.error().code == "code_used");

  // Another key file against this database.
  auto other = DeviceRegistry::open_postgres(db.conninfo(), keys.path() + "/other.key");
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == "secret_mismatch");
}
