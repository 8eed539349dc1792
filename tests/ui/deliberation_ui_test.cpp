// The deliberation screens (issue 11) drawn for real in a headless ImGui
// context and driven through the input path the browser uses: the door,
// opening a poll, two members voting on the tablet screen (which stops
// showing the choice once cast), close, publish, and the minutes' files.
#include <catch2/catch.hpp>

#include "skip.h"

#include <string>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/state.h"
#include "ui_driver.h"

using namespace dh;

namespace {

struct Council {
  State state;
  OpSource source;
  int64_t now = 1798000000000;
  std::string council, meeting, motion, poll;
  std::vector<std::string> members;

  std::string make(const std::string& kind, Json fields) {
    auto op = make_operation(state, CreateEntity{kind, std::move(fields), ""}, source, now += 1000);
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    state.apply(op.value());
    return op->payload["entity"].get<std::string>();
  }
  Council() {
    source.device = "chair";
    source.author = "staff:chair";
    council = make("council", Json{{"name", "楼栋议事小组"}, {"tier", "level1"}, {"council_scope", "building_group"},
                                   {"quorum_percent", 50}});
    for (const char* n : {"张桂芬", "李国强", "王秀英"})
      members.push_back(make("council_member", Json{{"council", council}, {"name", n},
                                                     {"member_category", "household_rep"}, {"entitled", true}}));
    meeting = make("meeting", Json{{"council", council}, {"title", "十二月楼栋议事会"}, {"start", "2026-12-20T19:00"},
                                   {"meeting_state", "in_session"}});
    motion = make("motion", Json{{"meeting", meeting}, {"title", "更换楼道灯"}, {"text", "楼道灯全部换成感应灯。"},
                                 {"proposer", members[0]}, {"seconders", Json::array({members[1]})}});
    poll = make("poll", Json{{"meeting", meeting}, {"motion", motion}, {"title", "更换楼道灯"},
                             {"voting_method", "yes_no_abstain"}, {"secret", false}, {"poll_state", "draft"}});
  }
};

}  // namespace

TEST_CASE("deliberation screens: door, open, two tablet votes, close, publish, minutes", "[ui][native][deliberation]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Council c;
  test::UiDriver d(c.state, c.source, c.now);
  REQUIRE(d.wb.set_area("deliberation"));
  d.run(2);
  CHECK_FALSE(d.find("area-not-built-deliberation"));
  // Ballot cards: ten digests in the log, the codes only on the page to print.
  d.click("delib-tab-setup");
  d.click("delib-make-cards");
  REQUIRE(c.state.list("ballot_card").size() == 10);
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].action == ui::FileRequest::Action::print);
  for (const Entity* card : c.state.list("ballot_card"))
    CHECK(d.files[0].bytes.find(card->text("digest")) == std::string::npos);
  d.click("delib-tab-chair");
  REQUIRE(d.find("delib-turnout"));
  CHECK(d.visible("delib-turnout") == "应到 3，实到 0，委托 0");
  d.click("delib-arrive-" + c.members[0]);
  d.click("delib-arrive-" + c.members[1]);
  CHECK(d.visible("delib-turnout") == "应到 3，实到 2，委托 0");
  d.click("delib-open-" + c.poll);
  REQUIRE(deliberation::poll_view(c.state, c.poll).state == "open");

  d.click("delib-tab-vote");
  d.click("delib-vote-poll-" + c.poll);
  CHECK(d.visible("delib-vote-title") == "更换楼道灯");
  for (int i = 0; i < 2; ++i) {
    d.click("delib-vote-voter");
    d.click("opt-" + c.members[static_cast<size_t>(i)]);
    d.click("delib-vote-opt-0");
    d.click("delib-vote-cast");
    REQUIRE(c.state.list("ballot").size() == static_cast<size_t>(i + 1));
    CHECK(d.find("delib-vote-saved"));
    CHECK_FALSE(d.find("delib-vote-opt-0"));  // the choice is off the screen once cast
    d.click("delib-vote-next");
  }

  d.click("delib-tab-chair");
  CHECK(d.visible("delib-count-" + c.poll).find("已收到 2 票") == 0);
  d.click("delib-close-" + c.poll);
  d.click("delib-publish-" + c.poll);
  auto v = deliberation::poll_view(c.state, c.poll);
  REQUIRE(v.published_result);
  CHECK(v.published_result->votes == std::vector<int64_t>{2, 0, 0});
  CHECK(d.visible("delib-result-" + c.poll).find("投票 2") != std::string::npos);
  d.click("delib-decide-" + c.poll);
  CHECK(c.state.list("decision").size() == 1);

  d.click("delib-tab-minutes");
  d.click("delib-print-minutes");
  d.click("delib-export-results");
  REQUIRE(d.files.size() == 3);
  CHECK(d.files[1].action == ui::FileRequest::Action::print);
  CHECK(d.files[1].bytes.find("十二月楼栋议事会") != std::string::npos);
  CHECK(d.files[2].name == "表决结果-十二月楼栋议事会.csv");
  CHECK(d.files[2].bytes.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(d.errors.empty());
#endif
}
