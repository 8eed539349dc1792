#include "server/sync_service.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <utility>

#include "core/commands.h"
#include "core/schema.h"
#include "server/compression.h"
#include "server/roles.h"
#include "store/snapshot_file.h"

namespace dh {
namespace {

// "about 1 day", "about 7 hours", "about 12 minutes".
std::string describe_ahead(int64_t ms) {
  const int64_t minute = 60 * 1000, hour = 60 * minute, day = 24 * hour;
  auto plural = [](int64_t n, const char* unit) {
    return "about " + std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (ms >= 20 * hour) return plural((ms + day / 2) / day, "day");
  if (ms >= 50 * minute) return plural((ms + hour / 2) / hour, "hour");
  return plural((ms + minute / 2) / minute, "minute");
}

}  // namespace

Result<std::unique_ptr<SyncService>> SyncService::open(std::unique_ptr<OpStore> store,
                                                      const std::string& own_device) {
  std::unique_ptr<SyncService> svc(new SyncService(std::move(store)));
  svc->own_device_ = own_device;
  if (auto s = svc->refold(); !s) return s.error();
  // Other processes' commits wake this one's push channel (shared stores).
  SyncService* raw = svc.get();
  svc->store_->watch_commits([raw](uint64_t seq) { raw->advance_head(seq); });
  return svc;
}

SyncService::~SyncService() {
  if (store_) store_->watch_commits(nullptr);  // joins the listener before the members go
}

Status SyncService::refold() {
  for (int attempt = 0;; ++attempt) {
    State fresh;
    uint64_t head = 0, count = 0;
    uint64_t server_seq = 1;
    Hlc server_last{};
    // Operations the parent refused (hub mode) stay stored but out of the state.
    std::unordered_set<std::string> withdrawn;
    uint64_t withdrawn_through = 0;
    OpIdSet known;
    for (uint64_t after = 0;;) {
      auto page = store_->withdrawals_after(after, 1000);
      if (!page) return page.error();
      if (page->empty()) break;
      for (const auto& w : page.value()) withdrawn.insert(w.op_id);
      after = page->back().seq;
      withdrawn_through = after;
    }
    Status st = store_->for_each([&](const OpStore::Row& row) -> Status {
      auto op = parse_operation(row.body);
      if (!op) {
        return make_error("store_corrupt", "The stored operation at seq " + std::to_string(row.seq) +
                                               " cannot be read: " + op.error().message);
      }
      if (withdrawn.empty() || !withdrawn.count(op->id.to_string())) {
        fresh.apply(op.value());
        known.insert(op->id);
      }
      if (op->id.device == own_device_) {
        server_seq = std::max(server_seq, op->id.seq + 1);
        if (server_last < op->hlc) server_last = op->hlc;
      }
      head = row.seq;
      ++count;
      return ok_status();
    });
    if (!st) return st;
    if (store_->shared()) {
      // Another process may have withdrawn an operation the scan folded
      // while it ran (a withdrawal below the scan's last seq that the first
      // read did not see): fold again. Later ones are caught up as usual.
      auto late = store_->withdrawals_after(withdrawn_through, 1000);
      if (!late) return late.error();
      const bool missed = !late->empty() && late->front().seq < head;
      if (missed && attempt < 10) continue;
      if (missed) return make_error("busy", "The server could not read a steady view of the store; try again.");
    }
    stale_ = false;
    state_ = std::move(fresh);
    withdrawn_ = std::move(withdrawn);
    known_ = std::move(known);
    ++fold_epoch_;
    server_next_seq_ = server_seq;
    server_last_ = server_last;
    hash_cache_.clear();
    if (store_->shared()) {
      // Exactly what was folded: later seqs are caught up (catch_up).
      folded_seq_ = std::max(head, withdrawn_through);
      head_ = std::max(head_.load(), folded_seq_);
    } else {
      // AUTOINCREMENT may have moved past the last row (never in practice: rows
      // are never deleted), so ask the store for the head as well.
      head_ = std::max(head, store_->head());
      folded_seq_ = head_;
    }
    count_ = count;
    return ok_status();
  }
}

Status SyncService::fold_row(const OpStore::Row& row) {
  auto op = parse_operation(row.body);
  if (!op) {
    return make_error("store_corrupt", "The stored operation at seq " + std::to_string(row.seq) +
                                           " cannot be read: " + op.error().message);
  }
  if (withdrawn_.empty() || !withdrawn_.count(op->id.to_string())) {
    state_.apply(op.value());
    known_.insert(op->id);
  }
  if (op->id.device == own_device_) {
    server_next_seq_ = std::max(server_next_seq_, op->id.seq + 1);
    if (server_last_ < op->hlc) server_last_ = op->hlc;
  }
  return ok_status();
}

Status SyncService::fold_tail(const OpStore::Page& tail) {
  size_t ri = 0, wi = 0;
  bool changed = false, withdrawn_now = false;
  const auto& rows = tail.rows;
  const auto& ws = tail.withdrawals;
  while (ri < rows.size() || wi < ws.size()) {
    const bool row_first = wi >= ws.size() || (ri < rows.size() && rows[ri].seq < ws[wi].seq);
    if (row_first) {
      const OpStore::Row& row = rows[ri++];
      if (row.seq <= folded_seq_) continue;
      if (auto st = fold_row(row); !st) return st;
      folded_seq_ = row.seq;
      ++count_;
      changed = true;
    } else {
      const OpStore::Withdrawal& w = ws[wi++];
      if (w.seq <= folded_seq_) continue;
      if (!withdrawn_.count(w.op_id)) withdrawn_now = true;
      folded_seq_ = w.seq;
      changed = true;
    }
  }
  // A withdrawal takes an operation out of the state: fold again (rare).
  if (withdrawn_now) return refold();
  if (changed) {
    hash_cache_.clear();
    advance_head(folded_seq_);
  }
  return ok_status();
}

Status SyncService::catch_up() {
  // A failed store call whose refold failed too (the database was out of
  // reach, a failover) left the state unsure: read the store first, so
  // nothing is decided on operations it does not hold.
  if (stale_) {
    if (auto r = refold(); !r) return r;
  }
  if (!store_->shared()) return ok_status();
  constexpr size_t kPage = 1000;
  for (;;) {
    auto page = store_->read_page(folded_seq_, kPage);
    if (!page) return page.error();
    if (page->rows.empty() && page->withdrawals.empty()) return ok_status();
    // A full list may stop short of the other: only entries up to the end
    // of a full list are certainly complete.
    uint64_t bound = UINT64_MAX;
    if (page->rows.size() >= kPage) bound = std::min(bound, page->rows.back().seq);
    if (page->withdrawals.size() >= kPage) bound = std::min(bound, page->withdrawals.back().seq);
    auto beyond = [bound](const auto& e) { return e.seq > bound; };
    page->rows.erase(std::remove_if(page->rows.begin(), page->rows.end(), beyond), page->rows.end());
    page->withdrawals.erase(std::remove_if(page->withdrawals.begin(), page->withdrawals.end(), beyond),
                            page->withdrawals.end());
    const uint64_t before = folded_seq_;
    if (auto st = fold_tail(page.value()); !st) return st;
    if (bound == UINT64_MAX || folded_seq_ == before) return ok_status();
  }
}

// A type this server's fold does not know, but well formed ("<kind>.<verb>",
// lower-case letters and '_'): an operation of a newer app version.
static bool is_future_type(const std::string& type) {
  std::string kind, verb;
  if (!split_type(type, &kind, &verb)) return false;
  auto word = [](const std::string& w) {
    return std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  };
  return word(kind) && word(verb);
}

Result<sync::PushResponse> SyncService::push_impl(const sync::PushRequest& request, const Principal& who,
                                                  Authenticator& auth, int64_t now_ms, bool clock_rule) {
  using sync::PushStatus;
  // The clock rule (docs/sync-protocol.md "Clocks"): checked before anything
  // is touched, so a refused push leaves the store unchanged. The server's
  // clock bounds every stamp; device_ms (the device's own uncorrected clock)
  // only makes the answer carry a warning for the person.
  int64_t stamp_ahead = 0;
  for (const auto& item : request.items) {
    if (item.op) stamp_ahead = std::max(stamp_ahead, item.op->hlc.wall_ms - now_ms);
  }
  const int64_t device_ahead = request.device_ms > 0 ? request.device_ms - now_ms : 0;
  if (!clock_rule) stamp_ahead = 0;
  if (stamp_ahead > sync::kMaxStampAheadMs) {
    return make_error("clock_far_ahead",
                      "Changes from this device are stamped " + describe_ahead(stamp_ahead) +
                          " ahead of the server, so they would win over later changes. Nothing was stored: "
                          "the app stamps them again with the server's time and sends them again. "
                          "Please set the date and time on this device.");
  }
  // Group commit (op_store.h): the push is stored and applied under the push
  // lock, then waits for the WAL fsync WITHOUT the lock, so the pushes that
  // arrive meanwhile are validated and committed and share the next fsync.
  // The answer, and the push channel's head, wait until what this push
  // stored or looked at is on disk: the ticket taken under the lock covers
  // its own commit and every commit whose rows it answered "duplicate" or
  // "refused before" from.
  uint64_t ticket = 0, stored_through = 0;
  Result<sync::PushResponse> resp = [&]() -> Result<sync::PushResponse> {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = push_locked(request, who, auth, now_ms, &stored_through);
    ticket = store_->committed_ticket();
    return r;
  }();
  if (ticket != 0) {
    if (auto d = store_->wait_durable(ticket); !d) return d.error();
  }
  if (!resp) return resp;
  if (stored_through != 0) advance_head(stored_through);
  resp->head = head_;
  resp->server_ms = now_ms;
  if (clock_rule && device_ahead > kClockWarningMs) {
    resp->clock_warning = "This device's clock is " + describe_ahead(device_ahead) +
                          " ahead of the server; please set the date and time. "
                          "Its changes were kept.";
  }
  return resp;
}

Result<sync::PushResponse> SyncService::push_locked(const sync::PushRequest& request, const Principal& who,
                                                    Authenticator& auth, int64_t now_ms, uint64_t* stored_through) {
  using sync::PushStatus;
  // A shared store: what other processes committed, folded in before the
  // append lock is taken (so the locked catch-up below is short).
  if (auto st = catch_up(); !st) return st.error();
  sync::PushResponse resp;
  resp.results.resize(request.items.size());

  std::vector<size_t> stored_index;               // result index of each to_store entry
  std::vector<std::pair<size_t, size_t>> dup_of;  // (result index, first copy's index)
  std::vector<std::string> bodies(request.items.size());
  bool applied_any = false;  // state_ changed: refold if nothing is stored

  // Runs in the store's appending transaction, under the append lock: the
  // tail is what other processes committed since catch_up().
  auto decide = [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    if (!tail.rows.empty() || !tail.withdrawals.empty()) {
      applied_any = true;
      if (auto st = fold_tail(tail); !st) return st.error();
    }
    OpStore::Batch out;
    std::vector<OpStore::NewOp>& to_store = out.ops;
    std::vector<OpStore::Rejection>& to_remember = out.rejections;  // refusals made now (step 3, 4)
    std::unordered_map<std::string, size_t> batch;  // op id -> result index of its first copy

    // What the store holds (stored row, remembered refusal) for every id of
    // the push, in one lookup (one query on PostgreSQL). Nothing is stored
    // before this transaction commits (on a shared store the append lock
    // holds the other processes off), so these stay the answers for this push.
    std::vector<std::string> ids;
    std::vector<size_t> id_slot(request.items.size(), 0);
    for (size_t i = 0; i < request.items.size(); ++i) {
      if (!request.items[i].op) continue;
      id_slot[i] = ids.size();
      ids.push_back(request.items[i].op->id.to_string());
    }
    auto looked_up = store_->find_many(ids);
    if (!looked_up) return looked_up.error();
    const std::vector<OpStore::Known>& held = looked_up.value();

    for (size_t i = 0; i < request.items.size(); ++i) {
      const sync::PushItem& item = request.items[i];
      sync::PushResult& res = resp.results[i];
      res.id = item.id;
      if (!item.op) {
        res.status = PushStatus::rejected;
        res.code = item.error.code;
        res.reason = item.error.message;
        continue;
      }
      const Operation& op = *item.op;
      const std::string id = op.id.to_string();
      res.id = id;
      // Authorise BEFORE looking anything up by id: whether an op id exists,
      // and what it holds, is answered only to the device that may push it
      // (a foreign id is "forbidden" whether it is stored or not).
      if (auto a = auth.authorize_push(who, op, state_); !a) {
        res.status = PushStatus::rejected;
        res.code = a.error().code;
        res.reason = a.error().message;
        // Remembered like any refusal when the device pushes its own operation
        // (so a device re-enrolled with another role that pushes everything
        // again gets the same answer); never for a foreign id, which must not
        // let one device block another's ids, and never for an id already
        // stored or refused (the first answer stands).
        if (op.id.device == who.device) {
          const OpStore::Known& k = held[id_slot[i]];
          if (!k.stored && !k.refused)
            to_remember.push_back(OpStore::Rejection{id, to_json_text(op), res.code, res.reason, now_ms, request.device});
        }
        continue;
      }
      // The received text when it was already canonical (it then equals
      // to_json_text(op), see PushItem::text), else written again.
      bodies[i] = item.text.empty() ? to_json_text(op) : item.text;
      if (bodies[i].size() > sync::kMaxOpBytes) {
        res.status = PushStatus::rejected;
        res.code = "op_too_large";
        res.reason = "One operation may be at most " + std::to_string(sync::kMaxOpBytes / 1024) + " KiB; this one has " +
                     std::to_string(bodies[i].size()) + " bytes.";
        continue;
      }

      if (auto it = batch.find(id); it != batch.end()) {
        if (bodies[it->second] == bodies[i]) {
          res.status = resp.results[it->second].status;
          if (res.status == PushStatus::accepted) res.status = PushStatus::duplicate;
          dup_of.emplace_back(i, it->second);
        } else {
          res.status = PushStatus::rejected;
          res.code = "id_reused";
          res.reason = "This operation id was already used in this batch for a different operation.";
        }
        continue;
      }
      const std::optional<OpStore::Row>& existing = held[id_slot[i]].stored;
      if (existing && withdrawn_.count(id)) {
        // Stored here, refused by the parent (hub mode): the parent's answer.
        const std::optional<OpStore::Rejection>& refused = held[id_slot[i]].refused;
        res.status = PushStatus::rejected;
        if (existing->body == bodies[i] && refused) {
          res.code = refused->code;
          res.reason = refused->reason;
        } else {
          res.code = "id_reused";
          res.reason = "The server already holds a different operation with this id.";
        }
        batch.emplace(id, i);
        continue;
      }
      if (existing) {
        if (existing->body == bodies[i]) {
          res.status = PushStatus::duplicate;
          res.seq = existing->seq;
        } else {
          res.status = PushStatus::rejected;
          res.code = "id_reused";
          res.reason = "The server already holds a different operation with this id.";
        }
        batch.emplace(id, i);
        continue;
      }
      // Refused before: the same answer again, whatever the state is now.
      const std::optional<OpStore::Rejection>& refused = held[id_slot[i]].refused;
      if (refused) {
        res.status = PushStatus::rejected;
        if (refused->body == bodies[i]) {
          res.code = refused->code;
          res.reason = refused->reason;
        } else {
          res.code = "id_reused";
          res.reason = "The server already refused a different operation with this id.";
        }
        batch.emplace(id, i);
        continue;
      }
      batch.emplace(id, i);
      if (auto v = validate_operation(state_, op); !v) {
        // An operation of a newer app version (docs/operation-log.md "Unknown
        // types"): stored and synced, ignored by this fold. It got here only
        // authenticated, as its own device, within the size limit and allowed
        // for the role (roles.cpp: administrators and coordinators).
        const bool future = v.error().code == "unknown_type" && is_future_type(op.type);
        if (!future) {
          res.status = PushStatus::rejected;
          res.code = v.error().code;
          res.reason = v.error().message;
          to_remember.push_back(OpStore::Rejection{id, bodies[i], res.code, res.reason, now_ms, request.device});
          continue;
        }
      }
      state_.apply(op);
      known_.insert(op.id);
      hash_cache_.clear();
      applied_any = true;
      res.status = PushStatus::accepted;
      to_store.push_back(OpStore::NewOp{&op, bodies[i], now_ms, request.device});
      stored_index.push_back(i);
    }
    return out;
  };

  auto pending = store_->append_after(folded_seq_, decide);
  if (!pending) {
    // Undo the applied ops: the store kept none of them, or (a connection
    // lost during COMMIT) some may be stored after all; either way the store
    // is the truth (the state equals it again, whatever the catch-up had
    // folded). If it cannot be read now, the state stays marked stale and
    // the next call folds it first (catch_up).
    if (applied_any) {
      stale_ = true;
      if (auto r = refold(); !r) {
        return make_error("store_error", pending.error().message + " Re-reading the store also failed: " +
                                             r.error().message);
      }
    }
    return pending.error();
  }
  {
    const std::vector<uint64_t>& seqs = pending->seqs;
    for (size_t k = 0; k < seqs.size(); ++k) resp.results[stored_index[k]].seq = seqs[k];
    if (!seqs.empty()) {
      *stored_through = seqs.back();
      folded_seq_ = std::max(folded_seq_, seqs.back());
    }
    count_ += seqs.size();
  }
  for (auto [i, first] : dup_of) {
    resp.results[i].seq = resp.results[first].seq;
    if (resp.results[first].status == PushStatus::rejected) {
      resp.results[i].code = resp.results[first].code;
      resp.results[i].reason = resp.results[first].reason;
    }
  }
  return resp;
}

Result<std::string> SyncService::pull(const sync::PullQuery& query, int64_t now_ms,
                                      const std::string& reader_role, uint64_t* next_out) {
  const bool restricted = role_reads_allow_list(reader_role);
  // Withdrawals (hub mode) share the sequence: a page is the first `limit`
  // entries of both, read from one view of the store and merged by seq, so
  // `next` never passes one unseen.
  auto read = store_->read_page(query.after, query.limit + 1);
  if (!read) return read.error();
  std::vector<OpStore::Row>& rv = read->rows;
  const std::vector<OpStore::Withdrawal>& gv = read->withdrawals;
  size_t ri = 0, wi = 0, taken = 0;
  uint64_t next = query.after;
  std::vector<sync::WithdrawnOp> withdrawn;
  std::vector<OpStore::Row> page;
  page.reserve(std::min(rv.size(), query.limit));
  while (taken < query.limit && (ri < rv.size() || wi < gv.size())) {
    const bool op_first = wi >= gv.size() || (ri < rv.size() && rv[ri].seq < gv[wi].seq);
    if (op_first) {
      next = rv[ri].seq;
      page.push_back(std::move(rv[ri++]));
    } else {
      const auto& w = gv[wi++];
      next = w.seq;
      withdrawn.push_back(sync::WithdrawnOp{w.seq, w.op_id, w.code, w.reason});
    }
    ++taken;
  }
  const bool more = ri < rv.size() || wi < gv.size();
  std::vector<sync::RawPulledOp> ops;
  ops.reserve(page.size());
  for (auto& r : page) {
    if (restricted) {  // stored text was validated, so it parses; if not, it is not sent
      auto op = parse_operation(r.body);
      r.body = op && !withheld_from_role(op.value(), reader_role)
                   ? to_json_text(fields_for_role(op.value(), reader_role))
                   : std::string();
      if (r.body.empty()) continue;
    }
    ops.push_back(sync::RawPulledOp{r.seq, std::move(r.body)});
  }
  if (next_out) *next_out = next;
  uint64_t head = std::max(head_.load(), next);
  return sync::encode_pull_response(ops, next, more, head, now_ms, withdrawn);
}

Result<size_t> SyncService::ingest_upstream(const std::vector<sync::PulledOp>& ops, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto st = catch_up(); !st) return st.error();
  std::vector<OpStore::NewOp> to_store;
  std::vector<std::string> bodies;
  std::unordered_set<std::string> in_batch;
  bodies.reserve(ops.size());
  std::vector<const Operation*> fresh;
  for (const auto& p : ops) {
    const std::string id = p.op.id.to_string();
    if (in_batch.count(id)) continue;
    auto existing = store_->find(id);
    if (!existing) return existing.error();
    if (existing.value()) continue;  // one of ours coming back, or pulled before a restart
    in_batch.insert(id);
    fresh.push_back(&p.op);
  }
  for (const Operation* op : fresh) bodies.push_back(to_json_text(*op));
  for (size_t i = 0; i < fresh.size(); ++i) to_store.push_back(OpStore::NewOp{fresh[i], bodies[i], now_ms, kFromUpstream});
  if (to_store.empty()) return size_t{0};
  auto seqs = store_->append(to_store);
  if (!seqs) {
    stale_ = true;  // a COMMIT whose outcome is unknown may have stored them
    return seqs.error();
  }
  if (store_->shared()) {
    // Other processes may have appended between: read them and these back.
    if (auto st = catch_up(); !st) return st.error();
    return fresh.size();
  }
  for (const Operation* op : fresh) {
    state_.apply(*op);
    known_.insert(op->id);
  }
  hash_cache_.clear();
  folded_seq_ = std::max(folded_seq_, seqs->back());
  advance_head(seqs->back());
  count_ += seqs->size();
  return fresh.size();
}

Result<bool> SyncService::withdraw(const std::string& op_id, const std::string& code, const std::string& reason,
                                   int64_t now_ms) {
  auto n = withdraw(std::vector<Refusal>{Refusal{op_id, code, reason}}, now_ms);
  if (!n) return n.error();
  return n.value() > 0;
}

Result<size_t> SyncService::withdraw(const std::vector<Refusal>& refusals, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t done = 0;
  uint64_t last_seq = 0;
  std::optional<Error> failed;
  for (const Refusal& r : refusals) {
    if (withdrawn_.count(r.op_id)) continue;
    auto existing = store_->find(r.op_id);
    if (!existing) {
      failed = existing.error();
      break;
    }
    if (!existing.value()) continue;
    auto seq = store_->withdraw(
        OpStore::Rejection{r.op_id, existing.value()->body, r.code, r.reason, now_ms, existing.value()->pushed_by});
    if (!seq) {
      failed = seq.error();
      break;
    }
    withdrawn_.insert(r.op_id);
    last_seq = std::max(last_seq, seq.value());
    ++done;
  }
  // The state without them: fold again once (refusals by a parent are rare).
  if (done > 0) {
    if (auto st = refold(); !st) return st.error();
    advance_head(last_seq);
  }
  if (failed) return *failed;
  return done;
}

bool SyncService::is_withdrawn(const std::string& op_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return withdrawn_.count(op_id) > 0;
}

Result<size_t> SyncService::load_if_empty(const std::vector<Operation>& ops,
                                          const std::string& origin, int64_t now_ms) {
  if (count_.load() != 0 || store_->count() != 0) return size_t{0};
  OpenAccess open;
  Principal who{origin, "server"};
  size_t stored = 0;
  constexpr size_t kChunk = 5000;
  for (size_t start = 0; start < ops.size(); start += kChunk) {
    sync::PushRequest req;
    req.device = origin;
    for (size_t i = start; i < ops.size() && i < start + kChunk; ++i) {
      sync::PushItem item;
      item.id = ops[i].id.to_string();
      item.op = ops[i];
      req.items.push_back(std::move(item));
    }
    auto resp = push_impl(req, who, open, now_ms, false);
    if (!resp) return resp.error();
    for (const auto& r : resp->results) {
      if (r.status == sync::PushStatus::rejected) {
        return make_error("load_rejected", "Operation " + r.id + " was rejected: " + r.reason);
      }
      if (r.status == sync::PushStatus::accepted) ++stored;
    }
  }
  return stored;
}

Result<SyncService::Authored> SyncService::author(const std::function<Result<ServerCommand>(const State&)>& build,
                                                  int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto st = catch_up(); !st) return st.error();
  std::optional<Operation> made;
  std::string body;
  uint64_t next_seq = 0;
  // Decided under the append lock, against everything stored before it
  // (a volunteer checked in at another server is checked in here too).
  auto decide = [&](const OpStore::Page& tail) -> Result<OpStore::Batch> {
    if (!tail.rows.empty() || !tail.withdrawals.empty()) {
      if (auto st = fold_tail(tail); !st) return st.error();
    }
    auto cmd = build(state_);
    if (!cmd) return cmd.error();
    OpSource source{own_device_, cmd->author, server_next_seq_, HlcClock{}};
    source.clock.restore(server_last_);
    // An enrolled administrator may have pushed operations under this device
    // name (imports): never reuse an id.
    for (;;) {
      auto taken = store_->find(OpId{own_device_, source.next_seq}.to_string());
      if (!taken) return taken.error();
      if (!taken.value()) break;
      ++source.next_seq;
    }
    auto op = make_operation(state_, cmd->command, source, now_ms);
    if (!op) return op.error();
    made = std::move(op).value();
    next_seq = source.next_seq;
    body = to_json_text(*made);
    OpStore::Batch out;
    out.ops.push_back(OpStore::NewOp{&*made, body, now_ms, ""});
    return out;
  };
  auto pending = store_->append_after(folded_seq_, decide);
  if (!pending) {
    // A COMMIT whose outcome is unknown may have stored it; the state equals
    // the store again, or stays marked stale until it can be read.
    stale_ = true;
    (void)refold();
    return pending.error();
  }
  if (pending->ticket != 0) {
    if (auto d = store_->wait_durable(pending->ticket); !d) return d.error();
  }
  const uint64_t seq = pending->seqs.back();
  state_.apply(*made);
  known_.insert(made->id);
  hash_cache_.clear();
  server_next_seq_ = next_seq;
  server_last_ = made->hlc;
  folded_seq_ = std::max(folded_seq_, seq);
  advance_head(seq);
  count_ += 1;
  return Authored{std::move(*made), seq};
}

void SyncService::advance_head(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    head_ = std::max(head_.load(), seq);
  }
  head_cv_.notify_all();
}

std::optional<uint64_t> SyncService::wait_for_head_beyond(uint64_t after, int64_t timeout_ms,
                                                          const std::function<bool()>& stopping) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  if (head_.load() > after || timeout_ms <= 0 || stop_waiting_) return head_.load();
  if (waiters_ >= kMaxWaiters) return std::nullopt;
  ++waiters_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // Slices of 250 ms, so a server that is stopping is noticed (stopping()).
  while (head_.load() <= after && !stop_waiting_ && !(stopping && stopping())) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    head_cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(250)));
  }
  --waiters_;
  return head_.load();
}

void SyncService::stop_waiting() {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    stop_waiting_ = true;
  }
  head_cv_.notify_all();
}

void SyncService::read_state(const std::function<void(const State&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  (void)catch_up();  // a failed read shows the state as far as it is folded
  fn(state_);
}

std::string SyncService::state_hash() {
  std::lock_guard<std::mutex> lock(mu_);
  (void)catch_up();
  if (hash_cache_.empty()) hash_cache_ = state_.hash_hex();
  return hash_cache_;
}

Result<std::shared_ptr<const SyncService::Snapshot>> SyncService::snapshot(int format) {
  if (format != 1 && format != 2) return make_error("bad_query", "There is no snapshot format " + std::to_string(format) + ".");
  const int slot = format - 1;
  std::lock_guard<std::mutex> build(snapshot_mu_);  // one build at a time; others wait and share it
  std::shared_ptr<const Snapshot>& cached = snapshot_[slot];
  if (cached && snapshot_epoch_[slot] == fold_epoch_.load() && head_.load() < cached->seq + kSnapshotRefreshOps)
    return cached;
  auto snap = std::make_shared<Snapshot>();
  snap->format = format;
  std::string text;
  Json doc;  // format 1: built under the lock, serialised after it
  uint64_t epoch = 0;
  {
    // Group commit (op_store.h): state_ may hold operations that are
    // committed but not yet on disk, and a snapshot must not hand out what a
    // power cut could take back. So the state is taken only when everything
    // committed is durable: wait for the last ticket outside the lock, and
    // take it if nothing was committed meanwhile (else wait again).
    std::unique_lock<std::mutex> lock(mu_);
    for (int tries = 0;; ++tries) {
      const uint64_t ticket = store_->committed_ticket();
      if (ticket == 0) break;
      lock.unlock();
      if (auto d = store_->wait_durable(ticket); !d) return d.error();
      lock.lock();
      if (store_->committed_ticket() == ticket) break;
      if (tries == 50) return make_error("busy", "The server is busy storing changes; the device pulls page by page.");
    }
    // A shared store: what the other processes committed, too.
    if (auto st = catch_up(); !st) return st.error();
    // Every committed operation is durable: the state is the fold of the
    // log through the durable seq.
    epoch = fold_epoch_.load();
    snap->seq = store_->shared() ? folded_seq_ : std::max(head_.load(), store_->durable_seq());
    snap->operations = known_.size();
    if (hash_cache_.empty()) hash_cache_ = state_.hash_hex();
    snap->state_hash = hash_cache_;
    if (format == 2) {
      SnapshotInfo info;
      info.ids = known_;
      info.clock = state_.max_hlc();
      info.state_hash = snap->state_hash;
      info.device = own_device_;
      info.server_seq = snap->seq;
      text = encode_snapshot(info, state_);
    } else {
      doc = Json{{"format", 1},
                 {"seq", snap->seq},
                 {"operations", snap->operations},
                 {"state_hash", snap->state_hash},
                 {"ids", known_.to_json()},
                 {"state", state_.to_snapshot()}};
    }
  }
  if (format == 1) {
    text = doc.dump();
    doc = Json();
  }
  snap->json_bytes = text.size();
  auto gz = gzip_compress(text, 6);
  if (!gz) return make_error("store_error", "The snapshot for new devices could not be compressed.");
  snap->gzip = std::move(*gz);
  cached = std::move(snap);
  snapshot_epoch_[slot] = epoch;
  ++snapshots_built_;
  return cached;
}

sync::Health SyncService::health(const std::string& auth_name, int64_t now_ms) {
  sync::Health h;
  if (store_->shared()) {
    // One view: the state, its head and count as far as folded.
    std::lock_guard<std::mutex> lock(mu_);
    (void)catch_up();
    if (hash_cache_.empty()) hash_cache_ = state_.hash_hex();
    h.state_hash = hash_cache_;
    h.head = folded_seq_;
    h.ops = count_.load();
  } else {
    h.ops = count_.load();
    h.head = head_.load();
    h.state_hash = state_hash();
  }
  h.auth = auth_name;
  h.server_ms = now_ms;
  return h;
}

}  // namespace dh
