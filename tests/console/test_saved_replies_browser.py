"""A saved reply with a placeholder from the visitor's attributes and an image: made in the
dialog, previewed for the conversation's visitor in the composer, inserted and sent, and the
visitor gets the filled-in text with the image."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in, visitor_asking_for_a_person
from tests.media import image_bytes

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
BODY = 'Hi {{visitor.first_name}}, your {{ visitor.attributes.plan | default("current") }} plan.'


async def test_a_reply_with_a_placeholder_and_an_image_is_previewed_and_sent(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent("Ann"))
    visitor = await visitor_asking_for_a_person(live_url)  # attributes: plan "pro"
    await visitor.expect("assigned")
    await page.get_by_role("tab", name="Mine").click()
    await page.locator(".row", has_text="Vera").click()

    await page.get_by_role("button", name="Saved replies").click()
    dialog = page.get_by_role("dialog", name="Saved replies")
    await dialog.get_by_label("Shortcut").fill("plan")
    await dialog.get_by_label("Title").fill("Your plan")
    await dialog.get_by_label("Text").fill("Hi {{visitor.nick}}")
    await dialog.get_by_role("button", name="Add reply").click()  # refused: a clear message
    await expect(dialog.get_by_role("alert")).to_contain_text("unknown placeholder visitor.nick")
    await dialog.get_by_label("Text").fill(BODY)
    await dialog.get_by_label("Tags").fill("Billing, plans")
    await dialog.get_by_label("Upload an image").set_input_files(
        {"name": "plan.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    await expect(dialog.get_by_label("Attached images").locator("img")).to_have_count(1)
    await dialog.get_by_role("button", name="Preview").click()  # for the open conversation
    await expect(dialog.locator(".reply-draft-preview")).to_have_text("Hi Vera, your pro plan.")
    await dialog.get_by_role("button", name="Add reply").click()
    row = dialog.locator('.reply-item[data-shortcut="plan"]')
    await expect(row).to_contain_text("billing")
    await expect(row).to_contain_text("0 uses")
    await dialog.get_by_role("button", name="Close").click()

    composer = page.get_by_label("Reply")
    await composer.fill("/pla")
    preview = page.get_by_role("region", name="Preview")
    await expect(preview).to_contain_text("Hi Vera, your pro plan.")
    await expect(preview.locator("img")).to_have_count(1)
    await screenshot(page, "saved-reply-preview")
    await composer.press("Enter")
    await expect(composer).to_have_value("Hi Vera, your pro plan.")
    await expect(page.get_by_label("Images to send").locator("img")).to_have_count(1)
    await composer.press("Enter")
    sent = await visitor.expect("message", text="Hi Vera, your pro plan.")
    assert len(sent["attachments"]) == 1
    assert sent["attachments"][0]["content_type"] == "image/png"

    await page.get_by_role("button", name="Saved replies").click()
    await expect(row).to_contain_text("1 use")
    await dialog.get_by_label("Filter by tag").select_option("plans")
    await expect(dialog.locator(".reply-item")).to_have_count(1)
    await visitor.close()
