from django.apps import AppConfig


class TableOrderConfig(AppConfig):
    name = "tableorder"
    verbose_name = "Table Order"
