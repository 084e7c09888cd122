"""Images and GIFs in the widget, as a visitor sees them: thumbnails that enlarge, GIFs that
play (or start paused for people who asked for reduced motion) with a control to pause and
resume, and a GIF the visitor sends reaching the agent still animated.

Animation is judged by pixels: screenshots of the GIF over about a second show several of its
frames while it plays, and one frame, always the same, while it is paused.
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
from typing import Any

import httpx
import pytest
from PIL import Image, ImageColor
from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.conftest import AGENT_EMAIL, AGENT_PASSWORD, agent_says, screenshot
from tests.browser.widget import Widget, ask, loaded
from tests.media import image_bytes
from tests.support.chat import ChatClient, agent_token
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

COLOURS = ("#d62828", "#2a9d8f", "#1d4ed8", "#f4a261")  # frames anyone can tell apart
FRAMES = len(COLOURS)
PHOTO = image_bytes("PNG", size=(900, 600))


def animated_gif(size: tuple[int, int] = (160, 120), frame_ms: int = 120) -> bytes:
    frames = [Image.new("RGB", size, colour) for colour in COLOURS]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0
    )
    return buffer.getvalue()


GIF = animated_gif()


async def frames_shown(element: Locator, samples: int = 8, every_s: float = 0.13) -> list[str]:
    """Which of ``GIF``'s frames ``element`` shows over about a second, in the order first seen:
    the colour at the centre of each screenshot, or "none" when it is no frame at all."""
    shown: list[str] = []
    for _ in range(samples):
        image = Image.open(io.BytesIO(await element.screenshot())).convert("RGB")
        centre = image.getpixel((image.width // 2, image.height // 2))
        assert isinstance(centre, tuple)
        frame = next((c for c in COLOURS if _near(ImageColor.getrgb(c), centre)), "none")
        if frame not in shown:
            shown.append(frame)
        await asyncio.sleep(every_s)
    return shown


def _near(expected: tuple[int, ...], actual: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= 8 for a, b in zip(expected, actual, strict=False))


async def assert_plays(element: Locator) -> None:
    shown = await frames_shown(element)
    assert "none" not in shown, shown
    assert len(shown) > 1, shown


async def assert_paused(element: Locator) -> None:
    """One frame stays on screen (not a blank box)."""
    shown = await frames_shown(element)
    assert len(shown) == 1, shown
    assert shown != ["none"]


async def agent_sends_images(
    server: LiveServer, agent: ChatClient, conversation_id: str, text: str, *images: bytes
) -> list[dict[str, Any]]:
    """Upload as the agent, then send one message carrying the uploads."""
    token = await agent_token(server.url, AGENT_EMAIL, AGENT_PASSWORD)
    stored = []
    async with httpx.AsyncClient(base_url=server.url) as http:
        for index, image in enumerate(images):
            response = await http.post(
                "/api/v1/attachments",
                headers={"Authorization": f"Bearer {token}"},
                data={"conversation_id": conversation_id},
                files={"file": (f"image-{index}", image, "application/octet-stream")},
            )
            assert response.status_code == 201, response.text
            stored.append(response.json())
    ids = [attachment["attachment_id"] for attachment in stored]
    await agent_says(agent, conversation_id, text, attachments=ids)
    return stored


async def chat_with_ann(page: Page, server: LiveServer, agent: ChatClient) -> tuple[Widget, str]:
    widget = await ask(page, "Which button exports the report?")
    conversation_id: str = (await widget.storage("state"))["conversation_id"]
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
    return widget, conversation_id


async def test_received_images_enlarge_and_gifs_play_until_paused(
    demo_page: Page, server: LiveServer, agent: ChatClient
) -> None:
    page = demo_page
    widget, conversation_id = await chat_with_ann(page, server, agent)
    await agent_sends_images(server, agent, conversation_id, "Like this:", PHOTO, GIF)
    message = widget.message("Like this:")
    photo, gif = message.locator(".thumb").nth(0), message.locator(".gif .thumb")
    assert await loaded(photo.locator("img")) < 900  # a thumbnail, not the full image
    await loaded(gif.locator("img"))

    # Without reduced motion the GIF plays; the control pauses it on the current frame.
    await assert_plays(gif)
    await screenshot(page, "gif-playing")
    await message.get_by_role("button", name="Pause animation").click()
    resume = message.get_by_role("button", name="Play animation")
    await expect(resume).to_have_attribute("aria-pressed", "true")
    await assert_paused(gif)
    await resume.click()
    await assert_plays(gif)

    # A click enlarges the image to its full size; Esc closes only the viewer, and focus goes
    # back to the thumbnail that opened it.
    await photo.click()
    viewer = widget.panel.get_by_role("dialog", name="Image")
    await expect(viewer).to_be_visible()
    assert await loaded(viewer.locator("img")) == 900
    await expect(viewer.get_by_role("button", name="Close image")).to_be_focused()
    await screenshot(page, "image-viewer")
    await page.keyboard.press("Escape")
    await expect(viewer).to_have_count(0)
    await expect(widget.panel).to_be_visible()
    await expect(photo).to_be_focused()

    # The GIF enlarges too, still playing, and the viewer's close button works like Esc.
    await gif.click()
    await expect(viewer).to_be_visible()
    assert await loaded(viewer.locator("img")) == 160
    await assert_plays(viewer)
    await viewer.get_by_role("button", name="Close image").click()
    await expect(viewer).to_have_count(0)
    await expect(gif).to_be_focused()


async def test_reduced_motion_starts_gifs_paused(
    browser: Browser, server: LiveServer, agent: ChatClient
) -> None:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    try:
        page = await context.new_page()
        await page.goto(server.url + "/")
        widget, conversation_id = await chat_with_ann(page, server, agent)
        await agent_sends_images(server, agent, conversation_id, "Watch this:", GIF)
        message = widget.message("Watch this:")
        gif = message.locator(".gif .thumb")
        await loaded(gif.locator("img"))

        play = message.get_by_role("button", name="Play animation")
        await expect(play).to_have_attribute("aria-pressed", "true")
        await assert_paused(gif)
        await screenshot(page, "gif-reduced-motion")

        # Enlarged it stays paused, with a control of its own; the thumbnail is left as it was.
        await gif.click()
        viewer = widget.panel.get_by_role("dialog", name="Image")
        await loaded(viewer.locator("img"))
        await assert_paused(viewer)
        await screenshot(page, "gif-viewer-paused")
        await viewer.get_by_role("button", name="Play animation").click()
        await assert_plays(viewer)
        await page.keyboard.press("Tab")  # the focus goes round the viewer's two buttons
        await expect(viewer.get_by_role("button", name="Close image")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(viewer.get_by_role("button", name="Pause animation")).to_be_focused()
        await page.keyboard.press("Escape")
        await expect(viewer).to_have_count(0)
        await assert_paused(gif)

        await play.click()
        await expect(message.get_by_role("button", name="Pause animation")).to_have_attribute(
            "aria-pressed", "false"
        )
        await assert_plays(gif)
    finally:
        await context.close()


async def test_visitor_sends_gifs_that_reach_the_agent_animated(
    demo_page: Page, server: LiveServer, agent: ChatClient
) -> None:
    page = demo_page
    widget, conversation_id = await chat_with_ann(page, server, agent)
    preview = widget.panel.locator(".preview")

    # The paperclip: the browser's file picker, a preview, then Send.
    await widget.composer.fill("Here is what happens")
    async with page.expect_file_chooser() as chosen:
        await widget.panel.get_by_role("button", name="Attach an image").click()
    await (await chosen.value).set_files(
        {"name": "steps.gif", "mimeType": "image/gif", "buffer": GIF}
    )
    await expect(preview).to_be_visible()
    assert await preview.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    await screenshot(page, "gif-preview")
    await preview.get_by_role("button", name="Send").click()
    received = await agent.expect(
        "message", conversation_id=conversation_id, text="Here is what happens"
    )
    [attachment] = received["attachments"]
    assert (attachment["content_type"], attachment["frames"]) == ("image/gif", FRAMES)
    sent = widget.message("Here is what happens")
    await expect(sent).not_to_have_class(re.compile("pending"))
    await assert_plays(sent.locator(".gif .thumb"))  # it plays for the visitor too

    # Dropped on the chat: the same preview, the same result.
    await widget.panel.locator(".view.chat").evaluate(
        """(zone, data) => {
          const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], "dropped.gif", {type: "image/gif"}));
          for (const type of ["dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true,
                                                    cancelable: true}));
          }
        }""",
        base64.b64encode(GIF).decode(),
    )
    await expect(preview).to_be_visible()
    await preview.get_by_role("button", name="Send").click()
    received = await agent.expect("message", conversation_id=conversation_id, text="")
    [attachment] = received["attachments"]
    assert (attachment["content_type"], attachment["frames"]) == ("image/gif", FRAMES)
