// What the room's projector shows: the chair's choice, kept as operations of
// the kind "projection" (schema.cpp; docs/projector.md).
//
// A projection entity belongs to one meeting. The chair's device creates it
// the first time it projects in that meeting and edits it from then on:
//   meeting  the meeting's id
//   slide    agenda | motion | speakers | live_count | result | blank
//   ref      what the slide is about (motion, poll or agenda item id; "" for
//            the agenda and the speakers' list)
//   content  the slide exactly as the chair previewed it (a Slide as JSON,
//            below), captured on the chair's device from its own State
// Carrying the content makes the projector need nothing else: a device of
// the projector role receives only the projection kind's fields (the schema's
// Reveal columns), never ballots, voters, attendance or tokens, so what a
// projector can leak is what the room already saw. When what a slide is about
// changes while it is up (a ballot arrives, the speakers' queue moves) the
// chair's device captures it again and edits `content` only.
//
// Several devices may project into one meeting (two chairs' laptops): the
// current projection of a meeting is the live entity whose `content` was
// written last (its field stamp), the same on every device.
//
// Pure: no I/O, no ImGui. Words are codes (the UI's string tables say them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh {
class RuleBook;
}

namespace dh::projection {

enum class SlideType { blank, agenda, motion, speakers, live_count, result };

const char* slide_type_code(SlideType t);  // "agenda", ...
std::optional<SlideType> slide_type_from_code(const std::string& code);

// One line of a list slide (agenda item, speaker, paragraph of a motion).
struct Line {
  std::string text;
  bool current = false;  // the item under discussion / the person speaking
  bool done = false;     // an agenda item dealt with
};

// One bar of a result: `label` is the option's own text, or a code the UI
// translates ("yes", "no", "abstain") when label_is_code.
struct Bar {
  std::string label;
  bool label_is_code = false;
  long long count = 0;
  bool winner = false;
};

// A slide as the projector draws it. Only what the room may see: names of
// speakers and of the proposer, never who voted what.
struct Slide {
  SlideType type = SlideType::blank;
  std::string meeting_id, ref;
  std::string meeting_title;  // shown small on every slide
  std::string title;          // the big line: meeting, motion or poll title
  std::string subtitle;       // e.g. "proposer" line (a name; words around it come from the UI)
  std::vector<Line> lines;    // agenda items, motion text paragraphs, speakers' queue
  // Speakers: the running turn (0 = no turn running) and its length.
  long long turn_started_ms = 0;
  int turn_seconds = 0;
  // Live count and result.
  int entitled = 0, present = 0, received = 0;  // received: ballots so far (live count)
  int cast = 0, valid = 0;
  std::vector<Bar> bars;
  bool published = false;           // result: the chair published it; false: no figures shown
  bool secret = false;              // a secret ballot
  std::vector<std::string> notes;   // codes: quorum_met, quorum_missed, threshold_met, threshold_missed, tie
};

// An unpublished result is written without figures (redact_unpublished).
Json to_json(const Slide& s);
// Bad shape: error "bad_slide" naming what was wrong.
Result<Slide> slide_from_json(const Json& j);
// A result slide that is not published carries no figures: the counts and
// bars are emptied whatever the source gave (results only when published).
Slide redact_unpublished(Slide s);

// The current projection of a meeting ("" = of any meeting: the latest).
struct Projection {
  std::string id, meeting_id, ref;
  SlideType type = SlideType::blank;
  Slide slide;  // parsed content; type blank when it cannot be read
  Stamp stamp;  // of the content field
};
std::optional<Projection> current_projection(const State& state, const std::string& meeting_id = "");

// The command that puts `slide` up: an edit of the meeting's projection this
// device can see, or a create when there is none. `existing_id` from
// current_projection (empty: create).
Json projection_fields(const Slide& slide);

// The slide of `type` about `ref` as this device sees it now, from the
// deliberation views (core/deliberation.h): agenda (ref ""), motion (a motion
// id), speakers (ref ""), live_count and result (a poll id). A result carries
// figures only when the poll is published. Error "not_found" when the
// meeting (or the ref) does not exist. projection_capture.cpp.
Result<Slide> capture_slide(const State& state, const std::string& meeting_id, SlideType type,
                            const std::string& ref);

// What the projecting device must write again because what its slide shows
// changed (a ballot arrived, the speakers' queue moved, the poll was
// published): the new content for the current projection of `meeting_id`,
// or nullopt when nothing changed, nothing is projected, or the projection
// was made by another device (`device`: this device's id; only the device
// that projected keeps its slide up to date, so two chairs never fight).
struct FollowUp {
  std::string projection_id;
  Json fields;  // {"content": ...}
};
std::optional<FollowUp> follow_up(const State& state, const std::string& meeting_id, const std::string& device);

// Rules of the projection kind (registered in rules.cpp): the content is a
// readable slide of the named type and meeting.
void register_projection_rules(RuleBook& book);

// Maximum length of the content field in code points (schema.cpp uses it).
constexpr int kMaxContentLength = 12000;

}  // namespace dh::projection
