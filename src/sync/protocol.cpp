#include "sync/protocol.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "core/json_reader.h"

namespace dh::sync {
namespace {

// Parses without exceptions; a parse error is a value.
Result<Json> parse_json(std::string_view text, const char* what) { return parse_json_bounded(text, what); }

Error shape_error(const std::string& message) { return make_error("bad_json", message); }

const Json* member(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Sequence numbers (seq, head, next): 0..kMaxOpSeq, nothing else.
bool u64_of(const Json* v, uint64_t* out) {
  if (!v || !v->is_number_unsigned()) return false;
  const uint64_t n = v->get<uint64_t>();
  if (n > kMaxOpSeq) return false;
  *out = n;
  return true;
}
bool get_u64(const Json& obj, const char* key, uint64_t* out) { return u64_of(member(obj, key), out); }

// Integers that fit int64 exactly (a UINT64_MAX does not become -1).
bool get_i64(const Json& obj, const char* key, int64_t* out) {
  const Json* v = member(obj, key);
  if (!v || !v->is_number_integer()) return false;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = v->get<int64_t>();
  return true;
}

// Clock readings (device_ms, server_ms): 0..kMaxWallMs.
bool get_ms(const Json& obj, const char* key, int64_t* out) {
  int64_t v = 0;
  if (!get_i64(obj, key, &v) || v < 0 || v > kMaxWallMs) return false;
  *out = v;
  return true;
}

bool get_string(const Json& obj, const char* key, std::string* out) {
  const Json* v = member(obj, key);
  if (!v || !v->is_string()) return false;
  *out = v->get<std::string>();
  return true;
}

// Unsigned decimal without sign, spaces or overflow.
bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Status check_json_depth(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return make_error("too_deep", "The JSON nests arrays and objects more than " + std::to_string(max_depth) +
                                          " levels deep.");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return ok_status();
}

Result<Json> parse_json_bounded(std::string_view text, const char* what) {
  if (auto deep = check_json_depth(text); !deep) return deep.error();
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error("bad_json", std::string("The ") + what + " is not valid JSON.");
  }
  return j;
}

// ---- errors ---------------------------------------------------------------

std::string encode_error(const Error& error) {
  Json j = {{"error", {{"code", error.code}, {"message", error.message}}}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Error> decode_error(std::string_view text) {
  auto j = parse_json(text, "error answer");
  if (!j) return std::nullopt;
  const Json* e = j->is_object() ? member(j.value(), "error") : nullptr;
  Error out;
  if (!e || !e->is_object() || !get_string(*e, "code", &out.code) ||
      !get_string(*e, "message", &out.message)) {
    return std::nullopt;
  }
  return out;
}

std::string encode_clock_error(const Error& error, int64_t server_ms) {
  Json j = {{"error",
             {{"code", error.code}, {"message", error.message}, {"server_ms", server_ms},
              {"max_ahead_ms", kMaxStampAheadMs}}}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<int64_t> decode_error_server_ms(std::string_view text) {
  auto j = parse_json(text, "error answer");
  if (!j || !j->is_object()) return std::nullopt;
  const Json* e = member(j.value(), "error");
  int64_t ms = 0;
  if (!e || !e->is_object() || !get_ms(*e, "server_ms", &ms)) return std::nullopt;
  return ms;
}

// ---- push -----------------------------------------------------------------

std::string encode_push_request(const std::string& device, const std::vector<Operation>& ops,
                                int64_t device_ms) {
  std::string out = "{\"device\":";
  out += Json(device).dump();
  if (device_ms != 0) {
    out += ",\"device_ms\":";
    out += std::to_string(device_ms);
  }
  out += ",\"ops\":[";
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i) out += ',';
    out += to_json_text(ops[i]);
  }
  out += "],\"protocol\":";
  out += std::to_string(kProtocolVersion);
  out += '}';
  return out;
}

Result<PushRequest> decode_push_request(std::string_view text) {
  // Read in one pass with JsonReader (core/json_reader.h): each operation
  // straight into its parts, no tree for the request; the checks and their
  // order are those of a Json tree, on the members kept aside in `fields`.
  if (auto deep = check_json_depth(text); !deep) return deep.error();
  const Error not_json = make_error("bad_json", "The request body is not valid JSON.");
  JsonReader reader(text);
  reader.skip_bom();
  if (reader.peek() != '{') {
    if (!reader.skip_value() || !reader.at_end()) return not_json;
    return shape_error("The request body must be a JSON object.");
  }
  PushRequest req;
  req.items.reserve(std::min(kMaxPushOps, text.size() / 128 + 1));  // ~200 B an operation
  Json fields = Json::object();  // every member but "ops"
  auto& members = fields.get_ref<Json::object_t&>();
  bool ops_is_array = false;
  size_t ops_count = 0;
  const bool read = reader.object([&](std::string& key) {
    if (key != "ops") {
      auto slot = members.try_emplace(std::move(key));
      return reader.value(slot.first->second);  // a repeated key: the last wins
    }
    req.items.clear();
    ops_count = 0;
    ops_is_array = reader.peek() == '[';
    if (!ops_is_array) return reader.skip_value();
    return reader.array([&] {
      // Past the limit the request is refused whole: read, not kept.
      if (++ops_count > kMaxPushOps) return reader.skip_value();
      PushItem item;
      OperationParts parts;
      const bool object = reader.peek() == '{';
      reader.reset_canonical();
      const size_t begin = reader.offset();
      if (!reader.operation(parts)) return false;
      const bool canonical = object && reader.canonical();
      const size_t end = reader.offset();
      if (parts.id) item.id = *parts.id;
      auto op = operation_from_parts(std::move(parts));
      if (op) {
        item.op = std::move(op).value();
        if (canonical) item.text.assign(text.data() + begin, end - begin);
      } else {
        item.error = op.error();
      }
      req.items.push_back(std::move(item));
      return true;
    });
  });
  if (!read || !reader.at_end()) return not_json;

  const Json* protocol = member(fields, "protocol");
  if (!protocol || !protocol->is_number_integer()) {
    return shape_error("The request has no \"protocol\" number.");
  }
  if (protocol->get<int64_t>() < kOldestProtocolVersion || protocol->get<int64_t>() > kProtocolVersion) {
    return make_error("unsupported_protocol",
                      "This server speaks sync protocol " + std::to_string(kOldestProtocolVersion) + " to " +
                          std::to_string(kProtocolVersion) +
                          " and the device sent protocol " + protocol->dump() +
                          ". Update the app.");
  }
  if (!get_string(fields, "device", &req.device)) {
    return shape_error("The request has no \"device\" text.");
  }
  if (!is_valid_device_id(req.device)) {
    return make_error("bad_device",
                      "The device id must be 1 to 32 characters of a-z, 0-9 and '-'.");
  }
  if (!ops_is_array) return shape_error("The request has no \"ops\" list.");
  if (ops_count > kMaxPushOps) {
    return make_error("too_many_ops", "A push may carry at most " + std::to_string(kMaxPushOps) +
                                          " operations; this one has " +
                                          std::to_string(ops_count) + ". Send smaller batches.");
  }
  req.protocol = static_cast<int>(protocol->get<int64_t>());
  if (const Json* dms = member(fields, "device_ms"); dms && !dms->is_number_integer()) {
    return shape_error("\"device_ms\" must be a whole number of milliseconds.");
  }
  if (member(fields, "device_ms") && !get_ms(fields, "device_ms", &req.device_ms)) {
    return make_error("out_of_range", "\"device_ms\" must be the device's clock in whole milliseconds since 1970, "
                                      "from 0 to 2^53-1.");
  }
  return req;
}

const char* to_string(PushStatus status) {
  switch (status) {
    case PushStatus::accepted: return "accepted";
    case PushStatus::duplicate: return "duplicate";
    case PushStatus::rejected: return "rejected";
  }
  return "rejected";
}

std::string encode_push_response(const PushResponse& r) {
  // Written directly (an answer to 2,000 operations built as a Json tree cost
  // more than its validation); the bytes are those of the Json dump: keys in
  // std::map order (clock_warning, head, protocol, results, server_ms; code,
  // id, reason, seq, status).
  std::string out;
  out.reserve(64 + r.results.size() * 64);
  out += '{';
  if (!r.clock_warning.empty()) {
    out += "\"clock_warning\":";
    append_json_string(out, r.clock_warning);
    out += ',';
  }
  out += "\"head\":";
  out += std::to_string(r.head);
  out += ",\"protocol\":";
  out += std::to_string(r.protocol);
  out += ",\"results\":[";
  for (size_t i = 0; i < r.results.size(); ++i) {
    const PushResult& p = r.results[i];
    if (i) out += ',';
    if (p.status == PushStatus::rejected) {
      out += "{\"code\":";
      append_json_string(out, p.code);
      out += ",\"id\":";
      append_json_string(out, p.id);
      out += ",\"reason\":";
      append_json_string(out, p.reason);
    } else {
      out += "{\"id\":";
      append_json_string(out, p.id);
      out += ",\"seq\":";
      out += std::to_string(p.seq);
    }
    out += ",\"status\":\"";
    out += to_string(p.status);
    out += "\"}";
  }
  out += "],\"server_ms\":";
  out += std::to_string(r.server_ms);
  out += '}';
  return out;
}

Result<PushResponse> decode_push_response(std::string_view text) {
  auto parsed = parse_json(text, "push answer");
  if (!parsed) return parsed.error();
  const Json& j = parsed.value();
  PushResponse r;
  int64_t protocol = 0;
  const Json* results = j.is_object() ? member(j, "results") : nullptr;
  if (!results || !results->is_array() || !get_i64(j, "protocol", &protocol) ||
      !get_u64(j, "head", &r.head) || !get_ms(j, "server_ms", &r.server_ms)) {
    return shape_error("The push answer lacks protocol, results, head or server_ms (or one is out of range).");
  }
  r.protocol = static_cast<int>(protocol);
  get_string(j, "clock_warning", &r.clock_warning);
  for (const Json& e : *results) {
    PushResult p;
    std::string status;
    if (!e.is_object() || !get_string(e, "id", &p.id) || !get_string(e, "status", &status)) {
      return shape_error("A push result lacks its id or status.");
    }
    if (status == "accepted" || status == "duplicate") {
      p.status = status == "accepted" ? PushStatus::accepted : PushStatus::duplicate;
      if (!get_u64(e, "seq", &p.seq)) return shape_error("An accepted push result lacks its seq.");
    } else if (status == "rejected") {
      p.status = PushStatus::rejected;
      if (!get_string(e, "code", &p.code) || !get_string(e, "reason", &p.reason)) {
        return shape_error("A rejected push result lacks its code or reason.");
      }
    } else {
      return shape_error("Unknown push status \"" + status + "\".");
    }
    r.results.push_back(std::move(p));
  }
  return r;
}

// ---- pull -----------------------------------------------------------------

std::string encode_pull_response(const std::vector<RawPulledOp>& ops, uint64_t next, bool more,
                                 uint64_t head, int64_t server_ms, const std::vector<WithdrawnOp>& withdrawn) {
  size_t bytes = 96;
  for (const auto& o : ops) bytes += o.op_json.size() + 32;
  std::string out;
  out.reserve(bytes);
  out += "{\"head\":";
  out += std::to_string(head);
  out += ",\"more\":";
  out += more ? "true" : "false";
  out += ",\"next\":";
  out += std::to_string(next);
  out += ",\"ops\":[";
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i) out += ',';
    out += "{\"op\":";
    out += ops[i].op_json;
    out += ",\"seq\":";
    out += std::to_string(ops[i].seq);
    out += '}';
  }
  out += "],\"server_ms\":";
  out += std::to_string(server_ms);
  if (!withdrawn.empty()) {
    Json list = Json::array();
    for (const auto& w : withdrawn)
      list.push_back(Json{{"code", w.code}, {"id", w.id}, {"reason", w.reason}, {"seq", w.seq}});
    out += ",\"withdrawn\":";
    out += list.dump();
  }
  out += '}';
  return out;
}

Result<PullResponse> decode_pull_response(std::string_view text) {
  // Read in one pass with JsonReader, as decode_push_request: the entries
  // straight into operations; the checks (and which error comes first) those
  // of a Json tree: the page's fields, then the first bad entry, then
  // "withdrawn".
  if (auto deep = check_json_depth(text); !deep) return deep.error();
  const Error not_json = make_error("bad_json", "The pull answer is not valid JSON.");
  const Error lacks = shape_error("The pull answer lacks ops, next, more, head or server_ms (or one is out of range).");
  JsonReader reader(text);
  reader.skip_bom();
  if (reader.peek() != '{') {
    if (!reader.skip_value() || !reader.at_end()) return not_json;
    return lacks;
  }
  PullResponse r;
  r.ops.reserve(std::min(kMaxPullLimit, text.size() / 128 + 1));
  Json fields = Json::object();  // every member but "ops"
  auto& members = fields.get_ref<Json::object_t&>();
  bool ops_is_array = false;
  std::optional<Error> bad_entry;  // the first entry that fails its checks
  uint64_t last = 0;
  const bool read = reader.object([&](std::string& key) {
    if (key != "ops") {
      auto slot = members.try_emplace(std::move(key));
      return reader.value(slot.first->second);
    }
    r.ops.clear();
    bad_entry.reset();
    last = 0;
    ops_is_array = reader.peek() == '[';
    if (!ops_is_array) return reader.skip_value();
    return reader.array([&] {
      if (bad_entry) return reader.skip_value();
      if (reader.peek() != '{') {
        bad_entry = shape_error("A pulled entry lacks its seq or op.");
        return reader.skip_value();
      }
      OperationParts parts;
      Json seq;
      bool has_op = false;
      const bool entry = reader.object([&](std::string& k) {
        if (k == "op") return has_op = true, reader.operation(parts);
        if (k == "seq") return reader.value(seq);
        return reader.skip_value();
      });
      if (!entry) return false;
      PulledOp p;
      if (!has_op || !u64_of(&seq, &p.seq)) {
        bad_entry = shape_error("A pulled entry lacks its seq or op.");
        return true;
      }
      if (p.seq <= last) {
        bad_entry = shape_error("Pulled operations are not in ascending seq order.");
        return true;
      }
      last = p.seq;
      auto op = operation_from_parts(std::move(parts));
      if (!op) {
        bad_entry = make_error(op.error().code, "Pulled operation at seq " + std::to_string(p.seq) + ": " +
                                                    op.error().message);
        return true;
      }
      p.op = std::move(op).value();
      r.ops.push_back(std::move(p));
      return true;
    });
  });
  if (!read || !reader.at_end()) return not_json;
  const Json& j = fields;
  const Json* more = member(j, "more");
  if (!ops_is_array || !more || !more->is_boolean() || !get_u64(j, "next", &r.next) ||
      !get_u64(j, "head", &r.head) || !get_ms(j, "server_ms", &r.server_ms)) {
    return lacks;
  }
  r.more = more->get<bool>();
  if (bad_entry) return *bad_entry;
  if (const Json* w = member(j, "withdrawn")) {
    if (!w->is_array()) return shape_error("The pull answer's withdrawn is not a list.");
    uint64_t last_w = 0;
    for (const Json& e : *w) {
      WithdrawnOp x;
      const Json* id = e.is_object() ? member(e, "id") : nullptr;
      const Json* code = e.is_object() ? member(e, "code") : nullptr;
      const Json* reason = e.is_object() ? member(e, "reason") : nullptr;
      if (!id || !id->is_string() || !code || !code->is_string() || !reason || !reason->is_string() ||
          !get_u64(e, "seq", &x.seq) || x.seq <= last_w) {
        return shape_error("A withdrawn entry lacks its seq, id, code or reason (or is out of order).");
      }
      last_w = x.seq;
      x.id = id->get<std::string>();
      x.code = code->get<std::string>();
      x.reason = reason->get<std::string>();
      r.withdrawn.push_back(std::move(x));
    }
  }
  return r;
}

Result<PullQuery> parse_pull_query(std::string_view after, std::string_view limit) {
  PullQuery q;
  if (!after.empty() && (!parse_u64(after, &q.after) || q.after > kMaxOpSeq)) {
    return make_error("bad_query", "\"after\" must be a whole number (a seq) from 0 to 2^53.");
  }
  if (!limit.empty()) {
    uint64_t n = 0;
    if (!parse_u64(limit, &n) || n < 1 || n > kMaxPullLimit) {
      return make_error("bad_query", "\"limit\" must be a whole number from 1 to " +
                                         std::to_string(kMaxPullLimit) + ".");
    }
    q.limit = static_cast<size_t>(n);
  }
  return q;
}

// ---- health ---------------------------------------------------------------

std::string encode_health(const Health& h) {
  Json j = {{"status", h.status}, {"protocol", h.protocol}, {"ops", h.ops},
            {"head", h.head},     {"state_hash", h.state_hash}, {"auth", h.auth},
            {"server_ms", h.server_ms}};
  return j.dump();
}

std::string encode_public_health(const Health& h) {
  Json j = {{"status", h.status}, {"protocol", h.protocol}, {"auth", h.auth}};
  return j.dump();
}

Result<Health> decode_health(std::string_view text) {
  auto parsed = parse_json(text, "health answer");
  if (!parsed) return parsed.error();
  const Json& j = parsed.value();
  Health h;
  int64_t protocol = 0;
  if (!j.is_object() || !get_string(j, "status", &h.status) || !get_i64(j, "protocol", &protocol)) {
    return shape_error("The health answer lacks its status or protocol.");
  }
  h.protocol = static_cast<int>(protocol);
  get_string(j, "auth", &h.auth);
  h.full = member(j, "ops") != nullptr;
  if (h.full && (!get_u64(j, "ops", &h.ops) || !get_u64(j, "head", &h.head) ||
                 !get_string(j, "state_hash", &h.state_hash) || !get_i64(j, "server_ms", &h.server_ms))) {
    return shape_error("The health answer lacks one of its fields.");
  }
  return h;
}

}  // namespace dh::sync
