"""HTTP plumbing the edges share: who is asking (``auth``), JSON bodies (``json``), the access
log. ``api/``, ``console/``, ``helpcenter/`` and ``sockets/`` build on it, so no edge imports
another."""

from pathlib import Path

# The design tokens (type scale, spacing, radii, colours with dark mode, focus ring) every
# page of Parley's own builds on: the console serves the file, the help center inlines it
# ahead of its stylesheet.
DESIGN_TOKENS = Path(__file__).parent / "static" / "tokens.css"
