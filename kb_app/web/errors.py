"""The one error a request of the public tier ends with when it cannot be answered."""


class HttpError(Exception):
    """A request that cannot be answered: status, machine code, Chinese message, extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}
