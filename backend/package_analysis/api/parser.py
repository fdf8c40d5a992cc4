"""The request body parser: JSON objects only, with a clear error for anything else."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from ..errors import ApiError


class JsonBodyParser(Parser):
    """Empty body → all defaults; non-JSON content type → 415; malformed JSON → 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = request.body
        if not body.strip():
            return {}
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}.") from exc
        except RecursionError as exc:
            raise ApiError(400, "malformed_json", "The body's JSON is nested too deeply.") from exc
        if data is None:  # JSON null, like an empty body, means all defaults
            return {}
        if not isinstance(data, dict):
            raise ApiError(422, "validation_error", "The body must be a JSON object.")
        return data
