#include "core/demo.h"

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/state.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/schema.h"
#include "core/state.h"

namespace dh {

namespace {

// splitmix64: tiny, portable, identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
  template <class T, size_t N>
  const T& pick(const T (&arr)[N]) {
    return arr[below(N)];
  }

 private:
  uint64_t s_;
};

const char* const kSurnames[] = {"李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
                                 "高", "林", "何", "郭", "马", "罗", "字", "鲁", "段", "杞", "俸", "查", "罕", "龚",
                                 "施", "尹", "苏", "沈", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "董"};
const char* const kGiven[] = {"明", "华", "芳", "伟", "丽", "强", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰",
                              "娟", "涛", "超", "霞", "平", "刚", "桂", "英", "秀", "兰", "志", "国", "建", "文",
                              "云", "红", "春", "海", "燕", "玲", "梅", "琴", "婷", "欣", "宇", "浩", "子", "睿",
                              "涵", "佳", "思", "雨", "晨", "茶", "凤", "庆"};
// Characters outside GB2312 that real resident rosters contain.
const char* const kRareGiven[] = {"堃", "喆", "燊", "玥", "昇", "珺", "䶮"};

const char* const kCompounds[] = {"税务小区", "幸福里",   "滇红茶苑", "凤山路", "东城花园",
                                  "文化路",   "青年路",   "新华街",   "茶乡苑", "安石路"};

std::string two_digits(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}
std::string padded(int n, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return buf;
}

class Builder {
 public:
  explicit Builder(const DemoOptions& o) : opt_(o), rng_(o.seed), trng_(o.seed ^ 0x7a1e470000000001ull) {}

  std::string given_name() {
    std::string n = rng_.chance(0.01) ? rng_.pick(kRareGiven) : rng_.pick(kGiven);
    if (rng_.chance(0.7)) n += rng_.pick(kGiven);
    return n;
  }
  // Each random draw is its own statement: the order in which operands of
  // one expression are evaluated is unspecified, and g++ and clang differ,
  // which would make the demo data differ between the native and wasm builds.
  std::string person_name() {
    std::string surname = rng_.pick(kSurnames);
    return surname + given_name();
  }
  std::string mobile() {
    static const char* const prefixes[] = {"138", "139", "150", "151", "158", "187", "188", "199", "135", "177"};
    std::string p = rng_.pick(prefixes);
    for (int i = 0; i < 8; ++i) p += static_cast<char>('0' + rng_.below(10));
    return p;
  }
  std::string date(int year_from, int year_to) {
    int y = year_from + static_cast<int>(rng_.below(static_cast<uint32_t>(year_to - year_from + 1)));
    int m = 1 + static_cast<int>(rng_.below(12));
    int d = 1 + static_cast<int>(rng_.below(28));
    return std::to_string(y) + "-" + two_digits(m) + "-" + two_digits(d);
  }

  void create(const std::string& kind, const std::string& id, Json fields, const std::string& author = "demo") {
    Operation op;
    op.id = OpId{"demo", seq_};
    op.hlc = Hlc{opt_.start_ms + static_cast<int64_t>(seq_), 0};
    op.author = author;
    op.type = kind + ".create";
    op.payload = Json{{"entity", id}, {"fields", std::move(fields)}};
    ++seq_;
    ops_.push_back(std::move(op));
  }

  // ---- Talent pool (issue 10, docs/talent.md) ----------------------------
  using Members = std::vector<std::vector<std::pair<std::string, int>>>;
  struct TalentExpert {
    std::string id;
    Json fields;
  };
  struct TalentTrainee {
    std::string id, mentor;
  };
  std::vector<TalentExpert> talent_experts_;
  std::vector<TalentTrainee> talent_trainees_;

  // Levels, weekly availability, the newer fields and (for about a third) the
  // expert's own resident record. first: the main field; i: the expert's index within it.
  void add_expert_talent(Json& ef, const std::string& first, int i, const Members& members) {
    Json fields = ef["fields"];
    if (first == "elderly_care" && i % 2 == 0) fields.push_back("housekeeping");
    if (first == "health" && i % 3 != 2) fields.push_back("psychological_support");
    if (first == "education") fields.push_back(i % 2 == 0 ? "childcare" : "sports");
    // Canonical order is the schema's: the newer fields come last, in this order.
    Json ordered = Json::array();
    for (const auto& code : find_kind("expert")->field("fields")->choices)
      for (const auto& f : fields)
        if (f == code) ordered.push_back(f);
    ef["fields"] = ordered;
    Json levels = Json::array();
    for (const auto& f : ordered) {
      const int level = f == first ? 2 + static_cast<int>(trng_.below(2)) : 1 + static_cast<int>(trng_.below(2));
      levels.push_back(f.get<std::string>() + ":" + std::to_string(level));
    }
    ef["field_levels"] = levels;
    static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    static const char* const kHours[] = {"09:00-12:00", "14:30-17:30", "19:00-21:00"};
    Json slots = Json::array();
    const int n = 2 + static_cast<int>(trng_.below(2));
    const int day0 = static_cast<int>(trng_.below(7));
    for (int k = 0; k < n; ++k) {
      const int hours = static_cast<int>(trng_.below(3));
      slots.push_back(std::string(kDays[(day0 + k * 2) % 7]) + " " + kHours[hours]);
    }
    ef["availability"] = slots;
    if (!members.empty() && trng_.chance(0.35)) {
      const auto& hh = members[trng_.below(static_cast<uint32_t>(members.size()))];
      if (!hh.empty()) ef["resident"] = hh[0].first;
    }
  }

  // Four months of residents' requests (2026-08-01 .. 2026-12-01) in every
  // state, as the secretary's studio would have them on 2026-12-02: older
  // ones closed and rated, recent ones triaged, assigned or in hand; a few
  // reassigned, one reopened, one with an offline reassignment that met an
  // already resolved case (kept in its history), trainees beside their mentors.
  void add_requests(const Members& members, const std::vector<std::string>& household_grid) {
    if (members.empty() || talent_experts_.empty()) return;
    struct Cat {
      const char* code;
      int weight;
      const char* texts[2];
    };
    static const Cat kCats[] = {
        {"dispute_mediation", 28, {"楼上卫生间漏水，与邻居协商未果", "相邻两户因公共楼道堆放杂物发生争执"}},
        {"legal_publicity", 14, {"咨询赡养费纠纷的法律途径", "租房合同押金不退，想了解如何维权"}},
        {"elderly_care", 12, {"独居老人需要定期探访和助餐", "老人行动不便，申请居家适老化改造"}},
        {"housekeeping", 5, {"需要家政人员帮助照顾卧床老人", "咨询家政服务收费标准"}},
        {"psychological_support", 6, {"家中孩子中考压力大，情绪低落", "丧偶老人情绪不稳定，家属请求疏导"}},
        {"health", 8, {"慢性病老人需要家庭医生签约指导", "咨询医保报销流程"}},
        {"education", 5, {"孩子转学手续咨询", "留守儿童课业辅导需求"}},
        {"childcare", 5, {"双职工家庭寻找托育服务", "寒暑假孩子无人看护"}},
        {"business_development", 5, {"小吃店办理营业执照咨询", "茶叶网店经营遇到困难"}},
        {"big_data", 4, {"不会使用手机办理社保认证", "老人智能手机被骗下载不明软件"}},
        {"agriculture_tea", 3, {"茶园病虫害防治求助", "茶叶初制所环保手续咨询"}},
        {"construction", 3, {"老旧小区外墙脱落存在安全隐患", "自建房加层手续咨询"}},
        {"finance", 1, {"被人以投资名义借款不还", "咨询小额贷款政策"}},
        {"sports", 1, {"小区健身器材损坏需要维修", "组织老年门球队需要场地"}},
    };
    int total_weight = 0;
    for (const auto& c : kCats) total_weight += c.weight;

    // Per expert: fields, capacity, availability, household (conflicts).
    std::vector<std::string> expert_household(talent_experts_.size());
    for (size_t e = 0; e < talent_experts_.size(); ++e) {
      const std::string rid = talent_experts_[e].fields.value("resident", std::string());
      for (size_t h = 0; h < members.size() && !rid.empty(); ++h)
        if (!members[h].empty() && members[h][0].first == rid) expert_household[e] = "hh-" + padded(static_cast<int>(h) + 1, 5);
    }
    std::vector<int> open_load(talent_experts_.size(), 0);
    std::vector<int> trainee_cases(talent_trainees_.size(), 0);
    auto has_field = [&](size_t e, const std::string& f) {
      for (const auto& x : talent_experts_[e].fields["fields"])
        if (x == f) return true;
      return false;
    };
    auto expert_index = [&](const std::string& id) -> int {
      for (size_t e = 0; e < talent_experts_.size(); ++e)
        if (talent_experts_[e].id == id) return static_cast<int>(e);
      return -1;
    };

    const int households = static_cast<int>(members.size());
    const int count = std::max(12, opt_.requests * std::min(households, 3058) / 3058);
    const int64_t first_day = *parse_date("2026-08-01");
    const int64_t days = 123;  // to 2026-12-01
    const int64_t demo_now = *parse_datetime("2026-12-02T09:00");
    int step_no = 0, case_no = 0, outcomes = 0, ratings = 0, reassigned = 0;
    int unresolved_kept = 0;
    bool reopened = false, conflict_shown = false;
    auto at = [](int64_t minute) { return format_datetime(minute); };
    auto step = [&](const std::string& rq, const char* verb, int64_t minute, const std::string& author,
                    Json extra = Json::object()) {
      Json f{{"request", rq}, {"step", verb}, {"at", at(minute)}};
      for (auto it = extra.begin(); it != extra.end(); ++it) f[it.key()] = it.value();
      create("request_step", "rs-" + padded(++step_no, 5), std::move(f), author);
    };

    for (int n = 0; n < count; ++n) {
      const std::string rq = "rq-" + padded(n + 1, 4);
      // Category by weight.
      int pick = static_cast<int>(trng_.below(static_cast<uint32_t>(total_weight)));
      const Cat* cat = &kCats[0];
      for (const auto& c : kCats) {
        if (pick < c.weight) { cat = &c; break; }
        pick -= c.weight;
      }
      const std::string category = cat->code;
      const uint32_t u = trng_.below(10);
      const int urgency = u < 6 ? 1 : (u < 9 ? 2 : 3);
      const int64_t day = first_day + (static_cast<int64_t>(n) * days) / count;
      // One draw per statement (the order of operands is unspecified; see person_name()).
      const int hour = 8 + static_cast<int>(trng_.below(9));
      const int minute = 10 * static_cast<int>(trng_.below(6));
      const int64_t recorded = day * 24 * 60 + hour * 60 + minute;
      // Parties: one resident, or two neighbouring households for a dispute.
      const int h = static_cast<int>(trng_.below(static_cast<uint32_t>(households)));
      std::vector<int> party_households{h};
      if (category == "dispute_mediation") party_households.push_back((h + 8) % households);
      Json parties = Json::array();
      for (int ph : party_households)
        if (!members[ph].empty() && std::find(parties.begin(), parties.end(), Json(members[ph][0].first)) == parties.end())
          parties.push_back(members[ph][0].first);
      const uint32_t ch = trng_.below(20);
      const char* channel = ch < 9 ? "hall" : (ch < 15 ? "doorstep" : (ch < 18 ? "kiosk" : "phone"));
      Json rf{{"category", category},
              {"urgency", urgency},
              {"grid", household_grid[h]},
              {"description", cat->texts[trng_.below(2)]},
              {"intake_channel", channel},
              {"recorded_at", at(recorded)}};
      if (std::string(channel) == "kiosk") {
        rf["contact_name"] = person_name_t();
        rf["contact_phone"] = mobile_t();
      } else {
        rf["parties"] = parties;
      }
      const std::string intake_author = std::string(channel) == "kiosk" ? "kiosk" :
                                        std::string(channel) == "doorstep" ? "grid:网格员" : "staff:书记工作室";
      create("request", rq, rf, intake_author);

      // How far it got by 2026-12-02 depends on its age.
      const int64_t age_days = (demo_now - recorded) / (24 * 60);
      int stage;  // 0 recorded, 1 triaged, 2 assigned, 3 in hand, 4 outcome, 5 rated, 6 closed
      const uint32_t roll = trng_.below(100);
      if (age_days > 10) stage = roll < 8 ? 4 : (roll < 20 ? 5 : 6);
      else if (age_days > 3) stage = roll < 20 ? 2 : (roll < 45 ? 3 : (roll < 75 ? 4 : 5));
      else stage = roll < 30 ? 0 : (roll < 55 ? 1 : (roll < 80 ? 2 : 3));
      if (stage == 0) continue;
      int64_t t = recorded + 10 + static_cast<int64_t>(trng_.below(50));
      if (std::string(channel) == "kiosk") {  // triage links the person to their record
        Operation edit;
        edit.id = OpId{"demo", seq_};
        edit.hlc = Hlc{opt_.start_ms + static_cast<int64_t>(seq_), 0};
        edit.author = "staff:书记工作室";
        edit.type = "request.edit";
        edit.payload = Json{{"entity", rq}, {"fields", Json{{"parties", parties}}}};
        ++seq_;
        ops_.push_back(std::move(edit));
      }
      step(rq, "triage", t, "staff:书记工作室");
      if (stage == 1) continue;

      // Choose the expert: the field, available, no conflict, room for one more.
      const bool stays_open = stage <= 3;
      std::vector<size_t> candidates;
      for (size_t e = 0; e < talent_experts_.size(); ++e) {
        const Json& ef = talent_experts_[e].fields;
        if (!has_field(e, category) || !ef.value("available", true)) continue;
        bool conflict = false;
        for (int ph : party_households)
          if (expert_household[e] == "hh-" + padded(ph + 1, 5)) conflict = true;
        if (conflict) continue;
        if (stays_open && open_load[e] >= ef.value("max_open_cases", 3)) continue;
        candidates.push_back(e);
      }
      if (candidates.empty()) continue;  // stays triaged: nobody suitable (the board shows it)
      size_t chosen = candidates[trng_.below(static_cast<uint32_t>(candidates.size()))];
      std::string trainee;
      for (size_t k = 0; k < talent_trainees_.size(); ++k) {
        const int m = expert_index(talent_trainees_[k].mentor);
        if (m < 0 || trainee_cases[k] >= 7 || !has_field(static_cast<size_t>(m), category)) continue;
        if (std::find(candidates.begin(), candidates.end(), static_cast<size_t>(m)) == candidates.end()) continue;
        if (trng_.below(100) < 45) {
          chosen = static_cast<size_t>(m);
          trainee = talent_trainees_[k].id;
          ++trainee_cases[k];
        }
        break;
      }
      t += 30 + static_cast<int64_t>(trng_.below(180));
      Json assign{{"expert", talent_experts_[chosen].id}};
      if (!trainee.empty()) assign["trainee"] = trainee;
      step(rq, "assign", t, "staff:书记工作室", assign);
      // About one case in sixteen is handed to a colleague before work starts.
      if (candidates.size() > 1 && trainee.empty() && trng_.below(16) == 0) {
        size_t other = candidates[trng_.below(static_cast<uint32_t>(candidates.size()))];
        if (other != chosen) {
          chosen = other;
          t += 60 + static_cast<int64_t>(trng_.below(240));
          step(rq, "assign", t, "staff:书记工作室", Json{{"expert", talent_experts_[chosen].id}, {"note", "原专家出差，改派"}});
          ++reassigned;
        }
      }
      const std::string expert = talent_experts_[chosen].id;
      if (stays_open) ++open_load[chosen];
      if (stage == 2) continue;
      t += 60 + static_cast<int64_t>(trng_.below(600));
      step(rq, "start", t, "expert:" + expert);
      if (stage == 3) continue;

      // The outcome: within the time limit mostly, one in twelve late.
      const int64_t limit = urgency == 3 ? 24 * 60 : (urgency == 2 ? 72 * 60 : 7 * 24 * 60);
      const bool late = trng_.below(12) == 0;
      int64_t done = recorded + (late ? limit + 120 + static_cast<int64_t>(trng_.below(1440))
                                      : limit / 4 + static_cast<int64_t>(trng_.below(static_cast<uint32_t>(limit / 2))));
      if (done <= t) done = t + 30;
      const bool resolved = (++outcomes % 25) != 0;  // 24 of every 25: the community's 96%
      step(rq, resolved ? "resolve" : "not_resolve", done, "expert:" + expert, Json{{"expert", expert}});
      if (!conflict_shown && resolved && age_days > 20) {
        // A grid worker's tablet, offline, reassigned the case after it was resolved: kept, not applied.
        conflict_shown = true;
        step(rq, "assign", done + 20, "grid:网格员", Json{{"expert", talent_experts_[candidates[0]].id}, {"note", "离线改派"}});
      }
      if (!trainee.empty()) {
        static const char* const kDid[] = {"记录双方陈述并整理调解笔录", "陪同导师上门走访，收集材料",
                                           "起草调解协议初稿", "电话回访当事人"};
        static const char* const kRemark[] = {"记录完整，下次可以尝试主持开场", "沟通耐心，注意法律依据的表述",
                                              "材料整理清楚", "回访及时，态度亲切"};
        const bool co = trainee_cases[static_cast<size_t>(std::find_if(talent_trainees_.begin(), talent_trainees_.end(),
                                      [&](const TalentTrainee& x) { return x.id == trainee; }) - talent_trainees_.begin())] > 2;
        create("trainee_case", "tc-" + padded(++case_no, 3),
               Json{{"trainee", trainee},
                    {"request", rq},
                    {"case_role", co ? "co_handle" : "shadow"},
                    {"what_they_did", kDid[trng_.below(4)]},
                    {"mentor_remark", kRemark[trng_.below(4)]},
                    {"date", at(done).substr(0, 10)}},
               "expert:" + expert);
      }
      if (stage == 4) continue;
      // The first two unresolved cases wait for the secretary's review (not rated yet).
      if (!resolved && ++unresolved_kept <= 2) continue;
      const int64_t rated_at = done + 60 * (2 + static_cast<int64_t>(trng_.below(40)));
      ++ratings;
      int rating = trng_.below(10) < 7 ? 5 : 4;
      if (ratings % 75 == 0) rating = 3;  // 74 of every 75 satisfied: the community's 98.7%
      static const char* const kComments[] = {"非常满意，专家很耐心", "处理及时，感谢社区", "问题解决了", "态度好，效率高", ""};
      Json rate{{"rating", rating}};
      const std::string comment = rating == 3 ? "处理时间有点长" : kComments[trng_.below(5)];
      if (!comment.empty()) rate["comment"] = comment;
      step(rq, "rate", rated_at, "staff:书记工作室", rate);
      if (stage == 5) continue;
      step(rq, "close", rated_at + 30, "staff:书记工作室");
      if (!reopened && age_days > 40 && resolved) {
        reopened = true;  // the leak came back: reopened, handled again, closed again
        step(rq, "reopen", rated_at + 9 * 24 * 60, "staff:书记工作室", Json{{"note", "问题复发，群众再次反映"}});
        step(rq, "resolve", rated_at + 11 * 24 * 60, "expert:" + expert, Json{{"expert", expert}});
        step(rq, "rate", rated_at + 12 * 24 * 60, "staff:书记工作室", Json{{"rating", 5}, {"comment", "复查后彻底修好了"}});
        step(rq, "close", rated_at + 12 * 24 * 60 + 30, "staff:书记工作室");
      }
    }
    (void)reassigned;
  }
  std::string person_name_t() {
    std::string n = trng_.pick(kSurnames);
    n += trng_.pick(kGiven);
    return n;
  }
  std::string mobile_t() {
    std::string p = "139";
    for (int i = 0; i < 8; ++i) p += static_cast<char>('0' + trng_.below(10));
    return p;
  }
  // ---- end of the talent pool ---------------------------------------------

  std::vector<Operation> build() {
    const int grids = 8;
    static const char* const kGridNames[] = {"第一网格", "第二网格", "第三网格", "第四网格",
                                             "第五网格", "第六网格", "第七网格", "第八网格"};
    static const char* const kDepartments[] = {"县税务局",   "县人民法院", "县司法局", "县教育体育局",
                                               "县卫生健康局", "县民政局",   "县茶叶局", "县自然资源局"};
    for (int g = 0; g < grids; ++g) {
      create("grid", "grid-" + two_digits(g + 1),
             Json{{"name", kGridNames[g]}, {"code", "DC-" + two_digits(g + 1)}, {"leader_name", person_name()},
                  {"backing_department", kDepartments[g]}});
    }
    const int micro_per_grid = 4;
    for (int g = 0; g < grids; ++g) {
      for (int m = 0; m < micro_per_grid; ++m) {
        create("micro_grid", "mg-" + two_digits(g + 1) + "-" + two_digits(m + 1),
               Json{{"name", std::string(kGridNames[g]) + "第" + std::to_string(m + 1) + "微网格"},
                    {"grid", "grid-" + two_digits(g + 1)}});
      }
    }
    create("station", "hall",
           Json{{"name", "东城社区党群服务中心"},
                {"station_type", "hall"},
                {"address", "凤庆县凤山镇东城社区"},
                {"grid", "grid-01"},
                {"rooms", Json::array({"党群服务大厅", "书记工作室", "议事室", "群团之家", "书吧", "村史馆"})},
                {"opening_hours", "周一至周五 8:30-17:30"}});
    struct StationDef {
      const char* id;
      const char* name;
      const char* grid;
      std::vector<std::string> specialities;
    };
    const StationDef stations[] = {
        {"st-shuiwu", "税务小区党群服务站", "grid-02", {"室内健身", "法律超市"}},
        {"st-xingfuli", "幸福里党群服务点", "grid-04", {"课后托管", "阅读空间"}},
        {"st-chayuan", "滇红茶苑党群服务点", "grid-06", {"老年助餐", "健康义诊"}},
        {"st-fengshan", "凤山路党群服务站", "grid-08", {"公益活动", "便民服务"}},
    };
    for (const auto& s : stations) {
      Json spec = Json::array();
      for (const auto& x : s.specialities) spec.push_back(x);
      create("station", s.id,
             Json{{"name", s.name}, {"station_type", "station"}, {"grid", s.grid}, {"specialities", spec},
                  {"opening_hours", "每天 9:00-18:00"}});
    }

    // Households and residents.
    std::vector<std::string> household_ids;
    std::vector<std::string> household_grid;
    std::vector<std::vector<std::pair<std::string, int>>> members;  // resident id, birth year
    int resident_no = 0;
    for (int h = 0; h < opt_.households; ++h) {
      const int g = h % grids;
      const int m = (h / grids) % micro_per_grid;
      const char* compound = kCompounds[(h * 7 + g) % 10];
      const int building = 1 + (h / 40) % 18;
      const int unit = 1 + (h / 10) % 3;
      const int room = 101 + (h % 6) * 100 + (h / 6) % 4;
      std::string id = "hh-" + padded(h + 1, 5);
      const int size = 1 + static_cast<int>(rng_.below(5));  // 1..5, mean 3
      Json f{{"address", std::string(compound) + std::to_string(building) + "栋" + std::to_string(unit) + "单元" +
                             std::to_string(room) + "室"},
             {"grid", "grid-" + two_digits(g + 1)},
             {"micro_grid", "mg-" + two_digits(g + 1) + "-" + two_digits(m + 1)},
             {"members", size}};
      if (rng_.chance(0.9)) f["phone"] = mobile();
      create("household", id, std::move(f));
      household_ids.push_back(id);
      household_grid.push_back("grid-" + two_digits(g + 1));
      std::vector<std::pair<std::string, int>> people;
      static const char* const kEth[] = {"han", "han", "han", "han", "han", "han", "yi", "yi", "dai", "bai", "hani", "lahu"};
      std::string surname = rng_.pick(kSurnames);
      for (int p = 0; p < size; ++p) {
        std::string rid = "res-" + padded(++resident_no, 5);
        int birth_year = p == 0 ? 1950 + static_cast<int>(rng_.below(40))
                                : (p == 1 ? 1950 + static_cast<int>(rng_.below(45)) : 1985 + static_cast<int>(rng_.below(38)));
        // Members share the head's surname, except a spouse.
        std::string name = p == 1 ? person_name() : surname + given_name();
        static const char* const kRel[] = {"head", "spouse", "child", "child", "parent"};
        Json rf{{"name", name},
                {"household", id},
                {"gender", rng_.chance(0.5) ? "female" : "male"},
                {"birth_date", date(birth_year, birth_year)},
                {"relation", kRel[p]},
                {"ethnicity", rng_.pick(kEth)}};
        if (birth_year < 2008 && rng_.chance(0.8)) rf["phone"] = mobile();
        create("resident", rid, std::move(rf));
        people.emplace_back(rid, birth_year);
      }
      members.push_back(std::move(people));
    }

    // The corps "志愿靓滇红": squads and groups.
    static const char* const kSquads[] = {"关爱帮扶分队", "文明实践分队", "法律服务分队", "环境整治分队",
                                          "课后托管分队", "应急救援分队", "文体活动分队", "平安巡逻分队"};
    const int squads = 8, groups_per_squad = 3;
    for (int s = 0; s < squads; ++s) {
      create("squad", "sq-" + two_digits(s + 1), Json{{"name", kSquads[s]}, {"leader_name", person_name()}});
    }
    for (int s = 0; s < squads; ++s) {
      for (int g = 0; g < groups_per_squad; ++g) {
        create("volunteer_group", "vg-" + two_digits(s + 1) + "-" + std::to_string(g + 1),
               Json{{"name", std::string(kSquads[s]) + "第" + std::to_string(g + 1) + "组"}, {"squad", "sq-" + two_digits(s + 1)}});
      }
    }
    static const char* const kSkills[] = {"first_aid", "tutoring", "legal",   "elderly_care", "cleaning", "photography",
                                          "driving",   "computer", "cooking", "sports",       "arts",     "tea"};
    int volunteer_no = 0;
    const uint32_t share_per_mille = static_cast<uint32_t>(opt_.volunteering_share * 1000.0 + 0.5);
    for (size_t h = 0; h < household_ids.size(); ++h) {
      // Deterministic share: exactly round(share * households) households take part.
      // 7919 is coprime with 1000, so this takes exactly share_per_mille of every 1,000 households.
      if ((h * 7919) % 1000 >= share_per_mille) continue;
      const auto& people = members[h];
      // The adult most likely to volunteer: the first member born before 2008, else the head.
      size_t pick = 0;
      for (size_t p = 0; p < people.size(); ++p) {
        if (people[p].second >= 1960 && people[p].second < 2008) { pick = p; break; }
      }
      const int s = static_cast<int>(rng_.below(squads));
      Json skills = Json::array();
      for (const char* sk : kSkills) {
        if (rng_.chance(0.15)) skills.push_back(sk);
      }
      Json vf{{"resident", people[pick].first},
              {"squad", "sq-" + two_digits(s + 1)},
              {"group", "vg-" + two_digits(s + 1) + "-" + std::to_string(1 + rng_.below(groups_per_squad))},
              {"joined", date(2018, 2025)}};
      if (!skills.empty()) vf["skills"] = skills;
      if (people[pick].second >= 2008) vf["guardian_consent"] = true;
      create("volunteer", "vol-" + padded(++volunteer_no, 5), std::move(vf));
    }

    // The talent pool: 103 experts in the report's fields.
    struct FieldShare {
      const char* field;
      int count;
    };
    const FieldShare shares[] = {{"legal_publicity", 18},     {"dispute_mediation", 24}, {"business_development", 16},
                                 {"big_data", 11},            {"elderly_care", 8},       {"health", 7},
                                 {"education", 7},            {"agriculture_tea", 6},    {"construction", 3},
                                 {"finance", 2},              {"other", 1}};
    static const char* const kOrgs[] = {"县司法局", "凤山镇人民调解委员会", "县市场监管局", "县数据局", "县人民医院",
                                        "县第一中学", "县茶叶技术推广站", "县住建局", "县农商银行", "东城社区居委会"};
    int expert_no = 0;
    std::vector<std::string> experts;
    for (const auto& fs : shares) {
      for (int i = 0; i < fs.count && expert_no < opt_.experts; ++i) {
        std::string id = "ex-" + padded(++expert_no, 3);
        Json fields = Json::array({fs.field});
        if (rng_.chance(0.3)) {
          const char* second = shares[rng_.below(sizeof shares / sizeof shares[0])].field;
          if (std::string(second) != fs.field) fields.push_back(second);
        }
        // Stored form lists choices in the schema's order, which is this table's order.
        Json ordered = Json::array();
        for (const auto& s2 : shares) {
          for (const auto& f : fields) {
            if (f == s2.field) ordered.push_back(f);
          }
        }
        Json ef{{"name", person_name()},
                {"fields", ordered},
                {"phone", mobile()},
                {"grid", "grid-" + two_digits(1 + static_cast<int>(rng_.below(grids)))},
                {"organisation", kOrgs[rng_.below(10)]},
                {"max_open_cases", 3 + static_cast<int>(rng_.below(6))},
                {"available", rng_.chance(0.9)}};
        add_expert_talent(ef, fs.field, i, members);
        talent_experts_.push_back({id, ef});
        create("expert", id, std::move(ef));
        experts.push_back(id);
      }
    }
    for (int t = 0; t < opt_.trainees; ++t) {
      Json fields{{"name", person_name()},
                  {"background", t < 3 ? "committee_member" : "new_worker"},
                  {"started", date(2025, 2026)},
                  {"phone", mobile()}};
      if (!experts.empty()) fields["mentor"] = experts[(static_cast<size_t>(t) * 13) % experts.size()];
      talent_trainees_.push_back({"tr-" + two_digits(t + 1), fields.value("mentor", std::string())});
      create("trainee", "tr-" + two_digits(t + 1), std::move(fields));
    }
    add_requests(members, household_grid);
    return std::move(ops_);
  }

 private:
  const DemoOptions& opt_;
  Rng rng_;
  // The talent pool's own stream (issue 10): its draws do not shift the
  // records generated before it existed.
  Rng trng_;
  uint64_t seq_ = 1;
  std::vector<Operation> ops_;
};

}  // namespace

namespace {
void append_deliberation_demo(std::vector<Operation>& ops, const DemoOptions& options);
}  // namespace
// demo_life.cpp: the volunteer corps' year (issue 12).
void append_volunteering_year(std::vector<Operation>& ops, const DemoOptions& options);

std::vector<Operation> generate_demo(const DemoOptions& options) {
  std::vector<Operation> ops = Builder(options).build();
  append_deliberation_demo(ops, options);
  append_volunteering_year(ops, options);
  return ops;
}

std::vector<Operation> generate_activity(const std::vector<Operation>& demo, int count, uint64_t seed) {
  State state;
  for (const auto& op : demo) state.apply(op);
  Rng rng(seed ^ 0x5eedull);
  OpSource source;
  source.device = "activity";
  source.author = "staff:demo";
  const int64_t year_ms = 365ll * 24 * 3600 * 1000;
  const int64_t start = state.max_hlc().wall_ms + 1000;
  std::vector<Operation> out;
  out.reserve(static_cast<size_t>(count));
  std::vector<const Entity*> residents = state.list("resident");
  std::vector<const Entity*> households = state.list("household");
  std::vector<std::string> resident_ids, household_ids;
  for (const auto* e : residents) resident_ids.push_back(e->id);
  for (const auto* e : households) household_ids.push_back(e->id);
  static const char* const kNotes[] = {"独居老人，每周走访", "需要轮椅", "已更新联系方式", "子女在外务工", "新搬入",
                                       "关注对象", "低保户", "党员户"};
  int attempts = 0;
  while (static_cast<int>(out.size()) < count && attempts < count * 4) {
    ++attempts;
    const int64_t now = start + static_cast<int64_t>((static_cast<double>(out.size()) / count) * year_ms);
    Command cmd;
    const uint32_t what = rng.below(100);
    if (what < 40) {
      std::string phone = "13";
      for (int i = 0; i < 9; ++i) phone += static_cast<char>('0' + rng.below(10));
      cmd = EditEntity{"resident", resident_ids[rng.below(static_cast<uint32_t>(resident_ids.size()))], Json{{"phone", phone}}};
    } else if (what < 65) {
      cmd = EditEntity{"household", household_ids[rng.below(static_cast<uint32_t>(household_ids.size()))],
                       Json{{"note", kNotes[rng.below(8)]}}};
    } else if (what < 80) {
      std::string name = kSurnames[rng.below(40)];
      name += kGiven[rng.below(50)];
      name += kGiven[rng.below(50)];
      cmd = CreateEntity{"resident",
                         Json{{"name", name},
                              {"household", household_ids[rng.below(static_cast<uint32_t>(household_ids.size()))]},
                              {"relation", "other"}},
                         ""};
    } else if (what < 90) {
      const std::string& id = resident_ids[rng.below(static_cast<uint32_t>(resident_ids.size()))];
      const Entity* e = state.find("resident", id);
      if (e && e->archived()) {
        cmd = RestoreEntity{"resident", id};
      } else {
        cmd = ArchiveEntity{"resident", id, "迁出"};
      }
    } else {
      cmd = EditEntity{"resident", resident_ids[rng.below(static_cast<uint32_t>(resident_ids.size()))],
                       Json{{"household", household_ids[rng.below(static_cast<uint32_t>(household_ids.size()))]}}};
    }
    auto op = make_operation(state, cmd, source, now);
    if (!op) continue;  // e.g. an edit of an archived resident: skip, try another
    state.apply(op.value());
    if (op->type == "resident.create") resident_ids.push_back(op->payload["entity"].get<std::string>());
    out.push_back(std::move(op.value()));
  }
  return out;
}

}  // namespace dh

namespace dh {

namespace {

struct ShiftPlan {
  const char* station;
  const char* role;
  const char* days;  // seven characters, Monday first: 'x' = that weekday
  const char* start;
  const char* end;
  int capacity;
  const char* skill;  // "" none
  int min_age;
};

// A week of the corps' regular shifts (times local; durations in half hours).
const ShiftPlan kWeek[] = {
    {"hall", "大厅引导", "xxxxx..", "08:30", "12:00", 2, "", 0},
    {"hall", "大厅引导", "xxxxx..", "14:00", "17:30", 2, "", 0},
    {"hall", "大厅引导", ".....x.", "09:00", "12:00", 2, "", 0},
    {"hall", "数字助老", ".x.x...", "14:00", "16:00", 1, "computer", 0},
    {"hall", "平安巡逻", "xxxxxxx", "19:00", "21:00", 3, "", 18},
    {"hall", "应急值守", ".....xx", "09:00", "13:00", 1, "first_aid", 18},
    {"hall", "书吧值守", ".....xx", "14:00", "17:30", 1, "", 0},
    {"hall", "议事室值守", "xxxxx..", "18:30", "20:30", 1, "", 18},
    {"hall", "村史馆讲解", ".....xx", "09:30", "11:30", 1, "", 0},
    {"hall", "摄影记录", ".....x.", "14:00", "17:00", 1, "photography", 0},
    {"hall", "党群服务", ".....xx", "18:30", "20:30", 1, "", 0},
    {"st-xingfuli", "课后托管", ".x.x...", "16:00", "18:00", 3, "", 18},
    {"st-xingfuli", "课后托管", "x.x.x..", "16:00", "18:00", 2, "", 18},
    {"st-xingfuli", "作业辅导", "x.x.x..", "16:00", "18:00", 2, "tutoring", 0},
    {"st-xingfuli", "阅读空间", ".....xx", "09:00", "12:00", 2, "", 0},
    {"st-xingfuli", "阅读空间", ".....xx", "14:00", "17:00", 2, "", 0},
    {"st-xingfuli", "阅读空间", "xxxxx..", "18:30", "20:30", 1, "", 0},
    {"st-xingfuli", "周末托管", ".....x.", "14:00", "17:00", 2, "tutoring", 18},
    {"st-xingfuli", "茶艺课堂", "..x....", "15:00", "17:00", 1, "tea", 0},
    {"st-shuiwu", "法律超市", "x.x.x..", "09:00", "12:00", 1, "legal", 18},
    {"st-shuiwu", "法律超市", ".x.x...", "14:00", "17:00", 1, "legal", 18},
    {"st-shuiwu", "室内健身", "xxxxxxx", "07:00", "09:00", 2, "sports", 0},
    {"st-shuiwu", "室内健身", "xxxxxxx", "18:30", "20:30", 2, "sports", 0},
    {"st-shuiwu", "反诈宣传", ".....xx", "10:00", "12:00", 2, "", 0},
    {"st-chayuan", "助餐备餐", "xxxxxxx", "09:00", "11:00", 2, "cooking", 0},
    {"st-chayuan", "助餐送餐", "xxxxxxx", "11:00", "13:00", 3, "", 0},
    {"st-chayuan", "助餐送餐", "xxxxxxx", "17:00", "18:30", 2, "", 0},
    {"st-chayuan", "老年陪伴", "xxxxxxx", "15:00", "17:00", 2, "elderly_care", 0},
    {"st-chayuan", "健康义诊", "..x..x.", "09:00", "12:00", 1, "first_aid", 18},
    {"st-chayuan", "理发义剪", "......x", "09:00", "11:00", 2, "", 0},
    {"st-fengshan", "便民服务", "xxxxx..", "09:00", "12:00", 2, "", 0},
    {"st-fengshan", "便民服务", "xxxxx..", "14:00", "17:00", 2, "", 0},
    {"st-fengshan", "公益活动", ".....xx", "14:00", "17:00", 4, "", 0},
    {"st-fengshan", "环境整治", ".....x.", "08:00", "10:00", 4, "", 0},
    {"st-fengshan", "平安巡逻", "xxxxxxx", "19:00", "21:00", 2, "", 18},
    {"st-fengshan", "垃圾分类督导", "xxxxxxx", "07:00", "08:30", 2, "", 0},
    {"st-fengshan", "助残出行", "x..x...", "09:00", "11:00", 1, "driving", 18},
};

const char* const kStationIds[] = {"hall", "st-shuiwu", "st-xingfuli", "st-chayuan", "st-fengshan"};

}  // namespace

std::vector<Operation> generate_month_of_shifts(const std::vector<Operation>& demo, const std::string& month,
                                                uint64_t seed) {
  std::vector<Operation> out;
  auto first = parse_date(month + "-01");
  if (month.size() != 7 || !first) return out;
  int y;
  unsigned m, d;
  civil_from_days(*first, &y, &m, &d);
  const int64_t next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  State state;
  for (const auto& op : demo) state.apply(op);
  Rng rng(seed ^ 0x5c4edull);
  OpSource source;
  source.device = "demo-month";
  source.author = "staff:demo";
  int64_t now = state.max_hlc().wall_ms + 1000;
  auto commit = [&](const Command& cmd) {
    auto op = make_operation(state, cmd, source, now);
    now += 10;
    if (!op) return false;
    state.apply(op.value());
    out.push_back(std::move(op.value()));
    return true;
  };
  // Shifts, day by day.
  for (int64_t day = *first; day < next; ++day) {
    const int wd = weekday_of_days(day);
    for (const auto& plan : kWeek) {
      if (plan.days[wd] != 'x') continue;
      Json f{{"station", plan.station},
             {"role", plan.role},
             {"start", format_date(day) + "T" + plan.start},
             {"end", format_date(day) + "T" + plan.end},
             {"capacity", plan.capacity}};
      if (*plan.skill) f["required_skills"] = Json::array({plan.skill});
      if (plan.min_age > 0) f["min_age"] = plan.min_age;
      commit(CreateEntity{"shift", std::move(f), ""});
    }
  }
  // Two charity events of the month: a dumpling day and an evening show.
  if (next - *first >= 28) {
    commit(CreateEntity{"shift",
                        Json{{"station", "st-fengshan"}, {"role", "冬至包饺子"},
                             {"start", format_date(*first + 21) + "T10:00"}, {"end", format_date(*first + 21) + "T13:00"},
                             {"capacity", 8}},
                        ""});
    commit(CreateEntity{"shift",
                        Json{{"station", "hall"}, {"role", "文艺汇演"},
                             {"start", format_date(next - 1) + "T18:00"}, {"end", format_date(next - 1) + "T21:00"},
                             {"capacity", 6}, {"required_skills", Json::array({"arts"})}},
                        ""});
  }
  // Availability by stage of life: retired people in the daytime, working
  // people in the evenings and at weekends, young people after school.
  static const char* const kRetired[] = {"08:00-12:00", "09:00-13:00", "14:00-18:00", "07:00-09:00", "15:00-19:00",
                                         "08:00-18:00"};
  static const char* const kWorkingEvening[] = {"18:00-21:30", "18:30-21:00", "16:00-21:00"};
  static const char* const kWeekend[] = {"08:00-12:00", "09:00-13:00", "13:00-18:00", "14:00-21:00", "07:00-10:30"};
  for (const Entity* v : state.list("volunteer")) {
    if (rng.below(10) == 0) continue;  // about 10% record no availability
    const Entity* res = state.find("resident", v->text("resident"));
    auto birth = res ? parse_date(res->text("birth_date")) : std::nullopt;
    const int age = birth ? age_on(*birth, *first) : 40;
    std::vector<std::string> slots;
    const int n = 2 + static_cast<int>(rng.below(4));
    for (int i = 0; i < n; ++i) {
      std::string slot;
      if (age >= 60) {
        const std::string day = kWeekdayKeys[rng.below(7)];
        slot = day + " " + rng.pick(kRetired);
      } else if (age < 22) {
        if (rng.chance(0.5)) {
          slot = std::string(kWeekdayKeys[rng.below(5)]) + " 16:00-18:30";
        } else {
          const std::string day = kWeekdayKeys[5 + rng.below(2)];
          slot = day + " " + rng.pick(kWeekend);
        }
      } else if (rng.chance(0.55)) {
        const std::string day = kWeekdayKeys[rng.below(5)];
        slot = day + " " + rng.pick(kWorkingEvening);
      } else {
        const std::string day = kWeekdayKeys[5 + rng.below(2)];
        slot = day + " " + rng.pick(kWeekend);
      }
      if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
    }
    std::sort(slots.begin(), slots.end());
    Json f{{"availability", slots}};
    if (rng.chance(0.2)) {
      std::vector<std::string> dates;
      const int k = 1 + static_cast<int>(rng.below(3));
      for (int i = 0; i < k; ++i) {
        std::string date = format_date(*first + static_cast<int64_t>(rng.below(static_cast<uint32_t>(next - *first))));
        if (std::find(dates.begin(), dates.end(), date) == dates.end()) dates.push_back(date);
      }
      std::sort(dates.begin(), dates.end());
      f["unavailable_dates"] = dates;
    }
    if (rng.chance(0.3)) f["preferred_station"] = kStationIds[rng.below(5)];
    if (rng.chance(0.25)) f["max_weekly_hours"] = 2 + static_cast<int>(rng.below(11));
    commit(EditEntity{"volunteer", v->id, std::move(f)});
  }
  return out;
}


// ---- Deliberation (issue 11) -----------------------------------------------------
// Two councils (the community's level-2 council with representatives of every
// category, and a level-1 building group of household representatives), the
// third quarter's meeting held and published (attendance, a proxy, speakers,
// motions with seconders and an amendment, a named vote, a secret vote with
// ballot cards, a ranked-choice vote, paper counts, decisions, a late
// ballot), and the fourth quarter's meeting prepared. Made through
// make_operation on device "demo" with fixed clock readings, so every
// operation is valid in order and the bytes are the same everywhere.
namespace {

class DeliberationDemo {
 public:
  DeliberationDemo(std::vector<Operation>& ops, const DemoOptions& o) : ops_(ops), opt_(o) {
    source_.device = "demo";
    source_.author = "demo";
    source_.next_seq = ops.size() + 1;
    source_.clock.restore(ops.empty() ? Hlc{o.start_ms, 0} : ops.back().hlc);
    for (const auto& op : ops) state_.apply(op);
  }

  // Local "YYYY-MM-DDTHH:MM" as UTC milliseconds (community time is UTC+8).
  static int64_t ms_at(const std::string& local) {
    return (parse_datetime(local).value_or(0) - 8 * 60) * 60000;
  }
  void at(const std::string& local) { now_ = ms_at(local); }

  std::string run(const Command& cmd) {
    now_ += 7000;
    auto op = make_operation(state_, cmd, source_, now_);
    if (!op) return "";  // never: the demo is checked by tests/core/demo_test.cpp
    state_.apply(op.value());
    ops_.push_back(op.value());
    return op->payload.value("entity", "");
  }
  std::string make(const std::string& kind, Json fields) { return run(CreateEntity{kind, std::move(fields), ""}); }
  template <class T>
  void run_result(const Result<T>& r) {
    if (r) run(Command(r.value()));
  }

  void build() {
    const bool households = opt_.households >= 18;
    // The community council (level 2).
    at("2026-03-02T09:00");
    const std::string council = make("council", Json{{"name", "东城社区居民议事会"},
                                                     {"tier", "level2"},
                                                     {"council_scope", "community"},
                                                     {"quorum_percent", 50},
                                                     {"proxy_limit", 1},
                                                     {"note", "每季度至少召开一次"}});
    struct M {
      const char* name;
      const char* category;
      const char* role;
    };
    const M members[] = {
        {"杨丽华", "committee", "chair"},        {"周建国", "committee", "secretary"},
        {"李春梅", "resident_org", "officer"},   {"王德明", "resident_org", "member"},
        {"赵永红", "resident_org", "member"},    {"刀美兰", "social_org", "member"},
        {"字正清", "social_org", "member"},      {"罗晓燕", "social_worker", "member"},
        {"杨志刚", "volunteer", "member"},       {"段玉珍", "volunteer", "member"},
        {"鲁文彬", "charity", "member"},         {"施成林", "resident_org", "member"},
    };
    std::vector<std::string> m;
    for (size_t i = 0; i < sizeof members / sizeof members[0]; ++i) {
      Json f{{"council", council}, {"name", members[i].name}, {"member_category", members[i].category},
             {"council_role", members[i].role}, {"entitled", true}, {"since", "2026-03-02"}};
      if (households) f["household"] = "hh-" + std::string(i + 1 < 10 ? "0000" : "000") + std::to_string(i + 1);
      m.push_back(make("council_member", f));
    }
    make("council_member", Json{{"council", council}, {"name", "陈志远"}, {"member_category", "other"},
                                {"council_role", "member"}, {"entitled", false}, {"note", "列席：县民政局联系人"}});

    // A building group (level 1): one representative per household.
    const std::string building = make("council", Json{{"name", "幸福里3栋楼栋议事小组"},
                                                      {"tier", "level1"},
                                                      {"council_scope", "building_group"},
                                                      {"grid", "grid-04"},
                                                      {"quorum_percent", 50},
                                                      {"proxy_limit", 2}});
    const char* reps[] = {"张桂芬", "李国强", "王秀英", "刘建华", "陈玉兰", "杨海涛"};
    for (int i = 0; i < 6; ++i) {
      Json f{{"council", building}, {"name", reps[i]}, {"member_category", "household_rep"},
             {"council_role", i == 0 ? "chair" : "member"}, {"entitled", true}};
      if (households) f["household"] = "hh-000" + std::string(i + 13 < 10 ? "0" : "") + std::to_string(i + 13);
      make("council_member", f);
    }

    // The third quarter's meeting, held and published.
    at("2026-09-10T10:00");
    const std::string q3 = make("meeting", Json{{"council", council},
                                                {"title", "2026年第三季度社区议事会"},
                                                {"start", "2026-09-26T14:30"},
                                                {"place", "东城社区党群服务中心议事室"},
                                                {"meeting_state", "planned"},
                                                {"speaking_seconds", 180}});
    const char* items[] = {"老旧小区加装电梯试点", "议事经费使用方案", "年度优秀志愿服务项目评选"};
    std::vector<std::string> agenda;
    for (int i = 0; i < 3; ++i)
      agenda.push_back(make("agenda_item", Json{{"meeting", q3}, {"title", items[i]}, {"order", i + 1},
                                                {"item_state", "pending"}}));
    const std::string lift = make("motion", Json{{"meeting", q3},
                                                 {"agenda_item", agenda[0]},
                                                 {"title", "老旧小区加装电梯试点"},
                                                 {"text", "在税务小区2栋、5栋试点加装电梯。费用由政府补助、业主按楼层分摊，"
                                                          "一楼住户不分摊；施工前公示方案并征求全体住户意见。"},
                                                 {"proposer", m[3]},
                                                 {"seconders", Json::array({m[4], m[11]})},
                                                 {"motion_state", "seconded"}});
    make("motion", Json{{"meeting", q3},
                        {"agenda_item", agenda[0]},
                        {"title", "修正：二楼住户分摊减半"},
                        {"text", "在原议案基础上，二楼住户的分摊比例减半。"},
                        {"proposer", m[5]},
                        {"seconders", Json::array({m[6]})},
                        {"amends", lift},
                        {"motion_state", "withdrawn"}});
    const std::string funds = make("motion", Json{{"meeting", q3},
                                                  {"agenda_item", agenda[1]},
                                                  {"title", "议事经费使用方案"},
                                                  {"text", "2026年第四季度议事经费3万元：老年助餐点1.5万元，课后托管1万元，"
                                                           "楼道照明维修0.5万元。"},
                                                  {"proposer", m[1]},
                                                  {"seconders", Json::array({m[2]})},
                                                  {"motion_state", "seconded"}});
    const std::string award = make("motion", Json{{"meeting", q3},
                                                  {"agenda_item", agenda[2]},
                                                  {"title", "年度优秀志愿服务项目评选"},
                                                  {"text", "从三个候选项目中评选一个年度优秀志愿服务项目。"},
                                                  {"proposer", m[8]},
                                                  {"seconders", Json::array({m[9]})},
                                                  {"motion_state", "seconded"}});
    // Ballot cards for the secret vote (codes printed, digests kept).
    for (int i = 0; i < 14; ++i) {
      std::string code = "demo" + std::string(i < 10 ? "0" : "") + std::to_string(i) + "card3q2026x";
      cards_.push_back(code);
      run_result(deliberation::new_ballot_card(q3, code));
    }
    const std::string p_lift = make("poll", Json{{"meeting", q3}, {"motion", lift}, {"title", "老旧小区加装电梯试点"},
                                                 {"voting_method", "yes_no_abstain"}, {"threshold", "two_thirds"},
                                                 {"threshold_base", "votes_cast"}, {"secret", false},
                                                 {"vote_unit", "person"}, {"voting_mode", "electronic"},
                                                 {"poll_state", "draft"}});
    const std::string p_funds = make("poll", Json{{"meeting", q3}, {"motion", funds}, {"title", "议事经费使用方案"},
                                                  {"voting_method", "yes_no_abstain"}, {"threshold", "simple_majority"},
                                                  {"threshold_base", "present"}, {"secret", true},
                                                  {"vote_unit", "person"}, {"voting_mode", "electronic"},
                                                  {"poll_state", "draft"}});
    const std::string p_award = make("poll", Json{{"meeting", q3}, {"motion", award}, {"title", "年度优秀志愿服务项目评选"},
                                                  {"voting_method", "ranked_choice"},
                                                  {"options", Json::array({"幸福里课后托管", "滇红茶苑老年助餐", "凤山路平安巡逻"})},
                                                  {"threshold", "none"}, {"secret", false}, {"vote_unit", "person"},
                                                  {"voting_mode", "electronic"}, {"overvote", "exhaust"},
                                                  {"elimination", "single"}, {"tie_break", "previous_rounds_then_lot"},
                                                  {"poll_state", "draft"}});
    // The meeting: ten members at the door, member 11 gives a proxy to member 2.
    at("2026-09-26T14:10");
    run(EditEntity{"meeting", q3, Json{{"meeting_state", "in_session"}}});
    for (int i = 0; i < 10; ++i)
      make("attendance", Json{{"meeting", q3}, {"member", m[static_cast<size_t>(i)]}, {"check_in_method", i % 3 == 0 ? "qr" : "list"},
                              {"arrived", "2026-09-26T14:" + std::to_string(10 + i)}, {"card_handed", true}});
    make("proxy", Json{{"meeting", q3}, {"absent_member", m[11]}, {"holder", m[2]}, {"note", "因病请假，书面委托"}});
    at("2026-09-26T14:35");
    run(EditEntity{"agenda_item", agenda[0], Json{{"item_state", "current"}}});
    int order = 0;
    for (int who : {3, 5, 7, 4}) {
      const std::string sp = make("speaker", Json{{"meeting", q3}, {"member", m[static_cast<size_t>(who)]},
                                                  {"order", ++order}, {"speaker_state", "waiting"}});
      run(EditEntity{"speaker", sp, Json{{"speaker_state", "speaking"}, {"turn_started_ms", now_}}});
      now_ += 150000;
      run(EditEntity{"speaker", sp, Json{{"speaker_state", "done"}}});
    }
    // The lift: named, two thirds of votes cast.
    run(deliberation::open_poll(p_lift));
    const char* lift_votes[] = {"1", "1", "1", "2", "1", "1", "3", "1", "1", "2"};
    for (int i = 0; i < 10; ++i)
      run_result(deliberation::cast_named_ballot(state_, p_lift, m[static_cast<size_t>(i)], "", {lift_votes[i]}));
    run_result(deliberation::cast_named_ballot(state_, p_lift, m[2], m[11], {"1"}));  // the proxy
    run_result(deliberation::cast_named_ballot(state_, p_lift, m[9], "", {"1"}));     // changes to yes
    run_result(deliberation::close_poll(state_, p_lift));
    run_result(deliberation::publish_poll(state_, p_lift));
    run(EditEntity{"agenda_item", agenda[0], Json{{"item_state", "done"}}});
    run(EditEntity{"motion", lift, Json{{"motion_state", "voted"}}});
    make("decision", Json{{"meeting", q3}, {"motion", lift}, {"poll", p_lift},
                          {"text", "同意在税务小区2栋、5栋试点加装电梯，方案公示后实施。"}, {"decision_outcome", "carried"}});
    // The funds: secret, majority of those present, cards.
    at("2026-09-26T15:20");
    run(EditEntity{"agenda_item", agenda[1], Json{{"item_state", "current"}}});
    run(deliberation::open_poll(p_funds));
    const char* fund_votes[] = {"1", "1", "2", "1", "1", "1", "3", "1", "2", "1", "1"};
    for (int i = 0; i < 11; ++i)
      run_result(deliberation::cast_secret_ballot(state_, p_funds, cards_[static_cast<size_t>(i)], {fund_votes[i]}));
    run_result(deliberation::close_poll(state_, p_funds));
    // A tablet that was out of reach sends a ballot stamped after the close.
    run(CreateEntity{"ballot", Json{{"poll", p_funds}, {"token", cards_[11]},
                                    {"voter_digest", deliberation::voter_digest(p_funds, cards_[11])},
                                    {"marks", Json::array({"2"})}}, ""});
    run_result(deliberation::publish_poll(state_, p_funds));
    run(EditEntity{"agenda_item", agenda[1], Json{{"item_state", "done"}}});
    run(EditEntity{"motion", funds, Json{{"motion_state", "voted"}}});
    make("decision", Json{{"meeting", q3}, {"motion", funds}, {"poll", p_funds},
                          {"text", "通过第四季度议事经费使用方案。"}, {"decision_outcome", "carried"}});
    // The award: ranked choice.
    at("2026-09-26T15:50");
    run(EditEntity{"agenda_item", agenda[2], Json{{"item_state", "current"}}});
    run(deliberation::open_poll(p_award));
    const std::vector<std::vector<std::string>> ranks = {
        {"1", "2"}, {"1", "3"}, {"2", "1"}, {"2", "3"}, {"3", "2"}, {"1"}, {"2", "1", "3"},
        {"3", "1"}, {"1", "2", "3"}, {"2"}, {"3", "2", "1"}};
    for (size_t i = 0; i < ranks.size(); ++i) {
      const std::string& voter = i < 10 ? m[i] : m[2];
      run_result(deliberation::cast_named_ballot(state_, p_award, voter, i < 10 ? "" : m[11], ranks[i]));
    }
    run_result(deliberation::close_poll(state_, p_award));
    run_result(deliberation::publish_poll(state_, p_award));
    run(EditEntity{"agenda_item", agenda[2], Json{{"item_state", "done"}}});
    run(EditEntity{"motion", award, Json{{"motion_state", "voted"}}});
    make("decision", Json{{"meeting", q3}, {"motion", award}, {"poll", p_award},
                          {"text", "评选结果按排序复选公布，颁发年度优秀志愿服务项目证书。"}, {"decision_outcome", "noted"}});
    at("2026-09-26T16:30");
    run(EditEntity{"meeting", q3, Json{{"meeting_state", "adjourned"},
                                       {"minutes_note", "会议由杨丽华主持，周建国记录。应到12人，实到10人，委托1人。"}}});

    // The fourth quarter's meeting, prepared.
    at("2026-12-01T09:00");
    const std::string q4 = make("meeting", Json{{"council", council},
                                                {"title", "2026年第四季度社区议事会"},
                                                {"start", "2026-12-26T14:30"},
                                                {"place", "东城社区党群服务中心议事室"},
                                                {"meeting_state", "planned"},
                                                {"speaking_seconds", 180}});
    const char* items4[] = {"冬季老年助餐点扩容", "春节社区文艺活动", "电梯试点进展通报"};
    std::vector<std::string> agenda4;
    for (int i = 0; i < 3; ++i)
      agenda4.push_back(make("agenda_item", Json{{"meeting", q4}, {"title", items4[i]}, {"order", i + 1},
                                                 {"item_state", "pending"}}));
    const std::string meals = make("motion", Json{{"meeting", q4},
                                                  {"agenda_item", agenda4[0]},
                                                  {"title", "冬季老年助餐点扩容"},
                                                  {"text", "滇红茶苑老年助餐点冬季增加晚餐供应，每餐补贴3元，由议事经费列支。"},
                                                  {"proposer", m[9]},
                                                  {"seconders", Json::array({m[7]})},
                                                  {"motion_state", "seconded"}});
    const std::string show = make("motion", Json{{"meeting", q4},
                                                 {"agenda_item", agenda4[1]},
                                                 {"title", "春节社区文艺活动"},
                                                 {"text", "春节前在党群服务中心广场举办社区文艺汇演，由文体活动分队组织。"},
                                                 {"proposer", m[6]},
                                                 {"motion_state", "proposed"}});
    make("poll", Json{{"meeting", q4}, {"motion", meals}, {"title", "冬季老年助餐点扩容"},
                      {"voting_method", "yes_no_abstain"}, {"threshold", "simple_majority"},
                      {"threshold_base", "votes_cast"}, {"secret", true}, {"vote_unit", "person"},
                      {"voting_mode", "electronic"}, {"poll_state", "draft"}});
    make("poll", Json{{"meeting", q4}, {"motion", show}, {"title", "春节社区文艺活动"},
                      {"voting_method", "yes_no_abstain"}, {"threshold", "simple_majority"},
                      {"threshold_base", "votes_cast"}, {"secret", false}, {"vote_unit", "person"},
                      {"voting_mode", "paper"}, {"poll_state", "draft"}});
  }

 private:
  std::vector<Operation>& ops_;
  const DemoOptions& opt_;
  State state_;
  OpSource source_;
  int64_t now_ = 0;
  std::vector<std::string> cards_;
};

void append_deliberation_demo(std::vector<Operation>& ops, const DemoOptions& options) {
  DeliberationDemo(ops, options).build();
}

}  // namespace
}  // namespace dh
