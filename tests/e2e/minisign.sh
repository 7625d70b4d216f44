#!/bin/sh
# minisign.sh: drillhall-pack and the real minisign tool judge each other.
#
# Signatures are only "minisign-compatible" if minisign says so, so this
# script makes keys and signatures with each tool and checks them with the
# other: both directions, unencrypted and password-protected minisign keys,
# prehashed and legacy signatures, and tampered files and trusted comments
# that both tools must reject. It prints every check and exits non-zero on
# the first mismatch.
#
# usage: minisign.sh DRILLHALL_PACK MINISIGN
set -eu

PACK=${1:?usage: minisign.sh DRILLHALL_PACK MINISIGN}
MINISIGN=${2:-minisign}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dh_e2e_minisign.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$WORK"
# Never ask a terminal: passwords come from stdin (minisign) or the
# environment (drillhall-pack).
unset DRILLHALL_KEY_PASSWORD

checks=0
step() { printf '%s ... ' "$*"; }
ok() { echo ok; checks=$((checks + 1)); }
die() {
    echo "FAILED"
    echo "minisign.sh: $*" >&2
    for f in out err; do [ -s "$f" ] && sed "s/^/  $f: /" "$f" >&2; done
    exit 1
}

# expect STATUS COMMAND...: run, keeping stdout/stderr in out/err.
expect() {
    want=$1
    shift
    set +e
    "$@" >out 2>err </dev/null
    got=$?
    set -e
    [ "$got" -eq "$want" ] || die "'$*' exited with $got, expected $want"
}

# A file big enough that prehashing streams it through several buffers.
i=0
: >course.zip
while [ $i -lt 2000 ]; do
    echo "line $i of a pretend course package" >>course.zip
    i=$((i + 1))
done
cp course.zip pristine.zip

echo "== keys made by drillhall-pack, checked by minisign =="
step "drillhall-pack keygen"
expect 0 "$PACK" keygen -p dh.pub -s dh.key -c "drillhall e2e key"
[ "$(stat -c %a dh.key)" = 600 ] || die "dh.key has mode $(stat -c %a dh.key), expected 600"
ok
step "keygen refuses to overwrite without -f"
expect 1 "$PACK" keygen -p dh.pub -s dh.key
grep -q "already exists" err || die "no 'already exists' message"
ok
step "drillhall-pack sign (options after the file)"
expect 0 "$PACK" sign course.zip -s dh.key -t "e2e trusted comment"
[ -f course.zip.minisig ] || die "course.zip.minisig was not written"
ok
step "minisign -V accepts it, with its trusted comment"
expect 0 "$MINISIGN" -V -p dh.pub -m course.zip
grep -q "Trusted comment: e2e trusted comment" out || die "minisign shows another comment"
ok
step "minisign -V -H accepts it (it is prehashed)"
expect 0 "$MINISIGN" -V -H -p dh.pub -m course.zip
ok
step "drillhall-pack verify accepts it"
expect 0 "$PACK" verify course.zip -p dh.pub
grep -q "^course.zip: signature valid (key ID [0-9A-F]\{1,16\}), trusted comment: e2e trusted comment$" out ||
    die "unexpected verify output: $(cat out)"
ok
step "default trusted comment matches minisign's form"
expect 0 "$PACK" sign -s dh.key -x default.minisig course.zip
expect 0 "$MINISIGN" -V -p dh.pub -m course.zip -x default.minisig
grep -q "Trusted comment: timestamp:[0-9]*	file:course.zip	hashed$" out ||
    die "default comment: $(cat out)"
ok
step "the public key works inline (minisign -P)"
expect 0 "$MINISIGN" -V -P "$(sed -n 2p dh.pub)" -m course.zip
ok

echo "== tampering is rejected by both tools =="
echo "one more line" >>course.zip
step "tampered file: minisign rejects it"
expect 1 "$MINISIGN" -V -p dh.pub -m course.zip
ok
step "tampered file: drillhall-pack rejects it"
expect 1 "$PACK" verify course.zip -p dh.pub
grep -q "signature NOT valid" err || die "no reason given"
ok
cp pristine.zip course.zip
sed 's/^trusted comment: e2e trusted comment$/trusted comment: e2e trusted comment, edited/' \
    course.zip.minisig >edited.minisig
cmp -s edited.minisig course.zip.minisig && die "could not edit the trusted comment"
step "tampered trusted comment: minisign rejects it"
expect 1 "$MINISIGN" -V -p dh.pub -m course.zip -x edited.minisig
ok
step "tampered trusted comment: drillhall-pack rejects it"
expect 1 "$PACK" verify course.zip -p dh.pub -x edited.minisig
grep -q "trusted comment was changed" err || die "wrong reason: $(cat err)"
ok

echo "== keys made by minisign, used by drillhall-pack =="
step "minisign -G -W (unencrypted key)"
expect 0 "$MINISIGN" -G -W -p ms.pub -s ms.key
ok
step "minisign -S, drillhall-pack verify accepts it"
expect 0 "$MINISIGN" -S -s ms.key -m course.zip -x ms.minisig -t "signed by minisign"
expect 0 "$PACK" verify course.zip -p ms.pub -x ms.minisig
grep -q "trusted comment: signed by minisign$" out || die "comment: $(cat out)"
ok
step "drillhall-pack signs with minisign's key, minisign accepts it"
expect 0 "$PACK" sign course.zip -s ms.key -x dh-with-ms.minisig -t "ms key, dh signature"
expect 0 "$MINISIGN" -V -p ms.pub -m course.zip -x dh-with-ms.minisig
ok
step "wrong public key: both reject it, drillhall-pack names both key IDs"
expect 1 "$MINISIGN" -V -p dh.pub -m course.zip -x ms.minisig
ms_id=$(sed -n 's/^untrusted comment: minisign public key \([0-9A-F]*\)$/\1/p' ms.pub)
[ -n "$ms_id" ] || die "cannot read minisign's key ID from ms.pub"
expect 1 "$PACK" verify course.zip -p dh.pub -x ms.minisig
grep -q "signed with key $ms_id but the public key is [0-9A-F]\{1,16\}" err ||
    die "wrong reason: $(cat err)"
ok
step "tampered file signed by minisign: drillhall-pack rejects it"
echo "appended" >>course.zip
expect 1 "$PACK" verify course.zip -p ms.pub -x ms.minisig
cp pristine.zip course.zip
ok
step "tampered trusted comment from minisign: drillhall-pack rejects it"
sed 's/^trusted comment: signed by minisign$/trusted comment: signed by someone else/' \
    ms.minisig >ms-edited.minisig
cmp -s ms-edited.minisig ms.minisig && die "could not edit the trusted comment"
expect 1 "$PACK" verify course.zip -p ms.pub -x ms-edited.minisig
expect 1 "$MINISIGN" -V -p ms.pub -m course.zip -x ms-edited.minisig
ok
step "legacy signature (minisign -S -l): drillhall-pack verify accepts it"
expect 0 "$MINISIGN" -S -l -s ms.key -m course.zip -x legacy.minisig -t "legacy"
[ "$(sed -n 2p legacy.minisig | cut -c1-2)" = RW ] || die "minisign -l did not write an 'Ed' signature"
expect 0 "$PACK" verify course.zip -p ms.pub -x legacy.minisig
grep -q "trusted comment: legacy$" out || die "comment: $(cat out)"
echo "x" >>course.zip
expect 1 "$PACK" verify course.zip -p ms.pub -x legacy.minisig
cp pristine.zip course.zip
ok

echo "== password-protected minisign key =="
step "minisign -G with a password on stdin"
set +e
printf 'e2e password\ne2e password\n' | "$MINISIGN" -G -p enc.pub -s enc.key >out 2>err
rc=$?
set -e
[ $rc -eq 0 ] || die "minisign -G exited with $rc"
[ "$(sed -n 2p enc.key | base64 -d | head -c 4 | tail -c 2)" = Sc ] ||
    die "minisign did not encrypt the key"
ok
step "drillhall-pack sign with the right password (DRILLHALL_KEY_PASSWORD)"
expect 0 env DRILLHALL_KEY_PASSWORD='e2e password' "$PACK" sign course.zip -s enc.key -x enc.minisig
expect 0 "$MINISIGN" -V -p enc.pub -m course.zip -x enc.minisig
expect 0 "$PACK" verify course.zip -p enc.pub -x enc.minisig
ok
step "drillhall-pack sign with a wrong password fails clearly"
expect 2 env DRILLHALL_KEY_PASSWORD='not the password' "$PACK" sign course.zip -s enc.key -x no.minisig
grep -q "wrong password" err || die "wrong reason: $(cat err)"
[ ! -e no.minisig ] || die "a signature was written anyway"
ok
step "without a password or a terminal, sign says how to give one"
if command -v setsid >/dev/null 2>&1; then
    expect 2 setsid -w "$PACK" sign course.zip -s enc.key -x no.minisig
    grep -q "DRILLHALL_KEY_PASSWORD" err || die "wrong reason: $(cat err)"
fi
ok

echo "== drillhall-pack keygen -e (encrypted key) read by minisign =="
step "keygen -e, minisign -S signs with it using the same password"
expect 0 env DRILLHALL_KEY_PASSWORD='dh password' "$PACK" keygen -e -p dhe.pub -s dhe.key
set +e
echo 'dh password' | "$MINISIGN" -S -s dhe.key -m course.zip -x dhe.minisig >out 2>err
rc=$?
set -e
[ $rc -eq 0 ] || die "minisign could not use drillhall-pack's encrypted key (exit $rc)"
expect 0 "$PACK" verify course.zip -p dhe.pub -x dhe.minisig
ok

echo "== usage =="
step "verify without a signature file exits 2"
expect 2 "$PACK" verify pristine.zip -p dh.pub
ok
step "unknown option exits 2"
expect 2 "$PACK" sign course.zip -s dh.key -q
ok
step "--help exits 0"
expect 0 "$PACK" verify --help
grep -q "Usage: drillhall-pack verify" out || die "no usage text"
ok

echo "minisign.sh: all $checks checks passed"
