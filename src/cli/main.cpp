// dianhong: command-line tool over the same core as the app and the server.
// Reference: docs/cli.md.
//
//   dianhong demo [--seed N] [--out FILE.jsonl]   write the demo operations
//   dianhong fold FILE.jsonl                       fold a log, print counts and hash
//   dianhong validate FILE.jsonl                   check every op against the rules
//
// Exit status: 0 all good, 1 some lines were bad (the good ones were still
// used), 2 usage error or unreadable file.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/cli_io.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/operation.h"
#include "core/schema.h"
#include "core/state.h"

namespace {

using dh::Operation;
using dh::State;

int usage(std::ostream& out, int code) {
  out << "Usage:\n"
         "  dianhong demo [--seed N] [--out FILE.jsonl]  write the deterministic demo operations\n"
         "  dianhong fold FILE.jsonl                      fold a log file: counts and state hash\n"
         "  dianhong validate FILE.jsonl                  check each operation against the rules\n"
         "  dianhong export-hours|export-ledger|export-coverage|export-no-shows|export-participation|\n"
         "           export-volunteers|export-shifts|export-roster|export-ics|service-record LOG.jsonl ...\n"
         "  dianhong import-volunteers|import-shifts LOG.jsonl FILE.csv --out NEW_OPS.jsonl\n"
         "  dianhong tally BALLOTS.json [--json] [--out RESULT.json] [--rule KEY=VALUE]  count a poll\n"
         "  dianhong match PROBLEM.json [--out RESULT.json]  exact batch matching (docs/matching.md)\n"
         "  dianhong help\n"
         "A FILE of '-' reads standard input. See docs/cli.md.\n";
  return code;
}

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

void print_summary(std::ostream& out, const State& state, size_t ops) {
  out << "operations: " << ops << "\n";
  for (const dh::KindSpec& k : dh::all_kinds()) {
    size_t live = state.count(k.kind, false);
    size_t all = state.count(k.kind, true);
    out << "  " << k.kind << ": " << live;
    if (all != live) out << " (+" << (all - live) << " archived)";
    out << "\n";
  }
  if (state.ignored_ops() > 0) {
    out << "  operations of unknown types (ignored): " << state.ignored_ops() << "\n";
  }
  out << "state hash: " << state.hash_hex() << "\n";
}

int cmd_demo(const std::vector<std::string>& args) {
  dh::DemoOptions options;
  std::string out_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--seed" && i + 1 < args.size()) {
      if (!parse_u64(args[++i], &options.seed)) {
        std::cerr << "dianhong demo: the seed must be a whole number, not \"" << args[i] << "\".\n";
        return 2;
      }
    } else if (args[i] == "--out" && i + 1 < args.size()) {
      out_path = args[++i];
    } else {
      std::cerr << "dianhong demo: unknown argument \"" << args[i] << "\".\n";
      return usage(std::cerr, 2);
    }
  }
  std::vector<Operation> ops = dh::generate_demo(options);
  State state;
  std::string text;
  for (const Operation& op : ops) {
    text += dh::to_json_text(op);
    text += '\n';
    state.apply(op);
  }
  if (out_path.empty() || out_path == "-") {
    std::cout << text;
    std::cout.flush();
    print_summary(std::cerr, state, ops.size());
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "dianhong demo: cannot write " << out_path << ".\n";
    return 2;
  }
  std::cout << "wrote " << out_path << " (seed " << options.seed << ")\n";
  print_summary(std::cout, state, ops.size());
  return 0;
}

struct Line {
  size_t number = 0;
  Operation op;
};

// Reads a JSONL log. Unreadable lines are reported on stderr and skipped.
// Returns false if the file cannot be opened.
bool read_log(const std::string& path, std::vector<Line>* lines, size_t* bad) {
  std::string whole;
  if (!dh::cli::read_input(path, &whole)) return false;
  std::istringstream in(whole);
  std::string text;
  size_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    auto op = dh::parse_operation(text);
    if (!op) {
      std::cerr << path << ":" << number << ": " << op.error().message << " [" << op.error().code
                << "]\n";
      ++*bad;
      continue;
    }
    lines->push_back(Line{number, std::move(op).value()});
  }
  return true;
}

int cmd_fold(const std::vector<std::string>& args) {
  if (args.size() != 1) return usage(std::cerr, 2);
  std::vector<Line> lines;
  size_t bad = 0;
  if (!read_log(args[0], &lines, &bad)) {
    std::cerr << "dianhong fold: cannot open " << args[0] << ".\n";
    return 2;
  }
  State state;
  for (const Line& l : lines) state.apply(l.op);
  print_summary(std::cout, state, lines.size());
  if (bad > 0) {
    std::cout << "bad lines: " << bad << " (reported above, skipped)\n";
    return 1;
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& args) {
  if (args.size() != 1) return usage(std::cerr, 2);
  std::vector<Line> lines;
  size_t bad = 0;
  if (!read_log(args[0], &lines, &bad)) {
    std::cerr << "dianhong validate: cannot open " << args[0] << ".\n";
    return 2;
  }
  // Each operation is checked against the fold of the valid ones before it,
  // in file order (the order a device made them in).
  State state;
  std::unordered_map<std::string, size_t> seen;  // op id -> line number
  size_t valid = 0, invalid = 0, duplicates = 0;
  for (const Line& l : lines) {
    std::string id = l.op.id.to_string();
    auto [it, fresh] = seen.emplace(id, l.number);
    if (!fresh) {
      std::cerr << args[0] << ":" << l.number << ": " << id << ": repeats line " << it->second
                << " (ignored)\n";
      ++duplicates;
      continue;
    }
    auto st = dh::validate_operation(state, l.op);
    if (!st) {
      std::cerr << args[0] << ":" << l.number << ": " << id << " (" << l.op.type
                << "): " << st.error().message << " [" << st.error().code << "]\n";
      ++invalid;
      continue;
    }
    state.apply(l.op);
    ++valid;
  }
  std::cout << "valid: " << valid << ", invalid: " << invalid << ", repeated: " << duplicates
            << ", unreadable: " << bad << "\n";
  print_summary(std::cout, state, valid);
  return (invalid + bad > 0) ? 1 : 0;
}

}  // namespace

int run_schedule_command(const std::vector<std::string>& args);  // schedule_command.cpp
int run_exchange_command(const std::string& cmd, const std::vector<std::string>& args);  // exchange_command.cpp
int run_tally_command(const std::vector<std::string>& args);  // tally_command.cpp
int run_match_command(const std::vector<std::string>& args);  // match_command.cpp

int main(int argc, char** argv) {
  if (argc < 2) return usage(std::cerr, 2);
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "demo") return cmd_demo(args);
  if (cmd == "fold") return cmd_fold(args);
  if (cmd == "validate") return cmd_validate(args);
  if (cmd == "schedule") return run_schedule_command(args);
  if (cmd == "tally") return run_tally_command(args);
  if (cmd == "match") return run_match_command(args);
  if (int rc = run_exchange_command(cmd, args); rc >= 0) return rc;
  if (cmd == "help" || cmd == "--help" || cmd == "-h") return usage(std::cout, 0);
  std::cerr << "dianhong: unknown command \"" << cmd << "\".\n";
  return usage(std::cerr, 2);
}
