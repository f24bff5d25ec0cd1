"""A made-up PubMed for the loopback E-utilities server (extractor.harvest.eutils_replay).

``synthetic_pubmed(records, per_day)`` holds ``records`` PMIDs entered ``per_day`` a day from
2000-01-01, each a small but complete PubmedArticle (title, a structured abstract with inline
markup, DateRevised, the "entrez" history date); ``revised(...)`` gives a record's next version.
"""

from __future__ import annotations

from datetime import date, timedelta

from extractor.harvest.eutils_replay import EutilsReplayServer, RecordedArticle, ReplayPubMed

START = date(2000, 1, 1)
FIRST_PMID = 30_000_000
ENTREZ = ' PubStatus="entrez"'

EutilsServer = EutilsReplayServer


def _ymd(tag: str, day: date, attributes: str = "") -> str:
    return (
        f"<{tag}{attributes}><Year>{day.year}</Year><Month>{day.month:02d}</Month>"
        f"<Day>{day.day:02d}</Day></{tag}>"
    )


def article_xml(pmid: str, entered: date, revised: date, version: int = 1) -> bytes:
    """A PubmedArticle written for the tests; ``version`` changes its result sentence."""
    survival = 81.6 if version == 1 else 80.9
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>{_ymd("DateRevised", revised)}'
        f'<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate>'
        f"<Year>{entered.year}</Year><Month>{entered.strftime('%b')}</Month></PubDate>"
        f"</JournalIssue><Title>Illustrative journal of infant haematology</Title></Journal>"
        f"<ArticleTitle>Record {pmid}: blinatumomab for infants with <i>KMT2A</i>-rearranged "
        f"ALL</ArticleTitle><Abstract>"
        f'<AbstractText Label="METHODS">Thirty infants received blinatumomab 15 &#x3bc;g/m'
        f"<sup>2</sup>/day for 28 days.</AbstractText>"
        f'<AbstractText Label="RESULTS">The 2-year disease-free survival was {survival}%.'
        f"</AbstractText></Abstract><Language>eng</Language></Article></MedlineCitation>"
        f"<PubmedData><History>{_ymd('PubMedPubDate', entered, ENTREZ)}"
        f'</History><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f"</ArticleIdList></PubmedData></PubmedArticle>"
    ).encode()


def recorded(index: int, per_day: int = 1) -> RecordedArticle:
    pmid = str(FIRST_PMID + index)
    entered = START + timedelta(days=index // per_day)
    return RecordedArticle(pmid, article_xml(pmid, entered, entered), entered, entered, entered)


def revised(article: RecordedArticle, on: date) -> RecordedArticle:
    """The record's next version: new text, DateRevised and modification date ``on``."""
    xml = article_xml(article.pmid, article.edat, on, version=2)
    return RecordedArticle(article.pmid, xml, article.edat, article.pdat, on)


def synthetic_pubmed(records: int, per_day: int = 1, slow_seconds: float = 1.0) -> ReplayPubMed:
    return ReplayPubMed([recorded(i, per_day) for i in range(records)], slow_seconds)
