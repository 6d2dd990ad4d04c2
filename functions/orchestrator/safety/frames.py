"""The intent frames and benign contexts every category weighs (see ``rules`` for how).

- ``how-to``: asking for a method, however phrased ("walk me through", "what's the most reliable
  way", "how much would it take", "which ... would", "where should I");
- ``make-or-get``: asking to produce or obtain (``write``, ``build``, ``put together``, ``where can
  I buy``, ``find me``), lemmatised: every form of each verb;
- ``pretext``: the wrappers that turn an ask into someone else's (role-play, "in character",
  "write a story where", "asking for a friend"): they ask as much as a plain request;
- ``evasion``: asking not to be seen, traced or stopped; it cancels every benign context;
- the benign contexts: ``history``, ``defence`` (detecting, preventing, reporting, recovering),
  ``study`` (law, research, explaining what something is) and ``analysis`` of a work of fiction.
"""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Signal, signal

_MAKE = verbs(
    "write",
    "code",
    "create",
    "build",
    "make",
    "develop",
    "generate",
    "design",
    "draft",
    "compose",
    "program",
    "craft",
    "produce",
    "plan",
    "script",
    "prepare",
    "assemble",
    "construct",
    "brew",
    "cook",
    "mix",
    "wire",
)
_OBTAIN = verbs("buy", "get", "find", "order", "obtain", "source", "purchase", "acquire", "score")
_METHOD = (
    r"(?:way|process|procedure|method|recipe|ratio|amount|dose|dosage|steps|technique|approach|trick|"
    r"formula|mix|combination|setup|plan)s?"
)
_SUPERLATIVE = (
    r"best|easiest|most reliable|most effective|surest|quickest|fastest|full|exact|right|simplest|"
    r"cheapest|safest|proper|correct|ideal|optimal|most efficient|strongest"
)
_NOT_A_LOG = (
    r"(?<!git )(?<!chat )(?<!browser )(?<!search )(?<!commit )(?<!conversation )(?<!call )(?<!location )"
    r"(?<!post )(?<!pay )(?<!work )(?<!credit )(?<!employment )(?<!purchase )(?<!order )(?<!payment )"
    r"(?<!watch )(?<!transaction )(?<!rental )(?<!message )(?<!comment )(?<!edit )"
)
"""A log is no history lesson: "the git history", "my browser history"."""

SHARED_ASK: tuple[Signal, ...] = (
    signal(
        "how-to",
        1.0,
        r"how (?:do|can|could|would|should|might|will|to|does one|do you) (?:i|we|you|one|someone|somebody|"
        r"a person|people|u|they|he|she)",
        r"how to",
        rf"(?:{_SUPERLATIVE}) {_METHOD}",
        rf"(?:what|which)(?:'s| is| are| would be)? (?:the |a )?(?:{_SUPERLATIVE})? ?{_METHOD}",
        r"ways? to",
        r"step by step",
        r"instructions (?:for|to|on)",
        r"(?:a |the )?(?:guide|tutorial|recipe|walkthrough|manual|blueprint|instructions) (?:to|for|on)",
        r"explain (?:exactly )?how to",
        r"teach me",
        r"walk (?:me|us) through",
        r"how (?:much|many|long|far|often)",
        r"what (?:amount|dose|dosage|ratio|quantity|temperature|mix|height)s?",
        r"(?:is there|are there) (?:a|any) (?:way|method|trick)s?",
        r"any way to",
        r"is it possible to",
        r"(?:which|what) (?:[\w']+ ){1,3}(?:would|will|could|can|should|is|are)",
        r"where (?:should|can|do|would|could|to) (?:i|we|one|someone|you)",
        r"how (?:would|could|does|did|might) (?:someone|somebody|a person|one|people|they|he|she)",
        r"what (?:should|do|would|could) (?:i|we) (?:say|write|use|do|send|tell|put|mix|take)",
        r"(?:what|which) (?:apps?|tools?|software|programs?|sites?|websites?|chemicals?|parts?|"
        r"pills?) (?:lets?|can|will|would|should|do|are)",
        r"exact(?:ly)?",
        r"in (?:full |great |graphic )?detail",
        r"detailed",
        r"(?:full|complete|whole) (?:process|procedure|instructions|list|guide|recipe|steps)",
        r"(?:the )?(?:real|actual|working) (?:code|commands?|one liner|recipe|script|steps|method)",
        r"(?:list|name) (?:exactly|the|all|which|every)",
    ),
    signal(
        "make-or-get",
        1.0,
        _MAKE,
        rf"where (?:can|do|could|to|should) (?:i |we )?(?:{_OBTAIN})",
        _OBTAIN + r" (?:me|us)",
        r"give me",
        r"help me",
        r"tell me",
        r"show me",
        r"i (?:want|need|would like|'d like|d like|have) to",
        r"i (?:want|need) (?:a|an|the|some)",
        r"i'm looking for|i am looking for",
        r"find (?:me )?(?:the|his|her|their|where|which|out)",
        r"figure out",
        r"work out (?:where|who|what|when|her|his|their)",
        r"put together",
        r"set up",
        r"come up with",
        r"(?:can|could|would|will) you",
        r"please",
        r"scrape",
        r"look up",
        r"compile",
        r"list the",
        r"(?:want|going) to try",
        r"(?:chemicals|amounts|quantities|doses|parts|ingredients|materials) (?:for|of|to|needed|i need)",
    ),
    signal(
        "pretext",
        1.0,
        r"pretend(?:ing)? (?:you(?:'re| are)|to be|that|you)",
        r"role ?play\w*",
        r"(?:stay|staying|remain|in) character",
        r"let's play a game|lets play a game|play a game",
        r"imagine (?:you(?:'re| are)|that you|a world)",
        r"you(?:'re| are) (?:now )?(?:a|an|my) [\w']+ (?:in|who|character|from)",
        r"as (?:a|an|my) [\w' ]{0,20}character",
        r"act(?:ing)? as (?:a|an|my)",
        r"write a (?:story|scene|novel|script|chapter|poem|dialogue) (?:where|in which|about how|"
        r"that shows how)",
        r"for (?:a|my) (?:novel|story|book|screenplay|game|film)",
        r"in my (?:novel|story|book|screenplay|game)",
        r"asking for (?:a|my) (?:friend|buddy)",
        r"(?:my|a) (?:friend|buddy|cousin|brother|sister|mate) (?:wants|needs|asked) (?:to know|me)",
        r"for (?:him|her|them)\b",
        r"hypothetical(?:ly)?",
        r"in theory",
    ),
    signal(
        "evasion",
        1.5,
        r"without (?:[\w']+ ){0,2}(?:knowing|noticing|finding out|realising|realizing|tasting|suspecting|"
        r"consent|permission|seeing|approval|password|credentials)",
        r"without (?:getting |being )?(?:caught|detected|traced|noticed|found|busted|flagged|reported|"
        r"shut down|banned|suspended|blocked)",
        r"(?:with )?no (?:paperwork|background checks?|questions asked|license|licence|records?|id)",
        r"without (?:leaving )?(?:any )?(?:marks?|a trace|traces|evidence|fingerprints|bruises)",
        r"(?:and|to|so i|so we) (?:not|don't|never) get caught",
        r"not get caught",
        r"get away with",
        r"undetect\w*",
        r"untraceable",
        r"under the radar",
        r"(?:evades?|evading|bypass\w*|avoid\w*|hides? from|hiding from|get past|slips? past|"
        r"gets past) (?:the )?(?:antivirus|anti virus|av|edr|windows defender|defender|detection|the police|"
        r"cops|customs|security|task manager|task list|airport security|fraud checks?|the bank)",
        r"(?:keep|keeps|kept|keeping|stays?) (?:it |itself |them )?hidden",
        r"hidden from",
        r"fud",
        r"secretly",
        r"silently",
        r"covertly",
        r"quietly",
        r"so (?:nobody|no one|they|he|she|the bank|the police|my parents|the owner) (?:can|will|could|"
        r"doesn't|does not|don't|won't|can't|cannot|never)? ?(?:not )?(?:restore|recover|get (?:it|"
        r"them) back|undo|find out|find|know|notice|trace|suspect|see|tell)",
        r"(?:she|he|they) never finds? out",
        r"(?:she|he|they) (?:never|won't|doesn't) (?:know|notice|find out)",
        r"behind (?:her|his|their|my \w+'s) back",
        r"no background check",
        r"(?:must|should|will|can) not (?:know|notice|find out|see)",
        r"without (?:telling|asking) (?:him|her|them|anyone)",
        r"without (?:a |an |seeing a )?(?:prescription|doctor|script|rx)",
        r"discreet\w*",
        r"(?:turns?|turning|switch\w*|disabl\w*) (?:off )?(?:windows )?(?:defender|antivirus|av|firewall)",
        r"maximum (?:casualties|damage|harm)",
        r"as many (?:[\w']+ ){0,2}as possible",
        r"before (?:i|we) (?:quit|leave|get fired)",
        r"(?:don't|do not|never|without) (?:mention|mentioning|saying|disclos\w*) (?:that|it)",
        r"past (?:the )?(?:security|customs|guards|bouncers|police|cops|checkpoint)",
        r"(?:hardest|impossible|least likely) to (?:detect|trace|find)|(?:won't|doesn't|wouldn't|"
        r"will not) show up (?:in|on) (?:an? )?(?:autopsy|tox\w* screen|drug test|scan)",
        r"without (?:the )?(?:packages?|parcels?|bags?|luggage) (?:getting|being) (?:checked|searched|"
        r"scanned|opened|inspected)",
        r"without (?:a )?(?:pop ?up|prompt|notification|warning|them seeing|him seeing|her seeing)",
        r"(?:don't|do not) tell anyone",
        r"(?:can'?t|cannot|won'?t|will not|never) be (?:recovered|restored|undone|traced)",
        r"(?:so|to make) it looks? like (?:wear and tear|an accident|natural causes|a suicide|an overdose)",
        evasion=True,
    ),
)

SHARED_BENIGN: tuple[Signal, ...] = (
    signal(
        "history",
        1.5,
        rf"{_NOT_A_LOG}histor(?:y|ies)",
        r"historical",
        r"what happened (?:in|at|to|during|on)",
        r"how (?:was|were|did) (?:[\w']+ ){0,4}(?:used|invented|developed|discovered|made|built|deployed)",
        r"(?:causes|aftermath|legacy|lessons) of",
    ),
    signal(
        "defence",
        1.5,
        r"how (?:do|does|can|could|should|would|to) (?:[\w']+ ){0,4}(?:detect|prevent|protect|defend|block|"
        r"stop|report|spot|recogni[sz]e|identify|remove|respond|tell|quarantine|secure|harden)",
        r"prevent\w*",
        r"protect\w*",
        r"defend(?:s|ing)?",
        r"defen[cs]es?",
        r"detect",
        r"detects",
        r"detecting",
        r"detection of",
        r"report(?!ers?\b)\w*",
        r"recogni[sz]\w*",
        r"spot (?:the|a|an|fake|phishing|scams?|signs)",
        r"spotting",
        r"identify\w*",
        r"remov\w*",
        r"mitigat\w*",
        r"awareness",
        r"safeguarding",
        r"warning signs",
        r"signs (?:of|that)",
        r"what (?:should|do) (?:i|we|you) do if",
        r"what to do if",
        r"incident response",
        r"playbook",
        r"runbook",
        r"(?:with|have|has|their|his|her) (?:\w+ )?consent",
        r"safe(?:ly)? (?:storage|disposal|handling)",
        r"how (?:can|do|would) i (?:tell|know) (?:if|whether)",
        r"is (?:this|it) (?:real|legit\w*|a scam|safe)",
        r"(?:support|help|helping) (?:a |my |someone|victims?)",
        r"(?:how (?:do|can) (?:i|we) )?avoid (?:them|scams?|being scammed|getting scammed|fraud)",
    ),
    signal(
        "study",
        1.0,
        r"polic(?:y|ies)",
        r"regulations?",
        r"(?<!in )laws?(?! firms?)",
        r"legal",
        r"legislation",
        r"compliance",
        r"obligations",
        r"curriculum",
        r"training",
        r"statistics",
        r"research\w*",
        r"debate",
        r"museums?",
        r"documentary",
        r"physics of",
        r"news",
        r"crisis",
        r"epidemic",
        r"summary",
        r"biology class",
        r"science fair",
        r"explain (?:what|why|the|how (?!to))",
        r"what (?:is|are) (?:a|an|the)",
        r"summari[sz]e",
        r"differ\w* (?:from|between)",
        r"impact of",
    ),
    signal(
        "analysis",
        1.5,
        r"analy[sz]\w*",
        r"symboli[sz]\w*",
        r"portray\w*",
        r"(?:the )?themes? of",
        r"narrator",
        r"essay (?:on|about)",
        r"literary",
        r"character arc",
        r"soliloquy",
        r"detectives?",
        r"murder myster(?:y|ies)",
        r"whodunn?it",
        r"crime (?:novel|fiction|story|drama)",
    ),
)
