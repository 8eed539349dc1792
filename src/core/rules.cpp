// The default rule book: the one place that lists every feature's rules
// (rule_book.h). A new feature file adds its register function here.
#include "core/checkin.h"
#include "core/rule_book.h"
#include "core/talent.h"
#include "core/volunteering.h"

namespace dh {

const RuleBook& rule_book() {
  static const RuleBook* book = [] {
    auto* b = new RuleBook();
    register_checkin_rules(*b);  // first: the QR key of a shift is checked before its times
    register_volunteering_rules(*b);
    register_talent_rules(*b);
    return b;
  }();
  return *book;
}

}  // namespace dh
