// Commands: what the UI, the CLI and importers ask for. The core validates a
// command against the current state and turns it into an Operation; nothing
// else creates operations. The UI never mutates the State.
//
// validate_operation() is the one gate: the local device runs it before an
// operation is appended, and the server runs it again on every pushed
// operation (a device may be out of date or hostile). It does the generic
// checks here and then the kind's own rules from the rule book
// (rule_book.h), which each feature file fills.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/hlc.h"
#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh {

struct CreateEntity {
  std::string kind;
  Json fields = Json::object();
  std::string id;  // empty: the new operation's id becomes the entity id
};
struct EditEntity {
  std::string kind;
  std::string id;
  Json fields = Json::object();  // only the fields that change
};
struct ArchiveEntity {
  std::string kind;
  std::string id;
  std::string reason;
};
struct RestoreEntity {
  std::string kind;
  std::string id;
};
// A volunteer's sign-up leaves its shift and joins another, in one operation
// ("signup.move", docs/volunteering.md). Build it with move_signup()
// (volunteering.h), which fills the fields as this device sees the target.
struct MoveSignup {
  std::string id;                // the sign-up
  Json fields = Json::object();  // shift, seen_place, clash_override, override_reason
};

using Command = std::variant<CreateEntity, EditEntity, ArchiveEntity, RestoreEntity, MoveSignup>;

// The identity and clock of the device making operations. The store persists
// next_seq and the clock so a restart never reuses an id or a stamp.
struct OpSource {
  std::string device;      // is_valid_device_id
  std::string author;      // who is using the device, e.g. "staff:wang" or "kiosk"
  uint64_t next_seq = 1;
  HlcClock clock;
};

// Validates cmd against state and, if valid, returns the operation (advancing
// source.next_seq and source.clock). On error nothing changes.
Result<Operation> make_operation(const State& state, const Command& cmd, OpSource& source, int64_t now_ms);

// Checks an operation (from this device or another) against the schema and the
// state it would be applied to: known type, payload shape, required fields,
// field types and limits, references to existing records, then the kind's
// rules. Its verdict never depends on a record's registers that another
// device may change concurrently (docs/architecture.md "Concurrent changes"):
// an edit, move, archive or restore is not refused because the record is
// archived (or not), nor a reference because its target is archived; those
// resolve by stamp in the fold. An edit, move, archive or restore of a record
// not created here yet is kept (its fields wait on the record; the kind's
// rules that compare with the record run only once it exists).
Status validate_operation(const State& state, const Operation& op);

// validate_operation() plus what this device's person means, which
// make_operation() checks and a receiver never does (it would depend on
// arrival order): the record exists; an edit or move is of a live record;
// archive only a live record, restore only an archived one; references name
// live records. Codes not_found, archived, not_archived, archived_reference.
Status validate_own_operation(const State& state, const Operation& op);
// The same against a given rule book (the default one is rule_book()).
class RuleBook;  // core/rule_book.h
Status validate_operation(const RuleBook& book, const State& state, const Operation& op);

// The command that makes the same change as op again (create, edit, archive,
// restore or move of the same record, same fields), for redoing a change the
// server refused; nullopt for a type with no command.
std::optional<Command> command_of(const Operation& op);

// Normalises and checks one field value (trims text, canonicalises phone
// numbers and dates). Returns the value to store.
Result<Json> normalise_field(const struct FieldSpec& spec, const Json& value);

}  // namespace dh
