#!/usr/bin/env bash
# Install the real components the conformance and integration tests start (Debian).
#
#   scripts/install-components.sh [--check] [component...]
#
# Components (default: prometheus promtool python3-prometheus-client):
#   prometheus, promtool                      -> prometheus
#   python3-prometheus-client (python)        -> python3-prometheus-client
#   prometheus-pushgateway (pushgateway)      -> prometheus-pushgateway
#   prometheus-alertmanager (alertmanager), amtool -> prometheus-alertmanager
#   victoria-metrics                          -> victoria-metrics
#   chromium                                  -> chromium
#
# Only missing components are installed: one `apt-get update`, then
# `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ...`, with a
# temporary /usr/sbin/policy-rc.d that exits 101 so no post-install script starts a
# daemon. (If a daemon starts anyway, e.g. under systemd, nothing to do: tests never use
# it; they start their own on free ports.) --check only reports, exit 1 if any is missing.
#
# Exit codes: 0 all present; 1 missing and cannot install (the message names the
# apt-get command); 2 usage error.
set -euo pipefail

check_only=0
components=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    -h | --help)
      awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
      exit 0
      ;;
    -*)
      echo "install-components: unknown option $arg" >&2
      exit 2
      ;;
    *) components+=("$arg") ;;
  esac
done
if [ "${#components[@]}" -eq 0 ]; then
  components=(prometheus promtool python3-prometheus-client)
fi

# component -> Debian package
package_for() {
  case "$1" in
    prometheus | promtool) echo prometheus ;;
    python3-prometheus-client | python | prometheus-client | prometheus_client) echo python3-prometheus-client ;;
    prometheus-pushgateway | pushgateway) echo prometheus-pushgateway ;;
    prometheus-alertmanager | alertmanager | amtool) echo prometheus-alertmanager ;;
    victoria-metrics | victoriametrics) echo victoria-metrics ;;
    chromium) echo chromium ;;
    *) return 1 ;;
  esac
}

# component -> is it usable? Absolute /usr/bin paths: the test helpers use exactly
# these (the Debian versions the design was checked with), not whatever is on PATH.
present() {
  case "$1" in
    prometheus) [ -x /usr/bin/prometheus ] ;;
    promtool) [ -x /usr/bin/promtool ] ;;
    python3-prometheus-client | python | prometheus-client | prometheus_client)
      [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1
      ;;
    prometheus-pushgateway | pushgateway) [ -x /usr/bin/prometheus-pushgateway ] ;;
    prometheus-alertmanager | alertmanager) [ -x /usr/bin/prometheus-alertmanager ] ;;
    amtool) [ -x /usr/bin/amtool ] ;;
    victoria-metrics | victoriametrics) [ -x /usr/bin/victoria-metrics ] ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    *) return 1 ;;
  esac
}

missing_packages=()
missing_components=()
for c in "${components[@]}"; do
  if ! pkg=$(package_for "$c"); then
    echo "install-components: unknown component '$c'" >&2
    echo "  known: prometheus promtool python3-prometheus-client prometheus-pushgateway prometheus-alertmanager amtool victoria-metrics chromium" >&2
    exit 2
  fi
  if ! present "$c"; then
    missing_components+=("$c")
    case " ${missing_packages[*]-} " in
      *" $pkg "*) ;;
      *) missing_packages+=("$pkg") ;;
    esac
  fi
done

if [ "${#missing_packages[@]}" -eq 0 ]; then
  echo "install-components: all present (${components[*]})"
  exit 0
fi

apt_line="DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing_packages[*]}"
fail() {
  {
    echo
    echo "======================================================================"
    echo "install-components: MISSING: ${missing_components[*]}"
    echo "  $1"
    echo "  Install them with:"
    echo "    sudo apt-get update && sudo $apt_line"
    echo "======================================================================"
  } >&2
  exit 1
}

if [ "$check_only" -eq 1 ]; then
  fail "(--check: not installing)"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail "apt-get is not available on this machine (not Debian/Ubuntu?)."
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  fail "Not root and no passwordless sudo: cannot install."
fi

policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
  if [ "$created_policy" -eq 1 ]; then
    "${SUDO[@]}" rm -f "$policy" || true
  fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  # Exit 101 = "action not allowed": invoke-rc.d will not start daemons.
  "${SUDO[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > '$policy' && chmod 0755 '$policy'"
  created_policy=1
fi

echo "install-components: installing ${missing_packages[*]} (for ${missing_components[*]})"
if ! "${SUDO[@]}" apt-get update -q; then
  fail "apt-get update failed."
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_packages[@]}"; then
  fail "apt-get install failed."
fi

still=()
for c in "${missing_components[@]}"; do
  present "$c" || still+=("$c")
done
if [ "${#still[@]}" -gt 0 ]; then
  missing_components=("${still[@]}")
  fail "Installed, but still not usable: ${still[*]}."
fi
echo "install-components: installed ${missing_packages[*]}"
