# pixbot: a Telegram bot that measures and builds digital competence.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY storage ./storage
RUN pip install . && useradd --create-home pixbot && mkdir /data && chown pixbot /data

USER pixbot
ENV DATABASE_URL=sqlite+aiosqlite:////data/pixbot.db
VOLUME ["/data"]
EXPOSE 8080
# Migrations run at start; SIGTERM stops the bot gracefully.
CMD ["pixbot", "run"]
