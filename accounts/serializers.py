from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ManagerLoginSerializer(serializers.Serializer):
    store_code = serializers.CharField(max_length=30, label=_("store identifier"))
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class StoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UserSerializer(serializers.Serializer):
    username = serializers.CharField()


class ManagerLoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserSerializer()
    store = StoreSerializer()


class TableLoginSerializer(serializers.Serializer):
    store_code = serializers.CharField(max_length=30, label=_("store identifier"))
    table_number = serializers.IntegerField(min_value=1, max_value=2_147_483_647, label=_("table number"))
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class TableRefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(label=_("refresh token"))


class TableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class TableLoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    store = StoreSerializer()
    table = TableSerializer()
