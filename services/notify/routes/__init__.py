"""Notify's internal HTTP: thin handlers over services.notify.usecases."""

from services.notify.routes import export, mails

ROUTES = [*mails.ROUTES, *export.ROUTES]
