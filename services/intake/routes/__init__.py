"""Every HTTP handler of intake, one module per use-case group."""

from services.intake.routes import applications, attachments, calls, downloads, export

ROUTES = [
    *applications.ROUTES,
    *attachments.ROUTES,
    *calls.ROUTES,
    *downloads.ROUTES,
    *export.ROUTES,
]
