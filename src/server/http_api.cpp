#include "server/http_api.h"

#include <httplib.h>

#include <chrono>
#include <exception>

#include "core/schema.h"
#include "core/text.h"
#include "server/auth.h"
#include "server/checkin.h"
#include "server/compression.h"
#include "server/devices.h"
#include "server/http_server.h"
#include "server/static_files.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

namespace dh {

const char* const kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

namespace {

// The tenant of the request on this thread (current_tenant()); set by the
// pre-routing handler, kept alive by http_hold_for_request until the answer
// is written.
thread_local Tenant* t_tenant = nullptr;

void install_all_routes(httplib::Server& server, const HttpOptions& options,
                        std::function<std::shared_ptr<Tenant>()> fixed_tenant);

// With a charset parameter, so that httplib never compresses it itself
// (compression.h).
constexpr const char* kJson = "application/json; charset=utf-8";

void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(sync::encode_error(make_error(code, message)), kJson);
}

// An answer given before the request's body was read: the connection closes
// after it (the unread body must not be taken for the next request).
void refuse_unread(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  send_error(res, status, code, message);
  res.set_header("Connection", "close");
  http_close_after_response();
}

int status_for(const std::string& code) {
  if (code == "unauthorized") return 401;
  if (code == "forbidden") return 403;
  if (code == "clock_far_ahead") return 422;
  if (code == "too_many_ops" || code == "too_large") return 413;
  if (code == "store_error" || code == "store_corrupt") return 503;
  return 400;
}

bool is_api(const std::string& path) { return path.rfind("/api/", 0) == 0; }

std::string lower_trimmed(const std::string& text) {
  std::string s = trim(text);  // core/text.h: the one trim
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The name in a Host value: lower case, without the port, IPv6 without its
// brackets, without a final dot. "" when malformed.
std::string host_name_of(const std::string& host) {
  std::string v = lower_trimmed(host);
  if (v.empty()) return "";
  if (v[0] == '[') {
    size_t close = v.find(']');
    if (close == std::string::npos) return "";
    std::string rest = v.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return "";
    return v.substr(1, close - 1);
  }
  size_t colon = v.find(':');
  if (colon != std::string::npos) {
    if (v.find(':', colon + 1) != std::string::npos) return "";  // IPv6 must be in brackets
    v.resize(colon);
  }
  if (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

bool host_allowed(const std::string& name, const httplib::Request& req, const std::vector<std::string>& names) {
  if (name.empty()) return false;
  if (name == "localhost" || name == "127.0.0.1" || name == "::1") return true;
  if (!req.local_addr.empty() && name == lower_trimmed(req.local_addr)) return true;
  for (const auto& n : names) {
    if (host_name_of(n) == name) return true;
  }
  return false;
}

std::string media_type(const std::string& content_type) {
  return lower_trimmed(content_type.substr(0, content_type.find(';')));
}

RequestContext context_of(const httplib::Request& req, const std::string& device, const char* action) {
  RequestContext ctx;
  ctx.action = action;
  ctx.authorization = req.get_header_value("Authorization");
  ctx.device = device;
  return ctx;
}

void send_json(httplib::Response& res, const Json& j) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

// The community routes on the county host: 404, before any token is looked
// at or any body read (the county reads aggregates only).
bool not_for_county(const httplib::Request& req, httplib::Response& res) {
  if (t_tenant && t_tenant->service) return false;
  refuse_unread(res, 404, "not_found", "There is no " + req.method + " " + req.path.substr(0, 200) + " on this host.");
  return true;
}

// Who is calling, from the headers alone (before any body is read).
bool token_first(Authenticator& auth, const char* action, const httplib::Request& req, httplib::Response& res) {
  auto who = auth.authenticate(context_of(req, "", action));
  if (!who) {
    refuse_unread(res, status_for(who.error().code), who.error().code, who.error().message);
    return false;
  }
  return true;
}

// Reads the body of req into *out, bounded (post_json's contract). False: it
// answered.
bool read_body(httplib::Response& res, const httplib::ContentReader& reader, std::string* out) {
  bool too_large = false;
  out->clear();
  const bool ok = reader([&](const char* data, size_t n) {
    if (out->size() + n > sync::kMaxRequestBytes) {
      too_large = true;
      return false;
    }
    out->append(data, n);
    return true;
  });
  if (too_large || res.status == 413) {
    out->clear();
    refuse_unread(res, 413, "too_large",
                  "The request is larger than " + std::to_string(sync::kMaxRequestBytes / (1024 * 1024)) +
                      " MiB (after decompression). Send smaller batches (at most " +
                      std::to_string(sync::kMaxPushOps) + " operations).");
    return false;
  }
  if (!ok) {
    out->clear();
    refuse_unread(res, 400, "bad_body",
                  "The request body could not be read: it was cut off, too slow, or its gzip is damaged.");
    return false;
  }
  if (auto deep = sync::check_json_depth(*out); !deep) {
    out->clear();
    send_error(res, 400, deep.error().code, deep.error().message);
    return false;
  }
  return true;
}

// POST /api/v1/enrol, /api/v1/admin/... (docs/sync-protocol.md "Devices").
void install_device_routes(httplib::Server& server) {
  // Bounded before the body is read (devices.h: failures per address and overall).
  auto enrol_limit = [](const httplib::Request& req, httplib::Response& res) {
    DeviceRegistry& devices = *current_tenant().devices;
    if (int64_t wait = devices.enrol_retry_after_ms(client_address(req), wall_clock_ms()); wait > 0) {
      res.set_header("Retry-After", std::to_string(retry_after_seconds(wait)));
      refuse_unread(res, 429, "too_many_attempts",
                    "Too many wrong enrolment codes were tried. Wait " +
                        std::to_string(retry_after_seconds(wait) / 60 + 1) +
                        " minutes, then type the code again carefully.");
      return false;
    }
    return true;
  };
  post_json(server, "/api/v1/enrol", [](const httplib::Request& req, httplib::Response& res) {
    DeviceRegistry& devices = *current_tenant().devices;
    const int64_t now = wall_clock_ms();
    Json j = Json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("code") || !j["code"].is_string() || !j.contains("device") ||
        !j["device"].is_string()) {
      return send_error(res, 400, "bad_json",
                        "An enrolment needs {\"code\":\"1234-5678-9012-3456\",\"device\":\"...\",\"name\":\"...\"}.");
    }
    std::string name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : "";
    const std::string from = client_address(req);
    auto e = devices.enrol(j["code"].get<std::string>(), j["device"].get<std::string>(), name, now, from);
    if (!e) {
      const Error& err = e.error();
      if (err.code == "too_many_attempts") {  // devices.h: failures per address and overall
        res.set_header("Retry-After", std::to_string(retry_after_seconds(devices.enrol_retry_after_ms(from, now))));
      }
      int status = err.code == "bad_code"            ? 403
                   : err.code == "device_exists"     ? 409
                   : err.code == "too_many_attempts" ? 429
                   : err.code == "store_error"       ? 503
                                                     : 400;
      return send_error(res, status, err.code, err.message);
    }
    send_json(res, Json{{"token", e->token}, {"role", e->role}, {"device", j["device"]}});
  }, enrol_limit);
  auto admin_first = [](const httplib::Request& req, httplib::Response& res) {
    return token_first(*current_tenant().auth, "admin", req, res);
  };
  auto admin = [](const httplib::Request& req, httplib::Response& res) -> bool {
    auto who = current_tenant().auth->authenticate(context_of(req, "", "admin"));
    if (!who) {
      send_error(res, status_for(who.error().code), who.error().code, who.error().message);
      return false;
    }
    return true;
  };
  post_json(
      server, "/api/v1/admin/codes",
      [](const httplib::Request& req, httplib::Response& res) {
        DeviceRegistry& devices = *current_tenant().devices;
        Json j = Json::parse(req.body, nullptr, false);
        if (!j.is_object() || !j.contains("role") || !j["role"].is_string()) {
          return send_error(res, 400, "bad_json", "Say which role the new device gets: {\"role\":\"kiosk\"}.");
        }
        auto c = devices.create_code(j["role"].get<std::string>(), wall_clock_ms());
        if (!c) return send_error(res, c.error().code == "store_error" ? 503 : 400, c.error().code, c.error().message);
        send_json(res, Json{{"code", c->code}, {"role", c->role}, {"expires", c->expires_ms}});
      },
      admin_first);
  server.Get("/api/v1/admin/devices",
             [admin](const httplib::Request& req, httplib::Response& res) {
    if (!admin(req, res)) return;
    const Tenant& t = current_tenant();
    auto list = t.devices->list();
    if (!list) return send_error(res, 503, list.error().code, list.error().message);
    const uint64_t head = t.service ? t.service->head() : 0;  // the county keeps no operations
    Json out = Json::array();
    for (const auto& d : list.value()) {
      Json row{{"device", d.device_id}, {"name", d.name}, {"role", d.role},
               {"enrolled_ms", d.enrolled_ms}, {"revoked", d.revoked}};
      // Known only since the server started (devices.h): absent otherwise.
      if (d.last_contact_ms > 0) row["last_contact_ms"] = d.last_contact_ms;
      if (d.pulled) row["behind"] = head > d.pulled_to ? head - d.pulled_to : 0;
      out.push_back(std::move(row));
    }
    res.set_header("Cache-Control", "no-store");
    send_json(res, Json{{"devices", out}, {"head", head}});
  });
  post_json(
      server, R"(/api/v1/admin/devices/([a-z0-9-]{1,32})/revoke)",
      [](const httplib::Request& req, httplib::Response& res) {
        std::string id = req.matches[1];
        auto st = current_tenant().devices->revoke(id);
        if (!st) {
          return send_error(res, st.error().code == "not_found" ? 404 : 503, st.error().code, st.error().message);
        }
        send_json(res, Json{{"device", id}, {"revoked", true}});
      },
      admin_first);
}

// Every request passes here first (before routing, before any body is read).
// True: the request was refused (and answered).
bool refused_before_routing(const httplib::Request& req, httplib::Response& res,
                            const std::vector<std::string>& host_names, const TenantResolver& communities) {
  const std::string host = req.get_header_value("Host");
  const std::string name = host_name_of(host);
  if (communities) {
    // docs/communities.md: the Host picks the community, before any token is
    // looked at or any body read. The name is in the code's parameters.
    Error error;
    std::shared_ptr<Tenant> tenant = name.empty() ? nullptr : communities(name, is_api(req.path), &error);
    if (!tenant) {
      if (!error.code.empty()) {
        res.set_header("Retry-After", "5");
        refuse_unread(res, 503, error.code, error.message);
      } else {
        refuse_unread(res, 421, "unknown_community",
                      "No community on this server has the name \"" + host.substr(0, 100) + "\".");
      }
      return true;
    }
    t_tenant = tenant.get();
    http_hold_for_request(std::move(tenant));
  } else if (!host_allowed(name, req, host_names)) {
    refuse_unread(res, 421, "bad_host",
                  "This server does not answer to the name \"" + host.substr(0, 100) +
                      "\". Open it by its own address, or start it with --public-name NAME.");
    return true;
  }
  if (req.has_header("Origin")) {
    const std::string origin = lower_trimmed(req.get_header_value("Origin"));
    const std::string h = lower_trimmed(host);
    if (origin != "http://" + h && origin != "https://" + h) {
      refuse_unread(res, 403, "foreign_origin",
                    "Requests from another web site are refused (Origin " + origin.substr(0, 100) + ").");
      return true;
    }
  }
  return false;
}

}  // namespace

Tenant& current_tenant() {
  static Tenant none;
  return t_tenant ? *t_tenant : none;
}

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void post_json(httplib::Server& server, const std::string& pattern, RouteHandler handler, BeforeBody before_body) {
  server.Post(pattern, [handler = std::move(handler), before_body = std::move(before_body)](
                           const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& reader) {
    if (media_type(req.get_header_value("Content-Type")) != "application/json") {
      return refuse_unread(res, 415, "unsupported_media_type",
                           "Send the request body as JSON with Content-Type: application/json.");
    }
    const std::string encoding = lower_trimmed(req.get_header_value("Content-Encoding"));
    if (!encoding.empty() && encoding != "identity" && encoding != "gzip") {
      return refuse_unread(res, 415, "unsupported_encoding",
                           "A request body may be sent plain or with Content-Encoding: gzip, not \"" +
                               encoding.substr(0, 40) + "\".");
    }
    if (before_body && !before_body(req, res)) return;
    std::string body;
    if (!read_body(res, reader, &body)) return;
    // httplib hands handlers a const Request; the body is ours to fill.
    const_cast<httplib::Request&>(req).body = std::move(body);
    handler(req, res);
  });
}

void install_routes(httplib::Server& server, SyncService& service, Authenticator& auth,
                    const HttpOptions& options) {
  auto the_one = std::make_shared<Tenant>();
  the_one->service = &service;
  the_one->auth = &auth;
  the_one->devices = options.devices;
  auto limits = make_checkin_limits();
  the_one->checkin = limits.get();
  HttpOptions one = options;
  one.communities = nullptr;
  install_all_routes(server, one, [the_one, limits] { return the_one; });
}

void install_routes(httplib::Server& server, const HttpOptions& options) {
  install_all_routes(server, options, nullptr);
}

namespace {

void install_all_routes(httplib::Server& server, const HttpOptions& options,
                        std::function<std::shared_ptr<Tenant>()> fixed_tenant) {
  server.set_payload_max_length(sync::kMaxRequestBytes);

  // Counts and the state hash only to a caller the Authenticator accepts
  // (everyone on an open-access server); without a token only what an app
  // needs to know before it enrols.
  server.Get("/api/v1/health", [](const httplib::Request& req, httplib::Response& res) {
    const Tenant& t = current_tenant();
    Authenticator& auth = *t.auth;
    res.set_header("Cache-Control", "no-store");
    const bool open = auth.name() == "open";
    if (!open && !req.has_header("Authorization")) {
      sync::Health h;
      h.auth = auth.name();
      res.set_content(sync::encode_public_health(h), kJson);
      return;
    }
    auto who = auth.authenticate(context_of(req, "", "health"));
    if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
    if (!t.service) {  // the county host keeps no operations: what anyone may know
      sync::Health h;
      h.auth = auth.name();
      res.set_content(sync::encode_public_health(h), kJson);
      return;
    }
    res.set_content(sync::encode_health(t.service->health(auth.name(), wall_clock_ms())), kJson);
  });

  server.Get("/api/v1/ops", [](const httplib::Request& req, httplib::Response& res) {
    if (not_for_county(req, res)) return;
    const Tenant& t = current_tenant();
    SyncService& service = *t.service;
    Authenticator& auth = *t.auth;
    DeviceRegistry* const registry = t.devices;  // last contact and pull cursor (nullptr: open access)
    auto who = auth.authenticate(context_of(req, "", "pull"));
    if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
    if (auto a = auth.authorize_pull(who.value()); !a) {
      return send_error(res, 403, a.error().code, a.error().message);
    }
    auto query = sync::parse_pull_query(req.get_param_value("after"), req.get_param_value("limit"));
    if (!query) return send_error(res, 400, query.error().code, query.error().message);
    // A cursor beyond the head (a server restored from an older backup):
    // answer from the real head, so next and head are the server's.
    if (query->after > service.head()) query->after = service.head();
    uint64_t next = 0;
    auto body = service.pull(query.value(), wall_clock_ms(), who->role, &next);
    if (!body) return send_error(res, 503, body.error().code, body.error().message);
    if (registry) registry->note_pulled(who->device, next);
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(body).value(), kJson);
  });

  // First start (docs/sync-protocol.md "Snapshot for a new device"): the
  // folded state at a recent seq, gzipped, for a device with no data yet.
  // Authenticated and authorised like a pull before anything is built or
  // looked up; its one parameter, format (1, the default, or 2: see
  // SyncService::snapshot), is checked next. Only for roles that read everything
  // (a restricted role's copy is reduced per operation: it pulls instead,
  // 403 snapshot_not_for_role); 404 no_snapshot while the server holds no
  // operation. Sent as stored (Content-Encoding: gzip) to a client that
  // accepts gzip, else unpacked.
  const bool offer_snapshot = options.snapshot;
  server.Get("/api/v1/snapshot", [offer_snapshot](const httplib::Request& req, httplib::Response& res) {
    if (not_for_county(req, res)) return;
    SyncService& service = *current_tenant().service;
    Authenticator& auth = *current_tenant().auth;
    auto who = auth.authenticate(context_of(req, "", "pull"));
    if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
    if (auto a = auth.authorize_pull(who.value()); !a) {
      return send_error(res, 403, a.error().code, a.error().message);
    }
    if (role_reads_allow_list(who->role)) {
      return send_error(res, 403, "snapshot_not_for_role",
                        "A " + who->role + " device receives a reduced copy of the data, so it has no snapshot; "
                        "it pulls the operations page by page.");
    }
    int format = 1;
    if (req.has_param("format")) {
      const std::string f = req.get_param_value("format");
      if (f != "1" && f != "2")
        return send_error(res, 400, "bad_query", "The snapshot comes in format 1 or 2 (format=1 or format=2).");
      format = f == "2" ? 2 : 1;
    }
    if (!offer_snapshot) return send_error(res, 404, "no_snapshot", "This server offers no snapshot (--no-snapshot).");
    if (service.head() == 0) return send_error(res, 404, "no_snapshot", "The server holds no operation yet.");
    auto snap = service.snapshot(format);
    if (!snap) return send_error(res, 503, snap.error().code, snap.error().message);
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Dh-Snapshot-Seq", std::to_string(snap.value()->seq));
    const char* type = format == 2 ? "application/octet-stream" : kJson;
    if (accepts_gzip(req.get_header_value(kAcceptHeader))) {
      res.set_content(snap.value()->gzip, type);
      res.set_header("Content-Encoding", "gzip");
      res.set_header("Vary", "Accept-Encoding");
    } else {
      auto plain = gzip_decompress(snap.value()->gzip);
      if (!plain) return send_error(res, 503, "store_error", "The snapshot could not be unpacked.");
      res.set_content(std::move(*plain), type);
    }
  });

  // The push channel (docs/sync-protocol.md "Push channel"): a long poll that
  // answers {"head": N} as soon as the store's head passes `after` (or after
  // timeout_ms, at most 25 s). Authenticated like a pull, bounded before it
  // waits: digits only, a capped timeout, at most SyncService::kMaxWaiters
  // waiting at once (503 busy with Retry-After beyond that).
  server.Get("/api/v1/wait", [&server](const httplib::Request& req, httplib::Response& res) {
    if (not_for_county(req, res)) return;
    SyncService& service = *current_tenant().service;
    Authenticator& auth = *current_tenant().auth;
    auto who = auth.authenticate(context_of(req, "", "pull"));
    if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
    if (auto a = auth.authorize_pull(who.value()); !a) {
      return send_error(res, 403, a.error().code, a.error().message);
    }
    auto number = [](const std::string& text, uint64_t max, uint64_t* out) {
      if (text.empty() || text.size() > 19) return false;
      uint64_t v = 0;
      for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      if (v > max) return false;
      *out = v;
      return true;
    };
    uint64_t after = 0, timeout_ms = 20000;
    if (!number(req.get_param_value("after"), UINT64_MAX / 10, &after)) {
      return send_error(res, 400, "bad_query", "\"after\" must be the last seq this device has (digits).");
    }
    if (req.has_param("timeout_ms") && !number(req.get_param_value("timeout_ms"), 25000, &timeout_ms)) {
      return send_error(res, 400, "bad_query", "\"timeout_ms\" must be a whole number from 0 to 25000.");
    }
    std::function<bool()> stopping;
    if (auto* hs = dynamic_cast<HttpServer*>(&server)) stopping = [hs] { return hs->stop_requested(); };
    auto head = service.wait_for_head_beyond(after, static_cast<int64_t>(timeout_ms), stopping);
    if (!head) {
      res.set_header("Retry-After", "5");
      return send_error(res, 503, "busy", "Too many devices are waiting for changes; poll instead for a while.");
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content("{\"head\":" + std::to_string(*head) + "}", kJson);
  });

  post_json(
      server, "/api/v1/ops",
      [](const httplib::Request& req, httplib::Response& res) {
        SyncService& service = *current_tenant().service;
        Authenticator& auth = *current_tenant().auth;
        auto request = sync::decode_push_request(req.body);
        if (!request) {
          const Error& e = request.error();
          return send_error(res, status_for(e.code), e.code, e.message);
        }
        auto who = auth.authenticate(context_of(req, request->device, "push"));
        if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
        const int64_t now = wall_clock_ms();
        auto resp = service.push(request.value(), who.value(), auth, now);
        if (!resp) {
          const Error& e = resp.error();
          if (e.code == "clock_far_ahead") {  // with the server's clock: the device re-stamps (sync-protocol.md)
            res.status = 422;
            res.set_header("Cache-Control", "no-store");
            return res.set_content(sync::encode_clock_error(e, now), kJson);
          }
          return send_error(res, 503, e.code, e.message);
        }
        res.set_header("Cache-Control", "no-store");
        res.set_content(sync::encode_push_response(resp.value()), kJson);
      },
      [](const httplib::Request& req, httplib::Response& res) {
        return !not_for_county(req, res) && token_first(*current_tenant().auth, "request", req, res);
      });

  if (options.devices || options.communities) install_device_routes(server);
  install_checkin_routes(server, wall_clock_ms);  // QR check-in (checkin.h): key + time window, no token

  // The county's figures (docs/communities.md "County role"): on the county host only.
  server.Get("/api/v1/county/aggregates", [](const httplib::Request& req, httplib::Response& res) {
    const Tenant& t = current_tenant();
    if (!t.county || !t.county_aggregates) {
      return send_error(res, 404, "not_found", "There is no API at " + req.path + ".");
    }
    t.county_aggregates(req, res);
  });

  // Anything else with a body is answered without reading it (registered
  // last: httplib tries body-reading routes in order, before it would read a
  // body into memory for a plain route).
  auto no_route = [](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader&) {
    if (req.method == "POST") {
      return refuse_unread(res, 404, "not_found", "There is no POST " + req.path.substr(0, 200) + " in the API.");
    }
    refuse_unread(res, 405, "method_not_allowed", "This server answers GET, HEAD and POST only.");
  };
  server.Post(".*", no_route);
  server.Put(".*", no_route);
  server.Patch(".*", no_route);
  server.Delete(".*", no_route);
  server.Options(".*", [](const httplib::Request&, httplib::Response& res) {
    refuse_unread(res, 405, "method_not_allowed", "This server answers GET, HEAD and POST only.");
  });

  const std::string web_dir = options.web_dir;
  server.Get("/.*", [web_dir](const httplib::Request& req, httplib::Response& res) {
    if (is_api(req.path)) return send_error(res, 404, "not_found", "There is no API at " + req.path + ".");
    if (web_dir.empty() && (req.path == "/" || req.path == "/index.html")) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(
          "<!doctype html><meta charset=utf-8><title>Dianhong</title>"
          "<p>The Dianhong server is running, but it was started without the web app "
          "(--web DIR). The sync API is at /api/v1/.</p>",
          "text/html; charset=utf-8");
      return;
    }
    StaticFile f = read_static_file(web_dir, req.path);
    res.status = f.status;
    if (f.status == 200 && req.ranges.size() == 1) {
      // httplib slices the body; a range that starts past the end is refused.
      const auto& r = req.ranges[0];
      const auto size = static_cast<ssize_t>(f.body.size());
      if ((r.first >= 0 && r.first >= size) || (r.first < 0 && r.second <= 0)) {
        res.status = 416;
        res.set_header("Content-Range", "bytes */" + std::to_string(size));
        res.set_header("Cache-Control", "no-store");
        res.set_content("Range not satisfiable.", "text/plain; charset=utf-8");
        auto& mutable_req = const_cast<httplib::Request&>(req);
        mutable_req.ranges.clear();
        return;
      }
      res.status = 206;
    }
    res.set_header("Cache-Control", f.cache_control);
    if (f.status == 200 && !req.has_header("Range") && f.body.size() >= kMinCompressBytes &&
        worth_compressing(f.content_type) &&
        accepts_gzip(req.get_header_value(kAcceptHeader))) {
      static GzipCache cache;
      auto gz = read_precompressed(f);
      if (!gz) gz = cache.get(f.full_path, f.mtime_ns, f.body);
      if (gz) {
        res.set_header("Content-Encoding", "gzip");
        res.set_header("Vary", "Accept-Encoding");
        res.set_content(std::move(*gz), f.content_type);
        return;
      }
    }
    res.set_content(std::move(f.body), f.content_type);
  });

  // Before routing (and before any body is read): the request's phase
  // changes (http_server.h), Host and Origin are checked, Range is limited.
  // Compression is ours (compression.h): hide Accept-Encoding from httplib
  // (it would pick Brotli at its slowest), keep it for the post-routing
  // handler. httplib's Request object is not const in its own process loop;
  // the handler only gets a const reference, hence the cast.
  const std::vector<std::string> host_names = options.host_names;
  const TenantResolver communities = options.communities;
  server.set_pre_routing_handler([host_names, communities, fixed_tenant](const httplib::Request& req,
                                                                         httplib::Response& res) {
    http_headers_done();
    t_tenant = nullptr;
    if (fixed_tenant) {
      std::shared_ptr<Tenant> one = fixed_tenant();
      t_tenant = one.get();
      http_hold_for_request(std::move(one));
    }
    if (refused_before_routing(req, res, host_names, communities)) return httplib::Server::HandlerResponse::Handled;
    auto& r = const_cast<httplib::Request&>(req);
    // One range at most, and only of a static file: several (overlapping)
    // ranges were assembled in memory, 16 of the 8 MB font into 138 MB.
    if (r.ranges.size() > 1 || (!r.ranges.empty() && is_api(r.path))) {
      r.ranges.clear();
      r.headers.erase("Range");
    }
    auto it = r.headers.find("Accept-Encoding");
    if (it != r.headers.end()) {
      std::string value = it->second;
      r.headers.erase("Accept-Encoding");
      r.headers.emplace(kAcceptHeader, value);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib has already set Content-Length (and sliced ranges) when this runs.
  server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("Referrer-Policy", "no-referrer");
    if (res.has_header("Content-Encoding") || res.has_header("Content-Range")) return;
    if (res.body.size() < kMinCompressBytes) return;
    if (!worth_compressing(res.get_header_value("Content-Type"))) return;
    if (!accepts_gzip(req.get_header_value(kAcceptHeader))) return;
    // Level 1: API answers are made once per request (a pull page of 1,000
    // operations: ~2 ms at level 6, ~0.9 ms at level 1, 26 -> 33 bytes per
    // operation); static files are compressed once, at level 9 (GzipCache).
    if (auto gz = gzip_compress(res.body, 1)) {
      res.body = std::move(*gz);
      res.headers.erase("Content-Length");
      res.set_header("Content-Length", std::to_string(res.body.size()));
      res.set_header("Content-Encoding", "gzip");
      res.set_header("Vary", "Accept-Encoding");
    }
  });

  // Answers httplib produced itself (413 past the payload limit, 404 for an
  // unknown route, 400 for a request it could not read) get a body in the
  // same style as ours.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      send_error(res, 413, "too_large",
                 "The request is larger than " + std::to_string(sync::kMaxRequestBytes / (1024 * 1024)) +
                     " MiB. Send smaller batches (at most " + std::to_string(sync::kMaxPushOps) +
                     " operations).");
    } else if (res.status == 416) {
      res.set_content("Range not satisfiable.", "text/plain; charset=utf-8");
    } else if (is_api(req.path)) {
      int status = res.status;
      send_error(res, status, status == 404 ? "not_found" : "bad_request",
                 status == 404 ? "There is no " + req.method + " " + req.path + " in the API."
                               : "The request could not be read.");
    } else {
      res.set_content(res.status == 404 ? "Not found." : "Bad request.", "text/plain; charset=utf-8");
    }
  });

  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, "internal", "The server failed on this request (" + what + ").");
  });
}

}  // namespace

}  // namespace dh
