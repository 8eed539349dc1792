// The JSON form of polls and tally results: see tally_json.h and
// docs/voting.md ("File format"). Every error names the entry at fault by its
// path in the file, e.g. `ballots[12].ranks[2]`.
#include "core/tally_json.h"

#include <algorithm>
#include <map>

namespace dh::tally {

namespace {

Error bad(const std::string& where, const std::string& what) {
  return make_error("bad_poll_file", where + ": " + what);
}

template <class E, size_t N>
bool enum_from(const Json& j, const E (&values)[N], E* out) {
  if (!j.is_string()) return false;
  for (E v : values)
    if (j.get<std::string>() == name(v)) {
      *out = v;
      return true;
    }
  return false;
}

template <class E, size_t N>
std::string enum_list(const E (&values)[N]) {
  std::string s;
  for (E v : values) s += std::string(s.empty() ? "" : ", ") + name(v);
  return s;
}

const Method kMethods[] = {Method::yes_no_abstain, Method::single_choice, Method::multiple_choice,
                           Method::ranked_choice};
const ThresholdKind kKinds[] = {ThresholdKind::none, ThresholdKind::simple_majority, ThresholdKind::two_thirds,
                                ThresholdKind::three_quarters, ThresholdKind::fraction};
const ThresholdBase kBases[] = {ThresholdBase::votes_cast, ThresholdBase::valid_ballots, ThresholdBase::present,
                                ThresholdBase::entitled};
const QuorumBase kQuorumBases[] = {QuorumBase::present, QuorumBase::ballots_cast};
const OvervoteRule kOvervotes[] = {OvervoteRule::exhaust, OvervoteRule::skip_rank,
                                   OvervoteRule::exhaust_if_multiple_continuing};
const DuplicateRule kDuplicates[] = {DuplicateRule::ignore, DuplicateRule::count_as_skip, DuplicateRule::exhaust};
const BlankBallotRule kBlanks[] = {BlankBallotRule::invalid, BlankBallotRule::exhausted};
const EliminationRule kEliminations[] = {EliminationRule::single, EliminationRule::batch};
const StopRule kStops[] = {StopRule::majority, StopRule::two_remaining};
const TieBreak kTieBreaks[] = {TieBreak::previous_rounds_then_lot, TieBreak::first_round_then_lot, TieBreak::lot,
                               TieBreak::none};

const char* const kYesNoLabels[] = {"yes", "no", "abstain"};

// Reads an optional enum member `key` of object `o`.
template <class E, size_t N>
Status read_enum(const Json& o, const char* key, const std::string& where, const E (&values)[N], E* out) {
  auto it = o.find(key);
  if (it == o.end()) return ok_status();
  if (!enum_from(*it, values, out))
    return bad(where + "." + key, "must be one of " + enum_list(values));
  return ok_status();
}

Status read_int(const Json& o, const char* key, const std::string& where, int64_t lo, int64_t hi, int64_t* out) {
  auto it = o.find(key);
  if (it == o.end()) return ok_status();
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
    return bad(where + "." + key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  *out = it->get<int64_t>();
  return ok_status();
}

Status read_bool(const Json& o, const char* key, const std::string& where, bool* out) {
  auto it = o.find(key);
  if (it == o.end()) return ok_status();
  if (!it->is_boolean()) return bad(where + "." + key, "must be true or false");
  *out = it->get<bool>();
  return ok_status();
}

constexpr int64_t kBig = int64_t{1} << 40;

#define DH_TRY(expr)            \
  do {                          \
    Status _s = (expr);         \
    if (!_s) return _s.error(); \
  } while (0)

// An option given by label (or index when by_index).
struct OptionIndex {
  std::map<std::string, int> by_label;
  bool by_index = false;
  int n = 0;
  bool find(const Json& j, int* out) const {
    if (by_index) {
      if (!j.is_number_integer() || j.get<int64_t>() < 0 || j.get<int64_t>() >= n) return false;
      *out = static_cast<int>(j.get<int64_t>());
      return true;
    }
    if (!j.is_string()) return false;
    auto it = by_label.find(j.get<std::string>());
    if (it == by_label.end()) return false;
    *out = it->second;
    return true;
  }
};

// A rank of a ranked ballot: a label, null/"" (skipped) or a list (an
// overvote; [] = an overvote whose candidates were not recorded).
Status read_rank(const Json& j, const OptionIndex& ix, const std::string& where, std::vector<int>* out) {
  out->clear();
  if (j.is_null() || (j.is_string() && j.get<std::string>().empty())) return ok_status();
  int o = 0;
  if (j.is_array()) {
    if (j.empty()) {
      *out = {kUnknownOption, kUnknownOption};
      return ok_status();
    }
    for (size_t k = 0; k < j.size(); ++k) {
      if (!ix.find(j[k], &o)) return bad(where + "[" + std::to_string(k) + "]", "is not one of the options");
      if (std::find(out->begin(), out->end(), o) == out->end()) out->push_back(o);
    }
    if (j.size() > 1 && out->size() == 1) out->push_back(o);  // the same name twice at one rank: still an overvote
    return ok_status();
  }
  if (!ix.find(j, &o)) return bad(where, "is not one of the options");
  out->push_back(o);
  return ok_status();
}

Status read_ballot(const Json& j, Method method, const OptionIndex& ix, const std::string& where, Ballot* b) {
  const bool ranked = method == Method::ranked_choice;
  const Json* body = &j;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "marks" && it.key() != "ranks" && it.key() != "ranking" && it.key() != "count" &&
          it.key() != "spoilt")
        return bad(where + "." + it.key(), "is not a ballot field (marks, ranks, count, spoilt)");
    DH_TRY(read_int(j, "count", where, 0, kBig, &b->count));
    DH_TRY(read_bool(j, "spoilt", where, &b->spoilt));
    const char* key = ranked ? (j.contains("ranking") ? "ranking" : "ranks") : "marks";
    auto it = j.find(key);
    if (it == j.end()) {
      if (b->spoilt) return ok_status();
      return bad(where, std::string("has no \"") + (ranked ? "ranks" : "marks") + "\"");
    }
    body = &*it;
  }
  if (ranked) {
    if (!body->is_array()) return bad(where, "a ranked ballot is a list of ranks");
    b->ranks.resize(body->size());
    for (size_t k = 0; k < body->size(); ++k)
      DH_TRY(read_rank((*body)[k], ix, where + "[" + std::to_string(k) + "]", &b->ranks[k]));
    return ok_status();
  }
  int o = 0;
  if (body->is_array()) {
    for (size_t k = 0; k < body->size(); ++k) {
      if (!ix.find((*body)[k], &o))
        return bad(where + "[" + std::to_string(k) + "]", "is not one of the options");
      b->marks.push_back(o);
    }
    return ok_status();
  }
  if (body->is_null()) return ok_status();  // a blank ballot
  if (!ix.find(*body, &o)) return bad(where, "is not one of the options");
  b->marks.push_back(o);
  return ok_status();
}

}  // namespace

Result<PollSpec> spec_from_json(const Json& j) {
  if (!j.is_object()) return bad("the file", "must be a JSON object");
  PollSpec s;
  if (!j.contains("method")) return bad("method", "is missing (one of " + enum_list(kMethods) + ")");
  if (!enum_from(j["method"], kMethods, &s.method))
    return bad("method", "must be one of " + enum_list(kMethods));
  if (j.contains("options")) {
    const Json& o = j["options"];
    if (!o.is_array()) return bad("options", "must be a list of labels");
    for (size_t k = 0; k < o.size(); ++k) {
      if (!o[k].is_string() || o[k].get<std::string>().empty())
        return bad("options[" + std::to_string(k) + "]", "must be a non-empty label");
      if (std::find(s.options.begin(), s.options.end(), o[k].get<std::string>()) != s.options.end())
        return bad("options[" + std::to_string(k) + "]", "repeats the label \"" + o[k].get<std::string>() + "\"");
      s.options.push_back(o[k].get<std::string>());
    }
  }
  if (s.method == Method::yes_no_abstain) {
    if (s.options.empty()) s.options = {kYesNoLabels[0], kYesNoLabels[1], kYesNoLabels[2]};
    else if (s.options.size() != 3) return bad("options", "a yes_no_abstain poll has three options: yes, no, abstain");
  } else if (s.options.empty()) {
    return bad("options", "is missing or empty");
  }
  int64_t v = 0;
  v = s.max_choices;
  DH_TRY(read_int(j, "max_choices", "poll", 0, kBig, &v));
  s.max_choices = static_cast<int>(v);
  v = s.seats;
  DH_TRY(read_int(j, "seats", "poll", 1, static_cast<int64_t>(s.options.size()), &v));
  s.seats = static_cast<int>(v);
  DH_TRY(read_int(j, "entitled", "poll", -1, kBig, &s.entitled));
  DH_TRY(read_int(j, "present", "poll", -1, kBig, &s.present));
  DH_TRY(read_enum(j, "tie_break", "poll", kTieBreaks, &s.tie_break));
  if (j.contains("threshold")) {
    const Json& t = j["threshold"];
    if (t.is_string()) {
      if (!enum_from(t, kKinds, &s.threshold.kind)) return bad("threshold", "must be one of " + enum_list(kKinds));
    } else if (t.is_object()) {
      DH_TRY(read_enum(t, "kind", "threshold", kKinds, &s.threshold.kind));
      DH_TRY(read_enum(t, "base", "threshold", kBases, &s.threshold.base));
      DH_TRY(read_int(t, "numerator", "threshold", 0, kBig, &s.threshold.numerator));
      DH_TRY(read_int(t, "denominator", "threshold", 1, kBig, &s.threshold.denominator));
      DH_TRY(read_bool(t, "strict", "threshold", &s.threshold.strict));
    } else {
      return bad("threshold", "must be a kind or an object {kind, base, numerator, denominator, strict}");
    }
  } else if (s.method != Method::yes_no_abstain) {
    s.threshold.kind = ThresholdKind::none;  // elections: plurality unless the file says otherwise
  }
  if (j.contains("quorum")) {
    const Json& q = j["quorum"];
    if (!q.is_object()) return bad("quorum", "must be an object {base, minimum, numerator, denominator, strict}");
    s.quorum.required = true;
    DH_TRY(read_enum(q, "base", "quorum", kQuorumBases, &s.quorum.base));
    DH_TRY(read_int(q, "minimum", "quorum", 0, kBig, &s.quorum.minimum));
    DH_TRY(read_int(q, "numerator", "quorum", 0, kBig, &s.quorum.numerator));
    DH_TRY(read_int(q, "denominator", "quorum", 1, kBig, &s.quorum.denominator));
    DH_TRY(read_bool(q, "strict", "quorum", &s.quorum.strict));
  }
  if (j.contains("ranked")) {
    const Json& r = j["ranked"];
    if (!r.is_object()) return bad("ranked", "must be an object of rule options");
    DH_TRY(read_enum(r, "overvote", "ranked", kOvervotes, &s.ranked.overvote));
    DH_TRY(read_enum(r, "duplicate", "ranked", kDuplicates, &s.ranked.duplicate));
    DH_TRY(read_enum(r, "blank_ballot", "ranked", kBlanks, &s.ranked.blank_ballot));
    DH_TRY(read_enum(r, "elimination", "ranked", kEliminations, &s.ranked.elimination));
    DH_TRY(read_enum(r, "stop", "ranked", kStops, &s.ranked.stop));
    v = s.ranked.exhaust_after_consecutive_skips;
    DH_TRY(read_int(r, "exhaust_after_consecutive_skips", "ranked", 0, 1000, &v));
    s.ranked.exhaust_after_consecutive_skips = static_cast<int>(v);
    v = s.ranked.ranks_on_ballot;
    DH_TRY(read_int(r, "ranks_on_ballot", "ranked", 0, 1000, &v));
    s.ranked.ranks_on_ballot = static_cast<int>(v);
  }
  OptionIndex ix;
  ix.n = static_cast<int>(s.options.size());
  for (int k = 0; k < ix.n; ++k) ix.by_label[s.options[k]] = k;
  if (j.contains("lot")) {
    const Json& l = j["lot"];
    if (!l.is_object()) return bad("lot", "must be an object {seed, drawn_order}");
    if (l.contains("seed")) {
      if (!l["seed"].is_number_unsigned()) return bad("lot.seed", "must be a whole number of 0 or more");
      s.lot.seed = l["seed"].get<uint64_t>();
    }
    if (l.contains("drawn_order")) {
      const Json& d = l["drawn_order"];
      if (!d.is_array()) return bad("lot.drawn_order", "must be a list of options");
      for (size_t k = 0; k < d.size(); ++k) {
        int o = 0;
        if (!ix.find(d[k], &o)) return bad("lot.drawn_order[" + std::to_string(k) + "]", "is not one of the options");
        s.lot.drawn_order.push_back(o);
      }
    }
  }
  if (j.contains("paper")) {
    const Json& p = j["paper"];
    if (!p.is_object()) return bad("paper", "must be an object {counts, blank, invalid, papers_issued, papers_returned}");
    PaperCounts pc;
    DH_TRY(read_bool(p, "show_of_hands", "paper", &pc.show_of_hands));
    DH_TRY(read_int(p, "blank", "paper", 0, kBig, &pc.blank));
    DH_TRY(read_int(p, "invalid", "paper", 0, kBig, &pc.invalid));
    DH_TRY(read_int(p, "papers_issued", "paper", -1, kBig, &pc.papers_issued));
    DH_TRY(read_int(p, "papers_returned", "paper", -1, kBig, &pc.papers_returned));
    pc.per_option.assign(s.options.size(), 0);
    if (!p.contains("counts") || !p["counts"].is_object())
      return bad("paper.counts", "must be an object {option: count}");
    for (auto it = p["counts"].begin(); it != p["counts"].end(); ++it) {
      auto o = ix.by_label.find(it.key());
      if (o == ix.by_label.end()) return bad("paper.counts." + it.key(), "is not one of the options");
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > kBig)
        return bad("paper.counts." + it.key(), "must be a whole number of 0 or more");
      pc.per_option[o->second] = it->get<int64_t>();
    }
    s.paper = pc;
  }
  Status st = check_spec(s);
  if (!st) return bad("poll", st.error().message);
  return s;
}

Result<PollFile> poll_from_json(const Json& j) {
  Result<PollSpec> spec = spec_from_json(j);
  if (!spec) return spec.error();
  PollFile f;
  f.spec = std::move(spec.value());
  OptionIndex ix;
  ix.n = static_cast<int>(f.spec.options.size());
  for (int k = 0; k < ix.n; ++k) ix.by_label[f.spec.options[k]] = k;
  bool by_index = false;
  DH_TRY(read_bool(j, "by_index", "poll", &by_index));
  ix.by_index = by_index;
  if (!j.contains("ballots")) {
    if (f.spec.paper) return f;
    return bad("ballots", "is missing (a list of ballots, or give \"paper\" counts)");
  }
  const Json& b = j["ballots"];
  if (!b.is_array()) return bad("ballots", "must be a list");
  f.ballots.resize(b.size());
  for (size_t k = 0; k < b.size(); ++k)
    DH_TRY(read_ballot(b[k], f.spec.method, ix, "ballots[" + std::to_string(k) + "]", &f.ballots[k]));
  return f;
}

bool is_election_file(const Json& j) {
  return j.is_object() && j.contains("candidates") && j.contains("raw_ballots") && !j.contains("method");
}

// The election files of tests/data/elections/ (docs/voting.md, "The two real
// elections"): raw_ballots' marks are ranks (null skipped, a list an
// overvote), their rules map onto RankedRules.
Result<PollFile> poll_from_election_json(const Json& j) {
  if (!is_election_file(j)) return bad("the file", "is not an election file (candidates, raw_ballots, rules)");
  PollFile f;
  PollSpec& s = f.spec;
  s.method = Method::ranked_choice;
  s.threshold.kind = ThresholdKind::none;
  const Json& c = j["candidates"];
  if (!c.is_array() || c.empty()) return bad("candidates", "must be a non-empty list of names");
  for (size_t k = 0; k < c.size(); ++k) {
    if (!c[k].is_string()) return bad("candidates[" + std::to_string(k) + "]", "must be a name");
    s.options.push_back(c[k].get<std::string>());
  }
  if (!j.contains("rules") || !j["rules"].is_object()) return bad("rules", "is missing");
  const Json& r = j["rules"];
  auto text = [&](const char* key) { return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : ""; };
  std::string e = text("elimination"), stop = text("stop"), over = text("overvote"), skip = text("skipped"),
              dup = text("duplicate"), blank = text("blank_ballot");
  if (e == "batch") s.ranked.elimination = EliminationRule::batch;
  else if (e == "single" || e.empty()) s.ranked.elimination = EliminationRule::single;
  else return bad("rules.elimination", "must be batch or single");
  if (stop == "majority" || stop.empty()) s.ranked.stop = StopRule::majority;
  else if (stop == "two_remaining") s.ranked.stop = StopRule::two_remaining;
  else return bad("rules.stop", "must be majority or two_remaining");
  if (!enum_from(Json(over), kOvervotes, &s.ranked.overvote)) return bad("rules.overvote", "must be one of " + enum_list(kOvervotes));
  if (skip == "skip" || skip.empty()) s.ranked.exhaust_after_consecutive_skips = 0;
  else if (skip.rfind("exhaust_after_", 0) == 0) {
    std::string nstr = skip.substr(14);
    if (nstr.empty() || nstr.size() > 3 || !std::all_of(nstr.begin(), nstr.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return bad("rules.skipped", "must be skip or exhaust_after_N");
    s.ranked.exhaust_after_consecutive_skips = std::stoi(nstr);
  } else return bad("rules.skipped", "must be skip or exhaust_after_N");
  bool dup_as_skip = r.contains("duplicate_counts_as_skip") && r["duplicate_counts_as_skip"].is_boolean() &&
                     r["duplicate_counts_as_skip"].get<bool>();
  if (dup == "skip" || dup.empty()) s.ranked.duplicate = dup_as_skip ? DuplicateRule::count_as_skip : DuplicateRule::ignore;
  else if (dup == "exhaust") s.ranked.duplicate = DuplicateRule::exhaust;
  else return bad("rules.duplicate", "must be skip or exhaust");
  if (blank == "invalid" || blank.empty()) s.ranked.blank_ballot = BlankBallotRule::invalid;
  else if (blank == "exhausted") s.ranked.blank_ballot = BlankBallotRule::exhausted;
  else return bad("rules.blank_ballot", "must be invalid or exhausted");

  OptionIndex ix;
  ix.n = static_cast<int>(s.options.size());
  for (int k = 0; k < ix.n; ++k) ix.by_label[s.options[k]] = k;
  const Json& rb = j["raw_ballots"];
  if (!rb.is_array()) return bad("raw_ballots", "must be a list");
  f.ballots.resize(rb.size());
  size_t widest = 0;
  for (size_t k = 0; k < rb.size(); ++k) {
    std::string where = "raw_ballots[" + std::to_string(k) + "]";
    const Json& x = rb[k];
    if (!x.is_object() || !x.contains("marks") || !x["marks"].is_array())
      return bad(where, "must be {\"marks\": [...], \"count\": n}");
    DH_TRY(read_int(x, "count", where, 1, kBig, &f.ballots[k].count));
    const Json& m = x["marks"];
    f.ballots[k].ranks.resize(m.size());
    for (size_t p = 0; p < m.size(); ++p)
      DH_TRY(read_rank(m[p], ix, where + ".marks[" + std::to_string(p) + "]", &f.ballots[k].ranks[p]));
    widest = std::max(widest, m.size());
  }
  // The ballot's columns: as wide as the widest record.
  s.ranked.ranks_on_ballot = static_cast<int>(widest);
  Status st = check_spec(s);
  if (!st) return bad("rules", st.error().message);
  return f;
}

Json spec_to_json(const PollSpec& s) {
  Json j;
  j["method"] = name(s.method);
  j["options"] = s.options;
  if (s.method == Method::multiple_choice) j["max_choices"] = s.max_choices;
  if (s.method != Method::yes_no_abstain) j["seats"] = s.seats;
  Json t;
  t["kind"] = name(s.threshold.kind);
  t["base"] = name(s.threshold.base);
  if (s.threshold.kind == ThresholdKind::fraction) {
    t["numerator"] = s.threshold.numerator;
    t["denominator"] = s.threshold.denominator;
    t["strict"] = s.threshold.strict;
  }
  j["threshold"] = t;
  if (s.quorum.required) {
    j["quorum"] = {{"base", name(s.quorum.base)}, {"minimum", s.quorum.minimum}, {"numerator", s.quorum.numerator},
                   {"denominator", s.quorum.denominator}, {"strict", s.quorum.strict}};
  }
  if (s.method == Method::ranked_choice) {
    j["ranked"] = {{"overvote", name(s.ranked.overvote)},
                   {"exhaust_after_consecutive_skips", s.ranked.exhaust_after_consecutive_skips},
                   {"duplicate", name(s.ranked.duplicate)},
                   {"blank_ballot", name(s.ranked.blank_ballot)},
                   {"elimination", name(s.ranked.elimination)},
                   {"stop", name(s.ranked.stop)},
                   {"ranks_on_ballot", s.ranked.ranks_on_ballot}};
  }
  j["tie_break"] = name(s.tie_break);
  Json lot;
  lot["seed"] = s.lot.seed;
  if (!s.lot.drawn_order.empty()) {
    Json d = Json::array();
    for (int o : s.lot.drawn_order) d.push_back(o >= 0 && o < static_cast<int>(s.options.size()) ? Json(s.options[o]) : Json(o));
    lot["drawn_order"] = d;
  }
  j["lot"] = lot;
  j["entitled"] = s.entitled;
  j["present"] = s.present;
  if (s.paper) {
    Json counts = Json::object();
    for (size_t k = 0; k < s.paper->per_option.size() && k < s.options.size(); ++k)
      counts[s.options[k]] = s.paper->per_option[k];
    j["paper"] = {{"show_of_hands", s.paper->show_of_hands}, {"counts", counts}, {"blank", s.paper->blank},
                  {"invalid", s.paper->invalid}, {"papers_issued", s.paper->papers_issued},
                  {"papers_returned", s.paper->papers_returned}};
  }
  return j;
}

Json result_to_json(const TallyResult& r) {
  const auto& opts = r.rules.options;
  auto label = [&](int o) -> Json {
    return o >= 0 && o < static_cast<int>(opts.size()) ? Json(opts[o]) : Json(o);
  };
  auto per_option = [&](const std::vector<int64_t>& v, const std::vector<bool>* only) {
    Json o = Json::object();
    for (size_t k = 0; k < v.size() && k < opts.size(); ++k)
      if (!only || (*only)[k]) o[opts[k]] = v[k];
    return o;
  };
  auto notes = [&](const std::vector<Note>& ns) {
    Json a = Json::array();
    for (const Note& n : ns) {
      Json p = Json::object();
      for (const auto& kv : n.params) {
        if (kv.first == "option" || kv.first == "options" || kv.first == "winners" || kv.first == "drawn_order") {
          Json list = Json::array();
          std::string cur;
          for (size_t i = 0; i <= kv.second.size(); ++i) {
            if (i == kv.second.size() || kv.second[i] == ',') {
              if (!cur.empty()) list.push_back(label(std::stoi(cur)));
              cur.clear();
            } else {
              cur += kv.second[i];
            }
          }
          p[kv.first] = kv.first == "option" && list.size() == 1 ? list[0] : list;
        } else {
          p[kv.first] = kv.second;
        }
      }
      a.push_back({{"code", n.code}, {"params", p}});
    }
    return a;
  };
  Json j;
  j["method"] = name(r.method);
  j["outcome"] = r.outcome;
  Json w = Json::array();
  for (int o : r.winners) w.push_back(label(o));
  j["winners"] = w;
  j["entitled"] = r.entitled;
  j["present"] = r.present;
  j["cast"] = r.cast;
  j["valid"] = r.valid;
  j["invalid"] = r.invalid;
  Json inv = Json::object();
  for (const auto& kv : r.invalid_by_reason) inv[kv.first] = kv.second;
  j["invalid_by_reason"] = inv;
  j["votes"] = per_option(r.votes, nullptr);
  j["blank"] = r.blank;
  j["quorum"] = {{"required", r.quorum_required}, {"met", r.quorum_met}, {"needed", r.quorum_needed}};
  j["threshold"] = {{"met", r.threshold_met}, {"base", r.threshold_base},
                    {"needed", r.threshold_needed == INT64_MAX ? Json(nullptr) : Json(r.threshold_needed)}};
  j["counts_consistent"] = r.counts_consistent;
  if (!r.rounds.empty()) {
    Json rounds = Json::array();
    for (const Round& rd : r.rounds) {
      Json x;
      x["round"] = rd.number;
      x["votes"] = per_option(rd.votes, &rd.continuing);
      x["continuing_votes"] = rd.continuing_votes;
      x["exhausted"] = rd.exhausted;
      Json e = Json::object();
      for (const auto& kv : rd.exhausted_by_reason) e[kv.first] = kv.second;
      x["exhausted_by_reason"] = e;
      if (!rd.transfers.empty()) {
        Json t = Json::object();
        for (size_t k = 0; k < rd.transfers.size() && k < opts.size(); ++k)
          if (rd.continuing[k]) t[opts[k]] = rd.transfers[k];
        x["transfers"] = t;
        x["transferred_to_exhausted"] = rd.transferred_to_exhausted;
      }
      Json el = Json::array();
      for (int o : rd.eliminated) el.push_back(label(o));
      x["eliminated"] = el;
      if (rd.elected >= 0) x["elected"] = label(rd.elected);
      if (!rd.notes.empty()) x["notes"] = notes(rd.notes);
      rounds.push_back(x);
    }
    j["rounds"] = rounds;
  }
  j["notes"] = notes(r.notes);
  j["rules"] = spec_to_json(r.rules);
  return j;
}

}  // namespace dh::tally
