#!/usr/bin/env bash
# Install or upgrade Table Order on one app server (Debian 12 / Ubuntu EC2), as root:
#   deploy/deploy.sh [GIT_REF]
# Expects /etc/tableorder/env (see deploy/env.example). Safe to run again: every step is
# idempotent, and a release is only switched to after it installed, migrated and collected.
set -euo pipefail

REF="${1:-main}"
ROOT=/srv/tableorder
REPO="${TABLEORDER_REPO:-$ROOT/repo.git}"
release="$ROOT/releases/$(date +%Y%m%d%H%M%S)"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv nginx git >/dev/null

id tableorder >/dev/null 2>&1 || useradd --system --home "$ROOT" --shell /usr/sbin/nologin tableorder
install -d -o tableorder -g tableorder "$ROOT" "$ROOT/releases" "$ROOT/media" "$ROOT/staticfiles" /var/log/tableorder
test -f /etc/tableorder/env || { echo "missing /etc/tableorder/env (see deploy/env.example)" >&2; exit 1; }

git clone --quiet --branch "$REF" --depth 1 "$REPO" "$release"
test -x "$ROOT/venv/bin/python" || python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --upgrade pip
"$ROOT/venv/bin/pip" install --quiet -r "$release/requirements.txt"

run() { (cd "$release" && set -a && . /etc/tableorder/env && set +a && "$ROOT/venv/bin/python" manage.py "$@"); }
run check --deploy --fail-level WARNING
run migrate --noinput
run collectstatic --noinput >/dev/null

ln -sfn "$release" "$ROOT/app"
install -m 0644 "$release/deploy/systemd/"*.service "$release/deploy/systemd/"*.timer /etc/systemd/system/
install -m 0644 "$release/deploy/nginx/tableorder.conf" /etc/nginx/sites-available/tableorder
ln -sfn /etc/nginx/sites-available/tableorder /etc/nginx/sites-enabled/tableorder
rm -f /etc/nginx/sites-enabled/default
install -m 0644 "$release/deploy/logrotate/tableorder" /etc/logrotate.d/tableorder
nginx -t

systemctl daemon-reload
systemctl enable --now tableorder-prune-events.timer
systemctl enable tableorder.service
systemctl restart tableorder.service
systemctl reload nginx

for _ in $(seq 1 30); do
  curl -fsS http://127.0.0.1/healthz >/dev/null && { echo "deployed $REF: $release"; break; }
  sleep 1
done
curl -fsS http://127.0.0.1/healthz >/dev/null || { echo "health check failed" >&2; exit 1; }

# Keep the five newest releases.
ls -1dt "$ROOT"/releases/* | tail -n +6 | xargs -r rm -rf
