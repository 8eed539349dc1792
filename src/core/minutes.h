// Meeting exports (issue 11, docs/exports.md "Meetings"): the minutes as a
// printable page (HTML) and as a document a secretary files (RTF, which Word,
// WPS and LibreOffice open), the published results as CSV (UTF-8 with BOM,
// core/exchange.h's CSV rules), and a page of ballot cards to print. Pure
// functions of the State; labels bilingual (zh-CN, English) like the other
// printable pages. Nothing here names who voted what: results come from the
// published tally only, and a secret poll's ballots are never listed.
#pragma once

#include <string>
#include <vector>

#include "core/exchange.h"  // Lang
#include "core/state.h"

namespace dh::deliberation {

std::string minutes_html(const State& state, const std::string& meeting_id);
std::string minutes_rtf(const State& state, const std::string& meeting_id);
// One row per option of every published poll of the meeting.
std::string results_csv(const State& state, const std::string& meeting_id, Lang lang = Lang::zh);
// Cards to cut out, one code each (the codes are not in the log; the caller
// made them with new_ballot_card and passes them here once).
std::string ballot_cards_html(const State& state, const std::string& meeting_id, const std::vector<std::string>& codes);

// RTF text of UTF-8 (non-ASCII as \uN? escapes, UTF-16 surrogates for the rest).
std::string rtf_escape(const std::string& utf8);

}  // namespace dh::deliberation
