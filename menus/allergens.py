"""Allergens a menu item may list (SPEC 3.12).

The list is the one the Ministry of Food and Drug Safety (식품의약품안전처) sets for labelling
in its notice 「식품 등의 표시기준」 (Standards for Labelling of Food, etc.), Ⅱ.1.아.1)
"알레르기 유발물질 표시" — the same 19 the ministry asks large restaurant franchises and bakeries
to show where guests order (식품위생법 시행규칙 제44조의2). Items store the Korean names, in this
order; the tablet shows them in the guest's language.
"""

from django.utils.translation import gettext_lazy as _

# (Korean name as the notice writes it, short, the translatable name the tablet shows)
ALLERGENS = [
    ("알류", _("Eggs")),  # 가금류의 알만 해당
    ("우유", _("Milk")),
    ("메밀", _("Buckwheat")),
    ("땅콩", _("Peanuts")),
    ("대두", _("Soybeans")),
    ("밀", _("Wheat")),
    ("고등어", _("Mackerel")),
    ("게", _("Crab")),
    ("새우", _("Shrimp")),
    ("돼지고기", _("Pork")),
    ("복숭아", _("Peach")),
    ("토마토", _("Tomato")),
    ("아황산류", _("Sulphites")),  # 최종 제품에 이산화황 10 mg/kg 이상
    ("호두", _("Walnuts")),
    ("닭고기", _("Chicken")),
    ("쇠고기", _("Beef")),
    ("오징어", _("Squid")),
    ("조개류", _("Shellfish")),  # 굴, 전복, 홍합 포함
    ("잣", _("Pine nuts")),
]
ALLERGEN_NAMES = tuple(name for name, _label in ALLERGENS)


def ordered_allergens(names) -> list[str]:
    """`names` without repeats, in the official list's order; ValueError names one not on it."""
    unknown = [name for name in names if name not in ALLERGEN_NAMES]
    if unknown:
        raise ValueError(unknown[0])
    chosen = set(names)
    return [name for name in ALLERGEN_NAMES if name in chosen]
