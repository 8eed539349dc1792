// Deliberation (issue 11, docs/deliberation.md): councils, meetings, motions,
// attendance, proxies, the speakers' list, polls and ballots. Read views built
// from the State, plus the commands a chair's or a tablet's screen emits.
//
// Contracts
// - Every view is a pure function of the State: the same set of operations
//   gives the same views on every device, whatever order they arrived in.
// - One voter key per poll: a member id (named, person), a household id
//   (named, household) or a ballot card's code (secret). Of the ballots of one
//   key, the one with the greatest stamp counts; the others are "replaced".
//   A secret key belongs to the device that first used it: a ballot with the
//   same code from another device is not counted ("other_device").
// - The close writes the frozen counts (poll.frozen_entitled/present); the
//   stamp of that write is the close. A ballot stamped after it is "late":
//   kept, listed for the audit, never counted.
// - Views meant for the projector (meeting_view, motion_view, speakers_view,
//   poll_view) read only fields the projector role receives (schema.cpp), so
//   they give the same answer on a projector's pulled State; nothing in them
//   names a voter. poll_audit is for the chair and the secretary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands.h"
#include "core/result.h"
#include "core/sha256.h"
#include "core/state.h"
#include "core/tally.h"

namespace dh {
class RuleBook;
void register_deliberation_rules(RuleBook& book);
}  // namespace dh

namespace dh::deliberation {

// ---- Views the projector needs (contract with the projector helper) -------

struct AgendaItemView {
  std::string id, title;
  int order = 0;
  std::string state;  // pending|current|done
};
struct MeetingView {
  std::string id, council_id, title;
  long long start_minute = 0;  // community-local minutes (civil_time.h)
  std::vector<AgendaItemView> agenda;  // by order, then id
  int entitled = 0, present = 0;       // members with a vote; present or represented by proxy
  // Beyond the contract:
  std::string council_name, tier /* level1|level2 */, place, state /* planned|in_session|adjourned */;
  bool found = false;
};
struct MotionView {
  std::string id, meeting_id, title, text, proposer_name;
  std::vector<std::string> seconder_names;
  std::string amends_id, agenda_item_id, state;  // state: proposed|seconded|withdrawn|voted
};
struct SpeakerView {
  std::string name;
  bool speaking = false;
  std::string id;  // the speaker record
};
struct SpeakersView {
  std::vector<SpeakerView> queue;  // speaking first, then waiting by order
  long long turn_started_ms = 0;   // 0 when nobody is speaking
  int turn_seconds = 120;          // meeting.speaking_seconds
};
struct PollView {
  std::string id, motion_id, title;
  std::string state;  // draft|open|closed|published
  bool secret = false;
  int ballots_received = 0;  // distinct voters so far (late ballots excluded once closed)
  int entitled = 0, present = 0;  // live while open; frozen at the close
  std::optional<tally::TallyResult> published_result;  // only when published
  // Beyond the contract:
  std::string meeting_id, method, vote_unit /* person|household */, mode /* electronic|paper */;
  std::vector<std::string> options;  // labels, in order (yes/no/abstain: the three codes)
};

MeetingView meeting_view(const State& s, const std::string& meeting_id);
std::vector<MeetingView> meetings_view(const State& s, const std::string& council_id /* "" all */);
MotionView motion_view(const State& s, const std::string& motion_id);
std::vector<MotionView> motions_view(const State& s, const std::string& meeting_id);
SpeakersView speakers_view(const State& s, const std::string& meeting_id);
PollView poll_view(const State& s, const std::string& poll_id);
std::vector<PollView> polls_view(const State& s, const std::string& meeting_id);

// ---- Staff views ------------------------------------------------------------

struct MemberView {
  std::string id, council_id, name, category, role, resident_id, household_id;
  bool entitled = false;
};
std::vector<MemberView> members_view(const State& s, const std::string& council_id);

struct AttendanceView {
  struct Row {
    std::string member_id, name, category;
    bool entitled = false, present = false, card_handed = false;
    std::string method;          // list|qr when present
    std::string proxy_holder_id;  // when absent and represented (an effective proxy)
    std::string proxy_holder_name;
  };
  std::vector<Row> rows;  // every member of the council, by name then id
  int entitled = 0, present = 0, represented = 0;
};
AttendanceView attendance_view(const State& s, const std::string& meeting_id);

// The proxies that count, by stamp: the first per absent member, and per
// holder at most the council's proxy_limit (default 1). absent member id ->
// holder id. Proxies of members who came in person are dropped.
std::vector<std::pair<std::string, std::string>> effective_proxies(const State& s, const std::string& meeting_id);

// Why a ballot is not counted (codes; the UI words them).
//   replaced      a later ballot of the same voter key counts
//   late          stamped after the close
//   other_device  secret: the card was first used on another device
//   unknown_card  secret: the code is not one of the meeting's cards
//   not_entitled  named: the voter (or whom they cast for) has no vote here,
//                 or casts for someone whose proxy they do not hold
//   not_present   named: the voter was not recorded at the door by the close
//   malformed     a mark names no option of the poll
struct AuditedBallot {
  std::string ballot_id, device, reason;  // reason "" when counted
  Hlc hlc;
};
struct PollAudit {
  PollView poll;
  tally::PollSpec spec;
  std::vector<tally::Ballot> counted;  // anonymous, sorted canonically
  std::vector<AuditedBallot> ballots;  // every ballot of the poll, by stamp
  int late = 0, replaced = 0, rejected = 0;
  tally::TallyResult result;  // of `counted` (electronic) or the paper counts
  bool paper_mismatch = false;  // paper mode: counts exceed those present
  bool published_matches = true;  // the published result equals this recount
};
PollAudit poll_audit(const State& s, const std::string& poll_id);

// Live entitled and present counts of a meeting for a vote unit.
struct Turnout {
  int entitled = 0, present = 0;
};
Turnout turnout(const State& s, const std::string& meeting_id, const std::string& vote_unit);

// ---- Ballot cards and keys -------------------------------------------------

// A card's code: 16 lower-case letters and digits, grouped for reading aloud
// is the UI's business. Valid codes are 16..32 of [a-z0-9].
bool is_valid_card_code(std::string_view code);
// The digest a ballot carries so anyone may count distinct voters without
// learning who: the first 32 hex of SHA-256("<poll>\x1f<key>").
std::string voter_digest(const std::string& poll_id, const std::string& key);

// ---- Commands ---------------------------------------------------------------

// A named ballot by `voter_member` (for themself, or for `cast_for_member`
// holding their proxy), or a secret ballot with a card code. marks: see
// docs/deliberation.md "Marks" (option numbers from 1; ranked: one item per
// rank, "2+3" an overvote, "-" a skipped rank).
Result<CreateEntity> cast_named_ballot(const State& s, const std::string& poll_id, const std::string& voter_member,
                                       const std::string& cast_for_member, const std::vector<std::string>& marks);
Result<CreateEntity> cast_secret_ballot(const State& s, const std::string& poll_id, const std::string& card_code,
                                        const std::vector<std::string>& marks);
// A ballot card for a meeting's secret polls: the log keeps SHA-256 of the
// code only; the code goes on the printed card (exports: ballot cards page).
Result<CreateEntity> new_ballot_card(const std::string& meeting_id, const std::string& card_code);
// Opens a draft poll.
EditEntity open_poll(const std::string& poll_id);
// Closes an open poll, freezing entitled and present as this device sees them.
Result<EditEntity> close_poll(const State& s, const std::string& poll_id);
// Paper / show of hands: the officer's counts per option and invalid ones,
// on a closed paper poll; the mismatch with attendance is written with them.
Result<EditEntity> enter_paper_counts(const State& s, const std::string& poll_id, const std::vector<int>& counts,
                                      int invalid);
// Publishes a closed poll: writes the tally as this device computes it.
Result<EditEntity> publish_poll(const State& s, const std::string& poll_id);

// tally::TallyResult <-> the JSON kept in poll.published_result.
Json result_to_json(const tally::TallyResult& r);
std::optional<tally::TallyResult> result_from_json(const Json& j);

}  // namespace dh::deliberation
