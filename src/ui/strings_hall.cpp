// Words of one feature: The service hall, the kiosk, dates and devices (issue 12).
// zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
};

const std::vector<StringEntry> kEn = {
};

}  // namespace

const std::vector<StringEntry>& hall_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
