// Shared by the store tests: a replica folder, a fixed clock, and commits
// that fail the test with the error's words.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "store/file_system.h"
#include "store/replica.h"

namespace dh::test {

inline const std::string kDir = "data/replica";
constexpr int64_t kT0 = 1767225600000;  // 2026-01-01

inline std::unique_ptr<Replica> open_ok(FileSystem& fs, const std::string& new_id = "dev-a", int64_t now = kT0,
                                        ReplicaOptions options = {}) {
  auto r = Replica::open(fs, kDir, new_id, now, options);
  if (!r.ok()) FAIL("open failed: " << r.error().code << ": " << r.error().message);
  r.value()->set_author("staff:test");
  return std::move(r.value());
}

inline Operation must_commit(Replica& r, const Command& cmd, int64_t now) {
  auto op = r.commit(cmd, now);
  if (!op.ok()) FAIL("commit failed: " << op.error().code << ": " << op.error().message);
  return op.value();
}

// A new folder on the disk natively (under $TMPDIR or /tmp); in the wasm
// build in Emscripten's MEMFS.
inline std::string make_temp_dir(const std::string& what = "dh-store-test") {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + what + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* made = mkdtemp(buf.data());
  REQUIRE(made != nullptr);
  return made;
}

inline Command make_grid(int i) {
  return CreateEntity{"grid", Json{{"name", "第" + std::to_string(i) + "网格"}, {"code", "G" + std::to_string(i)}}, ""};
}

}  // namespace dh::test
