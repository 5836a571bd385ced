# Sourced by the bench scripts (POSIX sh; they define log()).
#   install_missing COMMAND:DEBIAN_PACKAGE...
# installs, from Debian, the packages of the commands that are missing:
# nothing when all are there, a clear error when not root.
install_missing() {
  missing=""
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
  done
  [ -n "$missing" ] || return 0
  [ "$(id -u)" = 0 ] || { log "missing Debian packages:$missing; install them or run as root"; exit 2; }
  log "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
