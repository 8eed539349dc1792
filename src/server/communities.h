// Many communities on one server (issue 14; docs/communities.md).
//
// The request's Host names the community (every community has its own
// origin, so a tablet's storage, service worker and cookies are separate by
// the browser's own rules, and the web app's paths stay /api/v1/...). Each
// community has its own store (DATA/communities/<id>/server.sqlite), device
// registry and administrator enrolment code
// (DATA/communities/<id>/admin-enrolment-code.txt), SyncService, QR check-in
// counters and snapshot: a token, a code or a check-in key of one community
// means nothing at another. The county host has its own registry
// (DATA/county/server.sqlite, roles administrator and county) and serves
// GET /api/v1/county/aggregates: counts per community and totals
// (core/county.h), no personal detail.
//
// Contracts
// - Configuration (parse_communities_config): one line per community,
//   "ID HOST [HOST...]"; one line "county HOST [HOST...]" for the county;
//   '#' starts a comment. ID: 1-32 of a-z, 0-9, '-'; "county" is kept for
//   the county. Host names are compared in lower case, without port or final
//   dot, and name one community (or the county) each.
// - Registries (small) stay open for the life of the server, so enrolment
//   failure limits are never reset by closing a community. A community's
//   SyncService (the folded state: the memory) opens on the first request
//   for it; at most max_open stay open: opening one more closes the least
//   recently used community that no request is using.
// - resolve() is the http_api.h TenantResolver: nullptr and no error for a
//   name no community has; the error store_error when a store cannot be
//   opened.
// - The aggregates read each community's state under its lock
//   (SyncService::read_state); a closed community's figures are kept from
//   when it was last read (only this process writes its store).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/county.h"
#include "core/result.h"
#include "server/http_api.h"

namespace dh {

class DeviceRegistry;
class OpStore;
class DeviceAuth;
class SyncService;

struct CommunityEntry {
  std::string id;
  std::vector<std::string> hosts;  // normalised host names
};
struct CommunitiesConfig {
  std::vector<CommunityEntry> communities;
  std::vector<std::string> county_hosts;  // empty: no county host
};

constexpr const char* kCountyId = "county";
constexpr size_t kMaxCommunities = 10000;

// Errors: bad_config with the line number in the message.
Result<CommunitiesConfig> parse_communities_config(const std::string& text);
// The host name as http_api compares it: lower case, no port, no final dot.
std::string normalise_host_name(const std::string& host);

struct CommunitiesOptions {
  std::string data_dir;
  size_t max_open = 16;  // --communities-open
  bool demo = false;     // load the demo data set into each empty store when it opens
  // "": each community's operations in DATA/communities/<id>/server.sqlite.
  // Else a PostgreSQL connection string in which "{community}" stands for the
  // id: a database per community (docs/communities.md "PostgreSQL").
  std::string store_template;
  // The key file of tokens and codes (devices.h), "" = each registry's own
  // beside its SQLite file. With a PostgreSQL template the registries are in
  // the communities' databases, so every server process of the county must
  // be given the same file (--secret-file; default DATA/server-secret.key).
  std::string secret_file;
  // One database (a PostgreSQL template without "{community}"): the
  // connections each server process keeps to it, shared by all communities.
  size_t pg_connections = 8;
};
constexpr const char* kCommunityPlaceholder = "{community}";
// A PostgreSQL template without the placeholder: every community in one
// database, a schema each (community_schema), on one pool of connections per
// process (pg_pool.h; docs/communities.md "One database for the county").
bool one_database(const CommunitiesOptions& options);
// "dh_" + the id with every '-' as '_' (ids have no '_', so no two meet);
// the county's registry: "dh_county".
std::string community_schema(const std::string& id);
// The store spec of community id (the template with every placeholder replaced).
std::string community_store_spec(const CommunitiesOptions& options, const std::string& dir, const std::string& id);

class Communities {
 public:
  // Opens every registry and arms the administrator codes (printed, and
  // written to each folder's admin-enrolment-code.txt) of registries that
  // have no administrator.
  static Result<std::unique_ptr<Communities>> open(const CommunitiesConfig& config, const CommunitiesOptions& options);
  ~Communities();

  // api false (a static file): the community's data is not opened for it.
  std::shared_ptr<Tenant> resolve(const std::string& host_name, bool api, Error* error);
  size_t open_count() const;
  size_t community_count() const { return slots_.size(); }

  // {"communities":[{"community":ID,"figures":{...}}...],"totals":{...}} (core/county.h).
  Result<Json> aggregates();

 private:
  struct Open;
  struct Slot;
  Communities() = default;
  std::shared_ptr<Open> acquire(Slot& slot, Error* error);
  Result<std::unique_ptr<OpStore>> open_community_store(const Slot& slot);
  void answer_aggregates(const httplib::Request& req, httplib::Response& res);

  CommunitiesOptions options_;
  std::shared_ptr<class PgPool> pool_;  // one_database: shared by every community (declared first: closed last)
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unordered_map<std::string, Slot*> by_host_;
  std::unordered_map<std::string, bool> county_hosts_;
  std::unique_ptr<DeviceRegistry> county_registry_;
  std::unique_ptr<DeviceAuth> county_auth_;
  std::shared_ptr<Tenant> county_tenant_;
  mutable std::mutex mu_;  // open communities, their last use, cached figures
  size_t open_count_ = 0;
  uint64_t tick_ = 0;
};

}  // namespace dh
