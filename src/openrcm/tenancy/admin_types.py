"""`ModelAdmin[Model]` and `TabularInline[Model, Parent]` for every app's admin.py.

django-stubs makes these classes generic for the type checker, but Django's own classes are not
subscriptable at run time; these thin subclasses accept (and ignore) the type arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

__all__ = ["ModelAdmin", "TabularInline"]

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin, TabularInline
else:

    class ModelAdmin(admin.ModelAdmin):
        def __class_getitem__(cls, _params: Any) -> type:
            return cls

    class TabularInline(admin.TabularInline):
        def __class_getitem__(cls, _params: Any) -> type:
            return cls
