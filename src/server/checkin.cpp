#include "server/checkin.h"

#include <httplib.h>

#include <algorithm>
#include <memory>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "core/checkin.h"
#include "core/civil_time.h"
#include "core/exchange.h"
#include "core/volunteering.h"
#include "server/http_api.h"
#include "server/http_server.h"
#include "server/rate_limit.h"
#include "server/sync_service.h"

namespace dh {
namespace {

// With a charset parameter, like http_api.cpp (httplib then never compresses it itself).
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr size_t kMaxMatches = 10;

struct Refusal {
  int status = 400;
  Error error;
  Json extra = Json::object();  // more fields of the error object
};

Refusal refuse(int status, const std::string& code, const std::string& message) {
  return Refusal{status, make_error(code, message), Json::object()};
}

void send_refusal(httplib::Response& res, const Refusal& r) {
  Json e = r.extra;
  e["code"] = r.error.code;
  e["message"] = r.error.message;
  res.status = r.status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(Json{{"error", e}}.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

void send_ok(httplib::Response& res, const Json& j) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

int status_of_code(const std::string& code) {
  if (code == "bad_json" || code == "bad_query") return 400;
  if (code == "too_many_attempts") return 429;
  if (code == "bad_key" || code == "outside_window") return 403;
  if (code == "not_found" || code == "not_on_roster") return 404;
  if (code == "already_checked_in" || code == "already_checked_out" || code == "not_checked_in" ||
      code == "attendance_set" || code == "too_soon")
    return 409;
  if (code == "store_error" || code == "store_corrupt") return 503;
  return 422;  // the core's rule book refused the operation
}

// A string field of the request, or "".
std::string str(const Json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string hhmm(int64_t local_minutes) { return format_datetime(local_minutes).substr(11); }

// The live shift named by the request, if its key matches and the QR page
// answers for it now (or a refusal).
struct ShiftContext {
  const Entity* shift = nullptr;
  Interval when;
};

bool resolve_shift(const State& state, const std::string& shift_id, const std::string& key, int64_t now_local,
                   ShiftContext* out, Refusal* why) {
  // An unknown or cancelled shift and a wrong key get the same answer, so the
  // page tells nobody which shift ids exist.
  const Entity* shift = state.find("shift", shift_id);
  const std::string stored = shift && shift->live() ? shift->text("checkin_key") : std::string();
  if (stored.empty() || !same_secret(stored, key)) {
    *why = refuse(403, "bad_key",
                  "This check-in code is not valid for the shift (it may have been replaced). Scan the QR code "
                  "on the station's screen again.");
    return false;
  }
  if (!shift_interval(*shift, &out->when)) {
    *why = refuse(422, "bad_shift", "The shift's times cannot be read. Ask the coordinator.");
    return false;
  }
  out->shift = shift;
  const Interval any = qr_any_window(out->when);
  if (now_local < any.start || now_local > any.end) {
    const bool early = now_local < any.start;
    *why = refuse(403, "outside_window",
                  early ? "Check-in for this shift opens at " + format_datetime(any.start).replace(10, 1, " ") +
                              ", 30 minutes before it starts."
                        : "QR check-in and check-out for this shift closed at " +
                              format_datetime(any.end).replace(10, 1, " ") +
                              ", 2 hours after it ended. Ask the coordinator to record your hours.");
    why->extra = Json{{"opens", format_datetime(any.start)}, {"closes", format_datetime(any.end)}};
    return false;
  }
  return true;
}

Json shift_summary(const State& state, const ShiftContext& c) {
  const Entity* station = state.find("station", c.shift->text("station"));
  return Json{{"role", c.shift->text("role")},
              {"station", station ? station->text("name") : std::string()},
              {"start", c.shift->text("start")},
              {"end", c.shift->text("end")}};
}

// What the person may do now on the QR page.
std::string action_for(const Entity& signup, const Interval& when, int64_t now_local) {
  switch (attendance_of(signup)) {
    case Attendance::not_checked_in:
      return qr_window_open(when, now_local, QrAction::check_in) ? "check_in" : "none";
    case Attendance::checked_in:
      return qr_window_open(when, now_local, QrAction::check_out) ? "check_out" : "none";
    default:
      return "none";
  }
}

bool parse_body(const httplib::Request& req, Json* out, Refusal* why) {
  Json j = Json::parse(req.body, nullptr, false);
  if (!j.is_object()) {
    *why = refuse(400, "bad_json", "The request is not a JSON object.");
    return false;
  }
  for (const char* f : {"shift", "key"}) {
    if (!j.contains(f) || !j[f].is_string() || j[f].get<std::string>().empty() ||
        j[f].get<std::string>().size() > 64) {
      *why = refuse(400, "bad_json", std::string("The request needs \"") + f + "\" (from the QR code) as text.");
      return false;
    }
  }
  *out = std::move(j);
  return true;
}

// A name as typed or stored, for an exact comparison: no spaces, ASCII
// letters in lower case (张 小华 == 张小华, Li Si == lisi).
std::string name_key(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string last_digits(const std::string& s, size_t n) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d.size() >= n ? d.substr(d.size() - n) : std::string();
}

using Limits = CheckinLimits;

bool too_many(httplib::Response& res, int64_t wait_ms) {
  if (wait_ms <= 0) return false;
  const int64_t seconds = retry_after_seconds(wait_ms);
  Refusal r = refuse(429, "too_many_attempts",
                     "Too many names or codes that did not match were tried. Wait " +
                         std::to_string((seconds + 59) / 60) + " minutes, or ask the coordinator at the station.");
  r.extra = Json{{"retry_after", seconds}};
  res.set_header("Retry-After", std::to_string(seconds));
  send_refusal(res, r);
  return true;
}

void lookup(SyncService& service, Limits& limits, int64_t now_ms, const httplib::Request& req,
            httplib::Response& res) {
  const std::string addr = "addr:" + client_address(req);
  if (too_many(res, limits.per_address.blocked_for(addr, now_ms))) return;  // before anything is parsed
  Json j;
  Refusal why;
  if (!parse_body(req, &j, &why)) return send_refusal(res, why);
  const std::string shift_key = "shift:" + str(j, "shift");
  if (too_many(res, limits.per_shift.blocked_for(shift_key, now_ms))) return;
  for (const char* f : {"name", "phone"}) {
    if (j.contains(f) && !j[f].is_string()) {
      return send_refusal(res, refuse(400, "bad_json", std::string("\"") + f + "\" must be text."));
    }
  }
  const std::string name = name_key(str(j, "name"));
  const std::string phone4 = last_digits(str(j, "phone"), 4);
  if (name.empty() || name.size() > 64 || phone4.empty() || str(j, "phone").size() > 32) {
    return send_refusal(
        res, refuse(400, "bad_query", "Type your full name and the last 4 digits of your phone number."));
  }
  const int64_t now_local = local_minutes_from_utc_ms(now_ms);
  Json answer;
  bool ok = false;
  service.read_state([&](const State& state) {
    ShiftContext c;
    if (!resolve_shift(state, str(j, "shift"), str(j, "key"), now_local, &c, &why)) return;
    VolunteerIndex index(state);
    Roster roster = index.roster(c.shift->id);
    Json people = Json::array();
    for (const auto& e : roster.confirmed) {
      const Entity& su = *e.signup;
      const Entity* vol = state.find("volunteer", su.text("volunteer"));
      const Entity* res_ = vol ? state.find("resident", vol->text("resident")) : nullptr;
      if (!res_) continue;
      // Exact: the whole name and the last 4 digits of the phone on record.
      if (name_key(res_->text("name")) != name || last_digits(volunteer_phone(state, vol->id), 4) != phone4) continue;
      Json p{{"signup", su.id},
             {"name", mask_person_name(res_->text("name"))},
             {"state", attendance_key(attendance_of(su))},
             {"action", action_for(su, c.when, now_local)}};
      if (!su.text("check_in").empty()) p["check_in"] = su.text("check_in").substr(11);
      if (!su.text("check_out").empty()) p["check_out"] = su.text("check_out").substr(11);
      people.push_back(std::move(p));
      if (people.size() >= kMaxMatches) break;
    }
    answer = Json{{"shift", shift_summary(state, c)}, {"now", format_datetime(now_local)}, {"people", people}};
    ok = true;
  });
  if (!ok) {
    if (why.error.code == "bad_key") limits.per_address.record_failure(addr, now_ms);
    return send_refusal(res, why);
  }
  if (answer["people"].empty()) {
    limits.per_address.record_failure(addr, now_ms);
    limits.per_shift.record_failure(shift_key, now_ms);
  }
  send_ok(res, answer);
}

void checkin(SyncService& service, Limits& limits, int64_t now_ms, const httplib::Request& req,
             httplib::Response& res) {
  const std::string addr = "addr:" + client_address(req);
  if (too_many(res, limits.per_address.blocked_for(addr, now_ms))) return;
  Json j;
  Refusal why;
  if (!parse_body(req, &j, &why)) return send_refusal(res, why);
  const std::string shift_key = "shift:" + str(j, "shift");
  if (too_many(res, limits.per_shift.blocked_for(shift_key, now_ms))) return;
  const std::string signup_id = str(j, "signup");
  const std::string action = str(j, "action");
  if (signup_id.empty() || signup_id.size() > 64 || (action != "check_in" && action != "check_out"))
    return send_refusal(res, refuse(400, "bad_json",
                                    "The request needs \"signup\" (from the lookup) and \"action\": "
                                    "\"check_in\" or \"check_out\"."));
  const int64_t now_local = local_minutes_from_utc_ms(now_ms);
  std::string masked, time_text;
  bool refused = false;
  auto authored = service.author(
      [&](const State& state) -> Result<SyncService::ServerCommand> {
        auto fail = [&](Refusal r) -> Result<SyncService::ServerCommand> {
          why = std::move(r);
          refused = true;
          return why.error;
        };
        ShiftContext c;
        if (!resolve_shift(state, str(j, "shift"), str(j, "key"), now_local, &c, &why)) {
          refused = true;
          return why.error;
        }
        const Entity* su = state.find("signup", signup_id);
        bool on_roster = false;
        if (su && su->live() && su->text("shift") == c.shift->id) {
          VolunteerIndex index(state);
          for (const auto& e : index.roster(c.shift->id).confirmed) on_roster = on_roster || e.signup == su;
        }
        if (!on_roster)
          return fail(refuse(404, "not_on_roster",
                             "This person is not on this shift's list. Ask the coordinator at the station."));
        const Entity* vol = state.find("volunteer", su->text("volunteer"));
        const Entity* resident = vol ? state.find("resident", vol->text("resident")) : nullptr;
        masked = mask_person_name(resident ? resident->text("name") : std::string());
        const Attendance att = attendance_of(*su);
        if (att == Attendance::excused || att == Attendance::no_show)
          return fail(refuse(409, "attendance_set",
                             "The coordinator has marked this shift as excused or missed for you. Ask the "
                             "coordinator to change it."));
        time_text = hhmm(now_local);
        if (action == "check_in") {
          if (att != Attendance::not_checked_in)
            return fail(refuse(409, "already_checked_in",
                               "Already checked in at " + su->text("check_in").substr(11) + "."));
          if (!qr_window_open(c.when, now_local, QrAction::check_in))
            return fail(refuse(403, "outside_window",
                               "Check-in for this shift closed when it ended. Ask the coordinator."));
          return SyncService::ServerCommand{
              EditEntity{"signup", su->id, Json{{"check_in", format_datetime(now_local)}, {"check_in_method", "qr"}}},
              "qr:" + (vol ? vol->id : su->text("volunteer"))};
        }
        if (att == Attendance::not_checked_in)
          return fail(refuse(409, "not_checked_in", "Check in first; you have not checked in for this shift."));
        if (att == Attendance::attended)
          return fail(refuse(409, "already_checked_out",
                             "Already checked out at " + su->text("check_out").substr(11) + "."));
        if (!qr_window_open(c.when, now_local, QrAction::check_out))
          return fail(refuse(403, "outside_window", "Check-out for this shift closed 2 hours after it ended."));
        auto in = parse_datetime(su->text("check_in"));
        if (in && now_local <= *in)
          return fail(refuse(409, "too_soon", "You checked in less than a minute ago; check out when you leave."));
        return SyncService::ServerCommand{EditEntity{"signup", su->id, Json{{"check_out", format_datetime(now_local)}}},
                                          "qr:" + (vol ? vol->id : su->text("volunteer"))};
      },
      now_ms);
  if (!authored) {
    if (refused && why.error.code == "bad_key") limits.per_address.record_failure(addr, now_ms);
    if (refused && why.error.code == "not_on_roster") {  // a guessed sign-up id
      limits.per_address.record_failure(addr, now_ms);
      limits.per_shift.record_failure(shift_key, now_ms);
    }
    if (refused) return send_refusal(res, why);
    const Error& e = authored.error();
    return send_refusal(res, Refusal{status_of_code(e.code), e, Json::object()});
  }
  send_ok(res, Json{{"status", action == "check_in" ? "checked_in" : "checked_out"},
                    {"name", masked},
                    {"time", time_text},
                    {"op", authored->op.id.to_string()},
                    {"seq", authored->seq}});
}

}  // namespace

std::shared_ptr<CheckinLimits> make_checkin_limits() { return std::make_shared<CheckinLimits>(); }

void install_checkin_routes(httplib::Server& server, std::function<int64_t()> clock) {
  // The county host has no shifts: 404 before the body is read.
  auto community_only = [](const httplib::Request& req, httplib::Response& res) {
    if (current_tenant().service && current_tenant().checkin) return true;
    http_close_after_response();
    res.set_header("Connection", "close");
    send_refusal(res, refuse(404, "not_found", "There is no POST " + req.path + " on this host."));
    return false;
  };
  post_json(server, "/api/v1/checkin/lookup", [clock](const httplib::Request& req, httplib::Response& res) {
    const Tenant& t = current_tenant();
    lookup(*t.service, *t.checkin, clock(), req, res);
  }, community_only);
  post_json(server, "/api/v1/checkin", [clock](const httplib::Request& req, httplib::Response& res) {
    const Tenant& t = current_tenant();
    checkin(*t.service, *t.checkin, clock(), req, res);
  }, community_only);
}

}  // namespace dh
