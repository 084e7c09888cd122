"""axe-core in a console page: every violation of any impact, in light and in dark."""

from __future__ import annotations

from playwright.async_api import Page

AXE_ALL = """async () => {
  const result = await axe.run(document);
  return {
    passed: result.passes.length,
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
    })),
  };
}"""


async def violations(page: Page, source: str, where: str) -> list[str]:
    found = []
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        await page.add_script_tag(content=source)
        result = await page.evaluate(AXE_ALL)
        assert result["passed"] > 10, where  # axe ran its rules on a real page
        found += [f"{where} ({scheme}): {v}" for v in result["violations"]]
    await page.emulate_media(color_scheme="light")
    return found
