"""The Swedish catalogue is complete and compiled."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str):
    for raw in text.split("\n\n")[1:]:
        block = "\n".join(line for line in raw.splitlines() if not line.startswith("#|"))
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[-1]))
        msgstrs = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', block)
        yield block, msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs]


def test_every_message_has_a_swedish_translation():
    missing = [
        msgid for block, msgid, strs in _entries(PO.read_text()) if not all(strs) or "#, fuzzy" in block
    ]
    assert missing == []


def test_compiled_catalogue_matches_the_source():
    import codecs
    import gettext

    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def text(value: str) -> str:
        return codecs.decode(value, "unicode_escape").encode("latin-1").decode("utf-8")

    for block, msgid, strs in _entries(PO.read_text()):
        if not msgid or len(strs) != 1:
            continue
        source, expected = text(msgid), text(strs[0])
        context = re.search(r'^msgctxt "(.*)"$', block, re.MULTILINE)
        # A message with a context (pgettext) is looked up with it.
        found = compiled.pgettext(text(context[1]), source) if context else compiled.gettext(source)
        assert found == expected, source


def test_default_language_is_swedish(settings):
    assert settings.LANGUAGE_CODE == "sv"
    with translation.override("sv"):
        assert translation.gettext("Log in") == "Logga in"
