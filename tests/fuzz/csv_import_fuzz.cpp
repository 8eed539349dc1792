// Fuzz target: the CSV importer of src/core/exchange.h (docs/exports.md) on
// the small world of fuzz_world.h: parse_csv, then import_volunteers_csv and
// import_shifts_csv of the same text.
//
// Invariants checked (a break aborts, so libFuzzer keeps the input):
// - parse_csv reads back what csv_text writes of the records it parsed (same
//   fields), and record lines start at 1 and never go down;
// - an import either refuses the file (an Error) or returns good rows whose
//   operations are each valid (validate_operation) after the ones before,
//   one line per operation, lines ascending, every problem with a line >= 1.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/exchange.h"
#include "fuzz_world.h"

using namespace dh;

namespace {

const fuzz::World& world() {
  static const fuzz::World w;
  return w;
}

void check_round_trip(const std::string& text) {
  auto records = parse_csv(text);
  if (!records) {
    if (records.error().code != "unterminated_quote") fuzz::broken("parse_csv: unlisted code", records.error().code);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  size_t line = 1;
  for (const auto& r : records.value()) {
    if (r.line < line) fuzz::broken("record lines go down");
    line = r.line;
    rows.push_back(r.fields);
  }
  auto again = parse_csv(csv_text(rows));
  if (!again) fuzz::broken("csv_text output does not parse", again.error().message);
  if (again->size() != rows.size()) fuzz::broken("csv_text round trip changed the record count");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (again.value()[i].fields != rows[i]) fuzz::broken("csv_text round trip changed a record", std::to_string(i));
  }
}

void check_import(const Result<ImportResult>& r) {
  if (!r) return;  // a file-level problem, said in plain words
  const ImportResult& ir = r.value();
  if (ir.operation_lines.size() != ir.operations.size()) fuzz::broken("one line per imported operation");
  State state = world().state;
  size_t line = 0;
  for (size_t i = 0; i < ir.operations.size(); ++i) {
    if (ir.operation_lines[i] <= line) fuzz::broken("operation lines not ascending");
    line = ir.operation_lines[i];
    auto ok = validate_operation(state, ir.operations[i]);
    if (!ok) fuzz::broken("an imported operation is invalid", ok.error().message);
    state.apply(ir.operations[i]);
  }
  for (const auto& p : ir.problems) {
    if (p.line < 1 || p.reason.empty()) fuzz::broken("a problem without line or reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_round_trip(text);
  {
    OpSource src = fuzz::source_of("import", "staff:zhang");
    check_import(import_volunteers_csv(world().state, text, src, fuzz::kServerNowMs));
  }
  {
    OpSource src = fuzz::source_of("import", "staff:zhang");
    check_import(import_shifts_csv(world().state, text, src, fuzz::kServerNowMs));
  }
  return 0;
}
