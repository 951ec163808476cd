# learnplan: slim, non-root image running the Telegram bot.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY agent ./agent
COPY storage ./storage
COPY scheduler ./scheduler
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 learnplan
WORKDIR /app
COPY --from=build --chown=learnplan:learnplan /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    LEARNPLAN_DATA_DIR=/data
RUN mkdir -p /data && chown learnplan:learnplan /data
USER learnplan
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["learnplan"]
CMD ["run"]
