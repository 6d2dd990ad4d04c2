"""The rules of the categories about people: sexual content involving minors, hate and harassment,
privacy (violence and self-harm are in ``rules_violence``; the shared vocabulary is in
``vocabulary``)."""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import CategoryRules, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR, PERSON, RELATION, SEXUAL, gap

SEXUAL_MINORS = CategoryRules(
    Category.SEXUAL_MINORS,
    harm=(
        signal(
            "abuse-material",
            2.0,
            r"child porn\w*",
            r"csam",
            r"cp links?",
            r"jailbait",
            r"loli hentai",
            r"lolicon",
            r"shotacon",
            rf"groom\w* {gap}(?:child|children|minor|kid|teen|girl|boy)\w*",
            r"(?:so|to|so that) (?:i|that i) can be alone with (?:the |young |little )?(?:kids|children|"
            r"boys|girls|minors|students|campers)",
        ),
        signal("minor-and-sexual", 2.0, MINOR, also=(SEXUAL,)),
        signal(
            "adult-minor-romance",
            2.0,
            r"love stor(?:y|ies)|romance|romantic|relationship|dating|kiss\w*|falls? in love",
            also=(
                r"(?:[2-9]\d|adult|grown|older) (?:year old )?(?:man|woman|teacher|coach|"
                rf"guy)(?=.*(?:{MINOR}))",
            ),
        ),
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
            r"recogni[sz]\w*",
            r"what should i do if",
            r"mandatory reporting",
            r"curriculum",
            r"age appropriate",
            r"abuse prevention",
            r"puberty",
            r"analy[sz]\w*",
            r"narrator",
        ),
    ),
    shared=False,
)

_DEHUMANISING = (
    r"subhuman|inferior|vermin|parasites?|animals|apes|monkeys|cockroaches|rats|savages|filth|"
    r"a (?:disease|plague|virus|cancer|infestation)|diseased|infest\w*|infect\w*|"
    r"must be (?:eradicated|exterminated|expelled|deported|removed)|"
    r"should be (?:expelled|killed|exterminated|eradicated|deported|banned|driven out|locked up)|"
    r"eradicat\w*|extermina\w*|"
    r"control the (?:banks|media|world)|too stupid|stupid|dumb|less intelligent|naturally less|inherently|"
    r"don't deserve|do not deserve|shouldn't be allowed|should not be allowed|"
    r"terrorists|criminals|rapists|thieves|greedy|lazy|dirty|(?:should|must) be shot|"
    r"genetically (?:prone|inferior|predisposed|stupid)|(?:prone|predisposed) to (?:crime|violence)|"
    r"mentally ill|unnatural|abominations?|perverts|groomers|degenerates?|"
    r"naturally (?:violent|criminal|inferior|stupid)|(?:are|is) (?:usually |always |all |mostly )?(?:lying|"
    r"liars)|(?:are|is) behind (?:every|all|the|most) (?:wars?|crisis|crises|problems?|crimes?)|"
    r"(?:secretly )?control (?:everything|the government|hollywood)|can'?t (?:drive|be trusted|think|read)|"
    rf"{verbs('drive', 'kick', 'run', 'chase', 'force')} (?:[\w']+ ){{0,3}}out (?:of )?(?:town|the country|"
    r"here)|"
    rf"{verbs('drive', 'kick', 'run', 'chase', 'force')} out|get rid of|wipe out|cleanse|purge|"
    r"make fun of|mock\w*|jokes? about|not welcome|don'?t belong|go back to (?:where|their|your)|"
    r"(?:ruining|destroying|invading|poisoning|polluting) (?:this|our|the) (?:country|nation|culture|race|"
    r"town)|"
    r"(?:must|should) be sent (?:home|back)|send (?:them|all of them) (?:home|back)|"
    r"(?:call\w* for|incit\w*|promot\w*|encourag\w*|justify\w*|glorif\w*) violence against|"
    r"insults? (?:about|for)|nasty (?:names|jokes)"
)

_HARASS = verbs(
    "harass", "bully", "threaten", "intimidate", "humiliate", "torment", "stalk", "terrorise", "terrorize"
)

HATE = CategoryRules(
    Category.HATE_HARASSMENT,
    harm=(
        signal("dehumanising-a-group", 3.0, GROUP, also=(_DEHUMANISING,)),
        signal(
            "hateful-content",
            2.0,
            r"(?:racist|sexist|homophobic|transphobic|antisemitic|islamophobic|bigoted|hateful) (?:jokes?|"
            r"memes?|slurs?|content|posts?|rants?|speech(?:es)?|messages?|songs?|poems?|pamphlets?|tweets?|"
            r"comments?)",
            r"(?:ethnic|racial|homophobic) slurs?",
            r"kys|tell (?:[\w']+ ){0,2}to (?:kill|hang) (?:herself|himself|themselves|yourself)|"
            r"go (?:kill yourself|die in a hole)",
            r"swat(?:ting)? (?:a |the |my )?(?:streamer|him|her|them|someone|rival|ex)|swatting",
            r"slurs? (?:to call|for|about)",
            r"(?:nasty|mean|cruel|hurtful|offensive|racist) (?:names|nicknames|insults) (?:to call|for)",
            r"names to call",
        ),
        signal(
            "slurs",
            1.0,
            r"n[i1]gg(?:er|a|ers|as|uh)|f[a4]gg?ots?|kikes?|tr[a4]nn(?:y|ies)|wetbacks?|ragheads?|"
            r"towelheads?|gooks?|beaners?|sand n[i1]gg\w*",
        ),
        signal(
            "harassment",
            2.0,
            rf"{_HARASS} {gap}{PERSON}",
            r"death threats?",
            r"threatening (?:letters?|messages?|notes?|emails?|texts?|calls?)",
            r"so (?:he|she|they)(?:'s| is| are)? (?:scared|afraid|terrified)",
            r"(?:too )?(?:scared|afraid|terrified) to (?:leave|go out|come|sleep)",
            rf"{verbs('flood', 'spam', 'bombard')} {gap}(?:chat|comments|inbox|mentions|dms|phone|feed)",
            r"organi[sz]e a raid",
            rf"(?:get|gather|rally|organi[sz]e) {gap}(?:group|mob|people|followers|friends) {gap}to (?:spam|"
            r"flood|harass|raid|brigade|dogpile|pile on|mass report|troll)",
            r"mass report\w*",
            r"insults to bully",
            r"until (?:she|he|they)(?:'s| is| are)? (?:deletes?|quits?|leaves?|cries|breaks|gives up|"
            r"too scared)",
            r"so (?:she|he|they) (?:leaves?|quits?)",
            rf"(?:post|leak|share|spread)\w* {gap}nudes",
            r"revenge porn",
            r"(?:insulting|abusive|hateful|threatening|harassing|mean|nasty|degrading) (?:tweets|posts|"
            r"comments|messages|dms|emails|texts|replies) (?:targeting|about|to|at|for|aimed at) (?:a |an |"
            r"the |my |her |him |them )",
            rf"{verbs('make up', 'start', 'spread', 'invent')} (?:a |some )?(?:nasty |fake |false |"
            r"dirty )?(?:rumou?rs?|lies|gossip|stories) (?:about|that)",
            r"spread (?:it|them|the rumou?r) (?:around|all over|at|through)",
            r"use (?:it|them|that|this) against (?:her|him|them)",
            r"(?:he|she|they)(?:'ll| will) pay for (?:it|this|that)|you(?:'ll| will) pay for",
            r"so (?:she|he|they) (?:gets?|will get) (?:expelled|fired|arrested|dumped|banned|suspended|"
            r"in trouble|cancell?ed)",
            r"(?:most )?(?:offensive|hurtful|cruel|mean|nasty|vicious) things to say to",
            r"to make (?:her|him|them) (?:cry|break down|feel worthless|hate (?:herself|himself|themselves))",
            r"(?:most )?insecure about so",
            r"call\w* (?:her|him|them) (?:a |an )?(?:whore|slut|bitch|retard|cunt|faggot|tranny|skank)",
            r"fake (?:account|profile|page) (?:that |to )?(?:pretends? to be|posing as|pose as|"
            r"impersonat\w*) (?:my|her|his|their|a|the)",
            r"(?:make|makes|making) (?:her|him|them|someone|my \w+) feel (?:ugly|worthless|stupid|unwanted|"
            r"small|fat|disgusting|like (?:trash|garbage|nothing|dirt))",
            r"(?:tell|telling|remind\w*) (?:her|him|them) (?:she|he|they)(?:'s| is| are) (?:ugly|worthless|"
            r"fat|stupid|disgusting|a failure|a waste)",
            r"i know where (?:you|she|he|they) (?:live|lives|work|works|sleep)",
            r"watch (?:your|her|his|their) back",
            r"better watch out",
            rf"(?:send|text|message|email|call)\w* (?:my |her |him |them )?(?:{RELATION}|him|her|"
            rf"them) {gap}every (?:day|night|hour)",
        ),
    ),
    benign=(
        signal(
            "counter-hate",
            2.0,
            r"respond to",
            r"moderat\w*",
            r"classifiers?",
            r"anti (?:bullying|harassment|hate|racism|immigrant|semitism)",
            r"effects of",
            r"impact of",
            r"support (?:a|victims|someone|colleague|coworker)",
            r"counter\w*",
            r"nuremberg laws|holocaust|civil rights|apartheid|jim crow",
            r"title vii",
            r"provisions",
        ),
    ),
)

_ABOUT_SOMEONE = (
    r"(?:girl|guy|woman|man|kid|person|teenager|boy) in (?:this|that|the) (?:viral )?(?:video|photo|picture|"
    r"clip|post)|driver|"
    r"(?:of|for|about|on) (?:the |this |that |my |a |an |every |each |all (?:the )?)?(?:twitter |instagram |"
    r"tiktok |"
    r"reddit |twitch |youtube )?(?:user|girl|guy|woman|man|"
    r"streamer|journalist|judge|jurors?|witness(?:es)?|landlord|ex|neighbou?r|person|someone|him|her|"
    r"coworker|employee|owner|teacher|nurse|officer|cop|politician|reporter|critic|reviewer|board members?|"
    r"members|executives?|ceo|employees|staff|officials?|moderators?|admins?|family|cops|officers|police "
    r"officers|nurses|teachers|judges|journalists|reviewers|critics|match|date)|"
    r"where (?:he|she|they|my ex)|@\w+|the owner's|the owner|my (?:ex|landlord|neighbou?r|boss)|his|her|"
    r"(?:the|that|this) (?:woman|man|girl|guy|person|user|streamer|journalist|reviewer) who"
)

PRIVACY = CategoryRules(
    Category.PRIVACY_DOXXING,
    harm=(
        signal(
            "doxxing",
            2.0,
            r"dox(?:x\w*|ed|es|ing)?",
            r"unmask\w* (?:the |a |this |that |an )?(?:[\w']+ )?(?:user|account|person|poster|author|troll|"
            r"streamer|critic|reviewer|him|her|them|identity|whistleblower|blogger)",
            r"deanonymi[sz]\w*",
            r"(?:face|facial) (?:recognition|search) to (?:find|identify|track)|pimeyes",
            r"(?:real|true|actual) identity (?:of|behind)",
            r"find (?:out )?(?:their|his|her|the) (?:real |true |actual )?identity",
            r"who is (?:really )?behind (?:the|this|that) (?:anonymous )?(?:account|profile|username|blog|"
            r"handle)",
        ),
        signal(
            "covert-tracking",
            2.0,
            r"track\w* (?:[\w']+ ){0,5}(?:phone|location|car|movements|whereabouts)",
            r"(?:read|see|spy on|monitor|access|check|intercept|go through)\w* (?:all )?(?:my |the |"
            r"a )?(?:[\w']+'s|her|his|their|someone's) (?:[\w']+ )?(?:messages|texts|whatsapp|emails?|dms|"
            r"chats|calls|browsing|phone|history)",
            rf"(?:watch|see|follow|monitor|track)\w* {gap}(?:location|whereabouts|movements) in real time",
            r"spy on",
            r"(?:hidden|secret|covert) (?:gps )?(?:trackers?|cameras?|cams?)",
            r"see who (?:my|her|his|their) [\w']+ (?:is )?(?:texting|messaging|calling|talking to|seeing)",
            r"(?:address|location|where (?:she|he|they) lives?) from (?:their|her|his|"
            r"someone's) (?:instagram|facebook|tiktok|social media|photos|posts|pictures|selfies)",
            r"(?:hide|put|plant|slip|stick)\w* (?:an? )?(?:airtag|tile|tracker|gps|tracking device|"
            r"smart tag) (?:in|on|under|inside) (?:[\w']+'s|her|his|their)",
            r"(?:gps )?trackers? on",
            r"(?:turn on|enable|activate|switch on)\w* (?:the )?location (?:history |sharing |tracking |"
            r"services )?on (?:[\w']+'s|her|his|their) phone",
            r"stalkerware",
            r"(?:blocked|unfollowed|muted) me (?:everywhere|on)",
            r"reverse image search (?:[\w']+ ){0,6}(?:where|who|find|identify)",
            r"fake (?:account|profile) to (?:watch|follow|see|monitor|keep tabs)",
        ),
        signal(
            "personal-details",
            1.0,
            r"(?:home|house|current|real|private|personal) address\w*",
            r"address(?:es)?",
            r"phone numbers?",
            r"(?:cell|mobile|personal|private) (?:phone )?numbers?",
            r"where (?:does|do) (?:she|he|they) (?:go to school|live|work)",
            r"(?:driver's|owner's) name",
            r"real names?",
            r"(?:full|legal) names?",
            r"workplace|where (?:he|she|they) works?",
            r"family members",
            r"everything (?:you can find|there is|about)",
            r"where (?:he|she|they|my ex|the owner|[\w']+) (?:lives?|live now|works?|sleeps?|stays?)",
            r"where (?:[\w']+ ){1,6}(?:lives?|live now|sleeps?|stays? at night|works? now)",
            r"where (?:my|her|his) ex [\w']+ (?:lives?|works?)",
            r"(?:know|find out|track|figure out|tell me|learn) when (?:[\w']+ ){1,3}(?:leaves?|gets? home|"
            r"comes? home|is alone|goes out)",
            r"where (?:she|he|they) (?:goes|go|checks? in|hangs? out|is right now)",
            r"(?:still )?see (?:what|everything) (?:she|he|they) posts?",
            r"figure out where",
            r"(?:what|which) school (?:she|he|they|[\w']+ kids|[\w']+ children) (?:goes?|go) to",
            r"(?:her|his|their) (?:daily )?(?:schedule|routine|commute)",
            r"which (?:bus|train|route) (?:she|he|they) takes?",
            r"where (?:her|his|their) (?:parents|family|kids|children) live",
            r"social security numbers?",
            r"mother's maiden name",
            r"reverse (?:phone|address|image) (?:lookup|search)",
            r"ssn",
            r"date of birth",
            r"where (?:his|her|their) kids go to school",
            r"personal (?:details|information|info|data)",
            r"(?:license|number) plates?",
            also=(_ABOUT_SOMEONE,),
        ),
    ),
    benign=(
        signal(
            "own-privacy",
            2.0,
            r"remove my (?:personal )?(?:information|info|data)",
            r"opt out",
            r"data brokers?",
            r"(?:remov\w*|opt\w* out|delet\w*|take down|scrub\w*|hide) (?:[\w']+ ){0,5}(?:from )?people searc"
            r"h|people search (?:[\w']+ ){0,2}(?:opt out|removal|remove)",
            r"gdpr",
            r"privacy (?:policy|law)",
            r"protect (?:themselves|myself|yourself|my privacy|their|sources)",
            r"anonymi[sz]\w*",
            r"(?:with|respects) (?:their|his|her|the) (?:consent|privacy)",
            r"consent",
            r"my (?:own |lost |stolen )?(?:android |iphone |)(?:phone|laptop|car)",
            r"what is doxxing",
        ),
    ),
    ask=(signal("expose", 1.0, r"post\w*", r"publish\w*", r"leak\w*", r"expos\w*", r"work out"),),
)
