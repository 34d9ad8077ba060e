"""Decoding page bytes: declared labels (as browsers read them) and detection when undeclared."""

from __future__ import annotations

import pytest

from crawler.decode import decode_html

# (label the page declares, encoding the bytes are really in, text with characters that
# only the browser's reading of the label covers: ① is cp932-only, 镕 GBK-only, 똠 cp949-only)
DECLARED = [
    ("windows-1256", "windows-1256", "قال الرئيس إن المحادثات ستستمر الأسبوع المقبل في القاهرة."),
    ("iso-8859-9", "windows-1254", "İstanbul'da şiddetli yağış ağaçları devirdi; ışıklar söndü."),
    ("Shift_JIS", "cp932", "東京都は新しい防災計画を発表した。①"),
    ("euc-kr", "cp949", "서울시는 새로운 교통 정책을 발표했다. 똠방각하"),
    ("gb2312", "gbk", "北京市政府宣布新的环保措施。朱镕基"),
    ("big5", "big5", "台北市政府宣布新的交通政策。"),
    ("koi8-r", "koi8-r", "Правительство объявило о новых мерах."),
]

UNDECLARED = [
    ("windows-1251", "Правительство объявило о новых мерах поддержки малого бизнеса в регионах."),
    ("windows-1256", "قال الرئيس إن المحادثات ستستمر الأسبوع المقبل في القاهرة وسط توقعات باتفاق."),
    ("windows-1254", "Belediye başkanı, yağışların ardından yeni önlemler açıkladı. Işık."),
    ("cp932", "東京都は新しい防災計画を発表した。地震や台風に備えるための対策が含まれている。"),
    ("cp949", "서울시는 새로운 교통 정책을 발표했다. 시민들의 반응은 엇갈렸다."),
    ("gb18030", "北京市政府宣布新的环保措施，以改善空气质量，市民表示欢迎。"),
]


@pytest.mark.parametrize(("label", "encoding", "text"), DECLARED)
def test_declared_labels_are_read_as_browsers_read_them(
    label: str, encoding: str, text: str
) -> None:
    html = f'<html><head><meta charset="{label}"></head><body><p>{text}</p></body></html>'
    assert decode_html(html.encode(encoding)) == html


@pytest.mark.parametrize(("encoding", "text"), UNDECLARED)
def test_undeclared_encodings_are_detected(encoding: str, text: str) -> None:
    html = f"<html><head><title>x</title></head><body><p>{text}</p><p>{text}</p></body></html>"
    assert decode_html(html.encode(encoding)) == html


def test_http_charset_wins_over_a_wrong_meta_declaration() -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Привет, мир.</p></body></html>'
    assert decode_html(html.encode("windows-1251"), charset="windows-1251") == html


@pytest.mark.parametrize("label", ["shift_jis", "iso-8859-1", "windows-1251"])
def test_utf8_mislabelled_as_another_encoding_is_read_as_utf8(label: str) -> None:
    html = f'<html><head><meta charset="{label}"></head><body><p>Ça va, café crème.</p>'
    assert decode_html(html.encode("utf-8")) == html


def test_utf8_page_with_a_stray_latin1_byte_stays_utf8() -> None:
    # A real blog: declared UTF-8, with one Latin-1 "ä" pasted into an ad script's comment.
    body = "<p>Eine Intellektuelle, die hauptsächlich mit sich selbst beschäftigt ist.</p>"
    page = (
        b'<html><head><meta charset="UTF-8"><script>/* M\xe4scot */</script></head><body>'
        + body.encode("utf-8")
        + b"</body></html>"
    )
    text = decode_html(page)
    assert body in text
    assert "M\ufffdscot" in text
