"""The JSON API: `/api/v1/`, OpenAPI 3 at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from ninja import NinjaAPI

from bhrplan.monitoring.api import router as progress_router

api = NinjaAPI(
    title="bhrplan API",
    version="1.0.0",
    description="Read-only public data of published Business and Human Rights action plans.",
    urls_namespace="api-1.0.0",
)
api.add_router("/plans", progress_router)
