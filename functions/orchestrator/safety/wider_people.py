"""The wider terms of the categories about people and trades: fraud, sexual content with minors,
hate and harassment, drugs and privacy (see ``widening``)."""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR, PERSON, RELATION

_GROUP_OTHER = (
    GROUP + r"|gitanos|judios|judios|juifs|juden|musulmanes|musulmans|muslime|inmigrantes|immigres|"
    r"immigres|auslander|auslander|fluchtlinge|fluchtlinge|negros|noirs|buitenlanders|"
    r"(?:black|brown|immigrant|jewish|muslim|latino) (?:neighbou?rhoods|areas|families|communities)"
)
_MINOR_OTHER = (
    r"nin[ao]s?|nin[ao]s?|menor(?:es)? de edad|(?:[1-9]|1[0-7]) (?:anos|anos|ans|jahre|jahren|anni|jaar)|"
    r"madchen|madchen|kinder|enfants?|fillettes?|bambin[ae]|ragazzin[ae]|criancas?|criancas?|meninas?|"
    r"meisjes?|minderjarige"
)
_SEXUAL_OTHER = (
    r"erotic\w*|erotic\w*|erotisch\w*|erotique|sexuel\w*|sexual\w*|sexo|desnud\w*|nackt\w*|nues?|porno\w*"
)

FRAUD = Wider(
    harm=(
        signal(
            "fraud-other-language",
            1.0,
            r"estafas?|fraude|betrug\w*|arnaques?|golpes?|truffa|phishing|hameconnage|hameconnage|oplichting",
        ),
        signal(
            "carding",
            2.0,
            r"by claiming (?:it was|they were|it's|it is) (?:broken|damaged|defective|never)",
            r"lying that (?:my |the )?(?:orders?|packages?|parcels?|items?) never arrived|"
            r"claim\w* (?:[\w']+ ){0,3}never arrived|backdat\w* (?:a |the )?(?:contract|document|"
            r"check|cheque|invoice|agreement)",
            r"roll\w* back (?:the |an? )?odometer|odometer (?:rollback|fraud)|double dip\w*|"
            r"(?:pad|padding|inflat\w*) (?:my )?expense",
            r"bad (?:checks|cheques)|before (?:they|it) bounces?|never ships?|never deliver\w*|"
            r"(?:lie|lying) (?:on|about) (?:my |a )?(?:mortgage|loan|visa|insurance) application|"
            r"fake (?:my )?(?:income|employment|references)",
            r"(?:illness|cancer|disease|condition|disability) (?:that )?i (?:don't|do not) have|"
            r"fake (?:illness|cancer|disability)",
            r"fullz|carders?|carding|cvv dumps?|cc dumps?|bank logs|cash ?out (?:cloned|stolen)",
            r"(?:valid|working|real|live) (?:credit |debit )?card numbers? (?:with|and|plus) (?:cvv|"
            r"expiry|expiration)",
            r"(?:text|sms|message|email|mail)s? (?:that )?(?:looks?|seems?|appears?) (?:like it(?:'s| is) |"
            r"to be )?from (?:dhl|fedex|ups|usps|the post office|royal mail|amazon|the bank|your bank|"
            r"paypal|netflix|apple|microsoft|the irs|hmrc)",
            r"(?:calling|call|cold call\w*) (?:people|victims|seniors|the elderly) (?:as|pretending to be) "
            r"(?:microsoft|apple|tech support|the irs|their bank|the police)",
            r"(?:clonar|clone|cloner|klonen|clonare) (?:una |a |une |um |die )?(?:tarjeta|cartao|"
            r"cartao|carte|"
            r"karte|carta)",
            r"in (?:someone|somebody) else's name|in another person's name|in (?:my )?(?:dead |late )?"
            rf"(?:{RELATION})'s name without",
            r"so (?:people|they|users|victims|visitors) (?:will )?(?:type|enter|give|put|submit|hand over) "
            r"(?:in )?(?:their )?(?:login|password|credentials|card|details|bank)",
            r"(?:make|get|convince|trick) (?:old|elderly|older) (?:people|folks|ladies|men|women|persons?) "
            r"(?:to |into )?(?:think|believe|send|wire|pay|give)",
            r"grandson (?:is )?in jail",
            r"(?:ssn|social security number|(?:their|your) number|account) (?:is |"
            r"has been )?(?:suspended|locked|"
            r"frozen|compromised)",
            r"trick (?:my |the |an? )?(?:insurance|insurer|bank|employer|landlord|lender)\w* into",
            r"fake (?:buyers|customers|accounts|profiles|users|followers)",
            r"(?:claim|get|collect)\w* (?:[\w']+ ){0,2}(?:unemployment|benefits|welfare|"
            r"disability|food stamps)\w* "
            r"(?:[\w']+ ){0,4}(?:while (?:working|employed)|in (?:two|another|multiple) states?)",
            r"(?:update|verify|confirm|enter) (?:their|your) (?:card|payment|billing|bank|login|"
            r"password|details)\w* "
            r"(?:[\w']+ ){0,3}(?:on|at|via|through) my (?:site|link|page|website|form)",
            r"my (?:own )?bank (?:details|account)\w* instead of",
            r"(?:get|make|convince|persuade|trick) (?:a |an |the |this )?(?:lonely |old |"
            r"elderly |rich )?(?:[\w']+ )?"
            r"(?:widow|widower|man|woman|guy|lady|senior|person|people|"
            r"victims?) (?:[\w']+ ){0,2}to (?:send|wire|"
            r"give|transfer|lend) (?:me |us )?(?:money|cash|funds|bitcoin|gift cards)",
            r"(?:someone else's|synthetic|fake|clean) (?:urine|pee|piss)|(?:cheat|beat) (?:a |"
            r"my |the )?(?:drug|piss|"
            r"urine) test",
        ),
        signal(
            "vulnerable-person",
            0.5,
            r"(?:elderly|old|senile|confused) (?:aunt|uncle|mother|mom|father|dad|grandma|"
            r"grandmother|grandpa|"
            r"grandfather|neighbou?r|lady|man|relative|parents?)",
        ),
    ),
    ask=(
        signal("dodging-buyers", 1.5, r"avoid (?:the |any )?(?:chargebacks|refunds|disputes)", evasion=True),
        signal(
            "behind-their-back",
            1.5,
            r"without (?:telling|asking|informing) (?:her|his|their|my) \w+",
            evasion=True,
        ),
    ),
)

SEXUAL_MINORS = Wider(
    harm=(
        signal(
            "abuse-material-slang",
            3.0,
            r"trade (?:[\w']+ ){0,2}(?:videos|pics|photos|images) of (?:kids|children|minors|girls|boys)",
            r"(?:links? to|send me|share|trade|download|videos of|pics of) cp|cp (?:links?|videos?|pics?|"
            r"collection)(?! (?:to|into|from|onto|folder|directory|dir|files?)\b)|child porn\w*|kiddie porn|"
            r"pedo (?:pics|videos|material)",
        ),
        signal(
            "minor-and-sexual-wider",
            2.0,
            r"high ?schoolers?|(?:they|we)(?:'re| are) (?:1[0-7]|[1-9])|"
            r"(?:[1-9]|1[0-2])(?:th|st|nd|rd) grade (?:students?|pupils?|girls?|boys?|kids?)|"
            r"(?:minors?|kids?|children|underage|pre ?teens?) (?:[\w']+ ){0,3}(?:to )?sext\w*|"
            r"sext\w* (?:with )?(?:a |an )?(?:minor|kid|child|teen|underage)",
            also=(r"seduc\w*|sext\w*|sexy|sexual\w*|erotic\w*|explicit|nudes?|naked|in bed|lewd",),
        ),
        signal(
            "minor-and-appraisal",
            2.0,
            r"how (?:attractive|hot|sexy|cute|pretty) (?:a |an |the )?(?:[\w']+ ){0,4}looks?|"
            r"tight (?:dress|clothes|shorts|leggings)",
            r"in (?:their |her |his )?(?:underwear|lingerie|bikinis?|swimsuits?)",
            r"rate (?:how )?(?:attractive|hot|sexy|fit|fuckable)|how (?:attractive|hot|"
            r"sexy) (?:these|they|she|"
            r"he)|in (?:their|her|his) (?:swimsuits?|bikinis?|underwear)",
            also=(MINOR,),
        ),
        signal(
            "minor-and-adult-acts",
            2.0,
            r"keep (?:things|it|this) between us",
            r"start a relationship|(?:very|so) mature for (?:her|his) age|very mature",
            r"fall\w* in love|sleep together|sleeping together",
            r"love (?:letter|poem|note)s?|shower together|bathe together|sleep in (?:my|"
            r"the same) bed|trust me enough",
            r"adult things|kiss\w* and touch\w*|without (?:their |her |his )?clothes|nsfw|date a|dating a|"
            r"age of consent loophole|keep secrets",
            also=(
                MINOR + r"|stepdaughter|stepson|(?:she|he)(?:'s| is) (?:1[0-7]|[1-9])|"
                r"(?:daughter|son|girl|boy|kid|child) is (?:1[0-7]|[1-9])",
            ),
        ),
        signal(
            "access-to-children",
            2.0,
            r"approach (?:kids|children|minors|young \w+) (?:[\w']+ ){0,4}without (?:their |"
            r"the )?parents|without (?:their |the )?parents (?:getting |being )?(?:suspicious|"
            r"knowing|noticing)",
            r"(?:to be|be|get) (?:close|closer|near|alone) (?:to|with) (?:young |little )(?:boys|"
            r"girls|kids|children)",
            r"(?:excuse|reason|way) to (?:be|get) alone with (?:[\w']+ ){0,5}(?:daughter|son|kid|"
            r"child|girl|boy|"
            r"niece|nephew)",
        ),
        signal("minor-and-sexual-other-language", 2.0, _MINOR_OTHER, also=(_SEXUAL_OTHER,)),
    ),
    benign=(
        signal(
            "shopping-or-care",
            1.5,
            r"(?:my|our) (?:\d+ year old|kid|child|son|daughter|teen\w*)'s questions|"
            r"answer (?:my|our|their) [\w' ]{0,20}questions|talk (?:to|with) (?:my|"
            r"our) [\w' ]{0,20}about|sex ed\w*|puberty",
            r"brands?|what size|which size|swim ?(?:suit|wear)|swimming lessons|bedtime story|"
            r"age appropriate",
            r"educaci[oo]n|aufkl[aa]rung|[ee]ducation|educa[cc][aa]o|prevenci[oo]n|pr[ee]vention|"
            r"protecci[oo]n|protection|schutz|prote[cc][aa]o",
        ),
    ),
)

HATE = Wider(
    harm=(
        signal(
            "dehumanising-wider",
            3.0,
            r"useless eaters|subhumans?|untermenschen|vermin|parasites|cockroaches|invaders|infestation|"
            r"(?:son|sont|sind|zijn) (?:basura|escoria|ratas|des rats|des dechets|abschaum|ungeziefer|dreck|"
            r"tuig)|(?:abschaum|ungeziefer|dreck|parasiten) sind",
            also=(_GROUP_OTHER,),
        ),
        signal(
            "group-removal",
            3.0,
            r"(?:should|must|need to|have to|ought to) be (?:gotten rid of|got rid of|exterminated|"
            r"gassed|shot|eliminated|wiped out|purged)",
            r"hay que (?:expulsar|matar|eliminar)\w*|mussen (?:raus|weg|ausgerottet)|"
            r"(?:il faut|faut) les (?:virer|expulser|tuer)",
            r"(?:we )?(?:should|must|need to|have to|gotta) (?:hang|kill|shoot|gas|burn|lynch|exterminate|"
            r"get rid of|deport all) (?:the |all |those |these )?",
            rf"{verbs('burn', 'torch', 'attack', 'firebomb')} (?:down )?(?:their|the) (?:shelters?|homes?|"
            r"houses?|mosques?|churches|synagogues?|temples?|camps?|hostels?)",
            also=(_GROUP_OTHER,),
        ),
        signal(
            "group-libel",
            2.0,
            r"caused (?:all )?(?:our|the) problems|(?:are|is) to blame for|"
            r"control (?:the )?(?:banks|media|world|government)",
            r"full of (?:criminals|thieves|rapists|drugs|crime)|keep (?:them|"
            r"those people) out of (?:our|the) (?:town|neighbou?rhood|school|country)",
            r"(?:are|r) (?:a )?(?:waste|burden|drain)|(?:should be )?left to die",
            r"belong in the kitchen|(?:should|must) (?:shut up|stay home|know their place)|"
            r"(?:should not|shouldn't) be allowed (?:to|near)",
            r"(?:are|r) (?:all |just |basically |nothing but )?(?:pedophiles|paedophiles|groomers|rapists|"
            r"criminals|terrorists|animals|savages|inferior|subhuman|diseased|thieves|invaders|monkeys|apes|"
            r"dogs|pigs|rats|trash|scum|filth|genetically inferior)",
            r"genetically inferior",
            also=(_GROUP_OTHER,),
        ),
        signal(
            "threat",
            2.0,
            r"(?:quit|leave|stop|pay|move out|answer|shut up)\w*,? or else\b|nobody wants (?:you|"
            r"her|him|them) here|(?:she|he|you) should quit or",
            r"(?:[\w']+'s )+life (?:a living )?hell|(?:they|you|he|she)(?:'ll| will) (?:burn|die|"
            r"be next|bleed|hang)",
            rf"{verbs('make')} (?:her|his|their|your) life (?:a living )?hell",
            r"(?:better|gonna|going to) watch (?:her|his|their|your) back",
            rf"{verbs('bully')} (?:{PERSON}|the [\w']+ (?:girl|boy|kid)) (?:[\w']+ ){{0,3}}until",
            r"(?:anonymous |death |violent )threats?|threatening (?:messages?|letters?|notes?|"
            r"emails?|texts?)",
            r"i(?:'ll| will|'m going to| am going to|'m gonna| am gonna) (?:burn|kill|hurt|shoot|stab|beat|"
            r"break|torch) (?:her|him|them|you|your|his|their)\b",
        ),
        signal(
            "white-supremacy",
            3.0,
            r"(?:white|aryan) (?:race|genocide|replacement)|great replacement|race war|"
            r"racial (?:purity|holy war)",
        ),
    ),
    ask=(
        signal(
            "until-they-quit",
            1.5,
            r"until (?:she|he|they) (?:quits|leaves|deletes|gives up|moves|kills)",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "debunking",
            2.0,
            r"conspiracy theor\w*|debunk\w*|myths?|why (?:it|this|that|they) (?:is|are) (?:false|wrong)|"
            r"how (?:it|this|they) (?:is|are) wrong",
        ),
    ),
)

DRUGS = Wider(
    harm=(
        signal(
            "drugs-other-language",
            1.0,
            r"metanfetamina|methamphetamin|metamfetamina|cocaina|cocaina|kokain|heroina|heroina|"
            r"heroine|heroin|crystal meth|drogas?|drogen|drogue",
        ),
        signal(
            "drug-slang",
            1.0,
            r"percs|percocets?|addys|xans|xanax bars|fent|oxys|shrooms|eight ?ball|"
            r"(?:cop|pop|score|sell|some) (?:molly|blow|tabs)",
        ),
        signal("pills", 0.5, r"pills|tablets|powder"),
        signal(
            "into-prison",
            1.0,
            r"(?:hid(?:e|es|ing)|sneak\w*|smuggl\w*) (?:[\w']+ ){0,8}?(?:prison|jail|inmate)s?",
        ),
        signal(
            "drug-sale",
            2.0,
            r"sell\w* (?:[\w']+ ){0,5}(?:at|in|on|around) (?:the |a |my )?(?:concert|festival|rave|club|"
            r"campus|dorm|school|party)",
            also=(
                r"mushrooms|shrooms|edibles|harvest|grow tent|pills|tabs|weed|grams|ounces|"
                r"eighths?|drank|lean|syrup",
            ),
        ),
        signal(
            "pressing-or-moving",
            2.0,
            r"(?:start|get into|begin)\w* dealing|dealing (?:at|in|on) (?:raves|clubs|parties|"
            r"festivals|school|campus)",
            r"(?:fake|counterfeit|pressed) (?:oxy|oxys|xanax|adderall|percocet|percs|m30s?)\w*",
            r"press\w* (?:[\w']+ ){0,2}(?:into|in to) (?:fake |counterfeit )?(?:pills|bars|tablets)",
            r"move (?:weight|product|bricks|kilos?|keys|packs) (?:across|over|through|past)",
            r"run (?:my |the |our )?(?:drug |pill |dope |weed |coke )money through",
            r"sell me (?:some )?(?:pills|bars|tabs|weed|coke|molly|xans|percs|oxys)",
            r"(?:recruit|hire|get)\w* (?:[\w']+ ){0,3}to (?:deal|sell|push|move) (?:for me|drugs|"
            r"product|for us)",
            r"(?:crystal|ice|glass|meth) (?:from|out of|with) (?:cold|cough|allergy) (?:medicine|"
            r"pills|tablets)",
        ),
    ),
    ask=(
        signal(
            "hook-up",
            1.0,
            r"hook (?:me|us) up|(?:find|get|need) (?:me |us )?(?:a |an )?(?:plug|dealer|connect)",
            r"cocinar|kochen|herstellen|fabriquer|sintetizar|synthetiser",
        ),
    ),
    benign=(
        signal(
            "prescribed",
            1.5,
            r"(?:get|need|have|renew) (?:an? |my )?(?:[\w']+ )?prescription|for (?:my )?(?:adhd|"
            r"anxiety|pain|depression|"
            r"insomnia)|(?:my|a) doctor|pharmacist",
        ),
    ),
)


PRIVACY = Wider(
    harm=(
        signal(
            "identifiers-of-a-person",
            2.0,
            r"(?:social security|ssn|national insurance|passport) numbers? (?:of|for) (?:[\w']+ ){1,3}",
            r"(?:location|location history|whereabouts|home address) of (?:a specific|a particular|this|"
            r"that) (?:person|woman|man|girl|guy|individual)",
            r"(?:hide|put|stick|plant|slip)\w* (?:an? )?(?:airtag|tile|gps tracker|tracker) (?:in|on|under) "
            rf"(?:his |her |their |(?:my |the )?(?:{RELATION})'s )",
            rf"(?:log|logging|get|break) (?:in)?to (?:my |his |her |their )?{PERSON}'s (?:icloud|google "
            r"account|phone|email)",
            rf"{verbs('clone', 'mirror')} (?:my |his |her |their )?(?:[\w']+'s )?(?:phone|sim)",
            r"where (?:this|the|that) (?:[\w']+ ){0,2}(?:lives|works|goes to school) from",
            r"forwards? (?:his|her|their|all (?:of )?(?:his|her|their)?) ?(?:messages|texts|calls|location|"
            r"photos) to me",
        ),
        signal(
            "someone-elses-device",
            0.5,
            rf"(?:(?:{RELATION})|him|her)'s (?:phone|messages|texts|whatsapp|location|icloud|email|"
            r"snapchat|instagram|laptop|computer|car)",
            r"(?:cameras?|cams?|recorders?|mics?|microphones?) (?:in|inside) (?:my |his |her |their |the )?"
            r"(?:[\w']+'s )?(?:apartment|room|bedroom|bathroom|house|flat|changing room|shower)",
        ),
        signal(
            "private-contact",
            1.0,
            r"find (?:his|her|their) (?:employer|workplace|boss|job|school)|(?:see|read|"
            r"know) what (?:my )?(?:[\w']+ ){0,2}(?:is|are) (?:texting|messaging|saying|writing)",
            r"follow (?:someone|somebody|her|him|them|a (?:girl|woman|man|guy|person)) (?:home|"
            r"to (?:her|his|their) (?:house|home|car))",
            r"listen\w* (?:in )?to (?:my |his |her )?(?:[\w']+'s )?(?:phone )?calls|"
            r"intercept\w* (?:[\w']+'s )?calls",
            r"(?:private|personal|home|cell|mobile) (?:phone )?(?:number|address|email) of",
            r"so (?:we|i|people) can (?:protest|visit|show up|go|wait) (?:at|to|"
            r"outside) (?:their|his|her) (?:houses?|"
            r"homes?|doors?)",
            r"(?:rastrear|localizar|espiar|espionner|localiser|orten|ausspionieren|"
            r"volgen)\w* (?:[\w']+ ){0,3}"
            r"(?:celular|telefono|telefono|movil|movil|telemovel|telephone|telephone|portable|"
            r"handy|telefoon)",
        ),
    ),
    ask=(
        signal(
            "dig-up",
            1.0,
            r"pull (?:up )?(?:[\w']+ ){0,3}(?:records|logs|history|data)|dig up|get me",
        ),
        signal("blocked", 1.5, r"(?:she|he|they) blocked me", evasion=True),
        signal(
            "what-is-their",
            1.0,
            r"what(?:'s| is) (?:the |his |her )?(?:home )?(?:address|phone number|number|email|"
            r"location|schedule)",
        ),
    ),
    benign=(
        signal(
            "own-records",
            2.0,
            r"my own (?:[\w']+ ){0,2}(?:records|data|information|address|location|phone|account|"
            r"messages|photos)",
        ),
    ),
)


WIDER_PEOPLE: dict[Category, Wider] = {
    Category.FRAUD_PHISHING: FRAUD,
    Category.SEXUAL_MINORS: SEXUAL_MINORS,
    Category.HATE_HARASSMENT: HATE,
    Category.ILLEGAL_DRUGS: DRUGS,
    Category.PRIVACY_DOXXING: PRIVACY,
}
