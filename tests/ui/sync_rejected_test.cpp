// The sync area's list of changes the server refused (issue 15): each says it
// was undone on this device, and offers to make it again until it was.
#include <catch2/catch.hpp>

#include "ui/strings.h"
#include "ui_driver.h"

using namespace dh;
using namespace dh::ui;

TEST_CASE("a refused change says it was undone here and can be made again", "[ui][native][sync]") {
  State state;
  OpSource source;
  source.device = "k7f3a9c2d1e0";
  source.author = "staff:wang";
  int64_t now = 1767225600000;
  dh::test::UiDriver d(state, source, now);
  d.status.online = true;
  d.status.sync.active = true;
  SyncStatus::Rejected r;
  r.id = "k7f3a9c2d1e0:44";
  r.type = "household.create";
  r.code = "forbidden";
  r.reason = "This device's role may not add households.";
  r.entity = "k7f3a9c2d1e0:44";
  d.status.sync.rejected.push_back(r);
  REQUIRE(d.wb.set_area("sync"));
  for (Language lang : {Language::zh_CN, Language::en}) {
    d.wb.set_language(lang);
    d.run(2);
    const std::string undone = d.visible("sync-rejected-0-undone");
    INFO(undone);
    CHECK(undone.find(lang == Language::zh_CN ? "本机已撤销" : "Undone on this device") != std::string::npos);
    CHECK(d.find("sync-rejected-0-redo"));
  }
  d.click("sync-rejected-0-redo");
  REQUIRE(d.redo_requests.size() == 1);
  CHECK(d.redo_requests[0] == "k7f3a9c2d1e0:44");
  CHECK(d.emitted.empty());  // the sync client makes it again, not a UI command
  // Once made again: no button, the new operation named.
  d.status.sync.rejected[0].redone_as = "k7f3a9c2d1e0:51";
  d.run(2);
  CHECK_FALSE(d.find("sync-rejected-0-redo"));
  CHECK(d.visible("sync-rejected-0-redone").find("k7f3a9c2d1e0:51") != std::string::npos);
  // A redo that failed says why, in the person's language.
  d.status.sync.redo_error_code = "nothing_to_change";
  d.status.sync.redo_error = "The edit changes no field.";
  d.run(2);
  CHECK(d.find("sync-redo-error"));
}
