# syntax=docker/dockerfile:1
# PromptLooper: one image for every Python role, chosen by the command
# (deploy/entrypoint.sh): web, worker, mcp, migrate, all (the default: the
# single-container mode on SQLite), manage <command>. The `web` target is
# nginx with the built dashboard (docker-compose.yml's promptlooper-web).
# docs/deployment.md explains how to build, run and upgrade it.

# --- The dashboard: Node builds frontend/dist ---------------------------------
FROM node:20-bookworm-slim AS dashboard
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- The pinned Python dependencies, in a virtualenv the runtime copies ------
FROM python:3.12-slim-bookworm AS python-deps
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /tmp/requirements.txt

# --- nginx in front: the dashboard, and the services behind it ---------------
FROM nginx:1.28-alpine AS web
# The official image renders /etc/nginx/templates/*.template with envsubst
# at start; only PROMPTLOOPER_* variables, so nginx's own $host stays.
ENV NGINX_ENVSUBST_FILTER=PROMPTLOOPER_ \
    PROMPTLOOPER_LISTEN=8400 \
    PROMPTLOOPER_MCP_LISTEN=8401 \
    PROMPTLOOPER_API_UPSTREAM=promptlooper-api:8400 \
    PROMPTLOOPER_MCP_UPSTREAM=promptlooper-mcp:8401 \
    PROMPTLOOPER_RESOLVER=127.0.0.11 \
    PROMPTLOOPER_DASHBOARD_ROOT=/usr/share/nginx/promptlooper \
    PROMPTLOOPER_MAX_UPLOAD_MB=50
RUN rm /etc/nginx/conf.d/default.conf
COPY deploy/nginx/promptlooper.conf /etc/nginx/templates/promptlooper.conf.template
COPY --from=dashboard /src/frontend/dist /usr/share/nginx/promptlooper
EXPOSE 8400 8401
HEALTHCHECK --interval=15s --timeout=5s --retries=4 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8400/"]

# --- The runtime: Python 3.12, the code, no compilers, not root ---------------
FROM python:3.12-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PROMPTLOOPER_DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    PROMPTLOOPER_SIMULATOR_PORT=0 \
    PROMPTLOOPER_BIND_HOST=0.0.0.0
RUN groupadd --system --gid 10001 promptlooper \
    && useradd --system --uid 10001 --gid promptlooper --no-create-home \
        --home-dir /data --shell /usr/sbin/nologin promptlooper \
    && install -d -m 0700 -o promptlooper -g promptlooper /data
COPY --from=python-deps /opt/venv /opt/venv
WORKDIR /app
# Owned by root: the application cannot rewrite its own code.
COPY . /app/
COPY --from=dashboard /src/frontend/dist /app/frontend/dist
# The static files (the admin's, the dashboard's assets) and the bytecode, at
# build time. collectstatic imports the settings in single-container mode,
# which write secrets into a data directory: a throwaway one, removed here,
# so no secret is left in a layer.
RUN PROMPTLOOPER_DATA_DIR=/tmp/build-data python manage.py collectstatic \
        --noinput --verbosity 0 \
    && rm -rf /tmp/build-data \
    && python -m compileall -q /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8400 8401
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
    CMD ["python", "/app/deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["all"]
