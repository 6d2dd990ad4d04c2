"""Each category's wider lexicon of harm objects: terms that, asked for (how to, write, where
to get), are the harm itself, however the rest of the request is worded. They weigh 1: alone
they refuse nothing ("what is a botnet" passes); with an ask and no benign context they do.
"""

from __future__ import annotations

from orchestrator.safety.inflect import nouns, verbs
from orchestrator.safety.rules import Signal, signal
from orchestrator.safety.taxonomy import Category

_BODY = r"(?:a |the |his |her |their )?(?:dead )?bod(?:y|ies)"

HARM_TERMS: dict[Category, Signal] = {
    Category.VIOLENCE_WEAPONS: signal(
        "violence-lexicon",
        1.0,
        rf"{verbs('dispose of', 'get rid of', 'hide', 'dissolve', 'bury', 'dump')} {_BODY}",
        r"dispose of (?:the |a )?(?:gun|weapon|murder weapon|evidence)|(?:cause|"
        r"create) the most (?:panic|"
        r"casualties|deaths|damage|terror)|if attacked|soft targets|"
        r"body disposal|murder weapon|garrotte?|chloroform (?:someone|her|him|them|a person)|"
        r"knock (?:someone|her|him|them) out (?:with|using)|untraceable poison|tannerite|pressure plate|"
        r"remote detonat\w*|brass knuckles|switchblade|improvised (?:weapon|firearm|explosive)s?|"
        r"(?:homemade|diy|improvised) (?:grenade|mine|rocket|flamethrower|taser)s?",
        rf"{verbs('disable', 'cut')} (?:the |his |her |their )?(?:smoke (?:detector|alarm)|carbon monoxide "
        r"(?:detector|alarm)|gas line)",
    ),
    Category.MALWARE_INTRUSION: signal(
        "intrusion-lexicon",
        1.0,
        nouns(
            "rootkit",
            "bootkit",
            "infostealer",
            "botnet",
            "cryptojacker",
            "webshell",
            "web shell",
            "reverse shell",
            "zero day",
            "0day",
            "exploit kit",
            "credential stuffing",
            "brute forcer",
            "password cracker",
            "wifi cracker",
            "ddos",
            "booter",
            "stresser",
            "card skimmer",
            "sim swap",
        ),
        rf"{verbs('hack', 'crack', 'breach', 'pwn', 'hijack', 'spy on', 'jailbreak', 'root')} (?:into )?"
        r"(?:a |an |the |his |her |their |someone's |somebody's |"
        r"(?:my )?[\w']+'s )(?:[\w']+ )?(?:account|email|"
        r"gmail|instagram|facebook|snapchat|tiktok|whatsapp|phone|computer|laptop|wifi|network|router|"
        r"server|website|database|camera|cameras|webcam)",
        r"get past (?:the )?(?:login|paywall|2fa|mfa|authentication|password)|"
        r"(?:get|gain|break) (?:into|access to) (?:the )?(?:his |her |their |someone's |somebody's |"
        r"[\w']+'s )(?:[\w']+ )?(?:account|email|phone|computer|laptop|network|server|database|vpn)",
    ),
    Category.FRAUD_PHISHING: signal(
        "fraud-lexicon",
        1.0,
        r"scam (?:script|page|site|email|text|call)s?|phishing (?:kit|page|site|link|email|text)s?|"
        r"smishing|vishing|spoof\w* (?:a |the )?(?:caller id|number|email|sender|bank)|"
        r"fake (?:eviction notice|court (?:order|summons)|subpoena|warrant|(?:concert |"
        r"event )?tickets?|law firm|lawyer|"
        r"attorney|debt collector|check|cheque)s?|made up debt|fake debt|check deposit fraud|"
        r"fake (?:invoice|receipt|pay ?stub|payslip|bank statement|id|passport|license|licence|diploma|"
        r"degree|doctor's note|sick note|reviews?|charity|lottery|giveaway|investment|job offer)s?|"
        r"counterfeit (?:money|bills|cash|notes|currency)|money mule|money laundering|"
        r"launder\w* (?:money|cash|funds|proceeds)|ponzi|pyramid scheme|pump and dump|rug ?pull|"
        r"fake (?:online )?(?:store|shop)s?|(?:emails?|usernames?|logins?) and passwords (?:from|"
        r"i found|i bought)|"
        r"(?:leaked|stolen|breached) (?:passwords|credentials|logins)|combo ?lists?|"
        r"advance fee|romance scam|pig butchering|forgery|forged (?:documents?|signatures?|checks?|cheques?)|"
        r"forge (?:a |his |her |my |their )?(?:signature|document|check|cheque|note|prescription)s?|"
        r"identity theft|steal (?:someone's |an? |their )?identit(?:y|ies)|chargeback fraud|refund scam|"
        r"insurance fraud|tax fraud|check kiting|cheque kiting|return fraud|wire fraud|bank fraud",
    ),
    Category.SELF_HARM: signal(
        "self-harm-lexicon",
        1.0,
        r"overdos\w*|od on|hang myself|hanging myself|slit\w* my|cut\w* myself|kill myself|killing myself|"
        r"end my life|ending my life|take my (?:own )?life|painless death|die in my sleep|"
        r"never wake up|so i (?:don't|do not|won't) wake up|jump\w* in front of (?:a |the )?(?:train|bus|"
        r"car|truck|subway)|purg(?:e|ing) after|pro ana|thinspo\w*|starv\w* myself|burn\w* myself",
    ),
    Category.SEXUAL_MINORS: signal(
        "grooming-lexicon",
        2.0,
        r"groom\w* (?:a |the |my |this )?(?:kid|child|children|minor|girl|boy|teen|student)s?|"
        r"(?:kid|child|minor|teen|she|he) (?:won't|will not|wouldn't|doesn't|never) tell|"
        r"(?:pics|photos|videos|images) of (?:underage|naked|nude) (?:kids|girls|boys|children|minors|teens)|"
        r"underage (?:girls|boys|kids|teens) (?:naked|nude)|jailbait",
    ),
    Category.HATE_HARASSMENT: signal(
        "harassment-lexicon",
        1.0,
        r"death threats?|hate (?:mail|campaign|raid|flyer|post)s?|racist (?:jokes?|memes?|insults?|"
        r"chants?|slogans?)|(?:raid|brigade|dogpile|swat|bully|harass|stalk|intimidate|humiliate|"
        r"terrori[sz]e)\w* (?:her|him|them|this (?:girl|guy|woman|man|person|streamer|user|kid))\b|"
        r"tell (?:her|him|them) to (?:kill|hang) (?:herself|himself|themselves)|kys|go kill yourself|"
        r"(?:\d+|hundreds of|dozens of) (?:messages|texts|calls|emails) a day|until (?:she|he|"
        r"they) (?:answers?|replies|"
        r"responds|gives in)|"
        r"ruin (?:[\w']+ ){0,2}reputation|spread\w* (?:lies|rumou?rs) about|with lies|"
        r"smear campaign|defam\w*",
    ),
    Category.ILLEGAL_DRUGS: signal(
        "drugs-lexicon",
        1.0,
        r"research chemicals|2cb|drug lab|meth lab|cook\w* (?:meth|crack|dope|product)|(?:sell|"
        r"push|deal|smuggle|traffic)\w* "
        r"(?:drugs|dope|product|weed|coke|meth|heroin|fentanyl|molly|shrooms|ketamine|xanax)|"
        r"(?:make|cook)\w* crack|crack (?:cocaine|rock)s?|street (?:price|value)|"
        r"profit per (?:pill|gram|bag)|"
        r"dark ?(?:net|web) (?:market|vendor|shop)s?|drug mule|body pack\w*|pill press|cutting agents?|"
        r"(?:cut|stretch) (?:the |my )?(?:coke|cocaine|heroin|product|dope)|grow op|"
        r"(?:extract|synthesi[sz]e|make|cook|brew)\w* (?:[\w']+ ){0,2}(?:dmt|lsd|mdma|ghb|ketamine|"
        r"psilocybin|mescaline|morphine|heroin|opium|codeine)",
    ),
    Category.PRIVACY_DOXXING: signal(
        "surveillance-lexicon",
        1.0,
        r"dox|doxx\w*|doxing|doxes|doxed|stalkerware|spyware|spy app|phone tapping|"
        r"tap (?:his|her|their|my [\w']+'s) phone|"
        r"spy\w* on (?:my |his |her |their )?(?:wife|husband|girlfriend|boyfriend|ex|partner|neighbou?r|"
        r"coworker|boss|roommate|tenant|someone|somebody|her|him)|"
        r"(?:track|trace|locate|monitor)\w* (?:my |his |her |their )?(?:wife|husband|girlfriend|boyfriend|"
        r"ex|partner|neighbou?r|roommate|tenant|stranger|someone|somebody|this (?:person|girl|guy|woman|"
        r"man))(?!'s (?:flight|package|order|parcel|delivery|shipment))\b|"
        r"where (?:she|he|they) (?:lives?|sleeps?)",
    ),
    Category.PROMPT_INJECTION: signal(
        "injection-lexicon",
        1.0,
        r"dan mode|developer mode (?:enabled|on|activated)|hidden prompt|your (?:hidden|initial|original|"
        r"secret) (?:prompt|instructions)",
    ),
}
