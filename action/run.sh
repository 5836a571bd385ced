#!/usr/bin/env bash
# The bindscan Action's one step (action.yml): runs `bindscan scan` once in the
# released image and writes both the SARIF file and the ::warning annotations.
#
# The container runs as the owner of the workspace (`docker run --user`), which
# is what GitHub requires of actions that write into it: uid 1001 on hosted
# runners, root on self-hosted runners that run as root or after a root job
# container wrote the checkout. The image's own user (1001) is for the service.
#
# Inputs come as INPUT_* variables (action.yml); the runner provides
# GITHUB_WORKSPACE, GITHUB_OUTPUT and GITHUB_ACTION_PATH. Exit status: 0 clean
# (or findings with fail-on-findings false), 1 findings with fail-on-findings
# true, 2 bad input or an error of the scan.
set -euo pipefail

fail() {
  printf '::error title=bindscan::%s\n' "$*"
  exit 2
}

workspace=${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set: run this as a GitHub Action step}
root=${INPUT_ROOT:-.}
output=${INPUT_OUTPUT:-bindscan.sarif}
category=${INPUT_CATEGORY:-bindscan/python/}
paths=${INPUT_PATHS:-.}

# Both are mounted paths inside the workspace: refuse anything that leaves it.
inside_workspace() {
  case "/$1/" in
    */../*) return 1 ;;
  esac
  [ "${1#/}" = "$1" ]
}
inside_workspace "$root" || fail "root must be a folder inside the workspace, not '$root'"
inside_workspace "$output" || fail "output must be a file inside the workspace, not '$output'"
[ -d "$workspace/$root" ] || fail "root '$root' is not a folder of the workspace"

# ghcr.io/OWNER/bindscan:VERSION: OWNER is whoever publishes the action being
# run (a fork runs its own image), VERSION the project version at its ref.
image=${INPUT_IMAGE:-}
if [ -z "$image" ]; then
  action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
  repository=${ACTION_REPOSITORY:-}
  if [ -z "$repository" ]; then
    # The runner checks actions out to .../_actions/OWNER/REPO/REF.
    repository=$(printf '%s\n' "$action_path" | sed -n 's|.*/_actions/\([^/]*\)/\([^/]*\)/[^/]*$|\1/\2|p')
  fi
  [ -n "$repository" ] || fail "cannot tell which repository this action comes from: set the image input"
  owner=${repository%%/*}
  version=$(sed -n 's/^project(bindscan VERSION \([0-9][0-9.]*\) .*/\1/p' "$action_path/CMakeLists.txt")
  [ -n "$version" ] || fail "no project version in $action_path/CMakeLists.txt: set the image input"
  image="ghcr.io/$(printf '%s' "$owner" | tr '[:upper:]' '[:lower:]')/bindscan:$version"
fi

# Run as the workspace's owner so the report can be written whoever that is.
user=$(stat -c '%u:%g' "$workspace")
mount=/github/workspace

# Word splitting of $paths is intended: one input, several paths.
# shellcheck disable=SC2086
set -f
set -- $paths
set +f
status=0
docker run --rm --user "$user" --network none \
  -v "$workspace:$mount" -w "$mount/$root" \
  -e GITHUB_REPOSITORY -e GITHUB_SHA -e GITHUB_REF -e GITHUB_SERVER_URL \
  "$image" scan --format github --sarif-output "$mount/$output" --category "$category" -- "$@" || status=$?
[ "$status" -le 1 ] || exit "$status"
echo "sarif=$output" >>"${GITHUB_OUTPUT:-/dev/null}"
if [ "$status" -eq 1 ]; then
  case "${INPUT_FAIL_ON_FINDINGS:-false}" in
    true | True | TRUE | yes | 1) exit 1 ;;
  esac
fi
exit 0
