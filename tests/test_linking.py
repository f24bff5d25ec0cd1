"""Study linking and study-level findings, on documents written for these tests and stored
in a real SQLite file through the real pipeline."""

from __future__ import annotations

import json

import pytest

from extractor import store
from extractor.comparison import comparison_rows
from extractor.documents import Document
from extractor.errors import ConfigError
from extractor.extract import extract_document
from extractor.findings import link_studies
from extractor.linking import CatalogueStudy, study_key, study_slug
from extractor.study_store import VIEW_COLUMNS

BLINATUMOMAB_STUDY = CatalogueStudy.from_config(
    {
        "name": "Interfant-06 + blinatumomab",
        "intervention": "blinatumomab",
        "control_from": "Interfant-06",
        "headline_terms": [["blinatumomab"], ["infant", "infants", "baby", "babies"]],
    }
)

PAPER = Document(
    "pmid:91000001",
    "https://pubmed.ncbi.nlm.nih.gov/91000001/",
    "One course of blinatumomab after induction in infants with KMT2A-rearranged ALL",
    "One course of blinatumomab after induction in infants with KMT2A-rearranged ALL\n\n"
    "In this single-arm phase 2 study, 30 infants received one 28-day course of blinatumomab "
    "at 15 μg/m2/day by continuous infusion after induction. They were compared with 214 "
    "historical controls treated on Interfant-06. The 2-year DFS was 81.6% (95% CI, 70.2 to "
    "94.9) with blinatumomab and 49.4% (95% CI, 42.7 to 57.1) in the historical controls. "
    "The 2-year OS was 93.3% (95% CI, 84.9 to 100) and 65.8% (95% CI, 59.5 to 72.8), "
    "respectively.",
    {"pmid": "91000001", "doi": "10.5555/infant.1", "year": 2023},
    "pubmed",
)
NEWS = Document(
    "news:example.org/antibody",
    "https://news.example.org/antibody",
    "Antibody course lifts survival of babies with leukaemia",
    "Antibody course lifts survival of babies with leukaemia\n\n"
    "Adding a month of an immune therapy to chemotherapy kept more babies free of leukaemia. "
    "Two years on, 81.6% were alive without disease and 93.3% were alive. By comparison, the "
    "figures were 49.4% and 65.8% among 214 earlier babies treated on Interfant-06.",
    {"url": "https://news.example.org/antibody", "published": "2023-05-04",
     "cited_dois": ["10.5555/infant.1"]},
    "html",
)  # fmt: skip
INTERFANT06 = Document(
    "pmid:91000002",
    "https://pubmed.ncbi.nlm.nih.gov/91000002/",
    "Interfant-06: lymphoid-type or myeloid-type consolidation for infants with ALL",
    "Interfant-06: lymphoid-type or myeloid-type consolidation for infants with ALL\n\n"
    "This randomised phase 3 trial enrolled 651 infants. The 6-year EFS was 46.1% (SE 2.1) "
    "and the 6-year OS was 58.2% (SE 2.1).",
    {"pmid": "91000002", "year": 2019, "nct_ids": ["NCT00550992"]},
    "pubmed",
)
REVIEW = Document(
    "review",
    "review.txt",
    "Twenty years of trials for infant leukaemia",
    "Twenty years of trials for infant leukaemia\n\n"
    "Interfant-06 (NCT00550992) reported a 6-year EFS of 46.1%. In MLL-10 the 3-year EFS "
    "was 66.2%.",
)


@pytest.fixture
def db(tmp_path, nlp):
    database = store.open_store(tmp_path / "evidence.db")
    for document in (PAPER, NEWS, INTERFANT06, REVIEW):
        store.save_document_evidence(database, document, extract_document(document, nlp))
    link_studies(database, [BLINATUMOMAB_STUDY])
    return database


def _links(db, document_id):
    return {
        (r["study_id"], r["role"], r["via"])
        for r in db.query("SELECT * FROM document_studies WHERE document_id = ?", [document_id])
    }


def test_documents_link_to_the_studies_they_report_and_mention(db):
    assert _links(db, PAPER.id) == {
        ("interfant-06-blinatumomab", "reports", "catalogue"),
        ("interfant-06", "mentions", "text"),
    }
    # the story names neither the drug nor the study in its headline: its DOI link does it
    assert ("interfant-06-blinatumomab", "reports", "cited paper") in _links(db, NEWS.id)
    assert _links(db, INTERFANT06.id) == {
        ("interfant-06", "reports", "title"),
        ("interfant-06", "reports", "databank"),
    }
    assert _links(db, REVIEW.id) == {
        ("interfant-06", "mentions", "text"),
        ("interfant-06", "mentions", "registry number"),
        ("mll-10", "mentions", "text"),
    }


def test_studies_carry_registry_numbers_phase_and_design(db):
    studies = {r["id"]: r for r in db.query("SELECT * FROM studies")}
    assert set(studies) == {"interfant-06", "interfant-06-blinatumomab", "mll-10"}
    interfant = studies["interfant-06"]
    assert json.loads(interfant["nct_ids"]) == ["NCT00550992"]  # no study of its own
    assert (interfant["phase"], interfant["design"]) == ("phase 3", "randomised")
    assert (interfant["first_year"], interfant["documents"]) == (2019, 1)
    blinatumomab = studies["interfant-06-blinatumomab"]
    assert blinatumomab["phase"] == "phase 2"
    assert "single-arm" in blinatumomab["design"]
    assert blinatumomab["intervention"] == "blinatumomab"
    assert blinatumomab["documents"] == 2  # the paper and the story about it


def test_a_result_from_the_paper_and_the_news_is_one_finding_with_two_sources(db):
    rows = comparison_rows(db, "survival_by_study", endpoint="dfs", timepoint_months=24)
    found = {(r["study"], r["arm"]): r for r in rows}
    assert set(found) == {
        ("Interfant-06 + blinatumomab", "blinatumomab"),
        ("Interfant-06", "historical controls"),
    }
    treated = found[("Interfant-06 + blinatumomab", "blinatumomab")]
    assert (treated["value_pct"], treated["ci_low"], treated["ci_high"]) == (81.6, 70.2, 94.9)
    assert (treated["n"], treated["year"], treated["arm_role"]) == (30, 2023, "experimental")
    assert treated["sources"] == "pmid:91000001; news:example.org/antibody"
    assert (treated["source_count"], treated["source_kinds"]) == (2, "news, paper")
    controls = found[("Interfant-06", "historical controls")]
    assert (controls["value_pct"], controls["n"], controls["arm_role"]) == (49.4, 214, "control")
    assert controls["source_count"] == 2
    assert controls["conflicts"] is None


def test_each_source_of_a_finding_keeps_its_sentence_and_offsets(db):
    finding = comparison_rows(db, "survival_by_study", endpoint="OS", timepoint_months=24)
    treated = next(r for r in finding if r["value_pct"] == 93.3)
    sources = list(
        db.query(
            "SELECT * FROM finding_sources WHERE finding_table = 'survival_findings' "
            "AND finding_id = ? ORDER BY document_id",
            [treated["finding_id"]],
        )
    )
    texts = {d.id: d.text for d in (PAPER, NEWS)}
    assert [s["document_id"] for s in sources] == [NEWS.id, PAPER.id]
    for source in sources:
        text = texts[source["document_id"]]
        assert text[source["start"] : source["end"]] == source["text"]
        assert source["text"].startswith("93.3%")
        assert source["sentence"] in text
        assert source["attributed_by"]


def test_a_figure_in_a_review_joins_the_trials_own_finding(db):
    efs = comparison_rows(db, "survival_by_study", endpoint="EFS")
    found = {(r["study"], r["timepoint_months"], r["value_pct"]): r for r in efs}
    assert found[("Interfant-06", 72.0, 46.1)]["sources"] == "pmid:91000002; review"
    assert found[("Interfant-06", 72.0, 46.1)]["n"] == 651  # from the trial's own paper
    assert found[("Interfant-06", 72.0, 46.1)]["se"] == 2.1
    assert found[("MLL-10", 36.0, 66.2)]["n"] is None  # a review's sizes are not the trial's


def test_doses_and_cohorts_by_study(db):
    doses = comparison_rows(db, "dosing_by_study", drug="Blinatumomab")
    assert [(d["study"], d["amount"], d["unit"], d["duration_days"]) for d in doses] == [
        ("Interfant-06 + blinatumomab", 15.0, "μg/m2/day", 28.0)
    ]
    cohorts = {(c["study"], c["n"]): c for c in comparison_rows(db, "cohorts_by_study")}
    assert cohorts[("Interfant-06", 214)]["role"] == "control"
    assert cohorts[("Interfant-06", 214)]["source_count"] == 2
    assert cohorts[("Interfant-06", 651)]["role"] == "total"
    assert ("Interfant-06 + blinatumomab", 30) in cohorts


def _add_story_and_link(db, nlp, name: str, sentence: str) -> list[dict]:
    """Store a short news story about the blinatumomab study, link again, and return the
    study's DFS findings."""
    story = Document(
        f"news:example.org/{name}",
        f"https://news.example.org/{name}",
        "Blinatumomab helps infants with leukaemia",
        f"Blinatumomab helps infants with leukaemia\n\n{sentence}",
        {"url": f"https://news.example.org/{name}"},
        "html",
    )
    store.save_document_evidence(db, story, extract_document(story, nlp))
    link_studies(db, [BLINATUMOMAB_STUDY])
    return comparison_rows(
        db, "survival_by_study", endpoint="DFS", study="Interfant-06 + blinatumomab"
    )


def test_sources_that_disagree_on_a_ci_are_one_finding_with_the_conflict_named(db, nlp):
    rows = _add_story_and_link(
        db, nlp, "misquote", "With blinatumomab the 2-year DFS was 81.6% (95% CI 70.0 to 95.0)."
    )
    assert len(rows) == 1
    assert (rows[0]["ci_low"], rows[0]["ci_high"], rows[0]["source_count"]) == (70.2, 94.9, 3)
    assert rows[0]["conflicts"] == (
        "95% CI differs between sources: 70.2–94.9 (pmid:91000001); "
        "70–95 (news:example.org/misquote)"
    )


def test_linking_again_gives_the_same_rows_and_ids(db):
    tables = ("studies", "document_studies", "survival_findings", "finding_sources")
    before = {t: [dict(r) for r in db.query(f"SELECT * FROM [{t}] ORDER BY 1")] for t in tables}
    link_studies(db, [BLINATUMOMAB_STUDY])
    after = {t: [dict(r) for r in db.query(f"SELECT * FROM [{t}] ORDER BY 1")] for t in tables}
    assert after == before


def test_a_deleted_document_leaves_the_findings_at_the_next_link(db):
    with db.conn:
        db.conn.execute("DELETE FROM documents WHERE id = ?", [NEWS.id])
    link_studies(db, [BLINATUMOMAB_STUDY])
    rows = comparison_rows(db, "survival_by_study", endpoint="DFS", timepoint_months=24)
    assert {r["sources"] for r in rows} == {PAPER.id}


def test_without_a_catalogue_an_unnamed_study_stays_unattributed(tmp_path, nlp):
    database = store.open_store(tmp_path / "plain.db")
    store.save_document_evidence(database, PAPER, extract_document(PAPER, nlp))
    link_studies(database)
    studies = {r["study"] for r in comparison_rows(database, "survival_by_study")}
    assert "Interfant-06 + blinatumomab" not in studies


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"intervention": "blinatumomab"}, "needs a name"),
        ({"name": "X", "headline_terms": ["blinatumomab"]}, "list of lists"),
    ],
)
def test_a_bad_catalogue_entry_says_what_is_wrong(entry, message):
    with pytest.raises(ConfigError, match=message):
        CatalogueStudy.from_config(entry)


@pytest.mark.parametrize(
    ("name", "key", "slug"),
    [
        ("Interfant-06", "interfant06", "interfant-06"),
        ("INTERFANT 06", "interfant06", "interfant-06"),
        ("MLL10", "mll10", "mll10"),
        ("Interfant-06 + blinatumomab", "interfant06blinatumomab", "interfant-06-blinatumomab"),
    ],
)
def test_names_of_one_study_share_a_key(name, key, slug):
    assert (study_key(name), study_slug(name)) == (key, slug)


def test_the_views_have_the_columns_the_metadata_describes(db):
    for view, columns in VIEW_COLUMNS.items():
        assert tuple(db.view(view).columns_dict) == columns


def test_a_rounded_figure_joins_the_precise_one(db, nlp):
    rows = _add_story_and_link(db, nlp, "rounded", "With blinatumomab the 2-year DFS was 82%.")
    assert [(r["value_pct"], r["source_count"]) for r in rows] == [(81.6, 3)]
