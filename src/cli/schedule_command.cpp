// dianhong schedule: the core's auto-scheduler on a JSON problem file
// (format: docs/auto-scheduling.md), writing the proposal as JSON.
//
//   dianhong schedule PROBLEM.json [--out PROPOSAL.json]
//   dianhong schedule --demo-month YYYY-MM [--seed N] --write-problem FILE.json
//   dianhong schedule --demo-month YYYY-MM [--seed N] --write-ops FILE.jsonl
//
// The first form reads volunteers and shifts (and optional "options"), runs
// auto_schedule and writes the proposal (stdout unless --out); a summary goes
// to stderr; each reason carries its code, parameters and English words.
// The second writes the demo corps with a generated month of
// shifts as a problem file, to try the first form on. The third writes that
// month's operations (device "demo-month", on top of the server's --demo
// data) as push request bodies of at most 1,000 operations, one per line, for
// a test or a demonstration to POST to /api/v1/ops. Exit status: 0 done
// (even with unfilled places, which the proposal lists), 1 the problem file
// was refused (the message names the entry), 2 usage error or unreadable file.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_io.h"
#include "core/civil_time.h"
#include "core/demo.h"
#include "core/scheduler.h"
#include "core/state.h"
#include "ui/sched_text.h"
#include "sync/protocol.h"

namespace {

int schedule_usage(std::ostream& out, int code) {
  out << "Usage:\n"
         "  dianhong schedule PROBLEM.json [--out PROPOSAL.json]\n"
         "  dianhong schedule --demo-month YYYY-MM [--seed N] --write-problem FILE.json\n"
         "  dianhong schedule --demo-month YYYY-MM [--seed N] --write-ops FILE.jsonl\n"
         "PROBLEM.json of '-' reads standard input. Format: docs/auto-scheduling.md.\n";
  return code;
}

}  // namespace

int run_schedule_command(const std::vector<std::string>& args) {
  std::string in_path, out_path, demo_month, problem_out, ops_out;
  uint64_t seed = 1;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--out" && i + 1 < args.size()) {
      out_path = args[++i];
    } else if (a == "--demo-month" && i + 1 < args.size()) {
      demo_month = args[++i];
    } else if (a == "--write-problem" && i + 1 < args.size()) {
      problem_out = args[++i];
    } else if (a == "--write-ops" && i + 1 < args.size()) {
      ops_out = args[++i];
    } else if (a == "--seed" && i + 1 < args.size()) {
      const std::string& s = args[++i];
      if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
        std::cerr << "dianhong schedule: the seed must be a whole number, not \"" << s << "\".\n";
        return 2;
      }
      seed = std::stoull(s);
    } else if (a == "--help" || a == "-h") {
      return schedule_usage(std::cout, 0);
    } else if (in_path.empty() && (a == "-" || a.rfind("--", 0) != 0)) {
      in_path = a;
    } else {
      std::cerr << "dianhong schedule: unknown argument \"" << a << "\".\n";
      return schedule_usage(std::cerr, 2);
    }
  }
  if (!demo_month.empty()) {
    if ((problem_out.empty() && ops_out.empty()) || !in_path.empty()) return schedule_usage(std::cerr, 2);
    auto demo = dh::generate_demo();
    auto month = dh::generate_month_of_shifts(demo, demo_month, seed);
    auto first = dh::parse_date(demo_month + "-01");
    if (month.empty() || !first) {
      std::cerr << "dianhong schedule: the month must be written YYYY-MM, e.g. 2026-12.\n";
      return 2;
    }
    if (!ops_out.empty()) {
      std::string lines;
      for (size_t at = 0; at < month.size(); at += 1000) {
        std::vector<dh::Operation> batch(month.begin() + static_cast<std::ptrdiff_t>(at),
                                         month.begin() + static_cast<std::ptrdiff_t>(std::min(month.size(), at + 1000)));
        lines += dh::sync::encode_push_request("demo-month", batch) + "\n";
      }
      if (!dh::cli::write_output(ops_out, lines)) {
        std::cerr << "dianhong schedule: cannot write " << ops_out << ".\n";
        return 2;
      }
      std::cerr << "operations: " << month.size() << "\n";
      if (problem_out.empty()) return 0;
    }
    dh::State state;
    for (const auto& op : demo) state.apply(op);
    for (const auto& op : month) state.apply(op);
    int y;
    unsigned m, d;
    dh::civil_from_days(*first, &y, &m, &d);
    const int64_t next = m == 12 ? dh::days_from_civil(y + 1, 1, 1) : dh::days_from_civil(y, m + 1, 1);
    auto problem = dh::problem_from_state(state, *first, next);
    if (!dh::cli::write_output(problem_out, dh::problem_to_json(problem).dump(1) + "\n")) {
      std::cerr << "dianhong schedule: cannot write " << problem_out << ".\n";
      return 2;
    }
    std::cerr << "problem: " << problem.shifts.size() << " shifts, " << problem.volunteers.size() << " volunteers\n";
    return 0;
  }
  if (in_path.empty()) return schedule_usage(std::cerr, 2);
  int code = 0;
  std::optional<dh::Json> parsed = dh::cli::read_json_input("schedule", in_path, &code);
  if (!parsed) return code;
  const dh::Json& j = *parsed;
  auto problem = dh::problem_from_json(j);
  if (!problem) {
    std::cerr << "dianhong schedule: " << problem.error().message << "\n";
    return 1;
  }
  auto options = dh::options_from_json(j.contains("options") ? j["options"] : dh::Json());
  if (!options) {
    std::cerr << "dianhong schedule: " << options.error().message << "\n";
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  dh::Proposal proposal = dh::auto_schedule(problem.value(), options.value());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!dh::cli::write_output(out_path, dh::proposal_to_json(proposal, dh::ui::sched_reason_text(dh::ui::Language::en)).dump(1) + "\n")) {
    std::cerr << "dianhong schedule: cannot write " << out_path << ".\n";
    return 2;
  }
  const auto& s = proposal.summary;
  std::cerr << "filled " << s.filled << " of " << s.open_places << " open places in " << secs << " s; hours of those "
            << "serving: std dev " << s.spread_served.std_dev_hours << ", max " << s.spread_served.max_hours << ", min "
            << s.spread_served.min_hours << "\n";
  return 0;
}
