from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bhrplan.core.models import AuditEvent
from bhrplan.procurement.models import Dataset, Screening


def test_the_demo_screens_the_real_samples_once(catalogs, settings, tmp_path):
    from bhrplan.plans.demo import demo_load
    from bhrplan.procurement.demo import DEMO_DATASET_NAME, demo_procurement_load

    settings.VAR_DIR = tmp_path / "var"
    territory = demo_load().plans[0].territory
    screening = demo_procurement_load(territory=territory)
    assert screening is not None
    assert screening.status == Screening.Status.DONE
    assert screening.dataset.name == DEMO_DATASET_NAME
    assert screening.coverage["items"] > 1000 and screening.summary["flagged_items"] > 0
    # the empty files published in the samples are reported, as for any dataset
    assert {e["path"] for e in screening.file_errors} >= {"283826.json"}
    assert demo_procurement_load(territory=territory) is None
    assert Dataset.objects.count() == 1
    # written through the services, so the audit trail has them like any other
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "procurement.dataset_registered",
        "procurement.screening_started",
        "procurement.screening_finished",
    } <= verbs


def test_the_demo_command_needs_the_demo_plan_and_says_what_it_did(catalogs, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_procurement")
    call_command("load_demo", "--no-accounts", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_procurement", stdout=out)
    assert "flagged" in out.getvalue() or "señalados" in out.getvalue()
    again = StringIO()
    call_command("load_demo_procurement", stdout=again)
    assert "already" in again.getvalue() or "ya existe" in again.getvalue()
