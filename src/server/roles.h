// Roles and what each may do (issue 3). The one table of rules is
// role_may_push() in roles.cpp; docs/sync-protocol.md "Roles" mirrors it.
//
//   administrator  everything, incl. enrolling and revoking devices, and
//                  pushing operations made on other devices (imports)
//   coordinator    every base record and everything about volunteering
//   grid_worker    household.create/edit, resident.create/edit
//   kiosk          signup.create with channel "kiosk", no clash_override and
//                  no attendance field (check_in, check_out, check_in_method,
//                  attendance, attendance_note);
//                  signup.archive (cancel) of a kiosk sign-up this device made
//                  (once someone is checked in, the rule book refuses the cancel
//                  for every role: "cancel_after_check_in");
//                  request.create with intake_channel "kiosk" and only the
//                  fields a resident gives at the kiosk (no parties, no note)
//   voting_tablet  ballot.create only (casting, or casting again to change
//                  a vote while the poll is open), made on this device
//   projector      may not push (403 for the whole request); pulls reduced
//
// Every role except administrator may push only operations made on its own
// device (op id device == the token's device) and only as that device; a
// create names either its own op id or an id starting "<device>:" as the new
// record's id ("entity_id_not_yours"). Coordinators (and administrators) may
// push operation types of a newer app version (stored, synced, ignored by
// this fold). Nobody but the server signs as "qr:..." ("author_reserved").
// SyncService calls this BEFORE it looks the op id up in the store.
//
// Pulls by kiosk, projector and voting-tablet devices go through the per-role allow-list in
// the schema table (core/schema.h Reveal, docs/security.md "Devices, roles
// and the QR lookup"): fields not allowed are dropped from create/edit/move
// payloads, masked ones masked (names 张*明, phones 138****5678 by the core's
// mask_phone, birth dates as the year), archive reasons dropped. The result
// is still an operation the device's fold applies, so a kiosk's or
// projector's replica holds a reduced copy and its state hash differs from
// the server's.
#pragma once

#include <string>

#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"
#include "server/auth.h"
#include "server/devices.h"

namespace dh {

// Error code "forbidden" with plain words when who may not make op.
Status role_may_push(const Principal& who, const Operation& op, const State& state);

// op as a device of this role receives it in a pull (unchanged for roles that
// read everything: core/schema.h role_reads_allow_list).
Operation fields_for_role(const Operation& op, const std::string& role);

// True when a device of this role receives nothing of op: kiosk, projector
// and voting tablet never get operations of a kind marked
// withheld_from_restricted_roles (residents' requests, their steps, trainees'
// case records); a voting tablet gets no operation of a kind it reads no
// field of (residents, households, ballots, ballot cards, ...: only councils,
// members' names, meetings, motions, attendance, proxies and polls).
// SyncService::pull skips them before fields_for_role.
bool withheld_from_role(const Operation& op, const std::string& role);

// Bearer tokens checked against the DeviceRegistry, roles from role_may_push.
class DeviceAuth : public Authenticator {
 public:
  explicit DeviceAuth(DeviceRegistry& registry) : registry_(registry) {}
  std::string name() const override { return "devices"; }
  Result<Principal> authenticate(const RequestContext& request) override;
  Status authorize_push(const Principal& who, const Operation& op, const State& state) override {
    return role_may_push(who, op, state);
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }

 private:
  DeviceRegistry& registry_;
};

}  // namespace dh
