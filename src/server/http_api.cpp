#include "server/http_api.h"

#include <httplib.h>

#include <chrono>
#include <exception>

#include "server/auth.h"
#include "server/checkin.h"
#include "server/compression.h"
#include "server/devices.h"
#include "server/static_files.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

namespace dh {
namespace {

// With a charset parameter, so that httplib never compresses it itself
// (compression.h).
constexpr const char* kJson = "application/json; charset=utf-8";

void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(sync::encode_error(make_error(code, message)), kJson);
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

RequestContext context_of(const httplib::Request& req, const std::string& device, const char* action) {
  RequestContext ctx;
  ctx.action = action;
  ctx.authorization = req.get_header_value("Authorization");
  ctx.remote_addr = req.remote_addr;
  ctx.device = device;
  return ctx;
}

void send_json(httplib::Response& res, const Json& j) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

// POST /api/v1/enrol, /api/v1/admin/... (docs/sync-protocol.md "Devices").
void install_device_routes(httplib::Server& server, DeviceRegistry& devices, Authenticator& auth) {
  server.Post("/api/v1/enrol", [&devices](const httplib::Request& req, httplib::Response& res) {
    Json j = Json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("code") || !j["code"].is_string() || !j.contains("device") ||
        !j["device"].is_string()) {
      return send_error(res, 400, "bad_json",
                        "An enrolment needs {\"code\":\"1234-5678\",\"device\":\"...\",\"name\":\"...\"}.");
    }
    std::string name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : "";
    auto e = devices.enrol(j["code"].get<std::string>(), j["device"].get<std::string>(), name, wall_clock_ms());
    if (!e) {
      const Error& err = e.error();
      int status = err.code == "bad_code" ? 403 : err.code == "store_error" ? 503 : 400;
      return send_error(res, status, err.code, err.message);
    }
    send_json(res, Json{{"token", e->token}, {"role", e->role}, {"device", j["device"]}});
  });
  auto admin = [&auth](const httplib::Request& req, httplib::Response& res) -> bool {
    auto who = auth.authenticate(context_of(req, "", "admin"));
    if (!who) {
      send_error(res, status_for(who.error().code), who.error().code, who.error().message);
      return false;
    }
    return true;
  };
  server.Post("/api/v1/admin/codes", [&devices, admin](const httplib::Request& req, httplib::Response& res) {
    if (!admin(req, res)) return;
    Json j = Json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("role") || !j["role"].is_string()) {
      return send_error(res, 400, "bad_json", "Say which role the new device gets: {\"role\":\"kiosk\"}.");
    }
    auto c = devices.create_code(j["role"].get<std::string>(), wall_clock_ms());
    if (!c) return send_error(res, c.error().code == "store_error" ? 503 : 400, c.error().code, c.error().message);
    send_json(res, Json{{"code", c->code}, {"role", c->role}, {"expires", c->expires_ms}});
  });
  server.Get("/api/v1/admin/devices", [&devices, admin](const httplib::Request& req, httplib::Response& res) {
    if (!admin(req, res)) return;
    auto list = devices.list();
    if (!list) return send_error(res, 503, list.error().code, list.error().message);
    Json out = Json::array();
    for (const auto& d : list.value()) {
      out.push_back(Json{{"device", d.device_id}, {"name", d.name}, {"role", d.role},
                         {"enrolled_ms", d.enrolled_ms}, {"revoked", d.revoked}});
    }
    send_json(res, Json{{"devices", out}});
  });
  server.Post(R"(/api/v1/admin/devices/([a-z0-9-]{1,32})/revoke)",
              [&devices, admin](const httplib::Request& req, httplib::Response& res) {
                if (!admin(req, res)) return;
                std::string id = req.matches[1];
                auto st = devices.revoke(id);
                if (!st) {
                  return send_error(res, st.error().code == "not_found" ? 404 : 503, st.error().code,
                                    st.error().message);
                }
                send_json(res, Json{{"device", id}, {"revoked", true}});
              });
}

}  // namespace

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void install_routes(httplib::Server& server, SyncService& service, Authenticator& auth,
                    const HttpOptions& options) {
  server.set_payload_max_length(sync::kMaxRequestBytes);

  server.Get("/api/v1/health", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(sync::encode_health(service.health(auth.name(), wall_clock_ms())), kJson);
  });

  server.Get("/api/v1/ops", [&](const httplib::Request& req, httplib::Response& res) {
    auto who = auth.authenticate(context_of(req, "", "pull"));
    if (!who) return send_error(res, status_for(who.error().code), who.error().code, who.error().message);
    if (auto a = auth.authorize_pull(who.value()); !a) {
      return send_error(res, 403, a.error().code, a.error().message);
    }
    auto query = sync::parse_pull_query(req.get_param_value("after"), req.get_param_value("limit"));
    if (!query) return send_error(res, 400, query.error().code, query.error().message);
    auto body = service.pull(query.value(), wall_clock_ms(), auth.masks_personal(who.value()));
    if (!body) return send_error(res, 503, body.error().code, body.error().message);
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(body).value(), kJson);
  });

  server.Post("/api/v1/ops", [&](const httplib::Request& req, httplib::Response& res) {
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
  });

  if (DeviceRegistry* devices = options.devices) install_device_routes(server, *devices, auth);
  install_checkin_routes(server, service, wall_clock_ms);  // QR check-in (checkin.h): key + time window, no token

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
    res.set_header("Cache-Control", f.cache_control);
    if (f.status == 200 && f.content_type.rfind("text/html", 0) == 0) {
      res.set_header("X-Content-Type-Options", "nosniff");
    }
    if (f.status == 200 && !req.has_header("Range") && f.body.size() >= kMinCompressBytes &&
        worth_compressing(f.content_type) &&
        accepts_gzip(req.get_header_value(kAcceptHeader))) {
      static GzipCache cache;
      if (auto gz = cache.get(f.full_path, f.mtime_ns, f.body)) {
        res.set_header("Content-Encoding", "gzip");
        res.set_header("Vary", "Accept-Encoding");
        res.set_content(std::move(*gz), f.content_type);
        return;
      }
    }
    res.set_content(std::move(f.body), f.content_type);
  });

  // Compression is ours (compression.h): hide Accept-Encoding from httplib
  // (it would pick Brotli at its slowest), keep it for the post-routing
  // handler. httplib's Request object is not const in its own process loop;
  // the handler only gets a const reference, hence the cast.
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    auto& r = const_cast<httplib::Request&>(req);
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
    if (res.has_header("Content-Encoding") || res.has_header("Content-Range")) return;
    if (res.body.size() < kMinCompressBytes) return;
    if (!worth_compressing(res.get_header_value("Content-Type"))) return;
    if (!accepts_gzip(req.get_header_value(kAcceptHeader))) return;
    if (auto gz = gzip_compress(res.body)) {
      res.body = std::move(*gz);
      res.headers.erase("Content-Length");
      res.set_header("Content-Length", std::to_string(res.body.size()));
      res.set_header("Content-Encoding", "gzip");
      res.set_header("Vary", "Accept-Encoding");
    }
  });

  // Answers httplib produced itself (413 past the payload limit, 404 for an
  // unknown route or method) get a body in the same style as ours.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413 && req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
      // httplib caps form-encoded bodies at 8 KiB (it would parse them as a form).
      send_error(res, 413, "too_large",
                 "A form-encoded body may be at most 8 KiB. Send the operations with "
                 "Content-Type: application/json.");
    } else if (res.status == 413) {
      send_error(res, 413, "too_large",
                 "The request is larger than " + std::to_string(sync::kMaxRequestBytes / (1024 * 1024)) +
                     " MiB. Send smaller batches (at most " + std::to_string(sync::kMaxPushOps) +
                     " operations).");
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

}  // namespace dh
