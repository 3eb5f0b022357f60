"""Accounts through GraphQL on the running portal: confirmation, reset and invitation links
(single use, expiring), revocation by token version, disabling and deletion, throttled sign-in
with a typed lock, the password policy, two-factor sign-in and the setup-only staff token.

Links are read from the mails notify sent to the test's SMTP server."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pyotp
import pytest
from sqlalchemy import select, update

from gateway import links
from gateway.app import create_app as create_gateway
from gateway.config import GatewaySettings
from gateway.models import Account, AccountLink
from shared.contracts.accounts import LinkPurpose
from shared.db import new_engine, new_session_factory
from tests.fixtures.apps import GraphQLClient, Portal, Tokens, serve
from tests.fixtures.mail import links_in
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import start

PASSWORD = "a-long-password"
SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { __typename
  ... on SignUpAccepted { message email } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
SIGN_IN = """mutation($e: String!, $p: String!, $c: String) { signIn(email: $e, password: $p,
  code: $c) { __typename ... on AuthPayload { token account { email emailConfirmed } }
  ... on TooManyAttempts { retryAfterSeconds retryAt } ... on Error { message } } }"""
CONFIRM = """mutation($t: String!) { confirmEmail(token: $t) { __typename
  ... on EmailConfirmed { email } ... on Error { message } } }"""
FORGOT = """mutation($e: String!) { requestPasswordReset(email: $e) { __typename
  ... on MailQueued { message } ... on TooManyAttempts { retryAfterSeconds }
  ... on ValidationErrors { errors { field } } } }"""
RESET = """mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) {
  __typename ... on PasswordResetDone { email } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
RESET_LINK = """query($t: String!) { passwordResetLink(token: $t) { __typename
  ... on PasswordResetLink { email } ... on Error { message } } }"""
INVITATION = """query($t: String!) { invitation(token: $t) { __typename
  ... on InvitationDetails { email displayName role } ... on Error { message } } }"""
ACCEPT = """mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) {
  __typename ... on AuthPayload { token account { email role emailConfirmed } }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }"""
CREATE = """mutation($i: AccountInput!) { createAccount(input: $i) { __typename
  ... on Account { id email role active } ... on Error { message } } }"""
ME = "{ me { email emailConfirmed active twoFactorEnabled twoFactorRequired } }"

ROUTES = {**{purpose: f"/#/{route}/" for purpose, route in links.ROUTES.items()},
          LinkPurpose.SIGN_UP_REPEATED: "/#/forgot"}  # fmt: skip


async def link_for(gql: GraphQLClient, email: str, purpose: LinkPurpose, nth: int = 1) -> str:
    """The link of the `nth` mail of this kind to `email`, read back from the SMTP server."""
    mailbox = gql.mailbox
    assert mailbox is not None, "links arrive by mail: GraphQLClient(url, mailbox=)"

    async def arrived() -> list[str]:
        found = [link for message in mailbox.messages(email) for link in links_in(message)
                 if ROUTES[purpose] in link]  # fmt: skip
        return found if len(found) >= nth else []

    return str((await eventually(arrived, within=20))[nth - 1])


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def new_email(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


async def sign_in(gql: GraphQLClient, email: str, password: str, code: str | None = None) -> Any:
    return (await gql(SIGN_IN, {"e": email, "p": password, "c": code}))["signIn"]


async def signed_up(gql: GraphQLClient, *, confirm: bool = True) -> tuple[str, str]:
    """A new applicant (confirmed unless told otherwise): their e-mail and a token."""
    email = new_email("applicant")
    made = await gql(SIGN_UP, {"i": {"email": email, "password": PASSWORD, "displayName": "Ana"}})
    assert made["signUp"]["__typename"] == "SignUpAccepted", made
    if confirm:
        link = await link_for(gql, email, LinkPurpose.CONFIRM_EMAIL)
        assert (await gql(CONFIRM, {"t": token_of(link)}))["confirmEmail"]["email"] == email
    return email, (await sign_in(gql, email, PASSWORD))["token"]


async def accepted_invitation(gql: GraphQLClient, email: str, password: str = PASSWORD) -> str:
    """The invited person sets a password from the e-mailed link; returns their token."""
    link = await link_for(gql, email, LinkPurpose.INVITATION)
    accepted = (await gql(ACCEPT, {"t": token_of(link), "p": password}))["acceptInvitation"]
    assert accepted["__typename"] == "AuthPayload", accepted
    return str(accepted["token"])


async def staff(
    gql: GraphQLClient, admin: str, role: str, hub: str | None = None
) -> tuple[str, str]:
    """A staff account made by the team and accepted by its person: (account id, token)."""
    email = new_email("staff")
    made = await gql(CREATE, {"i": {"email": email, "displayName": "Staff", "role": role,
                                    "hub": hub}}, admin)  # fmt: skip
    assert made["createAccount"]["__typename"] == "Account", made
    return made["createAccount"]["id"], await accepted_invitation(gql, email)


async def test_sign_up_confirm_and_the_link_works_once(gql: GraphQLClient) -> None:
    email, token = await signed_up(gql, confirm=False)
    assert (await gql(ME, token=token))["me"]["emailConfirmed"] is False
    draft = await start(gql, token)  # drafting needs no confirmed address
    assert draft["status"] == "DRAFT"
    link = await link_for(gql, email, LinkPurpose.CONFIRM_EMAIL)
    assert link.startswith("http") and "/#/confirm/" in link
    assert (await gql(CONFIRM, {"t": token_of(link)}))["confirmEmail"] == {
        "__typename": "EmailConfirmed", "email": email}  # fmt: skip
    again = (await gql(CONFIRM, {"t": token_of(link)}))["confirmEmail"]
    assert again["__typename"] == "InvalidLink" and "used already" in again["message"]
    assert (await gql(ME, token=token))["me"]["emailConfirmed"] is True
    unknown = (await gql(CONFIRM, {"t": "not-a-real-token"}))["confirmEmail"]
    assert unknown["__typename"] == "InvalidLink"


async def test_a_repeated_sign_up_answers_the_same_and_tells_the_owner(gql: GraphQLClient) -> None:
    email, _ = await signed_up(gql)
    fresh = new_email()
    person = {"password": "another-long-password", "displayName": "Someone"}
    taken = await gql(SIGN_UP, {"i": {**person, "email": email}})
    new = await gql(SIGN_UP, {"i": {**person, "email": fresh}})
    assert taken["signUp"]["message"] == new["signUp"]["message"]
    assert taken["signUp"]["__typename"] == new["signUp"]["__typename"] == "SignUpAccepted"
    assert (await link_for(gql, email, LinkPurpose.SIGN_UP_REPEATED)).endswith("/#/forgot")
    # The owner's password is unchanged; the stranger's did not replace it.
    assert (await sign_in(gql, email, person["password"]))["__typename"] == "NotAuthenticated"
    assert (await sign_in(gql, email, PASSWORD))["__typename"] == "AuthPayload"


async def test_forgotten_password_reset_once_old_password_and_token_refused(
    gql: GraphQLClient,
) -> None:
    email, old_token = await signed_up(gql, confirm=False)
    unknown = await gql(FORGOT, {"e": new_email("nobody")})
    asked = await gql(FORGOT, {"e": email})
    assert asked == unknown and asked["requestPasswordReset"]["__typename"] == "MailQueued"
    link = await link_for(gql, email, LinkPurpose.RESET_PASSWORD)
    assert "/#/reset/" in link
    weak = (await gql(RESET, {"t": token_of(link), "p": "password12"}))["resetPassword"]
    assert [e["field"] for e in weak["errors"]] == ["password"]
    # Its page may ask whose link it is, as often as it likes, without using it up.
    for _ in range(2):
        peeked = (await gql(RESET_LINK, {"t": token_of(link)}))["passwordResetLink"]
        assert peeked == {"__typename": "PasswordResetLink", "email": email}
    done = (await gql(RESET, {"t": token_of(link), "p": "a-brand-new-secret"}))["resetPassword"]
    assert done == {"__typename": "PasswordResetDone", "email": email}
    again = (await gql(RESET, {"t": token_of(link), "p": "yet-another-secret"}))["resetPassword"]
    assert again["__typename"] == "InvalidLink"
    used = (await gql(RESET_LINK, {"t": token_of(link)}))["passwordResetLink"]
    assert used["__typename"] == "InvalidLink"
    # Nor is another purpose's link, or a made-up one, a reset link.
    for other in (await link_for(gql, email, LinkPurpose.CONFIRM_EMAIL), "/#/reset/made-up"):
        refused = (await gql(RESET_LINK, {"t": token_of(other)}))["passwordResetLink"]
        assert refused["__typename"] == "InvalidLink"
    assert (await sign_in(gql, email, PASSWORD))["__typename"] == "NotAuthenticated"
    renewed = await sign_in(gql, email, "a-brand-new-secret")
    assert renewed["account"] == {"email": email, "emailConfirmed": True}  # the mailbox is proven
    ended = (await gql.raw(ME, token=old_token)).json()
    assert ended["message"] == "Your session has ended; sign in again."


async def test_a_newer_reset_link_voids_the_older_one(gql: GraphQLClient) -> None:
    email, _ = await signed_up(gql)
    await gql(FORGOT, {"e": email})
    first = await link_for(gql, email, LinkPurpose.RESET_PASSWORD)
    await gql(FORGOT, {"e": email})
    second = await link_for(gql, email, LinkPurpose.RESET_PASSWORD, nth=2)
    old = (await gql(RESET, {"t": token_of(first), "p": "a-brand-new-secret"}))["resetPassword"]
    assert old["__typename"] == "InvalidLink"
    new = (await gql(RESET, {"t": token_of(second), "p": "a-brand-new-secret"}))["resetPassword"]
    assert new["__typename"] == "PasswordResetDone"


async def test_an_expired_link_is_refused(gql: GraphQLClient, portal: Portal) -> None:
    email, _ = await signed_up(gql)
    await gql(FORGOT, {"e": email})
    link = await link_for(gql, email, LinkPurpose.RESET_PASSWORD)
    engine = new_engine(portal.gateway.app.state.settings.database_url, pool_size=1)
    async with new_session_factory(engine)() as session:
        await session.execute(
            update(AccountLink)
            .where(
                AccountLink.account_id
                == select(Account.id).where(Account.email == email).scalar_subquery()
            )
            .values(expires_at=AccountLink.created_at)
        )
        await session.commit()
    await engine.dispose()
    expired = (await gql(RESET, {"t": token_of(link), "p": "a-brand-new-secret"}))["resetPassword"]
    assert expired["__typename"] == "InvalidLink" and "expired" in expired["message"]


async def test_reset_mails_are_throttled_per_address(gql: GraphQLClient) -> None:
    email = new_email("flooded")
    answers = [(await gql(FORGOT, {"e": email}))["requestPasswordReset"] for _ in range(6)]
    assert [a["__typename"] for a in answers] == ["MailQueued"] * 5 + ["TooManyAttempts"]
    assert answers[-1]["retryAfterSeconds"] > 0
    malformed = (await gql(FORGOT, {"e": "not-an-address"}))["requestPasswordReset"]
    assert malformed["errors"] == [{"field": "email"}]


async def test_reset_mails_sent_in_parallel_are_throttled_too(gql: GraphQLClient) -> None:
    """Found probing: 20 at once were all accepted (each counted, only later ones locked)."""
    email = new_email("burst")
    answers = await asyncio.gather(*(gql(FORGOT, {"e": email}) for _ in range(12)))
    kinds = [a["requestPasswordReset"]["__typename"] for a in answers]
    assert sorted(kinds) == ["MailQueued"] * 5 + ["TooManyAttempts"] * 7


async def test_weak_passwords_are_refused_with_a_field_error(gql: GraphQLClient) -> None:
    for weak, reason in (("aaaaaaaaaa", "repeat"), ("password12", "common"), ("   ", "enter")):
        refused = await gql(SIGN_UP, {"i": {"email": new_email(), "password": weak,
                                            "displayName": "Ana"}})  # fmt: skip
        [error] = refused["signUp"]["errors"]
        assert error["field"] == "password" and reason in error["message"], error
    _, token = await signed_up(gql)
    change = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c,
      newPassword: $n) { __typename ... on ValidationErrors { errors { field message } } } }"""
    weak = (await gql(change, {"c": PASSWORD, "n": "password12"}, token))["changePassword"]
    assert [e["field"] for e in weak["errors"]] == ["newPassword"]
    wrong = await gql(change, {"c": "not-my-password", "n": "a-good-new-one-9"}, token)
    assert [e["field"] for e in wrong["changePassword"]["errors"]] == ["currentPassword"]


async def test_the_team_creates_no_applicant_and_gives_only_a_hub_manager_a_hub(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: an applicant account was created, an "anonymous" one that could never
    sign in but held its address, and an admin's hub dropped silently."""
    refusals = """mutation($i: AccountInput!) { createAccount(input: $i) { __typename
      ... on ValidationErrors { errors { field } } } }"""
    for role, hub, field in (
        ("APPLICANT", None, "role"), ("ANONYMOUS", None, "role"), ("ADMIN", "NL", "hub"),
    ):  # fmt: skip
        given = {"email": new_email("made"), "displayName": "Made", "role": role, "hub": hub}
        refused = (await gql(refusals, {"i": given}, tokens.admin))["createAccount"]
        assert refused == {"__typename": "ValidationErrors", "errors": [{"field": field}]}


async def test_invitation_details_then_accepted_once(gql: GraphQLClient, tokens: Tokens) -> None:
    email = new_email("invited")
    made = await gql(CREATE, {"i": {"email": email, "displayName": "Iris Invited",
                                    "role": "EVALUATOR", "language": "pt"}}, tokens.admin)  # fmt: skip
    assert made["createAccount"]["role"] == "EVALUATOR"
    # No password signs in before the invitation is accepted, not even an empty one.
    for guess in ("", PASSWORD):
        assert (await sign_in(gql, email, guess))["__typename"] == "NotAuthenticated"
    link = await link_for(gql, email, LinkPurpose.INVITATION)
    assert "/#/invitation/" in link
    details = (await gql(INVITATION, {"t": token_of(link)}))["invitation"]
    assert details == {"__typename": "InvitationDetails", "email": email,
                       "displayName": "Iris Invited", "role": "EVALUATOR"}  # fmt: skip
    weak = (await gql(ACCEPT, {"t": token_of(link), "p": "iris-invited"}))["acceptInvitation"]
    assert weak["__typename"] == "ValidationErrors"
    token = await accepted_invitation(gql, email, "an-evaluator-secret")
    assert (await gql(ME, token=token))["me"]["emailConfirmed"] is True
    again = await gql(ACCEPT, {"t": token_of(link), "p": "an-evaluator-secret"})
    assert again["acceptInvitation"]["__typename"] == "InvalidLink"
    assert (await gql(INVITATION, {"t": token_of(link)}))["invitation"]["__typename"] == (
        "InvalidLink"
    )
    fields = await gql('{ __type(name: "EvaluatorInvitation") { fields { name } } }')
    assert {f["name"] for f in fields["__type"]["fields"]} == {"evaluator", "invitationSentTo"}


async def test_change_password_and_sign_out_everywhere_end_earlier_tokens(
    gql: GraphQLClient,
) -> None:
    email, first = await signed_up(gql)
    second = (await sign_in(gql, email, PASSWORD))["token"]
    change = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c,
      newPassword: $n) { __typename ... on AuthPayload { token } } }"""
    changed = await gql(change, {"c": PASSWORD, "n": "a-changed-secret"}, second)
    fresh = changed["changePassword"]["token"]
    for old in (first, second):
        refused = await gql.raw(ME, token=old)
        assert refused.status_code == 401
        assert refused.json()["message"] == "Your session has ended; sign in again."
    assert (await gql(ME, token=fresh))["me"]["email"] == email
    out = await gql("mutation { signOutEverywhere { __typename } }", token=fresh)
    assert out["signOutEverywhere"]["__typename"] == "SignedOut"
    assert (await gql.raw(ME, token=fresh)).status_code == 401
    assert (await sign_in(gql, email, "a-changed-secret"))["__typename"] == "AuthPayload"


async def test_disabling_and_deleting_stop_tokens_at_once(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    account_id, token = await staff(gql, tokens.admin, "EVALUATOR")
    change = """mutation($id: ID!) { %s(id: $id) { __typename ... on Account { email active }
      ... on Error { message } } }"""  # fmt: skip
    disabled = await gql(change % "disableAccount", {"id": account_id}, tokens.admin)
    assert disabled["disableAccount"]["active"] is False
    assert (await gql.raw(ME, token=token)).status_code == 401
    enabled = await gql(change % "enableAccount", {"id": account_id}, tokens.admin)
    assert enabled["enableAccount"]["active"] is True
    email = enabled["enableAccount"]["email"]
    token = (await sign_in(gql, email, PASSWORD))["token"]
    deleted = await gql(change % "deleteAccount", {"id": account_id}, tokens.admin)
    assert deleted["deleteAccount"]["active"] is False
    assert email not in deleted["deleteAccount"]["email"]  # anonymised, the id kept
    assert (await gql.raw(ME, token=token)).status_code == 401
    assert (await sign_in(gql, email, PASSWORD))["__typename"] == "NotAuthenticated"
    listed = await gql("query($s: String) { accounts(search: $s) { id email } }",
                       {"s": "deleted-"}, tokens.admin)  # fmt: skip
    assert account_id in {a["id"] for a in listed["accounts"]}
    refused = await gql(change % "deleteAccount", {"id": account_id}, tokens.hub_nl)
    assert refused["deleteAccount"]["__typename"] == "Forbidden"


async def test_preferences_are_kept_and_languages_checked(gql: GraphQLClient) -> None:
    _, token = await signed_up(gql)
    update_ = """mutation($i: PreferencesInput!) { updatePreferences(input: $i) { __typename
      ... on Account { language notifications { draftReminders evaluationReminders dailyDigest } }
      ... on ValidationErrors { errors { field } } } }"""
    done = await gql(update_, {"i": {"language": "pt", "draftReminders": False}}, token)
    assert done["updatePreferences"] == {"__typename": "Account", "language": "pt",
        "notifications": {"draftReminders": False, "evaluationReminders": True,
                          "dailyDigest": False}}  # fmt: skip
    unknown = await gql(update_, {"i": {"language": "klingon"}}, token)
    assert unknown["updatePreferences"]["errors"] == [{"field": "language"}]


@pytest.fixture(scope="module")
async def quick_gateway(portal: Portal) -> AsyncIterator[GraphQLClient]:
    """A second gateway on the same databases with a short delay and lock."""
    settings: GatewaySettings = portal.gateway.app.state.settings
    quick = msgspec.structs.replace(
        settings, signin_delay_seconds=0.05, signin_lock_seconds=2, seed_demo_accounts=False
    )
    running = await serve(create_gateway(quick))
    client = GraphQLClient(f"{running.url}/graphql", mailbox=portal.mailbox)
    yield client
    await client.http.aclose()
    await running.stop()


async def test_ten_wrong_passwords_slow_then_lock_and_the_lock_ends(
    gql: GraphQLClient, quick_gateway: GraphQLClient
) -> None:
    email, _ = await signed_up(gql)
    answers, elapsed = [], []
    for _ in range(10):
        began = time.monotonic()
        answers.append(await sign_in(quick_gateway, email, "a-wrong-password"))
        elapsed.append(time.monotonic() - began)
    assert [a["__typename"] for a in answers[:9]] == ["NotAuthenticated"] * 9
    assert answers[9]["__typename"] == "TooManyAttempts"
    assert answers[9]["retryAfterSeconds"] == 2 and answers[9]["retryAt"]
    # 0.05 + 0.1 + 0.2 + 0.2 + 0.2 s of delay on failures 5 to 9, none before
    assert sum(elapsed[4:9]) >= 0.75 > sum(elapsed[:4]) / 4
    locked = await sign_in(quick_gateway, email, PASSWORD)
    assert locked["__typename"] == "TooManyAttempts"  # the right password waits too

    async def unlocked() -> bool:
        return (await sign_in(quick_gateway, email, PASSWORD))["__typename"] == "AuthPayload"

    await eventually(unlocked, within=10)
    # The success reset the count: a new failure answers at once, not locked.
    assert (await sign_in(quick_gateway, email, "wrong"))["__typename"] == "NotAuthenticated"


class Authenticator:
    """A person's authenticator app: each code it gives is for a later 30-second step than the
    last (the gateway takes every step once), within the ±1 step the gateway accepts."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last: int | None = None

    def step_now(self) -> int:
        return int(self.totp.timecode(datetime.now(UTC)))

    def code(self) -> str:
        current = self.step_now()
        step = current - 1 if self.last is None else max(current - 1, self.last + 1)
        assert step <= current + 1, "more than three codes within one step"
        self.last = step
        return str(self.totp.generate_otp(step))


SET_UP = "mutation { setUpTwoFactor { __typename ... on TwoFactorSetup { secret otpauthUri qrSvg } ... on Error { message } } }"
ENABLE = """mutation($c: String!) { enableTwoFactor(code: $c) { __typename
  ... on RecoveryCodes { codes token account { twoFactorEnabled } }
  ... on ValidationErrors { errors { field } } ... on Error { message } } }"""


async def enable_two_factor(gql: GraphQLClient, token: str) -> tuple[Authenticator, list[str], str]:
    """(the app, the recovery codes, the token from now on)."""
    setup = (await gql(SET_UP, token=token))["setUpTwoFactor"]
    # A standalone SVG (with its namespace): the page shows it as an image.
    assert setup["qrSvg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert setup["otpauthUri"].startswith("otpauth://")
    wrong = (await gql(ENABLE, {"c": "000000"}, token))["enableTwoFactor"]
    assert wrong["__typename"] == "ValidationErrors"
    app = Authenticator(setup["secret"])
    enabled = (await gql(ENABLE, {"c": app.code()}, token))["enableTwoFactor"]
    assert len(enabled["codes"]) == 10 and len(set(enabled["codes"])) == 10
    assert enabled["account"] == {"twoFactorEnabled": True}
    # Found probing: a token from before (a stolen one) outlived turning the factor on.
    assert (await gql.raw(ME, token=token)).status_code == 401
    return app, enabled["codes"], enabled["token"]


async def test_two_factor_sign_in_with_a_code_or_a_recovery_code(gql: GraphQLClient) -> None:
    email, token = await signed_up(gql)
    app, codes, token = await enable_two_factor(gql, token)
    assert (await gql(ME, token=token))["me"]["twoFactorEnabled"] is True
    assert (await sign_in(gql, email, PASSWORD))["__typename"] == "SecondFactorRequired"
    assert (await sign_in(gql, email, PASSWORD, "123456"))["__typename"] == "SecondFactorRequired"
    assert (await sign_in(gql, email, "wrong-password", app.code()))["__typename"] == (
        "NotAuthenticated"
    )
    code = app.code()
    assert (await sign_in(gql, email, PASSWORD, code))["__typename"] == "AuthPayload"
    # The same code a second time (seen over a shoulder, replayed within its minute): refused.
    assert (await sign_in(gql, email, PASSWORD, code))["__typename"] == "SecondFactorRequired"
    assert (await sign_in(gql, email, PASSWORD, codes[0]))["__typename"] == "AuthPayload"
    reused = await sign_in(gql, email, PASSWORD, codes[0])
    assert reused["__typename"] == "SecondFactorRequired"
    assert (await sign_in(gql, email, PASSWORD, codes[1].upper()))["__typename"] == "AuthPayload"


@pytest.fixture(scope="module")
async def production_gateway(portal: Portal) -> AsyncIterator[GraphQLClient]:
    """The same databases behind a gateway outside dev mode."""
    settings: GatewaySettings = portal.gateway.app.state.settings
    production = msgspec.structs.replace(
        settings, environment="production", jwt_secret="a-production-jwt-secret-0123456789",
        seed_demo_accounts=False, admin_email="",
    )  # fmt: skip
    running = await serve(create_gateway(production))
    client = GraphQLClient(f"{running.url}/graphql", mailbox=portal.mailbox)
    yield client
    await client.http.aclose()
    await running.stop()


async def test_staff_outside_dev_must_set_up_a_second_factor_first(
    gql: GraphQLClient, tokens: Tokens, production_gateway: GraphQLClient
) -> None:
    email = new_email("admin")
    await gql(CREATE, {"i": {"email": email, "displayName": "Admin", "role": "ADMIN"}},
              tokens.admin)  # fmt: skip
    await accepted_invitation(gql, email)
    signed = await sign_in(production_gateway, email, PASSWORD)
    setup_only = signed["token"]
    me = (await production_gateway(ME, token=setup_only))["me"]
    assert me["twoFactorRequired"] is True and me["twoFactorEnabled"] is False
    refused = (await production_gateway.raw("{ hubs { code } }", token=setup_only)).json()
    assert refused["errors"][0]["message"] == "Set up two-factor sign-in first."
    assert refused["errors"][0]["extensions"]["code"] == "forbidden"
    app, _, renewed = await enable_two_factor(production_gateway, setup_only)
    # The token the factor's code earned is a full one, as the next sign-in's is.
    assert (await production_gateway("{ hubs { code } }", token=renewed))["hubs"]
    full = (await sign_in(production_gateway, email, PASSWORD, app.code()))["token"]
    assert (await production_gateway("{ hubs { code } }", token=full))["hubs"]
    off = """mutation($c: String!) { disableTwoFactor(code: $c) { __typename } }"""
    kept = await production_gateway(off, {"c": app.code()}, full)
    assert kept["disableTwoFactor"]["__typename"] == "Forbidden"
    # An applicant outside dev mode needs no second factor.
    applicant, _ = await signed_up(gql)
    plain = (await sign_in(production_gateway, applicant, PASSWORD))["token"]
    assert (await production_gateway("{ hubs { code } }", token=plain))["hubs"]


async def test_concurrent_uses_of_one_link_succeed_once(gql: GraphQLClient) -> None:
    email = new_email("racer")
    await gql(SIGN_UP, {"i": {"email": email, "password": PASSWORD, "displayName": "Racer"}})
    link = await link_for(gql, email, LinkPurpose.CONFIRM_EMAIL)
    results = await asyncio.gather(*(gql(CONFIRM, {"t": token_of(link)}) for _ in range(5)))
    kinds = sorted(r["confirmEmail"]["__typename"] for r in results)
    assert kinds == ["EmailConfirmed"] + ["InvalidLink"] * 4


async def test_odd_account_input_gets_a_field_error_and_no_detail(gql: GraphQLClient) -> None:
    """Found probing as an attacker: these reached PostgreSQL and answered with the SQL, its
    parameters and the new password's hash."""
    odd_sign_ups = [
        ({"displayName": "x" * 500}, "displayName"),
        ({"displayName": "a\u0007b"}, "displayName"),
        ({"email": "a,victim@example.org"}, "email"),  # one header, two SMTP recipients
        ({"email": f"{'a' * 400}@example.org"}, "email"),
    ]
    for change, field in odd_sign_ups:
        fields = {"email": new_email(), "password": PASSWORD, "displayName": "Odd", **change}
        answer = (await gql(SIGN_UP, {"i": fields}))["signUp"]
        assert answer["__typename"] == "ValidationErrors", (change, answer)
        assert [e["field"] for e in answer["errors"]] == [field], answer
    for email, password in ((f"{'a' * 400}@x.org", PASSWORD), (new_email(), "p" * 1200)):
        response = await gql.raw(SIGN_IN, {"e": email, "p": password})
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["signIn"]["__typename"] == "ValidationErrors", body


async def test_a_nul_anywhere_is_refused_before_anything_runs(gql: GraphQLClient) -> None:
    fields = {"email": new_email(), "password": PASSWORD, "displayName": "a\u0000b"}
    body = (await gql.raw(SIGN_UP, {"i": fields})).json()
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "validation_failed",
        "fields": ["variables.i.displayName"],
    }
    assert error["message"] == (
        "Text must not contain NUL characters or lone surrogates (found in i.displayName)."
    )
    inline = (await gql.raw('{ missions(hub: "N\\u0000L") { title } }')).json()
    assert inline["errors"][0]["extensions"]["code"] == "validation_failed", inline


async def test_half_a_surrogate_pair_is_refused_like_a_nul_even_signed_out(
    gql: GraphQLClient,
) -> None:
    """JSON's "\\ud800" alone is no character UTF-8 can write: it answered internal_error."""
    # As JSON writes it (httpx's own encoder refuses to): the escape, not the character.
    sent = json.dumps({"query": SIGN_IN, "variables": {"e": "a\ud800@example.org", "p": "x"}})
    response = await gql.http.post(
        gql.url, content=sent, headers={"content-type": "application/json"}
    )
    body = response.json()
    assert body["errors"][0]["extensions"] == {
        "code": "validation_failed",
        "fields": ["variables.e"],
    }
    # In a literal, GraphQL's own parser refuses the escape.
    inline = (await gql.raw('{ missions(hub: "N\\udc00L") { title } }')).json()
    assert inline["errors"][0]["extensions"]["code"] == "graphql_parse_failed", inline


async def test_half_a_surrogate_pair_as_a_key_of_a_json_value_is_refused_too(
    gql: GraphQLClient,
) -> None:
    """Found probing: a key of the answers object was not checked and answered internal_error."""
    _, token = await signed_up(gql)
    save = ("mutation($a: ID!, $i: ApplicationInput!) { saveApplication(id: $a, input: $i)"
            " { __typename } }")  # fmt: skip
    for key in ("\ud800", "a\u0000"):
        sent = json.dumps({"query": save, "variables": {
            "a": str(uuid.uuid4()), "i": {"answers": {key: "x", "fine": "y"}}}})  # fmt: skip
        response = await gql.http.post(gql.url, content=sent, headers={
            "content-type": "application/json", "authorization": f"Bearer {token}"})  # fmt: skip
        body = response.json()
        assert body["errors"][0]["extensions"] == {
            "code": "validation_failed", "fields": ["variables.i.answers"]}, body  # fmt: skip


async def test_a_code_of_other_digits_is_just_a_wrong_code(gql: GraphQLClient) -> None:
    email, token = await signed_up(gql)
    await enable_two_factor(gql, token)
    for code in ("²²²²²²", "١٢٣٤٥٦"):  # isdigit() says yes to both
        answer = await gql.raw(SIGN_IN, {"e": email, "p": PASSWORD, "c": code})
        assert answer.json()["data"]["signIn"]["__typename"] == "SecondFactorRequired"


async def test_guessing_the_current_password_with_a_stolen_token_locks_like_sign_in(
    gql: GraphQLClient, quick_gateway: GraphQLClient
) -> None:
    email, token = await signed_up(gql)
    change = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c,
      newPassword: $n) { __typename ... on TooManyAttempts { retryAfterSeconds } } }"""
    answers = [
        (await quick_gateway(change, {"c": f"guess-{n}", "n": "a-changed-secret"}, token))[
            "changePassword"
        ]["__typename"]
        for n in range(10)
    ]
    assert answers == ["ValidationErrors"] * 9 + ["TooManyAttempts"]
    # Locked: signing in with the right password waits as well.
    assert (await sign_in(quick_gateway, email, PASSWORD))["__typename"] == "TooManyAttempts"


async def test_an_invited_evaluator_is_written_to_in_a_language_they_read(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    email = new_email("evaluator")
    invite = """mutation($i: EvaluatorInput!) { inviteEvaluator(input: $i) { __typename } }"""
    made = await gql(invite, {"i": {"email": email, "displayName": "Rita",
                                    "languages": ["xx", "pt", "en"]}}, tokens.admin)  # fmt: skip
    assert made["inviteEvaluator"]["__typename"] == "EvaluatorInvitation", made
    found = await gql("query($s: String!) { accounts(search: $s) { language } }", {"s": email},
                      tokens.admin)  # fmt: skip
    assert found["accounts"] == [{"language": "pt"}]
    await link_for(gql, email, LinkPurpose.INVITATION)  # the mail went out, in Portuguese:
    assert "convite" in str(gql.mailbox.messages(email)[0]["Subject"]).lower()  # type: ignore[union-attr]


async def test_an_invited_persons_first_password_sends_no_changed_warning(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: accepting an invitation mailed "Your password was changed… If you did
    not change it, reset your password straight away"."""
    email = new_email("invited")
    made = await gql(CREATE, {"i": {"email": email, "displayName": "Ines", "role": "EVALUATOR"}},
                     tokens.admin)  # fmt: skip
    assert made["createAccount"]["__typename"] == "Account", made
    await accepted_invitation(gql, email)
    # A later mail to the same address: the warning, had it been written, would come first.
    assert (await gql(FORGOT, {"e": email}))["requestPasswordReset"]["__typename"] == "MailQueued"
    await link_for(gql, email, LinkPurpose.RESET_PASSWORD)
    subjects = [str(m["Subject"]) for m in gql.mailbox.messages(email)]
    assert not any("password was changed" in s for s in subjects), subjects
