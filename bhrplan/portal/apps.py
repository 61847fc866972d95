from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bhrplan.portal"
    label = "portal"
