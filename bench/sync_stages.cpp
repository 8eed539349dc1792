// sync_stages: where the time of a push and a pull of N operations (default
// 100,000) goes, stage by stage, in one process: the work sync_bench's server
// and client do, timed apart (CPU seconds, this thread).
//
//   sync_stages [--ops N] [--batch B] [--page P] [--folder DIR] [--store SPEC]
//
// --store: the store to use instead of DIR/server.sqlite, e.g. a PostgreSQL
// connection string (an empty database: script/pg start DIR prints one for
// a throwaway cluster). Its round trips are not this thread's CPU time, so
// the store's stages are also given in wall seconds.
//
// Client, push: encode_push_request, gzip. Server, push: inflate,
// decode_push_request, the canonical text of each operation, validation,
// State::apply, OpStore::append (a real file, WAL, fsync per batch),
// encode_push_response. Server, pull: OpStore::read_after,
// encode_pull_response, gzip. Client, pull: inflate, decode_pull_response,
// State::apply. The operations are sync_bench's (demo + activity).
// Per-operation stages are timed around each operation, so each carries
// ~0.5-1 us of clock reading: their sum is above the server's CPU time in
// sync_bench; read them as proportions.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "../tests/server/server_process.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/state.h"
#include "server/compression.h"
#include "server/op_store.h"
#include "sync/protocol.h"

using namespace dh;

namespace {
double cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
struct Stages {
  std::vector<std::pair<std::string, double>> order;
  void add(const std::string& name, double s) {
    for (auto& [n, v] : order)
      if (n == name) return void(v += s);
    order.emplace_back(name, s);
  }
};
#define TIMED(stages, name, ...)         \
  do {                                   \
    double t0_ = cpu_now();              \
    __VA_ARGS__;                         \
    (stages).add(name, cpu_now() - t0_); \
  } while (0)
}  // namespace

int main(int argc, char** argv) {
  size_t n = 100000, batch = 2000, page = 1000;
  std::string folder, store_spec;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--ops") n = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--batch") batch = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--page") page = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--folder") folder = argv[i + 1];
    else if (a == "--store") store_spec = argv[i + 1];
  }
  std::vector<Operation> ops = generate_demo();
  if (ops.size() < n) {
    auto more = generate_activity(ops, static_cast<int>(n - ops.size()), 7);
    ops.insert(ops.end(), more.begin(), more.end());
  }
  if (ops.size() > n) ops.resize(n);

  dh::test::TempDir tmp;
  if (store_spec.empty()) store_spec = (folder.empty() ? tmp.path() : folder) + "/server.sqlite";
  auto opened = open_op_store(store_spec);
  if (!opened) return std::fprintf(stderr, "%s\n", opened.error().message.c_str()), 1;
  std::unique_ptr<OpStore> store = std::move(opened).value();
  Stages client_push, server_push, server_pull, client_pull;
  State server_state;
  double append_wall = 0, lookup_wall = 0, read_wall = 0;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  for (size_t start = 0; start < ops.size(); start += batch) {
    std::vector<Operation> slice(ops.begin() + start, ops.begin() + std::min(ops.size(), start + batch));
    std::string body, gz, text;
    TIMED(client_push, "encode_push_request", body = sync::encode_push_request("bench", slice));
    TIMED(client_push, "gzip level 6", gz = *gzip_compress(body));
    TIMED(server_push, "inflate", text = *gzip_decompress(gz));
    TIMED(server_push, "check_json_depth", (void)sync::check_json_depth(text));
    Result<sync::PushRequest> req = make_error("x", "x");
    TIMED(server_push, "decode_push_request", req = sync::decode_push_request(text));
    if (!req) return std::fprintf(stderr, "%s\n", req.error().message.c_str()), 1;
    std::vector<std::string> bodies(req->items.size());
    std::vector<OpStore::NewOp> rows;
    sync::PushResponse resp;
    {
      // As SyncService::push_locked: the store's answers for the batch's ids at once.
      std::vector<std::string> ids;
      for (const auto& item : req->items) ids.push_back(item.op->id.to_string());
      const auto lookup0 = Clock::now();
      TIMED(server_push, "store lookups (find_many)", (void)store->find_many(ids));
      lookup_wall += since(lookup0);
    }
    for (size_t i = 0; i < req->items.size(); ++i) {
      const Operation& op = *req->items[i].op;
      // As the server: the received text when it was canonical, else written.
      TIMED(server_push, "canonical text (received, or to_json_text)",
            bodies[i] = req->items[i].text.empty() ? to_json_text(op) : req->items[i].text);
      Status v = ok_status();
      TIMED(server_push, "validate_operation", v = validate_operation(server_state, op));
      if (!v) return std::fprintf(stderr, "%s\n", v.error().message.c_str()), 1;
      TIMED(server_push, "State::apply", server_state.apply(op));
      rows.push_back(OpStore::NewOp{&op, bodies[i], 0, "bench"});
    }
    Result<std::vector<uint64_t>> seqs = make_error("x", "x");
    auto wall0 = std::chrono::steady_clock::now();
    TIMED(server_push, "OpStore::append (fsync)", seqs = store->append(rows));
    append_wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (!seqs) return 1;
    for (size_t i = 0; i < seqs->size(); ++i) {
      sync::PushResult r;
      r.id = req->items[i].id;
      r.status = sync::PushStatus::accepted;
      r.seq = seqs.value()[i];
      resp.results.push_back(r);
    }
    std::string out;
    TIMED(server_push, "encode_push_response", out = sync::encode_push_response(resp));
    TIMED(server_push, "gzip answer (level 1)", (void)gzip_compress(out, 1));
  }
  State device;
  for (uint64_t after = 0;;) {
    Result<std::vector<OpStore::Row>> rows = make_error("x", "x");
    const auto read0 = Clock::now();
    TIMED(server_pull, "OpStore::read_after", rows = store->read_after(after, page + 1));
    read_wall += since(read0);
    std::vector<sync::RawPulledOp> raw;
    bool more = rows->size() > page;
    for (size_t i = 0; i < std::min(page, rows->size()); ++i) raw.push_back(sync::RawPulledOp{rows.value()[i].seq, rows.value()[i].body});
    std::string text, gz, back;
    TIMED(server_pull, "encode_pull_response", text = sync::encode_pull_response(raw, raw.empty() ? after : raw.back().seq, more, 0, 1));
    TIMED(server_pull, "gzip level 1 (as the server answers)", gz = *gzip_compress(text, 1));
    TIMED(client_pull, "inflate", back = *gzip_decompress(gz));
    Result<sync::PullResponse> p = make_error("x", "x");
    TIMED(client_pull, "decode_pull_response", p = sync::decode_pull_response(back));
    if (!p) return std::fprintf(stderr, "%s\n", p.error().message.c_str()), 1;
    TIMED(client_pull, "State::apply", for (const auto& o : p->ops) device.apply(o.op));
    after = p->next;
    if (!p->more) break;
  }
  auto print = [&](const char* title, const Stages& s) {
    double total = 0;
    for (auto& [name, v] : s.order) total += v;
    std::printf("%s: %.3f s CPU (%.1f us/op)\n", title, total, total * 1e6 / n);
    for (auto& [name, v] : s.order) std::printf("  %-40s %7.3f s  %5.1f us/op\n", name.c_str(), v, v * 1e6 / n);
  };
  print("client, push", client_push);
  print("server, push", server_push);
  std::printf("  (OpStore::append: %.3f s wall, fsync and checkpoints included)\n", append_wall);
  std::printf("  (store lookups: %.3f s wall, %.1f us/op)\n", lookup_wall, lookup_wall * 1e6 / n);
  print("server, pull", server_pull);
  std::printf("  (OpStore::read_after: %.3f s wall)\n", read_wall);
  print("client, pull", client_pull);
  std::printf("state hash: server %s, device %s\n", server_state.hash_hex().c_str(), device.hash_hex().c_str());
  return server_state.hash_hex() == device.hash_hex() ? 0 : 1;
}
