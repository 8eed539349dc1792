// QR check-in at a shift (issue 4, docs/qr-checkin.md): the pieces the app,
// the server and the tests share. Pure functions, no I/O.
//
// The coordinator's app shows, on the station's screen, a QR code holding
//   <origin>/checkin.html#s=<shift id>&k=<check-in key>
// The key is a random per-shift secret stored in the shift's field
// "checkin_key" (set by an ordinary shift.edit the first time the QR view is
// opened). A volunteer scans it with a phone, finds themself on the shift's
// roster on the server's page and checks in or out; the server checks the key
// and the time window and records the attendance as its own operation.
//
// Contracts
// - A key is 16 to 32 characters of a-z and 0-9 (check_checkin_key, part of
//   validate_operation's rule book for shift.create/edit); clearing it (null)
//   switches QR check-in off for the shift.
// - Windows (community-local minutes, civil_time.h): check-in from 30 minutes
//   before the start until the end (exclusive); check-out from the same
//   opening until 2 hours after the end (inclusive).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/operation.h"
#include "core/result.h"
#include "core/volunteering.h"

namespace dh {

constexpr int kCheckinKeyMinLength = 16;
constexpr int kCheckinKeyMaxLength = 32;
constexpr int64_t kQrCheckinOpensBeforeStartMinutes = 30;
constexpr int64_t kQrCheckoutClosesAfterEndMinutes = 120;

bool is_valid_checkin_key(std::string_view key);

// For shift.create/edit fields: "checkin_key", when present and not null,
// must be a valid key. Error code "bad_checkin_key".
Status check_checkin_key(const Json& fields);
class RuleBook;
// Adds check_checkin_key to shift.create and shift.edit (rules.cpp).
void register_checkin_rules(RuleBook& book);

// "<origin>/checkin.html#s=<shift id>&k=<key>". origin: "http://host:port"
// (a trailing slash is dropped). The shift id is percent-encoded except for
// A-Z a-z 0-9 - . _ ~ and ':'.
std::string checkin_url(const std::string& origin, const std::string& shift_id, const std::string& key);

enum class QrAction { check_in, check_out };
// Is the QR window of this action open at local minute now?
bool qr_window_open(const Interval& shift, int64_t now_local_minutes, QrAction action);
// First and last local minute the QR page answers for the shift at all
// (opening of check-in .. closing of check-out).
Interval qr_any_window(const Interval& shift);

// A name with its middle hidden: "张*华", "李*" (two characters), "司**如",
// "*" (one character). Counts UTF-8 code points.
std::string mask_person_name(const std::string& name);

}  // namespace dh
