// Exchange with other tools (formats: docs/exports.md). Pure functions: they
// return text or values, the caller reads and writes files.
//
// CSV (RFC 4180): fields quoted when they hold , " CR or LF (quotes doubled),
// records end in CRLF, the text starts with a UTF-8 byte order mark so Excel
// reads Chinese correctly. Headers are Chinese by default, English on request.
// The importer reads what the exporter writes (and LF-only files, files
// without BOM, English or Chinese headers).
//
// Calendar (RFC 5545): a volunteer's upcoming shifts as VEVENTs with
// TZID=Asia/Shanghai and a VTIMEZONE (UTC+8, no DST); lines folded at 75
// octets without splitting a UTF-8 character; CRLF; TEXT escaping.
//
// Printable pages: a shift's roster and a volunteer's yearly service record
// (MCA Order 67, 2021) as self-contained HTML; every value HTML-escaped.
//
// Import: each CSV row becomes a CreateEntity command checked by
// make_operation against the State (the one rule book); bad rows are listed
// with the physical line the row starts on and the reason; good rows are kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/operation.h"
#include "core/reports.h"
#include "core/state.h"

namespace dh {

enum class Lang { zh, en };

// ---- CSV writing ----
std::string csv_field(const std::string& value);              // quoted if needed
std::string csv_text(const std::vector<std::vector<std::string>>& rows);  // BOM + rows, CRLF
// "2:30" style is avoided: hours are written as decimal hours with 2 digits ("2.50").
std::string format_hours(int64_t minutes);

std::string hours_csv(const std::vector<HoursRow>& rows, HoursGrouping by, Lang lang = Lang::zh);
std::string coverage_csv(const Coverage& coverage, Lang lang = Lang::zh);
std::string no_show_csv(const std::vector<NoShowRow>& rows, NoShowGrouping by, Lang lang = Lang::zh);
std::string participation_csv(const Participation& p, Lang lang = Lang::zh);
std::string ledger_csv(const State& state, const std::vector<LedgerLine>& ledger, Lang lang = Lang::zh);

// How a phone number appears on a roster: not at all, masked (mask_phone in
// core/text.h: 138****5678), in full.
enum class PhoneDisplay { hidden, masked, full };
// The volunteer's phone: the resident's own, else the household's.
std::string volunteer_phone(const State& state, const std::string& volunteer_id);

std::string roster_csv(const State& state, const std::string& shift_id, PhoneDisplay phones, Lang lang = Lang::zh);
// Lists in the import format (the importer reads them back).
std::string volunteers_csv(const State& state, Lang lang = Lang::zh);
std::string shifts_csv(const State& state, int64_t from_day = INT64_MIN, int64_t to_day = INT64_MAX,
                       Lang lang = Lang::zh);

// ---- CSV reading ----
struct CsvRecord {
  size_t line = 0;  // physical line (1-based) where the record starts
  std::vector<std::string> fields;
};
// Parses RFC 4180 text (a leading BOM is skipped; CRLF, LF or CR ends a
// record outside quotes). Error on an unterminated quote (names its line).
Result<std::vector<CsvRecord>> parse_csv(const std::string& text);

// ---- Import ----
struct ImportProblem {
  size_t line = 0;
  std::string reason;  // plain words (English)
  std::string code;    // the Error's code (core/error_codes.h), for the UI's words
  std::vector<std::string> params;
};
struct ImportResult {
  std::vector<Operation> operations;  // good rows, in file order, each valid after the ones before
  std::vector<size_t> operation_lines;
  std::vector<ImportProblem> problems;
  std::vector<std::string> ignored_columns;  // header names the importer does not know
  size_t rows = 0;                           // data rows read (blank rows skipped)
};
// A file-level problem (no header, unreadable quotes, a required column
// missing) is an Error; row problems are in ImportResult::problems.
Result<ImportResult> import_volunteers_csv(const State& state, const std::string& csv, OpSource& source,
                                           int64_t now_ms);
Result<ImportResult> import_shifts_csv(const State& state, const std::string& csv, OpSource& source,
                                       int64_t now_ms);

// ---- Calendar ----
// Folds one content line (without CRLF) at 75 octets, UTF-8 safe; returns it with CRLFs.
std::string ics_fold(const std::string& line);
std::string ics_escape(const std::string& text);  // , ; \ and newlines
// The volunteer's confirmed and waitlisted sign-ups of live shifts ending
// after now_minutes (local). now_minutes also gives DTSTAMP.
std::string volunteer_ics(const State& state, const std::string& volunteer_id, int64_t now_minutes);

// ---- Printable HTML ----
std::string html_escape(const std::string& text);
std::string roster_html(const State& state, const std::string& shift_id, PhoneDisplay phones);

struct ServiceRecordOptions {
  int year = 2026;
  std::string id_number;         // identity document number, already masked as the caller wants ("" = not shown)
  std::string organisation = "东城社区";
  std::string issued_date;       // YYYY-MM-DD
};
std::string service_record_html(const State& state, const std::string& volunteer_id,
                                const ServiceRecordOptions& options);

}  // namespace dh
