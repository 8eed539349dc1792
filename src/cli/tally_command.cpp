// dianhong tally: the core's tally on a poll file (format: docs/voting.md).
//
//   dianhong tally BALLOTS.json [--json] [--out RESULT.json] [--rule KEY=VALUE]...
//
// Reads a poll file (method, options, rules, ballots) or one of the election
// files of tests/data/elections/ (candidates, raw_ballots, rules), counts it
// with dh::tally::tally and prints a readable summary with every round (or,
// with --json, the result as JSON on stdout; --out writes the JSON to a file
// as well). --rule changes one rule option before counting, by its name in
// the file format: "ranked.overvote=exhaust", "ranked.elimination=single",
// "tie_break=lot", "lot.seed=7", "threshold.kind=two_thirds".
// Exit status: 0 counted; 1 the file was refused (the message names the
// entry at fault); 2 usage error or unreadable file.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_io.h"
#include "core/tally.h"
#include "core/tally_json.h"

namespace {

using dh::Json;
namespace t = dh::tally;

int tally_usage(std::ostream& out, int code) {
  out << "Usage:\n"
         "  dianhong tally BALLOTS.json [--json] [--out RESULT.json] [--rule KEY=VALUE]...\n"
         "BALLOTS.json of '-' reads standard input. Format and rule options: docs/voting.md.\n";
  return code;
}

std::string label(const t::TallyResult& r, int o) {
  if (o >= 0 && o < static_cast<int>(r.rules.options.size())) return r.rules.options[o];
  return "#" + std::to_string(o);
}

std::string count_or_unknown(int64_t v) { return v < 0 ? std::string("not recorded") : std::to_string(v); }

std::string note_text(const t::TallyResult& r, const t::Note& n) {
  std::string s = n.code;
  for (const auto& kv : n.params) {
    s += " " + kv.first + "=";
    if (kv.first == "option" || kv.first == "options" || kv.first == "winners" || kv.first == "drawn_order") {
      std::stringstream in(kv.second);
      std::string item;
      bool first = true;
      while (std::getline(in, item, ',')) {
        s += (first ? "" : ", ") + label(r, std::stoi(item));
        first = false;
      }
    } else {
      s += kv.second;
    }
  }
  return s;
}

void print_summary(std::ostream& out, const t::TallyResult& r) {
  const t::PollSpec& s = r.rules;
  out << "Method: " << t::name(s.method) << ", " << s.options.size() << " options";
  if (s.method == t::Method::multiple_choice)
    out << ", at most " << s.max_choices << " marks a ballot, " << s.seats << " to elect";
  out << "\n";
  out << "Threshold: " << t::name(s.threshold.kind);
  if (s.threshold.kind == t::ThresholdKind::fraction)
    out << " " << s.threshold.numerator << "/" << s.threshold.denominator << (s.threshold.strict ? " (more than)" : " (at least)");
  if (s.threshold.kind != t::ThresholdKind::none) out << " of " << t::name(s.threshold.base);
  out << "\n";
  if (s.quorum.required) {
    out << "Quorum rule: " << t::name(s.quorum.base) << " at least " << s.quorum.minimum;
    if (s.quorum.numerator > 0)
      out << " and " << (s.quorum.strict ? "more than " : "at least ") << s.quorum.numerator << "/"
          << s.quorum.denominator << " of the entitled";
    out << "\n";
  }
  if (s.method == t::Method::ranked_choice) {
    const t::RankedRules& rr = s.ranked;
    out << "Ranked-choice rules: overvote=" << t::name(rr.overvote)
        << ", skipped ranks=" << (rr.exhaust_after_consecutive_skips > 0
                                      ? "exhaust after " + std::to_string(rr.exhaust_after_consecutive_skips) + " in a row"
                                      : std::string("passed over"))
        << ", duplicate=" << t::name(rr.duplicate) << ", blank ballot=" << t::name(rr.blank_ballot)
        << ", elimination=" << t::name(rr.elimination) << ", stop=" << t::name(rr.stop)
        << ", ranks on ballot=" << (rr.ranks_on_ballot > 0 ? std::to_string(rr.ranks_on_ballot) : std::string("any")) << "\n";
  }
  out << "Tie-break: " << t::name(s.tie_break);
  if (s.tie_break != t::TieBreak::none) {
    if (s.lot.drawn_order.empty()) out << " (lot seed " << s.lot.seed << ")";
    else {
      out << " (drawn order:";
      for (int o : s.lot.drawn_order) out << " " << label(r, o);
      out << ")";
    }
  }
  out << "\n";
  out << "Entitled: " << count_or_unknown(r.entitled) << ", present: " << count_or_unknown(r.present)
      << ", cast: " << r.cast << ", valid: " << r.valid << ", invalid: " << r.invalid;
  if (!r.invalid_by_reason.empty()) {
    out << " (";
    for (size_t k = 0; k < r.invalid_by_reason.size(); ++k)
      out << (k ? ", " : "") << r.invalid_by_reason[k].first << " " << r.invalid_by_reason[k].second;
    out << ")";
  }
  out << "\n";
  if (s.method != t::Method::ranked_choice) {
    for (size_t k = 0; k < r.votes.size(); ++k) out << "  " << label(r, static_cast<int>(k)) << ": " << r.votes[k] << "\n";
    if (s.method != t::Method::yes_no_abstain) out << "  blank: " << r.blank << "\n";
  }
  for (const t::Round& rd : r.rounds) {
    out << "Round " << rd.number << ":";
    std::vector<int> order;
    for (size_t k = 0; k < rd.votes.size(); ++k)
      if (rd.continuing[k]) order.push_back(static_cast<int>(k));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return rd.votes[a] > rd.votes[b]; });
    for (size_t k = 0; k < order.size(); ++k) {
      out << (k ? "," : "") << " " << label(r, order[k]) << " " << rd.votes[order[k]];
      if (!rd.transfers.empty() && rd.transfers[order[k]] > 0) out << " (+" << rd.transfers[order[k]] << ")";
    }
    out << "; exhausted " << rd.exhausted;
    if (rd.transferred_to_exhausted > 0) out << " (+" << rd.transferred_to_exhausted << ")";
    std::string reasons;
    for (const auto& kv : rd.exhausted_by_reason)
      if (kv.second > 0) reasons += (reasons.empty() ? "" : ", ") + kv.first + " " + std::to_string(kv.second);
    if (!reasons.empty()) out << " [" << reasons << "]";
    if (!rd.eliminated.empty()) {
      out << "; eliminated:";
      for (size_t k = 0; k < rd.eliminated.size(); ++k) out << (k ? "," : "") << " " << label(r, rd.eliminated[k]);
    }
    if (rd.elected >= 0) out << "; elected: " << label(r, rd.elected);
    out << "\n";
    for (const t::Note& n : rd.notes) out << "  note: " << note_text(r, n) << "\n";
  }
  if (r.quorum_required)
    out << "Quorum: " << (r.quorum_met ? "met" : "NOT met") << " (needed " << r.quorum_needed << ")\n";
  if (s.threshold.kind != t::ThresholdKind::none || s.method == t::Method::yes_no_abstain) {
    out << "Threshold: " << (r.threshold_met ? "met" : "not met");
    if (r.threshold_base >= 0 && r.threshold_needed < INT64_MAX)
      out << " (needed " << r.threshold_needed << " of " << r.threshold_base << ")";
    out << "\n";
  }
  out << "Outcome: " << r.outcome;
  for (size_t k = 0; k < r.winners.size(); ++k) out << (k ? ", " : ": ") << label(r, r.winners[k]);
  out << "\n";
  if (!r.counts_consistent) out << "Counts do not agree with attendance (see notes).\n";
  for (const t::Note& n : r.notes) out << "Note: " << note_text(r, n) << "\n";
}

// Sets `path` ("a.b") in `j` to `value` (JSON if it parses, else a string).
bool apply_rule(Json& j, const std::string& rule) {
  size_t eq = rule.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  std::string path = rule.substr(0, eq), text = rule.substr(eq + 1);
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;
  Json* at = &j;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) return false;
    if (!at->is_object()) *at = Json::object();
    if (dot == std::string::npos) {
      (*at)[key] = value;
      return true;
    }
    at = &(*at)[key];
    start = dot + 1;
  }
}

}  // namespace

int run_tally_command(const std::vector<std::string>& args) {
  std::string in_path, out_path;
  bool json_out = false;
  std::vector<std::string> rules;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") json_out = true;
    else if (args[i] == "--out" && i + 1 < args.size()) out_path = args[++i];
    else if (args[i] == "--rule" && i + 1 < args.size()) rules.push_back(args[++i]);
    else if (args[i] == "--help" || args[i] == "-h") return tally_usage(std::cout, 0);
    else if (in_path.empty() && (args[i] == "-" || args[i].rfind("--", 0) != 0)) in_path = args[i];
    else {
      std::cerr << "dianhong tally: unexpected argument \"" << args[i] << "\".\n";
      return tally_usage(std::cerr, 2);
    }
  }
  if (in_path.empty()) return tally_usage(std::cerr, 2);
  int code = 0;
  std::optional<Json> parsed = dh::cli::read_json_input("tally", in_path, &code);
  if (!parsed) return code;
  const Json& j = *parsed;
  dh::Result<t::PollFile> poll = t::is_election_file(j) ? t::poll_from_election_json(j) : t::poll_from_json(j);
  if (!poll) {
    std::cerr << "dianhong tally: " << in_path << ": " << poll.error().message << "\n";
    return 1;
  }
  if (!rules.empty()) {
    Json spec = t::spec_to_json(poll->spec);
    for (const std::string& rule : rules) {
      if (!apply_rule(spec, rule)) {
        std::cerr << "dianhong tally: --rule needs KEY=VALUE, e.g. ranked.overvote=exhaust, not \"" << rule << "\".\n";
        return 2;
      }
    }
    dh::Result<t::PollSpec> changed = t::spec_from_json(spec);
    if (!changed) {
      std::cerr << "dianhong tally: --rule: " << changed.error().message << "\n";
      return 1;
    }
    poll->spec = std::move(changed.value());
  }
  t::TallyResult result = t::tally(poll->spec, poll->ballots);
  std::string json_text = t::result_to_json(result).dump(2) + "\n";
  if (!out_path.empty()) {
    std::ofstream f(out_path, std::ios::binary);
    f << json_text;
    if (!f) {
      std::cerr << "dianhong tally: cannot write \"" << out_path << "\".\n";
      return 2;
    }
  }
  if (json_out) std::cout << json_text;
  else print_summary(std::cout, result);
  return 0;
}
