// The base model as data: which kinds of entity exist and what fields each has.
//
// Entities are created, edited, archived and restored by operations of type
// "<kind>.create", "<kind>.edit", "<kind>.archive", "<kind>.restore". The same
// table drives validation (commands.h), the generic forms in the UI, CSV
// import and the demo data, so a field is declared once.
//
// Field names are snake_case ASCII. Display labels are not here: the UI looks
// up "field.<kind>.<name>" in its string table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dh {

enum class FieldType {
  text,       // UTF-8 string, max_length in code points
  integer,    // whole number within [min, max]
  boolean,
  date,       // "YYYY-MM-DD", a real calendar date
  phone,      // mainland mobile (11 digits starting with 1) or landline "0883-1234567"
  choice,     // one of choices
  choices,    // a list of distinct values from choices
  ref,        // id of a live (not archived) entity of ref_kind
  text_list,  // list of short texts (each at most max_length)
};

// Extra shape rules for text and text_list fields.
enum class TextFormat {
  free,
  datetime,     // "YYYY-MM-DDTHH:MM", community-local (civil_time.h)
  time_of_day,  // "HH:MM"
  weekly_slot,  // "mon 09:00-12:00"
  date,         // "YYYY-MM-DD" (for date lists)
  field_level,  // "<field code>:<level 1..3>", e.g. "dispute_mediation:3" (expert.field_levels)
};

// What a device of a restricted role (kiosk, projector, voting_tablet)
// receives of a field in pulled operations (issue 8; applied by
// src/server/roles.h). An allow-list: a field nobody marked is not sent to
// those roles.
enum class Reveal : unsigned char {
  none,    // dropped from the operation
  full,    // as stored
  masked,  // by the field's type: text as a name (张*明), phone 138****5678,
           // date as its year (YYYY-12-31, so an age is never overstated)
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::text;
  bool required = false;
  int max_length = 64;                 // text, text_list items
  long long min = 0, max = 0;          // integer
  std::vector<std::string> choices;    // choice, choices
  std::string ref_kind;                // ref
  bool personal = false;               // personal detail (phone, address); what kiosks and projectors get: below
  TextFormat format = TextFormat::free;  // text, text_list items
  bool written_by_app = false;         // written by the app's own steps (a poll's published result), never typed
  // Per-role visibility (the allow-list table in schema.cpp sets these).
  Reveal kiosk = Reveal::none;
  Reveal projector = Reveal::none;
  Reveal voting_tablet = Reveal::none;  // the deliberation room's voting tablets (issue 11)
};

struct KindSpec {
  std::string kind;                    // e.g. "household"
  std::vector<FieldSpec> fields;
  // Field shown as the entity's name in lists. When it is a ref (volunteer ->
  // resident) the list shows the referenced entity's own title.
  std::string title_field;
  // Records about residents' troubles (the talent pool's requests): no
  // operation of this kind is sent to kiosk or projector devices at all, not
  // even reduced (src/server/roles.cpp withheld_from_role).
  bool withheld_from_restricted_roles = false;

  const FieldSpec* field(std::string_view name) const;
  // True when some field of this kind reaches role's devices (always for
  // roles that read everything). A voting tablet receives no operation at
  // all of a kind it reads nothing of (src/server/roles.cpp).
  bool any_field_for(std::string_view role) const;
};

// All kinds, in a stable order: the base model (grid, micro_grid, station,
// household, resident, squad, volunteer_group, volunteer, expert, trainee),
// then volunteering (shift_template, shift, signup, hours_adjustment).
const std::vector<KindSpec>& all_kinds();
const KindSpec* find_kind(std::string_view kind);

// What role's devices receive of f: kiosk, projector and voting_tablet read
// f.kiosk, f.projector and f.voting_tablet; every other role (staff devices,
// open access) reads all.
Reveal reveal_to(const FieldSpec& f, std::string_view role);
bool role_reads_allow_list(std::string_view role);

// "household.create" -> kind "household", verb "create". False if malformed.
bool split_type(std::string_view type, std::string* kind, std::string* verb);

}  // namespace dh
