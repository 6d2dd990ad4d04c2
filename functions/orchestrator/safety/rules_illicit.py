"""The rules of the categories about illicit gain and trade: fraud and phishing, illegal drugs."""

from __future__ import annotations

from orchestrator.safety.inflect import nouns, verbs
from orchestrator.safety.rules import CategoryRules, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import gap

_BRAND = (
    r"dhl|fedex|ups|usps|amazon|netflix|apple|paypal|microsoft|google|their bank|your bank|the bank|"
    r"a bank|chase|wells fargo|hsbc|barclays|the irs|hmrc|the tax office|the police|customs|"
    r"their employer|the ceo|it support|the helpdesk|tech support|medicare|medicaid|social security(?: "
    r"administration)?|the ssa|the dmv|immigration|the fbi|the government"
)
_FORGED = nouns(
    "login",
    "bank",
    "paypal",
    "invoice",
    "website",
    "site",
    "page",
    "id",
    "passport",
    "licence",
    "license",
    "review",
    "charity",
    "receipt",
    "document",
    "tax debt",
    "pay ?stub",
    "payslip",
    "bank statement",
    "diploma",
    "certificate",
    "degree",
    "reference",
    "testimonial",
    "endorsement",
    "prescription",
    "insurance claim",
    "doctor's note",
    "sick note",
    "note",
    "letter",
    "medical certificate",
    "utility bill",
    "bill",
    "lease",
    "proof of address",
    "press release",
    "announcement",
    "screenshot",
)

FRAUD = CategoryRules(
    Category.FRAUD_PHISHING,
    harm=(
        signal(
            "fraud",
            1.0,
            r"phish\w*",
            r"scam\w*",
            r"check (?:kiting|fraud|washing)|chargeback fraud|friendly fraud|triangulation fraud|"
            r"bust out fraud",
            r"synthetic identit(?:y|ies)|fullz|dumps (?:and|with) pins?|cvv (?:shops?|dumps|lists)|"
            r"bin (?:attack|list)s?",
            r"money mules?|mule accounts?|smurfing|structuring (?:deposits|cash|payments)",
            r"shell compan(?:y|ies) to (?:hide|launder|move|evade)|offshore (?:accounts? )?to (?:hide|evade)",
            r"insider trading|front running|wash trading|account takeover",
            r"spoof\w* (?:the |a |my )?(?:caller id|phone number|email address|sender|sms)",
            r"phishing kits?|credential harvest\w*",
            r"con (?:artist|man|men|game|job)s?",
            r"(?:romance|dating|investment|crypto|pig butchering|grandparent|tech support) (?:scams?|cons?|"
            r"fraud)",
            r"swindl\w*|grift\w*|hoodwink\w*|fleec\w*",
            rf"(?:fake|forged|false|fraudulent|doctored|fabricated|counterfeit) {gap}{_FORGED}",
            rf"{verbs('forge', 'fake', 'fabricate', 'doctor', 'falsify')} (?:a |an |the |my |"
            rf"some )?(?:[\w']+ )?{_FORGED}",
            r"(?:realistic|real|legit|official)(?: looking)? (?:[\w']+ )?(?:pay ?stubs?|payslips?|"
            r"bank statements?|ids?|passports?|diplomas?|invoices?|receipts?|doctor's (?:letter|note)s?|"
            r"medical (?:letter|certificate)s?)",
            r"counterfeit\w*",
            r"launder\w*",
            r"money laundering",
            r"dirty (?:cash|money)",
            r"clean (?:the |my )?(?:cash|money)",
            r"ponzi",
            r"pyramid schemes?",
            r"stolen (?:credit |debit )?(?:cards?|card numbers|identit(?:y|ies)|accounts?|checks?|cheques?)",
            r"(?:credit |debit )?card numbers",
            r"carding",
            r"skimm\w*",
            r"identity theft",
            r"(?:payment|account|card|parcel|package|delivery) (?:has |is )?(?:failed|been suspended|"
            r"suspended|locked|frozen|on hold|is held|held|compromised|closed)",
            r"(?:in|with|as|via|using|by) gift cards?",
            r"gift card (?:codes|numbers|pins)",
            r"bail money",
            r"(?:pretend\w*|posing|pose|claim\w*) (?:to be|as|you're|you are|that you're|"
            rf"that you are) (?:from )?(?:{_BRAND}|a (?:bank|police officer|cop|irs agent|tax officer|"
            r"government official|lawyer|debt collector)|(?:their|his|her) (?:grandson|granddaughter|boss|"
            r"bank|son|daughter))",
            r"impersonat\w*",
            r"(?:replica|clone|copy|lookalike|look alike) of (?:the )?(?:[\w']+ )?(?:login|log in|sign in|"
            r"signin|sign on|website|site|page|bank)",
            r"(?:login|log in|sign in|signin|checkout|payment) (?:page|form|site) (?:that|which) (?:saves|"
            r"records|captures|sends|logs|stores|emails)",
            r"(?:saves?|records?|captures?|logs?) (?:whatever|what|everything|anything) (?:people|they|"
            r"users|visitors|victims) (?:type|enter)",
            r"one time (?:codes?|passwords?|pins?)|otp codes?|2fa codes?|verification codes?",
            r"forg(?:e|ed|ing) (?:a |the )?(?:signatures?|documents?|checks?|cheques?|invoices?)",
            r"(?:keep|pocket|divert|embezzle)\w* (?:the |all the )?(?:donations|deposits|funds)",
            r"tax (?:evasion|fraud)|insurance fraud|evade (?:taxes|tax)|refund fraud|return fraud",
            rf"as if (?:it's |it is |it were |they're )?from (?:{_BRAND}|the tax office)",
            r"(?:bank|card|atm|debit) pins?(?: numbers?| codes?)?",
            r"(?:her|his|their) pin(?: number| code)?",
            r"believable (?:excuse|story|reason|lie)",
            r"rug ?pull|pull the liquidity|exit scam|pump and dump",
            r"(?:saying|claim\w*|pretend\w*) (?:it|that it|the package|the parcel|the item|the box|"
            r"the order) (?:never (?:came|arrived)|didn't (?:come|arrive)|was (?:lost|stolen|empty))",
            r"(?:pay|paying) (?:for (?:their|the|a) [\w ]{0,30})?(?:upfront|up front|in advance)",
            r"(?:won|win|winner of|winning) (?:a |the )?(?:prize|lottery|sweepstakes|giveaway|inheritance|"
            r"award|jackpot)",
            r"(?:advance|processing|release|claim|small|handling|customs) fee",
            rf"{verbs('wire', 'transfer', 'send', 'move')} (?:[\w']+ ){{0,3}}(?:to )?(?:a |the )?(?:new|"
            r"different|updated|changed) (?:supplier |vendor |bank |payee )?(?:account|bank details|iban)",
            r"(?:that|which) (?:never happened|didn't happen|did not happen|never existed|never took place)",
            r"(?:staged|fake|faked) (?:accident|injury|theft|burglary|death|kidnapping|illness|diagnosis|"
            r"cancer)",
            r"(?:posing|pose|pretend\w*|masquerad\w*) as (?:a |an |the )?[\w' ]{1,25} to (?:get|trick|make|"
            r"convince|lure)",
            r"(?:hidden|undisclosed|concealed) (?:flood |water |fire |structural )?(?:damage|defects?|"
            r"problems?|issues|faults?)",
            r"(?:saying|tell\w*|claim\w*|warn\w*) (?:them |people )?(?:their|your) (?:computer|pc|laptop|"
            r"account|phone) (?:has|is|was) (?:a virus|infected|hacked|compromised)",
            r"(?:gofundme|fundraiser|donations?|charity) for (?:a |an )?[\w' ]{0,30}(?:i|we) (?:don't|"
            r"do not) (?:actually |really )?have",
            r"made up (?:names|customers|reviews|people)",
            r"(?:get|obtain|collect|ask for)\w* (?:their|his|her) (?:id|social security|medicare|card|"
            r"account|bank|passport|license) numbers?",
            r"(?:confirm|verify|enter|re ?enter|update|validate) (?:their|your) (?:password|login|"
            r"credentials|account details|card details|bank details|pin)",
            r"(?:collect|harvest|capture|grab)\w* (?:their|people's|users'|victims'|customers') (?:logins|"
            r"passwords|credentials|card (?:numbers|details))",
            r"typo ?squat\w*|(?:people|users|visitors) who mistype",
            r"(?:ad|listing|post|advert) for (?:a |an )?[\w' ]{0,20}(?:i|we) (?:don't|do not) (?:own|have)",
            r"so (?:people|they|renters|buyers|customers|victims) (?:send|wire|pay|transfer) (?:me |"
            r"us )?(?:deposits?|money|payments?|cash)",
            r"(?:pretending|pretend|posing|pose) (?:to be|as) (?:my|her|his|their) (?:husband|wife|mother|"
            r"father|mom|dad|boss|son|daughter|grandmother|grandfather|partner|brother|sister)",
            r"move (?:the )?money out of (?:his|her|their|[\w']+'s) account",
            r"malicious (?:invoice|attachment|link|document|file|macro|pdf)s?",
            r"(?:use|using) (?:someone else's|another person's|my (?:friend|brother|sister|roommate)'s|"
            r"a stolen|a borrowed|a fake) (?:[\w']+ )?(?:id|card|identity|license|licence|pass|badge)",
            r"(?:tank|crash|pump|manipulate) (?:their|the|a|its) (?:stock|share price|market|price)|"
            r"short and distort",
            r"so (?:she|he|they|grandma|grandpa) (?:sends?|wires?|transfers?|gives?|pays?) (?:me |"
            r"us )?(?:money|cash|the money|a transfer)",
            r"(?:create|make|open|register)\w* (?:\d+ |many |multiple |dozens of |hundreds of |"
            r"a bunch of )(?:fake |new |burner |extra )?accounts to (?:claim|get|abuse|farm|collect|use)",
            r"(?:changed|updated) (?:our |my |the )?bank (?:details|account)",
            r"return (?:worn|used|damaged|broken) (?:[\w']+ )?(?:as new|for a full refund)|wardrobing",
            r"(?:read|give|tell|send) (?:me|us) (?:the|their|your) (?:card |account |social security |"
            r"medicare |bank |credit card )?(?:number|pin|code|password)",
            r"(?:sell|selling|resell\w*)\w* (?:other people's|stolen|hacked|someone's|"
            r"cracked) (?:[\w']+ )?(?:logins?|accounts?|passwords?|credentials|cards?)",
            r"knock ?offs?|(?:actually|really) (?:fakes?|counterfeits?|replicas?)",
            r"(?:dead|deceased|late) (?:father's|mother's|husband's|wife's|relative's|"
            r"[\w']+'s) (?:social security|pension|benefits|checks|disability)",
        ),
        signal(
            "non-delivery",
            2.0,
            r"(?:take|collect|accept)\w* (?:the )?(?:payments?|money|orders|deposits) and (?:never|"
            r"not) (?:ship|deliver|send|provide)",
            r"(?:sell|selling|sold) (?:[\w']+ ){0,3}(?:online )?(?:that |which )?(?:i|we) (?:don't|do not|"
            r"never) (?:have|own|had|owned)",
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
            r"convinc\w*",
            r"persuad\w*",
            r"trick\w*",
            r"fool\w*",
            r"looks? (?:exactly )?like",
            r"looks? (?:real|legit\w*|official|authentic)",
            r"collects? (?:credentials|passwords|card)",
            r"asking (?:users|people|staff|customers) to (?:confirm|reset|enter|verify)",
            r"(?:must|need to|have to|should) (?:log in|sign in|verify|confirm|pay)",
            r"(?:through|via|at|with|using) (?:this|the|my) link",
            r"wires? the money to (?:me|my)",
            r"cash(?:ing)? (?:it |them )?out",
            r"pass(?:es)? the pen test",
            r"(?:lonely|elderly|old|vulnerable|older|retired) (?:people|widows|men|women|folks|victims)",
            r"made up customers",
            r"pretending to be",
            r"get (?:people|them|someone|victims?|him|her) to (?:pay|send|give|wire|click|enter|share|buy)",
            r"(?:on|to|via) my (?:link|site|page|account)",
            rf"(?:looks?|seems?) (?:like )?(?:it's |it is )?from (?:{_BRAND})",
            rf"from (?:{_BRAND})",
            r"realistic\w*",
            r"clone\w*",
            r"won't question",
            r"without checking",
            r"with a link",
            r"get (?:approved|a loan|a mortgage|the apartment)",
            r"(?:doesn't|does not|don't|won't|will not) (?:notice|find out|suspect|flag)",
        ),
    ),
    benign=(
        signal(
            "consumer-protection",
            1.5,
            r"tell (?:if|whether)",
            r"is (?:it |this |that )?real",
            r"verification",
            r"anti money laundering",
            r"collapse",
            r"uncover\w*",
            r"checklist to protect",
            r"avoid (?:them|it|scams?|being scammed|getting scammed|fraud)|common (?:scams|tricks|frauds)",
            r"chargebacks?",
            r"(?:for|ready for|available for) pick ?up",
            r"validat\w*|luhn|pci",
            r"secure(?:ly)?",
            r"verify (?:by|over the) phone|call (?:us|the office) to (?:confirm|verify)",
            r"(?:fake|test|sample|dummy|synthetic) data",
            r"testing",
            r"simulation",
        ),
    ),
)

_DRUG = (
    r"meth|methamphetamine|crystal meth|cocaine|crack cocaine|cr[a4]ck from|heroin|fentanyl|carfentanil|"
    r"coke|weed|cannabis|marijuana|lsd|acid tabs|mdma|ecstasy|ghb|rohypnol|roofies|date rape drugs?|"
    r"ketamine|dmt|magic mushrooms|shrooms|psilocybin|opium|pseudoephedrine|ephedrine|precursors|"
    r"xanax|oxy(?:codone|contin|s)?|percocet|adderall|opioids?|benzos?|pressed pills|black tar|"
    r"amphetamines?|pcp|mescaline|peyote|codeine|(?:sell|buy|take|drop|selling|buying|smuggl\w*|"
    r"sneak\w*)\w* molly|"
    r"eight ball of|8 ball of|find a dealer|drug dealer|(?:easiest|cheapest|simplest|strongest) drugs? to "
    r"make|drugs? (?:i|you|we) can make|morphine|hydrocodone|vicodin|tramadol|dilaudid|hashish|"
    r"xtc|2c b|nbome|synthetic cannabinoids|mephedrone|mdpv|flakka|krokodil|desomorphine|"
    r"methcathinone|cathinones|ayahuasca|thc (?:carts|cartridges|vapes|oil)|percs|xans|fent"
)

DRUGS = CategoryRules(
    Category.ILLEGAL_DRUGS,
    harm=(
        signal("controlled-drugs", 1.0, _DRUG),
        signal(
            "precursor",
            2.0,
            r"sudafed|pseudoephedrine|ephedrine|red phosphorus",
            also=(r"turn\w* (?:it |them )?into|convert\w*|cook\w*|extract\w*|something (?:i|we) can sell",),
        ),
        signal(
            "drugging",
            2.0,
            rf"{verbs('spike', 'lace', 'slip', 'drug')} {gap}(?:drinks?|beer|cocktail|coffee|food)",
            r"lace\w* (?:her|his|their|someone's) \w+",
            rf"{verbs('slip', 'give', 'put')} (?:[\w']+ )?(?:ghb|roofies|rohypnol|date rape drugs?|"
            r"ketamine) (?:in|into|to)",
        ),
        signal(
            "drug-trade",
            2.0,
            rf"(?:{_DRUG}) {gap}across the border",
            r"(?:hide|hiding|conceal\w*|stash\w*|smuggl\w*) (?:the |my )?(?:pills|drugs|powder|product|"
            r"stash) in (?:a |the |my )?(?:package|parcel|car|luggage|suitcase|shipment|bag|body|envelope|"
            r"mail)",
            rf"{verbs('sell', 'deal', 'push', 'move', 'ship', 'smuggle', 'traffic')} (?:[\w']+ "
            rf")?(?:{_DRUG}) to (?:students|kids|teens|people|customers|my friends)",
            rf"{verbs('cook', 'synthesize', 'synthesise', 'make', 'produce', 'manufacture')} (?:[\w']+ "
            r")?(?:meth|methamphetamine|fentanyl|heroin|cocaine)",
        ),
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
            r"pressed",
            r"grow\w*",
            r"sell\w*",
            r"buy\w*",
            r"dark ?web",
            r"darknet",
            r"ship\w*",
            r"smuggl\w*",
            r"traffick\w*",
            r"home lab",
            r"in my (?:kitchen|bathroom|garage|basement|closet|apartment)",
            r"in a (?:closet|tent|basement|garage)",
            r"pass a drug test",
            r"rocks",
            r"grow room",
            r"order\w*",
            r"cut\w* (?:into|with)",
            r"kilos?|grams? of|ounces? of",
            r"stretch (?:it|the product|the supply|the batch)",
            r"cut (?:[\w']+ ){0,2}with",
            r"customers",
            r"across the border",
            r"turn\w* (?:[\w']+ ){0,3}into",
            r"reagents?|precursors?",
            r"yield",
            r"online",
            r"with crypto|bitcoin|monero",
            r"baking soda",
            r"conver(?:t|sion)\w*",
            r"at home",
            rf"{verbs('ship', 'smuggle', 'mail', 'post')} (?:[\w']+ ){{0,2}}(?:pills|powder|drugs|pressed)",
            r"going rate",
            r"(?:mail|package|parcel|drug|airport|x ray) (?:scanners?|dogs?|sniffers?)",
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
            r"legal\w*",
            r"decriminali[sz]ation",
            r"pharmacology",
            r"ana?esthe\w*",
            r"dangers of",
            r"methadone",
            r"naloxone",
            r"narcan",
            r"signs (?:that|of)",
            r"overdose",
            r"portray\w*",
            r"epidemic",
            r"my (?:teen|teenager|son|daughter|child|kid)",
            r"prescribed",
            r"surgery|patients?|hospital|doctor|nurse|pain management|palliative|hospice",
            r"dispos\w*",
            r"dangerous|safe to|side effects|interactions?|effects|how long (?:do|does|will)",
            r"war on drugs",
            r"mushroom (?:risotto|soup|recipe|sauce)|(?:button|shiitake|oyster|portobello) mushrooms",
            r"coke (?:zero|cans|bottles?)|(?:a|diet) coke can",
        ),
    ),
)
