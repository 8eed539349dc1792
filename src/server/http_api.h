// The HTTP face of the server (cpp-httplib): the sync API v1 routes and the
// static web app. Maps protocol errors to HTTP statuses with a JSON body
// {"error":{"code","message"}} (docs/sync-protocol.md):
//   400 bad_json / bad_query / unsupported_protocol / bad_device
//   401 unauthorized, 403 forbidden (Authenticator)
//   404 not_found, 413 too_large / too_many_ops, 503 store_error, 500 internal
#pragma once

#include <string>

namespace httplib {
class Server;
}

namespace dh {

class Authenticator;
class DeviceRegistry;
class SyncService;

struct HttpOptions {
  std::string web_dir;  // "" or missing: the API still works, "/" explains
  // Enrolment and admin endpoints (docs/sync-protocol.md "Devices"); nullptr
  // (open access) answers them 404.
  DeviceRegistry* devices = nullptr;
};

// Registers every route on server. service and auth must outlive it.
void install_routes(httplib::Server& server, SyncService& service, Authenticator& auth,
                    const HttpOptions& options);

int64_t wall_clock_ms();

}  // namespace dh
