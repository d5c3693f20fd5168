#!/usr/bin/env bash
# One-time host set-up: the tools the build needs to repair TorchSharp's native
# library on hosts whose libstdc++ is older than GCC 13's (see fix-libtorchsharp.sh).
set -euo pipefail
bash "$(dirname "$0")/host-needs-repair.sh" || exit 0
missing=()
command -v patchelf >/dev/null || missing+=(patchelf)
command -v cc >/dev/null || missing+=(gcc)
command -v readelf >/dev/null || missing+=(binutils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "bootstrap: installing ${missing[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "bootstrap: this host's libstdc++ lacks GLIBCXX_3.4.32; install ${missing[*]} (e.g. sudo apt-get install ${missing[*]}) and retry" >&2
  exit 1
fi
