#include "core/text.h"

#include <cctype>

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

}  // namespace dh
