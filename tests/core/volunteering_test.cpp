#include <catch2/catch.hpp>

#include <algorithm>
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
  Result<Operation> run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    if (op) state.apply(op.value());
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
