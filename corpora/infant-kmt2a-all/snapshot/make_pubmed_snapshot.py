"""Writes snapshot/pubmed/efetch.xml: the recorded EFetch answer the offline run harvests.

The records are made from abstracts we wrote ourselves for the gold corpus (tuning split),
dressed as PubMed serves them: structured sections with labels, inline markup (<i>KMT2A</i>,
m<sup>2</sup>), DateRevised, an "entrez" history date, a DOI, MeSH terms, a ClinicalTrials.gov
DataBank entry when the text names an NCT number or the trial is registered (REGISTERED), and on a few records an OtherAbstract,
CopyrightInformation or the marker NLM adds to an abstract it cut. PMIDs are local (9xxxxxxx),
not real ones. Run it from the repository root: python corpora/infant-kmt2a-all/snapshot/make_pubmed_snapshot.py
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "pubmed" / "efetch.xml"
SOURCES = [  # our own abstracts, tuning split
    "held-out-8/ho8a-aall0631-unstructured.txt",
    "held-out-8/ho8a-blinatumomab-structured.txt",
    "held-out-8/ho8a-interfant06-unstructured.txt",
    "held-out-8/ho8a-interfant99-structured.txt",
    "held-out-8/ho8a-mll10-structured.txt",
    "held-out-8/ho8d-augment101-phase1-abstract.txt",
    "held-out-9/ho9a-aall0631-objective-structured.txt",
    "held-out-9/ho9a-blinatumomab-nejm-structured.txt",
    "held-out-9/ho9a-interfant06-jco-structured.txt",
    "held-out-9/ho9a-interfant21-trial-in-progress.txt",
    "held-out-9/ho9a-interfant99-lancet-findings.txt",
    "held-out-9/ho9a-mll10-blood-keypoints.txt",
    "held-out-9/ho9d-blinatumomab-pubmed-structured.txt",
    "held-out-9/ho9d-interfant06-pubmed-structured.txt",
    "held-out-10/ho10a-aall0631-cog-structured.txt",
    "held-out-10/ho10a-augment101-lancet-summary.txt",
    "held-out-10/ho10a-blinatumomab-kaplan-meier-results.txt",
    "held-out-10/ho10a-interfant-protocols-pefs-comparison.txt",
    "held-out-10/ho10a-mll10-jplsg-nonnative.txt",
    "held-out-10/ho10a-transplant-first-remission-analysis.txt",
    "held-out-11/ho11a-blinatumomab-nejm-structured.txt",
    "held-out-11/ho11a-interfant06-jama-style.txt",
    "held-out-11/ho11a-interfant99-prednisone-secondary.txt",
    "held-out-11/ho11a-mll10-objective-structured.txt",
    "held-out-12/ho12a-augment101-phase1-jco.txt",
    "held-out-12/ho12a-blinatumomab-external-comparator.txt",
]
FIRST_PMID = 90_001_001
YEARS = {  # when each trial's results came out
    "interfant99": 2007,
    "interfant06": 2019,
    "interfant-protocols": 2020,
    "transplant": 2022,
    "mll10": 2021,
    "aall0631": 2017,
    "blinatumomab": 2023,
    "interfant21": 2025,
    "augment101": 2023,
}
REGISTERED = {  # trials' ClinicalTrials.gov numbers, which PubMed lists in DataBankList
    "interfant06": "NCT00550992",
    "aall0631": "NCT00557193",
}
ENTREZ = ' PubStatus="entrez"'
LABEL = re.compile(r"^([A-Z][A-Za-z ,&/-]{2,40}):\s+")
MESH = {
    "blinatumomab": ("D000091122", "Blinatumomab"),  # illustrative UIs
    "interfant": ("D054198", "Precursor Cell Lymphoblastic Leukemia-Lymphoma"),
    "menin": ("D000093522", "Histone-Lysine N-Methyltransferase"),
}


def marked_up(text: str) -> str:
    """Escaped text with the inline markup PubMed puts in abstracts."""
    text = escape(text, quote=False)
    text = re.sub(r"\b(KMT2A|MLL|FLT3)\b(?=[-\s])", r"<i>\1</i>", text)
    return re.sub(r"\b(m|mm)2\b", r"\1<sup>2</sup>", text)


def ymd(tag: str, day: date, attributes: str = "") -> str:
    return (
        f"<{tag}{attributes}><Year>{day.year}</Year><Month>{day.month:02d}</Month>"
        f"<Day>{day.day:02d}</Day></{tag}>"
    )


def record(number: int, path: Path) -> str:
    lines = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    title, paragraphs = lines[0].splitlines()[0], lines[0].splitlines()[1:] + lines[1:]
    pmid = FIRST_PMID + number
    year = next(y for word, y in YEARS.items() if word in path.name)
    published = date(year, 1 + number % 12, 1)
    entered = published - timedelta(days=20)
    revised = entered + timedelta(days=400)
    sections = []
    for paragraph in paragraphs:
        paragraph = " ".join(paragraph.split())
        label = LABEL.match(paragraph)
        if label:
            body = paragraph[label.end() :]
            name = label.group(1).upper()
            sections.append(
                f'<AbstractText Label="{escape(name)}" NlmCategory="UNASSIGNED">'
                f"{marked_up(body)}</AbstractText>"
            )
        else:
            sections.append(f"<AbstractText>{marked_up(paragraph)}</AbstractText>")
    if number % 9 == 4:  # NLM cuts long abstracts and says so
        sections[-1] = sections[-1].replace(
            "</AbstractText>", " (ABSTRACT TRUNCATED AT 250 WORDS)</AbstractText>"
        )
    copyright_ = (
        "<CopyrightInformation>Copyright (c) the authors of the bundled corpus.</CopyrightInformation>"
        if number % 5 == 2
        else ""
    )
    text = path.read_text(encoding="utf-8").lower()
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="N">{name}</DescriptorName></MeshHeading>'
        for word, (ui, name) in MESH.items()
        if word in text
    )
    nct = set(re.findall(r"NCT\d{8}", path.read_text(encoding="utf-8")))
    nct |= {number for word, number in REGISTERED.items() if word in path.name}
    nct = sorted(nct)
    databank = (
        "<DataBankList CompleteYN=\"Y\"><DataBank><DataBankName>ClinicalTrials.gov</DataBankName>"
        "<AccessionNumberList>"
        + "".join(f"<AccessionNumber>{n}</AccessionNumber>" for n in nct)
        + "</AccessionNumberList></DataBank></DataBankList>"
        if nct
        else ""
    )
    other = (
        '<OtherAbstract Type="plain-language-summary" Language="eng"><AbstractText>'
        "A short summary for families is kept with this record.</AbstractText></OtherAbstract>"
        if number % 7 == 3
        else ""
    )
    return (
        f'<PubmedArticle>\n<MedlineCitation Status="MEDLINE" Owner="NLM">\n'
        f'<PMID Version="1">{pmid}</PMID>\n{ymd("DateRevised", revised)}\n'
        f'<Article PubModel="Print-Electronic">\n<Journal><JournalIssue CitedMedium="Internet">'
        f"<Volume>{number + 1}</Volume>"
        f"<PubDate><Year>{published.year}</Year><Month>{published.strftime('%b')}</Month>"
        f"</PubDate></JournalIssue><Title>Bundled corpus of infant ALL abstracts</Title></Journal>\n"
        f"<ArticleTitle>{marked_up(title)}</ArticleTitle>\n"
        f"<ELocationID EIdType=\"doi\" ValidYN=\"Y\">10.99999/bundled.{pmid}</ELocationID>\n"
        f"<Abstract>\n{chr(10).join(sections)}\n{copyright_}</Abstract>\n"
        f"<Language>eng</Language>\n{databank}"
        f'<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>'
        f"</PublicationTypeList>\n</Article>\n"
        f"<MeshHeadingList>{mesh}</MeshHeadingList>\n{other}</MedlineCitation>\n"
        f"<PubmedData><History>{ymd('PubMedPubDate', entered, ENTREZ)}</History>"
        f"<PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">10.99999/bundled.{pmid}</ArticleId></ArticleIdList>'
        f"</PubmedData>\n</PubmedArticle>"
    )


def main() -> None:
    records = [record(n, CORPORA / source) for n, source in enumerate(SOURCES)]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
        '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        "<PubmedArticleSet>\n" + "\n".join(records) + "\n</PubmedArticleSet>\n",
        encoding="utf-8",
    )
    print(f"wrote {len(records)} records to {OUTPUT}")


if __name__ == "__main__":
    main()
