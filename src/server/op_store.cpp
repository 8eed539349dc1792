#include "server/op_store.h"

#include "server/sqlite_op_store.h"
#ifdef DH_HAVE_LIBPQ
#include "server/pg_op_store.h"
#endif

namespace dh {

Result<std::vector<uint64_t>> OpStore::append(const std::vector<NewOp>& ops, const std::vector<Rejection>& rejections) {
  auto pending = append_pending(ops, rejections);
  if (!pending) return pending.error();
  if (pending->ticket != 0) {
    if (auto d = wait_durable(pending->ticket); !d) return d.error();
  }
  return std::move(pending->seqs);
}

Result<OpStore::Pending> OpStore::append_after(uint64_t after,
                                               const std::function<Result<Batch>(const Page& tail)>& decide) {
  (void)after;  // one process: nothing was committed that the caller has not seen
  auto batch = decide(Page{});
  if (!batch) return batch.error();
  if (batch->ops.empty() && batch->rejections.empty()) return Pending{};
  return append_pending(batch->ops, batch->rejections);
}

Result<std::vector<OpStore::Known>> OpStore::find_many(const std::vector<std::string>& op_ids) {
  std::vector<Known> out(op_ids.size());
  for (size_t i = 0; i < op_ids.size(); ++i) {
    auto stored = find(op_ids[i]);
    if (!stored) return stored.error();
    auto refused = find_rejection(op_ids[i]);
    if (!refused) return refused.error();
    out[i].stored = std::move(stored).value();
    out[i].refused = std::move(refused).value();
  }
  return out;
}

Result<std::unique_ptr<OpStore>> OpStore::open(const std::string& spec) { return open_op_store(spec); }

bool is_postgres_spec(const std::string& spec) {
  auto starts = [&](const char* prefix) { return spec.rfind(prefix, 0) == 0; };
  if (starts("postgresql://") || starts("postgres://")) return true;
  // libpq keyword/value conninfo: it starts with "keyword=" (letters and
  // underscores, e.g. "host=", "dbname=", "user="). A SQLite file whose name
  // looks like that is named "./name".
  size_t i = 0;
  while (i < spec.size() && ((spec[i] >= 'a' && spec[i] <= 'z') || spec[i] == '_')) ++i;
  while (i > 0 && i < spec.size() && spec[i] == ' ') ++i;
  if (i > 0 && i < spec.size() && spec[i] == '=') return true;
  return false;
}

Result<std::unique_ptr<OpStore>> open_op_store(const std::string& spec) {
  if (is_postgres_spec(spec)) {
#ifdef DH_HAVE_LIBPQ
    auto pg = PgOpStore::open(spec);
    if (!pg) return pg.error();
    return std::unique_ptr<OpStore>(std::move(pg).value());
#else
    return make_error("store_error",
                      "This server was built without PostgreSQL (libpq): it can only store into a SQLite file.");
#endif
  }
  auto lite = SqliteOpStore::open(spec);
  if (!lite) return lite.error();
  return std::unique_ptr<OpStore>(std::move(lite).value());
}

}  // namespace dh
