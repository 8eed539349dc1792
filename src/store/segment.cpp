#include "store/segment.h"

#include <array>
#include <cstdio>

namespace dh {
namespace segment {
namespace {

// Slicing-by-8 tables: t[0] is the classic byte table; t[k][b] is the CRC of
// byte b followed by k zero bytes, so eight bytes are folded per step (a
// snapshot of several MB is checked on every first start and reload).
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

CrcTables make_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t k = 1; k < 8; ++k) t[k][i] = t[0][t[k - 1][i] & 0xFFu] ^ (t[k - 1][i] >> 8);
  return t;
}

const CrcTables& tables() {
  static const CrcTables t = make_tables();
  return t;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // only lowercase is written; anything else is damage
}

// Checks one line (without '\n'). Returns "" and fills op when it is a good
// record, otherwise a plain description of what is wrong.
std::string check_line(std::string_view line, Operation* op) {
  if (line.empty()) return "is an empty line where an operation was expected";
  if (line.size() < 12 || line[8] != ' ') return "is not in the record format (checksum, length, operation)";
  uint32_t want = 0;
  for (int i = 0; i < 8; ++i) {
    int v = hex_value(line[i]);
    if (v < 0) return "is not in the record format (its checksum is not 8 hexadecimal digits)";
    want = (want << 4) | static_cast<uint32_t>(v);
  }
  size_t pos = 9;
  uint64_t length = 0;
  size_t digits = 0;
  while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && digits < 10) {
    length = length * 10 + static_cast<uint64_t>(line[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits == 0 || pos >= line.size() || line[pos] != ' ')
    return "is not in the record format (its length is not a number)";
  ++pos;
  std::string_view json = line.substr(pos);
  if (json.size() != length)
    return "has the wrong length (" + std::to_string(json.size()) + " bytes where " + std::to_string(length) +
           " were written)";
  if (crc32(json) != want) return "has a wrong checksum: its bytes were changed after it was written";
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "is not a valid operation (it is not valid JSON)";
  // operation_from_json copies the payload; move it out around the check
  // (start-up parses every record, and the payload is most of it).
  Json payload;
  bool moved = false;
  if (j.is_object()) {
    auto it = j.find("payload");
    if (it != j.end() && it->is_object()) {
      payload = std::move(*it);
      *it = Json::object();
      moved = true;
    }
  }
  auto parsed = operation_from_json(j);
  if (!parsed.ok()) return "is not a valid operation (" + parsed.error().message + ")";
  *op = std::move(parsed.value());
  if (moved) op->payload = std::move(payload);
  return "";
}

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  const auto& t = tables();
  uint32_t c = crc ^ 0xFFFFFFFFu;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    // Bytes as numbers, so the result does not depend on the machine's byte order.
    const uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    const uint32_t hi = uint32_t{p[4]} | uint32_t{p[5]} << 8 | uint32_t{p[6]} << 16 | uint32_t{p[7]} << 24;
    c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string crc32_hex(std::string_view data) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(crc32(data)));
  return std::string(buf, 8);
}

std::string file_name(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "seg-%06llu.log", static_cast<unsigned long long>(number));
  return buf;
}

bool parse_file_name(std::string_view name, uint64_t* number) {
  const std::string_view prefix = "seg-", suffix = ".log";
  if (name.size() < prefix.size() + suffix.size() + 6) return false;
  if (name.substr(0, prefix.size()) != prefix) return false;
  if (name.substr(name.size() - suffix.size()) != suffix) return false;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18) return false;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n == 0) return false;
  *number = n;
  return true;
}

std::string frame(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size() + 20);
  out += crc32_hex(json_text);
  out += ' ';
  out += std::to_string(json_text.size());
  out += ' ';
  out += json_text;
  out += '\n';
  return out;
}

Parsed parse(std::string_view bytes) {
  Parsed out;
  size_t pos = 0, line_no = 0;
  while (pos < bytes.size()) {
    ++line_no;
    size_t nl = bytes.find('\n', pos);
    bool last_unterminated = nl == std::string_view::npos;
    size_t end = last_unterminated ? bytes.size() : nl;
    std::string_view line = bytes.substr(pos, end - pos);
    Operation op;
    std::string what = check_line(line, &op);
    if (what.empty()) {
      out.good.push_back(GoodRecord{std::move(op), pos, line.size()});
      if (last_unterminated) out.unterminated = true;
    } else if (last_unterminated) {
      out.bad.push_back(BadRecord{line_no, pos,
                                  "is cut off: the file ends in the middle of it, as happens when the app or "
                                  "the device stops while writing",
                                  true});
    } else {
      out.bad.push_back(BadRecord{line_no, pos, std::move(what), false});
    }
    if (last_unterminated) break;
    pos = nl + 1;
  }
  return out;
}

}  // namespace segment
}  // namespace dh
