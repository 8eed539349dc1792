// store_bench: the fold of ~100,000 operations from segment files and the
// start-up from a snapshot, timed. Natively it uses a temporary folder on the
// disk; built to wasm and run under node it uses Emscripten's MEMFS, the same
// in-memory file system an IDBFS mount is in the browser.
//
//   store_bench [total_operations=100000] [folder]
//   node --no-experimental-fetch store_bench.js [total_operations]
//
// Prints one "figure: value" line per measurement (bench/README.md).
#include <algorithm>
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

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/heap.h>
#else
#include <sys/resource.h>
#include <unistd.h>
#endif

using namespace dh;

namespace {

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

  // Start-up by replaying every segment (no snapshot yet).
  std::vector<double> replay_runs, replay_cpu;
  for (int i = 0; i < 3; ++i) {
    t0 = Clock::now();
    c0 = cpu_ms();
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    replay_runs.push_back(ms_since(t0));
    replay_cpu.push_back(cpu_ms() - c0);
    if (!r.ok()) return fail("reopen", r.error());
    if (r.value()->state().hash_hex() != hash || r.value()->open_report().used_snapshot ||
        !r.value()->open_report().problems.empty()) {
      std::fprintf(stderr, "store_bench: replay gave a different state\n");
      return 1;
    }
  }

  // Snapshot, then start-up from it.
  double snapshot_write_ms = 0, snapshot_write_cpu = 0;
  {
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    if (!r.ok()) return fail("reopen", r.error());
    t0 = Clock::now();
    c0 = cpu_ms();
    auto st = r.value()->write_snapshot();
    snapshot_write_ms = ms_since(t0);
    snapshot_write_cpu = cpu_ms() - c0;
    if (!st.ok()) return fail("write_snapshot", st.error());
  }
  size_t snapshot_files = 0;
  const uint64_t snapshot_bytes = folder_bytes(*fs, dir, "snapshot.json", &snapshot_files);
  std::vector<double> snapshot_runs, snapshot_cpu;
  for (int i = 0; i < 3; ++i) {
    t0 = Clock::now();
    c0 = cpu_ms();
    auto r = Replica::open(*fs, dir, "bench", now_ms);
    snapshot_runs.push_back(ms_since(t0));
    snapshot_cpu.push_back(cpu_ms() - c0);
    if (!r.ok()) return fail("reopen", r.error());
    if (r.value()->state().hash_hex() != hash || !r.value()->open_report().used_snapshot ||
        r.value()->open_report().replayed != 0) {
      std::fprintf(stderr, "store_bench: snapshot start-up gave a different state\n");
      return 1;
    }
  }

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

  std::printf("store_bench on %s; times: wall ms (process CPU ms)\n", platform);
  std::printf("operations: %zu (demo %zu + activity %zu)\n", ops.size(), demo_ops, activity.size());
  std::printf("state hash: %s\n", hash.c_str());
  std::printf("generate demo + activity: %.0f (%.0f)\n", generate_ms, generate_cpu);
  std::printf("fold in memory (apply only): %.0f (%.0f)\n", fold_memory_ms, fold_memory_cpu);
  std::printf("ingest into the log (frame, append, sync): %.0f (%.0f)\n", ingest_ms, ingest_cpu);
  std::printf("log: %zu segments, %.1f MiB\n", segments, log_bytes / 1048576.0);
  std::printf("start-up, fold from segments (median of 3): %.0f (%.0f)\n", median(replay_runs), median(replay_cpu));
  std::printf("write snapshot: %.0f (%.0f), %.1f MiB\n", snapshot_write_ms, snapshot_write_cpu, snapshot_bytes / 1048576.0);
  std::printf("start-up from snapshot (median of 3): %.0f (%.0f)\n", median(snapshot_runs), median(snapshot_cpu));
  std::printf("open + read_all (%zu operations): %.0f (%.0f)\n", read_back, read_all_ms, read_all_cpu);
  // Peak memory. In wasm the heap only grows, so its size is the peak; it
  // holds what a browser tab holds (the state, and the log files, since an
  // IDBFS mount keeps its files in memory) plus this bench's operation vector.
#ifdef __EMSCRIPTEN__
  std::printf("peak wasm heap: %.1f MiB\n", emscripten_get_heap_size() / 1048576.0);
#else
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory: %.1f MiB\n", usage.ru_maxrss / 1024.0);
#endif

#ifndef __EMSCRIPTEN__
  if (argc <= 2) {
    std::string cmd = "rm -rf '" + root + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "store_bench: could not remove %s\n", root.c_str());
  }
#endif
  return 0;
}
