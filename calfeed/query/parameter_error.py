"""The one error of the query layer: a request input that cannot be honoured, and which one."""

from __future__ import annotations

KINDS = ("invalid", "not_found", "refused")


class ParameterError(ValueError):
    """A parameter (or form field) that cannot be honoured; `parameter` names it.

    `kind` says why, not which HTTP status: "invalid" (the value itself is wrong),
    "not_found" (it names a region or show that does not exist), "refused" (not allowed, like
    a form sent from another site). web/responses.py alone turns kinds into statuses.
    """

    def __init__(self, parameter: str, message: str, kind: str = "invalid"):
        if kind not in KINDS:
            raise ValueError(f"kind '{kind}' is not one of {', '.join(KINDS)}")
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.kind = kind
