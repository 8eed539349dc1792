// The rule book: the checks an operation must pass beyond its shape.
//
// validate_operation() (commands.h) does the generic checks every kind shares:
// a known "<kind>.<verb>", the payload's keys, field types, limits and
// canonical form (schema.h), references to live entities, existence and
// archived state. Then it asks the RuleBook for the rules of that kind and
// verb. Each feature file registers its own rules and any extra verb through
// one function, e.g. register_volunteering_rules(RuleBook&) (volunteering.h);
// rules.cpp calls every one of them to build the default book, so a new kind
// adds a file and one line there, not a branch in commands.cpp.
//
// Contracts
// - Rules of one kind.verb run in the order they were added; the first error
//   is the operation's error. A kind.verb with no rule passes.
// - A rule reads the State and the operation only; it never changes anything.
// - The book is built once (first use) and is read-only afterwards, so it may
//   be shared between threads.
// - Explicit registration, no static initialisers: a static library drops an
//   object file nobody references, and the order of static initialisers
//   across files is unspecified.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/operation.h"
#include "core/result.h"
#include "core/state.h"

namespace dh {

struct Entity;

// Helpers every feature's rules use (volunteering.cpp, talent.cpp):
// the entity's fields as they would be after an operation's fields apply,
// and a text field of such a set ("" when absent or not text).
Json merged_fields(const Entity* existing, const Json& changes);
std::string text_field(const Json& fields, const char* name);

// What a rule sees. `existing` is the entity as it is now (nullptr when it
// does not exist); `changes` is the payload's "fields" (an empty object when
// the operation has none).
struct RuleInput {
  const State& state;
  const Operation& op;
  const std::string& kind;
  const std::string& verb;
  const std::string& id;
  const Entity* existing;
  const Json& changes;
};

using Rule = std::function<Status(const RuleInput&)>;

// A verb beyond create/edit/archive/restore that rewrites some fields of a
// live entity, like an edit (e.g. "signup.move"). validate_operation checks
// its shape: the payload carries exactly "entity" and "fields"; the fields are
// among `writable` and include every `required`; the entity exists and is not
// archived; the values pass the generic field checks. The messages say these
// in the feature's own words (`not_writable` is followed by the field name).
struct EditLikeVerb {
  std::vector<std::string> writable;
  std::vector<std::string> required;
  std::string malformed = "The operation carries exactly \"entity\" and \"fields\".";
  std::string not_writable = "The operation cannot change the field";
  std::string missing = "The operation lacks a field it needs.";
  std::string archived = "This record is archived.";
};

class RuleBook {
 public:
  // Adds a rule for each kind.verb in verbs.
  void add(const std::string& kind, std::initializer_list<const char*> verbs, Rule rule);
  // Declares kind.verb as an edit-like verb (see EditLikeVerb). Its semantic
  // rules are added with add() like any other.
  void add_edit_like_verb(const std::string& kind, const std::string& verb, EditLikeVerb shape);

  // Runs the rules of in.kind.in.verb; ok when there are none.
  Status check(const RuleInput& in) const;
  // The shape of an edit-like verb; nullptr when kind.verb is not one.
  const EditLikeVerb* edit_like_verb(const std::string& kind, const std::string& verb) const;
  // How many rules kind.verb has (for tests and docs).
  size_t rule_count(const std::string& kind, const std::string& verb) const;

 private:
  std::map<std::pair<std::string, std::string>, std::vector<Rule>> rules_;
  std::map<std::pair<std::string, std::string>, EditLikeVerb> verbs_;
};

// The default rule book with every feature's rules (rules.cpp: the one place
// that lists the feature files' register functions). Built on first use.
const RuleBook& rule_book();

}  // namespace dh
