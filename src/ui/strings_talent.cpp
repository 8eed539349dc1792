// Words of one feature: Talent pool, residents' requests and matching (issue 10).
// zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
};

const std::vector<StringEntry> kEn = {
};

}  // namespace

const std::vector<StringEntry>& talent_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
