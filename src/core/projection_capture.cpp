// Slides captured from the deliberation views (projection.h). Only what the
// room may see: titles, the proposer's and speakers' names, counts. Never a
// voter: the views used here name none (core/deliberation.h).
#include <algorithm>

#include "core/deliberation.h"
#include "core/projection.h"
#include "core/tally.h"

namespace dh::projection {

namespace {

Error not_found(const std::string& what) { return make_error("not_found", what); }

std::vector<Line> paragraphs(const std::string& text) {
  std::vector<Line> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string p = text.substr(start, end - start);
    while (!p.empty() && (p.back() == '\r' || p.back() == ' ')) p.pop_back();
    if (!p.empty()) out.push_back(Line{p});
    start = end + 1;
  }
  return out;
}

void fill_result(Slide& s, const deliberation::PollView& poll) {
  s.published = poll.state == "published" && poll.published_result.has_value();
  if (!s.published) return;
  const tally::TallyResult& r = *poll.published_result;
  s.cast = static_cast<int>(r.cast);
  s.valid = static_cast<int>(r.valid);
  if (r.entitled >= 0) s.entitled = static_cast<int>(r.entitled);
  if (r.present >= 0) s.present = static_cast<int>(r.present);
  const bool motion = r.method == tally::Method::yes_no_abstain;
  const std::vector<std::string>& labels = !r.rules.options.empty() ? r.rules.options : poll.options;
  for (size_t i = 0; i < r.votes.size(); ++i) {
    Bar b;
    if (motion) {
      static const char* codes[] = {"yes", "no", "abstain"};
      b.label = i < 3 ? codes[i] : std::to_string(i + 1);
      b.label_is_code = i < 3;
    } else {
      b.label = i < labels.size() ? labels[i] : std::to_string(i + 1);
    }
    b.count = r.votes[i];
    b.winner = !motion && std::find(r.winners.begin(), r.winners.end(), static_cast<int>(i)) != r.winners.end();
    s.bars.push_back(std::move(b));
  }
  if (r.quorum_required) s.notes.push_back(r.quorum_met ? "quorum_met" : "quorum_missed");
  if (motion) s.notes.push_back(r.threshold_met && r.quorum_met ? "threshold_met" : "threshold_missed");
  else if (!r.winners.empty()) s.notes.push_back("elected");
  else if (r.outcome == "tie") s.notes.push_back("tie");
}

}  // namespace

Result<Slide> capture_slide(const State& state, const std::string& meeting_id, SlideType type, const std::string& ref) {
  const deliberation::MeetingView m = deliberation::meeting_view(state, meeting_id);
  if (!m.found) return not_found("There is no meeting \"" + meeting_id + "\".");
  Slide s;
  s.type = type;
  s.meeting_id = meeting_id;
  s.meeting_title = m.council_name.empty() ? m.title : m.council_name + "  ·  " + m.title;
  switch (type) {
    case SlideType::blank:
      s.meeting_title = m.council_name;
      s.title = m.title;
      break;
    case SlideType::agenda:
      s.meeting_title = m.council_name;
      s.title = m.title;
      for (const auto& a : m.agenda) s.lines.push_back(Line{a.title, a.state == "current", a.state == "done"});
      break;
    case SlideType::motion: {
      const deliberation::MotionView mo = deliberation::motion_view(state, ref);
      if (mo.id.empty() || mo.meeting_id != meeting_id) return not_found("There is no motion \"" + ref + "\" in this meeting.");
      s.ref = ref;
      s.title = mo.title;
      s.subtitle = mo.proposer_name;
      s.lines = paragraphs(mo.text);
      break;
    }
    case SlideType::speakers: {
      const deliberation::SpeakersView sp = deliberation::speakers_view(state, meeting_id);
      // The item under discussion, else the meeting.
      s.title = m.title;
      for (const auto& a : m.agenda)
        if (a.state == "current") s.title = a.title;
      for (const auto& q : sp.queue) s.lines.push_back(Line{q.name, q.speaking, false});
      s.turn_started_ms = sp.turn_started_ms;
      s.turn_seconds = sp.turn_seconds;
      break;
    }
    case SlideType::live_count:
    case SlideType::result: {
      const deliberation::PollView p = deliberation::poll_view(state, ref);
      if (p.id.empty() || (!p.meeting_id.empty() && p.meeting_id != meeting_id)) {
        return not_found("There is no poll \"" + ref + "\" in this meeting.");
      }
      s.ref = ref;
      s.title = p.title;
      s.secret = p.secret;
      s.entitled = p.entitled;
      s.present = p.present;
      s.received = p.ballots_received;
      if (type == SlideType::result) fill_result(s, p);
      break;
    }
  }
  if (s.lines.size() > 60) s.lines.resize(60);
  if (s.bars.size() > 40) s.bars.resize(40);
  return redact_unpublished(std::move(s));
}

std::optional<FollowUp> follow_up(const State& state, const std::string& meeting_id, const std::string& device) {
  auto cur = current_projection(state, meeting_id);
  if (!cur || *cur->stamp.device != device) return std::nullopt;
  auto fresh = capture_slide(state, cur->meeting_id, cur->type, cur->ref);
  if (!fresh) return std::nullopt;  // the motion or poll went away: the slide stays as it was
  const Entity* e = state.find("projection", cur->id);
  const std::string content = to_json(fresh.value()).dump();
  if (!e || e->text("content") == content) return std::nullopt;
  return FollowUp{cur->id, Json{{"content", content}}};
}

}  // namespace dh::projection
