from datetime import date

from bhrplan.participation import selectors_stakeholders as sel
from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.models import Event


def make_event(plan, territory, day, kind="workshop", public=True):
    return svc.event_create(
        plan=plan,
        actor=None,
        kind=kind,
        title=f"Evento {day}",
        date=day,
        territory=territory,
        modality="in_person",
        phase="drafting",
        is_public=public,
    )


def fill(event, **counts):
    svc.event_attendance_set(event=event, organizations=[], counts=counts, actor=None)


def test_it_shows_small_counts_as_less_than_five_in_public_only():
    assert sel.shown(3, public=True) == "<5"
    assert sel.shown(0, public=True) == "0"
    assert sel.shown(5, public=True) == "5"
    assert sel.shown(3, public=False) == "3"


def test_it_counts_by_kind_group_gender_region_and_period(plan, territory):
    a = make_event(plan, territory, date(2025, 1, 10), kind="workshop")
    b = make_event(plan, territory, date(2025, 2, 20), kind="board")
    hidden = make_event(plan, territory, date(2025, 2, 21), kind="board", public=False)
    fill(
        a,
        gender={"female": 20, "male": 3},
        stakeholder_group={"civil_society": 15, "company": 8},
        region={"PE-LMA": 18, "PE-CUS": 5},
    )
    fill(b, gender={"female": 6, "male": 6}, region={"PE-LMA": 2, "PE-PIU": 10})
    fill(hidden, gender={"female": 100})

    public = sel.participation_statistics(plan, public=True)
    assert public.events == 2
    assert public.people == 23 + 12
    gender = {r.key: r.display for r in public.by_gender}
    assert gender == {"female": "26", "male": "9"}
    groups = {r.key: r.display for r in public.by_group}
    assert groups == {"civil_society": "15", "company": "8"}
    kinds = {r.key: (r.events, r.value) for r in public.by_kind}
    assert kinds == {"workshop": (1, 23), "board": (1, 12)}
    assert [r.key for r in public.over_time] == ["2025-01", "2025-02"]
    assert public.capital_codes == ["PE-LMA"]
    assert public.capital_people == 20
    assert public.region_people == 35
    assert round(public.capital_share * 100) == 57

    coordinator = sel.participation_statistics(plan, public=False, period="quarter")
    assert coordinator.events == 3
    assert {r.key: r.display for r in coordinator.by_gender}["female"] == "126"
    assert [r.key for r in coordinator.over_time] == ["2025-Q1"]


def test_it_suppresses_small_numbers_in_public(plan, territory):
    event = make_event(plan, territory, date(2025, 1, 10))
    fill(event, gender={"female": 4, "male": 7}, region={"PE-LMA": 3, "PE-CUS": 8})
    public = sel.participation_statistics(plan, public=True)
    assert {r.key: r.display for r in public.by_gender} == {"male": "7", "female": "<5"}
    # The share would reveal the small capital count: not shown.
    assert public.capital_share is None
    assert public.capital_display == "<5"
    exact = sel.participation_statistics(plan, public=False)
    assert {r.key: r.display for r in exact.by_gender}["female"] == "4"
    assert exact.capital_share is not None


def test_it_has_no_capital_share_without_a_configured_region(plan, territory, settings):
    settings.PARTICIPATION_CAPITAL_REGIONS = {}
    event = make_event(plan, territory, date(2025, 1, 10))
    fill(event, region={"PE-LMA": 30})
    assert sel.participation_statistics(plan, public=True).capital_share is None


def test_it_computes_statistics_in_fixed_queries(plan, territory, django_assert_num_queries):
    for month in range(1, 7):
        event = make_event(plan, territory, date(2025, month, 1))
        fill(event, gender={"female": 10 * month}, region={"PE-CUS": 7})
    with django_assert_num_queries(3):
        sel.participation_statistics(plan, public=True)


def test_it_maps_only_approved_organisations(
    plan, working_group, stakeholder_org, pending_org, other_org, coordinator
):
    svc.stakeholder_rate(
        plan=plan, organization=other_org, influence=5, interest=4, actor=coordinator
    )
    working_group.members.add(pending_org)
    rows = sel.stakeholder_map(plan)
    names = {r.organization.name for r in rows}
    assert names == {stakeholder_org.name, other_org.name}
    rated = next(r for r in rows if r.organization == other_org)
    assert str(rated.quadrant) == "Manage closely"
    header, body = sel.stakeholder_map_table(rows)
    assert len(header) == len(body[0])


def test_it_builds_the_map_in_fixed_queries(
    plan, territory, working_group, stakeholder_org, other_org, django_assert_max_num_queries
):
    for i in range(5):
        event = make_event(plan, territory, date(2025, 1, i + 1))
        event.organizations.add(stakeholder_org, other_org)
    with django_assert_max_num_queries(6):
        rows = sel.stakeholder_map(plan)
        assert sum(len(r.events) for r in rows) == 10


def test_it_lists_pending_registrations_for_the_territory_coordinator(
    pending_org, coordinator, outsider
):
    assert list(sel.organizations_pending_for(coordinator)) == [pending_org]
    assert sel.organization_for_review(outsider, pending_org.pk) is None


def test_it_offers_regions_of_the_plan_country(plan):
    codes = dict(sel.region_choices(plan))
    assert "PE-CUS" in codes and "PE-LMA" in codes
    assert all(code.startswith("PE-") for code in codes)


def test_it_reads_public_events_only(plan, event, private_event):
    assert list(sel.events_for_plan(plan, public=True)) == [event]
    assert sel.event_public(plan, private_event.pk) is None
    assert set(sel.events_for_plan(plan, public=False)) == {event, private_event}
    assert Event.objects.count() == 2
