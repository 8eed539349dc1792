// The record-based cost model of matching (see matching.h, docs/matching.md):
// shortlists, the week's batch, the proposal, and the "records" problem form.
#include <algorithm>
#include <map>
#include <set>

#include "core/matching.h"

namespace dh::matching {

namespace {

Error bad(const std::string& where, const std::string& what) {
  return make_error("bad_matching_problem", where + ": " + what);
}

std::string at(const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

bool contains(const std::vector<std::string>& list, const std::string& x) {
  return !x.empty() && std::find(list.begin(), list.end(), x) != list.end();
}

int capacity_of(const talent::ExpertView& e, const CostModel& m) {
  return e.capacity > 0 ? e.capacity : m.default_capacity;
}

int earlier_cases(const talent::TalentView& v, const talent::ExpertView& e, const talent::RequestView& r) {
  auto it = v.earlier_parties.find(e.id);
  if (it == v.earlier_parties.end()) return 0;
  int n = 0;
  for (const auto& p : r.party_resident_ids) n += it->second.count(p) ? 1 : 0;
  return n;
}

// The shortlist of one request. `room_for_assignee`: the current assignee
// stays admissible when full (reassigning away from them is the question).
Shortlist build_shortlist(const talent::TalentView& v, const talent::RequestView& r, const GridDistance& distance,
                          const CostModel& m, bool room_for_assignee) {
  Shortlist out;
  out.request_id = r.id;
  for (const auto& e : v.experts) {
    const int level = e.level_in(r.category);
    if (level <= 0) continue;
    if (contains(r.party_resident_ids, e.resident_id)) {
      ++out.filtered_party;
      continue;
    }
    if (contains(r.party_household_ids, e.household_id)) {
      ++out.filtered_household;
      continue;
    }
    if (!e.available) {
      ++out.filtered_unavailable;
      continue;
    }
    const int cap = capacity_of(e, m);
    if (e.open_cases >= cap && !(room_for_assignee && e.id == r.assignee_expert_id)) {
      ++out.filtered_full;
      continue;
    }
    Candidate c;
    c.expert_id = e.id;
    c.level = level;
    c.distance = std::max(0, distance(e.grid_id, r.grid_id));
    c.open_cases = e.open_cases;
    c.capacity = cap;
    c.earlier_cases = earlier_cases(v, e, r);
    c.weekly_slots = !e.availability.empty();
    int64_t cost = (3 - std::min(level, 3)) * m.level_step + c.distance * m.distance_step;
    c.reasons.push_back({"match.reason.field_level", {r.category, std::to_string(level)}});
    c.reasons.push_back(c.distance == 0 ? Reason{"match.reason.same_grid", {}}
                                        : Reason{"match.reason.grid_distance", {std::to_string(c.distance)}});
    c.reasons.push_back({"match.reason.load", {std::to_string(c.open_cases), std::to_string(cap)}});
    if (c.weekly_slots) {
      c.reasons.push_back({"match.reason.available_this_week", {std::to_string(e.availability.size())}});
    } else {
      cost += m.no_weekly_slots;
      c.reasons.push_back({"match.reason.no_weekly_slots", {}});
    }
    if (r.urgency >= 3 && level < 3) {
      cost += m.urgent_below_top;
      c.reasons.push_back({"match.reason.urgent_below_top", {std::to_string(level)}});
    }
    if (c.earlier_cases > 0) {
      cost -= m.earlier_bonus;
      c.reasons.push_back({"match.reason.earlier_cases", {std::to_string(c.earlier_cases)}});
    }
    c.cost = cost;
    out.ranked.push_back(std::move(c));
  }
  auto note = [&](const char* code, int n) {
    if (n > 0) out.filtered.push_back({code, {std::to_string(n)}});
  };
  note("match.reason.filtered_party", out.filtered_party);
  note("match.reason.filtered_household", out.filtered_household);
  note("match.reason.filtered_unavailable", out.filtered_unavailable);
  note("match.reason.filtered_full", out.filtered_full);
  return out;
}

int64_t next_case_cost(const Candidate& c, const CostModel& m) { return m.load_step * c.open_cases; }

}  // namespace

Result<Shortlist> shortlist(const talent::TalentView& view, const std::string& request_id, const GridDistance& distance,
                            const CostModel& model) {
  const talent::RequestView* r = view.request(request_id);
  if (!r) return make_error("no_such_request", "no request \"" + request_id + "\"");
  Shortlist s = build_shortlist(view, *r, distance, model, /*room_for_assignee=*/true);
  // One request: the pair cost plus what this expert's next case costs.
  for (auto& c : s.ranked) c.cost += next_case_cost(c, model);
  std::stable_sort(s.ranked.begin(), s.ranked.end(), [](const Candidate& a, const Candidate& b) {
    return a.cost != b.cost ? a.cost < b.cost : a.expert_id < b.expert_id;
  });
  return s;
}

Result<Shortlist> shortlist(const State& state, const talent::TalentView& view, const std::string& request_id,
                            const CostModel& model) {
  return shortlist(view, request_id,
                   [&state](const std::string& a, const std::string& b) { return talent::grid_distance(state, a, b); },
                   model);
}

RecordBatch batch_from_view(const talent::TalentView& view, const GridDistance& distance, const CostModel& model) {
  RecordBatch out;
  std::map<std::string, int> expert_index;
  for (const auto& e : view.experts) {
    if (!e.available) continue;
    const int room = capacity_of(e, model) - e.open_cases;
    if (room <= 0) continue;
    BatchExpert be;
    for (int k = 0; k < room; ++k) be.extra_costs.push_back(model.load_step * (e.open_cases + k));
    expert_index[e.id] = static_cast<int>(out.batch.expert_ids.size());
    out.batch.expert_ids.push_back(e.id);
    out.batch.problem.experts.push_back(std::move(be));
  }
  for (const auto& r : view.requests) {
    if (r.state != "recorded" && r.state != "triaged") continue;
    const int ri = static_cast<int>(out.batch.request_ids.size());
    out.batch.request_ids.push_back(r.id);
    Shortlist s = build_shortlist(view, r, distance, model, /*room_for_assignee=*/false);
    for (const auto& c : s.ranked) {
      auto it = expert_index.find(c.expert_id);
      if (it != expert_index.end()) out.batch.problem.arcs.push_back({ri, it->second, c.cost});
    }
    out.per_request.push_back(std::move(s));
  }
  out.batch.problem.request_count = static_cast<int>(out.batch.request_ids.size());
  return out;
}

Result<BatchProposal> propose_from_batch(const RecordBatch& rb, const std::vector<talent::TraineeView>& trainees) {
  auto solved = solve_batch(rb.batch.problem);
  if (!solved) return solved.error();
  BatchProposal p;
  p.assigned = solved->assigned;
  p.total_cost = solved->total_cost;
  // Trainees by mentor, fewest case records first (then id): each goes along once.
  std::map<std::string, std::vector<const talent::TraineeView*>> by_mentor;
  for (const auto& t : trainees)
    if (!t.mentor_expert_id.empty()) by_mentor[t.mentor_expert_id].push_back(&t);
  for (auto& [mentor, list] : by_mentor)
    std::stable_sort(list.begin(), list.end(), [](const talent::TraineeView* a, const talent::TraineeView* b) {
      return a->cases.size() != b->cases.size() ? a->cases.size() < b->cases.size() : a->id < b->id;
    });
  std::set<std::string> trainee_used;
  for (size_t r = 0; r < rb.batch.request_ids.size(); ++r) {
    const int e = solved->expert_of_request[r];
    if (e < 0) {
      p.unassigned.push_back(rb.batch.request_ids[r]);
      continue;
    }
    ProposedAssignment a;
    a.request_id = rb.batch.request_ids[r];
    a.expert_id = rb.batch.expert_ids[static_cast<size_t>(e)];
    for (const auto& c : rb.per_request[r].ranked)
      if (c.expert_id == a.expert_id) a.reasons = c.reasons;
    auto it = by_mentor.find(a.expert_id);
    if (it != by_mentor.end()) {
      for (const auto* t : it->second) {
        if (trainee_used.insert(t->id).second) {
          a.trainee_id = t->id;
          a.reasons.push_back({"match.reason.trainee_with_mentor", {}});
          break;
        }
      }
    }
    p.assignments.push_back(std::move(a));
  }
  return p;
}

Result<BatchProposal> propose_batch(const talent::TalentView& view, const std::vector<talent::TraineeView>& trainees,
                                    const GridDistance& distance, const CostModel& model) {
  return propose_from_batch(batch_from_view(view, distance, model), trainees);
}

Result<BatchProposal> propose_batch(const State& state, long long now_minute, const CostModel& model) {
  const talent::TalentView view = talent::talent_view(state, now_minute);
  return propose_batch(view, talent::trainee_views(state),
                       [&state](const std::string& a, const std::string& b) { return talent::grid_distance(state, a, b); },
                       model);
}

std::vector<Command> proposal_commands(const BatchProposal& proposal, const std::string& when) {
  std::vector<Command> out;
  for (const auto& a : proposal.assignments)
    out.push_back(CreateEntity{"request_step", talent::step_fields(a.request_id, "assign", when, a.expert_id, a.trainee_id), ""});
  return out;
}

// ---- The "records" form ----------------------------------------------------

int RecordsProblem::distance(const std::string& a, const std::string& b) const {
  auto pa = std::find(grid_order.begin(), grid_order.end(), a), pb = std::find(grid_order.begin(), grid_order.end(), b);
  if (a.empty() || b.empty() || pa == grid_order.end() || pb == grid_order.end()) return 4;
  return static_cast<int>(std::abs(pa - pb));
}

namespace {

Result<std::string> text_field(const Json& o, const char* key, const std::string& where, bool required) {
  if (!o.contains(key)) {
    if (required) return bad(where + "." + key, "is missing");
    return std::string();
  }
  if (!o[key].is_string() || (required && o[key].get<std::string>().empty()))
    return bad(where + "." + key, "must be a non-empty text");
  return o[key].get<std::string>();
}

Result<int> int_field(const Json& o, const char* key, const std::string& where, int lo, int hi, int fallback) {
  if (!o.contains(key)) return fallback;
  if (!o[key].is_number_integer() || o[key].get<int64_t>() < lo || o[key].get<int64_t>() > hi)
    return bad(where + "." + key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(o[key].get<int64_t>());
}

Result<std::vector<std::string>> id_list(const Json& o, const char* key, const std::string& where,
                                         const std::set<std::string>* known, const char* what) {
  std::vector<std::string> out;
  if (!o.contains(key)) return out;
  if (!o[key].is_array()) return bad(where + "." + key, "must be a list");
  for (size_t i = 0; i < o[key].size(); ++i) {
    const Json& x = o[key][i];
    const std::string w = where + "." + at(key, i);
    if (!x.is_string() || x.get<std::string>().empty()) return bad(w, "must be a non-empty text");
    if (known && !known->count(x.get<std::string>())) return bad(w, std::string("no ") + what + " " + x.dump());
    out.push_back(x.get<std::string>());
  }
  return out;
}

}  // namespace

Result<RecordsProblem> records_problem_from_json(const Json& j) {
  if (!j.is_object()) return bad("the file", "it must be one JSON object");
  if (!j.contains("form") || j["form"] != "records") return bad("form", "this reader takes the \"records\" form");
  for (const char* key : {"grids", "households", "residents", "experts", "requests"})
    if (!j.contains(key) || !j[key].is_array()) return bad(key, "must be a list");
  RecordsProblem p;
  std::set<std::string> grids, households, residents, experts, requests;
  auto fresh = [](std::set<std::string>& seen, const std::string& id, const std::string& where) -> Status {
    if (!seen.insert(id).second) return bad(where, "the id \"" + id + "\" is listed twice");
    return ok_status();
  };
  for (size_t i = 0; i < j["grids"].size(); ++i) {
    const Json& g = j["grids"][i];
    if (!g.is_string() || g.get<std::string>().empty()) return bad(at("grids", i), "must be a grid id (non-empty text)");
    if (Status s = fresh(grids, g.get<std::string>(), at("grids", i)); !s) return s.error();
    p.grid_order.push_back(g.get<std::string>());
  }
  for (size_t i = 0; i < j["households"].size(); ++i) {
    const Json& h = j["households"][i];
    const std::string w = at("households", i);
    if (!h.is_object()) return bad(w, "must be an object");
    auto id = text_field(h, "id", w, true);
    if (!id) return id.error();
    if (Status s = fresh(households, id.value(), w + ".id"); !s) return s.error();
  }
  std::map<std::string, std::string> household_of;
  for (size_t i = 0; i < j["residents"].size(); ++i) {
    const Json& r = j["residents"][i];
    const std::string w = at("residents", i);
    if (!r.is_object()) return bad(w, "must be an object");
    auto id = text_field(r, "id", w, true);
    if (!id) return id.error();
    if (Status s = fresh(residents, id.value(), w + ".id"); !s) return s.error();
    auto hh = text_field(r, "household", w, false);
    if (!hh) return hh.error();
    if (!hh.value().empty() && !households.count(hh.value()))
      return bad(w + ".household", "no household \"" + hh.value() + "\" in \"households\"");
    household_of[id.value()] = hh.value();
  }
  const auto& fields = talent::field_codes();
  for (size_t i = 0; i < j["experts"].size(); ++i) {
    const Json& e = j["experts"][i];
    const std::string w = at("experts", i);
    if (!e.is_object()) return bad(w, "must be an object");
    talent::ExpertView x;
    auto id = text_field(e, "id", w, true);
    if (!id) return id.error();
    if (Status s = fresh(experts, id.value(), w + ".id"); !s) return s.error();
    x.id = id.value();
    auto name = text_field(e, "name", w, false);
    if (!name) return name.error();
    x.name = name.value();
    auto grid = text_field(e, "grid", w, false);
    if (!grid) return grid.error();
    if (!grid.value().empty() && !grids.count(grid.value())) return bad(w + ".grid", "no grid \"" + grid.value() + "\" in \"grids\"");
    x.grid_id = grid.value();
    auto res = text_field(e, "resident", w, false);
    if (!res) return res.error();
    if (!res.value().empty() && !residents.count(res.value()))
      return bad(w + ".resident", "no resident \"" + res.value() + "\" in \"residents\"");
    x.resident_id = res.value();
    x.household_id = x.resident_id.empty() ? "" : household_of[x.resident_id];
    if (!e.contains("field_levels") || !e["field_levels"].is_object() || e["field_levels"].empty())
      return bad(w + ".field_levels", "must be an object of field: level (1 to 3), at least one");
    for (auto it = e["field_levels"].begin(); it != e["field_levels"].end(); ++it) {
      const std::string fw = w + ".field_levels." + it.key();
      if (std::find(fields.begin(), fields.end(), it.key()) == fields.end()) return bad(fw, "is not a known field");
      if (!it.value().is_number_integer() || it.value().get<int64_t>() < 1 || it.value().get<int64_t>() > 3)
        return bad(fw, "the level must be 1, 2 or 3");
      x.field_levels.push_back({it.key(), static_cast<int>(it.value().get<int64_t>())});
    }
    auto av = id_list(e, "availability", w, nullptr, "");
    if (!av) return av.error();
    x.availability = av.value();
    auto cap = int_field(e, "capacity", w, 0, 1000, 0);
    if (!cap) return cap.error();
    x.capacity = cap.value();
    auto open = int_field(e, "open_cases", w, 0, 1000, 0);
    if (!open) return open.error();
    x.open_cases = open.value();
    if (e.contains("available")) {
      if (!e["available"].is_boolean()) return bad(w + ".available", "must be true or false");
      x.available = e["available"].get<bool>();
    }
    auto earlier = id_list(e, "earlier_parties", w, &residents, "resident");
    if (!earlier) return earlier.error();
    if (!earlier.value().empty()) p.view.earlier_parties[x.id].insert(earlier.value().begin(), earlier.value().end());
    p.view.experts.push_back(std::move(x));
  }
  for (size_t i = 0; i < j["requests"].size(); ++i) {
    const Json& r = j["requests"][i];
    const std::string w = at("requests", i);
    if (!r.is_object()) return bad(w, "must be an object");
    talent::RequestView x;
    auto id = text_field(r, "id", w, true);
    if (!id) return id.error();
    if (Status s = fresh(requests, id.value(), w + ".id"); !s) return s.error();
    x.id = id.value();
    auto cat = text_field(r, "category", w, true);
    if (!cat) return cat.error();
    if (std::find(fields.begin(), fields.end(), cat.value()) == fields.end())
      return bad(w + ".category", "\"" + cat.value() + "\" is not a known field");
    x.category = cat.value();
    auto grid = text_field(r, "grid", w, false);
    if (!grid) return grid.error();
    if (!grid.value().empty() && !grids.count(grid.value())) return bad(w + ".grid", "no grid \"" + grid.value() + "\" in \"grids\"");
    x.grid_id = grid.value();
    auto urg = int_field(r, "urgency", w, 1, 3, 1);
    if (!urg) return urg.error();
    x.urgency = urg.value();
    auto st = text_field(r, "state", w, false);
    if (!st) return st.error();
    x.state = st.value().empty() ? "recorded" : st.value();
    const auto& states = talent::state_codes();
    if (std::find(states.begin(), states.end(), x.state) == states.end())
      return bad(w + ".state", "\"" + x.state + "\" is not a request state");
    auto parties = id_list(r, "parties", w, &residents, "resident");
    if (!parties) return parties.error();
    x.party_resident_ids = parties.value();
    for (const auto& pr : x.party_resident_ids)
      if (!household_of[pr].empty() && !contains(x.party_household_ids, household_of[pr]))
        x.party_household_ids.push_back(household_of[pr]);
    p.view.requests.push_back(std::move(x));
  }
  if (j.contains("trainees")) {
    if (!j["trainees"].is_array()) return bad("trainees", "must be a list");
    std::set<std::string> trainee_ids;
    for (size_t i = 0; i < j["trainees"].size(); ++i) {
      const Json& t = j["trainees"][i];
      const std::string w = at("trainees", i);
      if (!t.is_object()) return bad(w, "must be an object");
      talent::TraineeView x;
      auto id = text_field(t, "id", w, true);
      if (!id) return id.error();
      if (Status s = fresh(trainee_ids, id.value(), w + ".id"); !s) return s.error();
      x.id = id.value();
      auto mentor = text_field(t, "mentor", w, true);
      if (!mentor) return mentor.error();
      if (!experts.count(mentor.value())) return bad(w + ".mentor", "no expert \"" + mentor.value() + "\" in \"experts\"");
      x.mentor_expert_id = mentor.value();
      auto n = int_field(t, "cases", w, 0, 100000, 0);
      if (!n) return n.error();
      x.cases.resize(static_cast<size_t>(n.value()));
      p.trainees.push_back(std::move(x));
    }
  }
  // The views' contract: sorted by id.
  std::sort(p.view.experts.begin(), p.view.experts.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(p.view.requests.begin(), p.view.requests.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return p;
}

Json proposal_to_json(const BatchProposal& proposal, const RecordBatch& batch) {
  auto reasons_json = [](const std::vector<Reason>& rs) {
    Json out = Json::array();
    for (const auto& r : rs) out.push_back({{"code", r.code}, {"params", r.params}});
    return out;
  };
  Json assignments = Json::array();
  std::map<std::string, const ProposedAssignment*> by_request;
  for (const auto& a : proposal.assignments) by_request[a.request_id] = &a;
  for (size_t r = 0; r < batch.batch.request_ids.size(); ++r) {
    const std::string& id = batch.batch.request_ids[r];
    const Shortlist& s = batch.per_request[r];
    Json item{{"request", id}, {"filtered", reasons_json(s.filtered)}, {"admissible", s.ranked.size()}};
    auto it = by_request.find(id);
    if (it == by_request.end()) {
      item["expert"] = nullptr;
    } else {
      item["expert"] = it->second->expert_id;
      item["trainee"] = it->second->trainee_id.empty() ? Json(nullptr) : Json(it->second->trainee_id);
      item["reasons"] = reasons_json(it->second->reasons);
    }
    assignments.push_back(std::move(item));
  }
  return Json{{"assignments", assignments},
              {"assigned", proposal.assigned},
              {"unassigned", static_cast<int>(batch.batch.request_ids.size()) - proposal.assigned},
              {"total_cost", proposal.total_cost}};
}

}  // namespace dh::matching
