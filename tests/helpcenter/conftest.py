from __future__ import annotations

import pytest

from parley.config import Settings
from tests.helpcenter.sample_kb import write_sample_kb


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with the sample knowledge base written before the app starts."""
    write_sample_kb(settings.kb_dir)
    return settings
