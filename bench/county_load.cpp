// county_load: many communities, many devices syncing at once through one
// address (nginx in front of several dianhong_server --communities
// processes, or one server), for issue 14 "Proof and figures". Started by
// bench/county_load.sh, which sets the servers up; see bench/README.md.
//
//   county_load --port P --communities FILE --data DIR [--count N] [--devices D]
//               [--seconds T] [--interval S] [--ops K] [--threads W]
//               [--server-pids PID,PID] [--pg-postmaster PID]
//               [--kill-one-at SECONDS]
//
// FILE is the servers' communities file (`ID HOST...`); the first N
// communities (default all) are used, each through its first host name
// (sent as the Host header to 127.0.0.1:P). DIR is the servers' data folder,
// where DIR/communities/<id>/admin-enrolment-code.txt holds each community's
// administrator code: the bench enrols an administrator device with it, and
// that administrator makes one coordinator code per device (POST
// /api/v1/admin/codes) with which the device enrols: D devices (default
// 2,000) spread over the N communities.
//
// Each device starts at its community's head (as after its snapshot) and,
// every S seconds (default 5, each wait drawn from 0.5 S .. 1.5 S), pushes
// K new operations (default 3, grid records made by the core's
// make_operation) and pulls with its cursor until nothing more is new, for T
// seconds (default 60). W worker threads (default 48: a server takes at
// most 64 connections from one address, and all of these are 127.0.0.1)
// serve the devices, each with one keep-alive connection, so at most W
// requests are in flight; "started over 1 s late" counts the rounds the
// workers could not start on time. A request with no answer, or answered
// 502/503/504, is sent again (the same push: idempotent by operation id)
// after 200 ms, for up to 60 s. Latency is per HTTP request, retries
// included in the request they retry (the time a device waited for its
// answer).
//
// At the end, per community: every operation pulled after the starting head
// whose id is one of this run's devices' is counted. Each acknowledged id
// (accepted or duplicate in a push answer) must be there exactly once, and
// no id the bench never sent may be there. Prints the counts; exit 1 when
// one is lost, duplicated or unknown, or a push was never acknowledged.
//
// --server-pids: CPU seconds (utime + stime from /proc/PID/stat) and RSS of
// these processes; --pg-postmaster: CPU of the postmaster and its children
// (the PostgreSQL backends), sampled every second (a backend that ends
// between two samples loses its last second). --kill-one-at T0: SIGKILL the
// FIRST pid of --server-pids T0 seconds into the load.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <httplib.h>

#include "core/commands.h"
#include "core/state.h"
#include "sync/protocol.h"

using namespace dh;
using Clock = std::chrono::steady_clock;

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A /proc file's text, "" when it cannot be read (read(2): libstdc++'s
// filebuf throws when the process ends under it, ESRCH).
std::string read_proc(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

std::vector<std::string> stat_fields(pid_t pid) {
  const std::string text = read_proc("/proc/" + std::to_string(pid) + "/stat");
  std::vector<std::string> fields;
  auto close = text.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream in(text.substr(close + 2));
  for (std::string w; in >> w;) fields.push_back(w);
  return fields;  // fields[0] = state, [1] = ppid, [11] = utime, [12] = stime
}

double cpu_seconds(pid_t pid) {
  auto f = stat_fields(pid);
  if (f.size() < 13) return -1;
  return (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_mb(pid_t pid) {
  std::istringstream f(read_proc("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10) / 1024;
  }
  return -1;
}

// The postmaster and every process whose parent it is.
std::vector<pid_t> postgres_pids(pid_t postmaster) {
  std::vector<pid_t> out{postmaster};
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
    if (p <= 0) continue;
    auto f = stat_fields(p);
    if (f.size() > 1 && std::atoi(f[1].c_str()) == postmaster) out.push_back(p);
  }
  closedir(d);
  return out;
}

double load_average() {
  std::ifstream f("/proc/loadavg");
  double v = 0;
  f >> v;
  return v;
}

struct Community {
  std::string id, host;
  uint64_t head0 = 0;
  std::string admin_token;
  std::mutex mu;
  std::unordered_set<std::string> acked;  // op ids acknowledged (accepted / duplicate)
  std::unordered_set<std::string> sent;   // op ids ever sent
};

struct Device {
  Community* community = nullptr;
  std::string id, token;
  State empty;  // grid creates need nothing of the community's state
  OpSource source;
  uint64_t cursor = 0;
  Clock::time_point due;
  std::vector<Operation> unacked;  // the batch being pushed until answered
};

struct Stats {
  std::mutex mu;
  std::vector<double> push_ms, pull_ms, other_ms;
  std::map<int, size_t> statuses;  // final status of each request (0: no answer)
  size_t retries = 0, gave_up = 0, late_rounds = 0, rounds = 0, pulled_ops = 0, pushed_ops = 0;
};

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::atomic<bool> g_stop{false};

// One request with the retry rule; the answer (nullptr after 60 s of
// failures). Latency of the whole, retries included, goes to `into`.
httplib::Result send_retrying(httplib::Client& http, const std::function<httplib::Result()>& once, double* latency_ms,
                     size_t* retries) {
  const auto t0 = Clock::now();
  for (;;) {
    auto res = once();
    const bool retry = !res || res->status == 502 || res->status == 503 || res->status == 504;
    if (!retry || Clock::now() - t0 > std::chrono::seconds(60)) {
      *latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      return res;
    }
    ++*retries;
    static std::atomic<int> told{0};
    if (told++ < 5) {  // the first few reasons, for the reader
      std::cerr << "retrying after " << (res ? std::to_string(res->status) + " " + res->body.substr(0, 160) : std::string("no answer: ") + httplib::to_string(res.error())) << "\n";
    }
    if (!res) http.stop();  // a fresh connection next time
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string communities_file, data_dir, server_pids_text;
  size_t count = 0, devices_total = 2000, ops_per_push = 3, threads = 48;
  double seconds = 60, interval = 5, kill_at = -1;
  pid_t postmaster = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--communities") communities_file = v;
    else if (a == "--data") data_dir = v;
    else if (a == "--count") count = std::strtoul(v.c_str(), nullptr, 10);
    else if (a == "--devices") devices_total = std::strtoul(v.c_str(), nullptr, 10);
    else if (a == "--seconds") seconds = std::strtod(v.c_str(), nullptr);
    else if (a == "--interval") interval = std::strtod(v.c_str(), nullptr);
    else if (a == "--ops") ops_per_push = std::strtoul(v.c_str(), nullptr, 10);
    else if (a == "--threads") threads = std::strtoul(v.c_str(), nullptr, 10);
    else if (a == "--server-pids") server_pids_text = v;
    else if (a == "--pg-postmaster") postmaster = static_cast<pid_t>(std::atoi(v.c_str()));
    else if (a == "--kill-one-at") kill_at = std::strtod(v.c_str(), nullptr);
    else {
      std::cerr << "county_load: unknown option " << a << " (see bench/county_load.cpp)\n";
      return 2;
    }
  }
  if (port <= 0 || communities_file.empty() || data_dir.empty() || devices_total == 0 || threads == 0) {
    std::cerr << "usage: county_load --port P --communities FILE --data DIR [--count N] [--devices D] [--seconds T]"
                 " [--interval S] [--ops K] [--threads W] [--server-pids PID,PID] [--pg-postmaster PID]"
                 " [--kill-one-at SECONDS]\n";
    return 2;
  }
  std::vector<pid_t> server_pids;
  for (std::istringstream in(server_pids_text); in.good();) {
    std::string p;
    std::getline(in, p, ',');
    if (!p.empty()) server_pids.push_back(static_cast<pid_t>(std::atoi(p.c_str())));
  }
  if (kill_at >= 0 && server_pids.size() < 2) {
    std::cerr << "county_load: --kill-one-at needs two --server-pids (it kills the first)\n";
    return 2;
  }

  // The communities.
  std::vector<std::unique_ptr<Community>> communities;
  {
    std::ifstream f(communities_file);
    std::string line;
    while (std::getline(f, line)) {
      if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
      std::istringstream w(line);
      auto c = std::make_unique<Community>();
      if (!(w >> c->id >> c->host) || c->id == "county") continue;
      communities.push_back(std::move(c));
      if (count && communities.size() == count) break;
    }
  }
  if (communities.empty()) {
    std::cerr << "county_load: no community in " << communities_file << "\n";
    return 2;
  }
  const size_t n = communities.size();
  std::printf("county_load: %zu communities, %zu devices, %.0f s, a push of %zu ops every %.1f s (+-50%%) per device,"
              " %zu worker threads, through 127.0.0.1:%d\n",
              n, devices_total, seconds, ops_per_push, interval, threads, port);

  auto make_client = [&]() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    c->set_connection_timeout(5);
    c->set_read_timeout(30);
    return c;
  };

  // Enrolment: an administrator per community, then its devices; the first
  // request of a community opens it (its store is read and folded).
  std::vector<Device> devices(devices_total);
  for (size_t i = 0; i < devices_total; ++i) {
    Device& d = devices[i];
    d.community = communities[i % n].get();
    d.id = "ld" + std::to_string(i % n) + "-" + std::to_string(i / n);
    d.source = OpSource{d.id, "staff:" + d.id, 1, HlcClock{}};
  }
  std::atomic<size_t> enrol_failures{0};
  const auto enrol_t0 = Clock::now();
  {
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    const size_t enrol_threads = std::min<size_t>(16, n);
    for (size_t t = 0; t < enrol_threads; ++t) {
      pool.emplace_back([&] {
        auto http = make_client();
        for (size_t ci; (ci = next++) < n;) {
          Community& c = *communities[ci];
          httplib::Headers host{{"Host", c.host}};
          std::ifstream codef(data_dir + "/communities/" + c.id + "/admin-enrolment-code.txt");
          std::string code;
          codef >> code;
          auto enrol = [&](const std::string& with, const std::string& device) -> std::string {
            nlohmann::json body{{"code", with}, {"device", device}, {"name", "county_load"}};
            double ms;
            size_t r = 0;
            auto res = send_retrying(*http, [&] { return http->Post("/api/v1/enrol", host, body.dump(), "application/json"); },
                            &ms, &r);
            if (!res || res->status != 200) {
              std::cerr << "enrol " << device << " at " << c.id << ": "
                        << (res ? std::to_string(res->status) + " " + res->body : "no answer") << "\n";
              return "";
            }
            return nlohmann::json::parse(res->body).value("token", "");
          };
          c.admin_token = enrol(code, "ld" + std::to_string(ci) + "-admin");
          if (c.admin_token.empty()) {
            ++enrol_failures;
            continue;
          }
          httplib::Headers admin = host;
          admin.emplace("Authorization", "Bearer " + c.admin_token);
          for (size_t i = ci; i < devices_total; i += n) {
            double ms;
            size_t r = 0;
            auto res = send_retrying(*http, [&] {
              return http->Post("/api/v1/admin/codes", admin, R"({"role":"coordinator"})", "application/json");
            }, &ms, &r);
            std::string dcode = res && res->status == 200 ? nlohmann::json::parse(res->body).value("code", "") : "";
            devices[i].token = dcode.empty() ? "" : enrol(dcode, devices[i].id);
            if (devices[i].token.empty()) ++enrol_failures;
          }
          // The starting head: every device begins there (as after its snapshot).
          double ms;
          size_t r = 0;
          auto res = send_retrying(*http, [&] { return http->Get("/api/v1/ops?after=999999999999&limit=1", admin); }, &ms, &r);
          if (res && res->status == 200) c.head0 = nlohmann::json::parse(res->body).value("head", uint64_t{0});
          else ++enrol_failures;
        }
      });
    }
    for (auto& t : pool) t.join();
  }
  const double enrol_secs = std::chrono::duration<double>(Clock::now() - enrol_t0).count();
  std::printf("enrolled %zu devices and %zu administrators in %.1f s (each community opened by its first request);"
              " failures %zu\n", devices_total, n, enrol_secs, enrol_failures.load());
  if (enrol_failures) return 1;
  for (auto& d : devices) d.cursor = d.community->head0;
  for (pid_t p : server_pids) std::printf("  server pid %d: RSS %ld MB\n", p, rss_mb(p));

  // CPU sampling, every second.
  std::mutex cpu_mu;
  std::map<pid_t, double> cpu_first, cpu_last;
  auto sample = [&] {
    std::vector<pid_t> all = server_pids;
    if (postmaster > 0) for (pid_t p : postgres_pids(postmaster)) all.push_back(-p);  // negative: postgres
    std::lock_guard<std::mutex> lock(cpu_mu);
    for (pid_t key : all) {
      double c = cpu_seconds(key < 0 ? -key : key);
      if (c < 0) continue;
      if (!cpu_first.count(key)) cpu_first[key] = c;
      cpu_last[key] = c;
    }
  };
  std::map<pid_t, long> rss_peak;
  sample();
  // Processes that exist now begin at their current count; those born later
  // (new backends) begin at 0.
  auto born_later_from_zero = [&] {
    std::lock_guard<std::mutex> lock(cpu_mu);
    return cpu_first;
  }();

  Stats stats;
  std::mt19937 seed_rng(14);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  const auto load_t0 = Clock::now();
  for (auto& d : devices) {
    d.due = load_t0 + std::chrono::milliseconds(static_cast<int64_t>(interval * 1000 * jitter(seed_rng) - interval * 500));
  }
  const auto load_end = load_t0 + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::atomic<bool> killed{false};
  double killed_at = -1;

  std::thread sampler([&] {
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      sample();
      for (pid_t p : server_pids) {
        long r = rss_mb(p);
        if (r > rss_peak[p]) rss_peak[p] = r;
      }
      const double t = std::chrono::duration<double>(Clock::now() - load_t0).count();
      if (kill_at >= 0 && !killed && t >= kill_at) {
        kill(server_pids[0], SIGKILL);
        killed = true;
        killed_at = t;
        std::printf("SIGKILL to server pid %d at %.1f s\n", server_pids[0], t);
        std::fflush(stdout);
      }
    }
  });

  auto worker = [&](size_t t) {
    auto http = make_client();
    std::mt19937 rng(static_cast<unsigned>(t * 7919 + 1));
    std::vector<size_t> own;
    for (size_t i = t; i < devices_total; i += threads) own.push_back(i);
    std::vector<double> push_ms, pull_ms;
    std::map<int, size_t> statuses;
    size_t retries = 0, gave_up = 0, late = 0, rounds = 0, pulled = 0, pushed = 0;
    while (!own.empty()) {
      size_t pick = own[0];
      for (size_t i : own) if (devices[i].due < devices[pick].due) pick = i;
      Device& d = devices[pick];
      if (d.due >= load_end) break;
      std::this_thread::sleep_until(d.due);
      if (Clock::now() - d.due > std::chrono::seconds(1)) ++late;
      ++rounds;
      Community& c = *d.community;
      httplib::Headers h{{"Host", c.host}, {"Authorization", "Bearer " + d.token}, {"Accept-Encoding", "gzip"}};
      // Push K new operations (or the batch still unanswered).
      if (d.unacked.empty()) {
        for (size_t k = 0; k < ops_per_push; ++k) {
          Json f{{"name", d.id + " #" + std::to_string(d.source.next_seq)}, {"code", "L" + std::to_string(d.source.next_seq)}};
          auto op = make_operation(d.empty, CreateEntity{"grid", f, ""}, d.source, wall_ms());
          if (op) d.unacked.push_back(std::move(op).value());
        }
        std::lock_guard<std::mutex> lock(c.mu);
        for (auto& op : d.unacked) c.sent.insert(op.id.to_string());
      }
      const std::string body = sync::encode_push_request(d.id, d.unacked);
      double ms = 0;
      auto res = send_retrying(*http, [&] { return http->Post("/api/v1/ops", h, body, "application/json"); }, &ms, &retries);
      push_ms.push_back(ms);
      ++statuses[res ? res->status : 0];
      if (res && res->status == 200) {
        auto j = nlohmann::json::parse(res->body, nullptr, false);
        std::vector<std::string> acked;
        if (j.is_object() && j.contains("results")) {
          for (auto& r : j["results"]) {
            const std::string st = r.value("status", "");
            if (st == "accepted" || st == "duplicate") acked.push_back(r.value("id", ""));
            else std::cerr << "push " << d.id << ": " << r.dump() << "\n";
          }
        }
        pushed += acked.size();
        std::lock_guard<std::mutex> lock(c.mu);
        for (auto& id : acked) c.acked.insert(id);
        d.unacked.clear();
      } else {
        ++gave_up;  // kept in d.unacked: sent again next round
      }
      // Pull with the cursor until nothing more is new.
      for (int page = 0; page < 50; ++page) {
        const std::string path = "/api/v1/ops?after=" + std::to_string(d.cursor) + "&limit=1000";
        auto pres = send_retrying(*http, [&] { return http->Get(path, h); }, &ms, &retries);
        pull_ms.push_back(ms);
        ++statuses[pres ? pres->status : 0];
        if (!pres || pres->status != 200) break;
        auto j = nlohmann::json::parse(pres->body, nullptr, false);
        if (!j.is_object()) break;
        pulled += j.contains("ops") ? j["ops"].size() : 0;
        d.cursor = j.value("next", d.cursor);
        if (!j.value("more", false)) break;
      }
      d.due += std::chrono::milliseconds(static_cast<int64_t>(interval * 1000 * jitter(rng)));
    }
    std::lock_guard<std::mutex> lock(stats.mu);
    stats.push_ms.insert(stats.push_ms.end(), push_ms.begin(), push_ms.end());
    stats.pull_ms.insert(stats.pull_ms.end(), pull_ms.begin(), pull_ms.end());
    for (auto& [k, v] : statuses) stats.statuses[k] += v;
    stats.retries += retries;
    stats.gave_up += gave_up;
    stats.late_rounds += late;
    stats.rounds += rounds;
    stats.pulled_ops += pulled;
    stats.pushed_ops += pushed;
  };
  const double load_before = load_average();
  const double self_cpu0 = cpu_seconds(getpid());
  std::vector<std::thread> pool;
  for (size_t t = 0; t < std::min(threads, devices_total); ++t) pool.emplace_back(worker, t);
  for (auto& t : pool) t.join();
  const double load_secs = std::chrono::duration<double>(Clock::now() - load_t0).count();
  g_stop = true;
  sampler.join();
  sample();
  const double load_after = load_average();
  const double self_cpu = cpu_seconds(getpid()) - self_cpu0;

  // Unanswered batches: sent once more now that the load is over (as a
  // device would when it is next online), so every sent op gets its answer.
  size_t still_unacked = 0;
  {
    auto http = make_client();
    for (auto& d : devices) {
      if (d.unacked.empty()) continue;
      Community& c = *d.community;
      httplib::Headers h{{"Host", c.host}, {"Authorization", "Bearer " + d.token}};
      double ms;
      size_t r = 0;
      auto res = send_retrying(*http, [&] {
        return http->Post("/api/v1/ops", h, sync::encode_push_request(d.id, d.unacked), "application/json");
      }, &ms, &r);
      if (res && res->status == 200) {
        auto j = nlohmann::json::parse(res->body, nullptr, false);
        std::lock_guard<std::mutex> lock(c.mu);
        for (auto& x : j["results"]) {
          const std::string st = x.value("status", "");
          if (st == "accepted" || st == "duplicate") c.acked.insert(x.value("id", ""));
        }
      } else {
        still_unacked += d.unacked.size();
      }
    }
  }

  // Figures.
  const size_t requests = stats.push_ms.size() + stats.pull_ms.size();
  std::vector<double> all = stats.push_ms;
  all.insert(all.end(), stats.pull_ms.begin(), stats.pull_ms.end());
  std::printf("load: %.1f s, %zu sync rounds (%zu started over 1 s late), %zu requests (%.0f/s),"
              " pushed %zu ops (%.0f/s), pulled %zu ops\n",
              load_secs, stats.rounds, stats.late_rounds, requests, requests / load_secs, stats.pushed_ops,
              stats.pushed_ops / load_secs, stats.pulled_ops);
  std::sort(all.begin(), all.end());
  std::printf("latency (all requests): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(all, 0.5),
              pct(all, 0.95), pct(all, 0.99), all.empty() ? 0.0 : all.back());
  std::printf("  pushes %zu: p50 %.1f, p95 %.1f, p99 %.1f ms; pulls %zu: p50 %.1f, p95 %.1f, p99 %.1f ms\n",
              stats.push_ms.size(), pct(stats.push_ms, 0.5), pct(stats.push_ms, 0.95), pct(stats.push_ms, 0.99),
              stats.pull_ms.size(), pct(stats.pull_ms, 0.5), pct(stats.pull_ms, 0.95), pct(stats.pull_ms, 0.99));
  std::printf("  answers:");
  for (auto& [k, v] : stats.statuses) std::printf(" %s %zu", k ? std::to_string(k).c_str() : "none", v);
  std::printf("; retries %zu; pushes unanswered after 60 s %zu\n", stats.retries, stats.gave_up);
  {
    std::lock_guard<std::mutex> lock(cpu_mu);
    double pg = 0;
    for (auto& [key, last] : cpu_last) {
      const double first = born_later_from_zero.count(key) ? born_later_from_zero[key] : 0.0;
      if (key < 0) pg += last - first;
    }
    for (pid_t p : server_pids) {
      std::printf("CPU: server pid %d %.1f s (%.0f%% of one core)%s; RSS %ld MB (peak seen %ld MB)\n", p,
                  cpu_last[p] - cpu_first[p], 100 * (cpu_last[p] - cpu_first[p]) / load_secs,
                  killed && p == server_pids[0] ? " until killed" : "", rss_mb(p), rss_peak[p]);
    }
    if (postmaster > 0) std::printf("CPU: PostgreSQL (postmaster + backends) %.1f s (%.0f%% of one core)\n", pg,
                                    100 * pg / load_secs);
  }
  std::printf("CPU: this driver (the simulated devices, on the same cores) %.1f s (%.0f%% of one core)\n", self_cpu,
              100 * self_cpu / load_secs);
  std::printf("load average: %.2f before, %.2f after (%ld CPUs)\n", load_before, load_after,
              sysconf(_SC_NPROCESSORS_ONLN));

  // Verification: pull everything after head0 in each community.
  size_t acked_total = 0, found_total = 0, lost = 0, duplicated = 0, unknown = 0, stored_unacked = 0;
  {
    auto http = make_client();
    for (auto& cp : communities) {
      Community& c = *cp;
      httplib::Headers h{{"Host", c.host}, {"Authorization", "Bearer " + c.admin_token}};
      std::unordered_map<std::string, size_t> seen;
      uint64_t after = c.head0;
      bool ok = true;
      for (;;) {
        double ms;
        size_t r = 0;
        auto res = send_retrying(*http, [&] {
          return http->Get("/api/v1/ops?after=" + std::to_string(after) + "&limit=1000", h);
        }, &ms, &r);
        if (!res || res->status != 200) {
          ok = false;
          break;
        }
        auto j = nlohmann::json::parse(res->body);
        for (auto& o : j["ops"]) {
          const std::string id = o["op"].value("id", "");
          if (id.rfind("ld", 0) == 0) ++seen[id];
        }
        after = j.value("next", after);
        if (!j.value("more", false)) break;
      }
      if (!ok) {
        std::printf("verify %s: could not pull\n", c.id.c_str());
        ++lost;
        continue;
      }
      acked_total += c.acked.size();
      for (auto& id : c.acked) {
        auto it = seen.find(id);
        if (it == seen.end()) ++lost, std::printf("LOST %s at %s\n", id.c_str(), c.id.c_str());
        else if (it->second > 1) ++duplicated, std::printf("DUPLICATED %s at %s (%zu times)\n", id.c_str(), c.id.c_str(), it->second);
      }
      for (auto& [id, times] : seen) {
        found_total += times;
        if (!c.sent.count(id)) ++unknown, std::printf("UNKNOWN %s at %s\n", id.c_str(), c.id.c_str());
        else if (!c.acked.count(id)) ++stored_unacked;
      }
    }
  }
  std::printf("verify: %zu ops acknowledged, %zu of this run's ops stored; lost %zu, duplicated %zu, never sent %zu,"
              " stored but unacknowledged %zu, sent and never acknowledged %zu\n",
              acked_total, found_total, lost, duplicated, unknown, stored_unacked, still_unacked);
  const bool pass = lost == 0 && duplicated == 0 && unknown == 0 && still_unacked == 0 && stored_unacked == 0;
  std::printf("%s\n", pass ? "PASS: every acknowledged op stored exactly once" : "FAIL");
  return pass ? 0 : 1;
}
