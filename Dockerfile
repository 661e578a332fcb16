FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY newsroom ./newsroom
RUN pip install . \
    && useradd --system --uid 10001 --home /app newsroom \
    && mkdir -p /srv/public && chown newsroom /srv/public

USER newsroom
CMD ["python", "-m", "services.ingest"]
