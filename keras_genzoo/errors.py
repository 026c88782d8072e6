"""User-facing errors.

Anything a user can get wrong (a misspelled model, a missing file, a bad
``--set`` value) raises :class:`GenzooError` with a one-line message. The CLI
prints that line and exits with status 2; it never shows a traceback for it.
"""


class GenzooError(Exception):
    """A mistake in the user's input, reported as one line (CLI exit code 2)."""


class DataError(GenzooError):
    """A dataset that cannot be found, read or decoded; the message names the file."""


class ConfigError(GenzooError):
    """A configuration key or value that the model does not accept."""
