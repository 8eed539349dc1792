// QR check-in endpoints (issue 4; docs/qr-checkin.md, docs/sync-protocol.md
// "QR check-in"). Used by the plain page web/checkin.html on a volunteer's
// phone, which is not an enrolled device: the shift's check-in key (from the
// QR code on the station's screen) and the shift's time window are the
// credentials, so these routes do not go through the Authenticator.
//
//   POST /api/v1/checkin/lookup {"shift","key","name","phone"}
//     -> the people on that shift's confirmed roster whose whole name is
//        `name` (spaces ignored, ASCII case-insensitive) AND whose phone on
//        record (the resident's, else the household's) ends with the last 4
//        digits of `phone`; names masked (张*华), with what each may do now
//        (check_in / check_out / none). No substring or partial-digit search.
//   POST /api/v1/checkin {"shift","key","signup","action":"check_in"|"check_out"}
//     -> records the attendance as an operation authored by the server itself
//        (device "server", author "qr:<volunteer id>", check_in_method "qr"),
//        validated by the core's rule book and stored with a global seq.
//
// Contracts
// - Errors are {"error":{"code","message"}} with plain words: 400 bad_json /
//   bad_query, 403 bad_key (an unknown or cancelled shift answers exactly
//   like a wrong key) / outside_window (with "opens" and "closes"), 404
//   not_on_roster, 409 already_checked_in / already_checked_out /
//   not_checked_in / attendance_set / too_soon, 422 rejected (the rule book),
//   429 too_many_attempts (with "retry_after" seconds and a Retry-After
//   header), 503 store_error. A refused request leaves the store unchanged.
// - Limits: failures (a wrong key or unknown shift, a lookup that matches
//   nobody, a sign-up not on the roster) are counted per address and per
//   shift; past the limit both routes answer 429 before looking anything up.
// - The time is the server's clock (community-local, UTC+8).
// - Answers never carry a full name, a phone number or a volunteer id.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "server/rate_limit.h"

namespace httplib {
class Server;
}

namespace dh {

class SyncService;

// Failures allowed in a window before 429 (docs/qr-checkin.md "Limits").
constexpr int kQrMaxFailuresPerAddress = 30;
constexpr int kQrMaxFailuresPerShift = 20;
constexpr int64_t kQrFailureWindowMs = 10LL * 60 * 1000;  // 10 min

// Failure counters (checkin.h "Limits"), shared by both routes; one per
// community (http_api.h Tenant::checkin).
struct CheckinLimits {
  FailureLimiter per_address{kQrMaxFailuresPerAddress, kQrFailureWindowMs};
  FailureLimiter per_shift{kQrMaxFailuresPerShift, kQrFailureWindowMs};
};
std::shared_ptr<CheckinLimits> make_checkin_limits();

// The routes work on the request's tenant (http_api.h current_tenant(): its
// service and CheckinLimits; 404 on the county host).
// clock: Unix ms (wall_clock_ms in the server).
void install_checkin_routes(httplib::Server& server, std::function<int64_t()> clock);

}  // namespace dh
