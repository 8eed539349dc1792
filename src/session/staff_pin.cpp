#include "session/staff_pin.h"

#include <algorithm>
#include <random>

#include "core/sha256.h"

namespace dh::session {

bool valid_staff_pin(const std::string& pin) {
  return pin.size() >= 4 && pin.size() <= 8 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string new_pin_salt() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    const unsigned b = rd() & 0xffu;
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string staff_pin_hash(const std::string& salt_hex, const std::string& pin) {
  std::string h = sha256_hex("dianhong-staff-pin|" + salt_hex + "|" + pin);
  for (int i = 1; i < kPinHashRounds; ++i) h = sha256_hex(salt_hex + h);
  return h;
}

int64_t pin_wait_ms(int failures) {
  if (failures < kFreeTries) return 0;
  const int doublings = std::min(failures - kFreeTries, 5);  // 30 s .. 16 min, capped below
  return std::min<int64_t>(int64_t{30000} << doublings, int64_t{15} * 60000);
}

}  // namespace dh::session
