#!/bin/sh
# ctest dh_server_tests_postgres: the server tests again, with every server
# process keeping its operations in PostgreSQL (DH_TEST_SERVER_STORE=postgres,
# tests/server/server_process.h) on the cluster of $DH_TEST_PG, which
# script/test starts (script/pg). Cases that read a server's SQLite file
# directly ([sqlite_file]) are left out, and so is the failover case
# ([pg_failover], pg_failover_test.cpp): it makes its own replicated pair
# and runs once, in dh_server_tests.
# Without DH_TEST_PG only the [postgres] cases run, and each says SKIPPED.
bin=$1
if [ -z "${DH_TEST_PG:-}" ]; then
  exec "$bin" "[postgres]" --use-colour no
fi
DH_TEST_SERVER_STORE=postgres exec "$bin" "~[sqlite_file]~[pg_failover]" --use-colour no
