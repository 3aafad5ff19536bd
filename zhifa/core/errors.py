"""Domain errors: they know nothing about HTTP.

Every error carries a machine code (stable, snake_case, documented in the API), a Chinese message for the
person in front of the screen, and optional details (e.g. the row/column of a bad import line). One handler
in ``zhifa.api`` maps them to status codes and to the single JSON shape ``{code, message, details}``.
"""

from typing import Any


class DomainError(Exception):
    """Base class; ``status`` is only a hint for the HTTP layer."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details if details is not None else {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(DomainError):
    status = 422
    default_code = "validation_failed"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    """A state that makes the request impossible now (wrong workflow state, duplicate key)."""

    status = 409
    default_code = "conflict"


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class PayloadTooLarge(DomainError):
    """A request body past the endpoint's size limit: refused before it is read further."""

    status = 413
    default_code = "payload_too_large"
