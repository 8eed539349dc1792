#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/volunteering.h"

using namespace dh;

namespace {

// A small community: one station, adults and a minor as volunteers.
struct World {
  State state;
  OpSource source;
  int64_t now = 1767225600000;
  std::string station, adult, adult2, minor, shift_a;

  explicit World(const std::string& device = "coord") {
    source.device = device;
    source.author = "staff:coordinator";
    std::string grid = make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    std::string hh = make("household", Json{{"address", "幸福里1栋101室"}, {"grid", grid}});
    station = make("station", Json{{"name", "幸福里党群服务点"}, {"station_type", "station"}});
    adult = volunteer(make("resident", Json{{"name", "李堃"}, {"household", hh}, {"birth_date", "1980-05-01"}}),
                      Json::array({"tutoring", "first_aid"}));
    adult2 = volunteer(make("resident", Json{{"name", "王玥"}, {"household", hh}, {"birth_date", "1990-01-01"}}),
                       Json::array({"tutoring"}));
    minor = volunteer(make("resident", Json{{"name", "李喆"}, {"household", hh}, {"birth_date", "2012-03-01"}}),
                      Json::array());
    shift_a = shift("2026-12-01T16:00", "2026-12-01T18:00", 2);
  }
  std::string volunteer(const std::string& resident, Json skills) {
    Json f{{"resident", resident}};
    if (!skills.empty()) f["skills"] = skills;
    return make("volunteer", f);
  }
  std::string shift(const std::string& start, const std::string& end, int capacity, Json extra = Json::object()) {
    Json f{{"station", station}, {"role", "课后托管"}, {"start", start}, {"end", end}, {"capacity", capacity}};
    for (auto it = extra.begin(); it != extra.end(); ++it) f[it.key()] = it.value();
    return make("shift", f);
  }
  std::vector<Operation> log;  // every operation this world made, in order
  Result<Operation> run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    if (op) {
      state.apply(op.value());
      log.push_back(op.value());
    }
    return op;
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = run(CreateEntity{kind, std::move(fields), ""});
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op->payload["entity"].get<std::string>();
  }
  Result<Operation> sign_up(const std::string& shift_id, const std::string& vol, Json extra = Json::object()) {
    VolunteerIndex index(state);
    Json f = signup_fields(index, shift_id, vol, "coordinator");
    for (auto it = extra.begin(); it != extra.end(); ++it) f[it.key()] = it.value();
    return run(CreateEntity{"signup", f, ""});
  }
};

std::vector<std::string> ids(const std::vector<RosterEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.signup->text("volunteer"));
  return out;
}

}  // namespace

TEST_CASE("Shifts are half-open: back-to-back is not a clash, overlap is", "[core][volunteering]") {
  World w;
  std::string next = w.shift("2026-12-01T18:00", "2026-12-01T20:00", 2);
  std::string overlapping = w.shift("2026-12-01T17:30", "2026-12-01T19:00", 2);
  REQUIRE(w.sign_up(w.shift_a, w.adult).ok());
  CHECK(w.sign_up(next, w.adult).ok());
  auto clash = w.sign_up(overlapping, w.adult);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == "clash");
  CHECK_THAT(clash.error().message, Catch::Contains("overlaps"));
  // A coordinator may override, with a reason that is recorded.
  auto no_reason = w.sign_up(overlapping, w.adult, Json{{"clash_override", true}});
  CHECK(no_reason.error().code == "override_reason_missing");
  auto overridden = w.sign_up(overlapping, w.adult, Json{{"clash_override", true}, {"override_reason", "两处相邻，可兼顾"}});
  REQUIRE(overridden.ok());
  const Entity* s = w.state.find("signup", overridden->payload["entity"].get<std::string>());
  CHECK(s->text("override_reason") == "两处相邻，可兼顾");
  CHECK(w.sign_up(w.shift_a, w.adult).error().code == "already_signed_up");
}

TEST_CASE("A full shift puts sign-ups on the waitlist and a freed place goes to the first waiting", "[core][volunteering]") {
  World w;
  std::string third_id = w.volunteer(w.state.find("volunteer", w.adult)->text("resident"), Json::array());
  auto a = w.sign_up(w.shift_a, w.adult);
  auto b = w.sign_up(w.shift_a, w.adult2);
  auto c = w.sign_up(w.shift_a, third_id);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(c->payload["fields"]["seen_place"] == "waitlist");
  Roster r = VolunteerIndex(w.state).roster(w.shift_a);
  CHECK(ids(r.confirmed) == std::vector<std::string>{w.adult, w.adult2});
  CHECK(ids(r.waitlist) == std::vector<std::string>{third_id});
  CHECK_FALSE(r.overfilled_by_merge());  // shown as waitlist when made: not a merge problem
  REQUIRE(w.run(ArchiveEntity{"signup", a->payload["entity"].get<std::string>(), "生病"}).ok());
  r = VolunteerIndex(w.state).roster(w.shift_a);
  CHECK(ids(r.confirmed) == std::vector<std::string>{w.adult2, third_id});
  CHECK(r.waitlist.empty());
}

TEST_CASE("Offline sign-ups that overfill a shift merge the same way on every device", "[core][volunteering][property]") {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    World base("base");
    // Extra volunteers so there are more people than places.
    std::vector<std::string> vols = {base.adult, base.adult2};
    for (int i = 0; i < 6; ++i) vols.push_back(base.volunteer(base.state.find("volunteer", base.adult)->text("resident"), Json::array()));
    // Both tablets synced with the base before going offline: they start from its state.
    World t1 = base, t2 = base;
    t1.source.device = "tablet-1";
    t1.source.next_seq = 1;
    t2.source.device = "tablet-2";
    t2.source.next_seq = 1;
    std::vector<Operation> from1, from2;
    std::shuffle(vols.begin(), vols.end(), rng);
    const size_t split = 1 + rng() % (vols.size() - 1);
    for (size_t i = 0; i < vols.size(); ++i) {
      World& t = i < split ? t1 : t2;
      t.now += rng() % 5;
      auto op = t.sign_up(t.shift_a, vols[i]);
      REQUIRE(op.ok());
      (i < split ? from1 : from2).push_back(op.value());
    }
    // Merge in both directions.
    for (const auto& op : from2) t1.state.apply(op);
    for (const auto& op : from1) t2.state.apply(op);
    REQUIRE(t1.state.hash() == t2.state.hash());
    Roster r1 = VolunteerIndex(t1.state).roster(t1.shift_a);
    Roster r2 = VolunteerIndex(t2.state).roster(t2.shift_a);
    CHECK(ids(r1.confirmed) == ids(r2.confirmed));
    CHECK(ids(r1.waitlist) == ids(r2.waitlist));
    // Nobody lost: every sign-up is confirmed or waiting.
    CHECK(r1.confirmed.size() + r1.waitlist.size() == vols.size());
    CHECK(static_cast<int>(r1.confirmed.size()) == r1.capacity);
    // Both tablets showed their first two as confirmed, so the merge bumped someone.
    CHECK(r1.overfilled_by_merge());
    auto over = VolunteerIndex(t1.state).shifts_overfilled_by_merge();
    REQUIRE(over.size() == 1);
    CHECK(over[0]->id == t1.shift_a);
  }
}

TEST_CASE("Hours are counted from check-in to check-out, across midnight", "[core][volunteering]") {
  World w;
  std::string night = w.shift("2026-12-31T22:00", "2027-01-01T02:00", 3);
  auto s = w.sign_up(night, w.adult);
  REQUIRE(s.ok());
  const std::string id = s->payload["entity"].get<std::string>();
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::not_checked_in);
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-31T21:55"}, {"check_in_method", "qr"}}}).ok());
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::checked_in);
  CHECK(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-31T21:00"}}}).error().code == "check_out_before_check_in");
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_out", "2027-01-01T02:10"}}}).ok());
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::attended);
  auto ledger = hours_ledger(w.state);
  REQUIRE(ledger.size() == 1);
  CHECK(ledger[0].minutes == 255);
  CHECK(ledger[0].verified);
  CHECK(ledger[0].author == "staff:coordinator");
}

TEST_CASE("Attendance states are kept apart; a missing check-in is not a no-show", "[core][volunteering]") {
  World w;
  auto s = w.sign_up(w.shift_a, w.adult);
  REQUIRE(s.ok());
  const std::string id = s->payload["entity"].get<std::string>();
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::not_checked_in);
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"attendance", "excused"}, {"attendance_note", "家中有事，提前请假"}}}).ok());
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::excused);
  CHECK(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T16:00"}}}).error().code == "attendance_conflict");
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"attendance", nullptr}}}).ok());
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::not_checked_in);
  CHECK(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-01T18:00"}}}).error().code == "check_out_without_check_in");
  std::string other = w.shift("2026-12-08T16:00", "2026-12-08T18:00", 2);
  CHECK(w.run(EditEntity{"signup", id, Json{{"shift", other}}}).error().code == "cannot_move");
}

TEST_CASE("A checked-in sign-up cannot be cancelled; a coordinator clears a mistaken check-in first",
          "[core][volunteering][attendance]") {
  World w;
  auto s = w.sign_up(w.shift_a, w.adult);
  REQUIRE(s.ok());
  const std::string id = s->payload["entity"].get<std::string>();
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T15:55"}, {"check_in_method", "list"}}}).ok());
  auto refused = w.run(ArchiveEntity{"signup", id, "cancelled at the kiosk"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "cancel_after_check_in");
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::checked_in);
  CHECK(w.state.find("signup", id)->live());
  // Checked out too (hours counted): still refused, the hours stay.
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-01T18:00"}}}).ok());
  CHECK(w.run(ArchiveEntity{"signup", id, "取消"}).error().code == "cancel_after_check_in");
  CHECK(hours_ledger(w.state).size() == 1);
  // The server judges another device's operation by the same rule book.
  Operation forged;
  forged.id = OpId{"kiosk9", 1};
  forged.author = "kiosk";
  forged.hlc = Hlc{w.now, 0};
  forged.type = "signup.archive";
  forged.payload = Json{{"entity", id}, {"reason", "cancelled at the kiosk"}};
  CHECK(validate_operation(w.state, forged).error().code == "cancel_after_check_in");
  // The coordinator's correction: clear the check-in (an edit in the log), then cancel.
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", nullptr}, {"check_out", nullptr}, {"check_in_method", nullptr}}}).ok());
  CHECK(attendance_of(*w.state.find("signup", id)) == Attendance::not_checked_in);
  CHECK(w.run(ArchiveEntity{"signup", id, "cancelled by the coordinator"}).ok());
  // Before any check-in a cancel is fine (and excused / no-show do not block it).
  auto t = w.sign_up(w.shift_a, w.adult2);
  REQUIRE(t.ok());
  const std::string id2 = t->payload["entity"].get<std::string>();
  REQUIRE(w.run(EditEntity{"signup", id2, Json{{"attendance", "excused"}}}).ok());
  CHECK(w.run(ArchiveEntity{"signup", id2, "不来了"}).ok());
}

TEST_CASE("Minors need a guardian's consent; shifts may set a minimum age; skills are required", "[core][volunteering]") {
  World w;
  CHECK(w.sign_up(w.shift_a, w.minor).error().code == "guardian_consent_missing");
  REQUIRE(w.run(EditEntity{"volunteer", w.minor, Json{{"guardian_consent", true}}}).ok());
  CHECK(w.sign_up(w.shift_a, w.minor).ok());
  std::string adults_only = w.shift("2026-12-02T09:00", "2026-12-02T11:00", 2, Json{{"min_age", 18}});
  CHECK(w.sign_up(adults_only, w.minor).error().code == "too_young");
  std::string first_aid = w.shift("2026-12-03T09:00", "2026-12-03T11:00", 2, Json{{"required_skills", {"first_aid"}}});
  CHECK(w.sign_up(first_aid, w.adult2).error().code == "missing_skill");
  CHECK(w.sign_up(first_aid, w.adult).ok());
}

TEST_CASE("Cancelling a shift needs a notice", "[core][volunteering]") {
  World w;
  CHECK(w.run(ArchiveEntity{"shift", w.shift_a, ""}).error().code == "reason_missing");
  CHECK(w.run(ArchiveEntity{"shift", w.shift_a, "停电，活动取消"}).ok());
  auto empty_shift = w.run(CreateEntity{"shift",
                                        Json{{"station", w.station}, {"role", "x"}, {"start", "2026-12-01T18:00"},
                                             {"end", "2026-12-01T18:00"}, {"capacity", 1}},
                                        ""});
  CHECK(empty_shift.error().code == "end_before_start");
}

TEST_CASE("Verified hours and hours added by hand are kept apart, with author and reason", "[core][volunteering]") {
  World w;
  auto s = w.sign_up(w.shift_a, w.adult);
  const std::string id = s->payload["entity"].get<std::string>();
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T16:00"}, {"check_out", "2026-12-01T18:00"}}}).ok());
  CHECK(w.run(CreateEntity{"hours_adjustment", Json{{"volunteer", w.adult}, {"date", "2026-12-05"}, {"minutes", 90}}, ""})
            .error()
            .code == "missing_field");  // a reason is required
  w.source.author = "staff:secretary";
  REQUIRE(w.run(CreateEntity{"hours_adjustment",
                             Json{{"volunteer", w.adult}, {"date", "2026-12-05"}, {"minutes", 90}, {"reason", "纸质签到表补录"}},
                             ""})
              .ok());
  auto ledger = hours_ledger(w.state);
  auto totals = hours_by_volunteer(w.state, ledger);
  CHECK(totals[w.adult].verified_minutes == 120);
  CHECK(totals[w.adult].manual_minutes == 90);
  auto manual = std::find_if(ledger.begin(), ledger.end(), [](const LedgerLine& l) { return !l.verified; });
  REQUIRE(manual != ledger.end());
  CHECK(manual->author == "staff:secretary");
  CHECK(manual->reason == "纸质签到表补录");
  auto by_month = hours_by_month(ledger);
  CHECK(by_month["2026-12"].total() == 210);
  const std::string household = w.state.find("resident", w.state.find("volunteer", w.adult)->text("resident"))->text("household");
  CHECK(hours_by_household(w.state, ledger)[household].total() == 210);
}

TEST_CASE("A weekly template generates its shifts once", "[core][volunteering]") {
  World w;
  std::string t = w.make("shift_template", Json{{"station", w.station},
                                                {"role", "课后托管"},
                                                {"weekday", "tue"},
                                                {"start_time", "16:00"},
                                                {"end_time", "18:00"},
                                                {"capacity", 3}});
  const int64_t from = *parse_date("2026-12-01"), to = *parse_date("2027-01-01");
  auto fields = shifts_from_template(w.state, *w.state.find("shift_template", t), from, to);
  REQUIRE(fields.size() == 5);  // Tuesdays in December 2026: 1, 8, 15, 22, 29
  CHECK(fields[0]["start"] == "2026-12-01T16:00");
  CHECK(fields[4]["end"] == "2026-12-29T18:00");
  for (auto& f : fields) REQUIRE(w.run(CreateEntity{"shift", f, ""}).ok());
  CHECK(shifts_from_template(w.state, *w.state.find("shift_template", t), from, to).empty());
}

TEST_CASE("Civil time arithmetic", "[core][volunteering]") {
  CHECK(format_date(*parse_date("2024-02-29")) == "2024-02-29");
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK(weekday_of_days(*parse_date("2026-12-01")) == 1);  // a Tuesday
  CHECK(*parse_datetime("2027-01-01T02:00") - *parse_datetime("2026-12-31T22:00") == 240);
  CHECK(format_datetime(*parse_datetime("1969-12-31T23:59")) == "1969-12-31T23:59");
  CHECK(age_on(*parse_date("2008-12-02"), *parse_date("2026-12-01")) == 17);
  CHECK(age_on(*parse_date("2008-12-01"), *parse_date("2026-12-01")) == 18);
  CHECK(parse_weekly_slot("tue 16:00-18:00")->start_min == 960);
  CHECK_FALSE(parse_weekly_slot("tue 18:00-16:00"));
  CHECK_FALSE(parse_weekly_slot("xyz 16:00-18:00"));
}

TEST_CASE("About 80% of demo households take part", "[core][volunteering]") {
  State s;
  for (const auto& op : generate_demo()) s.apply(op);
  const double share = household_participation(s);
  CHECK(share > 0.78);
  CHECK(share < 0.82);
}

// ---- Moving a sign-up to another shift (signup.move) -----------------------

namespace {

std::string entity_of(const Result<Operation>& op) { return op->payload["entity"].get<std::string>(); }

Result<Operation> move(World& w, const std::string& signup, const std::string& to, const std::string& reason = "") {
  return w.run(move_signup(VolunteerIndex(w.state), signup, to, reason));
}

// Volunteer ids on each live shift's confirmed list and waitlist.
std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> rosters(const State& s) {
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  VolunteerIndex index(s);
  for (const Entity* sh : s.list("shift")) {
    Roster r = index.roster(sh->id);
    out[sh->id] = {ids(r.confirmed), ids(r.waitlist)};
  }
  return out;
}

}  // namespace

TEST_CASE("Moving into a full shift waitlists; the place left goes to the old shift's first waiting", "[core][volunteering][move]") {
  World w;
  const std::string resident = w.state.find("volunteer", w.adult)->text("resident");
  const std::string third = w.volunteer(resident, Json::array());
  const std::string fourth = w.volunteer(resident, Json::array());
  const std::string shift_b = w.shift("2026-12-02T16:00", "2026-12-02T18:00", 1);
  const std::string shift_c = w.shift("2026-12-03T16:00", "2026-12-03T18:00", 3);
  auto a = w.sign_up(w.shift_a, w.adult);
  REQUIRE(w.sign_up(w.shift_a, w.adult2).ok());
  REQUIRE(w.sign_up(w.shift_a, third).ok());  // waitlisted
  REQUIRE(w.sign_up(shift_b, fourth).ok());   // fills B
  REQUIRE(a.ok());

  auto m = move(w, entity_of(a), shift_b);
  REQUIRE(m.ok());
  CHECK(m->type == "signup.move");
  CHECK(m->payload["entity"] == entity_of(a));  // the same sign-up moves: one operation
  CHECK(m->payload["fields"]["seen_place"] == "waitlist");
  Roster ra = VolunteerIndex(w.state).roster(w.shift_a);
  CHECK(ids(ra.confirmed) == std::vector<std::string>{w.adult2, third});  // third moved up
  CHECK(ra.waitlist.empty());
  Roster rb = VolunteerIndex(w.state).roster(shift_b);
  CHECK(ids(rb.confirmed) == std::vector<std::string>{fourth});
  CHECK(ids(rb.waitlist) == std::vector<std::string>{w.adult});
  CHECK_FALSE(rb.overfilled_by_merge());  // the device showed "waitlist": nobody was bumped
  const Entity* moved = w.state.find("signup", entity_of(a));
  CHECK(moved->text("channel") == "coordinator");  // how they first signed up is kept
  CHECK(*moved->fields.at("shift").author() == "staff:coordinator");  // who moved them
  CHECK(VolunteerIndex(w.state).signups_of(w.adult).size() == 1);

  // From B's waitlist to C, which has room: confirmed there, B's waitlist empties.
  auto m2 = move(w, entity_of(a), shift_c);
  REQUIRE(m2.ok());
  CHECK(m2->payload["fields"]["seen_place"] == "confirmed");
  CHECK(VolunteerIndex(w.state).roster(shift_b).waitlist.empty());
  CHECK(ids(VolunteerIndex(w.state).roster(shift_c).confirmed) == std::vector<std::string>{w.adult});
  // The volunteer may sign up for A again; they queue behind the others.
  REQUIRE(w.sign_up(w.shift_a, w.adult).ok());
  CHECK(ids(VolunteerIndex(w.state).roster(w.shift_a).waitlist) == std::vector<std::string>{w.adult});
}

TEST_CASE("A moved sign-up queues on the new shift at the time of the move", "[core][volunteering][move]") {
  World w;
  const std::string resident = w.state.find("volunteer", w.adult)->text("resident");
  const std::string third = w.volunteer(resident, Json::array());
  const std::string shift_b = w.shift("2026-12-02T16:00", "2026-12-02T18:00", 1);
  auto early = w.sign_up(w.shift_a, w.adult);  // made first
  REQUIRE(w.sign_up(shift_b, w.adult2).ok());
  REQUIRE(w.sign_up(shift_b, third).ok());     // B's waitlist
  REQUIRE(move(w, entity_of(early), shift_b).ok());
  // Older create, but it joined B last: behind third.
  CHECK(ids(VolunteerIndex(w.state).roster(shift_b).waitlist) == std::vector<std::string>{third, w.adult});
}

TEST_CASE("A move follows the sign-up rules: a clash is refused unless overridden with a recorded reason", "[core][volunteering][move]") {
  World w;
  const std::string day2 = w.shift("2026-12-02T09:00", "2026-12-02T11:00", 2);
  const std::string overlaps_a = w.shift("2026-12-01T17:00", "2026-12-01T19:00", 2);
  auto on_a = w.sign_up(w.shift_a, w.adult);
  auto on_day2 = w.sign_up(day2, w.adult, Json{{"clash_override", true}, {"override_reason", "旧的放行"}});
  REQUIRE((on_a.ok() && on_day2.ok()));

  auto clash = move(w, entity_of(on_day2), overlaps_a);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == "clash");
  CHECK_THAT(clash.error().message, Catch::Contains("overlaps"));
  CHECK(w.state.find("signup", entity_of(on_day2))->text("shift") == day2);  // nothing changed
  // An override without a reason is refused by the rule book.
  MoveSignup no_reason = move_signup(VolunteerIndex(w.state), entity_of(on_day2), overlaps_a);
  no_reason.fields["clash_override"] = true;
  CHECK(w.run(no_reason).error().code == "override_reason_missing");
  auto overridden = move(w, entity_of(on_day2), overlaps_a, "两处相邻，可兼顾");
  REQUIRE(overridden.ok());
  const Entity* s = w.state.find("signup", entity_of(on_day2));
  CHECK(s->text("shift") == overlaps_a);
  CHECK(s->get("clash_override") == Json(true));
  CHECK(s->text("override_reason") == "两处相邻，可兼顾");

  // The sign-up that moves does not clash with itself; the old override goes.
  REQUIRE(move(w, entity_of(on_day2), day2).ok());
  CHECK(s->get("clash_override") == Json(false));
  CHECK(s->get("override_reason").is_null());
  const std::string late_a = w.shift("2026-12-01T17:00", "2026-12-01T18:30", 2);
  CHECK(move(w, entity_of(on_a), late_a).ok());  // overlaps A, which it leaves

  // Other rules of a sign-up.
  CHECK(move(w, entity_of(on_a), late_a).error().code == "same_shift");
  CHECK(move(w, entity_of(on_a), day2).error().code == "already_signed_up");
  const std::string first_aid = w.shift("2026-12-04T09:00", "2026-12-04T11:00", 2, Json{{"required_skills", {"first_aid"}}});
  auto other = w.sign_up(w.shift_a, w.adult2);
  CHECK(move(w, entity_of(other), first_aid).error().code == "missing_skill");
  CHECK(move(w, entity_of(other), "no-such-shift").error().code == "unknown_reference");
  // Attendance recorded: it stays where it happened.
  REQUIRE(w.run(EditEntity{"signup", entity_of(other), Json{{"attendance", "excused"}}}).ok());
  CHECK(move(w, entity_of(other), day2).error().code == "cannot_move_attended");
  // Cancelled sign-ups do not move; editing the shift is still refused.
  REQUIRE(w.run(ArchiveEntity{"signup", entity_of(on_a), "不来了"}).ok());
  CHECK(move(w, entity_of(on_a), w.shift_a).error().code == "archived");
  CHECK(w.run(EditEntity{"signup", entity_of(on_day2), Json{{"shift", w.shift_a}}}).error().code == "cannot_move");
  // Only sign-ups move, and a move carries only its own fields.
  Operation bad;
  bad.id = OpId{"x", 1};
  bad.author = "staff:x";
  bad.type = "shift.move";
  bad.payload = Json{{"entity", day2}, {"fields", {{"shift", day2}}}};
  CHECK(validate_operation(w.state, bad).error().code == "unknown_type");
  bad.type = "signup.move";
  bad.payload = Json{{"entity", entity_of(on_day2)}, {"fields", {{"shift", w.shift_a}, {"seen_place", "confirmed"}, {"volunteer", w.adult2}}}};
  CHECK(validate_operation(w.state, bad).error().code == "malformed_payload");
}

TEST_CASE("Two coordinators moving the same person offline converge on the later move", "[core][volunteering][move]") {
  World base("base");
  const std::string resident = base.state.find("volunteer", base.adult)->text("resident");
  const std::string waiting = base.volunteer(resident, Json::array());
  const std::string shift_b = base.shift("2026-12-02T16:00", "2026-12-02T18:00", 2);
  const std::string shift_c = base.shift("2026-12-03T16:00", "2026-12-03T18:00", 2);
  auto su = base.sign_up(base.shift_a, base.adult);
  REQUIRE(base.sign_up(base.shift_a, base.adult2).ok());
  REQUIRE(base.sign_up(base.shift_a, waiting).ok());
  REQUIRE(su.ok());
  World t1 = base, t2 = base;
  t1.source.device = "tablet-1";
  t2.source.device = "tablet-2";
  t1.source.next_seq = t2.source.next_seq = 1;
  t2.now += 10;  // t2's move is the later one
  auto m1 = move(t1, entity_of(su), shift_b);
  auto m2 = move(t2, entity_of(su), shift_c);
  REQUIRE((m1.ok() && m2.ok()));
  // The server took t1's move first and still accepts t2's (no "from" to disagree about).
  State server = base.state;
  server.apply(m1.value());
  CHECK(validate_operation(server, m2.value()).ok());
  server.apply(m2.value());
  t1.state.apply(m2.value());
  t2.state.apply(m1.value());
  CHECK(t1.state.hash() == t2.state.hash());
  CHECK(t1.state.hash() == server.hash());
  auto r = rosters(server);
  CHECK(r[shift_c].first == std::vector<std::string>{base.adult});  // the later move wins
  CHECK(r[shift_b].first.empty());
  CHECK(r[base.shift_a].first == std::vector<std::string>{base.adult2, waiting});  // freed place went to the first waiting
  // A device that receives the moves before the sign-up they move (and the
  // whole history backwards) ends the same.
  State backwards;
  backwards.apply(m2.value());
  backwards.apply(m1.value());
  CHECK_FALSE(backwards.find("signup", entity_of(su)));  // not created yet: not listed
  for (auto it = base.log.rbegin(); it != base.log.rend(); ++it) backwards.apply(*it);
  CHECK(backwards.hash() == server.hash());
  CHECK(rosters(backwards) == r);
}

TEST_CASE("Random moves, sign-ups and cancellations on two offline devices converge", "[core][volunteering][move][property]") {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    World base("base");
    const std::string resident = base.state.find("volunteer", base.adult)->text("resident");
    std::vector<std::string> vols = {base.adult, base.adult2};
    for (int i = 0; i < 5; ++i) vols.push_back(base.volunteer(resident, Json::array()));
    std::vector<std::string> shifts = {base.shift_a, base.shift("2026-12-02T16:00", "2026-12-02T18:00", 1),
                                       base.shift("2026-12-03T16:00", "2026-12-03T18:00", 2),
                                       base.shift("2026-12-01T17:00", "2026-12-01T19:00", 1)};
    for (size_t i = 0; i < vols.size(); ++i) REQUIRE(base.sign_up(shifts[i % shifts.size()], vols[i]).ok());
    World t1 = base, t2 = base;
    t1.source.device = "tablet-1";
    t2.source.device = "tablet-2";
    t1.source.next_seq = t2.source.next_seq = 1;
    t1.log.clear();
    t2.log.clear();
    for (int step = 0; step < 24; ++step) {
      World& t = rng() % 2 ? t1 : t2;
      t.now += rng() % 3;
      auto live = t.state.list("signup");
      const int action = static_cast<int>(rng() % 4);
      if (action <= 1 && !live.empty()) {  // move (the most common action here)
        const Entity* su = live[rng() % live.size()];
        (void)move(t, su->id, shifts[rng() % shifts.size()], rng() % 3 == 0 ? "调班" : "");
      } else if (action == 2) {
        (void)t.sign_up(shifts[rng() % shifts.size()], vols[rng() % vols.size()]);
      } else if (!live.empty()) {
        (void)t.run(ArchiveEntity{"signup", live[rng() % live.size()]->id, "取消"});
      }
    }
    // Deliver each side's operations to the other, shuffled and some twice;
    // a third replica gets everything in a random order.
    auto deliver = [&](State& to, std::vector<Operation> ops) {
      const size_t n = ops.size();
      for (size_t i = 0; i < n; ++i)
        if (rng() % 4 == 0) ops.push_back(ops[i]);
      std::shuffle(ops.begin(), ops.end(), rng);
      for (const auto& op : ops) to.apply(op);
    };
    deliver(t1.state, t2.log);
    deliver(t2.state, t1.log);
    std::vector<Operation> everything = base.log;
    everything.insert(everything.end(), t1.log.begin(), t1.log.end());
    everything.insert(everything.end(), t2.log.begin(), t2.log.end());
    State third;
    deliver(third, everything);
    INFO("seed " << seed);
    REQUIRE(t1.state.hash() == t2.state.hash());
    REQUIRE(third.hash() == t1.state.hash());
    const auto r1 = rosters(t1.state);
    CHECK(r1 == rosters(t2.state));
    CHECK(r1 == rosters(third));
    // Every live sign-up is on exactly one roster, once; every roster fills in order.
    std::map<std::string, int> seen;
    for (const auto& [shift, lists] : r1) {
      const int cap = t1.state.find("shift", shift)->get("capacity").get<int>();
      CHECK(static_cast<int>(lists.first.size()) <= cap);
      if (!lists.second.empty()) CHECK(static_cast<int>(lists.first.size()) == cap);
    }
    VolunteerIndex index(t1.state);
    for (const auto& sh : shifts) {
      Roster r = index.roster(sh);
      for (const auto& e : r.confirmed) ++seen[e.signup->id];
      for (const auto& e : r.waitlist) ++seen[e.signup->id];
    }
    for (const Entity* su : t1.state.list("signup")) CHECK(seen[su->id] == 1);
    CHECK(seen.size() == t1.state.list("signup").size());
  }
}

// Issue 8: one sign-up carrying a year of "verified" hours was accepted.
// The attendance rules hold for a create as for an edit, and they bound a
// check-in to the shift (from 2 hours before its start to its end) and a
// check-out to 4 hours after its end.
TEST_CASE("Attendance rules apply to a sign-up's create as to its edits, bounded by the shift", "[core][volunteering][attendance]") {
  World w;  // shift_a: 2026-12-01 16:00-18:00
  auto with = [&](Json extra) { return w.sign_up(w.shift_a, w.adult, std::move(extra)); };
  auto code = [](const Result<Operation>& r) { return r ? std::string("ok") : r.error().code; };
  // The fabricated year: refused, whatever else it carries.
  CHECK(code(with(Json{{"check_in", "2026-01-01T00:00"}, {"check_out", "2026-12-31T23:59"}})) == "too_long");
  CHECK(code(with(Json{{"check_in", "2026-01-01T00:00"}})) == "check_in_outside_shift");
  CHECK(code(with(Json{{"check_in", "2026-12-01T16:00"}, {"check_out", "2026-12-31T23:59"}})) == "too_long");
  CHECK(code(with(Json{{"check_in", "2026-12-01T16:00"}, {"check_out", "2026-12-01T23:00"}})) == "check_out_too_late");
  // Check-out before check-in, with no-show on top: refused on a create too.
  CHECK(code(with(Json{{"check_in", "2026-12-01T17:00"}, {"check_out", "2026-12-01T16:30"}, {"attendance", "no_show"}})) ==
        "check_out_before_check_in");
  CHECK(code(with(Json{{"check_out", "2026-12-01T17:00"}, {"attendance", "no_show"}})) == "check_out_without_check_in");
  CHECK(code(with(Json{{"check_in", "2026-12-01T16:05"}, {"attendance", "no_show"}})) == "attendance_conflict");
  CHECK(w.state.count("signup") == 0);
  // Within the limits a create may carry attendance (a coordinator recording
  // a shift afterwards): 2 hours before the start is the earliest check-in.
  auto ok = with(Json{{"check_in", "2026-12-01T14:00"}, {"check_out", "2026-12-01T22:00"}});
  REQUIRE(ok.ok());
  CHECK(hours_ledger(w.state).at(0).minutes == 480);
  // Edits: the same limits.
  auto s = w.sign_up(w.shift_a, w.adult2);
  REQUIRE(s.ok());
  const std::string id = s->payload["entity"].get<std::string>();
  CHECK(code(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T13:59"}}})) == "check_in_outside_shift");
  CHECK(code(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T18:00"}}})) == "check_in_outside_shift");
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T17:59"}}}).ok());
  CHECK(code(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-01T22:01"}}})) == "check_out_too_late");
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-01T22:00"}}}).ok());
}

TEST_CASE("The server's QR check-in windows lie inside the attendance rules", "[core][volunteering][attendance]") {
  World w;
  auto s = w.sign_up(w.shift_a, w.adult);
  REQUIRE(s.ok());
  const std::string id = s->payload["entity"].get<std::string>();
  // docs/qr-checkin.md: check-in from 30 minutes before the start until the
  // end (exclusive); check-out until 2 hours after the end (inclusive).
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_in", "2026-12-01T15:30"}, {"check_in_method", "qr"}}}).ok());
  REQUIRE(w.run(EditEntity{"signup", id, Json{{"check_out", "2026-12-01T20:00"}}}).ok());
  auto s2 = w.sign_up(w.shift_a, w.adult2);
  REQUIRE(s2.ok());
  const std::string id2 = s2->payload["entity"].get<std::string>();
  REQUIRE(w.run(EditEntity{"signup", id2, Json{{"check_in", "2026-12-01T17:59"}, {"check_in_method", "qr"}}}).ok());
}

// The rule book looks a volunteer's sign-ups up in State::referring (issue 8:
// a push of 2,000 sign-ups scanned every sign-up per operation). The index
// must say what a scan says, after moves, cancellations and a snapshot.
TEST_CASE("The sign-up index answers what a scan answers, after moves and from a snapshot", "[core][volunteering][index]") {
  World w;
  std::string b = w.shift("2026-12-02T16:00", "2026-12-02T18:00", 2);
  auto s1 = w.sign_up(w.shift_a, w.adult);
  auto s2 = w.sign_up(w.shift_a, w.adult2);
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  const std::string id1 = s1->payload["entity"].get<std::string>();
  REQUIRE(w.run(move_signup(VolunteerIndex(w.state), id1, b, "")).ok());
  REQUIRE(w.run(ArchiveEntity{"signup", s2->payload["entity"].get<std::string>(), ""}).ok());
  auto scan = [](const State& s, const char* field, const std::string& value) {
    std::vector<std::string> out;
    for (const Entity* e : s.list("signup", true))
      if (e->text(field) == value) out.push_back(e->id);
    return out;
  };
  auto indexed = [](const State& s, const char* field, const std::string& value) {
    std::vector<std::string> out;
    for (const Entity* e : s.referring("signup", field, value)) out.push_back(e->id);
    return out;
  };
  auto restored = State::from_snapshot(Json::parse(w.state.to_snapshot().dump()));  // as read back from the file
  INFO((restored.ok() ? std::string() : restored.error().message));
  REQUIRE(restored.ok());
  for (const State* s : {&w.state, &restored.value()}) {
    for (const std::string& shift : {w.shift_a, b}) CHECK(indexed(*s, "shift", shift) == scan(*s, "shift", shift));
    for (const std::string& vol : {w.adult, w.adult2, w.minor})
      CHECK(indexed(*s, "volunteer", vol) == scan(*s, "volunteer", vol));
  }
  CHECK(indexed(w.state, "shift", w.shift_a).size() == 1);  // the cancelled one; the moved one left
  CHECK(indexed(w.state, "shift", b) == std::vector<std::string>{id1});
  // The moved sign-up no longer clashes with its old shift's time: a new sign-up there works.
  CHECK(w.sign_up(w.shift_a, w.adult).ok());
}

TEST_CASE("A sign-up index built a few sign-ups at a time is the index built at once", "[core][volunteering][index]") {
  DemoOptions small;
  small.households = 600;  // big enough for the volunteering year
  State state;
  for (const auto& op : generate_demo(small)) state.apply(op);
  const auto signups = state.list("signup");
  REQUIRE(signups.size() > 100);
  const VolunteerIndex whole(state);
  VolunteerIndex deferred(state, VolunteerIndex::Deferred{});
  int units = 0;
  while (!deferred.build_unit(37)) ++units;
  CHECK(units >= static_cast<int>(signups.size() / 37));  // the work was spread, not done in one call
  CHECK(deferred.build_unit(37));                            // and stays done
  auto ids = [](const std::vector<RosterEntry>& es) {
    std::vector<std::string> out;
    for (const auto& e : es) out.push_back(e.signup->id);
    return out;
  };
  for (const Entity* shift : state.list("shift")) {
    const Roster a = whole.roster(shift->id), b = deferred.roster(shift->id);
    CHECK(ids(a.confirmed) == ids(b.confirmed));
    CHECK(ids(a.waitlist) == ids(b.waitlist));
  }
  for (const Entity* v : state.list("volunteer")) {
    std::vector<std::string> a, b;
    for (const Entity* e : whole.signups_of(v->id)) a.push_back(e->id);
    for (const Entity* e : deferred.signups_of(v->id)) b.push_back(e->id);
    CHECK(a == b);
  }
}
