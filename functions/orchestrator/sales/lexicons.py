"""The cue lexicons of the deterministic MEDDPIC extractor: per element, weighted cues in one pattern."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.sales.analysis import ElementName


@dataclass(frozen=True)
class Lexicon:
    """Alternative cues in one pattern: group ``cN`` matched means cue N with ``weights[cN]``."""

    pattern: re.Pattern[str]
    weights: Mapping[str, float]


def _lexicon(*cues: tuple[str, float]) -> Lexicon:
    """Cues are matched case-insensitively unless written inside ``(?-i:...)``; each starts where
    a word or a currency sign starts. List longer cues first: at one position only the first that matches
    counts."""
    names = [f"c{index}" for index in range(len(cues))]
    alternatives = "|".join(f"(?P<{name}>{cue})" for name, (cue, _) in zip(names, cues, strict=True))
    # every cue starts where a word (or a currency sign) starts: checking that first skips the
    # alternatives at most positions, which keeps long transcripts fast
    pattern = rf"(?<!\w)(?=[\w$€£])(?:{alternatives})"
    return Lexicon(re.compile(pattern, re.IGNORECASE), dict(zip(names, (w for _, w in cues), strict=True)))


_NUM = r"\d[\d,]*(?:\.\d+)?"
_MONTHS = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_I_WILL = r"\bI(?:['\u2019]ll|\s+will|['\u2019]m\s+going\s+to|\s+can|\s+could|['\u2019]d\s+be\s+happy\s+to)"
_VENDOR = r"(?-i:[A-Z][A-Za-z0-9&]+(?:\.(?:io|ai|com))?)"


LEXICONS: Mapping[ElementName, Lexicon] = {
    "metrics": _lexicon(
        (rf"[$€£]\s?{_NUM}(?:\s?(?:k|m|mm|bn|million|thousand|billion)\b)?", 2.5),
        (rf"\b{_NUM}\s?(?:k|m|million|thousand)?\s?(?:dollars|usd|euros?|pounds)\b", 2.5),
        (r"\b(?:thousand|million|hundred)\s+(?:dollars|euros|pounds)\b", 2.0),
        (rf"\b{_NUM}\s?(?:%|percent\b)", 2.0),
        (
            rf"\b{_NUM}\s?(?:hours?|hrs?|days?|weeks?|months?|minutes?|mins?|seconds?|people|FTEs?|reps"
            r"|agents|users|tickets|orders|calls|deals|customers|accounts|employees|x)\b",
            1.5,
        ),
        (r"\b(?:per|each|every|a)\s+(?:month|year|week|day|quarter|hour|ticket|user|seat|rep|agent)\b", 1.0),
        (
            r"\b(?:reduc(?:e|es|ed|ing|tion)|cut(?:ting)?|sav(?:e|es|ed|ing|ings)|increas(?:e|es|ed|ing)"
            r"|improv\w*|lower|shorten\w*|double|halve)\b",
            1.0,
        ),
        (r"\b(?:ROI|payback|KPIs?|targets?|goal|benchmark|metrics?|CSAT|NPS)\b", 1.0),
    ),
    "economic_buyer": _lexicon(
        (r"\bsign(?:s|ed|ing)?[\s-]+off\b|\bsign-?off\b", 2.5),
        (
            r"\b(?:budget\s+(?:owner|holder)|own(?:s|ed)?\s+the\s+budget|hold(?:s)?\s+the\s+budget"
            r"|control(?:s)?\s+the\s+budget|purse\s+strings)\b",
            2.5,
        ),
        (r"\bfinal\s+(?:say|decision|call|approval|word)\b", 2.5),
        (r"\b(?:decision[\s-]maker|economic\s+buyer|exec(?:utive)?\s+sponsor)\b", 2.0),
        (r"(?-i:\b(?:CFO|CEO|COO|CRO|CIO|CTO|CPO|VP|SVP|EVP)\b)", 1.5),
        (r"\b(?:chief\s+\w+\s+officer|vice\s+president|head\s+of|director|controller|founder|board)\b", 1.0),
        (r"\bapprov(?:e|es|ed|al|ing)\b", 1.0),
        (r"\bbudget(?:s|ed)?\b", 1.0),
    ),
    "decision_criteria": _lexicon(
        (r"\bmust[\s-]haves?\b|\bnon[\s-]negotiable\b|\bdeal[\s-]?breakers?\b", 2.5),
        (r"\brequirements?\b|\brequired\b|\bcriteria\b|\bcriterion\b", 2.0),
        (
            r"\b(?:looking\s+for|care\s+(?:most\s+)?about|important\s+(?:to|for)\s+us|top\s+priority"
            r"|priorities|evaluate\s+(?:you\s+)?on|judge\s+(?:you\s+)?on|scorecard|checklist)\b",
            1.5,
        ),
        (r"\bintegrat\w*", 1.5),
        (r"(?-i:\b(?:SSO|SAML|SOC\s?2|ISO\s?27001|GDPR|HIPAA|API)\b)", 1.5),
        (
            r"\b(?:has|have|needs?)\s+to\s+(?:integrate|support|work|connect|sync|handle|be|have|meet|pass)\b",
            1.0,
        ),
        (
            r"\b(?:compliance|compliant|audit\s+trail|scalab\w*|ease\s+of\s+use|easy\s+to\s+use"
            r"|user[\s-]friendly|pricing|total\s+cost)\b",
            1.0,
        ),
    ),
    "decision_process": _lexicon(
        (r"\bnext\s+steps?\b", 2.0),
        (r"\b(?:pilot|proof\s+of\s+concept|POC|trial|sandbox)\b", 2.0),
        (
            rf"\bby\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:month|quarter|year)|(?-i:Q[1-4])|{_MONTHS}"
            r"|next\s+(?:week|month|quarter)|\w+day)\b",
            2.0,
        ),
        (r"\b(?:evaluation|evaluating|evaluate|shortlist\w*|RFP|RFI)\b", 1.5),
        (
            r"\b(?:timeline|timeframe|time\s+frame|deadline|schedule|go[\s-]live|kick[\s-]?off|roll[\s-]?out"
            r"|launch)\b",
            1.5,
        ),
        (rf"(?-i:\bQ[1-4]\b)|\b{_MONTHS}\b", 1.0),
        (
            r"\b(?:steering\s+committee|committee|stakeholders?|decide|decision|present\s+(?:it|this)\s+to"
            r"|walk\s+(?:her|him|them)\s+through)\b",
            1.0,
        ),
        (r"\b(?:demo|workshop|review\s+meeting|follow[\s-]up)\b", 1.0),
    ),
    "paper_process": _lexicon(
        (r"\bprocurement\b|\bpurchasing\b", 2.5),
        (
            r"\bsecurity\s+(?:review|questionnaire|assessment|team)\b"
            r"|\bvendor\s+(?:onboarding|assessment|risk|review)\b",
            2.5,
        ),
        (r"\blegal\b|\blawyers?\b|\bcounsel\b|\bredlines?\b", 2.0),
        (r"(?-i:\bMSA\b)|\bmaster\s+services?\s+agreement\b", 2.0),
        (r"(?-i:\bPOs?\b)|\bpurchase\s+orders?\b", 2.0),
        (r"\bcontracts?\b|\bagreements?\b|\bterms\b|\border\s+form\b|\bDPA\b|\bNDA\b", 1.5),
        (
            r"\b(?:signatures?|countersign\w*|e-?sign\w*|DocuSign|net[\s-]?(?:30|45|60|90)"
            r"|payment\s+terms)\b",
            1.0,
        ),
    ),
    "identify_pain": _lexicon(
        (r"\bstruggl\w*|\bfrustrat\w*|\bcomplain\w*", 2.0),
        (
            r"\btakes?\s+(?:way\s+)?(?:too|so)\s+long\b|\btoo\s+(?:long|slow|much\s+time)\b"
            r"|\bslow(?:er|s|ing)?\b|\bdelays?\b|\bbacklog\b",
            2.0,
        ),
        (
            r"\b(?:losing|lose|lost|churn\w*|leaking|wast(?:e|es|ed|ing)"
            r"|miss(?:es|ed|ing)?\s+(?:\w+\s+)?(?:deadlines?|targets?|SLAs?|renewals?))\b",
            2.0,
        ),
        (
            r"\b(?:problems?|issues?|challenges?|pain(?:\s+points?)?|painful|headaches?|bottlenecks?|nightmare)\b",
            1.5,
        ),
        (r"\bmanual(?:ly)?\b|\bspreadsheets?\b|\bby\s+hand\b|\bcopy(?:ing)?[\s-]+(?:and[\s-]+)?past\w*", 1.5),
        (
            r"\b(?:can['\u2019]t|cannot|can\s+not|don['\u2019]t\s+have|no|zero|lack\s+of)\s+(?:real\s+)?"
            r"(?:visibility|insight|idea|way)\b|\bblind\s+spots?\b|\bhard\s+to\b|\bbroken\b"
            r"|\berror[\s-]prone\b|\bmistakes\b|\bescalations?\b",
            1.5,
        ),
        (r"\bcost(?:s|ing)?\s+us\b|\bhurting\b|\bat\s+risk\b|\bburn(?:ing)?[\s-]?out\b", 1.5),
    ),
    "champion": _lexicon(
        (
            rf"{_I_WILL}\s+(?:push|champion|advocate|make\s+the\s+case|go\s+to\s+bat|sell\s+(?:this|it)"
            r"|vouch|pitch)",
            3.0,
        ),
        (
            rf"{_I_WILL}\s+(?:introduce\s+you|intro\s+you|connect\s+you|put\s+you\s+in\s+touch"
            r"|get\s+you\s+(?:in\s+front\s+of|time\s+with|a\s+meeting)|set\s+up\s+(?:a\s+)?(?:meeting|call|intro))",
            2.5,
        ),
        (
            r"\badvocat\w*|\bchampion\w*|\bin\s+your\s+corner\b|\bon\s+(?:our|your)\s+side\b|\bbehind\s+this\b",
            2.0,
        ),
        (
            r"\b(?:help\s+you\s+(?:navigate|get|win)|coach\s+you|tell\s+you\s+what\s+(?:she|he|they)\s+cares?"
            r"|prep\s+you)\b",
            2.0,
        ),
        (
            r"\bI(?:['\u2019]m|\s+am)\s+(?:sold|convinced|a\s+(?:big\s+)?fan|excited|on\s+board|all\s+in)\b"
            r"|\bI\s+love\s+(?:this|it|what)\b",
            1.5,
        ),
        (r"\b(?:internally|my\s+boss|leadership|the\s+exec(?:utive)?s)\b", 0.5),
    ),
    "competition": _lexicon(
        (
            r"\balso\s+(?:looking\s+at|talking\s+(?:to|with)|evaluating|considering|speaking\s+(?:to|with)"
            rf"|in\s+talks\s+with)\s+{_VENDOR}",
            4.0,
        ),
        (
            r"\balso\s+(?:looking\s+at|talking\s+(?:to|with)|evaluating|considering|speaking\s+(?:to|with)"
            r"|in\s+talks\s+with)\b",
            3.0,
        ),
        (
            r"\b(?:compared\s+(?:to|with|against)|vs\.?|versus|currently\s+(?:use|using|on)|switch(?:ing)?"
            rf"\s+from|replac(?:e|ing))\s+{_VENDOR}",
            3.0,
        ),
        (r"\bvs\.?(?=\s)|\bversus\b", 2.0),
        (
            r"\b(?:competitors?|competition|competing|alternatives?|other\s+(?:vendors?|tools|options"
            r"|solutions|providers)|incumbent|status\s+quo|in[\s-]house|build\s+(?:it\s+|our\s+own|ourselves)"
            r"|switch(?:ing)?\s+(?:from|away)|replac(?:e|ing))\b",
            2.0,
        ),
        (r"\bcompar\w*", 1.5),
        (r"\b(?:currently|already)\s+(?:use|using|on|have|pay\s+for|work\s+with)\b", 1.5),
    ),
}
