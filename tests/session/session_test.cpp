// The Session (session/session.h) natively: the one commit path and its
// refusals, after-commit steps, request routing, device settings across a
// reload, and long work off the frame (the auto-scheduler as a sliced job that
// proposes exactly what the one-loop solve proposes).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "core/demo.h"
#include "core/scheduler.h"
#include "session/commit.h"
#include "session/job_runner.h"
#include "session/session.h"
#include "session/staff_pin.h"
#include "store/file_system.h"

using namespace dh;
using Json = nlohmann::json;

namespace {

constexpr int64_t kNow = 1767225600000 + 30LL * 86400000;

class CountingFlusher : public session::Flusher {
 public:
  uint64_t requested = 0;
  int flush_nows = 0;
  void request_flush(uint64_t g) override { requested = std::max(requested, g); }
  void flush_now() override { ++flush_nows; }
  void set_observer(StartFn, FinishFn) override {}
  uint64_t flushed_generation() const override { return 0; }
  bool in_flight() const override { return false; }
  std::string error() const override { return ""; }
};

// Grids need nothing else, so a test can make them on an empty log.
Command new_household(const std::string& name) {
  return CreateEntity{"grid", Json{{"name", name}, {"code", "G1"}}, ""};
}

// The demo with a month of shifts (docs/auto-scheduling.md), smaller than the
// app's so the test stays quick.
State demo_month_state() {
  DemoOptions o;
  o.households = 400;
  auto demo = generate_demo(o);
  auto month = generate_month_of_shifts(demo, "2026-12", 7);
  State s;
  for (const auto& op : demo) s.apply(op);
  for (const auto& op : month) s.apply(op);
  return s;
}

}  // namespace

TEST_CASE("session: the one commit path reports every command, in order, and flushes once", "[session]") {
  MemoryFileSystem fs;
  CountingFlusher flusher;
  session::Session s(fs, "/data", flusher, nullptr);
  // Not open yet: every command is refused with a code the UI translates.
  std::vector<std::string> codes;
  auto report = [&](size_t, const Error* e) { codes.push_back(e ? e->code : "ok"); };
  CHECK(s.commit({new_household("幸福里1号")}, kNow, report) == 0);
  CHECK(codes == std::vector<std::string>{"storage_not_open"});

  REQUIRE(s.open("k7f3a9c2d1e0", kNow));
  codes.clear();
  // Another tab holds the writer lock: read-only, nothing written.
  s.set_write_access(false, ui::Problem::of("storage.read_only"));
  CHECK(s.commit({new_household("幸福里1号"), new_household("幸福里2号")}, kNow, report) == 0);
  CHECK(codes == std::vector<std::string>{"read_only", "read_only"});
  CHECK(s.replica()->operation_count() == 0);
  ui::AppStatus st;
  s.fill_status(st);
  CHECK(st.read_only);
  CHECK(st.read_only_reason.code == "storage.read_only");

  s.set_write_access(true);
  codes.clear();
  const uint64_t before = flusher.requested;
  // A bad command between two good ones: its own error, the others committed.
  const size_t n = s.commit({new_household("幸福里1号"), CreateEntity{"grid", Json::object(), ""},
                             new_household("幸福里3号")},
                            kNow, report);
  CHECK(n == 2);
  REQUIRE(codes.size() == 3);
  CHECK(codes[0] == "ok");
  CHECK(codes[1] != "ok");
  CHECK(codes[2] == "ok");
  CHECK(s.replica()->operation_count() == 2);
  // After-commit: the new write generation is asked to become durable.
  CHECK(flusher.requested > before);
  CHECK(flusher.requested == s.replica()->write_generation());
}

TEST_CASE("session: requests are answered by id; files and updates go to the platform", "[session]") {
  MemoryFileSystem fs;
  CountingFlusher flusher;
  session::Session s(fs, "/data", flusher, nullptr);
  s.set_write_access(true);
  REQUIRE(s.open("k7f3a9c2d1e0", kNow));
  std::vector<ui::Request> reqs;
  reqs.push_back({1, ui::SetAuthor{"staff:wang"}});
  reqs.push_back({2, ui::SaveFile{ui::FileRequest{ui::FileRequest::Action::save, "a.csv", "text/csv", "x"}}});
  reqs.push_back({3, ui::SettingsChanged{ui::Language::en, true}});
  reqs.push_back({4, ui::ApplyUpdate{}});
  std::vector<ui::RequestId> answered;
  std::vector<ui::Request> platform;
  s.handle(reqs, [&](const ui::Reply& r) {
    CHECK(r.error.empty());
    answered.push_back(r.id);
  }, &platform);
  CHECK(answered == std::vector<ui::RequestId>{1, 3});
  REQUIRE(platform.size() == 2);
  CHECK(platform[0].id == 2);
  CHECK(platform[1].id == 4);
  CHECK(s.replica()->author() == "staff:wang");
  CHECK(fs.read("/data/author.txt").value() == "staff:wang");
}

TEST_CASE("session: language and large text are kept per device across a reload, not in the log", "[session]") {
  MemoryFileSystem fs;
  CountingFlusher flusher;
  {
    session::Session s(fs, "/data", flusher, nullptr);
    s.set_write_access(true);
    REQUIRE(s.open("k7f3a9c2d1e0", kNow));
    CHECK_FALSE(s.device_settings().has_value());
    const uint64_t before = s.replica()->write_generation();
    s.handle({{7, ui::SettingsChanged{ui::Language::en, true}}}, nullptr, nullptr);
    // A write of the folder: "saved" waits for the flush that covers it.
    CHECK(s.replica()->write_generation() > before);
    CHECK(flusher.requested == s.replica()->write_generation());
    CHECK(s.replica()->operation_count() == 0);  // not an operation
  }
  // The reload: a new session on the same folder.
  session::Session again(fs, "/data", flusher, nullptr);
  auto kept = again.device_settings();
  REQUIRE(kept.has_value());
  CHECK(kept->language == ui::Language::en);
  CHECK(kept->large_text);

  // A read-only tab does not write the folder (the writing tab flushes it).
  MemoryFileSystem fs2;
  session::Session ro(fs2, "/data", flusher, nullptr);
  ro.set_write_access(false, ui::Problem::of("storage.read_only"));
  REQUIRE(ro.open("k7f3a9c2d1e0", kNow));
  ro.handle({{8, ui::SettingsChanged{ui::Language::en, true}}}, nullptr, nullptr);
  CHECK_FALSE(ro.device_settings().has_value());
}

TEST_CASE("session: the staff PIN is kept as a salted hash; wrong tries slow down, also across a reload", "[session][kiosk]") {
  MemoryFileSystem fs;
  CountingFlusher flusher;
  auto answer = [](session::Session& s, ui::Request r) {
    ui::Problem got;
    s.handle({r}, [&](const ui::Reply& reply) { got = reply.error; }, nullptr);
    return got;
  };
  {
    session::Session s(fs, "/data", flusher, nullptr);
    s.set_write_access(true);
    REQUIRE(s.open("k7f3a9c2d1e0", kNow));
    ui::AppStatus st;
    s.fill_status(st);
    CHECK_FALSE(st.staff_pin_set);
    CHECK(answer(s, {1, ui::LeaveKiosk{"1357"}}).code == "kiosk.pin_not_set");
    CHECK(answer(s, {2, ui::SetStaffPin{"123", true}}).code == "kiosk.pin_format");
    CHECK(answer(s, {3, ui::SetStaffPin{"12a4", true}}).code == "kiosk.pin_format");
    CHECK(answer(s, {4, ui::SetStaffPin{"123456789", true}}).code == "kiosk.pin_format");
    CHECK_FALSE(s.device_settings().has_value());
    CHECK(answer(s, {5, ui::SetStaffPin{"1357", true}}).empty());
    const std::string file = fs.read("/data/settings.json").value();
    CHECK(file.find("1357") == std::string::npos);  // never the PIN itself
    auto kept = s.device_settings();
    REQUIRE(kept.has_value());
    CHECK(kept->kiosk_lock);
    CHECK(kept->staff_pin_salt.size() == 32);
    CHECK(kept->staff_pin_hash.size() == 64);
    s.fill_status(st);
    CHECK(st.staff_pin_set);
    // Language and text size change; the PIN and the lock stay.
    CHECK(answer(s, {6, ui::SettingsChanged{ui::Language::en, true, true}}).empty());
    CHECK(s.device_settings()->staff_pin_hash == kept->staff_pin_hash);
    CHECK(s.device_settings()->language == ui::Language::en);
    // Three wrong tries: the third one starts a wait of 30 s.
    s.tick(kNow);
    CHECK(answer(s, {7, ui::LeaveKiosk{"0000"}}) == ui::Problem::of("kiosk.pin_wrong", {"2"}));
    CHECK(answer(s, {8, ui::LeaveKiosk{"1111"}}) == ui::Problem::of("kiosk.pin_wrong", {"1"}));
    CHECK(answer(s, {9, ui::LeaveKiosk{"2222"}}) == ui::Problem::of("kiosk.pin_wait", {"30"}));
    // During the wait even the right PIN is not tried.
    s.tick(kNow + 10000);
    CHECK(answer(s, {10, ui::LeaveKiosk{"1357"}}) == ui::Problem::of("kiosk.pin_wait", {"20"}));
    CHECK(s.device_settings()->kiosk_lock);
  }
  // A reload does not reset the count or the wait.
  session::Session again(fs, "/data", flusher, nullptr);
  again.set_write_access(true);
  REQUIRE(again.open("k7f3a9c2d1e0", kNow));
  again.tick(kNow + 20000);
  CHECK(answer(again, {11, ui::LeaveKiosk{"1357"}}) == ui::Problem::of("kiosk.pin_wait", {"10"}));
  // After the wait one more wrong try doubles it.
  again.tick(kNow + 31000);
  CHECK(answer(again, {12, ui::LeaveKiosk{"9999"}}) == ui::Problem::of("kiosk.pin_wait", {"60"}));
  again.tick(kNow + 31000 + 60000);
  // The right PIN leaves: the lock is off and the count starts again.
  CHECK(answer(again, {13, ui::LeaveKiosk{"1357"}}).empty());
  auto after = again.device_settings();
  REQUIRE(after.has_value());
  CHECK_FALSE(after->kiosk_lock);
  CHECK(after->pin_failures == 0);
  CHECK(after->language == ui::Language::en);
  CHECK(answer(again, {14, ui::LeaveKiosk{"0000"}}) == ui::Problem::of("kiosk.pin_wrong", {"2"}));
}

TEST_CASE("staff PIN hashes: salted, the same PIN differs per salt; waits grow and stop at 15 minutes", "[session][kiosk]") {
  const std::string a = session::new_pin_salt(), b = session::new_pin_salt();
  CHECK(a != b);
  CHECK(session::staff_pin_hash(a, "1357") == session::staff_pin_hash(a, "1357"));
  CHECK(session::staff_pin_hash(a, "1357") != session::staff_pin_hash(b, "1357"));
  CHECK(session::staff_pin_hash(a, "1357") != session::staff_pin_hash(a, "1358"));
  CHECK(session::pin_wait_ms(2) == 0);
  CHECK(session::pin_wait_ms(3) == 30000);
  CHECK(session::pin_wait_ms(4) == 60000);
  CHECK(session::pin_wait_ms(20) == 15 * 60000);
}

TEST_CASE("long work: the sliced auto-scheduler proposes exactly what the one-loop solve does", "[session][scheduler]") {
  const State state = demo_month_state();
  const int64_t from = *parse_date("2026-12-01"), to = *parse_date("2027-01-01");
  const SchedulingProblem problem = problem_from_state(state, from, to);
  REQUIRE(problem.shifts.size() > 100);
  const Proposal whole = auto_schedule(problem);

  // One unit per step: the finest slicing there is.
  AutoScheduleJob job(problem);
  int steps = 0;
  double last = 0;
  bool moved = false;
  while (!job.step([] { return true; })) {
    ++steps;
    CHECK(job.progress() >= last);
    CHECK(job.progress() < 1.0);
    moved = moved || job.progress() > last;
    last = job.progress();
  }
  CHECK(job.progress() == 1.0);
  CHECK(steps > 100);
  CHECK(moved);
  CHECK(proposal_to_json(job.proposal()) == proposal_to_json(whole));
  CHECK(job.proposal().summary.objective60 == whole.summary.objective60);
  CHECK(job.proposal().summary.evaluations == whole.summary.evaluations);

  // Built from the State in its own units: the same proposal, and it says
  // which State it was computed on.
  AutoScheduleJob from_state(state, from, to);
  int units = 0;
  while (!from_state.step([] { return true; })) ++units;
  CHECK(units > steps);  // the problem's building is sliced too
  CHECK(proposal_to_json(from_state.proposal()) == proposal_to_json(whole));
  CHECK(from_state.state_version() == state.applied_ops());
}

TEST_CASE("long work: a State that changes while the problem is built makes the job build it again", "[session][scheduler]") {
  State state = demo_month_state();
  const int64_t from = *parse_date("2026-12-01"), to = *parse_date("2027-01-01");
  AutoScheduleJob job(state, from, to);
  REQUIRE_FALSE(job.step([] { return true; }));  // one unit: a chunk of shifts read
  // Between two frames a change arrives: one more shift in the month.
  OpSource src;
  src.device = "k7f3a9c2d1e0";
  src.author = "staff:wang";
  const Entity* any = state.list("shift").front();
  auto op = make_operation(state,
                           CreateEntity{"shift", Json{{"station", any->text("station")}, {"role", "临时"},
                                                      {"start", "2026-12-20T09:00"}, {"end", "2026-12-20T11:00"},
                                                      {"capacity", 1}}, ""},
                           src, kNow);
  REQUIRE(op.ok());
  state.apply(op.value());
  while (!job.step(nullptr)) {
  }
  CHECK(job.state_version() == state.applied_ops());
  const Proposal again = auto_schedule(problem_from_state(state, from, to));
  CHECK(proposal_to_json(job.proposal()) == proposal_to_json(again));
  CHECK(job.proposal().summary.open_places == again.summary.open_places);
}

TEST_CASE("long work: the runner keeps to its budget, cancels, and finishes", "[session]") {
  // A job of 1,000 units of 1 ms each on a fake clock.
  struct Counter : LongJob {
    double* clock;
    int units = 0;
    explicit Counter(double* c) : clock(c) {}
    bool step(const std::function<bool()>& stop) override {
      while (units < 1000) {
        ++units;
        *clock += 1.0;
        if (stop && stop()) break;
      }
      return units >= 1000;
    }
    double progress() const override { return units / 1000.0; }
  };
  double clock = 0;
  session::JobRunner runner;
  auto a = std::make_shared<Counter>(&clock);
  auto b = std::make_shared<Counter>(&clock);
  runner.start(1, a);
  runner.start(2, b);
  CHECK(runner.busy());
  const double t0 = clock;
  runner.run([&] { return clock; }, 12.0);
  CHECK(clock - t0 == Approx(12.0));  // one frame's budget, not more
  CHECK(a->units == 12);
  CHECK(b->units == 0);
  runner.cancel(1);
  CHECK(runner.count() == 1);
  int frames = 0;
  while (runner.busy() && frames < 1000) {
    runner.run([&] { return clock; }, 12.0);
    ++frames;
  }
  CHECK_FALSE(runner.busy());
  CHECK(a->units == 12);  // cancelled: never stepped again
  CHECK(b->units == 1000);
  CHECK(frames == 84);  // ceil(1000 / 12)
}
