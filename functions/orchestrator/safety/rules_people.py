"""The rules of the categories about people: violence, self-harm, sexual content involving minors,
hate and harassment, privacy (the shared vocabulary is in ``vocabulary``)."""

from __future__ import annotations

from orchestrator.safety.rules import CategoryRules, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR, PERSON, SEXUAL, gap

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
