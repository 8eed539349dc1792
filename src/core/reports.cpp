#include "core/reports.h"

#include <algorithm>
#include <map>
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
