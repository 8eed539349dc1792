#include "session/sync_driver.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "core/schema.h"
#include "sync/protocol.h"

namespace dh::session {

using Json = nlohmann::json;

Result<std::unique_ptr<SyncDriver>> SyncDriver::open(Http& http, Flusher& flusher, FileSystem& fs, Replica& replica,
                                                     std::string device_file) {
  std::unique_ptr<SyncDriver> d(new SyncDriver(http, flusher, fs, replica, std::move(device_file)));
  auto client = sync::SyncClient::open(fs, replica);
  if (!client) return client.error();
  d->client_ = std::move(client.value());
  if (fs.exists(d->device_file_)) {
    auto text = fs.read(d->device_file_);
    Json j = text ? Json::parse(text.value(), nullptr, false) : Json();
    if (j.is_object() && j.value("device", "") == replica.device_id()) {
      d->token_ = j.value("token", "");
      d->role_ = j.value("role", "");
      d->device_name_ = j.value("name", "");
    }
  }
  SyncDriver* self = d.get();
  d->durable_state_ = {d->client_->state().cursor, d->client_->state().acked_seq};
  flusher.set_observer(
      [self](uint64_t token) {
        // sync-state.json as it is now goes into this flush.
        self->tickets_[token] = Ticket{self->client_->begin_flush(),
                                       {self->client_->state().cursor, self->client_->state().acked_seq}};
      },
      [self](uint64_t token, bool ok) {
        auto it = self->tickets_.find(token);
        if (it == self->tickets_.end()) return;
        Ticket t = it->second;
        // Older tickets can no longer finish well once a later one did.
        self->tickets_.erase(self->tickets_.begin(), std::next(it));
        if (!ok) return;
        self->durable_state_ = t.state_file;
        (void)self->client_->flush_completed(t.flush);
        // Own changes just became durable: send them.
        if (t.flush.own_seq > self->client_->state().acked_seq) self->wanted_ = true;
        self->waiting_dirty_ = true;
        // flush_completed() rewrote sync-state.json (a later cursor): make that
        // durable too, or a reload pulls those pages again.
        self->flush_state_if_newer();
      });
  return d;
}

void SyncDriver::flush_state_if_newer() {
  const auto& st = client_->state();
  if (std::make_pair(st.cursor, st.acked_seq) != durable_state_) flusher_.flush_now();
}

SyncDriver::~SyncDriver() { flusher_.set_observer(nullptr, nullptr); }

void SyncDriver::tick(int64_t now) {
  if (enrol_request_) {
    HttpReply r;
    if (http_.take(enrol_request_, r)) {
      enrol_request_ = 0;
      handle_enrol_answer(r);
    }
  }
  if (admin_request_) {
    HttpReply r;
    if (http_.take(admin_request_, r)) {
      admin_request_ = 0;
      handle_admin_answer(r);
    }
  }
  const bool online = http_.online();
  if (online != was_online_) {
    // The browser's `online` event: try at once, forget the back-off.
    if (online) {
      wanted_ = true;
      failures_ = 0;
    }
    was_online_ = online;
  }
  if (waiting_dirty_) refresh_waiting();
  // The channel went quiet (page hidden, no answer): back to the plain poll.
  if (!push_channel_live() && step_ == Step::idle && next_round_ms_ > now + kPollMs) next_round_ms_ = now + kPollMs;
  tick_push_channel(now);

  if (step_ != Step::idle) {
    HttpReply r;
    if (!http_.take(request_, r)) return;
    request_ = 0;
    note_answer(now, r.status);
    if (step_ == Step::health) {
      if (r.status == 200) {
        if (auto h = sync::decode_health(r.body)) auth_mode_ = h->auth;
        continue_push(now);
      } else {
        round_failed(now, r.status, r.body);
      }
    } else if (step_ == Step::pushing) {
      if (r.status == 200) {
        auto st = client_->on_push_response(*batch_, r.body, now);
        batch_.reset();
        waiting_dirty_ = true;
        if (!st.ok()) return round_failed(now, r.status, r.body);
        continue_push(now);
      } else {
        client_->on_push_failed(*batch_, r.status, r.body);
        // Too large for the server (or a proxy in front of it): the same
        // operations go again in smaller batches.
        if (r.status == 413) push_limit_ = std::max<size_t>(1, batch_->op_ids.size() / 2);
        batch_.reset();
        // A 422 clock_far_ahead re-stamps own operations (files rewritten):
        // they go up again after this flush.
        flusher_.request_flush(replica_.write_generation());
        round_failed(now, r.status, r.body);
      }
    } else if (step_ == Step::snapshot) {
      if (r.status == 401) return round_failed(now, r.status, r.body);
      if (r.status == 200) {
        auto st = r.body_in_file ? client_->on_snapshot_file(now) : client_->on_snapshot_response(r.body, now);
        if (st.ok()) {
          round_ingested_ = true;
          round_from_snapshot_ = true;
          ingested_total_ += replica_.operation_count();
        } else {
          snapshot_problem_ = st.error().message;
        }
      } else {
        client_->on_snapshot_failed();  // e.g. 403 for a restricted role, 404 on an empty server
      }
      start_pull();
    } else if (step_ == Step::pulling) {
      if (r.status == 200) {
        auto out = client_->on_pull_response(pull_, r.body, now);
        if (!out) return round_failed(now, r.status, r.body);
        if (out->ingested > 0) {
          round_ingested_ = true;
          ingested_total_ += out->ingested;
          if (replica_.should_snapshot()) (void)replica_.write_snapshot();
          // After a snapshot only the tail comes: one flush when the round ends.
          if (!round_from_snapshot_) flusher_.request_flush(replica_.write_generation());
        }
        if (out->more) start_pull();
        else round_done(now);
      } else {
        client_->on_pull_failed(r.status, r.body);
        round_failed(now, r.status, r.body);
      }
    }
    return;
  }
  if (!online || needs_enrolment_ || enrol_request_) {
    // Started offline (or not enrolled): the first round is over before it began.
    if (!first_round_done_ && (!online || needs_enrolment_)) {
      first_round_done_ = true;
    }
    return;
  }
  if (wanted_ || now >= next_round_ms_) start_round(now);
}

void SyncDriver::note_answer(int64_t now, int status) {
  if (status == 0 || status >= 500) {
    contact_lost_ = true;
  } else {
    contact_lost_ = false;
    last_contact_ms_ = now;
  }
}

bool SyncDriver::in_contact(int64_t now) const {
  if (contact_lost_ || last_contact_ms_ == 0) return false;
  if (wait_request_ && now - wait_sent_ms_ > kWaitTimeoutMs + kContactGraceMs) return false;
  if (!wait_request_ && step_ == Step::idle && now - last_contact_ms_ > kPollMs + kContactGraceMs) return false;
  return true;
}

int64_t SyncDriver::next_deadline_ms(int64_t now) const {
  int64_t at = INT64_MAX;
  if (wait_request_) at = std::min(at, wait_sent_ms_ + kWaitTimeoutMs + kContactGraceMs + 1);
  if (step_ != Step::idle || enrol_request_ || needs_enrolment_ || !http_.online()) return at;
  if (wanted_ || waiting_dirty_) return now;
  // A round cut short by the poll interval stays due at next_round_ms_; with
  // the channel live the next round comes when it answers (or at the poll).
  at = std::min(at, next_round_ms_);
  if (push_channel_ && !wait_request_ && !auth_mode_.empty()) at = std::min(at, std::max(now, next_wait_ms_));
  return at;
}

void SyncDriver::tick_push_channel(int64_t now) {
  if (wait_request_) {
    HttpReply r;
    if (http_.take(wait_request_, r)) {
      wait_request_ = 0;
      // "Busy" (the server's waiter limit) is an answer: the server is there.
      note_answer(now, r.status == 503 ? 200 : r.status);
      wait_live_ = r.status == 200;
      if (r.status == 200) {
        Json j = Json::parse(r.body, nullptr, false);
        uint64_t head = j.is_object() && j.contains("head") && j["head"].is_number_unsigned() ? j["head"].get<uint64_t>() : 0;
        wait_head_ = std::max(wait_head_, head);
        // Something new: pull now (after a failed round the back-off decides).
        if (head > client_->pulled_cursor() && failures_ == 0) wanted_ = true;
        // Nothing new and nothing of ours waiting: the server just confirmed
        // that this device has everything, which is what a round would have
        // found (the status bar's "synced" and its time stay true without a
        // poll).
        else if (head <= client_->pulled_cursor() && failures_ == 0 && last_error_.empty() && waiting_ == 0 &&
                 step_ == Step::idle && !wanted_)
          client_->round_succeeded(now);
        next_wait_ms_ = now;
      } else {
        // No answer, busy or refused: try again later; rounds go on as before.
        next_wait_ms_ = now + (r.status == 503 ? 5000 : 2000);
        if (r.status == 401) needs_enrolment_ = true;
      }
    } else if (now - wait_sent_ms_ > kWaitTimeoutMs + kContactGraceMs) {
      // Overdue (a network that drops packets silently): forget it and ask again.
      wait_request_ = 0;
      wait_live_ = false;
      contact_lost_ = true;
      next_wait_ms_ = now;
    }
    return;
  }
  if (!push_channel_ || needs_enrolment_ || enrol_request_ || !http_.online() || auth_mode_.empty()) {
    wait_live_ = false;
    return;
  }
  if (step_ != Step::idle || wanted_ || now < next_wait_ms_) return;
  const uint64_t after = std::max(client_->pulled_cursor(), client_->state().cursor);
  wait_request_ = http_.request("GET",
                                "/api/v1/wait?after=" + std::to_string(after) +
                                    "&timeout_ms=" + std::to_string(kWaitTimeoutMs),
                                "", token_);
  wait_sent_ms_ = now;
  next_wait_ms_ = now + 200;  // never more often than this, whatever the answers
}

void SyncDriver::start_round(int64_t now) {
  wanted_ = false;
  round_ingested_ = false;
  round_from_snapshot_ = false;
  if (auth_mode_.empty()) {
    step_ = Step::health;
    request_ = http_.request("GET", "/api/v1/health", "", "");
    return;
  }
  continue_push(now);
}

void SyncDriver::continue_push(int64_t now) {
  batch_ = client_->next_push(now, push_limit_);
  if (!batch_) return start_pull();
  step_ = Step::pushing;
  request_ = http_.request("POST", "/api/v1/ops", batch_->body, token_);
}

void SyncDriver::start_pull() {
  if (client_->wants_snapshot() && !role_reads_allow_list(role_)) {
    step_ = Step::snapshot;
    // Written by the platform into the store folder as it arrives (no copy
    // of the whole document in memory; Replica::adopt_server_snapshot_file).
    request_ = http_.request_to_file(sync::SyncClient::kSnapshotPath, token_, replica_.incoming_snapshot_path());
    return;
  }
  step_ = Step::pulling;
  pull_ = client_->next_pull();
  request_ = http_.request("GET", pull_.path, "", token_);
}

void SyncDriver::round_done(int64_t now) {
  step_ = Step::idle;
  client_->round_succeeded(now);
  failures_ = 0;
  next_round_ms_ = now + (push_channel_live() ? kPollWithPushMs : kPollMs);
  last_error_ = {};
  first_round_done_ = true;
  // The server now holds every acknowledged own change: log files the
  // snapshot covers can go (Replica::compact; does nothing until a snapshot
  // folds only such changes). The flush below makes the removal durable
  // together with sync-state.json.
  if (auto removed = replica_.compact(client_->state().acked_seq); removed.ok() && removed.value() > 0)
    flusher_.request_flush(replica_.write_generation());
  // Make the cursor and the answered pushes durable (sync-state.json): the
  // flush handshake moves the cursor when this flush completes.
  // A round that started from the server's snapshot asked for no flush per
  // page: this one covers everything written (so the status says "saved").
  if (round_from_snapshot_) flusher_.request_flush(replica_.write_generation());
  else if (round_ingested_ || client_->pulled_cursor() > client_->state().cursor) flusher_.flush_now();
  else flush_state_if_newer();
}

void SyncDriver::round_failed(int64_t now, int status, const std::string& body) {
  step_ = Step::idle;
  ++failures_;
  // xorshift: jitter so that many tablets do not retry in step.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  double jitter = static_cast<double>(jitter_state_ % 1000000) / 1000000.0;
  next_round_ms_ = now + sync::backoff_delay_ms(failures_, jitter);
  // A code the UI says in its language; the client's or server's own words
  // only as the detail.
  if (status == 401) {
    needs_enrolment_ = true;
    auto e = sync::decode_error(body);
    last_error_ = ui::Problem::of("sync.not_enrolled", {}, e ? e->message : "");
  } else if (status == 0) {
    last_error_ = ui::Problem::of("sync.unreachable");
  } else if (auto e = sync::decode_error(body); status != 200 && e && !e->code.empty()) {
    // The server's code, said in the UI's language (error.<code>, core/error_codes.h).
    last_error_ = ui::Problem::of("server." + e->code, {std::to_string(status)}, e->message);
  } else if (status != 200) {
    last_error_ = ui::Problem::of("sync.refused", {std::to_string(status)}, client_->last_error());
  } else {
    last_error_ = ui::Problem::of("sync.failed", {}, client_->last_error());
  }
  first_round_done_ = true;
}

void SyncDriver::enrol(const std::string& code, const std::string& device_name) {
  if (enrol_request_) return;
  Json body{{"code", code}, {"device", replica_.device_id()}, {"name", device_name}};
  device_name_ = device_name;
  enrol_error_ = {};
  enrol_request_ = http_.request("POST", "/api/v1/enrol", body.dump(), "");
}

void SyncDriver::handle_enrol_answer(const HttpReply& r) {
  if (r.status != 200) {
    auto e = sync::decode_error(r.body);
    // A server code the tables know is said in the UI's language (problem.server.<code>);
    // otherwise the server's own words.
    enrol_error_ = r.status == 0 ? ui::Problem::of("sync.enrol_unreachable")
                   : e && !e->code.empty() ? ui::Problem::of("server." + e->code, {}, e->message)
                                           : ui::Problem::of("sync.enrol_refused", {std::to_string(r.status)}, e ? e->message : "");
    return;
  }
  Json j = Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    enrol_error_ = ui::Problem::of("sync.enrol_unreadable");
    return;
  }
  token_ = j["token"].get<std::string>();
  role_ = j.value("role", "");
  needs_enrolment_ = false;
  enrol_error_ = {};
  last_error_ = {};
  save_enrolment();
  wanted_ = true;
  failures_ = 0;
}

void SyncDriver::make_enrol_code(const std::string& role) {
  if (admin_request_) return;
  admin_ask_ = AdminAsk::code;
  admin_subject_ = role;
  admin_.error = {};
  admin_request_ = http_.request("POST", "/api/v1/admin/codes", Json{{"role", role}}.dump(), token_);
}

void SyncDriver::list_devices() {
  if (admin_request_) return;
  admin_ask_ = AdminAsk::list;
  admin_.error = {};
  admin_request_ = http_.request("GET", "/api/v1/admin/devices", "", token_);
}

void SyncDriver::revoke_device(const std::string& device) {
  if (admin_request_) return;
  admin_ask_ = AdminAsk::revoke;
  admin_subject_ = device;
  admin_.error = {};
  // The path takes ids of a-z, 0-9 and '-' only (is_valid_device_id).
  admin_request_ = http_.request("POST", "/api/v1/admin/devices/" + device + "/revoke", "{}", token_);
}

void SyncDriver::handle_admin_answer(const HttpReply& r) {
  ++admin_.answers;
  const AdminAsk ask = admin_ask_;
  admin_ask_ = AdminAsk::none;
  if (r.status != 200) {
    auto e = sync::decode_error(r.body);
    // The server's code in the UI's language (problem.devices.<code>), its
    // words only as the detail; codes the tables do not know by status.
    const std::string code = e ? e->code : std::string();
    const bool known = code == "forbidden" || code == "unauthorized" || code == "bad_role" || code == "not_found";
    admin_.error = r.status == 0 ? ui::Problem::of("devices.unreachable")
                   : known       ? ui::Problem::of("devices." + code, {}, e->message)
                                 : ui::Problem::of("devices.refused", {std::to_string(r.status)}, e ? e->message : "");
    return;
  }
  Json j = Json::parse(r.body, nullptr, false);
  if (!j.is_object()) {
    admin_.error = ui::Problem::of("devices.unreadable");
    return;
  }
  if (ask == AdminAsk::code) {
    admin_.code = j.value("code", "");
    admin_.code_role = j.value("role", admin_subject_);
    const int64_t expires = j.contains("expires") && j["expires"].is_number_integer() ? j["expires"].get<int64_t>() : 0;
    admin_.code_expires_minutes = expires > 0 ? local_minutes_from_utc_ms(expires) : 0;
  } else if (ask == AdminAsk::revoke) {
    admin_.revoked = admin_subject_;
    list_devices();
  } else if (ask == AdminAsk::list) {
    admin_.devices.clear();
    admin_.listed = true;
    if (j.contains("devices") && j["devices"].is_array()) {
      for (const auto& d : j["devices"]) {
        if (!d.is_object()) continue;
        ui::SyncStatus::DeviceRow row;
        row.id = d.value("device", "");
        row.name = d.value("name", "");
        row.role = d.value("role", "");
        row.revoked = d.value("revoked", false);
        const int64_t enrolled = d.value("enrolled_ms", int64_t{0});
        const int64_t contact = d.value("last_contact_ms", int64_t{0});
        row.enrolled_minutes = enrolled > 0 ? local_minutes_from_utc_ms(enrolled) : 0;
        row.last_contact_minutes = contact > 0 ? local_minutes_from_utc_ms(contact) : 0;
        row.behind_known = d.contains("behind") && d["behind"].is_number_unsigned();
        row.behind = row.behind_known ? d["behind"].get<uint64_t>() : 0;
        admin_.devices.push_back(std::move(row));
      }
    }
  }
}

void SyncDriver::save_enrolment() {
  Json j{{"device", replica_.device_id()}, {"token", token_}, {"role", role_}, {"name", device_name_}};
  auto st = fs_.write_atomic(device_file_, j.dump());
  if (!st.ok()) enrol_error_ = ui::Problem::of("sync.enrol_not_stored", {}, st.error().message);
  // Not "saved" until a flush covers the token (a reload right after
  // enrolling must not lose it).
  flusher_.flush_folder_write(replica_);
}

template <typename Made>
bool SyncDriver::note_redo(const Made& made) {
  if (!made) {
    redo_error_ = made.error();
    return false;
  }
  redo_error_ = Error{};
  waiting_dirty_ = true;
  return true;
}

bool SyncDriver::redo(const std::string& rejected_id, int64_t device_now_ms) {
  return note_redo(client_->redo(rejected_id, device_now_ms));
}

bool SyncDriver::redo_overridden(const std::string& op_id, int64_t device_now_ms) {
  return note_redo(client_->redo_overridden(op_id, device_now_ms));
}

void SyncDriver::refresh_waiting() {
  waiting_dirty_ = false;
  waiting_ = client_->waiting_ops();
}

ui::SyncStatus SyncDriver::status() const {
  ui::SyncStatus s;
  s.active = true;
  s.in_progress = step_ != Step::idle;
  if (client_->last_success_ms() > 0) s.last_success_minutes = local_minutes_from_utc_ms(client_->last_success_ms());
  s.waiting_ops = waiting_;
  for (const auto& r : client_->rejected())
    s.rejected.push_back(ui::SyncStatus::Rejected{r.id, r.type, r.code, r.reason, local_minutes_from_utc_ms(r.at_ms),
                                                  r.entity, r.redone_as});
  for (const auto& o : client_->overridden())
    s.overridden.push_back(ui::SyncStatus::Overridden{o.id, o.type, o.entity, o.how, o.fields, o.by,
                                                      local_minutes_from_utc_ms(o.at_ms), o.redone_as});
  s.redo_error_code = redo_error_.code;
  s.redo_error = redo_error_.message;
  s.last_error = last_error_;
  s.clock_warning = client_->clock_warning();
  s.clock_ahead_ms = -client_->state().server_offset_ms;
  s.needs_enrolment = needs_enrolment_;
  s.enrolling = enrol_request_ != 0;
  s.enrol_error = enrol_error_;
  s.role = role_;
  s.admin = admin_;
  s.admin.busy = admin_request_ != 0;
  s.open_access = auth_mode_ == "open";
  s.ingested = ingested_total_;
  s.contact_lost = contact_lost_;
  s.push_live = push_channel_live();
  return s;
}

}  // namespace dh::session
