#!/usr/bin/env bash
# Makes the libLibTorchSharp.so copied into a build output load on hosts whose
# libstdc++ predates GLIBCXX_3.4.32 (e.g. Debian 12). TorchSharp 0.107 needs that
# version for one symbol, std::ios_base_library_init(). Only the output copy is
# edited, never the NuGet cache; on a newer host nothing is touched.
# Usage: fix-libtorchsharp.sh OUTPUT_DIR
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
sym=_ZSt21ios_base_library_initv
shim=libphasetune_iosinit.so

# where a portable build puts it, else a linux-x64 build; never a copy in a subfolder such as publish/ (a tool
# package publishes into bin/CONFIG/TFM/publish), which its own publish step repairs
lib=
for candidate in "$out/runtimes/linux-x64/native/libLibTorchSharp.so" "$out/libLibTorchSharp.so"; do
  if [ -f "$candidate" ]; then lib=$candidate; break; fi
done
[ -n "$lib" ] || exit 0

bash "$here/host-needs-repair.sh" || exit 0

dir=$(dirname "$lib")
if readelf -d "$lib" | grep -q "$shim"; then exit 0; fi   # already repaired

for tool in patchelf cc readelf; do
  if ! command -v "$tool" >/dev/null; then
    echo "error PT0001: $lib needs repair for this libstdc++ (no GLIBCXX_3.4.32) but '$tool' is missing; install patchelf, gcc and binutils (Debian: apt-get install patchelf gcc binutils; in this repository: bash build/bootstrap.sh)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -shared -fPIC -O2 -o "$tmp/$shim" "$here/native/ios_base_shim.c"
cc -O2 -o "$tmp/verneed_weak" "$here/native/verneed_weak.c"
cp "$lib" "$tmp/lib.so"
patchelf --clear-symbol-version "$sym" "$tmp/lib.so"
patchelf --add-needed "$shim" "$tmp/lib.so"
"$tmp/verneed_weak" "$tmp/lib.so" GLIBCXX_3.4.32
# rename into place so a build never leaves a half-edited library behind
cp "$tmp/$shim" "$dir/.$shim.tmp" && mv -f "$dir/.$shim.tmp" "$dir/$shim"
cp "$tmp/lib.so" "$dir/.libLibTorchSharp.so.tmp" && mv -f "$dir/.libLibTorchSharp.so.tmp" "$lib"
echo "fix-libtorchsharp: repaired $lib for a libstdc++ without GLIBCXX_3.4.32"
