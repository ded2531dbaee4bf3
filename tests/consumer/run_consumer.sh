#!/bin/sh
# run_consumer.sh BUILD_DIR SOURCE_DIR: installs the build into a temporary prefix, then configures,
# builds and runs tests/consumer/project against it with find_package(Sotto).
set -eu
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/sotto-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$work/prefix/bin/sotto-keygen" --help >/dev/null  # the tools are installed too
"$work/prefix/bin/onnx_run" --help >/dev/null
cmake -S "$src/tests/consumer/project" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
