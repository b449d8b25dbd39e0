#!/usr/bin/env bash
# Installs what Coffer needs on a fresh Debian/Ubuntu machine, only if it is missing.
#   scripts/bootstrap.sh            build + run dependencies (libpq-dev, libssl-dev, postgresql)
#   scripts/bootstrap.sh test       + the Python test tools in .run/venv
#   scripts/bootstrap.sh bench      + wrk and nginx (the benchmark's reference server)
set -euo pipefail
cd "$(dirname "$0")/.."

need=(libpq-dev libssl-dev postgresql libcurl4)
case "${1:-}" in
  bench) need+=(wrk nginx-light) ;;
esac

missing=()
for package in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get install -y -q "${missing[@]}" >/tmp/coffer-apt.log 2>&1 || {
    $sudo_cmd apt-get update -q >>/tmp/coffer-apt.log 2>&1
    $sudo_cmd apt-get install -y -q "${missing[@]}" >>/tmp/coffer-apt.log 2>&1 || { tail -20 /tmp/coffer-apt.log; exit 1; }
  }
  # The Debian package starts a system nginx on port 80; the benchmark runs its own.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    (command -v systemctl >/dev/null && systemctl stop nginx 2>/dev/null) || pkill -x nginx 2>/dev/null || true
  fi
fi

command -v swift >/dev/null || { echo "bootstrap: Swift 6 is required (https://swift.org/install); 'swift' is not on PATH" >&2; exit 1; }

if [ "${1:-}" = test ]; then
  mkdir -p .run
  if [ ! -x .run/venv/bin/python ]; then
    python3 -m venv .run/venv
  fi
  stamp=.run/venv/.requirements.sha
  want=$(sha256sum Tests/requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing Python test tools into .run/venv"
    .run/venv/bin/pip install -q --disable-pip-version-check -r Tests/requirements.txt
    echo "$want" > "$stamp"
  fi
fi
