#include "core/projection.h"

#include "core/rule_book.h"

namespace dh::projection {

namespace {

constexpr const char* kTypes[] = {"blank", "agenda", "motion", "speakers", "live_count", "result"};
constexpr size_t kMaxLines = 60;
constexpr size_t kMaxBars = 40;
constexpr size_t kMaxNotes = 12;

Error bad(const std::string& what) { return make_error("bad_slide", "The projected slide is not readable: " + what); }

}  // namespace

const char* slide_type_code(SlideType t) { return kTypes[static_cast<int>(t)]; }

std::optional<SlideType> slide_type_from_code(const std::string& code) {
  for (int i = 0; i < 6; ++i) {
    if (code == kTypes[i]) return static_cast<SlideType>(i);
  }
  return std::nullopt;
}

Json to_json(const Slide& slide) {
  const Slide s = redact_unpublished(slide);  // results only when published, whoever calls
  Json j = Json::object();
  j["type"] = slide_type_code(s.type);
  j["meeting"] = s.meeting_id;
  if (!s.ref.empty()) j["ref"] = s.ref;
  j["meeting_title"] = s.meeting_title;
  j["title"] = s.title;
  if (!s.subtitle.empty()) j["subtitle"] = s.subtitle;
  if (!s.lines.empty()) {
    Json lines = Json::array();
    for (const auto& l : s.lines) {
      Json o = {{"text", l.text}};
      if (l.current) o["current"] = true;
      if (l.done) o["done"] = true;
      lines.push_back(std::move(o));
    }
    j["lines"] = std::move(lines);
  }
  if (s.type == SlideType::speakers) {
    j["turn_started_ms"] = s.turn_started_ms;
    j["turn_seconds"] = s.turn_seconds;
  }
  if (s.type == SlideType::live_count || s.type == SlideType::result) {
    j["entitled"] = s.entitled;
    j["present"] = s.present;
    j["received"] = s.received;
    j["secret"] = s.secret;
  }
  if (s.type == SlideType::result) {
    j["published"] = s.published;
    j["cast"] = s.cast;
    j["valid"] = s.valid;
    Json bars = Json::array();
    for (const auto& b : s.bars) {
      Json o = {{"label", b.label}, {"count", b.count}};
      if (b.label_is_code) o["code"] = true;
      if (b.winner) o["winner"] = true;
      bars.push_back(std::move(o));
    }
    j["bars"] = std::move(bars);
    j["notes"] = s.notes;
  }
  return j;
}

Result<Slide> slide_from_json(const Json& j) {
  if (!j.is_object()) return bad("not an object");
  Slide s;
  auto str = [&](const char* key, std::string& out, bool required) -> bool {
    auto it = j.find(key);
    if (it == j.end()) return !required;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto num = [&](const char* key, auto& out) -> bool {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_number_integer()) return false;
    out = it->get<std::remove_reference_t<decltype(out)>>();
    return out >= 0;
  };
  std::string type;
  if (!str("type", type, true)) return bad("\"type\" is missing");
  auto t = slide_type_from_code(type);
  if (!t) return bad("unknown type \"" + type + "\"");
  s.type = *t;
  if (!str("meeting", s.meeting_id, true)) return bad("\"meeting\" is missing");
  if (!str("ref", s.ref, false)) return bad("\"ref\" must be text");
  if (!str("meeting_title", s.meeting_title, false)) return bad("\"meeting_title\" must be text");
  if (!str("title", s.title, false)) return bad("\"title\" must be text");
  if (!str("subtitle", s.subtitle, false)) return bad("\"subtitle\" must be text");
  if (auto it = j.find("lines"); it != j.end()) {
    if (!it->is_array() || it->size() > kMaxLines) return bad("\"lines\" must be a list of at most 60");
    for (const auto& l : *it) {
      if (!l.is_object() || !l.contains("text") || !l["text"].is_string()) return bad("a line has no text");
      Line line;
      line.text = l["text"].get<std::string>();
      line.current = l.value("current", false) == true;
      line.done = l.value("done", false) == true;
      s.lines.push_back(std::move(line));
    }
  }
  if (!num("turn_started_ms", s.turn_started_ms) || !num("turn_seconds", s.turn_seconds) ||
      !num("entitled", s.entitled) || !num("present", s.present) || !num("received", s.received) ||
      !num("cast", s.cast) || !num("valid", s.valid)) {
    return bad("a count is not a whole number of at least 0");
  }
  if (auto it = j.find("secret"); it != j.end()) s.secret = *it == true;
  if (auto it = j.find("published"); it != j.end()) s.published = *it == true;
  if (auto it = j.find("bars"); it != j.end()) {
    if (!it->is_array() || it->size() > kMaxBars) return bad("\"bars\" must be a list of at most 40");
    for (const auto& b : *it) {
      if (!b.is_object() || !b.contains("label") || !b["label"].is_string() || !b.contains("count") ||
          !b["count"].is_number_integer() || b["count"].get<long long>() < 0) {
        return bad("a bar needs a label and a count of at least 0");
      }
      Bar bar;
      bar.label = b["label"].get<std::string>();
      bar.count = b["count"].get<long long>();
      bar.label_is_code = b.value("code", false) == true;
      bar.winner = b.value("winner", false) == true;
      s.bars.push_back(std::move(bar));
    }
  }
  if (auto it = j.find("notes"); it != j.end()) {
    if (!it->is_array() || it->size() > kMaxNotes) return bad("\"notes\" must be a list of at most 12 codes");
    for (const auto& n : *it) {
      if (!n.is_string()) return bad("a note is not a code");
      s.notes.push_back(n.get<std::string>());
    }
  }
  return redact_unpublished(std::move(s));
}

Slide redact_unpublished(Slide s) {
  if (s.type == SlideType::result && !s.published) {
    s.bars.clear();
    s.notes.clear();
    s.cast = s.valid = 0;
  }
  if (s.type != SlideType::result) {
    s.bars.clear();
    s.published = false;
  }
  return s;
}

std::optional<Projection> current_projection(const State& state, const std::string& meeting_id) {
  std::optional<Projection> best;
  for (const Entity* e : state.list("projection")) {
    if (!meeting_id.empty() && e->text("meeting") != meeting_id) continue;
    auto it = e->fields.find("content");
    if (it == e->fields.end()) continue;
    if (best && !(best->stamp < it->second.stamp())) continue;
    Projection p;
    p.id = e->id;
    p.meeting_id = e->text("meeting");
    p.ref = e->text("ref");
    p.type = slide_type_from_code(e->text("slide")).value_or(SlideType::blank);
    p.stamp = it->second.stamp();
    if (it->second.value.is_string()) {
      Json j = Json::parse(it->second.value.get<std::string>(), nullptr, false);
      if (auto s = slide_from_json(j)) p.slide = std::move(s.value());
    }
    best = std::move(p);
  }
  return best;
}

Json projection_fields(const Slide& slide) {
  return Json{{"meeting", slide.meeting_id},
              {"slide", slide_type_code(slide.type)},
              {"ref", slide.ref},
              {"content", to_json(redact_unpublished(slide)).dump()}};
}

void register_projection_rules(RuleBook& book) {
  book.add("projection", {"create", "edit"}, [](const RuleInput& in) -> Status {
    auto field = [&](const char* name) -> std::string {
      if (in.changes.contains(name) && in.changes[name].is_string()) return in.changes[name].get<std::string>();
      return in.existing ? in.existing->text(name) : std::string();
    };
    const std::string content = field("content");
    if (content.empty()) return make_error("bad_slide", "A projection needs the slide's content.");
    Json j = Json::parse(content, nullptr, false);
    if (j.is_discarded()) return make_error("bad_slide", "The projected slide's content is not JSON.");
    auto slide = slide_from_json(j);
    if (!slide) return slide.error();
    if (slide->meeting_id != field("meeting")) {
      return make_error("bad_slide", "The projected slide belongs to another meeting than the projection.");
    }
    if (slide_type_code(slide->type) != field("slide")) {
      return make_error("bad_slide", "The projected slide's type differs from the projection's slide field.");
    }
    if (in.verb == "edit" && in.changes.contains("meeting") && in.existing &&
        in.changes["meeting"] != in.existing->get("meeting")) {
      return make_error("bad_slide", "A projection stays with its meeting; project into another meeting anew.");
    }
    return ok_status();
  });
}

}  // namespace dh::projection
