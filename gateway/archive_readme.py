"""README.txt of a person's data archive: what each file is and when it was made, in plain
words."""

from __future__ import annotations

from datetime import datetime

TEXT = """\
Your data in the open-call portal
=================================

This archive holds everything the portal keeps about {email}.
It was made on {made} (UTC) and shows the data as it was then.

account.json
    Your account: e-mail address, name, language, role, when it was made and
    confirmed, whether two-factor sign-in is on, and which optional e-mails you get.
    Passwords and sign-in secrets are never stored in readable form and are not included.

{applications}
receipts/
    The PDF receipt of each submission, as it was attached to the receipt e-mail.

mail.json
    Every e-mail the portal sent (or is about to send) to you ({mails} in all): the
    subject, when it was written and sent, whether it was sent, and its text. Its
    "attachments" name the file in receipts/ that came with it.

evaluation.json
    What the evaluation part of the portal keeps about you: the copy of each submitted
    application (organisation, contact, team) that evaluators and the programme team
    work from. Scores are shown to you only as part of a published outcome, in the
    application's application.json. If you are an evaluator: your profile and the
    conflicts of interest you declared.

The files in JSON format can be opened with any text editor. Dates and times are in
UTC (for example 2027-03-01T09:00:00Z).
"""

NO_APPLICATIONS = """\
applications/
    You have no applications.
"""

APPLICATIONS = """\
applications/
    One folder per application ({count} in all):
{folders}
    application.json: the call's title, the receipt number, the status, eligibility,
    your organisation, contact and team, every answer under its question's label (and
    its key; a choice also as the form names it, in answer_label), every submitted
    version, and the outcome once results are published.
    files/<question>/<file name>: the files you uploaded, under the question they answer.
"""


def readme(made_at: datetime, email: str, folders: list[str], mails: int) -> str:
    listed = "\n".join(f"      {folder}/" for folder in folders)
    applications = (
        APPLICATIONS.format(count=len(folders), folders=listed) if folders else NO_APPLICATIONS
    )
    return TEXT.format(
        email=email, made=f"{made_at:%Y-%m-%d %H:%M}", applications=applications, mails=mails
    )
