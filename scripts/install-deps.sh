#!/usr/bin/env bash
# Installs the Debian packages Agora needs that are missing on this machine.
#   scripts/install-deps.sh          build and test: libcmark-dev, libsqlite3-dev, zlib1g-dev, libvips-dev, libbrotli-dev, pkg-config, python3,
#                                    PostgreSQL's server (the tests start a throwaway cluster of it) and haproxy
#                                    (the fault test puts three servers behind it), and localstripe from PyPI
#                                    (the payment tests' Stripe-compatible server)
#   scripts/install-deps.sh system   also Chromium and its driver, nginx (the README's recipe is tested), and the
#                                    Python tools of Tests/system
#   scripts/install-deps.sh bench    also hugo, GNU time, Node.js, wrk, redis-server and curl for `make bench`
set -euo pipefail

want=()
dpkg -s libcmark-dev >/dev/null 2>&1 || want+=(libcmark-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || want+=(libsqlite3-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || want+=(zlib1g-dev)
dpkg -s libvips-dev >/dev/null 2>&1 || want+=(libvips-dev)
dpkg -s libbrotli-dev >/dev/null 2>&1 || want+=(libbrotli-dev)
command -v pkg-config >/dev/null 2>&1 || want+=(pkg-config)
command -v python3 >/dev/null 2>&1 || want+=(python3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || want+=(haproxy)
if [[ "${1:-}" == "system" ]]; then
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || want+=(chromium-driver)
  [[ -x /usr/sbin/nginx ]] || want+=(nginx-light)
fi
if [[ "${1:-}" == "bench" ]]; then
  command -v hugo >/dev/null 2>&1 || want+=(hugo)
  [[ -x /usr/bin/time ]] || want+=(time)
  command -v node >/dev/null 2>&1 || want+=(nodejs)
  command -v wrk >/dev/null 2>&1 || want+=(wrk)
  command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
  command -v curl >/dev/null 2>&1 || want+=(curl)
fi

if ((${#want[@]})); then
  echo "Installing missing packages: ${want[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}"
fi

# localstripe (PyPI): the Stripe-compatible server the payment tests start on 127.0.0.1.
if ! python3 -c "from importlib.metadata import version; assert version('localstripe') == '1.15.10'" 2>/dev/null; then
  echo "Installing localstripe for the payment tests"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore localstripe==1.15.10
fi

if [[ "${1:-}" == "system" ]]; then
  requirements="$(dirname "$0")/../Tests/system/requirements.txt"
  if ! python3 - "$requirements" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, wanted = line.split("==")
        assert version(name) == wanted, name
PY
    echo "Installing the system suites' Python tools"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "$requirements"
  fi
fi
