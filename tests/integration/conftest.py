import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from berth_harness import Berthd, session_berthd  # noqa: E402


@pytest.fixture
def berthd():
    d = Berthd().start()
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture
def tmp(tmp_path):
    return tmp_path


@pytest.fixture(params=["runc", "docker"])
def b(request):
    """A berthd per runtime driver, with the `python` image (else skipped):
    both drivers pass the same tests. Deletes every session at the end."""
    yield from session_berthd(request.param)
