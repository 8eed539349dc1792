// Tally: see tally.h. (First commit: the interface only; the counting follows.)
#include "core/tally.h"

namespace dh::tally {

std::string Note::param(const std::string& n) const {
  for (const auto& p : params)
    if (p.first == n) return p.second;
  return "";
}

TallyResult tally(const PollSpec& spec, const std::vector<Ballot>&) {
  TallyResult r;
  r.method = spec.method;
  r.outcome = "not_implemented";
  r.rules = spec;
  return r;
}

}  // namespace dh::tally
