"""Identifiers found in ad text: every obfuscation ads use, and every number that is not a phone.

The ads are synthetic and the numbers fictional (valid in phonenumbers'
metadata, made-up subscriber digits).
"""

from __future__ import annotations

import random
import re
import string

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphthb.ingest.extract import _WORD_START, NUMBER_WORDS, Extracted, extract
from graphthb.ingest.normalize import phone

NL = "+31612345678"
NL2 = "+31687654321"


# ---------------------------------------------------------------------------
# Phone obfuscations


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        # spaced and punctuated
        ("Call 0612345678 now", "NL", NL),
        ("Call 06 12 34 56 78", "NL", NL),
        ("Call 06.12.34.56.78", "NL", NL),
        ("Call 06-12 34-56-78", "NL", NL),
        ("Call (06) 1234 5678", "NL", NL),
        ("Call 0 6 1 2 3 4 5 6 7 8", "NL", NL),
        ("Call 06 - 12 - 34 - 56 - 78", "NL", NL),
        ("Call +31 6 1234 5678", "NL", NL),
        ("Call +31 (0)6 1234 5678", None, NL),
        ("Call 0031 6 12345678", None, NL),
        ("Call +31612345678", "DE", NL),
        ("Call 31 6 1234 5678", "NL", NL),
        # fullwidth, keycap, mathematical digits
        ("Call ０６１２３４５６７８", "NL", NL),
        ("📞 0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "NL", NL),
        ("📞 0⃣6⃣ 12 34 56 78", "NL", NL),
        ("Call 𝟎𝟔 𝟏𝟐 𝟑𝟒 𝟓𝟔 𝟕𝟖", "NL", NL),
        # letters for digits
        ("Tel O6 I2 34 S6 78", "NL", NL),
        ("Tel o6 l2 34 56 78", "NL", NL),
        ("Tel 0 6 I 2 3 4 5 6 7 8", "NL", NL),
        ("Tel O6-I2-3Z-S6-78", "NL", "+31612325678"),
        ("Tel 06 l2 34 S6 7B", "NL", NL),
        ("Tel 06|2345678", "NL", NL),
        ("Tel 0 6 2 0 1 2 3 4 5 6 7", "HU", "+36201234567"),  # trunk prefix 06, spaced
        # words, in many languages, mixed with digits
        ("Call zero six 12 34 five six 78", "NL", NL),
        ("ZERO SIX one two THREE four five six seven eight", "NL", NL),
        ("zero-six-one-two-three-four-five-six-seven-eight", "NL", NL),
        ("zero six one two three four double five seven eight", "NL", "+31612345578"),
        ("nul zes een twee drie vier vijf zes zeven acht", "NL", NL),
        ("null eins fünf eins zwei drei vier fünf sechs sieben acht neun", "DE", "+4915123456789"),
        ("zéro six un deux trois quatre cinq six sept huit", "FR", "+33612345678"),
        ("seis uno dos tres cuatro cinco seis siete ocho", "ES", "+34612345678"),
        ("tre quattro sette uno due tre quattro cinque sei sette", "IT", "+393471234567"),
        ("nove um dois três quatro cinco seis sete oito", "PT", "+351912345678"),
        ("pięć jeden dwa trzy cztery pięć sześć siedem osiem", "PL", "+48512345678"),
        ("zero șapte doi unu doi trei patru cinci șase șapte", "RO", "+40721234567"),
        ("šest nula jedna jedna dva tři čtyři pět šest", "CZ", "+420601123456"),
        ("nulla hat három nulla egy kettő három négy öt hat hét", "HU", None),
        ("noll sju noll ett två tre fyra fem sex sju", "SE", None),
        ("έξι εννέα ένα δύο τρία τέσσερα πέντε έξι επτά οκτώ", "GR", "+306912345678"),
        ("нула осем седем едно две три четири пет шест седем", "BG", "+359871234567"),
        ("нуль п'ять нуль один два три чотири п'ять шість сім", "UA", "+380501234567"),
        ("ноль пять ноль один два три четыре пять шесть семь", "UA", "+380501234567"),
    ],
)
def test_phone_obfuscations(text, region, e164):
    found = extract(text, region)
    if e164 is None:
        assert found.phones == []
    else:
        assert found.phones == [e164]
        assert found.unparsed_phones == []


def test_a_number_word_with_more_glued_to_it_is_not_a_digit():
    # "drei's" is not the word "drei", though "sechs" and "sieben" make the text
    # one to read German number words in.
    found = extract("Tel (06) 12 34 sechs sieben drei's", "DE")
    assert found.phones == []
    assert found.unparsed_phones == ["06123467"]


def test_number_words_are_found_by_one_pattern_per_language():
    # _digitise reads a text's number words with a pattern of all the words of
    # their languages and keeps the matches that are the text's words. That
    # gives the matches of a pattern of the text's words only as long as a word
    # that starts a longer one is followed there by a letter, every word ends in
    # a letter, and no word starts inside another after a punctuation mark.
    words = {w for spellings in NUMBER_WORDS.values() for s in spellings for w in s.split("|")}
    words.discard("")
    for word in words:
        assert word[-1].isalpha(), word
        for other in words:
            if other != word and other.startswith(word):
                assert other[len(word)].isalpha(), (word, other)
        for i, char in enumerate(word):
            if re.fullmatch(_WORD_START, char):
                rest = word[i + 1 :]
                assert not any(w.startswith(rest) or rest.startswith(w) for w in words), word


def test_hungarian_and_swedish_six_are_left_out_because_they_are_common_words():
    # "hat" (German: has) and "sex" are not read as 6; what comes before is kept for the analyst.
    assert extract("noll sju noll ett två tre fyra fem sex sju", "SE").unparsed_phones == [
        "07012345"
    ]
    assert "hat" not in {w for words in NUMBER_WORDS.values() for w in "|".join(words).split("|")}


# ---------------------------------------------------------------------------
# Numbers that are not phones

PLAIN_ADS = [
    "NEW IN TOWN!!! Sweet Anna, 21 years old, 165cm, 52kg, 90-60-90, natural. Available 24/7, "
    "incall & outcall. 30min 100€, 1h 150€, 2h 250€, night 800 EUR. Mon-Sun 10:00-22:00. "
    "Photos 100% real, taken 12.05.2025. Deposit 50%. Room 214, 3rd floor.",
    "Neu in Berlin! Lena (24), 170 cm, 55 kg, Körbchen 75B. Termine täglich 10-22 Uhr, auch "
    "10.00-22.00. 1 Std. 150 Euro, 2 Std. 280 Euro. PLZ 10115, Hausnummer 12. Bilder vom "
    "01.06.2025. Alter 24.",
    "Nouvelle à Paris, Julie 23 ans, 1,68 m, 55 kg. Disponible de 10h à 22h, 7j/7. 1h 200€, "
    "30 min 120 €. Photos du 2025-05-12. Taille 38, pointure 39.",
    "Nieuw in Amsterdam! Sophie, 22 jaar, 1.72 m. Open van 10:00 tot 23:00. Prijzen: 30 min "
    "100 euro, 1 uur 160 euro. Foto's van 14-06-2025. Postcode 1012 AB.",
    "Ioana, 25 ani, 168 cm, 54 kg. Program 09:00 - 21:00. Tarif 300 lei/ora, 1500 lei noaptea. "
    "Poze din 03.03.2025.",
    "Kasia 22 lat, wzrost 165, waga 50. Cena 300 zł/h, 500 zł 2h. Czynne 10-22. Zdjęcia z "
    "20.05.2025.",
    "Оля, 24 роки, 170 см, 55 кг. Ціна 2000 грн/год, ніч 10000 грн. Працюю з 10:00 до 22:00. "
    "Фото від 12.05.2025.",
    "Rates: 30 min 80 / 1 h 150 / 2 h 280 / overnight 1.200 EUR / 1,500 USD / £300 / 2000 Kč / "
    "35 000 Ft / 1 500 €",
    "Payment by bank transfer: IBAN NL91 ABNA 0417 1643 00 or DE89 3704 0044 0532 0130 00",
    "Age: 19. Measurements 85-60-90. Height 1.65 m. Weight 50 kg. Shoe 38. Dress 34/36.",
    "Available 12.05.2025 22:00 till 13.05.2025 06:00, 150/h, 100/30min, 24/7 outcall",
    "Tour dates: 12/05/2025 - 19/05/2025 Amsterdam, 2025-05-20 - 2025-05-27 Berlin.",
    "1 2 3 4 5, open 7 days, 10 - 22, 1h 150 2h 280 3h 400",
    "Anna 23 1.70 55 90 60 90 new",
    "Hours 10.00 - 22.00, price 150.00 EUR, room 12",
]


@pytest.mark.parametrize("text", PLAIN_ADS)
@pytest.mark.parametrize("region", ["NL", "DE", "FR", "RO", "PL", "UA", "ES", "IT", "DK", None])
def test_traps_never_become_phones(text, region):
    found = extract(text, region)
    assert found.phones == []
    assert found.unparsed_phones == []
    assert found.handles == found.emails == found.wallets == found.urls == []


@pytest.mark.parametrize(
    ("text", "region", "phones"),
    [
        ("Anna 23 yo, 150€/h. Call 06 12345678", "NL", [NL]),
        ("Age 23 0612345678", "NL", [NL]),
        ("age: 23 0612345678", "NL", [NL]),
        ("€ 1.500 0612345678", "NL", [NL]),
        ("150 EUR 0612345678 24/7", "NL", [NL]),
        ("12.05.2025 0612345678", "NL", [NL]),
        ("10:00-22:00 0612345678", "NL", [NL]),
        ("0612345678 150/h", "NL", [NL]),
        ("0612345678 let me know", "NL", [NL]),
        ("un 06 12 34 56 78", "FR", ["+33612345678"]),
        ("23 612 345 678", "ES", ["+34612345678"]),
        ("call 0612345678 or 0687654321", "NL", [NL, NL2]),
        ("0612345678 0687654321", "NL", [NL, NL2]),
        ("06 12 34 56 78 06 87 65 43 21", "NL", [NL, NL2]),
        ("tel 06 12 34 56 78 9", "NL", [NL]),
        ("Tel: 0612345678 (WhatsApp only), 23 y.o., 150 EUR", "NL", [NL]),
    ],
)
def test_phones_next_to_traps(text, region, phones):
    assert extract(text, region).phones == phones


def test_the_end_of_a_long_bank_account_number_is_not_a_phone():
    # Its letters and digits reach further back before the run (20 characters)
    # than any other context a run of digits is read with.
    found = extract("IBAN: GB29 NWBK ABCD EFGH 0612 3456 78", "NL")
    assert found.phones == []
    assert found.unparsed_phones == []


def test_a_number_missing_a_digit_is_not_completed_by_dropping_its_first_digits():
    # 0151 2345678 is one digit short for a German mobile; 0512345678 would be valid,
    # but reading it would link this ad to a stranger.
    found = extract("Handy: 0 1 5 1 2 3 4 5 6 7 8", "DE")
    assert found.phones == []
    assert found.unparsed_phones == ["01512345678"]


@pytest.mark.parametrize(
    ("text", "region", "unparsed"),
    [
        ("Call 0612345678", None, ["0612345678"]),  # no country: a national number stays unread
        ("Call 06 1234 567", "NL", ["061234567"]),  # a digit short
        ("Ref 12345678901", "NL", []),  # no trunk prefix, no country code: not phone-like
        ("Ref 12345678901", "ES", ["12345678901"]),  # Spain has no trunk prefix
        ("Call +31 6 1234 567", "NL", ["+316123456" + "7"]),
        ("Call 0 6 1 2 3 4 5 6 7", "NL", ["061234567"]),
    ],
)
def test_unparsed_phones_are_kept_for_the_analyst(text, region, unparsed):
    found = extract(text, region)
    assert found.phones == []
    assert found.unparsed_phones == unparsed


def test_short_national_numbers_are_not_read_from_text():
    # Valid, but only 7 national digits: too easily a coincidence in free text.
    assert phonenumbers.is_valid_number(phonenumbers.parse("+3545101234"))
    assert extract("Call +354 510 1234", None).phones == []
    assert phone("+354 510 1234") == "+3545101234"  # the phones column still takes it


def test_digits_inside_links_wallets_and_hex_are_not_phones():
    text = (
        "See escort-site.com/profile/0612345678 and "
        "0x52908400098527886E0F7030069857D2E4169EE7 and ref_0612345678"
    )
    found = extract(text, "NL")
    assert found.phones == []
    assert found.unparsed_phones == []


# ---------------------------------------------------------------------------
# E-mail addresses


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("mail: anna@mail.com", ["anna@mail.com"]),
        ("mail: Anna.V@Mail.COM.", ["anna.v@mail.com"]),
        ("anna [at] mail [dot] com", ["anna@mail.com"]),
        ("anna[at]mail[dot]com", ["anna@mail.com"]),
        ("anna(at)mail(dot)com", ["anna@mail.com"]),
        ("anna (at) mail (dot) com", ["anna@mail.com"]),
        ("anna {at} mail {dot} co {dot} uk", ["anna@mail.co.uk"]),
        ("anna @ mail . com", ["anna@mail.com"]),
        ("anna at gmail dot com", ["anna@gmail.com"]),
        ("anna AT gmail DOT com", ["anna@gmail.com"]),
        ("anna.smith at mail dot de", ["anna.smith@mail.de"]),
        ("anna arroba correo punto es", ["anna@correo.es"]),
        ("anna małpa poczta kropka pl", ["anna@poczta.pl"]),
        ("anna собака mail точка ru", ["anna@mail.ru"]),
        ("anna@mail.com. Call me!", ["anna@mail.com"]),
        ("a@mail.com, b@mail.com, a@mail.com", ["a@mail.com", "b@mail.com"]),
        ("write to anna@münchen.de", ["anna@xn--mnchen-3ya.de"]),
        ("Meet me at the hotel at night, or write anna at mail dot com", ["anna@mail.com"]),
    ],
)
def test_emails(text, emails):
    assert extract(text, "NL").emails == emails


def test_a_spelled_at_takes_the_spaces_around_it():
    # " at " is read with the whitespace on both sides, so in "at at" the second
    # has lost the space before it and is not an "@".
    assert extract("x at at mail.com", "NL").emails == []
    assert extract("x at  at mail.com", "NL").emails == ["at@mail.com"]


@pytest.mark.parametrize(
    "text",
    [
        "I am at home. Today only!",
        "Meet me at the hotel. Com and see",
        "contact me at home dot com",
        "Available at 10. Call",
        "at least 2h",
        "Prices (a) 150",
        "mail me @ any time",
    ],
)
def test_not_emails(text):
    assert extract(text, "NL").emails == []


# ---------------------------------------------------------------------------
# Handles and links


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("telegram @anna_vip", [("Handle", "telegram:anna_vip")]),
        ("Telegram: @Anna_VIP", [("Handle", "telegram:anna_vip")]),
        ("tg: anna_vip", [("Handle", "telegram:anna_vip")]),
        ("TG - anna_vip", [("Handle", "telegram:anna_vip")]),
        ("телеграм: anna_vip", [("Handle", "telegram:anna_vip")]),
        ("insta: anna.vip", [("Handle", "instagram:anna.vip")]),
        ("IG @anna.vip.", [("Handle", "instagram:anna.vip")]),
        ("snap: anna_x", [("Handle", "snapchat:anna_x")]),
        ("signal: anna.01", [("Handle", "signal:anna.01")]),
        ("onlyfans: annax", [("Handle", "onlyfans:annax")]),
        ("x: @anna_x", [("Handle", "twitter:anna_x")]),
        ("whatsapp +31 6 1234 5678", [("Phone", NL)]),
        ("WhatsApp: 06 12345678", [("Phone", NL)]),
        ("Whats App 0612345678", [("Phone", NL)]),
        ("Telegram/WhatsApp: +31 6 1234 5678", [("Phone", NL)]),
        ("t.me/anna_vip", [("Handle", "telegram:anna_vip")]),
        ("https://t.me/anna_vip.", [("Handle", "telegram:anna_vip")]),
        ("tg: t.me/anna_vip", [("Handle", "telegram:anna_vip")]),
        ("wa.me/31612345678", [("Phone", NL)]),
        ("https://api.whatsapp.com/send?phone=31612345678", [("Phone", NL)]),
        ("instagram.com/anna.vip", [("Handle", "instagram:anna.vip")]),
        ("tg @anna_vip, TG: @ANNA_VIP, t.me/anna_vip", [("Handle", "telegram:anna_vip")]),
    ],
)
def test_handles(text, handles):
    found = extract(text, "NL")
    assert found.handles == handles
    assert found.urls == []
    phones = [key for kind, key in handles if kind == "Phone"]
    assert found.phones == phones


@pytest.mark.parametrize(
    "text",
    [
        "@anna_vip",  # no service word
        "follow me @anna_vip",
        "telegram anna_vip",  # a service word without ':' or '@' is prose
        "I use telegram often",
        "Price of: 150",
        "max 2 hours",
        "the whatsapp group",
    ],
)
def test_not_handles(text):
    assert extract(text, "NL").handles == []


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see https://www.Escort-Site.example/anna/?utm_source=x#top",
         ["https://escort-site.example/anna"]),
        ("see www.escort-site.example/anna.", ["https://escort-site.example/anna"]),
        ("see anna-escort.com", ["https://anna-escort.com/"]),
        ("see Anna-Escort.COM/about", []),  # an upper-case TLD without www or scheme is prose
        ("(see anna-escort.com/about)", ["https://anna-escort.com/about"]),
        ("linktr.ee/anna_x", ["https://linktr.ee/anna_x"]),
        ("Hello.It's me, e.g. this", []),
        ("mail anna@mail.com", []),
        ("anna @ mail.com", []),
    ],
)  # fmt: skip
def test_urls(text, urls):
    assert extract(text, "NL").urls == urls


# ---------------------------------------------------------------------------
# Wallets

GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"


def test_wallets_in_text():
    text = (
        "Deposit only in crypto. BTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or "
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4, USDT (TRC20) TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t, "
        "ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed. Not 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb."
    )
    assert extract(text, "NL").wallets == [
        f"btc:{GENESIS}",
        "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    ]


def test_wallets_among_any_characters():
    # Lone surrogates cannot be encoded as UTF-8 as they are.
    assert extract(f"BTC\udc80 {GENESIS} 💰 ₿", "NL").wallets == [f"btc:{GENESIS}"]


def test_corrupted_wallets_in_text_are_ignored():
    text = "btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"
    assert extract(text, "NL").wallets == []


# ---------------------------------------------------------------------------
# Whole ads


def test_a_realistic_ad_with_everything():
    text = (
        "💋 NEW: Bella (22) from Kyiv 💋 165cm/50kg, 85-60-90. 1h 150€, 2h 280€, 24/7.\n"
        "📞 zero six 12 34 five six 78 / WhatsApp +31 6 8765 4321\n"
        "✉️ bella.v [at] mail [dot] com · telegram @bella_vip · insta: bella.vip\n"
        "Booking: https://www.Escort-Site.example/bella?utm_campaign=x · t.me/bella_vip\n"
        "Crypto deposit: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4. Photos 12.05.2025."
    )
    assert extract(text, "NL") == Extracted(
        phones=[NL, NL2],
        emails=["bella.v@mail.com"],
        handles=[
            ("Phone", NL2),
            ("Handle", "telegram:bella_vip"),
            ("Handle", "instagram:bella.vip"),
        ],
        wallets=["btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"],
        urls=["https://escort-site.example/bella"],
        unparsed_phones=[],
    )


def test_order_of_appearance_and_no_duplicates():
    text = "0687654321, then 06 12 34 56 78, again 0687654321 and +31 6 8765 4321"
    assert extract(text, "NL").phones == [NL2, NL]


def test_empty_and_non_text():
    assert extract("", "NL") == Extracted()
    assert extract(None, "NL") == Extracted()  # type: ignore[arg-type]


def test_an_unknown_region_is_no_region():
    assert extract("Call 0612345678", "ZZ").unparsed_phones == ["0612345678"]
    assert extract("Call 0612345678", "Netherlands").phones == [NL]


# ---------------------------------------------------------------------------
# Properties


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.sampled_from([None, "NL", "DE", "FR", "US", "GB"]))
def test_extract_never_raises_and_phones_are_valid(text, region):
    found = extract(text, region)
    for e164 in found.phones:
        assert phone(e164) == e164
    assert len(set(found.phones)) == len(found.phones)
    assert not set(found.unparsed_phones) & set(found.phones)


FILLER = PLAIN_ADS + ["", "Hi!", "Call me", "Anna, 23, new in town."]
WORDS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
LOOKALIKE = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}


def _write(digits: str, style: int, rng: random.Random) -> str:
    if style == 0:
        return digits
    if style == 1:
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    if style == 2:
        return ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    if style == 3:
        return " ".join(digits)
    if style == 4:  # some digits as words
        return " ".join(WORDS_EN[int(d)] if rng.random() < 0.5 else d for d in digits)
    if style == 5:  # letters in tokens of two that also hold a digit
        pairs = [digits[i : i + 2] for i in range(0, len(digits), 2)]
        out = []
        for pair in pairs:
            if len(pair) == 2 and pair[0] in LOOKALIKE and pair[1] not in LOOKALIKE:
                pair = LOOKALIKE[pair[0]] + pair[1]
            out.append(pair)
        return " ".join(out)
    return "-".join([digits[:2], digits[2:6], digits[6:]])


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=string.digits, min_size=7, max_size=7),
    st.integers(1, 5),
    st.integers(0, 6),
    st.sampled_from(FILLER),
    st.sampled_from(FILLER),
    st.randoms(use_true_random=False),
)
def test_a_dutch_mobile_written_any_way_in_any_ad_is_found(
    digits, block, style, before, after, rng
):
    number = f"06{block}{digits}"
    expected = phone(number, "NL")
    assert expected is not None
    text = f"{before}\nContact: {_write(number, style, rng)}\n{after}"
    assert extract(text, "NL").phones == [expected]


# ---------------------------------------------------------------------------
# Phones as each region writes them (issue 19): national numbers without the
# trunk prefix where the region's formats leave it out, international
# prefixes other than 00, more separators, number words glued to digits.

US = "+14156667777"


@pytest.mark.parametrize(
    ("text", "region", "phones"),
    [
        # NANP: the trunk prefix 1 is almost never written
        ("Call 415-666-7777", "US", [US]),
        ("Call (415) 666-7777 anytime", "US", [US]),
        ("415.666.7777", "US", [US]),
        ("4156667777", "US", [US]),
        ("Call 1-415-666-7777", "US", [US]),
        ("Call 416-555-0123 in Toronto", "CA", ["+14165550123"]),
        ("Call 415-666-7777", "CA", [US]),  # a US number in a Canadian ad: same plan
        # mobiles written without the trunk 0, as people write them there
        ("Liga (11) 98765-4321", "BR", ["+5511987654321"]),
        ("WhatsApp 11 98765 4321", "BR", ["+5511987654321"]),
        ("Call 98765 43210", "IN", ["+919876543210"]),
        ("Ara 535 721 85 43", "TR", ["+905357218543"]),
        ("电话 138 0013 8000", "CN", ["+8613800138000"]),
        ("Free call 1800 101 022", "AU", ["+611800101022"]),
        # and still with the trunk prefix
        ("Liga 0 (11) 98765-4321", "BR", ["+5511987654321"]),
        ("Call 098765 43210", "IN", ["+919876543210"]),
        ("Ara 0535 721 85 43", "TR", ["+905357218543"]),
        # international prefixes of the region, not only 00
        ("Call 01164 3 331 6005", "US", ["+6433316005"]),
        ("Call 0011 64 3 331 6005", "AU", ["+6433316005"]),
        ("Call 810 49 30 1234567", "RU", ["+49301234567"]),
        ("Call 0081-650-333-6000", "SG", ["+16503336000"]),  # 008 is Singapore's, then +1
        ("Call 0049 30 1234567", "US", ["+49301234567"]),  # 00 is read anywhere
        # separators that ads put between digits
        ("Text 587*800*2406", "US", ["+15878002406"]),
        ("Text ~317~371~2144~", "US", ["+13173712144"]),
        ("Text 5@7@4@4@4@0@1@6@0@5", "US", ["+15744401605"]),
        ("Text +9197;11;50;88;88", None, ["+919711508888"]),
        ("Text 415_666_7777", "US", [US]),
        ("Text 415—666—7777", "US", [US]),
        ("Text 0~0 1800 7493 524", "PL", ["+18007493524"]),  # ~ waits for the dial tone
        # scripts without spaces do not glue to the number
        ("我的电话号码是415-666-7777", "US", [US]),
        ("请拨打415-666-7777我在明天", "US", [US]),
        # an extension after the number
        ("Call 415-666-7777 x 123", "US", [US]),
        ("Call 415-666-7777 ext. 503", "US", [US]),
        ("Call 415-666-7777x503", "US", [US]),
        # a $ that opens the next price does not take the last group
        ("Call Now.. 913-944-8180 $150 15min", "US", ["+19139448180"]),
        ("$20 415-666-7777", "US", [US]),
        ("415-666-7777 100$", "US", [US]),
    ],
)
def test_phones_as_each_region_writes_them(text, region, phones):
    assert extract(text, region).phones == phones


def test_number_words_glued_to_digits_and_to_each_other():
    assert extract("for80 2sixseven one9zerofor", "US").phones == ["+14802671904"]
    assert extract("6seven8 threeseven8 7eight39", "US").phones == ["+16783787839"]
    assert extract("call 13seventeen 666 7777 ok", "US").phones == ["+13176667777"]
    assert extract("nul6 1234 5678", "NL").phones == [NL]
    assert extract("zero6 twelve34 fifty6 seventy8", "NL").phones == [NL]


@pytest.mark.parametrize(
    ("text", "region", "phones"),
    [
        ("zero six twelve thirty-four fifty-six seventy-eight", "NL", [NL]),
        ("zero six twelve thirty four fifty six seventy eight", "NL", [NL]),
        ("null sechs zwölf 34 56 78", "NL", [NL]),
        ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "FR", ["+33612345678"]),
        (
            "zéro six douze trente-quatre quatre-vingt-douze soixante et onze",
            "FR",
            ["+33612349271"],
        ),
        ("zéro six douze trente-quatre cinquante-six 78", "FR", ["+33612345678"]),
        ("seis doce treinta y cuatro cincuenta y seis 78", "ES", ["+34612345678"]),
        ("nul zes twaalf 34 56 78", "NL", [NL]),
        ("ноль шесть двенадцать 34 56 78", "NL", [NL]),
    ],
)
def test_teens_and_tens(text, region, phones):
    assert extract(text, region).phones == phones


def test_glued_words_are_read_only_where_the_whole_token_is_digits_and_number_words():
    # "for" is a digit only inside such a token; "150eur", "22h", "someone" are not numbers.
    assert extract("for 415 666 7777", "US").phones == [US]
    assert extract("call someone 150eur 22h 30min, 2girls", "NL").phones == []
    assert extract("Call 06 12 34 56 78for fun", "NL").phones == []


def test_digits_glued_to_letters_are_a_code_not_a_phone():
    for text in ("abc+14156667777def", "+14156667777def", "+14156667777É", "(415)6667777def",
                 "ref 4156667777abc", "order#A4156667777", "0612345678abc"):  # fmt: skip
        assert extract(text, "US").phones == [], text
        assert extract(text, "NL").phones == [], text
    # a bracket before the number separates it from the word
    assert extract("abc(415)6667777", "US").phones == [US]
    assert extract("É(415)6667777.", "US").phones == [US]


# When the trunk-prefix rule is relaxed for +1 countries alone these all read
# as phones (libphonenumber's matcher test cases and ad texts); they must not.
US_TRAPS = [
    "20120102 08:00",
    "Available 20120102 08:00 to 20120103 09:30",
    "415-666-7777%",
    "Up 415 666 7777 % this year",
    "80.585 ((79.964)",
    "(80).(585) (79).(9)64",
    "Prices 415.66 677.77 and 80.585 79.964",
    "¥415-666-7777",
    "€415 666 7777",
    "Ref abc4156667777",
    "Born 1998 2005 2012, 5'6\", 120 lbs, 34-24-36",
    "Rates: $150 $200 $250 / 30min 100 1h 160 2h 300",
    "12/05/2025 - 19/05/2025 10:00-22:00",
    "2012-01-02 08",
    "ZIP 94105-2345, apt 12",
    "age 23 height 5 7 weight 120 415",
]


@pytest.mark.parametrize("text", US_TRAPS + PLAIN_ADS)
@pytest.mark.parametrize("region", ["US", "CA", "BR", "IN", "TR", "CN", "AU"])
def test_traps_never_become_phones_where_numbers_go_without_trunk_prefix(text, region):
    found = extract(text, region)
    assert found.phones == []


def test_zero_width_and_other_format_characters_do_not_split_numbers_or_handles():
    found = extract("tg: @anna\u200b_vip, call 06\u200b12\u00ad34\u200d56\u206078", "NL")
    assert found.handles == [("Handle", "telegram:anna_vip")]
    assert found.phones == [NL]
    assert extract("\ufeffinsta: anna\u200e.vip", "NL").handles == [
        ("Handle", "instagram:anna.vip")
    ]


def test_format_characters_are_every_unicode_cf_character():
    import unicodedata

    from graphthb.ingest import extract as ex

    every = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert list(ex._FORMAT_CHARACTERS) == every


def test_extraction_reads_a_bounded_prefix_of_a_huge_text():
    from graphthb.ingest.extract import MAX_TEXT_CHARS

    # A number inside the limit is read, one past it is not, and a hostile
    # cell of millions of digits comes back at once (it took minutes).
    filler = "x " * (MAX_TEXT_CHARS // 2 - 20)
    assert extract(filler + " 0612345678", "NL").phones == [NL]
    assert extract(filler + "y" * 100 + " 0612345678", "NL").phones == []
    assert extract("1" * 5_000_000, "NL") == Extracted()


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("Follow me on Twitter @ DiamondSquirt", [("Handle", "twitter:diamondsquirt")]),
        ("wechat ID:wewo94", [("Handle", "wechat:wewo94")]),
        ("WeChat id: wewo94", [("Handle", "wechat:wewo94")]),
        ("snapchat me: janeewade", [("Handle", "snapchat:janeewade")]),
        ("kik username: anna_b", [("Handle", "kik:anna_b")]),
        ("telegram me @anna_vip", [("Handle", "telegram:anna_vip")]),
        ("insta @ anna.vip", [("Handle", "instagram:anna.vip")]),
    ],
)
def test_loose_handle_forms(text, handles):
    assert extract(text, "US").handles == handles


@pytest.mark.parametrize(
    "text",
    ["snapchat me anna", "wechat id wewo94", "twitter me later", "I love snapchat me too"],
)
def test_loose_handle_forms_still_need_a_separator_or_an_at(text):
    assert extract(text, "US").handles == []


def test_an_ad_whose_text_is_cut_says_so_in_its_unparsed_values():
    from graphthb.ingest.extract import MAX_TEXT_CHARS
    from graphthb.ingest.records import GraphRows, record_rows

    out = GraphRows()
    body = "Call 0612345678. " + "9" * (MAX_TEXT_CHARS * 2)
    unparsed = record_rows({"record_id": "r1", "text": body, "country": "NL"}, "ads:2", "s", out)
    assert unparsed["text"] == [
        f"identifiers read from the first {MAX_TEXT_CHARS:,} of {len(body) + 1:,} "
        "characters of title and text only"
    ]
    assert [edge["dst"] for edge in out.edges[("HAS_PHONE", "Ad", "Phone")]] == [NL]
    short = record_rows({"record_id": "r2", "text": "Call 0612345678"}, "ads:3", "s", GraphRows())
    assert "text" not in short


@pytest.mark.parametrize(
    ("text", "region", "phones"),
    [
        ("Anna 23 yo, $150/h. Call 415 666 7777", "US", [US]),
        ("age 23 4156667777", "US", [US]),
        ("$ 1,500 4156667777", "US", [US]),
        ("12/05/2025 415-666-7777", "US", [US]),
        ("10:00-22:00 415.666.7777", "US", [US]),
        ("Open 2012 - 2025, call 415-666-7777 24/7", "US", [US]),
        ("415-666-7777 150/h", "US", [US]),
        ("5'6\" 120 lbs 34-24-36 text 415 666 7777", "US", [US]),
        ("R$ 200 (11) 98765-4321", "BR", ["+5511987654321"]),
        ("₹5000 98765 43210 24/7", "IN", ["+919876543210"]),
        ("23 yaş 535 721 85 43 08:00-22:00", "TR", ["+905357218543"]),
    ],
)
def test_phones_next_to_traps_where_numbers_go_without_trunk_prefix(text, region, phones):
    assert extract(text, region).phones == phones
