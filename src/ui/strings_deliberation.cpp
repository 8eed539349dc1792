// Words of one feature: Councils, meetings, motions, polls and the tally (issue 11).
// zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
};

const std::vector<StringEntry> kEn = {
};

}  // namespace

const std::vector<StringEntry>& deliberation_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
