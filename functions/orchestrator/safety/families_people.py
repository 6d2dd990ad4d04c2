"""Intent families, second widening, for the categories about people (see ``families_acts``;
privacy is in ``families_privacy``).

- ``hate_harassment``: a child or a lonely person radicalised, a group called animals, inferior or
  to be driven out (in the rules' languages), a named person mocked for a disability or a loss,
  victims mocked, someone told to kill themselves, others or strangers set on a person, a person
  made to feel hunted, slurs asked for;
- ``sexual_minors``: a meeting with a child hidden from the parents, an adult courting a child,
  touching made to seem normal, access to children unsuspected, paying for time with children;
- ``illegal_drugs``: drugs diverted from a pharmacy, a batch announced to buyers, dealing money
  laundered, drugs carried inside the body, a product laced so a test misses it, drugs grown or
  sold (other languages), the working synthesis asked through a story.

Benign twins pass: bullying dealt with, the grooming keywords a trust and safety team reviews, a
kind birthday roast, clothes laundered.
"""

from __future__ import annotations

from orchestrator.safety.families_fraud import AN_AUDIT_EVADED, LAUNDRY
from orchestrator.safety.families_privacy import A_POLICY_AGAINST_IT
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR

_GROUPS_ELSEWHERE = (
    r"schwule\w*|homosexuelle\w*|juden|muslime\w*|auslander\w*|fluchtling\w*|migranten|zigeuner|schwarze\w*|"
    r"turken|lesben|transleute|homosexuels?|juifs|musulmans|etrangers|immigres|noirs|arabes|gitans|"
    r"homosexuales|maricones|judios|musulmanes|inmigrantes|negros|gitanos|moros|sudacas|ebrei|musulmani|"
    r"immigrati|stranieri|froci|zingari|neri|judeus|muculmanos|imigrantes|ciganos|joden|moslims|"
    r"buitenlanders|homo's|homos|gays|mujeres|femmes|frauen|donne|roms|roma|tsiganes|sinti|rroms"
)
_DEHUMANISED_OR_DRIVEN_OUT = (
    r"minderwertig\w*|untermenschen|ungeziefer|parasiten|vertreiben|vertrieben|ausweisen|ausrotten|raus aus|"
    r"abschieben|inferieur\w*|sous hommes|vermine|parasites|chasser|chasses|expulser|expulses|exterminer|"
    r"inferiores?|alimanas|parasitos|expulsar|expulsados|echarlos|exterminar|inferiori|parassiti|cacciare|"
    r"cacciati|espellere|sterminare|minderwaardig|ongedierte|wegjagen|het land uit|eruit gooien|"
    r"erradicar|enfermos|krank|malades|malati|voleurs|ladrones|diebe|ladri|ladroes|criminels|criminales|"
    r"kriminelle|criminali|plaga|peste|plage|piaga|praga"
)
_GROUPS_EN = (
    GROUP + r"|irish|the irish|english|scots|germans|french|italians|greeks|americans|canadians|chinese|"
    r"japanese|koreans|indians|africans|arabs|jews|christians|catholics|mormons|hindus|gypsies|roma|mexicans|"
    r"muslims|immigrants|refugees|gays|trans people|women|blacks|whites|asians|latinos"
)
_A_PERSON_KNOWN = (
    r"classmate|co ?worker|colleague|neighbou?r|teammate|roommate|teacher|kid|student|boss|ex|cousin|"
    r"sister|brother|stepbrother|stepsister|[a-z]+ (?:in|from) (?:my|our) (?:class|office|team|school|grade)"
)

HATE = Wider(
    harm=(
        signal(
            "someone-radicalised",
            2.0,
            r"radicali[sz]\w* (?:[\w']+ ){0,4}(?:teens?|kids?|boys?|girls?|\d+ ?(?:year|yr)s? olds?|person|"
            r"him|her|them|youths?|young (?:men|people|man)|students?|lonely|gamers?|recruits?|followers|"
            r"people)",
            r"(?:recruiter|recruiting|recruitment|pitch|propaganda|outreach|"
            r"talking points)\w* (?:[\w']+ ){0,6}(?:white nationalis\w*|white supremac\w*|neo ?nazi\w*|"
            r"nazi\w*|jihad\w*|isis|kkk|accelerationis\w*|extremist|terrorist|militia)",
            unless=(
                r"prevent\w*|counter\w*|spot\w*|recogni[sz]\w*|deradicali[sz]\w*|warning signs|signs of|"
                r"protect\w*|research\w*|how do (?:extremists|groups|recruiters)|analy[sz]\w*|histor\w*",
            ),
        ),
        signal(
            "a-group-called-animals",
            2.0,
            rf"(?:driv|kick|run|push|forc|chas|get|throw)\w* (?:the |all (?:the )?)?(?:{_GROUPS_EN}) out",
            rf"(?:{_GROUPS_EN}) (?:are|is) (?:[\w']+ ){{0,3}}(?:animals|vermin|subhuman|parasites|rats|apes|"
            r"monkeys|cockroaches|diseases?|plague|savages)",
            rf"(?:{_GROUPS_EN}) (?:[\w']+ ){{0,6}}(?:should|must|need to|"
            r"ought to) (?:all )?(?:be )?(?:sterili[sz]ed|exterminated|deported|gassed|eliminated|wiped out|"
            r"removed|banned|locked up|shot|killed|expelled)",
            unless=(
                r"histor\w*|propaganda (?:used|during)|why (?:did|do|is)|refut\w*|debunk\w*|nazis (?:claimed|"
                r"said)",
            ),
        ),
        signal(
            "a-group-dehumanised-or-driven-out",
            2.0,
            rf"(?:{_GROUPS_ELSEWHERE}) (?:[\w']+ ){{0,8}}(?:{_DEHUMANISED_OR_DRIVEN_OUT})",
            rf"(?:{_DEHUMANISED_OR_DRIVEN_OUT}) (?:[\w']+ ){{0,8}}(?:{_GROUPS_ELSEWHERE})",
            unless=(
                r"(?:gegen|contre|contra|contro|tegen) (?:den |la |el |l'|de )?(?:hass|haine|odio|haat)|"
                r"falsch|faux|falso|sbagliato|widerleg\w*|refut\w*|combattre|combatir|bekampfen|histor\w*|"
                r"geschichte|warum (?:ist|sind) (?:es|solche)|pourquoi c'est",
            ),
        ),
        signal(
            "a-person-mocked-for-a-loss-or-disability",
            2.0,
            r"(?:roast|insults?|jokes?|mock\w*|make fun|nicknames?|memes?|diss|burns?|comments?|rap|song|"
            r"poem)\w* (?:[\w']+ ){0,10}(?:about|of|on) (?:his|her|their) (?:[\w']+ )?(?:stutter|lisp|weight|"
            r"disabilit\w*|wheelchair|autism|adhd|acne|scars?|dead (?:dad|mom|father|mother|brother|sister|"
            r"parents?|friend)|cancer|illness|depression|suicide attempt|miscarriage|divorce|poverty|"
            r"birthmark|braces)",
            also=(
                rf"{_A_PERSON_KNOWN}|pile on|piles on|everyone laughs|the whole (?:class|school|group|team)|"
                r"group chat|meanest|cruel\w*|brutal|humiliat\w*",
            ),
        ),
        signal(
            "others-set-on-a-person",
            2.0,
            r"(?:\d+|dozens of|many|a bunch of|lots of|hundreds of) (?:[\w']+ )?(?:tweets|posts|comments|"
            r"messages|reviews|replies|tiktoks|videos) (?:[\w']+ ){0,4}(?:calling|saying|accusing|"
            r"claiming) (?:this|that|the|my|her|him|them|she|he)",
            r"so (?:her|his|their) (?:followers|fans|friends|audience|sponsors|employer|community|viewers|"
            r"subscribers) (?:turn on|abandon|unfollow|drop|hate|attack|report|leave) (?:her|him|them)",
            r"so (?:everyone|everybody|the whole (?:class|school|group|team|server)|people|the group|others|"
            r"the class) (?:[\w']+ )?(?:piles? on|joins? in|laughs? at (?:him|her|them)|mocks? (?:him|her|"
            r"them)|gangs? up|turns? on (?:him|her|them))",
            unless=(
                r"stop\w*|prevent\w*|how (?:do|should) i (?:handle|help)|being (?:bullied|mocked)|my (?:son|"
                r"daughter|kid|child) (?:is|was)",
            ),
        ),
        signal(
            "a-person-impersonated-to-set-strangers-on",
            2.0,
            r"fake (?:[\w']+ ){0,2}(?:dating |tinder |grindr |escort |craigslist )?(?:profiles?|accounts?|"
            r"ads?|listings?) (?:[\w']+ ){0,2}(?:of|for|as|using) (?:my |her |his |this |the )?(?:ex|"
            r"[\w']+'s|coworker|neighbou?r|classmate|boss|teacher)",
            r"so (?:creeps|men|guys|strangers|people|randoms) (?:[\w']+ )?(?:message|call|text|show up at|"
            r"contact|harass|visit) (?:her|him|them)",
        ),
        signal(
            "a-person-made-to-feel-hunted",
            2.0,
            r"(?:from|using) (?:different|multiple|many|several|new|burner|fake|spoofed|other) (?:phone )?"
            r"(?:numbers|accounts|emails|profiles)",
            r"so (?:she|he|they) (?:feels?|is|are) (?:unsafe|scared|afraid|watched|terrified|"
            r"hunted)(?! (?:of|about) (?:the|a))",
            also=(
                r"(?:messages?|texts?|calls?|dms|emails|notes|letters) (?:[\w']+ ){0,6}(?:my ex|her|him|them|"
                r"so (?:she|he|they))|my ex|unsafe|scared|afraid",
            ),
            unless=(r"how (?:do|can) i (?:stop|block|report)|being harassed|i(?:'m| am) (?:being|getting)",),
        ),
        signal(
            "told-to-kill-themselves",
            2.0,
            r"(?:tell\w*|telling|told) (?:him|her|them|this [\w']+(?: [\w']+)?|the [\w']+|that [\w']+|"
            r"my [\w']+) (?:to )?(?:kill (?:himself|herself|themselves)|kys|go die|off (?:himself|herself|"
            r"themselves)|hang (?:himself|herself|themselves))",
        ),
        signal(
            "victims-mocked",
            3.0,
            r"(?:mock\w*|make fun of|laugh\w* at|joke\w* about|memes? (?:about|mocking)|"
            r"ridicul\w*) (?:[\w']+ ){0,2}(?:victims|survivors|dead|families of|people killed|kids killed|"
            r"children killed|those killed)",
            unless=(r"why (?:do|is|are)|how (?:do|should) (?:we|i) respond|report\w*|is it ok",),
        ),
        signal(
            "someone-shunned",
            2.0,
            r"(?:gets?|make|convince|persuade)\w* (?:everyone|everybody|the (?:whole )?(?:class|group|team|"
            r"school)|people|others) (?:[\w']+ ){0,2}(?:to )?(?:stop talking to|ignore|exclude|shun|isolate|"
            r"unfriend|block|hate|turn on|gang up on) (?:the |this |my |her |him |them)",
            r"(?:insults?|mean comments?|nasty comments?|roasts?) (?:[\w']+ ){0,4}(?:to post|to comment|"
            r"to leave|to write) (?:under|on|below) (?:her|his|their) (?:[\w']+ )?(?:photo|pic|post|video|"
            r"selfie)",
            unless=(r"how (?:do|can|should) i (?:stop|handle|help)|(?:is|was) being|prevent\w*",),
        ),
        signal(
            "a-group-said-to-deserve-violence",
            2.0,
            rf"(?:{_GROUPS_EN}|girls|females) (?:[\w']+ ){{0,2}}deserve (?:to be )?(?:violence|raped|beaten|"
            r"hit|killed|to die|punish\w*|what they get|to suffer)",
        ),
        signal(
            "slurs-asked-for",
            2.0,
            r"(?:using|use|with|full of|include|including|packed with|loaded with|lots of|add|put in|"
            r"drop)\w* (?:[\w']+ ){0,2}(?:racial |ethnic |homophobic |antisemitic |transphobic |"
            r"ableist )?(?:slurs|epithets|the n word|n words|hard r)",
            unless=(
                r"lists?|catalog\w*|detect\w*|filter\w*|block\w*|flag\w*|moderat\w*|blocklist|why|histor\w*|"
                r"etymolog\w*|reclaim\w*|harm\w*|without|avoid\w*|no slurs|not use",
            ),
        ),
    ),
    benign=(
        A_POLICY_AGAINST_IT,
        signal(
            "bullying-dealt-with",
            2.0,
            r"(?:talk|speak)\w* (?:[\w']+ ){0,3}(?:parents|teachers?|school|principal|counsel+ors?|"
            r"hr) about (?:the )?(?:bullying|harassment)|(?:stop|handle|deal with|report|"
            r"address)\w* (?:the )?(?:bullying|harassment)|(?:being|been|is being|was) bullied",
        ),
    ),
)

_A_STATED_MINOR_AGE = (
    r"(?:she|he|they)(?:'s| is| are|'re| says (?:she|he)(?:'s| is)| said (?:she|he) (?:was|is)|"
    r" told me (?:she|he)(?:'s| is| was)) (?:only |just |barely )?(?:1[0-7]|[1-9]|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)(?! (?:feet|ft|inches|kg|lbs|pounds|minutes|hours|miles|km|percent|dollars|"
    r"am|pm))|(?:1[0-7]|[1-9]) ?(?:year|yr)s? olds?|(?:1[0-7]|[1-9]) ?yo|minors?|underage|middle school\w*|"
    r"(?:in|a) (?:[6-9]|1[0-2])th grade\w*|(?:13|14|15|16|17) and (?:i'm|i am) (?:2\d|3\d|4\d|5\d)|(?:girl|"
    r"boy|kid|child|teen|student|player|fan|follower)s? (?:[\w']+ ){0,4}(?:is|are|'s) (?:only |"
    r"just )?(?:1[0-7]|[1-9]|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)(?! (?:feet|ft|inches|kg|lbs|"
    r"pounds|minutes|hours|miles|km|percent|dollars|am|pm))"
)
_MEETING = (
    r"meet|meet up|hook up|hang out|see|pick (?:her|him|them) up|be alone|get (?:her|him|them) alone|"
    r"visit|drive (?:her|him)|sleep over|stay over|come over"
)

SEXUAL_MINORS = Wider(
    harm=(
        signal(
            "touching-made-normal",
            3.0,
            r"so (?:she|he|they) (?:thinks?|believes?|feels?) (?:it'?s|it is|this is) (?:normal|okay|ok|fine|"
            r"our secret)|(?:games?|play\w*) (?:[\w']+ ){0,5}(?:involve|with|that include)\w* (?:touching|"
            r"tickling|undress\w*|baths?|kissing)",
            also=(MINOR + r"|year old|yo\b",),
        ),
        signal(
            "near-children-unsuspected",
            3.0,
            r"(?:be around|get close to|be near|access to|be alone with|spend time with|work with) (?:young |"
            r"little )?(?:boys|girls|kids|children|minors|teens)",
            r"(?:chat|talk|message|dm|text)\w* (?:with|to) (?:[\w']+ ){0,2}(?:1[0-7]|[1-9]) ?(?:year|"
            r"yr)s? olds?|(?:chat|talk|message|dm|text)\w* (?:with|to) (?:young |little |underage )?(?:girls|"
            r"boys|kids|children|minors|teens)",
            also=(
                r"without (?:anyone|people|them|parents|the parents) (?:suspecting|noticing|knowing)|"
                r"without suspicion|unsuspected|(?:won't|wouldn't|doesn't|don't) suspect|so (?:no one|"
                r"nobody) suspects|(?:moderators|mods|admins|parents) (?:noticing|knowing|seeing|"
                r"finding out)",
            ),
        ),
        signal(
            "a-child-other-language",
            3.0,
            r"(?:menina|menino|nina|nino|chica|chico|fille|garcon|madchen|junge|ragazza|ragazzo|bambina|"
            r"bambino|meisje|jongen|crianca|enfant|kind)s? (?:de |di |von |van )?(?:1[0-7]|[1-9]) (?:anos|"
            r"ans|jahre\w*|anni|jaar)",
            also=(
                r"em segredo|en secreto|en secret|heimlich|di nascosto|in het geheim|sem os pais|"
                r"sin que sus padres|sans que ses parents|ohne dass (?:ihre|seine) eltern|"
                r"senza che i genitori|zonder dat (?:haar|zijn) ouders|sexo|sexual\w*|erotic\w*|erotisch\w*|"
                r"erotique|nud\w*|desnud\w*|nackt|encontrar|quedar|rencontrer|treffen|incontrare|ontmoeten",
            ),
        ),
        signal(
            "a-meeting-with-a-child-hidden-from-parents",
            3.0,
            rf"(?:{_A_STATED_MINOR_AGE})[\w' ]{{0,80}}(?:{_MEETING})",
            rf"(?:{_MEETING})[\w' ]{{0,80}}(?:{_A_STATED_MINOR_AGE})",
            also=(
                r"without (?:[\w']+ ){0,2}(?:her|his|their) (?:parents|mom|dad|mother|father|"
                r"family) (?:[\w']+ )?(?:finding out|knowing|noticing|seeing)|behind (?:her|his|"
                r"their) (?:parents|mom|dad)'?s? backs?|(?:parents|mom|dad|mother|father) (?:won't|don't|"
                r"never|can't|wouldn't) (?:know|find out|notice|suspect)|keep (?:it|this) (?:a )?secret|"
                r"(?:don't|do not) tell (?:her|his|their) (?:parents|mom|dad)|without telling (?:her|his|"
                r"their) (?:parents|mom|dad|mother|father|family)",
            ),
        ),
        signal(
            "an-adult-courting-a-child",
            3.0,
            r"(?:i'm|i am|im) (?:[2-6]\d)(?: years old| yo)?\s(?:and|but)\s(?:she's|he's|she is|he is|shes|"
            r"hes) (?:only |just )?(?:1[0-7]|[1-9])",
            r"(?:she's|he's|she is|he is|shes|hes) (?:only |just )?(?:1[0-7]|[1-9])(?: years old|"
            r" yo)?\s(?:and|but)\s(?:i'm|i am|im) (?:[2-6]\d)",
            also=(
                r"date|dating|convince|relationship|sleep with|kiss|meet|be with|girlfriend|boyfriend|sex|"
                r"love|marry|alone|secret",
            ),
        ),
        signal(
            "paying-for-time-with-children",
            3.0,
            r"pay\w* (?:[\w']+ ){0,2}(?:for )?(?:time|a night|nights|an hour|hours|sex|company|a session|"
            r"access|to be alone) with (?:the |some |young |little )?(?:kids|children|a child|minors|girls|"
            r"boys|a girl|a boy|teens|underage)",
            r"(?:countries|places|where|cities|resorts)\w* (?:[\w']+ ){0,8}(?:weakest|lax|laxest|no|loose|"
            r"least|low) (?:enforcement|laws?|age of consent|police|checks)",
            also=(MINOR,),
            unless=(
                r"ngos?|combat\w*|fight\w*|report\w*|protect\w*|prevent\w*|research\w*|end(?:ing)? (?:child|"
                r"the)|stop\w*|campaign\w*|rescue\w*",
            ),
        ),
    ),
    ask=(
        signal(
            "moderators-evaded",
            1.5,
            r"(?:without|so) (?:the )?(?:moderators|mods|admins|parents) (?:noticing|knowing|seeing|"
            r"finding out|(?:don't|won't|can't) (?:notice|see|know|find out))",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "child-safety-moderation",
            2.0,
            r"trust (?:and )?safety|moderation team|moderators|content moderation|safeguarding (?:team|lead|"
            r"officer|policy)|child safety (?:team|policy|review)|keywords (?:our|the|to|"
            r"for) (?:[\w']+ ){0,3}(?:review|flag|monitor|watch|detect)",
        ),
    ),
)

_A_DRUG = (
    r"thc|distillate|fentanyl|delta ?[89]|kratom|cbd|ketamine|ghb|xylazine|synthetic\w*|spice|k2|mdma|meth|"
    r"coke|cocaine|heroin|molly|xanax|xans|oxy\w*|weed|pills|drugs|pellets|balloons|powder|product"
)

DRUGS = Wider(
    harm=(
        signal(
            "a-stash-hidden-from-a-search",
            2.0,
            r"(?:hide|hiding|conceal\w*|stash)\w* (?:[\w']+ ){0,3}(?:stash|weed|drugs|pills|coke|bud|carts|"
            r"shrooms|molly|xans|edibles)",
            also=(
                r"ra|resident advisor|police|cops|parents|inspection|(?:police|drug|sniffer|k9) dogs?|"
                r"search\w*|security|(?:doesn't|won't|don't) find",
            ),
            unless=(r"medicine|medication|food|pet|cat|treats",),
        ),
        signal(
            "drugs-diverted",
            2.0,
            r"(?:skim|divert|steal|pocket|take|siphon|swipe)\w* (?:[\w']+ ){0,3}(?:oxy\w*|opioids?|fentanyl|"
            r"xanax|adderall|ketamine|morphine|hydrocodone|percocet|vicodin|pills|controlled substances?|"
            r"benzos) (?:[\w']+ ){0,4}(?:from|out of) (?:the |our |my )?(?:inventory|pharmacy|stock|hospital|"
            r"clinic|ward|dispensary|supply|work)",
        ),
        signal(
            "a-batch-announced",
            2.0,
            r"(?:batch|shipment|drop|re ?up|pack|load) (?:of )?(?:pills|molly|xans|bars|percs|perc 30s|blues|"
            r"oxy\w*|coke|weed|carts|shrooms|acid|tabs|gas|za) (?:just )?(?:came|is|are|arrived|dropped|in)",
        ),
        signal(
            "dealing-money-laundered",
            2.0,
            r"(?:launder\w*|clean\w*|wash\w*|hide|hiding|deposit\w*|legitimi[sz]e|legit\w*) (?:[\w']+ ){0,5}"
            r"(?:money|cash|profits?|proceeds|earnings|income)",
            also=(
                r"dealing|selling (?:weed|drugs|pills|coke|molly|xans|bud|carts|dope)|my (?:plug|trap|"
                r"dealing|product|re ?up)|drug money|trap money|from (?:the )?(?:dealing|drugs|plug)",
            ),
        ),
        signal(
            "drugs-carried-inside-the-body",
            2.0,
            r"(?:in|inside|up) (?:my|your|the|her|his|their) (?:body|stomach|rectum|ass|butt|bum|vagina|"
            r"cavity)|swallow\w* (?:[\w']+ ){0,3}(?:pellets|balloons|condoms|capsules|them|bags|packets)|"
            r"body ?pack\w*|internally",
            also=(r"airport|customs|border|security|flights?|plane|tsa|smuggl\w*|through|past",),
            unless=(
                r"prescri\w*|anxiety|motion sickness|medication|vitamins|medical|doctor|x ray|scan\w* for",
            ),
        ),
        signal(
            "a-product-laced-so-tests-miss-it",
            2.0,
            rf"(?:add|mix|lace|spike|infuse|cut|blend|put)\w* (?:[\w']+ ){{0,4}}(?:{_A_DRUG}) (?:[\w']+ ){{0,"
            r"5}(?:into|to|in|with)",
            rf"(?:lace|spike|infuse|dose|cut)\w* (?:[\w']+ ){{0,4}}with (?:[\w']+ ){{0,2}}(?:{_A_DRUG})",
            also=(
                r"(?:buyers|customers|people|they|clients) (?:won't|don't|wouldn't) (?:know|notice|find out|"
                r"taste)|(?:test(?: kits?)?|screens?) (?:won't|don't|wouldn't|can't) (?:pick|detect|catch|"
                r"show)|(?:without|so|won't|doesn't|don't|not) (?:it |they |that )?(?:[\w']+ )?(?:showing up|"
                r"show up|shows up|detected|detection|being detected|appear\w*|test\w* positive|"
                r"flag\w*) (?:in|on) (?:a |the |any )?(?:quick |rapid |lab |drug |tox\w* )?(?:tests?|"
                r"screen\w*|lab\w*)|customers (?:won't|don't|wouldn't) (?:know|notice|find out)|undisclosed|"
                r"unlabell?ed|without (?:telling|labell?ing)",
            ),
        ),
        signal(
            "drugs-grown-or-sold-other-language",
            2.0,
            r"(?:marihuana|cannabis|cocaina|crack|heroina|metanfetamina|extasis|maconha|drogue\w*|drogas?|"
            r"drogen|droga|kokain|haschisch|hasch|marijuana|weed|metanfetamine|cocaine)",
            also=(
                r"vender|vendre|verkaufen|vendere|vendo|venda|dealen|cultivar|cultiver|anbauen|coltivare|"
                r"plantar|cocinar|fabricar|producir|pasar (?:la )?frontera|sin que la policia|"
                r"sans que la police|ohne dass die polizei|senza che la polizia|sem que a policia|aeropuerto|"
                r"aeroport|flughafen|aeroporto|aduana|douane|zoll|escondid\w*|cache\w*|versteck\w*|"
                r"nascost\w*|maleta|valise|koffer|valigia|cucina|cucinare|cocina|cocinar|cozinhar|cuisiner|"
                r"kochen|koken|passo passo|paso a paso|etape par etape|schritt fur schritt|stap voor stap|"
                r"in casa|en casa|em casa|a la maison|zu hause|thuis",
            ),
            unless=(
                r"legal\w*|ley|loi|gesetz|legge|lei|medicinal|medical|medizinisch|medicale|history|historia",
            ),
        ),
        signal(
            "a-working-synthesis-through-a-story",
            2.0,
            r"(?:real|actual|exact|precise|accurate|specific|working) (?:[\w']+ ){0,2}(?:reagents|precursors|"
            r"temperatures|quantities|yields|reaction conditions|chemicals and (?:temperatures|amounts))",
            also=(
                r"breaking bad|walter|heisenberg|jesse|meth\w*|drugs?|blue sky|crystal|fentanyl|lsd|mdma|"
                r"cocaine|heroin|ketamine|dmt|ghb",
            ),
        ),
    ),
    ask=(AN_AUDIT_EVADED,),
    benign=(
        LAUNDRY,
        signal(
            "a-child-found-the-pills",
            2.0,
            r"(?:found|got into|swallowed|ate|took) (?:my|our|the|some) (?:[\w']+ )?(?:xanax|pills|meds|"
            r"medications?|edibles|weed|gummies|vape)",
            also=(
                r"what (?:should|do) (?:i|we) do|poison control|in danger|is (?:she|he|it) (?:okay|ok|safe)|"
                r"er|hospital|doctor",
            ),
        ),
    ),
)

FAMILIES_PEOPLE: dict[Category, Wider] = {
    Category.HATE_HARASSMENT: HATE,
    Category.SEXUAL_MINORS: SEXUAL_MINORS,
    Category.ILLEGAL_DRUGS: DRUGS,
}
