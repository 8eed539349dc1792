#include "core/text.h"

#include <cctype>
#include <cstddef>

namespace dh {

std::string trim(const std::string& s) {
  static const std::string ideographic = "\xE3\x80\x80";
  size_t b = 0, e = s.size();
  for (;;) {
    if (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
      ++b;
    } else if (e - b >= 3 && s.compare(b, 3, ideographic) == 0) {
      b += 3;
    } else {
      break;
    }
  }
  for (;;) {
    if (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
      --e;
    } else if (e - b >= 3 && s.compare(e - 3, 3, ideographic) == 0) {
      e -= 3;
    } else {
      break;
    }
  }
  return s.substr(b, e - b);
}

bool json_string_is_verbatim(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      if (c < 0x20 || c == '"' || c == '\\') return false;
      ++p;
      continue;
    }
    // Well-formed sequences (Unicode 15, table 3-7).
    auto cont = [](unsigned char b) { return b >= 0x80 && b <= 0xBF; };
    const std::ptrdiff_t left = end - p;
    if (c >= 0xC2 && c <= 0xDF) {
      if (left < 2 || !cont(p[1])) return false;
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (left < 3) return false;
      const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (p[1] < lo || p[1] > hi || !cont(p[2])) return false;
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (left < 4) return false;
      const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < lo || p[1] > hi || !cont(p[2]) || !cont(p[3])) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace dh
