// UI string tables: one table per language, keyed by stable ASCII keys.
//
// Keys (all lower-case ASCII, dot-separated):
//   nav.<area>                  navigation entries
//   kind.<kind>                 a kind of record of the base model (schema.h)
//   field.<kind>.<field>        a field's label
//   choice.<field>.<value>      a value of a choice/choices field (field names
//                               with choices are unique across kinds)
//   error.<code>                translation of a core Error code (result.h)
//   valid.*, status.*, records.*, settings.*, home.*, area.* ...
//
// zh-CN is the default and the reference; English must have the same keys
// (tests/ui/strings_test.cpp checks both directions and that every kind, field
// and choice of all_kinds() is labelled). All Chinese UI text lives in
// src/ui so the build's font subset (which scans src/ui) covers it.
//
// tr() looks a key up in the current language, falls back to the other
// language, then to the key itself (never returns null). Not thread-safe: the
// current language is process-wide and set by the Workbench on the UI thread.
#pragma once

#include "ui/contract.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dh::ui {

enum class Language { zh_CN, en };

struct StringEntry {
  const char* key;
  const char* text;
};

// The table of a language, in declaration order: the shell's (strings.cpp),
// then each feature's.
const std::vector<StringEntry>& string_table(Language lang);

// Each feature's own words, one file each (strings_<feature>.cpp), so that
// features grow their tables without touching one shared file. Same key rules.
const std::vector<StringEntry>& talent_strings(Language lang);        // talent pool, requests, matching
const std::vector<StringEntry>& deliberation_strings(Language lang);  // councils, meetings, polls, tally
const std::vector<StringEntry>& projector_strings(Language lang);     // the projector view
const std::vector<StringEntry>& hall_strings(Language lang);          // hall, kiosk, dates, devices
const std::vector<StringEntry>& kiosk_strings(Language lang);         // the locked kiosk, staff PIN
const std::vector<StringEntry>& devices_strings(Language lang);       // roles' screens, 设备管理, voting tablet
const std::vector<StringEntry>& dates_strings(Language lang);         // dates, times, availability (strings_dates.cpp)
const std::vector<StringEntry>& code_strings(Language lang);          // core and server codes (strings_codes.cpp)
const std::vector<StringEntry>& live_strings(Language lang);          // status bar: sync state and times
// The text of key in lang, or nullptr when the table lacks it.
const char* find_text(Language lang, std::string_view key);

void set_current_language(Language lang);
Language current_language();

// Text of key in the current language (fallbacks as above).
const char* tr(std::string_view key);
// tr() with "{0}", "{1}", ... replaced by args.
std::string trf(std::string_view key, std::initializer_list<std::string> args);
// Visible text plus a stable ImGui id: "保存##save".
std::string label(std::string_view key, std::string_view id);

std::string kind_label(std::string_view kind);
std::string field_label(std::string_view kind, std::string_view field);
// Label of a choice value; the value itself when the table lacks it.
std::string choice_label(std::string_view field, std::string_view value);
// Plain words for a core error: the translation of error.<code> when there is
// one, else the error's own message.
std::string error_text(std::string_view code, std::string_view message);
// Plain words for a Problem (ui/contract.h): problem.<code> with {0}, {1}, ...
// replaced by its params, then its detail in brackets; the detail (or the
// code) alone when the table lacks the code.
std::string problem_text(const Problem& problem);

}  // namespace dh::ui
