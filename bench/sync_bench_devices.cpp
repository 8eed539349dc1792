// sync_bench_devices: D simulated devices (default 200) syncing at once
// against one dianhong_server process on loopback, with device enrolment on.
//
//   sync_bench_devices [--devices D] [--rounds R] [--ops K] [--threads T] [--server PATH] [--pin 1]
//
// Each device is a Replica on a MemoryFileSystem with a SyncClient (the same
// client code the app uses) and its own enrolled token (role coordinator).
// In each of R rounds a device makes K operations, flushes, pushes them and
// pulls everything new. T worker threads (default 32, the server's pool size)
// serve the devices, so at most T requests are in flight; it stops by itself.
// Prints requests per second, operations per second, p50/p99 request latency,
// the CPU seconds of the server and of the simulated devices, and the
// server's resident memory (VmRSS now, VmHWM peak).
//
// The simulated devices decode and fold everything they pull (1.6 million
// operations at the defaults): several times the server's CPU. On a small
// machine they compete with the server for the cores, which a real
// deployment (tablets elsewhere) does not. --pin 1 gives the server CPU 0
// and the devices the other CPUs (every thread of both; needs 2 or more),
// so the latency is the server's with one core of its own. --fair 1 also
// runs the devices' own work (commit, decode, fold) at nice +10 and each
// request at the nice the bench was started with, so a thread whose answer arrived is not kept waiting
// behind 31 others folding theirs: the latency then measures the server
// and the network, not the simulation (needs CAP_SYS_NICE; root has it).
#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../tests/server/server_process.h"
#include "server/compression.h"
#include "store/file_system.h"
#include "store/replica.h"
#include "sync/client.h"

using namespace dh;
using Clock = std::chrono::steady_clock;

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string proc_status(pid_t pid, const std::string& key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      auto v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "?";
}

// CPU seconds (user + system) of a process, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields;
  size_t at = close + 2;
  while (at < text.size()) {
    size_t sp = text.find(' ', at);
    fields.push_back(text.substr(at, sp == std::string::npos ? std::string::npos : sp - at));
    if (sp == std::string::npos) break;
    at = sp + 1;
  }
  if (fields.size() < 13) return 0;  // fields[11] = utime, fields[12] = stime (from state = fields[0])
  return (std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr)) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Every thread of pid onto the CPUs of set.
bool pin_process(pid_t pid, const cpu_set_t& set) {
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (!d) return false;
  bool ok = true;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    ok = sched_setaffinity(static_cast<pid_t>(std::atoi(e->d_name)), sizeof set, &set) == 0 && ok;
  }
  closedir(d);
  return ok;
}

struct SimDevice {
  std::string id;
  std::string token;
  MemoryFileSystem fs;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<sync::SyncClient> client;
};

}  // namespace

int main(int argc, char** argv) {
  size_t devices = 200, rounds = 5, ops_per_round = 10, threads = 32;
  bool pin = false, fair = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--devices") devices = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--rounds") rounds = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--ops") ops_per_round = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--threads") threads = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--server") setenv("DH_SERVER_BINARY", argv[i + 1], 1);
    else if (a == "--pin") pin = std::strtoul(argv[i + 1], nullptr, 10) != 0;
    else if (a == "--fair") pin = fair = std::strtoul(argv[i + 1], nullptr, 10) != 0;
    else {
      std::cerr << "usage: sync_bench_devices [--devices D] [--rounds R] [--ops K] [--threads T] [--server PATH] [--pin 1] [--fair 1]\n";
      return 2;
    }
  }
  dh::test::TempDir data;
  dh::test::ServerProcess server(data.path(), {"--admin-code", "1234-5678-9012-3456"});
  if (!server.start()) {
    std::cerr << "server: " << server.error() << "\n";
    return 1;
  }
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (pin) {
    if (cpus < 2) {
      std::cerr << "--pin needs at least 2 CPUs\n";
      return 2;
    }
    cpu_set_t server_cpus, device_cpus;
    CPU_ZERO(&server_cpus);
    CPU_ZERO(&device_cpus);
    CPU_SET(0, &server_cpus);
    for (long c = 1; c < cpus; ++c) CPU_SET(static_cast<int>(c), &device_cpus);
    if (!pin_process(server.pid(), server_cpus) || !pin_process(getpid(), device_cpus)) {
      std::cerr << "could not pin the server and the devices to their CPUs\n";
      return 1;
    }
    std::printf("pinned: server on CPU 0, devices on CPU 1-%ld\n", cpus - 1);
  }
  std::vector<SimDevice> sims(devices);
  for (size_t i = 0; i < devices; ++i) {
    SimDevice& d = sims[i];
    d.id = "bench-" + std::to_string(i);
    d.token = server.enrol_as("coordinator", d.id);
    if (d.token.empty()) {
      std::cerr << "enrolment failed for " << d.id << "\n";
      return 1;
    }
    auto r = Replica::open(d.fs, "/r", d.id, wall_ms());
    auto c = r ? sync::SyncClient::open(d.fs, *r.value()) : Result<std::unique_ptr<sync::SyncClient>>(r.error());
    if (!r || !c) return 1;
    d.replica = std::move(r).value();
    d.replica->set_author("staff:" + d.id);
    d.client = std::move(c).value();
  }
  std::printf("%zu devices enrolled; RSS %s\n", devices, proc_status(server.pid(), "VmRSS").c_str());

  std::mutex mu;
  std::vector<double> latencies_ms, push_ms, pull_ms;
  std::atomic<size_t> failures{0}, pushed_ops{0}, pulled_ops{0}, requests{0};
  // Each device is driven by exactly one thread at a time: device i belongs to
  // thread i % threads, which runs its devices round by round.
  std::atomic<bool> nice_failed{false};
  auto run_thread = [&](size_t t) {
    const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
    const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));  // the nice the bench was started with
    auto set_nice = [&](int n) {
      if (fair && setpriority(PRIO_PROCESS, static_cast<id_t>(tid), base + n) != 0) nice_failed = true;
    };
    set_nice(10);
    std::vector<double> mine, mine_push, mine_pull;
    std::vector<size_t> own;
    for (size_t i = t; i < devices; i += threads) own.push_back(i);
    for (size_t round = 0; round < rounds; ++round) {
      for (size_t i : own) {
        SimDevice& d = sims[i];
        httplib::Client http("127.0.0.1", server.port());
        http.set_bearer_token_auth(d.token);
        http.set_read_timeout(120);
        for (size_t k = 0; k < ops_per_round; ++k) {
          CreateEntity c{"grid", {{"name", d.id + " r" + std::to_string(round) + " #" + std::to_string(k)}, {"code", "B" + std::to_string(k)}}, ""};
          if (!d.replica->commit(c, d.client->corrected_now(wall_ms()))) ++failures;
        }
        (void)d.client->flush_completed(d.client->begin_flush());
        while (auto b = d.client->next_push(wall_ms())) {
          set_nice(0);
          auto t0 = Clock::now();
          // As the app sends it: gzip both ways (the answer is inflated by httplib).
          httplib::Headers gz{{"Accept-Encoding", "gzip"}};
          auto packed = gzip_compress(b->body);
          if (packed) gz.emplace("Content-Encoding", "gzip");
          auto res = http.Post("/api/v1/ops", gz, packed ? *packed : b->body, "application/json");
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          set_nice(10);
          mine_push.push_back(mine.back());
          ++requests;
          if (!res || res->status != 200) {
            d.client->on_push_failed(*b, res ? res->status : 0, res ? res->body : "");
            ++failures;
            break;
          }
          (void)d.client->on_push_response(*b, res->body, wall_ms());
          pushed_ops += b->op_ids.size();
        }
        for (;;) {
          auto q = d.client->next_pull(1000);
          set_nice(0);
          auto t0 = Clock::now();
          auto res = http.Get(q.path.c_str(), httplib::Headers{{"Accept-Encoding", "gzip"}});
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          set_nice(10);
          mine_pull.push_back(mine.back());
          ++requests;
          if (!res || res->status != 200) {
            ++failures;
            break;
          }
          auto out = d.client->on_pull_response(q, res->body, wall_ms());
          if (!out) {
            ++failures;
            break;
          }
          pulled_ops += out->ingested;
          if (!out->more) break;
        }
        (void)d.client->flush_completed(d.client->begin_flush());
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    push_ms.insert(push_ms.end(), mine_push.begin(), mine_push.end());
    pull_ms.insert(pull_ms.end(), mine_pull.begin(), mine_pull.end());
  };
  const double server_cpu0 = cpu_seconds(server.pid()), devices_cpu0 = cpu_seconds(getpid());
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (size_t t = 0; t < std::min(threads, devices); ++t) pool.emplace_back(run_thread, t);
  for (auto& th : pool) th.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double server_cpu = cpu_seconds(server.pid()) - server_cpu0, devices_cpu = cpu_seconds(getpid()) - devices_cpu0;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::sort(push_ms.begin(), push_ms.end());
  std::sort(pull_ms.begin(), pull_ms.end());
  auto pct_of = [](const std::vector<double>& v, double p) {
    if (v.empty()) return 0.0;
    return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  auto pct = [&](double p) { return pct_of(latencies_ms, p); };
  std::printf("%zu devices x %zu rounds x %zu ops, %zu threads: %.1f s wall\n", devices, rounds, ops_per_round,
              std::min(threads, devices), secs);
  std::printf("requests %zu (%.0f/s), pushed %zu ops (%.0f/s), pulled %zu ops, failures %zu\n", requests.load(),
              requests.load() / secs, pushed_ops.load(), pushed_ops.load() / secs, pulled_ops.load(), failures.load());
  std::printf("request latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::printf("  pushes %zu: p50 %.1f ms, p99 %.1f ms; pulls %zu: p50 %.1f ms, p99 %.1f ms\n", push_ms.size(),
              pct_of(push_ms, 0.5), pct_of(push_ms, 0.99), pull_ms.size(), pct_of(pull_ms, 0.5), pct_of(pull_ms, 0.99));
  if (nice_failed) std::printf("warning: could not set the threads' nice values (--fair needs CAP_SYS_NICE)\n");
  if (fair) std::printf("fair: devices' own work at nice +10, requests at the bench's own nice\n");
  std::printf("CPU: server %.2f s (%.2f ms a request), simulated devices %.2f s\n", server_cpu,
              requests.load() ? 1000.0 * server_cpu / static_cast<double>(requests.load()) : 0.0, devices_cpu);
  std::printf("server memory: VmRSS %s, peak VmHWM %s\n", proc_status(server.pid(), "VmRSS").c_str(),
              proc_status(server.pid(), "VmHWM").c_str());
  server.stop();
  return failures.load() == 0 ? 0 : 1;
}
