#include "ui/sched_text.h"

namespace dh::ui {

namespace {

// The text of key in lang; the other language, then the key, when missing.
std::string text_of(Language lang, const std::string& key) {
  if (const char* t = find_text(lang, key)) return t;
  if (const char* t = find_text(lang == Language::en ? Language::zh_CN : Language::en, key)) return t;
  return key;
}

std::string skills_text(Language lang, const std::string& codes) {
  std::string out;
  size_t b = 0;
  while (b <= codes.size()) {
    size_t e = codes.find(',', b);
    if (e == std::string::npos) e = codes.size();
    const std::string code = codes.substr(b, e - b);
    if (!code.empty()) {
      const char* label = find_text(lang, "choice.skills." + code);
      if (!out.empty()) out += lang == Language::en ? ", " : "、";
      out += label ? label : code;
    }
    b = e + 1;
  }
  return out;
}

// key's text with "{name}" replaced by each parameter.
std::string fill(Language lang, const std::string& key, const SchedReason& r) {
  std::string s = text_of(lang, key);
  for (const auto& [name, raw] : r.params) {
    const std::string value = name == "skills" ? skills_text(lang, raw) : raw;
    const std::string ph = "{" + name + "}";
    for (size_t at = s.find(ph); at != std::string::npos; at = s.find(ph, at + value.size())) s.replace(at, ph.size(), value);
  }
  return s;
}

}  // namespace

std::string sched_why_text(Language lang, const SchedReason& why) { return fill(lang, "sched.why." + why.code, why); }

std::string sched_why_text(Language lang, const std::vector<SchedReason>& why) {
  std::string out;
  for (const auto& w : why) out += (out.empty() ? "" : text_of(lang, "sched.why_sep")) + sched_why_text(lang, w);
  return out;
}

std::string sched_unfilled_text(Language lang, const SchedReason& reason,
                                const std::vector<std::pair<std::string, int>>& rules) {
  std::string out = fill(lang, "sched.unfilled." + reason.code, reason);
  if (rules.empty()) return out;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (i > 0) out += text_of(lang, "sched.rule_sep");
    out += fill(lang, "sched.rule." + rules[i].first, SchedReason{rules[i].first, {{"count", std::to_string(rules[i].second)}}});
  }
  return out + text_of(lang, "sched.rule_end");
}

std::string sched_unfilled_text(Language lang, const UnfilledPlace& u) {
  return sched_unfilled_text(lang, u.reason, u.reason_rules);
}

ReasonText sched_reason_text(Language lang) {
  return [lang](const SchedReason& r, const std::vector<std::pair<std::string, int>>* rules) {
    return rules ? sched_unfilled_text(lang, r, *rules) : sched_why_text(lang, r);
  };
}

}  // namespace dh::ui
