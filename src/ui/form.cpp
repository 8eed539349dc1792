#include "ui/form.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/civil_time.h"
#include "core/text.h"
#include "core/typed_when.h"
#include "ui/strings.h"
#include "ui/when_text.h"

namespace dh::ui {

namespace {

bool is_empty_value(const Json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty());
}

// The canonical form of a value as the core would store it; the value itself
// when the core rejects it (the problem is reported separately).
Json canonical(const FieldSpec& spec, const Json& v) {
  if (is_empty_value(v)) return nullptr;
  auto norm = normalise_field(spec, v);
  if (!norm) return v;
  if (is_empty_value(norm.value())) return nullptr;
  return norm.value();
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

int64_t g_form_today = days_from_civil(2026, 1, 1);

// "9:00" -> "09:00"; anything else as typed.
std::string padded_time(const std::string& t) {
  if (t.size() == 4 && t[1] == ':' && t[0] >= '0' && t[0] <= '9') return "0" + t;
  return t;
}

// A date (with_time false) or date and time as typed -> stored form; the text
// itself when it cannot be read (field_problem names the mistake).
std::string stored_when(const std::string& typed, bool with_time) {
  auto r = with_time ? typed_datetime(typed, g_form_today) : typed_date(typed, g_form_today);
  return r ? r.value() : typed;
}

bool is_datetime(const FieldSpec& spec) { return spec.type == FieldType::text && spec.format == TextFormat::datetime; }
bool is_date(const FieldSpec& spec) {
  return spec.type == FieldType::date || (spec.type == FieldType::text && spec.format == TextFormat::date);
}

}  // namespace

void set_form_today(int64_t days) { g_form_today = days; }
int64_t form_today() { return g_form_today; }

FieldBuffer to_buffer(const FieldSpec& spec, const Json& value) {
  FieldBuffer b;
  switch (spec.type) {
    case FieldType::boolean:
      b.flag = value.is_boolean() && value.get<bool>();
      break;
    case FieldType::integer:
      if (value.is_number_integer()) b.text = std::to_string(value.get<long long>());
      else if (value.is_string()) b.text = value.get<std::string>();
      break;
    case FieldType::choices:
      if (value.is_array())
        for (const auto& v : value)
          if (v.is_string()) b.picks.push_back(v.get<std::string>());
      break;
    case FieldType::text_list:
      if (value.is_array()) {
        std::vector<std::string> lines;
        for (const auto& v : value)
          if (v.is_string()) lines.push_back(v.get<std::string>());
        b.text = join(lines, "\n");
      }
      break;
    default:
      if (value.is_string()) b.text = is_datetime(spec) ? typed_form_of(value.get<std::string>()) : value.get<std::string>();
      break;
  }
  return b;
}

Json from_buffer(const FieldSpec& spec, const FieldBuffer& b) {
  switch (spec.type) {
    case FieldType::boolean:
      return Json(b.flag);
    case FieldType::integer: {
      std::string t = trim(b.text);
      if (t.empty()) return nullptr;
      bool neg = t[0] == '-';
      std::string digits = neg ? t.substr(1) : t;
      if (!digits.empty() && digits.size() < 16 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        long long v = std::stoll(digits);
        return Json(neg ? -v : v);
      }
      return Json(t);  // not a number: validation says so
    }
    case FieldType::choices: {
      if (b.picks.empty()) return nullptr;
      Json out = Json::array();
      for (const auto& c : spec.choices)  // schema order, each once
        if (std::find(b.picks.begin(), b.picks.end(), c) != b.picks.end()) out.push_back(c);
      for (const auto& p : b.picks)  // unknown values stay so validation names them
        if (std::find(spec.choices.begin(), spec.choices.end(), p) == spec.choices.end()) out.push_back(p);
      return out;
    }
    case FieldType::text_list: {
      Json out = Json::array();
      size_t start = 0;
      while (start <= b.text.size()) {
        size_t nl = b.text.find('\n', start);
        if (nl == std::string::npos) nl = b.text.size();
        std::string item = trim(b.text.substr(start, nl - start));
        if (!item.empty() && spec.format == TextFormat::date) item = stored_when(item, false);
        if (!item.empty()) out.push_back(item);
        start = nl + 1;
      }
      if (out.empty()) return nullptr;
      return out;
    }
    default: {
      const std::string t = trim(b.text);
      if (t.empty()) return nullptr;
      if (is_date(spec)) return Json(stored_when(t, false));
      if (is_datetime(spec)) return Json(stored_when(t, true));
      if (spec.type == FieldType::text && spec.format == TextFormat::time_of_day) return Json(padded_time(t));
      return Json(b.text);
    }
  }
}

EditBuffer load_buffer(const KindSpec& kind, const Entity* entity) {
  EditBuffer buf;
  buf.kind = kind.kind;
  for (const auto& spec : kind.fields) {
    const Json& v = entity ? entity->get(spec.name) : Json();
    FieldBuffer fb = to_buffer(spec, v.is_null() ? Json() : v);
    buf.baseline[spec.name] = canonical(spec, from_buffer(spec, fb));
    buf.fields[spec.name] = std::move(fb);
  }
  if (entity) {
    buf.id = entity->id;
    buf.version = entity_version(*entity);
  }
  return buf;
}

std::string entity_version(const Entity& entity) {
  Stamp max = entity.created_stamp();
  for (const auto& [name, fv] : entity.fields)
    if (max < fv.stamp()) max = fv.stamp();
  return max.hlc.to_string() + "/" + max.id().to_string() + "/" + std::to_string(entity.fields.size());
}

std::string field_problem(const State& state, const KindSpec& kind, const FieldSpec& spec, const FieldBuffer& buffer) {
  (void)kind;
  Json v = from_buffer(spec, buffer);
  if (spec.type == FieldType::boolean) return "";
  if (is_empty_value(v)) return spec.required ? tr("valid.required") : "";
  if (spec.type == FieldType::text_list && v.size() > 20) return tr("valid.too_many");
  // A typed date names its own mistake ("2月30日不存在").
  if (is_date(spec) || is_datetime(spec)) {
    auto r = is_datetime(spec) ? typed_datetime(trim(buffer.text), g_form_today) : typed_date(trim(buffer.text), g_form_today);
    if (!r) return when_problem_text(r.error());
  }
  if (spec.type == FieldType::text_list && spec.format == TextFormat::date)
    for (const auto& item : v)
      if (item.is_string() && !parse_date(item.get<std::string>())) {
        auto r = typed_date(item.get<std::string>(), g_form_today);
        if (!r) return when_problem_text(r.error());
      }
  auto norm = normalise_field(spec, v);
  if (!norm) {
    const std::string& code = norm.error().code;
    if (code == "too_long") return trf("valid.too_long", {std::to_string(spec.max_length)});
    if (code == "bad_date") return tr("valid.date");
    if (code == "bad_phone") return tr("valid.phone");
    if (code == "out_of_range") return trf("valid.range", {std::to_string(spec.min), std::to_string(spec.max)});
    if (code == "bad_text") return tr("valid.bad_text");
    if (code == "bad_choice" || code == "duplicate_choice") return tr("valid.choice");
    if (code == "wrong_type" && spec.type == FieldType::integer) return tr("valid.integer");
    if (code == "bad_format") {
      switch (spec.format) {
        case TextFormat::datetime: return tr("valid.format_datetime");
        case TextFormat::time_of_day: return tr("valid.format_time_of_day");
        case TextFormat::weekly_slot: return tr("valid.format_weekly_slot");
        case TextFormat::date: return tr("valid.format_date");
        case TextFormat::field_level: return tr("valid.format_field_level");
        case TextFormat::free: break;
      }
    }
    return error_text(code, norm.error().message);
  }
  if (is_empty_value(norm.value())) return spec.required ? tr("valid.required") : "";
  if (spec.type == FieldType::ref) {
    const Entity* target = state.find(spec.ref_kind, norm.value().get<std::string>());
    if (!target) return tr("valid.ref_missing");
    if (target->archived()) return tr("valid.ref_archived");
  }
  return "";
}

Json changed_fields(const KindSpec& kind, const EditBuffer& buffer) {
  Json out = Json::object();
  for (const auto& spec : kind.fields) {
    auto it = buffer.fields.find(spec.name);
    if (it == buffer.fields.end()) continue;
    Json now = canonical(spec, from_buffer(spec, it->second));
    if (buffer.id.empty()) {
      if (now.is_null() || (spec.type == FieldType::boolean && now == false)) continue;
      out[spec.name] = now;
      continue;
    }
    auto base = buffer.baseline.find(spec.name);
    Json before = base == buffer.baseline.end() ? Json() : base->second;
    // A boolean that was never set reads as "no": unchanged while still "no".
    if (spec.type == FieldType::boolean && before.is_null()) before = false;
    if (now != before) out[spec.name] = now;
  }
  return out;
}

std::optional<Command> build_command(const State& state, const KindSpec& kind, const EditBuffer& buffer,
                                     std::map<std::string, std::string>* problems) {
  std::map<std::string, std::string> found;
  const bool creating = buffer.id.empty();
  Json changes = changed_fields(kind, buffer);
  for (const auto& spec : kind.fields) {
    // An edit is judged only on what it changes; a create on every field.
    if (!creating && !changes.contains(spec.name)) continue;
    auto it = buffer.fields.find(spec.name);
    FieldBuffer empty;
    std::string p = field_problem(state, kind, spec, it == buffer.fields.end() ? empty : it->second);
    if (!p.empty()) found[spec.name] = p;
  }
  if (problems) *problems = found;
  if (!found.empty()) return std::nullopt;
  if (creating) return Command(CreateEntity{kind.kind, changes, ""});
  if (changes.empty()) return std::nullopt;
  return Command(EditEntity{kind.kind, buffer.id, changes});
}

std::string entity_title(const State& state, const Entity& entity) {
  const Entity* e = &entity;
  for (int depth = 0; depth < 4 && e; ++depth) {
    const KindSpec* kind = find_kind(e->kind);
    if (!kind) return "";
    const FieldSpec* spec = kind->field(kind->title_field);
    if (!spec) return "";
    const Json& v = e->get(spec->name);
    // In words: a choice's label, a date as people read it (never a code).
    if (spec->type != FieldType::ref) return display_value(state, *spec, v);
    if (!v.is_string()) return "";
    e = state.find(spec->ref_kind, v.get<std::string>());
  }
  return "";
}

std::string author_text(const std::string& author) {
  static const char* const kApp[] = {"demo", "kiosk", "projector", "voting_tablet", "hub", "server"};
  for (const char* a : kApp)
    if (author == a) return tr(std::string("author.") + a);
  if (author == "staff:demo") return tr("author.demo");
  if (author == "staff:local") return tr("author.local");
  if (author.rfind("staff:", 0) == 0 && author.size() > 6) return author.substr(6);
  return author;
}

std::string display_value(const State& state, const FieldSpec& spec, const Json& v) {
  if (v.is_null()) return "";
  if (spec.written_by_app) return tr("records.app_written");
  switch (spec.type) {
    case FieldType::boolean:
      return v.is_boolean() && v.get<bool>() ? tr("records.yes") : tr("records.no");
    case FieldType::integer:
      return v.is_number_integer() ? std::to_string(v.get<long long>()) : v.dump();
    case FieldType::choice:
      return v.is_string() ? choice_label(spec.name, v.get<std::string>()) : "";
    case FieldType::choices: {
      std::vector<std::string> parts;
      if (v.is_array())
        for (const auto& c : v)
          if (c.is_string()) parts.push_back(choice_label(spec.name, c.get<std::string>()));
      return join(parts, current_language() == Language::en ? ", " : "、");
    }
    case FieldType::text_list: {
      std::vector<std::string> parts;
      if (v.is_array())
        for (const auto& c : v)
          if (c.is_string()) parts.push_back(list_item_text(spec, c.get<std::string>()));
      return join(parts, current_language() == Language::en ? ", " : "、");
    }
    case FieldType::date:
      return v.is_string() ? date_field_text(v.get<std::string>()) : v.dump();
    case FieldType::ref: {
      if (!v.is_string()) return "";
      const Entity* target = state.find(spec.ref_kind, v.get<std::string>());
      if (!target) return trf("records.ref_missing", {v.get<std::string>()});
      std::string t = entity_title(state, *target);
      if (t.empty()) t = target->id;
      if (target->archived()) t += tr("records.ref_archived");
      return t;
    }
    default:
      if (!v.is_string()) return v.dump();
      if (is_datetime(spec)) return when_text(v.get<std::string>());
      if (spec.format == TextFormat::date) return date_field_text(v.get<std::string>());
      return v.get<std::string>();
  }
}

std::string list_item_text(const FieldSpec& spec, const std::string& item) {
  if (spec.format == TextFormat::date) return date_field_text(item);
  if (spec.format == TextFormat::weekly_slot) {
    if (auto slot = parse_weekly_slot(item)) return weekly_slot_text(*slot);
  }
  return item;
}

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const std::vector<const Row*>& EntityList::get(const State& state, const std::string& kind, const std::string& query,
                                               bool include_archived) {
  const bool rebuild = state_ != &state || applied_ != state.applied_ops() || kind_ != kind ||
                       archived_ != include_archived;
  if (rebuild) {
    state_ = &state;
    applied_ = state.applied_ops();
    kind_ = kind;
    archived_ = include_archived;
    all_.clear();
    const KindSpec* spec = find_kind(kind);
    for (const Entity* e : state.list(kind, include_archived)) {
      Row row;
      row.entity = e;
      row.title = entity_title(state, *e);
      std::string hay = e->id + "\n" + row.title;
      if (spec)
        for (const auto& f : spec->fields)
          if (f.type == FieldType::text || f.type == FieldType::phone) {
            const Json& v = e->get(f.name);
            if (v.is_string()) hay += "\n" + v.get<std::string>();
          }
      row.haystack = fold_case(hay);
      all_.push_back(std::move(row));
    }
  }
  if (rebuild || query != query_) {
    query_ = query;
    filtered_.clear();
    // Every word of the query (split on spaces) must occur.
    std::vector<std::string> words;
    std::string q = fold_case(query);
    size_t at = 0;
    while (at < q.size()) {
      size_t sp = q.find(' ', at);
      if (sp == std::string::npos) sp = q.size();
      if (sp > at) words.push_back(q.substr(at, sp - at));
      at = sp + 1;
    }
    for (const Row& r : all_) {
      bool ok = true;
      for (const auto& w : words)
        if (r.haystack.find(w) == std::string::npos) {
          ok = false;
          break;
        }
      if (ok) filtered_.push_back(&r);
    }
  }
  return filtered_;
}

CommunityFigures count_figures(const State& state) {
  CommunityFigures f;
  f.households = state.count("household");
  f.residents = state.count("resident");
  f.volunteers = state.count("volunteer");
  f.experts = state.count("expert");
  f.trainees = state.count("trainee");
  f.grids = state.count("grid");
  f.micro_grids = state.count("micro_grid");
  f.squads = state.count("squad");
  f.groups = state.count("volunteer_group");
  for (const Entity* s : state.list("station")) {
    if (s->text("station_type") == "hall") ++f.halls;
    else ++f.stations;
  }
  // Ids read in place (text_ref): this runs in a new device's first frame.
  std::unordered_set<std::string_view> households;
  for (const Entity* v : state.list("volunteer")) {
    const Entity* r = state.find("resident", v->text_ref("resident"));
    if (!r) continue;
    const Entity* h = state.find("household", r->text_ref("household"));
    if (h && h->live()) households.insert(h->id);
  }
  f.volunteer_households = households.size();
  return f;
}

}  // namespace dh::ui
