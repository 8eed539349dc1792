// Meeting exports (core/minutes.h): minutes as HTML and RTF, results as CSV,
// on the demo's third-quarter meeting; RTF escaping.
#include <catch2/catch.hpp>

#include "core/deliberation.h"
#include "core/demo.h"
#include "core/minutes.h"

using namespace dh;
namespace dl = dh::deliberation;

namespace {

struct DemoMeeting {
  State state;
  std::string q3;
  DemoMeeting() {
    DemoOptions o;
    o.households = 60;
    o.experts = 5;
    o.trainees = 1;
    for (const auto& op : generate_demo(o)) state.apply(op);
    for (const auto& m : dl::meetings_view(state, ""))
      if (m.title == "2026年第三季度社区议事会") q3 = m.id;
  }
};

}  // namespace

TEST_CASE("RTF escaping: braces, backslashes, Chinese and characters beyond the BMP", "[deliberation][exports]") {
  CHECK(dl::rtf_escape("a{b}\\c") == "a\\{b\\}\\\\c");
  CHECK(dl::rtf_escape("中") == "\\u20013?");
  CHECK(dl::rtf_escape("滇") == "\\u28359?");
  CHECK(dl::rtf_escape("\xF0\xA0\x80\x80") == "\\u-10176?\\u-9216?");  // U+20000, a surrogate pair
  CHECK(dl::rtf_escape("x\ny") == "x\\line y");
}

TEST_CASE("the demo's published meeting: minutes, results CSV, and no voter beside a secret choice",
          "[deliberation][exports]") {
  DemoMeeting d;
  REQUIRE_FALSE(d.q3.empty());
  const std::string html = dl::minutes_html(d.state, d.q3);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  for (const char* expected : {"老旧小区加装电梯试点", "杨丽华", "应到 Entitled 12，实到 Present 10，委托 By proxy 1",
                               "修正：二楼住户分摊减半", "议事经费使用方案", "年度优秀志愿服务项目评选",
                               "轮次 Round", "决议 Decisions", "截止后到达未计 late 1"})
    CHECK(html.find(expected) != std::string::npos);
  CHECK(html.find("card3q2026x") == std::string::npos);

  const std::string rtf = dl::minutes_rtf(d.state, d.q3);
  CHECK(rtf.rfind("{\\rtf1", 0) == 0);
  CHECK(rtf.back() == '\n');
  CHECK(rtf.find(dl::rtf_escape("老旧小区加装电梯试点")) != std::string::npos);
  CHECK(rtf.find("\\trowd") != std::string::npos);
  size_t open = 0, close = 0;
  for (size_t i = 0; i < rtf.size(); ++i) {
    if (rtf[i] == '\\') { ++i; continue; }
    open += rtf[i] == '{';
    close += rtf[i] == '}';
  }
  CHECK(open == close);

  const std::string csv = dl::results_csv(d.state, d.q3);
  CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(csv.find("表决编号,表决事项,方式,无记名,选项,票数") != std::string::npos);
  // Three published polls: 3 + 3 + 3 option rows after the header.
  size_t lines = 0;
  for (size_t i = 0; i + 1 < csv.size(); ++i) lines += csv[i] == '\r' && csv[i + 1] == '\n';
  CHECK(lines == 10);
  const std::string en = dl::results_csv(d.state, d.q3, Lang::en);
  CHECK(en.find("poll_id,poll,method,secret,option,votes") != std::string::npos);

  // The demo's results as published.
  for (const auto& p : dl::polls_view(d.state, d.q3)) {
    REQUIRE(p.published_result);
    INFO(p.title);
    CHECK(dl::poll_audit(d.state, p.id).published_matches);
    if (p.title == "议事经费使用方案") {  // secret; one ballot came after the close
      CHECK(p.published_result->votes == std::vector<int64_t>{8, 2, 1});
      CHECK(dl::poll_audit(d.state, p.id).late == 1);
    }
    if (p.title == "老旧小区加装电梯试点") {  // 11 voters (one by proxy), one changed vote
      CHECK(p.published_result->cast == 11);
      CHECK(p.published_result->votes == std::vector<int64_t>{9, 1, 1});
      CHECK(p.published_result->present == 11);
    }
  }
}
