# The web image; the worker and the scheduler run the same image with another command.
# requirements.txt is production only (no honcho, no test tools).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

WORKDIR /app
RUN useradd --system --create-home --home-dir /home/resursrad resursrad
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-key-build-only-key-build-only-key-0123456789 \
    PERSONAL_NUMBER_HASH_KEY=build-only-hash-key-0123456789abcdef \
    FEDERATION_NAME=build CONTROLLER_NAME=build \
    ALLOWED_HOSTS=build CELERY_BROKER_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R resursrad /app/var
USER resursrad
EXPOSE 8000
# Workers: GUNICORN_WORKERS, by default 2 x CPU cores + 1 (deploy/gunicorn.conf.py).
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "resursrad.wsgi:application"]
