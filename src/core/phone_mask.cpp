// mask_phone (core/text.h). In its own object file so that a program with
// its own dh::mask_phone (the server's roles.cpp, until it uses this one) and
// dh_core links: the linker takes this file from the library only when
// something needs mask_phone and nothing else defines it.
#include "core/text.h"

namespace dh {

std::string mask_phone(const std::string& phone) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t digits = 0;
  for (char c : phone) digits += is_digit(c) ? 1 : 0;
  if (digits == 11 && phone.size() == 11 && phone[0] == '1') return phone.substr(0, 3) + "****" + phone.substr(7);
  std::string out = phone;
  const size_t dash = phone.find('-');
  if (phone.size() > 0 && phone[0] == '0' && dash != std::string::npos && dash >= 3 && dash <= 4) {
    // Canonical landline: the area code stays, the local number shows its last 4.
    const size_t local = phone.size() - dash - 1;
    for (size_t i = dash + 1; i + 4 < phone.size() && local > 4; ++i)
      if (is_digit(out[i])) out[i] = '*';
    return out;
  }
  size_t seen = 0;
  for (char& c : out) {
    if (!is_digit(c)) continue;
    ++seen;
    const bool shown = digits >= 8 && (seen <= 3 || seen > digits - 4);
    if (!shown) c = '*';
  }
  return out;
}

}  // namespace dh
