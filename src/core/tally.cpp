// Tally: see tally.h and docs/voting.md (methods, rule options, codes).
//
// Everything here is integer arithmetic over sums, so the order of the
// ballots cannot change a result; ties are broken only from counts of earlier
// rounds and the recorded lot.
#include "core/tally.h"

#include <algorithm>
#include <numeric>

namespace dh::tally {

std::string Note::param(const std::string& n) const {
  for (const auto& p : params)
    if (p.first == n) return p.second;
  return "";
}

const char* name(Method m) {
  switch (m) {
    case Method::yes_no_abstain: return "yes_no_abstain";
    case Method::single_choice: return "single_choice";
    case Method::multiple_choice: return "multiple_choice";
    case Method::ranked_choice: return "ranked_choice";
  }
  return "";
}
const char* name(ThresholdKind k) {
  switch (k) {
    case ThresholdKind::none: return "none";
    case ThresholdKind::simple_majority: return "simple_majority";
    case ThresholdKind::two_thirds: return "two_thirds";
    case ThresholdKind::three_quarters: return "three_quarters";
    case ThresholdKind::fraction: return "fraction";
  }
  return "";
}
const char* name(ThresholdBase b) {
  switch (b) {
    case ThresholdBase::votes_cast: return "votes_cast";
    case ThresholdBase::valid_ballots: return "valid_ballots";
    case ThresholdBase::present: return "present";
    case ThresholdBase::entitled: return "entitled";
  }
  return "";
}
const char* name(QuorumBase b) {
  switch (b) {
    case QuorumBase::present: return "present";
    case QuorumBase::ballots_cast: return "ballots_cast";
  }
  return "";
}
const char* name(OvervoteRule r) {
  switch (r) {
    case OvervoteRule::exhaust: return "exhaust";
    case OvervoteRule::skip_rank: return "skip_rank";
    case OvervoteRule::exhaust_if_multiple_continuing: return "exhaust_if_multiple_continuing";
  }
  return "";
}
const char* name(DuplicateRule r) {
  switch (r) {
    case DuplicateRule::ignore: return "ignore";
    case DuplicateRule::count_as_skip: return "count_as_skip";
    case DuplicateRule::exhaust: return "exhaust";
  }
  return "";
}
const char* name(BlankBallotRule r) {
  switch (r) {
    case BlankBallotRule::invalid: return "invalid";
    case BlankBallotRule::exhausted: return "exhausted";
  }
  return "";
}
const char* name(EliminationRule r) {
  switch (r) {
    case EliminationRule::single: return "single";
    case EliminationRule::batch: return "batch";
  }
  return "";
}
const char* name(StopRule r) {
  switch (r) {
    case StopRule::majority: return "majority";
    case StopRule::two_remaining: return "two_remaining";
  }
  return "";
}
const char* name(TieBreak t) {
  switch (t) {
    case TieBreak::previous_rounds_then_lot: return "previous_rounds_then_lot";
    case TieBreak::first_round_then_lot: return "first_round_then_lot";
    case TieBreak::lot: return "lot";
    case TieBreak::none: return "none";
  }
  return "";
}

namespace {

std::string num(int64_t v) { return std::to_string(v); }

std::string join_options(const std::vector<int>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(v[i]);
  }
  return s;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

int option_count(const PollSpec& s) {
  return s.method == Method::yes_no_abstain ? 3 : static_cast<int>(s.options.size());
}

// Invalid-ballot reasons, in their fixed reporting order.
const char* const kInvalidReasons[] = {"spoilt", "blank", "unknown_option", "duplicate_mark",
                                       "too_many_marks", "too_many_ranks"};
enum InvalidReason { inv_spoilt, inv_blank, inv_unknown, inv_duplicate, inv_too_many, inv_too_many_ranks, inv_count };

// Exhaustion reasons (ranked choice), in their fixed reporting order.
const char* const kExhaustReasons[] = {"blank_ballot", "overvote", "consecutive_skips", "duplicate",
                                       "ranks_left_blank", "all_ranks_used"};
enum ExhaustReason { ex_blank, ex_overvote, ex_skips, ex_duplicate, ex_ranks_left_blank, ex_all_ranks_used, ex_count };

// The least count that is "more than num/den of base" (strict) or "at least".
int64_t needed_for(int64_t base, int64_t numerator, int64_t denominator, bool strict) {
  if (denominator <= 0) return INT64_MAX;
  // base, numerator are small enough (ballot counts) for 64-bit products.
  int64_t p = numerator * base;
  int64_t n = strict ? p / denominator + 1 : (p + denominator - 1) / denominator;
  return std::max<int64_t>(n, 1);  // nothing is carried or won with no votes
}

struct Context {
  const PollSpec& spec;
  TallyResult& r;
  int draws = 0;
};

// Orders `tied` so that the first loses: drawn order if given, else the seed.
std::vector<int> lot_for(Context& c, std::vector<int> tied) {
  const Lot& lot = c.spec.lot;
  int draw = c.draws++;
  if (!lot.drawn_order.empty()) {
    std::vector<int> out;
    for (int o : lot.drawn_order)
      if (std::find(tied.begin(), tied.end(), o) != tied.end()) out.push_back(o);
    // check_spec makes drawn_order a permutation, so every tied option is in it.
    return out;
  }
  return lot_order(lot.seed, draw, std::move(tied));
}

void add_lot_note(Context& c, std::vector<Note>& notes, const std::vector<int>& tied, int loser) {
  Note n{"tie_break_lot", {{"options", join_options(tied)}, {"option", num(loser)}}};
  if (c.spec.lot.drawn_order.empty()) {
    n.params.push_back({"seed", std::to_string(c.spec.lot.seed)});
    n.params.push_back({"draw", num(c.draws - 1)});
  } else {
    n.params.push_back({"drawn_order", join_options(c.spec.lot.drawn_order)});
  }
  notes.push_back(std::move(n));
}

// ---- threshold and quorum ----

int64_t threshold_needed(const Threshold& t, int64_t base) {
  switch (t.kind) {
    case ThresholdKind::none: return 1;
    case ThresholdKind::simple_majority: return needed_for(base, 1, 2, true);
    case ThresholdKind::two_thirds: return needed_for(base, 2, 3, false);
    case ThresholdKind::three_quarters: return needed_for(base, 3, 4, false);
    case ThresholdKind::fraction: return needed_for(base, t.numerator, t.denominator, t.strict);
  }
  return INT64_MAX;
}

// Sets threshold_base / threshold_needed; false (with a note) when the base is unknown.
bool compute_threshold(const PollSpec& s, TallyResult& r, int64_t votes_cast) {
  int64_t base = 0;
  switch (s.threshold.base) {
    case ThresholdBase::votes_cast: base = votes_cast; break;
    case ThresholdBase::valid_ballots: base = r.valid; break;
    case ThresholdBase::present: base = s.present; break;
    case ThresholdBase::entitled: base = s.entitled; break;
  }
  if (base < 0 && s.threshold.kind != ThresholdKind::none) {
    r.notes.push_back({"threshold_base_unknown", {{"base", name(s.threshold.base)}}});
    r.threshold_base = -1;
    r.threshold_needed = INT64_MAX;
    return false;
  }
  r.threshold_base = std::max<int64_t>(base, 0);
  r.threshold_needed = threshold_needed(s.threshold, r.threshold_base);
  return true;
}

void compute_quorum(const PollSpec& s, TallyResult& r) {
  r.quorum_required = s.quorum.required;
  if (!s.quorum.required) {
    r.quorum_met = true;
    return;
  }
  const Quorum& q = s.quorum;
  int64_t needed = q.minimum;
  bool known = true;
  if (q.numerator > 0) {
    if (s.entitled < 0) {
      r.notes.push_back({"quorum_entitled_unknown", {}});
      known = false;
    } else {
      needed = std::max(needed, needed_for(s.entitled, q.numerator, q.denominator, q.strict));
    }
  }
  int64_t have = q.base == QuorumBase::present ? s.present : r.cast;
  if (have < 0) {
    r.notes.push_back({"quorum_present_unknown", {}});
    known = false;
  }
  r.quorum_needed = needed;
  r.quorum_met = known && have >= needed;
  if (!r.quorum_met && known)
    r.notes.push_back({"quorum_not_met", {{"base", name(q.base)}, {"count", num(have)}, {"needed", num(needed)}}});
}

void finish_invalid(TallyResult& r, const int64_t (&invalid)[inv_count]) {
  for (int i = 0; i < inv_count; ++i)
    if (invalid[i] > 0) r.invalid_by_reason.push_back({kInvalidReasons[i], invalid[i]});
}

// Attendance and paper-count checks: each mismatch is a note.
void check_counts(const PollSpec& s, TallyResult& r) {
  auto mismatch = [&](Note n) {
    r.counts_consistent = false;
    r.notes.push_back(std::move(n));
  };
  if (s.present >= 0 && s.entitled >= 0 && s.present > s.entitled)
    mismatch({"more_present_than_entitled", {{"present", num(s.present)}, {"entitled", num(s.entitled)}}});
  if (s.present >= 0 && r.cast > s.present)
    mismatch({"more_ballots_than_present", {{"cast", num(r.cast)}, {"present", num(s.present)}}});
  if (!s.paper) return;
  const PaperCounts& p = *s.paper;
  int64_t marks = std::accumulate(p.per_option.begin(), p.per_option.end(), int64_t{0});
  if (s.method != Method::multiple_choice && p.papers_returned >= 0 &&
      marks + p.blank + p.invalid != p.papers_returned)
    mismatch({"paper_counts_do_not_add_up",
              {{"counted", num(marks + p.blank + p.invalid)}, {"returned", num(p.papers_returned)}}});
  if (s.method == Method::multiple_choice && p.papers_returned >= 0) {
    int64_t voting = p.papers_returned - p.blank - p.invalid;
    int64_t most = s.max_choices > 0 ? voting * s.max_choices : voting * option_count(s);
    if (voting < 0 || marks > most)
      mismatch({"paper_marks_exceed_papers", {{"marks", num(marks)}, {"papers", num(std::max<int64_t>(voting, 0))}}});
    for (size_t i = 0; i < p.per_option.size(); ++i)
      if (p.per_option[i] > voting && voting >= 0)
        mismatch({"paper_option_exceeds_papers",
                  {{"option", num(static_cast<int64_t>(i))}, {"count", num(p.per_option[i])}, {"papers", num(voting)}}});
  }
  if (p.papers_issued >= 0 && p.papers_returned > p.papers_issued)
    mismatch({"paper_more_returned_than_issued", {{"returned", num(p.papers_returned)}, {"issued", num(p.papers_issued)}}});
  if (p.papers_issued >= 0 && s.present >= 0 && p.papers_issued > s.present)
    mismatch({"paper_more_issued_than_present", {{"issued", num(p.papers_issued)}, {"present", num(s.present)}}});
}

// ---- yes / no / abstain, single and multiple choice ----

void count_marks(const PollSpec& s, const std::vector<Ballot>& ballots, TallyResult& r) {
  const int n = option_count(s);
  int64_t invalid[inv_count] = {};
  r.votes.assign(n, 0);
  int64_t voting = 0;  // valid ballots that mark at least one option
  std::vector<int> m;
  for (const Ballot& b : ballots) {
    if (b.count <= 0) continue;
    r.cast += b.count;
    if (b.spoilt) { invalid[inv_spoilt] += b.count; continue; }
    m = b.marks;
    std::sort(m.begin(), m.end());
    int reason = -1;
    if (std::any_of(m.begin(), m.end(), [&](int o) { return o < 0 || o >= n; })) reason = inv_unknown;
    else if (std::adjacent_find(m.begin(), m.end()) != m.end()) reason = inv_duplicate;
    else if (m.empty() && s.method == Method::yes_no_abstain) reason = inv_blank;
    else if (s.method != Method::multiple_choice && m.size() > 1) reason = inv_too_many;
    else if (s.method == Method::multiple_choice && s.max_choices > 0 && static_cast<int>(m.size()) > s.max_choices)
      reason = inv_too_many;
    if (reason >= 0) { invalid[reason] += b.count; continue; }
    r.valid += b.count;
    if (m.empty()) { r.blank += b.count; continue; }
    for (int o : m) r.votes[o] += b.count;
    if (!(s.method == Method::yes_no_abstain && m[0] == kAbstain)) voting += b.count;
  }
  if (s.paper) {
    const PaperCounts& p = *s.paper;
    int64_t marks = 0;
    for (int i = 0; i < n && i < static_cast<int>(p.per_option.size()); ++i) {
      r.votes[i] += p.per_option[i];
      marks += p.per_option[i];
    }
    int64_t returned;
    if (s.method == Method::multiple_choice) {
      returned = p.papers_returned >= 0 ? p.papers_returned : marks + p.blank + p.invalid;
    } else {
      returned = marks + p.blank + p.invalid;  // what was counted; a different papers_returned is a note
    }
    r.cast += returned;
    invalid[inv_spoilt] += p.invalid;
    r.valid += returned - p.invalid;
    r.blank += p.blank;
    if (s.method == Method::yes_no_abstain)
      voting += p.per_option.size() == 3 ? p.per_option[kYes] + p.per_option[kNo] : 0;
    else
      voting += returned - p.invalid - p.blank;
  }
  finish_invalid(r, invalid);
  r.invalid = r.cast - r.valid;
  compute_quorum(s, r);

  if (s.method == Method::yes_no_abstain) {
    int64_t yes = r.votes[kYes], no = r.votes[kNo];
    bool base_known = compute_threshold(s, r, yes + no);
    if (s.threshold.kind == ThresholdKind::none) {
      r.threshold_needed = no + 1;
      r.threshold_base = yes + no;
      r.threshold_met = yes > no;
    } else {
      r.threshold_met = base_known && yes >= r.threshold_needed;
    }
    if (!r.quorum_met) r.outcome = "no_quorum";
    else if (r.threshold_met) { r.outcome = "carried"; r.winners = {kYes}; }
    else r.outcome = "not_carried";
    return;
  }

  // Elections: the top `seats` by votes; each must reach the threshold.
  bool base_known = compute_threshold(s, r, voting);
  Context c{s, r};
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return r.votes[a] > r.votes[b]; });
  int seats = s.seats;
  std::vector<int> winners;
  bool tie = false;
  for (int i = 0; i < seats && i < n; ++i) winners.push_back(order[i]);
  if (seats < n) {
    // A tie across the last seat: the options with the boundary's votes.
    int64_t boundary = r.votes[order[seats - 1]];
    std::vector<int> tied;
    for (int o : order)
      if (r.votes[o] == boundary) tied.push_back(o);
    int inside = 0;
    for (int o : winners)
      if (r.votes[o] == boundary) ++inside;
    if (static_cast<int>(tied.size()) > inside && boundary > 0) {
      std::sort(tied.begin(), tied.end());
      winners.erase(std::remove_if(winners.begin(), winners.end(), [&](int o) { return r.votes[o] == boundary; }),
                    winners.end());
      if (s.tie_break == TieBreak::none) {
        r.notes.push_back({"tie", {{"options", join_options(tied)}, {"seats", num(inside)}}});
        tie = true;
      } else {
        std::vector<int> losing_first = lot_for(c, tied);
        // The last `inside` of the draw win; the others lose.
        std::vector<int> won(losing_first.end() - inside, losing_first.end());
        std::reverse(won.begin(), won.end());
        for (int o : won) winners.push_back(o);
        add_lot_note(c, r.notes, tied, -1);
        r.notes.back().params[1] = {"winners", join_options(won)};
      }
    }
  }
  // No votes, no seat; below the threshold, no seat.
  std::vector<int> elected;
  bool all_met = true;
  for (int o : winners) {
    if (r.votes[o] <= 0) continue;
    if (!base_known || r.votes[o] < r.threshold_needed) {
      all_met = false;
      r.notes.push_back({"below_threshold", {{"option", num(o)}, {"votes", num(r.votes[o])},
                                             {"needed", num(base_known ? r.threshold_needed : -1)}}});
      continue;
    }
    elected.push_back(o);
  }
  r.threshold_met = all_met && !elected.empty();
  if (!r.quorum_met) { r.outcome = "no_quorum"; return; }
  r.winners = elected;
  if (r.valid == 0) r.outcome = "no_valid_ballots";
  else if (tie && elected.size() < static_cast<size_t>(seats)) r.outcome = "tie";
  else if (elected.empty()) r.outcome = "no_winner";
  else r.outcome = "elected";
}

// ---- ranked choice (instant run-off) ----

struct RankedBallot {
  const Ballot* b = nullptr;
  int64_t count = 0;
  int pos = 0;        // rank being read (the current candidate's, while counted)
  int at = -1;        // candidate counted for, -1 exhausted
  bool has_blank = false;
  std::vector<char> duplicate;  // per rank: a single mark of a candidate ranked earlier
};

// Reads `rb` from its current rank to the first continuing candidate; on
// exhaustion returns the reason.
int advance(const PollSpec& s, RankedBallot& rb, const std::vector<char>& continuing, int total_ranks) {
  const RankedRules& rr = s.ranked;
  const auto& ranks = rb.b->ranks;
  int skips = 0;
  const int len = static_cast<int>(ranks.size());
  for (int p = rb.pos; p < total_ranks; ++p) {
    bool empty = p >= len || ranks[p].empty();
    if (empty) {
      ++skips;
      if (rr.exhaust_after_consecutive_skips > 0 && skips >= rr.exhaust_after_consecutive_skips) {
        rb.pos = p;
        return ex_skips;
      }
      continue;
    }
    const std::vector<int>& mark = ranks[p];
    if (rb.duplicate[p]) {
      if (rr.duplicate == DuplicateRule::exhaust) { rb.pos = p; return ex_duplicate; }
      if (rr.duplicate == DuplicateRule::count_as_skip) {
        ++skips;
        if (rr.exhaust_after_consecutive_skips > 0 && skips >= rr.exhaust_after_consecutive_skips) {
          rb.pos = p;
          return ex_skips;
        }
      } else {
        skips = 0;
      }
      continue;
    }
    skips = 0;
    bool over = mark.size() > 1 || mark[0] == kUnknownOption;
    if (over) {
      if (rr.overvote == OvervoteRule::exhaust) { rb.pos = p; return ex_overvote; }
      if (rr.overvote == OvervoteRule::skip_rank) continue;
      int only = -1, live = 0;
      for (int o : mark) {
        if (o == kUnknownOption) { live += 2; continue; }  // unknown: could be continuing, cannot be counted
        if (continuing[o]) { ++live; only = o; }
      }
      if (live == 0) continue;
      if (live >= 2) { rb.pos = p; return ex_overvote; }
      rb.pos = p;
      rb.at = only;
      return -1;
    }
    if (continuing[mark[0]]) {
      rb.pos = p;
      rb.at = mark[0];
      return -1;
    }
  }
  rb.pos = total_ranks;
  return rb.has_blank ? ex_ranks_left_blank : ex_all_ranks_used;
}

// Among `tied` (all with the same votes now), the one to eliminate.
// Returns -1 when the rules leave it undecided (tie_break none).
int break_tie(Context& c, std::vector<int> tied, std::vector<Note>& notes) {
  const PollSpec& s = c.spec;
  std::sort(tied.begin(), tied.end());
  const auto& rounds = c.r.rounds;
  int last = static_cast<int>(rounds.size()) - 1;  // the current round is rounds[last]
  if (s.tie_break == TieBreak::previous_rounds_then_lot || s.tie_break == TieBreak::first_round_then_lot) {
    bool backwards = s.tie_break == TieBreak::previous_rounds_then_lot;
    for (int k = 0; k < last && tied.size() > 1; ++k) {
      int ri = backwards ? last - 1 - k : k;
      int64_t low = INT64_MAX;
      for (int o : tied) low = std::min(low, rounds[ri].votes[o]);
      std::vector<int> lowest;
      for (int o : tied)
        if (rounds[ri].votes[o] == low) lowest.push_back(o);
      if (lowest.size() < tied.size()) {
        if (lowest.size() == 1)
          notes.push_back({backwards ? "tie_break_previous_round" : "tie_break_first_round",
                           {{"options", join_options(tied)}, {"round", num(rounds[ri].number)}, {"option", num(lowest[0])}}});
        tied = lowest;
      }
    }
    if (tied.size() == 1) return tied[0];
  }
  if (s.tie_break == TieBreak::none) {
    notes.push_back({"tie", {{"options", join_options(tied)}}});
    return -1;
  }
  int loser = lot_for(c, tied).front();
  add_lot_note(c, notes, tied, loser);
  return loser;
}

void count_ranked(const PollSpec& s, const std::vector<Ballot>& ballots, TallyResult& r) {
  const int n = option_count(s);
  const RankedRules& rr = s.ranked;
  int64_t invalid[inv_count] = {};
  int64_t exhausted[ex_count] = {};
  std::vector<RankedBallot> live;
  live.reserve(ballots.size());
  int total_ranks = rr.ranks_on_ballot;
  for (const Ballot& b : ballots) {
    if (b.count <= 0) continue;
    r.cast += b.count;
    if (b.spoilt) { invalid[inv_spoilt] += b.count; continue; }
    if (rr.ranks_on_ballot > 0 && static_cast<int>(b.ranks.size()) > rr.ranks_on_ballot) {
      invalid[inv_too_many_ranks] += b.count;
      continue;
    }
    bool bad = false, any = false;
    for (const auto& rank : b.ranks)
      for (int o : rank) {
        if (o != kUnknownOption && (o < 0 || o >= n)) bad = true;
        any = true;
      }
    if (bad) { invalid[inv_unknown] += b.count; continue; }
    if (!any && rr.blank_ballot == BlankBallotRule::invalid) { invalid[inv_blank] += b.count; continue; }
    r.valid += b.count;
    if (!any) { exhausted[ex_blank] += b.count; continue; }
    RankedBallot rb;
    rb.b = &b;
    rb.count = b.count;
    const int len = static_cast<int>(b.ranks.size());
    rb.duplicate.assign(len, 0);
    rb.has_blank = rr.ranks_on_ballot > len;
    std::vector<char> seen(n, 0);
    for (int p = 0; p < len; ++p) {
      const auto& rank = b.ranks[p];
      if (rank.empty()) { rb.has_blank = true; continue; }
      if (rank.size() == 1 && rank[0] != kUnknownOption) {
        if (seen[rank[0]]) rb.duplicate[p] = 1;
        seen[rank[0]] = 1;
      }
    }
    live.push_back(std::move(rb));
  }
  if (rr.ranks_on_ballot <= 0)
    for (const Ballot& b : ballots) total_ranks = std::max(total_ranks, static_cast<int>(b.ranks.size()));
  finish_invalid(r, invalid);
  r.invalid = r.cast - r.valid;
  compute_quorum(s, r);

  Context c{s, r};
  std::vector<char> continuing(n, 1);
  std::vector<int64_t> votes(n, 0);
  // Round 1.
  for (RankedBallot& rb : live) {
    int why = advance(s, rb, continuing, total_ranks);
    if (why >= 0) exhausted[why] += rb.count;
    else votes[rb.at] += rb.count;
  }
  r.votes = votes;
  std::vector<int64_t> transfers;
  int64_t to_exhausted = 0;
  int winner = -1;
  bool undecided = false;
  for (int round = 1;; ++round) {
    Round rd;
    rd.number = round;
    rd.votes = votes;
    rd.continuing.assign(continuing.begin(), continuing.end());
    rd.continuing_votes = std::accumulate(votes.begin(), votes.end(), int64_t{0});
    for (int i = 0; i < ex_count; ++i) {
      rd.exhausted += exhausted[i];
      rd.exhausted_by_reason.push_back({kExhaustReasons[i], exhausted[i]});
    }
    rd.transfers = transfers;
    rd.transferred_to_exhausted = to_exhausted;
    r.rounds.push_back(rd);
    Round& cur = r.rounds.back();

    std::vector<int> cont;
    for (int o = 0; o < n; ++o)
      if (continuing[o]) cont.push_back(o);
    if (cont.empty() || cur.continuing_votes == 0) break;
    int top = cont[0];
    for (int o : cont)
      if (votes[o] > votes[top]) top = o;
    if (cont.size() == 1) { winner = top; break; }
    if (rr.stop == StopRule::majority && votes[top] * 2 > cur.continuing_votes) { winner = top; break; }

    // Who goes out at the end of this round.
    std::vector<int> asc = cont;
    std::stable_sort(asc.begin(), asc.end(), [&](int a, int b) { return votes[a] < votes[b]; });
    std::vector<int> out;
    if (rr.elimination == EliminationRule::batch) {
      size_t cap = rr.stop == StopRule::two_remaining ? asc.size() - 2 : asc.size() - 1;
      int64_t sum = 0;
      size_t best = 0;
      for (size_t k = 1; k <= cap && k < asc.size(); ++k) {
        sum += votes[asc[k - 1]];
        if (sum < votes[asc[k]]) best = k;
      }
      if (best >= 2) out.assign(asc.begin(), asc.begin() + best);
    }
    if (out.empty()) {
      if (rr.stop == StopRule::two_remaining && cont.size() == 2 && votes[asc[0]] < votes[asc[1]]) {
        winner = asc[1];
        break;
      }
      std::vector<int> tied;
      for (int o : asc)
        if (votes[o] == votes[asc[0]]) tied.push_back(o);
      int loser = tied.size() == 1 ? tied[0] : break_tie(c, tied, cur.notes);
      if (loser < 0) { undecided = true; break; }
      out.push_back(loser);
    }
    cur.eliminated = out;
    for (int o : out) continuing[o] = 0;
    // Transfer the ballots of the eliminated.
    transfers.assign(n, 0);
    to_exhausted = 0;
    for (RankedBallot& rb : live) {
      if (rb.at < 0 || continuing[rb.at]) continue;
      votes[rb.at] -= rb.count;
      rb.at = -1;
      int why = advance(s, rb, continuing, total_ranks);
      if (why >= 0) {
        exhausted[why] += rb.count;
        to_exhausted += rb.count;
      } else {
        votes[rb.at] += rb.count;
        transfers[rb.at] += rb.count;
      }
    }
  }
  if (winner >= 0) r.rounds.back().elected = winner;

  // The threshold applies to the winner's votes in the final round.
  const Round& fin = r.rounds.back();
  bool base_known = compute_threshold(s, r, fin.continuing_votes);
  if (!r.quorum_met) { r.outcome = "no_quorum"; r.threshold_met = false; return; }
  if (r.valid == 0) { r.outcome = "no_valid_ballots"; return; }
  if (undecided) { r.outcome = "tie"; return; }
  if (winner < 0) { r.outcome = "no_winner"; return; }
  if (!base_known || fin.votes[winner] < r.threshold_needed) {
    r.threshold_met = false;
    r.notes.push_back({"below_threshold", {{"option", num(winner)}, {"votes", num(fin.votes[winner])},
                                           {"needed", num(base_known ? r.threshold_needed : -1)}}});
    r.outcome = "no_winner";
    return;
  }
  r.threshold_met = true;
  r.winners = {winner};
  r.outcome = "elected";
}

}  // namespace

std::vector<int> lot_order(uint64_t seed, int draw, std::vector<int> tied) {
  std::sort(tied.begin(), tied.end());
  std::vector<std::pair<uint64_t, int>> keyed;
  for (int o : tied)
    keyed.push_back({splitmix64(seed ^ (static_cast<uint64_t>(draw) << 32) ^ static_cast<uint32_t>(o)), o});
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> out;
  for (const auto& k : keyed) out.push_back(k.second);
  return out;
}

Status check_spec(const PollSpec& s) {
  const int n = option_count(s);
  if (s.method == Method::yes_no_abstain && !s.options.empty() && s.options.size() != 3)
    return make_error("bad_options", "A yes/no/abstain poll has exactly three options: yes, no, abstain.");
  if (n < 1) return make_error("no_options", "The poll has no options.");
  if (s.method != Method::yes_no_abstain && (s.seats < 1 || s.seats > n))
    return make_error("bad_seats", "seats must be between 1 and the number of options.");
  if (s.method == Method::ranked_choice && s.seats != 1)
    return make_error("bad_seats", "Ranked choice (instant run-off) elects one: seats must be 1.");
  if (s.method == Method::multiple_choice && s.max_choices < 0)
    return make_error("bad_max_choices", "max_choices must be 0 (any number) or more.");
  if (s.threshold.kind == ThresholdKind::fraction &&
      (s.threshold.denominator <= 0 || s.threshold.numerator < 0 || s.threshold.numerator > s.threshold.denominator))
    return make_error("bad_threshold", "The threshold fraction must be between 0 and 1 with a positive denominator.");
  if (s.quorum.required && (s.quorum.denominator <= 0 || s.quorum.numerator < 0 || s.quorum.minimum < 0))
    return make_error("bad_quorum", "The quorum needs a positive denominator and no negative numbers.");
  if (s.ranked.exhaust_after_consecutive_skips < 0 || s.ranked.ranks_on_ballot < 0)
    return make_error("bad_ranked_rules", "exhaust_after_consecutive_skips and ranks_on_ballot cannot be negative.");
  if (s.entitled < -1 || s.present < -1)
    return make_error("bad_attendance", "entitled and present are counts (or -1 when not known).");
  if (!s.lot.drawn_order.empty()) {
    std::vector<int> d = s.lot.drawn_order;
    std::sort(d.begin(), d.end());
    for (int i = 0; i < static_cast<int>(d.size()); ++i)
      if (d[i] != i || static_cast<int>(d.size()) != n)
        return make_error("bad_drawn_order", "The drawn order must list every option exactly once.");
  }
  if (s.paper) {
    const PaperCounts& p = *s.paper;
    if (s.method == Method::ranked_choice)
      return make_error("paper_not_for_ranked", "Ranked ballots on paper are entered one by one, not as counts.");
    if (static_cast<int>(p.per_option.size()) != n)
      return make_error("bad_paper_counts", "The paper counts need one count per option.");
    for (int64_t v : p.per_option)
      if (v < 0) return make_error("bad_paper_counts", "A paper count cannot be negative.");
    if (p.blank < 0 || p.invalid < 0 || p.papers_issued < -1 || p.papers_returned < -1)
      return make_error("bad_paper_counts", "A paper count cannot be negative.");
    if (s.method == Method::multiple_choice && p.papers_returned < 0)
      return make_error("paper_returned_needed",
                        "For multiple choice the number of papers returned (or hands counted) is needed.");
  }
  return ok_status();
}

TallyResult tally(const PollSpec& spec, const std::vector<Ballot>& ballots) {
  TallyResult r;
  r.method = spec.method;
  r.rules = spec;
  r.entitled = spec.entitled;
  r.present = spec.present;
  Status st = check_spec(spec);
  if (!st) {
    r.outcome = "bad_spec";
    r.notes.push_back({"bad_spec", {{"field", st.error().code}}});
    return r;
  }
  if (spec.method == Method::ranked_choice) count_ranked(spec, ballots, r);
  else count_marks(spec, ballots, r);
  check_counts(spec, r);
  return r;
}

}  // namespace dh::tally
