#include "session/session.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "session/staff_pin.h"
#include "core/operation.h"

namespace dh::session {

void Flusher::flush_folder_write(Replica& replica) {
  replica.note_folder_write();
  request_flush(replica.write_generation());
}

using Json = nlohmann::json;

class Session::ReplicaTarget : public CommitTarget {
 public:
  explicit ReplicaTarget(Session& s) : s_(s) {}
  Status can_write() const override {
    if (!s_.replica_) return make_error("storage_not_open", "The data is not open yet.");
    if (!s_.writable_) return make_error("read_only", "Another tab is editing the data; this one is read-only.");
    return ok_status();
  }
  Status commit(const Command& command, int64_t now_ms) override {
    auto r = s_.replica_->commit(command, now_ms);
    if (!r) return r.error();
    return ok_status();
  }

 private:
  Session& s_;
};

Session::Session(FileSystem& fs, std::string root, Flusher& flusher, Http* http)
    : fs_(fs), root_(std::move(root)), flusher_(flusher), http_(http) {}

Session::~Session() {
  sync_.reset();  // unhooks its flush observer before the replica goes
}

bool Session::open(const std::string& new_device_id, int64_t now_ms, const ReplicaOptions& options) {
  auto opened = Replica::open(fs_, log_dir(), new_device_id, now_ms, options);
  if (!opened.ok()) {
    open_error_ = "无法打开本机数据。The data on this device could not be opened: " + opened.error().message;
    return false;
  }
  replica_ = std::move(opened.value());
  // Who uses this device: set in Settings, kept beside the log (author.txt),
  // recorded in every operation ("whoever records, certifies").
  auto saved_author = fs_.read(root_ + "/author.txt");
  replica_->set_author(saved_author.ok() && !saved_author.value().empty() ? saved_author.value() : "staff:local");
  for (const StorageProblem& p : replica_->open_report().problems) problems_.push_back(p.file + ": " + p.message);
  staff_pin_set_ = !current_settings().staff_pin_hash.empty();
  // Open may have rewritten or set aside files: make that durable too.
  if (writable_) flusher_.request_flush(replica_->write_generation());
  return true;
}

void Session::set_write_access(bool writable, ui::Problem why_not) {
  writable_ = writable;
  why_not_ = writable ? ui::Problem{} : std::move(why_not);
}

bool Session::start_sync() {
  if (!http_ || !replica_ || !writable_) {
    loaded_locally_ = true;
    return false;
  }
  auto d = SyncDriver::open(*http_, flusher_, fs_, *replica_, root_ + "/" + SyncDriver::kDeviceFile);
  if (!d) {
    problems_.push_back("同步无法启动。Sync could not start: " + d.error().message);
    loaded_locally_ = true;
    return false;
  }
  sync_ = std::move(d.value());
  if (!sync_->problem().empty()) problems_.push_back(sync_->problem());
  return true;
}

void Session::load_if_empty(const std::vector<Operation>& ops, int64_t now_ms) {
  loaded_locally_ = true;
  if (!replica_ || !writable_ || replica_->operation_count() != 0) return;
  auto r = replica_->ingest(ops, now_ms);
  if (!r.ok()) problems_.push_back("示例数据载入失败。The demo data could not be loaded: " + r.error().message);
  else demo_ingested_ = r.value();
  flusher_.request_flush(replica_->write_generation());
}

void Session::tick(int64_t now_ms) {
  last_now_ms_ = now_ms;
  if (sync_) sync_->tick(now_ms);
}

void Session::after_commits() {
  if (replica_->should_snapshot()) (void)replica_->write_snapshot();
  flusher_.request_flush(replica_->write_generation());
  if (sync_) sync_->on_committed();
}

size_t Session::commit(const std::vector<Command>& commands, int64_t now_ms, const CommitReport& report) {
  if (commands.empty()) return 0;
  ReplicaTarget target(*this);
  // Stamps follow the server's clock once it is known (hybrid logical clock;
  // a device whose clock is off still orders its changes right).
  const size_t n = commit_in_order(target, commands, [&] { return stamp(now_ms); }, report);
  if (n > 0) after_commits();
  return n;
}

void Session::handle(const std::vector<ui::Request>& requests, const std::function<void(const ui::Reply&)>& reply,
                     std::vector<ui::Request>* platform) {
  for (const ui::Request& r : requests) {
    ui::Reply answer{r.id, {}};
    if (std::get_if<ui::SyncNow>(&r.what)) {
      if (sync_) sync_->request_round();
    } else if (const auto* e = std::get_if<ui::Enrol>(&r.what)) {
      // The outcome shows in SyncStatus (enrolling, enrol_error, role).
      if (sync_) sync_->enrol(e->code, e->device_name);
    } else if (const auto* mk = std::get_if<ui::MakeEnrolCode>(&r.what)) {
      // Device management: the outcome shows in SyncStatus::admin.
      if (sync_) sync_->make_enrol_code(mk->role);
    } else if (std::get_if<ui::ListDevices>(&r.what)) {
      if (sync_) sync_->list_devices();
    } else if (const auto* rv = std::get_if<ui::RevokeDevice>(&r.what)) {
      if (sync_ && is_valid_device_id(rv->device)) sync_->revoke_device(rv->device);
    } else if (const auto* st = std::get_if<ui::SettingsChanged>(&r.what)) {
      // The PIN and its tries stay as they are.
      DeviceSettings d = current_settings();
      d.language = st->language;
      d.large_text = st->large_text;
      d.kiosk_lock = st->kiosk_lock;
      answer.error = write_settings(d);
    } else if (const auto* pin = std::get_if<ui::SetStaffPin>(&r.what)) {
      answer.error = set_staff_pin(pin->pin, pin->lock);
    } else if (const auto* leave = std::get_if<ui::LeaveKiosk>(&r.what)) {
      answer.error = leave_kiosk(leave->pin, last_now_ms_);
    } else if (const auto* a = std::get_if<ui::SetAuthor>(&r.what)) {
      if (replica_ && !a->author.empty()) {
        replica_->set_author(a->author);
        if (writable_) {
          auto w = fs_.write_atomic(root_ + "/author.txt", a->author);
          if (w.ok()) flusher_.flush_folder_write(*replica_);
          else answer.error = ui::Problem::of("file.failed", {"author.txt"}, w.error().message);
        }
      }
    } else if (const auto* j = std::get_if<ui::RunJob>(&r.what)) {
      jobs_.start(r.id, j->job);
    } else if (const auto* c = std::get_if<ui::CancelJob>(&r.what)) {
      jobs_.cancel(c->job);
    } else if (const auto* redo = std::get_if<ui::RedoRejected>(&r.what)) {
      // The outcome shows in SyncStatus (redone_as, or redo_error_code).
      if (sync_ && sync_->redo(redo->op_id, last_now_ms_)) after_commits();
    } else if (const auto* again = std::get_if<ui::RedoOverridden>(&r.what)) {
      if (sync_ && sync_->redo_overridden(again->op_id, last_now_ms_)) after_commits();
    } else {
      // SaveFile, ApplyUpdate: the platform's; it replies itself.
      if (platform) platform->push_back(r);
      continue;
    }
    if (reply) reply(answer);
  }
}

std::optional<DeviceSettings> Session::device_settings() const {
  auto text = fs_.read(root_ + "/settings.json");
  if (!text) return std::nullopt;
  Json j = Json::parse(text.value(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  DeviceSettings s;
  auto text_of = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto flag = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  };
  auto number = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : int64_t{0};
  };
  s.language = text_of("language") == "en" ? ui::Language::en : ui::Language::zh_CN;
  s.large_text = flag("large_text");
  s.kiosk_lock = flag("kiosk_lock");
  s.staff_pin_salt = text_of("staff_pin_salt");
  s.staff_pin_hash = text_of("staff_pin_hash");
  s.pin_failures = static_cast<int>(std::clamp<int64_t>(number("pin_failures"), 0, 1000));
  s.pin_retry_at_ms = number("pin_retry_at_ms");
  return s;
}

ui::Problem Session::write_settings(const DeviceSettings& d) {
  if (!writable_) return {};  // the writing tab keeps the folder (session.h)
  Status saved = save_device_settings(d);
  if (!saved) return ui::Problem::of("file.failed", {"settings.json"}, saved.error().message);
  return {};
}

ui::Problem Session::set_staff_pin(const std::string& pin, bool lock) {
  if (!valid_staff_pin(pin)) return ui::Problem::of("kiosk.pin_format");
  if (!writable_) return ui::Problem::of("kiosk.pin_read_only");
  DeviceSettings d = current_settings();
  d.staff_pin_salt = new_pin_salt();
  d.staff_pin_hash = staff_pin_hash(d.staff_pin_salt, pin);
  d.pin_failures = 0;
  d.pin_retry_at_ms = 0;
  pin_failures_ = 0;
  pin_retry_at_ms_ = 0;
  if (lock) d.kiosk_lock = true;
  return write_settings(d);
}

ui::Problem Session::leave_kiosk(const std::string& pin, int64_t now_ms) {
  DeviceSettings d = current_settings();
  if (d.staff_pin_hash.empty()) return ui::Problem::of("kiosk.pin_not_set");
  const int failures = std::max(d.pin_failures, pin_failures_);
  const int64_t retry_at = std::max(d.pin_retry_at_ms, pin_retry_at_ms_);
  if (now_ms < retry_at) {
    // A wrong try also waits (no guessing during the wait); whole seconds, rounded up.
    return ui::Problem::of("kiosk.pin_wait", {std::to_string((retry_at - now_ms + 999) / 1000)});
  }
  if (staff_pin_hash(d.staff_pin_salt, pin) != d.staff_pin_hash) {
    d.pin_failures = pin_failures_ = failures + 1;
    d.pin_retry_at_ms = pin_retry_at_ms_ = now_ms + pin_wait_ms(d.pin_failures);
    (void)write_settings(d);
    const int free_left = std::max(0, kFreeTries - d.pin_failures);
    if (free_left == 0)
      return ui::Problem::of("kiosk.pin_wait", {std::to_string((d.pin_retry_at_ms - now_ms + 999) / 1000)});
    return ui::Problem::of("kiosk.pin_wrong", {std::to_string(free_left)});
  }
  d.pin_failures = pin_failures_ = 0;
  d.pin_retry_at_ms = pin_retry_at_ms_ = 0;
  d.kiosk_lock = false;
  return write_settings(d);
}

Status Session::save_device_settings(const DeviceSettings& s) {
  Json j{{"language", s.language == ui::Language::en ? "en" : "zh-CN"},
         {"large_text", s.large_text},
         {"kiosk_lock", s.kiosk_lock}};
  if (!s.staff_pin_hash.empty()) {
    j["staff_pin_salt"] = s.staff_pin_salt;
    j["staff_pin_hash"] = s.staff_pin_hash;
  }
  if (s.pin_failures > 0) {
    j["pin_failures"] = s.pin_failures;
    j["pin_retry_at_ms"] = s.pin_retry_at_ms;
  }
  auto w = fs_.write_atomic(root_ + "/settings.json", j.dump());
  if (!w) return w;
  staff_pin_set_ = !s.staff_pin_hash.empty();
  // Durable with a flush of the folder (the same one as the log); "saved"
  // waits for it.
  if (replica_) flusher_.flush_folder_write(*replica_);
  else flusher_.flush_now();
  return ok_status();
}

void Session::fill_status(ui::AppStatus& s) const {
  if (replica_) {
    s.device_id = replica_->device_id();
    s.author = replica_->author();
    s.operation_count = replica_->operation_count();
    s.saved_on_device = flusher_.flushed_generation() >= replica_->write_generation() && flusher_.error().empty();
  } else {
    s.saved_on_device = false;
  }
  s.flush_in_progress = flusher_.in_flight();
  s.storage_error = flusher_.error();
  if (!open_error_.empty()) s.storage_error = open_error_;
  s.read_only = !writable_;
  s.read_only_reason = why_not_;
  s.storage_problems = problems_;
  if (sync_ && !sync_->snapshot_problem().empty())
    s.storage_problems.push_back("服务器快照无法使用，已改为逐页同步。" +
                                 sync_->snapshot_problem());
  if (sync_) s.sync = sync_->status();
  s.staff_pin_set = staff_pin_set_;
}

bool Session::first_round_done() const { return sync_ ? sync_->first_round_done() : loaded_locally_; }
uint64_t Session::ingested_total() const { return sync_ ? sync_->ingested_total() : demo_ingested_; }

}  // namespace dh::session
