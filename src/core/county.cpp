#include "core/county.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/talent.h"
#include "core/volunteering.h"

namespace dh {

double CountyFigures::resolution_rate() const {
  const int64_t with_outcome = requests_resolved + requests_not_resolved;
  return with_outcome > 0 ? static_cast<double>(requests_resolved) / static_cast<double>(with_outcome) : 0.0;
}

CountyFigures& CountyFigures::operator+=(const CountyFigures& o) {
  households += o.households;
  households_taking_part += o.households_taking_part;
  volunteer_minutes += o.volunteer_minutes;
  verified_minutes += o.verified_minutes;
  requests += o.requests;
  requests_resolved += o.requests_resolved;
  requests_not_resolved += o.requests_not_resolved;
  meetings += o.meetings;
  meetings_held += o.meetings_held;
  return *this;
}

CountyFigures county_figures(const State& state) {
  CountyFigures f;
  f.households = static_cast<int64_t>(state.count("household"));

  // Volunteer -> live household (through a live resident).
  std::unordered_map<std::string, std::string> household_of;
  for (const Entity* v : state.list("volunteer")) {
    const Entity* r = state.find("resident", v->text("resident"));
    if (!r || r->archived()) continue;
    const Entity* hh = state.find("household", r->text("household"));
    if (hh && hh->live()) household_of[v->id] = hh->id;
  }
  std::unordered_set<std::string> taking_part;
  for (const LedgerLine& l : hours_ledger(state)) {
    f.volunteer_minutes += l.minutes;
    if (l.verified) f.verified_minutes += l.minutes;
    if (l.minutes <= 0) continue;
    auto hh = household_of.find(l.volunteer);
    if (hh != household_of.end()) taking_part.insert(hh->second);
  }

  // The outcome counts do not depend on the time (only "overdue" would).
  const talent::TalentView view = talent::talent_view(state, 0);
  const talent::Figures tf = talent::figures(view);
  f.requests = tf.requests;
  f.requests_resolved = tf.resolved;
  f.requests_not_resolved = tf.not_resolved;
  for (const auto& r : view.requests) {
    for (const auto& hh_id : r.party_household_ids) {
      const Entity* hh = state.find("household", hh_id);
      if (hh && hh->live()) taking_part.insert(hh_id);
    }
  }
  f.households_taking_part = static_cast<int64_t>(taking_part.size());

  for (const Entity* m : state.list("meeting")) {
    ++f.meetings;
    if (m->text("meeting_state") == "adjourned") ++f.meetings_held;
  }
  return f;
}

Json county_figures_json(const CountyFigures& f) {
  return Json{{"households", f.households},
              {"households_taking_part", f.households_taking_part},
              {"volunteer_minutes", f.volunteer_minutes},
              {"verified_minutes", f.verified_minutes},
              {"requests", f.requests},
              {"requests_resolved", f.requests_resolved},
              {"requests_not_resolved", f.requests_not_resolved},
              {"resolution_rate", f.resolution_rate()},
              {"meetings", f.meetings},
              {"meetings_held", f.meetings_held}};
}

}  // namespace dh
