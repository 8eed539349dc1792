#include "core/operation.h"

#include <charconv>
#include <functional>
#include <type_traits>
#include <utility>

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

namespace {
// Length of the valid UTF-8 sequence (RFC 3629) starting at s[i], 0 if none.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) len = 3, lo = 0xA0;
  else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
  else if (c == 0xED) len = 3, hi = 0x9F;
  else if (c == 0xF0) len = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) len = 4, hi = 0x8F;
  else return 0;
  if (i + len > s.size() || u(i + 1) < lo || u(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (u(i + k) < 0x80 || u(i + k) > 0xBF) return 0;
  return len;
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  // Text Json::dump (ensure_ascii off) copies byte for byte: valid UTF-8
  // without control characters, '"' or '\\'. Anything else is written by
  // nlohmann itself (escapes, invalid UTF-8 replaced).
  bool plain = true;
  for (size_t i = 0; i < s.size();) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u < 0x80 && u != '"' && u != '\\') {
      ++i;
    } else if (size_t len = u >= 0x80 ? utf8_sequence(s, i) : 0) {
      i += len;
    } else {
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

void append_json(std::string& out, const Json& j) {
  // Compact, keys in the object's (sorted) order: the bytes of
  // j.dump(-1, ' ', false, replace), without its per-byte UTF-8 decoding.
  char digits[24];
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_json(out, value);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& e : j.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json(out, e);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      append_json_string(out, j.get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::number_unsigned: {
      auto r = std::to_chars(digits, digits + sizeof digits, j.get<Json::number_unsigned_t>());
      out.append(digits, r.ptr);
      return;
    }
    case Json::value_t::number_integer: {
      auto r = std::to_chars(digits, digits + sizeof digits, j.get<Json::number_integer_t>());
      out.append(digits, r.ptr);
      return;
    }
    default:  // floats (nlohmann's shortest form), binary, discarded
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

std::string to_json_text(const Operation& op) {
  // Keys in nlohmann's (std::map) order: author, hlc, id, payload, type.
  std::string out;
  out.reserve(256 + op.author.size() + op.type.size() + op.id.device.size());
  out += "{\"author\":";
  append_json_string(out, op.author);
  out += ",\"hlc\":\"";
  out += std::to_string(op.hlc.wall_ms);
  out += '.';
  out += std::to_string(op.hlc.logical);
  out += "\",\"id\":";
  append_json_string(out, op.id.to_string());
  out += ",\"payload\":";
  append_json(out, op.payload);
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

Result<Operation> operation_from_parts(OperationParts&& parts) {
  if (!parts.is_object) return bad("it is not a JSON object");
  Operation op;
  if (!parts.id) return bad("\"id\" is missing or not text");
  auto id = OpId::parse(*parts.id);
  if (!id) return bad("\"id\" must look like device:sequence, e.g. k7f3a9:42 (sequence 1 to 2^53, no leading zero)");
  op.id = std::move(*id);
  if (!parts.hlc) return bad("\"hlc\" is missing or not text");
  auto hlc = Hlc::parse(*parts.hlc);
  if (!hlc) return bad("\"hlc\" must look like milliseconds.counter (milliseconds 0 to 2^53-1, counter 0 to 2^31-1)");
  op.hlc = *hlc;
  if (!parts.author) return bad("\"author\" is missing or not text");
  op.author = std::move(*parts.author);
  if (op.author.empty() || op.author.size() > 128) return bad("\"author\" must be 1 to 128 bytes");
  if (!parts.type) return bad("\"type\" is missing or not text");
  op.type = std::move(*parts.type);
  if (op.type.empty() || op.type.size() > 64) return bad("\"type\" must be 1 to 64 bytes");
  if (!parts.payload) return bad("\"payload\" is missing or not an object");
  op.payload = std::move(*parts.payload);
  if (parts.members != 5) return bad("it has fields other than id, hlc, author, type and payload");
  return op;
}

namespace {
// j's members as parts: copied from a const j, moved out of any other.
template <class J>
OperationParts parts_of(J&& j) {
  OperationParts parts;
  if (!j.is_object()) return parts;
  parts.is_object = true;
  parts.members = j.size();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    std::optional<std::string>* slot = key == "id"       ? &parts.id
                                       : key == "hlc"    ? &parts.hlc
                                       : key == "author" ? &parts.author
                                       : key == "type"   ? &parts.type
                                                         : nullptr;
    if (slot) {
      if (it->is_string()) {
        if constexpr (std::is_const_v<std::remove_reference_t<J>>) *slot = it->template get_ref<const std::string&>();
        else *slot = std::move(it->template get_ref<std::string&>());
      }
    } else if (key == "payload" && it->is_object()) {
      if constexpr (std::is_const_v<std::remove_reference_t<J>>) parts.payload = *it;
      else parts.payload = std::move(*it);
    }
  }
  return parts;
}
}  // namespace

Result<Operation> operation_from_json(const Json& j) { return operation_from_parts(parts_of(j)); }

// The payload and texts are taken out of j instead of copied.
Result<Operation> operation_from_json(Json&& j) { return operation_from_parts(parts_of(j)); }

Result<Operation> parse_operation(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("it is not valid JSON");
  return operation_from_json(std::move(j));
}

}  // namespace dh
