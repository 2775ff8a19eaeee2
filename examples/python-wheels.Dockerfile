# Python app whose native wheels (psycopg, lxml, ...) are built on the target platform; needs emulation.
FROM python:3.12-slim AS builder
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential libpq-dev libxml2-dev libxslt1-dev
rm -rf /var/lib/apt/lists/*
EOF

WORKDIR /build
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
RUN apt-get update && \
    apt-get install -y --no-install-recommends libpq5 libxml2 libxslt1.1 && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
COPY app/ ./app/
USER nobody
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.wsgi:application"]
