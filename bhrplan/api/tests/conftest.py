"""The API serves the same published data as the portal: reuse its fixtures."""

from bhrplan.portal.tests.conftest import draft_only_plan, plan_with_draft

__all__ = ["draft_only_plan", "plan_with_draft"]
