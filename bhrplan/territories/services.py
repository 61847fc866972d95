"""Writes for territories, networks and organisations."""

from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bhrplan.core import audit
from bhrplan.lib.text import clean_text, normalize_key
from bhrplan.territories.models import Network, Organization, Territory


def _iso_lookup(code: str) -> tuple[str, str, str | None]:
    """(name, level, parent code) for an ISO 3166-1 alpha-2 or ISO 3166-2 code."""
    code = code.strip().upper()
    if "-" not in code:
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            raise ValidationError(
                _("%(code)s is not an ISO 3166 country or subdivision code.") % {"code": code}
            )
        return getattr(country, "common_name", None) or country.name, Territory.Level.NATIONAL, None
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        raise ValidationError(
            _("%(code)s is not an ISO 3166 country or subdivision code.") % {"code": code}
        )
    parent = subdivision.parent_code or subdivision.country_code
    # ISO 3166-2 lists regions, departments and provinces; municipalities are added by hand.
    level = Territory.Level.REGIONAL
    return subdivision.name, level, parent


def _spanish_country_name(code: str, default: str) -> str:
    try:
        import gettext as pygettext

        translation = pygettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True
        )
        return translation.gettext(default)
    except Exception:  # pragma: no cover - locale files missing
        return default


@transaction.atomic
def territory_get_or_create_from_iso(*, code: str, actor: Any) -> Territory:
    """The territory with this ISO code, created (with its parents) from ISO 3166 if new."""
    code = code.strip().upper()
    existing = Territory.objects.filter(code=code).first()
    if existing is not None:
        return existing
    name, level, parent_code = _iso_lookup(code)
    parent = (
        territory_get_or_create_from_iso(code=parent_code, actor=actor) if parent_code else None
    )
    if level == Territory.Level.NATIONAL:
        name_es, name_en = _spanish_country_name(code, name), name
    else:
        name_es, name_en = name, ""
    territory = Territory(code=code, name=name_es, name_en=name_en, level=level, parent=parent)
    territory.full_clean()
    territory.save()
    audit.record(actor=actor, verb="territory.created", obj=territory, summary=territory.name)
    return territory


@transaction.atomic
def territory_create(
    *, name: str, level: str, code: str, parent: Territory | None, actor: Any, name_en: str = ""
) -> Territory:
    territory = Territory(
        name=clean_text(name),
        name_en=clean_text(name_en),
        level=level,
        code=code.upper(),
        parent=parent,
    )
    territory.full_clean()
    territory.save()
    audit.record(actor=actor, verb="territory.created", obj=territory, summary=territory.name)
    return territory


TERRITORY_FIELDS = {"name", "name_en", "is_sample"}


@transaction.atomic
def territory_update(*, territory: Territory, actor: Any, **fields: Any) -> Territory:
    """Change a territory's names or its sample-data flag (the code and level come from ISO)."""
    unknown = set(fields) - TERRITORY_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    values = {k: clean_text(v) if isinstance(v, str) else v for k, v in fields.items()}
    changed = [k for k, v in values.items() if getattr(territory, k) != v]
    for key in changed:
        setattr(territory, key, values[key])
    territory.full_clean()
    if changed:
        territory.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            verb="territory.updated",
            obj=territory,
            summary=territory.name,
            data={"fields": changed},
        )
    return territory


@transaction.atomic
def network_create(
    *,
    name: str,
    territories: list[Territory],
    actor: Any,
    description: str = "",
    name_en: str = "",
) -> Network:
    network = Network(name=clean_text(name), name_en=clean_text(name_en), description=description)
    network.full_clean()
    network.save()
    network.territories.set(territories)
    audit.record(actor=actor, verb="network.created", obj=network, summary=network.name)
    return network


def organization_find(*, territory: Territory, name: str) -> Organization | None:
    """Match by name, case-, accent- and whitespace-insensitively, or by acronym."""
    key = normalize_key(name)
    if not key:
        return None
    org = Organization.objects.filter(territory=territory, normalized_name=key).first()
    if org is None:
        org = Organization.objects.filter(
            territory=territory, acronym__iexact=clean_text(name)
        ).first()
    return org


@transaction.atomic
def organization_create(
    *,
    territory: Territory,
    name: str,
    stakeholder_group: str,
    actor: Any,
    acronym: str = "",
    name_en: str = "",
    sectors: list[Any] | None = None,
    website: str = "",
    is_sample: bool = False,
) -> Organization:
    org = Organization(
        territory=territory,
        name=clean_text(name),
        name_en=clean_text(name_en),
        acronym=clean_text(acronym),
        stakeholder_group=stakeholder_group,
        website=website,
        is_sample=is_sample,
        normalized_name=normalize_key(name),
    )
    org.full_clean(exclude=["normalized_name"])
    if organization_find(territory=territory, name=org.name) is not None:
        raise ValidationError({"name": _("An organisation with this name already exists here.")})
    org.save()
    if sectors:
        org.sectors.set(sectors)
    audit.record(actor=actor, verb="organization.created", obj=org, summary=org.name)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, actor: Any, **fields: Any) -> Organization:
    sectors = fields.pop("sectors", None)
    for key, value in fields.items():
        setattr(organization, key, clean_text(value) if isinstance(value, str) else value)
    organization.normalized_name = normalize_key(organization.name)
    organization.full_clean(exclude=["normalized_name"])
    clash = organization_find(territory=organization.territory, name=organization.name)
    if clash is not None and clash.pk != organization.pk:
        raise ValidationError({"name": _("An organisation with this name already exists here.")})
    organization.save()
    if sectors is not None:
        organization.sectors.set(sectors)
    audit.record(
        actor=actor, verb="organization.updated", obj=organization, summary=organization.name
    )
    return organization
