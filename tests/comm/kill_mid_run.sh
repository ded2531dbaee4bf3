#!/bin/sh
# kill_mid_run.sh VICTIM PROGRAM [ARGS...]
# A party killed mid-run: runs 2 copies of PROGRAM as one tcp-backend job on this host (as
# scripts/tcp-local: a parties file on 127.0.0.1, SOTTO_RANK and SOTTO_PARTIES), waits until the
# data owner (rank 1) has printed its second result line ("image    1:"), kills rank VICTIM with
# SIGKILL, and waits for the survivor (at most 60 s, then it is killed too and the test fails).
# Prints the survivor's output, each line prefixed "survivor rank R: ", and its exit status; the
# test's PASS_REGULAR_EXPRESSION names the error the survivor must give. Exits 1 if the
# survivor exited 0 (it cannot have finished the job without its peer) or never ended.
set -u
[ $# -ge 2 ] || {
  echo "usage: $0 VICTIM PROGRAM [ARGS...]" >&2
  exit 64
}
victim=$1
shift
survivor=$((1 - victim))
work=$(mktemp -d "${TMPDIR:-/tmp}/sotto-kill.XXXXXX")
trap 'kill -9 $p0 $p1 2>/dev/null; rm -rf "$work"' EXIT
base=${SOTTO_TCP_BASE_PORT:-$((24000 + ($$ % 2000) * 4))}
SOTTO_PARTIES=$work/parties
printf '0 127.0.0.1:%s\n1 127.0.0.1:%s\n' "$base" $((base + 1)) >"$SOTTO_PARTIES"
export SOTTO_PARTIES
SOTTO_RANK=0 "$@" >"$work/0.log" 2>&1 &
p0=$!
SOTTO_RANK=1 "$@" >"$work/1.log" 2>&1 &
p1=$!
# Wait for the second result line (the job is under way), at most 120 s.
i=0
until grep -q "image *1:" "$work/1.log" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 1200 ]; then
    echo "FAILED: rank 1 printed no second result within 120 s"
    cat "$work/0.log" "$work/1.log"
    exit 1
  fi
  sleep 0.1
done
if [ "$victim" -eq 0 ]; then kill -9 "$p0"; survivor_pid=$p1; else kill -9 "$p1"; survivor_pid=$p0; fi
echo "killed rank $victim (SIGKILL)"
# The survivor must end by itself: a watchdog kills it after 60 s.
(sleep 60 && kill -9 "$survivor_pid") >/dev/null 2>&1 &
watchdog=$!
wait "$survivor_pid"
status=$?
kill "$watchdog" 2>/dev/null
sed "s/^/survivor rank $survivor: /" "$work/$survivor.log"
echo "survivor rank $survivor exited with status $status"
[ "$status" -ne 0 ] && [ "$status" -ne 137 ] || exit 1
exit 0
