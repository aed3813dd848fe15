"""WSGI entry point."""

from django.core.wsgi import get_wsgi_application

from openrcm.config.settings.selector import configure

configure()
application = get_wsgi_application()
