#!/bin/sh
# tcp_netns_test.sh PASS_REGEX PROGRAM [ARGS...]
# The tcp backend across three "hosts": network namespaces on one bridge, each party on its own
# address, started by hand (no launcher, no shared folder; only the parties file is copied):
#   sotto-tcp-<PID>-hub   the bridge stbr<PID> (the namespaces' switch)
#   sotto-tcp-<PID>-0     10.79.0.1/24   rank 0 (party)
#   sotto-tcp-<PID>-1     10.79.0.2/24   rank 1 (party)
#   sotto-tcp-<PID>-2     10.79.0.3/24   rank 2 (the TTP dealer)
# NETNS_RATE_MBIT limits each host's link (tc tbf); SOTTO_DELAY_MS, passed through, adds latency.
# PROGRAM runs once per namespace with SOTTO_RANK and SOTTO_PARTIES set; passes if every copy
# exits 0 and the joint output matches PASS_REGEX (grep -E). Exits 77 (CTest's SKIP_RETURN_CODE)
# when not root or network namespaces cannot be made here. Namespaces are removed on any exit.
set -u
[ $# -ge 2 ] || {
  echo "usage: $0 PASS_REGEX PROGRAM [ARGS...]" >&2
  exit 64
}
pass=$1
shift
skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root: network namespaces need root"
command -v ip >/dev/null 2>&1 || skip "ip (iproute2) is not installed"

id=$$
hub="sotto-tcp-$id-hub"
work=$(mktemp -d "${TMPDIR:-/tmp}/sotto-tcp-netns.XXXXXX")
cleanup() {
  for i in 0 1 2; do
    n="sotto-tcp-$id-$i"
    pids=$(ip netns pids "$n" 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$n" 2>/dev/null
  done
  ip netns del "$hub" 2>/dev/null # the bridge and the veth ends go with it
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$hub" 2>/dev/null || skip "'ip netns add' failed (no permission in this container?)"
set -e
ip -n "$hub" link add "stbr$id" type bridge
ip -n "$hub" link set "stbr$id" up
for i in 0 1 2; do
  n="sotto-tcp-$id-$i"
  ip netns add "$n"
  ip link add "st${id}h$i" netns "$hub" type veth peer name eth0 netns "$n"
  ip -n "$hub" link set "st${id}h$i" master "stbr$id" up
  ip -n "$n" addr add "10.79.0.$((i + 1))/24" dev eth0
  ip -n "$n" link set lo up
  ip -n "$n" link set eth0 up
  # NETNS_RATE_MBIT: a tbf qdisc on each host's link (an emulated WAN, as the bench harness's).
  if [ -n "${NETNS_RATE_MBIT:-}" ]; then
    tc -n "$n" qdisc add dev eth0 root tbf rate "${NETNS_RATE_MBIT}mbit" \
      burst "$((NETNS_RATE_MBIT * 125))" latency 200ms
  fi
done
set +e

# Identity keys (NETNS_KEYS=good|wrong, NETNS_KEYGEN=the sotto-keygen program): each rank gets
# its own key pair and the parties file pins every public key; with "wrong", rank 1 starts with
# a key that is not the one the file lists, so the handshake must refuse it by name.
keys=${NETNS_KEYS:-}
pub() { echo ""; }
if [ -n "$keys" ]; then
  for i in 0 1 2; do
    "$NETNS_KEYGEN" "$work/rank$i" >/dev/null || exit 1
  done
  [ "$keys" = wrong ] && { "$NETNS_KEYGEN" "$work/impostor" >/dev/null || exit 1; }
  pub() { cat "$work/rank$1.pub"; }
fi

# Each host's copy of the parties file (here one file, as a copy would read the same).
parties="$work/job.parties"
cat >"$parties" <<PARTIES
# rank  host:port  public key
0 10.79.0.1:7100 $(pub 0)
1 10.79.0.2:7100 $(pub 1)
2 10.79.0.3:7100 $(pub 2)
PARTIES

# Start order does not matter: the dealer first, rank 0 last and a little later.
pids=""
for i in 2 1 0; do
  [ "$i" -eq 0 ] && sleep 0.3
  key=""
  [ -n "$keys" ] && key="$work/rank$i.key"
  [ "$keys" = wrong ] && [ "$i" -eq 1 ] && key="$work/impostor.key"
  ip netns exec "sotto-tcp-$id-$i" env SOTTO_RANK=$i SOTTO_PARTIES="$parties" SOTTO_KEY="$key" \
    SOTTO_TIMEOUT_MS=15000 "$@" >"$work/rank$i.log" 2>&1 &
  pids="$pids $!"
done
rc=0
for p in $pids; do
  wait "$p" || rc=1
done
for i in 0 1 2; do
  echo "---- rank $i (sotto-tcp-$id-$i, 10.79.0.$((i + 1))) ----"
  cat "$work/rank$i.log"
done
if [ "$keys" = wrong ]; then
  # Every party must fail, and the joint output must name the impostor (checked below).
  [ "$rc" -ne 0 ] || {
    echo "FAILED: the parties accepted a wrong identity key"
    exit 1
  }
elif [ "$rc" -ne 0 ]; then
  echo "FAILED: a party exited with an error"
  exit 1
fi
if ! cat "$work"/rank*.log | grep -Eq "$pass"; then
  echo "FAILED: no output matches '$pass'"
  exit 1
fi
echo "OK: 3 parties in 3 network namespaces"
