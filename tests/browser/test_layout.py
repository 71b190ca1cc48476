"""Mobile first: at a phone's width, the narrowest common one (360 px) and a desktop's, no page
scrolls sideways; every control of the top bar, the tab bar, the lists' segments, the filters
and the pager is a full 44 px tap target on a phone, and at least WCAG's 24 px at a desk, where
a mouse points and the console is dense."""

import pytest

from tests.browser.helpers import INBOX, LIST_PATHS, SIZES, rows

PAGES = [INBOX, f"{INBOX}?show=expired", *LIST_PATHS]
CONTROLS = ", ".join(
    f"{area} {control}"
    for area in (".topbar", ".tabbar", ".segments", ".filters", ".tabs", ".pager")
    for control in ("a", "button", "select", "input")
)
TAP = {"phone": 44, "narrow": 44, "desktop": 24}

# Elements sticking out past the right edge, for a readable failure (not those inside a
# container that scrolls on its own, such as the header's row of links).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsOnItsOwn = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)
          && p !== document.documentElement && p !== document.body) return true;
    }
    return false;
  };
  return Array.from(document.body.querySelectorAll("*"))
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !scrollsOnItsOwn(el))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${
      Math.round(el.getBoundingClientRect().right)}`);
}"""
MEASURE = r"""(selector) => Array.from(document.querySelectorAll(selector))
  .filter((el) => !el.closest(".visually-hidden") && el.getClientRects().length > 0)
  .map((el) => ({
    what: `${el.tagName.toLowerCase()} "${
      ((el.labels && el.labels[0]) || el).innerText.trim().replace(/\s+/g, " ")}"`,
    height: el.getBoundingClientRect().height,
  }))"""


@pytest.fixture
def two_accounts(performer, scarlett, ivy):
    """Two accounts, so that the account filter, the account of each row and the pager show."""
    return performer


@pytest.mark.parametrize("size", ["phone", "narrow", "desktop"])
def test_no_page_scrolls_sideways_and_every_control_is_a_full_tap_target(
    open_page, two_accounts, size
):
    width = SIZES[size]["viewport"]["width"]
    page = open_page(size, user=two_accounts)
    sideways, small = [], []
    for path in PAGES:
        page.goto(path)
        rows(page).first.wait_for()
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        # innerWidth too: a mobile browser may zoom out to fit content wider than the screen.
        if scroll_width > min(inner_width, width):
            sideways.append(
                f"{path}: {scroll_width}px wide in a {width}px window; sticking out: "
                f"{page.evaluate(OVERFLOWING)}"
            )
        controls = page.evaluate(MEASURE, CONTROLS)
        assert controls, f"{path}: no controls found"
        small += [
            f"{path}: {control['what']} is {control['height']:.0f}px tall"
            for control in controls
            if control["height"] < TAP[size] - 0.5
        ]
    assert not sideways, "scrolls sideways:\n" + "\n".join(sideways)
    assert not small, f"under {TAP[size]}px:\n" + "\n".join(small)


def test_without_javascript_the_apply_button_is_a_full_tap_target(open_page, two_accounts):
    page = open_page("narrow", user=two_accounts, javascript=False)
    page.goto(LIST_PATHS[0])
    page.get_by_text("Filter and sort").click()  # a <details>: it unfolds without script
    box = page.get_by_role("button", name="Apply").bounding_box()
    assert box is not None
    assert box["height"] >= TAP["narrow"]
    for label in ("Status", "Account", "Sort by"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None
        assert box["height"] >= TAP["narrow"], label
