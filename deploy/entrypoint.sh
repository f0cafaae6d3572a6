#!/bin/sh
# The container's entrypoint: one image, the role chosen by the command.
#
#   web      the web server (daphne: the admin, the API, the WebSockets)
#   worker   the Django-Q worker (qcluster); scale it with more containers
#   mcp      the MCP server for agents (streamable HTTP at /mcp)
#   migrate  apply migrations and create the first admin, then exit
#   all      single-container mode: migrate, then web + worker + MCP together
#            (runstack), on SQLite in $PROMPTLOOPER_DATA_DIR unless
#            DATABASE_URL says otherwise
#   manage   any manage.py command: `manage createsuperuser`
#   anything else runs as given (`sh`, `python -c ...`)
#
# Every role first waits for the database (and Redis when REDIS_URL is set),
# up to PROMPTLOOPER_WAIT_TIMEOUT_S seconds. Only `migrate` and `all`
# migrate, so copies of the other roles started together never race on a
# migration. The role's process replaces this shell (exec): it gets the
# container's signals itself. docs/deployment.md has the whole picture.
set -eu

cd "$(dirname "$0")/.."

role="${1:-all}"
if [ "$#" -gt 0 ]; then
    shift
fi
host="${PROMPTLOOPER_BIND_HOST:-0.0.0.0}"
web_port="${PROMPTLOOPER_WEB_PORT:-8400}"
mcp_port="${PROMPTLOOPER_MCP_PORT:-8401}"

wait_for_services() {
    python manage.py wait_for_services --timeout "${PROMPTLOOPER_WAIT_TIMEOUT_S:-60}"
}

# deploy/healthcheck.py reads it when the image's HEALTHCHECK names no role.
remember_role() {
    printf '%s\n' "$1" > "${PROMPTLOOPER_ROLE_FILE:-/tmp/promptlooper-role}"
}

migrate() {
    python manage.py migrate --noinput
    # The first admin when there is no superuser: PROMPTLOOPER_ADMIN_PASSWORD,
    # or a generated password printed once (in this container's log).
    python manage.py bootstrap --no-demo
}

case "$role" in
    web)
        wait_for_services
        remember_role web
        exec python -m daphne -b "$host" -p "$web_port" \
            promptlooper_site.asgi:application
        ;;
    worker)
        wait_for_services
        remember_role worker
        exec python manage.py qcluster
        ;;
    mcp)
        wait_for_services
        remember_role mcp
        exec python manage.py mcp_server --host "$host" --port "$mcp_port"
        ;;
    migrate)
        wait_for_services
        remember_role migrate
        migrate
        ;;
    all)
        wait_for_services
        remember_role all
        migrate
        exec python manage.py runstack --host "$host" --port "$web_port" \
            --mcp-port "$mcp_port"
        ;;
    manage)
        wait_for_services
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
