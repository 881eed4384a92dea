"""Korean: "2026년 12월 7일 21:12" (Django's own reads "9:12 오후"); the rest is Django's."""

DATETIME_FORMAT = "Y년 n월 j일 H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
