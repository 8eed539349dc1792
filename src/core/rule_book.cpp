#include "core/rule_book.h"

#include "core/state.h"

namespace dh {

Json merged_fields(const Entity* existing, const Json& changes) {
  Json out = Json::object();
  if (existing) {
    for (const auto& [name, fv] : existing->fields) out[name] = fv.value;
  }
  if (changes.is_object()) {
    for (auto it = changes.begin(); it != changes.end(); ++it) out[it.key()] = it.value();
  }
  return out;
}

std::string text_field(const Json& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

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
