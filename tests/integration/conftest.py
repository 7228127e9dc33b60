import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from berth_harness import Berthd  # noqa: E402


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
