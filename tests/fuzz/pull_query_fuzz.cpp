// Fuzz target: the query string of a pull (GET /api/v1/ops?after=..&limit=..)
// as the server reads it: cpp-httplib's own query parser (percent-decoding,
// repeated keys: the first value counts, like Request::get_param_value), then
// sync::parse_pull_query, then SyncService::pull on an in-memory store holding
// the small world of fuzz_world.h (plain and masked), then the client's
// decode_pull_response.
//
// Invariants checked (a break aborts, so libFuzzer keeps the input):
// - a refused query is "bad_query"; an accepted one has 1 <= limit <= 1000
//   and reads back the same from its own decimal text;
// - the page decodes, holds at most `limit` ops, all with seq > after, in
//   ascending order; `next` is the last seq (or `after` when empty); `more`
//   is true exactly when stored ops lie beyond `next`.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_world.h"
#include "server/op_store.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

SyncService& service() {
  static std::unique_ptr<SyncService> svc = [] {
    static const fuzz::World w;
    auto store = OpStore::open(":memory:");
    if (!store) fuzz::broken("open in-memory store", store.error().message);
    auto s = SyncService::open(std::move(store).value());
    if (!s) fuzz::broken("open service", s.error().message);
    auto loaded = s.value()->load_if_empty(w.ops, "coord", fuzz::kWorldMs);
    if (!loaded || loaded.value() != w.ops.size()) fuzz::broken("load world");
    return std::move(s).value();
  }();
  return *svc;
}

std::string first_value(const httplib::Params& params, const char* key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

void check_page(const sync::PullQuery& q, bool masked) {
  SyncService& svc = service();
  auto body = svc.pull(q, fuzz::kServerNowMs, masked ? "kiosk" : "");
  if (!body) fuzz::broken("pull failed", body.error().message);
  auto page = sync::decode_pull_response(body.value());
  if (!page) fuzz::broken("pull answer does not decode", page.error().message);
  if (page->ops.size() > q.limit) fuzz::broken("page longer than limit");
  uint64_t last = q.after;
  for (const auto& p : page->ops) {
    if (p.seq <= last) fuzz::broken("page seq not above after / not ascending");
    last = p.seq;
  }
  if (page->next != last) fuzz::broken("next is not the last seq (or after)");
  const bool beyond = svc.head() > page->next;
  if (page->more != beyond) fuzz::broken("more disagrees with the head");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text[0] == '?') text.erase(0, 1);
  httplib::Params params;
  httplib::detail::parse_query_text(text, params);
  const std::string after = first_value(params, "after");
  const std::string limit = first_value(params, "limit");

  auto q = sync::parse_pull_query(after, limit);
  if (!q) {
    if (q.error().code != "bad_query") fuzz::broken("parse_pull_query: unlisted error code", q.error().code);
    return 0;
  }
  if (q->limit < 1 || q->limit > sync::kMaxPullLimit) fuzz::broken("limit out of range", std::to_string(q->limit));
  auto again = sync::parse_pull_query(std::to_string(q->after), std::to_string(q->limit));
  if (!again || again->after != q->after || again->limit != q->limit) {
    fuzz::broken("query does not read back from its own numbers", text);
  }
  check_page(q.value(), false);
  check_page(q.value(), true);
  return 0;
}
