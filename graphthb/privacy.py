"""Data minimisation: potential victims' identifying details stay out of a view unless asked for.

An analyst may assert that a person is a ``potential_victim`` and that she
APPEARS_IN some ads (or pictures). Those ads' persona name and age, the
perceptual hashes of their pictures, and the persona name wherever it recurs in
a drawn ad's title, text or URL are replaced by stable pseudonyms
(``persona-1``, ``image-1``...), so a view can be shared inside a team or shown
in a briefing without exposing her. The links survive: the same persona or
picture gets the same pseudonym everywhere in one page. ``reveal=True`` (the
CLI's ``--reveal``) draws the real values, and the page says which it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphthb.store.base import Store

__all__ = ["VICTIM_ROLE", "Minimiser", "minimiser"]

VICTIM_ROLE = "potential_victim"
Q_ROLE = "MATCH (p:Person) WHERE p.role = $role RETURN p.key AS key"
Q_AD_IMAGES = (
    "MATCH (a:Ad)-[:HAS_IMAGE]->(i:Image) WHERE a.key IN $keys RETURN a.key AS ad, i.key AS key"
)
Q_AD_PERSONAS = "MATCH (a:Ad) WHERE a.key IN $keys RETURN a.key AS ad, a.persona AS persona"


@dataclass
class Minimiser:
    """Rewrites the drawn values of potential victims' ads; does nothing when ``reveal``."""

    reveal: bool
    victim_ads: set[str] = field(default_factory=set)
    personas: dict[str, str] = field(default_factory=dict)  # casefolded name -> pseudonym
    images: dict[str, str] = field(default_factory=dict)  # image key -> pseudonym
    used: bool = False  # whether this page drew anything it had to hide (or reveal)
    _pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        names = sorted((n for n in self.personas if len(n) >= 2), key=len, reverse=True)
        if names:
            self._pattern = re.compile(
                r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
            )

    def image_key(self, key: str) -> str:
        if key in self.images:
            self.used = True
            if not self.reveal:
                return self.images[key]
        return key

    def ad(self, key: str, props: dict[str, Any]) -> dict[str, Any]:
        """The ad's properties as they may be drawn."""
        persona = props.get("persona")
        pseudonym = self.personas.get(persona.casefold()) if isinstance(persona, str) else None
        victim = key in self.victim_ads
        if victim or pseudonym:
            self.used = True
        if self.reveal or not (victim or pseudonym or self._pattern):
            return props
        out = dict(props)
        if pseudonym:
            out["persona"] = pseudonym
        if victim:
            out["age"] = None
        if self._pattern is not None:
            for name in ("title", "text", "url"):
                value = out.get(name)
                if isinstance(value, str):
                    new = self._pattern.sub(lambda m: self.personas[m.group(1).casefold()], value)
                    if new != value:
                        self.used = True
                        out[name] = new
        return out

    def note(self) -> str | None:
        if not self.used:
            return None
        if self.reveal:
            return (
                "Shown as recorded (--reveal): persona names, ages and picture hashes "
                "of ads an analyst linked to a potential victim."
            )
        return (
            "Potential victims protected: persona names, ages and picture hashes of ads "
            f"an analyst linked to a potential victim ({_ads(len(self.victim_ads))}) are replaced "
            "by pseudonyms such as persona-1 and image-1. Write the view with --reveal to show them."
        )


def minimiser(store: Store, assertions: pd.DataFrame, *, reveal: bool) -> Minimiser:
    """Find potential victims' ads and pictures (via APPEARS_IN) and number their pseudonyms."""
    victims = {row[0] for row in store.query(Q_ROLE, {"role": VICTIM_ROLE}).rows}
    ads: set[str] = set()
    images: set[str] = set()
    if victims and len(assertions):
        appears = assertions[assertions["rel"] == "APPEARS_IN"]
        for sk, s, dk, d in appears[["src_kind", "src", "dst_kind", "dst"]].itertuples(index=False):
            for (pk, pkey), (ok, okey) in (((sk, s), (dk, d)), ((dk, d), (sk, s))):
                if pk == "Person" and pkey in victims:
                    if ok == "Ad":
                        ads.add(okey)
                    elif ok == "Image":
                        images.add(okey)
    personas: dict[str, str] = {}
    image_names: dict[str, str] = {}
    if ads:
        keys = sorted(ads)
        per_ad = dict(store.query(Q_AD_PERSONAS, {"keys": keys}).rows)
        pictures: dict[str, list[str]] = {}
        for ad, key in store.query(Q_AD_IMAGES, {"keys": keys}).rows:
            pictures.setdefault(ad, []).append(key)
        # Numbered in the order of the ads' record ids, never of the hidden values.
        for ad in keys:
            name = per_ad.get(ad)
            if isinstance(name, str) and name.strip() and name.casefold() not in personas:
                personas[name.casefold()] = f"persona-{len(personas) + 1}"
            for key in sorted(pictures.get(ad, [])):
                images.add(key)
                if key not in image_names:
                    image_names[key] = f"image-{len(image_names) + 1}"
    for key in sorted(images - set(image_names)):
        image_names[key] = f"image-{len(image_names) + 1}"
    return Minimiser(reveal, ads, personas, image_names)


def _ads(n: int) -> str:
    return f"{n} ad" if n == 1 else f"{n} ads"
