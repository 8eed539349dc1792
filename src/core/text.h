// Small text utilities shared by the core, the UI and the server, so each
// rule exists once. Pure functions, no I/O.
#pragma once

#include <string>

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

}  // namespace dh
