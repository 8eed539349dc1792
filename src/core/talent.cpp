#include "core/talent.h"

#include <algorithm>

#include "core/civil_time.h"
#include "core/rule_book.h"
#include "core/schema.h"

namespace dh {
namespace talent {

namespace {

const std::vector<std::string> kStates = {"recorded", "triaged",      "assigned", "in_hand",
                                          "resolved", "not_resolved", "rated",    "closed"};

long long minutes_of(const std::string& datetime) {
  auto m = parse_datetime(datetime);
  return m ? static_cast<long long>(*m) : 0;
}

int int_of(const Json& v, int fallback) { return v.is_number_integer() ? v.get<int>() : fallback; }

std::vector<std::string> strings_of(const Json& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& x : v)
    if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

bool stamp_order(const Entity* a, const Entity* b) {
  if (a->created_stamp() == b->created_stamp()) return a->id < b->id;
  return a->created_stamp() < b->created_stamp();
}

// The request's view from its entity and its steps (any order; sorted here).
RequestView build_request(const State& s, const Entity& r, std::vector<const Entity*> steps, long long now) {
  RequestView v;
  v.id = r.id;
  v.category = r.text("category");
  v.grid_id = r.text("grid");
  v.urgency = int_of(r.get("urgency"), 1);
  v.party_resident_ids = strings_of(r.get("parties"));
  for (const auto& pid : v.party_resident_ids) {
    const Entity* p = s.find("resident", pid);
    const std::string hh = p ? p->text("household") : std::string();
    if (!hh.empty() && std::find(v.party_household_ids.begin(), v.party_household_ids.end(), hh) ==
                           v.party_household_ids.end())
      v.party_household_ids.push_back(hh);
  }
  v.description = r.text("description");
  v.channel = r.text("intake_channel");
  v.contact_name = r.text("contact_name");
  v.recorded_minute = minutes_of(r.text("recorded_at"));
  v.clock_start_minute = v.recorded_minute;
  v.state = "recorded";

  std::sort(steps.begin(), steps.end(), stamp_order);
  for (const Entity* e : steps) {
    StepView st;
    st.id = e->id;
    st.step = e->text("step");
    st.expert_id = e->text("expert");
    st.trainee_id = e->text("trainee");
    st.comment = e->text("comment");
    st.note = e->text("note");
    st.author = e->created_by();
    st.at_minute = minutes_of(e->text("at"));
    st.rating = int_of(e->get("rating"), 0);
    st.state_before = v.state;
    std::string next = state_after(v.state, st.step);
    if (st.step == "assign" && st.expert_id.empty()) next.clear();
    if (st.step == "rate" && st.rating == 0) next.clear();
    st.applied = !next.empty();
    if (st.applied) {
      if (st.step == "assign") {
        v.assignee_expert_id = st.expert_id;
        v.trainee_id = st.trainee_id;
      } else if (st.step == "resolve" || st.step == "not_resolve") {
        // The one who recorded the outcome handled it, even if a reassignment
        // made elsewhere was ordered before it (docs/talent.md).
        if (!st.expert_id.empty()) v.assignee_expert_id = st.expert_id;
        v.outcome = st.step == "resolve" ? "resolved" : "not_resolved";
        v.outcome_minute = st.at_minute;
      } else if (st.step == "rate") {
        v.rating = st.rating;
        v.rating_comment = st.comment;
      } else if (st.step == "reopen") {
        v.outcome.clear();
        v.outcome_minute = 0;
        v.rating = 0;
        v.rating_comment.clear();
        v.clock_start_minute = st.at_minute;
      }
      v.state = next;
    } else {
      ++v.superseded_steps;
    }
    st.state_after = v.state;
    v.steps.push_back(std::move(st));
  }
  v.due_minute = v.clock_start_minute + time_limit_minutes(v.urgency);
  v.overdue = is_open_state(v.state) && now > v.due_minute;
  v.late = v.outcome_minute > v.due_minute;
  return v;
}

}  // namespace

const std::vector<std::string>& field_codes() {
  static const std::vector<std::string> codes = find_kind("expert")->field("fields")->choices;
  return codes;
}

const std::vector<std::string>& state_codes() { return kStates; }

bool is_open_state(const std::string& state) {
  return state == "recorded" || state == "triaged" || state == "assigned" || state == "in_hand";
}

int time_limit_minutes(int urgency) {
  if (urgency >= 3) return 24 * 60;
  if (urgency == 2) return 72 * 60;
  return 7 * 24 * 60;
}

std::string state_after(const std::string& state, const std::string& step) {
  auto in = [&](std::initializer_list<const char*> states) {
    for (const char* s : states)
      if (state == s) return true;
    return false;
  };
  if (step == "triage" && in({"recorded", "triaged"})) return "triaged";
  if (step == "assign" && in({"recorded", "triaged", "assigned", "in_hand"})) return "assigned";
  if (step == "start" && in({"assigned"})) return "in_hand";
  if (step == "resolve" && in({"assigned", "in_hand"})) return "resolved";
  if (step == "not_resolve" && in({"assigned", "in_hand"})) return "not_resolved";
  if (step == "rate" && in({"resolved", "not_resolved", "rated"})) return "rated";
  if (step == "close" && in({"resolved", "not_resolved", "rated"})) return "closed";
  if (step == "reopen" && in({"resolved", "not_resolved", "rated", "closed"})) return "assigned";
  return "";
}

std::vector<std::string> steps_allowed_in(const std::string& state) {
  std::vector<std::string> out;
  for (const char* step : {"triage", "assign", "start", "resolve", "not_resolve", "rate", "close", "reopen"}) {
    if (!state_after(state, step).empty()) out.push_back(step);
  }
  return out;
}

int ExpertView::level_in(const std::string& field) const {
  for (const auto& [f, l] : field_levels)
    if (f == field) return l;
  return 0;
}

const ExpertView* TalentView::expert(const std::string& id) const {
  auto it = std::lower_bound(experts.begin(), experts.end(), id,
                             [](const ExpertView& e, const std::string& k) { return e.id < k; });
  return it != experts.end() && it->id == id ? &*it : nullptr;
}

const RequestView* TalentView::request(const std::string& id) const {
  auto it = std::lower_bound(requests.begin(), requests.end(), id,
                             [](const RequestView& r, const std::string& k) { return r.id < k; });
  return it != requests.end() && it->id == id ? &*it : nullptr;
}

TalentView talent_view(const State& s, long long now_minute) {
  TalentView v;
  std::map<std::string, std::vector<const Entity*>> steps_by_request;
  for (const Entity* e : s.list("request_step")) steps_by_request[e->text("request")].push_back(e);
  for (const Entity* r : s.list("request")) {
    auto it = steps_by_request.find(r->id);
    v.requests.push_back(build_request(s, *r, it == steps_by_request.end() ? std::vector<const Entity*>{} : it->second,
                                       now_minute));
  }
  std::map<std::string, int> open_by_expert, handled_by_expert;
  for (const auto& r : v.requests) {
    if (r.assignee_expert_id.empty()) continue;
    if (r.state == "assigned" || r.state == "in_hand") ++open_by_expert[r.assignee_expert_id];
    if (!r.outcome.empty() || r.state == "closed") {
      ++handled_by_expert[r.assignee_expert_id];
      auto& parties = v.earlier_parties[r.assignee_expert_id];
      parties.insert(r.party_resident_ids.begin(), r.party_resident_ids.end());
    }
  }
  for (const Entity* e : s.list("expert")) {
    ExpertView x;
    x.id = e->id;
    x.name = e->text("name");
    x.grid_id = e->text("grid");
    x.resident_id = e->text("resident");
    if (const Entity* res = x.resident_id.empty() ? nullptr : s.find("resident", x.resident_id))
      x.household_id = res->text("household");
    std::map<std::string, int> levels;
    for (const auto& item : strings_of(e->get("field_levels"))) {
      auto colon = item.find(':');
      if (colon != std::string::npos && colon + 1 < item.size()) levels[item.substr(0, colon)] = item[colon + 1] - '0';
    }
    for (const auto& f : strings_of(e->get("fields"))) {
      auto it = levels.find(f);
      x.field_levels.emplace_back(f, it == levels.end() ? 1 : it->second);
    }
    x.availability = strings_of(e->get("availability"));
    x.capacity = int_of(e->get("max_open_cases"), 0);
    x.open_cases = open_by_expert[e->id];
    x.handled_cases = handled_by_expert[e->id];
    const Json& avail = e->get("available");
    x.available = !(avail.is_boolean() && !avail.get<bool>());
    x.organisation = e->text("organisation");
    v.experts.push_back(std::move(x));
  }
  return v;
}

RequestView request_view(const State& s, const std::string& request_id, long long now_minute) {
  const Entity* r = s.find("request", request_id);
  if (!r || !r->created) return RequestView{};
  std::vector<const Entity*> steps;
  for (const Entity* e : s.referring("request_step", "request", request_id)) {
    if (e->live()) steps.push_back(e);
  }
  return build_request(s, *r, std::move(steps), now_minute);
}

int grid_distance(const State& s, const std::string& a, const std::string& b) {
  constexpr int kUnknown = 4;
  if (a.empty() || b.empty()) return kUnknown;
  if (a == b) return 0;
  std::vector<std::pair<std::string, std::string>> grids;  // (code, id)
  for (const Entity* g : s.list("grid")) grids.emplace_back(g->text("code"), g->id);
  std::sort(grids.begin(), grids.end());
  int pa = -1, pb = -1;
  for (size_t i = 0; i < grids.size(); ++i) {
    if (grids[i].second == a) pa = static_cast<int>(i);
    if (grids[i].second == b) pb = static_cast<int>(i);
  }
  if (pa < 0 || pb < 0) return kUnknown;
  return std::abs(pa - pb);
}

std::vector<TraineeView> trainee_views(const State& s) {
  std::vector<TraineeView> out;
  std::map<std::string, std::vector<const Entity*>> cases;
  for (const Entity* c : s.list("trainee_case")) cases[c->text("trainee")].push_back(c);
  for (const Entity* t : s.list("trainee")) {
    TraineeView v;
    v.id = t->id;
    v.name = t->text("name");
    v.mentor_expert_id = t->text("mentor");
    v.background = t->text("background");
    for (const Entity* c : cases[t->id]) {
      TraineeCaseView cv{c->id, c->text("request"), c->text("case_role"), c->text("what_they_did"),
                         c->text("mentor_remark"), c->text("date")};
      (cv.role == "shadow" ? v.shadowed : v.co_handled)++;
      v.cases.push_back(std::move(cv));
    }
    std::sort(v.cases.begin(), v.cases.end(), [](const TraineeCaseView& a, const TraineeCaseView& b) {
      return a.date != b.date ? a.date < b.date : a.id < b.id;
    });
    out.push_back(std::move(v));
  }
  return out;
}

Figures figures(const TalentView& v) {
  Figures f;
  long long resolve_minutes = 0;
  int resolve_count = 0, rating_sum = 0;
  std::map<std::string, MonthCount> months;
  for (const auto& r : v.requests) {
    ++f.requests;
    ++f.by_state[r.state];
    ++f.by_category[r.category];
    if (is_open_state(r.state)) ++f.open;
    if (r.overdue) ++f.overdue;
    if (r.outcome == "resolved") {
      ++f.resolved;
      if (r.outcome_minute >= r.recorded_minute) {
        resolve_minutes += r.outcome_minute - r.recorded_minute;
        ++resolve_count;
      }
    } else if (r.outcome == "not_resolved") {
      ++f.not_resolved;
    }
    if (r.rating > 0) {
      ++f.rated;
      rating_sum += r.rating;
      if (r.rating >= 4) ++f.satisfied;
    }
    if (r.recorded_minute > 0) {
      const std::string month = format_datetime(r.recorded_minute).substr(0, 7);
      auto& m = months[month];
      m.month = month;
      ++m.by_category[r.category];
      ++m.total;
    }
  }
  if (f.resolved + f.not_resolved > 0)
    f.resolution_rate = static_cast<double>(f.resolved) / (f.resolved + f.not_resolved);
  if (f.rated > 0) {
    f.satisfaction = static_cast<double>(f.satisfied) / f.rated;
    f.average_rating = static_cast<double>(rating_sum) / f.rated;
  }
  if (resolve_count > 0) f.average_hours_to_resolve = resolve_minutes / 60.0 / resolve_count;
  for (auto& [k, m] : months) f.by_month.push_back(std::move(m));
  for (const auto& e : v.experts) {
    if (e.open_cases > 0) f.load.push_back({e.id, {e.open_cases, e.capacity}});
  }
  return f;
}

Json step_fields(const std::string& request_id, const std::string& step, const std::string& at,
                 const std::string& expert_id, const std::string& trainee_id, int rating, const std::string& comment,
                 const std::string& note) {
  Json f{{"request", request_id}, {"step", step}, {"at", at}};
  if (!expert_id.empty()) f["expert"] = expert_id;
  if (!trainee_id.empty()) f["trainee"] = trainee_id;
  if (rating > 0) f["rating"] = rating;
  if (!comment.empty()) f["comment"] = comment;
  if (!note.empty()) f["note"] = note;
  return f;
}

}  // namespace talent

namespace {

Error rule(const std::string& code, const std::string& message) { return make_error(code, message); }

Json merged(const Entity* existing, const Json& changes) { return merged_fields(existing, changes); }
std::string str(const Json& f, const char* name) { return text_field(f, name); }

Status check_parties(const State& s, const Json& f) {
  auto it = f.find("parties");
  if (it == f.end() || !it->is_array()) return ok_status();
  std::set<std::string> seen;
  for (const auto& p : *it) {
    const std::string id = p.is_string() ? p.get<std::string>() : std::string();
    const Entity* r = s.find("resident", id);
    if (!r || !r->live())
      return rule("unknown_party", "A party of a request must be a resident on record; \"" + id + "\" is not.");
    if (!seen.insert(id).second) return rule("duplicate_party", "The resident \"" + id + "\" is named twice as a party.");
  }
  return ok_status();
}

Status check_field_levels(const Json& f) {
  auto it = f.find("field_levels");
  if (it == f.end() || !it->is_array()) return ok_status();
  std::vector<std::string> fields;
  if (auto fi = f.find("fields"); fi != f.end() && fi->is_array())
    for (const auto& x : *fi)
      if (x.is_string()) fields.push_back(x.get<std::string>());
  std::set<std::string> seen;
  for (const auto& item : *it) {
    if (!item.is_string()) continue;
    const std::string s = item.get<std::string>();
    const std::string code = s.substr(0, s.find(':'));
    if (std::find(fields.begin(), fields.end(), code) == fields.end())
      return rule("level_without_field", "The level \"" + s + "\" names a field the expert does not work in.");
    if (!seen.insert(code).second) return rule("duplicate_level", "The field \"" + code + "\" has two levels.");
  }
  return ok_status();
}

// Only what cannot become false through another device's concurrent change:
// the step's own shape. Whether it applies in the request's state is decided
// by the replay (talent.h), never by refusing it: a server that refused an
// offline step would lose it from the history.
Status check_step(const Json& f) {
  const std::string step = str(f, "step");
  if (step == "assign" && str(f, "expert").empty())
    return rule("assign_needs_expert", "Assigning a request names the expert who takes it.");
  const bool has_rating = f.contains("rating") && f["rating"].is_number_integer();
  if (step == "rate" && !has_rating) return rule("rate_needs_rating", "A rating step carries the rating 1-5.");
  if (step != "rate" && has_rating) return rule("rating_only_when_rating", "Only a rating step carries a rating.");
  if (!str(f, "trainee").empty() && step != "assign")
    return rule("trainee_only_when_assigning", "A trainee is attached to a case when it is assigned.");
  return ok_status();
}

}  // namespace

void register_talent_rules(RuleBook& book) {
  book.add("request", {"create", "edit"},
           [](const RuleInput& in) -> Status { return check_parties(in.state, in.changes); });
  book.add("expert", {"create", "edit"},
           [](const RuleInput& in) -> Status { return check_field_levels(merged(in.existing, in.changes)); });
  book.add("request_step", {"create"}, [](const RuleInput& in) -> Status { return check_step(in.changes); });
  book.add("request_step", {"edit", "archive", "restore"}, [](const RuleInput&) -> Status {
    return rule("step_is_history",
                "A step of a request is part of its history and cannot be changed or removed; record a new step "
                "(e.g. reopen or reassign) instead.");
  });
}

}  // namespace dh
