// A year of the volunteer corps' life for the demo (issue 12, docs/demo.md):
// the volunteers' weekly availability, shift templates at the hall and the
// four stations, every shift from 2026-01-01 to the end of next month
// (2027-01), sign-ups, check-ins and check-outs, excused absences, no-shows,
// a few cancellations and hours added by hand, so that the year reaches the
// report's scale (over 12,000 hours, about 80% of households taking part).
//
// Everything is dated relative to the demo's fixed "today",
// DemoOptions::today (2026-12-02 09:00, the day the talent pool's requests
// also stop): shifts that ended before it have attendance, shifts after it
// are partly signed up (fewer the further away), next month's are open for
// the auto-scheduler. Fixed dates keep the demo log's bytes and hash the same
// every day and on every platform; the app's "now" is the device clock.
//
// Determinism: its own splitmix64 stream, integer arithmetic only, one
// random draw per statement, every order a sorted one.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/volunteering.h"
#include "core/state.h"

namespace dh {

namespace {

class LifeRng {
 public:
  explicit LifeRng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }

 private:
  uint64_t s_;
};

// The corps' regular week: one shift template per marked weekday.
struct WeekPlan {
  const char* station;
  const char* role;
  const char* days;  // Monday first, 'x' = that weekday
  int start, end;    // minutes of the day
  int capacity;
  const char* skill;  // "" none
  int min_age;
};
constexpr int hm(int h, int m) { return h * 60 + m; }
const WeekPlan kDemoWeek[] = {
    {"hall", "大厅引导", "xxxxx..", hm(8, 30), hm(12, 0), 2, "", 0},
    {"hall", "大厅引导", "xxxxx..", hm(14, 0), hm(17, 30), 2, "", 0},
    {"hall", "数字助老", ".x.x...", hm(14, 0), hm(16, 0), 1, "computer", 0},
    {"hall", "平安巡逻", "xxxxxxx", hm(19, 0), hm(21, 0), 2, "", 18},
    {"hall", "书吧值守", ".....xx", hm(14, 0), hm(17, 30), 1, "", 0},
    {"hall", "村史馆讲解", ".....x.", hm(9, 30), hm(11, 30), 1, "", 0},
    {"st-xingfuli", "课后托管", "xxxxx..", hm(16, 0), hm(18, 0), 2, "", 18},
    {"st-xingfuli", "作业辅导", "x.x.x..", hm(16, 0), hm(18, 0), 1, "tutoring", 0},
    {"st-xingfuli", "阅读空间", ".....xx", hm(9, 0), hm(12, 0), 2, "", 0},
    {"st-xingfuli", "周末托管", ".....x.", hm(14, 0), hm(17, 0), 2, "", 18},
    {"st-shuiwu", "法律超市", "x.x.x..", hm(9, 0), hm(12, 0), 1, "legal", 18},
    {"st-shuiwu", "室内健身", "xxxxxxx", hm(18, 30), hm(20, 30), 1, "sports", 0},
    {"st-shuiwu", "反诈宣传", ".....x.", hm(10, 0), hm(12, 0), 2, "", 0},
    {"st-chayuan", "助餐备餐", "xxxxxxx", hm(9, 0), hm(11, 0), 2, "cooking", 0},
    {"st-chayuan", "助餐送餐", "xxxxxxx", hm(11, 0), hm(13, 0), 2, "", 0},
    {"st-chayuan", "老年陪伴", "x.x.x.x", hm(15, 0), hm(17, 0), 2, "elderly_care", 0},
    {"st-chayuan", "健康义诊", "..x....", hm(9, 0), hm(12, 0), 1, "first_aid", 18},
    {"st-fengshan", "便民服务", "xxxxx..", hm(9, 0), hm(12, 0), 1, "", 0},
    {"st-fengshan", "公益活动", "......x", hm(14, 0), hm(17, 0), 6, "", 0},
    {"st-fengshan", "环境整治", ".....x.", hm(8, 0), hm(10, 0), 6, "", 0},
    {"st-fengshan", "垃圾分类督导", "xxxxxxx", hm(7, 0), hm(8, 30), 1, "", 0},
};

// One charity event a month (day of the month; 0 = the month's last day).
struct MonthEvent {
  int month;  // 1..12 (2026) or 13 (2027-01)
  int day;
  const char* station;
  const char* role;
  int start, end, capacity;
  const char* skill;
};
const MonthEvent kEvents[] = {
    {1, 24, "hall", "迎新春写春联", hm(9, 0), hm(12, 0), 6, "arts"},
    {2, 14, "st-fengshan", "元宵游园会", hm(14, 0), hm(18, 0), 10, ""},
    {3, 5, "st-fengshan", "学雷锋志愿服务日", hm(9, 0), hm(12, 0), 12, ""},
    {4, 18, "st-chayuan", "春茶采摘助农", hm(8, 0), hm(12, 0), 10, ""},
    {5, 16, "hall", "全国助残日活动", hm(9, 0), hm(12, 0), 8, ""},
    {6, 1, "st-xingfuli", "六一儿童游园", hm(14, 0), hm(17, 0), 10, ""},
    {7, 11, "st-shuiwu", "防汛隐患排查", hm(8, 30), hm(11, 30), 10, ""},
    {8, 22, "st-xingfuli", "暑期安全课堂", hm(9, 0), hm(11, 30), 6, ""},
    {9, 19, "hall", "中秋邻里茶话会", hm(15, 0), hm(18, 0), 10, "tea"},
    {10, 17, "st-chayuan", "重阳敬老宴", hm(10, 0), hm(14, 0), 12, ""},
    {11, 14, "st-shuiwu", "宪法宣传进小区", hm(9, 0), hm(12, 0), 8, ""},
    {12, 22, "st-fengshan", "冬至包饺子", hm(10, 0), hm(13, 0), 8, ""},
    {12, 0, "hall", "文艺汇演", hm(18, 0), hm(21, 0), 6, "arts"},
    {13, 16, "hall", "迎新春写春联", hm(9, 0), hm(12, 0), 6, "arts"},
};

const char* const kAdjustReasons[] = {"协助网格员入户走访（补录）", "参加县志愿服务培训", "协助社区防汛排查（补录）",
                                      "社区环境整治（纸质签到补录）", "协助老年人办理社保认证（补录）"};
const char* const kStations[] = {"hall", "st-shuiwu", "st-xingfuli", "st-chayuan", "st-fengshan"};

struct Template {
  std::string id;
  int plan = 0;
  int weekday = 0;  // 0 = Monday
};

struct Vol {
  std::string id;
  int age = 40;
  bool consent = false;
  std::vector<std::string> skills;
  std::vector<WeeklySlot> slots;
  int weight = 1;          // how much this person tends to serve (1..9)
  int64_t minutes = 0;     // served so far
  int64_t busy_day = -1;   // the day of the intervals below
  std::vector<std::pair<int64_t, int64_t>> busy;  // this day's sign-ups, local minutes
};

bool has_skill(const Vol& v, const std::string& s) {
  return s.empty() || std::find(v.skills.begin(), v.skills.end(), s) != v.skills.end();
}
bool covers(const Vol& v, int weekday, int start, int end) {
  for (const auto& s : v.slots)
    if (s.weekday == weekday && s.start_min <= start && s.end_min >= end) return true;
  return false;
}
bool eligible(const Vol& v, const std::string& skill, int min_age) {
  if (!has_skill(v, skill)) return false;
  if (min_age > 0 && v.age < min_age) return false;
  if (v.age < 18 && !v.consent) return false;
  return true;
}

std::string slot_text(const WeeklySlot& s) {
  return std::string(kWeekdayKeys[s.weekday]) + " " + format_time_of_day(s.start_min) + "-" +
         format_time_of_day(s.end_min);
}

class Life {
 public:
  Life(std::vector<Operation>& ops, const DemoOptions& o) : ops_(ops), opt_(o), rng_(o.seed ^ 0x11fe2026ull) {
    source_.device = "demo";
    source_.author = "staff:协调员";
    source_.next_seq = ops.size() + 1;
    if (!ops.empty()) source_.clock.restore(ops.back().hlc);
    for (const auto& op : ops) state_.apply(op);
    today_ = parse_datetime(o.today).value_or(0);
  }

  void build() {
    record_availability();
    make_templates();
    const int64_t first = days_from_civil(2026, 1, 1);
    for (int m = 1; m <= 13; ++m) {
      const int y = m <= 12 ? 2026 : 2027;
      const unsigned mm = static_cast<unsigned>(m <= 12 ? m : 1);
      const int64_t from = days_from_civil(y, mm, 1);
      const int64_t to = mm == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, mm + 1, 1);
      if (from < first) continue;
      month_of_life(m, from, to);
    }
  }

 private:
  // Local minutes -> a clock reading (UTC ms) for the operation's stamp.
  static int64_t ms_of(int64_t local_minutes) { return (local_minutes - 8 * 60) * 60000; }

  std::string run(const Command& cmd, int64_t at_local, const std::string& author) {
    source_.author = author;
    auto op = make_operation(state_, cmd, source_, ms_of(at_local));
    if (!op) {
      ++refused_;  // never: tests/core/demo_test.cpp checks every demo operation
      return "";
    }
    state_.apply(op.value());
    ops_.push_back(op.value());
    return op->payload.value("entity", "");
  }

  // Weekly availability shaped by stage of life, built around the shifts the
  // person can take (skills, age): retired people in the daytime, working
  // people in the evenings and at weekends, young people after school. About
  // 3% record none (the auto-scheduler says so).
  void record_availability() {
    const int64_t ref_day = today_ / 1440;
    std::vector<const Entity*> volunteers = state_.list("volunteer");
    std::sort(volunteers.begin(), volunteers.end(), [](const Entity* a, const Entity* b) { return a->id < b->id; });
    for (const Entity* v : volunteers) {
      Vol vol;
      vol.id = v->id;
      vol.age = volunteer_age_on(state_, *v, ref_day);
      if (vol.age < 0) vol.age = 40;
      vol.consent = v->get("guardian_consent").is_boolean() && v->get("guardian_consent").get<bool>();
      const Json& sk = v->get("skills");
      if (sk.is_array())
        for (const auto& s : sk) vol.skills.push_back(s.get<std::string>());
      const uint32_t w = rng_.below(100);
      vol.weight = w < 50 ? 1 : (w < 80 ? 2 : (w < 93 ? 4 : 9));
      const bool none = rng_.below(100) < 3;
      if (!none) {
        // The (plan, weekday) pairs this person could do at their stage of life.
        std::vector<std::pair<int, int>> fits;
        for (int p = 0; p < static_cast<int>(sizeof kDemoWeek / sizeof kDemoWeek[0]); ++p) {
          const WeekPlan& plan = kDemoWeek[p];
          if (!eligible(vol, plan.skill, plan.min_age)) continue;
          for (int d = 0; d < 7; ++d) {
            if (plan.days[d] != 'x') continue;
            const bool weekend = d >= 5;
            bool ok;
            if (vol.age >= 60) ok = plan.start >= hm(7, 0) && plan.end <= hm(18, 30);
            else if (vol.age < 22) ok = weekend || plan.start >= hm(16, 0);
            else ok = weekend || plan.start >= hm(18, 0) || plan.end <= hm(8, 30) || plan.start >= hm(16, 0);
            if (ok) fits.emplace_back(p, d);
          }
        }
        const int want = 1 + static_cast<int>(rng_.below(3));
        for (int k = 0; k < want && !fits.empty(); ++k) {
          const size_t i = rng_.below(static_cast<uint32_t>(fits.size()));
          const WeekPlan& plan = kDemoWeek[fits[i].first];
          WeeklySlot s;
          s.weekday = fits[i].second;
          const int early = 30 * static_cast<int>(rng_.below(3));
          const int late = 30 * static_cast<int>(rng_.below(3));
          s.start_min = std::max(0, plan.start - early);
          s.end_min = std::min(hm(23, 59), plan.end + late);
          fits.erase(fits.begin() + static_cast<std::ptrdiff_t>(i));
          bool clash = false;
          for (const auto& o : vol.slots)
            if (o.weekday == s.weekday && o.start_min < s.end_min && s.start_min < o.end_min) clash = true;
          if (!clash) vol.slots.push_back(s);
        }
        std::sort(vol.slots.begin(), vol.slots.end(), [](const WeeklySlot& a, const WeeklySlot& b) {
          return a.weekday != b.weekday ? a.weekday < b.weekday : a.start_min < b.start_min;
        });
      }
      if (!vol.slots.empty()) {
        Json slots = Json::array();
        for (const auto& s : vol.slots) slots.push_back(slot_text(s));
        Json f{{"availability", slots}};
        if (rng_.below(100) < 20) f["preferred_station"] = kStations[rng_.below(5)];
        // Recorded when the corps' weekly plan started, the year before.
        run(EditEntity{"volunteer", vol.id, std::move(f)}, *parse_datetime("2025-12-15T10:00"), "staff:协调员");
      }
      vols_.push_back(std::move(vol));
    }
  }

  void make_templates() {
    int n = 0;
    for (int p = 0; p < static_cast<int>(sizeof kDemoWeek / sizeof kDemoWeek[0]); ++p) {
      const WeekPlan& plan = kDemoWeek[p];
      for (int d = 0; d < 7; ++d) {
        if (plan.days[d] != 'x') continue;
        ++n;
        const std::string id = std::string("tpl-") + (n < 10 ? "0" : "") + std::to_string(n);
        Json f{{"station", plan.station},     {"role", plan.role},
               {"weekday", kWeekdayKeys[d]},  {"start_time", format_time_of_day(plan.start)},
               {"end_time", format_time_of_day(plan.end)}, {"capacity", plan.capacity},
               {"valid_from", "2026-01-01"}};
        if (*plan.skill) f["required_skills"] = Json::array({plan.skill});
        if (plan.min_age > 0) f["min_age"] = plan.min_age;
        run(CreateEntity{"shift_template", std::move(f), id}, *parse_datetime("2025-12-20T10:00"), "staff:协调员");
        templates_.push_back({id, p, d});
        // Who could take it: eligible and available then.
        std::vector<size_t> pool;
        for (size_t v = 0; v < vols_.size(); ++v)
          if (eligible(vols_[v], plan.skill, plan.min_age) && covers(vols_[v], d, plan.start, plan.end))
            pool.push_back(v);
        pools_[id] = std::move(pool);
      }
    }
  }

  // Best candidate for a shift: eligible, free at that time, fewest minutes
  // for their weight (everyone serves before anyone serves twice as much);
  // ties by a draw. Returns SIZE_MAX when nobody fits.
  size_t choose(const std::vector<size_t>& pool, int64_t day, int64_t start, int64_t end,
                const std::vector<size_t>& taken) {
    size_t best = SIZE_MAX;
    int64_t best_score = 0;
    uint32_t best_tie = 0;
    for (size_t v : pool) {
      Vol& vol = vols_[v];
      if (std::find(taken.begin(), taken.end(), v) != taken.end()) continue;
      if (vol.busy_day == day) {
        bool clash = false;
        for (const auto& b : vol.busy)
          if (b.first < end && start < b.second) clash = true;
        if (clash) continue;
      }
      const int64_t score = vol.minutes * 36 / vol.weight;
      // In 64 bits on every platform (size_t is 32 bits in wasm: the same draw there).
      const uint32_t tie = static_cast<uint32_t>((static_cast<uint64_t>(v) * 2654435761u + static_cast<uint64_t>(start)) % 1000003u);
      if (best == SIZE_MAX || score < best_score || (score == best_score && tie < best_tie)) {
        best = v;
        best_score = score;
        best_tie = tie;
      }
    }
    return best;
  }

  void mark_busy(size_t v, int64_t day, int64_t start, int64_t end) {
    Vol& vol = vols_[v];
    if (vol.busy_day != day) {
      vol.busy_day = day;
      vol.busy.clear();
    }
    vol.busy.emplace_back(start, end);
  }

  struct Placed {
    std::string signup;
    size_t vol;
  };

  // A shift's sign-ups and, once it has ended, what happened.
  void staff_shift(const std::string& shift_id, const std::vector<size_t>& pool, int capacity, int64_t start,
                   int64_t end, int fill_percent) {
    const int64_t day = start / 1440;
    std::vector<size_t> taken;
    std::vector<Placed> placed;
    for (int place = 0; place < capacity; ++place) {
      if (static_cast<int>(rng_.below(100)) >= fill_percent) continue;
      const size_t v = choose(pool, day, start, end, taken);
      if (v == SIZE_MAX) break;
      taken.push_back(v);
      const bool kiosk = rng_.below(100) < 35;
      // Signed up one to ten days ahead (never after the demo's today).
      const int64_t days_ahead = 1 + static_cast<int64_t>(rng_.below(10));
      const int64_t minute = static_cast<int64_t>(rng_.below(600));
      const int64_t at = std::min(start - 1440 * days_ahead + minute, today_ - 60);
      Json f{{"shift", shift_id}, {"volunteer", vols_[v].id}, {"channel", kiosk ? "kiosk" : "coordinator"},
             {"seen_place", "confirmed"}};
      const std::string id = run(CreateEntity{"signup", std::move(f), ""}, at, kiosk ? "kiosk" : "staff:协调员");
      if (id.empty()) continue;
      mark_busy(v, day, start, end);
      // About one in forty cancels before the day; the place goes back.
      if (end <= today_ && rng_.below(40) == 0) {
        run(ArchiveEntity{"signup", id, "临时有事"}, std::min(at + 600, today_ - 30), kiosk ? "kiosk" : "staff:协调员");
        ++cancelled_;
        continue;
      }
      placed.push_back({id, v});
    }
    if (start >= today_) return;  // not begun: nothing recorded yet
    for (const Placed& p : placed) {
      const uint32_t roll = rng_.below(100);
      const int64_t in = start - 15 + static_cast<int64_t>(rng_.below(25));
      if (end > today_) {  // under way now: checked in, not yet out
        if (roll < 92) {
          run(EditEntity{"signup", p.signup, Json{{"check_in", format_datetime(in)}, {"check_in_method", "qr"}}},
              std::max(in, start - 15), "staff:协调员");
        }
        continue;
      }
      if (roll < 88) {
        const int64_t out = end - 10 + static_cast<int64_t>(rng_.below(31));
        const bool qr = rng_.below(100) < 40;
        run(EditEntity{"signup", p.signup,
                       Json{{"check_in", format_datetime(in)}, {"check_out", format_datetime(out)},
                            {"check_in_method", qr ? "qr" : "list"}}},
            out + 5, "staff:协调员");
        vols_[p.vol].minutes += out - in;
      } else if (roll < 93) {
        run(EditEntity{"signup", p.signup, Json{{"attendance", "excused"}, {"attendance_note", "提前请假"}}}, start - 120,
            "staff:协调员");
      } else if (roll < 97) {
        run(EditEntity{"signup", p.signup, Json{{"attendance", "no_show"}}}, end + 30, "staff:协调员");
      }
      // else: nothing recorded (counted as "not checked in", never as a no-show)
    }
  }

  void month_of_life(int m, int64_t from, int64_t to) {
    const int64_t today_day = today_ / 1440;
    // The month's shifts from the templates, created on the 20th of the month before.
    const int64_t created = (from - 11) * 1440 + hm(10, 0);
    struct Made {
      std::string id;
      int64_t start, end;
      int capacity;
      const std::vector<size_t>* pool;
    };
    std::vector<Made> made;
    for (const Template& t : templates_) {
      const Entity* te = state_.find("shift_template", t.id);
      if (!te) continue;
      for (Json& f : shifts_from_template(state_, *te, from, to)) {
        const int64_t start = *parse_datetime(f["start"].get<std::string>());
        const int64_t end = *parse_datetime(f["end"].get<std::string>());
        const int capacity = f["capacity"].get<int>();
        const std::string id = run(CreateEntity{"shift", std::move(f), ""}, std::min(created, today_ - 120), "staff:协调员");
        if (!id.empty()) made.push_back({id, start, end, capacity, &pools_[t.id]});
      }
    }
    // The month's charity event(s): everyone eligible may come.
    for (const MonthEvent& e : kEvents) {
      if (e.month != m) continue;
      const int64_t day = e.day == 0 ? to - 1 : from + e.day - 1;
      Json f{{"station", e.station},
             {"role", e.role},
             {"start", format_datetime(day * 1440 + e.start)},
             {"end", format_datetime(day * 1440 + e.end)},
             {"capacity", e.capacity}};
      if (*e.skill) f["required_skills"] = Json::array({e.skill});
      const std::string id = run(CreateEntity{"shift", std::move(f), ""}, std::min(created, today_ - 120), "staff:协调员");
      if (id.empty()) continue;
      auto& pool = event_pools_[id];
      for (size_t v = 0; v < vols_.size(); ++v)
        if (eligible(vols_[v], e.skill, 0)) pool.push_back(v);
      made.push_back({id, day * 1440 + e.start, day * 1440 + e.end, e.capacity, &pool});
    }
    std::sort(made.begin(), made.end(),
              [](const Made& a, const Made& b) { return a.start != b.start ? a.start < b.start : a.id < b.id; });
    for (const Made& s : made) {
      const int64_t day = s.start / 1440;
      int fill;
      if (day <= today_day) fill = 96;            // past (and today): nearly full
      else if (day - today_day <= 7) fill = 85;   // next week
      else if (day - today_day <= 14) fill = 60;
      else if (day - today_day <= 31) fill = 35;  // the rest of this month
      else fill = 8;                              // next month: a few early kiosk sign-ups
      staff_shift(s.id, *s.pool, s.capacity, s.start, s.end, fill);
    }
    // Hours added by hand for work outside shifts: people with no hours yet first.
    if (from <= today_day && m <= 12) {
      const int64_t last = std::min(to - 1, today_day - 1);
      if (last < from) return;
      for (int k = 0; k < 14; ++k) {
        size_t pick = SIZE_MAX;
        const size_t start_at = rng_.below(static_cast<uint32_t>(vols_.size()));
        for (size_t i = 0; i < vols_.size(); ++i) {
          const size_t v = (start_at + i) % vols_.size();
          if (vols_[v].minutes == 0) { pick = v; break; }
        }
        if (pick == SIZE_MAX) pick = start_at;
        const int64_t minutes = 60 * (2 + static_cast<int64_t>(rng_.below(3)));
        const int64_t day = from + static_cast<int64_t>(rng_.below(static_cast<uint32_t>(last - from + 1)));
        Json f{{"volunteer", vols_[pick].id}, {"date", format_date(day)}, {"minutes", minutes},
               {"reason", kAdjustReasons[rng_.below(5)]}};
        run(CreateEntity{"hours_adjustment", std::move(f), ""}, std::min(day * 1440 + hm(17, 30), today_ - 30),
            "staff:协调员");
        vols_[pick].minutes += minutes;
      }
    }
  }

  std::vector<Operation>& ops_;
  const DemoOptions& opt_;
  LifeRng rng_;
  State state_;
  OpSource source_;
  int64_t today_ = 0;
  std::vector<Vol> vols_;
  std::vector<Template> templates_;
  std::map<std::string, std::vector<size_t>> pools_, event_pools_;
  int refused_ = 0, cancelled_ = 0;
};

}  // namespace

void append_volunteering_year(std::vector<Operation>& ops, const DemoOptions& options) {
  if (options.households < options.volunteering_year_from_households) return;
  Life(ops, options).build();
}

}  // namespace dh
