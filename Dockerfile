# One image for ingest, render and feeds (docker-compose.yml picks the command of each).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --system --uid 10001 --home-dir /app newsroom \
    && mkdir -p /srv/public /srv/media && chown newsroom /srv/public /srv/media

# Dependencies first, in their own layer: exactly the lock file's versions and hashes, rebuilt
# only when the lock changes.
COPY requirements/runtime.lock ./
RUN pip install --require-hashes --no-deps -r runtime.lock && rm runtime.lock

COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY newsroom ./newsroom
RUN pip install --no-deps . && python -c "import services.ingest.app, shared.consuming.service"

USER newsroom
ENV NEWSROOM_PUBLIC_DIR=/srv/public \
    NEWSROOM_MEDIA_DIR=/srv/media
EXPOSE 8001 9101 9102
# Each service is probed on its own port; compose sets the URL per service.
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=5 \
    CMD ["python", "-m", "newsroom.probe", "http://127.0.0.1:8001/api/ready"]
CMD ["python", "-m", "services.ingest"]
