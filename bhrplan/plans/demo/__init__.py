"""Sample data for local development and demonstrations: `manage.py load_demo`."""

from bhrplan.plans.demo.loader import DEMO_FILE, DEMO_PASSWORD, DemoResult, demo_load

__all__ = ["DEMO_FILE", "DEMO_PASSWORD", "DemoResult", "demo_load"]
