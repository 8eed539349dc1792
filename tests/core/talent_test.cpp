// The talent pool's lifecycle rules, their offline merges and the figures
// (core/talent.h, docs/talent.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "core/civil_time.h"
#include "core/commands.h"
#include "core/talent.h"

using namespace dh;

namespace {

struct Device {
  State state;
  OpSource source;
  int64_t now = 1767225600000;  // 2026-01-01T00:00Z
  std::vector<Operation> log;

  explicit Device(const std::string& id, const std::string& author = "staff:secretary") {
    source.device = id;
    source.author = author;
  }
  Result<Operation> run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    if (op) {
      state.apply(op.value());
      log.push_back(op.value());
    }
    return op;
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = run(CreateEntity{kind, std::move(fields), ""});
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op->payload["entity"].get<std::string>();
  }
  std::string step(const std::string& request, const std::string& step, const std::string& at,
                   const std::string& expert = "", int rating = 0, const std::string& comment = "") {
    return make("request_step", talent::step_fields(request, step, at, expert, "", rating, comment));
  }
  // Receives another device's operations (as a sync would).
  void receive(const std::vector<Operation>& ops) {
    for (const auto& op : ops) {
      source.clock.observe(op.hlc, now);
      state.apply(op);
    }
  }
};

// A small community: two grids, a household with two residents, three experts
// (one of whom lives in that household), a trainee.
struct Community {
  Device hall{"hall"};
  std::string grid1, grid2, household, resident_a, resident_b, other_household, resident_c;
  std::string mediator, lawyer, neighbour_expert, trainee;

  Community() {
    grid1 = hall.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
    grid2 = hall.make("grid", Json{{"name", "第三网格"}, {"code", "DC-03"}});
    household = hall.make("household", Json{{"address", "幸福里1栋101室"}, {"grid", grid1}});
    other_household = hall.make("household", Json{{"address", "茶乡苑2栋202室"}, {"grid", grid2}});
    resident_a = hall.make("resident", Json{{"name", "李堃"}, {"household", household}});
    resident_b = hall.make("resident", Json{{"name", "王玥"}, {"household", household}});
    resident_c = hall.make("resident", Json{{"name", "杨燊"}, {"household", other_household}});
    mediator = hall.make("expert", Json{{"name", "段明"},
                                        {"fields", Json::array({"dispute_mediation"})},
                                        {"field_levels", Json::array({"dispute_mediation:3"})},
                                        {"grid", grid1},
                                        {"max_open_cases", 2},
                                        {"availability", Json::array({"mon 09:00-12:00"})}});
    lawyer = hall.make("expert", Json{{"name", "杞华"},
                                      {"fields", Json::array({"legal_publicity", "dispute_mediation"})},
                                      {"grid", grid2},
                                      {"max_open_cases", 4}});
    neighbour_expert = hall.make("expert", Json{{"name", "罕芳"},
                                                {"fields", Json::array({"dispute_mediation"})},
                                                {"resident", resident_b},
                                                {"max_open_cases", 3}});
    trainee = hall.make("trainee", Json{{"name", "施静"}, {"background", "new_worker"}, {"mentor", mediator}});
  }
  std::string request(int urgency = 2, const std::string& at = "2026-01-05T09:00") {
    return hall.make("request", Json{{"category", "dispute_mediation"},
                                     {"urgency", urgency},
                                     {"grid", grid1},
                                     {"parties", Json::array({resident_a, resident_c})},
                                     {"description", "楼上漏水，邻里纠纷"},
                                     {"intake_channel", "hall"},
                                     {"recorded_at", at}});
  }
};

long long at(const char* datetime) { return *parse_datetime(datetime); }

}  // namespace

TEST_CASE("A request walks its lifecycle, each step with who and when", "[core][talent]") {
  Community c;
  const std::string r = c.request();
  const long long now = at("2026-01-05T10:00");
  CHECK(talent::request_view(c.hall.state, r, now).state == "recorded");
  c.hall.step(r, "triage", "2026-01-05T09:10");
  c.hall.step(r, "assign", "2026-01-05T09:20", c.mediator);
  auto v = talent::request_view(c.hall.state, r, now);
  CHECK(v.state == "assigned");
  CHECK(v.assignee_expert_id == c.mediator);
  CHECK(v.party_household_ids == std::vector<std::string>{c.household, c.other_household});
  c.hall.step(r, "start", "2026-01-05T14:00");
  c.hall.step(r, "resolve", "2026-01-06T16:00", c.mediator);
  c.hall.step(r, "rate", "2026-01-07T10:00", "", 5, "调解很耐心");
  c.hall.step(r, "close", "2026-01-07T10:05");
  v = talent::request_view(c.hall.state, r, now);
  CHECK(v.state == "closed");
  CHECK(v.outcome == "resolved");
  CHECK(v.rating == 5);
  CHECK(v.rating_comment == "调解很耐心");
  REQUIRE(v.steps.size() == 6);
  CHECK(v.steps[2].state_before == "assigned");
  CHECK(v.steps[2].state_after == "in_hand");
  for (const auto& s : v.steps) {
    CHECK(s.applied);
    CHECK(s.author == "staff:secretary");
    CHECK(s.at_minute > 0);
  }
  // Reopening puts the case back to its expert with a fresh time limit.
  c.hall.step(r, "reopen", "2026-01-20T09:00");
  v = talent::request_view(c.hall.state, r, at("2026-01-20T10:00"));
  CHECK(v.state == "assigned");
  CHECK(v.assignee_expert_id == c.mediator);
  CHECK(v.outcome.empty());
  CHECK(v.rating == 0);
  CHECK(v.clock_start_minute == at("2026-01-20T09:00"));
  CHECK_FALSE(v.overdue);
}

TEST_CASE("A step that does not apply is kept in the history, not refused", "[core][talent]") {
  Community c;
  const std::string r = c.request();
  c.hall.step(r, "resolve", "2026-01-05T09:30", c.mediator);  // before anybody was assigned
  auto v = talent::request_view(c.hall.state, r, at("2026-01-05T10:00"));
  CHECK(v.state == "recorded");
  REQUIRE(v.steps.size() == 1);
  CHECK_FALSE(v.steps[0].applied);
  CHECK(v.superseded_steps == 1);
}

TEST_CASE("The talent rules refuse malformed steps and records", "[core][talent]") {
  Community c;
  const std::string r = c.request();
  auto refused = [&](const Command& cmd) {
    auto op = make_operation(c.hall.state, cmd, c.hall.source, c.hall.now);
    return op ? std::string() : op.error().code;
  };
  CHECK(refused(CreateEntity{"request_step", talent::step_fields(r, "assign", "2026-01-05T09:20")}) ==
        "assign_needs_expert");
  CHECK(refused(CreateEntity{"request_step", talent::step_fields(r, "rate", "2026-01-05T09:20")}) ==
        "rate_needs_rating");
  CHECK(refused(CreateEntity{"request_step", talent::step_fields(r, "close", "2026-01-05T09:20", "", "", 4)}) ==
        "rating_only_when_rating");
  CHECK(refused(CreateEntity{"request_step", talent::step_fields(r, "rate", "2026-01-05T09:20", "", "", 6)}) ==
        "out_of_range");
  const std::string s = c.hall.step(r, "triage", "2026-01-05T09:10");
  CHECK(refused(EditEntity{"request_step", s, Json{{"note", "x"}}}) == "step_is_history");
  CHECK(refused(ArchiveEntity{"request_step", s, "mistake"}) == "step_is_history");
  Json bad_party{{"category", "other"},       {"urgency", 1},         {"parties", Json::array({"nobody"})},
                 {"description", "x"},        {"intake_channel", "hall"}, {"recorded_at", "2026-01-05T09:00"}};
  CHECK(refused(CreateEntity{"request", bad_party}) == "unknown_party");
  bad_party["parties"] = Json::array({c.resident_a, c.resident_a});
  CHECK(refused(CreateEntity{"request", bad_party}) == "duplicate_party");
  CHECK(refused(EditEntity{"expert", c.lawyer, Json{{"field_levels", Json::array({"health:2"})}}}) ==
        "level_without_field");
  CHECK(refused(EditEntity{"expert", c.lawyer, Json{{"field_levels", Json::array({"legal_publicity:4"})}}}) ==
        "bad_format");
  CHECK(refused(EditEntity{"expert", c.lawyer, Json{{"field_levels", Json::array({"legal_publicity:2"})}}}).empty());
}

TEST_CASE("Time limits by urgency flag overdue requests", "[core][talent]") {
  Community c;
  const std::string urgent = c.request(3, "2026-01-05T09:00");
  const std::string normal = c.request(1, "2026-01-05T09:00");
  auto view = talent::talent_view(c.hall.state, at("2026-01-06T10:00"));  // 25 h later
  CHECK(view.request(urgent)->overdue);
  CHECK_FALSE(view.request(normal)->overdue);
  CHECK(view.request(urgent)->due_minute == at("2026-01-06T09:00"));
  view = talent::talent_view(c.hall.state, at("2026-01-12T09:01"));
  CHECK(view.request(normal)->overdue);
  c.hall.step(urgent, "assign", "2026-01-05T10:00", c.mediator);
  c.hall.step(urgent, "resolve", "2026-01-06T12:00", c.mediator);
  view = talent::talent_view(c.hall.state, at("2026-01-12T09:01"));
  CHECK_FALSE(view.request(urgent)->overdue);
  CHECK(view.request(urgent)->late);
  CHECK(talent::figures(view).overdue == 1);
}

TEST_CASE("An expert's load is counted from open cases and the conflict data is derived", "[core][talent]") {
  Community c;
  const std::string r1 = c.request(), r2 = c.request(), r3 = c.request();
  c.hall.step(r1, "assign", "2026-01-05T10:00", c.mediator);
  c.hall.step(r2, "assign", "2026-01-05T10:00", c.mediator);
  c.hall.step(r2, "start", "2026-01-05T11:00");
  c.hall.step(r3, "assign", "2026-01-05T10:00", c.mediator);
  c.hall.step(r3, "resolve", "2026-01-05T12:00", c.mediator);
  auto view = talent::talent_view(c.hall.state, at("2026-01-05T13:00"));
  const auto* m = view.expert(c.mediator);
  REQUIRE(m);
  CHECK(m->open_cases == 2);
  CHECK(m->capacity == 2);
  CHECK(m->handled_cases == 1);
  CHECK(m->level_in("dispute_mediation") == 3);
  CHECK(view.expert(c.lawyer)->level_in("legal_publicity") == 1);
  CHECK(view.expert(c.lawyer)->level_in("health") == 0);
  CHECK(view.expert(c.neighbour_expert)->household_id == c.household);
  CHECK(view.earlier_parties[c.mediator] == std::set<std::string>{c.resident_a, c.resident_c});
  CHECK(talent::grid_distance(c.hall.state, c.grid1, c.grid1) == 0);
  CHECK(talent::grid_distance(c.hall.state, c.grid1, c.grid2) == 1);  // adjacent in code order
  CHECK(talent::grid_distance(c.hall.state, c.grid1, "") == 4);
}

// Two devices change the same request offline; every delivery order of the
// union gives the same state, and the step that lost is in the history.
TEST_CASE("Resolve on one device and reassign on another converge to resolved", "[core][talent][merge]") {
  for (bool resolver_first : {true, false}) {
    Community c;
    const std::string r = c.request();
    c.hall.step(r, "assign", "2026-01-05T10:00", c.mediator);
    c.hall.step(r, "start", "2026-01-05T11:00");
    Device tablet("tablet", "grid:duan"), desk("desk", "staff:secretary");
    tablet.receive(c.hall.log);
    desk.receive(c.hall.log);
    // Offline: the mediator resolves on the tablet; the secretary reassigns at the desk.
    if (resolver_first) desk.now += 60000; else tablet.now += 60000;
    tablet.step(r, "resolve", "2026-01-06T15:00", c.mediator);
    desk.step(r, "assign", "2026-01-06T15:05", c.lawyer);
    std::vector<Operation> all = c.hall.log;
    all.insert(all.end(), tablet.log.begin(), tablet.log.end());
    all.insert(all.end(), desk.log.begin(), desk.log.end());
    std::mt19937 rng(resolver_first ? 7 : 8);
    uint64_t first_hash = 0;
    for (int round = 0; round < 30; ++round) {
      std::vector<Operation> order = all;
      std::shuffle(order.begin(), order.end(), rng);
      if (round % 3 == 0) order.insert(order.end(), order.begin(), order.begin() + 5);  // duplicates
      State s;
      for (const auto& op : order) s.apply(op);
      if (round == 0) first_hash = s.hash();
      CHECK(s.hash() == first_hash);
      auto v = talent::request_view(s, r, at("2026-01-07T00:00"));
      INFO("resolver_first=" << resolver_first << " round=" << round);
      CHECK(v.state == "resolved");
      CHECK(v.assignee_expert_id == c.mediator);  // who resolved it
      REQUIRE(v.steps.size() == 4);
      const auto reassign = std::find_if(v.steps.begin(), v.steps.end(),
                                         [&](const talent::StepView& st) { return st.expert_id == c.lawyer; });
      REQUIRE(reassign != v.steps.end());
      CHECK(reassign->applied == !resolver_first);  // kept either way; applied only when it came first
      auto view = talent::talent_view(s, at("2026-01-07T00:00"));
      CHECK(view.expert(c.mediator)->open_cases == 0);
      CHECK(view.expert(c.lawyer)->open_cases == 0);
    }
  }
}

TEST_CASE("Random offline step histories converge whatever the delivery order", "[core][talent][merge]") {
  std::mt19937 rng(20261202);
  const char* verbs[] = {"triage", "assign", "start", "resolve", "not_resolve", "rate", "close", "reopen"};
  for (int trial = 0; trial < 40; ++trial) {
    Community c;
    const std::string r = c.request();
    std::vector<Device> devices;
    for (const char* d : {"d1", "d2", "d3"}) {
      devices.emplace_back(d);
      devices.back().receive(c.hall.log);
    }
    std::vector<Operation> all = c.hall.log;
    for (int i = 0; i < 12; ++i) {
      Device& d = devices[rng() % devices.size()];
      const std::string verb = verbs[rng() % 8];
      const std::string expert = verb == "assign" ? (rng() % 2 ? c.mediator : c.lawyer) : std::string();
      const int rating = verb == "rate" ? 1 + static_cast<int>(rng() % 5) : 0;
      d.now += rng() % 5000;
      d.step(r, verb, "2026-01-06T10:00", expert, rating);
      all.push_back(d.log.back());
      if (rng() % 3 == 0) {  // sometimes a device syncs with another
        Device& e = devices[rng() % devices.size()];
        e.receive(d.log);
      }
    }
    std::string expected_state, expected_assignee;
    for (int round = 0; round < 10; ++round) {
      std::shuffle(all.begin(), all.end(), rng);
      State s;
      for (const auto& op : all) s.apply(op);
      auto v = talent::request_view(s, r, at("2026-01-07T00:00"));
      if (round == 0) {
        expected_state = v.state;
        expected_assignee = v.assignee_expert_id;
      }
      CHECK(v.state == expected_state);
      CHECK(v.assignee_expert_id == expected_assignee);
      CHECK(v.steps.size() == 12);
    }
  }
}

TEST_CASE("Resolution rate and satisfaction follow their written definitions", "[core][talent]") {
  Community c;
  std::vector<std::string> rs;
  for (int i = 0; i < 5; ++i) {
    rs.push_back(c.request(1, "2026-0" + std::to_string(1 + i % 2) + "-05T09:00"));
    c.hall.step(rs.back(), "assign", "2026-02-05T10:00", c.lawyer);
  }
  c.hall.step(rs[0], "resolve", "2026-02-05T12:00", c.lawyer);
  c.hall.step(rs[0], "rate", "2026-02-05T13:00", "", 5);
  c.hall.step(rs[1], "resolve", "2026-02-05T14:00", c.lawyer);
  c.hall.step(rs[1], "rate", "2026-02-05T15:00", "", 3);
  c.hall.step(rs[2], "resolve", "2026-02-05T12:00", c.lawyer);
  c.hall.step(rs[2], "close", "2026-02-05T16:00");
  c.hall.step(rs[3], "not_resolve", "2026-02-05T12:00", c.lawyer);
  c.hall.step(rs[3], "rate", "2026-02-06T09:00", "", 4);
  // rs[4] stays assigned.
  auto f = talent::figures(talent::talent_view(c.hall.state, at("2026-02-06T10:00")));
  CHECK(f.requests == 5);
  CHECK(f.open == 1);
  CHECK(f.resolved == 3);
  CHECK(f.not_resolved == 1);
  CHECK(f.resolution_rate == Approx(0.75));
  CHECK(f.rated == 3);
  CHECK(f.satisfied == 2);
  CHECK(f.satisfaction == Approx(2.0 / 3.0));
  CHECK(f.average_rating == Approx(4.0));
  REQUIRE(f.by_month.size() == 2);
  CHECK(f.by_month[0].month == "2026-01");
  CHECK(f.by_month[0].total == 3);
  CHECK(f.by_category.at("dispute_mediation") == 5);
  REQUIRE(f.load.size() == 1);
  CHECK(f.load[0].second == std::make_pair(1, 4));
}

TEST_CASE("A trainee's record counts their cases", "[core][talent]") {
  Community c;
  const std::string r = c.request();
  c.hall.make("trainee_case", Json{{"trainee", c.trainee},
                                   {"request", r},
                                   {"case_role", "shadow"},
                                   {"what_they_did", "记录双方陈述"},
                                   {"mentor_remark", "记录完整"},
                                   {"date", "2026-01-06"}});
  c.hall.make("trainee_case", Json{{"trainee", c.trainee}, {"request", r}, {"case_role", "co_handle"}});
  auto ts = talent::trainee_views(c.hall.state);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].mentor_expert_id == c.mediator);
  CHECK(ts[0].shadowed == 1);
  CHECK(ts[0].co_handled == 1);
  CHECK(ts[0].cases.size() == 2);
}
