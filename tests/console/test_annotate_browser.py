"""Images in the console, in Chromium against a live server: the annotate-and-return round trip
with a visitor in the real widget, drawing while zoomed in, and a GIF from the team library sent
with ``/gif``."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from PIL import Image, ImageChops
from playwright.async_api import Browser, FloatRect, Locator, Page, expect

from tests.browser.widget import Widget, ask, loaded
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

# Resolves after the next frame: resize events are dispatched before animation frames.
NEXT_FRAME = "() => new Promise((resolve) => requestAnimationFrame(() => resolve()))"


async def drag(page: Page, start: tuple[int, int], end: tuple[int, int]) -> None:
    """A pointer drag between two points of the image, wherever the editor shows it."""
    box = await page.locator(".ann-canvas").bounding_box()
    assert box is not None
    scale = box["width"] / SHOT[0]
    await page.mouse.move(box["x"] + start[0] * scale, box["y"] + start[1] * scale)
    await page.mouse.down()
    await page.mouse.move(box["x"] + end[0] * scale, box["y"] + end[1] * scale, steps=6)
    await page.mouse.up()


async def bounds(locator: Locator) -> FloatRect:
    box = await locator.bounding_box()
    assert box is not None
    return box


def image_point(shown: FloatRect, client: tuple[float, float]) -> tuple[float, float]:
    """The image pixel under a client point, with the canvas shown at ``shown``."""
    scale = SHOT[0] / shown["width"]
    return ((client[0] - shown["x"]) * scale, (client[1] - shown["y"]) * scale)


@asynccontextmanager
async def pasted_screenshot(
    page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> AsyncIterator[tuple[Widget, Locator]]:
    """A visitor pastes SHOT into the widget and sends it; the agent signed in on ``page`` opens
    the conversation. Yields the visitor's widget and the image as the console shows it."""
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
        yield widget, pasted
    finally:
        await visitor_context.close()


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
    async with pasted_screenshot(page, browser, live_url, make_agent) as (widget, pasted):
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
        await screenshot(widget.page, "annotate-widget")

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


async def test_drawing_while_zoomed_lands_on_the_image_pixels_under_the_pointer(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    async with pasted_screenshot(page, browser, live_url, make_agent) as (_, pasted):
        await pasted.get_by_role("button", name="Annotate").click()
        editor = page.get_by_role("dialog", name="Annotate image")
        canvas, stage = page.locator(".ann-canvas"), page.locator(".ann-stage")
        level = editor.get_by_role("button", name="Fit to window")
        await expect(level).to_have_attribute("aria-pressed", "true")
        await expect(editor).to_contain_text("0 fit")  # the zoom keys are listed
        fitted = await bounds(canvas)

        await editor.get_by_role("button", name="Zoom in").click()
        await expect(level).to_have_text("100 %")
        await page.keyboard.press("Shift+Equal")  # "+"
        await expect(level).to_have_text("150 %")
        await page.keyboard.press("Equal")
        await expect(level).to_have_text("200 %")
        assert (await bounds(canvas))["width"] == 2 * SHOT[0] > 2 * fitted["width"]
        overflow = "s => [s.scrollWidth - s.clientWidth, s.scrollHeight - s.clientHeight]"
        assert min(await stage.evaluate(overflow)) > 0  # the stage scrolls both ways
        await page.set_viewport_size({"width": 1100, "height": 700})
        await page.evaluate(NEXT_FRAME)  # the resize has been handled
        await expect(level).to_have_text("200 %")  # a chosen level survives a resize
        assert (await bounds(canvas))["width"] == 2 * SHOT[0]

        view = await bounds(stage)
        pointer = (view["x"] + 300, view["y"] + 200)
        under = image_point(await bounds(canvas), pointer)
        await page.mouse.move(*pointer)
        await page.keyboard.down("Control")
        await page.mouse.wheel(0, -100)
        await page.keyboard.up("Control")
        await expect(level).to_have_text("300 %")
        still = image_point(await bounds(canvas), pointer)
        assert abs(still[0] - under[0]) < 1
        assert abs(still[1] - under[1]) < 1
        await editor.get_by_role("button", name="Zoom in").click()
        await expect(level).to_have_text("400 %")
        await expect(editor.get_by_role("button", name="Zoom in")).to_have_attribute(
            "aria-disabled", "true"
        )  # the last step; the editor's keys still work after it
        await page.keyboard.press("Minus")
        await page.keyboard.press("Minus")
        await expect(level).to_have_text("200 %")

        await stage.evaluate("s => s.scrollTo(0, 0)")
        corner = await bounds(canvas)
        assert (corner["x"], corner["y"]) >= (view["x"], view["y"])  # no edge out of reach
        await page.mouse.move(view["x"] + 100, view["y"] + 100)
        await page.mouse.wheel(900, 700)  # a person scrolls the stage
        await page.wait_for_function(
            "s => s.scrollLeft == 900 && s.scrollTop == 700", arg=await stage.element_handle()
        )
        shown = await bounds(canvas)
        start = (view["x"] + 200, view["y"] + 100)
        end = (view["x"] + 600, view["y"] + 250)
        (x1, y1), (x2, y2) = (image_point(shown, start), image_point(shown, end))
        await page.keyboard.press("r")
        await page.mouse.move(*start)
        await page.mouse.down()
        await page.mouse.move(*end, steps=6)
        await page.mouse.up()
        await page.keyboard.press("t")
        click = (view["x"] + 250, view["y"] + 320)
        await page.mouse.click(*click)
        field = await bounds(editor.get_by_label("Label text"))
        assert abs(field["x"] - click[0]) <= 2
        assert abs(field["y"] - click[1]) <= 2
        await editor.get_by_label("Label text").fill("Here")
        await editor.get_by_label("Label text").press("Enter")
        lx, ly = image_point(shown, click)
        await screenshot(page, "annotate-zoomed")

        await page.keyboard.press("0")
        await expect(level).to_have_attribute("aria-pressed", "true")
        await page.set_viewport_size({"width": 1280, "height": 720})
        await expect(canvas).to_have_css("width", f"{fitted['width']:g}px")  # Fit follows
        assert await bounds(canvas) == fitted  # the window's size
        await editor.get_by_label("Note").fill("Zoomed in")
        await editor.get_by_label("Note").press("Enter")
        sent = page.locator("#messages .message.agent .att")
        await expect(sent).to_have_count(1)
        annotated_id = await sent.get_attribute("data-attachment-id")

    annotated = await download(page, f"{live_url}/api/v1/attachments/{annotated_id}")
    assert annotated.size == SHOT
    x1, y1, x2, y2, lx, ly = (round(v) for v in (x1, y1, x2, y2, lx, ly))
    assert red_pixels(annotated, (x1, y1 - 3, x2, y1 + 3)) > 3 * (x2 - x1)  # the top edge ...
    assert red_pixels(annotated, (x1 - 3, y1, x1 + 3, y2)) > 3 * (y2 - y1)  # ... the left one
    assert red_pixels(annotated, (x1 - 40, y1 - 40, x2 + 40, y1 - 8)) == 0  # and nothing beside
    assert red_pixels(annotated, (x1 + 8, y1 + 8, x2 - 8, y2 - 8)) == 0
    assert red_pixels(annotated, (lx, ly, lx + 90, ly + 40)) > 100  # the label, at the click


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
