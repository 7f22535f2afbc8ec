"""What the service tells its operators: logs, Prometheus metrics, OpenTelemetry traces."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator


class ObservabilitySettings(BaseModel):
    """Log format and level, the /metrics endpoint, and tracing."""

    log_format: Literal["json", "text"] = Field(
        default="json",
        description="`json`: one JSON object per line (for log collectors); `text` for humans.",
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics on /metrics.")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="If set, /metrics answers only `Authorization: Bearer <token>`.",
    )
    otel_enabled: bool = Field(
        default=False,
        description="Trace operations and MongoDB commands with OpenTelemetry (the `otel` "
        "extra); the exporter is configured by the standard OTEL_* variables.",
    )

    log_level: Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
