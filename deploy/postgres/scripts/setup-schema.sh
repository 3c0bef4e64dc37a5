#!/bin/sh
# Creates Temporal's two databases with their base schema on the first run,
# then brings both schemas to the image's release (update-schema applies only
# what is missing: this is also how a volume follows a server upgrade).
# temporal-sql-tool reads the password from SQL_PASSWORD (postgres-credentials.env).
set -eu
tool() { temporal-sql-tool --plugin postgres12 --endpoint postgresql --port 5432 --user temporal "$@"; }
for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  schema=${pair#*:}
  # create-database fails on an existing database: only a new one gets the base schema.
  if tool --database "$db" create-database; then
    tool --database "$db" setup-schema --version 0.0
  fi
  tool --database "$db" update-schema --schema-dir "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "Temporal's PostgreSQL schemas are up to date"
