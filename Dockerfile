# rs_service for production: gunicorn serving wsgi:app; the same image runs migrations and the scheduler
# (see compose.yaml). Configuration comes from the environment: SECRET_KEY, DATABASE_URL, PUBLIC_URL, SMTP_*.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RS_ENV=production \
    PORT=8000

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN pybabel -q compile -d rs_service/translations \
    && useradd --create-home --uid 1000 rs \
    && mkdir -p instance \
    && chown rs instance
USER rs

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
