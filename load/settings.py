"""The production settings (dashboard.settings, DEBUG off, every secret from the environment),
with collectstatic's output in the run's temporary directory instead of the checkout's."""

import os

from dashboard.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOAD_STATIC_ROOT"]
