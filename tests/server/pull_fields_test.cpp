// What kiosk and projector devices receive in pulls (issue 8): the per-role
// allow-list of the schema table (core/schema.h Reveal), applied by
// roles.h fields_for_role. Unit tests on operations and on a kiosk's replica
// of the demo data, and the real server's pull answers.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/checkin.h"
#include "core/commands.h"
#include "core/demo.h"
#include "core/exchange.h"
#include "core/schema.h"
#include "core/state.h"
#include "core/text.h"
#include "server/roles.h"
#include "pull_log.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

Operation op_of(const std::string& id, const std::string& type, Json payload) {
  Operation op;
  op.id = *OpId::parse(id);
  op.hlc = Hlc{1780000000000, 0};
  op.author = "staff:test";
  op.type = type;
  op.payload = std::move(payload);
  return op;
}

const Json resident_fields = {{"name", "张三明"},     {"household", "hh-1"},   {"gender", "male"},
                              {"birth_date", "1990-04-05"}, {"phone", "13812345678"}, {"relation", "head"},
                              {"ethnicity", "yi"},     {"note", "低保 糖尿病"}};

}  // namespace

TEST_CASE("pull fields: each role gets its allow-list of a resident, household and shift",
          "[native][server][pull_fields]") {
  Operation resident = op_of("c-1:1", "resident.create", {{"entity", "r-1"}, {"fields", resident_fields}});

  // Staff roles and open access read everything.
  for (const char* role : {"administrator", "coordinator", "grid_worker", "open"}) {
    CHECK(fields_for_role(resident, role).payload == resident.payload);
  }
  // The kiosk: a masked name and phone, the household (to find its phone),
  // the birth year for age rules; no gender, ethnicity, relation or note.
  const Json k = fields_for_role(resident, "kiosk").payload["fields"];
  CHECK(k == Json{{"name", "张*明"}, {"household", "hh-1"}, {"phone", "138****5678"}, {"birth_date", "1990-12-31"}});
  CHECK(k["phone"] == mask_phone("13812345678"));
  // The projector: nothing about a person.
  CHECK(fields_for_role(resident, "projector").payload["fields"] == Json::object());
  CHECK(fields_for_role(resident, "projector").payload["entity"] == "r-1");

  Operation household = op_of("c-1:2", "household.create",
                              {{"entity", "hh-1"},
                               {"fields", {{"address", "东城小区3栋1单元201室"}, {"grid", "g-1"}, {"phone", "0883-1234567"},
                                           {"members", 3}, {"note", "独居老人"}}}});
  CHECK(fields_for_role(household, "kiosk").payload["fields"] == Json{{"phone", mask_phone("0883-1234567")}});
  CHECK(fields_for_role(household, "projector").payload["fields"] == Json::object());

  // An edit that clears a masked field keeps the clearing; one that only
  // touches hidden fields becomes empty.
  Operation edit = op_of("c-1:3", "resident.edit", {{"entity", "r-1"}, {"fields", {{"phone", nullptr}, {"note", "x"}}}});
  CHECK(fields_for_role(edit, "kiosk").payload["fields"] == Json{{"phone", nullptr}});

  Operation shift = op_of("c-1:4", "shift.create",
                          {{"entity", "s-1"},
                           {"fields", {{"station", "st-1"}, {"role", "图书角值守"}, {"start", "2026-06-01T09:00"},
                                       {"end", "2026-06-01T12:00"}, {"capacity", 3}, {"min_age", 16},
                                       {"note", "钥匙在王阿姨家"}, {"checkin_key", "abcdefghij0123456789wxyz"}}}});
  const Json ks = fields_for_role(shift, "kiosk").payload["fields"];
  CHECK(ks.size() == 6);
  CHECK_FALSE(ks.contains("note"));
  CHECK_FALSE(ks.contains("checkin_key"));
  CHECK(fields_for_role(shift, "projector").payload["fields"] == ks);

  // Archive reasons are free text; a kind this server does not know carries nothing.
  Operation archive = op_of("c-1:5", "resident.archive", {{"entity", "r-1"}, {"reason", "去世"}});
  CHECK(fields_for_role(archive, "kiosk").payload == Json{{"entity", "r-1"}});
  Operation future = op_of("c-1:6", "petition.create", {{"entity", "q-1"}, {"fields", {{"text", "我家漏水"}}}});
  CHECK_FALSE(fields_for_role(future, "projector").payload.contains("fields"));
  // signup.move rewrites its shift like an edit.
  Operation move = op_of("c-1:7", "signup.move",
                         {{"entity", "su-1"}, {"fields", {{"shift", "s-2"}, {"seen_place", "confirmed"}}}});
  CHECK(fields_for_role(move, "kiosk").payload == move.payload);
  CHECK(fields_for_role(move, "projector").payload["fields"] == Json::object());
}

TEST_CASE("pull fields: a kiosk's replica of the demo folds, finds people by masked name and phone, and "
          "signs up no one the server would refuse",
          "[native][server][pull_fields]") {
  DemoOptions o;
  o.households = 200;
  o.experts = 3;
  o.trainees = 1;
  auto demo = generate_demo(o);
  const auto month = generate_month_of_shifts(demo, "2026-06", 7);
  demo.insert(demo.end(), month.begin(), month.end());
  State full, kiosk, projector;
  for (const auto& op : demo) {
    full.apply(op);
    kiosk.apply(fields_for_role(op, "kiosk"));
    projector.apply(fields_for_role(op, "projector"));
  }
  CHECK(kiosk.ignored_ops() == full.ignored_ops());
  REQUIRE(kiosk.list("resident").size() == full.list("resident").size());
  REQUIRE(kiosk.list("resident").size() > 100);
  CHECK(kiosk.hash_hex() != full.hash_hex());  // documented: a reduced replica
  size_t masked_names = 0;
  for (const Entity* r : kiosk.list("resident")) {
    const Entity* f = full.find("resident", r->id);
    REQUIRE(f);
    CHECK(r->text("name") == mask_person_name(f->text("name")));
    masked_names += r->text("name") != f->text("name");
    for (const char* hidden : {"gender", "ethnicity", "relation", "note"}) CHECK(r->get(hidden).is_null());
    if (!f->text("phone").empty()) CHECK(r->text("phone") == mask_phone(f->text("phone")));
  }
  CHECK(masked_names > 100);
  for (const Entity* h : kiosk.list("household")) CHECK(h->get("address").is_null());
  for (const Entity* r : projector.list("resident")) CHECK(r->text("name").empty());

  // Sign-ups the kiosk's own rule check accepts are accepted by the server's
  // (full) state too: the reduced replica never lets a kiosk promise a place
  // the server refuses.
  size_t tried = 0, kiosk_ok = 0;
  auto shifts = full.list("shift");
  auto volunteers = full.list("volunteer");
  REQUIRE_FALSE(shifts.empty());
  for (size_t i = 0; i < volunteers.size() && i < 60; ++i) {
    const Entity* shift = shifts[(i * 7) % shifts.size()];
    Operation su = op_of("kiosk-1:" + std::to_string(i + 1), "signup.create",
                         {{"entity", "su-k" + std::to_string(i)},
                          {"fields", {{"shift", shift->id}, {"volunteer", volunteers[i]->id}, {"channel", "kiosk"}}}});
    ++tried;
    auto on_kiosk = validate_operation(kiosk, su);
    if (!on_kiosk) continue;
    ++kiosk_ok;
    auto on_server = validate_operation(full, su);
    INFO(su.payload.dump() << " " << (on_server ? std::string() : on_server.error().message));
    CHECK(on_server);
  }
  CHECK(kiosk_ok > tried / 4);
}

TEST_CASE("pull fields: the real server sends kiosks and projectors no resident register",
          "[native][server][pull_fields]") {
  TempDir data;
  ServerProcess server(data.path(), {"--demo", "--auth", "devices"});
  REQUIRE(server.start(std::chrono::seconds(120)));
  const std::string kiosk_token = server.enrol_as("kiosk", "kiosk-1");
  const std::string projector_token = server.enrol_as("projector", "proj-1");
  REQUIRE_FALSE(kiosk_token.empty());
  REQUIRE_FALSE(projector_token.empty());

  auto pull_all = [&](const std::string& token, std::vector<Operation>* ops) {
    dh::test::PulledLog log = dh::test::pull_whole_log(server, token);
    *ops = std::move(log.ops);
    return log.text;
  };
  std::vector<Operation> admin_ops, kiosk_ops, projector_ops;
  const std::string admin_text = pull_all(server.admin_token(), &admin_ops);
  const std::string kiosk_text = pull_all(kiosk_token, &kiosk_ops);
  const std::string projector_text = pull_all(projector_token, &projector_ops);
  REQUIRE(admin_ops.size() > 10000);
  // Every operation reaches every device (the seq stream is whole), except
  // residents' requests and their steps, withheld whole (docs/talent.md); the
  // demo data holds those last, so the operations before them line up.
  size_t withheld = 0;
  for (const auto& op : admin_ops) withheld += withheld_from_role(op, "kiosk");
  CHECK(withheld > 0);
  CHECK(kiosk_ops.size() + withheld == admin_ops.size());
  CHECK(projector_ops.size() + withheld == admin_ops.size());
  // Gender, ethnicity, birth dates, relations and households' addresses
  // reach staff devices only.
  auto register_fields = [](const std::vector<Operation>& ops) {
    size_t n = 0;
    for (const auto& op : ops) {
      const Json& f = op.payload.contains("fields") ? op.payload["fields"] : Json::object();
      if (op.type.rfind("resident.", 0) == 0) {
        n += f.contains("gender") + f.contains("ethnicity") + f.contains("relation") + f.contains("note");
      }
      if (op.type.rfind("household.", 0) == 0) n += f.contains("address") + f.contains("note");
    }
    return n;
  };
  CHECK(register_fields(admin_ops) > 9000);
  CHECK(register_fields(kiosk_ops) == 0);
  CHECK(register_fields(projector_ops) == 0);
  CHECK(kiosk_text.size() < admin_text.size());
  CHECK(projector_text.size() < kiosk_text.size());
  size_t residents = 0;
  for (size_t i = 0; i < admin_ops.size(); ++i) {
    const Operation& a = admin_ops[i];
    if (a.type != "resident.create") continue;
    ++residents;
    const Json& af = a.payload["fields"];
    const Json& kf = kiosk_ops[i].payload["fields"];
    CHECK(projector_ops[i].payload["fields"] == Json::object());
    CHECK(kf["name"] == mask_person_name(af["name"].get<std::string>()));
    for (const char* hidden : {"gender", "ethnicity", "relation", "note"}) CHECK_FALSE(kf.contains(hidden));
    if (af.contains("birth_date")) CHECK(kf["birth_date"] == af["birth_date"].get<std::string>().substr(0, 4) + "-12-31");
  }
  CHECK(residents > 9000);
  CHECK(server.stop() == 0);
}
