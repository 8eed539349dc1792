// The tally: counting a poll's ballots (docs/voting.md).
//
// Contract
// - tally() is a pure function of (PollSpec, ballots): no State, no clock, no
//   I/O, no randomness except the recorded lot seed. The same inputs give the
//   same TallyResult on every device and platform (integer arithmetic only).
// - The result does not depend on the order of the ballots.
// - Ballots carry no voter identity: whoever holds the voter keys / ballot
//   tokens (the deliberation model) removes replaced and late ballots before
//   calling tally().
// - Every outcome, note and reason is a code with named parameters, never a
//   sentence: the UI's string tables ("tally.<code>") and the CLI say them.
// - The rules used (threshold, quorum, ranked-choice rule options, tie-break
//   and lot seed) are echoed in the result so they can be printed with it.
//
// Options are indexed by their position in PollSpec::options. For
// yes_no_abstain the options are fixed: 0 yes, 1 no, 2 abstain (the spec's
// options may be left empty; labels are the UI's words).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace dh::tally {

enum class Method { yes_no_abstain, single_choice, multiple_choice, ranked_choice };

constexpr int kYes = 0;
constexpr int kNo = 1;
constexpr int kAbstain = 2;

// A mark on a ballot that names a candidate nobody can read (an overvote
// whose candidates the scanner did not record). Only meaningful inside an
// overvoted rank.
constexpr int kUnknownOption = -1;

// How much support a decision needs, and of what.
enum class ThresholdKind {
  none,             // plurality: the most votes wins (elections); a motion needs yes > no
  simple_majority,  // more than half of the base
  two_thirds,       // at least two thirds of the base
  three_quarters,   // at least three quarters of the base
  fraction,         // numerator/denominator of the base; strict: more than, else at least
};
enum class ThresholdBase {
  votes_cast,   // yes + no (abstentions and invalid ballots not counted); for elections: valid ballots
  valid_ballots,// yes + no + abstain (every valid ballot, abstentions included)
  present,      // members present (in person or by proxy) when the poll closed
  entitled,     // everyone entitled to vote in the poll
};
struct Threshold {
  ThresholdKind kind = ThresholdKind::simple_majority;
  ThresholdBase base = ThresholdBase::votes_cast;
  int64_t numerator = 1, denominator = 2;  // kind == fraction
  bool strict = true;                      // kind == fraction: more than (true) or at least (false)
};

// Quorum: the poll decides only if enough took part.
enum class QuorumBase {
  present,       // members present at the close
  ballots_cast,  // ballots received (valid and invalid)
};
struct Quorum {
  bool required = false;
  QuorumBase base = QuorumBase::present;
  int64_t minimum = 0;                     // an absolute number, and/or
  int64_t numerator = 0, denominator = 1;  // a fraction of the entitled (0/1: none)
  bool strict = true;                      // fraction: more than (true) or at least (false)
};

// Ranked choice (instant run-off) rule options, chosen per poll.
enum class OvervoteRule {
  exhaust,                        // the ballot is exhausted when the count reaches an overvoted rank (Maine)
  skip_rank,                      // the overvoted rank is passed over, the count moves to the next rank
  exhaust_if_multiple_continuing, // counts for the only continuing candidate marked there; passed over if none
                                  // is continuing; exhausts if two or more are (Burlington, ChoicePlus Pro)
};
enum class DuplicateRule {
  ignore,         // a candidate ranked again is passed over (a mark, not a skip)
  count_as_skip,  // passed over, and counts as a skipped rank toward the consecutive-skip limit
  exhaust,        // the ballot is exhausted when the count reaches the repeated mark
};
enum class BlankBallotRule {
  invalid,    // a ballot without any mark is invalid (reason "blank") and not in round 1 (Burlington)
  exhausted,  // it is valid and exhausted from round 1 (reason "blank_ballot") (Maine)
};
enum class EliminationRule {
  single,  // one candidate per round (ties broken by the tie-break)
  batch,   // every candidate who cannot win: the largest group of lowest candidates whose
           // votes together are fewer than the next candidate's; one by one when there is none
};
enum class StopRule {
  majority,       // stop when a continuing candidate has more than half of the continuing votes
  two_remaining,  // continue until two candidates remain; the one with more votes wins
};
enum class TieBreak {
  previous_rounds_then_lot,  // fewest votes in the most recent earlier round where the tied differ; then lot
  first_round_then_lot,      // fewest votes in the earliest round where they differ; then lot
  lot,                       // by lot straight away
  none,                      // no tie-break: a tie that matters ends the count without a winner ("tie")
};
struct RankedRules {
  OvervoteRule overvote = OvervoteRule::exhaust;
  // A run of this many consecutive skipped (blank) ranks exhausts the ballot
  // when the count reaches it; 0: skipped ranks are always passed over.
  int exhaust_after_consecutive_skips = 0;
  DuplicateRule duplicate = DuplicateRule::ignore;
  BlankBallotRule blank_ballot = BlankBallotRule::invalid;
  EliminationRule elimination = EliminationRule::single;
  StopRule stop = StopRule::majority;
  // Ranks on the paper/screen ballot (0: as many as candidates). A ballot
  // shorter than this left its last ranks blank; a longer one is invalid.
  int ranks_on_ballot = 0;
};

// Lot: the tie-break draw. With an explicit drawn order (the officer drew lots
// in the room; option indices, first drawn = first to lose) it is used;
// otherwise the seed orders the tied deterministically (docs/voting.md gives
// the function so anyone can check it). Both are recorded in the result.
struct Lot {
  uint64_t seed = 0;
  std::vector<int> drawn_order;  // option indices; empty: use the seed
};

// Paper ballots or a show of hands: an officer enters the counts. They are
// added to any electronic ballots, checked against attendance, and every
// mismatch is a note (the counts are still tallied as entered).
struct PaperCounts {
  bool show_of_hands = false;       // hands: no ballot papers, every count is people
  std::vector<int64_t> per_option;  // votes per option (for yes_no_abstain: yes, no, abstain)
  int64_t blank = 0;                // blank papers (abstentions in single/multiple choice)
  int64_t invalid = 0;              // spoilt papers (reason "spoilt")
  int64_t papers_issued = -1;       // -1: not recorded
  int64_t papers_returned = -1;     // -1: not recorded (then: the sum of the counts)
};

struct PollSpec {
  Method method = Method::yes_no_abstain;
  std::vector<std::string> options;  // option / candidate labels (ids or names; never translated here)
  // multiple_choice: a ballot may mark at most this many (0: any number).
  int max_choices = 1;
  // single / multiple / ranked choice: how many are elected (the top `seats`).
  // ranked_choice elects one (seats must be 1).
  int seats = 1;
  Threshold threshold;
  Quorum quorum;
  RankedRules ranked;
  TieBreak tie_break = TieBreak::previous_rounds_then_lot;
  Lot lot;
  // Frozen at the close by whoever holds the attendance; -1: not known
  // (threshold bases and quorum needing them then cannot be met: a note says so).
  int64_t entitled = -1;
  int64_t present = -1;
  std::optional<PaperCounts> paper;
};

// One ballot, anonymous. For yes_no_abstain / single / multiple choice,
// `marks` are the option indices marked (in any order). For ranked_choice,
// `ranks[i]` holds what is marked at rank i+1: empty = skipped, one index = a
// choice, two or more (or kUnknownOption) = an overvote. `count` is how many
// identical ballots this entry stands for (1 for a ballot cast on a device;
// more for published election data).
struct Ballot {
  std::vector<int> marks;
  std::vector<std::vector<int>> ranks;
  int64_t count = 1;
  bool spoilt = false;  // declared void by the officer (reason "spoilt")
};

// A code with named parameters (values plain: whole numbers as digits,
// options as their index). Codes are listed in docs/voting.md.
struct Note {
  std::string code;
  std::vector<std::pair<std::string, std::string>> params;  // fixed order per code
  std::string param(const std::string& name) const;           // "" when absent
  bool operator==(const Note& o) const { return code == o.code && params == o.params; }
};

// One round of an instant run-off.
struct Round {
  int number = 1;
  std::vector<int64_t> votes;      // per option; 0 for those not continuing
  std::vector<bool> continuing;    // per option, at the start of this round
  int64_t continuing_votes = 0;    // sum of votes
  int64_t exhausted = 0;           // cumulative, valid ballots counting for nobody
  std::vector<std::pair<std::string, int64_t>> exhausted_by_reason;  // cumulative, fixed order of reasons
  // From the previous round's eliminated: votes gained per option, and newly exhausted.
  std::vector<int64_t> transfers;  // per option; empty in round 1
  int64_t transferred_to_exhausted = 0;
  std::vector<int> eliminated;     // at the end of this round (ascending votes, then tie-break order)
  int elected = -1;                // the winner, in the last round
  std::vector<Note> notes;         // tie-breaks ("tie_break_previous_round", "tie_break_lot", ...)
};

// Outcome codes: "carried", "not_carried" (a motion); "elected" (winners
// chosen); "tie" (a tie that the rules leave undecided); "no_quorum";
// "no_valid_ballots".
struct TallyResult {
  Method method = Method::yes_no_abstain;
  std::string outcome;
  int64_t entitled = -1, present = -1;
  int64_t cast = 0;      // ballots received: valid + invalid (paper: papers returned / hands counted)
  int64_t valid = 0;
  int64_t invalid = 0;
  std::vector<std::pair<std::string, int64_t>> invalid_by_reason;  // fixed order of reasons, zero ones left out
  std::vector<int64_t> votes;  // per option (ranked_choice: first choices, as round 1)
  int64_t blank = 0;           // valid ballots marking nothing (abstentions in single/multiple choice)
  bool quorum_required = false;
  bool quorum_met = true;
  int64_t quorum_needed = 0;   // the least count that meets the quorum
  bool threshold_met = false;  // the motion / every winner reached the threshold
  int64_t threshold_base = 0;  // the base's value
  int64_t threshold_needed = 0;// the least number of votes that meets the threshold
  std::vector<int> winners;    // option indices, best first (a motion: kYes when carried)
  std::vector<Round> rounds;   // ranked_choice only
  std::vector<Note> notes;     // tie-breaks, paper-count mismatches, unknown attendance...
  bool counts_consistent = true;  // false when entered counts or attendance do not agree (a note says how)
  PollSpec rules;              // the spec as counted (options, rules, lot) to print with the result
};

// Counts the ballots. Never fails: bad ballots are invalid with a reason,
// inconsistent paper counts and unknown attendance are notes. A spec that
// cannot be counted at all (no options, seats out of range, ranked_choice with
// seats != 1) gives outcome "bad_spec" with a note naming the field.
TallyResult tally(const PollSpec& spec, const std::vector<Ballot>& ballots);

// Validates a spec (the checks behind "bad_spec"): Ok or an Error whose code
// names the field ("bad_seats", "bad_max_choices", "no_options", ...).
Status check_spec(const PollSpec& spec);

// Names of the enums as they appear in docs/voting.md and the JSON format
// ("yes_no_abstain", "simple_majority", "votes_cast", "exhaust_if_multiple_continuing", ...).
const char* name(Method m);
const char* name(ThresholdKind k);
const char* name(ThresholdBase b);
const char* name(QuorumBase b);
const char* name(OvervoteRule r);
const char* name(DuplicateRule r);
const char* name(BlankBallotRule r);
const char* name(EliminationRule r);
const char* name(StopRule r);
const char* name(TieBreak t);

// The lot function (docs/voting.md): a deterministic order of `tied` (option
// indices) for a draw numbered `draw` (0, 1, ... within one tally) from the
// seed; the first of the returned order loses. Pure: same on every device.
std::vector<int> lot_order(uint64_t seed, int draw, std::vector<int> tied);

}  // namespace dh::tally
