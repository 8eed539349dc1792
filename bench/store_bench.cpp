// store_bench: the fold of ~100,000 operations from segment files and the
// start-up from a snapshot (format 2, snapshot.bin; and the format-1 JSON
// snapshot.json of the previous version as the reference), timed, with the
// peak of live heap bytes during each start-up; then compaction and the
// stored folder's size before and after. Natively it uses a temporary folder on the
// disk; built to wasm and run under node it uses Emscripten's MEMFS, the same
// in-memory file system an IDBFS mount is in the browser.
//
//   store_bench [total_operations=100000] [folder]
//   node --no-experimental-fetch store_bench.js [total_operations]
//
// Prints one "figure: value" line per measurement (bench/README.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "core/demo.h"
#include "core/state.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "store/segment.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/heap.h>
#else
#include <sys/resource.h>
#include <unistd.h>
#endif

// Live heap bytes through operator new/delete (every std::string, map node
// and JSON value the store makes), and their peak since the last reset: the
// start-up's own peak, comparable between modes in one process, natively and
// in wasm alike (the process figures below only grow).
namespace heap {
std::atomic<size_t> live{0}, peak{0};
constexpr size_t kHeader = 16;  // keeps max_align_t alignment
void* take(size_t n) {
  void* p = std::malloc(n + kHeader);
  if (!p) throw std::bad_alloc();
  *static_cast<size_t*>(p) = n;
  const size_t now = live.fetch_add(n) + n;
  size_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  return static_cast<char*>(p) + kHeader;
}
void give(void* p) noexcept {
  if (!p) return;
  void* base = static_cast<char*>(p) - kHeader;
  live.fetch_sub(*static_cast<size_t*>(base));
  std::free(base);
}
// Resets the peak to what is live now; returns that baseline.
size_t start() {
  const size_t now = live.load();
  peak.store(now);
  return now;
}
}  // namespace heap

void* operator new(size_t n) { return heap::take(n); }
void* operator new[](size_t n) { return heap::take(n); }
void operator delete(void* p) noexcept { heap::give(p); }
void operator delete[](void* p) noexcept { heap::give(p); }
void operator delete(void* p, size_t) noexcept { heap::give(p); }
void operator delete[](void* p, size_t) noexcept { heap::give(p); }

using namespace dh;

namespace {

double mib(size_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

// A format-1 snapshot.json as the previous version wrote it (the reference).
std::string json_snapshot(const Replica& r, uint64_t covers, const OpIdSet& ids) {
  Json body = {{"format", 1},
               {"covers_through_segment", covers},
               {"operations", ids.size()},
               {"ids", ids.to_json()},
               {"device", r.device_id()},
               {"clock", r.state().max_hlc().to_string()},
               {"state_hash", r.state().hash_hex()},
               {"state", r.state().to_snapshot()},
               {"excluded", OpIdSet().to_json()}};
  const std::string text = body.dump();
  return "{\"crc32\":\"" + segment::crc32_hex(text) + "\",\"length\":" + std::to_string(text.size()) +
         ",\"snapshot\":" + text + "}\n";
}

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Process CPU time in ms: on a shared, loaded machine wall time overstates
// the cost; both are printed.
#ifdef __EMSCRIPTEN__
// std::clock() is wall time under Emscripten; ask node for the process's.
double cpu_ms() {
  return EM_ASM_DOUBLE({
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  });
}
#else
double cpu_ms() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
#endif

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

uint64_t folder_bytes(FileSystem& fs, const std::string& dir, const std::string& prefix, size_t* files) {
  uint64_t total = 0;
  *files = 0;
  auto names = fs.list(dir);
  if (!names.ok()) return 0;
  for (const auto& n : names.value()) {
    if (n.compare(0, prefix.size(), prefix) != 0) continue;
    auto bytes = fs.read(dir + "/" + n);
    if (bytes.ok()) total += bytes.value().size();
    ++*files;
  }
  return total;
}

int fail(const char* what, const Error& e) {
  std::fprintf(stderr, "store_bench: %s failed: %s: %s\n", what, e.code.c_str(), e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int total = argc > 1 ? std::max(1000, std::atoi(argv[1])) : 100000;
#ifdef __EMSCRIPTEN__
  const char* platform = "wasm (node, MEMFS)";
  std::string root = "/bench";
#else
  const char* platform = "native";
  std::string root;
  if (argc > 2) {
    root = argv[2];
  } else {
    char tmpl[] = "/tmp/dh-store-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      return 1;
    }
    root = tmpl;
  }
#endif
  const std::string dir = root + "/store";
  const int64_t now_ms = 1798761600000;  // 2027-01-01, after a year of activity
  auto fs = make_posix_file_system();

  auto t0 = Clock::now();
  double c0 = cpu_ms();
  std::vector<Operation> ops = generate_demo();
  const size_t demo_ops = ops.size();
  const int wanted = std::max(0, total - static_cast<int>(demo_ops));
  std::vector<Operation> activity = generate_activity(ops, wanted, 20261126);
  ops.insert(ops.end(), activity.begin(), activity.end());
  const double generate_ms = ms_since(t0), generate_cpu = cpu_ms() - c0;

  // Reference: the fold alone, operations already in memory.
  t0 = Clock::now();
  c0 = cpu_ms();
  State reference;
  for (const auto& op : ops) reference.apply(op);
  const double fold_memory_ms = ms_since(t0), fold_memory_cpu = cpu_ms() - c0;
  const std::string hash = reference.hash_hex();

  // Write the log: ingest everything (framing, CRC, append, sync per segment).
  double ingest_ms = 0, ingest_cpu = 0;
  {
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    if (!r.ok()) return fail("open", r.error());
    if (r.value()->operation_count() != 0) {
      std::fprintf(stderr, "store_bench: %s is not empty\n", dir.c_str());
      return 1;
    }
    t0 = Clock::now();
    c0 = cpu_ms();
    auto n = r.value()->ingest(ops, now_ms);
    ingest_ms = ms_since(t0);
    ingest_cpu = cpu_ms() - c0;
    if (!n.ok()) return fail("ingest", n.error());
  }
  size_t segments = 0;
  const uint64_t log_bytes = folder_bytes(*fs, dir, "seg-", &segments);

  // One kind of start-up, `runs` times: wall and CPU medians, and the peak
  // of live heap bytes above what was live before open() (the state, the
  // ids, and whatever the loading needed on the way).
  struct Startup {
    double wall = 0, cpu = 0;
    size_t peak = 0, kept = 0;
  };
  auto measure = [&](const char* what, int expect_format, size_t expect_replayed, Startup* out) -> int {
    std::vector<double> walls, cpus;
    for (int i = 0; i < 3; ++i) {
      const size_t base = heap::start();
      const auto w0 = Clock::now();
      const double cpu0 = cpu_ms();
      auto r = Replica::open(*fs, dir, "bench", now_ms);
      walls.push_back(ms_since(w0));
      cpus.push_back(cpu_ms() - cpu0);
      out->peak = std::max(out->peak, heap::peak.load() - base);
      out->kept = heap::live.load() - base;
      if (!r.ok()) return fail("reopen", r.error());
      const OpenReport& rep = r.value()->open_report();
      if (r.value()->state().hash_hex() != hash || rep.snapshot_format != expect_format ||
          rep.replayed != expect_replayed || !rep.problems.empty()) {
        std::fprintf(stderr, "store_bench: %s gave a different state (format %d, %zu replayed, %zu problems)\n", what,
                     rep.snapshot_format, rep.replayed, rep.problems.size());
        return 1;
      }
    }
    out->wall = median(walls);
    out->cpu = median(cpus);
    return 0;
  };

  // Start-up by replaying every segment (no snapshot yet).
  Startup replay;
  if (int e = measure("replay", 0, ops.size(), &replay)) return e;

  // Snapshot (format 2), then start-up from it.
  double snapshot_write_ms = 0, snapshot_write_cpu = 0;
  std::string json_text;  // the format-1 reference of the same state
  {
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    if (!r.ok()) return fail("reopen", r.error());
    t0 = Clock::now();
    c0 = cpu_ms();
    auto st = r.value()->write_snapshot();
    snapshot_write_ms = ms_since(t0);
    snapshot_write_cpu = cpu_ms() - c0;
    if (!st.ok()) return fail("write_snapshot", st.error());
    OpIdSet ids;
    auto all = r.value()->read_all();
    if (!all.ok()) return fail("read_all", all.error());
    for (const auto& op : all.value()) ids.insert(op.id);
    json_text = json_snapshot(*r.value(), segments, ids);
  }
  size_t snapshot_files = 0;
  const uint64_t snapshot_bytes = folder_bytes(*fs, dir, "snapshot.bin", &snapshot_files);
  Startup from_snapshot;
  if (int e = measure("snapshot.bin start-up", 2, 0, &from_snapshot)) return e;

  // Reference: the previous version's snapshot.json of the same state.
  Startup from_json;
  {
    if (!fs->rename(dir + "/snapshot.bin", dir + "/snapshot.bin.keep").ok() ||
        !fs->write_atomic(dir + "/snapshot.json", json_text).ok()) {
      std::fprintf(stderr, "store_bench: could not set up the snapshot.json reference\n");
      return 1;
    }
    if (int e = measure("snapshot.json start-up", 1, 0, &from_json)) return e;
    if (!fs->remove(dir + "/snapshot.json").ok() || !fs->rename(dir + "/snapshot.bin.keep", dir + "/snapshot.bin").ok()) {
      std::fprintf(stderr, "store_bench: could not put snapshot.bin back\n");
      return 1;
    }
  }
  const size_t json_bytes = json_text.size();
  json_text = std::string();

  // read_all (export, sync): every segment parsed.
  t0 = Clock::now();
  c0 = cpu_ms();
  size_t read_back = 0;
  {
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    if (!r.ok()) return fail("reopen", r.error());
    auto all = r.value()->read_all();
    if (!all.ok()) return fail("read_all", all.error());
    read_back = all.value().size();
  }
  const double read_all_ms = ms_since(t0), read_all_cpu = cpu_ms() - c0;

  // Compaction: every operation here came from elsewhere (held by the server).
  size_t files_before = 0, files_after = 0, removed = 0;
  const uint64_t folder_before = folder_bytes(*fs, dir, "", &files_before);
  double compact_ms = 0, compact_cpu = 0;
  {
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    if (!r.ok()) return fail("reopen", r.error());
    t0 = Clock::now();
    c0 = cpu_ms();
    auto n = r.value()->compact(0);
    compact_ms = ms_since(t0);
    compact_cpu = cpu_ms() - c0;
    if (!n.ok()) return fail("compact", n.error());
    removed = n.value();
  }
  const uint64_t folder_after = folder_bytes(*fs, dir, "", &files_after);
  Startup compacted;
  if (int e = measure("start-up after compaction", 2, 0, &compacted)) return e;

  std::printf("store_bench on %s; times: wall ms (process CPU ms); heap: peak live MiB during start-up (kept after)\n",
              platform);
  std::printf("operations: %zu (demo %zu + activity %zu)\n", ops.size(), demo_ops, activity.size());
  std::printf("state hash: %s\n", hash.c_str());
  std::printf("generate demo + activity: %.0f (%.0f)\n", generate_ms, generate_cpu);
  std::printf("fold in memory (apply only): %.0f (%.0f)\n", fold_memory_ms, fold_memory_cpu);
  std::printf("ingest into the log (frame, append, sync): %.0f (%.0f)\n", ingest_ms, ingest_cpu);
  std::printf("log: %zu segments, %.1f MiB\n", segments, mib(log_bytes));
  std::printf("start-up, fold from segments (median of 3): %.0f (%.0f); heap %.1f (%.1f)\n", replay.wall, replay.cpu,
              mib(replay.peak), mib(replay.kept));
  std::printf("write snapshot.bin: %.0f (%.0f), %.2f MiB\n", snapshot_write_ms, snapshot_write_cpu, mib(snapshot_bytes));
  std::printf("start-up from snapshot.bin (median of 3): %.0f (%.0f); heap %.1f (%.1f)\n", from_snapshot.wall,
              from_snapshot.cpu, mib(from_snapshot.peak), mib(from_snapshot.kept));
  std::printf("reference: start-up from format-1 snapshot.json, %.2f MiB (median of 3): %.0f (%.0f); heap %.1f (%.1f)\n",
              mib(json_bytes), from_json.wall, from_json.cpu, mib(from_json.peak), mib(from_json.kept));
  std::printf("open + read_all (%zu operations): %.0f (%.0f)\n", read_back, read_all_ms, read_all_cpu);
  std::printf("compact (all held by the server): %.0f (%.0f), %zu segments removed\n", compact_ms, compact_cpu, removed);
  std::printf("stored folder: %zu files, %.1f MiB before compaction; %zu files, %.1f MiB after\n", files_before,
              mib(folder_before), files_after, mib(folder_after));
  std::printf("start-up after compaction (median of 3): %.0f (%.0f); heap %.1f (%.1f)\n", compacted.wall,
              compacted.cpu, mib(compacted.peak), mib(compacted.kept));
  // Process peaks. In wasm the heap only grows, so its size is the peak of
  // the whole run (the bench's operation vector included); natively max RSS.
#ifdef __EMSCRIPTEN__
  std::printf("process: wasm heap %.1f MiB (HEAPU8.length)\n", emscripten_get_heap_size() / 1048576.0);
#else
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("process: peak resident memory %.1f MiB\n", usage.ru_maxrss / 1024.0);
#endif

#ifndef __EMSCRIPTEN__
  if (argc <= 2) {
    std::string cmd = "rm -rf '" + root + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "store_bench: could not remove %s\n", root.c_str());
  }
#endif
  return 0;
}
