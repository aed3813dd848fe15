from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openrcm.accounts"
    label = "accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_save

        from openrcm.accounts import checks, lockout, sessions

        checks.register()
        user_logged_in.connect(sessions.on_logged_in, dispatch_uid="openrcm.accounts.login")
        user_logged_out.connect(sessions.on_logged_out, dispatch_uid="openrcm.accounts.logout")
        post_save.connect(
            sessions.on_user_saved,
            sender=get_user_model(),
            dispatch_uid="openrcm.accounts.user_saved",
        )
        user_locked_out.connect(lockout.on_locked_out, dispatch_uid="openrcm.accounts.lockout")
