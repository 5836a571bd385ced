// A stand-in for `docker run [flags] IMAGE ARGS...` in tests of the Action and
// of documented workflow steps: appends "user=U image=I" to $CALLS, then runs
// $BINDSCAN (this build's binary) with the `-v HOST:INSIDE` mount mapped in
// its arguments and working directory (-w, else the image's WORKDIR /src).
// The environment is passed through whole, so `-e NAME` needs no handling.
// tests/container/smoke.sh runs the same steps with a real container engine.
#pragma once

#include <filesystem>
#include <fstream>

namespace bindscan::testing {

inline constexpr const char* kFakeDocker = R"(#!/bin/sh
[ "$1" = run ] || exit 125
shift
user=; mount=; workdir=/src
while [ $# -gt 0 ]; do
  case $1 in
    --rm) shift ;;
    --user) user=$2; shift 2 ;;
    --network|-e) shift 2 ;;
    -v) mount=$2; shift 2 ;;
    -w) workdir=$2; shift 2 ;;
    -*) echo "fake docker: unexpected flag $1" >&2; exit 125 ;;
    *) break ;;
  esac
done
echo "user=$user image=$1" >> "${CALLS:-/dev/null}"
shift
host=${mount%%:*}
inside=${mount#*:}
n=$#
while [ "$n" -gt 0 ]; do
  a=$1; shift
  case $a in "$inside"*) a=$host${a#"$inside"} ;; esac
  set -- "$@" "$a"
  n=$((n - 1))
done
cd "$host${workdir#"$inside"}" || exit 125
exec "$BINDSCAN" "$@"
)";

// Writes the stand-in as `dir/docker`, executable.
inline void install_fake_docker(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "docker") << kFakeDocker;
  std::filesystem::permissions(dir / "docker", std::filesystem::perms::owner_all);
}

}  // namespace bindscan::testing
