// Pure logic behind the generic record forms and lists (no ImGui, no I/O), so
// it is tested natively in tests/ui/form_test.cpp.
//
// An EditBuffer is what a person is typing for one record: it is owned by the
// view state, filled from the State once (load_buffer) and then never reloaded
// from the State while the person is editing. build_command() turns it into a
// Command: for a new record every non-empty field, for an existing record only
// the fields whose value differs from what was loaded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands.h"
#include "core/schema.h"
#include "core/state.h"

namespace dh::ui {

struct FieldBuffer {
  std::string text;                // text, phone, date, integer as typed, choice value, ref id, text_list lines
  bool flag = false;               // boolean
  std::vector<std::string> picks;  // choices (any order; the core canonicalises)
};

struct EditBuffer {
  std::string kind;
  std::string id;                         // empty: a new record
  std::map<std::string, FieldBuffer> fields;
  std::map<std::string, Json> baseline;   // canonical value per field as loaded
  std::string version;                    // entity_version() when loaded
  bool touched = false;                   // the person changed something since loading
};

// The day year-less typed dates are read near ("12月2日", core/typed_when.h):
// today, in days since 1970-01-01. Process-wide like the language; the
// Workbench sets it every frame from the app's clock.
void set_form_today(int64_t days);
int64_t form_today();

// A stored date and time shows as typed, "2026-12-02 09:00" (no "T").
FieldBuffer to_buffer(const FieldSpec& spec, const Json& value);
// The value the buffer asks for, canonical where the core can make it so
// (null when empty; an unparseable integer stays a string so validation names
// it). Dates and date-and-times are read in every typed form core/typed_when.h
// accepts and stored as "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM"; a time of day
// "9:00" is stored "09:00".
Json from_buffer(const FieldSpec& spec, const FieldBuffer& buffer);

EditBuffer load_buffer(const KindSpec& kind, const Entity* entity);

// A short string that changes whenever any field of the entity changes.
std::string entity_version(const Entity& entity);

// Problem with one field as typed, in plain words of the current language, or
// "" when fine. Checks required, the core's field rules and live references.
std::string field_problem(const State& state, const KindSpec& kind, const FieldSpec& spec, const FieldBuffer& buffer);

// Fields whose value differs from the baseline (for a new record: every
// non-empty field), canonical values.
Json changed_fields(const KindSpec& kind, const EditBuffer& buffer);

// The command for the buffer, or nullopt when a field has a problem (then
// problems maps field name -> message) or nothing changed.
std::optional<Command> build_command(const State& state, const KindSpec& kind, const EditBuffer& buffer,
                                     std::map<std::string, std::string>* problems);

// The name shown for an entity: its title field; a ref title field shows the
// referenced entity's title. "" when unset.
std::string entity_title(const State& state, const Entity& entity);
// A field's value as text for lists and previews (choice labels, ref titles,
// yes/no, lists joined).
std::string display_value(const State& state, const FieldSpec& spec, const Json& value);
// Who made a change, in words: a person's name as typed on their device;
// "staff:<name>" as the name; the app's own authors ("demo", "kiosk",
// "projector", "voting_tablet", "hub", "server") in the UI's language.
std::string author_text(const std::string& author);


// One item of a list field as people read it: a date "2026年12月3日 周四", a
// weekly slot "周一 09:00–12:00"; other items as stored.
std::string list_item_text(const FieldSpec& spec, const std::string& item);

// ASCII-lower-cased copy (other bytes unchanged) for case-insensitive search.
std::string fold_case(std::string_view s);

// A row of a list: the entity and its title.
struct Row {
  const Entity* entity = nullptr;
  std::string title;
  std::string haystack;  // folded text searched by the filter
};

// The entities of one kind, filtered by a search text, cached: recomputed only
// when the State changed (applied_ops), or the kind, query or archived flag did.
class EntityList {
 public:
  const std::vector<const Row*>& get(const State& state, const std::string& kind, const std::string& query,
                                     bool include_archived);
  size_t total() const { return all_.size(); }
  void invalidate() { state_ = nullptr; }

 private:
  const State* state_ = nullptr;
  uint64_t applied_ = 0;
  std::string kind_;
  bool archived_ = false;
  std::string query_;
  std::vector<Row> all_;
  std::vector<const Row*> filtered_;
};

// Counts for the dashboard, straight from the State.
struct CommunityFigures {
  size_t households = 0, residents = 0, volunteers = 0, volunteer_households = 0, experts = 0, trainees = 0,
         stations = 0, halls = 0, grids = 0, micro_grids = 0, squads = 0, groups = 0;
};
CommunityFigures count_figures(const State& state);

}  // namespace dh::ui
