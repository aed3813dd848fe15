from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openrcm.accounts"
    label = "accounts"
