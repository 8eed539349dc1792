// The projector's model (core/projection.h): the projection kind, its rule,
// slides captured from a real meeting (the deliberation views), results only
// when published, the follow-up that keeps the projected slide current, and
// what a projector-role device receives.
#include <catch2/catch.hpp>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/projection.h"
#include "core/schema.h"
#include "core/state.h"

using namespace dh;
using projection::Slide;
using projection::SlideType;

namespace {

struct Room {
  State state;
  OpSource chair{"chair-laptop", "staff:chair", 1, HlcClock{}};
  OpSource other{"second-chair", "staff:li", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  std::string council, meeting, motion, poll, secret_poll;
  std::vector<std::string> members;

  Result<Operation> make(const Command& cmd, OpSource* src = nullptr) {
    auto op = make_operation(state, cmd, src ? *src : chair, now_ms += 1000);
    if (op) state.apply(op.value());
    return op;
  }
  std::string create(const std::string& kind, Json fields) {
    auto op = make(CreateEntity{kind, std::move(fields), ""});
    INFO(kind << ": " << (op ? "" : op.error().message));
    REQUIRE(op);
    return op->payload["entity"].get<std::string>();
  }
  void edit(const Command& cmd) {
    auto op = make(cmd);
    INFO((op ? "" : op.error().message));
    REQUIRE(op);
  }

  Room() {
    council = create("council", {{"name", "幸福里社区议事会"}, {"tier", "level2"}, {"council_scope", "community"}});
    for (const char* n : {"张文明", "李秀英", "王建国", "赵丽华"}) {
      members.push_back(create("council_member", {{"council", council}, {"name", n}, {"member_category", "owner"},
                                                  {"entitled", true}}));
    }
    meeting = create("meeting", {{"council", council}, {"title", "第四季度社区议事会"}, {"start", "2026-12-02T09:00"},
                                 {"meeting_state", "in_session"}});
    create("agenda_item", {{"meeting", meeting}, {"title", "加装电梯方案"}, {"order", 1}, {"item_state", "current"}});
    create("agenda_item", {{"meeting", meeting}, {"title", "垃圾分类宣传"}, {"order", 2}});
    motion = create("motion", {{"meeting", meeting}, {"title", "关于三号楼加装电梯的议案"},
                               {"text", "同意三号楼加装电梯。费用按楼层分摊。"}, {"proposer", members[0]}});
    for (size_t i = 0; i < 3; ++i)
      create("attendance", {{"meeting", meeting}, {"member", members[i]}, {"check_in_method", "list"}});
    poll = create("poll", {{"meeting", meeting}, {"motion", motion}, {"title", "三号楼加装电梯"},
                           {"voting_method", "yes_no_abstain"}, {"poll_state", "draft"}});
  }
};

}  // namespace

TEST_CASE("projection: a slide goes through JSON unchanged and bad content is refused by name", "[core][projector]") {
  Slide s;
  s.type = SlideType::result;
  s.meeting_id = "m1";
  s.ref = "p1";
  s.title = "三号楼加装电梯";
  s.published = true;
  s.cast = 3;
  s.valid = 3;
  s.bars = {{"yes", true, 2, false}, {"no", true, 1, false}, {"abstain", true, 0, false}};
  s.notes = {"threshold_met"};
  auto back = projection::slide_from_json(projection::to_json(s));
  REQUIRE(back);
  CHECK(projection::to_json(back.value()) == projection::to_json(s));

  for (const char* bad : {R"({"meeting":"m"})", R"({"type":"poster","meeting":"m"})",
                          R"({"type":"result","meeting":"m","bars":[{"label":"yes","count":-1}]})",
                          R"({"type":"agenda","meeting":"m","lines":[{"nope":1}]})"}) {
    INFO(bad);
    auto r = projection::slide_from_json(Json::parse(bad));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_slide");
  }
}

TEST_CASE("projection: an unpublished result carries no figures, whatever the source gave", "[core][projector]") {
  Slide s;
  s.type = SlideType::result;
  s.meeting_id = "m1";
  s.published = false;
  s.bars = {{"yes", true, 9, false}};
  s.cast = 9;
  s.notes = {"threshold_met"};
  Json j = projection::to_json(s);
  CHECK_FALSE((j.contains("bars") && !j["bars"].empty()));
  auto back = projection::slide_from_json(Json::parse(
      R"({"type":"result","meeting":"m1","published":false,"cast":9,"bars":[{"label":"yes","code":true,"count":9}],"notes":["threshold_met"]})"));
  REQUIRE(back);
  CHECK(back->bars.empty());
  CHECK(back->notes.empty());
  CHECK(back->cast == 0);
}

TEST_CASE("projection: the chair projects a motion; the rule checks the content; the latest wins", "[core][projector]") {
  Room r;
  auto slide = projection::capture_slide(r.state, r.meeting, SlideType::motion, r.motion);
  REQUIRE(slide);
  CHECK(slide->title == "关于三号楼加装电梯的议案");
  CHECK(slide->subtitle == "张文明");
  REQUIRE(slide->lines.size() == 1);
  CHECK(slide->lines[0].text == "同意三号楼加装电梯。费用按楼层分摊。");

  const std::string id = r.create("projection", projection::projection_fields(slide.value()));
  auto cur = projection::current_projection(r.state, r.meeting);
  REQUIRE(cur);
  CHECK(cur->id == id);
  CHECK(cur->type == SlideType::motion);
  CHECK(cur->slide.title == "关于三号楼加装电梯的议案");

  // Content that does not match the slide field, or is not a slide, is refused.
  Json wrong = projection::projection_fields(slide.value());
  wrong["slide"] = "agenda";
  auto op = r.make(EditEntity{"projection", id, wrong});
  REQUIRE_FALSE(op);
  CHECK(op.error().code == "bad_slide");
  op = r.make(EditEntity{"projection", id, {{"content", "{not json"}}});
  REQUIRE_FALSE(op);
  CHECK(op.error().code == "bad_slide");
  CHECK(projection::current_projection(r.state, r.meeting)->type == SlideType::motion);

  // A second chair's device projects the agenda later: its projection is current.
  auto agenda = projection::capture_slide(r.state, r.meeting, SlideType::agenda, "");
  REQUIRE(agenda);
  REQUIRE(agenda->lines.size() == 2);
  CHECK(agenda->lines[0].current);
  auto op2 = r.make(CreateEntity{"projection", projection::projection_fields(agenda.value()), ""}, &r.other);
  REQUIRE(op2);
  cur = projection::current_projection(r.state, r.meeting);
  REQUIRE(cur);
  CHECK(cur->type == SlideType::agenda);
  CHECK(*cur->stamp.device == "second-chair");
}

TEST_CASE("projection: live count follows ballots; the result shows figures only once published", "[core][projector]") {
  Room r;
  r.edit(deliberation::open_poll(r.poll));
  auto live = projection::capture_slide(r.state, r.meeting, SlideType::live_count, r.poll);
  REQUIRE(live);
  CHECK(live->received == 0);
  CHECK(live->present == 3);
  CHECK(live->entitled == 4);
  const std::string pid = r.create("projection", projection::projection_fields(live.value()));
  CHECK_FALSE(projection::follow_up(r.state, r.meeting, "chair-laptop"));  // nothing changed yet

  const std::vector<std::vector<std::string>> marks = {{"1"}, {"1"}, {"2"}};
  for (size_t i = 0; i < 3; ++i) {
    auto b = deliberation::cast_named_ballot(r.state, r.poll, r.members[i], "", marks[i]);
    INFO((b ? "" : b.error().message));
    REQUIRE(b);
    r.edit(b.value());
  }
  // Only the device that projected keeps the slide current.
  CHECK_FALSE(projection::follow_up(r.state, r.meeting, "second-chair"));
  auto f = projection::follow_up(r.state, r.meeting, "chair-laptop");
  REQUIRE(f);
  CHECK(f->projection_id == pid);
  r.edit(EditEntity{"projection", f->projection_id, f->fields});
  CHECK(projection::current_projection(r.state, r.meeting)->slide.received == 3);
  CHECK_FALSE(projection::follow_up(r.state, r.meeting, "chair-laptop"));

  // The result slide before publishing: no figures.
  auto close = deliberation::close_poll(r.state, r.poll);
  REQUIRE(close);
  r.edit(close.value());
  auto unpublished = projection::capture_slide(r.state, r.meeting, SlideType::result, r.poll);
  REQUIRE(unpublished);
  CHECK_FALSE(unpublished->published);
  CHECK(unpublished->bars.empty());
  r.edit(EditEntity{"projection", pid, projection::projection_fields(unpublished.value())});

  // The chair publishes: the follow-up puts the figures up.
  auto pub = deliberation::publish_poll(r.state, r.poll);
  REQUIRE(pub);
  r.edit(pub.value());
  f = projection::follow_up(r.state, r.meeting, "chair-laptop");
  REQUIRE(f);
  r.edit(EditEntity{"projection", f->projection_id, f->fields});
  const Slide up = projection::current_projection(r.state, r.meeting)->slide;
  CHECK(up.published);
  REQUIRE(up.bars.size() == 3);
  CHECK(up.bars[0].label == "yes");
  CHECK(up.bars[0].count == 2);
  CHECK(up.bars[1].count == 1);
  CHECK(up.bars[2].count == 0);
  CHECK(up.cast == 3);
  CHECK(std::find(up.notes.begin(), up.notes.end(), "threshold_met") != up.notes.end());
  // Nobody's name is on a result slide.
  const std::string text = projection::to_json(up).dump();
  for (const char* n : {"张文明", "李秀英", "王建国", "赵丽华"}) CHECK(text.find(n) == std::string::npos);
}

TEST_CASE("projection: a projector-role device reads the projection's fields", "[core][projector]") {
  const KindSpec* k = find_kind("projection");
  REQUIRE(k);
  for (const auto& f : k->fields) {
    INFO(f.name);
    CHECK(reveal_to(f, "projector") == Reveal::full);
    CHECK(reveal_to(f, "kiosk") == Reveal::none);
  }
}
