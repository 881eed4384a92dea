"""Made-up food photos for the demo store, drawn with Pillow (no text: no CJK font is assumed)."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 480, 360
SHAPES = ("plate", "bowl", "glass", "bottle", "dessert")


def demo_image(*, shape, color, accent, seed):
    """JPEG bytes: a dish of `shape` in `color` with `accent` garnish on a warm wooden table."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    rng = random.Random(seed)  # noqa: S311 -- the same picture on every run, not a secret
    image = _table_background(rng)
    draw = ImageDraw.Draw(image)
    _shadow(image, shape)
    {"plate": _plate, "bowl": _bowl, "glass": _glass, "bottle": _bottle, "dessert": _dessert}[shape](
        draw, rng, color, accent
    )
    image = image.filter(ImageFilter.SMOOTH)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue()


def _table_background(rng):
    top, bottom = (196, 140, 92), (122, 76, 44)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        draw.line([(0, y), (WIDTH, y)], fill=_mix(top, bottom, t))
    # Wood grain: faint wavy darker lines.
    for _ in range(14):
        y = rng.randrange(HEIGHT)
        shade = _mix(bottom, (90, 55, 30), rng.random() * 0.5)
        points = [(x, y + rng.randint(-3, 3)) for x in range(0, WIDTH + 40, 40)]
        draw.line(points, fill=shade, width=rng.randint(1, 3))
    return image


def _shadow(image, shape):
    mask = Image.new("L", image.size, 0)
    box = (110, 245, 390, 320) if shape in {"glass", "bottle"} else (70, 90, 430, 330)
    ImageDraw.Draw(mask).ellipse(box, fill=110)
    mask = mask.filter(ImageFilter.GaussianBlur(18))
    image.paste((60, 35, 20), (0, 0), mask)


def _plate(draw, rng, color, accent):
    draw.ellipse((80, 70, 400, 310), fill=(236, 232, 226))
    draw.ellipse((110, 92, 370, 288), fill=(250, 248, 244))
    _heap(draw, rng, (240, 190), (95, 65), color, accent)


def _bowl(draw, rng, color, accent):
    draw.ellipse((95, 150, 385, 320), fill=(58, 50, 46))
    draw.pieslice((95, 40, 385, 320), 0, 180, fill=(70, 60, 55))
    draw.ellipse((95, 95, 385, 215), fill=(84, 72, 66))
    draw.ellipse((110, 105, 370, 205), fill=color)
    _heap(draw, rng, (240, 155), (95, 35), _mix(color, accent, 0.3), accent)


def _glass(draw, rng, color, accent):
    draw.polygon([(180, 60), (300, 60), (285, 290), (195, 290)], fill=(222, 232, 236))
    draw.polygon([(186, 110), (294, 110), (284, 284), (196, 284)], fill=color)
    for _ in range(10):
        x, y = rng.randint(200, 280), rng.randint(130, 270)
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=_mix(color, (255, 255, 255), 0.5))
    draw.line([(190, 64), (200, 286)], fill=(250, 252, 252), width=4)
    draw.ellipse((228, 96, 262, 126), fill=accent)


def _bottle(draw, rng, color, accent):
    draw.rectangle((215, 40, 265, 120), fill=color)
    draw.rounded_rectangle((185, 110, 295, 300), radius=28, fill=color)
    draw.rectangle((190, 170, 290, 240), fill=accent)
    draw.rectangle((212, 30, 268, 48), fill=_mix(accent, (0, 0, 0), 0.3))
    draw.line([(200, 130), (200, 285)], fill=_mix(color, (255, 255, 255), 0.45), width=6)
    draw.ellipse((290, 200, 380, 300), fill=(226, 234, 236))
    draw.ellipse((300, 210, 370, 260), fill=_mix(color, (255, 255, 255), 0.6))


def _dessert(draw, rng, color, accent):
    draw.ellipse((90, 90, 390, 310), fill=(246, 244, 240))
    draw.rectangle((170, 150, 310, 250), fill=color)
    draw.ellipse((170, 225, 310, 275), fill=color)
    draw.ellipse((170, 125, 310, 175), fill=_mix(color, (255, 255, 255), 0.35))
    for _ in range(5):
        x, y = rng.randint(190, 290), rng.randint(130, 165)
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=accent)


def _heap(draw, rng, center, radius, color, accent):
    cx, cy = center
    rx, ry = radius
    for _ in range(40):
        x, y = cx + rng.randint(-rx, rx), cy + rng.randint(-ry, ry)
        if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1:
            continue
        size = rng.randint(12, 30)
        shade = _mix(color, (0, 0, 0), rng.random() * 0.25)
        draw.ellipse((x - size, y - size * 0.7, x + size, y + size * 0.7), fill=shade)
    for _ in range(14):
        x, y = cx + rng.randint(-rx + 20, rx - 20), cy + rng.randint(-ry + 15, ry - 15)
        size = rng.randint(4, 9)
        draw.ellipse((x - size, y - size, x + size, y + size), fill=accent)


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
