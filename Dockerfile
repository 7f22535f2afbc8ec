# The API for production: no embedded database (set MONGODB_URL to a replica set),
# dependencies pinned with their hashes by requirements-prod.lock (`make lock`),
# a non-root user, and a health check on /livez.
#
#   docker build -t graphql-api .
#   docker run -p 8000:8000 -e MONGODB_URL="mongodb://db1,db2,db3/?replicaSet=rs0" graphql-api
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements-prod.lock /src/
RUN /opt/venv/bin/pip install --require-hashes -r /src/requirements-prod.lock
COPY pyproject.toml README.md /src/
COPY graphql_api /src/graphql_api
RUN /opt/venv/bin/pip install --no-deps /src

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app \
    && install -d -o app -g app /tmp/prometheus
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    GRAPHIQL=false \
    INTROSPECTION=false
USER app
WORKDIR /home/app
EXPOSE 8000
# Liveness only: a database outage must not get the container restarted (it recovers
# by itself); load balancers use /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2)"]
# uvicorn starts $WEB_CONCURRENCY workers; each logs JSON lines (the app's factory sets
# logging up) and /metrics adds up every worker's (PROMETHEUS_MULTIPROC_DIR).
# --no-proxy-headers: the client address behind a proxy is the app's to read, from
# TRUSTED_PROXIES only (uvicorn would otherwise trust X-Forwarded-For itself).
# --ws ...: as `graphql-api serve`: ~3x less memory per WebSocket (docs/performance.md).
CMD ["uvicorn", "--factory", "graphql_api.app:create_app", "--host", "0.0.0.0", "--port", "8000", \
     "--timeout-graceful-shutdown", "20", "--no-server-header", "--no-proxy-headers", \
     "--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
