"""User-facing errors.

Anything a user can get wrong (a misspelled model, a missing file, a bad
``--set`` value) raises :class:`GenzooError` with a one-line message. The CLI
prints that line and exits with status 2; it never shows a traceback for it.
"""

#: the CLI's exit status for a user mistake (a one-line message on stderr)
EXIT_USAGE = 2
#: the CLI's exit status for a run stopped by Ctrl-C (a training run saves its checkpoint)
EXIT_INTERRUPTED = 130


class GenzooError(Exception):
    """A mistake in the user's input, reported as one line (CLI exit code 2)."""


class DataError(GenzooError):
    """A dataset that cannot be found, read or decoded; the message names the file."""


class ConfigError(GenzooError):
    """A configuration key or value that the model does not accept."""


class ExportError(GenzooError):
    """An export that cannot be written or read (one-line message)."""
