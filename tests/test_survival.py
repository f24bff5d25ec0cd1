"""Survival estimates: endpoint, timepoint, value, interval and arm, on sentences of our own."""

from __future__ import annotations

import pytest

CASES = [
    # (text, expected [(endpoint, timepoint_months, value_pct)])
    ("The 4-year event-free survival was 47.0% (SE 2.6).", [("EFS", 48, 47.0)]),
    ("At 5 years, overall survival reached 58.2%.", [("OS", 60, 58.2)]),
    (
        "The six-year EFS and OS were 46.1% and 58.2%, respectively.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "Two-year disease-free survival was 81.6%while two-year overall survival was 93.3%.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3)],
    ),
    (
        "Three-year EFS was 36% with lestaurtinib and 39% with chemotherapy alone.",
        [("EFS", 36, 36.0), ("EFS", 36, 39.0)],
    ),
    ("EFS at 4 years was 47·0% in the whole cohort.", [("EFS", 48, 47.0)]),
    (
        "The 3-year cumulative incidence of relapse was 21.4% (95% CI 15.0–27.8).",
        [("CIR", 36, 21.4)],
    ),
    ("Leukaemia-free survival at 2 years was 70%.", [("LFS", 24, 70.0)]),
    (
        "The 3-year EFS rate was 66.2\u00a0% and the 3-year OS rate 85.2\u00a0%.",
        [("EFS", 36, 66.2), ("OS", 36, 85.2)],
    ),
    ("Five-year EFS and OS were 58% and 70%.", [("EFS", 60, 58.0), ("OS", 60, 70.0)]),
    ("Event-free survival at 5 years was 36.0% ± 4.1%.", [("EFS", 60, 36.0)]),
    ("5-yr EFS: 42% (95% CI: 35–49%).", [("EFS", 60, 42.0)]),
    (
        "The 2-year DFS was 81.6% (95% CI, 70.2–94.9) and the 2-year OS was 93.3% (95% CI, "
        "84.9–100), as compared with 49.4% (95% CI, 42.7–57.1) and 65.8% (95% CI, 59.5–72.8), "
        "respectively, among the historical controls.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3), ("DFS", 24, 49.4), ("OS", 24, 65.8)],
    ),
    (
        "The 6-year event-free survival (EFS) and overall survival (OS) were 46.1% and 58.2%, "
        "respectively.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    ("Two years on, disease-free survival stood at 81.6%.", [("DFS", 24, 81.6)]),
    (
        "Six-year event-free survival was 46.1 per cent and overall survival 58.2 per cent.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "Three-year EFS: lestaurtinib arm 36%, chemotherapy-only arm 39%.",
        [("EFS", 36, 36.0), ("EFS", 36, 39.0)],
    ),
    ("The 5-year probability of EFS was 43%.", [("EFS", 60, 43.0)]),
    ("EFS (±SE) at 5 years was 50.2% ± 3.4%.", [("EFS", 60, 50.2)]),
    ("Overall survival was 72% at 5 years.", [("OS", 60, 72.0)]),
    ("The 4-year estimated overall survival was 62.1%.", [("OS", 48, 62.1)]),
    (
        "The event-free survival rate three years after diagnosis was 36 percent for infants "
        "given lestaurtinib and 39 percent for those on chemotherapy alone.",
        [("EFS", 36, 36.0), ("EFS", 36, 39.0)],
    ),
    (
        "Four years after diagnosis, 47.0 percent of the babies (standard error 2.6) were alive "
        "without relapse or other events.",
        [("EFS", 48, 47.0)],
    ),
    (
        "At three years, 85% of the infants were still alive and 66% of infants were alive and "
        "event-free.",
        [("OS", 36, 85.0), ("EFS", 36, 66.0)],
    ),
    ("Five years later, 60% of children survived.", [("OS", 60, 60.0)]),
    ("At 2 years, 70% of patients remained relapse-free.", [("RFS", 24, 70.0)]),
    (
        "The 2-year DFS was 81.6% [95% CI: 70.2; 94.9] and OS 93.3% (95% confidence interval: "
        "84.9, 100).",
        [("DFS", 24, 81.6), ("OS", 24, 93.3)],
    ),
    (
        "At two years, disease-free survival was 81.6%. Overall survival was 93.3%.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3)],
    ),
    ("Interfant-99 reached an EFS of 47.0 ± 2.6% at 4 years.", [("EFS", 48, 47.0)]),
    (
        "At six years, event-free and overall survival were 46.1% (standard error 2.1%) and "
        "58.2% (2.1%).",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    ("In the four trials, event-free survival ranged from 36% to 66.2%.", []),
    (
        "Of those infants, 93.3% were alive at the two-year mark, against 65.8% of 214 babies "
        "treated before.",
        [("OS", 24, 93.3), ("OS", 24, 65.8)],
    ),
    (
        "Overall survival was 93.3% at two years. Disease-free survival was 81.6% at that point.",
        [("OS", 24, 93.3), ("DFS", 24, 81.6)],
    ),
    (
        "- 2-yr OS: blinatumomab 93.3% (95% CI 84.9 to 100); controls 65.8% (95% CI 59.5 to 72.8).",
        [("OS", 24, 93.3), ("OS", 24, 65.8)],
    ),
    (
        "2-yr OS 93.3% vs 65.8%; grade ≥3 adverse events: anaemia 17%, neutropenia 7%.",
        [("OS", 24, 93.3), ("OS", 24, 65.8)],
    ),
    (
        "EFS for the whole group was 47.0% at 4 years (standard error [SE], 2.6%).",
        [("EFS", 48, 47.0)],
    ),
    (
        "Survival estimates at 6 years were 46.1% (SE 2.1) for EFS and 58.2% (SE 2.1) for OS.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "EFS and OS at 6 years were 46.1 and 58.2%, respectively, each ±2.1%.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "The 3-year EFS was no better with lestaurtinib (36 vs. 39%).",
        [("EFS", 36, 36.0), ("EFS", 36, 39.0)],
    ),
    (
        "EFS was 47.0% (SE 2.6) at 4 years with the first protocol and 46.1% (SE 2.1) at 6 "
        "years with the second.",
        [("EFS", 48, 47.0), ("EFS", 72, 46.1)],
    ),
    (
        "The 2-year OS was 93.3% (95% CI 84.9 to 100 and 95% CI 59.5 to 72.8 for the two groups).",
        [("OS", 24, 93.3)],
    ),
    ("The 6-year pEFS was 46.1%, SE 2.1%.", [("EFS", 72, 46.1)]),
    (
        "Two-year DFS was 81.6% and OS 93.3%. In the controls the corresponding estimates were "
        "49.4% and 65.8%.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3), ("DFS", 24, 49.4), ("OS", 24, 65.8)],
    ),
    (
        "The study reported 2-year DFS of 81.6%. Its comparator was historical (DFS 49.4%).",
        [("DFS", 24, 81.6), ("DFS", 24, 49.4)],
    ),
    (
        "Three years on, 66.2% of babies in the trial were alive with no relapse or other event.",
        [("EFS", 36, 66.2)],
    ),
    ("A 3-year event-free survival of 66.2% was achieved in MLL-10.", [("EFS", 36, 66.2)]),
    ("Its disease-free survival could lie anywhere between 70.2% and 94.9%.", []),
    (
        "Two years on, 81.6 per cent were alive and free of leukaemia. Overall, 93.3 per cent "
        "were alive, against 65.8 per cent.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3), ("OS", 24, 65.8)],
    ),
    ("Interfant-99 reported the 47.0% 4-year EFS in 482 infants.", [("EFS", 48, 47.0)]),
    (
        "Six-year EFS was 46.1%, each estimate with a standard error of 2.1%.",
        [("EFS", 72, 46.1)],
    ),
    (
        "Interfant-99 reported 47.0% at 4 years, and Interfant-06 a 6-year EFS of 46.1% and "
        "overall survival (OS) of 58.2%.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "Two years later, 93.3 percent of the babies were alive. The share who were alive and "
        "free of leukemia was 81.6 percent, versus 49.4 percent.",
        [("OS", 24, 93.3), ("DFS", 24, 81.6), ("DFS", 24, 49.4)],
    ),
    (
        "Two years later, 93.3 per cent of the babies were still alive and 81.6 per cent were "
        "alive with no return of their leukaemia. Among 214 similar babies, the equivalent "
        "figures were 65.8 per cent and 49.4 per cent.",
        [("OS", 24, 93.3), ("DFS", 24, 81.6), ("OS", 24, 65.8), ("DFS", 24, 49.4)],
    ),
    (
        "Six years after diagnosis, 46.1% of the babies were alive without their leukaemia "
        "coming back or another serious event.",
        [("EFS", 72, 46.1)],
    ),
    (
        "- Two years later, 93.3% of the babies who had blinatumomab were alive.\n"
        "- 81.6% were alive with no sign of their leukaemia coming back.",
        [("OS", 24, 93.3), ("DFS", 24, 81.6)],
    ),
    (
        "The proportion alive without a relapse rose from 49.4 per cent in the earlier trial to "
        "81.6 per cent at two years.",
        [("RFS", 24, 49.4), ("RFS", 24, 81.6)],
    ),
    (
        "At two years, 81.6% of the infants were alive and free of leukemia, and 93.3% were "
        "alive. In 214 babies given chemotherapy alone, those rates were 49.4% and 65.8%.",
        [("DFS", 24, 81.6), ("OS", 24, 93.3), ("DFS", 24, 49.4), ("OS", 24, 65.8)],
    ),
    (
        "The estimated 2-year DFS was 81.6% (95% confidence interval [CI], 70.2 to 94.9) and the "
        "estimated 2-year OS was 93.3% (95% CI, 84.9 to 100); in the historical control group, "
        "the corresponding values were 49.4% (95% CI, 42.7 to 57.1) and 65.8% (95% CI, 59.5 to "
        "72.8).",
        [("DFS", 24, 81.6), ("OS", 24, 93.3), ("DFS", 24, 49.4), ("OS", 24, 65.8)],
    ),
    (
        "EFS 47.0% (SE 2.6) at 4 years in Interfant-99 (n = 482); EFS 46.1% (SE 2.1) and OS 58.2% "
        "(SE 2.1) at 6 years in Interfant-06 (n = 651).",
        [("EFS", 48, 47.0), ("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "Whole cohort, 6 yr: EFS 46.1% (SE 2.1); OS 58.2% (SE 2.1).",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "6-year EFS was 46.1% +/- 2.1% (SE) and 6-year OS was 58.2% +/- 2.1%.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    (
        "Two years out, overall survival was 93.3 percent among the babies who got the drug. For "
        "214 children treated before, it was 65.8 percent. The share who were alive with no sign "
        "of leukemia was 81.6 percent, compared with 49.4 percent.",
        [("OS", 24, 93.3), ("OS", 24, 65.8), ("DFS", 24, 81.6), ("DFS", 24, 49.4)],
    ),
    (
        "After six years, just under six in 10 babies (58.2%) were alive, and about two in three "
        "in the other trial — 66.2% — were alive without relapse or another major setback.",
        [("OS", 72, 58.2), ("EFS", 72, 66.2)],
    ),
    (
        "Only 46.1 per cent of the 651 babies treated survived six years without relapse or "
        "another serious event.",
        [("EFS", 72, 46.1)],
    ),
    (
        "OS at 1 year was 88%, at 2 years 76%, and at 5 years 60%.",
        [("OS", 12, 88.0), ("OS", 24, 76.0), ("OS", 60, 60.0)],
    ),
    ("Survival at two years jumped from 66% to 93%.", [("OS", 24, 66.0), ("OS", 24, 93.0)]),
    ("Nine in ten babies (93%) survived for at least two years.", [("OS", 24, 93.0)]),
    (
        "More than 80 per cent of the infants given the drug were still cancer-free after two "
        "years.",
        [("DFS", 24, 80.0)],
    ),
    (
        "The 5-year EFS and OS were 42% and 55% in the HSCT group and 35% and 48% in the "
        "chemotherapy group, respectively.",
        [("EFS", 60, 42.0), ("OS", 60, 55.0), ("EFS", 60, 35.0), ("OS", 60, 48.0)],
    ),
    (
        "EFS (5 years) was 43.3% (95% CI 35.1-51.2) and OS 54.2% (95% CI 45.8-61.8).",
        [("EFS", 60, 43.3), ("OS", 60, 54.2)],
    ),
    (
        "Interfant-06 achieved 46.1% event-free survival and 58.2% overall survival at six years.",
        [("EFS", 72, 46.1), ("OS", 72, 58.2)],
    ),
    ("The blinatumomab group showed 81.6% disease-free survival at 2 years.", [("DFS", 24, 81.6)]),
    ("The 5-year relapse rate was 30%, and non-relapse mortality was 8%.", [("CIR", 60, 30.0)]),
    ("5-year pOS: 62 ± 5%.", [("OS", 60, 62.0)]),
    # a timepoint written with one endpoint does not carry over to the next sentence
    (
        "The 3-year EFS is below 40%. The survival rate after relapse is just 20%.",
        [("EFS", 36, 40.0), ("OS", None, 20.0)],
    ),
    # endpoints listed with "rate" or an article between them share the listed values
    (
        "The 5-year EFS rate and OS rate of that protocol were 44.0% and 57.5%.",
        [("EFS", 60, 44.0), ("OS", 60, 57.5)],
    ),
    (
        "It reported an EFS and an OS at 3 years of 61% and 80%, respectively.",
        [("EFS", 36, 61.0), ("OS", 36, 80.0)],
    ),
    # values referred back to at a timepoint of their own
    (
        "In trial A, EFS and OS at 5 years were 50% and 62%. In trial B, the corresponding "
        "figures at 4 years were 55% and 70%.",
        [("EFS", 60, 50.0), ("OS", 60, 62.0), ("EFS", 48, 55.0), ("OS", 48, 70.0)],
    ),
    ("The two arms had 41% and 44% 5-year EFS.", [("EFS", 60, 41.0), ("EFS", 60, 44.0)]),
    (
        "The study reported 78% 2-year DFS (95% CI 65-90) and 90% 2-year OS (95% CI 80-99), "
        "versus 50% and 66% in the controls.",
        [("DFS", 24, 78.0), ("OS", 24, 90.0), ("DFS", 24, 50.0), ("OS", 24, 66.0)],
    ),
    (
        "Controls had a 2-year DFS of 50% and a 2-year OS of 66%; the corresponding drug-arm "
        "estimates were 78% and 90%.",
        [("DFS", 24, 50.0), ("OS", 24, 66.0), ("DFS", 24, 78.0), ("OS", 24, 90.0)],
    ),
    # the state of the patients names the endpoint
    (
        "After three years, 80 per cent of the children in that trial were alive, and 61 per "
        "cent had come through without their disease returning or another serious setback.",
        [("OS", 36, 80.0), ("EFS", 36, 61.0)],
    ),
    (
        "At five years, 62pc of the infants were alive and 44pc had survived that long "
        "without a relapse or other serious event.",
        [("OS", 60, 62.0), ("EFS", 60, 44.0)],
    ),
    (
        "Four years after diagnosis, 57% of them were alive, and 43% had not had their "
        "leukaemia come back or any other serious problem.",
        [("OS", 48, 57.0), ("EFS", 48, 43.0)],
    ),
    (
        "The probability of being alive without an event five years after diagnosis was "
        "44.5% (standard error 3.1%).",
        [("EFS", 60, 44.5)],
    ),
    (
        "At two years, 78% (95% CI 65-90) of the infants were alive and in continuous "
        "remission, and 90% (95% CI 80-99) were alive.",
        [("DFS", 24, 78.0), ("OS", 24, 90.0)],
    ),
    (
        "After two years, the share who were alive without the cancer coming back was 78%, "
        "versus 50%.",
        [("DFS", 24, 78.0), ("DFS", 24, 50.0)],
    ),
    # a paraphrase of relapse-free survival means the one such endpoint the text names
    (
        "Two years on, 78% of the babies were alive and had not relapsed. Disease-free "
        "survival was the primary endpoint.",
        [("DFS", 24, 78.0)],
    ),
    (
        "For survival without the disease returning, the estimate was 78 per cent at two years.",
        [("DFS", 24, 78.0)],
    ),
    (
        "Two-year disease-free survival was 78%. The controls had 50% at the same time point.",
        [("DFS", 24, 78.0), ("DFS", 24, 50.0)],
    ),
    (
        "Two years after treatment, 90% of the babies were alive. In earlier babies given "
        "chemotherapy alone, the figure was 66%.",
        [("OS", 24, 90.0), ("OS", 24, 66.0)],
    ),
    (
        "The trial reported three-year figures: 61 per cent event-free, 80 per cent overall.",
        [("EFS", 36, 61.0), ("OS", 36, 80.0)],
    ),
    (
        "At three years the cohort had 80% alive. The controls had 66% alive at the same point.",
        [("OS", 36, 80.0), ("OS", 36, 66.0)],
    ),
    ("The overall response rate was 53% overall.", []),
    (
        "Two years out, disease-free survival is seventy-eight point five per cent.",
        [("DFS", 24, 78.5)],
    ),
    # slide shorthand: "@24 mo", "pEFS 6 y = …"
    (
        "DFS: @24 mo 78% (95% CI 65–90) drug vs 50% (95% CI 43–57) HC.",
        [("DFS", 24, 78.0), ("DFS", 24, 50.0)],
    ),
    ("pEFS 5 y = 44.0 ± 2.0%; pOS 5 y = 57.0 ± 2.0%", [("EFS", 60, 44.0), ("OS", 60, 57.0)]),
    # values referred to by "the 6-year figures of …" between two other endpoints
    (
        "The 3-year EFS of 61% and OS of 80% beat the 5-year figures of protocol X, 44% and 57%, "
        "or the 4-year EFS of 47% in protocol Y.",
        [
            ("EFS", 36, 61.0),
            ("OS", 36, 80.0),
            ("EFS", 60, 44.0),
            ("OS", 60, 57.0),
            ("EFS", 48, 47.0),
        ],
    ),
    (
        "Two years on, 90% of them were alive, and 78% were alive without their leukaemia having "
        "returned. For the earlier babies, the two figures were 66% and 50%.",
        [("OS", 24, 90.0), ("DFS", 24, 78.0), ("OS", 24, 66.0), ("DFS", 24, 50.0)],
    ),
    (
        "Two years later, 90% of them were still alive. That compares with 66% of 200 babies "
        "who had chemotherapy only.",
        [("OS", 24, 90.0), ("OS", 24, 66.0)],
    ),
    (
        "Just 44 per cent had come through five years without a relapse, death or another "
        "serious event.",
        [("EFS", 60, 44.0)],
    ),
    (
        "Overall survival at two years was 90% (80% to 99%); in the comparison group it was 66% "
        "(59% to 73%).",
        [("OS", 24, 90.0), ("OS", 24, 66.0)],
    ),
    (
        "Two years after treatment, 90 percent of the babies were alive. Among 200 earlier "
        "babies, that figure was 66 percent.",
        [("OS", 24, 90.0), ("OS", 24, 66.0)],
    ),
    (
        "The 2-year probabilities of disease-free and overall survival were 78% and 90%. For "
        "the controls, the matching estimates were 50% and 66%.",
        [("DFS", 24, 78.0), ("OS", 24, 90.0), ("DFS", 24, 50.0), ("OS", 24, 66.0)],
    ),
    (
        "Trial X reported a 4-year EFS of 47.0% ± 2.6%; trial Y reached 44.0% ± 2.0% at 5 "
        "years, with an OS of 57.0% ± 2.0%.",
        [("EFS", 48, 47.0), ("EFS", 60, 44.0), ("OS", 60, 57.0)],
    ),
    (
        "Trial Y | EFS and OS (5 years), whole cohort | EFS 44.0% (SE 2.0); OS 57.0% (SE 2.0)",
        [("EFS", 60, 44.0), ("OS", 60, 57.0)],
    ),
    (
        "The 2-year DFS was 78% (95% CI, 65 to 90) and the 2-year OS 90% (95% CI, 80 to 99); "
        "among 200 historical controls, the values were 50% (95% CI, 43 to 57) and 66% (95% "
        "CI, 59 to 73).",
        [("DFS", 24, 78.0), ("OS", 24, 90.0), ("DFS", 24, 50.0), ("OS", 24, 66.0)],
    ),
    # word ratios with the exact figure in brackets
    (
        "MLL-10 kept more than four in five alive (85.2%) and event-free at 3 years (66.2%).",
        [("OS", 36, 85.2), ("EFS", 36, 66.2)],
    ),
    (
        "Fewer than half of infants (46.1% at six years) survived without an event.",
        [("EFS", 72, 46.1)],
    ),
    (
        "Roughly four in five infants (78%; 95% CI, 65-90) were alive and in remission at two "
        "years.",
        [("DFS", 24, 78.0)],
    ),
    (
        "Just under half of the babies, 44 per cent, were alive and free of relapse or other "
        "events five years on, and nearly six in ten, 57 per cent, were alive.",
        [("EFS", 60, 44.0), ("OS", 60, 57.0)],
    ),
    (
        "Two years on, 78 per cent had no sign of the cancer coming back, compared with just "
        "50 per cent.",
        [("DFS", 24, 78.0), ("DFS", 24, 50.0)],
    ),
    (
        "Three years on, 80 percent were alive. The proportion who survived over the same "
        "period without a relapse or other serious event was 61 percent; 44 percent were alive "
        "without such events after five years.",
        [("OS", 36, 80.0), ("EFS", 36, 61.0), ("EFS", 60, 44.0)],
    ),
    (
        "Five-year figures: event-free survival 44 per cent, overall survival 57 per cent.",
        [("EFS", 60, 44.0), ("OS", 60, 57.0)],
    ),
    (
        "The 5-year EFS and overall survival (OS) were 44.0% and 57.0%, each with an SE of 2.0%.",
        [("EFS", 60, 44.0), ("OS", 60, 57.0)],
    ),
    # decimal commas
    (
        "The 5-year EFS and OS were 44,0 % and 57,0 %, and the 2-year DFS was 78,5 % (95 % CI "
        "65,2–90,1).",
        [("EFS", 60, 44.0), ("OS", 60, 57.0), ("DFS", 24, 78.5)],
    ),
    ("47.0% – event-free survival at 4 years in protocol X (SE 2.6)", [("EFS", 48, 47.0)]),
    (
        "For babies who got chemotherapy alone, the 3-year EFS was 39 percent. With the drug, "
        "that number was 36 percent.",
        [("EFS", 36, 39.0), ("EFS", 36, 36.0)],
    ),
    (
        "Three years on, 36 percent of the infants given the drug were alive and free of "
        "leukemia events.",
        [("EFS", 36, 36.0)],
    ),
    (
        "After six years, 44 per cent of all babies were alive and had not relapsed or had "
        "another serious event.",
        [("EFS", 72, 44.0)],
    ),
    ("Two-year DFS was 78%, with a lower confidence bound of 65%.", [("DFS", 24, 78.0)]),
    # a footnote marker after the full stop ends the sentence
    (
        "EFS at four years was 47.0%.⁴ Its successor reported an EFS of 46.1%, both at six years.⁵",
        [("EFS", 48, 47.0), ("EFS", 72, 46.1)],
    ),
    (
        "Results\nEvent-free survival, all participants, 5 years: 44.0% (standard error 2.0)",
        [("EFS", 60, 44.0)],
    ),
    ("EFS at 3 years - Arm A: 41%; Arm B: 44%.", [("EFS", 36, 41.0), ("EFS", 36, 44.0)]),
    # negatives: proportions, risk reductions and intervals are not survival estimates
    (
        "Overall survival was 90%, and 26 of the 30 infants (87%) were MRD-negative.",
        [("OS", None, 90.0)],
    ),
    ("Around 90% of relapses occur within 2 years of diagnosis.", []),
    ("KMT2A rearrangements are found in 75% of infants with ALL.", []),
    ("Of the events counted in EFS, 70% were relapses.", []),
    (
        "The 4-year cumulative incidence of relapse was 41.2% ± 3.9% and that of death in "
        "remission 8.5% ± 2.0%.",
        [("CIR", 48, 41.2)],
    ),
    ("Blinatumomab cut the risk of relapse by 78% relative to survival on chemotherapy.", []),
    ("In all, 93% of infants were MRD negative after induction.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_survival_estimates(extract, text, expected):
    found = [
        (s["endpoint"], s["timepoint_months"], s["value_pct"]) for s in extract(text)["survival"]
    ]
    assert found == expected


def test_respectively_refers_back_to_the_previous_sentence(extract):
    text = (
        "With blinatumomab, 2-year DFS was 81.6% and 2-year OS 93.3%. Among 214 historical "
        "controls the rates were 49.4% and 65.8%, respectively."
    )
    found = [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["arm"])
        for s in extract(text)["survival"]
    ]
    assert found[2:] == [
        ("DFS", 24, 49.4, "historical controls"),
        ("OS", 24, 65.8, "historical controls"),
    ]


@pytest.mark.parametrize(
    ("text", "ci"),
    [
        ("2-year DFS was 81.6% (95% CI, 70.2 to 94.9).", (70.2, 94.9)),
        ("2-year DFS was 81.6% (95% CI 70.2%–94.9%).", (70.2, 94.9)),
        ("2-year DFS was 81.6% (70.2–94.9).", (70.2, 94.9)),
        ("2-year OS was 93.3% [95% confidence interval: 84.9 - 100].", (84.9, 100.0)),
        ("2-year DFS was 81.6% [95% CI: 70.2; 94.9].", (70.2, 94.9)),
        ("2-year OS was 65.8% (95% confidence interval: 59.5, 72.8).", (59.5, 72.8)),
        ("2-year DFS was 49.4% (95% CI = 42.7% to 57.1%).", (42.7, 57.1)),
    ],
)
def test_confidence_intervals(extract, text, ci):
    (estimate,) = extract(text)["survival"]
    assert (estimate["ci_low"], estimate["ci_high"]) == ci


def test_standard_error_given_with_the_patients(extract):
    text = "At 4 years, 47.0% of the babies (standard error 2.6) were alive and event-free."
    (estimate,) = extract(text)["survival"]
    assert (estimate["se"], estimate["text"]) == (2.6, text[12:-1])


def test_standard_error_given_once_for_the_sentence(extract):
    text = (
        "At six years, event-free survival stood at 46.1 per cent and overall survival at 58.2 "
        "per cent, each carrying a standard error of 2.1."
    )
    assert [s["se"] for s in extract(text)["survival"]] == [2.1, 2.1]


def test_standard_error_inside_the_value(extract):
    (estimate,) = extract("The 4-year EFS was 47.0 ± 2.6%.")["survival"]
    assert (estimate["value_pct"], estimate["se"]) == (47.0, 2.6)


def test_standard_error_and_qualifier(extract):
    (se_case,) = extract("The 4-year EFS was 47.0% (SE 2.6).")["survival"]
    assert se_case["se"] == 2.6
    (bounded,) = extract("The 3-year event-free survival is below 40% in these infants.")[
        "survival"
    ]
    assert bounded["qualifier"] == "<"


def test_span_points_at_the_value(extract):
    text = "The 2-year OS was 93.3% (95% CI 84.9 to 100) in the blinatumomab cohort."
    (estimate,) = extract(text)["survival"]
    assert text[estimate["start"] : estimate["end"]] == estimate["text"]
    assert estimate["text"].startswith("93.3%")
    assert estimate["sentence"] == text
    assert estimate["arm"] == "blinatumomab cohort"


def test_an_arm_phrase_is_kept_whole(extract):
    text = (
        "In 214 comparable babies treated on Interfant-06 without the antibody, the "
        "corresponding figures were 49.4% and 65.8%, respectively."
    )
    evidence = extract("Two years on, DFS stood at 81.6% and OS at 93.3%. " + text)
    assert {s["arm"] for s in evidence["survival"][2:]} == {
        "comparable babies treated on Interfant-06 without the antibody"
    }


def test_a_dropped_timepoint_is_the_one_every_other_figure_gives(extract):
    text = (
        "The two-year disease-free survival rate was 81.6% for the 30 infants, compared with "
        "49.4% among 214 historical controls. Overall survival was 93.3% versus 65.8%."
    )
    found = [
        (s["endpoint"], s["timepoint_months"], s["timepoint_inferred"])
        for s in extract(text)["survival"]
    ]
    assert found == [
        ("DFS", 24, False),
        ("DFS", 24, False),
        ("OS", 24, True),
        ("OS", 24, True),
    ]


def test_no_timepoint_is_inferred_when_the_document_gives_several(extract):
    text = "EFS was 47.0% at 4 years and 46.1% at 6 years. Overall survival was 58.2%."
    assert [s["timepoint_months"] for s in extract(text)["survival"]] == [48, 72, None]


def test_a_bound_with_no_time_is_a_remark_not_an_estimate(extract):
    text = "Event-free survival has stayed below 50% for decades. At 3 years OS was over 80%."
    assert [(s["endpoint"], s["value_pct"]) for s in extract(text)["survival"]] == [("OS", 80.0)]
