#include "core/minutes.h"

#include <cstdint>

#include "core/civil_time.h"
#include "core/deliberation.h"

namespace dh::deliberation {

namespace {

// Words of the exports, both languages side by side (the printable pages'
// convention, core/exchange.cpp).
struct Word {
  const char* code;
  const char* zh;
  const char* en;
};
const Word kWords[] = {
    {"yes_no_abstain", "赞成/反对/弃权", "Yes / no / abstain"},
    {"single_choice", "单选", "Single choice"},
    {"multiple_choice", "多选", "Multiple choice"},
    {"ranked_choice", "排序复选（即时决选）", "Ranked choice (instant run-off)"},
    {"carried", "通过", "Carried"},
    {"not_carried", "未通过", "Not carried"},
    {"elected", "当选", "Elected"},
    {"tie", "平票未决", "Tie, undecided"},
    {"no_quorum", "未达法定人数", "No quorum"},
    {"no_valid_ballots", "无有效票", "No valid ballots"},
    {"no_winner", "无人胜出", "No winner"},
    {"lost", "未通过", "Lost"},
    {"noted", "备案", "Noted"},
    {"deferred", "推迟", "Deferred"},
    {"yes", "赞成", "Yes"},
    {"no", "反对", "No"},
    {"abstain", "弃权", "Abstain"},
    {"list", "名单签到", "list"},
    {"qr", "扫码签到", "QR"},
    {"level1", "一级议事", "Level 1"},
    {"level2", "二级议事", "Level 2"},
    {"draft", "草稿", "Draft"},
    {"open", "投票中", "Open"},
    {"closed", "已截止，未公布", "Closed, not published"},
    {"published", "已公布", "Published"},
    {"simple_majority", "过半数", "simple majority"},
    {"two_thirds", "三分之二", "two thirds"},
    {"three_quarters", "四分之三", "three quarters"},
    {"none", "得票最多", "most votes"},
    {"votes_cast", "赞成与反对票", "votes cast"},
    {"valid_ballots", "有效票", "valid ballots"},
    {"present", "到会人数", "those present"},
    {"entitled", "应到人数", "all entitled"},
};
std::string both(const std::string& code) {
  for (const auto& w : kWords)
    if (code == w.code) return std::string(w.zh) + " " + w.en;
  return code;
}
std::string word(const std::string& code, Lang lang) {
  for (const auto& w : kWords)
    if (code == w.code) return lang == Lang::zh ? w.zh : w.en;
  return code;
}

std::string yes_no(bool b) { return b ? "是 Yes" : "否 No"; }

std::string option_label(const PollView& p, size_t i, Lang lang) {
  if (i >= p.options.size()) return std::to_string(i + 1);
  return p.method == "yes_no_abstain" || p.method.empty() ? word(p.options[i], lang) : p.options[i];
}
std::string option_both(const PollView& p, size_t i) {
  if (i >= p.options.size()) return std::to_string(i + 1);
  return p.method == "yes_no_abstain" || p.method.empty() ? both(p.options[i]) : p.options[i];
}

// The minutes as a list of blocks both renderers draw.
struct Block {
  enum class Kind { heading, line, table } kind = Kind::line;
  std::string text;
  std::vector<std::vector<std::string>> rows;  // table: first row is the header
};

std::vector<Block> minutes_blocks(const State& s, const std::string& meeting_id) {
  std::vector<Block> b;
  auto heading = [&](std::string t) { b.push_back({Block::Kind::heading, std::move(t), {}}); };
  auto line = [&](std::string t) { b.push_back({Block::Kind::line, std::move(t), {}}); };
  auto table = [&](std::vector<std::vector<std::string>> rows) { b.push_back({Block::Kind::table, "", std::move(rows)}); };
  MeetingView m = meeting_view(s, meeting_id);
  if (!m.found) {
    line("找不到该会议。The meeting does not exist.");
    return b;
  }
  line("议事会 Council: " + m.council_name + (m.tier.empty() ? "" : "（" + both(m.tier) + "）"));
  line("时间 Time: " + format_datetime(m.start_minute).replace(10, 1, " "));
  if (!m.place.empty()) line("地点 Place: " + m.place);

  AttendanceView a = attendance_view(s, meeting_id);
  heading("出席 Attendance");
  line("应到 Entitled " + std::to_string(a.entitled) + "，实到 Present " + std::to_string(a.present) +
       "，委托 By proxy " + std::to_string(a.represented));
  std::vector<std::vector<std::string>> rows = {{"姓名 Name", "出席 Attendance", "表决权 Vote"}};
  for (const auto& r : a.rows) {
    std::string how = r.present ? "出席 Present（" + both(r.method) + "）"
                      : !r.proxy_holder_id.empty() ? "委托 " + r.proxy_holder_name + " 代为表决 Proxy: " + r.proxy_holder_name
                                                   : "缺席 Absent";
    rows.push_back({r.name, how, r.entitled ? "有 Yes" : "无 No"});
  }
  table(rows);

  if (!m.agenda.empty()) {
    heading("议程 Agenda");
    rows = {{"序号 No.", "议题 Item"}};
    for (const auto& it : m.agenda) rows.push_back({std::to_string(it.order), it.title});
    table(rows);
  }

  auto motions = motions_view(s, meeting_id);
  if (!motions.empty()) {
    heading("议案 Motions");
    for (const auto& mo : motions) {
      line("【" + mo.title + "】");
      line("提案人 Proposer: " + mo.proposer_name);
      std::string sec;
      for (const auto& n : mo.seconder_names) sec += (sec.empty() ? "" : "、") + n;
      line("附议人 Seconders: " + (sec.empty() ? std::string("—") : sec));
      if (!mo.amends_id.empty()) line("修正 Amends: " + motion_view(s, mo.amends_id).title);
      line(mo.text);
    }
  }

  auto polls = polls_view(s, meeting_id);
  if (!polls.empty()) {
    heading("表决结果 Results");
    for (const auto& p : polls) {
      line("【" + p.title + "】 " + both(p.method) + "，" + (p.secret ? "无记名 Secret" : "记名 Named") +
           (p.mode == "paper" ? "，纸质票或举手 Paper or hands" : "") + "，" + both(p.state));
      if (!p.published_result) continue;
      const tally::TallyResult& r = *p.published_result;
      rows = {{"应到 Entitled", "实到 Present", "投票 Cast", "有效 Valid", "无效 Invalid", "法定人数 Quorum",
               "门槛 Threshold", "结果 Outcome"}};
      rows.push_back({std::to_string(r.entitled), std::to_string(r.present), std::to_string(r.cast),
                      std::to_string(r.valid), std::to_string(r.invalid),
                      r.quorum_required ? yes_no(r.quorum_met) : "—",
                      both(tally::name(r.rules.threshold.kind)) + " / " + both(tally::name(r.rules.threshold.base)) +
                          "：" + yes_no(r.threshold_met),
                      both(r.outcome)});
      table(rows);
      rows = {{"选项 Option", "票数 Votes"}};
      for (size_t i = 0; i < r.votes.size(); ++i) rows.push_back({option_both(p, i), std::to_string(r.votes[i])});
      table(rows);
      if (!r.rounds.empty()) {
        std::vector<std::string> head = {"轮次 Round"};
        for (size_t i = 0; i < p.options.size(); ++i) head.push_back(option_both(p, i));
        head.push_back("已用尽 Exhausted");
        rows = {head};
        for (const auto& rd : r.rounds) {
          std::vector<std::string> row = {std::to_string(rd.number)};
          for (size_t i = 0; i < p.options.size(); ++i)
            row.push_back(i < rd.votes.size() && i < rd.continuing.size() && rd.continuing[i] ? std::to_string(rd.votes[i]) : "—");
          row.push_back(std::to_string(rd.exhausted));
          rows.push_back(row);
        }
        table(rows);
      }
      if (!r.winners.empty() && p.method != "yes_no_abstain") {
        std::string w;
        for (int i : r.winners) w += (w.empty() ? "" : "、") + option_both(p, static_cast<size_t>(i));
        line("当选/胜出 Winner(s): " + w);
      }
      PollAudit audit = poll_audit(s, p.id);
      if (audit.late || audit.replaced || audit.rejected)
        line("核查 Audit: 截止后到达未计 late " + std::to_string(audit.late) + "，被更改替换 replaced " +
             std::to_string(audit.replaced) + "，不予计入 not counted " + std::to_string(audit.rejected));
      if (audit.paper_mismatch) line("注意 Note: 纸质/举手票数多于到场人数 the counts exceed those present.");
      if (!audit.published_matches) line("注意 Note: 公布结果与本机复核不一致 the published result differs from this recount.");
    }
  }

  auto decisions = s.referring("decision", "meeting", meeting_id);
  bool any = false;
  for (const Entity* d : decisions) {
    if (!d->live()) continue;
    if (!any) heading("决议 Decisions");
    any = true;
    line(both(d->text("decision_outcome")) + "：" + d->text("text"));
  }
  if (const Entity* me = s.find("meeting", meeting_id); me && !me->text("minutes_note").empty()) {
    heading("记录 Notes");
    line(me->text("minutes_note"));
  }
  heading("签字 Signatures");
  line("主持人 Chair: ____________    记录人 Secretary: ____________    日期 Date: ____________");
  return b;
}

}  // namespace

std::string minutes_html(const State& state, const std::string& meeting_id) {
  MeetingView m = meeting_view(state, meeting_id);
  const std::string title = "会议记录 Minutes — " + m.title;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
      "</title>\n<style>body{font-family:sans-serif;margin:2em;line-height:1.5}h1{font-size:1.6em}h2{font-size:1.2em;"
      "margin-top:1.4em;border-bottom:1px solid #444}table{border-collapse:collapse;margin:.4em 0}td,th{border:1px "
      "solid #444;padding:.2em .5em;text-align:left}@media print{body{margin:0}}</style></head><body>\n<h1>" +
      html_escape(title) + "</h1>\n";
  for (const auto& b : minutes_blocks(state, meeting_id)) {
    switch (b.kind) {
      case Block::Kind::heading:
        out += "<h2>" + html_escape(b.text) + "</h2>\n";
        break;
      case Block::Kind::line:
        out += "<p>" + html_escape(b.text) + "</p>\n";
        break;
      case Block::Kind::table:
        out += "<table>\n";
        for (size_t r = 0; r < b.rows.size(); ++r) {
          out += "<tr>";
          for (const auto& c : b.rows[r]) out += (r ? "<td>" : "<th>") + html_escape(c) + (r ? "</td>" : "</th>");
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
    }
  }
  out += "</body></html>\n";
  return out;
}

std::string rtf_escape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xf0 && i + 3 < s.size() + 0) { cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3fu) << 12) | ((s[i + 2] & 0x3fu) << 6) | (s[i + 3] & 0x3fu); len = 4; }
    else if (c >= 0xe0 && i + 2 < s.size()) { cp = ((c & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu); len = 3; }
    else if (c >= 0xc0 && i + 1 < s.size()) { cp = ((c & 0x1fu) << 6) | (s[i + 1] & 0x3fu); len = 2; }
    i += len;
    if (cp == '\\' || cp == '{' || cp == '}') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\line ";
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else {
      auto unit = [&](uint32_t u) { out += "\\u" + std::to_string(static_cast<int16_t>(static_cast<uint16_t>(u))) + "?"; };
      if (cp >= 0x10000) {
        cp -= 0x10000;
        unit(0xd800 + (cp >> 10));
        unit(0xdc00 + (cp & 0x3ff));
      } else {
        unit(cp);
      }
    }
  }
  return out;
}

std::string minutes_rtf(const State& state, const std::string& meeting_id) {
  MeetingView m = meeting_view(state, meeting_id);
  std::string out =
      "{\\rtf1\\ansi\\ansicpg936\\deff0\\uc1{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\paperw11906\\paperh16838"
      "\\margl1440\\margr1440\\margt1440\\margb1440\\fs24\n";
  out += "{\\pard\\qc\\b\\fs36 " + rtf_escape("会议记录 Minutes — " + m.title) + "\\par}\n";
  for (const auto& b : minutes_blocks(state, meeting_id)) {
    switch (b.kind) {
      case Block::Kind::heading:
        out += "{\\pard\\sb240\\b\\fs28 " + rtf_escape(b.text) + "\\par}\n";
        break;
      case Block::Kind::line:
        out += "{\\pard " + rtf_escape(b.text) + "\\par}\n";
        break;
      case Block::Kind::table: {
        const size_t cols = b.rows.empty() ? 0 : b.rows[0].size();
        const int width = cols ? 9000 / static_cast<int>(cols) : 9000;
        for (size_t r = 0; r < b.rows.size(); ++r) {
          out += "\\trowd\\trgaph80";
          for (size_t c = 0; c < cols; ++c)
            out += "\\clbrdrt\\brdrs\\clbrdrl\\brdrs\\clbrdrb\\brdrs\\clbrdrr\\brdrs\\cellx" +
                   std::to_string(width * static_cast<int>(c + 1));
          out += "\n";
          for (size_t c = 0; c < cols; ++c)
            out += std::string("\\pard\\intbl") + (r ? " " : "\\b ") + rtf_escape(c < b.rows[r].size() ? b.rows[r][c] : "") +
                   (r ? "" : "\\b0") + "\\cell\n";
          out += "\\row\n";
        }
        out += "\\pard\\par\n";
        break;
      }
    }
  }
  out += "}\n";
  return out;
}

std::string results_csv(const State& state, const std::string& meeting_id, Lang lang) {
  auto pick = [&](const char* zh, const char* en) { return std::string(lang == Lang::zh ? zh : en); };
  std::vector<std::vector<std::string>> rows;
  rows.push_back({pick("表决编号", "poll_id"), pick("表决事项", "poll"), pick("方式", "method"),
                  pick("无记名", "secret"), pick("选项", "option"), pick("票数", "votes"), pick("应到", "entitled"),
                  pick("实到", "present"), pick("投票", "cast"), pick("有效", "valid"), pick("无效", "invalid"),
                  pick("达到法定人数", "quorum_met"), pick("达到门槛", "threshold_met"), pick("结果", "outcome")});
  for (const auto& p : polls_view(state, meeting_id)) {
    if (!p.published_result) continue;
    const auto& r = *p.published_result;
    for (size_t i = 0; i < r.votes.size(); ++i) {
      rows.push_back({p.id, p.title, word(p.method, lang), p.secret ? pick("是", "yes") : pick("否", "no"),
                      option_label(p, i, lang), std::to_string(r.votes[i]), std::to_string(r.entitled),
                      std::to_string(r.present), std::to_string(r.cast), std::to_string(r.valid),
                      std::to_string(r.invalid), r.quorum_met ? pick("是", "yes") : pick("否", "no"),
                      r.threshold_met ? pick("是", "yes") : pick("否", "no"), word(r.outcome, lang)});
    }
  }
  return csv_text(rows);
}

std::string ballot_cards_html(const State& state, const std::string& meeting_id, const std::vector<std::string>& codes) {
  MeetingView m = meeting_view(state, meeting_id);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>选票卡 Ballot cards</title>\n"
      "<style>body{font-family:sans-serif}.card{display:inline-block;width:46%;margin:1%;padding:1em;border:1px dashed "
      "#444;box-sizing:border-box;page-break-inside:avoid}.code{font-family:monospace;font-size:1.6em;letter-spacing:.1em}"
      "</style></head><body>\n";
  for (const auto& code : codes) {
    std::string grouped;
    for (size_t i = 0; i < code.size(); ++i) grouped += (i && i % 4 == 0 ? " " : "") + std::string(1, code[i]);
    out += "<div class=\"card\"><div>" + html_escape(m.title) + " 选票卡 Ballot card</div><div class=\"code\">" +
           html_escape(grouped) +
           "</div><div>在平板上输入此卡号投票；请勿给他人看。Enter this code on the tablet to vote; keep it to "
           "yourself.</div></div>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace dh::deliberation
