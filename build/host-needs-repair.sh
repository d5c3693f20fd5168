#!/usr/bin/env bash
# Exit 0 when this host's libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp 0.107's native library then needs repair).
[ "$(uname -s)" = Linux ] || exit 1
host=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
[ -n "$host" ] || host=$(find /usr/lib /lib -name 'libstdc++.so.6' -print -quit 2>/dev/null || true)
! { [ -n "$host" ] && grep -q GLIBCXX_3.4.32 "$host"; }
