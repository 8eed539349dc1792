// Internal to src/ui: the administrator's 设备管理 (Devices) area (issue 12):
// make a one-time enrolment code for a chosen role, shown large and as a QR
// code of the app's address with the code (`<origin>/?enrol=<code>`: scanning
// it on a tablet opens the enrolment with the code filled in), the server's
// device list (role, last contact, how far behind) and revoking a device.
//
// Contract
// - Reads AppStatus::sync (role, server, admin); emits MakeEnrolCode,
//   ListDevices and RevokeDevice requests through Frame::ask; the session's
//   sync driver talks to the server and puts the answers in
//   AppStatus::sync.admin. No network call and no model change here.
// - Shown only on an administrator's device (ui/role_screens.h); elsewhere it
//   says who may use it.
// - The list is asked for when the area is first drawn, after each revoke
//   (by the driver) and on "refresh".
// - Revoking asks for a confirmation first; this device itself cannot be
//   revoked from here (it would lock the secretary out).
//
// Widget ids: devices-role-<role> (radio), devices-make-code, devices-code
// (text: the code), devices-code-role, devices-code-expires, devices-code-url,
// devices-qr (text: the URL the QR code holds),
// devices-refresh, devices-count (text), devices-row-<id> (text),
// devices-revoke-<id>, devices-revoke-confirm-<id>, devices-revoke-cancel,
// devices-revoked (text), devices-error (text), devices-admin-only (text).
#pragma once

#include <string>

#include "ui/checkin_qr.h"
#include "ui/screens.h"

namespace dh::ui {

struct DevicesView {
  std::string role = "voting_tablet";  // for the next code
  bool asked_list = false;
  std::string confirm_revoke;          // device awaiting "yes, revoke"
  std::string qr_url;                  // cache of what the QR code holds
  QrMatrix qr;
  int drawn_dark_modules = 0;
};

void draw_devices(DevicesView& view, Frame& frame);

// "<origin>/?enrol=<code>": what the enrolment QR code holds ("" without an
// http(s) origin). The app reads the parameter at start (app/main.cpp).
std::string enrol_url(const std::string& origin, const std::string& code);

// The roles a code can be made for, in the order offered.
const std::vector<std::string>& enrollable_roles();

}  // namespace dh::ui
