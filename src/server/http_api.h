// The HTTP face of the server (cpp-httplib): the sync API v1 routes and the
// static web app. Maps protocol errors to HTTP statuses with a JSON body
// {"error":{"code","message"}} (docs/sync-protocol.md):
//   400 bad_json / bad_query / unsupported_protocol / bad_device / too_deep / bad_body
//   401 unauthorized, 403 forbidden (Authenticator), 403 foreign_origin
//   404 not_found, 405 method_not_allowed, 413 too_large / too_many_ops,
//   415 unsupported_media_type / unsupported_encoding, 421 bad_host
//   (421 unknown_community with --communities: docs/communities.md),
//   503 store_error, 500 internal
//
// Every request, before any route (docs/security.md "HTTP layer"):
// - Host must name this server: localhost, 127.0.0.1, [::1], the address the
//   connection came in on, or one of HttpOptions::host_names (421 bad_host).
//   Against DNS rebinding. With HttpOptions::communities the Host must name a
//   community (or the county) instead, and picks the request's Tenant.
// - An Origin header, when sent, must be this server's own (403
//   foreign_origin). Against cross-site writes.
// - POST /api/ needs Content-Type: application/json (415), so that a page
//   elsewhere cannot send a "simple" cross-site request; Content-Encoding is
//   absent, identity or gzip (415).
// - Only GET, HEAD and the POST routes exist; other methods and unknown POST
//   paths are answered without reading their body (405 / 404).
// - Range: at most one range, on static files only; otherwise ignored.
// - Every answer carries nosniff, X-Frame-Options DENY and a
//   Content-Security-Policy (kContentSecurityPolicy).
// Request bodies: post_json() (authenticate first, bounded, depth-capped).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace dh {

class Authenticator;
class DeviceRegistry;
class SyncService;
struct CheckinLimits;
struct Error;

// What the routes of one request work on: a community's parts, or the
// county's (docs/communities.md). Without --communities there is one, fixed.
struct Tenant {
  SyncService* service = nullptr;  // nullptr: the county host (no community routes: 404)
  Authenticator* auth = nullptr;
  DeviceRegistry* devices = nullptr;  // nullptr: open access (enrolment and admin routes 404)
  CheckinLimits* checkin = nullptr;   // QR check-in failure counters (checkin.h), per community
  bool county = false;                // GET /api/v1/county/aggregates is served here
  // The county's aggregates (communities.h), on the county tenant only.
  std::function<void(const httplib::Request&, httplib::Response&)> county_aggregates;
};

// The tenant of the request being handled on this thread (set before
// routing; valid until its answer is written).
Tenant& current_tenant();

// Host name (lower case, no port, no final dot) -> its tenant. nullptr with
// *error empty: no community has that name (421 unknown_community); with
// *error set: the community could not be opened (503 with that code).
// api: the path is under /api/; for the static files (false) the community's
// data need not be opened (the tenant's service may be nullptr).
using TenantResolver =
    std::function<std::shared_ptr<Tenant>(const std::string& host_name, bool api, Error* error)>;

struct HttpOptions {
  std::string web_dir;  // "" or missing: the API still works, "/" explains
  // Enrolment and admin endpoints (docs/sync-protocol.md "Devices"); nullptr
  // (open access) answers them 404.
  DeviceRegistry* devices = nullptr;
  // Host names (or addresses) this server also answers to, besides
  // localhost, 127.0.0.1, ::1 and the local address of each connection: the
  // --host address and every --public-name. Compared without the port,
  // case-insensitively.
  std::vector<std::string> host_names;
  // GET /api/v1/snapshot offers the state to new devices (false: 404
  // no_snapshot, they pull page by page; --no-snapshot).
  bool snapshot = true;
  // Many communities (--communities, docs/communities.md): the Host names the
  // tenant, and only the names it knows are answered (host_names and the
  // local addresses are then not used).
  TenantResolver communities;
};

// The CSP of every answer: the app's own scripts (and its inline bootstrap),
// WebAssembly compilation, its own server only; never framed.
extern const char* const kContentSecurityPolicy;

// Registers every route on server. service and auth must outlive it.
void install_routes(httplib::Server& server, SyncService& service, Authenticator& auth,
                    const HttpOptions& options);
// The same for many communities: options.communities picks each request's tenant.
void install_routes(httplib::Server& server, const HttpOptions& options);

// A POST route with a JSON body. Every POST route goes through this.
// before_body (optional) runs on the headers alone, before a byte of the body
// is read: authenticate there; returning false means it answered (the body is
// then never read and the connection closes after the answer). Then the body
// is read: at most sync::kMaxRequestBytes, counted after gzip inflation
// (Content-Encoding: gzip), chunked or not (413 too_large); a body that
// cannot be read is 400 bad_body; nesting deeper than sync::kMaxJsonDepth is
// 400 too_deep. The body is in req.body when handler runs.
using RouteHandler = std::function<void(const httplib::Request&, httplib::Response&)>;
using BeforeBody = std::function<bool(const httplib::Request&, httplib::Response&)>;
void post_json(httplib::Server& server, const std::string& pattern, RouteHandler handler,
               BeforeBody before_body = nullptr);

int64_t wall_clock_ms();

}  // namespace dh
