"""An upstream emulator: Runway's official API and the resellers' "pro" format, in one process that
can misbehave on purpose. Run it with `python -m reelay.emulator --port 8900`."""

from .app import create_app

__all__ = ["create_app"]
