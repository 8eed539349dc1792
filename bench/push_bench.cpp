// push_bench: how long one push holds the server's push lock (issue 8: one
// kiosk push of 2,000 sign-ups held it 3.7 s, because every check scanned
// every sign-up).
//
//   push_bench [--existing N] [--batch B]
//
// The demo data set and its month of shifts (2026-12) are loaded into an in-process SyncService (in-memory
// SQLite, the same push code the HTTP route calls), then N sign-ups
// (default 20,000) are pushed by a coordinator device in batches of 2,000,
// and then ONE push of B (default 2,000) kiosk sign-ups is timed: wall and
// CPU time of SyncService::push, which holds the push lock throughout.
// Prints the figure for bench/README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/demo.h"
#include "core/state.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

using namespace dh;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kNow = 1796083200000;  // 2026-12-01

class RoleAuth : public Authenticator {
 public:
  std::string name() const override { return "bench-roles"; }
  Result<Principal> authenticate(const RequestContext&) override { return make_error("unauthorized", "unused"); }
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }
};

// Valid sign-ups (no clash, no age or skill rule broken) made against `state`,
// one per volunteer per pass over the shifts, until `count` are made.
std::vector<Operation> signups(State& state, OpSource& source, const std::string& channel, size_t count,
                               size_t* cursor) {
  std::vector<Operation> out;
  auto volunteers = state.list("volunteer");
  auto shifts = state.list("shift");
  if (volunteers.empty() || shifts.empty()) return out;
  const size_t tries_max = count * 20;
  for (size_t tries = 0; out.size() < count && tries < tries_max; ++tries, ++*cursor) {
    const Entity* v = volunteers[*cursor % volunteers.size()];
    const Entity* s = shifts[(*cursor / volunteers.size() * 7 + *cursor) % shifts.size()];
    Json f{{"shift", s->id}, {"volunteer", v->id}, {"channel", channel}, {"seen_place", "confirmed"}};
    auto op = make_operation(state, CreateEntity{"signup", f, ""}, source, kNow - 60000);
    if (!op) continue;
    state.apply(op.value());
    out.push_back(std::move(op).value());
  }
  return out;
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
  size_t existing = 20000, batch = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--existing")) existing = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::strtoull(argv[i + 1], nullptr, 10);
  }
  auto store = OpStore::open(":memory:");
  if (!store) return std::fprintf(stderr, "%s\n", store.error().message.c_str()), 1;
  auto svc = SyncService::open(std::move(store).value());
  if (!svc) return std::fprintf(stderr, "%s\n", svc.error().message.c_str()), 1;
  // The demo without its volunteer year (issue 12), so the figures stay comparable.
  DemoOptions without_year;
  without_year.volunteering_year_from_households = 1 << 30;
  auto demo = generate_demo(without_year);
  auto month = generate_month_of_shifts(demo, "2026-12", 1);  // ~600 shifts, availability
  demo.insert(demo.end(), month.begin(), month.end());
  if (auto r = svc.value()->load_if_empty(demo, "demo", kNow); !r)
    return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
  State mirror;
  for (const auto& op : demo) mirror.apply(op);

  RoleAuth auth;
  size_t cursor = 0;
  OpSource coord{"coord1", "staff:wang", 1, HlcClock{}};
  Principal coord_who{"coord1", "coordinator"};
  size_t stored = 0;
  while (stored < existing) {
    auto ops = signups(mirror, coord, "coordinator", std::min<size_t>(2000, existing - stored), &cursor);
    if (ops.empty()) break;
    auto req = sync::decode_push_request(sync::encode_push_request("coord1", ops));
    auto r = svc.value()->push(req.value(), coord_who, auth, kNow);
    if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
    stored += ops.size();
  }

  OpSource kiosk{"kiosk1", "kiosk", 1, HlcClock{}};
  auto ops = signups(mirror, kiosk, "kiosk", batch, &cursor);
  auto req = sync::decode_push_request(sync::encode_push_request("kiosk1", ops));
  if (!req) return std::fprintf(stderr, "%s\n", req.error().message.c_str()), 1;
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  auto r = svc.value()->push(req.value(), Principal{"kiosk1", "kiosk"}, auth, kNow);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
  size_t accepted = 0;
  for (const auto& res : r->results) accepted += res.status == sync::PushStatus::accepted;
  std::printf("existing sign-ups: %zu (demo: %zu operations)\n", stored, demo.size());
  std::printf("one kiosk push of %zu sign-ups: %zu accepted, push lock held %.0f ms wall, %.0f ms CPU\n", ops.size(),
              accepted, wall * 1000, cpu * 1000);
  return accepted == ops.size() ? 0 : 2;
}
