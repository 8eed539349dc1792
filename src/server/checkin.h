// QR check-in endpoints (issue 4; docs/qr-checkin.md, docs/sync-protocol.md
// "QR check-in"). Used by the plain page web/checkin.html on a volunteer's
// phone, which is not an enrolled device: the shift's check-in key (from the
// QR code on the station's screen) and the shift's time window are the
// credentials, so these routes do not go through the Authenticator.
//
//   POST /api/v1/checkin/lookup {"shift","key","query"}
//     -> the people on that shift's confirmed roster whose name contains the
//        query or whose phone ends with its 4+ digits, names masked (张*华),
//        with what each may do now (check_in / check_out / none).
//   POST /api/v1/checkin {"shift","key","signup","action":"check_in"|"check_out"}
//     -> records the attendance as an operation authored by the server itself
//        (device "server", author "qr:<volunteer id>", check_in_method "qr"),
//        validated by the core's rule book and stored with a global seq.
//
// Contracts
// - Errors are {"error":{"code","message"}} with plain words: 400 bad_json /
//   bad_query, 403 bad_key / outside_window (with "opens" and "closes"), 404
//   not_found / not_on_roster, 409 already_checked_in / already_checked_out /
//   not_checked_in / attendance_set / too_soon, 422 rejected (the rule book),
//   503 store_error. A refused request leaves the store unchanged.
// - The time is the server's clock (community-local, UTC+8).
// - Answers never carry a full name, a phone number or a volunteer id.
#pragma once

#include <cstdint>
#include <functional>

namespace httplib {
class Server;
}

namespace dh {

class SyncService;

// clock: Unix ms (wall_clock_ms in the server).
void install_checkin_routes(httplib::Server& server, SyncService& service, std::function<int64_t()> clock);

}  // namespace dh
