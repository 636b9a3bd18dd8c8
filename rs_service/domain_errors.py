"""What the domain refuses, raised by pure rules and services alike; free of Flask.

`rs_service.errors` turns them into answers: 422 or 409 with the field named on the API, a message on the
form's field (`put_on_form`) on a page.
"""


class InvalidInput(ValueError):
    """Input the domain rejects; answered 422 with `field` named."""

    status = 422

    def __init__(self, *, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """A request that conflicts with the current state; answered 409 (with `field` when one is to blame)."""

    status = 409

    def __init__(self, *, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
