"""F17 roadmap: the model, its YAML round trip without loss, progress, and precise errors for bad edits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.errors import InputFileError
from ketenradar.locale import use_language
from ketenradar.mitigation.roadmap import (
    OWNER_TYPES,
    RISK_KINDS,
    STATUSES,
    STEPS,
    ChainReference,
    Intervention,
    Milestone,
    Risk,
    Roadmap,
    Step,
    add_quarters,
    proposed_owners,
    roadmap_progress,
    with_status,
)
from ketenradar.services.roadmap import interventions_from_ranking, roadmap_from_yaml, roadmap_to_yaml

RANKING = {
    "measures": [
        {
            "id": "lens_stock",
            "kind": "add_stock",
            "platforms": ["frigate"],
            "loss_avoided": 12.5,
            "loss_avoided_per_eur": None,
            "rank": 2,
            "time_horizon": "short",
        },
        {
            "id": "second_gallium_refiner",
            "name": "Qualify a Japanese gallium refiner",
            "kind": "add_supplier",
            "measure_type": "rnd_redesign",
            "platforms": ["frigate"],
            "loss_avoided": 30.0,
            "loss_avoided_per_eur": 7.5e-6,
            "rank": 1,
            "cost_eur": 4000000,
        },
        {
            "id": "mystery",
            "kind": "something_new",
            "platforms": [],
            "loss_avoided": None,
            "loss_avoided_per_eur": None,
            "rank": None,
        },
    ]
}


def _roadmap() -> Roadmap:
    return Roadmap(
        product_group="militaire schepen",
        chain=ChainReference(name="demo", source="demo.xlsx", version=3),
        steps=tuple(Step(step=s, content=f"inhoud {s} — ë") for s in STEPS),
        risks=(Risk(id="r1", kind="single_point_of_failure", subject="m_gallium", detail="CHN 90%"),),
        interventions=interventions_from_ranking(RANKING, start="2027-Q1"),
        milestones=(
            Milestone(id="m1", what="Scope vastgesteld", step="scope", due="2027-Q1", owners=OWNER_TYPES),
            Milestone(id="m2", what="Keten in kaart", step="chain_mapping", due="2027-06-30", status="done"),
        ),
        notes=("een notitie",),
        drafted="2026-11-30",
    )


def test_f17_quarters_add_across_years() -> None:
    assert add_quarters("2026-Q4", 1) == "2027-Q1"
    assert add_quarters("2027-Q1", 19) == "2031-Q4"
    assert add_quarters("2027-Q3", -3) == "2026-Q4"


def test_f17_interventions_from_ranking_in_rank_order_with_owners_and_dates() -> None:
    first, second, third = interventions_from_ranking(RANKING, start="2027-Q1")
    assert [first.id, second.id, third.id] == ["second_gallium_refiner", "lens_stock", "mystery"]
    # measure type wins over kind: R&D and redesign -> companies and knowledge institutes
    assert first.owners == ("companies", "knowledge_institutes")
    assert second.owners == ("government", "companies")  # add_stock
    assert third.owners == () and third.note  # unknown kind: no owner invented, a note says so
    # start = 4 quarters after 2027-Q1; short horizon: due 3 quarters after the start
    assert (second.start, second.due) == ("2028-Q1", "2028-Q4")
    assert first.due is None  # no time horizon in the ranking: no due date invented
    assert (first.loss_avoided, first.loss_avoided_per_eur, first.cost_eur) == (30.0, 7.5e-6, 4000000.0)
    assert third.loss_avoided is None


def test_f17_proposed_owners_table() -> None:
    assert proposed_owners("country_partnerships", "add_supplier") == ("government",)
    assert proposed_owners(None, "add_supplier") == ("companies",)
    assert proposed_owners("stockpiling", None) == ("government", "companies")
    assert proposed_owners(None, None) == ()


def test_f17_progress_is_done_among_not_dropped() -> None:
    roadmap = _roadmap()
    roadmap = with_status(roadmap, "lens_stock", "done", "2027-03-01")
    roadmap = with_status(roadmap, "mystery", "dropped", "2027-03-02")
    progress = roadmap_progress(roadmap)
    # interventions: 1 done, 1 planned, 1 dropped -> 1 / 2
    assert progress.interventions.share_done == pytest.approx(0.5)
    # milestones: 1 of 2 done; overall: 2 done of 4 counted
    assert progress.milestones.share_done == pytest.approx(0.5)
    assert (progress.overall.done, progress.overall.counted, progress.overall.dropped) == (2, 4, 1)
    assert roadmap_progress(Roadmap("x", ChainReference("c"), ())).overall.share_done is None


def test_f17_with_status_refuses_unknown_ids() -> None:
    with pytest.raises(KeyError):
        with_status(_roadmap(), "r1", "done", None)  # a risk has no status


def test_f17_yaml_round_trip_without_loss() -> None:
    roadmap = _roadmap()
    text = roadmap_to_yaml(roadmap)
    assert roadmap_from_yaml(text) == roadmap
    assert "militaire schepen" in text  # unicode kept as written, not escaped


def test_f17_a_persons_edits_survive() -> None:
    roadmap = _roadmap()
    edited = roadmap_to_yaml(roadmap).replace(
        "product_group: militaire schepen", "# de productgroep\nproduct_group: militaire schepen  # pilot"
    )
    # Keys reordered, a quoted date, an unquoted YAML date and a decimal comma.
    edited = edited.replace("version: 1\n", "") + "version: 1\n"
    edited = edited.replace("due: 2027-06-30", "due: '2027-06-30'").replace(
        "loss_avoided: 12.5", "loss_avoided: 12,5"
    )
    edited = edited.replace("drafted: '2026-11-30'", "drafted: 2026-11-30")
    assert roadmap_from_yaml(edited) == roadmap
    again = roadmap_from_yaml(roadmap_to_yaml(roadmap_from_yaml(edited)))
    assert again == roadmap


def test_f17_bad_edits_get_every_problem_with_its_place() -> None:
    text = roadmap_to_yaml(_roadmap())
    text = text.replace("  status: planned", "  status: klaar", 1)
    text = text.replace("- government\n", "- overheid\n", 1)
    text = text.replace("due: '2027-06-30'", "due: 2027-02-30")
    text = text.replace("id: m2", "id: r1")
    text = text.replace("notes:", "colour: blue\nnotes:")
    with use_language("en"), pytest.raises(InputFileError) as caught:
        roadmap_from_yaml(text, file="ships.yaml")
    (impossible,) = (
        caught.value.problems
    )  # YAML cannot read an impossible unquoted day: said first, with its line
    assert (impossible.value, impossible.row) == (
        "2027-02-30",
        text.splitlines().index("  due: 2027-02-30") + 1,
    )
    text = text.replace("due: 2027-02-30", "due: '2027-02-30'")
    with use_language("en"), pytest.raises(InputFileError) as caught:
        roadmap_from_yaml(text, file="ships.yaml")
    places = {(p.column, p.value) for p in caught.value.problems}
    assert ("interventions, 1 (second_gallium_refiner), status", "klaar") in places
    assert ("milestones, 2 (r1), due", "2027-02-30") in places
    assert ("milestones, 2 (r1), id", "r1") in places
    assert any(c == "colour" for c, _v in places)
    assert any(c is not None and c.endswith("owners") for c, _v in places)
    assert all(p.file == "ships.yaml" for p in caught.value.problems)
    assert len(caught.value.problems) == 5


def test_f17_due_before_start_and_unknown_owner_messages() -> None:
    text = roadmap_to_yaml(_roadmap()).replace("due: 2028-Q4", "due: 2027-Q2")
    with use_language("nl"), pytest.raises(InputFileError) as caught:
        roadmap_from_yaml(text, file="f.yaml")
    (problem,) = caught.value.problems
    assert problem.column == "interventions, 2 (lens_stock), due"
    assert "start" in problem.message


_text = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs", "S")), max_size=30)
_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=12)
_dates = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat),
    st.tuples(st.integers(1990, 2100), st.integers(1, 4)).map(lambda q: f"{q[0]}-Q{q[1]}"),
)
_numbers = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))
_owners = st.lists(st.sampled_from(OWNER_TYPES), unique=True).map(tuple)


@st.composite
def _roadmaps(draw: st.DrawFn) -> Roadmap:
    ids = draw(st.lists(_ids, unique=True, min_size=0, max_size=9))
    n_risks, n_interventions = sorted(draw(st.tuples(st.integers(0, len(ids)), st.integers(0, len(ids)))))
    risks = tuple(
        Risk(
            id=i,
            kind=draw(st.sampled_from(RISK_KINDS)),
            subject=draw(_text),
            detail=draw(_text),
            source=draw(_text),
        )
        for i in ids[:n_risks]
    )
    interventions = tuple(
        Intervention(
            id=i,
            name=draw(_text),
            kind=draw(st.one_of(st.none(), _ids)),
            measure_type=draw(st.one_of(st.none(), _ids)),
            owners=draw(_owners),
            instrument=draw(st.one_of(st.none(), _text)),
            platforms=tuple(draw(st.lists(_ids, max_size=3))),
            time_horizon=draw(st.sampled_from((None, "short", "medium", "long"))),
            status=draw(st.sampled_from(STATUSES)),
            status_date=draw(_dates),
            rank=draw(st.one_of(st.none(), st.integers(1, 10**6))),
            cost_eur=draw(
                st.one_of(st.none(), st.floats(min_value=0, allow_nan=False, allow_infinity=False))
            ),
            loss_avoided=draw(_numbers),
            loss_avoided_per_eur=draw(_numbers),
            note=draw(_text),
        )
        for i in ids[n_risks:n_interventions]
    )
    milestones = tuple(
        Milestone(
            id=i,
            what=draw(_text),
            step=draw(st.one_of(st.none(), st.sampled_from(STEPS))),
            due=draw(_dates),
            owners=draw(_owners),
            status=draw(st.sampled_from(STATUSES)),
            status_date=draw(_dates),
        )
        for i in ids[n_interventions:]
    )
    steps = draw(st.lists(st.sampled_from(STEPS), unique=True))
    return Roadmap(
        product_group=draw(_text.filter(str.strip)),
        chain=ChainReference(
            name=draw(_ids), source=draw(_text), version=draw(st.one_of(st.none(), st.integers(1, 100)))
        ),
        steps=tuple(Step(step=s, content=draw(_text)) for s in steps),
        risks=risks,
        interventions=interventions,
        milestones=milestones,
        notes=tuple(draw(st.lists(_text, max_size=3))),
        drafted=draw(_dates),
    )


@settings(max_examples=60, deadline=None)
@given(_roadmaps())
def test_f17_any_roadmap_round_trips_through_yaml(roadmap: Roadmap) -> None:
    assert roadmap_from_yaml(roadmap_to_yaml(roadmap)) == roadmap
