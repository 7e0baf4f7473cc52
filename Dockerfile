# syntax=docker/dockerfile:1
# Two images from one build (docs/deploy.md):
#   app    the portal: gunicorn, uvicorn, Celery worker and beat (deploy/start.sh <role>)
#   nginx  nginx with the collected static files, deploy/nginx/nginx.conf and portal.conf.template

FROM python:3.11-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    GUNICORN_WORKER_TMP_DIR=/dev/shm
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# Hashed, compressed static files for nginx (copied into the nginx image below).
RUN SECRET_KEY=collectstatic-only-not-a-secret STATIC_MANIFEST=1 STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput -v 0
RUN useradd --system --uid 10001 --no-create-home --home-dir /app portal \
    && mkdir -p /app/media \
    && chown portal /app/media
USER portal
ENV STATIC_MANIFEST=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media
EXPOSE 8000 8001
ENTRYPOINT ["/app/deploy/start.sh"]
CMD ["web"]

FROM nginx:1.28-bookworm AS nginx
# The image renders /etc/nginx/templates/*.template with envsubst into conf.d at start.
RUN rm -f /etc/nginx/conf.d/default.conf
# The image's main config with more worker connections (deploy/nginx/nginx.conf).
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY deploy/nginx/portal.conf.template /etc/nginx/templates/portal.conf.template
# Page requests that may reach gunicorn at once (docs/deploy.md); compose sets it too.
ENV NGINX_PAGE_RENDERS=3
COPY --from=app /app/staticfiles /srv/static
