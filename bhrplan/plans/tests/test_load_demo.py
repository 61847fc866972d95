"""`manage.py load_demo`: sample data through the services, idempotent, accounts only in DEBUG."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bhrplan.accounts.models import Role, User
from bhrplan.accounts.selectors import can_coordinate_plan
from bhrplan.core.models import AuditEvent
from bhrplan.frameworks.models import Provision
from bhrplan.plans.demo import DEMO_PASSWORD
from bhrplan.plans.demo.loader import demo_plan_find
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion
from bhrplan.plans.selectors import version_latest_published
from bhrplan.territories.models import Network, Organization, Territory


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models: list[Any] = [
        Territory,
        Network,
        Organization,
        Plan,
        PlanVersion,
        Guideline,
        Objective,
        Action,
        Indicator,
        User,
        Role,
        AuditEvent,
    ]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def demo(catalogs: None, settings: Any) -> Plan:
    settings.DEBUG = False
    load_demo()
    plan = demo_plan_find()
    assert plan is not None
    return plan


def test_it_loads_a_realistic_plan_on_an_empty_database(demo: Plan) -> None:
    version = version_latest_published(demo)
    assert version is not None
    actions = Action.objects.filter(objective__guideline__version=version)
    assert Guideline.objects.filter(version=version).count() >= 5
    assert actions.count() >= 40
    assert Indicator.objects.filter(action__in=actions).count() >= 60
    assert not actions.filter(lead__isnull=True).exists()
    assert actions.filter(co_responsible__isnull=False).distinct().count() >= 30


def test_it_leaves_some_principles_uncovered_for_the_coverage_page(demo: Plan) -> None:
    version = version_latest_published(demo)
    covered = set(
        Provision.objects.ungp_principles()
        .filter(actions__objective__guideline__version=version)
        .values_list("number", flat=True)
    )
    assert 25 <= len(covered) < 31


def test_it_marks_everything_as_sample_data(demo: Plan) -> None:
    assert demo.is_sample
    assert demo.territory.is_sample
    assert demo.territory.code == "PE"
    assert Plan.objects.filter(is_sample=False).count() == 0
    assert Organization.objects.filter(is_sample=False).count() == 0
    assert "(ejemplo)" in demo.title and "(sample)" in demo.title_en


def test_it_fills_the_english_titles(demo: Plan) -> None:
    version = version_latest_published(demo)
    assert not Guideline.objects.filter(version=version, title_en="").exists()
    assert not Objective.objects.filter(guideline__version=version, title_en="").exists()
    assert not Action.objects.filter(objective__guideline__version=version, title_en="").exists()
    assert not Indicator.objects.filter(
        action__objective__guideline__version=version, name_en=""
    ).exists()
    assert not Organization.objects.filter(name_en="").exists()


def test_it_publishes_two_versions_that_differ(demo: Plan) -> None:
    published = list(demo.versions.filter(status=PlanVersion.Status.PUBLISHED).order_by("number"))
    assert [v.number for v in published] == [1, 2]
    v1, v2 = (
        {
            a.uid: a
            for a in Action.objects.filter(objective__guideline__version=v).prefetch_related(
                "co_responsible"
            )
        }
        for v in published
    )
    assert len(set(v2) - set(v1)) == 1
    assert len(set(v1) - set(v2)) == 1
    changed = [uid for uid in set(v1) & set(v2) if v1[uid].budget != v2[uid].budget]
    assert len(changed) >= 2
    assert demo.versions.filter(status=PlanVersion.Status.DRAFT).count() == 1


def test_it_adds_a_subnational_plan_and_a_network(demo: Plan) -> None:
    department = Territory.objects.get(code="CO-ANT")
    assert department.is_sample
    assert department.parent is not None
    sub_plan = Plan.objects.get(territory=department)
    assert version_latest_published(sub_plan) is not None
    network = Network.objects.get()
    assert set(network.territories.values_list("code", flat=True)) == {"PE", "CO-ANT"}
    assert network.name_en


def test_it_changes_nothing_when_run_again(demo: Plan) -> None:
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "already exists" in output or "ya existe" in output


def test_it_creates_no_accounts_when_debug_is_off(demo: Plan) -> None:
    assert not User.objects.exists()
    assert not Role.objects.exists()


def test_it_creates_scoped_demo_accounts_when_debug_is_on(catalogs: None, settings: Any) -> None:
    settings.DEBUG = True
    output = load_demo()
    plan = demo_plan_find()
    assert plan is not None
    users = {u.email: u for u in User.objects.all()}
    assert len(users) == 4
    assert all(email in output for email in users)
    assert all(u.check_password(DEMO_PASSWORD) and not u.is_staff for u in users.values())
    coordinator = users["coordinacion@demo.bhrplan.example"]
    assert can_coordinate_plan(coordinator, plan)
    kinds = set(Role.objects.values_list("kind", flat=True))
    assert kinds == {"coordinator", "focal_point", "committee_member", "stakeholder"}
    assert not Role.objects.exclude(plan=plan).exclude(territory=plan.territory).exists()
    focal = Role.objects.get(kind=Role.Kind.FOCAL_POINT)
    assert focal.organization is not None and focal.organization.acronym == "SUNAFIL"

    before = counts()
    load_demo()
    assert counts() == before


def test_it_asks_for_the_catalogs_first(empty_catalogs: None) -> None:
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert not Plan.objects.exists()


def test_it_leaves_existing_territories_and_organisations_as_they_are(
    lead_org: Organization, settings: Any
) -> None:
    settings.DEBUG = False
    load_demo()
    plan = demo_plan_find()
    assert plan is not None and plan.territory == lead_org.territory
    lead_org.refresh_from_db()
    assert not lead_org.territory.is_sample
    assert not lead_org.is_sample
    assert Action.objects.filter(lead=lead_org).exists()
    assert Organization.objects.filter(name=lead_org.name).count() == 1
