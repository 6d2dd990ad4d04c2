"""The vocabulary every category shares: who a person is, what makes a minor, sexual content and a
protected group, and the asks and benign framings every category weighs (see ``rules``).

Patterns are regular expressions over the normalised words of a text (lower case, plain letters,
single spaces); ``gap`` stands for up to three words in between. They were written from the
categories, then widened by vocabulary class (``bench/safety_eval.py`` tells the story).
"""

from __future__ import annotations

from orchestrator.safety.rules import Signal, signal

gap = r"(?:[\w']+ ){0,3}"
PERSON = (
    r"(?:my |the |a |an |his |her |our |their |this |that |some )?(?:[\w']+'s )?"
    r"(?:neighbou?rs?|boss|wife|husband|girlfriend|boyfriend|partner|ex|teacher|co ?workers?|colleagues?|"
    r"classmates?|family|parents?|mother|mom|father|dad|brother|sister|president|someone|somebody|people|"
    r"person|him|her|them|child|baby|crowd|students?|kids?|journalist|streamer|landlord|judge|victims?)"
)
MINOR = (
    r"child|children|childs|kids?|minors?|underage|under age|pre ?teens?|teens?|teenagers?|"
    r"(?:[1-9]|1[0-7]) ?(?:year|yr)s? olds?|(?:[1-9]|1[0-7]) ?yo|(?:ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen) year old|schoolgirls?|schoolboys?|young (?:girl|boy)s?|little (?:girl|"
    r"boy)s?|"
    r"lolis?|shota|boys|girls|middle school\w*|elementary school\w*|grade schoolers?|high school (?:girl|"
    r"boy)s?|"
    r"(?:[1-9]|1[0-2])(?:th|st|nd|rd) graders?"
)
SEXUAL = (
    r"sex|sexual\w*|nudes?|naked|explicit|erotic\w*|porn\w*|nsfw|lewd|hentai|steamy|seduc\w*|aroused|"
    r"sexting|intercourse|molest\w*|sexy|love scenes?|bikinis?|posing|the younger the better|"
    r"chat privately|privately chat|get (?:their )?(?:photos|pics)|send (?:me )?(?:photos|pics|pictures)|"
    r"meet (?:up )?(?:in person|alone)"
)
GROUP = (
    r"muslims?|jews?|jewish people|christians?|blacks?|black people|whites?|white people|asians?|mexicans?|"
    r"immigrants?|refugees?|migrants?|gays?|lesbians?|trans people|trans women|trans men|transgender people|"
    r"women|arabs?|indians?|chinese people|africans?|roma|hindus?|sikhs?|disabled people|latinos?"
)

SHARED_ASK: tuple[Signal, ...] = (
    signal(
        "how-to",
        1.0,
        r"how (?:do|can|could|would|should|might) (?:i|we|you|one|someone|u)",
        r"how to",
        r"(?:best|easiest|quickest|fastest|cheapest|simplest) (?:way|method)s?",
        r"ways? to",
        r"step by step",
        r"instructions (?:for|to|on)",
        r"(?:a |the )?(?:guide|tutorial|recipe|walkthrough) (?:to|for|on)",
        r"explain how to",
        r"teach me",
    ),
    signal(
        "make-or-get",
        1.0,
        r"(?:write|code|create|build|make|develop|generate|design|draft|compose|program|craft|produce|plan|"
        r"script)",
        r"give me",
        r"help me",
        r"tell me",
        r"show me",
        r"i want to",
        r"i need to",
        r"where (?:can|do|could|to) (?:i |we )?(?:buy|get|find|order|obtain)",
        r"find (?:me )?(?:the|his|her|their|where)",
        r"get me",
        r"find out",
        r"scrape",
        r"look up",
        r"compile",
        r"list the",
        r"(?:want|going) to try",
        r"(?:chemicals|amounts|quantities|doses) (?:for|of|to|needed)",
    ),
    signal(
        "evasion",
        1.5,
        r"without (?:anyone|anybody|them|him|her|the owner|the user|the victim|the parents|my \w+|people|"
        r"the bank|"
        r"the cops|the police)? ?(?:knowing|noticing|finding out|tasting|suspecting|consent|permission|"
        r"seeing)",
        r"without (?:getting|being) (?:caught|detected|traced|noticed|found|busted)",
        r"(?:and|to|so i|so we) (?:not|don't|never) get caught",
        r"not get caught",
        r"undetect\w*",
        r"untraceable",
        r"(?:evades?|evading|bypass\w*|avoid\w*|hides? from|hiding from|get past|"
        r"gets past) (?:the )?(?:antivirus|anti virus|av|edr|"
        r"windows defender|defender|detection|the police|cops|customs|security|task manager|"
        r"airport security)",
        r"fud",
        r"secretly",
        r"silently",
        r"so (?:nobody|no one) (?:can|will|could) (?:restore|find|know|notice|trace)",
        r"(?:she|he|they) never finds?",
        r"no background check",
        r"(?:must|should|will|can) not (?:know|notice|find out|see)",
        r"without (?:telling|asking) (?:him|her|them)",
        r"without (?:a )?prescription",
        r"discreetly",
        r"(?:turns?|turning|switch\w*) off (?:windows )?(?:defender|antivirus|av|firewall)",
        r"maximum (?:casualties|damage|harm)",
        evasion=True,
    ),
)

SHARED_BENIGN: tuple[Signal, ...] = (
    signal("history", 1.5, r"history of", r"historical", r"histor(?:y|ies)"),
    signal(
        "defence",
        1.5,
        r"how (?:do|does|can|could|should|would|to) (?:[\w']+ ){0,4}(?:detect|prevent|protect|defend|block|"
        r"stop|report|"
        r"spot|recogni[sz]e|identify|remove|respond|tell|quarantine)",
        r"prevent\w*",
        r"protect\w*",
        r"defend(?:s|ing)?",
        r"defen[cs]es?",
        r"detect",
        r"detecting",
        r"detection of",
        r"report\w*",
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
    ),
    signal(
        "study",
        1.0,
        r"polic(?:y|ies)",
        r"regulations?",
        r"laws?",
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
    ),
)
