"""Municipality names as written in the wild → AGS, Kreis and Land; ambiguity is never guessed.

Every expected AGS was looked up in the Destatis register (``shared/data/gemeinden``); the
register's name for it is kept next to it and checked against the CSV when that is present.
"""

from __future__ import annotations

import csv
import json
import re

import pytest

from coopgraph.errors import InputError, NoUniqueAnswer
from coopgraph.resolve import Candidate, normalise, resolve, resolve_unique
from coopgraph.resolve import index as resolve_index

from .conftest import REGISTER

REGISTER_CSV = REGISTER / "gemeinden.csv"

# (query, options, expected AGS, the register's name for that AGS)
SPELLINGS: list[tuple[str, dict[str, str], str, str]] = [
    # seed names
    ("Mühlheim a. d. Ruhr", {}, "05117000", "Mülheim an der Ruhr"),
    ("Münster, Stadt", {"land": "NW"}, "05515000", "Münster"),
    ("Stadt Münster", {"land": "NW"}, "05515000", "Münster"),
    ("Münster (Westf.)", {}, "05515000", "Münster"),
    ("Münster/Westf.", {}, "05515000", "Münster"),
    ("Münster (Westfalen)", {}, "05515000", "Münster"),
    ("Muenster", {"land": "NW"}, "05515000", "Münster"),
    ("Muelheim an der Ruhr", {}, "05117000", "Mülheim an der Ruhr"),
    ("Mülheim a.d. Ruhr", {}, "05117000", "Mülheim an der Ruhr"),
    ("Sendenhorst", {}, "05570040", "Sendenhorst"),
    ("Havixbeck", {}, "05558020", "Havixbeck"),
    ("Gemeinde Havixbeck", {}, "05558020", "Havixbeck"),
    # St. / Sankt
    ("St. Augustin", {}, "05382056", "Sankt Augustin"),
    ("St.Augustin", {}, "05382056", "Sankt Augustin"),
    ("Sankt Augustin", {}, "05382056", "Sankt Augustin"),
    ("Sankt Ingbert", {}, "10045117", "St. Ingbert"),
    ("St. Ingbert", {}, "10045117", "St. Ingbert"),
    ("Sankt Wendel", {}, "10046117", "St. Wendel"),
    # a. d. / am / an der / i. d. / v. d. / b. / o. d.
    ("Limburg an der Lahn", {}, "06533009", "Limburg a. d. Lahn"),
    ("Limburg a.d.Lahn", {}, "06533009", "Limburg a. d. Lahn"),
    ("Bad Homburg vor der Höhe", {}, "06434001", "Bad Homburg v. d. Höhe"),
    ("Bad Homburg v.d.H.", {}, "06434001", "Bad Homburg v. d. Höhe"),
    ("Weiden in der Oberpfalz", {}, "09363000", "Weiden i.d.OPf."),
    ("Neumarkt i. d. OPf.", {}, "09373147", "Neumarkt i.d.OPf."),
    ("Mühldorf am Inn", {}, "09183128", "Mühldorf a.Inn"),
    ("Pfaffenhofen an der Ilm", {}, "09186143", "Pfaffenhofen a.d.Ilm"),
    ("Neukirchen beim Heiligen Blut", {}, "09372144", "Neukirchen b.Hl.Blut"),
    ("Weißenburg in Bayern", {}, "09577177", "Weißenburg i.Bay."),
    ("Rothenburg o. d. T.", {}, "09571193", "Rothenburg ob der Tauber"),
    ("Rothenburg (Oberlausitz)", {}, "14626480", "Rothenburg/O.L."),
    ("Reichenbach (Oberlausitz)", {}, "14626450", "Reichenbach/O.L."),
    ("Hannoversch Münden", {}, "03159017", "Hann. Münden"),
    ("Freiburg i. Br.", {}, "08311000", "Freiburg im Breisgau"),
    ("Esslingen a.N.", {}, "08116019", "Esslingen am Neckar"),
    ("Brandenburg a. d. Havel", {}, "12051000", "Brandenburg an der Havel"),
    # Frankfurt, Halle and other qualified names
    ("Frankfurt (Oder)", {}, "12053000", "Frankfurt (Oder)"),
    ("Frankfurt/Oder", {}, "12053000", "Frankfurt (Oder)"),
    ("Frankfurt an der Oder", {}, "12053000", "Frankfurt (Oder)"),
    ("Frankfurt am Main", {}, "06412000", "Frankfurt am Main"),
    ("Frankfurt a. M.", {}, "06412000", "Frankfurt am Main"),
    ("Frankfurt a.M.", {}, "06412000", "Frankfurt am Main"),
    ("Frankfurt/Main", {}, "06412000", "Frankfurt am Main"),
    ("Halle (Saale)", {}, "15002000", "Halle (Saale)"),
    ("Halle/Saale", {}, "15002000", "Halle (Saale)"),
    ("Halle an der Saale", {}, "15002000", "Halle (Saale)"),
    ("Halle (Westf.)", {}, "05754012", "Halle (Westf.)"),
    ("Halle/Westfalen", {}, "05754012", "Halle (Westf.)"),
    ("Oldenburg (Oldb.)", {}, "03403000", "Oldenburg (Oldb)"),
    ("Oldenburg i. H.", {}, "01055033", "Oldenburg in Holstein"),
    ("Mühlhausen (Thüringen)", {}, "16064046", "Mühlhausen/Thüringen"),
    ("Fröndenberg (Ruhr)", {}, "05978012", "Fröndenberg/Ruhr"),
    ("Fröndenberg", {}, "05978012", "Fröndenberg/Ruhr"),
    ("Kempten (Allgäu)", {}, "09763000", "Kempten (Allgäu)"),
    ("Hamm (Westf.)", {}, "05915000", "Hamm"),
    ("Marburg an der Lahn", {}, "06534014", "Marburg"),
    ("Ludwigshafen", {}, "07314000", "Ludwigshafen am Rhein"),
    ("Bautzen", {}, "14625020", "Bautzen / Budyšin"),
    ("Cottbus", {}, "12052000", "Cottbus/Chóśebuz"),
    # umlauts as ae/oe/ue, ß as ss, and without the e
    ("Koeln", {}, "05315000", "Köln"),
    ("Koln", {}, "05315000", "Köln"),
    ("Duesseldorf", {}, "05111000", "Düsseldorf"),
    ("Dusseldorf", {}, "05111000", "Düsseldorf"),
    ("Gross-Gerau", {}, "06433006", "Groß-Gerau"),
    ("Groß Gerau", {}, "06433006", "Groß-Gerau"),
    ("Muenchen", {}, "09162000", "München"),
    ("Rheda Wiedenbrueck", {}, "05754028", "Rheda-Wiedenbrück"),
    ("Munster", {"land": "NW"}, "05515000", "Münster"),
    # designations before and after the name
    ("Hansestadt Rostock", {}, "13003000", "Rostock"),
    ("Landeshauptstadt München", {}, "09162000", "München"),
    ("Universitätsstadt Tübingen", {}, "08416041", "Tübingen"),
    ("Lutherstadt Wittenberg", {}, "15091375", "Wittenberg"),
    ("Kreisfreie Stadt Münster", {"land": "NW"}, "05515000", "Münster"),
    ("Hagen, Stadt der FernUniversität", {}, "05914000", "Hagen"),
    ("Rostock, Hanse- und Universitätsstadt", {}, "13003000", "Rostock"),
    # case
    ("MÜNSTER", {"land": "NW"}, "05515000", "Münster"),
    ("havixbeck", {}, "05558020", "Havixbeck"),
    ("FRANKFURT AM MAIN", {}, "06412000", "Frankfurt am Main"),
    ("mülheim an der ruhr", {}, "05117000", "Mülheim an der Ruhr"),
    # typos
    ("Düsseldrof", {}, "05111000", "Düsseldorf"),
    ("Gelsenkirchn", {}, "05513000", "Gelsenkirchen"),
    ("Recklinghusen", {}, "05562032", "Recklinghausen"),
    ("Havixbek", {}, "05558020", "Havixbeck"),
    ("Wuppertahl", {}, "05124000", "Wuppertal"),
    ("Mönchen-Gladbach", {}, "05116000", "Mönchengladbach"),
    ("Muenstr", {"land": "NW"}, "05515000", "Münster"),
]

# Names several Gemeinden bear (alone, or before a qualifier like "am Rhein", "(Hessen)").
NAMESAKES: dict[str, set[str]] = {
    "Münster": {"05515000", "06432015", "09779187"},
    "Senden": {"05558044", "09775152"},
    "Hagen": {"01060031", "03352060", "03459020", "05914000"},
    "Hamm": {"05915000", "07132044", "07232046", "07331038"},
    "Oberhausen": {
        "05119000",
        "07133073",
        "07133074",
        "07333053",
        "07337058",
        "09185150",
        "09190135",
    },
    "Greven": {"05566012", "13076055"},
    "Halle": {"03255016", "03456008", "05754012", "15002000"},
    "Frankfurt": {"06412000", "12053000"},
}


def _spelling_id(case: tuple[str, dict[str, str], str, str]) -> str:
    query, options, _, _ = case
    return query + "".join(f" [{k}={v}]" for k, v in options.items())


@pytest.fixture(scope="module")
def register_rows() -> dict[str, dict[str, str]]:
    if not REGISTER_CSV.exists():
        pytest.skip(f"register CSV not available at {REGISTER_CSV}")
    with REGISTER_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["ags"]: row for row in csv.DictReader(fh)}


# ----------------------------------------------------------------------------- spellings


@pytest.mark.parametrize("case", SPELLINGS, ids=[_spelling_id(c) for c in SPELLINGS])
def test_spelling_resolves_to_the_register_ags(
    case: tuple[str, dict[str, str], str, str],
) -> None:
    query, options, ags, register_name = case
    resolution = resolve(query, **options)
    assert resolution.status == "unique", resolution.to_text()
    assert resolution.match is not None
    assert resolution.match.ags == ags
    assert resolution.match.name == register_name
    assert resolution.query == query


def test_expected_ags_match_the_register_csv(register_rows: dict[str, dict[str, str]]) -> None:
    for query, _, ags, register_name in SPELLINGS:
        assert ags in register_rows, query
        assert register_rows[ags]["name"] == register_name, query
    for ags_set in NAMESAKES.values():
        assert ags_set <= register_rows.keys()


def test_match_carries_kreis_land_and_official_name(register_rows: dict[str, dict[str, str]]):
    match = resolve_unique("Mühlheim a. d. Ruhr")
    row = register_rows[match.ags]
    assert match.official_name == row["name_amtlich"]
    assert match.kreis_key == row["kreis_schluessel"]
    assert match.land == row["land_name"]
    assert match.land_key == row["land_schluessel"]
    assert match.land_code == "NW"
    assert match.iri.endswith("/kommune/05117000")
    assert 90 <= match.score < 100  # a fuzzy match says so


def test_exact_match_scores_100_and_fuzzy_less() -> None:
    assert resolve_unique("Havixbeck").score == 100
    assert resolve_unique("Havixbek").score < 100


# ----------------------------------------------------------------------------- ambiguity


@pytest.mark.parametrize("name", sorted(NAMESAKES))
def test_shared_name_alone_is_ambiguous_with_every_candidate(name: str) -> None:
    resolution = resolve(name)
    assert resolution.status == "ambiguous"
    assert resolution.match is None
    assert {c.ags for c in resolution.candidates} == NAMESAKES[name]
    for c in resolution.candidates:
        assert c.kreis and c.kreis_key and c.land and c.land_code


@pytest.mark.parametrize("name", sorted(NAMESAKES))
def test_namesakes_agree_with_the_register(
    name: str, register_rows: dict[str, dict[str, str]]
) -> None:
    pattern = re.compile(re.escape(name) + r"($| |\(|/)")
    bearers = {ags for ags, row in register_rows.items() if pattern.match(row["name"])}
    assert bearers == NAMESAKES[name]


@pytest.mark.parametrize(
    ("name", "options", "ags"),
    [
        ("Münster", {"land": "NW"}, "05515000"),
        ("Münster", {"land": "Hessen"}, "06432015"),
        ("Münster", {"land": "BY"}, "09779187"),
        ("Münster", {"kreis": "Stadt Münster"}, "05515000"),
        ("Münster", {"kreis": "Donau-Ries"}, "09779187"),
        ("Senden", {"land": "NW"}, "05558044"),
        ("Senden", {"land": "Bayern"}, "09775152"),
        ("Senden", {"kreis": "Coesfeld"}, "05558044"),
        ("Senden", {"kreis": "Kreis Coesfeld"}, "05558044"),
        ("Senden", {"kreis": "05558"}, "05558044"),
        ("Senden", {"kreis": "Landkreis Neu-Ulm"}, "09775152"),
        ("Senden", {"land": "NW", "kreis": "Coesfeld"}, "05558044"),
        ("Senden, Kreis Coesfeld", {}, "05558044"),
        ("Senden (Kr. Coesfeld)", {}, "05558044"),
        ("Hagen", {"land": "NW"}, "05914000"),
        ("Hamm", {"land": "NW"}, "05915000"),
        ("Oberhausen", {"land": "NW"}, "05119000"),
        ("Oberhausen", {"kreis": "Weilheim-Schongau"}, "09190135"),
        ("Greven", {"land": "NW"}, "05566012"),
        ("Greven", {"land": "MV"}, "13076055"),
        ("Halle", {"land": "ST"}, "15002000"),
        ("Frankfurt", {"land": "HE"}, "06412000"),
        ("Sendenhorst", {"kreis": "Warendorf"}, "05570040"),
        ("Gnoien", {"kreis": "Landkreis Rostock"}, "13072035"),
        ("Rostock", {"kreis": "Rostock"}, "13003000"),
    ],
)
def test_land_or_kreis_makes_a_shared_name_unique(
    name: str, options: dict[str, str], ags: str
) -> None:
    resolution = resolve(name, **options)
    assert resolution.status == "unique", resolution.to_text()
    assert resolution.match is not None and resolution.match.ags == ags


@pytest.mark.parametrize(
    "land", ["NW", "nw", "05", "5", "Nordrhein-Westfalen", "nordrhein-westfalen", "NRW"]
)
def test_land_forms(land: str) -> None:
    assert resolve_unique("Senden", land=land).ags == "05558044"


def test_land_name_with_umlaut_forms() -> None:
    for land in ("Thüringen", "Thueringen", "TH", "16"):
        assert resolve_unique("Mühlhausen", land=land).ags == "16064046"
    assert resolve("Mühlhausen").status == "ambiguous"


def test_same_name_in_the_same_land_stays_ambiguous() -> None:
    resolution = resolve("Oberhausen", land="BY")
    assert resolution.status == "ambiguous"
    assert {c.ags for c in resolution.candidates} == {"09185150", "09190135"}


def test_sankt_and_st_forms_of_one_name_are_namesakes() -> None:
    both = {c.ags for c in resolve("St. Johann").candidates}
    assert both == {c.ags for c in resolve("Sankt Johann").candidates}
    assert both == {"07137097", "07339050", "08415093"}


def test_fuzzy_match_of_a_shared_name_is_ambiguous_not_guessed() -> None:
    resolution = resolve("Oberhausn")
    assert resolution.status == "ambiguous"
    assert {"05119000", "07337058", "09185150", "09190135"} <= {
        c.ags for c in resolution.candidates
    }


def test_official_name_with_its_designation_identifies_the_gemeinde() -> None:
    # Of the three Münster, only the one in NW is officially "Münster, Stadt"; the Bavarian
    # Senden is a Stadt ("Senden, St" in the register), the Westphalian one is not.
    assert resolve_unique("Münster, Stadt").ags == "05515000"
    assert resolve_unique("Senden, Stadt").ags == "09775152"
    assert resolve("Senden, Gemeinde").status == "ambiguous"
    assert resolve("Stadt Münster").status == "ambiguous"


# ----------------------------------------------------------------------------- not found


def test_unknown_name_is_not_found_with_suggestions() -> None:
    resolution = resolve("Xyzzyhausen")
    assert resolution.status == "not_found"
    assert resolution.match is None
    assert 1 <= len(resolution.candidates) <= 5
    scores = [c.score for c in resolution.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(s < 90 for s in scores)
    assert any("hausen" in c.name for c in resolution.candidates)


def test_close_call_between_different_names_is_not_guessed() -> None:
    # "Wessel" is one letter from Wesseln, Wesel and Essel: no clear winner.
    resolution = resolve("Wessel")
    assert resolution.status == "not_found"
    assert {"01051130", "05170048", "03358007"} <= {c.ags for c in resolution.candidates}


def test_weak_fuzzy_match_is_only_a_suggestion() -> None:
    resolution = resolve("Dortmnud")  # 87.5: below the acceptance threshold
    assert resolution.status == "not_found"
    assert resolution.candidates[0].ags == "05913000"


def test_contradicting_qualifier_is_not_found() -> None:
    resolution = resolve("Münster (Sachsen)")
    assert resolution.status == "not_found"
    assert "05515000" not in {c.ags for c in resolution.candidates if c.score >= 90}


def test_land_filter_applies_before_fuzzy_matching() -> None:
    assert resolve("Muenstr").status == "ambiguous"
    assert resolve_unique("Muenstr", land="NW").ags == "05515000"
    outside = resolve("Münster", land="BB")
    assert outside.status == "not_found"
    assert all(c.land_code == "BB" for c in outside.candidates)


def test_kreis_filter_applies_before_fuzzy_matching() -> None:
    resolution = resolve("Havixbek", kreis="Warendorf")
    assert resolution.status == "not_found"
    assert all(c.kreis_key == "05570" for c in resolution.candidates)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("land", ["XX", "Westfalen-Nord", "99", ""])
def test_unknown_land_is_an_input_error(land: str) -> None:
    with pytest.raises(InputError) as info:
        resolve("Senden", land=land)
    assert info.value.field == "land"
    assert info.value.exit_code == 2
    assert "NW" in info.value.message and "Nordrhein-Westfalen" in info.value.message


@pytest.mark.parametrize("kreis", ["Xyzkreis", "99999", "Coesfleld"])
def test_unknown_kreis_is_an_input_error(kreis: str) -> None:
    with pytest.raises(InputError) as info:
        resolve("Senden", kreis=kreis)
    assert info.value.field == "kreis"
    assert "05558" in info.value.message  # says what is accepted


def test_kreis_outside_the_land_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        resolve("Senden", land="BY", kreis="Coesfeld")
    assert info.value.field == "kreis"


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_blank_name_is_an_input_error(name: str) -> None:
    with pytest.raises(InputError) as info:
        resolve(name)
    assert info.value.field == "name"


# ----------------------------------------------------------------------------- resolve_unique


def test_resolve_unique_returns_the_candidate() -> None:
    match = resolve_unique("Münster (Westf.)")
    assert isinstance(match, Candidate)
    assert match.ags == "05515000"


def test_resolve_unique_lists_every_candidate_when_ambiguous() -> None:
    with pytest.raises(NoUniqueAnswer) as info:
        resolve_unique("Oberhausen")
    assert info.value.exit_code == 1
    for ags in NAMESAKES["Oberhausen"]:
        assert ags in str(info.value)
    assert "Rheinland-Pfalz" in str(info.value) and "Bayern" in str(info.value)


def test_resolve_unique_lists_suggestions_when_not_found() -> None:
    suggestions = resolve("Xyzzyhausen").candidates
    with pytest.raises(NoUniqueAnswer) as info:
        resolve_unique("Xyzzyhausen")
    for c in suggestions:
        assert c.ags in str(info.value)


# ----------------------------------------------------------------------------- output


def test_to_json_has_the_fields() -> None:
    data = json.loads(resolve("Münster (Westf.)").to_json())
    assert set(data) == {"query", "status", "match", "candidates"}
    assert data["query"] == "Münster (Westf.)"
    assert data["status"] == "unique"
    assert data["match"]["ags"] == "05515000"
    assert data["match"]["land_code"] == "NW"
    assert set(data["match"]) == {
        "ags",
        "name",
        "official_name",
        "kreis",
        "kreis_key",
        "land",
        "land_key",
        "land_code",
        "iri",
        "score",
    }


def test_to_json_of_ambiguous_lists_candidates_and_keeps_umlauts() -> None:
    text = resolve("Münster").to_json()
    assert "Münster" in text  # ensure_ascii=False
    data = json.loads(text)
    assert data["status"] == "ambiguous" and data["match"] is None
    assert {c["ags"] for c in data["candidates"]} == NAMESAKES["Münster"]


@pytest.mark.parametrize("query", ["Mühlheim a. d. Ruhr", "Münster", "Xyzzyhausen"])
def test_to_text_differs_by_language_and_ends_with_newline(query: str) -> None:
    resolution = resolve(query)
    de, en = resolution.to_text("de"), resolution.to_text("en")
    assert de != en
    assert de.endswith("\n") and en.endswith("\n")
    for c in resolution.candidates:
        assert c.ags in de and c.ags in en


def test_to_text_of_an_ambiguous_name_shows_kreis_and_land() -> None:
    text = resolve("Senden").to_text("de")
    assert "mehrdeutig" in text
    assert "Coesfeld" in text and "Neu-Ulm" in text
    assert "Nordrhein-Westfalen" in text and "Bayern" in text


def test_to_text_of_a_unique_match() -> None:
    text = resolve("Mühlheim a. d. Ruhr").to_text("en")
    assert "05117000" in text and "Mülheim an der Ruhr, Stadt" in text
    assert "approximate" in text


# ----------------------------------------------------------------------------- token rules


@pytest.mark.parametrize(
    ("written", "register"),
    [
        ("Limburg a. d. Lahn", "Limburg an der Lahn"),
        ("Limburg a.d.Lahn", "Limburg an der Lahn"),
        ("St. Ingbert", "Sankt Ingbert"),
        ("St.Ingbert", "Sankt Ingbert"),
        ("Rade b. Rendsburg", "Rade bei Rendsburg"),
        ("Neukirchen b.Hl.Blut", "Neukirchen beim Hl. Blut"),
        ("Bad Homburg v. d. Höhe", "Bad Homburg vor der Höhe"),
        ("Au i.d.Hallertau", "Au in der Hallertau"),
        ("Pullach i.Isartal", "Pullach im Isartal"),
        ("Töging a.Inn", "Töging am Inn"),
        ("Born a. Darß", "Born auf dem Darß"),
        ("Frankfurt/Main", "Frankfurt am Main"),
        ("Rothenburg o.d.T.", "Rothenburg ob der T."),
        ("Münster", "MUENSTER"),
        ("Groß-Gerau", "gross gerau"),
        ("Rheda-Wiedenbrück", "Rheda Wiedenbrueck"),
    ],
)
def test_token_rules_make_spellings_equal(written: str, register: str) -> None:
    assert normalise.tokenize(written) == normalise.tokenize(register)


@pytest.mark.parametrize(
    ("left", "right"),
    [("Halle (Saale)", "Halle"), ("Bad Homburg", "Homburg"), ("Sankt Johann", "Johann")],
)
def test_token_rules_keep_different_names_apart(left: str, right: str) -> None:
    assert normalise.tokenize(left) != normalise.tokenize(right)


@pytest.mark.parametrize(
    ("abbreviation", "word", "expected"),
    [
        ("opf.", "oberpfalz", True),
        ("westf.", "westfalen", True),
        ("m.", "main", True),
        ("ol.", "oberlausitz", True),
        ("m.", "oder", False),
        ("ot.", "ol.", False),
        ("westf.", "westerwald", False),
    ],
)
def test_abbreviations_match_the_words_they_shorten(
    abbreviation: str, word: str, expected: bool
) -> None:
    assert normalise.compatible(abbreviation, word) is expected


def test_designations_in_front_are_stripped() -> None:
    strip = normalise.strip_designation
    assert strip("Kreisfreie Stadt Münster") == "Münster"
    assert strip("Freie und Hansestadt Hamburg") == "Hamburg"
    assert strip("Markt Erlbach") == "Erlbach"  # tried only after the name as written
    assert strip("Stadt") == "Stadt"
    assert resolve_unique("Markt Erlbach").ags == "09575145"


# ----------------------------------------------------------------------------- index


def test_index_holds_every_kommune_and_no_gemeindefreies_gebiet(
    register_rows: dict[str, dict[str, str]],
) -> None:
    index = resolve_index.current_index()
    assert {c.ags for c in index.gemeinden} == set(register_rows)
    assert resolve("Sachsenwald").status == "not_found"  # a gemeindefreies Gebiet


def test_index_is_built_once_and_cached(tmp_path, monkeypatch) -> None:
    """Built once per process, and kept in the workspace's cache for the next process (how
    fast that is, benchmarks/bench_workspace.py measures; no clock in the tests)."""
    from coopgraph import workspace

    root = tmp_path / "ws"
    (root / "data" / "kooperationen").mkdir(parents=True)
    with workspace.using(workspace.at(root)):
        resolve_index.load_index.cache_clear()
        first = resolve_index.current_index()
        assert resolve_index.current_index() is first
        cache = root / ".coopgraph" / "resolve-index.pickle"
        assert cache.is_file()
        built = []
        monkeypatch.setattr(resolve_index, "build_index", lambda d: built.append(d))
        resolve_index.load_index.cache_clear()
        again = resolve_index.current_index()  # from the cache: nothing is built
        assert built == [] and again.gemeinden == first.gemeinden
        resolve_index.load_index.cache_clear()
