"""Persona expectations for coordinator pages: the coordinator gets in, others get 404,
the anonymous public is sent to sign in."""

MANAGE_EXPECTED = {
    "coordinator": 200,
    "focal_point": 404,
    "committee_member": 404,
    "stakeholder": 404,
    "outsider": 404,
    "anonymous": 302,
}
PUBLIC_EXPECTED = dict.fromkeys(MANAGE_EXPECTED, 200)
