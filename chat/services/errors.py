"""What a chat verb answers when it refuses: the protocol's error codes."""


class ChatError(Exception):
    """A refusal the client is told about: {"type": "error", "code": ..., "detail": ...}."""

    code = "invalid"

    def __init__(self, detail, *, reason="", retry_after=None):
        super().__init__(detail)
        self.detail = detail
        self.reason = reason
        self.retry_after = retry_after

    def as_frame(self, client_id=None):
        frame = {"type": "error", "code": self.code, "detail": self.detail}
        if self.reason:
            frame["reason"] = self.reason
        if self.retry_after is not None:
            frame["retry_after"] = self.retry_after
        if client_id:
            frame["client_id"] = client_id
        return frame


class Invalid(ChatError):
    code = "invalid"


class Forbidden(ChatError):
    code = "forbidden"


class RateLimited(ChatError):
    code = "rate_limited"


class Unavailable(ChatError):
    code = "unavailable"
