// The Host (platform/host.h) seen through the session's narrow ports
// (session/ports.h): HTTP to the app's own server and the store folder's
// flushes. The only place the session meets the platform.
#pragma once

#include <string>

#include "platform/host.h"
#include "session/ports.h"

namespace dh::app {

class HostHttp : public session::Http {
 public:
  explicit HostHttp(platform::Host& host) : host_(host) {}
  int request(const std::string& method, const std::string& path, const std::string& body,
              const std::string& bearer) override {
    return host_.http_request(method, path, body, bearer);
  }
  int request_to_file(const std::string& path, const std::string& bearer, const std::string& file) override {
    return host_.http_request("GET", path, "", bearer, file);
  }
  bool take(int id, session::HttpReply& out) override {
    platform::HttpResponse r;
    if (!host_.take_http(id, r)) return false;
    out.status = r.status;
    out.body = std::move(r.body);
    out.body_in_file = r.body_in_file;
    return true;
  }
  bool online() const override { return host_.online(); }

 private:
  platform::Host& host_;
};

class HostFlusher : public session::Flusher {
 public:
  explicit HostFlusher(platform::Host& host) : host_(host) {}
  void request_flush(uint64_t generation) override { host_.request_flush(generation); }
  void flush_now() override { host_.flush_now(); }
  void set_observer(StartFn on_start, FinishFn on_finish) override {
    host_.set_flush_observer(std::move(on_start), std::move(on_finish));
  }
  uint64_t flushed_generation() const override { return host_.flushes().flushed_generation(); }
  bool in_flight() const override { return host_.flushes().in_flight(); }
  std::string error() const override { return host_.flushes().error(); }

 private:
  platform::Host& host_;
};

}  // namespace dh::app
