// dianhong export-* / import-* / service-record: reports and exchange formats
// of the core (src/core/reports.h, src/core/exchange.h; formats in
// docs/exports.md, commands in docs/cli.md).
//
//   dianhong export-hours LOG.jsonl --by volunteer|squad|station|month [--from D] [--to D] --out F.csv
//   dianhong export-ledger LOG.jsonl [--from D] [--to D] --out F.csv
//   dianhong export-coverage LOG.jsonl --from D --to D --out F.csv
//   dianhong export-no-shows LOG.jsonl --by volunteer|station [--now YYYY-MM-DDTHH:MM] --out F.csv
//   dianhong export-participation LOG.jsonl --out F.csv
//   dianhong export-volunteers LOG.jsonl --out F.csv
//   dianhong export-shifts LOG.jsonl [--from D] [--to D] --out F.csv
//   dianhong export-roster LOG.jsonl SHIFT_ID [--phones hidden|masked|full] [--html] --out F
//   dianhong export-ics LOG.jsonl VOLUNTEER_ID [--now YYYY-MM-DDTHH:MM] --out F.ics
//   dianhong service-record LOG.jsonl VOLUNTEER_ID --year YYYY [--id-number TEXT] [--issued D] --out F.html
//   dianhong import-volunteers LOG.jsonl F.csv --out NEW_OPS.jsonl [--device D] [--author A]
//   dianhong import-shifts LOG.jsonl F.csv --out NEW_OPS.jsonl [--device D] [--author A]
//
// CSV exports take --lang zh|en (headers; zh by default). --to is exclusive.
// --now defaults to the machine's clock (China Standard Time). Exit status:
// 0 done; 1 an import had bad rows (listed on stderr, the good rows written);
// 2 usage error, unreadable file or unknown id.
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_io.h"
#include "core/civil_time.h"
#include "core/commands.h"
#include "core/exchange.h"
#include "core/reports.h"
#include "core/state.h"

namespace {

using dh::Lang;

struct Options {
  std::vector<std::string> positional;
  std::map<std::string, std::string> named;  // --name value
  bool html = false;
};

int fail(const std::string& cmd, const std::string& message) {
  std::cerr << "dianhong " << cmd << ": " << message << "\n";
  return 2;
}

bool parse_args(const std::string& cmd, const std::vector<std::string>& args, Options* o) {
  static const char* kNamed[] = {"--by", "--from", "--to", "--now", "--out", "--lang", "--phones",
                                 "--year", "--id-number", "--issued", "--device", "--author"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--html") {
      o->html = true;
      continue;
    }
    bool named = false;
    for (const char* n : kNamed) {
      if (a == n) {
        if (i + 1 >= args.size()) {
          fail(cmd, a + " needs a value.");
          return false;
        }
        o->named[a] = args[++i];
        named = true;
      }
    }
    if (named) continue;
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      fail(cmd, "unknown option \"" + a + "\".");
      return false;
    }
    o->positional.push_back(a);
  }
  return true;
}

std::string get(const Options& o, const std::string& name, const std::string& fallback = "") {
  auto it = o.named.find(name);
  return it == o.named.end() ? fallback : it->second;
}

struct Log {
  dh::State state;
  std::map<std::string, uint64_t> max_seq;  // per device
  size_t ops = 0;
};

// Folds a JSONL log; unreadable lines are reported and skipped.
bool load_log(const std::string& cmd, const std::string& path, Log* log) {
  std::string text;
  if (!dh::cli::read_input(path, &text)) {
    fail(cmd, "cannot open " + path + ".");
    return false;
  }
  std::istringstream in(text);
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto op = dh::parse_operation(line);
    if (!op) {
      std::cerr << path << ":" << number << ": " << op.error().message << " [" << op.error().code << "] (skipped)\n";
      continue;
    }
    uint64_t& seq = log->max_seq[op->id.device];
    if (op->id.seq > seq) seq = op->id.seq;
    log->state.apply(op.value());
    ++log->ops;
  }
  return true;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool day_option(const std::string& cmd, const Options& o, const std::string& name, int64_t* out) {
  const std::string v = get(o, name);
  if (v.empty()) return true;
  auto d = dh::parse_date(v);
  if (!d) {
    fail(cmd, name + " must be a date written YYYY-MM-DD, not \"" + v + "\".");
    return false;
  }
  *out = *d;
  return true;
}

bool now_option(const std::string& cmd, const Options& o, int64_t* out) {
  const std::string v = get(o, "--now");
  if (v.empty()) {
    *out = dh::local_minutes_from_utc_ms(now_ms());
    return true;
  }
  auto t = dh::parse_datetime(v);
  if (!t) {
    fail(cmd, "--now must be a date and time written YYYY-MM-DDTHH:MM, not \"" + v + "\".");
    return false;
  }
  *out = *t;
  return true;
}

bool lang_option(const std::string& cmd, const Options& o, Lang* lang) {
  const std::string v = get(o, "--lang", "zh");
  if (v != "zh" && v != "en") {
    fail(cmd, "--lang must be zh or en.");
    return false;
  }
  *lang = v == "zh" ? Lang::zh : Lang::en;
  return true;
}

int write_out(const std::string& cmd, const Options& o, const std::string& text) {
  const std::string out = get(o, "--out", "-");
  if (!dh::cli::write_output(out, text)) return fail(cmd, "cannot write " + out + ".");
  if (out != "-") std::cerr << "wrote " << out << "\n";
  return 0;
}

int run_import(const std::string& cmd, const Options& o, const Log& log, bool volunteers) {
  std::string csv;
  if (!dh::cli::read_input(o.positional[1], &csv)) return fail(cmd, "cannot open " + o.positional[1] + ".");
  dh::OpSource source;
  source.device = get(o, "--device", "import");
  source.author = get(o, "--author", "cli:import");
  if (!dh::is_valid_device_id(source.device)) return fail(cmd, "\"" + source.device + "\" is not a valid device id.");
  auto seq = log.max_seq.find(source.device);
  source.next_seq = seq == log.max_seq.end() ? 1 : seq->second + 1;  // never reuse an id of the log
  source.clock.restore(log.state.max_hlc());
  auto result = volunteers ? dh::import_volunteers_csv(log.state, csv, source, now_ms())
                           : dh::import_shifts_csv(log.state, csv, source, now_ms());
  if (!result) return fail(cmd, o.positional[1] + ": " + result.error().message);
  for (const auto& c : result->ignored_columns)
    std::cerr << o.positional[1] << ": the column \"" << c << "\" is not known and was ignored\n";
  for (const auto& p : result->problems) std::cerr << o.positional[1] << ":" << p.line << ": " << p.reason << "\n";
  std::string text;
  for (const auto& op : result->operations) text += dh::to_json_text(op) + "\n";
  const std::string out = get(o, "--out", "-");
  if (!dh::cli::write_output(out, text)) return fail(cmd, "cannot write " + out + ".");
  std::cerr << "rows: " << result->rows << ", imported: " << result->operations.size()
            << ", bad: " << result->problems.size() << "\n";
  return result->problems.empty() ? 0 : 1;
}

}  // namespace

// Returns -1 when cmd is not one of these commands.
int run_exchange_command(const std::string& cmd, const std::vector<std::string>& args) {
  static const std::map<std::string, size_t> kPositional = {
      {"export-hours", 1},    {"export-ledger", 1},     {"export-coverage", 1},   {"export-no-shows", 1},
      {"export-participation", 1}, {"export-volunteers", 1}, {"export-shifts", 1}, {"export-roster", 2},
      {"export-ics", 2},      {"service-record", 2},    {"import-volunteers", 2}, {"import-shifts", 2}};
  auto known = kPositional.find(cmd);
  if (known == kPositional.end()) return -1;
  Options o;
  if (!parse_args(cmd, args, &o)) return 2;
  if (o.positional.size() != known->second)
    return fail(cmd, "expects " + std::to_string(known->second) + " file or id argument(s); see docs/cli.md.");
  Log log;
  if (!load_log(cmd, o.positional[0], &log)) return 2;
  const dh::State& state = log.state;
  Lang lang = Lang::zh;
  if (!lang_option(cmd, o, &lang)) return 2;
  int64_t from = INT64_MIN, to = INT64_MAX;
  if (!day_option(cmd, o, "--from", &from) || !day_option(cmd, o, "--to", &to)) return 2;

  if (cmd == "export-hours") {
    dh::HoursGrouping by;
    if (!dh::parse_hours_grouping(get(o, "--by", "volunteer"), &by))
      return fail(cmd, "--by must be volunteer, squad, station or month.");
    return write_out(cmd, o, dh::hours_csv(dh::hours_report(state, by, from, to), by, lang));
  }
  if (cmd == "export-ledger") return write_out(cmd, o, dh::ledger_csv(state, dh::hours_ledger(state, from, to), lang));
  if (cmd == "export-coverage") {
    if (get(o, "--from").empty() || get(o, "--to").empty()) return fail(cmd, "give --from and --to (YYYY-MM-DD).");
    return write_out(cmd, o, dh::coverage_csv(dh::coverage_report(state, from, to), lang));
  }
  if (cmd == "export-no-shows") {
    const std::string by = get(o, "--by", "volunteer");
    if (by != "volunteer" && by != "station") return fail(cmd, "--by must be volunteer or station.");
    int64_t now = 0;
    if (!now_option(cmd, o, &now)) return 2;
    const auto g = by == "volunteer" ? dh::NoShowGrouping::volunteer : dh::NoShowGrouping::station;
    return write_out(cmd, o, dh::no_show_csv(dh::no_show_report(state, g, now), g, lang));
  }
  if (cmd == "export-participation")
    return write_out(cmd, o, dh::participation_csv(dh::participation_report(state), lang));
  if (cmd == "export-volunteers") return write_out(cmd, o, dh::volunteers_csv(state, lang));
  if (cmd == "export-shifts") return write_out(cmd, o, dh::shifts_csv(state, from, to, lang));
  if (cmd == "export-roster") {
    if (!state.find("shift", o.positional[1])) return fail(cmd, "there is no shift " + o.positional[1] + ".");
    const std::string p = get(o, "--phones", "masked");
    dh::PhoneDisplay phones = dh::PhoneDisplay::masked;
    if (p == "hidden") phones = dh::PhoneDisplay::hidden;
    else if (p == "full") phones = dh::PhoneDisplay::full;
    else if (p != "masked") return fail(cmd, "--phones must be hidden, masked or full.");
    return write_out(cmd, o, o.html ? dh::roster_html(state, o.positional[1], phones)
                                    : dh::roster_csv(state, o.positional[1], phones, lang));
  }
  if (cmd == "export-ics") {
    if (!state.find("volunteer", o.positional[1])) return fail(cmd, "there is no volunteer " + o.positional[1] + ".");
    int64_t now = 0;
    if (!now_option(cmd, o, &now)) return 2;
    return write_out(cmd, o, dh::volunteer_ics(state, o.positional[1], now));
  }
  if (cmd == "service-record") {
    if (!state.find("volunteer", o.positional[1])) return fail(cmd, "there is no volunteer " + o.positional[1] + ".");
    dh::ServiceRecordOptions r;
    const std::string year = get(o, "--year");
    if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos)
      return fail(cmd, "--year must be a year like 2026.");
    r.year = std::stoi(year);
    r.id_number = get(o, "--id-number");
    r.issued_date = get(o, "--issued", dh::format_date(dh::local_minutes_from_utc_ms(now_ms()) / 1440));
    if (!dh::parse_date(r.issued_date)) return fail(cmd, "--issued must be a date written YYYY-MM-DD.");
    return write_out(cmd, o, dh::service_record_html(state, o.positional[1], r));
  }
  if (cmd == "import-volunteers") return run_import(cmd, o, log, true);
  return run_import(cmd, o, log, false);
}
