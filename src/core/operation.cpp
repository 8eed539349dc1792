#include "core/operation.h"

#include <charconv>
#include <functional>

namespace dh {

bool is_valid_device_id(std::string_view device) {
  if (device.empty() || device.size() > 32) return false;
  for (char c : device) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string OpId::to_string() const { return device + ":" + std::to_string(seq); }

std::optional<OpId> OpId::parse(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  OpId id;
  id.device = std::string(text.substr(0, colon));
  if (!is_valid_device_id(id.device)) return std::nullopt;
  const char* b = text.data() + colon + 1;
  const char* e = text.data() + text.size();
  if (b == e || *b < '1' || *b > '9') return std::nullopt;  // no sign, no leading zero
  auto r = std::from_chars(b, e, id.seq);
  if (r.ec != std::errc() || r.ptr != e || id.seq == 0 || id.seq > kMaxOpSeq) return std::nullopt;
  return id;
}

size_t OpIdHash::operator()(const OpId& id) const noexcept {
  return std::hash<std::string>()(id.device) * 1000003u ^ std::hash<uint64_t>()(id.seq);
}

Json to_json(const Operation& op) {
  // nlohmann::json objects keep keys sorted (std::map), so dump() is canonical.
  Json j = Json::object();
  j["id"] = op.id.to_string();
  j["hlc"] = op.hlc.to_string();
  j["author"] = op.author;
  j["type"] = op.type;
  j["payload"] = op.payload;
  return j;
}

void append_json_string(std::string& out, std::string_view s) {
  bool plain = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
    return;
  }
  out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string to_json_text(const Operation& op) {
  // Keys in nlohmann's (std::map) order: author, hlc, id, payload, type.
  std::string payload = op.payload.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(payload.size() + op.author.size() + op.type.size() + op.id.device.size() + 80);
  out += "{\"author\":";
  append_json_string(out, op.author);
  out += ",\"hlc\":\"";
  out += std::to_string(op.hlc.wall_ms);
  out += '.';
  out += std::to_string(op.hlc.logical);
  out += "\",\"id\":";
  append_json_string(out, op.id.to_string());
  out += ",\"payload\":";
  out += payload;
  out += ",\"type\":";
  append_json_string(out, op.type);
  out += '}';
  return out;
}

namespace {
Error bad(const std::string& what) {
  return make_error("malformed_operation", "The operation is not well-formed: " + what + ".");
}
}  // namespace

Result<Operation> operation_from_json(const Json& j) {
  if (!j.is_object()) return bad("it is not a JSON object");
  Operation op;
  auto id_it = j.find("id");
  if (id_it == j.end() || !id_it->is_string()) return bad("\"id\" is missing or not text");
  auto id = OpId::parse(id_it->get_ref<const std::string&>());
  if (!id) return bad("\"id\" must look like device:sequence, e.g. k7f3a9:42 (sequence 1 to 2^53, no leading zero)");
  op.id = *id;
  auto hlc_it = j.find("hlc");
  if (hlc_it == j.end() || !hlc_it->is_string()) return bad("\"hlc\" is missing or not text");
  auto hlc = Hlc::parse(hlc_it->get_ref<const std::string&>());
  if (!hlc) return bad("\"hlc\" must look like milliseconds.counter (milliseconds 0 to 2^53-1, counter 0 to 2^31-1)");
  op.hlc = *hlc;
  auto author_it = j.find("author");
  if (author_it == j.end() || !author_it->is_string()) return bad("\"author\" is missing or not text");
  op.author = author_it->get<std::string>();
  if (op.author.empty() || op.author.size() > 128) return bad("\"author\" must be 1 to 128 bytes");
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) return bad("\"type\" is missing or not text");
  op.type = type_it->get<std::string>();
  if (op.type.empty() || op.type.size() > 64) return bad("\"type\" must be 1 to 64 bytes");
  auto payload_it = j.find("payload");
  if (payload_it == j.end() || !payload_it->is_object()) return bad("\"payload\" is missing or not an object");
  op.payload = *payload_it;
  if (j.size() != 5) return bad("it has fields other than id, hlc, author, type and payload");
  return op;
}

Result<Operation> operation_from_json(Json&& j) {
  const Json& view = j;
  if (!j.is_object()) return operation_from_json(view);
  auto payload_it = j.find("payload");
  if (payload_it == j.end() || !payload_it->is_object()) return operation_from_json(view);
  // The payload is taken out and an empty object left in its place, so the
  // checks below see the same shape and give the same answers.
  Json payload = std::move(*payload_it);
  *payload_it = Json::object();
  auto op = operation_from_json(view);
  if (op) op->payload = std::move(payload);
  return op;
}

Result<Operation> parse_operation(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("it is not valid JSON");
  return operation_from_json(std::move(j));
}

}  // namespace dh
