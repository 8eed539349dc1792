// The string tables: both languages have the same keys, every kind, field and
// choice of the schema is labelled, and nothing shown in Chinese is empty.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <vector>
#include <string>

#include "core/schema.h"
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
