#include "core/rule_book.h"

namespace dh {

void RuleBook::add(const std::string& kind, std::initializer_list<const char*> verbs, Rule rule) {
  for (const char* verb : verbs) rules_[{kind, verb}].push_back(rule);
}

void RuleBook::add_edit_like_verb(const std::string& kind, const std::string& verb, EditLikeVerb shape) {
  verbs_[{kind, verb}] = std::move(shape);
}

Status RuleBook::check(const RuleInput& in) const {
  auto it = rules_.find({in.kind, in.verb});
  if (it == rules_.end()) return ok_status();
  for (const Rule& rule : it->second) {
    if (Status st = rule(in); !st) return st;
  }
  return ok_status();
}

const EditLikeVerb* RuleBook::edit_like_verb(const std::string& kind, const std::string& verb) const {
  auto it = verbs_.find({kind, verb});
  return it == verbs_.end() ? nullptr : &it->second;
}

size_t RuleBook::rule_count(const std::string& kind, const std::string& verb) const {
  auto it = rules_.find({kind, verb});
  return it == rules_.end() ? 0 : it->second.size();
}

}  // namespace dh
