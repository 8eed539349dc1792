// Tally (core/tally.h): every method and threshold on hand-computed cases,
// ties and instant run-off elimination order, every ranked-choice rule
// option, paper counts against attendance, properties (ballot order and
// grouping do not matter), and the two real elections of
// tests/data/elections/ reproduced round by round against their official
// results.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/tally.h"
#include "core/tally_json.h"
#include "support/splitmix.h"

using dh::Json;
using dh::Result;
using namespace dh::tally;

#ifndef DH_TEST_DATA_DIR
#define DH_TEST_DATA_DIR "tests/data"
#endif

namespace {

Ballot mark(std::vector<int> m, int64_t count = 1) {
  Ballot b;
  b.marks = std::move(m);
  b.count = count;
  return b;
}

// Ranks: -2 is a skipped rank; a list of several is an overvote.
Ballot ranked(std::vector<std::vector<int>> ranks, int64_t count = 1) {
  Ballot b;
  b.ranks = std::move(ranks);
  b.count = count;
  return b;
}

PollSpec motion(ThresholdKind kind, ThresholdBase base) {
  PollSpec s;
  s.method = Method::yes_no_abstain;
  s.threshold.kind = kind;
  s.threshold.base = base;
  return s;
}

std::vector<Ballot> yna(int64_t yes, int64_t no, int64_t abstain) {
  return {mark({kYes}, yes), mark({kNo}, no), mark({kAbstain}, abstain)};
}

PollSpec election(Method m, int n_options, int seats = 1) {
  PollSpec s;
  s.method = m;
  for (int i = 0; i < n_options; ++i) s.options.push_back(std::string(1, static_cast<char>('A' + i)));
  s.seats = seats;
  s.max_choices = seats;
  s.threshold.kind = ThresholdKind::none;
  return s;
}

const Note* find_note(const std::vector<Note>& notes, const std::string& code) {
  for (const Note& n : notes)
    if (n.code == code) return &n;
  return nullptr;
}

int64_t exhausted_reason(const Round& r, const std::string& reason) {
  for (const auto& kv : r.exhausted_by_reason)
    if (kv.first == reason) return kv.second;
  return -1;
}

int64_t invalid_reason(const TallyResult& r, const std::string& reason) {
  for (const auto& kv : r.invalid_by_reason)
    if (kv.first == reason) return kv.second;
  return 0;
}

using TestRng = dh::test::SplitMix64;

Json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

}  // namespace

// ---------------------------------------------------------------- motions

TEST_CASE("Tally: simple majority of votes cast leaves abstentions out", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast);
  TallyResult r = tally(s, yna(5, 4, 3));
  CHECK(r.outcome == "carried");
  CHECK(r.winners == std::vector<int>{kYes});
  CHECK(r.threshold_base == 9);
  CHECK(r.threshold_needed == 5);
  CHECK(r.cast == 12);
  CHECK(r.valid == 12);
  CHECK(r.votes == std::vector<int64_t>{5, 4, 3});
  // A tie is not a majority.
  TallyResult t = tally(s, yna(4, 4, 1));
  CHECK(t.outcome == "not_carried");
  CHECK(t.threshold_needed == 5);
  CHECK(t.winners.empty());
}

TEST_CASE("Tally: a majority of valid ballots counts abstentions against", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::valid_ballots);
  TallyResult r = tally(s, yna(5, 4, 3));
  CHECK(r.threshold_base == 12);
  CHECK(r.threshold_needed == 7);
  CHECK(r.outcome == "not_carried");
  CHECK(tally(s, yna(7, 4, 1)).outcome == "carried");
}

TEST_CASE("Tally: majority of those present and two thirds of the entitled", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::present);
  s.present = 20;
  s.entitled = 30;
  TallyResult r = tally(s, yna(10, 2, 0));
  CHECK(r.threshold_needed == 11);
  CHECK(r.outcome == "not_carried");
  CHECK(tally(s, yna(11, 2, 0)).outcome == "carried");

  PollSpec e = motion(ThresholdKind::two_thirds, ThresholdBase::entitled);
  e.entitled = 30;
  e.present = 28;
  CHECK(tally(e, yna(19, 0, 0)).threshold_needed == 20);
  CHECK(tally(e, yna(19, 0, 0)).outcome == "not_carried");
  CHECK(tally(e, yna(20, 8, 0)).outcome == "carried");
}

TEST_CASE("Tally: two thirds and three quarters are 'at least'; fractions strict or not", "[tally]") {
  PollSpec s = motion(ThresholdKind::two_thirds, ThresholdBase::votes_cast);
  CHECK(tally(s, yna(6, 3, 0)).outcome == "carried");  // exactly two thirds
  TallyResult r = tally(s, yna(5, 3, 0));
  CHECK(r.threshold_needed == 6);  // ceil(16/3)
  CHECK(r.outcome == "not_carried");
  PollSpec q = motion(ThresholdKind::three_quarters, ThresholdBase::votes_cast);
  CHECK(tally(q, yna(6, 2, 0)).outcome == "carried");
  CHECK(tally(q, yna(5, 2, 0)).threshold_needed == 6);  // ceil(21/4)
  PollSpec f = motion(ThresholdKind::fraction, ThresholdBase::votes_cast);
  f.threshold.numerator = 3;
  f.threshold.denominator = 5;
  f.threshold.strict = true;
  CHECK(tally(f, yna(6, 4, 0)).threshold_needed == 7);  // more than 6 of 10
  CHECK(tally(f, yna(6, 4, 0)).outcome == "not_carried");
  f.threshold.strict = false;
  CHECK(tally(f, yna(6, 4, 0)).threshold_needed == 6);
  CHECK(tally(f, yna(6, 4, 0)).outcome == "carried");
}

TEST_CASE("Tally: threshold none is 'more yes than no'; nothing carries with no votes", "[tally]") {
  PollSpec s = motion(ThresholdKind::none, ThresholdBase::votes_cast);
  CHECK(tally(s, yna(3, 2, 10)).outcome == "carried");
  CHECK(tally(s, yna(2, 2, 10)).outcome == "not_carried");
  PollSpec t = motion(ThresholdKind::two_thirds, ThresholdBase::votes_cast);
  TallyResult r = tally(t, yna(0, 0, 4));
  CHECK(r.threshold_needed == 1);
  CHECK(r.outcome == "not_carried");
}

TEST_CASE("Tally: an unknown attendance cannot meet a threshold that needs it", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::present);
  TallyResult r = tally(s, yna(10, 0, 0));
  CHECK(r.outcome == "not_carried");
  REQUIRE(find_note(r.notes, "threshold_base_unknown"));
  CHECK(find_note(r.notes, "threshold_base_unknown")->param("base") == "present");
}

TEST_CASE("Tally: invalid ballots by reason, in a fixed order", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast);
  std::vector<Ballot> b = yna(3, 1, 0);
  b.push_back(mark({}, 2));              // blank
  b.push_back(mark({kYes, kNo}));        // two marks
  b.push_back(mark({7}));                // no such option
  b.push_back(mark({kYes, kYes}));       // the same twice
  Ballot sp = mark({kYes}, 4);
  sp.spoilt = true;
  b.push_back(sp);
  TallyResult r = tally(s, b);
  CHECK(r.cast == 13);
  CHECK(r.valid == 4);
  CHECK(r.invalid == 9);
  std::vector<std::pair<std::string, int64_t>> want = {
      {"spoilt", 4}, {"blank", 2}, {"unknown_option", 1}, {"duplicate_mark", 1}, {"too_many_marks", 1}};
  CHECK(r.invalid_by_reason == want);
  CHECK(r.votes == std::vector<int64_t>{3, 1, 0});
  CHECK(r.outcome == "carried");
}

TEST_CASE("Tally: quorum of those present, by a fraction of the entitled or a minimum", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast);
  s.quorum.required = true;
  s.quorum.numerator = 1;
  s.quorum.denominator = 2;
  s.quorum.strict = true;  // more than half
  s.entitled = 25;
  s.present = 12;
  TallyResult r = tally(s, yna(10, 1, 1));
  CHECK(r.quorum_needed == 13);
  CHECK_FALSE(r.quorum_met);
  CHECK(r.outcome == "no_quorum");
  CHECK(r.winners.empty());
  REQUIRE(find_note(r.notes, "quorum_not_met"));
  CHECK(find_note(r.notes, "quorum_not_met")->param("needed") == "13");
  s.present = 13;
  CHECK(tally(s, yna(10, 1, 1)).outcome == "carried");
  // A minimum on ballots cast (no attendance needed).
  PollSpec m = motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast);
  m.quorum.required = true;
  m.quorum.base = QuorumBase::ballots_cast;
  m.quorum.minimum = 5;
  CHECK(tally(m, yna(3, 1, 0)).outcome == "no_quorum");
  CHECK(tally(m, yna(3, 1, 1)).outcome == "carried");
  // A fraction of an unknown entitled list cannot be met.
  PollSpec u = s;
  u.entitled = -1;
  TallyResult ur = tally(u, yna(10, 1, 1));
  CHECK(ur.outcome == "no_quorum");
  CHECK(find_note(ur.notes, "quorum_entitled_unknown"));
}

// ---------------------------------------------------------------- elections

TEST_CASE("Tally: single choice, plurality, blank ballots valid", "[tally]") {
  PollSpec s = election(Method::single_choice, 3);
  TallyResult r = tally(s, {mark({0}, 5), mark({1}, 3), mark({2}, 3), mark({}, 2), mark({0, 1})});
  CHECK(r.outcome == "elected");
  CHECK(r.winners == std::vector<int>{0});
  CHECK(r.votes == std::vector<int64_t>{5, 3, 3});
  CHECK(r.blank == 2);
  CHECK(r.valid == 13);
  CHECK(invalid_reason(r, "too_many_marks") == 1);
  // With a majority of votes cast required, 5 of 11 is not enough.
  s.threshold.kind = ThresholdKind::simple_majority;
  TallyResult m = tally(s, {mark({0}, 5), mark({1}, 3), mark({2}, 3), mark({}, 2)});
  CHECK(m.threshold_base == 11);
  CHECK(m.threshold_needed == 6);
  CHECK(m.outcome == "no_winner");
  REQUIRE(find_note(m.notes, "below_threshold"));
  CHECK(find_note(m.notes, "below_threshold")->param("option") == "0");
}

TEST_CASE("Tally: single choice tie: undecided, by seeded lot, or by the drawn order", "[tally]") {
  PollSpec s = election(Method::single_choice, 3);
  std::vector<Ballot> b = {mark({0}, 4), mark({1}, 4), mark({2}, 1)};
  s.tie_break = TieBreak::none;
  TallyResult t = tally(s, b);
  CHECK(t.outcome == "tie");
  CHECK(t.winners.empty());
  REQUIRE(find_note(t.notes, "tie"));
  CHECK(find_note(t.notes, "tie")->param("options") == "0,1");

  s.tie_break = TieBreak::lot;
  s.lot.seed = 20261202;
  TallyResult l = tally(s, b);
  std::vector<int> order = lot_order(s.lot.seed, 0, {0, 1});
  CHECK(l.outcome == "elected");
  CHECK(l.winners == std::vector<int>{order.back()});
  REQUIRE(find_note(l.notes, "tie_break_lot"));
  CHECK(find_note(l.notes, "tie_break_lot")->param("seed") == "20261202");
  CHECK(find_note(l.notes, "tie_break_lot")->param("winners") == std::to_string(order.back()));

  s.lot.drawn_order = {1, 2, 0};  // B drawn first: B loses
  TallyResult d = tally(s, b);
  CHECK(d.winners == std::vector<int>{0});
  CHECK(find_note(d.notes, "tie_break_lot")->param("drawn_order") == "1,2,0");
}

TEST_CASE("Tally: lot order is a fixed function of seed, draw and the tied", "[tally]") {
  std::vector<int> a = lot_order(7, 0, {3, 1, 2});
  CHECK(a == lot_order(7, 0, {2, 3, 1}));  // the order given does not matter
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<int>{1, 2, 3});
  // Different seeds and draws give different orders at least sometimes.
  bool differs = false;
  for (uint64_t seed = 0; seed < 20; ++seed) differs |= lot_order(seed, 0, {0, 1, 2, 3}) != lot_order(seed + 1, 0, {0, 1, 2, 3});
  CHECK(differs);
}

TEST_CASE("Tally: multiple choice with a maximum elects the top seats", "[tally]") {
  PollSpec s = election(Method::multiple_choice, 4, 2);
  s.max_choices = 2;
  std::vector<Ballot> b = {mark({0, 1}, 3), mark({0, 2}, 2), mark({3}, 1), mark({1, 2, 3}), mark({2, 2}), mark({})};
  TallyResult r = tally(s, b);
  CHECK(r.votes == std::vector<int64_t>{5, 3, 2, 1});
  CHECK(r.winners == std::vector<int>{0, 1});
  CHECK(r.outcome == "elected");
  CHECK(r.valid == 7);
  CHECK(r.blank == 1);
  CHECK(invalid_reason(r, "too_many_marks") == 1);
  CHECK(invalid_reason(r, "duplicate_mark") == 1);
  // Each winner must reach a majority of the ballots that voted (6): only A.
  s.threshold.kind = ThresholdKind::simple_majority;
  TallyResult m = tally(s, b);
  CHECK(m.threshold_needed == 4);
  CHECK(m.winners == std::vector<int>{0});
  CHECK_FALSE(m.threshold_met);
}

TEST_CASE("Tally: multiple choice tie across the last seat", "[tally]") {
  PollSpec s = election(Method::multiple_choice, 4, 2);
  s.max_choices = 2;
  std::vector<Ballot> b = {mark({0, 1}, 2), mark({0, 2}, 2), mark({3})};
  // A 4, B 2, C 2: A and one of B/C.
  s.tie_break = TieBreak::none;
  TallyResult t = tally(s, b);
  CHECK(t.outcome == "tie");
  CHECK(t.winners == std::vector<int>{0});
  s.tie_break = TieBreak::lot;
  s.lot.drawn_order = {2, 0, 1, 3};  // C drawn first: C loses
  TallyResult l = tally(s, b);
  CHECK(l.winners == std::vector<int>{0, 1});
}

// ---------------------------------------------------------------- ranked choice

TEST_CASE("Tally: instant run-off, one elimination per round, transfers", "[tally][irv]") {
  // A>B>C 8, B>C>A 6, C>B>A 5, D>C>B 2. Round 1: A8 B6 C5 D2, D out.
  // Round 2: A8 B6 C7, B out. Round 3: C 13, A 8: C wins.
  PollSpec s = election(Method::ranked_choice, 4);
  std::vector<Ballot> b = {ranked({{0}, {1}, {2}}, 8), ranked({{1}, {2}, {0}}, 6), ranked({{2}, {1}, {0}}, 5),
                           ranked({{3}, {2}, {1}}, 2)};
  TallyResult r = tally(s, b);
  REQUIRE(r.rounds.size() == 3);
  CHECK(r.rounds[0].votes == std::vector<int64_t>{8, 6, 5, 2});
  CHECK(r.rounds[0].eliminated == std::vector<int>{3});
  CHECK(r.rounds[1].votes == std::vector<int64_t>{8, 6, 7, 0});
  CHECK(r.rounds[1].transfers == std::vector<int64_t>{0, 0, 2, 0});
  CHECK(r.rounds[1].eliminated == std::vector<int>{1});
  CHECK(r.rounds[2].votes == std::vector<int64_t>{8, 0, 13, 0});
  CHECK(r.rounds[2].transfers == std::vector<int64_t>{0, 0, 6, 0});
  CHECK(r.rounds[2].elected == 2);
  CHECK(r.winners == std::vector<int>{2});
  CHECK(r.outcome == "elected");
  CHECK(r.votes == std::vector<int64_t>{8, 6, 5, 2});
}

TEST_CASE("Tally: batch elimination drops every mathematically defeated candidate at once", "[tally][irv]") {
  // A 10, B 9, C 2, D 1: C + D = 3 < 9, both out in round 1; then B + (C, D's) vs A.
  PollSpec s = election(Method::ranked_choice, 4);
  std::vector<Ballot> b = {ranked({{0}}, 10), ranked({{1}}, 9), ranked({{2}, {1}}, 2), ranked({{3}, {2}})};
  s.ranked.elimination = EliminationRule::batch;
  TallyResult r = tally(s, b);
  REQUIRE(r.rounds.size() == 2);
  CHECK(r.rounds[0].eliminated == std::vector<int>{3, 2});
  CHECK(r.rounds[1].votes == std::vector<int64_t>{10, 11, 0, 0});
  CHECK(r.rounds[1].exhausted == 1);  // D>C: C is out too
  CHECK(r.rounds[1].transferred_to_exhausted == 1);
  CHECK(r.winners == std::vector<int>{1});
  // One at a time: D, then C, same winner in one more round.
  s.ranked.elimination = EliminationRule::single;
  TallyResult one = tally(s, b);
  REQUIRE(one.rounds.size() == 3);
  CHECK(one.rounds[0].eliminated == std::vector<int>{3});
  CHECK(one.rounds[1].votes == std::vector<int64_t>{10, 9, 3, 0});
  CHECK(one.rounds[1].eliminated == std::vector<int>{2});
  CHECK(one.winners == std::vector<int>{1});
}

TEST_CASE("Tally: IRV tie for last: previous rounds, first round, lot, none", "[tally][irv]") {
  // A 15, C>B 8, B 7, F>B 2, F 1, E>C>B 1, E 3.
  // R1: A15 B7 C8 E4 F3 -> F out. R2: A15 B9 C8 E4 -> E out. R3: A15 B9 C9: tie.
  // Previous round (R2): C had fewer -> C out, B wins 18-15.
  // First round (R1): B had fewer -> B out, A wins 15-9.
  PollSpec s = election(Method::ranked_choice, 6);  // A B C D E F (D unused)
  std::vector<Ballot> b = {ranked({{0}}, 15), ranked({{2}, {1}}, 8), ranked({{1}}, 7), ranked({{5}, {1}}, 2),
                           ranked({{5}}, 1), ranked({{4}, {2}, {1}}), ranked({{4}}, 3)};
  s.tie_break = TieBreak::previous_rounds_then_lot;
  TallyResult back = tally(s, b);
  // D has no votes at all: it goes first.
  REQUIRE(back.rounds.size() == 5);
  CHECK(back.rounds[0].eliminated == std::vector<int>{3});
  CHECK(back.rounds[1].eliminated == std::vector<int>{5});
  CHECK(back.rounds[2].eliminated == std::vector<int>{4});
  CHECK(back.rounds[3].votes == std::vector<int64_t>{15, 9, 9, 0, 0, 0});
  CHECK(back.rounds[3].eliminated == std::vector<int>{2});
  REQUIRE(find_note(back.rounds[3].notes, "tie_break_previous_round"));
  CHECK(find_note(back.rounds[3].notes, "tie_break_previous_round")->param("round") == "3");
  CHECK(back.winners == std::vector<int>{1});
  CHECK(back.rounds[4].votes[1] == 18);

  s.tie_break = TieBreak::first_round_then_lot;
  TallyResult fwd = tally(s, b);
  CHECK(fwd.rounds[3].eliminated == std::vector<int>{1});
  REQUIRE(find_note(fwd.rounds[3].notes, "tie_break_first_round"));
  CHECK(find_note(fwd.rounds[3].notes, "tie_break_first_round")->param("round") == "1");
  CHECK(fwd.winners == std::vector<int>{0});

  s.tie_break = TieBreak::none;
  TallyResult none = tally(s, b);
  CHECK(none.outcome == "tie");
  CHECK(none.winners.empty());

  s.tie_break = TieBreak::lot;
  s.lot.seed = 99;
  TallyResult lot = tally(s, b);
  int loser = lot_order(99, 0, {1, 2}).front();
  CHECK(lot.rounds[3].eliminated == std::vector<int>{loser});
  REQUIRE(find_note(lot.rounds[3].notes, "tie_break_lot"));
  CHECK(find_note(lot.rounds[3].notes, "tie_break_lot")->param("draw") == "0");
}

TEST_CASE("Tally: IRV with equal counts in every round goes to the lot", "[tally][irv]") {
  PollSpec s = election(Method::ranked_choice, 2);
  s.lot.drawn_order = {1, 0};
  TallyResult r = tally(s, {ranked({{0}}, 5), ranked({{1}}, 5)});
  REQUIRE(r.rounds.size() == 2);
  CHECK(r.rounds[0].eliminated == std::vector<int>{1});
  CHECK(find_note(r.rounds[0].notes, "tie_break_lot"));
  CHECK(r.winners == std::vector<int>{0});
}

TEST_CASE("Tally: overvote rules", "[tally][irv]") {
  // D 3 first choices; A>[B,C]>D 2; B 4; C 3. A (2) is out first.
  PollSpec s = election(Method::ranked_choice, 4);
  std::vector<Ballot> b = {ranked({{0}, {1, 2}, {3}}, 2), ranked({{1}}, 4), ranked({{2}}, 3), ranked({{3}}, 3)};
  s.ranked.overvote = OvervoteRule::exhaust;
  TallyResult ex = tally(s, b);
  CHECK(ex.rounds[1].votes == std::vector<int64_t>{0, 4, 3, 3});
  CHECK(exhausted_reason(ex.rounds[1], "overvote") == 2);

  s.ranked.overvote = OvervoteRule::skip_rank;
  TallyResult sk = tally(s, b);
  CHECK(sk.rounds[1].votes == std::vector<int64_t>{0, 4, 3, 5});
  CHECK(sk.rounds[1].exhausted == 0);

  s.ranked.overvote = OvervoteRule::exhaust_if_multiple_continuing;
  TallyResult mc = tally(s, b);
  CHECK(exhausted_reason(mc.rounds[1], "overvote") == 2);  // B and C both continuing
  // With C already out, the overvote counts for B alone.
  std::vector<Ballot> b2 = {ranked({{2}}, 1), ranked({{0}, {1, 2}, {3}}, 2), ranked({{1}}, 4), ranked({{3}}, 4),
                            ranked({{0}}, 1)};
  // Round 1: A3 B4 C1 D4 -> C out; round 2 same -> A out: A>[B,C]>D goes to B.
  TallyResult only = tally(s, b2);
  REQUIRE(only.rounds.size() >= 3);
  CHECK(only.rounds[0].eliminated == std::vector<int>{2});
  CHECK(only.rounds[1].eliminated == std::vector<int>{0});
  CHECK(only.rounds[2].votes == std::vector<int64_t>{0, 6, 0, 4});
  CHECK(only.winners == std::vector<int>{1});
  // An overvote whose candidates were not recorded cannot be counted.
  TallyResult unk = tally(s, {ranked({{0}, {kUnknownOption, kUnknownOption}, {3}}, 2), ranked({{1}}, 4),
                             ranked({{2}}, 3), ranked({{3}}, 3)});
  CHECK(exhausted_reason(unk.rounds[1], "overvote") == 2);
}

TEST_CASE("Tally: skipped rankings: passed over, or N in a row exhaust", "[tally][irv]") {
  // A, _, _, D (2) and A, _, D (1); B 5, D 4; C 1 and _, C (1).
  PollSpec s = election(Method::ranked_choice, 4);
  std::vector<Ballot> b = {ranked({{0}, {}, {}, {3}}, 2), ranked({{0}, {}, {3}}), ranked({{1}}, 5), ranked({{3}}, 4),
                           ranked({{2}}, 1), ranked({{}, {2}}, 1)};
  // Round 1: A3 B5 C2 D4 (C's second after a single skip): C out, then A.
  s.ranked.exhaust_after_consecutive_skips = 0;
  TallyResult skip = tally(s, b);
  CHECK(skip.rounds[0].votes == std::vector<int64_t>{3, 5, 2, 4});
  CHECK(skip.rounds[0].eliminated == std::vector<int>{2});
  // C's two ballots end with nothing continuing: exhausted.
  CHECK(skip.rounds[1].exhausted == 2);
  CHECK(skip.rounds[1].eliminated == std::vector<int>{0});
  CHECK(skip.rounds[2].votes == std::vector<int64_t>{0, 5, 0, 7});
  CHECK(skip.winners == std::vector<int>{3});

  s.ranked.exhaust_after_consecutive_skips = 2;
  TallyResult two = tally(s, b);
  CHECK(two.rounds[0].votes == std::vector<int64_t>{3, 5, 2, 4});
  CHECK(two.rounds[2].votes == std::vector<int64_t>{0, 5, 0, 5});
  // A's two A,_,_,D ballots, and C's two: a ballot shorter than the widest
  // ballot (the ballot's width when ranks_on_ballot is 0) left its last ranks blank.
  CHECK(exhausted_reason(two.rounds[2], "consecutive_skips") == 4);

  s.ranked.exhaust_after_consecutive_skips = 1;
  TallyResult one = tally(s, b);
  CHECK(one.rounds[0].votes == std::vector<int64_t>{3, 5, 1, 4});
  CHECK(exhausted_reason(one.rounds[0], "consecutive_skips") == 1);
}

TEST_CASE("Tally: duplicate rankings: ignored, a skip, or the end", "[tally][irv]") {
  PollSpec s = election(Method::ranked_choice, 3);
  // A, A, _, C (2); B 4; C 3. A out first.
  std::vector<Ballot> b = {ranked({{0}, {0}, {}, {2}}, 2), ranked({{1}}, 4), ranked({{2}}, 3)};
  s.ranked.exhaust_after_consecutive_skips = 2;
  s.ranked.duplicate = DuplicateRule::ignore;
  CHECK(tally(s, b).rounds[1].votes == std::vector<int64_t>{0, 4, 5});
  s.ranked.duplicate = DuplicateRule::count_as_skip;
  TallyResult cs = tally(s, b);
  CHECK(cs.rounds[1].votes == std::vector<int64_t>{0, 4, 3});
  CHECK(exhausted_reason(cs.rounds[1], "consecutive_skips") == 2);
  s.ranked.duplicate = DuplicateRule::exhaust;
  TallyResult de = tally(s, b);
  CHECK(exhausted_reason(de.rounds[1], "duplicate") == 2);
}

TEST_CASE("Tally: blank ranked ballots: invalid or exhausted; too many ranks invalid", "[tally][irv]") {
  PollSpec s = election(Method::ranked_choice, 2);
  s.ranked.ranks_on_ballot = 2;
  std::vector<Ballot> b = {ranked({{0}}, 3), ranked({{1}, {0}}, 2), ranked({}, 2), ranked({{}, {}}),
                           ranked({{0}, {1}, {0}})};
  s.ranked.blank_ballot = BlankBallotRule::invalid;
  TallyResult inv = tally(s, b);
  CHECK(invalid_reason(inv, "blank") == 3);
  CHECK(invalid_reason(inv, "too_many_ranks") == 1);
  CHECK(inv.valid == 5);
  CHECK(inv.rounds[0].exhausted == 0);
  s.ranked.blank_ballot = BlankBallotRule::exhausted;
  TallyResult ex = tally(s, b);
  CHECK(ex.valid == 8);
  CHECK(exhausted_reason(ex.rounds[0], "blank_ballot") == 3);
  CHECK(ex.winners == std::vector<int>{0});
}

TEST_CASE("Tally: stop at a majority or continue until two remain", "[tally][irv]") {
  PollSpec s = election(Method::ranked_choice, 3);
  std::vector<Ballot> b = {ranked({{0}}, 6), ranked({{1}}, 3), ranked({{2}, {1}}, 2)};
  TallyResult maj = tally(s, b);
  CHECK(maj.rounds.size() == 1);
  CHECK(maj.winners == std::vector<int>{0});
  s.ranked.stop = StopRule::two_remaining;
  TallyResult two = tally(s, b);
  REQUIRE(two.rounds.size() == 2);
  CHECK(two.rounds[1].votes == std::vector<int64_t>{6, 5, 0});
  CHECK(two.rounds[1].elected == 0);
}

TEST_CASE("Tally: an IRV winner below the poll's threshold is not elected", "[tally][irv]") {
  PollSpec s = election(Method::ranked_choice, 4);
  s.threshold.kind = ThresholdKind::simple_majority;
  s.threshold.base = ThresholdBase::valid_ballots;
  // A4 B3 C2 D3: C out (to B), then D out (exhausted): B wins 5-4 in the last
  // round, but 5 of 12 valid ballots is not a majority of them.
  std::vector<Ballot> b = {ranked({{0}}, 4), ranked({{1}}, 3), ranked({{2}, {1}}, 2), ranked({{3}}, 3)};
  TallyResult r = tally(s, b);
  CHECK(r.rounds.back().elected == 1);
  CHECK(r.outcome == "no_winner");
  CHECK(find_note(r.notes, "below_threshold"));
}

// ---------------------------------------------------------------- paper and attendance

TEST_CASE("Tally: paper counts checked against attendance", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast);
  s.entitled = 30;
  s.present = 15;
  PaperCounts p;
  p.per_option = {10, 5, 2};
  p.invalid = 1;
  p.papers_issued = 15;
  p.papers_returned = 17;
  s.paper = p;
  TallyResult r = tally(s, {});
  CHECK(r.votes == std::vector<int64_t>{10, 5, 2});
  CHECK(r.cast == 18);
  CHECK(r.valid == 17);
  CHECK(invalid_reason(r, "spoilt") == 1);
  CHECK(r.outcome == "carried");
  CHECK_FALSE(r.counts_consistent);
  REQUIRE(find_note(r.notes, "more_ballots_than_present"));
  CHECK(find_note(r.notes, "more_ballots_than_present")->param("cast") == "18");
  REQUIRE(find_note(r.notes, "paper_counts_do_not_add_up"));
  CHECK(find_note(r.notes, "paper_counts_do_not_add_up")->param("counted") == "18");
  REQUIRE(find_note(r.notes, "paper_more_returned_than_issued"));

  // Consistent counts: no notes.
  p.per_option = {8, 4, 2};
  p.invalid = 1;
  p.papers_returned = 15;
  s.paper = p;
  TallyResult ok = tally(s, {});
  CHECK(ok.counts_consistent);
  CHECK(ok.notes.empty());
  CHECK(ok.cast == 15);
}

TEST_CASE("Tally: show of hands added to tablet ballots; multiple choice hands", "[tally]") {
  PollSpec s = motion(ThresholdKind::simple_majority, ThresholdBase::present);
  s.present = 10;
  PaperCounts h;
  h.show_of_hands = true;
  h.per_option = {4, 2, 1};
  s.paper = h;
  TallyResult r = tally(s, yna(2, 1, 0));
  CHECK(r.votes == std::vector<int64_t>{6, 3, 1});
  CHECK(r.cast == 10);
  CHECK(r.counts_consistent);
  CHECK(r.outcome == "carried");

  PollSpec m = election(Method::multiple_choice, 3, 2);
  m.max_choices = 2;
  m.present = 5;
  PaperCounts mh;
  mh.per_option = {5, 4, 3};
  mh.papers_returned = 5;
  m.paper = mh;
  TallyResult mr = tally(m, {});
  CHECK_FALSE(mr.counts_consistent);  // 12 marks from 5 people with at most 2 each
  CHECK(find_note(mr.notes, "paper_marks_exceed_papers"));
  CHECK(mr.winners == std::vector<int>{0, 1});
}

TEST_CASE("Tally: a spec that cannot be counted says which field", "[tally]") {
  PollSpec s = election(Method::ranked_choice, 3, 2);
  TallyResult r = tally(s, {});
  CHECK(r.outcome == "bad_spec");
  CHECK(r.notes.at(0).param("field") == "bad_seats");
  CHECK(check_spec(election(Method::single_choice, 0)).error().code == "no_options");
  PollSpec d = election(Method::single_choice, 3);
  d.lot.drawn_order = {0, 0, 1};
  CHECK(check_spec(d).error().code == "bad_drawn_order");
}

// ---------------------------------------------------------------- properties

namespace {

std::vector<Ballot> random_ranked(TestRng& rng, int n_options, int n_ballots) {
  std::vector<Ballot> out;
  for (int i = 0; i < n_ballots; ++i) {
    Ballot b;
    int len = rng.below(n_options + 2);
    for (int k = 0; k < len; ++k) {
      int kind = rng.below(10);
      if (kind == 0) b.ranks.push_back({});
      else if (kind == 1) b.ranks.push_back({rng.below(n_options), rng.below(n_options)});
      else b.ranks.push_back({rng.below(n_options)});
      if (b.ranks.back().size() == 2 && b.ranks.back()[0] == b.ranks.back()[1]) b.ranks.back().pop_back();
    }
    b.count = 1 + rng.below(3);
    out.push_back(b);
  }
  return out;
}

std::vector<Ballot> random_marks(TestRng& rng, int n_options, int n_ballots) {
  std::vector<Ballot> out;
  for (int i = 0; i < n_ballots; ++i) {
    Ballot b;
    int len = rng.below(4);
    for (int k = 0; k < len; ++k) b.marks.push_back(rng.below(n_options + 1));  // sometimes out of range
    b.spoilt = rng.below(30) == 0;
    out.push_back(b);
  }
  return out;
}

std::string dump(const TallyResult& r) { return result_to_json(r).dump(); }

}  // namespace

TEST_CASE("Tally: the result does not depend on ballot order (property)", "[tally][property]") {
  TestRng rng{12345};
  for (int trial = 0; trial < 60; ++trial) {
    int n = 2 + rng.below(5);
    PollSpec s = election(Method::ranked_choice, n);
    s.ranked.overvote = static_cast<OvervoteRule>(rng.below(3));
    s.ranked.duplicate = static_cast<DuplicateRule>(rng.below(3));
    s.ranked.elimination = static_cast<EliminationRule>(rng.below(2));
    s.ranked.stop = static_cast<StopRule>(rng.below(2));
    s.ranked.blank_ballot = static_cast<BlankBallotRule>(rng.below(2));
    s.ranked.exhaust_after_consecutive_skips = rng.below(3);
    s.tie_break = static_cast<TieBreak>(rng.below(4));
    s.lot.seed = rng.next();
    std::vector<Ballot> b = random_ranked(rng, n, 5 + rng.below(40));
    std::string want = dump(tally(s, b));
    for (int k = 0; k < 5; ++k) {
      rng.shuffle(b);
      REQUIRE(dump(tally(s, b)) == want);
    }
    // One entry of count 3 is three entries of count 1.
    std::vector<Ballot> single;
    for (const Ballot& x : b)
      for (int64_t c = 0; c < x.count; ++c) {
        Ballot y = x;
        y.count = 1;
        single.push_back(y);
      }
    rng.shuffle(single);
    REQUIRE(dump(tally(s, single)) == want);
  }
  for (int trial = 0; trial < 60; ++trial) {
    Method m = static_cast<Method>(rng.below(3));
    int n = m == Method::yes_no_abstain ? 3 : 2 + rng.below(4);
    // One draw per statement: the order of evaluation of arguments differs between compilers.
    ThresholdKind kind = static_cast<ThresholdKind>(rng.below(4));
    ThresholdBase base = static_cast<ThresholdBase>(rng.below(4));
    int seats = 1 + rng.below(2);
    PollSpec s = m == Method::yes_no_abstain ? motion(kind, base) : election(m, n, seats);
    s.max_choices = 1 + rng.below(3);
    s.present = 40;
    s.entitled = 60;
    s.tie_break = static_cast<TieBreak>(rng.below(4));
    s.lot.seed = rng.next();
    std::vector<Ballot> b = random_marks(rng, n, 5 + rng.below(40));
    std::string want = dump(tally(s, b));
    for (int k = 0; k < 5; ++k) {
      rng.shuffle(b);
      REQUIRE(dump(tally(s, b)) == want);
    }
  }
}

TEST_CASE("Tally: every round's votes and exhausted add up to the valid ballots (property)", "[tally][property]") {
  TestRng rng{777};
  for (int trial = 0; trial < 80; ++trial) {
    int n = 2 + rng.below(6);
    PollSpec s = election(Method::ranked_choice, n);
    s.ranked.overvote = static_cast<OvervoteRule>(rng.below(3));
    s.ranked.elimination = static_cast<EliminationRule>(rng.below(2));
    s.ranked.blank_ballot = BlankBallotRule::exhausted;
    s.ranked.exhaust_after_consecutive_skips = rng.below(3);
    TallyResult r = tally(s, random_ranked(rng, n, 10 + rng.below(60)));
    int64_t prev_exhausted = 0;
    for (const Round& rd : r.rounds) {
      REQUIRE(rd.continuing_votes + rd.exhausted == r.valid);
      REQUIRE(rd.exhausted >= prev_exhausted);
      prev_exhausted = rd.exhausted;
    }
    if (r.outcome == "elected") REQUIRE(r.rounds.back().elected == r.winners.at(0));
  }
}

TEST_CASE("Tally: every code a result carries is in the published code lists", "[tally][property]") {
  auto listed = [](const std::vector<std::string>& list, const std::string& code) {
    return std::find(list.begin(), list.end(), code) != list.end();
  };
  TestRng rng{4242};
  for (int trial = 0; trial < 150; ++trial) {
    Method m = static_cast<Method>(rng.below(4));
    int n = m == Method::yes_no_abstain ? 3 : 2 + rng.below(4);
    ThresholdBase base = static_cast<ThresholdBase>(rng.below(4));
    PollSpec s = m == Method::yes_no_abstain ? motion(ThresholdKind::none, base) : election(m, n, 1);
    s.threshold.kind = static_cast<ThresholdKind>(rng.below(5));
    s.threshold.numerator = 3;
    s.threshold.denominator = 5;
    s.present = rng.below(3) == 0 ? -1 : rng.below(50);
    s.entitled = rng.below(3) == 0 ? -1 : 40;
    s.quorum.required = rng.below(2) == 0;
    s.quorum.numerator = 1;
    s.quorum.denominator = 2;
    s.tie_break = static_cast<TieBreak>(rng.below(4));
    s.ranked.exhaust_after_consecutive_skips = rng.below(3);
    if (m != Method::ranked_choice && rng.below(3) == 0) {
      PaperCounts p;
      for (int i = 0; i < n; ++i) p.per_option.push_back(rng.below(10));
      p.papers_returned = rng.below(30);
      p.papers_issued = rng.below(30);
      s.paper = p;
    }
    if (rng.below(10) == 0) s.seats = 0;  // a bad spec
    int count = rng.below(30);
    TallyResult r = tally(s, m == Method::ranked_choice ? random_ranked(rng, n, count) : random_marks(rng, n, count));
    INFO(r.outcome);
    REQUIRE(listed(outcome_codes(), r.outcome));
    for (const auto& kv : r.invalid_by_reason) REQUIRE(listed(invalid_reason_codes(), kv.first));
    for (const Note& note : r.notes) REQUIRE(listed(note_codes(), note.code));
    for (const Round& rd : r.rounds) {
      for (const Note& note : rd.notes) REQUIRE(listed(note_codes(), note.code));
      for (const auto& kv : rd.exhausted_by_reason) REQUIRE(listed(exhaustion_reason_codes(), kv.first));
    }
  }
}

TEST_CASE("Tally: the same results on every platform (digest of 300 random polls)", "[tally][property]") {
  // The digest below was recorded natively (g++ 12, x86-64) and must come out
  // the same in the wasm test build (em++ 3.1.6, node): the tally is the same
  // on every device. A change to the tally's output format changes it too:
  // then record the new value from one platform and check it on the other.
  TestRng rng{31337};
  uint64_t digest = 1469598103934665603ull;  // FNV-1a
  for (int trial = 0; trial < 300; ++trial) {
    Method m = static_cast<Method>(rng.below(4));
    int n = m == Method::yes_no_abstain ? 3 : 2 + rng.below(5);
    PollSpec s = m == Method::yes_no_abstain ? motion(ThresholdKind::simple_majority, ThresholdBase::votes_cast)
                                             : election(m, n, 1);
    s.threshold.kind = static_cast<ThresholdKind>(rng.below(4));
    s.threshold.base = static_cast<ThresholdBase>(rng.below(4));
    s.present = 30;
    s.entitled = 45;
    s.ranked.overvote = static_cast<OvervoteRule>(rng.below(3));
    s.ranked.duplicate = static_cast<DuplicateRule>(rng.below(3));
    s.ranked.elimination = static_cast<EliminationRule>(rng.below(2));
    s.ranked.exhaust_after_consecutive_skips = rng.below(3);
    s.tie_break = static_cast<TieBreak>(rng.below(4));
    s.lot.seed = rng.next();
    int count = 3 + rng.below(40);
    std::string text =
        dump(tally(s, m == Method::ranked_choice ? random_ranked(rng, n, count) : random_marks(rng, n, count)));
    for (unsigned char ch : text) digest = (digest ^ ch) * 1099511628211ull;
  }
  CHECK(digest == 0x552d3e699cbcec14ull);
}

// ---------------------------------------------------------------- the two real elections

namespace {

struct Election {
  Json file;
  PollFile poll;
};

Election load_election(const std::string& name) {
  Election e;
  e.file = read_json(std::string(DH_TEST_DATA_DIR) + "/elections/" + name);
  REQUIRE(is_election_file(e.file));
  Result<PollFile> p = poll_from_election_json(e.file);
  REQUIRE(p.ok());
  e.poll = std::move(p.value());
  return e;
}

int option_of(const PollSpec& s, const std::string& label) {
  auto it = std::find(s.options.begin(), s.options.end(), label);
  REQUIRE(it != s.options.end());
  return static_cast<int>(it - s.options.begin());
}

// Every published number of `expected`: each round's tallies, exhausted pile,
// eliminated and elected; the winner.
void check_official(const Election& e, const TallyResult& r) {
  const Json& x = e.file["expected"];
  const PollSpec& s = e.poll.spec;
  REQUIRE(r.outcome == "elected");
  CHECK(s.options[r.winners.at(0)] == x["winner"].get<std::string>());
  CHECK(r.valid + (x.contains("invalid_ballots") ? x["invalid_ballots"].get<int64_t>() : 0) == r.cast);
  CHECK(r.valid == x["total_ballots"].get<int64_t>());
  const Json& rounds = x["rounds"];
  REQUIRE(r.rounds.size() == rounds.size());
  for (size_t k = 0; k < rounds.size(); ++k) {
    INFO("round " << (k + 1));
    const Round& rd = r.rounds[k];
    const Json& want = rounds[k];
    int continuing = 0;
    for (bool c : rd.continuing) continuing += c ? 1 : 0;
    CHECK(continuing == static_cast<int>(want["tallies"].size()));
    for (auto it = want["tallies"].begin(); it != want["tallies"].end(); ++it) {
      INFO(it.key());
      int o = option_of(s, it.key());
      CHECK(rd.continuing[o]);
      CHECK(rd.votes[o] == it->get<int64_t>());
    }
    CHECK(rd.exhausted == want["exhausted"].get<int64_t>());
    std::vector<std::string> elim;
    for (int o : rd.eliminated) elim.push_back(s.options[o]);
    std::vector<std::string> want_elim;
    if (want.contains("eliminated"))
      for (const Json& n : want["eliminated"]) want_elim.push_back(n.get<std::string>());
    std::sort(elim.begin(), elim.end());
    std::sort(want_elim.begin(), want_elim.end());
    CHECK(elim == want_elim);
    if (want.contains("elected")) CHECK(s.options[rd.elected] == want["elected"].get<std::string>());
  }
  CHECK(r.rounds.back().exhausted == x["exhausted"].get<int64_t>());
}

}  // namespace

TEST_CASE("Tally: Burlington 2009 mayor reproduced round by round", "[tally][election]") {
  Election e = load_election("burlington_2009_mayor.json");
  const PollSpec& s = e.poll.spec;
  CHECK(s.ranked.elimination == EliminationRule::batch);
  CHECK(s.ranked.overvote == OvervoteRule::exhaust_if_multiple_continuing);
  CHECK(s.ranked.blank_ballot == BlankBallotRule::invalid);
  TallyResult r = tally(s, e.poll.ballots);
  check_official(e, r);
  // The figures the file states, written out once more here so a changed file cannot pass silently.
  CHECK(r.cast == 8984);
  CHECK(invalid_reason(r, "blank") == 4);
  CHECK(r.rounds[0].votes[option_of(s, "Kurt Wright")] == 2951);
  CHECK(r.rounds[0].exhausted == 4);
  CHECK(r.rounds[1].exhausted == 151);
  CHECK(r.rounds[2].votes[option_of(s, "Bob Kiss")] == 4313);
  CHECK(r.rounds[2].votes[option_of(s, "Kurt Wright")] == 4061);
  CHECK(r.rounds[2].exhausted == 606);
}

TEST_CASE("Tally: Burlington's overvote rule matters: 'an overvote ends the ballot' moves one vote", "[tally][election]") {
  Election e = load_election("burlington_2009_mayor.json");
  PollSpec s = e.poll.spec;
  s.ranked.overvote = OvervoteRule::exhaust;
  TallyResult r = tally(s, e.poll.ballots);
  CHECK(r.rounds.back().votes[option_of(s, "Kurt Wright")] == 4060);
  CHECK(r.rounds.back().exhausted == 607);
  CHECK(s.options[r.winners.at(0)] == "Bob Kiss");
}

TEST_CASE("Tally: Maine CD2 2018 reproduced round by round, exhausted ballots split as published", "[tally][election]") {
  Election e = load_election("maine_cd2_2018.json");
  const PollSpec& s = e.poll.spec;
  CHECK(s.ranked.exhaust_after_consecutive_skips == 2);
  CHECK(s.ranked.overvote == OvervoteRule::exhaust);
  CHECK(s.ranked.blank_ballot == BlankBallotRule::exhausted);
  CHECK(s.ranked.ranks_on_ballot == 5);
  TallyResult r = tally(s, e.poll.ballots);
  check_official(e, r);
  CHECK(r.cast == 296077);
  CHECK(r.rounds[1].votes[option_of(s, "DEM Golden, Jared F.")] == 142440);
  CHECK(r.rounds[1].votes[option_of(s, "REP Poliquin, Bruce")] == 138931);
  // The Secretary of State's split: overvote / undervote (any blank column:
  // blank ballots, skipped ranks, ranks left blank) / exhausted choices (all
  // five columns used).
  const Json& rounds = e.file["expected"]["rounds"];
  for (size_t k = 0; k < r.rounds.size(); ++k) {
    INFO("round " << (k + 1));
    const Round& rd = r.rounds[k];
    const Json& d = rounds[k]["exhausted_detail"];
    CHECK(exhausted_reason(rd, "overvote") == d["overvote"].get<int64_t>());
    CHECK(exhausted_reason(rd, "blank_ballot") + exhausted_reason(rd, "consecutive_skips") +
              exhausted_reason(rd, "ranks_left_blank") ==
          d["undervote"].get<int64_t>());
    CHECK(exhausted_reason(rd, "all_ranks_used") == d["exhausted_choices"].get<int64_t>());
    CHECK(exhausted_reason(rd, "duplicate") == 0);
  }
  CHECK(exhausted_reason(r.rounds[1], "all_ranks_used") == 335);
}

TEST_CASE("Tally: one elimination per round gives the same final round in more rounds", "[tally][election]") {
  for (const char* name : {"burlington_2009_mayor.json", "maine_cd2_2018.json"}) {
    INFO(name);
    Election e = load_election(name);
    TallyResult batch = tally(e.poll.spec, e.poll.ballots);
    PollSpec s = e.poll.spec;
    s.ranked.elimination = EliminationRule::single;
    TallyResult one = tally(s, e.poll.ballots);
    CHECK(one.rounds.size() > batch.rounds.size());
    CHECK(one.winners == batch.winners);
    CHECK(one.rounds.back().votes == batch.rounds.back().votes);
    CHECK(one.rounds.back().exhausted == batch.rounds.back().exhausted);
  }
}

TEST_CASE("Tally: election ballots in any order give the same result", "[tally][election][property]") {
  Election e = load_election("burlington_2009_mayor.json");
  std::string want = result_to_json(tally(e.poll.spec, e.poll.ballots)).dump();
  std::vector<Ballot> b = e.poll.ballots;
  TestRng rng{2009};
  rng.shuffle(b);
  CHECK(result_to_json(tally(e.poll.spec, b)).dump() == want);
  std::reverse(b.begin(), b.end());
  CHECK(result_to_json(tally(e.poll.spec, b)).dump() == want);
}

// ---------------------------------------------------------------- the file format

TEST_CASE("Tally file: a poll file is read and a bad entry is named", "[tally][json]") {
  Json j = Json::parse(R"({
    "method": "ranked_choice", "options": ["Li", "Wang", "Zhao"],
    "ranked": {"overvote": "skip_rank", "exhaust_after_consecutive_skips": 2, "elimination": "batch"},
    "tie_break": "lot", "lot": {"seed": 5},
    "ballots": [["Li", "Wang"], {"ranks": ["Wang", null, ["Li", "Zhao"]], "count": 3}, ["Zhao"]]
  })");
  Result<PollFile> p = poll_from_json(j);
  REQUIRE(p.ok());
  CHECK(p->spec.ranked.overvote == OvervoteRule::skip_rank);
  CHECK(p->spec.lot.seed == 5);
  REQUIRE(p->ballots.size() == 3);
  CHECK(p->ballots[1].count == 3);
  CHECK(p->ballots[1].ranks == std::vector<std::vector<int>>{{1}, {}, {0, 2}});
  TallyResult r = tally(p->spec, p->ballots);
  CHECK(r.winners == std::vector<int>{1});
  Json out = result_to_json(r);
  CHECK(out["winners"][0] == "Wang");
  CHECK(out["rounds"][0]["votes"]["Wang"] == 3);

  Json bad = j;
  bad["ballots"][1]["ranks"][2][1] = "Zhou";
  Result<PollFile> e = poll_from_json(bad);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("ballots[1][2][1]") != std::string::npos);
  Json bad2 = j;
  bad2["ranked"]["overvote"] = "maybe";
  CHECK(poll_from_json(bad2).error().message.find("ranked.overvote") != std::string::npos);
  Json bad3 = j;
  bad3["ballots"][0] = Json::object({{"rank", {"Li"}}});
  CHECK(poll_from_json(bad3).error().message.find("ballots[0].rank") != std::string::npos);
  Json bad4 = j;
  bad4["rankd"] = Json::object();
  CHECK(poll_from_json(bad4).error().message.find("rankd: is not a poll field") != std::string::npos);
}

TEST_CASE("Tally file: a yes/no poll with paper counts round-trips its rules", "[tally][json]") {
  Json j = Json::parse(R"({
    "method": "yes_no_abstain", "threshold": {"kind": "two_thirds", "base": "present"},
    "quorum": {"base": "present", "numerator": 1, "denominator": 2},
    "entitled": 40, "present": 30,
    "paper": {"counts": {"yes": 18, "no": 5, "abstain": 3}, "invalid": 1, "papers_returned": 27},
    "ballots": ["yes", "yes", "no"]
  })");
  Result<PollFile> p = poll_from_json(j);
  REQUIRE(p.ok());
  TallyResult r = tally(p->spec, p->ballots);
  CHECK(r.votes == std::vector<int64_t>{20, 6, 3});
  CHECK(r.threshold_needed == 20);
  CHECK(r.outcome == "carried");
  CHECK(r.counts_consistent);
  Result<PollSpec> again = spec_from_json(spec_to_json(p->spec));
  REQUIRE(again.ok());
  CHECK(spec_to_json(again.value()) == spec_to_json(p->spec));
}
