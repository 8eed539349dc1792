#include "server/upstream.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

#include "core/operation.h"
#include "server/compression.h"
#include "server/http_api.h"
#include "sync/client.h"
#include "sync/protocol.h"

namespace dh {
namespace {

constexpr const char* kPushCursor = "push_cursor";
constexpr const char* kPullCursor = "pull_cursor";
constexpr const char* kParentUrl = "parent_url";

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&raw[0]), static_cast<int>(bytes)) != 1) {
    std::random_device rd;  // never in practice; still unpredictable enough for a device name
    for (auto& c : raw) c = static_cast<char>(rd());
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// "http://host[:port]" without a path (a trailing '/' is dropped).
bool valid_url(std::string* url) {
  if (!url->empty() && url->back() == '/') url->pop_back();
  const std::string scheme = "http://";
  if (url->compare(0, scheme.size(), scheme) != 0 || url->size() == scheme.size()) return false;
  return url->find('/', scheme.size()) == std::string::npos;
}

// Writes text to path atomically (temporary file, fsync, rename), mode 0600.
Status write_private_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return make_error("store_error", "Cannot write " + tmp + ".");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return make_error("store_error", "Cannot write " + tmp + ".");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return make_error("store_error", "Cannot write " + tmp + ".");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return make_error("store_error", "Cannot write " + path + ".");
  return ok_status();
}

std::unique_ptr<httplib::Client> client_for(const std::string& url) {
  auto c = std::make_unique<httplib::Client>(url);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(60, 0);
  c->set_write_timeout(60, 0);
  c->set_keep_alive(true);
  return c;
}

// An error for an answer that is not 200: the parent's own code and words
// when it sent them.
Error answer_error(const httplib::Result& res, const std::string& what) {
  if (!res) {
    return make_error("upstream_unreachable",
                      "The parent server cannot be reached (" + httplib::to_string(res.error()) + ") while " + what + ".");
  }
  if (auto e = sync::decode_error(res->body)) {
    return make_error(e->code, "The parent server answered " + std::to_string(res->status) + " while " + what +
                                   ": " + e->message);
  }
  return make_error("upstream_error",
                    "The parent server answered " + std::to_string(res->status) + " while " + what + ".");
}

}  // namespace

Result<UpstreamEnrolment> Upstream::prepare(UpstreamOptions& options) {
  if (!valid_url(&options.url)) {
    return make_error("bad_upstream", "--upstream is the parent server's address, like http://county.example:8080 "
                                      "(http only; no path), not \"" + options.url + "\".");
  }
  options.interval_ms = std::max(options.interval_ms, kMinIntervalMs);
  options.push_batch = std::max<size_t>(1, std::min(options.push_batch, sync::kMaxPushOps));
  UpstreamEnrolment e;
  std::ifstream f(options.token_file);
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = Json::parse(ss.str(), nullptr, false);
    if (!j.is_object() || !j.contains("device") || !j["device"].is_string() || !j.contains("url") ||
        !j["url"].is_string() || !is_valid_device_id(j["device"].get<std::string>())) {
      return make_error("bad_upstream", options.token_file + " cannot be read; remove it and enrol this hub again "
                                                             "with a new code (--upstream-code).");
    }
    e = UpstreamEnrolment{j["url"].get<std::string>(), j["device"].get<std::string>(), j.value("token", ""),
                          j.value("role", "")};
    std::string stored_url = e.url;
    (void)valid_url(&stored_url);
    if (stored_url != options.url) {
      return make_error("upstream_mismatch", "This hub is enrolled with the parent server " + e.url + " (" +
                                                 options.token_file + "), not " + options.url +
                                                 ". Its data belongs to that server; start it with that --upstream.");
    }
    if (!options.device.empty() && options.device != e.device) {
      return make_error("upstream_mismatch", "This hub is device " + e.device + " at " + e.url + " (" +
                                                 options.token_file + "), not " + options.device + ".");
    }
  }
  if (e.token.empty() && options.code.empty()) {
    return make_error("bad_upstream", "This hub is not enrolled with " + options.url +
                                          " yet: give --upstream-code, a code the parent's secretary made for role "
                                          "\"hub\".");
  }
  if (e.device.empty()) {
    // The id is fixed now, before the first enrolment: the hub's own
    // operations (QR check-in) are made under it from the first start.
    e = UpstreamEnrolment{options.url, options.device.empty() ? "hub-" + random_hex(4) : options.device, "", ""};
    Json file{{"device", e.device}, {"url", e.url}};
    if (auto st = write_private_atomic(options.token_file, file.dump() + "\n"); !st) return st.error();
  }
  return e;
}

Result<std::unique_ptr<Upstream>> Upstream::open(SyncService& svc, UpstreamOptions options,
                                                 UpstreamEnrolment enrolment) {
  // The store remembers its parent too: a token file copied beside another
  // parent's data must not mix two communities' cursors.
  auto parent = svc.store().upstream_value(kParentUrl);
  if (!parent) return parent.error();
  if (!parent->empty() && parent.value() != options.url) {
    return make_error("upstream_mismatch", "This store was synced with the parent server " + parent.value() +
                                               ", not " + options.url + ".");
  }
  std::unique_ptr<Upstream> up(new Upstream(svc, std::move(options)));
  up->enrolment_ = std::move(enrolment);
  return up;
}

Upstream::~Upstream() { stop(); }

bool Upstream::enrolled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !enrolment_.token.empty();
}

Status Upstream::enrol() {
  std::string device;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!enrolment_.token.empty()) return ok_status();
    device = enrolment_.device;
  }
  std::string name = options_.name.empty() ? "Hub " + device : options_.name;
  Json body{{"code", options_.code}, {"device", device}, {"name", name}};
  auto c = client_for(options_.url);
  auto res = c->Post("/api/v1/enrol", body.dump(), "application/json");
  if (!res || res->status != 200) return answer_error(res, "enrolling this hub");
  auto j = Json::parse(res->body, nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    return make_error("upstream_error", "The parent server's enrolment answer has no token.");
  }
  UpstreamEnrolment e{options_.url, device, j["token"].get<std::string>(), j.value("role", "")};
  Json file{{"device", e.device}, {"role", e.role}, {"token", e.token}, {"url", e.url}};
  // The token is written before anything else happens: the code is used up.
  if (auto st = write_private_atomic(options_.token_file, file.dump() + "\n"); !st) return st;
  if (auto st = svc_.store().set_upstream_value(kParentUrl, options_.url); !st) return st;
  std::cout << "Hub enrolled with " << options_.url << " as device " << e.device << " (role " << e.role << ")."
            << std::endl;
  std::lock_guard<std::mutex> lock(mu_);
  enrolment_ = std::move(e);
  return ok_status();
}

Result<uint64_t> Upstream::cursor(const char* name) {
  auto v = svc_.store().upstream_value(name);
  if (!v) return v.error();
  if (v->empty()) return uint64_t{0};
  return static_cast<uint64_t>(std::stoull(v.value()));
}

Result<Upstream::RoundOutcome> Upstream::round() {
  if (auto st = enrol(); !st) return st.error();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (enrolment_.role != "hub" && enrolment_.role != "administrator" && !enrolment_.role.empty()) {
      return make_error("upstream_role",
                        "The parent enrolled this hub as \"" + enrolment_.role +
                            "\", which may not send other devices' changes. Ask the parent's secretary for a code "
                            "for role \"hub\", remove " + options_.token_file + " and start again with it.");
    }
  }
  if (auto v = svc_.store().upstream_value(kParentUrl); v && v->empty()) {
    if (auto st = svc_.store().set_upstream_value(kParentUrl, options_.url); !st) return st.error();
  }
  auto pushed = push_all();
  if (!pushed) return pushed.error();
  auto pulled = pull_all();
  if (!pulled) return pulled.error();
  RoundOutcome out = pushed.value();
  out.pulled = pulled.value();
  return out;
}

Result<Upstream::RoundOutcome> Upstream::push_all() {
  RoundOutcome out;
  UpstreamEnrolment e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    e = enrolment_;
  }
  auto c = client_for(options_.url);
  const httplib::Headers auth{{"Authorization", "Bearer " + e.token}};
  auto start = cursor(kPushCursor);
  if (!start) return start.error();
  uint64_t push_cursor = start.value();
  for (;;) {
    // The next batch: the hub's operations after the cursor, less those that
    // came from the parent or were withdrawn. `through` is the last row
    // looked at; the cursor moves there once the batch is answered.
    std::vector<Operation> ops;
    uint64_t through = push_cursor;
    bool read_all = false;
    while (ops.size() < options_.push_batch) {
      auto rows = svc_.store().read_after(through, options_.push_batch);
      if (!rows) return rows.error();
      if (rows->empty()) {
        read_all = true;
        break;
      }
      for (const auto& r : rows.value()) {
        if (ops.size() >= options_.push_batch) break;
        through = r.seq;
        if (r.pushed_by == SyncService::kFromUpstream) continue;
        auto op = parse_operation(r.body);
        if (!op) return make_error("store_corrupt", "The stored operation at seq " + std::to_string(r.seq) +
                                                        " cannot be read: " + op.error().message);
        if (svc_.is_withdrawn(op->id.to_string())) continue;
        ops.push_back(std::move(op).value());
      }
    }
    if (ops.empty()) {
      if (through != push_cursor) {
        if (auto st = svc_.store().set_upstream_value(kPushCursor, std::to_string(through)); !st) return st.error();
        push_cursor = through;
      }
      if (read_all) return out;
      continue;
    }
    std::string body = sync::encode_push_request(e.device, ops, wall_clock_ms());
    bool halved = false;
    while (body.size() > sync::kMaxRequestBytes && ops.size() > 1) {  // large operations (64 KiB each at most)
      ops.resize(ops.size() / 2);
      halved = true;
      body = sync::encode_push_request(e.device, ops, wall_clock_ms());
    }
    if (halved) {
      // The cursor may only pass the last operation sent: find its row; the
      // rows after it go in the next batch.
      auto row = svc_.store().find(ops.back().id.to_string());
      if (!row) return row.error();
      if (row.value() && row.value()->seq < through) through = row.value()->seq;
    }
    // Gzipped both ways (docs/sync-protocol.md "Compression"): the parent
    // bounds the inflated body, so the batch limits above still hold.
    httplib::Headers push_headers = auth;
    push_headers.emplace("Accept-Encoding", "gzip");
    std::optional<std::string> packed = gzip_compress(body);
    if (packed) push_headers.emplace("Content-Encoding", "gzip");
    auto res = c->Post("/api/v1/ops", push_headers, packed ? *packed : body, "application/json");
    if (!res || res->status != 200) return answer_error(res, "sending this hub's changes");
    auto answer = sync::decode_push_response(res->body);
    if (!answer) return make_error("upstream_error", "The parent's answer to a push cannot be read: " +
                                                         answer.error().message);
    if (answer->results.size() != ops.size()) {
      return make_error("upstream_error", "The parent's answer does not match the changes sent.");
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      const auto& r = answer->results[i];
      if (r.id != ops[i].id.to_string()) {
        return make_error("upstream_error", "The parent's answer does not match the changes sent.");
      }
      // Another device's operation refused as not this hub's to send: the
      // hub's role is wrong, not the operation (and the parent did not
      // remember it). Nothing is withdrawn; the round stops here.
      if (r.status == sync::PushStatus::rejected && r.code == "forbidden" && ops[i].id.device != e.device) {
        return make_error("upstream_role", "The parent refused to take changes of other devices from this hub: " +
                                               r.reason);
      }
    }
    std::vector<SyncService::Refusal> refused;
    for (size_t i = 0; i < ops.size(); ++i) {
      const auto& r = answer->results[i];
      if (r.status != sync::PushStatus::rejected) {
        ++out.pushed;
        continue;
      }
      refused.push_back(SyncService::Refusal{r.id, r.code, r.reason});
      if (refused.size() <= 5) {
        std::cout << "Upstream: the parent refused " << r.id << " (" << r.code << "): " << r.reason
                  << " It is withdrawn here; the device that made it is told." << std::endl;
      }
    }
    if (refused.size() > 5) std::cout << "Upstream: ... and " << refused.size() - 5 << " more refused." << std::endl;
    if (!refused.empty()) {
      auto w = svc_.withdraw(refused, wall_clock_ms());
      if (!w) return w.error();
      out.rejected += refused.size();
    }
    if (auto st = svc_.store().set_upstream_value(kPushCursor, std::to_string(through)); !st) return st.error();
    push_cursor = through;
  }
}

Result<size_t> Upstream::pull_all() {
  UpstreamEnrolment e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    e = enrolment_;
  }
  auto c = client_for(options_.url);
  const httplib::Headers auth{{"Authorization", "Bearer " + e.token}, {"Accept-Encoding", "gzip"}};
  auto start = cursor(kPullCursor);
  if (!start) return start.error();
  uint64_t after = start.value();
  size_t fresh = 0;
  for (;;) {
    const std::string path = "/api/v1/ops?after=" + std::to_string(after) +
                             "&limit=" + std::to_string(sync::kMaxPullLimit);
    auto res = c->Get(path.c_str(), auth);
    if (!res || res->status != 200) return answer_error(res, "fetching the parent's changes");
    auto page = sync::decode_pull_response(res->body);
    if (!page) return make_error("upstream_error", "The parent's changes cannot be read: " + page.error().message);
    for (const auto& p : page->ops) {
      if (p.seq <= after) return make_error("upstream_error", "The parent sent changes this hub did not ask for.");
    }
    auto n = svc_.ingest_upstream(page->ops, wall_clock_ms());
    if (!n) return n.error();
    fresh += n.value();
    std::vector<SyncService::Refusal> gone;
    for (const auto& w : page->withdrawn)
      if (w.seq > after) gone.push_back(SyncService::Refusal{w.id, w.code, w.reason});
    if (!gone.empty()) {
      auto done = svc_.withdraw(gone, wall_clock_ms());
      if (!done) return done.error();
    }
    // Only now, with the page fsynced: the cursor.
    if (page->next > after) {
      if (auto st = svc_.store().set_upstream_value(kPullCursor, std::to_string(page->next)); !st) return st.error();
      after = page->next;
    }
    if (!page->more) return fresh;
  }
}

void Upstream::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Upstream::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool Upstream::wait_local(uint64_t head, int64_t ms) {
  if (auto h = svc_.wait_for_head_beyond(head, ms, [this] { return stopping_.load(); })) return *h > head;
  // Every waiting slot is taken (devices' push channels): just sleep.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return false;
}

void Upstream::run() {
  int failures = 0;
  bool woken_by_change = false;
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  while (!stopping_) {
    const uint64_t seen = svc_.head();
    auto r = round();
    if (r) {
      if (failures > 0) std::cout << "Upstream " << options_.url << ": connected again." << std::endl;
      failures = 0;
      last_reported_.clear();
      if (r->pushed || r->rejected || r->pulled) {
        std::cout << "Upstream " << options_.url << ": sent " << r->pushed << " (refused " << r->rejected
                  << "), received " << r->pulled << "." << std::endl;
      }
      // Until something changes here (a device pushed) or the interval ends
      // (to hear the parent's changes). Our own ingest moves the head too;
      // the round after it then finds nothing to send.
      const uint64_t head_now = svc_.head();
      if (head_now > seen) continue;
      wait_local(head_now, options_.interval_ms);
      continue;
    }
    // A try made because a device brought something new does not lengthen
    // the back-off: only the timed retries do.
    if (!woken_by_change || failures == 0) ++failures;
    const int64_t delay = sync::backoff_delay_ms(failures, jitter(rng));
    if (r.error().message != last_reported_) {
      std::cout << "Upstream " << options_.url << ": " << r.error().message << " Trying again in "
                << (delay + 500) / 1000 << " s, and on." << std::endl;
      last_reported_ = r.error().message;
    }
    // Also at once when a device brings something new: the connection may
    // be back, and that is when the secretary wants it sent.
    woken_by_change = wait_local(seen, delay);
  }
}

}  // namespace dh
