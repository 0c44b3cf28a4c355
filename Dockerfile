# The web image; the worker and the scheduler run the same image with another command.
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
    ALLOWED_HOSTS=build CELERY_BROKER_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R resursrad /app/var
USER resursrad
EXPOSE 8000
CMD ["gunicorn", "resursrad.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
