"""Ticket, bill and test-page layouts, decoded as a Korean printer prints them."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import override

from kitchen.escpos import text_width
from kitchen.receipts import BillLine, BillPrint, TicketLine, TicketPrint, bill_bytes, test_page_bytes, ticket_bytes
from printagent.tests.fake_printer import decode

ORDERED_AT = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)  # 00:30 on 12-08 in Seoul


def make_ticket(**fields):
    values = {
        "store_name": "알파 식당",
        "station_name": "주방",
        "table_number": 7,
        "display_number": "#0042",
        "created_at": ORDERED_AT,
        "lines": [TicketLine("김치찌개", 2, ["곱빼기", "덜 맵게"]), TicketLine("공기밥", 1)],
        "note": "수저 하나 더 주세요",
        "kind": "order",
    } | fields
    return TicketPrint(**values)


def render_ticket(columns=42, **fields):
    with override("ko"):
        return ticket_bytes(make_ticket(**fields), columns=columns)


def test_ticket_shows_station_table_order_time_lines_and_note():
    page = decode(render_ticket())

    assert page.korean_mode
    assert "주방" in page.lines
    assert any(line.startswith("주문 #0042") and line.endswith("2026-12-08 00:30") for line in page.lines)
    assert "김치찌개" + " " * 31 + "×2" in page.lines
    assert "  + 곱빼기" in page.lines
    assert "  + 덜 맵게" in page.lines
    assert "요청: 수저 하나 더 주세요" in page.lines
    assert page.lines.index("  + 곱빼기") < page.lines.index("공기밥" + " " * 33 + "×1")


def test_station_name_is_cp949_on_the_wire():
    assert b"\xc1\xd6\xb9\xe6\n" in render_ticket()


def test_table_number_is_double_size_between_its_size_commands():
    data = render_ticket()

    table = "테이블 7".encode("cp949")
    assert b"\x1d!\x11" + table + b"\n\x1d!\x00" in data
    assert decode(data).find("테이블 7").double_size


def test_time_prints_in_seoul_whatever_zone_it_comes_in():
    new_york = datetime(2026, 12, 7, 10, 30, tzinfo=ZoneInfo("America/New_York"))  # 15:30 UTC

    assert "2026-12-08 00:30" in decode(render_ticket(created_at=new_york)).text


@pytest.mark.parametrize(
    ("kind", "header"),
    [("reprint", "재출력"), ("cancel", "*** 취소 ***")],
)
def test_reprint_and_cancel_have_a_double_size_header(kind, header):
    page = decode(render_ticket(kind=kind))

    assert page.lines[0] == header
    assert page.find(header).double_size


def test_an_order_ticket_has_no_header():
    text = decode(render_ticket(kind="order")).text

    assert "재출력" not in text
    assert "취소" not in text


def test_the_cut_is_last():
    data = render_ticket()

    assert data.endswith(b"\x1dVB\x03")
    assert decode(data).cuts == 1


def test_a_long_line_wraps_within_the_width():
    name = "스페셜 모둠 해산물 철판 볶음밥 곱빼기 세트 메뉴"
    page = decode(render_ticket(columns=32, lines=[TicketLine(name, 3)]))

    first = next(index for index, line in enumerate(page.lines) if line.startswith("스페셜"))
    assert page.lines[first].endswith(" ×3")
    assert all(text_width(line) <= 32 for line in page.lines)
    assert (page.lines[first][:-2].rstrip() + " " + page.lines[first + 1]) == name


def test_no_note_no_request_line():
    assert "요청" not in decode(render_ticket(note="")).text


def test_unencodable_characters_in_a_name_print_as_question_marks():
    page = decode(render_ticket(lines=[TicketLine("🔥불닭", 1)], note="맵게 🌶️"))

    assert any(line.startswith("?불닭") for line in page.lines)
    assert "요청: 맵게 ??" in page.lines


def test_labels_follow_the_active_language():
    with override("en"):
        text = decode(ticket_bytes(make_ticket(kind="reprint"))).text

    assert "Reprint" in text
    assert "Table 7" in text


def make_bill(split=None):
    return BillPrint(
        store_name="알파 식당",
        table_number=3,
        opened_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        printed_at=ORDERED_AT,
        lines=[
            BillLine("김치찌개", ["곱빼기"], 9000, 2, 18000),
            BillLine("공기밥", [], 1000, 1, 1000),
        ],
        total=19000,
        order_count=2,
        split=split,
    )


def test_bill_lists_amounts_right_aligned_and_the_total():
    with override("ko"):
        page = decode(bill_bytes(make_bill()))

    assert page.lines[0] == "계산서"
    assert page.find("계산서").double_size
    assert "테이블 3" in page.lines
    assert any(line.startswith("입장") and line.endswith("2026-12-07 18:00") for line in page.lines)
    amount_line = next(line for line in page.lines if line.startswith("김치찌개 ×2"))
    assert amount_line.endswith("18,000원")
    assert text_width(amount_line) == 42
    assert "  + 곱빼기" in page.lines
    total = next(line for line in page.lines if line.startswith("합계"))
    assert total.endswith("19,000원")
    assert "주문 2건" in page.lines
    assert "나눠" not in page.text
    assert page.cut_last


def test_bill_prints_even_split_shares():
    with override("ko"):
        page = decode(bill_bytes(make_bill(split=[6400, 6300, 6300])))

    assert "3명 나눠 내기" in page.lines
    shares = [line for line in page.lines if line.startswith(("1번째", "2번째", "3번째"))]
    assert [line.split()[-1] for line in shares] == ["6,400원", "6,300원", "6,300원"]


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_test_page_has_a_ruler_of_the_width(columns):
    with override("ko"):
        page = decode(test_page_bytes("알파 식당", "주방 프린터", ORDERED_AT, columns=columns))

    assert page.lines[0] == "테스트 출력"
    assert "프린터: 주방 프린터" in page.lines
    assert "2026-12-08 00:30" in page.lines
    ruler = next(line for line in page.lines if line.startswith("1234567890"))
    assert len(ruler) == columns
    assert any("가나다라" in line for line in page.lines)
    assert page.cut_last
