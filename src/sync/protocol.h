// Sync protocol, version 2: the messages a device and the server exchange and
// their JSON encoding (docs/sync-protocol.md is the reference). Shared by the
// client and the server; transport-free (no HTTP, no sockets, no clock), so it
// builds for wasm too and the server logic can be driven without a network.
//
//   GET  /api/v1/ops?after=<seq>&limit=<n>   -> PullResponse
//   POST /api/v1/ops   PushRequest           -> PushResponse (one result per op)
//   GET  /api/v1/health                      -> Health
//   any error                                -> ErrorBody {"error":{code,message}}
//
// Contracts
// - Decoding never throws: bad input is an Error with a plain message.
// - A push decodes even when some of its operations are malformed: those
//   become PushItem entries with an error, so one bad operation is rejected on
//   its own and never blocks the ones behind it.
// - Sequence numbers (seq) are the server's global order: 1, 2, 3, ... with
//   gaps allowed; a client keeps "the highest seq I have stored" as its cursor
//   and moves it only after the pulled operations are durably stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/operation.h"
#include "core/result.h"

namespace dh::sync {

constexpr int kProtocolVersion = 2;        // what this code sends
constexpr int kOldestProtocolVersion = 1;  // the oldest the server still accepts
// Limits (the server enforces them; clients split their batches to fit).
constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;  // request body, bytes
constexpr size_t kMaxPushOps = 2000;                  // operations per push
constexpr size_t kMaxOpBytes = 64 * 1024;             // one operation's canonical JSON
constexpr size_t kMaxPullLimit = 1000;                // operations per pull page
constexpr size_t kDefaultPullLimit = 500;
// Nesting of arrays and objects in any JSON the protocol reads. The deepest
// real message is about 8; a deeper one is refused before it is parsed
// ("too_deep"), because nlohmann's copy, dump and destructor recurse.
constexpr size_t kMaxJsonDepth = 64;

// "too_deep" when text nests arrays/objects deeper than max_depth (counted
// outside strings; a cheap scan before any parser runs), else ok. Does not
// check that text is JSON.
Status check_json_depth(std::string_view text, size_t max_depth = kMaxJsonDepth);
// Json::parse without exceptions, after check_json_depth: errors "too_deep"
// or "bad_json" (what: "request body", ...).
Result<Json> parse_json_bounded(std::string_view text, const char* what);

// ---- errors ---------------------------------------------------------------

// {"error":{"code":"bad_json","message":"..."}}
std::string encode_error(const Error& error);
// The error in an error answer; nullopt when the text is not one.
std::optional<Error> decode_error(std::string_view text);

// The clock rule (docs/sync-protocol.md "Clocks"): a push with an operation
// stamped more than kMaxStampAheadMs ahead of the server's clock is refused
// whole with 422 clock_far_ahead; the answer carries the server's clock so the
// device re-stamps its unacknowledged operations and sends them again:
// {"error":{"code":"clock_far_ahead","message":"...","server_ms":N,"max_ahead_ms":300000}}
constexpr int64_t kMaxStampAheadMs = 5 * 60 * 1000;
std::string encode_clock_error(const Error& error, int64_t server_ms);
// server_ms of such an answer; nullopt when absent or out of range.
std::optional<int64_t> decode_error_server_ms(std::string_view text);

// ---- push -----------------------------------------------------------------

// One operation of a push as the server received it: either a structurally
// valid operation, or the error that made it unreadable (with whatever id text
// it carried, so the answer can name it).
struct PushItem {
  std::string id;                 // the op's "id" text ("" if absent)
  std::optional<Operation> op;    // set when structurally valid
  Error error;                    // set when !op
  // The operation's JSON exactly as received when it was already canonical
  // (then equal to to_json_text(*op)), so the server stores it without
  // writing it again; "" when it was not (or when !op).
  std::string text;
};

struct PushRequest {
  int protocol = kProtocolVersion;
  std::string device;             // the pushing device's id
  int64_t device_ms = 0;          // protocol 2: the device's clock when it sent (0 = not sent)
  std::vector<PushItem> items;
};

// Client side: a request for these operations.
// device_ms: the device's clock (Unix ms) when it sends; 0 leaves it out.
std::string encode_push_request(const std::string& device, const std::vector<Operation>& ops,
                                int64_t device_ms = 0);
// Server side. Errors (whole request refused): "bad_json" (not JSON / wrong
// shape), "too_deep", "unsupported_protocol", "bad_device", "too_many_ops".
Result<PushRequest> decode_push_request(std::string_view text);

enum class PushStatus { accepted, duplicate, rejected };
const char* to_string(PushStatus status);

struct PushResult {
  std::string id;
  PushStatus status = PushStatus::rejected;
  uint64_t seq = 0;               // accepted / duplicate: the op's global seq
  std::string code;               // rejected: machine code
  std::string reason;             // rejected: plain words
};

struct PushResponse {
  int protocol = kProtocolVersion;
  std::vector<PushResult> results;  // same order as the request's ops
  uint64_t head = 0;                // highest seq the server holds
  int64_t server_ms = 0;            // the server's clock when it answered
  // Non-empty when the device's stamps are further ahead of the server clock
  // than the allowed drift: plain words for the person ("clock is wrong").
  std::string clock_warning;
};

std::string encode_push_response(const PushResponse& response);
Result<PushResponse> decode_push_response(std::string_view text);

// ---- pull -----------------------------------------------------------------

struct PulledOp {
  uint64_t seq = 0;
  Operation op;
};

// An operation the server stored and later withdrew because its parent
// server refused it (hub mode, docs/sync-protocol.md "Hub mode"): at `seq`
// of the same sequence as the operations, so a cursor sees it in order. A
// device takes the operation out of its state (Replica::exclude) and, when
// it made it, records the refusal with the parent's code and reason.
struct WithdrawnOp {
  uint64_t seq = 0;
  std::string id;      // "device:seq" of the withdrawn operation
  std::string code;    // the parent's machine code
  std::string reason;  // the parent's plain words
};

struct PullResponse {
  std::vector<PulledOp> ops;      // ascending seq
  std::vector<WithdrawnOp> withdrawn;  // ascending seq; optional in the answer ("withdrawn")
  uint64_t next = 0;              // cursor for the next pull (= last seq, or `after`)
  bool more = false;              // more operations wait after `next`
  uint64_t head = 0;
  int64_t server_ms = 0;
};

// Server side fast path: the stored canonical op text is copied verbatim.
struct RawPulledOp {
  uint64_t seq = 0;
  std::string op_json;            // canonical JSON of the operation
};
// withdrawn: left out of the answer when empty (older clients ignore it).
std::string encode_pull_response(const std::vector<RawPulledOp>& ops, uint64_t next, bool more,
                                 uint64_t head, int64_t server_ms,
                                 const std::vector<WithdrawnOp>& withdrawn = {});
Result<PullResponse> decode_pull_response(std::string_view text);

// Query string values: after=<seq> (default 0), limit=<1..kMaxPullLimit>
// (default kDefaultPullLimit). Empty strings mean "absent".
struct PullQuery {
  uint64_t after = 0;
  size_t limit = kDefaultPullLimit;
};
Result<PullQuery> parse_pull_query(std::string_view after, std::string_view limit);

// ---- health ---------------------------------------------------------------

// The full answer (to an authenticated caller, or anyone on an open-access
// server) carries every field; the public one (no token on a server with
// device enrolment) only status, protocol and auth, so that an app knows it
// must enrol. decode_health reads both; `full` says which it was.
struct Health {
  std::string status = "ok";
  int protocol = kProtocolVersion;
  uint64_t ops = 0;               // operations stored
  uint64_t head = 0;              // highest seq
  std::string state_hash;         // State::hash_hex() of the server's fold
  std::string auth;               // which Authenticator guards the API
  int64_t server_ms = 0;
  bool full = true;               // ops, head, state_hash and server_ms are set
};
std::string encode_health(const Health& health);
std::string encode_public_health(const Health& health);
Result<Health> decode_health(std::string_view text);

}  // namespace dh::sync
