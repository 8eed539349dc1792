#include "sync/client.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace dh::sync {
namespace {

constexpr size_t kMaxRejectedKept = 1000;
constexpr size_t kMaxOverriddenKept = 1000;
constexpr size_t kMaxAnsweredKept = 1000;

Json overridden_to_json(const OverriddenOp& o) {
  Json j{{"id", o.id}, {"type", o.type}, {"entity", o.entity}, {"how", o.how}, {"by", o.by}, {"at_ms", o.at_ms}};
  if (!o.fields.empty()) j["fields"] = o.fields;
  if (!o.redone_as.empty()) j["redone_as"] = o.redone_as;
  return j;
}

Json rejected_to_json(const RejectedOp& r) {
  Json j{{"id", r.id}, {"type", r.type}, {"code", r.code}, {"reason", r.reason}, {"at_ms", r.at_ms}};
  if (!r.entity.empty()) j["entity"] = r.entity;
  if (!r.redone_as.empty()) j["redone_as"] = r.redone_as;
  return j;
}

std::string describe_failure(int status, std::string_view body) {
  if (status == 0) return "The server cannot be reached; changes wait on this device and go up later.";
  if (auto e = decode_error(body)) return e->message;
  if (status >= 500) return "The server had a problem (" + std::to_string(status) + "); trying again later.";
  return "The server refused the request (" + std::to_string(status) + ").";
}

}  // namespace

int64_t backoff_delay_ms(int failures, double jitter01) {
  if (failures <= 0) return 0;
  const int64_t base = 2000, cap = 5 * 60 * 1000;
  int64_t d = base;
  for (int i = 1; i < failures && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  if (!(jitter01 >= 0.0)) jitter01 = 0.0;  // also NaN
  if (jitter01 >= 1.0) jitter01 = 0.999999;
  return static_cast<int64_t>(std::llround(static_cast<double>(d) * (0.8 + 0.4 * jitter01)));
}

Result<std::unique_ptr<SyncClient>> SyncClient::open(FileSystem& fs, Replica& replica) {
  std::unique_ptr<SyncClient> c(new SyncClient(fs, replica));
  const std::string path = replica.dir() + "/" + kStateFile;
  if (fs.exists(path)) {
    auto text = fs.read(path);
    Json j = text ? Json::parse(text.value(), nullptr, false) : Json();
    if (!j.is_object()) {
      c->problem_ = "The sync progress file could not be read; this device will send and fetch everything "
                    "again (nothing is lost).";
    } else {
      c->state_.cursor = j.value("cursor", uint64_t{0});
      c->state_.acked_seq = j.value("acked_seq", uint64_t{0});
      c->state_.server_offset_ms = j.value("server_offset_ms", int64_t{0});
      c->state_.last_success_ms = j.value("last_success_ms", int64_t{0});
      if (j.contains("overridden") && j["overridden"].is_array()) {
        for (const Json& o : j["overridden"]) {
          if (!o.is_object()) continue;
          OverriddenOp x{o.value("id", ""), o.value("type", ""), o.value("entity", ""), o.value("how", ""), {},
                         o.value("by", ""), o.value("at_ms", int64_t{0}), o.value("redone_as", "")};
          if (o.contains("fields") && o["fields"].is_array())
            for (const Json& f : o["fields"])
              if (f.is_string()) x.fields.push_back(f.get<std::string>());
          c->state_.overridden.push_back(std::move(x));
        }
      }
      if (j.contains("answered") && j["answered"].is_array()) {
        for (const Json& a : j["answered"]) {
          if (!a.is_array() || a.size() != 3 || !a[0].is_number_unsigned() || !a[1].is_number_unsigned() ||
              !a[2].is_number_integer())
            continue;
          c->state_.answered.push_back(PushAnswered{a[0].get<uint64_t>(), a[1].get<uint64_t>(), a[2].get<int64_t>()});
        }
      }
      if (j.contains("rejected") && j["rejected"].is_array()) {
        for (const Json& r : j["rejected"]) {
          if (!r.is_object()) continue;
          c->state_.rejected.push_back(RejectedOp{r.value("id", ""), r.value("type", ""), r.value("code", ""),
                                                  r.value("reason", ""), r.value("at_ms", int64_t{0}),
                                                  r.value("entity", ""), r.value("redone_as", "")});
        }
      }
    }
  }
  // History this device held only as a fold (base.bin after compaction,
  // server-base.json after a first start from the server's snapshot) could
  // not be read back: fetch everything again from the start (ingest skips
  // what is here).
  if (replica.open_report().history_missing || replica.open_report().server_base_lost) {
    c->state_.cursor = 0;
    c->problem_ = "The data first received from the server could not be read back; this device fetches it again "
                  "(nothing of its own is lost).";
  }
  c->pulled_ = c->state_.cursor;
  // Everything in the files at open was stored before: durable. One full scan
  // finds the highest own seq even past a gap (a record lost to corruption).
  auto all = replica.read_all();
  if (all) {
    for (const auto& op : all.value()) {
      if (op.id.device == replica.device_id()) c->own_hint_ = std::max(c->own_hint_, op.id.seq);
    }
  }
  c->scanned_count_ = replica.operation_count();
  // The replica's excluded.json may be older than this file (or lost): the
  // refusals recorded here are undone there too (a no-op when they are).
  std::vector<OpId> refused;
  for (const auto& r : c->state_.rejected)
    if (auto id = OpId::parse(r.id)) refused.push_back(*id);
  if (auto st = replica.exclude(refused); !st.ok() && c->problem_.empty()) c->problem_ = st.error().message;
  c->durable_own_ = c->own_max_seq();
  return c;
}

uint64_t SyncClient::own_max_seq() {
  // Own operations are appended in seq order while running: probe upward.
  while (replica_.contains(OpId{replica_.device_id(), own_hint_ + 1})) ++own_hint_;
  return own_hint_;
}

Status SyncClient::save() {
  Json rejected = Json::array();
  for (const auto& r : state_.rejected) rejected.push_back(rejected_to_json(r));
  Json overridden = Json::array();
  for (const auto& o : state_.overridden) overridden.push_back(overridden_to_json(o));
  Json answered = Json::array();
  for (const auto& a : state_.answered) answered.push_back(Json::array({a.first_seq, a.last_seq, a.server_ms}));
  Json j{{"version", 1},
         {"cursor", state_.cursor},
         {"acked_seq", state_.acked_seq},
         {"server_offset_ms", state_.server_offset_ms},
         {"last_success_ms", state_.last_success_ms},
         {"rejected", rejected},
         {"overridden", overridden},
         {"answered", answered}};
  return fs_.write_atomic(replica_.dir() + "/" + kStateFile, j.dump());
}

SyncClient::FlushTicket SyncClient::begin_flush() { return FlushTicket{own_max_seq(), pulled_, restamps_}; }

Status SyncClient::flush_completed(const FlushTicket& t) {
  if (t.restamps == restamps_) durable_own_ = std::max(durable_own_, t.own_seq);
  state_.cursor = std::max(state_.cursor, t.cursor);
  return save();
}

std::optional<SyncClient::PushBatch> SyncClient::next_push(int64_t device_now_ms, size_t max_ops) {
  if (in_flight_) return std::nullopt;
  if (durable_own_ <= state_.acked_seq) return std::nullopt;
  max_ops = std::max<size_t>(1, std::min(max_ops, kMaxPushOps));
  std::vector<Operation> ops;
  // Operations committed this session come from memory; older ones (made
  // before a restart) from reading the log.
  if (auto recent = replica_.own_ops_in(state_.acked_seq, durable_own_)) {
    ops = std::move(*recent);
  } else {
    auto all = replica_.read_all();
    if (!all) {
      last_error_ = all.error().message;
      return std::nullopt;
    }
    for (auto& op : all.value()) {
      if (op.id.device == replica_.device_id() && op.id.seq > state_.acked_seq && op.id.seq <= durable_own_) {
        ops.push_back(std::move(op));
      }
    }
  }
  std::sort(ops.begin(), ops.end(), [](const Operation& a, const Operation& b) { return a.id.seq < b.id.seq; });
  if (ops.size() > max_ops) ops.resize(max_ops);
  PushBatch b;
  b.number = ++batch_counter_;
  b.device_ms = device_now_ms;
  if (ops.empty()) {
    // Own seqs in (acked, durable] are not in the log (lost records): nothing
    // to answer for them, so count them as answered.
    state_.acked_seq = durable_own_;
    (void)save();
    return std::nullopt;
  }
  b.last_seq = ops.back().id.seq;
  // Seqs skipped inside the range (lost records) are covered by last_seq.
  if (ops.size() < max_ops) b.last_seq = std::max(b.last_seq, durable_own_);
  for (const auto& op : ops) b.op_ids.push_back(op.id.to_string());
  b.body = encode_push_request(replica_.device_id(), ops, device_now_ms);
  // Encoded operations are limited in size by the core; a batch of 500 stays
  // far below the 4 MiB limit. Halve if it ever does not.
  while (b.body.size() > kMaxRequestBytes && ops.size() > 1) {
    ops.resize(ops.size() / 2);
    b.last_seq = ops.back().id.seq;
    b.op_ids.resize(ops.size());
    b.body = encode_push_request(replica_.device_id(), ops, device_now_ms);
  }
  in_flight_ = b.number;
  return b;
}

Status SyncClient::on_push_response(const PushBatch& batch, std::string_view body, int64_t device_now_ms) {
  if (in_flight_ && *in_flight_ == batch.number) in_flight_.reset();
  auto r = decode_push_response(body);
  if (!r) {
    last_error_ = r.error().message;
    return r.error();
  }
  if (r->results.size() != batch.op_ids.size()) {
    last_error_ = "The server's answer does not match the changes sent; they will be sent again.";
    return make_error("bad_answer", last_error_);
  }
  for (size_t i = 0; i < r->results.size(); ++i) {
    if (r->results[i].id != batch.op_ids[i]) {
      last_error_ = "The server's answer does not match the changes sent; they will be sent again.";
      return make_error("bad_answer", last_error_);
    }
  }
  // Undo the refused operations first (durably), then record the answer.
  std::vector<OpId> refused;
  for (const auto& res : r->results) {
    if (res.status != PushStatus::rejected) continue;
    if (auto id = OpId::parse(res.id)) refused.push_back(*id);
  }
  if (auto st = replica_.exclude(refused); !st.ok()) {
    last_error_ = "The server refused some changes, but this device could not store that (" + st.error().message +
                  "); they will be sent again.";
    return st.error();
  }
  for (const auto& res : r->results) {
    if (res.status != PushStatus::rejected) continue;
    note_rejected(res.id, res.code, res.reason, device_now_ms);
  }
  // When these reached the server: no other device can have seen them
  // before (note_overridden). An answer to a resend keeps the first one.
  if (auto first = OpId::parse(batch.op_ids.front());
      first && (state_.answered.empty() || state_.answered.back().last_seq < first->seq)) {
    state_.answered.push_back(PushAnswered{first->seq, batch.last_seq, r->server_ms});
    if (state_.answered.size() > kMaxAnsweredKept) state_.answered.erase(state_.answered.begin());
  }
  state_.acked_seq = std::max(state_.acked_seq, batch.last_seq);
  replica_.forget_own_through(state_.acked_seq);
  state_.server_offset_ms = r->server_ms - device_now_ms;
  clock_warning_ = r->clock_warning;
  last_error_.clear();
  return save();
}

std::map<std::string, Operation> SyncClient::own_ops(const std::vector<std::string>& ids) const {
  std::map<std::string, Operation> found;
  bool read_log = false;
  for (const std::string& text : ids) {
    auto id = OpId::parse(text);
    if (!id || id->seq == 0) continue;
    if (auto mine = replica_.own_ops_in(id->seq - 1, id->seq); mine && !mine->empty() && mine->front().id == *id)
      found.emplace(text, mine->front());
    else
      read_log = true;
  }
  if (read_log) {
    if (auto all = replica_.read_all()) {
      for (auto& op : all.value()) {
        std::string text = op.id.to_string();
        if (!found.count(text) && std::find(ids.begin(), ids.end(), text) != ids.end()) found.emplace(text, std::move(op));
      }
    }
  }
  return found;
}

bool SyncClient::note_rejected(const std::string& id, const std::string& code, const std::string& reason,
                               int64_t now_ms) {
  const bool known = std::any_of(state_.rejected.begin(), state_.rejected.end(),
                                 [&](const RejectedOp& x) { return x.id == id; });
  if (known) return false;
  RejectedOp rej{id, "", code, reason, now_ms, "", ""};
  if (auto op = rejected_op(id)) {
    // The type and record, for the UI ("your sign-up was not accepted because ...").
    rej.type = op->type;
    if (auto t = State::target_of(*op)) rej.entity = t->second;
  }
  state_.rejected.push_back(std::move(rej));
  if (state_.rejected.size() > kMaxRejectedKept) state_.rejected.erase(state_.rejected.begin());
  return true;
}

std::optional<Operation> SyncClient::rejected_op(const std::string& id_text) const {
  auto found = own_ops({id_text});
  if (found.empty()) return std::nullopt;
  return std::move(found.begin()->second);
}

Result<Operation> SyncClient::redo(const std::string& id, int64_t device_now_ms) {
  auto it = std::find_if(state_.rejected.begin(), state_.rejected.end(), [&](const RejectedOp& r) { return r.id == id; });
  if (it == state_.rejected.end())
    return make_error("not_rejected", "This change was not refused by the server, so there is nothing to redo.");
  if (!it->redone_as.empty()) return make_error("already_redone", "This change was already made again as " + it->redone_as + ".");
  auto op = rejected_op(id);
  if (!op) return make_error("not_found", "The refused change is no longer in this device's log.");
  auto cmd = command_of(*op);
  if (!cmd) return make_error("unknown_type", "This kind of change cannot be made again here.");
  auto made = replica_.commit(*cmd, corrected_now(device_now_ms));
  if (!made) return made.error();
  it->redone_as = made->id.to_string();
  (void)save();  // the redo itself is in the log; losing this mark only offers the redo again
  return made;
}

void SyncClient::on_push_failed(const PushBatch& batch, int status, std::string_view body) {
  if (in_flight_ && *in_flight_ == batch.number) in_flight_.reset();
  last_error_ = describe_failure(status, body);
  auto e = decode_error(body);
  if (!e || e->code != "clock_far_ahead") return;
  clock_warning_ = e->message;
  auto server_ms = decode_error_server_ms(body);
  if (!server_ms) return;  // an older server: the person sets the clock
  if (batch.device_ms > 0) state_.server_offset_ms = *server_ms - batch.device_ms;
  // Only operations stamped past what the server would ever have accepted
  // (so none of them can be stored there under its old stamp) and the ones
  // made after them move; their ids stay, so exactly-once still holds.
  auto first = replica_.restamp_own(state_.acked_seq, *server_ms + kMaxStampAheadMs, *server_ms);
  if (!first) {
    last_error_ = first.error().message;
    return;
  }
  if (first.value() > 0) {
    // Pushable again only once the rewritten files are flushed.
    durable_own_ = std::min(durable_own_, first.value() - 1);
    ++restamps_;
    last_error_ = "This device's clock was ahead; its changes were stamped again with the server's time and are "
                  "sent at the next sync.";
  }
  (void)save();
}

bool SyncClient::wants_snapshot() const {
  return !snapshot_tried_ && pulled_ == 0 && state_.cursor == 0 && replica_.operation_count() == 0 &&
         replica_.excluded_ids().size() == 0 && !replica_.has_server_base();
}

Status SyncClient::on_snapshot_response(std::string_view body, int64_t device_now_ms) {
  return adopt_snapshot(device_now_ms, [&](int64_t now) { return replica_.adopt_server_snapshot(body, now); });
}

Status SyncClient::on_snapshot_file(int64_t device_now_ms) {
  if (!wants_snapshot()) replica_.discard_incoming_snapshot();
  return adopt_snapshot(device_now_ms, [&](int64_t now) { return replica_.adopt_server_snapshot_file(now); });
}

Status SyncClient::adopt_snapshot(int64_t device_now_ms, const std::function<Result<uint64_t>(int64_t)>& adopt) {
  const bool wanted = wants_snapshot();
  snapshot_tried_ = true;
  if (!wanted) return make_error("not_empty", "This device already holds data; the snapshot was not used.");
  auto seq = adopt(corrected_now(device_now_ms));
  if (!seq) {
    problem_ = seq.error().message + " The device fetches the changes one page at a time instead; nothing is lost.";
    return seq.error();
  }
  snapshot_seq_ = seq.value();
  pulled_ = std::max(pulled_, seq.value());
  return ok_status();
}

SyncClient::PullRequest SyncClient::next_pull(size_t limit) const {
  limit = std::max<size_t>(1, std::min(limit, kMaxPullLimit));
  PullRequest q;
  q.after = pulled_;
  q.limit = limit;
  q.path = "/api/v1/ops?after=" + std::to_string(q.after) + "&limit=" + std::to_string(limit);
  return q;
}

Result<SyncClient::PullOutcome> SyncClient::on_pull_response(const PullRequest& request, std::string_view body,
                                                             int64_t device_now_ms) {
  auto page = decode_pull_response(body);
  if (!page) {
    last_error_ = page.error().message;
    return page.error();
  }
  state_.server_offset_ms = page->server_ms - device_now_ms;
  PullOutcome out;
  // A page covers (request.after, next]. One that starts past what we hold
  // (a late answer to an older request after a restart) would leave a gap.
  if (request.after > pulled_) return out;
  std::vector<Operation> ops;
  ops.reserve(page->ops.size());
  for (auto& p : page->ops) {
    if (p.seq <= request.after) {
      last_error_ = "The server sent operations the device did not ask for.";
      return make_error("bad_answer", last_error_);
    }
    ops.push_back(std::move(p.op));
  }
  // What this device's own changes hold in the records other devices'
  // new operations touch, to tell the person what no longer shows.
  const std::string& me = replica_.device_id();
  std::map<std::pair<std::string, std::string>, OwnMarks> marks;
  for (const auto& op : ops) {
    if (op.id.device == me || replica_.contains(op.id)) continue;
    auto t = State::target_of(op);
    if (!t || marks.count(*t)) continue;
    OwnMarks m;
    if (const Entity* e = replica_.state().find(t->first, t->second)) {
      m.live = e->live();
      m.created = e->created_stamp();
      for (const auto& [name, v] : e->fields)
        if (*v.stamp().device == me && name != "archive_reason") m.own.emplace(name, OwnWrite{v.stamp(), v.value});
    }
    marks.emplace(*t, std::move(m));
  }
  auto n = replica_.ingest(ops, corrected_now(device_now_ms));
  if (!n) {
    last_error_ = n.error().message;
    return n.error();
  }
  bool changed = note_overridden(marks, device_now_ms);
  // Operations the server withdrew because its parent refused them (hub
  // mode, docs/sync-protocol.md): undone here like a refusal, and recorded
  // as one when this device made them. Before the cursor moves: a failure
  // here pulls the page again (ingest skips what it has).
  if (!page->withdrawn.empty()) {
    std::vector<OpId> gone;
    for (const auto& w : page->withdrawn) {
      if (w.seq <= request.after) continue;
      if (auto id = OpId::parse(w.id)) gone.push_back(*id);
    }
    if (auto st = replica_.exclude(gone); !st.ok()) {
      last_error_ = "The server withdrew some changes, but this device could not store that (" +
                    st.error().message + "); it will ask again.";
      return st.error();
    }
    for (const auto& w : page->withdrawn) {
      auto id = OpId::parse(w.id);
      if (!id || id->device != me || w.seq <= request.after) continue;
      if (note_rejected(w.id, w.code, w.reason, device_now_ms)) changed = true;
    }
  }
  if (changed) (void)save();
  out.ingested = n.value();
  out.more = page->more;
  pulled_ = std::max(pulled_, page->next);
  last_error_.clear();
  return out;
}

bool SyncClient::unseen_by(const Stamp& own, const Stamp& winner) const {
  // A device's clock moves past every stamp it ingests: stamped before the
  // own write, the winner was made without it.
  if (winner.hlc < own.hlc) return true;
  // Devices learn other devices' operations only from the server.
  if (own.seq > state_.acked_seq) return true;  // not answered yet: not there (or only just)
  for (const auto& a : state_.answered)
    if (own.seq >= a.first_seq && own.seq <= a.last_seq) return winner.hlc.wall_ms < a.server_ms;
  return false;  // answered before what is kept: assume it was seen (no false notice)
}

bool SyncClient::note_overridden(const std::map<std::pair<std::string, std::string>, SyncClient::OwnMarks>& marks,
                                 int64_t device_now_ms) {
  std::vector<OverriddenOp> fresh;  // new notices
  for (const auto& entry : marks) {
    const std::pair<std::string, std::string>& target = entry.first;
    const OwnMarks& m = entry.second;
    if (m.own.empty()) continue;
    const Entity* e = replica_.state().find(target.first, target.second);
    if (!e) continue;
    const FieldValue* flag = nullptr;
    if (auto it = e->fields.find("archived"); it != e->fields.end()) flag = &it->second;
    const std::string& me = replica_.device_id();
    // Archived now by another device's stamp, while it was live here.
    const bool archived_elsewhere = m.live && e->archived() && flag && *flag->stamp().device != me;
    std::map<std::string, OverriddenOp> found;  // own op id -> notice
    auto notice = [&](const Stamp& own, const std::string& how, const Stamp& winner) -> OverriddenOp& {
      OverriddenOp& o = found[own.id().to_string()];
      if (o.id.empty()) o = OverriddenOp{own.id().to_string(), "", target.second, how, {}, *winner.device, device_now_ms, ""};
      return o;
    };
    for (const auto& [field, own] : m.own) {
      // A create is never overridden: whoever edits or archives the record
      // had it. Its fields are the record's starting point.
      if (own.stamp == m.created) continue;
      auto it = e->fields.find(field);
      if (it == e->fields.end()) continue;
      const FieldValue& now = it->second;
      if (!(now.stamp() == own.stamp)) {
        // Lost the field. Same value (two devices archived, or typed the
        // same): nothing the person would miss.
        if (now.value == own.value || !unseen_by(own.stamp, now.stamp())) continue;
        if (field == "archived") {
          // An own archive undone by a restore, or an own restore by an archive.
          notice(own.stamp, e->archived() ? "archived" : "restored", now.stamp());
        } else {
          OverriddenOp& o = notice(own.stamp, "overwritten", now.stamp());
          if (o.how == "overwritten") o.fields.push_back(field);
        }
      } else if (archived_elsewhere && field != "archived" && unseen_by(own.stamp, flag->stamp())) {
        // The own write holds, but the record is out of sight: that is what
        // the person needs to know.
        OverriddenOp& o = notice(own.stamp, "archived", flag->stamp());
        o.how = "archived";
        o.fields.clear();
        o.by = *flag->stamp().device;
      }
    }
    for (auto& entry_found : found) {
      OverriddenOp& o = entry_found.second;
      bool known = std::any_of(state_.overridden.begin(), state_.overridden.end(), [&](const OverriddenOp& x) {
        return x.id == o.id && x.how == o.how && x.redone_as.empty();
      });
      if (known) continue;
      fresh.push_back(std::move(o));
    }
  }
  if (fresh.empty()) return false;
  // The own operations' types, from memory (recent) or one read of the log.
  std::vector<std::string> ids;
  for (const auto& o : fresh) ids.push_back(o.id);
  const std::map<std::string, Operation> mine = own_ops(ids);
  bool added = false;
  for (auto& o : fresh) {
    auto op = mine.find(o.id);
    if (op == mine.end()) continue;  // not in this device's log any more: nothing to say or redo
    o.type = op->second.type;
    state_.overridden.push_back(std::move(o));
    if (state_.overridden.size() > kMaxOverriddenKept) state_.overridden.erase(state_.overridden.begin());
    added = true;
  }
  return added;
}

Result<std::vector<Operation>> SyncClient::redo_overridden(const std::string& id, int64_t device_now_ms) {
  // The newest notice of this operation.
  auto it = std::find_if(state_.overridden.rbegin(), state_.overridden.rend(),
                         [&](const OverriddenOp& o) { return o.id == id; });
  if (it == state_.overridden.rend())
    return make_error("not_overridden", "No other device's change hid this change, so there is nothing to redo.");
  if (!it->redone_as.empty())
    return make_error("already_redone", "This change was already made again as " + it->redone_as + ".");
  auto op = rejected_op(id);  // reads an own operation from the log
  if (!op) return make_error("not_found", "The change is no longer in this device's log.");
  auto t = State::target_of(*op);
  if (!t) return make_error("unknown_type", "This kind of change cannot be made again here.");
  const auto& [kind, entity_id] = *t;
  const Entity* e = replica_.state().find(kind, entity_id);
  if (!e || !e->created) return make_error("not_found", "The record is not on this device.");
  std::vector<Command> cmds;
  const std::string verb = op->type.substr(op->type.find('.') + 1);
  if (verb == "archive") {
    if (!e->archived()) {
      auto reason = op->payload.find("reason");
      cmds.push_back(ArchiveEntity{kind, entity_id,
                                   reason != op->payload.end() && reason->is_string() ? reason->get<std::string>() : ""});
    }
  } else {
    if (e->archived()) cmds.push_back(RestoreEntity{kind, entity_id});
    if (verb == "create" || verb == "edit") {
      Json back = Json::object();
      auto fields = op->payload.find("fields");
      if (fields != op->payload.end() && fields->is_object())
        for (auto f = fields->begin(); f != fields->end(); ++f)
          if (f.key() != "archived" && f.key() != "archive_reason" && e->get(f.key()) != f.value())
            back[f.key()] = f.value();
      if (!back.empty()) cmds.push_back(EditEntity{kind, entity_id, back});
    } else if (verb == "move") {
      if (auto cmd = command_of(*op)) cmds.push_back(*cmd);
    }
  }
  if (cmds.empty()) return make_error("nothing_to_change", "The record already shows this change.");
  std::vector<Operation> made;
  for (const auto& cmd : cmds) {
    auto r = replica_.commit(cmd, corrected_now(device_now_ms));
    if (!r) {
      if (made.empty()) return r.error();
      break;  // the restore is made; the edit is refused: the person sees the record again
    }
    made.push_back(std::move(r).value());
  }
  it->redone_as = made.back().id.to_string();
  (void)save();
  return made;
}

void SyncClient::on_pull_failed(int status, std::string_view body) { last_error_ = describe_failure(status, body); }

size_t SyncClient::waiting_ops() {
  uint64_t top = own_max_seq();
  return top > state_.acked_seq ? static_cast<size_t>(top - state_.acked_seq) : 0;
}

}  // namespace dh::sync
