import pytest
from django.urls import reverse

from bhrplan.plans.tests.conftest import first


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_it_renders_every_management_and_version_page(
    client_for, coordinator, published_plan, language
):
    """Every template of the editor renders in both languages, for a published plan."""
    c = client_for(coordinator)
    plan = published_plan
    for url in [
        reverse("plans:plan_list"),
        reverse("plans:plan_create"),
        reverse("plans:plan_detail", args=[plan.pk]),
        reverse("plans:plan_edit", args=[plan.pk]),
        reverse("plans:plan_delete", args=[plan.pk]),
        reverse("plans:guideline_create", args=[plan.pk]),
        reverse("plans:objective_create", args=[plan.pk, first(plan, "guideline").uid]),
        reverse("plans:action_create", args=[plan.pk, first(plan, "objective").uid]),
        reverse("plans:indicator_create", args=[plan.pk, first(plan, "action").uid]),
        reverse("plans:node_edit", args=[plan.pk, "action", first(plan, "action").uid]),
        reverse("plans:node_edit", args=[plan.pk, "objective", first(plan, "objective").uid]),
        reverse("plans:node_edit", args=[plan.pk, "indicator", first(plan, "indicator").uid]),
        reverse("plans:node_delete", args=[plan.pk, "action", first(plan, "action").uid]),
        reverse("plans:version_publish", args=[plan.pk]),
        reverse("plans:draft_discard", args=[plan.pk]),
        reverse("plans:version_list", args=[plan.pk]),
        reverse("plans:version_compare", args=[plan.pk]),
        reverse("plans:organization_create", args=[plan.pk]),
        reverse("plans:organization_list"),
        reverse("portal:versions", args=[plan.pk]),
        reverse("portal:version_compare", args=[plan.pk]),
    ]:
        r = c.get(url.replace("/es/", f"/{language}/"))
        assert r.status_code == 200, (url, r.status_code)
