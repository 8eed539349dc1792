// Small text utilities shared by the core, the UI and the server, so each
// rule exists once. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace dh {

// Trims white space at both ends: ASCII space, tab, CR, LF, VT, FF and the
// ideographic space U+3000 (Chinese input methods and spreadsheets add it),
// in any mix.
std::string trim(const std::string& s);

// A phone number as people who may not see it whole are shown it (kiosk,
// rosters, masked pulls): the last 4 digits and where it is, no more.
//   mobile   "13812345678"  -> "138****5678"
//   landline "0883-6123456" -> "0883-***3456"  (area code kept)
//   other    digits except the first 3 and the last 4 become '*', other
//            characters are kept; with fewer than 8 digits every digit is '*'.
//   ""       -> ""
// Defined in phone_mask.cpp, its own object file (see the comment there).
std::string mask_phone(const std::string& phone);

// True when JSON text (nlohmann's dump without ensure_ascii, the form the
// state's hash and the canonical operations use) writes s as '"' + s + '"'
// unchanged: s is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF) with no control character (< 0x20), quote or
// backslash. Lets hot paths skip the escaping serializer for the common case;
// false only means "ask the serializer".
bool json_string_is_verbatim(std::string_view s);

}  // namespace dh
