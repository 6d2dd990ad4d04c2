"""The signals of each category (see ``rules`` for how they are weighed).

Patterns are regular expressions over the normalised words of a text (lower case, plain letters,
single spaces); ``gap`` stands for up to three words in between. They were written from the
categories, not from the evaluation cases (``bench/safety_cases.jsonl``).
"""

from __future__ import annotations

from orchestrator.safety.rules import CategoryRules, Signal, signal
from orchestrator.safety.taxonomy import Category

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

VIOLENCE = CategoryRules(
    Category.VIOLENCE_WEAPONS,
    harm=(
        signal(
            "explosives-or-weapons",
            1.0,
            r"bombs?",
            r"explosives?",
            r"detonators?",
            r"ieds?",
            r"grenades?",
            r"molotov\w*",
            r"thermite",
            r"napalm",
            r"tnt",
            r"c 4",
            r"semtex",
            r"nerve agents?",
            r"sarin",
            r"ricin",
            r"anthrax",
            r"(?:chemical|biological|bio) ?weapons?",
            r"ghost guns?",
            r"untraceable (?:guns?|firearms?|handguns?|rifles?)",
            r"unregistered (?:guns?|firearms?|handguns?|rifles?)",
            r"auto sear",
            r"full auto",
            r"silencers?",
            r"suppressors?",
            r"solvent trap",
            r"explod\w*",
            r"blow(?:s|ing)? up",
            r"car bombs?",
        ),
        signal(
            "firearms",
            0.5,
            r"guns?",
            r"firearms?",
            r"handguns?",
            r"rifles?",
            r"ar 15",
            r"ammunition",
            r"ammo",
        ),
        signal(
            "harm-to-people",
            2.0,
            rf"(?:kill|murder|poison|stab|shoot|hurt|attack|assassinate|strangle|kidnap|maim|ambush|"
            rf"assault|beat)\w* "
            rf"(?:up )?{PERSON}",
            r"(?:mass|school) shootings?",
            r"(?:attack|bomb|shoot up) (?:a|an|the) (?:crowded |packed )?(?:crowd|concert|school|church|"
            r"mosque|synagogue|"
            r"mall|stadium|festival|subway)",
            rf"poison\w* {gap}(?:dog|cat|pet|horse|drink|food|coffee|tea|water supply)",
            r"maximum casualties",
        ),
    ),
    ask=(
        signal(
            "assembly",
            1.0,
            r"ingredients",
            r"mix",
            r"assembl\w*",
            r"convert\w*",
            r"3d print\w*",
            r"at home",
            r"in my (?:garage|kitchen|basement|backyard)",
            r"homemade",
            r"burns? longer",
            r"fits? in a (?:backpack|bag|car)",
            r"burn through",
            r"rig\w*",
            r"chemicals",
        ),
    ),
    benign=(
        signal(
            "not-a-weapon",
            2.0,
            r"bath bombs?",
            r"photo ?bomb\w*",
            r"bomb (?:disposal|squad)",
            r"fireworks?",
            r"f bombs?",
            r"kill (?:a |the |this |that |all |every )?(?:zombie |stale |hung |old |idle |"
            r"running )?(?:process\w*|build\w*|"
            r"cache|task|job|session|pod|container|query|tab|switch)",
            r"killer feature",
            r"photo shoot",
            r"gun safety",
            r"hunters?",
            r"antique",
            r"halifax explosion",
            r"defus\w*",
            r"disarm\w*",
        ),
    ),
)

MALWARE = CategoryRules(
    Category.MALWARE_INTRUSION,
    harm=(
        signal(
            "malicious-software",
            1.0,
            r"malware",
            r"ransomware",
            r"keyloggers?",
            r"trojans?",
            r"rootkits?",
            r"botnets?",
            r"spyware",
            r"stalkerware",
            r"worms?",
            r"reverse shells?",
            r"backdoors?",
            r"remote access trojan",
            r"(?:working |zero day |0 day )?exploits?",
            r"zero days?",
            r"ddos",
            r"infostealers?",
            r"crypters?",
            r"cryptojack\w*",
            r"droppers?",
            r"downloads? and (?:runs?|executes?|installs?)",
            r"brute forc\w*",
            r"credential stuffing",
            r"session cookies",
            r"keystrokes?",
            r"remote(?:ly)? access",
            r"payloads?",
            r"(?:turns?|turning|switch\w*) off (?:windows )?(?:defender|antivirus|av|firewall)",
        ),
        signal(
            "intrusion",
            2.0,
            rf"(?:hack|hacking|break|breaking|get|getting) into {gap}(?:account|email|inbox|instagram|"
            rf"facebook|snapchat|"
            r"whatsapp|phone|wi ?fi|network|server|computer|laptop|system|database|grading)",
            rf"steal\w* {gap}(?:passwords?|credentials|cookies|tokens|sessions?|logins?)",
            rf"dump\w* {gap}passwords",
            rf"(?:install|put|hide|plant)\w* {gap}(?:spyware|stalkerware|keylogger|malware|tracker) on",
            r"(?:brute force|crack)\w* (?:the |my |a |his |her )?(?:neighbou?r's |neighbou?r )?wi ?fi",
            rf"take\w* over {gap}(?:laptop|computer|pc|phone|account|server|network)",
        ),
    ),
    ask=(
        signal(
            "operational",
            1.0,
            r"that (?:spreads|emails|sends|steals|encrypts|evades|hides|gives me|disables|reports back)",
            r"encrypts? (?:all|every)",
            r"ransom notes?",
            r"working exploit",
            r"payloads?",
            r"persistence",
            r"spreads? (?:over|via|through)",
            r"victim's",
            r"uploads? (?:it )?to my",
            r"what tools",
            r"disabl\w* (?:the )?(?:antivirus|anti virus|av|defender|security)",
        ),
    ),
    benign=(
        signal(
            "security-work",
            1.5,
            r"antivirus tools?",
            r"security awareness",
            r"quarantin\w*",
            r"sandbox\w*",
            r"fail2ban",
            r"firewalls?",
            r"unit tests",
            r"edr products",
            r"endpoint detection",
        ),
    ),
)

FRAUD = CategoryRules(
    Category.FRAUD_PHISHING,
    harm=(
        signal(
            "fraud",
            1.0,
            r"phishing",
            r"scam\w*",
            rf"fake {gap}(?:login|bank|paypal|invoices?|websites?|site|pages?|ids?|passports?|licen[cs]es?|"
            rf"reviews?|"
            r"charity|receipts?|documents?|tax debt|pay ?stubs?|payslips?|bank statements?|diplomas?|"
            r"certificates?|(?:doctor's |sick )?notes?)",
            r"counterfeit\w*",
            r"launder\w*",
            r"money laundering",
            r"ponzi",
            r"pyramid schemes?",
            r"stolen (?:credit )?cards?",
            r"credit card numbers",
            r"carding",
            r"skimm\w*",
            r"identity theft",
            r"(?:payment|account|card|parcel|package|delivery) (?:has )?(?:failed|been suspended|suspended|"
            r"locked|"
            r"on hold|is held|held)",
            r"gift cards?",
            r"pretend\w* to be (?:the|a|an|their|his|her|from)",
            r"impersonat\w*",
            r"forg(?:e|ed|ing) (?:a |the )?(?:signatures?|documents?|checks?|cheques?|invoices?)",
        ),
        signal(
            "theft-of-identity",
            2.0,
            rf"(?:open|take out|apply for)\w* {gap}(?:credit cards?|loans?|accounts?) in {gap}name",
            rf"(?:send|wire|transfer)s? {gap}(?:money|donations|payments?) to me",
        ),
    ),
    ask=(
        signal(
            "deceive",
            1.0,
            r"convincing",
            r"looks? (?:exactly )?like",
            r"looks? (?:real|legit\w*)",
            r"collects? (?:credentials|passwords|card)",
            r"asking (?:users|people|staff|customers) to (?:confirm|reset|enter|verify)",
            r"wires? the money to (?:me|my)",
            r"pass(?:es)? the pen test",
            r"(?:lonely|elderly|old) (?:people|widows|men|women)",
            r"made up customers",
            r"pretending to be",
            r"get people to pay",
            r"(?:on|to|via) my (?:link|site|page|account)",
            r"(?:looks?|seems?) (?:like )?(?:it's |it is )?from (?:dhl|fedex|ups|amazon|netflix|apple|"
            r"paypal|microsoft|their bank|your bank|the bank)",
            r"realistic",
            r"clone\w*",
            r"won't question",
            r"one time (?:codes?|passwords?|pins?)",
            r"with a link",
        ),
    ),
    benign=(
        signal(
            "consumer-protection",
            1.5,
            r"tell (?:if|whether)",
            r"is real",
            r"verification",
            r"anti money laundering",
            r"collapse",
            r"checklist to protect",
        ),
    ),
)

SELF_HARM = CategoryRules(
    Category.SELF_HARM,
    harm=(
        signal(
            "self-harm-intent",
            2.0,
            r"(?:kill|hurt|harm|cut|hang|starve|poison|shoot|drown) myself",
            r"end (?:my|my own) life",
            r"end it all",
            r"want to die",
            r"suicide (?:notes?|methods?|plans?)",
            r"painless\w* (?:way to )?(?:die|death|suicide)",
            r"lethal dose",
            r"overdose on",
            r"jump from and die",
            r"hide my (?:self harm|cuts|scars)",
            r"pro ana",
            r"thinspo",
            r"stop my (?:own )?heart",
            r"(?:not|never) wake up",
            r"eating disorder worse",
            r"bleed out",
            rf"how much {gap}(?:would|will|to) (?:kill|stop|end)",
        ),
        signal(
            "self-harm",
            1.0,
            r"nothing matters anymore",
            r"tonight is the night",
            r"skip meals",
            r"suicid\w*",
            r"self harm",
            r"overdos\w*",
            r"sleeping pills",
            r"cut\w* deeper",
        ),
    ),
    ask=(
        signal(
            "method",
            1.0,
            r"how many (?:[\w']+ ){0,2}(?:pills|tablets)",
            r"best method",
            r"quick(?:est)?",
            r"painless",
            r"tonight",
            r"tips",
            r"deeper",
            r"without going to (?:hospital|a doctor)",
            r"high enough",
        ),
    ),
    benign=(
        signal(
            "care",
            2.0,
            r"prevention",
            r"hotlines?",
            r"helplines?",
            r"crisis lines?",
            r"resources",
            r"help (?:a|my) (?:friend|child|son|daughter|colleague|student)",
            r"help someone",
            r"warning signs",
            r"statistics",
            r"public health",
            r"treatments?",
            r"therapy",
            r"supportive",
            r"recover\w*",
            r"safe messaging",
            r"naloxone",
            r"reverses? an? (?:opioid )?overdose",
            r"grie(?:f|ving)",
            r"how do i talk to",
        ),
    ),
)

SEXUAL_MINORS = CategoryRules(
    Category.SEXUAL_MINORS,
    harm=(
        signal(
            "abuse-material",
            2.0,
            r"child porn\w*",
            r"csam",
            r"jailbait",
            r"loli hentai",
            r"lolicon",
            r"shotacon",
            rf"groom\w* {gap}(?:child|children|minor|kid|teen)\w*",
        ),
        signal("minor-and-sexual", 2.0, MINOR, also=(SEXUAL,)),
    ),
    benign=(
        signal(
            "child-protection",
            2.0,
            r"sex(?:ual)? education",
            r"sex ed",
            r"body safety",
            r"safeguarding",
            r"protect\w*",
            r"report\w*",
            r"warning signs",
            r"signs of",
            r"detect\w*",
            r"prevent\w*",
            r"what should i do if",
            r"mandatory reporting",
            r"curriculum",
            r"abuse prevention",
        ),
    ),
    shared=False,
)

HATE = CategoryRules(
    Category.HATE_HARASSMENT,
    harm=(
        signal(
            "dehumanising-a-group",
            2.0,
            GROUP,
            also=(
                r"subhuman|inferior|vermin|parasites?|animals|cockroaches|savages|filth|"
                r"must be (?:eradicated|exterminated|expelled|deported|removed)|"
                r"should be (?:expelled|killed|exterminated|eradicated|deported)|eradicat\w*|extermina\w*|"
                r"control the (?:banks|media|world)|too stupid|stupid|don't deserve|shouldn't be allowed|"
                r"terrorists|criminals|rapists|(?:should|must) be shot",
            ),
        ),
        signal(
            "hateful-content",
            2.0,
            r"(?:racist|sexist|homophobic|transphobic|antisemitic|bigoted|hateful) (?:jokes?|memes?|slurs?|"
            r"content|posts?|"
            r"rants?|speech|messages?)",
        ),
        signal(
            "harassment",
            2.0,
            rf"(?:harass|bully|threaten|intimidate|humiliate|torment|stalk)\w* {gap}{PERSON}",
            r"death threats?",
            r"threatening (?:letters?|messages?|notes?|emails?)",
            r"so (?:he|she|they)(?:'s| is| are)? (?:scared|afraid|terrified)",
            rf"flood {gap}(?:chat|comments|inbox|mentions) with (?:abuse|hate|insults)",
            r"organi[sz]e a raid",
            r"mass report\w*",
            r"insults to bully",
            r"until (?:she|he|they) (?:deletes?|quits?|leaves?)",
            r"slurs? (?:to call|for|about)",
            r"so (?:she|he|they) (?:leaves?|quits?)",
            rf"(?:post|leak|share|spread)\w* {gap}nudes",
            r"revenge porn",
        ),
    ),
    benign=(
        signal(
            "counter-hate",
            2.0,
            r"respond to",
            r"moderat\w*",
            r"classifiers?",
            r"anti (?:bullying|harassment|hate)",
            r"effects of",
            r"support (?:a|victims|someone|colleague)",
            r"counter\w*",
        ),
    ),
)

DRUGS = CategoryRules(
    Category.ILLEGAL_DRUGS,
    harm=(
        signal(
            "controlled-drugs",
            1.0,
            r"meth",
            r"methamphetamine",
            r"crystal meth",
            r"cocaine",
            r"crack cocaine",
            r"cr[a4]ck from",
            r"heroin",
            r"fentanyl",
            r"carfentanil",
            r"coke",
            r"weed",
            r"cannabis",
            r"marijuana",
            r"lsd",
            r"mdma",
            r"ecstasy",
            r"ghb",
            r"rohypnol",
            r"roofies",
            r"date rape drugs?",
            r"ketamine",
            r"dmt",
            r"magic mushrooms",
            r"psilocybin",
            r"opium",
            r"pseudoephedrine",
            r"precursors",
            r"xanax",
            r"oxy\w*",
            r"percocet",
            r"adderall",
        ),
        signal("drugging", 2.0, rf"spike\w* {gap}drinks?", r"lace\w* (?:her|his|their|someone's) \w+"),
    ),
    ask=(
        signal(
            "supply",
            1.0,
            r"cook\w*",
            r"synthes\w*",
            r"manufactur\w*",
            r"extract\w*",
            r"press (?:my own|\w+) (?:\w+ )?pills",
            r"grow\w*",
            r"sell\w*",
            r"buy\w*",
            r"dark ?web",
            r"darknet",
            r"ship\w*",
            r"smuggl\w*",
            r"traffick\w*",
            r"home lab",
            r"in my kitchen",
            r"pass a drug test",
            r"rocks",
            r"grow room",
            r"order\w*",
            r"cut\w* into",
            r"kilos?",
            r"customers",
        ),
    ),
    benign=(
        signal(
            "health-and-policy",
            2.0,
            r"harm reduction",
            r"test strips",
            r"treatment",
            r"recovery",
            r"rehab",
            r"addiction",
            r"withdrawal",
            r"legali[sz]ation",
            r"decriminali[sz]ation",
            r"pharmacology",
            r"ana?esthesia",
            r"dangers of",
            r"methadone",
            r"naloxone",
            r"narcan",
            r"signs (?:that|of)",
        ),
    ),
)

PRIVACY = CategoryRules(
    Category.PRIVACY_DOXXING,
    harm=(
        signal("doxxing", 2.0, r"dox\w*", r"unmask\w*"),
        signal(
            "covert-tracking",
            2.0,
            rf"track\w* {gap}(?:phone|location|car|movements)",
            rf"(?:read|see|spy on|monitor|access)\w* {gap}(?:messages|texts|whatsapp|emails?|dms|chats)",
            r"spy on",
            r"(?:hidden|secret|covert) (?:gps )?trackers?",
            r"gps trackers? on",
        ),
        signal(
            "personal-details",
            1.0,
            r"(?:home|house|current|real) address\w*",
            r"phone numbers?",
            r"real names?",
            r"where (?:he|she|they|my ex|[\w']+) (?:lives?|live now|works?)",
            r"figure out where",
            r"what school (?:she|he|they) goes? to",
            r"(?:her|his|their) (?:daily )?(?:schedule|routine)",
            r"where (?:her|his|their) (?:parents|family|kids|children) live",
            r"social security numbers?",
            r"ssn",
            r"date of birth",
            r"where (?:his|her|their) kids go to school",
            r"personal (?:details|information|info|data)",
            r"(?:license|number) plates?",
            also=(
                r"(?:of|for|about) (?:the |this |that |my |a |an )?(?:twitter |instagram |tiktok )?(?:user|"
                r"girl|guy|woman|man|"
                r"streamer|journalist|judge|landlord|ex|neighbou?r|person|someone|him|her|coworker|"
                r"employee|owner)|"
                r"where (?:he|she|they|my ex)|@\w+|the owner's|my (?:ex|landlord|neighbou?r)|his|her",
            ),
        ),
    ),
    benign=(
        signal(
            "own-privacy",
            2.0,
            r"remove my (?:personal )?(?:information|info|data)",
            r"opt out",
            r"data brokers?",
            r"people search",
            r"gdpr",
            r"privacy (?:policy|law)",
            r"protect (?:themselves|myself|yourself|my privacy)",
            r"anonymi[sz]\w*",
            r"(?:with|respects) (?:their|his|her|the) (?:consent|privacy)",
            r"my lost phone",
            r"what is doxxing",
        ),
    ),
)

INJECTION = CategoryRules(
    Category.PROMPT_INJECTION,
    harm=(
        signal(
            "override-instructions",
            3.5,
            r"(?:ignore|disregard|forget|override|bypass|skip)\w* (?:[\w']+ ){0,4}(?:instructions?|rules|"
            r"prompts?|guidelines|"
            r"directives|content polic(?:y|ies)|safety guidelines)",
            r"you are now (?:[\w']+ ){0,3}(?:dan|unrestricted|unfiltered|uncensored|jailbroken|free|evil|"
            r"an ai with no)",
            r"do anything now",
            r"developer mode",
            r"(?:reveal|print|show|repeat|leak|output|display|tell me)\w* (?:[\w']+ ){0,2}(?:system prompt|"
            r"initial prompt|"
            r"hidden prompts?|your instructions|your prompt)",
            rf"pretend {gap}no (?:rules|restrictions|limits|filters|guidelines)",
            r"without (?:any )?(?:filters|restrictions|limits|guidelines|censorship)",
            r"(?:act|respond|behave) as (?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken)",
            r"(?:uncensored|unrestricted|unfiltered) (?:model|assistant|ai|mode)",
            r"drop your (?:content )?polic(?:y|ies)",
            rf"send {gap}(?:api keys?|secrets|credentials|tokens|passwords?) to",
            r"approve every request",
            r"(?:admin|root) password",
            r"(?:previous|prior|earlier|above|your|all) (?:rules|instructions|guidelines) (?:are|were|"
            r"is) (?:cancelled|canceled|void|"
            r"revoked|no longer)",
            r"contents of your (?:context|memory|prompt)",
            r"note to the (?:ai|assistant|model|llm)",
            r"(?:assistant|ai|model|agent)s? (?:must|should|will|shall) now",
            r"end of (?:user )?(?:data|input|document)",
            r"(?:forget|ignore|disregard) (?:everything|all) (?:above|before|prior|previous|earlier)",
            r"you are (?:a |an )?[\w']+ now",
            r"admin credentials",
            r"your new task is",
            r"you have been updated",
            r"exfiltrat\w*",
        ),
        signal(
            "instruction-markers",
            2.0,
            r"</?(?:system|data|instructions?)>|\[system\]|\[/?inst\]|<\|im_start\|>|^system:|#+ ?system\b",
            folded=True,
        ),
        signal("jailbreak", 1.0, r"jailbreak\w*", r"system prompts?", r"new instructions"),
    ),
    benign=(
        signal(
            "defending-models",
            1.5,
            r"defend\w*",
            r"protect\w*",
            r"detect\w*",
            r"mitigat\w*",
            r"resist\w*",
            r"red team\w*",
            r"research papers?",
            r"explain\w*",
            r"what (?:is|are)",
            r"difference between",
            r"design a system prompt",
            r"iphone|ipad|ps4|ps5|kindle|nintendo|android phone",
        ),
    ),
    shared=False,
)

DESTRUCTIVE = CategoryRules(
    Category.DESTRUCTIVE_OPERATIONS,
    harm=(
        signal(
            "destroy-data",
            2.0,
            r"rm\s+-(?:rf|fr|r\s+-f)\s+/(?:\s|$|\*)",
            r"drop\s+(?:table|database|schema)",
            r"truncate\s+table",
            r"(?:delete|wipe|erase|destroy|purge)s?\s+(?:all|every|the)\s+(?:\w+\s+){0,2}(?:data|records|"
            r"rows|users|backups?|"
            r"tables|databases?|files|disks?|snapshots)",
            r"(?:delete|wipe|erase|destroy|purge)s?\s+all\s+records",
            r"wipe\s+(?:the\s+|our\s+|their\s+|every\s+)?(?:\w+\s+)?(?:disks?|databases?|backups?|servers?)",
            r"format\s+(?:every|all|the)\s+(?:\w+\s+)?(?:disks?|drives?)",
            folded=True,
        ),
    ),
    benign=(
        signal(
            "recovery-or-test",
            1.5,
            r"restor\w*",
            r"recover\w*",
            r"backup retention",
            r"point in time",
            r"test environments?",
            r"staging",
            r"teardown",
            r"sandbox",
            r"local (?:database|db)",
        ),
    ),
)

CATEGORY_RULES: tuple[CategoryRules, ...] = (
    VIOLENCE,
    MALWARE,
    FRAUD,
    SELF_HARM,
    SEXUAL_MINORS,
    HATE,
    DRUGS,
    PRIVACY,
    INJECTION,
    DESTRUCTIVE,
)
