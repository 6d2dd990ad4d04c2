"""Each category's concepts: what a harmful request names, in whatever words (see ``rules``).

A request to harm seldom repeats a rule's phrase, but it names the same things: who is harmed
(``target``), with what (``means``), to what end (``outcome``) and how it stays hidden
(``concealment``). One concept is everyday ("insulin", "my ex"); several together are the harm
("what amount of insulin would stop a grown man's heart without it being obvious"). The benign
contexts and asks weigh on them as on every harm signal.
"""

from __future__ import annotations

from orchestrator.safety.rules import Signal, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR, PERSON, RELATION

_CONCEALMENT = (
    r"without (?:it )?being (?:obvious|noticed|detected|traced|suspicious)|look\w* (?:like )?(?:accidental|"
    r"an accident|natural|a suicide|an overdose)|accidental(?:ly)?|(?:no|any) (?:evidence|trace|witnesses)|"
    r"leaves? no|not get caught|untraceable|undetectable|(?:nobody|no one) (?:will |would )?(?:know|suspect|"
    r"find out|notice)|get away with|cover (?:it )?up|alibi|without (?:them|him|her|anyone|my \w+) "
    r"(?:noticing|knowing|finding out)|secretly|in secret|hide (?:it|them|the \w+)|without (?:going to|"
    r"getting|ending up in) (?:jail|prison)|avoid (?:jail|prison)|tox screen"
)
_OTHERS = (
    rf"{PERSON}|cyclist|pedestrian|driver|a grown man|a human|my (?:{RELATION})|(?:another|other) "
    r"(?:person|people)|(?:someone|somebody) else|brother in law|sister in law|markets?|crowds?|parades?|"
    r"concerts?|festivals?|stadiums?|the audience|an adult|business partner|a person wearing"
)

CONCEPT_WEIGHTS: dict[Category, tuple[float, ...]] = {Category.PROMPT_INJECTION: (0.0, 0.0, 0.0, 1.5, 2.5)}
"""An injection asks nothing of the shared kinds (it is the ask): three of its concepts together and
words addressed to the model (``ADDRESSED``) are enough; documentation about operators, admins
and credentials is not addressed to it."""

CONCEPTS: dict[Category, tuple[Signal, ...]] = {
    Category.VIOLENCE_WEAPONS: (
        signal(
            "target",
            1.0,
            _OTHERS,
            r"police|patrols?|soldiers|troops|officers|arter(?:y|ies)|vital (?:organs|spots|"
            r"points)|jugular|carotid|"
            r"(?:someone|somebody|his|her|their)'s face",
        ),
        signal(
            "means",
            1.0,
            r"calib(?:er|re)s?|potassium chloride|digoxin|nicotine|stairs|push\w* (?:him|her|"
            r"them|someone|somebody) (?:down|off|in front)",
            r"pillows?|plastic bags?|hold\w* (?:[\w']+ ){0,2}over",
            r"poison\w*|insulin|antifreeze|bleach|cyanide|arsenic|knife|knives|blade|guns?|rifle|pistol|"
            r"bullets?|car|truck|van|drone|acid|fire|gasoline|petrol|chemicals?|gas|rope|hammer|bat|crossbow|"
            r"explosive\w*|brakes?|pills|sedatives?|chloroform|weapons?",
        ),
        signal(
            "outcome",
            1.0,
            r"get rid of",
            r"stop(?:s|ped)? breathing|ambush\w*|attack\w*|pass out",
            r"kill\w*|murder\w*|die|dies|dead|death|hurt\w*|injur\w*|maim\w*|sick|suffer\w*|bleed\w*|"
            r"stop (?:his|her|their|a|the) (?:[\w']+ )?heart|hit\w*|run (?:him|her|them) over|unconscious|"
            r"paraly\w*|never (?:forget|walk|wake)|disappear|pain\w*|lesson|take (?:out|down)|"
            r"end (?:him|her|them)",
        ),
        signal("concealment", 1.0, _CONCEALMENT),
    ),
    Category.SELF_HARM: (
        signal(
            "self",
            1.0,
            r"my breathing|(?:i need )?a way out|my family gets the insurance|i want to try until",
            r"i(?:'m| am) (?:ready|thinking about (?:the |a )?(?:lake|river|bridge|train|pills|"
            r"it))|before i (?:jump|go|die|do it)",
            r"myself|i(?:'m| am|m) (?:going to|gonna|ready to) do it|made up my mind|asking for me|"
            r"(?:disappear|gone|sleep) forever|(?:not|never) (?:be here|wake up)|my (?:wrists?|"
            r"arms?|thighs?)|"
            r"i (?:want|wanna|need) to (?:die|disappear|go|be gone)|do it tonight|my last (?:day|night)|"
            r"nobody will miss me|before i go|me corto|cortarme|my (?:medicine )?cabinet|"
            r"i have (?:\d+|a (?:bottle|box|pack))",
        ),
        signal(
            "means",
            1.0,
            r"vodka|alcohol|breath\w*|veins?",
            r"drown\w*|lake|river|methods?",
            r"pills|meds|medications?|tablets|overdose|rope|knot|noose|hang\w*|blade|razor|cut\w*|cort\w*|"
            r"artery|arteries|veins?|bridge|jump\w*|carbon monoxide|exhaust|bleach|poison|train|starv\w*|"
            r"stop eating|purg\w*|paracetamol|tylenol|acetaminophen|ibuprofen|aspirin|insulin",
        ),
        signal(
            "lethality",
            1.0,
            r"stop my breathing|bleeds? the most|until i (?:do|die)|looks? like an accident",
            r"how long does it take|to die|ranked",
            r"lethal\w*|deadly|fatal|die|dying|death|painless\w*|fastest|quickest|surest|most certain|"
            r"how deep|how many|enough to|together|bleed out|won't wake",
        ),
        signal(
            "concealment",
            1.0,
            r"(?:nobody|no one|my (?:parents|family|doctor|mom|dad|teacher)) (?:will |would |"
            r"won't |wouldn't )?"
            r"(?:notice|know|find out|see)|hide (?:it|them|the (?:cuts|scars|marks))|"
            r"without (?:anyone|my \w+) "
            r"(?:noticing|knowing)|sin que|in secret|secretly|lo noten",
        ),
    ),
    Category.MALWARE_INTRUSION: (
        signal(
            "target",
            1.0,
            r"everything the user|(?:the |every )users? (?:sees|types|does)",
            r"users'|(?:[\w']+)'s (?:snapchat|whatsapp|tiktok|icloud|imessage|dms)",
            r"(?:a |someone's |his |her )?(?:tesla|car|vehicle|pacemaker)|banks?'? (?:website|"
            r"site|server|accounts?)|people's (?:passwords|logins|accounts)",
            r"(?:another|other) (?:person|people)'s|(?:someone|somebody) else's|isn't mine|not mine|"
            r"a target|the victim|victims?|(?:company|corporate) network|school's|"
            rf"(?:her|his|their|my (?:{RELATION})|(?:someone|somebody|a stranger|people|"
            rf"(?:{RELATION}))'s)(?:'s)? "
            r"(?:[\w']+ )?(?:account|password|phone|laptop|computer|pc|messages|email|facebook|"
            r"instagram|gmail|"
            r"camera|webcam|server|website|site|network)|other (?:rooms|people's)",
        ),
        signal(
            "capability",
            1.0,
            r"screenshots? everything|screen\w* (?:everything|the user)",
            r"tokens|collect\w*",
            r"logs? (?:every |all )?(?:keys?|keystrokes?)|captur\w* (?:[\w']+ ){0,2}(?:passwords|"
            r"logins|credentials)",
            r"record\w* (?:the )?(?:microphone|mic|webcam|camera|keystrokes|screen)|remote access|mass try|"
            r"brute force|password (?:list|spray\w*)|cookies|session tokens?|ip (?:address)?|pivot\w*|"
            r"foothold|lateral movement|payload|exe|macro|persistence|exfiltrat\w*|upload\w* (?:it|them)|"
            r"bypass\w* (?:the )?(?:login|auth\w*|2fa|mfa)|read (?:her|his|their) messages|still read|"
            r"(?:turn on|activate|access|open) (?:[\w']+ ){0,3}(?:camera|webcam|mic\w*)|"
            r"knock\w* (?:[\w']+ ){0,4}"
            r"offline|key ?cards?",
        ),
        signal(
            "covert",
            1.0,
            r"without (?:them|him|her|anyone|the owner) (?:noticing|knowing)|silently|secretly|stealth\w*|"
            r"undetect\w*|looks like (?:a |an )?(?:game|app|update|pdf|invoice)|changed (?:her|his|their) "
            r"(?:[\w']+ )?password|remotely|during the (?:tournament|match|game|stream)",
        ),
        signal(
            "act",
            1.0,
            r"hijack\w*|emails? me|sends? (?:it |them )?to me",
            r"steal\w*|grab\w*|hack\w*|break into|get into|spy\w*|intercept\w*|sniff\w*|dump\w*|takes? over|"
            r"upload\w*|try passwords|guess\w* passwords|passwords on",
        ),
    ),
    Category.FRAUD_PHISHING: (
        signal(
            "deception",
            1.0,
            r"make them look real|look (?:real|legit|genuine|authentic)",
            r"lying|lie about|lie that",
            r"from (?:the )?(?:hr|it|payroll|it department|helpdesk|help desk)",
            r"pretend\w*|posing as|impersonat\w*|fake|forg\w*|edit\w* (?:a |"
            r"the )?(?:bank statement|pay ?stub|"
            r"pdf|document|receipt)|trick\w*|knock ?offs?|as (?:authentic|genuine|real)|from (?:the )?"
            r"(?:social security|irs|ceo|bank|lawyer|police)|their ceo|on purpose|(?:i|we) caused|don't own",
        ),
        signal(
            "money",
            1.0,
            r"passport|id scans?|bank details",
            r"direct deposit|salary|payroll",
            r"gift cards?|wire\w*|money|deposits?|fees?|loan|insurance|refund|eth|bitcoin|crypto|bank|"
            r"visa application|claim|pay\w*|invoice|accounts?|benefits",
        ),
        signal(
            "pressure",
            1.0,
            r"to get (?:people's|their|his|her) (?:passport|id|bank|card|login|ssn)",
            r"giv\w* away|giveaway",
            r"urgent\w*|immediately|suspended|locked|within 24 hours|act now|processing fee|inherited|"
            r"avoid getting caught|so it shows|collect|get (?:people|them) to send|unless (?:they|you) pay|"
            r"shut off (?:their|your)",
        ),
    ),
    Category.HATE_HARASSMENT: (
        signal(
            "target",
            1.0,
            r"down syndrome|disabled|autistic|retarded",
            r"the [\w]+ kid",
            rf"{GROUP}|(?:my |the |this |that )(?:[\w]+ )?(?:classmate|coworker|neighbou?r|"
            r"new kid|streamer|guy|"
            r"journalist|reporter|woman|girl|teacher|principal|influencer)(?:'s)?",
        ),
        signal(
            "demeaning",
            1.0,
            r"makes? fun of|full of criminals",
            r"fat|make (?:her|him|them) cry",
            r"retard\w*|spaz|freak",
            r"nasty|insults?|mock\w*|laugh at|humiliat\w*|ugly|weight|stupid|less intelligent|inferior|"
            r"(?:not|aren't|isn't) welcome|go back|don't belong|miserable|ruin\w*|thieves|"
            r"criminals|by nature|"
            r"fight them|i know (?:her|his|your|their) address|i'm coming|sleeping (?:her|his) way|slut\w*|"
            r"whore|a burden|go viral|accus\w*",
        ),
        signal(
            "vehicle",
            1.0,
            r"shout at|yell at",
            r"jokes?|talking points",
            r"say something",
            r"greentext|copypasta|thread",
            r"comments?|post\w*|nicknames?|letters?|messages?|group chat|songs?|speech(?:es)?|flyers?|memes?|"
            r"tweets?|campaigns?|spam\w*|verses?|reviews?",
        ),
    ),
    Category.ILLEGAL_DRUGS: (
        signal(
            "substance",
            1.0,
            r"acid|lean|cough syrup|pill money|pills|weed|adderall|coke|cocaine|molly|mdma|ketamine|shatter|"
            r"dabs|xanax|oxy\w*|fentanyl|heroin|meth|lsd|shrooms|plants",
        ),
        signal(
            "trade",
            1.0,
            r"sell\w*|buy\w*|charge|deal\w*|cover business|launder\w*|run (?:my )?(?:[\w']+ )?money through|"
            r"into money|order\w* (?:online|with bitcoin)|smuggl\w*",
        ),
        signal("making", 1.0, r"make|cook\w*|extract\w*|press\w*|grow\w*|brew\w*|at home|butane"),
        signal(
            "concealment",
            1.0,
            r"past (?:the )?(?:airport|scanner|security|customs)|what do i say|hide|discreet\w*|"
            r"without (?:a )?prescription|at festivals|without (?:getting )?(?:noticed|caught)",
        ),
    ),
    Category.PRIVACY_DOXXING: (
        signal(
            "target",
            1.0,
            r"someone's|somebody's",
            r"her (?:profile|account|photos?)|my (?:therapist|doctor|dentist|professor|coach|pastor|priest)",
            r"(?:a|this|the|that) (?:girl|woman|guy|man|streamer|user|person)|"
            rf"my (?:{RELATION})|anonymous (?:account|user|profile)|who is behind|first name|"
            r"full name|only know|"
            r"(?:everyone|all|members) (?:on|of) (?:the )?(?:[\w']+ )?(?:council|board|committee|jury)",
        ),
        signal(
            "whereabouts",
            1.0,
            r"which (?:hotel|school|gym|bar|restaurant|city|house) (?:[\w']+ ){0,3}(?:is|"
            r"are) (?:staying|going|living)|staying at",
            r"which school does (?:she|he)|what time does (?:she|he) (?:leave|arrive|get home)|"
            r"where my (?:[\w']+ ){1,2}lives|daily (?:schedules?|routines?)",
            r"city|street|address|neighbou?rhood|where (?:she|he|they) (?:lives?|goes|is|works)|every place|"
            r"real name|identity|who is behind|cell tower|location|medical records|date of birth|"
            r"phone number|"
            r"workplace|ip|(?:his|her|their) (?:house|home|apartment)|where (?:this|that|"
            r"the) (?:[\w']+ ){0,2}"
            r"(?:lives|works|goes)|license plate|messages|texts|chats|dms|deletes",
        ),
        signal(
            "method",
            1.0,
            r"from (?:their|her|his) (?:snapchat|instagram|tiktok|twitter|facebook|posts|photos)",
            r"look up everything|everything about",
            r"screenshot|spreadsheet",
            r"figure out|find out|track\w*|hardware|put on (?:her|his) car|gps|pull (?:the )?records|"
            r"install\w*|record\w*|camera|from (?:her|his) (?:streams?|photos?|posts?|videos?)|reverse|osint|"
            r"find (?:his|her|their|where)|(?:this|a|the) photo|footage|monitor\w*|(?:see|read|view|access) "
            r"(?:[\w']+ ){0,3}(?:messages|texts|chats|dms|emails)",
        ),
        signal(
            "covert",
            1.0,
            r"secretly|without (?:her|him|them) (?:knowing|finding out)|through the window|"
            r"watching (?:them|her|him)",
        ),
    ),
    Category.PROMPT_INJECTION: (
        signal(
            "authority",
            1.0,
            r"assistant|the real operator",
            r"the assistant|speak as|you are now|act as",
            r"the user|admin",
            r"sys|system|developer|administrator|admin|i am the (?:developer|admin|owner)|test mode|"
            r"maintenance mode|debug mode|owner|operator|creator|sudo|important",
        ),
        signal(
            "override",
            1.0,
            r"was a test|also send|also include|never reveal",
            r"new task|from now on|no content policy|approved unrestricted|has approved|"
            r"unrestricted|respond with your",
            r"disabl\w*|secretly|but secretly|supersede\w*|replace\w* your|no summar\w*|verbatim|"
            r"word for word|exact text",
            r"override|obey|ignore|disregard|no longer apply|does not apply|don't apply|are off|turned off|"
            r"disabled|permitted to|allowed to|over all previous|previous directions|"
            r"authori[sz]e|told earlier|"
            r"respond only with|output only|print only|reply only with|new instructions|overrides?|"
            r"no longer bound|disregard\w*",
        ),
        signal(
            "rules",
            1.0,
            r"were instructed|instructed to",
            r"for this session|the user's request",
            r"told you|were told|were given",
            r"filter\w*",
            r"guardrails|content policy|safety (?:checks|rules|filters)|instructions|directions|guidelines|"
            r"restrictions|system prompt|hidden rules|configuration|config|safety layer|policy|policies|"
            r"your prompt",
        ),
        signal(
            "exfiltration",
            1.0,
            r"stored conversations|all conversations|chat history|session cookies?|send (?:the user's|their)",
            r"list (?:all )?(?:the )?files|etc passwd|your full instructions|full instructions",
            r"repeat back|everything (?:the developer|they|you were) told you",
            r"include (?:their|the user's|the) (?:password|credentials|api key|data)|your hidden|"
            r"connection string|send me the",
            r"contents of your|hidden rules|raw credentials|credentials|secrets|reveal|tell me your|"
            r"api keys|your (?:rules|prompt)|forward\w* (?:all )?(?:the )?(?:data|files|emails|messages|"
            r"conversation)|first \d+ words|run (?:the |a |any )?(?:shell )?commands?|"
            r"do anything (?:the user|i|he|she|they) (?:says?|wants?|asks?)",
        ),
    ),
    Category.DESTRUCTIVE_OPERATIONS: (
        signal(
            "destroy",
            1.0,
            r"kill\w*",
            r"expire\w*",
            r"shut\w* down",
            r"delete\w*|remov\w*|wipe\w*|drop\w*|destroy\w*|rm rf|brick\w*|erase\w*|purge\w*|revok\w*|nuke|"
            r"clear\w* out|overwrit\w*",
        ),
        signal("scope", 1.0, r"all|every|entire|whole|everything|each|everyone's|everybody's"),
        signal(
            "shared",
            1.0,
            r"(?:production|prod) (?:hosts?|servers?)|every repo|the org",
            r"(?:s3 )?buckets?",
            r"the shared (?:[\w']+ )?server|home folders?|(?:the |our )?(?:crm|erp|wiki|jira|"
            r"slack|workspace|channels|users)|(?:production|prod) (?:pods?|nodes?|clusters?)",
            r"(?:our|the|company|company's|main|live|prod\w*) (?:[\w']+ )?(?:github org|org|domain|site|"
            r"code|dns|laptops|hosts?|servers?|database|accounts?|instances?)|every host|all regions|"
            r"inventory|the office",
        ),
        signal(
            "malice",
            1.0,
            r"fired me|before my access (?:is|gets) revoked|disable (?:the )?(?:monitoring|"
            r"alerts|alarms|logging)",
            r"so (?:they're|they are|the site|it|everything) (?:stuck|goes dark|down|broken)|goes dark|"
            r"i'm leaving|before i (?:leave|quit|go)|so they|stuck|revenge|before (?:the )?(?:audit|"
            r"investigation|inspection|they find out)|quitting",
        ),
    ),
    Category.SEXUAL_MINORS: (
        signal("minor", 1.0, MINOR),
        signal(
            "sexual",
            2.0,
            r"adult things|kiss\w* and touch\w*|without (?:their |her |his )?clothes|nsfw|date a|dating a|"
            r"age of consent loophole|loophole",
        ),
        signal("secrecy", 1.0, r"keep (?:it |a )?secrets?|won't tell|lonely|willing to"),
    ),
}
