#include "core/deliberation.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/civil_time.h"
#include "core/rule_book.h"

namespace dh {
namespace deliberation {

namespace {

Error rule(const std::string& code, const std::string& message) { return make_error(code, message); }

long long int_field(const Entity& e, const std::string& name, long long fallback) {
  const Json& v = e.get(name);
  return v.is_number_integer() ? v.get<long long>() : fallback;
}
bool bool_field(const Entity& e, const std::string& name) {
  const Json& v = e.get(name);
  return v.is_boolean() && v.get<bool>();
}
std::vector<std::string> list_field(const Entity& e, const std::string& name) {
  std::vector<std::string> out;
  const Json& v = e.get(name);
  if (v.is_array())
    for (const auto& x : v)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}
// A field as the entity would be after the operation: the change when the
// payload carries it, else the existing value.
Json merged(const RuleInput& in, const std::string& name) {
  if (in.changes.is_object() && in.changes.contains(name)) return in.changes[name];
  return in.existing ? in.existing->get(name) : Json();
}
std::string merged_text(const RuleInput& in, const std::string& name) {
  Json v = merged(in, name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

const Entity* live(const State& s, const std::string& kind, const std::string& id) {
  const Entity* e = s.find(kind, id);
  return e && e->live() ? e : nullptr;
}
std::vector<const Entity*> live_referring(const State& s, const std::string& kind, const std::string& field,
                                          const std::string& value) {
  std::vector<const Entity*> out;
  for (const Entity* e : s.referring(kind, field, value))
    if (e->live()) out.push_back(e);
  return out;
}
bool by_stamp(const Entity* a, const Entity* b) { return a->created_stamp() < b->created_stamp(); }

std::string member_name(const State& s, const std::string& member_id) {
  const Entity* m = s.find("council_member", member_id);
  return m ? m->text("name") : std::string();
}

// The council of a meeting ("" when unknown).
std::string council_of_meeting(const State& s, const std::string& meeting_id) {
  const Entity* m = s.find("meeting", meeting_id);
  return m ? m->text("council") : std::string();
}

bool member_of(const State& s, const std::string& member_id, const std::string& council_id) {
  const Entity* m = live(s, "council_member", member_id);
  return m && m->text("council") == council_id;
}

// The stamp of the close: the write of frozen_present (only the close writes it).
std::optional<Stamp> close_stamp(const Entity& poll) {
  auto it = poll.fields.find("frozen_present");
  if (it == poll.fields.end() || it->second.value.is_null()) return std::nullopt;
  return it->second.stamp();
}
bool before(const Entity* e, const std::optional<Stamp>& cutoff) { return !cutoff || !(*cutoff < e->created_stamp()); }

// Who attended and who is represented, as recorded up to `cutoff` (nullopt: now).
struct Presence {
  std::set<std::string> attended;                  // member ids
  std::map<std::string, std::string> represented;  // absent member -> holder
  std::set<std::string> card_handed;               // member ids
};

Presence presence(const State& s, const std::string& meeting_id, const std::optional<Stamp>& cutoff) {
  Presence p;
  const std::string council = council_of_meeting(s, meeting_id);
  for (const Entity* a : live_referring(s, "attendance", "meeting", meeting_id)) {
    if (!before(a, cutoff) || !member_of(s, a->text("member"), council)) continue;
    p.attended.insert(a->text("member"));
    if (bool_field(*a, "card_handed")) p.card_handed.insert(a->text("member"));
  }
  long long limit = 1;
  if (const Entity* c = s.find("council", council)) limit = int_field(*c, "proxy_limit", 1);
  auto proxies = live_referring(s, "proxy", "meeting", meeting_id);
  std::sort(proxies.begin(), proxies.end(), by_stamp);
  std::map<std::string, long long> held;
  for (const Entity* x : proxies) {
    if (!before(x, cutoff)) continue;
    const std::string absent = x->text("absent_member"), holder = x->text("holder");
    if (absent == holder || !member_of(s, absent, council) || !member_of(s, holder, council)) continue;
    if (p.attended.count(absent) || p.represented.count(absent)) continue;  // came in person / first proxy wins
    if (!p.attended.count(holder)) continue;                                // the holder must be in the room
    if (held[holder] >= limit) continue;
    ++held[holder];
    p.represented[absent] = holder;
  }
  return p;
}

// Entitled members of the meeting's council, by id.
std::vector<const Entity*> entitled_members(const State& s, const std::string& meeting_id) {
  std::vector<const Entity*> out;
  for (const Entity* m : live_referring(s, "council_member", "council", council_of_meeting(s, meeting_id)))
    if (bool_field(*m, "entitled")) out.push_back(m);
  return out;
}

Turnout turnout_at(const State& s, const std::string& meeting_id, const std::string& unit,
                   const std::optional<Stamp>& cutoff) {
  Presence p = presence(s, meeting_id, cutoff);
  Turnout t;
  std::set<std::string> households, present_households;
  for (const Entity* m : entitled_members(s, meeting_id)) {
    const bool here = p.attended.count(m->id) || p.represented.count(m->id);
    if (unit == "household") {
      const std::string h = m->text("household");
      if (h.empty()) continue;
      households.insert(h);
      if (here) present_households.insert(h);
    } else {
      ++t.entitled;
      if (here) ++t.present;
    }
  }
  if (unit == "household") {
    t.entitled = static_cast<int>(households.size());
    t.present = static_cast<int>(present_households.size());
  }
  return t;
}

tally::Method method_of(const std::string& m) {
  if (m == "single_choice") return tally::Method::single_choice;
  if (m == "multiple_choice") return tally::Method::multiple_choice;
  if (m == "ranked_choice") return tally::Method::ranked_choice;
  return tally::Method::yes_no_abstain;
}

std::vector<std::string> option_labels(const Entity& poll) {
  if (poll.text("voting_method") == "yes_no_abstain" || poll.text("voting_method").empty())
    return {"yes", "no", "abstain"};
  return list_field(poll, "options");
}

// "3" -> 2 when 1 <= 3 <= n; -1 otherwise.
int option_index(const std::string& mark, size_t n) {
  if (mark.empty() || mark.size() > 2 || !std::all_of(mark.begin(), mark.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  int v = std::stoi(mark);
  return v >= 1 && static_cast<size_t>(v) <= n ? v - 1 : -1;
}

// Marks of a ballot -> tally::Ballot; false when a mark is malformed.
bool to_tally_ballot(const std::vector<std::string>& marks, bool ranked, size_t n, tally::Ballot* out) {
  tally::Ballot b;
  for (const auto& m : marks) {
    if (ranked) {
      std::vector<int> rank;
      if (m != "-") {
        size_t start = 0;
        while (true) {
          size_t plus = m.find('+', start);
          int idx = option_index(m.substr(start, plus == std::string::npos ? std::string::npos : plus - start), n);
          if (idx < 0) return false;
          rank.push_back(idx);
          if (plus == std::string::npos) break;
          start = plus + 1;
        }
      }
      b.ranks.push_back(rank);
    } else {
      int idx = option_index(m, n);
      if (idx < 0) return false;
      b.marks.push_back(idx);
    }
  }
  std::sort(b.marks.begin(), b.marks.end());
  *out = b;
  return true;
}

uint64_t seed_of(const std::string& poll_id) {
  const std::string h = sha256_hex("lot\x1f" + poll_id);
  return std::stoull(h.substr(0, 15), nullptr, 16);
}

tally::PollSpec spec_of(const State& s, const Entity& poll) {
  tally::PollSpec spec;
  spec.method = method_of(poll.text("voting_method"));
  spec.options = option_labels(poll);
  if (spec.method == tally::Method::yes_no_abstain) spec.options.clear();
  spec.max_choices = static_cast<int>(
      int_field(poll, "max_choices", spec.method == tally::Method::multiple_choice ? 0 : 1));
  spec.seats = static_cast<int>(int_field(poll, "seats", 1));
  const std::string th = poll.text("threshold");
  const bool motion = spec.method == tally::Method::yes_no_abstain;
  spec.threshold.kind = th == "two_thirds"       ? tally::ThresholdKind::two_thirds
                        : th == "three_quarters" ? tally::ThresholdKind::three_quarters
                        : th == "none"           ? tally::ThresholdKind::none
                        : th.empty() && !motion  ? tally::ThresholdKind::none
                                                 : tally::ThresholdKind::simple_majority;
  const std::string base = poll.text("threshold_base");
  spec.threshold.base = base == "valid_ballots" ? tally::ThresholdBase::valid_ballots
                        : base == "present"     ? tally::ThresholdBase::present
                        : base == "entitled"    ? tally::ThresholdBase::entitled
                                                : tally::ThresholdBase::votes_cast;
  long long quorum = int_field(poll, "quorum_percent", -1);
  if (quorum < 0) {
    const Entity* meeting = s.find("meeting", poll.text("meeting"));
    const Entity* council = meeting ? s.find("council", meeting->text("council")) : nullptr;
    quorum = council ? int_field(*council, "quorum_percent", 0) : 0;
  }
  if (quorum > 0) {
    spec.quorum.required = true;
    spec.quorum.base = tally::QuorumBase::present;
    spec.quorum.numerator = quorum;
    spec.quorum.denominator = 100;
    spec.quorum.strict = false;
  }
  const std::string ov = poll.text("overvote");
  spec.ranked.overvote = ov == "skip_rank"                         ? tally::OvervoteRule::skip_rank
                         : ov == "exhaust_if_multiple_continuing" ? tally::OvervoteRule::exhaust_if_multiple_continuing
                                                                  : tally::OvervoteRule::exhaust;
  spec.ranked.exhaust_after_consecutive_skips = static_cast<int>(int_field(poll, "exhaust_after_skips", 0));
  spec.ranked.elimination =
      poll.text("elimination") == "batch" ? tally::EliminationRule::batch : tally::EliminationRule::single;
  const std::string tb = poll.text("tie_break");
  spec.tie_break = tb == "first_round_then_lot" ? tally::TieBreak::first_round_then_lot
                   : tb == "lot"                ? tally::TieBreak::lot
                   : tb == "none"               ? tally::TieBreak::none
                                                : tally::TieBreak::previous_rounds_then_lot;
  spec.lot.seed = seed_of(poll.id);
  spec.entitled = int_field(poll, "frozen_entitled", -1);
  spec.present = int_field(poll, "frozen_present", -1);
  if (poll.text("voting_mode") == "paper") {
    auto counts = list_field(poll, "paper_counts");
    if (!counts.empty()) {
      tally::PaperCounts paper;
      for (const auto& c : counts) paper.per_option.push_back(std::stoll(c));
      paper.invalid = int_field(poll, "paper_invalid", 0);
      spec.paper = paper;
    }
  }
  return spec;
}

// The voter key of a named ballot (member or household), "" when none.
std::string named_key(const State& s, const Entity& poll, const std::string& voter, const std::string& cast_for) {
  const std::string who = cast_for.empty() ? voter : cast_for;
  if (poll.text("vote_unit") == "household") {
    const Entity* m = s.find("council_member", who);
    return m ? m->text("household") : std::string();
  }
  return who;
}

std::set<std::string> card_digests(const State& s, const std::string& meeting_id) {
  std::set<std::string> out;
  for (const Entity* c : live_referring(s, "ballot_card", "meeting", meeting_id)) out.insert(c->text("digest"));
  return out;
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Json note_json(const tally::Note& n) {
  Json params = Json::array();
  for (const auto& [k, v] : n.params) params.push_back(Json::array({k, v}));
  return Json{{"code", n.code}, {"params", params}};
}
tally::Note note_from(const Json& j) {
  tally::Note n;
  n.code = j.value("code", "");
  if (j.contains("params") && j["params"].is_array())
    for (const auto& p : j["params"])
      if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) n.params.emplace_back(p[0], p[1]);
  return n;
}

}  // namespace

// ---- Projector views ----------------------------------------------------------

Turnout turnout(const State& s, const std::string& meeting_id, const std::string& vote_unit) {
  return turnout_at(s, meeting_id, vote_unit, std::nullopt);
}

MeetingView meeting_view(const State& s, const std::string& meeting_id) {
  MeetingView v;
  v.id = meeting_id;
  const Entity* m = live(s, "meeting", meeting_id);
  if (!m) return v;
  v.found = true;
  v.council_id = m->text("council");
  v.title = m->text("title");
  v.start_minute = parse_datetime(m->text("start")).value_or(0);
  v.place = m->text("place");
  v.state = m->text("meeting_state").empty() ? "planned" : m->text("meeting_state");
  if (const Entity* c = s.find("council", v.council_id)) {
    v.council_name = c->text("name");
    v.tier = c->text("tier");
  }
  for (const Entity* a : live_referring(s, "agenda_item", "meeting", meeting_id)) {
    AgendaItemView item;
    item.id = a->id;
    item.title = a->text("title");
    item.order = static_cast<int>(int_field(*a, "order", 0));
    item.state = a->text("item_state").empty() ? "pending" : a->text("item_state");
    v.agenda.push_back(item);
  }
  std::sort(v.agenda.begin(), v.agenda.end(), [](const AgendaItemView& a, const AgendaItemView& b) {
    return a.order != b.order ? a.order < b.order : a.id < b.id;
  });
  Turnout t = turnout(s, meeting_id, "person");
  v.entitled = t.entitled;
  v.present = t.present;
  return v;
}

std::vector<MeetingView> meetings_view(const State& s, const std::string& council_id) {
  std::vector<MeetingView> out;
  for (const Entity* m : s.list("meeting"))
    if (council_id.empty() || m->text("council") == council_id) out.push_back(meeting_view(s, m->id));
  std::sort(out.begin(), out.end(), [](const MeetingView& a, const MeetingView& b) {
    return a.start_minute != b.start_minute ? a.start_minute < b.start_minute : a.id < b.id;
  });
  return out;
}

MotionView motion_view(const State& s, const std::string& motion_id) {
  MotionView v;
  v.id = motion_id;
  const Entity* m = s.find("motion", motion_id);
  if (!m || !m->created) return v;
  v.meeting_id = m->text("meeting");
  v.title = m->text("title");
  v.text = m->text("text");
  v.proposer_name = member_name(s, m->text("proposer"));
  for (const auto& id : list_field(*m, "seconders")) v.seconder_names.push_back(member_name(s, id));
  v.amends_id = m->text("amends");
  v.agenda_item_id = m->text("agenda_item");
  v.state = m->archived() ? "withdrawn" : m->text("motion_state").empty() ? "proposed" : m->text("motion_state");
  return v;
}

std::vector<MotionView> motions_view(const State& s, const std::string& meeting_id) {
  std::vector<MotionView> out;
  auto motions = live_referring(s, "motion", "meeting", meeting_id);
  std::sort(motions.begin(), motions.end(), by_stamp);
  for (const Entity* m : motions) out.push_back(motion_view(s, m->id));
  return out;
}

SpeakersView speakers_view(const State& s, const std::string& meeting_id) {
  SpeakersView v;
  if (const Entity* m = s.find("meeting", meeting_id)) v.turn_seconds = static_cast<int>(int_field(*m, "speaking_seconds", 120));
  std::vector<const Entity*> waiting, speaking;
  for (const Entity* e : live_referring(s, "speaker", "meeting", meeting_id)) {
    const std::string st = e->text("speaker_state");
    if (st == "speaking") speaking.push_back(e);
    if (st == "waiting") waiting.push_back(e);
  }
  auto by_order = [](const Entity* a, const Entity* b) {
    long long x = int_field(*a, "order", 0), y = int_field(*b, "order", 0);
    return x != y ? x < y : a->id < b->id;
  };
  std::sort(speaking.begin(), speaking.end(), by_order);
  std::sort(waiting.begin(), waiting.end(), by_order);
  for (const Entity* e : speaking) {
    v.queue.push_back({member_name(s, e->text("member")), true, e->id});
    if (v.turn_started_ms == 0) v.turn_started_ms = int_field(*e, "turn_started_ms", 0);
  }
  for (const Entity* e : waiting) v.queue.push_back({member_name(s, e->text("member")), false, e->id});
  return v;
}

PollView poll_view(const State& s, const std::string& poll_id) {
  PollView v;
  v.id = poll_id;
  const Entity* p = s.find("poll", poll_id);
  if (!p || !p->created) return v;
  v.meeting_id = p->text("meeting");
  v.motion_id = p->text("motion");
  v.title = p->text("title");
  v.state = p->text("poll_state");
  v.secret = bool_field(*p, "secret");
  v.method = p->text("voting_method");
  v.vote_unit = p->text("vote_unit").empty() ? "person" : p->text("vote_unit");
  v.mode = p->text("voting_mode").empty() ? "electronic" : p->text("voting_mode");
  v.options = option_labels(*p);
  const auto cutoff = close_stamp(*p);
  if (cutoff) {
    v.entitled = static_cast<int>(int_field(*p, "frozen_entitled", 0));
    v.present = static_cast<int>(int_field(*p, "frozen_present", 0));
  } else {
    Turnout t = turnout(s, v.meeting_id, v.vote_unit);
    v.entitled = t.entitled;
    v.present = t.present;
  }
  std::set<std::string> digests;
  for (const Entity* b : s.referring("ballot", "poll", poll_id))
    if (b->created && before(b, cutoff)) digests.insert(b->text("voter_digest"));
  v.ballots_received = static_cast<int>(digests.size());
  if (v.state == "published") {
    Json j = Json::parse(p->text("published_result"), nullptr, false);
    if (!j.is_discarded()) v.published_result = result_from_json(j);
  }
  return v;
}

std::vector<PollView> polls_view(const State& s, const std::string& meeting_id) {
  std::vector<PollView> out;
  auto polls = live_referring(s, "poll", "meeting", meeting_id);
  std::sort(polls.begin(), polls.end(), by_stamp);
  for (const Entity* p : polls) out.push_back(poll_view(s, p->id));
  return out;
}

// ---- Staff views --------------------------------------------------------------

std::vector<MemberView> members_view(const State& s, const std::string& council_id) {
  std::vector<MemberView> out;
  for (const Entity* m : live_referring(s, "council_member", "council", council_id)) {
    MemberView v;
    v.id = m->id;
    v.council_id = council_id;
    v.name = m->text("name");
    v.category = m->text("member_category");
    v.role = m->text("council_role");
    v.resident_id = m->text("resident");
    v.household_id = m->text("household");
    v.entitled = bool_field(*m, "entitled");
    out.push_back(v);
  }
  std::sort(out.begin(), out.end(), [](const MemberView& a, const MemberView& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  return out;
}

std::vector<std::pair<std::string, std::string>> effective_proxies(const State& s, const std::string& meeting_id) {
  Presence p = presence(s, meeting_id, std::nullopt);
  return {p.represented.begin(), p.represented.end()};
}

AttendanceView attendance_view(const State& s, const std::string& meeting_id) {
  AttendanceView v;
  Presence p = presence(s, meeting_id, std::nullopt);
  std::map<std::string, std::string> method;
  for (const Entity* a : live_referring(s, "attendance", "meeting", meeting_id))
    method.emplace(a->text("member"), a->text("check_in_method"));
  for (const MemberView& m : members_view(s, council_of_meeting(s, meeting_id))) {
    AttendanceView::Row r;
    r.member_id = m.id;
    r.name = m.name;
    r.category = m.category;
    r.entitled = m.entitled;
    r.present = p.attended.count(m.id) > 0;
    r.card_handed = p.card_handed.count(m.id) > 0;
    if (r.present) r.method = method[m.id];
    auto rep = p.represented.find(m.id);
    if (rep != p.represented.end()) {
      r.proxy_holder_id = rep->second;
      r.proxy_holder_name = member_name(s, rep->second);
    }
    if (r.entitled) {
      ++v.entitled;
      if (r.present) ++v.present;
      if (!r.proxy_holder_id.empty()) ++v.represented;
    }
    v.rows.push_back(r);
  }
  return v;
}

PollAudit poll_audit(const State& s, const std::string& poll_id) {
  PollAudit a;
  a.poll = poll_view(s, poll_id);
  const Entity* p = s.find("poll", poll_id);
  if (!p || !p->created) {
    a.result = tally::tally(a.spec, {});
    return a;
  }
  a.spec = spec_of(s, *p);
  const auto cutoff = close_stamp(*p);
  const bool secret = bool_field(*p, "secret");
  const bool ranked = a.spec.method == tally::Method::ranked_choice;
  const size_t n_options = option_labels(*p).size();
  const std::string meeting = p->text("meeting");
  const std::set<std::string> cards = secret ? card_digests(s, meeting) : std::set<std::string>();
  Presence here = presence(s, meeting, cutoff);
  std::set<std::string> entitled;
  for (const Entity* m : entitled_members(s, meeting)) entitled.insert(m->id);

  auto ballots = s.referring("ballot", "poll", poll_id);
  ballots.erase(std::remove_if(ballots.begin(), ballots.end(), [](const Entity* b) { return !b->created; }),
                ballots.end());
  std::sort(ballots.begin(), ballots.end(), by_stamp);
  std::map<std::string, std::string> key_device;     // secret: the device that first used a card
  std::map<std::string, size_t> latest;              // key -> index into a.ballots of the counting ballot
  std::vector<tally::Ballot> parsed(ballots.size());
  for (size_t i = 0; i < ballots.size(); ++i) {
    const Entity* b = ballots[i];
    AuditedBallot row;
    row.ballot_id = b->id;
    row.device = *b->created_stamp().device;
    row.hlc = b->created_stamp().hlc;
    std::string key;
    if (!before(b, cutoff)) {
      row.reason = "late";
    } else if (secret) {
      key = b->text("token");
      if (!is_valid_card_code(key) || !cards.count(sha256_hex(key))) {
        row.reason = "unknown_card";
      } else {
        auto [it, fresh] = key_device.emplace(key, row.device);
        if (!fresh && it->second != row.device) row.reason = "other_device";
      }
    } else {
      const std::string voter = b->text("voter"), cast_for = b->text("cast_for");
      key = named_key(s, *p, voter, cast_for);
      if (key.empty() || !entitled.count(cast_for.empty() ? voter : cast_for)) {
        row.reason = "not_entitled";
      } else if (!cast_for.empty()) {
        auto rep = here.represented.find(cast_for);
        if (rep == here.represented.end() || rep->second != voter) row.reason = "not_entitled";
      } else if (!here.attended.count(voter)) {
        row.reason = "not_present";
      }
    }
    if (row.reason.empty() && !to_tally_ballot(list_field(*b, "marks"), ranked, n_options, &parsed[i]))
      row.reason = "malformed";
    if (row.reason.empty()) {
      auto it = latest.find(key);
      if (it != latest.end()) a.ballots[it->second].reason = "replaced";
      latest[key] = a.ballots.size();
    }
    a.ballots.push_back(row);
  }
  for (size_t i = 0; i < a.ballots.size(); ++i) {
    const std::string& r = a.ballots[i].reason;
    if (r.empty()) a.counted.push_back(parsed[i]);
    else if (r == "late") ++a.late;
    else if (r == "replaced") ++a.replaced;
    else ++a.rejected;
  }
  std::sort(a.counted.begin(), a.counted.end(), [](const tally::Ballot& x, const tally::Ballot& y) {
    return std::tie(x.marks, x.ranks) < std::tie(y.marks, y.ranks);
  });
  a.result = tally::tally(a.spec, a.counted);
  a.paper_mismatch = bool_field(*p, "paper_mismatch");
  if (a.poll.published_result) a.published_matches = result_to_json(*a.poll.published_result) == result_to_json(a.result);
  return a;
}

// ---- Cards and keys -------------------------------------------------------------

bool is_valid_card_code(std::string_view code) {
  return code.size() >= 16 && code.size() <= 32 &&
         std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string voter_digest(const std::string& poll_id, const std::string& key) {
  return sha256_hex(poll_id + "\x1f" + key).substr(0, 32);
}

// ---- Commands -----------------------------------------------------------------

namespace {

Result<const Entity*> open_poll_entity(const State& s, const std::string& poll_id) {
  const Entity* p = live(s, "poll", poll_id);
  if (!p) return rule("unknown_poll", "There is no such poll.");
  if (p->text("poll_state") != "open") return rule("poll_not_open", "The poll is not open for voting.");
  return p;
}

Json marks_json(const std::vector<std::string>& marks) {
  Json out = Json::array();
  for (const auto& m : marks) out.push_back(m);
  return out;
}

}  // namespace

Result<CreateEntity> cast_named_ballot(const State& s, const std::string& poll_id, const std::string& voter_member,
                                       const std::string& cast_for_member, const std::vector<std::string>& marks) {
  auto p = open_poll_entity(s, poll_id);
  if (!p) return p.error();
  if (bool_field(*p.value(), "secret")) return rule("poll_is_secret", "This poll is secret: vote with a ballot card.");
  const std::string key = named_key(s, *p.value(), voter_member, cast_for_member);
  if (key.empty()) return rule("no_vote_here", "This member has no vote in this poll.");
  CreateEntity c{"ballot", Json::object(), ""};
  c.fields["poll"] = poll_id;
  c.fields["voter"] = voter_member;
  if (!cast_for_member.empty()) c.fields["cast_for"] = cast_for_member;
  c.fields["voter_digest"] = voter_digest(poll_id, key);
  c.fields["marks"] = marks_json(marks);
  return c;
}

Result<CreateEntity> cast_secret_ballot(const State& s, const std::string& poll_id, const std::string& card_code,
                                        const std::vector<std::string>& marks) {
  auto p = open_poll_entity(s, poll_id);
  if (!p) return p.error();
  if (!bool_field(*p.value(), "secret")) return rule("poll_is_named", "This poll is not secret: vote by name.");
  if (!is_valid_card_code(card_code))
    return rule("bad_card_code", "A ballot card's code is 16 to 32 lower-case letters and digits.");
  CreateEntity c{"ballot", Json::object(), ""};
  c.fields["poll"] = poll_id;
  c.fields["token"] = card_code;
  c.fields["voter_digest"] = voter_digest(poll_id, card_code);
  c.fields["marks"] = marks_json(marks);
  return c;
}

Result<CreateEntity> new_ballot_card(const std::string& meeting_id, const std::string& card_code) {
  if (!is_valid_card_code(card_code))
    return rule("bad_card_code", "A ballot card's code is 16 to 32 lower-case letters and digits.");
  return CreateEntity{"ballot_card", Json{{"meeting", meeting_id}, {"digest", sha256_hex(card_code)}}, ""};
}

EditEntity open_poll(const std::string& poll_id) { return EditEntity{"poll", poll_id, Json{{"poll_state", "open"}}}; }

Result<EditEntity> close_poll(const State& s, const std::string& poll_id) {
  auto p = open_poll_entity(s, poll_id);
  if (!p) return p.error();
  const std::string unit = p.value()->text("vote_unit").empty() ? "person" : p.value()->text("vote_unit");
  Turnout t = turnout(s, p.value()->text("meeting"), unit);
  return EditEntity{"poll", poll_id,
                    Json{{"poll_state", "closed"}, {"frozen_entitled", t.entitled}, {"frozen_present", t.present}}};
}

Result<EditEntity> enter_paper_counts(const State& s, const std::string& poll_id, const std::vector<int>& counts,
                                      int invalid) {
  const Entity* p = live(s, "poll", poll_id);
  if (!p) return rule("unknown_poll", "There is no such poll.");
  if (p->text("poll_state") != "closed") return rule("poll_not_closed", "Counts are entered once the poll is closed.");
  Json list = Json::array();
  long long sum = invalid;
  for (int c : counts) {
    if (c < 0) return rule("bad_count", "A count cannot be negative.");
    list.push_back(std::to_string(c));
    sum += c;
  }
  const bool mismatch = sum > int_field(*p, "frozen_present", 0);
  return EditEntity{"poll", poll_id, Json{{"paper_counts", list}, {"paper_invalid", invalid}, {"paper_mismatch", mismatch}}};
}

Result<EditEntity> publish_poll(const State& s, const std::string& poll_id) {
  const Entity* p = live(s, "poll", poll_id);
  if (!p) return rule("unknown_poll", "There is no such poll.");
  if (p->text("poll_state") != "closed") return rule("poll_not_closed", "Only a closed poll can be published.");
  PollAudit a = poll_audit(s, poll_id);
  return EditEntity{"poll", poll_id,
                    Json{{"poll_state", "published"}, {"published_result", result_to_json(a.result).dump()}}};
}

// ---- Result JSON ----------------------------------------------------------------

Json result_to_json(const tally::TallyResult& r) {
  Json j;
  j["method"] = tally::name(r.method);
  j["outcome"] = r.outcome;
  j["entitled"] = r.entitled;
  j["present"] = r.present;
  j["cast"] = r.cast;
  j["valid"] = r.valid;
  j["invalid"] = r.invalid;
  Json ir = Json::array();
  for (const auto& [k, v] : r.invalid_by_reason) ir.push_back(Json::array({k, v}));
  j["invalid_by_reason"] = ir;
  j["votes"] = r.votes;
  j["blank"] = r.blank;
  j["quorum_required"] = r.quorum_required;
  j["quorum_met"] = r.quorum_met;
  j["quorum_needed"] = r.quorum_needed;
  j["threshold_met"] = r.threshold_met;
  j["threshold_base"] = r.threshold_base;
  j["threshold_needed"] = r.threshold_needed;
  j["threshold"] = tally::name(r.rules.threshold.kind);
  j["threshold_base_kind"] = tally::name(r.rules.threshold.base);
  j["winners"] = r.winners;
  Json rounds = Json::array();
  for (const auto& rd : r.rounds) {
    Json x;
    x["number"] = rd.number;
    x["votes"] = rd.votes;
    x["continuing"] = rd.continuing;
    x["continuing_votes"] = rd.continuing_votes;
    x["exhausted"] = rd.exhausted;
    x["transfers"] = rd.transfers;
    x["transferred_to_exhausted"] = rd.transferred_to_exhausted;
    x["eliminated"] = rd.eliminated;
    x["elected"] = rd.elected;
    Json notes = Json::array();
    for (const auto& n : rd.notes) notes.push_back(note_json(n));
    x["notes"] = notes;
    rounds.push_back(x);
  }
  j["rounds"] = rounds;
  Json notes = Json::array();
  for (const auto& n : r.notes) notes.push_back(note_json(n));
  j["notes"] = notes;
  return j;
}

std::optional<tally::TallyResult> result_from_json(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    tally::TallyResult r;
    r.method = method_of(j.value("method", "yes_no_abstain"));
    r.rules.method = r.method;
    r.outcome = j.value("outcome", "");
    r.entitled = j.value("entitled", -1LL);
    r.present = j.value("present", -1LL);
    r.cast = j.value("cast", 0LL);
    r.valid = j.value("valid", 0LL);
    r.invalid = j.value("invalid", 0LL);
    for (const auto& x : j.value("invalid_by_reason", Json::array()))
      r.invalid_by_reason.emplace_back(x.at(0).get<std::string>(), x.at(1).get<int64_t>());
    r.votes = j.value("votes", std::vector<int64_t>());
    r.blank = j.value("blank", 0LL);
    r.quorum_required = j.value("quorum_required", false);
    r.quorum_met = j.value("quorum_met", true);
    r.quorum_needed = j.value("quorum_needed", 0LL);
    r.threshold_met = j.value("threshold_met", false);
    r.threshold_base = j.value("threshold_base", 0LL);
    r.threshold_needed = j.value("threshold_needed", 0LL);
    const std::string th = j.value("threshold", "");
    for (auto k : {tally::ThresholdKind::none, tally::ThresholdKind::simple_majority, tally::ThresholdKind::two_thirds,
                   tally::ThresholdKind::three_quarters, tally::ThresholdKind::fraction})
      if (th == tally::name(k)) r.rules.threshold.kind = k;
    const std::string tb = j.value("threshold_base_kind", "");
    for (auto b : {tally::ThresholdBase::votes_cast, tally::ThresholdBase::valid_ballots, tally::ThresholdBase::present,
                   tally::ThresholdBase::entitled})
      if (tb == tally::name(b)) r.rules.threshold.base = b;
    r.winners = j.value("winners", std::vector<int>());
    for (const auto& x : j.value("rounds", Json::array())) {
      tally::Round rd;
      rd.number = x.value("number", 1);
      rd.votes = x.value("votes", std::vector<int64_t>());
      rd.continuing = x.value("continuing", std::vector<bool>());
      rd.continuing_votes = x.value("continuing_votes", 0LL);
      rd.exhausted = x.value("exhausted", 0LL);
      rd.transfers = x.value("transfers", std::vector<int64_t>());
      rd.transferred_to_exhausted = x.value("transferred_to_exhausted", 0LL);
      rd.eliminated = x.value("eliminated", std::vector<int>());
      rd.elected = x.value("elected", -1);
      for (const auto& n : x.value("notes", Json::array())) rd.notes.push_back(note_from(n));
      r.rounds.push_back(rd);
    }
    for (const auto& n : j.value("notes", Json::array())) r.notes.push_back(note_from(n));
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// ---- Rules ----------------------------------------------------------------------

namespace {

const std::vector<std::string> kPollSpecFields = {
    "voting_method", "options", "max_choices", "seats", "threshold", "threshold_base", "quorum_percent", "secret",
    "vote_unit", "voting_mode", "overvote", "exhaust_after_skips", "elimination", "tie_break", "meeting"};

bool changes(const RuleInput& in, const std::string& name) { return in.changes.is_object() && in.changes.contains(name); }

int state_rank(const std::string& st) {
  return st == "draft" ? 0 : st == "open" ? 1 : st == "closed" ? 2 : st == "published" ? 3 : -1;
}

Status check_member_in_meeting_council(const State& s, const std::string& meeting, const std::string& member,
                                       const char* what) {
  if (member.empty()) return ok_status();
  const Entity* m = s.find("council_member", member);
  const Entity* mt = s.find("meeting", meeting);
  if (m && mt && m->text("council") != mt->text("council"))
    return make_error("not_council_member", std::string("The ") + what + " is not a member of the meeting's council.");
  return ok_status();
}

Status check_motion(const RuleInput& in) {
  const std::string meeting = merged_text(in, "meeting"), proposer = merged_text(in, "proposer");
  if (Status st = check_member_in_meeting_council(in.state, meeting, proposer, "proposer"); !st) return st;
  Json seconders = merged(in, "seconders");
  if (seconders.is_array()) {
    for (const auto& x : seconders) {
      const std::string id = x.get<std::string>();
      if (id == proposer) return make_error("seconder_is_proposer", "A motion cannot be seconded by its proposer.");
      const Entity* m = in.state.find("council_member", id);
      if (!m || !m->live()) return make_error("unknown_seconder", "A seconder is not a member on record.");
      if (Status st = check_member_in_meeting_council(in.state, meeting, id, "seconder"); !st) return st;
    }
  }
  const std::string amends = merged_text(in, "amends");
  if (!amends.empty()) {
    if (amends == in.id) return make_error("amends_itself", "A motion cannot amend itself.");
    const Entity* target = in.state.find("motion", amends);
    if (target && target->text("meeting") != meeting)
      return make_error("amends_other_meeting", "An amendment changes a motion of the same meeting.");
  }
  return ok_status();
}

Status check_poll(const RuleInput& in) {
  const std::string before = in.existing ? in.existing->text("poll_state") : std::string();
  const std::string after = merged_text(in, "poll_state");
  if (in.verb == "create") {
    if (after != "draft" && after != "open")
      return make_error("poll_state_jump", "A new poll starts as a draft or open.");
    for (const char* f : {"frozen_entitled", "frozen_present", "paper_counts", "paper_invalid", "paper_mismatch",
                          "published_result"})
      if (changes(in, f)) return make_error("poll_field_later", std::string("A new poll cannot carry \"") + f + "\".");
  } else if (changes(in, "poll_state") && after != before) {
    if (state_rank(after) != state_rank(before) + 1)
      return make_error("poll_state_jump", "A poll goes draft, open, closed, published, one step at a time.");
  }
  if (in.verb == "edit" && before != "draft") {
    for (const auto& f : kPollSpecFields)
      if (changes(in, f) && in.changes[f] != in.existing->get(f))
        return make_error("poll_spec_fixed", "Once a poll is open its question and rules cannot change: \"" + f + "\".");
  }
  const bool closing = in.verb == "edit" && before == "open" && after == "closed";
  if (closing != (changes(in, "frozen_entitled") && changes(in, "frozen_present")) ||
      (!closing && (changes(in, "frozen_entitled") || changes(in, "frozen_present"))))
    return make_error("freeze_at_close", "The close, and only the close, freezes the entitled and present counts.");
  const bool publishing = in.verb == "edit" && before == "closed" && after == "published";
  if (publishing != changes(in, "published_result"))
    return make_error("publish_result", "Publishing writes the result, and only publishing does.");
  if (publishing) {
    Json j = Json::parse(merged_text(in, "published_result"), nullptr, false);
    if (j.is_discarded() || !result_from_json(j))
      return make_error("bad_published_result", "The published result is not a tally result.");
  }
  const std::string method = merged_text(in, "voting_method");
  Json options = merged(in, "options");
  const size_t n = options.is_array() ? options.size() : 0;
  if (method != "yes_no_abstain" && n < 2)
    return make_error("too_few_options", "A choice between options needs at least two options.");
  if (changes(in, "paper_counts") || changes(in, "paper_invalid") || changes(in, "paper_mismatch")) {
    if (merged_text(in, "voting_mode") != "paper")
      return make_error("not_paper_poll", "Counts are entered only for a paper or show-of-hands poll.");
    if (before != "closed" || after != "closed")
      return make_error("poll_not_closed", "Counts are entered once the poll is closed.");
    Json counts = merged(in, "paper_counts");
    const size_t expected = method == "yes_no_abstain" ? 3 : n;
    if (!counts.is_array() || counts.size() != expected)
      return make_error("paper_counts_shape", "Enter one count for each option.");
    long long sum = 0;
    for (const auto& c : counts) {
      const std::string t = c.get<std::string>();
      if (t.empty() || t.size() > 7 || !std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return make_error("bad_count", "A count is a whole number, not negative.");
      sum += std::stoll(t);
    }
    Json invalid = merged(in, "paper_invalid");
    sum += invalid.is_number_integer() ? invalid.get<long long>() : 0;
    Json frozen = in.existing ? in.existing->get("frozen_present") : Json();
    const bool mismatch = sum > (frozen.is_number_integer() ? frozen.get<long long>() : 0);
    if (merged(in, "paper_mismatch") != Json(mismatch))
      return make_error("paper_mismatch_unrecorded",
                        "The check of the counts against those present must be recorded as it is.");
  }
  return ok_status();
}

Status check_ballot(const RuleInput& in) {
  const State& s = in.state;
  const Entity* poll = s.find("poll", merged_text(in, "poll"));
  if (!poll) return make_error("unknown_poll", "There is no such poll.");
  if (poll->text("poll_state") == "draft") return make_error("poll_not_open", "The poll is not open for voting.");
  const bool secret = poll->get("secret") == Json(true);
  const std::string voter = merged_text(in, "voter"), cast_for = merged_text(in, "cast_for"),
                    token = merged_text(in, "token");
  std::string key;
  if (secret) {
    if (!voter.empty() || !cast_for.empty())
      return make_error("secret_ballot_named", "A secret ballot names nobody: it carries only the card's code.");
    if (!is_valid_card_code(token))
      return make_error("bad_card_code", "A ballot card's code is 16 to 32 lower-case letters and digits.");
    key = token;
  } else {
    if (!token.empty()) return make_error("named_ballot_card", "A named ballot carries the voter, not a card.");
    if (voter.empty()) return make_error("ballot_voter_missing", "A named ballot says who votes.");
    const std::string meeting = poll->text("meeting");
    if (Status st = check_member_in_meeting_council(s, meeting, voter, "voter"); !st) return st;
    if (Status st = check_member_in_meeting_council(s, meeting, cast_for, "member voted for"); !st) return st;
    const std::string who = cast_for.empty() ? voter : cast_for;
    const Entity* m = s.find("council_member", who);
    if (!m || m->get("entitled") != Json(true)) return make_error("no_vote_here", "This member has no vote in this poll.");
    key = poll->text("vote_unit") == "household" ? m->text("household") : who;
    if (key.empty()) return make_error("no_vote_here", "This member has no household, so no vote in a household poll.");
  }
  if (merged_text(in, "voter_digest") != voter_digest(poll->id, key))
    return make_error("bad_voter_digest", "The ballot's voter digest does not match its voter.");
  const bool ranked = poll->text("voting_method") == "ranked_choice";
  const std::string method = poll->text("voting_method");
  const size_t n = method == "yes_no_abstain" ? 3 : (poll->get("options").is_array() ? poll->get("options").size() : 0);
  Json marks = merged(in, "marks");
  std::vector<std::string> list;
  if (marks.is_array())
    for (const auto& x : marks) list.push_back(x.get<std::string>());
  tally::Ballot b;
  if (!to_tally_ballot(list, ranked, n, &b))
    return make_error("bad_marks", "A mark names an option the poll does not have.");
  return ok_status();  // an overvote in a single-choice poll is the tally's "invalid", not refused here
}

}  // namespace

void register_rules(RuleBook& book) {
  book.add("motion", {"create", "edit"}, check_motion);
  book.add("poll", {"create", "edit"}, check_poll);
  book.add("ballot", {"create"}, check_ballot);
  book.add("ballot", {"edit", "archive", "restore"}, [](const RuleInput&) -> Status {
    return make_error("ballot_immutable", "A ballot cannot be changed or withdrawn; cast another to replace it while the poll is open.");
  });
  book.add("ballot_card", {"create", "edit"}, [](const RuleInput& in) -> Status {
    if (!is_hex64(merged_text(in, "digest")))
      return make_error("bad_card_digest", "A ballot card is kept as the SHA-256 of its code (64 hex digits).");
    return ok_status();
  });
  book.add("ballot_card", {"edit"}, [](const RuleInput&) -> Status {
    return make_error("ballot_card_fixed", "A ballot card cannot be changed; archive it and make another.");
  });
  book.add("attendance", {"create", "edit"}, [](const RuleInput& in) -> Status {
    const std::string meeting = merged_text(in, "meeting"), member = merged_text(in, "member");
    if (Status st = check_member_in_meeting_council(in.state, meeting, member, "person arriving"); !st) return st;
    if (in.verb == "create")
      for (const Entity* a : in.state.referring("attendance", "meeting", meeting))
        if (a->live() && a->text("member") == member)
          return make_error("already_present", "This member is already recorded as present.");
    return ok_status();
  });
  book.add("proxy", {"create", "edit"}, [](const RuleInput& in) -> Status {
    const State& s = in.state;
    const std::string meeting = merged_text(in, "meeting"), absent = merged_text(in, "absent_member"),
                      holder = merged_text(in, "holder");
    if (absent == holder) return make_error("proxy_to_self", "A member cannot hold their own proxy.");
    if (Status st = check_member_in_meeting_council(s, meeting, absent, "absent member"); !st) return st;
    if (Status st = check_member_in_meeting_council(s, meeting, holder, "proxy holder"); !st) return st;
    long long limit = 1;
    if (const Entity* mt = s.find("meeting", meeting))
      if (const Entity* c = s.find("council", mt->text("council"))) limit = int_field(*c, "proxy_limit", 1);
    long long held = 0;
    for (const Entity* x : s.referring("proxy", "meeting", meeting)) {
      if (!x->live() || x->id == in.id) continue;
      if (x->text("absent_member") == absent)
        return make_error("proxy_exists", "This member has already given a proxy for this meeting.");
      if (x->text("holder") == holder) ++held;
    }
    if (held >= limit)
      return make_error("proxy_limit", "This member already holds as many proxies as the council allows (" +
                                           std::to_string(limit) + ").");
    for (const Entity* a : s.referring("attendance", "meeting", meeting))
      if (a->live() && a->text("member") == absent)
        return make_error("proxy_member_present", "This member is here in person and votes themself.");
    return ok_status();
  });
  book.add("speaker", {"create", "edit"}, [](const RuleInput& in) -> Status {
    return check_member_in_meeting_council(in.state, merged_text(in, "meeting"), merged_text(in, "member"), "speaker");
  });
}

}  // namespace deliberation

void register_deliberation_rules(RuleBook& book) { deliberation::register_rules(book); }

}  // namespace dh
