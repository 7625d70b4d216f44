#!/bin/sh
# run.sh DRILLHALL SCRIPT WORKDIR [ARGS...]: run one UI script with a fresh
# data directory (WORKDIR/data) and shots in WORKDIR/shots. With TRUNCATE_FROM
# set, WORKDIR/trunc.zip is first made from its first 400 bytes (a broken
# package for the catalog test).
set -e
exe=$1 script=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work"
if [ -n "${TRUNCATE_FROM:-}" ]; then
  head -c 400 "$TRUNCATE_FROM" > "$work/trunc.zip"
fi
exec "$exe" --data "$work/data" --shots "${SHOTS_DIR:-$work/shots}" --script "$script" "$@"
