#!/usr/bin/env bash
# Install or upgrade Table Order on one app server (Debian 12 / Ubuntu EC2), as root:
#   deploy/deploy.sh [GIT_REF]
# Expects /etc/tableorder/env (see deploy/env.example). Safe to run again: every step is
# idempotent, and a release is only switched to after it installed, migrated and collected.
#
# Root runs code from the releases and the virtualenv (this script, manage.py, the units it
# installs), so they belong to root and the app's user `tableorder` may only read them; it
# writes nothing but uploaded images ($ROOT/media) and its logs.
set -euo pipefail
umask 022

REF="${1:-main}"
ROOT=/srv/tableorder
REPO="${TABLEORDER_REPO:-$ROOT/repo.git}"
ENV_FILE=/etc/tableorder/env
# nginx's connections per worker (Debian's default is 768): see deploy/nginx/tableorder-main.conf.
NGINX_WORKER_CONNECTIONS=65536
RDS_CA_BUNDLE_URL_DEFAULT=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
release="$ROOT/releases/$(date +%Y%m%d%H%M%S)"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv nginx git curl >/dev/null

id tableorder >/dev/null 2>&1 || useradd --system --home "$ROOT" --shell /usr/sbin/nologin tableorder
install -d -o root -g root -m 0755 "$ROOT" "$ROOT/releases" "$ROOT/staticfiles"
install -d -o tableorder -g tableorder -m 0755 "$ROOT/media" /var/log/tableorder
# Servers set up before the app's user lost write access: take back what root executes.
chown -R root:root "$ROOT/releases" "$ROOT/staticfiles"
test ! -e "$ROOT/venv" || chown -R root:root "$ROOT/venv"
test -f "$ENV_FILE" || { echo "missing $ENV_FILE (see deploy/env.example)" >&2; exit 1; }
# The app's user may enter /etc/tableorder (for the CA bundle) and read, not change, the env file.
chown root:tableorder /etc/tableorder "$ENV_FILE"
chmod 0750 /etc/tableorder
chmod 0640 "$ENV_FILE"
set -a
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a
# MigrationRole's credentials, when an operator passed them: kept aside for the database owner's
# steps below, so that every other step uses the instance role, as the app does.
owner_key_id="${AWS_ACCESS_KEY_ID:-}" owner_secret_key="${AWS_SECRET_ACCESS_KEY:-}" owner_token="${AWS_SESSION_TOKEN:-}"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# TLS to the database is checked against Amazon RDS's CA bundle, fetched at each deploy so a
# new CA arrives with the next release (DB_SSLROOTCERT names where it goes; see docs/deploy.md).
if [ -n "${DB_SSLROOTCERT:-}" ]; then
  curl -fsSL --retry 3 "${RDS_CA_BUNDLE_URL:-$RDS_CA_BUNDLE_URL_DEFAULT}" -o "$DB_SSLROOTCERT.new"
  grep -q "BEGIN CERTIFICATE" "$DB_SSLROOTCERT.new" || { echo "not a CA bundle: $DB_SSLROOTCERT.new" >&2; exit 1; }
  install -o root -g root -m 0644 "$DB_SSLROOTCERT.new" "$DB_SSLROOTCERT"
  rm -f "$DB_SSLROOTCERT.new"
fi

git clone --quiet --branch "$REF" --depth 1 "$REPO" "$release"
test -x "$ROOT/venv/bin/python" || python3 -m venv "$ROOT/venv"
# Exactly the locked versions, each file checked against its hash (make lock writes the file).
"$ROOT/venv/bin/pip" install --quiet --require-hashes -r "$release/requirements.lock"
# The app cannot write bytecode next to read-only code: compile it once here.
"$ROOT/venv/bin/python" -m compileall -q "$release" >/dev/null

manage() { (cd "$release" && "$ROOT/venv/bin/python" manage.py "$@"); }
manage check --deploy --fail-level WARNING
if [ -n "${DATABASE_OWNER_SECRET_ARN:-}" ]; then
  # Schema changes run as the owner of the tables (the RDS master user); the app connects as
  # its own role, which then gets read and write access to every table and nothing more. The
  # instance role cannot read the owner's secret: an operator runs this script with the
  # short-lived credentials of the stack's MigrationRole in AWS_ACCESS_KEY_ID,
  # AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (docs/deploy.md).
  app_secret="${DATABASE_SECRET_ARN:?DATABASE_OWNER_SECRET_ARN needs DATABASE_SECRET_ARN, the app role secret}"
  if [ -n "$owner_token" ]; then
    as_owner() {
      (export AWS_ACCESS_KEY_ID="$owner_key_id" AWS_SECRET_ACCESS_KEY="$owner_secret_key" \
         AWS_SESSION_TOKEN="$owner_token" DATABASE_SECRET_ARN="$DATABASE_OWNER_SECRET_ARN"
       manage "$@")
    }
    as_owner migrate --noinput
    as_owner setup_db_role --from-secret "$app_secret"
    unset owner_key_id owner_secret_key owner_token
  elif ! manage migrate --check >/dev/null; then
    # A server booting or upgrading on its own: the schema must already be this release's.
    echo "the database is not migrated to $REF: run deploy.sh with MigrationRole's credentials (docs/deploy.md)" >&2
    exit 1
  fi
else
  manage migrate --noinput
fi
# Display sizes for menu images uploaded before they existed (idempotent: a no-op once made).
manage make_image_sizes
manage collectstatic --noinput >/dev/null

# A unit that changes (its limits, its command) takes a restart; else a reload is enough.
if cmp -s "$release/deploy/systemd/tableorder.service" /etc/systemd/system/tableorder.service; then
  unit_changed=
else
  unit_changed=1
fi
ln -sfn "$release" "$ROOT/app"
install -m 0644 "$release/deploy/systemd/"*.service "$release/deploy/systemd/"*.timer /etc/systemd/system/
install -m 0644 "$release/deploy/nginx/tableorder.conf" /etc/nginx/sites-available/tableorder
ln -sfn /etc/nginx/sites-available/tableorder /etc/nginx/sites-enabled/tableorder
rm -f /etc/nginx/sites-enabled/default
install -m 0644 "$release/deploy/nginx/tableorder-main.conf" /etc/nginx/modules-enabled/90-tableorder.conf
sed -i -E "s/^([[:space:]]*worker_connections)[[:space:]]+[0-9]+;/\1 $NGINX_WORKER_CONNECTIONS;/" /etc/nginx/nginx.conf
grep -Eq "^[[:space:]]*worker_connections $NGINX_WORKER_CONNECTIONS;" /etc/nginx/nginx.conf ||
  { echo "could not set worker_connections in /etc/nginx/nginx.conf" >&2; exit 1; }
install -m 0644 "$release/deploy/logrotate/tableorder" /etc/logrotate.d/tableorder
nginx -t

systemctl daemon-reload
systemctl enable --now tableorder-prune-events.timer
systemctl enable tableorder.service
if [ -z "$unit_changed" ] && systemctl is-active --quiet tableorder.service; then
  # gunicorn starts the new release's workers on the same socket while the old ones still
  # serve, then the old ones drain their event streams: no connection refused, nothing lost.
  systemctl reload tableorder.service
else
  systemctl restart tableorder.service
fi
systemctl reload nginx

for _ in $(seq 1 30); do
  curl -fsS http://127.0.0.1/healthz >/dev/null && { echo "deployed $REF: $release"; break; }
  sleep 1
done
curl -fsS http://127.0.0.1/healthz >/dev/null || { echo "health check failed" >&2; exit 1; }

# Keep the five newest releases (named by time, so sorted oldest first).
find "$ROOT/releases" -mindepth 1 -maxdepth 1 -type d | sort | head -n -5 | xargs -r rm -rf
