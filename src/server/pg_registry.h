// The device registry's tables in PostgreSQL (registry_backend.h is the
// interface; DeviceRegistry::open_postgres uses it): the database of the
// operations, schema "dianhong":
//
//   devices(device_id TEXT PRIMARY KEY, name TEXT, role TEXT,
//           token_hash TEXT UNIQUE, enrolled_ms BIGINT, revoked BOOLEAN)
//   enrol_codes(code_hash TEXT PRIMARY KEY, role TEXT, created_ms BIGINT,
//               expires_ms BIGINT, used_ms BIGINT NULL, used_by TEXT NULL)
//   registry_meta(name TEXT PRIMARY KEY, value TEXT)
//
// the same columns as the SQLite registry (devices.h). Created at open under
// the advisory lock kSchemaLockKey (servers starting at once).
//
// Contracts
// - Every call is a query (no cache): several server processes see one
//   another's enrolments, used codes and revocations at once.
// - enrol() is one transaction with the code's row locked (SELECT ... FOR
//   UPDATE), so a code enrols one device whichever process is asked.
// - Every query has parameters (no SQL built from data).
// - Thread-safe: connections from a PgPool (pg_pool.h), its own or shared;
//   a broken one is reset before its next use.
#pragma once

#include <memory>
#include <string>

#include "server/pg_pool.h"
#include "server/registry_backend.h"

namespace dh {

// The tables in `schema` (PgPool::is_schema_name; "dianhong" for a single
// store), on a pool of its own or shared with the database's other stores
// and registries (docs/communities.md).
Result<std::unique_ptr<RegistryBackend>> open_pg_registry(std::shared_ptr<PgPool> pool, const std::string& schema);

}  // namespace dh
