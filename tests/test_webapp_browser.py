"""The Mini App in a real browser: Debian's Chromium driven by Playwright, against the
real bot, its HTTP server and the Bot API stand-in.

The page loads a local stand-in of ``telegram-web-app.js`` (`tests/fakes/telegram_web_app.js`)
carrying initData the test signs with the test bot token; every other request that is not
to the bot's own server is refused. Screenshots of each page at 390×844, light and dark,
go to ``tests/artifacts/webapp/``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import texts
from tests.webapp_rig import WebRig, init_data, webapp_rig

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed (apt-get install chromium); .ci/run installs it",
)
playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
STAND_IN = Path(__file__).parent / "fakes" / "telegram_web_app.js"
ARTIFACTS = Path(__file__).parent / "artifacts" / "webapp"
THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
        "section_bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "accent_text_color": "#2481cc",
        "destructive_text_color": "#e53935",
    },
    "dark": {
        "bg_color": "#212121",
        "secondary_bg_color": "#0f0f0f",
        "section_bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "accent_text_color": "#8774e1",
        "destructive_text_color": "#ff595a",
    },
}
ALICE = 901


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[WebRig]:
    async with webapp_rig(tmp_path) as started:
        await started.make_plan(ALICE)
        yield started


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def open_app(
    browser: Any,
    rig: WebRig,
    *,
    scheme: str = "light",
    width: int = 390,
    data: str | None = None,
    page: str = "",
) -> Any:
    """A page of the Mini App as Telegram would open it for Alice."""
    context = await browser.new_context(viewport={"width": width, "height": 844})
    config = {
        "initData": init_data(ALICE, rig.api.token) if data is None else data,
        "colorScheme": scheme,
        "themeParams": THEMES[scheme],
    }
    await context.add_init_script(f"window.__telegramTest = {json.dumps(config)};")

    async def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == TELEGRAM_SCRIPT:
            await request_route.fulfill(path=str(STAND_IN), content_type="text/javascript")
        elif url.startswith(rig.base + "/"):
            await request_route.continue_()
        else:
            await request_route.abort()

    await context.route("**/*", route)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.errors = errors
    await tab.goto(f"{rig.base}/app/" + (f"?page={page}" if page else ""))
    return tab


async def notice(tab: Any) -> str:
    box = tab.locator(".notice:not([hidden])")
    await box.wait_for()
    return str(await box.inner_text())


async def test_plan_weeks_open_a_week_and_mark_a_module_done(rig: WebRig, browser: Any) -> None:
    active = await rig.store.active_plan(ALICE)
    assert active is not None
    plan = active[1]
    tab = await open_app(browser, rig)
    await tab.locator(".week-card").first.wait_for()
    assert await tab.locator(".week-card").count() == len(plan.weeks)
    assert plan.title in await tab.locator("h1").inner_text()
    assert await tab.evaluate("Telegram.WebApp._ready === true && Telegram.WebApp.isExpanded")

    await tab.locator('.week-card[data-week="1"]').click()
    first = plan.weeks[0].modules[0]
    card = tab.locator(f'.module[data-module="{first.id}"]')
    await card.wait_for()
    assert first.objectives[0] in await card.inner_text()
    assert await tab.evaluate("Telegram.WebApp.BackButton.isVisible")
    assert "Mark" in await tab.evaluate("Telegram.WebApp.MainButton.text")

    await card.locator("button.done").click()
    assert "Marked" in await notice(tab)
    await tab.locator(f'.module[data-module="{first.id}"] .chip-done').wait_for()
    shown = texts(await rig.bot.say(ALICE, "/progress"))
    assert f"1/{len(plan.modules())} modules done" in shown, shown

    await tab.evaluate("Telegram.WebApp.BackButton._press()")
    await tab.locator(".timeline").wait_for()
    assert not await tab.evaluate("Telegram.WebApp.BackButton.isVisible")
    assert tab.errors == []


async def test_quiet_hours_changed_on_the_page_show_in_reminders(rig: WebRig, browser: Any) -> None:
    tab = await open_app(browser, rig, page="settings")
    await tab.locator("#quiet-on").wait_for()
    if not await tab.locator("#quiet-on").is_checked():
        await tab.locator("#quiet-on").check()
    await tab.locator("#quiet-start").fill("21:15")
    await tab.locator("#quiet-end").fill("06:45")
    assert await tab.evaluate("Telegram.WebApp.MainButton.isVisible")
    await tab.evaluate("Telegram.WebApp.MainButton._press()")
    assert "Quiet hours" in await notice(tab)
    shown = texts(await rig.bot.say(ALICE, "/reminders"))
    assert "Quiet hours: 21:15–06:45" in shown, shown
    assert tab.errors == []


async def test_a_forged_init_data_shows_no_data(rig: WebRig, browser: Any) -> None:
    forged = init_data(ALICE, "111:NOT-THIS-BOT")
    tab = await open_app(browser, rig, data=forged)
    message = tab.locator(".card.empty")
    await message.wait_for()
    assert "open it again from the bot" in await message.inner_text()
    assert await tab.locator(".week-card").count() == 0


PAGES = ("plan", "week", "calendar", "progress", "settings")


async def _show(tab: Any, page: str) -> None:
    if page == "week":
        await tab.locator('[data-tab="plan"]').click()
        await tab.locator('.week-card[data-week="1"]').click()
        await tab.locator(".module").first.wait_for()
        return
    await tab.locator(f'[data-tab="{page}"]').click()
    ready = {
        "plan": ".week-card",
        "calendar": ".session",
        "progress": ".chart canvas",
        "settings": "#save",
    }[page]
    await tab.locator(ready).first.wait_for()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_page_follows_the_theme_and_fits_the_screen(
    rig: WebRig, browser: Any, scheme: str
) -> None:
    plan = (await rig.get("/app/api/plan", rig.auth(ALICE))).body["data"]
    await rig.post(f"/app/api/modules/{plan['weeks'][0]['modules'][0]['id']}/done", rig.auth(ALICE))
    await rig.bot.say(ALICE, "log 50m")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = await open_app(browser, rig, scheme=scheme)
    await tab.locator(".week-card").first.wait_for()
    background = THEMES[scheme]["secondary_bg_color"]
    for page in PAGES:
        await _show(tab, page)
        body = await tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert body == _rgb(background), (page, body)
        shot = ARTIFACTS / f"{page}-{scheme}.png"
        await tab.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 1000
    narrow = await open_app(browser, rig, scheme=scheme, width=360)
    await narrow.locator(".week-card").first.wait_for()
    for page in PAGES:
        await _show(narrow, page)
        overflow = await narrow.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page} is wider than 360 px"
    assert tab.errors == [] and narrow.errors == []


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
