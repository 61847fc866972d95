from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bhrplan.api"
    label = "api"
