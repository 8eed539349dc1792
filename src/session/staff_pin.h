// The staff PIN that leaves the locked kiosk (docs/web-app.md "Kiosk mode").
//
// Contract
// - A PIN is 4 to 8 ASCII digits (valid_staff_pin).
// - It is kept only as a salted hash in the device's settings.json, never as
//   itself: staff_pin_hash(salt, pin) is SHA-256 iterated kPinHashRounds
//   times over salt and PIN (core/sha256.h: the web build has no crypto
//   library; the rounds make each guess against a copied settings file cost
//   about a millisecond). new_pin_salt() is 16 random bytes as hex
//   (std::random_device: the browser's crypto.getRandomValues in wasm).
// - Wrong tries slow down: after kFreeTries wrong tries in a row, each further
//   try waits pin_wait_ms(failures): 30 s, doubling, at most 15 minutes. The
//   count and the time of the next allowed try are kept in settings.json, so a
//   reload does not reset them; a right PIN resets them.
#pragma once

#include <cstdint>
#include <string>

namespace dh::session {

constexpr int kPinHashRounds = 2000;
constexpr int kFreeTries = 3;

bool valid_staff_pin(const std::string& pin);
std::string new_pin_salt();
std::string staff_pin_hash(const std::string& salt_hex, const std::string& pin);
// How long to wait after `failures` wrong tries in a row (0 below kFreeTries).
int64_t pin_wait_ms(int failures);

}  // namespace dh::session
