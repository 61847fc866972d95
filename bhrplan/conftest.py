"""Shared test fixtures: the reference catalogs and the personas of STYLE.md.

Personas: a coordinator, a focal point of another organisation, a committee member, a
stakeholder, an outsider (signed in, no role here) and the anonymous public.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from pytest_django import DjangoDbBlocker
from pytest_django.plugin import blocking_manager_key

from bhrplan.accounts.models import Role, User
from bhrplan.frameworks.models import Approach, Framework, Provision, Theme
from bhrplan.frameworks.services import catalogs_load
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Plan
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization, Territory


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Tests read messages in English unless they switch language themselves.

    The product's default language is Spanish; tests that check Spanish text override the
    language (or request /es/ URLs) explicitly, and the i18n tests check the catalogs.
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Passwords are hashed with a fast hasher: the personas' accounts need no real
    security, and the production hasher (hundreds of milliseconds per password by
    design) made signing up the personas most of many tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database, with the catalogs loaded once: every test's transaction sees
    them. (Loading them in each test took about a second of setup, hundreds of times.)"""
    with django_db_blocker.unblock():
        catalogs_load()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties the database when it ends: load the catalogs again,
    so that the tests after it find them as every other test does."""
    result = yield
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in getattr(item, "fixturenames", ())
    )
    if transactional and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            catalogs_load()
    return result


# Fixtures through which a test reaches the database (pytest-django's).
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `dbless` every test that cannot reach the database: pytest-django refuses
    database access to a test without its marker or fixtures, so such a test runs the
    same on SQLite and PostgreSQL, and the PostgreSQL pass (`make pytest`) leaves it out.
    A test that reaches the database some other way is marked `database`."""
    from django.test import TransactionTestCase

    for item in items:
        cls = getattr(item, "cls", None)
        if (
            item.get_closest_marker("django_db") is None
            and item.get_closest_marker("database") is None
            and _DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
            and not (cls is not None and issubclass(cls, TransactionTestCase))
        ):
            item.add_marker(pytest.mark.dbless)


@pytest.fixture
def catalogs(db: Any) -> None:
    """Catalog rows (loaded with the test database; again if a test removed them)."""
    if Provision.objects.count() < 31 + 17 + 169:
        catalogs_load()


@pytest.fixture
def empty_catalogs(db: Any) -> None:
    """No catalog rows (the test database comes with them, see django_db_setup), for tests
    of what loading them creates or of what needs them."""
    Provision.objects.exclude(parent=None).delete()
    Provision.objects.all().delete()
    Framework.objects.all().delete()
    Theme.objects.all().delete()
    Approach.objects.all().delete()
    assert not Provision.objects.exists()


@pytest.fixture
def territory(catalogs: None) -> Territory:
    return territory_services.territory_get_or_create_from_iso(code="PE", actor=None)


@pytest.fixture
def other_territory(catalogs: None) -> Territory:
    return territory_services.territory_get_or_create_from_iso(code="CO", actor=None)


def make_org(territory: Territory, name: str, group: str = "public_authority") -> Organization:
    return territory_services.organization_create(
        territory=territory, name=name, stakeholder_group=group, actor=None
    )


@pytest.fixture
def lead_org(territory: Territory) -> Organization:
    return make_org(territory, "Ministerio de Justicia y Derechos Humanos")


@pytest.fixture
def other_org(territory: Territory) -> Organization:
    return make_org(territory, "Ministerio de Trabajo y Promoción del Empleo")


@pytest.fixture
def stakeholder_org(territory: Territory) -> Organization:
    return make_org(territory, "Coordinadora Nacional de Derechos Humanos", "civil_society")


def make_user(email: str, **extra: Any) -> User:
    return User.objects.create_user(email, PASSWORD, **extra)


@pytest.fixture
def plan(territory: Territory, lead_org: Organization) -> Plan:
    return plan_services.plan_create(
        territory=territory,
        title="Plan Nacional de Acción sobre Empresas y Derechos Humanos",
        title_en="National Action Plan on Business and Human Rights",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )


@pytest.fixture
def coordinator(territory: Territory) -> User:
    user = make_user("coordinadora@minjus.example", full_name="Coordinadora")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, territory=territory)
    return user


@pytest.fixture
def focal_point(plan: Plan, other_org: Organization) -> User:
    user = make_user("punto.focal@mtpe.example")
    Role.objects.create(user=user, kind=Role.Kind.FOCAL_POINT, plan=plan, organization=other_org)
    return user


@pytest.fixture
def committee_member(plan: Plan) -> User:
    user = make_user("comite@example.org")
    Role.objects.create(user=user, kind=Role.Kind.COMMITTEE_MEMBER, plan=plan)
    return user


@pytest.fixture
def stakeholder(plan: Plan, stakeholder_org: Organization) -> User:
    user = make_user("osc@example.org")
    Role.objects.create(
        user=user, kind=Role.Kind.STAKEHOLDER, plan=plan, organization=stakeholder_org
    )
    return user


@pytest.fixture
def outsider(other_territory: Territory) -> User:
    user = make_user("outsider@example.com")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, territory=other_territory)
    return user


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def persona_clients(
    client_for: Callable[[User | None], Client],
    coordinator: User,
    focal_point: User,
    committee_member: User,
    stakeholder: User,
    outsider: User,
) -> dict[str, Client]:
    return {
        "coordinator": client_for(coordinator),
        "focal_point": client_for(focal_point),
        "committee_member": client_for(committee_member),
        "stakeholder": client_for(stakeholder),
        "outsider": client_for(outsider),
        "anonymous": client_for(None),
    }


def build_plan_tree(
    plan: Plan,
    lead: Organization,
    co: list[Organization] | None = None,
    *,
    guidelines: int = 2,
    objectives: int = 2,
    actions: int = 2,
    indicators: int = 1,
) -> None:
    """Fill the plan's draft with a small realistic tree through the services."""
    ungp = list(Provision.objects.ungp_principles().order_by("sort_key"))
    sdg = list(Provision.objects.sdg_targets().filter(code__in=["SDG-8.7", "SDG-12.7", "SDG-16.3"]))
    themes = list(Theme.objects.order_by("slug")[:3])
    approaches = list(Approach.objects.order_by("slug")[:2])
    n = 0
    for g in range(guidelines):
        guideline = plan_services.guideline_create(
            plan=plan, actor=None, title=f"Lineamiento {g + 1}", title_en=f"Guideline {g + 1}"
        )
        for o in range(objectives):
            objective = plan_services.objective_create(
                guideline=guideline, actor=None, title=f"Objetivo {g + 1}.{o + 1}"
            )
            for a in range(actions):
                action = plan_services.action_create(
                    objective=objective,
                    actor=None,
                    title=f"Acción {g + 1}.{o + 1}.{a + 1}: capacitar a funcionarios",
                    title_en=f"Action {g + 1}.{o + 1}.{a + 1}: train officials",
                    kind="prevent",
                    lead=lead,
                    co_responsible=co or [],
                    provisions=[ungp[n % len(ungp)], *sdg[:1]],
                    themes=themes[: 1 + n % 3],
                    approaches=approaches[:1],
                    start_date=date(2025, 3, 1),
                    end_date=date(2027, 12, 31),
                    budget=Decimal("150000.00"),
                )
                for i in range(indicators):
                    plan_services.indicator_create(
                        action=action,
                        actor=None,
                        name=f"Número de funcionarios capacitados ({i + 1})",
                        unit="personas",
                        direction="increase",
                        baseline_value=Decimal(0),
                        baseline_year=2024,
                        target_value=Decimal(500),
                        target_year=2029,
                    )
                n += 1


@pytest.fixture
def published_plan(plan: Plan, lead_org: Organization, other_org: Organization) -> Plan:
    build_plan_tree(plan, lead_org, [other_org])
    plan_services.plan_publish(plan=plan, actor=None, note="Primera versión")
    return plan
