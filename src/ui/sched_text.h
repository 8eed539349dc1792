// The auto-scheduler's reasons in words (core/scheduler.h returns codes with
// parameters). Keys: "sched.why.<code>", "sched.unfilled.<code>",
// "sched.rule.<code>" with "{name}" placeholders for the parameters, and the
// separators "sched.why_sep", "sched.rule_sep", "sched.rule_end". Hours get
// their unit from the text; skills are shown with their choice labels.
//
// Pure text, no ImGui: the CLI links it (dh_strings) to write the proposal's
// English words.
#pragma once

#include <string>
#include <vector>

#include "core/scheduler.h"
#include "ui/strings.h"

namespace dh::ui {

// One "why" term, and a whole list joined by the language's separator.
std::string sched_why_text(Language lang, const SchedReason& why);
std::string sched_why_text(Language lang, const std::vector<SchedReason>& why);
// An unfilled place's reason with the rules it lists.
std::string sched_unfilled_text(Language lang, const SchedReason& reason,
                                const std::vector<std::pair<std::string, int>>& rules);
std::string sched_unfilled_text(Language lang, const UnfilledPlace& u);
// For proposal_to_json: the words of a reason in lang.
ReasonText sched_reason_text(Language lang);

}  // namespace dh::ui
