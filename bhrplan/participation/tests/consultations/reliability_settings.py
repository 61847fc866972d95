"""Settings for the server started by test_reliability: every request comes from 127.0.0.1,
so the per-address limit is raised; everything else is the project's settings."""

from config.settings import *  # noqa: F403

CONTRIBUTION_RATE_LIMIT = 100_000
RECEIPT_LOOKUP_RATE_LIMIT = 100_000
