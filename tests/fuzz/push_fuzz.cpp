// Fuzz target: a push body (POST /api/v1/ops) through what the server does
// with it, without HTTP: sync::decode_push_request, then SyncService::push on
// a fresh in-memory OpStore holding the small world of fuzz_world.h, as one of
// the roles (role_may_push, the DeviceAuth rule), then a pull of everything.
//
// Invariants checked (a break aborts, so libFuzzer keeps the input):
// - decoding refuses only with the codes docs/sync-protocol.md lists;
// - one result per operation, in order (naming the op's canonical id); the
//   store grew by the accepted count;
// - the push answer encodes and decodes again with the same statuses;
// - pushing the same request again answers every accepted op "duplicate"
//   with the same seq and stores nothing more;
// - a pull (masked for kiosks) decodes, in ascending seq, every op stored.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_world.h"
#include "server/auth.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

// DeviceAuth's rules without its token registry: the caller is who the body
// says, in the role the input picks.
class RoleAuth : public Authenticator {
 public:
  std::string name() const override { return "fuzz"; }
  Result<Principal> authenticate(const RequestContext& r) override { return Principal{r.device, "fuzz"}; }
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }
};

const fuzz::World& world() {
  static const fuzz::World w;
  return w;
}

std::unique_ptr<SyncService> fresh_service() {
  auto store = OpStore::open(":memory:");
  if (!store) fuzz::broken("open in-memory store", store.error().message);
  auto svc = SyncService::open(std::move(store).value());
  if (!svc) fuzz::broken("open service", svc.error().message);
  auto loaded = svc.value()->load_if_empty(world().ops, "coord", fuzz::kWorldMs);
  if (!loaded || loaded.value() != world().ops.size()) fuzz::broken("load world");
  return std::move(svc).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = sync::decode_push_request(text);
  if (!request) {
    const std::string& c = request.error().code;
    if (c != "bad_json" && c != "unsupported_protocol" && c != "bad_device" && c != "too_many_ops" &&
        c != "too_deep" && c != "out_of_range") {
      fuzz::broken("decode_push_request: unlisted error code", c);
    }
    return 0;
  }
  if (request->items.size() > sync::kMaxPushOps) fuzz::broken("more ops than kMaxPushOps decoded");

  // The role: administrator, coordinator, grid worker or kiosk (a projector's
  // push is refused whole before the service sees it), or OpenAccess's "open".
  static const char* const kRoles[] = {"coordinator", "kiosk", "grid_worker", "administrator", "open"};
  const Principal who{request->device, kRoles[size % 5]};
  RoleAuth auth;

  auto svc = fresh_service();
  const uint64_t before = svc->op_count();
  auto resp = svc->push(request.value(), who, auth, fuzz::kServerNowMs);
  if (!resp) {
    if (resp.error().code != "clock_far_ahead") fuzz::broken("push failed", resp.error().code);
    if (svc->op_count() != before) fuzz::broken("a refused push stored something");
    return 0;
  }
  const auto& results = resp->results;
  if (results.size() != request->items.size()) fuzz::broken("result count differs from op count");
  uint64_t accepted = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    // The answer names the op's canonical id ("coord:05" is read as coord:5).
    const auto& item = request->items[i];
    const std::string want = item.op ? item.op->id.to_string() : item.id;
    if (results[i].id != want) fuzz::broken("result out of order", results[i].id);
    if (results[i].status == sync::PushStatus::accepted) ++accepted;
    if (results[i].status == sync::PushStatus::rejected && results[i].code.empty()) {
      fuzz::broken("rejected without a code", results[i].id);
    }
  }
  if (svc->op_count() != before + accepted) fuzz::broken("stored count differs from accepted count");

  auto round = sync::decode_push_response(sync::encode_push_response(resp.value()));
  if (!round) fuzz::broken("push answer does not decode", round.error().message);
  if (round->results.size() != results.size()) fuzz::broken("push answer lost results");
  for (size_t i = 0; i < results.size(); ++i) {
    if (round->results[i].status != results[i].status || round->results[i].seq != results[i].seq) {
      fuzz::broken("push answer changed in a round trip", results[i].id);
    }
  }

  // The client's retry after a lost answer: nothing new, same seqs.
  const uint64_t after_first = svc->op_count();
  auto again = svc->push(request.value(), who, auth, fuzz::kServerNowMs);
  if (!again) fuzz::broken("the same push failed the second time", again.error().code);
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != sync::PushStatus::accepted) continue;
    const auto& r2 = again->results[i];
    if (r2.status != sync::PushStatus::duplicate || r2.seq != results[i].seq) {
      fuzz::broken("a retried accepted op is not a duplicate with its seq", results[i].id);
    }
  }
  if (svc->op_count() < after_first) fuzz::broken("the retry lost operations");

  auto page = svc->pull(sync::PullQuery{0, sync::kMaxPullLimit}, fuzz::kServerNowMs, who.role);
  if (!page) fuzz::broken("pull failed", page.error().message);
  auto pulled = sync::decode_pull_response(page.value());
  if (!pulled) fuzz::broken("pull answer does not decode", pulled.error().message);
  uint64_t last = 0;
  for (const auto& p : pulled->ops) {
    if (p.seq <= last) fuzz::broken("pull not in ascending seq");
    last = p.seq;
  }
  if (svc->op_count() <= sync::kMaxPullLimit && pulled->ops.size() != svc->op_count()) {
    fuzz::broken("pull does not return every stored op");
  }
  return 0;
}
