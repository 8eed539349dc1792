#include <catch2/catch.hpp>

#include "core/commands.h"
#include "core/rule_book.h"
#include "core/schema.h"

using namespace dh;

namespace {

struct Fixture {
  State state;
  OpSource source;
  int64_t now = 1767225600000;
  Fixture() {
    source.device = "test";
    source.author = "staff:test";
  }
  Result<Operation> run(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now++);
    if (op) state.apply(op.value());
    return op;
  }
  std::string make(const std::string& kind, Json fields) {
    auto op = run(CreateEntity{kind, std::move(fields), ""});
    INFO((op ? std::string() : op.error().message));
    REQUIRE(op.ok());
    return op->payload["entity"].get<std::string>();
  }
  std::string error_code(const Command& cmd) {
    auto op = run(cmd);
    return op ? std::string("ok") : op.error().code;
  }
};

}  // namespace

TEST_CASE("Creating a record validates required fields and references", "[core][commands]") {
  Fixture f;
  CHECK(f.error_code(CreateEntity{"household", Json{{"address", "幸福里1栋"}}, ""}) == "missing_field");
  CHECK(f.error_code(CreateEntity{"household", Json{{"address", "幸福里1栋"}, {"grid", "grid-99"}}, ""}) ==
        "unknown_reference");
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  std::string hh = f.make("household", Json{{"address", "幸福里1栋1单元101室"}, {"grid", grid}});
  CHECK(f.state.find("household", hh) != nullptr);
  CHECK(f.error_code(CreateEntity{"resident", Json{{"name", "张三"}, {"household", hh}, {"shoe_size", 42}}, ""}) ==
        "unknown_field");
  CHECK(f.error_code(CreateEntity{"spaceship", Json::object(), ""}) == "unknown_type");
  // Archived references are refused.
  REQUIRE(f.run(ArchiveEntity{"grid", grid, "合并"}).ok());
  CHECK(f.error_code(CreateEntity{"household", Json{{"address", "幸福里2栋"}, {"grid", grid}}, ""}) ==
        "archived_reference");
}

TEST_CASE("Field values are normalised: trimmed text, canonical phones, real dates", "[core][commands]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "\u3000第一网格  "}, {"code", "DC-01"}});
  CHECK(f.state.find("grid", grid)->text("name") == "第一网格");
  std::string hh = f.make("household", Json{{"address", "幸福里"}, {"grid", grid}, {"phone", "+86 138-1234-5678"}});
  CHECK(f.state.find("household", hh)->text("phone") == "13812345678");
  CHECK(f.error_code(EditEntity{"household", hh, Json{{"phone", "12345"}}}) == "bad_phone");
  CHECK(f.error_code(EditEntity{"household", hh, Json{{"phone", "0883 6123456"}}}) == "ok");
  CHECK(f.state.find("household", hh)->text("phone") == "0883-6123456");
  std::string r = f.make("resident", Json{{"name", "李玥"}, {"household", hh}, {"birth_date", "2000-02-29"}});
  CHECK(f.error_code(EditEntity{"resident", r, Json{{"birth_date", "2001-02-29"}}}) == "bad_date");
  CHECK(f.error_code(EditEntity{"resident", r, Json{{"birth_date", "2001-13-01"}}}) == "bad_date");
  CHECK(f.error_code(EditEntity{"resident", r, Json{{"birth_date", "1 May 2001"}}}) == "bad_date");
  CHECK(f.error_code(EditEntity{"resident", r, Json{{"gender", "unknown"}}}) == "bad_choice");
  CHECK(f.error_code(EditEntity{"household", hh, Json{{"members", 99}}}) == "out_of_range");
  CHECK(f.error_code(EditEntity{"household", hh, Json{{"members", "4"}}}) == "ok");
  CHECK(f.state.find("household", hh)->get("members") == 4);
}

TEST_CASE("Text limits count characters, not bytes", "[core][commands]") {
  Fixture f;
  // 32 Chinese characters are 96 bytes but within a 32-character name.
  std::string name;
  for (int i = 0; i < 32; ++i) name += "滇";
  CHECK(f.error_code(CreateEntity{"grid", Json{{"name", name}, {"code", "A"}}, ""}) == "ok");
  CHECK(f.error_code(CreateEntity{"grid", Json{{"name", name + "红"}, {"code", "B"}}, ""}) == "too_long");
  CHECK(f.error_code(CreateEntity{"grid", Json{{"name", std::string("bad\x01", 4)}, {"code", "C"}}, ""}) == "bad_text");
  CHECK(f.error_code(CreateEntity{"grid", Json{{"name", std::string("\xff\xfe")}, {"code", "D"}}, ""}) == "bad_text");
}

TEST_CASE("Archive, restore and edits of archived records", "[core][commands]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  REQUIRE(f.run(ArchiveEntity{"grid", grid, "撤并"}).ok());
  CHECK(f.state.find("grid", grid)->archived());
  CHECK(f.state.count("grid") == 0);
  CHECK(f.state.count("grid", true) == 1);
  CHECK(f.error_code(EditEntity{"grid", grid, Json{{"name", "新名"}}}) == "archived");
  CHECK(f.error_code(ArchiveEntity{"grid", grid, ""}) == "archived");
  REQUIRE(f.run(RestoreEntity{"grid", grid}).ok());
  CHECK_FALSE(f.state.find("grid", grid)->archived());
  CHECK(f.error_code(RestoreEntity{"grid", grid}) == "not_archived");
  CHECK(f.error_code(EditEntity{"grid", "nope", Json{{"name", "x"}}}) == "not_found");
}

TEST_CASE("Required fields cannot be cleared; optional ones can", "[core][commands]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}, {"note", "x"}});
  CHECK(f.error_code(EditEntity{"grid", grid, Json{{"name", ""}}}) == "missing_field");
  CHECK(f.error_code(EditEntity{"grid", grid, Json{{"note", ""}}}) == "ok");
  CHECK(f.state.find("grid", grid)->get("note").is_null());
}

TEST_CASE("An edit records only the fields that change", "[core][commands]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  auto op = f.run(EditEntity{"grid", grid, Json{{"name", "第一网格"}, {"code", "DC-09"}}});
  REQUIRE(op.ok());
  CHECK(op->payload["fields"] == Json{{"code", "DC-09"}});
  CHECK(f.error_code(EditEntity{"grid", grid, Json{{"name", "第一网格"}}}) == "nothing_to_change");
}

TEST_CASE("A failed command leaves the device's sequence and clock untouched", "[core][commands]") {
  Fixture f;
  const auto seq = f.source.next_seq;
  const auto last = f.source.clock.last();
  CHECK(f.error_code(CreateEntity{"grid", Json{{"name", "x"}}, ""}) == "missing_field");
  CHECK(f.source.next_seq == seq);
  CHECK(f.source.clock.last() == last);
  auto op = f.run(CreateEntity{"grid", Json{{"name", "x"}, {"code", "y"}}, ""});
  REQUIRE(op.ok());
  CHECK(op->id == OpId{"test", seq});
  CHECK(op->payload["entity"] == op->id.to_string());
}

TEST_CASE("The server-side rule book rejects tampered operations", "[core][commands]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  Operation op;
  op.id = OpId{"evil", 1};
  op.hlc = Hlc{1, 0};
  op.author = "x";
  op.type = "grid.edit";
  op.payload = Json{{"entity", grid}, {"fields", {{"name", "  spaced  "}}}};
  CHECK(validate_operation(f.state, op).error().code == "not_canonical");
  op.payload = Json{{"entity", grid}, {"fields", {{"name", "ok"}}}, {"sneaky", 1}};
  CHECK(validate_operation(f.state, op).error().code == "malformed_payload");
  op.type = "grid.explode";
  op.payload = Json{{"entity", grid}};
  CHECK(validate_operation(f.state, op).error().code == "unknown_type");
  op.type = "grid.create";
  op.payload = Json{{"entity", grid}, {"fields", {{"name", "dup"}, {"code", "X"}}}};
  CHECK(validate_operation(f.state, op).error().code == "already_exists");
}

TEST_CASE("A feature's rules come from the rule book it registers in", "[core][commands][rule_book]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  Operation op;
  op.id = OpId{"other", 1};
  op.hlc = Hlc{1, 0};
  op.author = "x";
  op.type = "grid.edit";
  op.payload = Json{{"entity", grid}, {"fields", {{"name", "新名字"}}}};
  REQUIRE(validate_operation(f.state, op).ok());

  // A rule added for grid.edit runs after the generic checks and sees the op.
  RuleBook book;
  int calls = 0;
  book.add("grid", {"edit"}, [&](const RuleInput& in) -> Status {
    ++calls;
    CHECK(in.kind == "grid");
    CHECK(in.verb == "edit");
    CHECK(in.id == grid);
    REQUIRE(in.existing != nullptr);
    CHECK(in.existing->text("name") == "第一网格");
    if (in.changes.value("name", "") == "新名字") return make_error("name_taken", "test rule");
    return ok_status();
  });
  CHECK(book.rule_count("grid", "edit") == 1);
  CHECK(validate_operation(book, f.state, op).error().code == "name_taken");
  CHECK(calls == 1);
  // Generic checks come first: a non-canonical value never reaches the rule.
  op.payload["fields"]["name"] = "  spaced  ";
  CHECK(validate_operation(book, f.state, op).error().code == "not_canonical");
  CHECK(calls == 1);
  op.payload["fields"]["name"] = "别的名字";
  CHECK(validate_operation(book, f.state, op).ok());
  CHECK(calls == 2);

  // A verb exists only when a feature declares it.
  op.type = "grid.rename";
  op.payload = Json{{"entity", grid}, {"fields", {{"name", "第二网格"}}}};
  CHECK(validate_operation(book, f.state, op).error().code == "unknown_type");
  EditLikeVerb rename;
  rename.writable = {"name"};
  rename.required = {"name"};
  book.add_edit_like_verb("grid", "rename", rename);
  CHECK(validate_operation(book, f.state, op).ok());
  op.payload["fields"]["code"] = "DC-02";
  CHECK(validate_operation(book, f.state, op).error().code == "malformed_payload");
  op.payload["fields"] = Json::object();
  CHECK(validate_operation(book, f.state, op).error().code == "malformed_payload");
  op.payload = Json{{"entity", "grid-nope"}, {"fields", {{"name", "x"}}}};
  // Issue 15: a receiver keeps an edit-like operation of a record it has not
  // seen created (the fields wait on it); before, this was "not_found", which
  // made the verdict depend on arrival order. The device's own commands still
  // need the record (validate_own_operation).
  CHECK(validate_operation(book, f.state, op).ok());
  CHECK(validate_own_operation(f.state, Operation{op.id, op.hlc, op.author, "grid.edit", op.payload}).error().code ==
        "not_found");

  // The default book holds the volunteering and check-in rules; an empty one none.
  CHECK(rule_book().rule_count("shift", "create") == 2);  // check-in key, then the shift's times
  CHECK(rule_book().rule_count("signup", "move") == 1);
  CHECK(rule_book().edit_like_verb("signup", "move") != nullptr);
  CHECK(rule_book().rule_count("grid", "edit") == 0);
  op.type = "signup.move";
  CHECK(validate_operation(RuleBook{}, f.state, op).error().code == "unknown_type");
}

TEST_CASE("Receivers do not refuse by a record's archived flag; this device's own commands do", "[core][commands][concurrent]") {
  Fixture f;
  std::string grid = f.make("grid", Json{{"name", "第一网格"}, {"code", "DC-01"}});
  std::string hh = f.make("household", Json{{"address", "幸福里1栋"}, {"grid", grid}});
  State live = f.state;
  REQUIRE(f.run(ArchiveEntity{"grid", grid, "撤并"}).ok());
  auto op_of = [&](const std::string& type, Json payload) {
    Operation op;
    op.id = OpId{"other", 1};
    op.hlc = Hlc{1767225600000, 0};
    op.author = "staff:other";
    op.type = type;
    op.payload = std::move(payload);
    return op;
  };
  const Operation edit = op_of("grid.edit", {{"entity", grid}, {"fields", {{"name", "新名"}}}});
  const Operation archive = op_of("grid.archive", {{"entity", grid}});
  const Operation restore_live = op_of("grid.restore", {{"entity", grid}});
  const Operation moved_in = op_of("household.edit", {{"entity", hh}, {"fields", {{"grid", grid}}}});
  // Made on a device that had not seen the archive: every receiver keeps them.
  CHECK(validate_operation(f.state, edit).ok());
  CHECK(validate_operation(f.state, archive).ok());
  CHECK(validate_operation(live, restore_live).ok());
  CHECK(validate_operation(f.state, op_of("household.create", {{"entity", "h2"}, {"fields", {{"address", "幸福里2栋"}, {"grid", grid}}}})).ok());
  // The device's own commands still see what the person sees.
  CHECK(validate_own_operation(f.state, edit).error().code == "archived");
  CHECK(validate_own_operation(f.state, archive).error().code == "archived");
  CHECK(validate_own_operation(live, restore_live).error().code == "not_archived");
  CHECK(validate_own_operation(f.state, moved_in).error().code == "archived_reference");
  CHECK(validate_operation(f.state, moved_in).ok());
  // Existence is grow-only, so a reference must still name a record that exists.
  CHECK(validate_operation(f.state, op_of("household.create", {{"entity", "h3"}, {"fields", {{"address", "x"}, {"grid", "nope"}}}})).error().code ==
        "unknown_reference");
  // The field checks hold for an operation of a record not created here yet.
  CHECK(validate_operation(f.state, op_of("grid.edit", {{"entity", "g-later"}, {"fields", {{"name", "x"}}}})).ok());
  CHECK(validate_operation(f.state, op_of("grid.edit", {{"entity", "g-later"}, {"fields", {{"name", ""}}}})).error().code ==
        "missing_field");
}

TEST_CASE("command_of makes the same change again", "[core][commands]") {
  Fixture f;
  auto created = f.run(CreateEntity{"grid", Json{{"name", "第一网格"}, {"code", "DC-01"}}, ""});
  REQUIRE(created.ok());
  auto cmd = command_of(created.value());
  REQUIRE(cmd.has_value());
  const auto* c = std::get_if<CreateEntity>(&*cmd);
  REQUIRE(c != nullptr);
  CHECK(c->kind == "grid");
  CHECK(c->id == created->payload["entity"]);
  CHECK(c->fields == created->payload["fields"]);
  auto archived = f.run(ArchiveEntity{"grid", c->id, "撤并"});
  REQUIRE(archived.ok());
  const auto again = command_of(archived.value());
  REQUIRE(again.has_value());
  CHECK(std::get<ArchiveEntity>(*again).reason == "撤并");
  Operation unknown = archived.value();
  unknown.type = "grid.rename";
  CHECK_FALSE(command_of(unknown).has_value());
}
