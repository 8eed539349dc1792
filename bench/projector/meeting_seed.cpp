// projector_meeting_seed: a council meeting for the projector's browser test
// and benchmark (tests/e2e/projector.test.js, bench/projector/run.js), made
// by the core's own commands and the deliberation rules, as push requests an
// administrator sends to the server.
//
//   projector_meeting_seed OUT_DIR [--now-ms MS] [--voters N]
//
// Writes (each a push request body, docs/sync-protocol.md, device "seed"):
//   OUT_DIR/setup.json    council, N members, meeting in session with an
//                         agenda, a motion, attendance with ballot cards, a
//                         SECRET yes/no/abstain poll, N-1 ballots by card,
//                         then the close (not published)
//   OUT_DIR/publish.json  the chair's publish of that poll
//   OUT_DIR/ballots/<i>.json  (with --live) one ballot each, the poll left open
//                         (setup.json then ends at the open poll)
//   OUT_DIR/seed.json     {"meeting","motion","poll","motion_title","counts":[yes,no,abstain],
//                          "members":[names],"cards":[codes]}
// Stamps start at --now-ms (default: now) so the server takes them.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/commands.h"
#include "core/deliberation.h"
#include "core/operation.h"
#include "core/state.h"
#include "sync/protocol.h"

using namespace dh;

namespace {

struct Seeder {
  State state;
  OpSource src{"seed", "staff:seed", 1, HlcClock{}};
  int64_t now_ms = 0;
  std::vector<Operation> ops;

  Operation make(const Command& cmd) {
    auto op = make_operation(state, cmd, src, now_ms += 10);
    if (!op) {
      std::fprintf(stderr, "seed: %s: %s\n", op.error().code.c_str(), op.error().message.c_str());
      std::exit(1);
    }
    state.apply(op.value());
    ops.push_back(op.value());
    return op.value();
  }
  std::string create(const std::string& kind, Json fields) {
    return make(CreateEntity{kind, std::move(fields), ""}).payload["entity"].get<std::string>();
  }
  template <class T>
  T must(Result<T> r, const char* what) {
    if (!r) {
      std::fprintf(stderr, "seed: %s: %s: %s\n", what, r.error().code.c_str(), r.error().message.c_str());
      std::exit(1);
    }
    return std::move(r).value();
  }
};

std::string push_body(const std::vector<Operation>& ops) { return sync::encode_push_request("seed", ops); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: projector_meeting_seed OUT_DIR [--now-ms MS] [--voters N]\n");
    return 2;
  }
  const std::string out = argv[1];
  Seeder s;
  s.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  int voters = 7;
  bool live = false;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--live") live = true;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--live") { --i; continue; }
    if (a == "--now-ms") s.now_ms = std::atoll(argv[i + 1]);
    else if (a == "--voters") voters = std::max(2, std::min(200, std::atoi(argv[i + 1])));
  }

  static const char* kNames[] = {"张文明", "李秀英", "王建国", "赵丽华", "刘德明", "陈桂芳", "杨志强", "黄美玲",
                                 "周国庆", "吴春梅", "徐海涛", "孙玉兰"};
  const std::string council = s.create("council", {{"name", "幸福里社区议事会"}, {"tier", "level2"},
                                                   {"council_scope", "community"}});
  std::vector<std::string> members, names;
  for (int i = 0; i < voters; ++i) {
    std::string name = kNames[i % 12];
    if (i >= 12) name += std::to_string(i / 12 + 1);
    names.push_back(name);
    members.push_back(s.create("council_member", {{"council", council}, {"name", name}, {"member_category", "owner"},
                                                  {"entitled", true}}));
  }
  const std::string meeting = s.create("meeting", {{"council", council}, {"title", "第四季度社区议事会"},
                                                   {"start", "2026-12-02T09:00"}, {"meeting_state", "in_session"}});
  s.create("agenda_item", {{"meeting", meeting}, {"title", "三号楼加装电梯"}, {"order", 1}, {"item_state", "current"}});
  s.create("agenda_item", {{"meeting", meeting}, {"title", "垃圾分类宣传周"}, {"order", 2}});
  const std::string motion_title = "关于三号楼加装电梯的议案";
  const std::string motion = s.create("motion", {{"meeting", meeting}, {"title", motion_title},
                                                 {"text", "同意在三号楼加装电梯。费用按楼层分摊，低层住户减半。"},
                                                 {"proposer", members[0]}});
  // Ballot cards: the digest is recorded, the code goes on paper.
  std::vector<std::string> cards;
  for (int i = 0; i < voters; ++i) {
    char code[32];
    std::snprintf(code, sizeof code, "card%012dprojx", i + 1);
    cards.push_back(code);
    s.create("ballot_card", {{"meeting", meeting}, {"digest", dh::sha256_hex(code)}});
  }
  for (int i = 0; i < voters; ++i) {
    s.create("attendance", {{"meeting", meeting}, {"member", members[i]}, {"check_in_method", "list"},
                            {"card_handed", true}});
  }
  const std::string poll = s.create("poll", {{"meeting", meeting}, {"motion", motion}, {"title", "三号楼加装电梯"},
                                             {"voting_method", "yes_no_abstain"}, {"secret", true},
                                             {"poll_state", "draft"}});
  s.make(deliberation::open_poll(poll));
  const size_t open_end = s.ops.size();
  // voters-1 ballots: yes, yes, no, abstain, yes, no, ... (the last member does not vote).
  int counts[3] = {0, 0, 0};
  static const char* kMarks[] = {"1", "1", "2", "3"};
  for (int i = 0; i + 1 < voters; ++i) {
    const char* mark = kMarks[i % 4];
    counts[mark[0] - '1']++;
    s.make(s.must(deliberation::cast_secret_ballot(s.state, poll, cards[i], {mark}), "ballot"));
  }
  if (live) {
    std::system(("mkdir -p '" + out + "/ballots'").c_str());
    for (size_t i = open_end; i < s.ops.size(); ++i) {
      std::ofstream(out + "/ballots/" + std::to_string(i - open_end) + ".json") << push_body({s.ops[i]});
    }
    s.ops.resize(open_end);
  }
  s.make(s.must(deliberation::close_poll(s.state, poll), "close"));
  const size_t setup_end = live ? open_end : s.ops.size();
  s.make(s.must(deliberation::publish_poll(s.state, poll), "publish"));

  std::ofstream(out + "/setup.json") << push_body(std::vector<Operation>(s.ops.begin(), s.ops.begin() + setup_end));
  std::ofstream(out + "/publish.json") << push_body(std::vector<Operation>(s.ops.begin() + setup_end, s.ops.end()));
  Json seed{{"meeting", meeting}, {"motion", motion}, {"poll", poll}, {"motion_title", motion_title},
            {"counts", {counts[0], counts[1], counts[2]}}, {"members", names}, {"cards", cards},
            {"ops", s.ops.size()}};
  std::ofstream(out + "/seed.json") << seed.dump(2);
  std::printf("%s\n", seed.dump().c_str());
  return 0;
}
