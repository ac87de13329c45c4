"""Split an author string into Zotero's firstName/lastName (or a single ``name``).

arXiv gives authors as display strings ("Johannes Diderik van der Waals", "Oscar
de la Hoya", "Martin Luther King Jr.", "Aristotle", "ATLAS Collaboration").
Zotero's translator cuts at the last space; we keep lowercase particles with the
last name, a suffix with the first name (Zotero's convention: "Martin Luther,
Jr."), a trailing single initial with the given names ("Ramesh Kumar V" is
Kumar, Ramesh V), honour an explicit "Last, First", and store single names and
collaborations in the single ``name`` field.
"""

from __future__ import annotations

import re

PARTICLES = frozenset("""van von der den de del della dello degli dei di da das do dos du la le les lo
ten ter te zu zum zur af av al el bin ibn bint ben st. san santa""".split())
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # not "V": an initial ("Ramesh Kumar V")
_INITIAL = re.compile(r"^[A-Z]\.?$")
_GROUP = re.compile(r"\b(collaborations?|consortium|team|group|project|committee|working|initiative|society|"
                    r"network|organization|organisation|association|alliance)\b", re.IGNORECASE)


def split_name(display: str) -> dict[str, str]:
    """``{"firstName", "lastName"}`` or ``{"name"}`` for one author string."""
    text = " ".join(display.replace("\u00a0", " ").split())
    if not text:
        return {"name": ""}
    if _GROUP.search(text):
        return {"name": text}
    if "," in text:
        last, _, first = text.partition(",")
        first = first.strip()
        if first.lower().rstrip(".") in {s.rstrip(".") for s in SUFFIXES}:  # "King Jr., Martin" is rare; "Smith, Jr." odd
            return _split_tokens(last.split(), suffix=first)
        if last.strip() and first:
            return {"firstName": first, "lastName": last.strip()}
        text = (last or first).strip()
    return _split_tokens(text.split())


def _split_tokens(tokens: list[str], suffix: str = "") -> dict[str, str]:
    if tokens and tokens[-1].lower() in SUFFIXES and len(tokens) > 2:
        suffix = tokens[-1]
        tokens = tokens[:-1]
    if len(tokens) > 2 and _INITIAL.match(tokens[-1]) and not _INITIAL.match(tokens[-2]):
        # a trailing single initial is a given name written last ("Ramesh Kumar V", common in South
        # India): the surname is the word before it, the initial joins the given names
        return {"firstName": " ".join([*tokens[:-2], tokens[-1]]), "lastName": tokens[-2]}
    if len(tokens) == 1:
        return {"name": tokens[0] + (f" {suffix}" if suffix else "")}
    last_start = len(tokens) - 1
    while last_start > 1 and tokens[last_start - 1].lower() in PARTICLES and tokens[last_start - 1][0].islower():
        last_start -= 1
    first = " ".join(tokens[:last_start])
    last = " ".join(tokens[last_start:])
    if suffix:
        first = f"{first}, {suffix}"
    return {"firstName": first, "lastName": last}


def display_name(creator: dict) -> str:
    """"First Last" (or the single name) from a Zotero creator object."""
    if creator.get("name"):
        return creator["name"]
    return " ".join(part for part in (creator.get("firstName", ""), creator.get("lastName", "")) if part)
