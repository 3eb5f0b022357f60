"""Mail through the whole portal: a submission's receipt reaches the applicant's mailbox with
its PDF, the applicant lists it among their notifications and the team finds it in the outbox."""

from __future__ import annotations

from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.mail import links_in, text_of
from tests.integration.test_intake_graphql import SUBMIT, complete_application
from tests.integration.test_notify import pdf_text

ME = "{ me { id email } }"
MINE = """query { myNotifications { id kind subject text state } }"""
OUTBOX = """query($to: String, $state: MailState) { mailOutbox(to: $to, state: $state) { totalCount
  items { id to kind subject state attempts lastError attachments { fileName contentType size } }
} }"""
RETRY = """mutation($id: ID!) { retryMail(id: $id) { __typename ... on Mail { state }
  ... on Error { message } } }"""


async def test_the_receipt_of_a_submission_is_mailed_listed_and_in_the_outbox(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    token = await gql.sign_up()
    email = (await gql(ME, token=token))["me"]["email"]
    application = await complete_application(gql, token)
    submitted = (await gql(SUBMIT, {"id": application["id"]}, token))["submitApplication"]
    receipt = submitted["receipt"]

    [mail] = await portal.mailbox.wait_for(email, subject=receipt["number"])
    assert receipt["fingerprint"] in text_of(mail)
    assert f"{portal.gateway.url}/#/receipt/{application['id']}/1" in links_in(mail)
    [pdf] = list(mail.iter_attachments())
    assert receipt["fingerprint"] in pdf_text(pdf.get_content())

    kinds = [n["kind"] for n in (await gql(MINE, token=token))["myNotifications"]]
    assert kinds == ["submission_receipt", "confirm_email"]  # newest first
    outbox = (await gql(OUTBOX, {"to": email, "state": "SENT"}, tokens.admin))["mailOutbox"]
    assert outbox["totalCount"] == 2
    [listed] = [m for m in outbox["items"] if m["kind"] == "submission_receipt"]
    assert listed["state"] == "SENT" and listed["attempts"] == 1 and listed["lastError"] is None
    [attached] = listed["attachments"]
    assert attached["contentType"] == "application/pdf" and attached["size"] > 1000
    # A sent mail is not sent again; only the team may ask.
    again = (await gql(RETRY, {"id": listed["id"]}, tokens.admin))["retryMail"]
    assert again == {"__typename": "Mail", "state": "SENT"}
    refused = (await gql(RETRY, {"id": listed["id"]}, token))["retryMail"]
    assert refused["__typename"] == "Forbidden"
