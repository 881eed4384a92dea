"""Who uses Table Order: stores, their managers, and the tables whose tablets order."""

from typing import ClassVar

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.hours import DEFAULT_REOPENING, MAX_PAUSE_MESSAGE_LENGTH, clean_break_times
from core.languages import TRANSLATED_LANGUAGES

store_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,29}$",
    _("Use 2–30 lowercase letters, digits or hyphens, starting with a letter or digit."),
)


TABLE_EXISTS_MESSAGE = _("This table number is already set up; reset its password instead.")

DEFAULT_STAFF_CALL_REASONS = ("물", "앞접시", "수저", "계산 요청", "기타")
MAX_STAFF_CALL_REASONS = 10
MAX_STAFF_CALL_REASON_LENGTH = 30


def default_staff_call_reasons():
    return list(DEFAULT_STAFF_CALL_REASONS)


def clean_reason_translations(value, reasons):
    """`{"<Korean reason>": {"en": …, "zh-hans": …, "ja": …}}` as stored: keys of the current
    reasons only, languages of TRANSLATED_LANGUAGES only, texts stripped and at most as long
    as a reason, blanks dropped. Raises ValidationError on the field."""
    if value in (None, ""):
        return {}
    problems = []
    if not isinstance(value, dict):
        raise ValidationError({"staff_call_reason_translations": _("Give an object of translations by Korean reason.")})
    cleaned = {}
    for reason, texts in value.items():
        if reasons and isinstance(reasons, list) and reason not in reasons:
            problems.append(_("%(reason)r is not one of the staff call reasons.") % {"reason": reason})
            continue
        if texts in (None, ""):
            continue
        if not isinstance(texts, dict):
            problems.append(_("%(reason)s: give an object of texts by language.") % {"reason": reason})
            continue
        kept = {}
        for language, text in texts.items():
            if language not in TRANSLATED_LANGUAGES:
                problems.append(
                    _("%(reason)s: %(language)r is not a language of the menu (use %(languages)s).")
                    % {"reason": reason, "language": language, "languages": ", ".join(TRANSLATED_LANGUAGES)}
                )
            elif text is None:
                continue
            elif not isinstance(text, str) or len(text.strip()) > MAX_STAFF_CALL_REASON_LENGTH:
                problems.append(
                    _("%(reason)s: %(language)s must be text of at most %(max)d characters.")
                    % {"reason": reason, "language": language, "max": MAX_STAFF_CALL_REASON_LENGTH}
                )
            elif text.strip():
                kept[language] = text.strip()
        if kept:
            cleaned[reason] = {language: kept[language] for language in TRANSLATED_LANGUAGES if language in kept}
    if problems:
        raise ValidationError({"staff_call_reason_translations": problems})
    return cleaned


def clean_notice_translations(value, max_length):
    """`{"en": …, "zh-hans": …, "ja": …}` as stored: languages of TRANSLATED_LANGUAGES only, in
    that order, texts stripped and at most `max_length` long, blanks dropped. Raises
    ValidationError on the field."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(
            {"origin_notice_translations": _("Give the translations as an object keyed by language (en, zh-hans, ja).")}
        )
    problems = []
    for language, text in value.items():
        if language not in TRANSLATED_LANGUAGES:
            problems.append(
                _("%(language)r is not a language of the menu (use %(languages)s).")
                % {"language": language, "languages": ", ".join(TRANSLATED_LANGUAGES)}
            )
        elif text is not None and (not isinstance(text, str) or "\x00" in text or len(text.strip()) > max_length):
            problems.append(
                _("%(language)s must be text of at most %(max)d characters.")
                % {"language": language, "max": max_length}
            )
    if problems:
        raise ValidationError({"origin_notice_translations": problems})
    return {
        language: value[language].strip()
        for language in TRANSLATED_LANGUAGES
        if isinstance(value.get(language), str) and value[language].strip()
    }


class Store(models.Model):
    """A restaurant; managers name it by `code` when they log in."""

    code = models.CharField(_("store identifier"), max_length=30, unique=True, validators=[store_code_validator])
    name = models.CharField(
        _("store name"), max_length=100, help_text=_("Shown on the tablets and the live orders page.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The last order number given out; orders.services takes the next one holding the store's write lock.
    last_order_number = models.PositiveBigIntegerField(_("last order number"), default=0, editable=False)
    staff_call_reasons = models.JSONField(
        _("staff call reasons"),
        default=default_staff_call_reasons,
        help_text=_("What guests can call staff for, in the order the tablet shows them."),
    )
    # {"<Korean reason>": {"en": …, "zh-hans": …, "ja": …}}: what the tablet shows for each
    # reason in a guest language; the call itself keeps the Korean reason (core.languages).
    staff_call_reason_translations = models.JSONField(_("staff call reason translations"), default=dict, blank=True)
    # The origin notice (원산지 표시판) the tablet shows on a page of its own (SPEC 3.12).
    origin_notice = models.TextField(
        _("origin notice"),
        max_length=4000,
        blank=True,
        help_text=_("The country of origin of the meat, rice, kimchi, soybeans and seafood the store serves."),
    )
    # {"en": …, "zh-hans": …, "ja": …}: the origin notice in a guest language; the tablet shows
    # the Korean notice in a language that has none (core.languages).
    origin_notice_translations = models.JSONField(_("origin notice translations"), default=dict, blank=True)
    # Whether the tablet's unsent-cart reminder also plays a soft chime (SPEC 3.11).
    cart_reminder_chime = models.BooleanField(
        _("chime with the unsent-cart reminder"),
        default=True,
        help_text=_("The tablet reminds guests of a cart that was never sent; this adds a soft sound."),
    )
    # The tablet menu's version (its ETag, menus.selectors.menu_version): every menu write and
    # every change of the store's settings moves it forward (accounts.services.bump_menu_version),
    # holding the store's write lock.
    menu_version = models.PositiveBigIntegerField(_("menu version"), default=1, editable=False)
    # A kitchen ticket's elapsed time turns amber, then red, after these many minutes.
    kitchen_amber_minutes = models.PositiveSmallIntegerField(
        _("kitchen: amber after (minutes)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    kitchen_red_minutes = models.PositiveSmallIntegerField(
        _("kitchen: red after (minutes)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    # Hours (영업 설정): whether tablets may order now is accounts.hours.ordering_state.
    ordering_paused = models.BooleanField(_("ordering paused"), default=False)
    pause_message = models.CharField(
        _("pause message"),
        max_length=MAX_PAUSE_MESSAGE_LENGTH,
        blank=True,
        default="",
        help_text=_("Shown on the tablets while ordering is paused."),
    )
    break_times = models.JSONField(_("break times"), default=list, blank=True)
    last_order_time = models.TimeField(_("last order"), null=True, blank=True)
    opening_time = models.TimeField(
        _("opening time"),
        null=True,
        blank=True,
        help_text=_("Ordering reopens at this time after the last order (06:00 when empty)."),
    )
    # Moves forward with every change of the hours (accounts.services.update_store_settings), in
    # the change's transaction: an order checked against an older copy of the store is refused
    # under the store's lock and checked again (orders.order_write).
    ordering_version = models.PositiveBigIntegerField(_("ordering version"), default=1, editable=False)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        # `menu_version` only ever moves forward by an UPDATE: saving every field of a copy
        # read earlier must not set it back, or a version would name two different menus.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            skipped = {"menu_version", "ordering_version", *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in skipped and field.name not in skipped
            ]
        super().save(*args, **kwargs)

    def clean(self):
        if (
            self.kitchen_amber_minutes is not None
            and self.kitchen_red_minutes is not None
            and self.kitchen_red_minutes <= self.kitchen_amber_minutes
        ):
            raise ValidationError({"kitchen_red_minutes": _("Red must come after amber.")})
        try:
            self.break_times = clean_break_times(self.break_times)
        except ValidationError as error:
            raise ValidationError({"break_times": error.messages}) from error
        if self.last_order_time is not None and self.last_order_time == (self.opening_time or DEFAULT_REOPENING):
            raise ValidationError({"opening_time": _("Ordering must reopen at another time than the last order.")})
        reasons = self.staff_call_reasons
        if (
            not isinstance(reasons, list)
            or not 1 <= len(reasons) <= MAX_STAFF_CALL_REASONS
            or any(not isinstance(r, str) or not r.strip() or len(r) > MAX_STAFF_CALL_REASON_LENGTH for r in reasons)
            or len(set(reasons)) != len(reasons)
        ):
            raise ValidationError(
                {
                    "staff_call_reasons": _("Give 1 to %(max)d different reasons, each 1 to %(length)d characters.")
                    % {"max": MAX_STAFF_CALL_REASONS, "length": MAX_STAFF_CALL_REASON_LENGTH}
                }
            )
        self.staff_call_reason_translations = clean_reason_translations(
            self.staff_call_reason_translations, self.staff_call_reasons
        )
        self.origin_notice_translations = clean_notice_translations(
            self.origin_notice_translations,
            self._meta.get_field("origin_notice").max_length,
        )


class StoreUserManager(UserManager["User"]):
    def get_by_natural_key(self, username):
        # Natural keys (createsuperuser, fixtures) name platform users, who have no store.
        return self.get(username=username, store__isnull=True)


class Role(models.TextChoices):
    MANAGER = "manager", _("Store manager")
    KITCHEN = "kitchen", _("Kitchen staff")


class User(AbstractUser):
    """A store's manager or kitchen staff (belongs to one store), or a platform admin (no store).

    Kitchen staff (`Role.KITCHEN`) use the kitchen display and its API only.

    `token_version` is written into every API token and stream ticket of the user; a password
    change bumps it, so every token issued before stops working (as tables do for tablets).
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        validators=[AbstractUser.username_validator],
        help_text=_("150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MANAGER)
    token_version = models.PositiveBigIntegerField(_("token version"), default=1, editable=False)

    objects: ClassVar[StoreUserManager] = StoreUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(fields=["store", "username"], name="user_username_unique_per_store"),
            models.UniqueConstraint(
                fields=["username"], condition=Q(store__isnull=True), name="user_username_unique_platform"
            ),
        ]

    def __str__(self):
        return f"{self.username}@{self.store.code}" if self.store_id else self.username

    @property
    def is_kitchen_staff(self):
        return self.role == Role.KITCHEN

    def save(self, *args, **kwargs):
        # `_password` is set by set_password() and cleared by save(); a hash upgrade at login
        # clears it first, so only a real password change signs the user out elsewhere.
        if self._password is not None and self.pk is not None:
            self.token_version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
        super().save(*args, **kwargs)


class Table(models.Model):
    """A numbered table; its tablet logs in with the table password.

    `token_version` is written into every tablet token: bumping it (password reset,
    revoke) signs the tablet out at its next request or refresh.
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField(_("table number"))
    password = models.CharField(_("table password"), max_length=128)
    token_version = models.PositiveBigIntegerField(_("token version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # A table is the principal of tablet requests (request.user for DRF).
    is_authenticated = True
    is_anonymous = False

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["store", "number"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="table_number_unique_per_store"),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
        ]

    def __str__(self):
        return _("Table %(number)s") % {"number": self.number}

    def unique_error_message(self, model_class, unique_check):
        # Django's own names the store, which a manager neither sees nor chooses.
        if tuple(unique_check) == ("store", "number"):
            return ValidationError(TABLE_EXISTS_MESSAGE, code="unique_together")
        return super().unique_error_message(model_class, unique_check)

    def set_password(self, raw_password):
        self.password = make_password(raw_password)

    def check_password(self, raw_password):
        return check_password(raw_password, self.password)
