from __future__ import annotations

import pytest

from parley.config import Settings
from tests.helpcenter.sample_kb import write_sample_kb


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with the sample knowledge base written before the app starts, and
    the site's public address the test client uses."""
    write_sample_kb(settings.kb_dir)
    return settings.with_overrides(public_url="http://parley.test")
