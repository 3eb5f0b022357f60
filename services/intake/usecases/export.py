"""A person's part of their data archive held by intake: every application of theirs as they
may see it (answers by label, versions, files, the published outcome), and the bytes of each
file still held, streamed from the store."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from services.intake.models import ApplicationRow, AttachmentRow, KnownCall, SubmissionRow
from services.intake.views import content_of, form_of, receipt_of
from shared.api.intake import (
    ApplicationContent,
    ExportedApplication,
    ExportedFile,
    ExportedVersion,
    IntakePersonExport,
    LabelledAnswer,
    Outcome,
)
from shared.api.registry import Form, QuestionType
from shared.errors import NotFound
from shared.export import chosen_label, localised, require_person_or_admin
from shared.identity import Identity
from shared.objectstore import ObjectNotFound, ObjectStore, StoredObject


def labelled(form: Form, answers: dict[str, Any], language: str) -> list[LabelledAnswer]:
    """Answers in form order under their labels; a key the form no longer asks comes last."""
    asked = [q for q in form.questions if q.type is not QuestionType.FILE]
    known = {q.key for q in form.questions}
    listed = [
        LabelledAnswer(key=q.key, label=localised(q.labels, language, q.key),
                       answer=answers.get(q.key),
                       answer_label=chosen_label(q, answers.get(q.key), language))
        for q in asked
    ]  # fmt: skip
    extra = [LabelledAnswer(key=k, label=k, answer=v) for k, v in answers.items() if k not in known]
    return listed + extra


def held_files(
    app: ApplicationRow, attachments: list[AttachmentRow], history: list[SubmissionRow]
) -> list[AttachmentRow]:
    """Files whose bytes the store still holds: live ones and those a submission names."""
    if app.anonymised_at is not None:
        return []
    named = {key for s in history for key in s.snapshot.get("attachment_keys", [])}
    return [a for a in attachments if a.removed_at is None or a.object_key in named]


def file_view(row: AttachmentRow, form: Form, language: str) -> ExportedFile:
    labels = {q.key: localised(q.labels, language, q.key) for q in form.questions}
    return ExportedFile(
        id=str(row.id), question_key=row.question_key,
        question_label=labels.get(row.question_key, row.question_key), file_name=row.file_name,
        content_type=row.content_type, size=row.size, sha256=row.sha256,
        uploaded_at=row.uploaded_at, removed_at=row.removed_at,
    )  # fmt: skip


def version_view(
    row: SubmissionRow, form: Form, files: list[AttachmentRow], language: str
) -> ExportedVersion:
    content = msgspec.convert(row.snapshot, ApplicationContent)
    keys = set(row.snapshot.get("attachment_keys", []))
    return ExportedVersion(
        receipt=receipt_of(row), organisation=content.organisation, contact=content.contact,
        team=content.team, requested_amount=content.requested_amount,
        answers=labelled(form, content.answers, language),
        file_ids=[str(a.id) for a in files if a.object_key in keys],
    )  # fmt: skip


def application_export(
    app: ApplicationRow, call: KnownCall, attachments: list[AttachmentRow],
    history: list[SubmissionRow], language: str,
) -> ExportedApplication:  # fmt: skip
    """`history`: the application's submissions, newest first."""
    form = form_of(call)
    content = content_of(app)
    files = held_files(app, attachments, history)
    return ExportedApplication(
        id=str(app.id), call_id=app.call_id, call_title=call.title,
        receipt_number=history[0].number if history else None,
        status=app.status, eligibility=app.eligibility,
        eligibility_reasons=list(app.eligibility_reasons), organisation=content.organisation,
        contact=content.contact, team=content.team, requested_amount=content.requested_amount,
        answers=labelled(form, content.answers, language),
        files=[file_view(a, form, language) for a in files],
        versions=[version_view(s, form, files, language) for s in history],
        outcome=msgspec.convert(app.outcome, Outcome) if app.outcome else None,
        created_at=app.created_at, updated_at=app.updated_at, submitted_at=app.submitted_at,
        withdrawn_at=app.withdrawn_at, anonymised_at=app.anonymised_at,
    )  # fmt: skip


async def applications_of(
    session: AsyncSession, account_id: str
) -> list[tuple[ApplicationRow, KnownCall, list[AttachmentRow], list[SubmissionRow]]]:
    """Each application of the person with its files and submissions (three queries)."""
    pairs = await queries.applications_of_applicant(session, account_id, oldest_first=True)
    ids = [app.id for app, _ in pairs]
    files = await queries.attachments_of(session, ids)
    history = await queries.submissions_of(session, ids)
    return [(app, call, files[app.id], history[app.id]) for app, call in pairs]


async def person_export(
    session: AsyncSession, identity: Identity, account_id: str, language: str
) -> IntakePersonExport:
    """Everything intake holds about the person as an applicant (theirs, or the team's)."""
    require_person_or_admin(identity, account_id)
    found = await applications_of(session, account_id)
    return IntakePersonExport(
        account_id=account_id,
        applications=[application_export(*item, language) for item in found],
    )


async def person_export_file(
    session: AsyncSession, identity: Identity, store: ObjectStore, account_id: str,
    attachment_id: str,
) -> tuple[AsyncIterator[bytes], StoredObject]:  # fmt: skip
    """The bytes of one of the person's files that their export lists."""
    require_person_or_admin(identity, account_id)
    missing = NotFound(f"There is no file {attachment_id} in this person's data.")
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        raise missing from None
    row = await session.get(AttachmentRow, key)
    app = await session.get(ApplicationRow, row.application_id) if row else None
    if row is None or app is None or app.applicant_id != account_id:
        raise missing
    history = (await queries.submissions_of(session, [app.id]))[app.id]
    if not held_files(app, [row], history):
        raise missing
    try:
        stat = await store.stat(row.object_key)
    except ObjectNotFound:
        raise missing from None
    return store.open(row.object_key), stat
