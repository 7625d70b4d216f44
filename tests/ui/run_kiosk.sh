#!/bin/sh
# run_kiosk.sh BIN_DIR COURSES_DIR SCRIPT WORKDIR [OPTIONS] [-- PLAYER_ARGS...]
#
# Run one UI script against a kiosk set up as an officer would: a fresh data
# directory WORKDIR/data whose packages/ holds the sample courses SIGNED at
# test time with a key made now by `drillhall-pack keygen` (the secret key
# lives only in WORKDIR/keys, never in the repository) and whose
# trusted-keys/ holds its public half. Options:
#   --pin PIN          set the admin PIN first (drillhall --set-admin-pin, from stdin)
#   --installed NAMES  the samples to install signed (default: awareness-essentials)
#   --unsigned NAME    also put this sample in packages/ without a signature
#   --tampered NAME    also put this sample in packages/ signed, then changed
#   --stick            make WORKDIR/stick: multilingual-reporting signed (good.zip),
#                      awareness-essentials unsigned (unsigned.zip) and signed then
#                      changed (tampered.zip)
#   --stick-newer NAME also put stick/newer.zip: sample NAME repacked as version
#                      9.0.0, signed (a new version that supersedes the installed one)
#   --verify-export    afterwards, `drillhall-records verify` every bundle in
#                      WORKDIR/export against the kiosk's own kiosk.pub
#   --config K=V       afterwards, kiosk.json's member K must equal V (as JSON text)
#   --journal COND...  afterwards, check_journal.py COND... on the data directory
#                      (must come last before --)
# The player runs with --kiosk --data WORKDIR/data --script SCRIPT.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 courses=$2 script=$3 work=$4
shift 4
pin="" installed="awareness-essentials" unsigned="" tampered="" stick=0 verify=0 journal="" config="" newer=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --pin) pin=$2; shift 2 ;;
    --installed) installed=$2; shift 2 ;;
    --unsigned) unsigned=$2; shift 2 ;;
    --tampered) tampered=$2; shift 2 ;;
    --stick) stick=1; shift ;;
    --stick-newer) newer=$2; shift 2 ;;
    --verify-export) verify=1; shift ;;
    --config) config="$config $2"; shift 2 ;;
    --journal) shift; journal=1
      # one condition per line (conditions may hold spaces: "state:m=in progress")
      : > "${TMPDIR:-/tmp}/run_kiosk.$$"
      while [ $# -gt 0 ] && [ "$1" != "--" ]; do printf '%s\n' "$1" >> "${TMPDIR:-/tmp}/run_kiosk.$$"; shift; done ;;
    *) echo "run_kiosk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = "--" ] && shift
rm -rf "$work"
mkdir -p "$work/keys" "$work/data/packages" "$work/data/trusted-keys" "$work/export"
pack="$bin/drillhall-pack"
"$pack" keygen -p "$work/keys/test.pub" -s "$work/keys/test.key" -c "drillhall UI test key" >/dev/null
cp "$work/keys/test.pub" "$work/data/trusted-keys/instructors.pub"
sign() { "$pack" sign "$1" -s "$work/keys/test.key" >/dev/null; }
# a signed package one of whose bytes then changes (in the middle, inside a
# course file): the zip still opens, the signature no longer verifies
tamper() {
  sign "$1"
  python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p, "wb").write(b)' "$1"
}
for name in $installed; do
  cp "$courses/$name.zip" "$work/data/packages/$name.zip"
  sign "$work/data/packages/$name.zip"
done
if [ -n "$unsigned" ]; then cp "$courses/$unsigned.zip" "$work/data/packages/unsigned-$unsigned.zip"; fi
if [ -n "$tampered" ]; then
  cp "$courses/$tampered.zip" "$work/data/packages/tampered-$tampered.zip"
  tamper "$work/data/packages/tampered-$tampered.zip"
fi
if [ "$stick" = 1 ]; then
  mkdir -p "$work/stick"
  cp "$courses/multilingual-reporting.zip" "$work/stick/good.zip"
  sign "$work/stick/good.zip"
  cp "$courses/awareness-essentials.zip" "$work/stick/unsigned.zip"
  cp "$courses/awareness-essentials.zip" "$work/stick/tampered.zip"
  tamper "$work/stick/tampered.zip"
fi
if [ -n "$newer" ]; then
  mkdir -p "$work/stick" "$work/src"
  cp -r "$here/../../courses/$newer" "$work/src/$newer"
  python3 - "$work/src/$newer/course.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p, encoding="utf-8"))
c["version"] = "9.0.0"
open(p, "w", encoding="utf-8").write(json.dumps(c, ensure_ascii=False, indent=2))
PY
  "$pack" pack "$work/src/$newer" -o "$work/stick/newer.zip" >/dev/null
  sign "$work/stick/newer.zip"
fi
if [ -n "$pin" ]; then
  printf '%s\n' "$pin" | "$bin/drillhall" --data "$work/data" --set-admin-pin 2>/dev/null
fi
# the player runs in WORKDIR, so scripts type the folders as "stick" and "export"
status=0
cd "$work"
"$bin/drillhall" --kiosk --data "$work/data" --shots "${SHOTS_DIR:-$work/shots}" --script "$script" "$@" || status=$?
[ $status -eq 0 ] || exit $status
if [ "$verify" = 1 ]; then
  found=0
  for b in "$work/export"/drillhall-*; do
    [ -d "$b" ] || continue
    found=1
    "$bin/drillhall-records" verify "$b" -p "$work/data/kiosk.pub"
  done
  [ $found = 1 ] || { echo "run_kiosk.sh: no bundle in $work/export" >&2; exit 1; }
fi
for kv in $config; do
  python3 - "$work/data/kiosk.json" "$kv" <<'PY'
import json, sys
k, v = sys.argv[2].split("=", 1)
got = json.load(open(sys.argv[1])).get(k)
if got != json.loads(v):
    sys.exit("kiosk.json: %s is %r, expected %s" % (k, got, v))
PY
done
if [ -n "$journal" ]; then
  conds="${TMPDIR:-/tmp}/run_kiosk.$$"
  status=0
  tr '\n' '\0' < "$conds" | xargs -0 python3 "$here/check_journal.py" "$work/data" || status=$?
  rm -f "$conds"
  exit $status
fi
