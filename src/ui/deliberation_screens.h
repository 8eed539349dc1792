// Internal to src/ui: the deliberation area (议事表决, issue 11): councils and
// members; meeting setup (agenda, motions, seconders, amendments, polls,
// ballot cards); the chair's run of the meeting (attendance at the door by
// list or by a badge scanner, proxies, speakers' list with its timer,
// open/close/publish a poll, paper counts, decisions, and the projector
// control); the tablet's voting screen; the minutes and their exports.
//
// Contract
// - Reads the State (core/deliberation.h views) and emits Commands through
//   Frame::emit; never mutates anything. Files go out as SaveFile requests.
// - The voting screen shows which choice is selected only until the ballot
//   is cast; afterwards it says the vote is saved on this device (and whether
//   it has reached the server), never what it was. A card code typed on a
//   tablet stays in this screen's memory only (never in the log, never in a
//   file), until "next voter" clears it.
// - The projector control is drawn by draw_projector_control (the projector
//   feature's ui/projector_control.h).
//
// Widget ids: delib-tab-<councils|setup|chair|vote|minutes>, delib-council
// (combo), delib-meeting (combo), delib-message, delib-error;
// councils: delib-council-name, delib-council-tier-<level1|level2>,
// delib-council-scope, delib-add-council, delib-member-name,
// delib-member-category, delib-member-entitled, delib-add-member,
// delib-member-row-<id> (text);
// setup: delib-meeting-title, delib-meeting-start, delib-meeting-place, delib-add-meeting,
// delib-agenda-title, delib-add-agenda, delib-motion-title, delib-motion-text,
// delib-motion-proposer, delib-motion-amends, delib-add-motion,
// delib-second-<motion> (combo), delib-poll-motion, delib-poll-title,
// delib-poll-method, delib-poll-options, delib-poll-secret,
// delib-poll-threshold, delib-poll-base, delib-poll-unit, delib-poll-mode,
// delib-poll-max, delib-add-poll, delib-cards-count, delib-make-cards;
// chair: delib-start, delib-adjourn, delib-turnout (text), delib-door-scan,
// delib-hand-card, delib-arrive-<member>, delib-proxy-absent,
// delib-proxy-holder, delib-add-proxy, delib-speaker-pick, delib-add-speaker,
// delib-next-speaker, delib-timer (text), delib-open-<poll>,
// delib-close-<poll>, delib-publish-<poll>, delib-count-<poll> (text),
// delib-result-<poll> (text), delib-paper-<poll>-<i>,
// delib-paper-invalid-<poll>, delib-paper-save-<poll>, delib-decide-<poll>;
// vote: delib-vote-poll-<poll>, delib-vote-title (text), delib-vote-voter,
// delib-vote-for, delib-vote-card, delib-vote-opt-<i>, delib-vote-clear,
// delib-vote-cast, delib-vote-saved, delib-vote-pending, delib-vote-synced,
// delib-vote-next, delib-vote-none (text);
// minutes: delib-minutes-note, delib-minutes-save, delib-print-minutes,
// delib-save-minutes, delib-export-results, delib-minutes-poll-<poll> (text).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ui/screens.h"

namespace dh::ui {

struct DeliberationView {
  enum class Tab { councils, setup, chair, vote, minutes };
  Tab tab = Tab::chair;
  std::string council_id, meeting_id;
  std::string message, error;
  // Councils.
  std::string new_council_name, new_council_tier = "level2", new_council_scope = "community";
  std::string member_name, member_category = "resident_org";
  bool member_entitled = true;
  // Setup.
  std::string meeting_title, meeting_start, meeting_place;
  std::string agenda_title;
  std::string motion_title, motion_text, motion_proposer, motion_amends;
  std::string poll_motion, poll_title, poll_method = "yes_no_abstain", poll_options, poll_threshold = "simple_majority",
                                      poll_base = "votes_cast", poll_unit = "person", poll_mode = "electronic";
  bool poll_secret = false;
  int poll_max = 1;
  int cards_count = 10;
  // Chair.
  std::string door_scan;
  bool hand_card = true;
  std::string proxy_absent, proxy_holder, speaker_pick;
  std::map<std::string, std::vector<int>> paper_counts;  // poll -> counts being typed
  std::map<std::string, int> paper_invalid;
  // Vote (tablet).
  std::string vote_poll, vote_voter, vote_for, vote_card;
  std::vector<int> vote_marks;  // option indices: chosen (or ranked, in order)
  bool vote_waiting = false;    // the ballot awaits its commit result
  bool vote_cast = false;       // the ballot is committed on this device
  uint64_t vote_ops_at_cast = 0;
  // Minutes.
  std::string minutes_note;
  bool minutes_note_loaded = false;
};

void draw_deliberation(DeliberationView& view, Frame& frame);
// The voting tablet's whole screen (a device enrolled as "voting_tablet",
// ui/role_screens.h): a header saying it is a voting tablet, the meeting in
// session, and the vote tab's casting screen; nothing else. Commit results
// go through deliberation_commit_result. Ids: tablet-header,
// tablet-not-enrolled, tablet-no-meeting, tablet-meeting, and the vote ids.
void draw_voting_tablet(DeliberationView& view, Frame& frame);
void deliberation_commit_result(DeliberationView& view, const PendingAction& action, const std::string& error);
void deliberation_request_failed(DeliberationView& view, const std::string& error);


}  // namespace dh::ui
