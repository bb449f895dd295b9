"""The error every instructor command reports the same way (``coursekit <command>: <message>``, exit
code 2): the command cannot do what was asked — no such course or assignment, a bad roster, an
unreadable bank, a bundle folder it may not overwrite. Each job raises its own subclass."""


class UsageError(Exception):
    """What was asked cannot be done; the message says what to fix."""
