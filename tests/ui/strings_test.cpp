// The string tables: both languages have the same keys, every kind, field and
// choice of the schema is labelled, and nothing shown in Chinese is empty.
#include <catch2/catch.hpp>

#include <cctype>
#include <map>
#include <set>
#include <vector>
#include <string>

#include "core/scheduler.h"
#include "core/schema.h"
#include "ui/sched_text.h"
#include "ui/strings.h"

using namespace dh;
using namespace dh::ui;

namespace {

std::set<std::string> keys_of(Language lang) {
  std::set<std::string> keys;
  for (const auto& e : string_table(lang)) keys.insert(e.key);
  return keys;
}

// Restores the process-wide language after a test that changes it.
struct LanguageGuard {
  Language saved = current_language();
  ~LanguageGuard() { set_current_language(saved); }
};

}  // namespace

TEST_CASE("every zh-CN key exists in English and vice versa", "[ui][strings]") {
  const auto zh = keys_of(Language::zh_CN);
  const auto en = keys_of(Language::en);
  for (const auto& k : zh) {
    INFO("key missing in en: " << k);
    CHECK(en.count(k) == 1);
  }
  for (const auto& k : en) {
    INFO("key missing in zh-CN: " << k);
    CHECK(zh.count(k) == 1);
  }
}

TEST_CASE("no key is declared twice in a table", "[ui][strings]") {
  for (Language lang : {Language::zh_CN, Language::en}) {
    std::set<std::string> seen;
    for (const auto& e : string_table(lang)) {
      INFO("duplicate key: " << e.key);
      CHECK(seen.insert(e.key).second);
    }
  }
}

TEST_CASE("no zh-CN or English string is empty and keys are plain ASCII", "[ui][strings]") {
  for (Language lang : {Language::zh_CN, Language::en}) {
    for (const auto& e : string_table(lang)) {
      INFO("key: " << e.key);
      REQUIRE(e.text != nullptr);
      CHECK(std::string(e.text).size() > 0);
      for (char c : std::string(e.key)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        CHECK(ok);
      }
    }
  }
}

TEST_CASE("every kind, field and choice of the schema has a label in both languages", "[ui][strings]") {
  for (Language lang : {Language::zh_CN, Language::en}) {
    for (const auto& kind : all_kinds()) {
      INFO("kind: " << kind.kind);
      CHECK(find_text(lang, "kind." + kind.kind) != nullptr);
      for (const auto& f : kind.fields) {
        INFO("field: " << kind.kind << "." << f.name);
        CHECK(find_text(lang, "field." + kind.kind + "." + f.name) != nullptr);
        for (const auto& c : f.choices) {
          INFO("choice: " << f.name << "." << c);
          CHECK(find_text(lang, "choice." + f.name + "." + c) != nullptr);
        }
      }
    }
  }
}

TEST_CASE("a field name with choices means the same choices in every kind", "[ui][strings]") {
  // Choice labels are keyed by field name only, so two kinds must not use one
  // field name for different choice lists.
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& kind : all_kinds())
    for (const auto& f : kind.fields) {
      if (f.choices.empty()) continue;
      auto [it, fresh] = seen.emplace(f.name, f.choices);
      INFO("field: " << f.name);
      if (!fresh) CHECK(it->second == f.choices);
    }
}

TEST_CASE("Chinese labels are Chinese and English labels are not", "[ui][strings]") {
  LanguageGuard guard;
  set_current_language(Language::zh_CN);
  CHECK(std::string(tr("nav.kiosk")) == "志愿报名");
  CHECK(std::string(tr("status.saved")) == "已保存到本设备");
  CHECK(kind_label("resident") == "居民");
  CHECK(field_label("household", "address") == "住址");
  CHECK(choice_label("gender", "female") == "女");
  set_current_language(Language::en);
  CHECK(std::string(tr("status.saved")) == "Saved on this device");
  CHECK(choice_label("gender", "female") == "Female");
  for (const auto& e : string_table(Language::en)) {
    if (std::string(e.key) == "settings.lang_zh") continue;  // the name of the language, in itself
    INFO("English text has CJK characters: " << e.key);
    // CJK Unified Ideographs are encoded with lead byte 0xE4..0xE9 in UTF-8.
    bool cjk = false;
    for (unsigned char c : std::string(e.text)) cjk = cjk || (c >= 0xE4 && c <= 0xE9);
    CHECK_FALSE(cjk);
  }
}

TEST_CASE("tr falls back to the other language, then to the key", "[ui][strings]") {
  LanguageGuard guard;
  set_current_language(Language::en);
  CHECK(std::string(tr("no.such.key")) == "no.such.key");
  CHECK(choice_label("gender", "unknown_value") == "unknown_value");
}

TEST_CASE("trf fills placeholders, label appends a stable id", "[ui][strings]") {
  LanguageGuard guard;
  set_current_language(Language::zh_CN);
  CHECK(trf("status.ops", {"42"}) == "操作：42 条");
  CHECK(trf("records.count_filtered", {"3", "3058"}) == "找到 3 条（共 3058 条）");
  CHECK(label("records.save", "save") == "保存##save");
  set_current_language(Language::en);
  CHECK(label("records.save", "save") == "Save##save");
}

TEST_CASE("core error codes are translated; unknown codes keep the core's message", "[ui][strings]") {
  LanguageGuard guard;
  set_current_language(Language::zh_CN);
  CHECK(error_text("bad_phone", "The field \"phone\" must be ...") == tr("error.bad_phone"));
  CHECK(error_text("something_new", "Plain words from the core.") == "Plain words from the core.");
  set_current_language(Language::en);
  CHECK(error_text("bad_phone", "The field \"phone\" must be ...") == "The field \"phone\" must be ...");
}

TEST_CASE("every auto-scheduler reason code has zh-CN and English words", "[ui][strings][scheduler]") {
  // Every placeholder of a text must be a parameter the code carries.
  auto placeholders = [](const std::string& text) {
    std::set<std::string> out;
    for (size_t a = text.find('{'); a != std::string::npos; a = text.find('{', a + 1)) {
      size_t b = text.find('}', a);
      if (b != std::string::npos) out.insert(text.substr(a + 1, b - a - 1));
    }
    return out;
  };
  const std::map<std::string, std::set<std::string>> why_params = {
      {"fairness_alone", {"hours"}},
      {"fairness_others", {"hours", "others", "low", "high"}},
      {"fairness_others_fewer", {"hours", "others", "low", "high", "fewer"}},
      {"preference", {}},
      {"continuity", {"count"}},
      {"nearness", {}}};
  const std::map<std::string, std::set<std::string>> unfilled_params = {
      {"no_skill", {"skills"}}, {"skilled_not_free", {"skills", "qualified"}}, {"not_free", {"volunteers"}}};
  for (Language lang : {Language::zh_CN, Language::en}) {
    for (const auto& code : scheduler_why_codes()) {
      INFO("sched.why." << code);
      const char* t = find_text(lang, "sched.why." + code);
      REQUIRE(t != nullptr);
      REQUIRE(why_params.count(code) == 1);
      CHECK(placeholders(t) == why_params.at(code));
    }
    for (const auto& code : scheduler_unfilled_codes()) {
      INFO("sched.unfilled." << code);
      const char* t = find_text(lang, "sched.unfilled." + code);
      REQUIRE(t != nullptr);
      REQUIRE(unfilled_params.count(code) == 1);
      CHECK(placeholders(t) == unfilled_params.at(code));
    }
    for (const auto& code : scheduler_rule_codes()) {
      INFO("sched.rule." << code);
      const char* t = find_text(lang, "sched.rule." + code);
      REQUIRE(t != nullptr);
      CHECK(placeholders(t) == std::set<std::string>{"count"});
    }
    for (const char* key : {"sched.why_sep", "sched.rule_sep", "sched.rule_end"}) CHECK(find_text(lang, key));
  }
  CHECK(scheduler_why_codes().size() == why_params.size());
  CHECK(scheduler_unfilled_codes().size() == unfilled_params.size());
  CHECK(scheduler_rule_codes().size() == 13);
}

TEST_CASE("auto-scheduler reasons read as sentences in each language", "[ui][strings][scheduler]") {
  const SchedReason fair{"fairness_others_fewer",
                         {{"hours", "2.0"}, {"others", "34"}, {"low", "0.0"}, {"high", "4.0"}, {"fewer", "3"}}};
  CHECK(sched_why_text(Language::en, fair) ==
        "fairness: 2.0 h in the range without this shift; the 34 other qualified volunteers free then have 0.0 h to "
        "4.0 h; 3 of them have fewer hours, but the other goals weighed more");
  CHECK(sched_why_text(Language::zh_CN, fair) ==
        "公平：不算这个班次，区间内已服务2.0小时；这时有空的其他34位符合条件的志愿者已服务0.0到4.0小时；其中3位时长更少，"
        "但其他目标更重要");
  const std::vector<SchedReason> why = {{"fairness_alone", {{"hours", "0.0"}}}, {"preference", {}}};
  CHECK(sched_why_text(Language::en, why) ==
        "fairness: 0.0 h in the range without this shift; nobody else qualified was free for it; "
        "preference: this is the volunteer's preferred station");
  CHECK(sched_why_text(Language::zh_CN, why).find("；偏好：") != std::string::npos);

  UnfilledPlace u;
  u.reason = {"skilled_not_free", {{"skills", "first_aid,tea"}, {"qualified", "320"}}};
  u.reason_rules = {{"not_available", 200}, {"overlap", 80}};
  CHECK(sched_unfilled_text(Language::en, u) ==
        "No volunteer with skill First aid, Tea is free at that time: of the 320 who have it, 200 are not "
        "available at that time; 80 are on an overlapping shift.");
  const std::string zh = sched_unfilled_text(Language::zh_CN, u);
  CHECK(zh == "具备所需技能（急救、茶艺）的志愿者这时都没空：这320人中，200人这个时段不可服务；80人在时间重叠的班次上。");
  // No English inside the Chinese line.
  for (unsigned char c : zh) CHECK_FALSE(std::isalpha(c));

  UnfilledPlace none;
  none.reason = {"no_skill", {{"skills", "legal"}}};
  CHECK(sched_unfilled_text(Language::zh_CN, none) == "没有志愿者具备所需技能（法律）。");
  CHECK(sched_unfilled_text(Language::en, none).find("No volunteer has the skill ") == 0);

  // The CLI's words: proposal_to_json with the English table.
  Proposal p;
  p.unfilled.push_back(u);
  p.assignments.push_back({"s1", "v1", why});
  const Json j = proposal_to_json(p, sched_reason_text(Language::en));
  CHECK(j["unfilled"][0]["reason"]["text"] == sched_unfilled_text(Language::en, u));
  CHECK(j["assignments"][0]["why"][1]["text"] == "preference: this is the volunteer's preferred station");
}
