#include "core/reports.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/civil_time.h"

namespace dh {

const char* hours_grouping_key(HoursGrouping g) {
  switch (g) {
    case HoursGrouping::volunteer: return "volunteer";
    case HoursGrouping::squad: return "squad";
    case HoursGrouping::station: return "station";
    case HoursGrouping::month: return "month";
  }
  return "volunteer";
}

bool parse_hours_grouping(const std::string& key, HoursGrouping* out) {
  for (HoursGrouping g : {HoursGrouping::volunteer, HoursGrouping::squad, HoursGrouping::station,
                          HoursGrouping::month}) {
    if (key == hours_grouping_key(g)) {
      *out = g;
      return true;
    }
  }
  return false;
}

std::string volunteer_name(const State& state, const std::string& volunteer_id) {
  const Entity* v = state.find("volunteer", volunteer_id);
  const Entity* r = v ? state.find("resident", v->text("resident")) : nullptr;
  return r ? r->text("name") : "";
}

std::string station_name(const State& state, const std::string& station_id) {
  const Entity* s = state.find("station", station_id);
  return s ? s->text("name") : "";
}

std::vector<HoursRow> hours_report(const State& state, HoursGrouping by, int64_t from_day, int64_t to_day) {
  const std::vector<LedgerLine> ledger = hours_ledger(state, from_day, to_day);
  std::map<std::string, HoursTotals> totals;
  switch (by) {
    case HoursGrouping::volunteer: totals = hours_by_volunteer(state, ledger); break;
    case HoursGrouping::squad: totals = hours_by_squad(state, ledger); break;
    case HoursGrouping::station: totals = hours_by_station(ledger); break;
    case HoursGrouping::month: totals = hours_by_month(ledger); break;
  }
  std::vector<HoursRow> out;
  for (const auto& [key, t] : totals) {
    HoursRow row{key, "", t};
    switch (by) {
      case HoursGrouping::volunteer: row.label = volunteer_name(state, key); break;
      case HoursGrouping::squad: {
        const Entity* s = state.find("squad", key);
        row.label = s ? s->text("name") : "";
        break;
      }
      case HoursGrouping::station: row.label = station_name(state, key); break;
      case HoursGrouping::month: row.label = key; break;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Coverage coverage_report(const State& state, int64_t from_day, int64_t to_day) {
  Coverage c;
  VolunteerIndex index(state);
  std::vector<std::pair<std::string, const Entity*>> shifts;
  for (const Entity* s : state.list("shift")) {
    Interval when;
    if (!shift_interval(*s, &when)) continue;
    const int64_t day = when.start >= 0 ? when.start / 1440 : (when.start - 1439) / 1440;
    if (day < from_day || day >= to_day) continue;
    shifts.emplace_back(s->text("start"), s);
  }
  std::sort(shifts.begin(), shifts.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->id < b.second->id;
  });
  for (const auto& [start, s] : shifts) {
    const Roster r = index.roster(s->id);
    CoverageRow row;
    row.shift_id = s->id;
    row.station_id = s->text("station");
    row.station_name = station_name(state, row.station_id);
    row.role = s->text("role");
    row.start = s->text("start");
    row.end = s->text("end");
    row.places = r.capacity;
    row.filled = static_cast<int>(r.confirmed.size());
    row.open = std::max(0, r.open_places());
    row.waitlist = static_cast<int>(r.waitlist.size());
    c.places += row.places;
    c.filled += row.filled;
    c.open += row.open;
    c.shifts.push_back(std::move(row));
  }
  return c;
}

std::vector<NoShowRow> no_show_report(const State& state, NoShowGrouping by, int64_t now_minutes) {
  VolunteerIndex index(state);
  std::map<std::string, NoShowRow> rows;
  for (const Entity* s : state.list("shift")) {
    Interval when;
    if (!shift_interval(*s, &when) || when.end > now_minutes) continue;  // not past yet
    const Roster r = index.roster(s->id);
    for (const RosterEntry& e : r.confirmed) {
      const std::string key = by == NoShowGrouping::volunteer ? e.signup->text("volunteer") : s->text("station");
      NoShowRow& row = rows[key];
      switch (attendance_of(*e.signup)) {
        case Attendance::attended: ++row.attended; break;
        case Attendance::checked_in: ++row.checked_in; break;
        case Attendance::excused: ++row.excused; break;
        case Attendance::no_show: ++row.no_show; break;
        case Attendance::not_checked_in: ++row.not_checked_in; break;
      }
    }
  }
  std::vector<NoShowRow> out;
  for (auto& [key, row] : rows) {
    row.key = key;
    row.label = by == NoShowGrouping::volunteer ? volunteer_name(state, key) : station_name(state, key);
    out.push_back(row);
  }
  return out;
}

Participation participation_report(const State& state) {
  Participation p;
  p.households = state.count("household");
  std::unordered_set<std::string> taking_part;
  for (const Entity* v : state.list("volunteer")) {
    const Entity* r = state.find("resident", v->text("resident"));
    if (!r || r->archived()) continue;
    const Entity* h = state.find("household", r->text("household"));
    if (h && h->live()) taking_part.insert(h->id);
  }
  p.taking_part = taking_part.size();
  return p;
}

}  // namespace dh

namespace dh {

namespace {
int64_t month_start(int y, unsigned m) { return days_from_civil(y, m, 1); }
std::string month_key(int y, unsigned m) {
  return std::to_string(y) + "-" + (m < 10 ? "0" : "") + std::to_string(m);
}
}  // namespace

HomeFigures home_figures(const State& state, int64_t today) {
  HomeFigures h;
  h.today = today;
  int y;
  unsigned m, d;
  civil_from_days(today, &y, &m, &d);
  h.year = y;
  h.month = month_key(y, m);
  // The 12 months ending with this one, and their first days (plus the next month's).
  std::vector<int64_t> starts;
  for (int k = 11; k >= -1; --k) {
    int yy = y;
    int mm = static_cast<int>(m) - k;
    while (mm < 1) { mm += 12; --yy; }
    while (mm > 12) { mm -= 12; ++yy; }
    starts.push_back(month_start(yy, static_cast<unsigned>(mm)));
    if (k >= 0) {
      MonthFigures f;
      f.month = month_key(yy, static_cast<unsigned>(mm));
      h.months.push_back(f);
    }
  }
  auto month_of = [&](int64_t day) -> int {
    if (day < starts.front() || day >= starts.back()) return -1;
    return static_cast<int>(std::upper_bound(starts.begin(), starts.end(), day) - starts.begin()) - 1;
  };
  const int64_t year_start = month_start(y, 1);
  const int64_t from = std::min(year_start, starts.front() - 90);

  // Reading the records' strings in place (for_each_hours_fact, not
  // hours_ledger; sign-ups counted per shift, not a VolunteerIndex): on a
  // new device this is part of the first frame, and copying every id and
  // date made it a third slower. A shift's sign-ups are its live sign-ups,
  // the first `capacity` of them confirmed (Roster).

  // Volunteer -> household (live resident, live household).
  std::unordered_map<std::string_view, std::string_view> household_of;
  for (const Entity* v : state.list("volunteer")) {
    ++h.volunteers;
    const Entity* r = state.find("resident", v->text_ref("resident"));
    if (!r || r->archived()) continue;
    const Entity* hh = state.find("household", r->text_ref("household"));
    if (hh && hh->live()) household_of[v->id] = hh->id;
  }
  h.households = static_cast<int64_t>(state.count("household"));

  // Hours: this year, by month; who served when.
  std::unordered_set<std::string_view> year_households, active;
  std::vector<std::unordered_set<std::string_view>> month_households(h.months.size());
  std::unordered_map<std::string_view, std::vector<int64_t>> served_days;  // volunteer -> days with hours
  for_each_hours_fact(state, [&](const HoursFact& f) {
    const std::string& volunteer = f.volunteer;
    const int64_t day = f.day, minutes = f.minutes;
    if (day < from || day >= today + 1 || minutes <= 0) return;
    served_days[volunteer].push_back(day);
    auto hh = household_of.find(volunteer);
    if (day >= year_start) {
      h.minutes_this_year += minutes;
      if (f.verified) h.verified_minutes_this_year += minutes;
      if (hh != household_of.end()) year_households.insert(hh->second);
    }
    if (day > today - 90) active.insert(volunteer);
    const int mi = month_of(day);
    if (mi >= 0) {
      h.months[static_cast<size_t>(mi)].minutes += minutes;
      if (hh != household_of.end()) month_households[static_cast<size_t>(mi)].insert(hh->second);
    }
  });
  h.households_taking_part = static_cast<int64_t>(year_households.size());
  h.active_volunteers = static_cast<int64_t>(active.size());
  for (size_t i = 0; i < h.months.size(); ++i) {
    h.months[i].households = static_cast<int64_t>(month_households[i].size());
    const int64_t end = std::min(today, starts[i + 1] - 1);  // the month's last day (or today)
    for (const auto& [vol, days] : served_days)
      for (int64_t day : days)
        if (day <= end && day > end - 90) {
          ++h.months[i].active_volunteers;
          break;
        }
  }

  // Sign-ups and coverage of shifts by the month they start in.
  std::unordered_map<std::string_view, int> signups_of_shift;
  for (const Entity* s : state.list("signup")) ++signups_of_shift[s->text_ref("shift")];
  std::map<std::string, StationCoverage> stations;
  for (const Entity* st : state.list("station")) stations[st->id] = StationCoverage{st->id, st->text("name"), 0, 0};
  for (const Entity* s : state.list("shift")) {
    Interval when;
    if (!shift_interval(*s, &when)) continue;
    const int64_t day = when.start >= 0 ? when.start / 1440 : (when.start - 1439) / 1440;
    const int mi = month_of(day);
    if (mi < 0) continue;
    const Json& cap = s->get("capacity");
    const int capacity = cap.is_number_integer() ? cap.get<int>() : 0;
    auto n = signups_of_shift.find(s->id);
    const int signups = n == signups_of_shift.end() ? 0 : n->second;
    const int confirmed = std::max(0, std::min(signups, capacity));
    const int filled = std::min(capacity, confirmed);
    MonthFigures& f = h.months[static_cast<size_t>(mi)];
    f.signups += signups;
    f.places += capacity;
    f.filled += filled;
    if (static_cast<size_t>(mi) + 1 == h.months.size()) {
      h.signups_this_month += signups;
      h.places += capacity;
      h.filled += filled;
      const std::string& station = s->text_ref("station");
      auto it = stations.find(station);
      if (it == stations.end()) it = stations.emplace(station, StationCoverage{station, "", 0, 0}).first;
      it->second.places += capacity;
      it->second.filled += filled;
    }
  }
  for (auto& [id, c] : stations) h.stations.push_back(std::move(c));
  return h;
}

}  // namespace dh
