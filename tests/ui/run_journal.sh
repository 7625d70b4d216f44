#!/bin/sh
# run_journal.sh DRILLHALL SCRIPT WORKDIR [ARGS...] -- CONDITION...: run one UI
# script through run.sh (fresh data directory WORKDIR/data), then check what
# it recorded in WORKDIR/data/progress.db with check_journal.py.
set -e
here=$(dirname "$0")
exe=$1 script=$2 work=$3
shift 3
args=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  args="$args $1"
  shift
done
[ "${1:-}" = "--" ] && shift
# shellcheck disable=SC2086
sh "$here/run.sh" "$exe" "$script" "$work" $args
exec python3 "$here/check_journal.py" "$work/data" "$@"
