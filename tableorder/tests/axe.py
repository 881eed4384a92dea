"""axe-core (npm, pinned in package.json) run on a page in the browser tests: WCAG 2.2 A and AA.

`npm ci` puts it in node_modules (make test does; without npm the checks are skipped, with the
reason, as the browser tests are without Chromium). It is evaluated through the DevTools
protocol, which the page's nonce CSP does not govern, so the page under audit keeps its
policy. A test fails on every serious or critical violation, naming each rule and element.
"""

from pathlib import Path

import pytest
from django.conf import settings

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def violations(page, include=None):
    """The serious and critical WCAG A/AA violations on `page` as it is now (or within the CSS
    selector `include`): a list of `{id, impact, help, nodes: [selector, …]}`."""
    if not AXE_SCRIPT.exists():
        pytest.skip(f"{AXE_SCRIPT} is missing: `npm ci` installs it (make test does; apt-get install -y npm)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true")
    found = page.evaluate(
        """async ([include, tags]) => {
            const result = await window.axe.run(include || document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ') + ' :: '
                    + n.failureSummary.split('\\n').slice(1).join(' ')),
            }));
        }""",
        [include, WCAG_TAGS],
    )
    return [violation for violation in found if violation["impact"] in BLOCKING]


def assert_accessible(page, state, include=None):
    """Fail with a readable list when `page` in `state` (a name for the message) has serious or
    critical violations."""
    found = violations(page, include)
    assert not found, f"axe-core on {state}: " + "; ".join(
        f"{v['id']} ({v['impact']}: {v['help']}) at {v['nodes'][:5]}" for v in found
    )
