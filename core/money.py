"""How the product writes an amount of money on every screen: whole won, `₩12,000`."""


def won(amount: int) -> str:
    """`amount` (whole won) as the screens show it: `₩12,000`, as static/shared/format.js writes
    it for the tablet and the dashboard."""
    return f"₩{amount:,}"
