"""Every Kommune a profile's own prose names is a member, or recorded as named but not a member.

The scan (coopgraph.mentions) reads the German free text of each profile with the register's
name resolution; profiles/_mentions.yaml records, per profile, what is named but not a member
and why. A failure names the profile and the Kommune.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coopgraph import mentions as mn
from coopgraph import profile, resources

from .conftest import REPO

PROFILES = sorted(p for p in (REPO / "profiles").glob("*.yaml") if not p.name.startswith("_"))
EXCEPTIONS = mn.load_exceptions(REPO / "profiles" / "_mentions.yaml")


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_every_named_kommune_is_a_member_or_recorded(path: Path) -> None:
    findings = mn.check_profile(path, EXCEPTIONS)
    assert [str(f) for f in findings] == []


def test_every_recorded_exception_belongs_to_a_profile_and_says_why() -> None:
    slugs = {p.stem for p in PROFILES}
    assert set(EXCEPTIONS) <= slugs
    for names in EXCEPTIONS.values():
        for entry in names.values():
            assert len(entry.reason) > 15
            assert entry.source.startswith(("http://", "https://"))
            assert profile.refused_host(entry.source) is None, entry.source


def test_the_bundled_mentions_file_is_the_one_the_package_finds() -> None:
    assert mn.mentions_file().resolve() == (REPO / "profiles" / "_mentions.yaml").resolve()
    assert resources.profiles_dir().resolve() == (REPO / "profiles").resolve()


# ----------------------------------------------------------------------------- the check itself

NORDRIES = REPO / "profiles" / "ile-nordries.yaml"  # five members, all named in the description


def _without_member(tmp_path: Path, name: str, source: Path = NORDRIES) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    before = len(data["members"])
    data["members"] = [m for m in data["members"] if m["name"] != name]
    assert len(data["members"]) == before - 1
    out = tmp_path / source.name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def test_a_planted_omission_is_caught(tmp_path: Path) -> None:
    assert mn.check_profile(NORDRIES, {}) == []
    findings = mn.check_profile(_without_member(tmp_path, "Wallerstein"), {})
    assert len(findings) == 1
    mention = findings[0].mention
    assert mention is not None and mention.text == "Wallerstein" and mention.kind == "gemeinde"
    assert mention.keys == ("09779224",) and "description.de" in findings[0].message


def test_a_kreis_named_as_a_party_is_a_member_a_kreis_named_as_a_place_is_not(
    tmp_path: Path,
) -> None:
    # "Abfallzweckverband der Landkreise Mayen-Koblenz und Cochem-Zell …, seit 2016 im Landkreis
    # Mayen-Koblenz …": the first is a party, the second a place
    rme = REPO / "profiles" / "abfallzweckverband-rhein-mosel-eifel.yaml"
    assert mn.check_profile(rme, {}) == []
    findings = mn.check_profile(_without_member(tmp_path, "Landkreis Cochem-Zell", rme), {})
    assert [(f.mention.kind, f.mention.keys) for f in findings if f.mention] == [
        ("kreis", ("07135",))
    ]
    located = mn.mentions("im Landkreis Bautzen, (Landkreis Görlitz)", field="x", laender=["SN"])
    assert [m.location for m in located] == [True, True]


def test_a_recorded_exception_is_not_flagged(tmp_path: Path) -> None:
    planted = _without_member(tmp_path, "Wallerstein")
    recorded = {"ile-nordries": {"Wallerstein": mn.Exception_(
        "Wallerstein", "a test: named but not a member", "https://example.org/")}}  # fmt: skip
    assert mn.check_profile(planted, recorded) == []


def test_an_exception_for_a_member_or_an_unnamed_place_is_stale() -> None:
    recorded = {"ile-nordries": {
        "Wallerstein": mn.Exception_("Wallerstein", "a member after all", "https://example.org/"),
        "Nördlingen": mn.Exception_("Nördlingen", "not named at all", "https://example.org/"),
    }}  # fmt: skip
    findings = mn.check_profile(NORDRIES, recorded)
    assert sorted(f.mention is None for f in findings) == [True, True]
    assert all("no longer names as a non-member" in f.message for f in findings)
    assert "'Nördlingen'" in findings[0].message and "'Wallerstein'" in findings[1].message


def test_an_exception_needs_a_reason_and_a_source(tmp_path: Path) -> None:
    bad = tmp_path / "_mentions.yaml"
    bad.write_text("ile-nordries:\n  Wallerstein: {reason: named}\n", encoding="utf-8")
    with pytest.raises(mn.InputError, match="Wallerstein: needs a reason and a source"):
        mn.load_exceptions(bad)


def _named(text: str, laender: list[str], **kw: object) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(m.kind, m.text, m.keys) for m in mn.mentions(text, field="x", laender=laender, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "laender", "expected"),
    [
        # a Kreis phrase is a Kreis, not the Gemeinde of the same name
        (
            "im Landkreis Bautzen bei Bischofswerda",
            ["SN"],
            [
                ("kreis", "Landkreis Bautzen", ("14625",)),
                ("gemeinde", "Bischofswerda", ("14625040",)),
            ],
        ),
        # a list after a plural Kreis word: current and dissolved Kreise, then a named Stadt
        (
            "von den damaligen Landkreisen Borna, Grimma und Meißen sowie der Stadt Leipzig",
            ["SN"],
            [("kreis", "Meißen", ("14627",)), ("gemeinde", "Stadt Leipzig", ("14713000",))],
        ),
        # the longest name with a qualifier; a bracket of other words ends the name
        (
            "Frankfurt (Oder) und Nürnberg (rund 500 000 Einwohner)",
            ["BB", "BY"],
            [
                ("gemeinde", "Frankfurt (Oder)", ("12053000",)),
                ("gemeinde", "Nürnberg", ("09564000",)),
            ],
        ),
        # after an article, an adjective or a body's name: no Gemeinde
        (
            "entlang der Aurach im Oberpfälzer Wald, Amt Trittau, Bezirksregierung Münster",
            ["BY", "SH", "NW"],
            [],
        ),
        # a Kreis named "…-Kreis X"
        (
            "Rhein-Kreis Neuss und Rhein-Erft-Kreis",
            ["NW"],
            [("kreis", "Rhein-Kreis Neuss", ("05162",)), ("kreis", "Rhein-Erft-Kreis", ("05362",))],
        ),
        # "Samtgemeinden A und B" names bodies
        ("die Samtgemeinden Freren, Lengerich und Spelle", ["NI"], []),
        # a name several Gemeinden of the Land bear is reported with every candidate
        ("Neustadt", ["SN"], [("gemeinde", "Neustadt", ("14523290", "14628260"))]),
    ],
)
def test_what_the_scan_reads(text: str, laender: list[str], expected: list[object]) -> None:
    assert _named(text, laender) == expected


def test_an_ambiguous_name_is_narrowed_to_the_members_kreise() -> None:
    assert _named("Neustadt", ["SN"], kreise=["14628"]) == [("gemeinde", "Neustadt", ("14628260",))]
