from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.frameworks.services import catalogs_load


def test_it_loads_31_principles_in_3_pillars(empty_catalogs):
    catalogs_load()
    principles = Provision.objects.ungp_principles()
    assert principles.count() == 31
    pillars = {p.number: p.pillar for p in principles}
    assert pillars["1"] == 1 and pillars["10"] == 1
    assert pillars["11"] == 2 and pillars["24"] == 2
    assert pillars["25"] == 3 and pillars["31"] == 3
    assert all(p.title_es and p.title_en and p.title_es != p.title_en for p in principles)


def test_it_loads_17_goals_and_169_targets_in_both_languages(empty_catalogs):
    catalogs_load()
    assert Provision.objects.sdg_goals().count() == 17
    targets = Provision.objects.sdg_targets()
    assert targets.count() == 169
    target = targets.get(code="SDG-8.7")
    assert target.parent.code == "SDG-8"
    assert "trabajo forzoso" in target.title_es
    assert "forced labour" in target.title_en


def test_it_is_idempotent(empty_catalogs):
    catalogs_load()
    counts = (Provision.objects.count(), Theme.objects.count(), Approach.objects.count())
    catalogs_load()
    assert (Provision.objects.count(), Theme.objects.count(), Approach.objects.count()) == counts
    assert Theme.objects.filter(kind="sector").exists()
    assert Approach.objects.filter(slug="gender").exists()


def test_it_orders_targets_numerically_then_lettered(empty_catalogs):
    catalogs_load()
    numbers = list(
        Provision.objects.sdg_targets()
        .filter(parent__code="SDG-8")
        .values_list("number", flat=True)
    )
    assert numbers.index("8.2") < numbers.index("8.10") < numbers.index("8.a")
