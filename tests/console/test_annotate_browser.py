"""Images in the console, in Chromium against a live server: the annotate-and-return round trip
with a visitor in the real widget, and a GIF from the team library sent with ``/gif``."""

from __future__ import annotations

import io
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from PIL import Image, ImageChops
from playwright.async_api import Browser, Page, expect

from tests.browser.widget import ask, loaded
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.media import animation_bytes
from tests.support.chat import new_visitor, visitor_client

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
SHOT = (1600, 1000)  # the visitor's screenshot: larger than the editor can show 1:1
SECRET_BOX = (40, 160, 640, 240)  # where the card number is, blurred by the agent
ARROW = ((720, 440), (560, 300))

# A screenshot with a card number on it, pasted into the widget's composer.
PASTE_SCREENSHOT = """async ([width, height]) => {
  const canvas = Object.assign(document.createElement("canvas"), {width, height});
  const paint = canvas.getContext("2d");
  paint.fillStyle = "#ffffff"; paint.fillRect(0, 0, width, height);
  paint.fillStyle = "#3b4fd8"; paint.fillRect(0, 0, width, 60);
  paint.fillStyle = "#000000"; paint.font = "bold 30px sans-serif";
  paint.fillText("Card 4242 4242 4242 4242", 60, 215);
  const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const data = new DataTransfer();
  data.items.add(new File([png], "screenshot.png", {type: "image/png"}));
  const widget = document.querySelector("parley-widget").shadowRoot;
  const textarea = widget.querySelector(".composer textarea");
  textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
}"""


async def drag(page: Page, start: tuple[int, int], end: tuple[int, int]) -> None:
    """A pointer drag between two points of the image, wherever the editor shows it."""
    box = await page.locator(".ann-canvas").bounding_box()
    assert box is not None
    scale = box["width"] / SHOT[0]
    await page.mouse.move(box["x"] + start[0] * scale, box["y"] + start[1] * scale)
    await page.mouse.down()
    await page.mouse.move(box["x"] + end[0] * scale, box["y"] + end[1] * scale, steps=6)
    await page.mouse.up()


async def download(page: Page, url: str) -> Image.Image:
    response = await page.request.get(url)  # the console's session cookie
    assert response.ok
    return Image.open(io.BytesIO(await response.body())).convert("RGB")


def red_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    rgb = image.crop(box).tobytes()
    return sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 180 and rgb[i + 1] < 80)


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return sum(1 for value in image.crop(box).convert("L").tobytes() if value < 60)


async def test_a_pasted_screenshot_comes_back_annotated_and_redacted(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent())
    visitor_context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        visitor_page = await visitor_context.new_page()
        await visitor_page.goto(f"{live_url}/")
        widget = await ask(visitor_page, "The checkout page shows my card")
        await widget.button("Talk to a person").click()
        await visitor_page.evaluate(PASTE_SCREENSHOT, list(SHOT))
        await widget.panel.locator(".preview").get_by_role("button", name="Send").click()
        await expect(widget.log.locator(".msg.from-visitor .thumb img")).to_be_visible()

        await page.get_by_role("tab", name="Mine").click()
        await expect(page.locator(".row").first.locator(".row-preview")).to_have_text("Image")
        await page.locator(".row").first.click()
        pasted = page.locator("#messages .message.visitor .att")
        await expect(pasted.locator("img")).to_be_visible()
        original_id = await pasted.get_attribute("data-attachment-id")

        started = time.monotonic()
        await pasted.get_by_role("button", name="Annotate").click()
        editor = page.get_by_role("dialog", name="Annotate image")
        await expect(editor).to_be_visible()
        await expect(editor).to_contain_text("Ctrl+Z undo")  # the shortcuts are listed
        shown = await page.locator(".ann-canvas").bounding_box()
        room = await page.locator(".ann-stage").bounding_box()
        assert shown is not None
        assert room is not None
        assert shown["width"] < SHOT[0]  # scaled down to fit 1280 x 720 ...
        assert room["y"] <= shown["y"]
        assert shown["y"] + shown["height"] <= room["y"] + room["height"]
        await page.keyboard.press("a")
        await drag(page, *ARROW)
        await page.keyboard.press("b")
        await drag(page, SECRET_BOX[:2], SECRET_BOX[2:])
        await page.keyboard.press("n")  # a marker, undone again with Ctrl+Z
        await drag(page, (100, 400), (100, 400))
        await page.keyboard.press("Control+z")
        await page.keyboard.press("r")
        await drag(page, (1000, 600), (1400, 800))
        await page.keyboard.press("p")
        await drag(page, (1000, 900), (1400, 950))
        await page.keyboard.press("t")
        await drag(page, (560, 460), (560, 460))
        await editor.get_by_label("Label text").fill("Click here")
        await editor.get_by_label("Label text").press("Enter")
        await expect(editor.get_by_label("Label text")).to_have_count(0)
        await screenshot(page, "annotate-editor")
        await editor.get_by_label("Note").fill("Here: the blue button.")
        await editor.get_by_label("Note").press("Enter")

        answer = widget.message("Here: the blue button.")
        await expect(answer.locator(".thumb img")).to_be_visible()
        assert await loaded(answer.locator(".thumb img"))
        elapsed = time.monotonic() - started
        print(f"\nannotate round trip (editor opened → image in the widget): {elapsed:.1f} s")
        assert elapsed < 30
        await expect(editor).to_be_hidden()
        await answer.locator(".thumb img").scroll_into_view_if_needed()
        await screenshot(visitor_page, "annotate-widget")
    finally:
        await visitor_context.close()

    sent = page.locator("#messages .message.agent .att")
    await expect(sent).to_have_count(1)
    await screenshot(page, "annotate-sent")
    annotated_id = await sent.get_attribute("data-attachment-id")
    original = await download(page, f"{live_url}/api/v1/attachments/{original_id}")
    annotated = await download(page, f"{live_url}/api/v1/attachments/{annotated_id}")
    assert annotated.size == original.size == SHOT  # ... and exported at full size
    text_box = (60, 180, 520, 225)
    assert dark_pixels(original, text_box) > 500
    assert dark_pixels(annotated, text_box) == 0  # no stroke of the digits survives
    untouched = (0, 300, 300, 500)
    assert (
        ImageChops.difference(original.crop(untouched), annotated.crop(untouched)).getbbox() is None
    )
    assert red_pixels(annotated, (560, 300, 720, 440)) > 100  # the arrow, in the default red
    assert red_pixels(annotated, (560, 460, 800, 500)) > 100  # the label
    assert red_pixels(annotated, (1000, 590, 1400, 610)) > 400  # the rectangle's top edge
    assert red_pixels(annotated, (1000, 880, 1400, 970)) > 400  # the pen stroke


async def test_a_library_gif_is_sent_with_slash_gif_and_counted(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await page.emulate_media(reduced_motion="reduce")
    await sign_in(page, live_url, await make_agent())
    await page.get_by_role("button", name="Library").click()
    manager = page.get_by_role("dialog", name="GIF & image library")
    await manager.get_by_label("Image file").set_input_files(
        {"name": "cache.gif", "mimeType": "image/gif", "buffer": animation_bytes("GIF", [90] * 4)}
    )
    await manager.get_by_label("Title").fill("Clear the <b>cache</b>")
    await manager.get_by_label("Tags").fill("browser, howto")
    await manager.get_by_role("button", name="Upload").click()
    item = manager.get_by_role("list", name="Library items").locator("li")
    await expect(item).to_have_count(1)
    await expect(item).to_contain_text("Clear the <b>cache</b>")  # typed text stays text
    await expect(item).to_contain_text("Used 0 times")
    await manager.get_by_role("button", name="Close").click()

    token = await new_visitor(live_url, name="Vera")
    visitor, _ = await visitor_client(live_url, token)
    await visitor.say("How do I clear the cache?")
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned")
    await page.get_by_role("tab", name="Mine").click()
    await page.locator(".row").first.click()
    composer = page.locator("#composer-text")
    await composer.fill("/gif brow")
    results = page.get_by_role("list", name="Library results")
    await expect(results.locator(".lib-choose")).to_have_count(1)
    await screenshot(page, "gif-picker")
    await results.locator(".lib-choose").click()

    received = await visitor.expect("message", within=10, text="")
    assert received["author"]["kind"] == "agent"
    [attachment] = received["attachments"]
    assert (attachment["content_type"], attachment["frames"]) == ("image/gif", 4)
    await expect(composer).to_have_value("")
    async with httpx.AsyncClient(base_url=live_url) as http:
        fetched = await http.get(attachment["url"], headers={"Authorization": f"Bearer {token}"})
    assert (fetched.status_code, fetched.headers["content-type"]) == (200, "image/gif")

    shown = page.locator("#messages .message.agent .att")
    await expect(shown.get_by_role("button", name="Play GIF")).to_have_attribute(
        "aria-pressed", "true"
    )  # reduced motion: paused until asked

    await composer.evaluate(  # an image pasted into the reply goes with the next message
        """async (textarea) => {
          const canvas = Object.assign(document.createElement("canvas"), {width: 64, height: 48});
          const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
          const data = new DataTransfer();
          data.items.add(new File([png], "pasted.png", {type: "image/png"}));
          textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }"""
    )
    pending = page.get_by_role("list", name="Images to send").locator("li")
    await expect(pending).to_have_count(1)
    await expect(pending.locator(".att-status")).to_have_text("")  # uploaded
    await composer.fill("And where to click:")
    await composer.press("Enter")
    with_image = await visitor.expect("message", text="And where to click:")
    assert [(a["content_type"], a["width"]) for a in with_image["attachments"]] == [
        ("image/png", 64)
    ]
    await expect(pending).to_have_count(0)

    await page.get_by_role("button", name="Library").click()
    await expect(item).to_contain_text("Used 1 time")
    await screenshot(page, "library")
    await visitor.close()
