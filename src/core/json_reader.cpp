#include "core/json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace dh {

JsonReader::JsonReader(std::string_view text, size_t max_depth)
    : text_(text.data()), size_(text.size()), max_depth_(max_depth) {}

void JsonReader::skip_bom() {
  // Json::parse skips EF BB BF at the very start; a partial mark is an error.
  if (pos_ == 0 && size_ > 0 && static_cast<unsigned char>(text_[0]) == 0xEF) {
    if (size_ >= 3 && static_cast<unsigned char>(text_[1]) == 0xBB && static_cast<unsigned char>(text_[2]) == 0xBF) {
      pos_ = 3;
    } else {
      fail();
    }
  }
}

void JsonReader::skip_ws() {
  const size_t start = pos_;
  while (pos_ < size_) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++pos_;
  }
  if (pos_ != start) canonical_ = false;
}

char JsonReader::peek() {
  if (!ok_) return 0;
  skip_ws();
  return pos_ < size_ ? text_[pos_] : 0;
}

bool JsonReader::at_end() {
  if (!ok_) return false;
  skip_ws();
  return pos_ == size_;
}

bool JsonReader::expect(char c) {
  if (peek() != c || pos_ >= size_) return fail();
  ++pos_;
  return true;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

bool JsonReader::string(std::string& out, std::string_view* raw) {
  // At '"' (the caller peeked it).
  ++pos_;
  const size_t start = pos_;
  out.clear();
  auto u = [&](size_t i) { return static_cast<unsigned char>(text_[i]); };
  for (;;) {
    const size_t run = pos_;
    while (pos_ < size_) {
      const unsigned char c = u(pos_);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++pos_;
    }
    out.append(text_ + run, pos_ - run);
    if (pos_ >= size_) return fail();
    const unsigned char c = u(pos_);
    if (c == '"') {
      if (raw) *raw = std::string_view(text_ + start, pos_ - start);
      ++pos_;
      return true;
    }
    if (c < 0x20) return fail();  // raw control characters are not JSON
    if (c == '\\') {
      if (pos_ + 1 >= size_) return fail();
      const char e = text_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '/': out += '/'; canonical_ = false; break;  // dump() writes '/' plain
        case 'u': {
          canonical_ = false;  // dump() writes most of these plain (conservative)
          auto four = [&](uint32_t* v) {
            if (pos_ + 4 > size_) return false;
            uint32_t x = 0;
            for (int k = 0; k < 4; ++k) {
              const int d = hex_digit(text_[pos_ + k]);
              if (d < 0) return false;
              x = x * 16 + static_cast<uint32_t>(d);
            }
            pos_ += 4;
            *v = x;
            return true;
          };
          uint32_t cp = 0;
          if (!four(&cp)) return fail();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low one
            uint32_t lo = 0;
            if (pos_ + 2 > size_ || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return fail();
            pos_ += 2;
            if (!four(&lo) || lo < 0xDC00 || lo > 0xDFFF) return fail();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail();
          }
          append_utf8(out, cp);
          break;
        }
        default: return fail();
      }
      if (raw) canonical_ = false;  // keys are compared raw: no escapes in them
      continue;
    }
    // Multi-byte UTF-8, the ranges of RFC 3629 (as nlohmann's lexer checks).
    size_t len = 0;
    unsigned char lo1 = 0x80, hi1 = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo1 = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) len = 3, hi1 = 0x9F;
    else if (c == 0xF0) len = 4, lo1 = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi1 = 0x8F;
    else return fail();
    if (pos_ + len > size_) return fail();
    if (u(pos_ + 1) < lo1 || u(pos_ + 1) > hi1) return fail();
    for (size_t k = 2; k < len; ++k) {
      if (u(pos_ + k) < 0x80 || u(pos_ + k) > 0xBF) return fail();
    }
    out.append(text_ + pos_, len);
    pos_ += len;
  }
}

bool JsonReader::number(Json& out) {
  const size_t start = pos_;
  auto digit = [&](size_t i) { return i < size_ && text_[i] >= '0' && text_[i] <= '9'; };
  bool negative = false, is_float = false;
  if (text_[pos_] == '-') {
    negative = true;
    ++pos_;
  }
  if (pos_ < size_ && text_[pos_] == '0') {
    ++pos_;
  } else if (digit(pos_)) {
    while (digit(pos_)) ++pos_;
  } else {
    return fail();
  }
  if (pos_ < size_ && text_[pos_] == '.') {
    ++pos_;
    if (!digit(pos_)) return fail();
    while (digit(pos_)) ++pos_;
    is_float = true;
  }
  if (pos_ < size_ && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < size_ && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!digit(pos_)) return fail();
    while (digit(pos_)) ++pos_;
    is_float = true;
  }
  const char* b = text_ + start;
  const char* e = text_ + pos_;
  if (!is_float) {
    if (negative) {
      int64_t v = 0;
      auto r = std::from_chars(b, e, v);
      if (r.ec == std::errc() && r.ptr == e) {
        if (pos_ - start == 2 && b[1] == '0') canonical_ = false;  // "-0" is dumped as 0
        out = Json(static_cast<Json::number_integer_t>(v));
        return true;
      }
    } else {
      uint64_t v = 0;
      auto r = std::from_chars(b, e, v);
      if (r.ec == std::errc() && r.ptr == e) {
        out = Json(static_cast<Json::number_unsigned_t>(v));
        return true;
      }
    }
    // Too large for 64 bits: a float, as Json::parse makes it.
  }
  canonical_ = false;  // dump() may write a float differently
  const std::string copy(b, e);  // strtod needs the text to end
  char* end = nullptr;
  const double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(d)) return fail();
  out = Json(static_cast<Json::number_float_t>(d));
  return true;
}

bool JsonReader::literal(std::string_view word) {
  if (size_ - pos_ < word.size() || std::string_view(text_ + pos_, word.size()) != word) return fail();
  pos_ += word.size();
  return true;
}

bool JsonReader::value(Json& out) {
  switch (peek()) {
    case '{': {
      out = Json::object();
      auto& members = out.get_ref<Json::object_t&>();
      return object([&](std::string& key) {
        auto slot = members.try_emplace(std::move(key));
        return value(slot.first->second);  // a repeated key: the last value wins
      });
    }
    case '[': {
      out = Json::array();
      auto& elements = out.get_ref<Json::array_t&>();
      return array([&] {
        elements.emplace_back();
        return value(elements.back());
      });
    }
    case '"': {
      std::string s;
      if (!string(s)) return false;
      out = Json(std::move(s));
      return true;
    }
    case 't':
      if (!literal("true")) return false;
      out = Json(true);
      return true;
    case 'f':
      if (!literal("false")) return false;
      out = Json(false);
      return true;
    case 'n':
      if (!literal("null")) return false;
      out = Json(nullptr);
      return true;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return number(out);
    default:
      return fail();
  }
}

bool JsonReader::skip_value() {
  Json ignored;
  return value(ignored);
}

bool JsonReader::string_value(std::optional<std::string>& out) {
  if (peek() == '"') {
    if (!out) out.emplace();
    return string(*out);
  }
  out.reset();  // present but not text
  return skip_value();
}

bool JsonReader::operation(OperationParts& parts) {
  parts = OperationParts{};
  if (peek() != '{') return skip_value();  // parts.is_object stays false
  parts.is_object = true;
  bool seen_id = false, seen_hlc = false, seen_author = false, seen_type = false, seen_payload = false;
  std::vector<std::string> others;  // distinct other keys (a malformed operation)
  const bool read = object([&](std::string& key) {
    if (key == "id") return seen_id = true, string_value(parts.id);
    if (key == "hlc") return seen_hlc = true, string_value(parts.hlc);
    if (key == "author") return seen_author = true, string_value(parts.author);
    if (key == "type") return seen_type = true, string_value(parts.type);
    if (key == "payload") {
      seen_payload = true;
      if (peek() == '{') {
        if (!parts.payload) parts.payload.emplace();
        return value(*parts.payload);
      }
      parts.payload.reset();
      return skip_value();
    }
    bool known = false;
    for (const auto& k : others) known = known || k == key;
    if (!known) others.push_back(key);
    return skip_value();
  });
  parts.members = size_t{seen_id} + seen_hlc + seen_author + seen_type + seen_payload + others.size();
  return read;
}

}  // namespace dh
