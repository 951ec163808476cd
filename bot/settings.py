"""Configuration from the environment (and an optional ``.env``), via pydantic-settings."""

from __future__ import annotations

import re
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    mongodb_uri: str | None = Field(default=None, alias="MONGODB_URI")
    mongodb_timeout_ms: int = Field(
        default=10_000, ge=100, le=600_000, alias="LEARNPLAN_MONGODB_TIMEOUT_MS"
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("learnplan", appauthor=False)),
        alias="LEARNPLAN_DATA_DIR",
    )
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="LEARNPLAN_LLM_MODEL")
    llm_timeout: float = Field(default=60.0, gt=0, le=600, alias="LEARNPLAN_LLM_TIMEOUT")
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LEARNPLAN_LOG_LEVEL"))
    http_listen: str = Field(default="127.0.0.1:8080", alias="LEARNPLAN_HTTP_LISTEN")
    public_url: str | None = Field(default=None, alias="LEARNPLAN_PUBLIC_URL")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    max_session_minutes: int = Field(
        default=120, ge=30, le=600, alias="LEARNPLAN_MAX_SESSION_MINUTES"
    )
    # How old a Mini App's signed initData may be before the page must be reopened.
    webapp_max_age_hours: float = Field(
        default=24, gt=0, le=24 * 30, alias="LEARNPLAN_WEBAPP_MAX_AGE_HOURS"
    )

    @field_validator("telegram_api_base_url", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// behind a proxy)")
        return value.rstrip("/")

    @field_validator("http_listen")
    @classmethod
    def _http_listen(cls, value: str) -> str:
        from bot.http_server import parse_listen

        parse_listen(value)
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("mongodb_uri")
    @classmethod
    def _mongodb_uri(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None


class SettingsError(Exception):
    """One line naming the bad setting; the CLI prints it and exits with code 2."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else "setting"
        raise SettingsError(f"invalid setting {name}: {first['msg']}") from None
