#include "server/communities.h"

#ifdef DH_HAVE_LIBPQ
#include "server/pg_op_store.h"
#endif

#include <httplib.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/demo.h"
#include "server/auth.h"
#include "server/checkin.h"
#include "server/devices.h"
#include "server/http_server.h"
#include "server/op_store.h"
#include "server/roles.h"
#include "server/sync_service.h"
#include "sync/protocol.h"

namespace dh {

namespace {

bool is_community_id(const std::string& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool is_host_name(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

// mkdir -p, owner only.
bool make_dirs(const std::string& dir) {
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      std::string cur = dir.substr(0, i);
      if (!cur.empty() && mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  }
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// As main.cpp does for the one community: a registry without an active
// administrator gets a code (the one still valid in code_file, else a new
// one), printed and written to code_file. A used or expired code is never
// armed again (devices.h).
Status arm_admin_code(DeviceRegistry& registry, const std::string& code_file, const std::string& label) {
  auto admins = registry.active_administrators();
  if (!admins) return admins.error();
  if (admins.value() > 0) return ok_status();
  const int64_t now = wall_clock_ms();
  std::ifstream in(code_file);
  std::string line;
  std::getline(in, line);
  if (registry.code_usable(line, now)) {
    std::cout << "Administrator enrolment code for " << label << ": " << DeviceRegistry::normalise_code(line)
              << " (still valid; see " << code_file << ")\n";
    return ok_status();
  }
  auto made = registry.create_code("administrator", now);
  if (!made) return made.error();
  std::ofstream out(code_file, std::ios::trunc);
  out << made->code << "\n";
  std::cout << "Administrator enrolment code for " << label << ": " << made->code << ", valid 24 h (also in "
            << code_file << ")\n";
  return ok_status();
}

constexpr const char* kJson = "application/json; charset=utf-8";

void send_error(httplib::Response& res, int status, const Error& e) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(sync::encode_error(e), kJson);
}

// Many communities each hold a store and a registry open (a SQLite file with
// its WAL: 2-3 descriptors): the soft limit goes up to the hard one.
void raise_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

std::string normalise_host_name(const std::string& host) {
  std::string v;
  for (char c : host) v.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  size_t colon = v.find(':');
  if (colon != std::string::npos && v.find(':', colon + 1) == std::string::npos) v.resize(colon);
  if (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

bool one_database(const CommunitiesOptions& options) {
  return is_postgres_spec(options.store_template) &&
         options.store_template.find(kCommunityPlaceholder) == std::string::npos;
}

std::string community_schema(const std::string& id) {
  std::string schema = "dh_" + id;
  for (char& c : schema) {
    if (c == '-') c = '_';
  }
  return schema;
}

std::string community_store_spec(const CommunitiesOptions& options, const std::string& dir, const std::string& id) {
  if (options.store_template.empty()) return dir + "/server.sqlite";
  std::string spec = options.store_template;
  const std::string placeholder = kCommunityPlaceholder;
  for (size_t at = spec.find(placeholder); at != std::string::npos; at = spec.find(placeholder, at + id.size())) {
    spec.replace(at, placeholder.size(), id);
  }
  return spec;
}

Result<CommunitiesConfig> parse_communities_config(const std::string& text) {
  CommunitiesConfig config;
  std::unordered_map<std::string, bool> ids, hosts;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  auto bad = [&](const std::string& why) {
    return make_error("bad_config", "Line " + std::to_string(number) + " of the communities file: " + why);
  };
  while (std::getline(in, line)) {
    ++number;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string id;
    if (!(words >> id)) continue;
    if (!is_community_id(id)) return bad("\"" + id.substr(0, 40) + "\" is not an id (1-32 of a-z, 0-9 and -).");
    std::vector<std::string> names;
    for (std::string h; words >> h;) {
      const std::string n = normalise_host_name(h);
      if (!is_host_name(n)) return bad("\"" + h.substr(0, 60) + "\" is not a host name.");
      if (hosts.count(n)) return bad("the host name " + n + " is given twice.");
      hosts[n] = true;
      names.push_back(n);
    }
    if (names.empty()) return bad(id + " needs at least one host name.");
    if (id == kCountyId) {
      if (!config.county_hosts.empty()) return bad("the county is given twice.");
      config.county_hosts = names;
      continue;
    }
    if (ids.count(id)) return bad("the community " + id + " is given twice.");
    ids[id] = true;
    config.communities.push_back(CommunityEntry{id, names});
    if (config.communities.size() > kMaxCommunities) return bad("more than " + std::to_string(kMaxCommunities) + " communities.");
  }
  if (config.communities.empty()) return make_error("bad_config", "The communities file names no community.");
  return config;
}

// A community's (or the county's) device list: in its PostgreSQL database,
// or its schema of the county's one database, when the stores are there, so
// every server process of the county shares it (docs/communities.md
// "PostgreSQL"); else in the SQLite file of its folder.
Result<std::unique_ptr<DeviceRegistry>> open_registry(const CommunitiesOptions& options,
                                                      const std::shared_ptr<PgPool>& pool, const std::string& dir,
                                                      const std::string& id) {
  const std::string secret =
      options.secret_file.empty() ? options.data_dir + "/server-secret.key" : options.secret_file;
  if (pool) return DeviceRegistry::open_postgres(pool, community_schema(id), secret);
  if (is_postgres_spec(options.store_template)) {
    return DeviceRegistry::open_postgres(community_store_spec(options, dir, id), secret, 1);
  }
  return DeviceRegistry::open(dir + "/server.sqlite", options.secret_file);
}

// A community's SyncService while it is open, and the tenant the routes see.
struct Communities::Open {
  std::unique_ptr<SyncService> service;
  Tenant tenant;
};

// One configured community: what stays open for the server's life.
struct Communities::Slot {
  std::string id, dir;
  std::unique_ptr<DeviceRegistry> registry;
  std::unique_ptr<DeviceAuth> auth;
  std::shared_ptr<CheckinLimits> checkin;
  Tenant files_only;           // for static files: no service, nothing opened
  std::mutex open_mu;          // one opener at a time
  std::shared_ptr<Open> open;  // guarded by Communities::mu_
  uint64_t last_used = 0;      // guarded by mu_
  bool figures_known = false;  // guarded by mu_: figures as of figures_head
  uint64_t figures_head = 0;
  CountyFigures figures;
};

Communities::~Communities() = default;

Result<std::unique_ptr<Communities>> Communities::open(const CommunitiesConfig& config,
                                                       const CommunitiesOptions& options) {
  raise_file_limit();
  std::unique_ptr<Communities> c(new Communities());
  c->options_ = options;
  if (c->options_.max_open == 0) c->options_.max_open = 1;
  if (one_database(options)) {
#ifdef DH_HAVE_LIBPQ
    auto pool = PgPool::open(options.store_template, options.pg_connections);
    if (!pool) return pool.error();
    c->pool_ = std::move(pool).value();
#else
    return make_error("store_error", "This server was built without PostgreSQL (libpq).");
#endif
  }
  for (const auto& entry : config.communities) {
    auto slot = std::make_unique<Slot>();
    slot->id = entry.id;
    slot->dir = options.data_dir + "/communities/" + entry.id;
    if (!make_dirs(slot->dir)) {
      return make_error("store_error", "Cannot create the folder " + slot->dir + ": " + std::strerror(errno));
    }
    auto reg = open_registry(options, c->pool_, slot->dir, entry.id);
    if (!reg) return make_error(reg.error().code, entry.id + ": " + reg.error().message);
    slot->registry = std::move(reg).value();
    if (auto armed = arm_admin_code(*slot->registry, slot->dir + "/admin-enrolment-code.txt", entry.id); !armed) {
      return make_error(armed.error().code, entry.id + ": " + armed.error().message);
    }
    slot->auth = std::make_unique<DeviceAuth>(*slot->registry);
    slot->checkin = make_checkin_limits();
    for (const auto& h : entry.hosts) c->by_host_[h] = slot.get();
    c->slots_.push_back(std::move(slot));
  }
  if (!config.county_hosts.empty()) {
    const std::string dir = options.data_dir + "/county";
    if (!make_dirs(dir)) return make_error("store_error", "Cannot create the folder " + dir + ": " + std::strerror(errno));
    auto reg = open_registry(options, c->pool_, dir, kCountyId);
    if (!reg) return make_error(reg.error().code, std::string("county: ") + reg.error().message);
    c->county_registry_ = std::move(reg).value();
    c->county_registry_->set_roles({"administrator", "county"});
    if (auto armed = arm_admin_code(*c->county_registry_, dir + "/admin-enrolment-code.txt", "the county"); !armed) {
      return make_error(armed.error().code, "county: " + armed.error().message);
    }
    c->county_auth_ = std::make_unique<DeviceAuth>(*c->county_registry_);
    auto t = std::make_shared<Tenant>();
    t->auth = c->county_auth_.get();
    t->devices = c->county_registry_.get();
    t->county = true;
    Communities* self = c.get();
    t->county_aggregates = [self](const httplib::Request& req, httplib::Response& res) {
      self->answer_aggregates(req, res);
    };
    c->county_tenant_ = std::move(t);
    for (const auto& h : config.county_hosts) c->county_hosts_[h] = true;
  }
  return c;
}

size_t Communities::open_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_count_;
}

std::shared_ptr<Tenant> Communities::resolve(const std::string& host_name, bool api, Error* error) {
  if (county_hosts_.count(host_name)) return county_tenant_;
  auto it = by_host_.find(host_name);
  if (it == by_host_.end()) return nullptr;
  // The web app's files are the same for every community: its data stays closed.
  if (!api) return std::shared_ptr<Tenant>(std::shared_ptr<void>(), &it->second->files_only);
  std::shared_ptr<Open> open = acquire(*it->second, error);
  if (!open) return nullptr;
  Tenant* t = &open->tenant;
  return std::shared_ptr<Tenant>(std::move(open), t);  // keeps the community open while the request runs
}

Result<std::unique_ptr<OpStore>> Communities::open_community_store(const Slot& slot) {
#ifdef DH_HAVE_LIBPQ
  if (pool_) {
    auto pg = PgOpStore::open(pool_, community_schema(slot.id));
    if (!pg) return pg.error();
    return std::unique_ptr<OpStore>(std::move(pg).value());
  }
#endif
  return open_op_store(community_store_spec(options_, slot.dir, slot.id));
}

std::shared_ptr<Communities::Open> Communities::acquire(Slot& slot, Error* error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot.open) {
      slot.last_used = ++tick_;
      return slot.open;
    }
  }
  std::lock_guard<std::mutex> opening(slot.open_mu);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot.open) {
      slot.last_used = ++tick_;
      return slot.open;
    }
  }
  auto fail = [&](const Error& e) -> std::shared_ptr<Open> {
    std::cerr << "dianhong_server: community " << slot.id << ": " << e.message << "\n";
    if (error) *error = make_error("store_error", "This community's data cannot be opened now.");
    return nullptr;
  };
  auto store = open_community_store(slot);
  if (!store) return fail(store.error());
  auto service = SyncService::open(std::move(store).value());
  if (!service) return fail(service.error());
  if (options_.demo && service.value()->head() == 0) {  // generated only for an empty store
    auto loaded = service.value()->load_if_empty(generate_demo(), "demo", wall_clock_ms());
    if (!loaded) return fail(loaded.error());
  }
  auto open = std::make_shared<Open>();
  open->service = std::move(service).value();
  open->tenant.service = open->service.get();
  open->tenant.auth = slot.auth.get();
  open->tenant.devices = slot.registry.get();
  open->tenant.checkin = slot.checkin.get();
  std::vector<std::shared_ptr<Open>> closing;  // destroyed after the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    slot.open = open;
    slot.last_used = ++tick_;
    ++open_count_;
    while (open_count_ > options_.max_open) {
      Slot* victim = nullptr;
      for (auto& s : slots_) {
        // Idle: nothing but this table holds it (copies are made only under mu_).
        if (s.get() == &slot || !s->open || s->open.use_count() > 1) continue;
        if (!victim || s->last_used < victim->last_used) victim = s.get();
      }
      if (!victim) break;  // every open one is busy: over the bound until they finish
      closing.push_back(std::move(victim->open));
      victim->open.reset();
      --open_count_;
    }
  }
  if (!closing.empty()) {
    closing.clear();
    // A closed state is a great many small blocks; give the pages back.
    malloc_trim(0);
  }
  return open;
}

Result<Json> Communities::aggregates() {
  Json rows = Json::array();
  CountyFigures totals;
  // With the stores in PostgreSQL other server processes write too, so a
  // closed community's figures are kept only while its head is unchanged.
  const bool shared = is_postgres_spec(options_.store_template);
  for (auto& s : slots_) {
    Slot& slot = *s;
    std::shared_ptr<Open> open;
    bool known = false;
    CountyFigures f;
    uint64_t cached_head = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      open = slot.open;
      if (!open && slot.figures_known) {
        f = slot.figures;
        cached_head = slot.figures_head;
        known = true;  // closed: unchanged since it was read, unless shared
      }
    }
#ifdef DH_HAVE_LIBPQ
    if (known && shared) {
      auto head = pool_ ? PgOpStore::peek_head(*pool_, community_schema(slot.id))
                        : PgOpStore::peek_head(community_store_spec(options_, slot.dir, slot.id));
      if (!head) return head.error();
      known = head.value() == cached_head;
    }
#else
    (void)shared;
#endif
    if (!known) {
      if (!open) {
        Error e;
        open = acquire(slot, &e);
        if (!open) return e;
      }
      // read_state folds what other processes committed first (a shared
      // store), so the head read inside it is the one the figures are of.
      uint64_t at = 0;
      open->service->read_state([&](const State&) { at = open->service->head(); });
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (slot.figures_known && slot.figures_head == at) {
          f = slot.figures;
          known = true;
        }
      }
      if (!known) {
        open->service->read_state([&](const State& state) {
          at = open->service->head();
          f = county_figures(state);
        });
        std::lock_guard<std::mutex> lock(mu_);
        slot.figures = f;
        slot.figures_head = at;
        slot.figures_known = true;
      }
    }
    totals += f;
    rows.push_back(Json{{"community", slot.id}, {"figures", county_figures_json(f)}});
  }
  return Json{{"communities", rows}, {"totals", county_figures_json(totals)}};
}

void Communities::answer_aggregates(const httplib::Request& req, httplib::Response& res) {
  RequestContext ctx;
  ctx.action = "county";
  ctx.authorization = req.get_header_value("Authorization");
  auto who = county_auth_->authenticate(ctx);
  if (!who) return send_error(res, who.error().code == "forbidden" ? 403 : 401, who.error());
  if (who->role != "county" && who->role != "administrator") {
    return send_error(res, 403, make_error("forbidden", "Only a county device reads the county's figures."));
  }
  auto figures = aggregates();
  if (!figures) return send_error(res, 503, figures.error());
  res.set_header("Cache-Control", "no-store");
  res.set_content(figures.value().dump(), kJson);
}

}  // namespace dh
