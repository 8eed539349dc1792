// Segment framing, CRC-32, the id set and the file systems.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <sys/resource.h>
#include <random>
#include <set>
#include <string>

#include "store/file_system.h"
#include "store/op_id_set.h"
#include "store/segment.h"
#include "replica_helpers.h"

using namespace dh;
using dh::test::make_temp_dir;

namespace {

Operation sample_op(uint64_t seq, const std::string& note = "note") {
  Operation op;
  op.id = OpId{"dev-a", seq};
  op.hlc = Hlc{1767225600000 + static_cast<int64_t>(seq), 0};
  op.author = "staff:wang";
  op.type = "grid.edit";
  op.payload = Json{{"entity", "dev-a:1"}, {"fields", Json{{"note", note}}}};
  return op;
}

}  // namespace

TEST_CASE("crc32 matches the standard check value", "[store][segment]") {
  CHECK(segment::crc32("123456789") == 0xCBF43926u);
  CHECK(segment::crc32("") == 0u);
  CHECK(segment::crc32_hex("123456789") == "cbf43926");
  // Continuation gives the same as one pass.
  CHECK(segment::crc32("6789", segment::crc32("12345")) == 0xCBF43926u);
}

TEST_CASE("crc32 eight bytes at a time equals the bit-by-bit definition", "[store][segment]") {
  // The definition (reflected polynomial 0xEDB88320), one bit at a time.
  auto reference = [](std::string_view data, uint32_t crc) {
    uint32_t c = crc ^ 0xFFFFFFFFu;
    for (unsigned char b : data) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::mt19937 rng(20261203);
  std::string data(300, '\0');
  for (auto& ch : data) ch = static_cast<char>(rng() & 0xFF);
  // Every length around the 8-byte steps, at every alignment of the start,
  // and continued from an earlier value.
  for (size_t start = 0; start < 8; ++start) {
    for (size_t len = 0; start + len <= 70; ++len) {
      const std::string_view piece(data.data() + start, len);
      INFO("start " << start << " length " << len);
      REQUIRE(segment::crc32(piece) == reference(piece, 0));
      REQUIRE(segment::crc32(piece, 0x12345678u) == reference(piece, 0x12345678u));
    }
  }
  CHECK(segment::crc32(data) == reference(data, 0));
  CHECK(segment::crc32(std::string_view(data).substr(123), segment::crc32(std::string_view(data).substr(0, 123))) ==
        reference(data, 0));
}

TEST_CASE("segment file names", "[store][segment]") {
  CHECK(segment::file_name(1) == "seg-000001.log");
  CHECK(segment::file_name(1234567) == "seg-1234567.log");
  uint64_t n = 0;
  CHECK(segment::parse_file_name("seg-000042.log", &n));
  CHECK(n == 42);
  CHECK_FALSE(segment::parse_file_name("seg-000000.log", &n));
  CHECK_FALSE(segment::parse_file_name("seg-00042.log", &n));
  CHECK_FALSE(segment::parse_file_name("seg-000042.log.tmp", &n));
  CHECK_FALSE(segment::parse_file_name("seg-0000a2.log", &n));
  CHECK_FALSE(segment::parse_file_name("snapshot.json", &n));
}

TEST_CASE("records round trip through the framing", "[store][segment]") {
  std::string bytes;
  for (uint64_t i = 1; i <= 5; ++i) bytes += segment::frame(sample_op(i, "第" + std::to_string(i) + "条 \"quoted\"\nline"));
  auto parsed = segment::parse(bytes);
  REQUIRE(parsed.bad.empty());
  REQUIRE_FALSE(parsed.unterminated);
  REQUIRE(parsed.good.size() == 5);
  for (uint64_t i = 1; i <= 5; ++i) {
    CHECK(parsed.good[i - 1].op.id.seq == i);
    CHECK(to_json_text(parsed.good[i - 1].op) == to_json_text(sample_op(i, "第" + std::to_string(i) + "条 \"quoted\"\nline")));
  }
  // Exactly one '\n' per record: an embedded newline is escaped by the JSON.
  CHECK(std::count(bytes.begin(), bytes.end(), '\n') == 5);
}

TEST_CASE("a damaged record spoils only its own line", "[store][segment]") {
  std::string bytes;
  std::vector<size_t> starts;
  for (uint64_t i = 1; i <= 9; ++i) {
    starts.push_back(bytes.size());
    bytes += segment::frame(sample_op(i));
  }
  SECTION("flipped byte inside the JSON") {
    bytes[starts[4] + 40] ^= 0x01;
    auto parsed = segment::parse(bytes);
    REQUIRE(parsed.bad.size() == 1);
    CHECK(parsed.bad[0].line == 5);
    CHECK(parsed.bad[0].what.find("checksum") != std::string::npos);
    CHECK(parsed.good.size() == 8);
  }
  SECTION("flipped byte in the length") {
    bytes[starts[2] + 10] = 'x';
    auto parsed = segment::parse(bytes);
    REQUIRE(parsed.bad.size() == 1);
    CHECK(parsed.bad[0].line == 3);
    CHECK(parsed.good.size() == 8);
  }
  SECTION("a byte turned into a newline") {
    bytes[starts[6] + 30] = '\n';
    auto parsed = segment::parse(bytes);
    CHECK(parsed.bad.size() == 2);  // the two halves
    CHECK(parsed.good.size() == 8);
  }
  SECTION("torn tail") {
    bytes.resize(starts[8] + 25);
    auto parsed = segment::parse(bytes);
    REQUIRE(parsed.bad.size() == 1);
    CHECK(parsed.bad[0].torn);
    CHECK(parsed.bad[0].what.find("cut off") != std::string::npos);
    CHECK(parsed.good.size() == 8);
  }
  SECTION("complete last record without its newline") {
    bytes.pop_back();
    auto parsed = segment::parse(bytes);
    CHECK(parsed.bad.empty());
    CHECK(parsed.unterminated);
    CHECK(parsed.needs_repair());
    CHECK(parsed.good.size() == 9);
  }
  SECTION("valid checksum but not an operation") {
    std::string json = "{\"hello\":1}";
    bytes += segment::frame(json);
    auto parsed = segment::parse(bytes);
    REQUIRE(parsed.bad.size() == 1);
    CHECK(parsed.bad[0].what.find("not a valid operation") != std::string::npos);
    CHECK(parsed.good.size() == 9);
  }
  SECTION("random garbage never crashes and never yields a record") {
    std::mt19937 rng(7);
    std::string garbage(5000, '\0');
    for (auto& c : garbage) c = static_cast<char>(rng() & 0xFF);
    auto parsed = segment::parse(garbage);
    CHECK(parsed.good.empty());
    CHECK_FALSE(parsed.bad.empty());
  }
}

TEST_CASE("OpIdSet keeps merged ranges and agrees with std::set", "[store][ids]") {
  OpIdSet ids;
  CHECK(ids.insert(OpId{"a", 1}));
  CHECK(ids.insert(OpId{"a", 3}));
  CHECK(ids.range_count() == 2);
  CHECK(ids.insert(OpId{"a", 2}));
  CHECK(ids.range_count() == 1);
  CHECK_FALSE(ids.insert(OpId{"a", 2}));
  CHECK(ids.size() == 3);
  CHECK(ids.max_seq("a") == 3);
  CHECK(ids.max_seq("b") == 0);
  CHECK(ids.to_json().dump() == R"({"a":[[1,3]]})");
  CHECK(ids.erase(OpId{"a", 2}));
  CHECK(ids.to_json().dump() == R"({"a":[[1,1],[3,3]]})");
  CHECK_FALSE(ids.contains(OpId{"a", 2}));

  std::mt19937 rng(42);
  OpIdSet set;
  std::set<std::pair<std::string, uint64_t>> ref;
  const char* devices[] = {"a", "b", "c"};
  for (int i = 0; i < 20000; ++i) {
    OpId id{devices[rng() % 3], 1 + rng() % 300};
    if (rng() % 4 == 0) {
      CHECK(set.erase(id) == (ref.erase({id.device, id.seq}) == 1));
    } else {
      CHECK(set.insert(id) == ref.insert({id.device, id.seq}).second);
    }
  }
  CHECK(set.size() == ref.size());
  for (const auto& d : devices)
    for (uint64_t s = 1; s <= 301; ++s) CHECK(set.contains(OpId{d, s}) == (ref.count({d, s}) == 1));
  auto back = OpIdSet::from_json(set.to_json());
  REQUIRE(back.ok());
  CHECK(back.value() == set);
  CHECK(back.value().size() == set.size());

  CHECK_FALSE(OpIdSet::from_json(Json::parse(R"({"a":[[3,1]]})")).ok());
  CHECK_FALSE(OpIdSet::from_json(Json::parse(R"({"a":[[1,4],[5,6]]})")).ok());  // touching: not canonical
  CHECK_FALSE(OpIdSet::from_json(Json::parse(R"({"A B":[[1,2]]})")).ok());
  CHECK_FALSE(OpIdSet::from_json(Json::parse(R"([1,2])")).ok());
}

TEST_CASE("MemoryFileSystem basics and capacity", "[store][fs]") {
  MemoryFileSystem fs;
  CHECK_FALSE(fs.append("d/x", "a").ok());  // no folder yet
  REQUIRE(fs.make_dirs("d/sub").ok());
  REQUIRE(fs.append("d/x", "abc").ok());
  REQUIRE(fs.append("d/x", "def").ok());
  REQUIRE(fs.write_atomic("d/sub/y", "zz").ok());
  CHECK(fs.read("d/x").value() == "abcdef");
  auto names = fs.list("d");
  REQUIRE(names.ok());
  CHECK(names.value() == std::vector<std::string>{"x"});
  CHECK(fs.list("missing").value().empty());
  CHECK(fs.read("d/nope").error().code == "not_found");

  fs.set_capacity(fs.used_bytes() + 2);
  auto full = fs.append("d/x", "123");
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == "storage_full");
  CHECK(fs.read("d/x").value() == "abcdef");
  CHECK(fs.append("d/x", "12").ok());
  CHECK(fs.write_atomic("d/sub/y", "q").error().code == "storage_full");
  fs.set_capacity(-1);
  REQUIRE(fs.rename("d/x", "d/sub/x2").ok());
  CHECK_FALSE(fs.exists("d/x"));
  CHECK(fs.read("d/sub/x2").value() == "abcdef12");
}

// Also runs in the wasm build: there the folder is in Emscripten's MEMFS, the
// file system an IDBFS mount is in the browser.
TEST_CASE("PosixFileSystem on a real folder", "[store][fs][posix]") {
  auto fs = make_posix_file_system();
  const std::string dir = make_temp_dir();
  const std::string d = dir + "/a/b";
  REQUIRE(fs->make_dirs(d).ok());
  REQUIRE(fs->make_dirs(d).ok());  // idempotent
  CHECK(fs->list(d).value().empty());
  REQUIRE(fs->append(d + "/log", "one\n").ok());
  REQUIRE(fs->append(d + "/log", "two\n").ok());
  REQUIRE(fs->sync(d + "/log").ok());
  CHECK(fs->read(d + "/log").value() == "one\ntwo\n");
  REQUIRE(fs->write_atomic(d + "/meta.json", "{\"v\":1}").ok());
  REQUIRE(fs->write_atomic(d + "/meta.json", "{\"v\":2}").ok());
  REQUIRE(fs->write_atomic(d + "/meta.json", "{\"v\":3}").ok());
  CHECK(fs->read(d + "/meta.json").value() == "{\"v\":3}");
  REQUIRE(fs->make_dirs(d + "/quarantine").ok());
  auto names = fs->list(d);
  REQUIRE(names.ok());
  CHECK(names.value() == std::vector<std::string>{"log", "meta.json"});  // no temp file, no sub-folder
  REQUIRE(fs->rename(d + "/log", d + "/quarantine/log.1").ok());
  CHECK_FALSE(fs->exists(d + "/log"));
  CHECK(fs->read(d + "/quarantine/log.1").value() == "one\ntwo\n");
  CHECK(fs->read(d + "/missing").error().code == "not_found");
  REQUIRE(fs->remove(d + "/quarantine/log.1").ok());
  // A replaced file must be gone for good (Emscripten's MEMFS kept old
  // versions findable after a rename over them; see posix_file_system.cpp).
  REQUIRE(fs->remove(d + "/meta.json").ok());
  CHECK_FALSE(fs->exists(d + "/meta.json"));
  CHECK(fs->read(d + "/meta.json").error().code == "not_found");
  auto again = fs->remove(d + "/meta.json");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "not_found");
  std::remove((d + "/quarantine").c_str());
  std::remove(d.c_str());
  std::remove((dir + "/a").c_str());
  std::remove(dir.c_str());
}

TEST_CASE("PosixFileSystem reports a full disk as storage_full", "[store][fs][native]") {
  // /dev/full answers every write with ENOSPC, like a full disk.
  auto fs = make_posix_file_system();
  if (!fs->exists("/dev/full")) return;
  auto st = fs->append("/dev/full", std::string(100000, 'x'));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == "storage_full");
  CHECK(st.error().message.find("full") != std::string::npos);
}

TEST_CASE("PosixFileSystem truncates a short append back", "[store][fs][native]") {
  // A file size limit makes write() stop part-way, as a disk that fills up
  // during the write does: the file must be left exactly as it was.
  auto fs = make_posix_file_system();
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/seg-000001.log";
  REQUIRE(fs->append(path, std::string(1000, 'a')).ok());
  struct rlimit old_limit;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 1500;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto st = fs->append(path, std::string(2000, 'b'));
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == "storage_full");
  CHECK(fs->read(path).value() == std::string(1000, 'a'));
  REQUIRE(fs->append(path, "c").ok());
  CHECK(fs->read(path).value().size() == 1001);
  std::remove(path.c_str());
  std::remove(dir.c_str());
}
