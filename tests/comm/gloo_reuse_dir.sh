#!/bin/sh
# gloo_reuse_dir.sh GLOO_LOCAL FAULT_PROBE
# Gloo's FileStore fails on a second run in the same directory; Sotto's must not. Runs three
# 2-party jobs in one rendezvous directory: a clean one, a second one in the same directory, and
# one after planting a dead run's files (an old sotto-current and keys). Each must finish.
set -eu
gloo_local=$1
probe=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/sotto-reuse.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export SOTTO_RENDEZVOUS_DIR="$dir"
sh "$gloo_local" 2 "$probe" --backend gloo --case none
sh "$gloo_local" 2 "$probe" --backend gloo --case none
mkdir -p "$dir/sotto-run-dead"
printf 'dead 2\n' > "$dir/sotto-current"
printf 'junk' > "$dir/sotto-run-dead/key-0"
touch -d '2 minutes ago' "$dir/sotto-current"
sh "$gloo_local" 2 "$probe" --backend gloo --case none
left=$(ls -A "$dir")
if [ -n "$left" ]; then
  echo "rendezvous files left behind: $left" >&2
  exit 1
fi
echo "three runs in one rendezvous directory: ok"
