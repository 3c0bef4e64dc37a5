#!/bin/sh
# temporalio/server creates no namespace (the dev server does): creates
# $NAMESPACE once, then each search attribute given as NAME=Type that the
# namespace lacks. Safe to run again on every `up`.
set -eu
: "${NAMESPACE:=default}"
: "${RETENTION:=24h}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal-postgres:7233}"
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
for attribute in "$@"; do
  name=${attribute%%=*}
  type=${attribute#*=}
  if ! temporal operator search-attribute list --namespace "$NAMESPACE" | grep -q "^ *$name "; then
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "namespace $NAMESPACE and its search attributes are in place"
