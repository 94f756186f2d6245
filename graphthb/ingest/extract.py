"""Identifiers hidden in an ad's title and text: phones, e-mails, handles, wallets, URLs.

Ads hide contact details from scrapers and moderators: digits written as words
in a dozen languages (``zero six 12 34 five six 78``), letters for digits
(``O6 I2 34 S6 78``), digits spaced or punctuated (``0 6 1 2 ...``,
``06.12.34.56.78``), emoji and fullwidth digits, e-mails as
``anna [at] mail [dot] com``, handles after a service word
(``telegram @anna_vip``, ``tg: anna_vip``). :func:`extract` undoes these and
hands every candidate to the normalisers in :mod:`graphthb.ingest.normalize`,
so a value found in text gets the same key as the same value in a column.

Ads are also full of numbers that are not phones: ages, prices, hours, dates,
measurements, ``24/7``. A run of digits only becomes a phone if phonenumbers
calls it valid for the record's country (or it is written with ``+``/``00``),
its national part has at least 8 digits, and the parts of it that read as a
date, a time, a price, an age or a measurement are set aside first. Where a
number may start follows the country's numbering in phonenumbers' metadata:
its international prefixes, its trunk prefix, and its formats that leave the
trunk prefix out (``415-666-7777`` in the US, ``(11) 98765-4321`` in Brazil).
A run of 8 to 15 digits that still fails is reported in ``unparsed_phones``
for the analyst, never linked. docs/extraction.md lists every form read.

Extraction dominates ingest time, so the common path is built from C-speed
string operations: the text is split into words once, and each stage runs only
when a set lookup or a substring test shows it may find something. The regular
expressions that do run either start with a literal or a digit (which the
regex engine skips to quickly) or are built for the few words actually present
(number words: for their languages, so that few patterns are ever compiled).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

from graphthb.ingest import normalize as norm
from graphthb.ingest import numbering

__all__ = ["MAX_TEXT_CHARS", "NUMBER_WORDS", "Extracted", "extract"]


@dataclass(slots=True)
class Extracted:
    """What :func:`extract` found, each list deduplicated and in order of appearance.

    ``phones`` holds every valid number however it was written, including the
    numbers behind ``wa.me/...`` links and ``whatsapp: +31...``; ``handles``
    holds :func:`~graphthb.ingest.normalize.handle` results, so a number given
    for WhatsApp appears there as ``("Phone", e164)`` as well. ``urls`` leaves
    out links that are handles (``t.me/...``). ``unparsed_phones`` holds digit
    strings (``+`` kept) that looked like phone numbers but did not validate.
    """

    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[tuple[str, str]] = field(default_factory=list)
    wallets: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    unparsed_phones: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Collecting what was found


class _Found:
    """(value -> first position) per list; the lists come out ordered by position."""

    __slots__ = ("phones", "emails", "handles", "wallets", "urls", "unparsed", "taken")

    def __init__(self) -> None:
        self.phones: dict[str, int] = {}
        self.emails: dict[str, int] = {}
        self.handles: dict[tuple[str, str], int] = {}
        self.wallets: dict[str, int] = {}
        self.urls: dict[str, int] = {}
        self.unparsed: dict[str, int] = {}
        # Spans already read as something; later stages skip them, and the
        # phone stage never reads digits inside a link, address or wallet.
        self.taken: list[tuple[int, int]] = []

    @staticmethod
    def put(bucket: dict, value: object, pos: int) -> None:
        if value not in bucket or bucket[value] > pos:
            bucket[value] = pos

    def add_handle(self, pair: tuple[str, str], pos: int) -> None:
        self.put(self.handles, pair, pos)
        if pair[0] == "Phone":
            self.put(self.phones, pair[1], pos)

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.taken)

    def result(self) -> Extracted:
        phones, emails, handles = self.phones, self.emails, self.handles
        wallets, urls, unparsed = self.wallets, self.urls, self.unparsed
        if not (phones or emails or handles or wallets or urls or unparsed):
            return Extracted([], [], [], [], [], [])  # two ads in five: skip the six sorts
        if unparsed:
            unparsed = {d: p for d, p in unparsed.items() if d not in phones}
        return Extracted(
            _ordered(phones),
            _ordered(emails),
            _ordered(handles),
            _ordered(wallets),
            _ordered(urls),
            _ordered(unparsed),
        )


def _ordered(bucket: dict) -> list:
    return sorted(bucket, key=bucket.__getitem__) if len(bucket) > 1 else list(bucket)


# Characters that glue words together in ads ("zero-six", "tg:anna", "(six)").
_TOKEN_GLUE = ("-", ",", ".", ":", "/", "@", "(", ")", "[", "]", "{", "}", "<", ">", "!", "?",
               ";", "|", "=", "+")  # fmt: skip


def _words(low: str) -> frozenset[str]:
    """The words of ``low`` that some stage asks about (:data:`_ASKED_WORDS`).

    Stages only ever intersect the words with their own word lists, so the
    other words (nearly all of them) are not kept in a set of their own.
    """
    for char in _TOKEN_GLUE:
        if char in low:
            low = low.replace(char, " ")
    return _ASKED_WORDS.intersection(low.split())


# ---------------------------------------------------------------------------
# Digits written as words

NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    # Words that are just as often ordinary words in these ads (English "sex",
    # German "hat", Danish and Norwegian "en", "to") are left out.
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "de": ("null", "eins", "zwei|zwo", "drei", "vier", "fünf|fuenf|funf", "sechs", "sieben",
           "acht", "neun"),
    "fr": ("zéro", "un|une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    "es": ("cero", "uno|una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
           "nueve"),
    "it": ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"),
    "pt": ("zero", "um|uma", "dois|duas", "três", "quatro", "cinco", "seis", "sete", "oito",
           "nove"),
    "nl": ("nul", "een|één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"),
    "pl": ("zero", "jeden|jedna|jedno", "dwa|dwie", "trzy", "cztery", "pięć|piec", "sześć|szesc",
           "siedem", "osiem", "dziewięć|dziewiec"),
    "ro": ("zero", "unu", "doi|două|doua", "trei", "patru", "cinci", "șase|şase|sase",
           "șapte|şapte|sapte", "opt", "nouă|noua"),
    "cs": ("nula", "jedna|jeden", "dva|dvě|dve", "tři|tri", "čtyři|ctyri", "pět", "šest|sest",
           "sedm", "osm", "devět|devet"),
    "hu": ("nulla", "egy", "kettő|ketto|két", "három|harom", "négy|negy", "öt", "", "hét",
           "nyolc", "kilenc"),
    "sv": ("noll", "ett", "två|tva", "tre", "fyra", "fem", "", "sju", "åtta|atta", "nio"),
    "el": ("μηδέν|μηδεν", "ένα|ενα", "δύο|δυο", "τρία|τρια", "τέσσερα|τεσσερα", "πέντε|πεντε",
           "έξι|εξι", "επτά|επτα|εφτά|εφτα", "οκτώ|οκτω|οχτώ|οχτω", "εννέα|εννεα|εννιά|εννια"),
    "bg": ("нула", "едно|една|един", "две|два", "три", "четири", "пет", "шест", "седем", "осем",
           "девет"),
    "uk": ("нуль", "один|одна", "два|дві", "три", "чотири", "п'ять|п’ять|пʼять", "шість", "сім",
           "вісім", "дев'ять|дев’ять|девʼять"),
    "ru": ("ноль|нуль", "один|одна", "два|две", "три", "четыре", "пять", "шесть", "семь",
           "восемь", "девять"),
}  # fmt: skip
# Ten to nineteen, then twenty, thirty ... ninety, in the languages where
# they are single words. "once" (es 11) and "seize" (fr 16) are English words.
TEENS_AND_TENS: dict[str, tuple[str, ...]] = {
    "en": ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
           "eighteen", "nineteen", "twenty", "thirty", "forty|fourty", "fifty", "sixty", "seventy",
           "eighty", "ninety"),
    "de": ("zehn", "elf", "zwölf|zwoelf", "dreizehn", "vierzehn", "fünfzehn|fuenfzehn", "sechzehn",
           "siebzehn", "achtzehn", "neunzehn", "zwanzig", "dreißig|dreissig", "vierzig",
           "fünfzig|fuenfzig", "sechzig", "siebzig", "achtzig", "neunzig"),
    "fr": ("dix", "onze", "douze", "treize", "quatorze", "quinze", "", "", "", "", "vingt|vingts",
           "trente", "quarante", "cinquante", "soixante", "", "", ""),
    "es": ("diez", "", "doce", "trece", "catorce", "quince", "dieciséis|dieciseis", "diecisiete",
           "dieciocho", "diecinueve", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta",
           "setenta", "ochenta", "noventa"),
    "it": ("dieci", "undici", "dodici", "tredici", "quattordici", "quindici", "sedici",
           "diciassette", "diciotto", "diciannove", "venti", "trenta", "quaranta", "cinquanta",
           "sessanta", "settanta", "ottanta", "novanta"),
    "pt": ("dez", "onze", "doze", "treze", "catorze|quatorze", "quinze", "dezesseis|dezasseis",
           "dezessete|dezassete", "dezoito", "dezenove|dezanove", "vinte", "trinta", "quarenta",
           "cinquenta", "sessenta", "setenta", "oitenta", "noventa"),
    "nl": ("tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
           "achttien", "negentien", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig",
           "tachtig", "negentig"),
    "ru": ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
           "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать", "двадцать", "тридцать",
           "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"),
}  # fmt: skip
# Words that stand for digits only when glued to digits or to number words
# ("for80", "one9zerofor"): alone they are ordinary words.
GLUED_ONLY_WORDS = {"for": "4"}
# Articles and the like: alone they never start digitising a text.
_WEAK_WORDS = frozenset(
    {"un", "une", "uno", "una", "um", "uma", "een", "egy", "ett", "onze", "elf", "doze", "quince"}
)
MULTIPLIERS = {"double": 2, "triple": 3, "doppel": 2, "dreifach": 3}


def _spellings() -> list[tuple[str, str, str]]:
    """(language, word, the digits it stands for) for every number word."""
    out = []
    for language, words in NUMBER_WORDS.items():
        for digit, spellings in enumerate(words):
            out += [(language, word, str(digit)) for word in spellings.split("|") if word]
    for language, words in TEENS_AND_TENS.items():
        for k, spellings in enumerate(words):
            value = str(10 + k) if k < 10 else str((k - 8) * 10)
            out += [(language, word, value) for word in spellings.split("|") if word]
    return out


def _word_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for _, word, digits in _spellings():
        table.setdefault(word, digits)
    return table


_WORD_DIGIT = _word_table()
_TEEN_AND_TEN_WORDS = frozenset(w for w, digits in _WORD_DIGIT.items() if len(digits) == 2)
# split() on "п'ять" keeps the apostrophe, so the set holds the words as split.
_WORD_SET = frozenset(_WORD_DIGIT)
# Teens and tens alone ("thirty minutes", "ten years") never start digitising
# either: a number spelled out in them has digit words too, or is glued.
_STRONG_WORD_SET = _WORD_SET - _WEAK_WORDS - _TEEN_AND_TEN_WORDS


# What may stand before a word that :func:`_alternation` looks for.
_WORD_START = r"[\s\-,.;:/()\[\]!?\"'+|=]"


@lru_cache(maxsize=2048)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """The few words one text contains, each right after a space or punctuation.

    The pattern starts with that character (no look-behind, no flags), so the
    regex engine skips from word start to word start; group 1 is the word and
    the end of the word is checked on each match. Search ``" " + low``.
    """
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"{_WORD_START}({alternation})")


def _language_words() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(the language each number word is first listed under, the words of each language)."""
    language_of: dict[str, str] = {}
    for language, word, _ in _spellings():
        language_of.setdefault(word, language)
    words_of: dict[str, list[str]] = {}
    for word, language in language_of.items():
        words_of.setdefault(language, []).append(word)
    return language_of, {language: tuple(sorted(ws)) for language, ws in words_of.items()}


_LANGUAGE_OF, _WORDS_OF = _language_words()


@lru_cache(maxsize=256)
def _number_words_of(languages: tuple[str, ...]) -> re.Pattern[str]:
    """:func:`_alternation` of every number word of these languages.

    One pattern per set of languages rather than per set of words keeps the
    compiled patterns few. A text's own words are picked out of the matches,
    which are then the ones a pattern of the text's own words would give: the
    pattern tries the longest word first, and where it matches a word the text
    lacks, a shorter word of the text there would end inside a word (every
    number word that starts another is followed there by a letter).
    """
    return _alternation(tuple(sorted({w for lang in languages for w in _WORDS_OF[lang]})))


@lru_cache(maxsize=256)
def _digit_words_of(languages: tuple[str, ...]) -> re.Pattern[str]:
    """:func:`_number_words_of` without the teens and tens, for the many texts
    that have none: a third of the words, so each word start is tried faster."""
    return _alternation(
        tuple(sorted({w for lang in languages for w in _WORDS_OF[lang]} - _TEEN_AND_TEN_WORDS))
    )


@lru_cache(maxsize=256)
def _number_word(word: str) -> re.Pattern[str]:
    """:func:`_alternation` of one word, for the many texts with one ("one hour").

    It starts with the word itself, which the regex engine finds much faster
    than a word start, and looks back for the character before. The matches
    are the same: that character cannot be the end of an earlier match, since
    every number word ends in a letter.
    """
    return re.compile(rf"({re.escape(word)})(?<={_WORD_START}{re.escape(word)})")


_MULTIPLIER_BEFORE = re.compile(rf"({'|'.join(MULTIPLIERS)})\s+\Z")
_MULTIPLIED_DIGIT = re.compile(rf"(?:{'|'.join(MULTIPLIERS)})\s+[0-9](?![0-9])")


def _bounded(low: str, start: int, end: int) -> bool:
    """True if low[start:end] is a whole word."""
    return not (start > 0 and _is_word_char(low[start - 1])) and not (
        end < len(low) and _is_word_char(low[end])
    )


class _Positions:
    """Maps a position in the digitised text back to the text it came from."""

    __slots__ = ("ends", "shifts")

    def __init__(self) -> None:
        self.ends: list[int] = []
        self.shifts: list[int] = []

    def original(self, pos: int) -> int:
        i = bisect.bisect_right(self.ends, pos)
        return pos + (self.shifts[i - 1] if i else 0)


# The positions of a text that was not digitised (never changed).
_NO_SHIFTS = _Positions()


def _digitise(
    text: str, low: str, words: tuple[str, ...], glued: list[tuple[int, int, str]]
) -> tuple[str, _Positions]:
    """Number words to digits: ``zero six`` -> ``0 6``, ``double five`` -> ``55``,
    ``twenty-five`` -> ``25``; ``glued`` are (start, end, digits) of tokens
    already read by :func:`_glued_tokens`.

    ``low`` is ``text`` in lower case, position for position.
    """
    replacements = list(glued)
    multiplied = any(w in MULTIPLIERS for w in words)
    wanted = frozenset(w for w in words if w not in MULTIPLIERS)
    if not wanted:
        pattern = None
    elif len(wanted) == 1:
        pattern = _number_word(next(iter(wanted)))
    else:
        languages = tuple(sorted({_LANGUAGE_OF[w] for w in wanted}))
        if wanted.isdisjoint(_TEEN_AND_TEN_WORDS):
            pattern = _digit_words_of(languages)
        else:
            pattern = _number_words_of(languages)
    for m in pattern.finditer(" " + low) if pattern is not None else ():
        if m.group(1) not in wanted:
            continue  # a word of the same languages, not one of this text's words
        start, end = m.start(1) - 1, m.end(1) - 1
        if end < len(low) and _is_word_char(low[end]):
            continue
        times = 1
        if multiplied:
            before = _MULTIPLIER_BEFORE.search(low, max(0, start - 16), start)
            if before is not None and _bounded(low, before.start(), before.end() - 1):
                times = MULTIPLIERS[before.group(1)]
                start = before.start()
        replacements.append((start, end, _WORD_DIGIT[m.group(1)] * times))
    if multiplied:
        for m in _MULTIPLIED_DIGIT.finditer(low):
            if _bounded(low, m.start(), m.end()):
                word = low[m.start() : m.end() - 1].split()[0]
                replacements.append((m.start(), m.end(), m.group(0)[-1] * MULTIPLIERS[word]))
    positions = _Positions()
    if not replacements:
        return text, positions
    replacements.sort()
    replacements = _join_tens(low, replacements)
    pieces: list[str] = []
    last = new_len = 0
    for start, end, digits in replacements:
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(digits)
        new_len += start - last + len(digits)
        last = end
        positions.ends.append(new_len)
        positions.shifts.append(last - new_len)
    pieces.append(text[last:])
    return "".join(pieces), positions


# What may stand between a tens word and its unit: "twenty five", "vingt-cinq",
# "treinta y cinco", "trenta e uno", "двадцать пять".
_TENS_JOINERS = frozenset({" ", "-", " y ", " e ", " et ", " and ", " und ", " en "})


def _is_tens(digits: str) -> bool:
    return len(digits) == 2 and digits[1] == "0"


def _join_tens(low: str, replacements: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A tens word and the unit word after it are one number: ``twenty five`` is 25.

    French counts on from sixty and eighty in twenties: ``soixante-dix-huit``
    is 78, ``quatre-vingt-douze`` 92.
    """
    joined: list[tuple[int, int, str]] = []
    for start, end, digits in replacements:
        if joined:
            p_start, p_end, p_digits = joined[-1]
            if p_end <= start and low[p_end:start] in _TENS_JOINERS:
                number = None
                if len(digits) == 1 and digits != "0" and _is_tens(p_digits):
                    number = p_digits[0] + digits
                elif p_digits in ("60", "80") and len(digits) == 2 and digits[0] == "1":
                    number = str(int(p_digits) + int(digits))
                elif p_digits == "4" and low[start:end] in ("vingt", "vingts"):
                    number = "80"
                if number is not None:
                    joined[-1] = (p_start, end, number)
                    continue
        joined.append((start, end, digits))
    return joined


_GLUED_WORDS = {**_WORD_DIGIT, **GLUED_ONLY_WORDS}
_GLUED_LENGTHS = sorted({len(w) for w in _GLUED_WORDS}, reverse=True)
# A digit glued to three letters, before or after: where "for80", "2sixseven"
# or "13seventeen" may be. Bytes of the UTF-8 text are mapped to digit "0",
# letter "a" (every non-ASCII byte counts as one) or space; two substring
# tests on that are twice as fast as the regular expression below, which then
# finds the places in the few texts that have one.
_GLUE_CLASSES = bytes(
    ord("0") if 48 <= i <= 57 else ord("a") if 65 <= i <= 90 or 97 <= i <= 122 or i >= 128 else 32
    for i in range(256)
)
_GLUED_HINT = re.compile(r"[0-9](?:(?<=[^\W\d_]{3}[0-9])|[^\W\d_]{3})")
# Then the digit must touch the start or the end of a number word: "30min",
# "trc20" and "dates4u" do not, and are not looked at further.
_GLUED_STARTS = frozenset(w[:3] for w in _GLUED_WORDS if len(w) >= 3)
_GLUED_ENDS = frozenset(w[-3:] for w in _GLUED_WORDS if len(w) >= 3)


def _glue_points(low: str) -> list[int]:
    """Positions of the digits that touch three letters before or after."""
    classes = low.encode("utf-8", "surrogatepass").translate(_GLUE_CLASSES)
    after = classes.find(b"aaa0")
    # Searched backwards, "0aaa" is found by skipping to the rare "0": forwards
    # the search would stop at every "a".
    before = classes.rfind(b"0aaa")
    if after < 0 and before < 0:
        return []
    if not low.isascii():  # byte positions are not character positions
        return [m.start() for m in _GLUED_HINT.finditer(low)]
    points = []
    while after >= 0:
        points.append(after + 3)
        after = classes.find(b"aaa0", after + 1)
    while before >= 0:
        points.append(before)
        before = classes.rfind(b"0aaa", 0, before)
    return sorted(points)


@lru_cache(maxsize=20_000)
def _glued_digits(token: str) -> str | None:
    """The digits of a token made only of digits and number words, with at least
    one word: ``2sixseven`` -> ``267``, ``13seventeen`` -> ``1317``,
    ``twentyfive9`` -> ``259``; None for any other token (``150eur``, ``22h``).
    """
    n = len(token)
    # read[i]: the pieces (digits, is a word) that token[i:] splits into, or None.
    read: list[tuple[tuple[str, bool], ...] | None] = [None] * (n + 1)
    read[n] = ()
    for i in range(n - 1, -1, -1):
        if "0" <= token[i] <= "9":
            rest = read[i + 1]
            if rest is not None:
                read[i] = ((token[i], False), *rest)
            continue
        for length in _GLUED_LENGTHS:
            if i + length > n:
                continue
            digits = _GLUED_WORDS.get(token[i : i + length])
            rest = read[i + length]
            if digits is not None and rest is not None:
                read[i] = ((digits, True), *rest)
                break
    pieces = read[0]
    if not pieces or not any(is_word for _, is_word in pieces):
        return None
    out = []
    for k, (digits, _) in enumerate(pieces):
        if k and len(digits) == 1 and digits != "0" and pieces[k - 1][1] and _is_tens(out[-1]):
            out[-1] = out[-1][0] + digits  # twentyfive, fifty6
        else:
            out.append(digits)
    return "".join(out)


def _glued_tokens(low: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of the tokens where digits and number words are glued."""
    found = []
    last_end = 0
    n = len(low)
    for at in _glue_points(low):
        if at < last_end or (
            low[at + 1 : at + 4] not in _GLUED_STARTS
            and low[max(0, at - 3) : at] not in _GLUED_ENDS
        ):
            continue
        start = at
        while start > 0 and low[start - 1].isalnum():
            start -= 1
        end = at + 1
        while end < n and low[end].isalnum():
            end += 1
        last_end = end
        digits = _glued_digits(low[start:end])
        if digits is not None:
            found.append((start, end, digits))
    return found


# ---------------------------------------------------------------------------
# Letters for digits

_LOOKALIKE_TOKEN = re.compile(r"[0-9OoIlSBZОо|]+")
_DIGIT_CHARS = frozenset("0123456789")
# One lookalike letter standing alone between digits: "0 6 I 2 3 4".
_LONE_LOOKALIKE = re.compile(r"\d[ .\-](?=[OoIlSBZОо][ .\-]\d)")


def _word_list(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@lru_cache(maxsize=20_000)
def _lookalikes(text: str) -> str:
    """Read O, I, l, |, S, B, Z as digits inside tokens made of digits and those letters.

    ``O6 I2 34 S6 78`` becomes ``06 12 34 56 78``, and a lone letter between
    digits (``0 6 I 2``) becomes a digit; ``Oslo``, ``SOS`` and ``75B cup``
    are untouched (no digit in the token, or a letter that is not a
    lookalike). Called on short windows around digit clusters.
    """
    spans = []
    n = len(text)
    for m in _LOOKALIKE_TOKEN.finditer(text):
        start, end = m.span()
        token = m.group(0)
        if token.isdigit() or not any(c in _DIGIT_CHARS for c in token):
            continue
        if (start > 0 and _is_word_char(text[start - 1])) or (end < n and _is_word_char(text[end])):
            continue
        spans.append((start, end))
    spans += [(m.end(), m.end() + 1) for m in _LONE_LOOKALIKE.finditer(text)]
    if not spans:
        return text
    pieces = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(text[start:end].translate(norm.LOOKALIKE_DIGITS))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


# ---------------------------------------------------------------------------
# Phone numbers, and the numbers that are not

# Runs of at least 8 digits with up to 3 separators between any two. The
# pattern starts with a digit, so the engine skips quickly through the rest.
# Separators: spaces, dots, slashes, dashes and brackets as numbers are
# written, and the characters ads put between digits to slip past filters
# ("587*800*2406", "~317~371~2144~", "5@7@4@4", "+9197;11;50;88;88").
# Only Latin-1 characters, so that the regex engine tests them in one bitmap
# look-up: the wide dashes and bullets are made "-" first (_WIDE_SEPARATOR).
_SEP = "[ \t\u00a0./\\-()~*@;_·]"
_WIDE_SEPARATOR = re.compile("[–—‐‑‒―•]")


def _has_wide_separator(text: str) -> bool:
    # Each test returns at once on a Latin-1 string, which cannot hold them.
    return (
        "–" in text
        or "—" in text
        or "‐" in text
        or "‑" in text
        or "‒" in text
        or "―" in text
        or "•" in text
    )


_RUN8 = re.compile(rf"[0-9](?:{_SEP}{{0,3}}[0-9]){{7,}}")
# Where digits or lookalike letters stand close together: the only places a
# phone can be. One scan finds them; the work above runs inside them.
# Digits close together, where lookalike letters count as digits unless another
# letter follows ("O6", not "Oslo"): the only places a phone can be. It starts
# at a digit so that the regex engine skips quickly through plain text; a
# leading "O" or "I" is picked up by looking back a few characters. The
# look-behind after the first digit keeps it from restarting inside a number.
_CLUSTER = re.compile(
    rf"[0-9](?<![0-9][0-9])(?:{_SEP}{{0,3}}+(?:[0-9]|[OoIlSBZОо|](?![^\W\d_OoIlSBZОо]))){{6,}}"
)
# Runs that are one date or one time range, the commonest 8-digit runs in ads.
_NOT_A_PHONE = re.compile(
    r"(?:0?[1-9]|[12][0-9]|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)?[0-9]{2}"
    r"|(?:19|20)[0-9]{2}([./-])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12][0-9]|3[01])"
    r"|[0-2]?[0-9]\.[0-5][0-9] ?[-–] ?[0-2]?[0-9]\.[0-5][0-9]"
)
# A lookalike letter that no other letter touches ("O6", "I 2"; not "tel.", "Oslo").
_LOOKALIKE_LETTER = re.compile(r"(?<![^\W\d_OoIlSBZОо])[OoIlSBZОо|](?![^\W\d_OoIlSBZОо])")
_GROUPS = re.compile(r"([0-9]+)([^0-9]*)")
_MIN_NATIONAL_DIGITS = 8

_CURRENCY_SYMBOLS = "€$£₴₽₺₿"
# What may follow the last group of a run and make it a quantity, not a phone's end.
_AFTER_RUN = re.compile(
    r"\s?(?:(?P<money>[€$£₴₽₺₿]|eur(?:o|os)?\b|usd\b|gbp\b|chf\b|zł|zl\b|pln\b|lei\b|ron\b|kč|czk\b|"
    r"ft\b|huf\b|грн|uah\b|руб|rub\b|лв|kr\b|sek\b|nok\b|dkk\b|tl\b|mdl\b|rsd\b|din\b|btc\b|"
    r"usdt\b|eth\b|dollars?\b|pounds?\b|\s?/\s?\d*\s?(?:h|hr|hrs|hour|std|min|mins|ч|час)\b)"
    r"|(?P<unit>cm|kg|lbs?|yo\b|y\.o|y\s?o\b|years?\b|yrs?\b|jahre\b|j\.|ans\b|años\b|anos\b|"
    r"anni\b|lat\b|let\b|jaar\b|år\b|éves\b|ani\b|години|років|роки|лет\b|года?\b|χρονών|ετών))",
    re.IGNORECASE,
)


def _plausible_date(day: str, month: str, year: str) -> bool:
    return (
        len(day) <= 2
        and len(month) <= 2
        and 1 <= int(day) <= 31
        and 1 <= int(month) <= 12
        and (len(year) == 2 or (len(year) == 4 and year[:2] in ("19", "20")))
    )


def _barred_groups(groups: list[str], seps: list[str]) -> set[int]:
    """Indexes of digit groups that read as a date, a time, a measure or 24/7.

    ``seps[i]`` is what follows ``groups[i]``. A date must not be part of a
    longer chain with the same separator: ``06.12.34.56.78`` is a phone.
    """
    barred: set[int] = set()
    n = len(groups)
    for i in range(n - 1):
        a, raw_sep, b = groups[i], seps[i], groups[i + 1]
        sep = raw_sep.strip()
        before = seps[i - 1] if i > 0 else ""
        after = seps[i + 1] if i + 2 < n else ""
        plain_sep = sep in (".", ",") and raw_sep == sep
        if plain_sep and before != raw_sep and after != raw_sep and a in ("1", "2") and len(b) == 2:
            # A height (1.70), and the weight and measures that follow it.
            barred.update((i, i + 1))
            k = i + 2
            while k < n and len(groups[k]) <= 3:
                barred.add(k)
                k += 1
        if i + 2 < n and sep in (".", "/", "-") and seps[i + 1] == raw_sep:
            c = groups[i + 2]
            after = seps[i + 2] if i + 3 < n else ""
            if before != raw_sep and after != raw_sep:
                if _plausible_date(a, b, c) or (len(a) == 4 and _plausible_date(c, b, a)):
                    barred.update((i, i + 1, i + 2))
                elif all(len(g) in (2, 3) for g in (a, b, c)) and (
                    60 <= int(a) <= 149 and 40 <= int(b) <= 99 and 60 <= int(c) <= 149
                ):
                    barred.update((i, i + 1, i + 2))  # 90-60-90
        if (
            i + 3 < n
            and sep == "."
            and seps[i + 2].strip() == "."
            and seps[i + 1].strip() in ("-", "–", "—")
            and len(a) <= 2
            and len(b) == 2
            and len(groups[i + 3]) == 2
            and int(a) <= 24
            and int(groups[i + 2]) <= 24
        ):
            barred.update((i, i + 1, i + 2, i + 3))  # 10.00-22.00
        if a == "24" and sep == "/" and b == "7":
            barred.update((i, i + 1))
    if n >= 4 and _decimals_side_by_side(seps):
        barred.update(range(n))
    return barred


def _decimals_side_by_side(seps: list[str]) -> bool:
    """Whether the groups are decimals between spaces: ``415.66 677.77``, ``80.585 79.964``.

    A number written with dots has more than one (``415.666.7777``) or its
    other parts have none; two or more words of exactly one dot each are
    amounts.
    """
    words = dots = 0
    for sep in seps[:-1]:
        if sep == ".":
            dots += 1
        elif sep and sep.isspace():
            if dots != 1:
                return False
            words, dots = words + 1, 0
        else:
            return False
    return words >= 1 and dots == 1


@lru_cache(maxsize=100_000)
def _text_phone(digits: str, international: bool, region: str | None) -> str | None:
    """E.164 for a digit window from text: valid, and at least 8 national digits.

    National digits are read in the region first, which knows its own
    international prefixes (``011`` in the US, ``0011`` in Australia, ``810``
    in Russia, ``008`` in Singapore); ``00`` is read as one anywhere, since
    travellers write it whatever the country.
    """
    if international:
        found = norm.valid_number("+" + digits, None)
    elif region is not None:
        found = norm.valid_number(digits, region)
        if found is None and digits.startswith("00"):
            found = norm.valid_number("+" + digits[2:], None)
    elif digits.startswith("00"):
        found = norm.valid_number("+" + digits[2:], None)
    else:
        return None
    if found is None or found[1] < _MIN_NATIONAL_DIGITS:
        return None
    return found[0]


@lru_cache(maxsize=512)
def _trunk_prefix(region: str | None) -> tuple[str | None, str]:
    """(national trunk prefix or None, country calling code) of a region."""
    if region is None:
        return None, ""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None, ""
    return metadata.national_prefix, str(metadata.country_code)


# A formatting rule that only wraps the first group ("(\1)", Brazil's area
# codes) writes no trunk prefix: libphonenumber's matcher reads it the same way.
_FIRST_GROUP_ONLY = re.compile(r"\(?\\1\)?")
_GROUP_SIZE = re.compile(r"\\d(?:\{(\d+)(?:,(\d+))?\})?")


def _prefix_required(fmt: phonenumbers.NumberFormat) -> bool:
    """Whether numbers of this format are written with the trunk prefix."""
    rule = fmt.national_prefix_formatting_rule
    if not rule or fmt.national_prefix_optional_when_formatting:
        return False
    return _FIRST_GROUP_ONLY.fullmatch(rule) is None


def _formats(country_code: int) -> list[phonenumbers.NumberFormat]:
    """The national formats of a calling code, from its main region (CA uses the US's)."""
    main = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(main)
    return list(metadata.number_format) if metadata is not None else []


def _longest(fmt: phonenumbers.NumberFormat) -> int:
    return sum(int(most or least or 1) for least, most in _GROUP_SIZE.findall(fmt.pattern))


@lru_cache(maxsize=512)
def _dialling(region: str | None) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(the region's international prefix unless it is plain ``00``, the leading
    digits of its national numbers of 8+ digits written without the trunk prefix).

    Both from phonenumbers' metadata: a format whose rule does not write the
    prefix (``$1 $2-$3`` in the US, ``($1)`` in Brazil) or says it is optional
    (India's and Turkey's mobiles) may start a number where no prefix stands.
    """
    if region is None:
        return None, None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None, None
    idd_source = metadata.international_prefix
    idd = re.compile(idd_source) if idd_source and idd_source != "00" else None
    if not metadata.national_prefix:
        return idd, None  # nothing to leave out: every start is tried already
    leads = [
        f"(?:{fmt.leading_digits_pattern[-1]})" if fmt.leading_digits_pattern else ""
        for fmt in _formats(metadata.country_code)
        if _longest(fmt) >= _MIN_NATIONAL_DIGITS and not _prefix_required(fmt)
    ]
    return idd, (re.compile("|".join(leads)) if leads else None)


@lru_cache(maxsize=50_000)
def _written_without_prefix(e164: str) -> bool:
    """Whether the number's own format lets it be written without the trunk prefix."""
    parsed = numbering.parse_digits(e164, None)
    if not isinstance(parsed, tuple):
        number = phonenumbers.parse(e164)
        parsed = number.country_code, phonenumbers.national_significant_number(number)
    code, national = parsed
    for fmt in _formats(code):
        if fmt.leading_digits_pattern and not re.match(fmt.leading_digits_pattern[-1], national):
            continue
        if re.fullmatch(fmt.pattern, national):
            return not _prefix_required(fmt)
    return True


# How a number may start at a group: after "+", an international prefix or
# the trunk prefix (taken as written), or bare where its format allows that.
_NO_START, _START, _START_BARE = 0, 1, 2


def _start_kind(
    groups: list[tuple[str, int]], i: int, international: bool, region: str | None
) -> int:
    trunk, _ = _trunk_prefix(region)
    first = groups[i][0]
    if trunk is not None and len(first) < len(trunk):  # "0 6 2 0 ..." in Hungary (06)
        first = "".join(g for g, _ in groups[i : i + len(trunk)])
    if (i == 0 and international) or first.startswith("00") or trunk is None:
        return _START
    if first.startswith(trunk):
        return _START
    idd, bare = _dialling(region)
    if idd is None and bare is None:
        return _NO_START
    head = first if len(first) >= 6 else "".join(g for g, _ in groups[i : i + 4])
    if idd is not None and idd.match(head):
        return _START
    if bare is not None and bare.match(head):
        return _START_BARE
    return _NO_START


def _longest_from(
    groups: list[tuple[str, int]], i: int, international: bool, region: str | None, bare: bool
) -> tuple[int, str] | None:
    """The longest valid number made of groups i..j, as (j, e164).

    ``bare``: no prefix stands before the number, so it counts only if its
    format is written that way.
    """
    windows = []
    acc = ""
    for j in range(i, len(groups)):
        acc += groups[j][0]
        if len(acc) > 17:
            break
        if len(acc) >= _MIN_NATIONAL_DIGITS:
            windows.append((j, acc))
    for j, digits in reversed(windows):
        e164 = _text_phone(digits, international, region)
        if e164 is not None and (not bare or _written_without_prefix(e164)):
            return j, e164
    return None


def _segment(
    groups: list[tuple[str, int]], international: bool, region: str | None
) -> list[tuple[str, int]]:
    """The valid numbers in a run of digit groups, as (e164, position).

    ``groups`` are (digits, position). A number may start inside a run ("age
    23 0612345678", "un 06 12 34 56 78"), but in a country whose national
    numbers begin with a trunk prefix (0 in most of Europe) only where that
    prefix, an international prefix or ``+`` starts, or where the region's
    numbering writes such a number without it (``415-666-7777`` in the US,
    ``(11) 98765-4321`` in Brazil): dropping or adding a digit at the front of
    a number must not make a different valid one. A run that does not start
    so is tried whole last ("31 6 1234 5678", the country code and no ``+``).
    """
    trunk, country_code = _trunk_prefix(region)
    numbers: list[tuple[str, int]] = []
    i = 0
    while i < len(groups):
        kind = _start_kind(groups, i, international, region)
        hit = (
            _longest_from(groups, i, international and i == 0, region, kind == _START_BARE)
            if kind
            else None
        )
        if hit is None:
            i += 1
            continue
        numbers.append((hit[1], groups[i][1]))
        i = hit[0] + 1
    # The country code without "+": the whole run, or nothing.
    if not numbers and trunk and not international and groups[0][0].startswith(country_code):
        hit = _longest_from(groups, 0, False, region, False)
        if hit is not None and hit[0] == len(groups) - 1:
            numbers.append((hit[1], groups[0][1]))
    return numbers


_AGE_WORDS_BEFORE = (
    "age", "alter", "âge", "edad", "età", "idade", "wiek", "vârsta", "varsta", "leeftijd", "věk",
    "kor", "ålder", "возраст", "вік", "ηλικία",
)  # fmt: skip
_SHORT_SEP = re.compile(r"[0-9][./-][0-9]")  # dates, times and 90-60-90 need one
_IBAN_BEFORE = re.compile(r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4})* ?\Z")
_AFTER_MAY_BE_UNIT = re.compile(r" ?[^\W\d_]|[ /]?[€$£₴₽₺₿/]")
_PERCENT_SIGNS = ("%", "‰")
_TIME_AFTER = re.compile(r":[0-5][0-9](?![0-9])")
# yyyymmdd and ddmmyyyy written without separators, before a time.
_DATE_DIGITS = re.compile(
    r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])(?:19|20)[0-9]{2}"
)
# An extension after the number: "x 123", "x123", "ext. 503", "extension 7".
_EXTENSION_AFTER = re.compile(r"(?:x|ext|extn|extension)\.?:? ?[0-9]", re.IGNORECASE)


def _barred_by_context(
    text: str, start: int, end: int, groups: list[str], seps: list[str], barred: set[int]
) -> None:
    """Bar the groups that the words around a run make a price, an age, a time or a measure."""
    last = len(groups) - 1
    after_char = text[end] if end < len(text) else ""
    if after_char in _PERCENT_SIGNS or (
        after_char == " " and text[end + 1 : end + 2] in _PERCENT_SIGNS
    ):
        barred.add(last)  # 15%, and 415-666-7777% is a share, not a phone
    elif after_char == ":" and len(groups[last]) <= 2 and _TIME_AFTER.match(text, end):
        barred.add(last)  # 08:00
        if last > 0 and _DATE_DIGITS.fullmatch(groups[last - 1]):
            barred.add(last - 1)  # 20120102 08:00
    elif len(groups[last]) <= 5 and _AFTER_MAY_BE_UNIT.match(text, end):
        after = _AFTER_RUN.match(text, end)
        if after is not None and after.group("money") and not _starts_next_amount(text, end):
            barred.add(last)  # 150 EUR, 150/h
            while last > 0 and seps[last - 1] in (".", ","):
                last -= 1
                barred.add(last)  # 1.500 EUR
        elif after is not None and not after.group("money") and len(groups[last]) <= 3:
            barred.add(last)  # 170 cm, 23 years
        elif (
            _glues(after_char)
            and len(groups[last]) <= 4
            and _EXTENSION_AFTER.match(text, end) is None
        ):
            barred.add(last)  # 22h, 30min, 5x
    last = len(groups) - 1
    if last not in barred and _glues(after_char) and _EXTENSION_AFTER.match(text, end) is None:
        # "+14156667777def": digits that run into a word are a code, not a number.
        barred.update(range(len(groups)))
        return
    head = text[max(0, start - 16) : start].rstrip(" :")
    if not head:
        return
    sign = head[-1]
    if (sign == "$" or (sign > "\xa1" and unicodedata.category(sign) == "Sc")) and len(
        groups[0]
    ) <= 5:
        barred.add(0)  # €150, € 1.500, ¥415
        k = 0
        while k + 1 < len(groups) and seps[k] in (".", ","):
            k += 1
            barred.add(k)
    elif head.lower().endswith(_AGE_WORDS_BEFORE) and len(groups[0]) <= 2:
        barred.add(0)  # age: 23
    elif (head[-1].isupper() or head[-1].isdigit()) and _IBAN_BEFORE.search(
        text, max(0, start - 40), start
    ):
        barred.update(range(len(groups)))  # the rest of a bank account number


def _starts_next_amount(text: str, end: int) -> bool:
    """A currency sign after a space and before digits opens the next price:
    in ``913-944-8180 $150`` the last group is the phone's, not the price's."""
    at = end
    while at < len(text) and text[at] == " ":
        at += 1
    return (
        at > end
        and at + 1 < len(text)
        and text[at] in _CURRENCY_SYMBOLS
        and (text[at + 1].isdigit() or text[at + 1 : at + 3].strip().isdigit())
    )


def _glues(char: str) -> bool:
    """Whether a character next to a digit makes it part of a word.

    Letters of scripts written without spaces (Chinese, Japanese, Korean,
    Thai ...) do not: ``请拨打415-666-7777`` holds a number.
    """
    if not char or not (char.isalnum() or char == "_"):
        return False
    if char.isascii():
        return True
    code = ord(char)
    return not (
        0x2E80 <= code <= 0xA4CF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFFDC
        or 0x0E00 <= code <= 0x0EFF
        or 0x1000 <= code <= 0x109F
        or 0x1780 <= code <= 0x17FF
        or code >= 0x20000
    )


def _read_run(
    text: str, start: int, end: int, region: str | None, to_text: _Positions, found: _Found
) -> None:
    """Phones (or unparsed candidates) in one run of at least 8 digits.

    What a run means depends only on the run and a few dozen characters around
    it, and the same number is written the same way in many ads, so the
    reading is cached on that snippet.

    The snippet reaches 40 characters back only where a bank account number
    may end right before the run (an upper-case letter or a digit there, see
    :func:`_barred_by_context`); elsewhere nothing before the last 16 is read,
    and a snippet that short repeats across ads far more often.
    """
    head = text[max(0, start - 16) : start].rstrip(" :")
    reach = 40 if head and (head[-1].isupper() or head[-1].isdigit()) else 16
    lo = max(0, start - reach)
    for is_phone, value, at in _read_snippet(text[lo : end + 20], start - lo, end - lo, region):
        pos = lo + at
        if to_text.ends:
            pos = to_text.original(pos)
        found.put(found.phones if is_phone else found.unparsed, value, pos)


@lru_cache(maxsize=50_000)
def _read_snippet(
    text: str, start: int, end: int, region: str | None
) -> tuple[tuple[bool, str, int], ...]:
    """(is a valid phone, E.164 or digits, position) for the run text[start:end]."""
    if start > 0 and _glues(text[start - 1]):
        return ()  # glued to a word: part of a code, a hex string, a user name
    parsed = _GROUPS.findall(text, start, end)
    groups = [g for g, _ in parsed]
    seps = [sep for _, sep in parsed]
    if len(groups) > 1 and _SHORT_SEP.search(text, start, end):
        barred = _barred_groups(groups, seps)
    else:
        barred = set()
    _barred_by_context(text, start, end, groups, seps, barred)
    international = text[max(0, start - 2) : start].strip().endswith("+")
    out: list[tuple[bool, str, int]] = []
    pos = start
    piece: list[tuple[str, int]] = []
    brackets = "(" in text[start:end] or ")" in text[start:end]
    for k, (group, sep) in enumerate(parsed):
        if k not in barred:
            piece.append((group, pos))
        # "80.585 ((79.964)": brackets that do not pair one group end the piece.
        broken = brackets and sep.count("(") + sep.count(")") > 1
        if (k in barred or broken or k == len(parsed) - 1) and piece:
            _read_piece(piece, international and piece[0][1] == start, region, out)
            piece = []
        pos += len(group) + len(sep)
    return tuple(out)


def _read_piece(
    piece: list[tuple[str, int]],
    international: bool,
    region: str | None,
    out: list[tuple[bool, str, int]],
) -> None:
    if sum(len(g) for g, _ in piece) < _MIN_NATIONAL_DIGITS:
        return
    numbers = _segment(piece, international, region)
    out.extend((True, e164, at) for e164, at in numbers)
    if not numbers and _looks_like_a_phone(piece, international, region):
        joined = "".join(g for g, _ in piece)
        out.append((False, ("+" if international else "") + joined, piece[0][1]))


def _looks_like_a_phone(
    piece: list[tuple[str, int]], international: bool, region: str | None
) -> bool:
    """Whether a run that did not validate is worth showing the analyst as a phone.

    It must start the way numbers are written there (``+``, ``00``, the trunk
    prefix or the country code; without a country, ``+``, ``00`` or ``0``), be
    8 to 15 digits, and be grouped like a number: at most six groups, or one
    digit per group as spelled-out numbers are.
    """
    joined = "".join(g for g, _ in piece)
    if joined.startswith("00"):
        joined, international = joined[2:], True
    if not 8 <= len(joined) <= 15:
        return False
    if len(piece) > 6 and any(len(g) > 1 for g, _ in piece):
        return False
    if international:
        return True
    trunk, country_code = _trunk_prefix(region)
    if region is None:
        return joined.startswith("0")
    return trunk is None or joined.startswith(trunk) or joined.startswith(country_code)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans overwritten by ``#`` (positions kept)."""
    pieces = []
    last = 0
    for start, end in sorted(spans):
        start = max(start, last)
        if end <= start:
            continue
        pieces.append(text[last:start])
        pieces.append("#" * (end - start))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _phones(text: str, low: str, words: frozenset[str], region: str | None, found: _Found) -> None:
    if not text.isascii() and _has_wide_separator(text):
        text = _WIDE_SEPARATOR.sub("-", text)  # one character for one: positions hold
    if found.taken:
        text = _blank(text, found.taken)  # digits inside links, addresses, wallets
    number_words = words & _WORD_SET
    positions = _NO_SHIFTS
    # Articles alone ("un", "een") never start digitising: a spelled-out
    # number has other words too.
    if found.taken:
        low = _blank(low, found.taken)
    glued = _glued_tokens(low)
    if glued or number_words & _STRONG_WORD_SET:
        used = tuple(sorted(number_words | (words & MULTIPLIERS.keys())))
        if not number_words & _STRONG_WORD_SET:
            used = ()
        text, positions = _digitise(text, low, used, glued)
    clusters = [m.span() for m in _CLUSTER.finditer(text)]
    if not clusters:
        return
    for k, (s, e) in enumerate(clusters):
        w = max(0, s - 4)  # a leading "O6" starts before the first digit
        if _LOOKALIKE_LETTER.search(text, w, e):
            window_start, window_end = max(0, w - 8), e + 8
            fixed = _lookalikes(text[window_start:window_end])
            if fixed != text[window_start:window_end]:
                text = text[:window_start] + fixed + text[window_end:]
                clusters[k] = (w, e)
    for s, e in clusters:
        for m in _RUN8.finditer(text, s, e):
            if not _NOT_A_PHONE.fullmatch(m.group(0)):
                _read_run(text, m.start(), m.end(), region, positions, found)


# ---------------------------------------------------------------------------
# E-mail addresses

_AT_WORDS = ("at", "ät", "arroba", "chiocciola", "małpa", "malpa", "собака", "sobaka")
_DOT_WORDS = "dot|punkt|punto|point|ponto|punt|kropka|tečka|tecka|точка|tochka"
# "{at}" and "<at>" are rare enough to need the other forms' company.
_AT_TOKENS = frozenset(_AT_WORDS) | {"a"}
# Both run on the lower-cased text: without flags the engine skips ahead fast.
_BRACKET_AT = re.compile(r"[\[({<] ?(?:at|ät|arroba|@|a) ?[\])}>]")
_WORD_AT = re.compile(rf"\s(?:{'|'.join(_AT_WORDS)})\s")
# _WORD_AT for "at" alone; the match leaves out the whitespace before.
_AT_WORD_AT = re.compile(r"at(?<=\sat)\s")
_JUST_AT = frozenset({"at"})
_STRONG_DOT = rf"(?:\.|\s?[\[({{<]\s?(?:{_DOT_WORDS}|\.)\s?[\])}}>]\s?)"
_WEAK_DOT = rf"(?:\s+(?:{_DOT_WORDS})\s+|\s\.\s?|\.\s)"
_LABEL = r"[^\W_](?:[\w-]{0,62}[^\W_])?"
_DOMAIN_AFTER = re.compile(rf"{_LABEL}(?:(?:{_STRONG_DOT}|{_WEAK_DOT}){_LABEL})+", re.IGNORECASE)
_DOT_SPLIT = re.compile(rf"({_STRONG_DOT}|{_WEAK_DOT})", re.IGNORECASE)
_STRONG_DOT_FULL = re.compile(_STRONG_DOT, re.IGNORECASE)
_LOCAL = re.compile(r"[\w%+\-]+(?:\.[\w%+\-]+)*")
_LOCAL_CHARS = frozenset(".%+-_")
# Words that stand before a spelled-out " at " in prose ("meet me at home dot com").
_PROSE_BEFORE_AT = _word_list(
    "me us you him her them we i it is are am be meet see call text stay staying live living "
    "work working arrive arriving available here there only just now home"
)
# Top-level domains common enough to trust after a spelled-out " at " or " dot ".
COMMON_TLDS = _word_list(
    "com net org info biz eu io co me app online site xyz club top live pro email mail "
    "nl de fr es it pt be at ch pl ro cz sk hu se no dk fi ie uk gr bg hr si rs ba mk al md ua "
    "ru by lt lv ee lu mt cy tr is us ca au"
)


@lru_cache(maxsize=1)
def _psl_tlds() -> frozenset[str]:
    tlds = set()
    # Thousands of suffixes share a few hundred top-level labels (co.uk, org.uk...).
    for label in {suffix.rsplit(".", 1)[-1] for suffix in norm._extractor().tlds}:
        host = norm.ascii_host("x." + label)
        if host:
            tlds.add(host.split(".", 1)[1])
    return frozenset(tlds)


def _at_spans(text: str, low: str, words: frozenset[str]) -> list[tuple[int, int, bool]]:
    """(start, end, spelled) of every "@" form: ``@``, ``[at]``, ``(at)``, `` at ``."""
    spans = []
    pos = text.find("@")
    while pos != -1:
        spans.append((pos, pos + 1, False))
        pos = text.find("@", pos + 1)
    if "(" in low or "[" in low or "{" in low or "<" in low:
        spans += [(m.start(), m.end(), False) for m in _BRACKET_AT.finditer(low)]
    at_words = words.intersection(_AT_WORDS)
    if at_words == _JUST_AT:
        # The common case, English prose. A pattern that starts with a literal is
        # found much faster than one that starts with whitespace, but it does not
        # consume the whitespace before "at"; _WORD_AT does, so in "at at" only
        # the first counts, and so it is here.
        last_end = 0
        for m in _AT_WORD_AT.finditer(low):
            if m.start() > last_end:
                spans.append((m.start(), m.end() - 1, True))
                last_end = m.end()
    elif at_words:
        spans += [(m.start() + 1, m.end() - 1, True) for m in _WORD_AT.finditer(low)]
    return spans


def _emails(text: str, low: str, words: frozenset[str], found: _Found) -> None:
    if "@" not in text and _AT_TOKENS.isdisjoint(words):
        return
    for at_start, at_end, spelled in sorted(_at_spans(text, low, words)):
        start = at_start
        while start > 0 and text[start - 1] == " " and at_start - start < 3:
            start -= 1
        end = at_end
        while end < len(text) and text[end] == " " and end - at_end < 3:
            end += 1
        # Checked first: it rules out nearly every spelled "at" ("at night") in one call.
        domain = _DOMAIN_AFTER.match(text, end)
        if domain is None:
            continue
        local_start = start
        while local_start > 0 and start - local_start < 64:
            char = text[local_start - 1]
            if not (char.isalnum() or char in _LOCAL_CHARS):
                break
            local_start -= 1
        while local_start < start and text[local_start] == ".":
            local_start += 1
        local = _LOCAL.fullmatch(text, local_start, start)
        if local is None:
            continue
        if spelled and local.group(0).lower() in _PROSE_BEFORE_AT:
            continue
        parts = _DOT_SPLIT.split(domain.group(0))
        labels, separators = parts[0::2], parts[1::2]
        weak = spelled or any(not _STRONG_DOT_FULL.fullmatch(s) for s in separators)
        trusted = COMMON_TLDS if weak else _psl_tlds()
        while len(labels) >= 2 and labels[-1].lower() not in trusted:
            labels.pop()  # "mail.com. Call me" read a label too far
        if len(labels) < 2:
            continue
        address = _email(f"{local.group(0)}@{'.'.join(labels)}")
        if address is None:
            continue
        length = sum(map(len, labels)) + sum(map(len, separators[: len(labels) - 1]))
        found.put(found.emails, address, local.start())
        found.taken.append((local.start(), end + length))


# ---------------------------------------------------------------------------
# Handles after a service word

# Service words that introduce a handle in text. Ordinary words ("of", "line",
# "session", "sc") only count in the structured handles column.
_TEXT_SERVICES = frozenset(
    w for w in norm.SERVICE_ALIASES if w not in {"of", "line", "session", "sc", "whats"}
)
_SERVICE_TRIGGERS = _TEXT_SERVICES | {"whats", "tik"}
_SERVICE_SPLIT = re.compile(r"\s?[/,&+|]\s?")
# Identifiers repeat across thousands of ads, so each form is checked once.
_handle = lru_cache(maxsize=50_000)(norm.handle)
_url = lru_cache(maxsize=50_000)(norm.url)
_email = lru_cache(maxsize=50_000)(norm.email)
_wallet = lru_cache(maxsize=50_000)(norm.wallet)


_MULTI_WORD_SERVICES = {"whats": ("whats app", "whats-app"), "tik": ("tik tok",)}
# What may follow a service word: more service words, a separator, the value.
_HANDLE_TAIL = re.compile(
    r"(?P<more>(?:\s?[/,&+|]\s?[^\W\d_]+(?:[ -][^\W\d_]+)?)*)"
    # "wechat ID: wewo94", "snapchat me: janeewade", "kik username - anna"
    r"(?:\s(?:me|id|user ?name|user|name|handle|account|acc|nick(?:name)?)\b\.?)?"
    r"(?P<sep>\s?[:=]\s?|\s?[-–—]\s|\s+(?=[@+(0-9]))"
    # "@ DiamondSquirt": a space after the @ as well
    r"(?P<value>@ ?[^\W\d_][\w.]{0,63}|@ ?\w[\w.]{0,63}|[^\W\d_][\w.]{0,63}"
    r"|\+?\(?[0-9][0-9 \t().\-/]{5,}[0-9])",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def _service_words(triggers: frozenset[str]) -> tuple[str, ...]:
    words = set(triggers)
    for short, spelled in _MULTI_WORD_SERVICES.items():
        if short in words:
            words.discard(short)
            words.update(spelled)
    return tuple(sorted(words))


def _handles(text: str, low: str, words: frozenset[str], region: str | None, found: _Found) -> None:
    triggers = words & _SERVICE_TRIGGERS
    if not triggers:
        return
    for m in _alternation(_service_words(frozenset(triggers))).finditer(" " + low):
        word_end = m.end(1) - 1
        if word_end < len(low) and _is_word_char(low[word_end]):
            continue
        tail = _HANDLE_TAIL.match(text, word_end)
        if tail is None:
            continue
        value = tail.group("value")
        if value.startswith("@ "):
            value = "@" + value[2:]
        if text.startswith(("/", ":/"), tail.end()):
            continue  # the start of a link ("tg: t.me/anna"); links are read whole
        if value[0].isalpha() and tail.group("sep").strip() == "":
            continue  # "telegram anna" is prose; "telegram: anna", "telegram @anna" are not
        named = [m.group(1)] + _SERVICE_SPLIT.split(tail.group("more"))[1:]
        for word in named:
            service = norm.SERVICE_ALIASES.get(word.lower().replace(" ", "").replace("-", ""))
            if service is None:
                continue
            pair = _handle(f"{service}:{value}", region)
            if pair is not None:
                found.add_handle(pair, tail.start("value"))
                found.taken.append(tail.span("value"))


# ---------------------------------------------------------------------------
# URLs

# Top-level domains accepted for a host written without scheme or www.
_BARE_TLDS = COMMON_TLDS | _word_list(
    "tv cc ly gg to ws su vip sexy xxx adult porn love date dating fun link page store shop "
    "blog chat social fans cam onion li mc ad sm gl im"
)
# Lower case only, so that "Hello.It's" is not a host; checked against the set.
_DOT_TLD = re.compile(r"\.([a-z]{2,7})(?![\w-])")
_EXPLICIT_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`{}|\\^\[\]]+")
_URL_TAIL = re.compile(r"[/?#][^\s<>\"'`{}|\\^\[\]]*")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_URL_TRAILING = ".,;:!?'\")]}»…"


def _trim_url(candidate: str) -> str:
    while candidate and candidate[-1] in _URL_TRAILING:
        if candidate[-1] == ")" and candidate.count("(") >= candidate.count(")"):
            break
        candidate = candidate[:-1]
    return candidate


def _add_url(text: str, start: int, candidate: str, region: str | None, found: _Found) -> None:
    candidate = _trim_url(candidate)
    end = start + len(candidate)
    if not candidate or found.overlaps(start, end):
        return
    pair = _handle(candidate, region)
    if pair is not None:
        found.add_handle(pair, start)
    else:
        canonical = _url(candidate)
        if canonical is None:
            return
        found.put(found.urls, canonical, start)
    found.taken.append((start, end))


def _urls(text: str, low: str, region: str | None, found: _Found) -> None:
    if "://" in low or "www." in low:
        for m in _EXPLICIT_URL.finditer(low):
            _add_url(text, m.start(), text[m.start() : m.end()], region, found)
    if "." not in text:
        return
    for m in _DOT_TLD.finditer(text):
        if m.group(1) not in _BARE_TLDS:
            continue
        start = m.start()
        while start > 0 and text[start - 1] in _HOST_CHARS:
            start -= 1
        while start < m.start() and text[start] in ".-":
            start += 1
        if start == m.start() or (start > 0 and text[start - 1] in "@/_"):
            continue
        if start > 0 and _is_word_char(text[start - 1]):
            continue
        tail = _URL_TAIL.match(text, m.end())
        end = tail.end() if tail else m.end()
        _add_url(text, start, text[start:end], region, found)


# ---------------------------------------------------------------------------
# Wallets

_WALLET = re.compile(
    r"bc1[ac-hj-np-z02-9]{8,87}|BC1[AC-HJ-NP-Z02-9]{8,87}|0[xX][0-9a-fA-F]{40}"
    r"|[13][1-9A-HJ-NP-Za-km-z]{25,34}|T[1-9A-HJ-NP-Za-km-z]{33}"
)
_BASE58_HINT = re.compile(r"[13T][1-9A-HJ-NP-Za-km-z]{25}")
# Base58 characters to "b", every other byte of the UTF-8 text to "x": a base58
# address needs 26 "b" in a row. Translating bytes and one substring test are
# several times faster than the regex engine stepping through the text.
_BASE58_BYTES = bytes(
    ord("b") if chr(i) in "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" else ord("x")
    for i in range(256)
)
_BASE58_RUN = b"b" * 26


def _may_hold_base58(text: str) -> bool:
    encoded = text.encode("utf-8", "surrogatepass")  # a str may hold lone surrogates
    return _BASE58_RUN in encoded.translate(_BASE58_BYTES) and bool(_BASE58_HINT.search(text))


def _wallets(text: str, low: str, found: _Found) -> None:
    if "bc1" not in low and "0x" not in low and not _may_hold_base58(text):
        return
    for m in _WALLET.finditer(text):
        if not _bounded(text, m.start(), m.end()):
            continue
        key = _wallet(m.group(0))
        if key is not None and not found.overlaps(*m.span()):
            found.put(found.wallets, key, m.start())
            found.taken.append(m.span())


# ---------------------------------------------------------------------------


# Every character of Unicode category Cf, to delete. They all lie in these
# blocks (a test checks against the whole range, which takes 0.2 s to scan).
_FORMAT_BLOCKS = ((0, 0x3000), (0xFE00, 0x10000), (0x11000, 0x14000), (0x1BC00, 0x1D200),
                  (0xE0000, 0xE0080))  # fmt: skip
_FORMAT_CHARACTERS = "".join(
    chr(code)
    for low, high in _FORMAT_BLOCKS
    for code in range(low, high)
    if unicodedata.category(chr(code)) == "Cf"
)


def _character_class(chars: str) -> re.Pattern[str]:
    """One character class of ``chars``, written as ranges: the regex engine
    tests 21 ranges far faster than 163 single characters, and either far
    faster than str.translate looks up every character of every ad."""
    runs: list[list[int]] = []
    for code in map(ord, chars):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return re.compile(
        "["
        + "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in runs)
        + "]"
    )


_FORMAT_CHARACTER = _character_class(_FORMAT_CHARACTERS)
# Extraction reads this much of a text and no more: an ad is a few thousand
# characters, and a hostile 50 MB cell of digits would otherwise take minutes
# and gigabytes. The loader notes in the ad's unparsed values that the rest
# was not read.
MAX_TEXT_CHARS = 65_536

# Records give their country in a handful of spellings.
_region = lru_cache(maxsize=1024)(norm._region)
# Every word that a stage looks up in the words of a text.
_ASKED_WORDS = frozenset(_AT_TOKENS | _SERVICE_TRIGGERS | _WORD_SET | set(MULTIPLIERS))


def extract(text: str, region: str | None = None) -> Extracted:
    """Phones, e-mails, handles, wallets and URLs in an ad's text.

    ``region`` is the record's country (ISO alpha-2); national phone numbers
    are read in it. Only the first :data:`MAX_TEXT_CHARS` characters are read. Without it only numbers written with ``+`` or ``00`` can
    validate; the others land in ``unparsed_phones``.

    >>> found = extract("Anna 23 yo, 150€/h. Call zero six 12 34 five six 78, tg: @anna_vip", "NL")
    >>> found.phones, found.handles
    (['+31612345678'], [('Handle', 'telegram:anna_vip')])
    """
    if not isinstance(text, str) or not text:
        return Extracted()
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if not text.isascii():
        # Invisible format characters (zero-width space and joiners, soft
        # hyphen, direction marks) split a number or a handle in two:
        # "@anna\u200b_vip" is @anna_vip.
        # Format characters are not printable; the check is a tenth of a search.
        if not text.replace("\n", " ").isprintable() and _FORMAT_CHARACTER.search(text):
            text = _FORMAT_CHARACTER.sub("", text)
        # Fullwidth and mathematical digits to ASCII; keycap emoji (0️⃣) to digits.
        text = unicodedata.normalize("NFKC", text)
        if "\u20e3" in text:
            text = text.replace("\ufe0f", "").replace("\u20e3", "")
    low = text.lower()
    if len(low) != len(text):  # a few letters lower-case to two characters
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    region = _region(region) if isinstance(region, str) else None
    words = _words(low)
    found = _Found()
    _emails(text, low, words, found)
    _handles(text, low, words, region, found)
    _urls(text, low, region, found)
    _wallets(text, low, found)
    _phones(text, low, words, region, found)
    return found.result()
