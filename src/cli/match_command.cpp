// dianhong match: the core's exact batch matching on a JSON problem file
// (format: docs/matching.md), writing the result as JSON.
//
//   dianhong match PROBLEM.json [--out RESULT.json]
//
// PROBLEM.json of '-' reads standard input; the result goes to standard output
// unless --out; a one-line summary goes to standard error. Exit status: 0
// solved (even with requests left unassigned, which the result lists as
// null), 1 the problem file was refused (the message names the entry at
// fault), 2 usage error or unreadable/unwritable file.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_io.h"
#include "core/matching.h"

namespace {

int match_usage(std::ostream& out, int code) {
  out << "Usage:\n"
         "  dianhong match PROBLEM.json [--out RESULT.json]\n"
         "PROBLEM.json of '-' reads standard input. Format: docs/matching.md.\n";
  return code;
}

// The "records" form: the project computes the costs (docs/matching.md, "Cost model").
int run_records(const dh::Json& j, const std::string& in_path, const std::string& out_path) {
  auto problem = dh::matching::records_problem_from_json(j);
  if (!problem) {
    std::cerr << "dianhong match: " << in_path << ": " << problem.error().message << "\n";
    return 1;
  }
  const auto& rp = problem.value();
  const auto t0 = std::chrono::steady_clock::now();
  auto batch = dh::matching::batch_from_view(
      rp.view, [&rp](const std::string& a, const std::string& b) { return rp.distance(a, b); });
  auto proposal = dh::matching::propose_from_batch(batch, rp.trainees);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!proposal) {
    std::cerr << "dianhong match: " << in_path << ": " << proposal.error().message << "\n";
    return 1;
  }
  dh::Json out = dh::matching::proposal_to_json(proposal.value(), batch);
  if (!dh::cli::write_output(out_path, out.dump(1) + "\n")) {
    std::cerr << "dianhong match: cannot write " << out_path << ".\n";
    return 2;
  }
  std::cerr << "assigned " << proposal->assigned << " of " << batch.batch.problem.request_count
            << " open requests, total cost " << proposal->total_cost << ", in " << secs << " s\n";
  return 0;
}

}  // namespace

int run_match_command(const std::vector<std::string>& args) {
  std::string in_path, out_path;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--out" && i + 1 < args.size()) {
      out_path = args[++i];
    } else if (a == "--help" || a == "-h") {
      return match_usage(std::cout, 0);
    } else if (in_path.empty() && (a == "-" || a.rfind("--", 0) != 0)) {
      in_path = a;
    } else {
      std::cerr << "dianhong match: unknown argument \"" << a << "\".\n";
      return match_usage(std::cerr, 2);
    }
  }
  if (in_path.empty()) return match_usage(std::cerr, 2);
  int code = 0;
  std::optional<dh::Json> parsed = dh::cli::read_json_input("match", in_path, &code);
  if (!parsed) return code;
  const dh::Json& j = *parsed;
  if (j.is_object() && j.contains("form") && j["form"] == "records") return run_records(j, in_path, out_path);
  auto batch = dh::matching::costs_problem_from_json(j);
  if (!batch) {
    std::cerr << "dianhong match: " << in_path << ": " << batch.error().message << "\n";
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto result = dh::matching::solve_batch(batch->problem);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!result) {
    std::cerr << "dianhong match: " << in_path << ": " << result.error().message << "\n";
    return 1;
  }
  if (!dh::cli::write_output(out_path, dh::matching::batch_result_to_json(batch.value(), result.value()).dump(1) + "\n")) {
    std::cerr << "dianhong match: cannot write " << out_path << ".\n";
    return 2;
  }
  std::cerr << "assigned " << result->assigned << " of " << batch->problem.request_count << " requests, total cost "
            << result->total_cost << ", in " << secs << " s\n";
  return 0;
}
