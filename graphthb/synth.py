"""A synthetic trafficking world: organised groups hidden among independent advertisers.

:func:`generate` writes three files into a folder:

* ``records.csv`` (or ``records.jsonl``): ads as a scraper and analysts would
  have collected them, in the records format, with one extra column
  (``views``) to show that unknown columns are kept;
* ``links.csv``: facts analysts assert about some groups (who controls whom,
  who appears in which ad, which phone a controller uses, merge decisions);
* ``truth.csv``: ``record_id,group``, the planted group of each record, empty
  for independent advertisers. It is for evaluation only.

Everything is invented. Phone numbers are random subscriber numbers in mobile
and city landline ranges that phonenumbers accepts (UK landlines in Ofcom's
ranges for drama); domains end in ``.example`` or ``.test`` (plus ``t.me``
links, the form Telegram handles take); people are pseudonymous ids.
docs/synthetic-world.md describes the world and what it leaves out.

The output is a pure function of ``(records, seed, fmt)``: one
``random.Random(seed)`` drives everything, nothing iterates over a set or a
hash-ordered structure, and phonenumbers is never consulted while generating
(its metadata changes between releases; the tests check every number instead).
Memory stays flat: ads are made, shuffled and written in chunks of about
:data:`CHUNK` records, and only small per-world tables outlive a chunk.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from graphthb.errors import ConfigError

__all__ = [
    "generate",
    "Situations",
    "HARD",
    "show_phone",
    "RECORD_FIELDS",
    "LINK_FIELDS",
    "TRUTH_FIELDS",
    "FIRST_DAY",
    "DAYS",
    "COUNTRIES",
    "PLATFORMS",
    "COLUMN_STYLES",
    "TEXT_STYLES",
]

RECORD_FIELDS = (
    "record_id", "source", "collected_at", "collector", "platform", "platform_type", "url",
    "posted_at", "title", "text", "persona", "age", "city", "country", "phones", "emails",
    "handles", "links", "wallets", "image_hashes", "price", "payment", "agency", "views",
)  # fmt: skip
LINK_FIELDS = (
    "subject_kind", "subject", "relation", "object_kind", "object", "role", "source",
    "observed_at", "confidence", "note",
)  # fmt: skip
TRUTH_FIELDS = ("record_id", "group")
_MULTI = frozenset({"phones", "emails", "handles", "links", "wallets", "image_hashes"})
_MULTI_AT = tuple(i for i, name in enumerate(RECORD_FIELDS) if name in _MULTI)

#: Ads are posted over 18 months from this day; collection runs a little past the end.
FIRST_DAY = date(2024, 1, 1)
DAYS = 547
_COLLECT_DAYS = DAYS + 45
#: Records made, shuffled and written together; the memory bound.
CHUNK = 20_000
#: One hotel desk per this many records, each named in about HOTEL_ADS ads.
RECORDS_PER_HOTEL = 1500
HOTEL_ADS = 40

# Column positions, for building rows as lists.
(R_ID, R_SOURCE, R_COLLECTED, R_COLLECTOR, R_PLATFORM, R_PTYPE, R_URL, R_POSTED, R_TITLE,
 R_TEXT, R_PERSONA, R_AGE, R_CITY, R_COUNTRY, R_PHONES, R_EMAILS, R_HANDLES, R_LINKS,
 R_WALLETS, R_IMAGES, R_PRICE, R_PAYMENT, R_AGENCY, R_VIEWS) = range(len(RECORD_FIELDS))  # fmt: skip


# ---------------------------------------------------------------------------
# Places and numbering plans


@dataclass(frozen=True)
class City:
    """A city as ads write it, with a landline range for hotel front desks (if any)."""

    names: tuple[str, ...]  # the usual English form first, then other spellings
    land: str = ""  # national significant number prefix of its landlines
    land_len: int = 0
    land_groups: tuple[int, ...] = ()


@dataclass(frozen=True)
class Country:
    """One country: how its names and numbers are written, and how many ads it sees."""

    code: str
    names: tuple[str, ...]  # English name first, then native names
    cc: str  # country calling code
    trunk: str  # national trunk prefix ("" where numbers are dialled as written)
    mobile: tuple[str, ...]  # mobile prefixes of the national significant number
    mobile_len: int
    groups: tuple[int, ...]  # how a mobile's national significant number is grouped
    currency: str
    price: tuple[int, int]  # an hour, in the currency
    ads: float  # relative share of ads posted there
    home: float  # relative weight as the home country of an organised group
    cities: tuple[City, ...]


def _c(*names: str, land: str = "", n: int = 0, g: tuple[int, ...] = ()) -> City:
    return City(names, land, n, g)


# Mobile prefixes and landline ranges were chosen so that every subscriber
# number in them is valid for phonenumbers in that very country (UK ranges
# that belong to Jersey, Guernsey or Man are left out); tests/test_synth.py
# checks them.
# The UK hotel desks use Ofcom's drama ranges (020 7946 0xxx, 0161 496 0xxx...).
COUNTRIES: tuple[Country, ...] = (
    Country("NL", ("Netherlands", "Nederland", "Holland"), "31", "0",
            ("61", "62", "63", "64", "65", "68"), 9, (1, 4, 4), "EUR", (120, 250), 12, 1.0,
            (_c("Amsterdam", land="20", n=9, g=(2, 3, 4)),
             _c("Rotterdam", land="10", n=9, g=(2, 3, 4)),
             _c("The Hague", "Den Haag", land="70", n=9, g=(2, 3, 4)),
             _c("Utrecht", land="30", n=9, g=(2, 3, 4)),
             _c("Eindhoven", land="40", n=9, g=(2, 3, 4)))),
    Country("BE", ("Belgium", "België", "Belgique"), "32", "0",
            ("470", "471", "472", "473", "475", "476", "477", "478", "479", "484", "485", "486",
             "487", "488", "489", "491", "492", "493", "494", "495", "496", "497", "498", "499"),
            9, (3, 2, 2, 2), "EUR", (120, 220), 6, 0.3,
            (_c("Brussels", "Bruxelles", "Brussel", land="22", n=8, g=(1, 3, 2, 2)),
             _c("Antwerp", "Antwerpen", land="32", n=8, g=(1, 3, 2, 2)),
             _c("Ghent", "Gent", land="92", n=8, g=(1, 3, 2, 2)),
             _c("Liège", "Liege", "Luik", land="42", n=8, g=(1, 3, 2, 2)))),
    Country("DE", ("Germany", "Deutschland"), "49", "0",
            ("151", "152", "157", "159", "160", "162", "170", "171", "172", "175", "176", "177",
             "178", "179"), 11, (3, 4, 4), "EUR", (100, 200), 16, 0.8,
            (_c("Berlin", land="30", n=10, g=(2, 4, 4)),
             _c("Hamburg", land="40", n=10, g=(2, 4, 4)),
             _c("Munich", "München", "Muenchen", land="89", n=10, g=(2, 4, 4)),
             _c("Frankfurt", "Frankfurt am Main", land="69", n=10, g=(2, 4, 4)),
             _c("Cologne", "Köln", "Koeln", land="221", n=10, g=(3, 3, 4)),
             _c("Düsseldorf", "Dusseldorf", land="211", n=10, g=(3, 3, 4)))),
    Country("FR", ("France",), "33", "0",
            ("60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78"),
            9, (1, 2, 2, 2, 2), "EUR", (150, 300), 7, 0.2,
            (_c("Paris", land="1", n=9, g=(1, 2, 2, 2, 2)),
             _c("Lyon", land="47", n=9, g=(1, 2, 2, 2, 2)),
             _c("Marseille", land="49", n=9, g=(1, 2, 2, 2, 2)),
             _c("Nice", land="42", n=9, g=(1, 2, 2, 2, 2)))),
    Country("ES", ("Spain", "España"), "34", "",
            ("60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "72", "73", "74"),
            9, (3, 3, 3), "EUR", (100, 200), 9, 0.4,
            (_c("Madrid", land="91", n=9, g=(2, 3, 2, 2)),
             _c("Barcelona", land="93", n=9, g=(2, 3, 2, 2)),
             _c("Valencia", "València", land="96", n=9, g=(2, 3, 2, 2)),
             _c("Málaga", "Malaga", land="95", n=9, g=(2, 3, 2, 2)))),
    Country("IT", ("Italy", "Italia"), "39", "",
            ("320", "324", "327", "328", "329", "330", "333", "334", "335", "338", "339", "340",
             "342", "345", "346", "347", "348", "349", "366", "380", "388", "389", "391", "392",
             "393"), 10, (3, 3, 4), "EUR", (120, 250), 7, 0.3,
            (_c("Rome", "Roma", land="06", n=10, g=(2, 4, 4)),
             _c("Milan", "Milano", land="02", n=10, g=(2, 4, 4)),
             _c("Naples", "Napoli", land="081", n=10, g=(3, 3, 4)),
             _c("Florence", "Firenze", land="055", n=10, g=(3, 3, 4)))),
    Country("AT", ("Austria", "Österreich"), "43", "0",
            ("664", "650", "660", "676", "699", "680", "681", "688"), 10, (3, 3, 4), "EUR",
            (120, 220), 5, 0.2,
            (_c("Vienna", "Wien", land="15", n=10, g=(1, 4, 5)),
             _c("Graz"), _c("Salzburg"))),
    Country("CZ", ("Czechia", "Česko", "Czech Republic"), "420", "",
            ("601", "602", "603", "604", "605", "606", "607", "608", "72", "73", "77", "79"),
            9, (3, 3, 3), "CZK", (2000, 4000), 4, 0.6,
            (_c("Prague", "Praha", land="2", n=9, g=(3, 3, 3)), _c("Brno"))),
    Country("PL", ("Poland", "Polska"), "48", "",
            ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"), 9,
            (3, 3, 3), "PLN", (300, 600), 4, 1.2,
            (_c("Warsaw", "Warszawa", land="22", n=9, g=(2, 3, 2, 2)),
             _c("Kraków", "Krakow", land="12", n=9, g=(2, 3, 2, 2)),
             _c("Wrocław", "Wroclaw"))),
    Country("RO", ("Romania", "România"), "40", "0",
            ("72", "73", "74", "75", "76", "77"), 9, (3, 3, 3), "RON", (300, 700), 3, 2.5,
            (_c("Bucharest", "București", "Bucuresti", land="21", n=9, g=(2, 3, 4)),
             _c("Cluj-Napoca", "Cluj", land="264", n=9, g=(3, 3, 3)),
             _c("Constanța", "Constanta", land="241", n=9, g=(3, 3, 3)))),
    Country("BG", ("Bulgaria", "България"), "359", "0",
            ("87", "88", "89"), 9, (3, 3, 3), "BGN", (150, 350), 2, 1.5,
            (_c("Sofia", "София", land="2", n=8, g=(1, 3, 4)),
             _c("Varna", land="52", n=8, g=(2, 3, 3)))),
    Country("HU", ("Hungary", "Magyarország"), "36", "06",
            ("20", "30", "70"), 9, (2, 3, 4), "HUF", (25000, 50000), 2, 1.2,
            (_c("Budapest", land="1", n=8, g=(1, 3, 4)), _c("Debrecen"))),
    Country("GB", ("United Kingdom", "UK", "Great Britain"), "44", "0",
            ("740", "741", "742", "743", "744", "746", "747", "748", "749", "751", "753", "754",
             "755", "756", "757", "758", "759", "771", "772", "773", "774", "775", "776", "777",
             "780", "781", "784", "785", "786", "787", "788", "789", "790", "792", "794", "795",
             "796", "797", "798", "799"), 10, (4, 6), "GBP", (100, 200), 10, 0.6,
            (_c("London", land="2079460", n=10, g=(2, 4, 4)),
             _c("Manchester", land="1614960", n=10, g=(3, 3, 4)),
             _c("Birmingham", land="1214960", n=10, g=(3, 3, 4)),
             _c("Leeds", land="1134960", n=10, g=(3, 3, 4)))),
    Country("IE", ("Ireland", "Éire"), "353", "0",
            ("83", "85", "86", "87", "89"), 9, (2, 3, 4), "EUR", (150, 250), 3, 0.2,
            (_c("Dublin", "Baile Átha Cliath", land="1", n=8, g=(1, 3, 4)), _c("Cork"))),
    Country("PT", ("Portugal",), "351", "",
            ("91", "92", "93", "96"), 9, (3, 3, 3), "EUR", (80, 150), 3, 0.2,
            (_c("Lisbon", "Lisboa", land="21", n=9, g=(2, 3, 4)),
             _c("Porto", land="22", n=9, g=(2, 3, 4)))),
    Country("GR", ("Greece", "Ελλάδα", "Hellas"), "30", "",
            ("69",), 10, (3, 3, 4), "EUR", (80, 150), 3, 0.3,
            (_c("Athens", "Αθήνα", "Athina", land="21", n=10, g=(3, 3, 4)),
             _c("Thessaloniki", land="231", n=10, g=(4, 3, 3)))),
    Country("UA", ("Ukraine", "Україна"), "380", "0",
            ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"), 9,
            (2, 3, 2, 2), "UAH", (1500, 4000), 2, 1.5,
            (_c("Kyiv", "Київ", "Kiev", land="44", n=9, g=(2, 3, 2, 2)),
             _c("Odesa", "Odessa", land="48", n=9, g=(2, 3, 2, 2)),
             _c("Lviv", "Львів", land="32", n=9, g=(2, 3, 2, 2)))),
    Country("MD", ("Moldova", "Молдова"), "373", "0",
            ("60", "62", "67", "68", "69", "78", "79"), 8, (2, 3, 3), "MDL", (1500, 3000), 1, 1.2,
            (_c("Chișinău", "Chisinau", "Kishinev", land="22", n=8, g=(2, 3, 3)),)),
)  # fmt: skip
_BY_CODE = {c.code: c for c in COUNTRIES}


@dataclass(frozen=True)
class Platform:
    """An invented site where ads are posted, with the identifiers it puts on every page."""

    domain: str
    kind: str  # platform_type
    weight: float  # share of ads
    path: str  # how an ad's URL looks; {n} is the ad number, {slug} a name


PLATFORMS: tuple[Platform, ...] = (
    Platform("escort-directory.example", "escort", 8, "https://escort-directory.example/ad/{n}"),
    Platform(
        "vipgirls-eu.example", "escort", 5, "https://www.vipgirls-eu.example/profile/{slug}-{n}"
    ),
    Platform("redlight-ads.example", "escort", 4, "https://redlight-ads.example/listing?id={n}"),
    Platform("dates4u.example", "dating", 4, "https://dates4u.example/u/{slug}{n}"),
    Platform("sugar-meet.test", "dating", 2, "https://sugar-meet.test/members/{n}"),
    Platform(
        "classifieds-hub.test", "classifieds", 4, "https://classifieds-hub.test/adult/{n}.html"
    ),
    Platform("adsmarket.example", "marketplace", 2, "https://adsmarket.example/item/{n}"),
    Platform("nightlife-forum.test", "forum", 1, "https://nightlife-forum.test/t/{n}"),
    Platform("instapics.example", "social", 1, "https://instapics.example/{slug}.{n}"),
    Platform("workabroad-jobs.example", "jobs", 0, "https://workabroad-jobs.example/job/{n}"),
)
_JOBS = PLATFORMS[-1]
_AD_PLATFORMS = PLATFORMS[:-1]


# ---------------------------------------------------------------------------
# Words. All written for this generator; English, as most cross-border ads are.

POPULAR_NAMES = (
    "Anna", "Sofia", "Mia", "Lena", "Nina", "Eva", "Bella", "Kira", "Alina", "Diana", "Vika",
    "Lola", "Daria", "Maria", "Julia", "Katya", "Lara", "Nika", "Sara", "Emma", "Luna", "Laura",
    "Elena", "Natasha", "Roxy", "Candy", "Jessica", "Angel", "Monica", "Victoria",
)  # fmt: skip
OTHER_NAMES = (
    "Adela", "Agata", "Aida", "Alexa", "Alisa", "Amalia", "Amber", "Ana", "Anca", "Andra",
    "Angela", "Anika", "Ariana", "Aurora", "Bianca", "Bogdana", "Camila", "Carla", "Carmen",
    "Celine", "Chloe", "Clara", "Cristina", "Dana", "Denisa", "Dina", "Dora", "Elisa", "Ella",
    "Emilia", "Erika", "Eszter", "Fiona", "Gabriela", "Gina", "Greta", "Hana", "Ilona", "Inna",
    "Irina", "Iva", "Ivana", "Jana", "Jasmine", "Kamila", "Karina", "Katarina", "Kateryna",
    "Kristina", "Larisa", "Lea", "Lidia", "Lilia", "Lily", "Liza", "Lucia", "Madalina", "Maja",
    "Marta", "Masha", "Maya", "Melania", "Mila", "Milena", "Mira", "Nadia", "Naomi", "Nelly",
    "Nicole", "Oksana", "Olga", "Paula", "Petra", "Polina", "Rada", "Raluca", "Rita", "Roksana",
    "Rosa", "Ruby", "Sabina", "Sandra", "Selena", "Simona", "Stella", "Tamara", "Tania",
    "Tereza", "Tina", "Valeria", "Vanessa", "Vera", "Viola", "Yana", "Zara", "Zoe", "Zuzana",
)  # fmt: skip

_GREET = (
    "Hello gentlemen, my name is {name} and I am {age} years young.",
    "Hi, I am {name}, {age}, a sweet and playful girl now in {city}.",
    "Sweet {name} is waiting for you, {age} years of pure passion.",
    "My name is {name}, I am {age} and I just arrived in {city} for a few days.",
    "Welcome darling, I am {name}, a young lady of {age} with a warm smile.",
    "Good evening, this is {name}, {age} years, elegant and full of fire.",
    "Hey you, {name} here, {age}, fresh in {city} and ready for fun.",
    "Kisses from {name}, {age} years old, a tender girl with a naughty side.",
    "I am {name}, a charming {age} year old doll visiting {city}.",
    "Let me introduce myself: {name}, {age}, slim, natural and very friendly.",
)
_BODY = (
    "I have soft skin, long hair and a natural body that you will love.",
    "I am slim and sporty, with beautiful eyes and a gentle character.",
    "My body is petite and my character is sweet and open minded.",
    "Tall, elegant and always well dressed, I am the perfect company for dinner.",
    "I am a curvy brunette with a lovely smile and a lot of patience.",
    "Blonde, blue eyes, height 168 cm and weight 52 kg, everything natural.",
    "I am shy at first but very warm when we get to know each other.",
    "Green eyes, dark hair, size 36, and a very sensual touch.",
    "I love to laugh, to talk and to make every man feel special.",
    "Young, fresh and very sweet, I will make you forget your stress.",
)
_SERVICE = (
    "I offer a relaxing massage, girlfriend experience and a lot of tenderness.",
    "With me you can enjoy a classic meeting, kissing and a long shower together.",
    "I like slow and romantic meetings without any rush.",
    "Full service for generous gentlemen, everything with respect and hygiene.",
    "Dinner dates, overnight stays and travel companionship are possible.",
    "I do not rush, your pleasure is my priority every minute.",
    "Erotic massage with warm oil, body to body, and a happy ending.",
    "I am open to many wishes, just ask me politely.",
    "Only safe meetings, with protection, clean and discreet.",
    "Couples are welcome too, ask about my special program.",
)
_PLACE = (
    "Incall in a clean private apartment in the centre of {city}, outcall to hotels.",
    "I receive in my discreet studio near the central station of {city}.",
    "I can come to your hotel anywhere in {city} within thirty minutes.",
    "Private flat with parking, shower and fresh towels, only in {city}.",
    "Incall and outcall in {city} and the surrounding area.",
    "I stay in a quiet residence in {city}, easy to reach by taxi.",
    "Outcall only, to hotels and homes in {city}.",
    "Luxury apartment in {city}, safe and very discreet.",
)
_TIME = (
    "Available 24/7, also weekends and holidays.",
    "Open every day from 10:00 to 02:00.",
    "You can visit me from 12:00 until late at night.",
    "Only for a short time in {city}, from 12.05 until 19.05.",
    "Available day and night, 7 days a week.",
    "Working hours 11-23, last booking at 22:30.",
    "I am here only this week, do not miss me.",
    "Open 24 hours, also last minute bookings.",
)
_PRICE = (
    "Prices: 30 min {half} {cur}, 1 hour {price} {cur}.",
    "Donation {price} {cur} per hour, half hour {half} {cur}.",
    "Rate {price} {cur}/h, overnight on request.",
    "1h = {price} {cur}, 30min = {half} {cur}, no negotiation.",
    "From {half} {cur} for a quick visit, {price} {cur} for one hour.",
    "My rates start at {half} {cur}.",
)
_CONTACT = (
    "Call or text me on {phone}.",
    "Booking only by phone: {phone}.",
    "Contact me at {phone}, no hidden numbers.",
    "For appointments call {phone} at least 30 minutes before.",
    "Phone {phone}, SMS and calls only.",
    "Send a message to {phone} and I will reply.",
)
_CLOSE = (
    "Kisses, {name}.",
    "No SMS with hidden number, no rude men.",
    "Only gentlemen over 25, please be respectful.",
    "I am waiting for your call, see you soon.",
    "Photos are 100% real, you will not be disappointed.",
    "Hygiene is very important to me.",
    "Discretion guaranteed.",
    "Your satisfaction is my pleasure.",
)
_FAMILIES = (_GREET, _BODY, _SERVICE, _PLACE, _TIME, _PRICE, _CONTACT, _CLOSE)
_CONTACT_AT = 6

# A group's signature line: opener + adjective + noun + promise, 1000 combinations.
_SIG_OPEN = ("Our", "All our", "The", "These", "Our new", "Only our", "Every one of our",
             "Meet our", "Discover our", "Enjoy our")  # fmt: skip
_SIG_ADJ = ("exclusive", "elite", "exotic", "charming", "gorgeous", "refined", "passionate",
            "sensual", "stunning", "classy")  # fmt: skip
_SIG_NOUN = ("ladies", "models", "angels", "beauties", "girls", "companions", "muses", "dolls",
             "princesses", "stars")  # fmt: skip
_SIG_END = (
    "make every evening unforgettable.", "are selected for your pleasure.",
    "travel to you across Europe.", "are new every week.", "are waiting for your visit.",
    "speak English and love to party.", "guarantee a warm welcome.",
    "offer first class service.", "are young and open minded.", "will spoil you.",
)  # fmt: skip

# A group's house rule, shown in some of its ads.
_RULE_WHO = ("Appointments", "Visits", "Meetings", "Bookings", "Dates")
_RULE_HOW = (
    "only with confirmation by message", "at least one hour in advance",
    "only for serious gentlemen", "confirmed fifteen minutes before",
    "paid at the start, no exceptions", "only after a short call",
    "with a deposit for outcalls", "possible the same day",
)  # fmt: skip

# Words an "AI-style" rewriting tool swaps; enough of them that a rewritten
# ad shares few three-word shingles with its template.
_SYNONYMS = {
    "hello": ("hi", "greetings", "hey"), "hi": ("hello", "hey", "greetings"),
    "gentlemen": ("men", "gents", "sirs"), "sweet": ("lovely", "charming", "cute"),
    "girl": ("lady", "woman", "babe"), "lady": ("woman", "girl", "beauty"),
    "young": ("youthful", "fresh", "young"), "beautiful": ("gorgeous", "pretty", "stunning"),
    "clean": ("tidy", "spotless", "neat"), "private": ("personal", "secluded", "own"),
    "apartment": ("flat", "studio", "place"), "flat": ("apartment", "studio", "place"),
    "discreet": ("confidential", "quiet", "private"), "available": ("ready", "free", "open"),
    "call": ("ring", "phone", "dial"), "relaxing": ("soothing", "calming", "restful"),
    "meeting": ("date", "session", "encounter"), "meetings": ("dates", "sessions", "encounters"),
    "natural": ("real", "genuine", "authentic"), "soft": ("smooth", "silky", "tender"),
    "love": ("adore", "enjoy", "like"), "offer": ("provide", "give", "propose"),
    "waiting": ("ready", "longing", "hoping"), "passion": ("desire", "fire", "heat"),
    "elegant": ("stylish", "graceful", "chic"), "friendly": ("kind", "warm", "nice"),
    "slim": ("slender", "thin", "lean"), "body": ("figure", "shape", "physique"),
    "long": ("flowing", "lengthy", "long"), "hair": ("locks", "curls", "hair"),
    "character": ("nature", "personality", "manner"), "perfect": ("ideal", "flawless", "best"),
    "company": ("companion", "partner", "date"), "dinner": ("supper", "a meal", "dining"),
    "smile": ("grin", "look", "face"), "stress": ("worries", "tension", "troubles"),
    "tenderness": ("affection", "care", "warmth"), "enjoy": ("savour", "love", "have"),
    "classic": ("traditional", "standard", "regular"), "romantic": ("loving", "intimate",
                                                                      "tender"),
    "rush": ("hurry", "haste", "pressure"), "generous": ("kind", "big-hearted", "giving"),
    "respect": ("courtesy", "politeness", "care"), "possible": ("available", "an option",
                                                                "welcome"),
    "pleasure": ("delight", "enjoyment", "joy"), "priority": ("focus", "goal", "aim"),
    "wishes": ("desires", "requests", "fantasies"), "politely": ("nicely", "kindly", "gently"),
    "safe": ("secure", "protected", "careful"), "welcome": ("invited", "accepted", "welcome"),
    "centre": ("heart", "middle", "downtown"), "hotels": ("hotel rooms", "your hotel", "inns"),
    "studio": ("room", "apartment", "suite"), "station": ("terminal", "depot", "stop"),
    "quiet": ("calm", "peaceful", "silent"), "residence": ("home", "building", "house"),
    "luxury": ("luxurious", "upscale", "deluxe"), "holidays": ("vacations", "festivities",
                                                               "breaks"),
    "visit": ("see", "meet", "come to"), "late": ("late", "the end of", "deep into"),
    "short": ("brief", "limited", "small"), "miss": ("lose", "skip", "pass up"),
    "respectful": ("polite", "courteous", "decent"), "real": ("genuine", "authentic", "true"),
    "disappointed": ("let down", "unhappy", "sorry"), "important": ("essential", "vital", "key"),
    "satisfaction": ("happiness", "contentment", "pleasure"), "guaranteed": ("assured",
                                                                             "promised", "sure"),
    "tender": ("gentle", "soft", "caring"), "naughty": ("playful", "wild", "cheeky"),
    "charming": ("lovely", "delightful", "enchanting"), "warm": ("kind", "cosy", "gentle"),
    "fun": ("joy", "pleasure", "games"), "arrived": ("came", "landed", "appeared"),
    "fresh": ("new", "young", "bright"), "every": ("each", "any", "every single"),
    "special": ("unique", "precious", "important"), "sensual": ("sexy", "seductive", "erotic"),
    "touch": ("caress", "feel", "contact"), "eyes": ("gaze", "look", "eyes"),
}  # fmt: skip
_AI_FILLER = (
    "I believe every moment together should feel special and unforgettable.",
    "Allow me to create a warm and welcoming atmosphere just for you.",
    "Treat yourself to an experience that combines elegance, comfort and joy.",
    "Every detail is carefully prepared to ensure your complete relaxation.",
    "Discover a world of calm, beauty and genuine connection.",
    "Step away from everyday worries and let yourself be pampered.",
    "My goal is simple: your comfort, your happiness, your memories.",
    "Experience true companionship in a setting designed for you.",
)

_INDIE_OPEN = (
    "New in town!", "Hi guys,", "Hello!", "Back in {city}!", "Independent lady here.",
    "Real photos!", "Hi there,", "Only for a few days!", "Finally back!", "Hello darlings,",
)  # fmt: skip
_STOCK = (
    "New in town.", "Discreet.", "Real photos.", "100% independent, no agency.",
    "Real photos, no fakes.", "Very discreet.", "Clean and discreet.", "No agency.",
    "Available now.", "Call me.",
)  # fmt: skip
_PLATFORM_DEFAULT = (
    "Hello, I am new on this site. Real photos, discreet meetings in a relaxed atmosphere. "
    "Contact me for more details and prices."
)
# Recruitment ads: each group words its own from these parts (5 x 5 x 5 x 4) and
# its signature line, so two groups rarely post the same job ad.
_RECRUIT_OPEN = (
    "Work abroad as a hostess or model in {place}.",
    "We are looking for girls for a well paid job in {place}.",
    "Job offer: dancers and hostesses for clubs in {place}.",
    "Easy work for pretty girls in {place}, we organise everything.",
    "Young women wanted for an international agency in {place}.",
)
_RECRUIT_OFFER = (
    "Earnings from {wage} {cur} per week, travel and accommodation paid, no experience needed.",
    "Free flight, free apartment, high income every week, language not necessary.",
    "Salary {wage} {cur} weekly plus tips, visa help and transport.",
    "Tickets, housing and documents arranged, earn {wage} {cur} a week.",
    "Fast money, safe conditions, we pay the trip, girls 18-25 welcome.",
)
_RECRUIT_NEEDS = (
    "Only a passport and a good attitude required.",
    "We help with the visa and the first weeks of rent.",
    "Girls who want to change their life, this is your chance.",
    "Accommodation shared with other girls, everything clean and safe.",
    "No need to speak the language, our team will meet you at the airport.",
)
_RECRUIT_CONTACT = (
    "Contact {phone}.",
    "Write now to {phone}.",
    "Call {phone} today.",
    "Information at {phone}, also WhatsApp.",
)
_JOB_TEXT = (
    "Cleaning staff wanted for hotels in {city}, full time, contract and good salary. "
    "Call {phone} or send your CV.",
    "Warehouse workers needed in {city}, day and night shifts, training provided. "
    "Apply by phone {phone}.",
    "Kitchen assistant for a busy restaurant in {city}, experience preferred, "
    "start immediately. Contact {phone}.",
    "Care workers for elderly people in {city}, part time or full time, registration and "
    "insurance included. Phone {phone}.",
)
_GROUP_TITLES = (
    "{name} {age} - new in {city}", "Hot {name} in {city}", "{name}, {age}, {city} - real photos",
    "Sweet {name} ({age}) incall/outcall", "NEW {name} {city} 24/7", "{agency}: {name} {age}",
    "{name} - only few days in {city}", "{name} {age}y {city} VIP",
)  # fmt: skip
_INDIE_TITLES = (
    "{name} {age} {city}", "{name} independent in {city}", "New in town: {name}",
    "{name}, {age}, discreet", "{name} real photos", "Back in {city} - {name}",
    "{name} ({age})", "{name} - {city} incall",
)  # fmt: skip
_BRAND_A = ("Velvet", "Golden", "Royal", "Silk", "Crystal", "Scarlet", "Ivory", "Midnight",
            "Diamond", "Amber", "Sapphire", "Rose", "Pearl", "Orchid", "Luna", "Venus",
            "Elite", "Paradise", "Secret", "Eden")  # fmt: skip
_BRAND_B = ("Angels", "Escorts", "Models", "Ladies", "Dolls", "Girls", "Companions", "Agency",
            "Club", "Beauties", "Muses", "Desire")  # fmt: skip
_BRAND_C = ("", "", "VIP", "Europe", "International", "Premium", "Escort Service", "Elite")
_HOTEL_A = ("Aurora", "Parkview", "Central", "Riverside", "Metropol", "Garden", "Harbour",
            "Kingsgate", "Lindenhof", "Belvedere", "Astoria", "Meridian", "Bellevue", "Nova",
            "Continental", "Panorama", "Regent", "Sunset", "Windsor", "Alpina")  # fmt: skip
_HOTEL_B = ("Hotel", "Inn", "Suites", "City Hotel", "Boutique Hotel", "Residence")
_EMAIL_DOMAINS = ("mailbox.example", "post.example", "inbox.test", "webmail.example",
                  "securemail.test")  # fmt: skip
_CRYPTO_PAY = ("crypto only", "BTC/USDT only", "only crypto (USDT TRC20)",
               "prepayment in crypto only", "USDT only", "Bitcoin only")  # fmt: skip
_CASH_PAY = ("cash", "cash only", "cash or card", "cash, Revolut", "cash or bank transfer", "")
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_LOOK = {"0": ("O", "o"), "1": ("I", "l"), "5": ("S",), "8": ("B",)}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


# ---------------------------------------------------------------------------
# Small, fast draws. The generator makes tens of draws per record; Random's
# choice/randrange cost several times a bare random(), so hot paths use these.


T = TypeVar("T")
Rnd = Callable[[], float]  # a bound random.Random.random


def _pick(rnd: Rnd, seq: Sequence[T]) -> T:
    return seq[int(rnd() * len(seq))]


def _between(rnd: Rnd, lo: int, hi: int) -> int:
    """An integer in [lo, hi)."""
    return lo + int(rnd() * (hi - lo))


def _weighted_sample(rng: random.Random, items: tuple, weights: list[float], k: int) -> list:
    out: list = []
    pool, w = list(items), list(weights)
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), w)[0]
        out.append(pool.pop(i))
        w.pop(i)
    return out


# ---------------------------------------------------------------------------
# Identifiers


def b58check(payload: bytes) -> str:
    """Base58Check: the payload, then the first 4 bytes of its double SHA-256."""
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    raw = payload + check
    n = int.from_bytes(raw, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


class _Scramble:
    """The k-th of up to ``size`` distinct pseudo-random numbers: ``(a*k + b) mod size``.

    With ``a`` coprime to ``size`` this is a bijection, so identifiers drawn from
    it never collide and need no memory of what was handed out.
    """

    def __init__(self, rng: random.Random, size: int) -> None:
        self.size = size
        a = rng.randrange(size // 3, size) if size > 3 else 1
        while math.gcd(a, size) != 1:
            a += 1
        self.a = a
        self.b = rng.randrange(size)
        self.k = 0

    def next(self) -> int:
        if self.k >= self.size:
            raise ConfigError("the synthetic world ran out of distinct identifiers")
        value = (self.a * self.k + self.b) % self.size
        self.k += 1
        return value


class _Phone:
    """A number: its country, national significant number and how it is grouped."""

    __slots__ = ("country", "nsn", "parts", "e164", "shown")

    def __init__(self, country: Country, nsn: str, groups: tuple[int, ...]) -> None:
        self.country = country
        self.nsn = nsn
        self.parts = _parts(nsn, groups)
        self.e164 = f"+{country.cc}{nsn}"
        self.shown: dict[str, str] = {}  # renderings that need no randomness


def _parts(nsn: str, groups: tuple[int, ...]) -> list[str]:
    out, i = [], 0
    for g in groups:
        out.append(nsn[i : i + g])
        i += g
    if i < len(nsn):
        out[-1] += nsn[i:]
    return [p for p in out if p]


#: Styles for the phones column (a scraper copies the site's contact field)...
COLUMN_STYLES = ("e164", "intl", "intl00", "nat", "nat_compact", "nat_dash")
#: ... and for text, where people and obfuscation have free rein.
TEXT_STYLES = (
    "intl", "intl00_spaced", "intl_trunk", "nat", "nat_dash", "nat_paren", "nat_dots",
    "spaced", "words", "mixed_words", "lookalike",
)  # fmt: skip
_OBSCURE_STYLES = ("spaced", "words", "mixed_words", "lookalike", "nat_dots")
_NATIONAL = frozenset(("nat", "nat_compact", "nat_dash", *_OBSCURE_STYLES, "nat_paren"))
_RANDOM_STYLES = frozenset({"mixed_words", "lookalike"})


def show_phone(phone: _Phone, style: str, local: str | None, rnd: Rnd) -> str:
    """``phone`` written in ``style``; national styles only for a number of the ad's country.

    A national form is only readable with the country known, so it is used when
    the number belongs to ``local`` (the country the ad shows); otherwise the
    number is written internationally, as ads for a foreign number are.
    ``rnd`` is a ``random()`` function.
    """
    if style in _NATIONAL and phone.country.code != local:
        style = "intl" if style in COLUMN_STYLES or rnd() < 0.7 else "intl00_spaced"
    if style in _RANDOM_STYLES:
        return _render(phone, style, rnd)
    shown = phone.shown.get(style)
    if shown is None:
        shown = phone.shown[style] = _render(phone, style, rnd)
    return shown


def _render(phone: _Phone, style: str, rnd: Rnd) -> str:
    c = phone.country
    parts = phone.parts
    if style == "e164":
        return phone.e164
    if style == "intl":
        return f"+{c.cc} " + " ".join(parts)
    if style == "intl00":
        return f"00{c.cc}{phone.nsn}"
    if style == "intl00_spaced":
        return f"00{c.cc} " + " ".join(parts)
    if style == "intl_trunk":
        if c.trunk != "0":
            return f"+{c.cc} " + " ".join(parts)
        return f"+{c.cc} (0)" + " ".join(parts)
    first = c.trunk + parts[0]
    rest = parts[1:]
    if style == "nat":
        return " ".join([first, *rest])
    if style == "nat_compact":
        return c.trunk + phone.nsn
    if style == "nat_dash":
        return first + "-" + "".join(rest)
    if style == "nat_paren":
        return f"({first}) " + " ".join(rest)
    if style == "nat_dots":
        return ".".join([first, *rest])
    if style == "spaced":
        return " ".join(c.trunk + phone.nsn)
    if style == "words":
        return " ".join(_WORDS[int(d)] for d in c.trunk + phone.nsn)
    if style == "mixed_words":
        # Some groups as words, some as digits: "zero six 12 34 five six 78".
        return " ".join(
            " ".join(_WORDS[int(d)] for d in part) if rnd() < 0.5 else part
            for part in [first, *rest]
        )
    if style == "lookalike":
        # "O6 I2 34 S6 78": letters for some digits, but every group keeps a real
        # digit, as in the ads (a group of letters only reads as a word).
        out = []
        for part in [first, *rest]:
            chars = list(part)
            real = len(chars)
            for i, ch in enumerate(chars):
                if ch in _LOOK and real > 1 and rnd() < 0.45:
                    chars[i] = _pick(rnd, _LOOK[ch])
                    real -= 1
            out.append("".join(chars))
        return " ".join(out)
    raise ValueError(style)


# ---------------------------------------------------------------------------
# The world's actors


@dataclass
class _Hotel:
    name: str
    city: City
    country: Country
    phone: _Phone
    #: the first two independent ads naming it, as (record id, advertiser), by different advertisers
    independents: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _Persona:
    person: str  # the victim's pseudonymous id
    name: str
    slug: str
    age: int
    images: list[int]
    start: int
    end: int
    stops: list[int]  # itinerary: the day each stay starts ...
    cities: list[tuple[Country, City]]  # ... and where
    line: int
    switch_day: int  # from this day on the persona's ads use line2
    line2: int
    platforms: list[Platform]
    brand: int  # index into the group's brands, -1 for none
    level: float  # where her price sits in the local range, 0 to 1
    ads: list[int] = field(default_factory=list)  # chunk positions of her ads


@dataclass
class _Template:
    """An ad text with slots, pre-joined in the variants an ad may take."""

    sentences: list[str]
    contact: int  # position of the sentence that gives the number
    extra_at: int  # where the optional extra line goes
    variants: dict[tuple[bool, bool], str]  # (phone in text, extra line) -> text with slots
    rewordings: list[list[str]]  # per sentence, then the extra line; for paraphrasing groups
    title: str
    col_style: str
    text_styles: tuple[str, ...]
    phone_in_text: float


def _template(
    rng: random.Random,
    obscure: bool,
    group: bool,
    signature: str = "",
    rule: str = "",
    reword: bool = False,
) -> _Template:
    """One sentence per family and the group's signature line in a group's ads;
    a shorter personal mix for an independent.

    Variants: with or without the contact sentence (when the number is not in
    the text) and with or without an extra line (a group's house rule, an
    independent's stock phrase in the ``{stock}`` slot). The signature makes a
    group's wording its own: two groups drawing the same sentences from the
    families is otherwise a one-in-millions event that a world of thousands of
    templates would meet.
    """
    if group:
        sentences = [rng.choice(f) for f in _FAMILIES]
        sentences.insert(2, signature)
        contact, extra_at, extra = _CONTACT_AT + 1, len(sentences) - 1, rule
        title = rng.choice(_GROUP_TITLES)
    else:
        picked = rng.sample(range(len(_FAMILIES)), rng.randint(3, 5))
        body = [rng.choice(_FAMILIES[k]) for k in sorted(picked) if k != _CONTACT_AT]
        sentences = [rng.choice(_INDIE_OPEN), rng.choice(_CONTACT), *body]
        contact, extra_at, extra = 1, 1, "{stock}"
        title = rng.choice(_INDIE_TITLES)
    variants = {}
    for with_phone in (True, False):
        kept = [s for k, s in enumerate(sentences) if with_phone or k != contact]
        variants[(with_phone, False)] = " ".join(kept)
        variants[(with_phone, True)] = " ".join([*kept[:extra_at], extra, *kept[extra_at:]])
    if obscure:
        styles = tuple(rng.sample(_OBSCURE_STYLES, 2))
    else:
        styles = tuple(rng.sample(TEXT_STYLES[:7], 2))
    rewordings = (
        [[_reword(s, rng.random) for _ in range(_REWORDINGS)] for s in [*sentences, extra]]
        if reword
        else []
    )
    return _Template(
        sentences, contact, extra_at, variants, rewordings, title, rng.choice(COLUMN_STYLES),
        styles, 0.6 if obscure else 0.4,
    )  # fmt: skip


def _reword(sentence: str, rnd: Rnd) -> str:
    """The sentence with most words that have synonyms swapped for one."""
    words = sentence.split(" ")
    for i, w in enumerate(words):
        core = w.rstrip(".,:;!")
        alts = _SYNONYMS.get(core.lower())
        if alts and rnd() < 0.75:
            new = _pick(rnd, alts)
            if core[:1].isupper():
                new = new[:1].upper() + new[1:]
            words[i] = new + w[len(core) :]
    return " ".join(words)


#: Rewordings made per template sentence; an ad draws one per sentence, so
#: 6**8 texts are possible and two ads rarely share more than a sentence or two.
_REWORDINGS = 6


def _paraphrase(versions: list[list[str]], rnd: Rnd) -> list[str]:
    """An "AI-style" rewrite: reworded sentences, shuffled, with filler added.

    ``versions`` holds, per sentence, a few rewordings to draw from (rewording
    word by word for every ad would cost more than the rest of the ad).
    """
    out = [_pick(rnd, v) for v in versions]
    head, tail = out[:1], out[1:]
    # Shuffle by sorting on random keys: one draw per sentence.
    tail = [s for _, s in sorted((rnd(), s) for s in tail)]
    if len(tail) > 3 and rnd() < 0.4:
        tail.pop(int(rnd() * len(tail)))
    tail.insert(int(rnd() * (len(tail) + 1)), _pick(rnd, _AI_FILLER))
    return head + tail


def _amount(country: Country, level: float, factor: float = 1.0) -> int:
    """An hour's price at ``level`` of the country's range, rounded as ads round it."""
    lo, hi = country.price
    step = 10 ** max(1, len(str(lo)) - 2)
    return max(step, round((lo + level * (hi - lo)) * factor / step) * step)


def _currency(country: Country, rnd: Rnd) -> str:
    if country.currency == "EUR":
        return _pick(rnd, ("EUR", "EUR", "€", "eur"))
    return country.currency


def _price(amount: int, country: Country, rnd: Rnd) -> str:
    r = rnd()
    cur = country.currency
    if r < 0.15:
        return ""
    if r < 0.5:
        return f"{amount} {cur}"
    if r < 0.65 and cur == "EUR":
        return _pick(rnd, (f"€{amount}", f"{amount}€", f"{amount} eur/h"))
    if r < 0.75 and cur == "GBP":
        return f"£{amount}"
    if r < 0.85:
        return f"from {amount * 6 // 100 * 10} {cur}"
    return str(amount)


def _obscure_email(email: str, rnd: Rnd) -> str:
    local, host = email.split("@")
    name, tld = host.rsplit(".", 1)
    at, dot = _pick(rnd, (("[at]", "[dot]"), ("(at)", "(dot)"), ("{at}", "{dot}")))
    return f"{local} {at} {name} {dot} {tld}"


# ---------------------------------------------------------------------------
# Hard situations, each off unless asked for


@dataclass(frozen=True)
class Situations:
    """Situations that make a world harder to read, each one off by default.

    With every field at its default the world is exactly the one
    :func:`generate` always made (the tests pin the bundled sample byte for
    byte); each field turned on adds one situation an investigator meets:

    * ``shared_templates``: this share of the groups come in pairs that post
      from one and the same ad template (signature line included): one writer
      or one purchased template working for two unrelated operations;
    * ``lone_pictures``: this share of a group's ads show only re-encoded
      copies of the persona's pictures, each copy in that one ad alone, and a
      one-off number used nowhere else: nothing but the pictures ties them to
      the group;
    * ``picture_independents``: this share of prolific independents (20-80
      ads) give their number in only a third of their ads; the rest show her
      pictures and nothing else;
    * ``small_lines``: generic lines (an apartment-rental desk, a booking
      line of a hotel) per 1,000 records, each given in only 2-4 ads of
      different advertisers;
    * ``rings``: two analyst-sized rings of 10 and 8 ads (``RING-1``,
      ``RING-2``), each bound by two phones, one agency and one handle;
    * ``scale``: groups this many times larger (and as many times fewer), as
      operations are in a bigger collection.
    """

    shared_templates: float = 0.0
    lone_pictures: float = 0.0
    picture_independents: float = 0.0
    small_lines: float = 0.0
    rings: bool = False
    scale: float = 1.0

    @property
    def plain(self) -> bool:
        return self == Situations()


#: Every situation at once, at strengths that the tests and docs/quality.md use.
HARD = Situations(
    shared_templates=0.5,
    lone_pictures=0.08,
    picture_independents=0.5,
    small_lines=2.0,
    rings=True,
    scale=1.5,
)


#: Ads of each analyst-sized ring.
RING_SIZES = (10, 8)

_SMALL_LINE_TEXT = (
    "Viewings of the apartment via the rental desk {desk}.",
    "Parking and key pickup: {desk}.",
    "Booking line of the residence: {desk}.",
)


# ---------------------------------------------------------------------------
# The world


class _World:
    """Everything that outlives a chunk: the random stream, counters and noise tables."""

    def __init__(self, records: int, seed: int, situations: Situations | None = None) -> None:
        self.situations = situations or Situations()
        self.rng = rng = random.Random(seed)
        self.rnd = rng.random
        self.records = records
        days = [FIRST_DAY + timedelta(days=d) for d in range(_COLLECT_DAYS)]
        self.days = [d.isoformat() for d in days]
        # Collection: a batch per quarter and stream, each run by a few analysts.
        self.batches = {
            stream: [f"{stream}-{d.year}Q{(d.month - 1) // 3 + 1}" for d in days]
            for stream in ("crawl", "manual")
        }
        self.analysts = {"crawl": ("A-01", "A-02", "A-03"),
                         "manual": ("A-04", "A-05", "A-06", "A-07", "A-08")}  # fmt: skip
        self.minutes = [f"T{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
        self.seconds = [f":{s:02d}" for s in range(60)]
        self.country_weights = [c.ads for c in COUNTRIES]
        self.country_cum = list(itertools.accumulate(self.country_weights))
        self.home_cum = list(itertools.accumulate(c.home for c in COUNTRIES))
        self.platform_weights = [p.weight for p in _AD_PLATFORMS]
        # Distinct numbers per country (mobiles) and per city (landlines).
        self.mobiles = {
            c.code: _Scramble(rng, len(c.mobile) * 10 ** (c.mobile_len - max(map(len, c.mobile))))
            for c in COUNTRIES
        }
        self.landlines: dict[str, _Scramble] = {}
        self.tokens = _Scramble(rng, 36**6)
        self.urls = _Scramble(rng, 10**8)
        self.brands: set[str] = set()  # membership only, never iterated
        self.persons = 0
        self.groups = 0
        self.advertisers = 0
        self.link_rows = 0
        self.recorded = 0
        # Independent ads naming a hotel desk in the current chunk: (position, hotel, advertiser).
        self.hotel_marks: list[tuple[int, _Hotel, int]] = []
        # Noise that cuts across advertisers: the sites' own identifiers and hotel desks.
        self.platform_noise = {p.domain: self._platform_noise(p) for p in PLATFORMS}
        total = sum(self.country_weights)
        # Each city's expected share of ads (independents pick the first city half the time).
        self.city_share = {
            city.names[0]: c.ads / total * (0.5 * (k == 0) + 0.5 / len(c.cities))
            for c in COUNTRIES
            for k, city in enumerate(c.cities)
        }
        self.hotels = self._hotels()
        self.hotels_by_city: dict[str, list[_Hotel]] = {}
        for h in self.hotels:
            self.hotels_by_city.setdefault(h.city.names[0], []).append(h)
        self.hotel_rate = {
            name: min(0.3, HOTEL_ADS * len(hs) / (records * self.city_share[name]))
            for name, hs in self.hotels_by_city.items()
        }
        # Hard situations draw from their own stream, so that turning one on
        # changes little of what the main stream draws for the rest.
        self.hard = random.Random(seed * 7919 + 17)
        self.pending_template: _Template | None = None
        self.shared_with: dict[str, str] = {}
        #: small generic lines: [phone, ads still to name it, advertisers that did]
        self.small_lines: list[list] = []
        # About as many ads name a line as the lines have room for (3 each).
        self.small_line_rate = 3 * self.situations.small_lines / 1000
        if self.situations.small_lines:
            nl = _BY_CODE["NL"]
            for _ in range(max(1, round(records * self.situations.small_lines / 1000))):
                country = self.hard.choices(COUNTRIES, cum_weights=self.country_cum)[0]
                city = self.hard.choice(country.cities)
                phone = self.landline(country, city) if city.land else None
                if phone is None:
                    phone = self.mobile(nl)
                self.small_lines.append([phone, self.hard.randint(2, 4), set()])

    # -- identifiers ------------------------------------------------------

    def mobile(self, country: Country) -> _Phone:
        k = self.mobiles[country.code].next()
        prefix = country.mobile[k % len(country.mobile)]
        width = country.mobile_len - len(prefix)
        sub = (k // len(country.mobile)) % 10**width
        return _Phone(country, f"{prefix}{sub:0{width}d}", country.groups)

    def landline(self, country: Country, city: City) -> _Phone | None:
        key = country.code + city.land
        width = city.land_len - len(city.land)
        gen = self.landlines.get(key)
        if gen is None:
            gen = self.landlines[key] = _Scramble(self.rng, 10**width)
        if gen.k >= gen.size:
            return None
        return _Phone(country, f"{city.land}{gen.next():0{width}d}", city.land_groups)

    def token(self) -> str:
        """A distinct short random token for handles, e-mails and site names."""
        n = self.tokens.next()
        out = []
        for _ in range(6):
            n, r = divmod(n, 36)
            out.append(_B36[r])
        return "".join(out)

    def wallet(self, chain: str) -> str:
        body = self.rng.getrandbits(160).to_bytes(20, "big")
        if chain == "btc":
            return "btc:" + b58check(b"\x00" + body)
        if chain == "trx":
            return "trx:" + b58check(b"\x41" + body)
        return "eth:0x" + body.hex()

    def person(self) -> str:
        self.persons += 1
        return f"P-{self.persons:04d}"

    # -- world tables -------------------------------------------------------

    def _platform_noise(self, p: Platform) -> dict:
        nl = _BY_CODE["NL"]
        slug = p.domain.split(".")[0].replace("-", "_")
        helpline = self.landline(nl, nl.cities[0])
        return {
            "abuse": f"abuse@{p.domain}",
            "home": f"https://{p.domain}/",
            "badge": f"{self.rng.getrandbits(64):016x}",
            "support": f"telegram:@{slug}_support",
            "helpline": show_phone(helpline, "intl", None, self.rnd) if helpline else "",
        }

    def _hotels(self) -> list[_Hotel]:
        """Hotels whose front desk number ads give for incalls, in the busiest cities."""
        rng = self.rng
        n = max(1, round(self.records / RECORDS_PER_HOTEL))
        places = [(c, city) for c in COUNTRIES for city in c.cities if city.land]
        places.sort(key=lambda p: -self.city_share[p[1].names[0]])
        # Only cities with ads enough for a desk to be named in dozens of them.
        big = [p for p in places if self.records * self.city_share[p[1].names[0]] >= 4 * HOTEL_ADS]
        places = big or places[:1]
        weights = [self.city_share[city.names[0]] for _, city in places]
        out = []
        names_used: dict[str, int] = {}
        for _ in range(n):
            country, city = rng.choices(places, weights)[0]
            phone = self.landline(country, city)
            if phone is None:
                continue
            base = f"{rng.choice(_HOTEL_B)} {rng.choice(_HOTEL_A)}"
            names_used[base] = names_used.get(base, 0) + 1
            name = base if names_used[base] == 1 else f"{base} {city.names[0]}"
            out.append(_Hotel(name, city, country, phone))
        return out

    # -- plan ---------------------------------------------------------------

    def plan(self) -> tuple[list[int], set[int], list[tuple[int, int, int]]]:
        """Group sizes, the groups analysts have looked at, and chunks.

        A chunk is (first group, end group, independent ads): groups are never
        split across chunks, and independents are spread in proportion.
        """
        rng = self.rng
        n = self.records
        share = rng.uniform(0.30, 0.40)  # of records that belong to groups
        per = rng.uniform(200, 320)  # records per group
        if self.situations.scale != 1.0:
            per *= self.situations.scale
        n_groups = round(n / per)
        if n >= 50:
            n_groups = max(1, n_groups)
        budget = round(n * share)
        sizes: list[int] = []
        if n_groups:
            weights = [rng.lognormvariate(0, 0.6) for _ in range(n_groups)]
            total = sum(weights)
            floor = min(12, max(1, budget // n_groups))
            if self.situations.scale > 1.0:
                floor = min(round(12 * self.situations.scale), max(1, budget // n_groups))
            extra = max(0, budget - floor * n_groups)
            shares = [extra * w / total for w in weights]
            sizes = [floor + int(x) for x in shares]
            # Largest remainders first, so the sizes add up to the budget exactly.
            by_rest = sorted(range(n_groups), key=lambda i: (int(shares[i]) - shares[i], i))
            for i in by_rest[: floor * n_groups + extra - sum(sizes)]:
                sizes[i] += 1
        # Analysts have looked into about a third of the groups; their findings go to links.csv.
        intel = set(rng.sample(range(n_groups), math.ceil(n_groups * 0.3)))
        grouped = sum(sizes)
        independent = n - grouped
        chunks: list[tuple[int, int, int]] = []
        if not sizes:
            for start in range(0, independent, CHUNK):
                chunks.append((0, 0, min(CHUNK, independent - start)))
            return sizes, intel, chunks
        per_chunk = CHUNK * grouped / n
        first, acc, done_g, done_i = 0, 0, 0, 0
        for g, s in enumerate(sizes):
            acc += s
            if acc >= per_chunk or g == len(sizes) - 1:
                done_g += acc
                target_i = round(independent * done_g / grouped)
                chunks.append((first, g + 1, target_i - done_i))
                done_i = target_i
                first, acc = g + 1, 0
        return sizes, intel, chunks

    # -- the parts of a record ------------------------------------------------

    def collect(self, row: list, day: int, stream: str = "") -> None:
        """When, in which batch and by whom an ad posted on ``day`` was collected."""
        rnd = self.rnd
        if not stream:
            stream = "crawl" if rnd() < 0.85 else "manual"
        collected = day + int(-6 * math.log(1.0 - rnd()))  # a few days later, mostly
        if collected >= _COLLECT_DAYS:
            collected = _COLLECT_DAYS - 1
        row[R_SOURCE] = self.batches[stream][collected]
        row[R_COLLECTED] = (
            self.days[collected] + _pick(rnd, self.minutes) + _pick(rnd, self.seconds) + "Z"
        )
        row[R_COLLECTOR] = _pick(rnd, self.analysts[stream])

    def row(self, platform: Platform, day: int, slug: str) -> list:
        """A record with where and when filled in; multi-valued columns as lists."""
        rnd = self.rnd
        row = [""] * len(RECORD_FIELDS)
        self.collect(row, day)
        # Scrapers see a date-time; some platforms only show the day.
        row[R_POSTED] = (
            self.days[day] if rnd() < 0.3 else self.days[day] + _pick(rnd, self.minutes) + ":00"
        )
        row[R_PLATFORM] = platform.domain if rnd() < 0.95 else platform.domain.split(".")[0]
        row[R_PTYPE] = platform.kind
        row[R_URL] = platform.path.replace("{n}", str(self.urls.next())).replace("{slug}", slug)
        row[R_VIEWS] = str(int(40 / (1.0 - rnd()) ** (1 / 1.3)))  # Pareto: a few ads are hits
        row[R_PHONES] = []
        row[R_EMAILS] = []
        row[R_HANDLES] = []
        row[R_LINKS] = []
        row[R_WALLETS] = []
        row[R_IMAGES] = []
        return row

    def where(self, row: list, country: Country, city: City) -> str | None:
        """Fill city and country as the ad shows them; return the code a reader can use."""
        rnd = self.rnd
        r = rnd()
        if r < 0.82:
            row[R_CITY] = city.names[0]
        elif r < 0.94:
            row[R_CITY] = _pick(rnd, city.names)
        elif r < 0.98:
            row[R_CITY] = city.names[0].lower()
        r = rnd()
        if r < 0.04:
            return None
        if r < 0.45:
            row[R_COUNTRY] = country.code
        elif r < 0.75:
            row[R_COUNTRY] = country.names[0]
        else:
            row[R_COUNTRY] = _pick(rnd, country.names)
        return country.code

    def noise(self, row: list, platform: Platform, extra: list[str], country: Country,
              city: City, owner: str = "") -> _Hotel | None:  # fmt: skip
        """Identifiers that many unrelated ads carry: the site's own and a hotel desk.

        ``owner`` names the advertiser (a group id, or an independent's number),
        so that a small generic line goes to different advertisers."""
        rnd = self.rnd
        pn = self.platform_noise[platform.domain]
        if rnd() < 0.10:
            row[R_LINKS].append(pn["home"])
        if rnd() < 0.12:
            row[R_IMAGES].append(pn["badge"])
            extra.append("Verified profile.")
        if rnd() < 0.03:
            if rnd() < 0.5:
                row[R_EMAILS].append(pn["abuse"])
            else:
                extra.append(f"Report abuse: {pn['abuse']}")
        if rnd() < 0.012:
            if rnd() < 0.5:
                row[R_HANDLES].append(pn["support"])
            else:
                extra.append(f"Questions about this site? Telegram {pn['support'][9:]}")
        if pn["helpline"] and rnd() < 0.012:
            extra.append(f"Site helpline: {pn['helpline']}.")
        if self.small_lines and self.hard.random() < self.small_line_rate:
            self.small_line(row, extra, owner)
        hotels = self.hotels_by_city.get(city.names[0])
        if hotels is None or rnd() >= self.hotel_rate[city.names[0]]:
            return None
        hotel = _pick(rnd, hotels)
        local = country.code if row[R_COUNTRY] else None
        desk = show_phone(hotel.phone, _pick(rnd, ("nat", "intl", "nat_dash")), local, rnd)
        extra.append(
            _pick(rnd, (
                f"Incall at {hotel.name}, ask at the reception {desk}.",
                f"I stay at {hotel.name} ({desk}), room number by SMS.",
                f"Meet me at {hotel.name}, front desk {desk}.",
            ))
        )  # fmt: skip
        if rnd() < 0.3:
            row[R_PHONES].append(show_phone(hotel.phone, "intl", None, rnd))
        return hotel

    def small_line(self, row: list, extra: list[str], owner: str) -> None:
        """A generic line that only 2-4 ads give, each of another advertiser."""
        for line in self.small_lines:
            phone, left, named = line
            if left > 0 and owner not in named:
                line[1] -= 1
                named.add(owner)
                desk = show_phone(phone, "intl", None, self.rnd)
                extra.append(self.hard.choice(_SMALL_LINE_TEXT).format(desk=desk))
                if self.hard.random() < 0.5:
                    row[R_PHONES].append(desk)
                return

    def images(self, row: list, pool: list[int], reencode: float) -> None:
        """One to four of the pool's pictures; some re-encoded (1 to 6 hash bits flipped)."""
        rnd = self.rnd
        n = len(pool)
        k = 1 + int(rnd() * min(4, n))
        start = int(rnd() * n)
        out = row[R_IMAGES]
        for j in range(k):
            h = pool[(start + j) % n]
            if rnd() < reencode:
                for _ in range(1 + int(rnd() * 6)):
                    h ^= 1 << int(rnd() * 64)  # a bit hit twice stays flipped once less
                if h == pool[(start + j) % n]:
                    h ^= 1
            out.append(f"{h:016x}")

    # -- an organised group -------------------------------------------------------

    def group(self, gid: str, size: int, intel: bool, ads: list, truth: list, links: list) -> None:
        """All ``size`` records of one organised group, and analysts' facts if ``intel``."""
        rng = self.rng
        rnd = self.rnd
        home = rng.choices(COUNTRIES, cum_weights=self.home_cum)[0]
        n_countries = rng.randint(2, 6)
        targets: list[Country] = []
        while len(targets) < n_countries - 1:
            c = rng.choices(COUNTRIES, cum_weights=self.country_cum)[0]
            if c is not home and c not in targets:
                targets.append(c)
        ad_countries = targets + ([home] if rng.random() < 0.3 else [])
        places = [(c, city) for c in ad_countries for city in c.cities]
        start = rng.randrange(0, DAYS - 120)
        end = min(DAYS, start + rng.randint(120, 480))

        n_victims = max(3, min(15, round(size / rng.uniform(7, 14))))
        controllers = [self.person() for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        # Burner phones: 1-3 lines answered at once, each a new number every few weeks.
        n_lines = min(3, max(1, n_victims // 5 + rng.randint(0, 1)))
        lines: list[tuple[list[int], list[_Phone]]] = []
        for _ in range(n_lines):
            base = rng.choice(ad_countries)
            starts, phones = [], []
            d = start
            while d < end:
                r = rng.random()
                c = base if r < 0.7 else (rng.choice(ad_countries) if r < 0.9 else home)
                starts.append(d)
                phones.append(self.mobile(c))
                d += rng.randint(21, 70)
            lines.append((starts, phones))

        n_brands = rng.choices((0, 1, 2, 3), (30, 45, 17, 8))[0]
        brands, sites = [], []
        for _ in range(n_brands):
            parts = [rng.choice(_BRAND_A), rng.choice(_BRAND_B), rng.choice(_BRAND_C)]
            brand = " ".join(p for p in parts if p)
            # A brand belongs to one group: two unrelated groups sharing a name
            # would be a coincidence of this generator, not a finding.
            while brand in self.brands:
                brand = f"{brand} {rng.choice(ad_countries).names[0]}"
            self.brands.add(brand)
            brands.append(brand)
            site = f"https://{parts[0].lower()}-{parts[1].lower()}-{self.token()}.example"
            sites.append(site if rng.random() < 0.5 else "")
        tg = [
            f"{rng.choice(_BRAND_A).lower()}_{self.token()}"
            for _ in range(rng.choices((0, 1, 2), (40, 50, 10))[0])
        ]
        crypto = rng.random() < 0.35
        wallets = [
            self.wallet(rng.choices(("trx", "btc", "eth"), (5, 3, 2))[0])
            for _ in range(rng.randint(1, 3) if crypto else 0)
        ]
        email = (
            f"{rng.choice(_BRAND_A).lower()}.{self.token()}@{rng.choice(_EMAIL_DOMAINS)}"
            if rng.random() < 0.25
            else ""
        )
        platforms = _weighted_sample(rng, _AD_PLATFORMS, self.platform_weights, rng.randint(2, 4))
        paraphrase = rng.random() < 0.25
        obscure = rng.random() < 0.6  # groups hide numbers more often than independents
        signature = (
            f"{rng.choice(_SIG_OPEN)} {rng.choice(_SIG_ADJ)} {rng.choice(_SIG_NOUN)} "
            f"{rng.choice(_SIG_END)}"
        )
        rule = f"{rng.choice(_RULE_WHO)} {rng.choice(_RULE_HOW)}."
        templates = [
            _template(rng, obscure, True, signature, rule, paraphrase)
            for _ in range(rng.randint(1, 3))
        ]
        hard = self.situations
        if hard.shared_templates and self.hard.random() < hard.shared_templates:
            # Two operations, one template: the second posts only the first's.
            if self.pending_template is None:
                self.pending_template = templates[0]
                self.pending_group = gid
            else:
                templates = [self.pending_template]
                paraphrase = False
                self.shared_with[gid] = self.pending_group
                self.pending_template = None

        personas: list[_Persona] = []
        length = end - start
        for _ in range(n_victims):
            person = self.person()
            p_start = start + rng.randrange(0, max(1, length // 2))
            p_end = min(end, p_start + max(30, int(length * rng.uniform(0.4, 1.0))))
            stops, cities = [], []
            d = p_start
            country, city = rng.choice(places)
            while d < p_end:  # touring: a city for one to four weeks, then the next
                stops.append(d)
                cities.append((country, city))
                d += rng.randint(5, 28)
                if rng.random() < 0.55:
                    country, city = rng.choice(places)
                else:
                    city = rng.choice(country.cities)
            line = rng.randrange(n_lines)
            images = [rng.getrandbits(64) for _ in range(rng.randint(3, 8))]
            names = [rng.choice(POPULAR_NAMES) if rng.random() < 0.7 else rng.choice(OTHER_NAMES)]
            if rng.random() < 0.2:
                names.append(rng.choice(OTHER_NAMES))  # the same woman under a second name
            age = rng.randint(18, 24)
            for name in names:
                personas.append(
                    _Persona(
                        person, name, name.lower(), age, images, p_start, p_end, stops, cities,
                        line, rng.randint(p_start, p_end) if rng.random() < 0.25 else p_end + 1,
                        rng.randrange(n_lines),
                        rng.sample(platforms, rng.randint(1, len(platforms))),
                        rng.randrange(n_brands) if n_brands else -1, rng.random(),
                    )
                )  # fmt: skip
        cum: list[float] = []
        acc = 0.0
        for _ in personas:
            acc += rng.gammavariate(1.5, 1.0)
            cum.append(acc)

        def phone_at(line: int, day: int) -> _Phone:
            starts, phones = lines[line]
            return phones[max(0, bisect_right(starts, day) - 1)]

        made = 0
        n_recruit = round(size * 0.03) if size >= 30 else 0
        recruit = " ".join(
            [rng.choice(_RECRUIT_OPEN), rng.choice(_RECRUIT_OFFER), rng.choice(_RECRUIT_NEEDS),
             signature, rng.choice(_RECRUIT_CONTACT)]
        )  # fmt: skip
        seen: list[tuple[int, _Phone]] = []  # (day, phone) of the group's ads
        while made < size - n_recruit:
            p = personas[bisect_right(cum, rnd() * acc)] if len(personas) > 1 else personas[0]
            day = _between(rnd, p.start, p.end)
            country, city = p.cities[bisect_right(p.stops, day) - 1]
            phone = phone_at(p.line2 if day >= p.switch_day else p.line, day)
            platform = _pick(rnd, p.platforms)
            row = self.row(platform, day, p.slug)
            local = self.where(row, country, city)
            t = _pick(rnd, templates)
            amount = _amount(country, p.level)
            slots = {
                "name": p.name, "age": str(p.age), "city": row[R_CITY] or city.names[0],
                "price": str(amount), "half": str(_amount(country, p.level, 0.6)),
                "cur": _currency(country, rnd), "phone": "",
            }  # fmt: skip
            in_col = rnd() < 0.85
            in_text = rnd() < t.phone_in_text or (not in_col and rnd() < 0.7)
            lone = hard.lone_pictures and self.hard.random() < hard.lone_pictures
            if lone:
                phone = self.mobile(country)  # a one-off number, in this ad alone
            if in_col:
                row[R_PHONES].append(show_phone(phone, t.col_style, local, rnd))
            if in_text:
                slots["phone"] = show_phone(phone, _pick(rnd, t.text_styles), local, rnd)
            ruled = rnd() < 0.5
            if paraphrase:
                body = [v for k, v in enumerate(t.rewordings[:-1]) if in_text or k != t.contact]
                if ruled:
                    body.insert(t.extra_at, t.rewordings[-1])
                text = " ".join(_paraphrase(body, rnd)).format_map(slots)
            else:
                text = t.variants[(in_text, ruled)].format_map(slots)
            extra: list[str] = []
            self.noise(row, platform, extra, country, city, gid)
            if lone:
                # Nothing but re-encoded copies of her pictures ties this ad to the group.
                if p.images:
                    self.images(row, p.images, reencode=1.0)
                row[R_TEXT] = text + " " + " ".join(extra) if extra else text
                slots["agency"] = p.name
                row[R_TITLE] = t.title.format_map(slots).strip(" -:")
                row[R_PERSONA] = p.name
                row[R_AGE] = str(p.age)
                row[R_PRICE] = _price(amount, country, rnd)
                row[R_PAYMENT] = _pick(rnd, _CASH_PAY)
                made += self.emit(row, ads, truth, gid, limit=size - n_recruit - made, owner=p)
                continue
            if tg and rnd() < 0.5:
                handle = _pick(rnd, tg)
                r = rnd()
                if r < 0.6:
                    row[R_HANDLES].append(f"telegram:@{handle}")
                elif r < 0.8:
                    row[R_LINKS].append(f"https://t.me/{handle}")
                else:
                    extra.append(f"Telegram: @{handle}" if rnd() < 0.5 else f"t.me/{handle}")
            if rnd() < 0.2:
                row[R_HANDLES].append(f"whatsapp:{phone.e164}")
            if wallets and rnd() < 0.55:
                w = _pick(rnd, wallets)
                if rnd() < 0.7:
                    row[R_WALLETS].append(w)
                else:
                    chain, addr = w.split(":", 1)
                    coin = {"trx": "USDT TRC20", "btc": "BTC", "eth": "USDT ERC20"}[chain]
                    extra.append(f"Prepayment only in {coin}: {addr}")
            if email and rnd() < 0.25:
                if rnd() < 0.5:
                    row[R_EMAILS].append(email)
                else:
                    extra.append("Mail: " + _obscure_email(email, rnd))
            if p.brand >= 0 and rnd() < 0.85:
                row[R_AGENCY] = brands[p.brand]
                if sites[p.brand] and rnd() < 0.35:
                    row[R_LINKS].append(sites[p.brand])
            if rnd() < 0.93:
                self.images(row, p.images, reencode=0.25)
            row[R_TEXT] = text + " " + " ".join(extra) if extra else text
            slots["agency"] = row[R_AGENCY] or p.name
            row[R_TITLE] = t.title.format_map(slots).strip(" -:")
            if rnd() < 0.05:
                row[R_TITLE] += " " + show_phone(phone, _pick(rnd, t.text_styles), local, rnd)
            row[R_PERSONA] = p.name if rnd() < 0.95 else ""
            row[R_AGE] = "" if rnd() < 0.1 else str(p.age) + ("" if rnd() < 0.7 else " years")
            row[R_PRICE] = _price(amount, country, rnd)
            row[R_PAYMENT] = (
                _pick(rnd, _CRYPTO_PAY) if crypto and rnd() < 0.85 else _pick(rnd, _CASH_PAY)
            )
            made += self.emit(row, ads, truth, gid, limit=size - n_recruit - made, owner=p)
            seen.append((day, phone))
        while made < size:
            day, phone = rng.choice(seen)  # recruiting on a number its ads also give
            made += self.recruit_ad(recruit, gid, ads, truth, home, ad_countries, day, phone, tg,
                                    paraphrase, size - made)  # fmt: skip
        self.groups += 1
        if intel:
            self.intel(controllers, personas, lines, start, end, links)

    def recruit_ad(self, template, gid, ads, truth, home, ad_countries, day, phone, tg,
                   paraphrase, limit) -> int:  # fmt: skip
        """A job ad luring young women abroad, with a phone the group's ads use that week."""
        rng = self.rng
        day = min(DAYS - 1, day + rng.randint(0, 10))
        row = self.row(_JOBS, day, "")
        city = rng.choice(home.cities)
        local = self.where(row, home, city)
        place = rng.choice(ad_countries).names[0]
        text = template.format(
            place=place, wage=rng.choice((800, 1000, 1500, 2000)), cur="EUR",
            phone=show_phone(phone, "intl", local, self.rnd),
        )  # fmt: skip
        if paraphrase:
            text = _reword(text, self.rnd)
        row[R_TEXT] = text
        row[R_TITLE] = rng.choice(
            (f"Work in {place}", "Hostess job abroad", "Models wanted", f"Well paid job in {place}")
        )
        if rng.random() < 0.7:
            row[R_PHONES].append(show_phone(phone, "intl", local, self.rnd))
        if tg and rng.random() < 0.4:
            row[R_HANDLES].append(f"telegram:@{rng.choice(tg)}")
        return self.emit(row, ads, truth, gid, limit=limit)

    def intel(self, controllers, personas, lines, start, end, links) -> None:
        """Analysts' assertions about a group: control, appearances, phones, merges."""
        rng = self.rng
        src = rng.choice(("case-notes", "ngo-outreach", "intel-report"))
        victims: dict[str, list[_Persona]] = {}
        for p in personas:
            victims.setdefault(p.person, []).append(p)

        def day() -> str:
            return self.days[rng.randrange(start, end)]

        def conf() -> str:
            return f"{rng.uniform(0.6, 0.95):.2f}"

        for person, ps in victims.items():
            boss = rng.choice(controllers)
            if rng.random() < 0.8:
                links.append(["person", boss, "CONTROLS", "person", person, "controller", src,
                              day(), conf(), "seen arranging her bookings"])  # fmt: skip
            if rng.random() < 0.3:
                links.append(["person", boss, "ACCOMPANIES", "person", person, "controller", src,
                              day(), conf(), "drives her between cities"])  # fmt: skip
            ads_of = [a for p in ps for a in p.ads]
            if ads_of and rng.random() < 0.5:
                for a in rng.sample(ads_of, min(len(ads_of), rng.randint(1, 3))):
                    links.append(["person", person, "APPEARS_IN", "ad", a, "potential_victim",
                                  src, day(), conf(), "recognised from pictures"])  # fmt: skip
            if len(ads_of) >= 2 and rng.random() < 0.3:
                a, b = rng.sample(ads_of, 2)
                links.append(["ad", a, "SAME_AS", "ad", b, "", src, day(), conf(),
                              "same woman, pictures compared by hand"])  # fmt: skip
        for boss in controllers:
            for _ in range(rng.randint(1, 2)):
                _, phones = rng.choice(lines)
                links.append(["person", boss, "USES", "phone",
                              show_phone(rng.choice(phones), "intl", None, self.rnd),
                              "controller", src, day(), conf(), "subscriber check"])  # fmt: skip
        if rng.random() < 0.2:
            witness = self.person()
            _, phones = rng.choice(lines)
            links.append(["person", witness, "CALLED", "phone",
                          show_phone(rng.choice(phones), "intl00", None, self.rnd), "witness",
                          src, day(), conf(), "a man answered and set the price"])  # fmt: skip

    # -- an analyst-sized ring ------------------------------------------------------------

    def ring(self, gid: str, size: int, ads: list, truth: list) -> None:
        """A small ring as an analyst would draw it by hand: ``size`` ads of a
        few personas, each giving one of two phones, all naming one agency,
        half showing one Telegram handle; no pictures and no shared text."""
        rng = self.hard
        rnd = rng.random
        country = rng.choices(COUNTRIES, cum_weights=self.country_cum)[0]
        phones = [self.mobile(country), self.mobile(country)]
        agency = f"{rng.choice(_BRAND_A)} {rng.choice(_BRAND_B)} {country.names[0]}"
        while agency in self.brands:
            agency += " VIP"
        self.brands.add(agency)
        handle = f"{rng.choice(_BRAND_A).lower()}_{self.token()}"
        names = rng.sample(OTHER_NAMES, 3)
        platforms = _weighted_sample(rng, _AD_PLATFORMS, self.platform_weights, 2)
        start = rng.randrange(0, DAYS - 60)
        for k in range(size):
            day = start + rng.randrange(60)
            city = rng.choice(country.cities)
            name = names[k % len(names)]
            platform = rng.choice(platforms)
            row = self.row(platform, day, name.lower())
            local = self.where(row, country, city)
            # Seven in ten ads give one number, the rest the other; every ad names
            # the agency, every second one shows the handle.
            mine = [phones[k >= round(size * 0.7)]]
            row[R_PHONES].append(show_phone(mine[0], "intl", local, rnd))
            if k % 2 == 0:
                row[R_HANDLES].append(f"telegram:@{handle}")
            row[R_AGENCY] = agency
            age = 19 + k % 4
            amount = _amount(country, rnd())
            slots = {"city": city.names[0], "price": str(amount), "cur": country.currency,
                     "half": str(_amount(country, 0.5, 0.6))}  # fmt: skip
            row[R_TEXT] = (
                f"{name}, {age}, {city.names[0]}. "
                + f"{rng.choice(_BODY)} {rng.choice(_TIME)}".format_map(slots)
                + f" Call {show_phone(mine[0], 'intl', local, rnd)}."
            )
            row[R_TITLE] = f"{name} in {city.names[0]}"
            row[R_PERSONA] = name
            row[R_AGE] = str(age)
            row[R_PAYMENT] = rng.choice(_CASH_PAY)
            self.emit(row, ads, truth, gid, limit=1)
        self.groups += 1

    # -- an independent advertiser ------------------------------------------------------

    def independent(self, limit: int, ads: list, truth: list) -> int:
        """One independent advertiser's ads (at most ``limit``); returns how many."""
        rng = self.rng
        rnd = self.rnd
        self.advertisers += 1
        r = rnd()
        if r < 0.55:
            n = _between(rnd, 1, 3)
        elif r < 0.85:
            n = _between(rnd, 3, 6)
        elif r < 0.96:
            n = _between(rnd, 6, 20)
        else:
            n = _between(rnd, 20, 81)  # prolific: one phone, many ads
        n = min(n, limit)
        if rnd() < 0.01:
            return self.employer(n, ads, truth)
        hard = self.situations
        pictures_only = (
            n >= 20
            and hard.picture_independents > 0
            and self.hard.random() < hard.picture_independents
        )
        country = rng.choices(COUNTRIES, cum_weights=self.country_cum)[0]
        city = country.cities[0] if rnd() < 0.5 else _pick(rnd, country.cities)
        places = [(country, city)]
        if rnd() < 0.2:  # touring: one or two other cities
            for _ in range(_between(rnd, 1, 3)):
                c = (
                    country
                    if rnd() < 0.7
                    else rng.choices(COUNTRIES, cum_weights=self.country_cum)[0]
                )
                places.append((c, _pick(rnd, c.cities)))
        # Most use a local number; some keep their home country's.
        phone_country = (
            country if rnd() < 0.85 else rng.choices(COUNTRIES, cum_weights=self.home_cum)[0]
        )
        phones = [self.mobile(phone_country)]
        start = _between(rnd, 0, DAYS)
        end = min(DAYS, start + _between(rnd, 10, 301))
        change = DAYS + 1
        if n > 1 and rnd() < 0.15:
            phones.append(self.mobile(phone_country))
            change = _between(rnd, start, end + 1)
        name = _pick(rnd, POPULAR_NAMES) if rnd() < 0.6 else _pick(rnd, OTHER_NAMES)
        age = _between(rnd, 20, 46)
        images = [rng.getrandbits(64) for _ in range(_between(rnd, 2, 7))]
        platforms = _weighted_sample(rng, _AD_PLATFORMS, self.platform_weights, _between(rnd, 1, 4))
        level = rnd()
        tok = self.token()
        slug = name.lower()
        telegram = f"{slug}_{tok}" if rnd() < 0.10 else ""
        instagram = f"{slug}.{tok}" if rnd() < 0.08 else ""
        email = f"{slug}.{tok}@{_pick(rnd, _EMAIL_DOMAINS)}" if rnd() < 0.15 else ""
        site = f"https://{slug}-{tok}.example" if rnd() < 0.03 else ""
        wallet = self.wallet(_pick(rnd, ("btc", "eth", "trx"))) if rnd() < 0.02 else ""
        default_text = rnd() < 0.03
        t = _template(rng, obscure=rnd() < 0.25, group=False)
        col_style = _pick(rnd, COLUMN_STYLES)
        titles: dict[str, str] = {}
        prices: dict[str, tuple[str, str]] = {}
        made = 0
        while made < n:
            day = _between(rnd, start, end)
            c, ci = places[0] if rnd() < 0.7 else _pick(rnd, places)
            platform = _pick(rnd, platforms)
            row = self.row(platform, day, slug)
            local = self.where(row, c, ci)
            phone = phones[1] if day >= change else phones[0]
            where = row[R_CITY] or ci.names[0]
            price = prices.get(c.code)
            if price is None:
                price = prices[c.code] = (str(_amount(c, level)), str(_amount(c, level, 0.6)))
            in_col = rnd() < 0.85
            in_text = not in_col or rnd() < t.phone_in_text
            bare = pictures_only and self.hard.random() < 2 / 3
            if bare:  # her pictures and nothing else to reach her by
                in_col = in_text = False
            if in_col:
                row[R_PHONES].append(show_phone(phone, col_style, local, rnd))
            shown = show_phone(phone, _pick(rnd, t.text_styles), local, rnd) if in_text else ""
            if default_text:
                text = _PLATFORM_DEFAULT + (f" Tel: {shown}" if in_text else "")
            else:
                stock = rnd() < 0.5
                text = t.variants[(in_text, stock)].format_map({
                    "name": name, "age": str(age), "city": where, "price": price[0],
                    "half": price[1], "cur": _currency(c, rnd), "phone": shown,
                    "stock": _pick(rnd, _STOCK) if stock else "",
                })  # fmt: skip
                if (c, ci) != places[0]:
                    text = "New in town! " + text
            extra: list[str] = []
            hotel = self.noise(row, platform, extra, c, ci, str(self.advertisers))
            if hotel is not None and len(hotel.independents) < 2:
                self.hotel_marks.append((len(ads), hotel, self.advertisers))
            if bare:
                self.images(row, images, reencode=0.3)
                row[R_TEXT] = text + " " + " ".join(extra) if extra else text
                row[R_TITLE] = t.title.format(name=name, age=age, city=where).strip(" -:")
                row[R_PERSONA] = name
                row[R_PRICE] = _price(int(price[0]), c, rnd)
                made += self.emit(row, ads, truth, "", limit=n - made)
                continue
            if telegram and rnd() < 0.6:
                row[R_HANDLES].append(f"telegram:@{telegram}")
            if instagram and rnd() < 0.6:
                row[R_HANDLES].append(f"instagram:{instagram}")
            if rnd() < 0.25:
                row[R_HANDLES].append(f"whatsapp:{phone.e164}")
            if email and rnd() < 0.5:
                if rnd() < 0.6:
                    row[R_EMAILS].append(email)
                else:
                    extra.append("Email: " + _obscure_email(email, rnd))
            if site and rnd() < 0.7:
                row[R_LINKS].append(site)
            if wallet and rnd() < 0.6:
                row[R_WALLETS].append(wallet)
            if rnd() < 0.85:
                self.images(row, images, reencode=0.1)
            row[R_TEXT] = text + " " + " ".join(extra) if extra else text
            title = titles.get(where)
            if title is None:
                title = titles[where] = t.title.format(name=name, age=age, city=where).strip(" -:")
            row[R_TITLE] = title
            row[R_PERSONA] = name if rnd() < 0.9 else ""
            row[R_AGE] = "" if rnd() < 0.15 else str(age)
            row[R_PRICE] = _price(int(price[0]), c, rnd)
            if wallet and rnd() < 0.5:
                row[R_PAYMENT] = _pick(rnd, _CRYPTO_PAY)
            else:
                row[R_PAYMENT] = "cash or crypto" if rnd() < 0.03 else _pick(rnd, _CASH_PAY)
            made += self.emit(row, ads, truth, "", limit=n - made)
        return made

    def employer(self, n: int, ads: list, truth: list) -> int:
        """An ordinary employer on the jobs board: background noise there."""
        rng = self.rng
        country = rng.choices(COUNTRIES, cum_weights=self.country_cum)[0]
        city = rng.choice(country.cities)
        phone = self.mobile(country)
        text = rng.choice(_JOB_TEXT)
        title = text.split(" in ")[0]
        email = f"jobs.{self.token()}@{rng.choice(_EMAIL_DOMAINS)}"
        made = 0
        while made < n:
            row = self.row(_JOBS, rng.randrange(DAYS), "")
            local = self.where(row, country, city)
            row[R_TEXT] = text.format(
                city=row[R_CITY] or city.names[0], phone=show_phone(phone, "nat", local, self.rnd)
            )
            row[R_TITLE] = title
            row[R_PHONES].append(show_phone(phone, "intl", local, self.rnd))
            if rng.random() < 0.5:
                row[R_EMAILS].append(email)
            made += self.emit(row, ads, truth, "", limit=n - made)
        return made

    def emit(self, row: list, ads: list, truth: list, gid: str, *, limit: int,
             owner: _Persona | None = None) -> int:  # fmt: skip
        """Queue a finished row; sometimes the same ad is collected again in a later batch."""
        if owner is not None:
            owner.ads.append(len(ads))
        ads.append(row)
        truth.append(gid)
        if limit < 2 or self.rnd() >= 0.03:
            return 1
        again = list(row)
        for i in _MULTI_AT:
            again[i] = list(row[i])
        posted = (date.fromisoformat(row[R_POSTED][:10]) - FIRST_DAY).days
        self.collect(again, posted + _between(self.rnd, 30, 121), stream="crawl")
        again[R_VIEWS] = str(int(row[R_VIEWS]) + _between(self.rnd, 5, 500))
        if owner is not None:
            owner.ads.append(len(ads))
        ads.append(again)
        truth.append(gid)
        return 2


# ---------------------------------------------------------------------------
# Writing


SYNTHETIC_MARK = "SYNTHETIC.txt"


def _claim(out_dir: Path, names: Sequence[str], protected: Sequence[Path]) -> Path:
    """``out_dir``, ready for synth's files, or a one-line ConfigError saying why not.

    ``synth -o .`` typed in the folder of a real collection must not replace the
    analyst's records.csv with invented ads: a file of these names is written
    over only where synth's own mark says synth wrote the folder before.
    """
    from graphthb.safefile import check_output

    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"-o {out_dir} is a file; synth writes a folder of files, give a folder")
    ours = (out_dir / SYNTHETIC_MARK).is_file()
    for name in names:
        target = out_dir / name
        check_output(target, protected, create_parents=True)
        if target.exists() and not ours:
            raise ConfigError(
                f"-o {out_dir} already holds {name}, which graphthb synth did not write; "
                "give a new or empty folder"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SYNTHETIC_MARK).write_text(
        "Everything in this folder was invented by `graphthb synth`: no record is a real\n"
        "person, ad or number. synth may write over these files again.\n",
        encoding="utf-8",
    )
    return out_dir


def generate(
    out_dir: Path,
    records: int,
    seed: int,
    fmt: str = "csv",
    situations: Situations | None = None,
    protected: Sequence[Path] = (),
) -> dict[str, int]:
    """Write a synthetic world of ``records`` ads into ``out_dir``; return what it holds.

    Files: ``records.csv`` (``records.jsonl`` with ``fmt="jsonl"``), ``links.csv``
    and ``truth.csv``, beside a ``SYNTHETIC.txt`` that says they are invented.
    The same arguments always give byte-identical files. A folder holding such
    a file that synth did not write (an analyst's own records.csv) is refused,
    and so is any of ``protected`` (the store's own files).
    ``situations`` turns on hard situations (:class:`Situations`, :data:`HARD`).

    Examples
    --------
    >>> import tempfile
    >>> counts = generate(Path(tempfile.mkdtemp()), 500, seed=7)
    >>> counts["records"], counts["groups"] >= 1
    (500, True)
    """
    if records < 1:
        raise ConfigError(f"records must be at least 1, got {records}")
    if fmt not in ("csv", "jsonl"):
        raise ConfigError(f"fmt must be 'csv' or 'jsonl', got {fmt!r}")
    if situations is not None:
        for name in ("shared_templates", "lone_pictures", "picture_independents"):
            if not 0.0 <= getattr(situations, name) <= 1.0:
                raise ConfigError(f"{name} is a share from 0 to 1, got {getattr(situations, name)}")
        if situations.small_lines < 0 or not 0.25 <= situations.scale <= 20:
            raise ConfigError(
                f"small_lines must be 0 or more and scale from 0.25 to 20, got "
                f"{situations.small_lines} and {situations.scale}"
            )
    out_dir = _claim(Path(out_dir), (f"records.{fmt}", "links.csv", "truth.csv"), protected)
    world = _World(records, seed, situations)
    sizes, intel, chunks = world.plan()
    n_in_groups = 0
    rings = RING_SIZES if world.situations.rings and chunks[0][2] >= 2 * sum(RING_SIZES) else ()
    next_id = 1
    with (
        open(out_dir / f"records.{fmt}", "w", newline="", encoding="utf-8") as rec_f,
        open(out_dir / "links.csv", "w", newline="", encoding="utf-8") as link_f,
        open(out_dir / "truth.csv", "w", newline="", encoding="utf-8") as truth_f,
    ):
        rec_w = csv.writer(rec_f, lineterminator="\n")
        link_w = csv.writer(link_f, lineterminator="\n")
        truth_w = csv.writer(truth_f, lineterminator="\n")
        if fmt == "csv":
            rec_w.writerow(RECORD_FIELDS)
        link_w.writerow(LINK_FIELDS)
        truth_w.writerow(TRUTH_FIELDS)
        for first, last, n_indep in chunks:
            ads: list[list] = []
            truth: list[str] = []
            links: list[list] = []
            for g in range(first, last):
                world.group(f"OCG-{g + 1:04d}", sizes[g], g in intel, ads, truth, links)
                n_in_groups += sizes[g]
            left = n_indep
            if rings and first == 0:
                for k, ring_size in enumerate(rings):
                    world.ring(f"RING-{k + 1}", ring_size, ads, truth)
                    n_in_groups += ring_size
                    left -= ring_size
            while left > 0:
                left -= world.independent(left, ads, truth)
            # Interleave: a file in generation order would give the groups away.
            order = list(range(len(ads)))
            world.rng.shuffle(order)
            ids = [""] * len(ads)
            for pos, k in enumerate(order):
                ids[k] = f"R-{next_id + pos:07d}"
            next_id += len(ads)
            for link in links:  # chunk positions -> record ids
                if isinstance(link[1], int):
                    link[1] = ids[link[1]]
                if isinstance(link[4], int):
                    link[4] = ids[link[4]]
            for k, hotel, advertiser in world.hotel_marks:
                seen = hotel.independents
                if len(seen) < 2 and (not seen or seen[0][1] != advertiser):
                    seen.append((ids[k], advertiser))
            world.hotel_marks.clear()
            out_rows = []
            for k in order:
                row = ads[k]
                row[R_ID] = ids[k]
                out_rows.append(row)
            if fmt == "csv":
                for row in out_rows:
                    for i in _MULTI_AT:
                        row[i] = ";".join(row[i])
                rec_w.writerows(out_rows)
            else:
                rec_f.writelines(
                    json.dumps(
                        {k: v for k, v in zip(RECORD_FIELDS, row, strict=True) if v},
                        ensure_ascii=False,
                    )
                    + "\n"
                    for row in out_rows
                )
            truth_w.writerows([ids[k], truth[k]] for k in order)
            link_w.writerows(links)
            world.link_rows += len(links)
            world.recorded += len(out_rows)
        # Analysts who checked two ads sharing a hotel desk and found two different women.
        apart = [
            ["ad", h.independents[0][0], "NOT_SAME_AS", "ad", h.independents[1][0], "",
             "case-notes", world.days[DAYS - 1], "0.90",
             "different women; the shared number is the hotel reception"]
            for h in world.hotels
            if len(h.independents) >= 2
        ][: max(2, records // 1500)]  # fmt: skip
        link_w.writerows(apart)
        world.link_rows += len(apart)
    return {
        "records": world.recorded,
        "groups": world.groups,
        "records_in_groups": n_in_groups,
        "advertisers": world.advertisers,
        "persons": world.persons,
        "links": world.link_rows,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m graphthb.synth OUT --records N --seed S``: a world, with timing."""
    parser = argparse.ArgumentParser(description="Write a synthetic trafficking world.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", dest="fmt", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--hard", action="store_true", help="every hard situation (HARD)")
    args = parser.parse_args(argv)
    began, cpu = time.perf_counter(), time.process_time()
    counts = generate(args.out, args.records, args.seed, args.fmt, HARD if args.hard else None)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        ", ".join(f"{k} {v}" for k, v in counts.items())
        + f"; {took:.1f} s ({cpu:.1f} s CPU), {counts['records'] / cpu:,.0f} records per CPU second",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
