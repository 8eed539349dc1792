// Deliberation model (issue 11): voter keys, replacement, late ballots,
// freezing at the close, proxies, paper counts, secret ballots with cards,
// and that the count does not depend on the order operations arrive in.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/schema.h"
#include "core/sha256.h"

using namespace dh;
namespace dl = dh::deliberation;

namespace {

// One device: its own State (what it has seen) and its own clock.
struct Device {
  State state;
  OpSource source;
  int64_t now = 1767225600000;  // 2026-01-01 UTC
  std::vector<Operation> made;

  explicit Device(const std::string& id) {
    source.device = id;
    source.author = id == "chair" ? "staff:chair" : "tablet";
  }
  Result<Operation> run(const Command& cmd) {
    now += 1000;
    auto op = make_operation(state, cmd, source, now);
    if (op) {
      state.apply(op.value());
      made.push_back(op.value());
    }
    return op;
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = run(CreateEntity{kind, std::move(fields), ""});
    INFO(kind << ": " << (op ? std::string() : op.error().code + " " + op.error().message));
    REQUIRE(op.ok());
    return op->payload["entity"].get<std::string>();
  }
  void must(const Command& cmd) {
    auto op = run(cmd);
    INFO((op ? std::string() : op.error().code + " " + op.error().message));
    REQUIRE(op.ok());
  }
  template <class T>
  void must(const Result<T>& cmd) {
    INFO((cmd ? std::string() : cmd.error().code + " " + cmd.error().message));
    REQUIRE(cmd.ok());
    must(Command(cmd.value()));
  }
  // Receives everything `other` has made (a sync), keeping the clock ahead.
  void receive(const Device& other) {
    now = std::max(now, other.now);  // the wall clocks of the room agree
    for (const auto& op : other.made) {
      state.apply(op);
      source.clock.observe(op.hlc, now);
    }
  }
};

// A level-2 council of five voting members in four households, a meeting,
// a motion, and on the chair's device every record made.
struct Room {
  Device chair{"chair"};
  std::string council, meeting, motion;
  std::vector<std::string> members;  // 0..4
  std::vector<std::string> households;

  explicit Room(int proxy_limit = 1, int quorum = 50) {
    std::string grid = chair.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    for (int i = 0; i < 4; ++i)
      households.push_back(chair.make("household", Json{{"address", "幸福里" + std::to_string(i + 1) + "栋"}, {"grid", grid}}));
    council = chair.make("council", Json{{"name", "社区议事会"}, {"tier", "level2"}, {"council_scope", "community"},
                                         {"quorum_percent", quorum}, {"proxy_limit", proxy_limit}});
    const char* names[] = {"李堃", "王玥", "张华", "赵敏", "陈晨"};
    for (int i = 0; i < 5; ++i)
      members.push_back(chair.make("council_member", Json{{"council", council},
                                                          {"name", names[i]},
                                                          {"household", households[std::min(i, 3)]},
                                                          {"member_category", "resident_org"},
                                                          {"entitled", true}}));
    meeting = chair.make("meeting", Json{{"council", council}, {"title", "第四季度议事会"}, {"start", "2026-12-20T14:00"}});
    motion = chair.make("motion", Json{{"meeting", meeting},
                                       {"title", "加装电梯"},
                                       {"text", "在3栋加装电梯，费用按楼层分摊。"},
                                       {"proposer", members[0]},
                                       {"seconders", Json::array({members[1]})}});
  }
  void arrive(int i) {
    chair.make("attendance", Json{{"meeting", meeting}, {"member", members[i]}, {"check_in_method", "list"}});
  }
  std::string poll(bool secret, Json extra = Json::object()) {
    Json f{{"meeting", meeting}, {"motion", motion}, {"title", "加装电梯"}, {"voting_method", "yes_no_abstain"},
           {"secret", secret}, {"poll_state", "draft"}};
    for (auto it = extra.begin(); it != extra.end(); ++it) f[it.key()] = it.value();
    std::string id = chair.make("poll", f);
    chair.must(dl::open_poll(id));
    return id;
  }
};

std::vector<std::string> yes() { return {"1"}; }
std::vector<std::string> no() { return {"2"}; }

}  // namespace

TEST_CASE("SHA-256 gives the FIPS 180-4 test vectors", "[deliberation]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("a changed vote replaces the earlier one and is counted once", "[deliberation]") {
  Room r;
  for (int i = 0; i < 4; ++i) r.arrive(i);
  std::string poll = r.poll(false);
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", yes()));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[1], "", yes()));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", no()));  // changes their mind
  CHECK(dl::poll_view(r.chair.state, poll).ballots_received == 2);
  r.chair.must(dl::close_poll(r.chair.state, poll));
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.replaced == 1);
  CHECK(a.counted.size() == 2);
  CHECK(a.result.cast == 2);
  CHECK(a.result.votes == std::vector<int64_t>{1, 1, 0});
  CHECK(a.result.entitled == 5);
  CHECK(a.result.present == 4);
  CHECK(a.result.quorum_met);
  CHECK_FALSE(a.result.threshold_met);  // 1 yes of 2 cast is not more than half
}

TEST_CASE("ballots: a named ballot needs an entitled voter in the room; ballots are immutable", "[deliberation]") {
  Room r;
  r.arrive(0);
  std::string poll = r.poll(false);
  std::string outsider = r.chair.make("council_member", Json{{"council", r.council}, {"name", "旁听者"},
                                                              {"member_category", "other"}, {"entitled", false}});
  auto refused = dl::cast_named_ballot(r.chair.state, poll, outsider, "", yes());
  REQUIRE(refused.ok());
  auto op = r.chair.run(refused.value());
  REQUIRE_FALSE(op.ok());
  CHECK(op.error().code == "no_vote_here");
  // Member 1 votes without being recorded at the door: kept, not counted.
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[1], "", yes()));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", yes()));
  auto a = dl::poll_audit(r.chair.state, poll);
  REQUIRE(a.ballots.size() == 2);
  CHECK(a.ballots[0].reason == "not_present");
  CHECK(a.ballots[1].reason == "");
  auto edit = r.chair.run(EditEntity{"ballot", a.ballots[1].ballot_id, Json{{"marks", Json::array({"2"})}}});
  REQUIRE_FALSE(edit.ok());
  CHECK(edit.error().code == "ballot_immutable");
  // A mark naming no option is refused at the door.
  auto bad = dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", {"4"});
  REQUIRE(bad.ok());
  CHECK(r.chair.run(bad.value()).error().code == "bad_marks");
}

TEST_CASE("offline tablets: the count is the same in every delivery order; late ballots are kept, not counted",
          "[deliberation]") {
  Room r;
  for (int i = 0; i < 5; ++i) r.arrive(i);
  std::string poll = r.poll(false);
  Device tablet_a("tablet-a"), tablet_b("tablet-b");
  tablet_a.receive(r.chair);
  tablet_b.receive(r.chair);
  // Both tablets go offline. Member 0 votes yes on A, then changes to no on B
  // (later stamp); member 1 and 2 vote on A and B.
  tablet_a.must(dl::cast_named_ballot(tablet_a.state, poll, r.members[0], "", yes()));
  tablet_a.must(dl::cast_named_ballot(tablet_a.state, poll, r.members[1], "", yes()));
  tablet_b.now = tablet_a.now + 5000;
  tablet_b.must(dl::cast_named_ballot(tablet_b.state, poll, r.members[0], "", no()));
  tablet_b.must(dl::cast_named_ballot(tablet_b.state, poll, r.members[2], "", yes()));
  // The chair closes, having seen nothing of the tablets.
  r.chair.now = tablet_b.now + 10000;
  r.chair.must(dl::close_poll(r.chair.state, poll));
  // Tablet B, still offline and not knowing, takes member 3's vote after the close.
  tablet_b.now = r.chair.now + 60000;
  tablet_b.must(dl::cast_named_ballot(tablet_b.state, poll, r.members[3], "", yes()));

  std::vector<Operation> all = r.chair.made;
  all.insert(all.end(), tablet_a.made.begin(), tablet_a.made.end());
  all.insert(all.end(), tablet_b.made.begin(), tablet_b.made.end());
  std::mt19937 rng(11);
  std::string first;
  for (int round = 0; round < 30; ++round) {
    std::vector<Operation> delivery = all;
    std::shuffle(delivery.begin(), delivery.end(), rng);
    delivery.insert(delivery.end(), delivery.begin(), delivery.begin() + static_cast<long>(delivery.size() / 3));
    State s;
    for (const auto& op : delivery) s.apply(op);
    auto a = dl::poll_audit(s, poll);
    std::string summary = dl::result_to_json(a.result).dump();
    if (round == 0) {
      first = summary;
      CHECK(a.result.cast == 3);
      CHECK(a.result.votes == std::vector<int64_t>{2, 1, 0});  // 1 and 2 yes, 0 changed to no
      CHECK(a.late == 1);
      CHECK(a.replaced == 1);
      CHECK(a.result.present == 5);
      auto late = std::find_if(a.ballots.begin(), a.ballots.end(), [](const auto& b) { return b.reason == "late"; });
      REQUIRE(late != a.ballots.end());
      CHECK(late->device == "tablet-b");
    }
    CHECK(summary == first);
    CHECK(dl::poll_view(s, poll).ballots_received == 3);
  }
}

TEST_CASE("entitled and present are frozen at the close", "[deliberation]") {
  Room r;
  r.arrive(0);
  r.arrive(1);
  r.arrive(2);
  std::string poll = r.poll(false);
  CHECK(dl::poll_view(r.chair.state, poll).present == 3);
  r.chair.must(dl::close_poll(r.chair.state, poll));
  r.arrive(3);  // arrives after the close
  r.chair.make("council_member", Json{{"council", r.council}, {"name", "新成员"}, {"member_category", "volunteer"},
                                      {"entitled", true}});
  auto v = dl::poll_view(r.chair.state, poll);
  CHECK(v.present == 3);
  CHECK(v.entitled == 5);
  CHECK(dl::meeting_view(r.chair.state, r.meeting).present == 4);
  CHECK(dl::meeting_view(r.chair.state, r.meeting).entitled == 6);
  // The close writes the frozen counts once; an edit cannot rewrite them.
  auto op = r.chair.run(EditEntity{"poll", poll, Json{{"frozen_present", 4}}});
  REQUIRE_FALSE(op.ok());
  CHECK(op.error().code == "freeze_at_close");
  // Nor can the question change once open, nor the state jump back.
  CHECK(r.chair.run(EditEntity{"poll", poll, Json{{"poll_state", "open"}}}).error().code == "poll_state_jump");
}

TEST_CASE("household polls: one vote per household", "[deliberation]") {
  Room r;
  for (int i = 0; i < 5; ++i) r.arrive(i);
  std::string poll = r.poll(false, Json{{"vote_unit", "household"}});
  auto v = dl::poll_view(r.chair.state, poll);
  CHECK(v.entitled == 4);  // members 3 and 4 share a household
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[3], "", yes()));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[4], "", no()));  // same household: replaces
  r.chair.must(dl::close_poll(r.chair.state, poll));
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.result.cast == 1);
  CHECK(a.result.votes == std::vector<int64_t>{0, 1, 0});
  CHECK(a.replaced == 1);
}

TEST_CASE("proxies: one holder per absent member, a limit per holder", "[deliberation]") {
  Room r(/*proxy_limit=*/1);
  r.arrive(0);
  r.arrive(1);
  r.arrive(2);
  auto proxy = [&](int absent, int holder) {
    return r.chair.run(CreateEntity{"proxy", Json{{"meeting", r.meeting}, {"absent_member", r.members[absent]},
                                                  {"holder", r.members[holder]}}, ""});
  };
  REQUIRE(proxy(3, 0).ok());
  CHECK(proxy(3, 1).error().code == "proxy_exists");
  CHECK(proxy(4, 0).error().code == "proxy_limit");
  CHECK(proxy(0, 1).error().code == "proxy_member_present");
  CHECK(proxy(2, 2).error().code == "proxy_to_self");

  // Two offline devices each record a proxy for member 4: the earlier one counts.
  Device door_a("door-a"), door_b("door-b");
  door_a.receive(r.chair);
  door_b.receive(r.chair);
  door_b.now = door_a.now + 2000;
  door_a.make("proxy", Json{{"meeting", r.meeting}, {"absent_member", r.members[4]}, {"holder", r.members[1]}});
  door_b.make("proxy", Json{{"meeting", r.meeting}, {"absent_member", r.members[4]}, {"holder", r.members[2]}});
  r.chair.receive(door_a);
  r.chair.receive(door_b);
  auto eff = dl::effective_proxies(r.chair.state, r.meeting);
  REQUIRE(eff.size() == 2);
  CHECK(std::count(eff.begin(), eff.end(), std::make_pair(r.members[3], r.members[0])) == 1);
  CHECK(std::count(eff.begin(), eff.end(), std::make_pair(r.members[4], r.members[1])) == 1);
  CHECK(dl::meeting_view(r.chair.state, r.meeting).present == 5);  // 3 in person, 2 by proxy

  std::string poll = r.poll(false);
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], r.members[3], yes()));  // holds 3
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], r.members[4], yes()));  // does not hold 4
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", yes()));
  r.chair.must(dl::close_poll(r.chair.state, poll));
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.result.cast == 2);
  CHECK(a.rejected == 1);
  CHECK(a.ballots[1].reason == "not_entitled");
}

TEST_CASE("paper and show-of-hands counts are checked against attendance", "[deliberation]") {
  Room r;
  r.arrive(0);
  r.arrive(1);
  r.arrive(2);
  std::string poll = r.poll(false, Json{{"voting_mode", "paper"}});
  r.chair.must(dl::close_poll(r.chair.state, poll));
  // Four hands for, among three present: recorded as a mismatch, still tallied as entered.
  r.chair.must(dl::enter_paper_counts(r.chair.state, poll, {4, 0, 0}, 0));
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.paper_mismatch);
  CHECK(a.result.votes == std::vector<int64_t>{4, 0, 0});
  // The officer recounts: 2 for, 1 against.
  r.chair.must(dl::enter_paper_counts(r.chair.state, poll, {2, 1, 0}, 0));
  a = dl::poll_audit(r.chair.state, poll);
  CHECK_FALSE(a.paper_mismatch);
  CHECK(a.result.votes == std::vector<int64_t>{2, 1, 0});
  CHECK(a.result.threshold_met);
  // The mismatch cannot be hidden.
  auto op = r.chair.run(EditEntity{"poll", poll, Json{{"paper_counts", Json::array({"9", "0", "0"})},
                                                      {"paper_invalid", 0}, {"paper_mismatch", false}}});
  REQUIRE_FALSE(op.ok());
  CHECK(op.error().code == "paper_mismatch_unrecorded");
  CHECK(r.chair.run(EditEntity{"poll", poll, Json{{"paper_counts", Json::array({"1", "1"})}, {"paper_invalid", 0},
                                                  {"paper_mismatch", false}}})
            .error()
            .code == "paper_counts_shape");
}

TEST_CASE("secret ballots carry a card code, never a member; cards stay with the first device", "[deliberation]") {
  Room r;
  for (int i = 0; i < 5; ++i) r.arrive(i);
  const std::vector<std::string> codes = {"k3j9d8s7a6f5g4h2", "m1n2b3v4c5x6z7l8", "q9w8e7r6t5y4u3i2"};
  for (const auto& c : codes) r.chair.must(dl::new_ballot_card(r.meeting, c));
  std::string poll = r.poll(true);
  Device tablet_a("tablet-a"), tablet_b("tablet-b");
  tablet_a.receive(r.chair);
  tablet_b.receive(r.chair);
  // A named ballot in a secret poll is refused.
  CHECK(dl::cast_named_ballot(tablet_a.state, poll, r.members[0], "", yes()).error().code == "poll_is_secret");
  auto named = r.chair.run(CreateEntity{"ballot", Json{{"poll", poll}, {"voter", r.members[0]}, {"token", codes[0]},
                                                       {"voter_digest", dl::voter_digest(poll, codes[0])},
                                                       {"marks", Json::array({"1"})}}, ""});
  CHECK(named.error().code == "secret_ballot_named");

  tablet_a.must(dl::cast_secret_ballot(tablet_a.state, poll, codes[0], yes()));
  tablet_a.must(dl::cast_secret_ballot(tablet_a.state, poll, codes[0], no()));  // changes their mind
  tablet_b.now = tablet_a.now + 3000;
  tablet_b.must(dl::cast_secret_ballot(tablet_b.state, poll, codes[1], yes()));
  tablet_b.must(dl::cast_secret_ballot(tablet_b.state, poll, codes[0], yes()));  // someone else read card 0
  tablet_b.must(dl::cast_secret_ballot(tablet_b.state, poll, "zzzzzzzzzzzzzzzz", yes()));  // no such card
  r.chair.receive(tablet_a);
  r.chair.receive(tablet_b);
  CHECK(dl::poll_view(r.chair.state, poll).ballots_received == 3);  // distinct digests, counted or not
  r.chair.must(dl::close_poll(r.chair.state, poll));
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.result.cast == 2);
  CHECK(a.result.votes == std::vector<int64_t>{1, 1, 0});
  CHECK(a.replaced == 1);
  CHECK(a.rejected == 2);
  std::vector<std::string> reasons;
  for (const auto& b : a.ballots) reasons.push_back(b.reason);
  CHECK(std::count(reasons.begin(), reasons.end(), "other_device") == 1);
  CHECK(std::count(reasons.begin(), reasons.end(), "unknown_card") == 1);
  // No ballot names a member.
  for (const Entity* b : r.chair.state.list("ballot")) {
    CHECK(b->get("voter").is_null());
    CHECK(b->get("cast_for").is_null());
  }
  // The log keeps digests of the cards, never their codes.
  for (const Entity* c : r.chair.state.list("ballot_card")) CHECK(c->text("digest").size() == 64);
}

TEST_CASE("the result is on the poll only once published, and every device can recount it", "[deliberation]") {
  Room r;
  for (int i = 0; i < 4; ++i) r.arrive(i);
  std::string poll = r.poll(false, Json{{"threshold", "two_thirds"}, {"threshold_base", "present"}});
  for (int i = 0; i < 3; ++i) r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[i], "", yes()));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[3], "", no()));
  CHECK(dl::publish_poll(r.chair.state, poll).error().code == "poll_not_closed");
  r.chair.must(dl::close_poll(r.chair.state, poll));
  CHECK_FALSE(dl::poll_view(r.chair.state, poll).published_result.has_value());
  r.chair.must(dl::publish_poll(r.chair.state, poll));
  auto v = dl::poll_view(r.chair.state, poll);
  REQUIRE(v.published_result.has_value());
  CHECK(v.state == "published");
  CHECK(v.published_result->votes == std::vector<int64_t>{3, 1, 0});
  CHECK(v.published_result->present == 4);
  CHECK(v.published_result->threshold_met);  // 3 of 4 present >= two thirds
  CHECK(v.published_result->outcome == "carried");
  CHECK(dl::poll_audit(r.chair.state, poll).published_matches);
  // A ballot after publishing is late, and the published result stands.
  Device late("tablet-late");
  late.receive(r.chair);
  auto op = late.run(CreateEntity{"ballot", Json{{"poll", poll}, {"voter", r.members[3]},
                                                 {"voter_digest", dl::voter_digest(poll, r.members[3])},
                                                 {"marks", Json::array({"1"})}}, ""});
  REQUIRE(op.ok());
  r.chair.receive(late);
  auto a = dl::poll_audit(r.chair.state, poll);
  CHECK(a.late == 1);
  CHECK(a.published_matches);
}

TEST_CASE("ranked-choice polls go through the tally with the poll's rules", "[deliberation]") {
  Room r;
  for (int i = 0; i < 5; ++i) r.arrive(i);
  std::string poll = r.poll(false, Json{{"voting_method", "ranked_choice"},
                                        {"options", Json::array({"甲", "乙", "丙"})},
                                        {"threshold", "none"}});
  // First choices: 甲 2, 乙 2, 丙 1; 丙's ballot goes on to 乙.
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[0], "", {"1", "2"}));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[1], "", {"1", "-", "3"}));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[2], "", {"2", "1"}));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[3], "", {"2"}));
  r.chair.must(dl::cast_named_ballot(r.chair.state, poll, r.members[4], "", {"3", "2"}));
  r.chair.must(dl::close_poll(r.chair.state, poll));
  auto a = dl::poll_audit(r.chair.state, poll);
  REQUIRE(a.result.rounds.size() == 2);
  CHECK(a.result.rounds[0].votes == std::vector<int64_t>{2, 2, 1});
  CHECK(a.result.winners == std::vector<int>{1});
  r.chair.must(dl::publish_poll(r.chair.state, poll));
  auto v = dl::poll_view(r.chair.state, poll);
  REQUIRE(v.published_result);
  CHECK(v.published_result->rounds.size() == 2);
  CHECK(v.options == std::vector<std::string>{"甲", "乙", "丙"});
}

TEST_CASE("the projector receives no voter, card or marks of a ballot", "[deliberation]") {
  const KindSpec* ballot = find_kind("ballot");
  REQUIRE(ballot);
  for (const auto& f : ballot->fields) {
    INFO(f.name);
    if (f.name == "poll" || f.name == "voter_digest") {
      CHECK(reveal_to(f, "projector") == Reveal::full);
    } else {
      CHECK(reveal_to(f, "projector") == Reveal::none);
    }
    CHECK(reveal_to(f, "kiosk") == Reveal::none);
  }
  for (const auto& f : find_kind("ballot_card")->fields) CHECK(reveal_to(f, "projector") == Reveal::none);
}
