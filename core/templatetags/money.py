"""`{% load money %}` … `{{ order.total|won }}`: amounts in templates as `core.money.won` writes them."""

from django import template

from core import money

register = template.Library()


@register.filter
def won(amount):
    return money.won(amount)
