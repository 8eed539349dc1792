// The seam where device enrolment, tokens and roles go (issue 3).
//
// Every API request passes through an Authenticator before the sync service
// sees it: authenticate() says who is calling (or refuses: 401/403), and
// authorize_push()/authorize_pull() say what that caller may do (the server
// enforces roles, not just the UI).
//
// Implementations: DeviceAuth (roles.h: enrolled devices, bearer tokens,
// roles; the default) and OpenAccess (everyone is role "open"; only for a
// demonstration server on loopback: `--demo` without `--auth devices`, or
// `--auth open`).
#pragma once

#include <string>

#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh {

// What the transport knows about a request (kept transport-free so the
// convergence tests can drive the service without HTTP).
struct RequestContext {
  std::string authorization;  // the Authorization header, "" if absent
  std::string device;         // the device id the request body claims ("" for pulls)
  std::string action;         // "push", "pull" or "admin"
};

struct Principal {
  std::string device;  // the enrolled device, or the claimed one under OpenAccess
  std::string role;    // administrator, coordinator, grid_worker, kiosk, projector; "open" (OpenAccess)
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Short name for logs and /api/v1/health, e.g. "open".
  virtual std::string name() const = 0;
  // Errors: code "unauthorized" (-> HTTP 401) or "forbidden" (-> 403).
  virtual Result<Principal> authenticate(const RequestContext& request) = 0;
  // May this caller push this operation, given the server state? A refusal
  // rejects that one operation (status "rejected" with the reason).
  virtual Status authorize_push(const Principal& who, const Operation& op, const State& state) = 0;
  // May this caller pull? Error code "forbidden". What a pull carries for
  // the caller's role: roles.h fields_for_role (the service applies it).
  virtual Status authorize_pull(const Principal& who) = 0;
};

// Accepts everyone. No security: only for a server bound to loopback.
class OpenAccess : public Authenticator {
 public:
  std::string name() const override { return "open"; }
  Result<Principal> authenticate(const RequestContext& request) override {
    return Principal{request.device, "open"};
  }
  Status authorize_push(const Principal&, const Operation&, const State&) override {
    return ok_status();
  }
  Status authorize_pull(const Principal&) override { return ok_status(); }
};

}  // namespace dh
