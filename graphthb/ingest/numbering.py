"""Phone validation straight from phonenumbers' metadata, for bare digit strings.

``phonenumbers.parse`` followed by ``is_valid_number`` cost 42 µs of CPU a
number on average over the 5,532 distinct numbers of a 20,000-record world
(9 µs here, compiling included): most of it goes on steps that matter only
for free text (extensions, RFC 3966, letters, punctuation, unicode digits)
and on building a ``PhoneNumber`` object. Ingest only ever asks about ``+`` and digits, or a
region's national digits, so this module takes the same decisions as the
library on exactly that input, with the library's own regular expressions
compiled once per region: same metadata, same order of steps, same answers.
The tests compare the two on every region's example numbers and their
mutations.

Anything outside that input (letters, punctuation, a region phonenumbers does
not know, a metadata shape the steps below do not mirror) comes back as
:data:`UNDECIDED`, and the caller asks the library itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS, PhoneMetadata

__all__ = ["UNDECIDED", "parse_digits", "region_of", "valid_number"]

# phonenumbers' bounds on a national significant number (phonenumberutil.py).
_MIN_NSN: Final = 2
_MAX_NSN: Final = 17
_NON_GEO: Final = "001"


class _Undecided:
    """The answer when this module cannot vouch for matching phonenumbers."""

    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED: Final = _Undecided()


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    # The library treats a missing or empty national number pattern as one
    # that matches nothing.
    return re.compile(pattern) if pattern else None


@dataclass(frozen=True, slots=True)
class _Plan:
    """One metadata record (a region, or a non-geographic calling code), compiled."""

    country_code: int
    idd: re.Pattern[str] | None
    general: re.Pattern[str] | None
    # The general description's lengths in the library's order: its length
    # test reads the first and last entries as the shortest and longest.
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]
    national_prefix: re.Pattern[str] | None
    transform: str | None
    leading_digits: re.Pattern[str] | None
    # For each national number length: the source of one pattern matching
    # exactly the numbers of some type (fixed line, mobile, toll free ...) whose
    # lengths allow it, or None when the general description or no type allows
    # that length. Compiled into ``kinds`` on first use: a region's numbers
    # come in one to three lengths, and compiling all of them would cost more
    # than validating a few thousand numbers.
    kind_sources: tuple[str | None, ...]
    kinds: dict[int, re.Pattern[str] | None]


def _kind_sources(metadata: PhoneMetadata) -> tuple[str | None, ...]:
    descs = [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
        metadata.fixed_line,
    ]
    # The library tries mobile only when its pattern differs from fixed line's.
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    general_lengths = metadata.general_desc.possible_length
    sources: list[str | None] = []
    for length in range(_MAX_NSN + 1):
        if general_lengths and length not in general_lengths:
            sources.append(None)
            continue
        alternatives = [
            f"(?:{desc.national_number_pattern})"
            for desc in descs
            if desc is not None
            and desc.national_number_pattern
            and (not desc.possible_length or length in desc.possible_length)
        ]
        # An alternation full-matches exactly when one of its branches does:
        # one regular expression call instead of up to ten.
        sources.append("|".join(alternatives) if alternatives else None)
    return tuple(sources)


def _build(metadata: PhoneMetadata) -> _Plan | None:
    transform = metadata.national_prefix_transform_rule or None
    national_prefix = _compile(metadata.national_prefix_for_parsing)
    if transform is not None and national_prefix is not None and not national_prefix.groups:
        # The library would index an empty tuple of groups here; leave that to it.
        return None
    general = metadata.general_desc
    return _Plan(
        country_code=metadata.country_code,
        idd=_compile(metadata.international_prefix),
        general=_compile(general.national_number_pattern),
        lengths=tuple(general.possible_length),
        local_lengths=tuple(general.possible_length_local_only),
        national_prefix=national_prefix,
        transform=transform,
        leading_digits=(
            re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
        ),
        kind_sources=_kind_sources(metadata),
        kinds={},
    )


_PLANS: dict[str, _Plan | None] = {}


def _plan(region: str, country_code: int = 0) -> _Plan | None:
    """The compiled plan of a region (or of ``country_code`` for region ``001``)."""
    key = region if region != _NON_GEO else f"{_NON_GEO}+{country_code}"
    try:
        return _PLANS[key]
    except KeyError:
        pass
    if region == _NON_GEO:
        metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
    else:
        metadata = PhoneMetadata.metadata_for_region(region, None)
    plan = _build(metadata) if metadata is not None else None
    _PLANS[key] = plan
    return plan


def _matches_general(number: str, plan: _Plan) -> bool:
    return plan.general is not None and plan.general.fullmatch(number) is not None


def _is_kind(number: str, plan: _Plan) -> bool:
    """Whether the library would give ``number`` a type other than UNKNOWN."""
    length = len(number)
    if length > _MAX_NSN:
        return False
    try:
        kinds = plan.kinds[length]
    except KeyError:
        source = plan.kind_sources[length]
        kinds = plan.kinds[length] = re.compile(source) if source is not None else None
    return (
        kinds is not None and _matches_general(number, plan) and kinds.fullmatch(number) is not None
    )


_TOO_SHORT, _POSSIBLE, _LOCAL_ONLY, _TOO_LONG, _INVALID_LENGTH = range(5)


def _length_result(number: str, plan: _Plan) -> int:
    """The library's length test against the general description, step for step."""
    length = len(number)
    if length in plan.local_lengths:
        return _LOCAL_ONLY
    shortest = plan.lengths[0]
    if shortest == length:
        return _POSSIBLE
    if shortest > length:
        return _TOO_SHORT
    if plan.lengths[-1] < length:
        return _TOO_LONG
    return _POSSIBLE if length in plan.lengths[1:] else _INVALID_LENGTH


def _strip_national_prefix(number: str, plan: _Plan) -> str:
    """The number without a trunk prefix (and carrier code), as the library strips them."""
    if not number or plan.national_prefix is None:
        return number
    found = plan.national_prefix.match(number)
    if found is None:
        return number
    viable = _matches_general(number, plan)
    if plan.transform is None or found.group(found.re.groups) is None:
        rest = number[found.end() :]
    else:
        rest = plan.national_prefix.sub(plan.transform, number, count=1)
    if viable and not _matches_general(rest, plan):
        return number
    return rest


def _country_code(digits: str) -> int:
    """The calling code at the start of ``digits`` (they are prefix-free), or 0."""
    if not digits or digits[0] == "0":
        return 0
    for size in (1, 2, 3):
        if size > len(digits):
            break
        code = int(digits[:size])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return code
    return 0


def _main_plan(country_code: int) -> _Plan | None:
    return _plan(COUNTRY_CODE_TO_REGION_CODE[country_code][0], country_code)


def _after_plus(digits: str) -> tuple[int, _Plan | None, str] | None:
    """(calling code, its main plan, the rest) of digits written after ``+`` or an IDD."""
    if len(digits) <= _MIN_NSN:
        return None
    code = _country_code(digits)
    if code == 0:
        return None
    return code, _main_plan(code), digits[len(str(code)) :]


def _parse(digits: str, region: str | None) -> tuple[int, str] | None | _Undecided:
    """(calling code, national significant number) as ``phonenumbers.parse`` finds them.

    ``region`` None means ``digits`` followed a ``+``. None where the library
    raises NumberParseException.
    """
    if region is None:
        split = _after_plus(digits)
        if split is None:
            return None
        code, plan, national = split
    else:
        if len(digits) < _MIN_NSN:
            return None
        home = _plan(region)
        if home is None:
            return UNDECIDED
        after_idd = None
        if home.idd is not None:
            idd = home.idd.match(digits)
            # An international prefix counts only if a calling code (never 0) follows.
            if idd is not None and not digits.startswith("0", idd.end()):
                after_idd = digits[idd.end() :]
        if after_idd is not None:
            split = _after_plus(after_idd)
            if split is None:
                return None
            code, plan, national = split
        else:
            code = 0
            own_code = str(home.country_code)
            if digits.startswith(own_code):
                # The region's calling code written without + or IDD: kept off
                # when the rest reads better as a national number.
                rest = _strip_national_prefix(digits[len(own_code) :], home)
                if (not _matches_general(digits, home) and _matches_general(rest, home)) or (
                    _length_result(digits, home) == _TOO_LONG
                ):
                    code, national = home.country_code, rest
            if code == 0:
                code, national, plan = home.country_code, digits, home
            else:
                plan = _main_plan(code)
    if len(national) < _MIN_NSN:
        return None
    if plan is None:
        return UNDECIDED
    stripped = _strip_national_prefix(national, plan)
    if _length_result(stripped, plan) not in (_TOO_SHORT, _LOCAL_ONLY, _INVALID_LENGTH):
        national = stripped
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return None
    return code, national


def _region_for(country_code: int, national: str) -> str | None | _Undecided:
    """The region ``phonenumbers.region_code_for_number`` names for a parsed number."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return None
    if len(regions) == 1:
        return regions[0]
    for region in regions:
        plan = _plan(region, country_code)
        if plan is None:
            if PhoneMetadata.metadata_for_region(region, None) is None:
                continue  # the library skips regions without metadata too
            return UNDECIDED
        if plan.leading_digits is not None:
            if plan.leading_digits.match(national):
                return region
        elif _is_kind(national, plan):
            return region
    return None


def _is_digits(text: str) -> bool:
    """ASCII digits only, or nothing (which the library rejects, as _parse does)."""
    return text.isascii() and (text.isdigit() or not text)


def valid_number(text: str, region: str | None) -> tuple[str, int] | None | _Undecided:
    """What ``valid_number`` in normalize gives, or UNDECIDED to ask the library.

    ``text`` is ``+`` and digits with ``region`` None, or national digits with
    a region code phonenumbers supports.
    """
    if region is None:
        if not text.startswith("+") or not _is_digits(text[1:]):
            return UNDECIDED
        parsed = _parse(text[1:], None)
    else:
        if region not in SUPPORTED_REGIONS or not _is_digits(text) or len(text) > 64:
            return UNDECIDED
        parsed = _parse(text, region)
    if parsed is None or parsed is UNDECIDED:
        return parsed
    code, national = parsed
    where = _region_for(code, national)
    if where is None or where is UNDECIDED:
        return where
    plan = _plan(where, code)
    if plan is None or plan.country_code != code:
        return UNDECIDED
    if not _is_kind(national, plan):
        return None
    return f"+{code}{national}", len(national)


def region_of(e164: str) -> str | None | _Undecided:
    """The region ``region_code_for_number(parse(e164))`` gives, or UNDECIDED.

    None where parsing fails or no region claims the number.
    """
    if not e164.startswith("+") or not _is_digits(e164[1:]):
        return UNDECIDED
    parsed = _parse(e164[1:], None)
    if parsed is None or parsed is UNDECIDED:
        return parsed
    return _region_for(*parsed)


def parse_digits(text: str, region: str | None) -> tuple[int, str] | None | _Undecided:
    """(calling code, national significant number) the library parses, for tests."""
    if region is None:
        if not text.startswith("+") or not _is_digits(text[1:]):
            return UNDECIDED
        return _parse(text[1:], None)
    if region not in SUPPORTED_REGIONS or not _is_digits(text):
        return UNDECIDED
    return _parse(text, region)
