// sync_bench: push and pull of N operations (default 100,000) through the real
// dianhong_server over loopback: wall time, operations per second and bytes on
// the wire (HTTP bodies; headers add ~150 bytes per request).
//
//   sync_bench [--ops N] [--batch B] [--page P] [--gzip LEVEL] [--dump-ops FILE] [--server PATH]
//
// Defaults: 100,000 operations, pushes of 2,000, pull pages of 1,000, gzip
// level 6 both ways (push bodies Content-Encoding: gzip, answers asked with
// Accept-Encoding: gzip), as the app sends them; --gzip 0 sends plain JSON.
// --dump-ops writes the operations, one canonical JSON text a line, for the
// PouchDB reference (bench/sync_pouch/run.js). The line "RESULT ..." is for
// bench/sync_compare.sh.
//
// The operations are the demo data set plus generate_activity() up to N, all
// valid, so every push runs the full validation. The server runs on a free
// port with a temporary data folder (WAL, fsync per push). Wall time depends
// on what else the machine runs; the CPU seconds of the server and of this
// client are printed too.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "../tests/server/server_process.h"
#include "core/demo.h"
#include "core/state.h"
#include "server/compression.h"
#include "sync/protocol.h"

using namespace dh;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds (user + system) a process has used, from /proc/PID/stat.
double process_cpu_seconds(pid_t pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return -1;
  char buf[2048];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  unsigned long utime = 0, stime = 0;
  // Fields after ")": state(3) ... utime(14) stime(15).
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  size_t n = 100000, batch = 2000, page = 1000;
  bool compress = true;
  std::string dump_path;
  int gzip_level = 6;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--ops") n = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--batch") batch = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--page") page = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--server") setenv("DH_SERVER_BINARY", argv[i + 1], 1);
    else if (a == "--dump-ops") dump_path = argv[i + 1];
    else if (a == "--gzip") {
      gzip_level = std::atoi(argv[i + 1]);
      compress = gzip_level > 0;
    } else {
      std::cerr << "usage: sync_bench [--ops N] [--batch B] [--page P] [--gzip LEVEL (0: plain)] [--dump-ops FILE] [--server PATH]\n";
      return 2;
    }
  }
  auto t0 = Clock::now();
  std::vector<Operation> ops = generate_demo();
  if (ops.size() < n) {
    auto more = generate_activity(ops, static_cast<int>(n - ops.size()), 7);
    ops.insert(ops.end(), more.begin(), more.end());
  }
  if (ops.size() > n) ops.resize(n);
  // The demo year and the activity after it reach past today; the server
  // refuses stamps far ahead of its clock (clock_far_ahead), so the whole set
  // is moved back in time, order kept, to end a minute ago.
  {
    int64_t last = 0;
    for (const auto& op : ops) last = std::max(last, op.hlc.wall_ms);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    if (last > now - 60000) {
      const int64_t shift = last - (now - 60000);
      for (auto& op : ops) op.hlc.wall_ms -= shift;
    }
  }
  State expected;
  for (const auto& op : ops) expected.apply(op);
  std::printf("generated %zu operations in %.2f s\n", ops.size(), seconds_since(t0));
  if (!dump_path.empty()) {  // the same documents for the PouchDB reference (bench/sync_pouch)
    std::FILE* f = std::fopen(dump_path.c_str(), "w");
    if (!f) return std::perror(dump_path.c_str()), 1;
    for (const auto& op : ops) std::fprintf(f, "%s\n", to_json_text(op).c_str());
    std::fclose(f);
  }

  dh::test::TempDir data;
  dh::test::ServerProcess server(data.path());
  if (!server.start()) {
    std::cerr << "sync_bench: " << server.error() << "\n";
    return 1;
  }
  auto c = server.client();

  // Push. As the app sends it: the body gzipped (Content-Encoding: gzip; the
  // server bounds the inflated body) and the answer asked gzipped too. The
  // client's compression and decompression are inside the timed loop; the
  // byte counts are what crossed the wire (bodies only).
  double server_cpu0 = process_cpu_seconds(server.pid()), client_cpu0 = self_cpu_seconds();
  size_t up = 0, up_plain = 0, down = 0, accepted = 0, requests = 0;
  c->set_decompress(false);  // we inflate ourselves, to count the bytes on the wire
  auto answer_body = [&](const httplib::Result& res) -> std::optional<std::string> {
    if (res->get_header_value("Content-Encoding") != "gzip") return res->body;
    return gzip_decompress(res->body);
  };
  // The device holds its operations; cut into batches before the clock starts.
  std::vector<std::vector<Operation>> batches;
  for (size_t start = 0; start < ops.size(); start += batch)
    batches.emplace_back(ops.begin() + start, ops.begin() + std::min(ops.size(), start + batch));
  client_cpu0 = self_cpu_seconds();
  auto tp = Clock::now();
  size_t start = 0;
  for (const auto& slice : batches) {
    std::string body = sync::encode_push_request("bench", slice);
    up_plain += body.size();
    httplib::Headers headers;
    if (compress) {
      headers.emplace("Accept-Encoding", "gzip");
      auto gz = gzip_compress(body, gzip_level);
      if (!gz) return 1;
      body = std::move(*gz);
      headers.emplace("Content-Encoding", "gzip");
    }
    auto res = c->Post("/api/v1/ops", headers, body, "application/json");
    if (!res || res->status != 200) {
      std::cerr << "sync_bench: push failed at op " << start << ": "
                << (res ? res->body : httplib::to_string(res.error())) << "\n";
      return 1;
    }
    up += body.size();
    down += res->body.size();
    ++requests;
    auto text = answer_body(res);
    if (!text) return 1;
    auto r = sync::decode_push_response(*text);
    if (!r.ok()) return 1;
    for (const auto& x : r->results) {
      if (x.status == sync::PushStatus::accepted) ++accepted;
      else {
        std::cerr << "sync_bench: " << x.id << " " << sync::to_string(x.status) << ": " << x.reason << "\n";
        return 1;
      }
    }
    start += slice.size();
  }
  double push_s = seconds_since(tp);
  std::printf("push: %zu ops in %zu requests of %zu%s: %.2f s (%.0f ops/s)\n", accepted, requests, batch,
              compress ? ", gzip both ways" : ", plain", push_s, accepted / push_s);
  std::printf("      on the wire: %.1f MB up (%.0f B/op; %.0f B/op before gzip), %.1f MB down (%.0f B/op)\n",
              up / 1e6, double(up) / accepted, double(up_plain) / accepted, down / 1e6, double(down) / accepted);
  double server_cpu1 = process_cpu_seconds(server.pid()), client_cpu1 = self_cpu_seconds();
  std::printf("      CPU: server %.2f s (%.1f us/op), client %.2f s (encode, gzip)\n", server_cpu1 - server_cpu0,
              (server_cpu1 - server_cpu0) * 1e6 / accepted, client_cpu1 - client_cpu0);

  // Pull into an empty device, page by page as the app does (Accept-Encoding:
  // gzip, as a browser sends it); inflate, decode and fold timed.
  size_t pulled = 0, pull_wire = 0, pull_plain = 0, pages = 0;
  uint64_t after = 0;
  State folded;
  httplib::Headers accept;
  if (compress) accept.emplace("Accept-Encoding", "gzip");
  auto tq = Clock::now();
  for (;;) {
    std::string url = "/api/v1/ops?after=" + std::to_string(after) + "&limit=" + std::to_string(page);
    auto res = c->Get(url.c_str(), accept);
    if (!res || res->status != 200) {
      std::cerr << "sync_bench: pull failed after " << after << "\n";
      return 1;
    }
    pull_wire += res->body.size();
    ++pages;
    auto text = answer_body(res);
    if (!text) return 1;
    pull_plain += text->size();
    auto p = sync::decode_pull_response(*text);
    if (!p.ok()) return 1;
    for (const auto& o : p->ops) folded.apply(o.op);
    pulled += p->ops.size();
    after = p->next;
    if (!p->more) break;
  }
  double pull_s = seconds_since(tq);
  std::printf("pull: %zu ops in %zu pages of %zu: %.2f s (%.0f ops/s, inflate, decode and fold included)\n",
              pulled, pages, page, pull_s, pulled / pull_s);
  std::printf("      on the wire: %.1f MB down (%.0f B/op; %.0f B/op before gzip)\n", pull_wire / 1e6,
              double(pull_wire) / pulled, double(pull_plain) / pulled);
  double server_cpu2 = process_cpu_seconds(server.pid()), client_cpu2 = self_cpu_seconds();
  std::printf("      CPU: server %.2f s (%.1f us/op), client %.2f s (inflate, decode and fold)\n",
              server_cpu2 - server_cpu1, (server_cpu2 - server_cpu1) * 1e6 / pulled, client_cpu2 - client_cpu1);
  const double worst_bytes = std::max({double(up) / accepted, double(down) / accepted, double(pull_wire) / pulled});
  std::printf("push + pull: %.2f s; at most %.0f B/op on the wire either way (goal: under 3 s, at most 100 B/op)\n",
              push_s + pull_s, worst_bytes);
  std::printf("RESULT ops=%zu push_s=%.3f pull_s=%.3f total_s=%.3f push_up_bpo=%.1f push_down_bpo=%.1f "
              "pull_down_bpo=%.1f\n",
              accepted, push_s, pull_s, push_s + pull_s, double(up) / accepted, double(down) / accepted,
              double(pull_wire) / pulled);
  bool same = folded.hash_hex() == expected.hash_hex();
  std::printf("state hash after pull: %s (%s)\n", folded.hash_hex().c_str(), same ? "matches" : "DIFFERS");
  server.stop();

  // Start-up with this store: the server folds every stored operation.
  auto ts = Clock::now();
  dh::test::ServerProcess again(data.path());
  if (!again.start()) return 1;
  std::printf("restart with %zu stored operations: %.2f s to \"running\" (fold included)\n", accepted,
              seconds_since(ts));
  again.stop();
  return same && pulled == accepted ? 0 : 1;
}
