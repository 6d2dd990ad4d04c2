"""Intent families, second widening, for fraud (see ``families_acts``): documents forged to pass a
check (an ID's hologram, a pay stub a landlord verifies, a fake employer for a loan), a message
dressed as a bank, a brand or a tax office asking for a card, a code or a login, in any of the
rules' languages; pages cloned to harvest logins; the boss's gift-card request; an invoice
redirected to the asker's account; a token launched to be rugged; a cause invented for donations;
cards cloned, found or tested; credit opened in another person's name; money mules; reviews faked
at scale or against a rival; refunds without returns.

Benign twins pass: a scam explained to a grandmother, a phishing awareness simulation, an executor
filing a late father's tax return, clothes laundered.
"""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import RELATION

_DOCUMENT = (
    r"letterheads?|warrants?|summons|subpoenas?|court orders?|badges?|employers?|employment history|"
    r"pay history|income|work history|credit history|(?:driver'?s? )?licen[cs]es?|ids?|id cards?|passports?|"
    r"pay ?stubs?|payslips?|bank statements?|diplomas?|degrees?|transcripts?|doctor'?s? notes?|sick notes?|"
    r"utility bills?|w2s?|w 2s?|1099s?|tax returns?|visas?|green cards?|residence permits?|"
    r"birth certificates?|vaccination cards?|employment letters?|references?|insurance cards?|"
    r"proof of (?:income|address|employment)"
)
_BRAND = (
    r"poste italiane|poste|intesa|unicredit|postbank|nubank|mercado pago|ameli|agenzia delle entrate|"
    r"finanzamt|hacienda|impots|chase|wells fargo|bank of america|citi\w*|barclays|hsbc|santander|lloyds|"
    r"natwest|revolut|monzo|paypal|venmo|cash ?app|zelle|amazon|apple|icloud|microsoft|office 365|outlook|"
    r"netflix|google|gmail|facebook|instagram|whatsapp|dhl|fedex|ups|usps|royal mail|irs|hmrc|coinbase|"
    r"binance|metamask|ebay|steam|la poste|correos|sparkasse|volksbank|deutsche bank|ing|bbva|caixa|bradesco|"
    r"itau|(?:the |a |my |your |their |el |la |le |die |der |il |o )?(?:bank|banco|banque|banca|their bank|"
    r"tax office|post office)"
)
_POSING = (
    r"(?:looks?|look|sounds?|appears?|seems?) (?:exactly |just |totally )?like (?:it(?:'s| is| comes?| "
    r"came)|it's coming) from|(?:pretending|claiming) to be|posing as|impersonat\w*|in the name of|"
    r"che sembri di|che sembra di|sembrare di|que pareca de|que parezca de|qui semble venir de|die aussieht "
    r"wie von|fingendo ser|fingindo ser|fingiendo ser|fingendo di essere|si fa passare per|"
    r"im namen (?:von|der|des)|en nombre de|au nom de|a nome di|em nome de|"
    r"como si (?:fuera|viniera) de|comme si (?:ca |c'etait |il )?(?:venait|etait) de|als ob (?:es|sie) von|"
    r"come se (?:fosse|venisse) d[ai]|como se (?:fosse|viesse) d[aeo]|"
    r"de la part (?:de|des|du)|haciendome pasar por|hacerme pasar por|haciendose pasar por|pasar por|"
    r"me faisant passer pour|se "
    r"faisant passer pour|mich als (?:[\w']+ ){0,2}ausgeben|fingendo di essere|fingendomi|passando(?: me)? "
    r"por|fazendo me passar por|als (?:die|de) (?:bank|paypal)"
)
_WHAT_THEY_HAND_OVER = (
    r"dati della carta|dati bancari|dati di accesso|dados do cartao|dados bancarios|codice|card numbers?|"
    r"card details|pin|pins|cvv|login|logins|password|passwords|verification codes?|one time (?:code|"
    r"password)|otp|2fa codes?|security codes?|codigo de verificacion|codigo|code|codes|anmelden|einloggen|"
    r"log in|sign in|link|lien|enlace|bank details|account numbers?|ssn|seed phrase|contrasena|senha|"
    r"mot de passe|passwort|kontodaten|datos bancarios|coordonnees bancaires|gesperrt|bloqueada|bloquee|"
    r"suspend\w*|locked"
)

AN_EXECUTORS_PAPERWORK = signal(
    "an-executor's-paperwork",
    2.0,
    r"executor|(?:late|deceased) (?:father|mother|dad|mom|husband|wife|parent|spouse)'?s? (?:estate|"
    r"tax|return|will|accounts?)|power of attorney|estate (?:tax|return|paperwork)",
)

LAUNDRY = signal(
    "laundry",
    2.0,
    r"launder\w* (?:[\w']+ ){0,3}(?:clothes|clothing|shirts?|sheets|towels|laundry|fabric|jeans|uniforms?|"
    r"linens?|bedding|sweaters?|jackets?|hoodies?|socks|wool|silk|delicates)",
)

AN_AUDIT_EVADED = signal(
    "an-audit-evaded",
    1.5,
    r"without (?:the |an |any |my |our )?(?:audits?|auditors?|inventory counts?|counts?|checks?|reviews?|"
    r"inspections?|reconciliations?|accountants?|compliance) (?:catching|noticing|finding|flagging|showing|"
    r"picking|spotting)",
    evasion=True,
)


FRAUD = Wider(
    harm=(
        signal(
            "a-document-forged-to-pass",
            2.0,
            rf"(?:fake|forged?|forging|counterfeit|novelty|replica|doctored|edited|photoshopped|phony|bogus) "
            rf"(?:[\w']+ ){{0,2}}(?:{_DOCUMENT})",
            r"(?:photoshop|doctor|alter|edit|tweak|fudge|fabricat|forg|fak)\w* (?:me )?(?:a |an |the |my |"
            rf"some |his |her )?(?:[\w']+ )?(?:{_DOCUMENT})",
            rf"(?:{_DOCUMENT}) (?:[\w']+ ){{0,6}}(?:will|would|could) (?:believe|think|accept|buy) (?:it'?s |"
            r"is |as )?(?:real|genuine|legit|authentic)",
            r"(?:fake|forge|copy|replicate|reproduce|clone|print)\w* (?:the )?(?:holograms?|uv (?:features?|"
            r"ink|marks?)|watermarks?|microprint\w*|barcodes?|magnetic strips?|security features?)",
            also=(
                r"pass\w*|accept\w*|fool\w*|get past|slip past|scanners?|bouncers?|verif\w*|"
                r"background checks?|look real|looks real|look legit|looks legit|landlords?|lenders?|"
                r"employers?|banks?|which sites|where (?:can|do) i|material list|materials|approv\w*|believe|"
                r"hr|owes?|payable|fine|bitcoin|gift cards?",
            ),
            unless=(
                r"spot\w*|detect\w*|recogni[sz]\w*|how (?:do|can) (?:i|we|you) tell|verify (?:that|if|"
                r"whether|them|it|income)|caught|catch|screen\w* for|flag\w*|red flags|property manager|"
                r"underwrit\w*",
            ),
        ),
        signal(
            "dressed-as-a-bank-or-brand",
            2.0,
            rf"(?:{_POSING}) (?:[\w']+ ){{0,3}}(?:{_BRAND})",
            rf"(?:calling|texting|messaging|emailing|call|text|message|email) (?:them|him|her|people|someone|"
            rf"users|victims|customers) as (?:[\w']+ )?(?:{_BRAND})",
            r"(?:emails?|letters?|texts?|sms|messages?|notices?|call scripts?|"
            rf"alerts?)\w* (?:[\w']+ ){{0,2}}from (?:the )?(?:{_BRAND})",
            rf"fake (?:{_BRAND}) (?:[\w']+ )?(?:emails?|messages?|notifications?|alerts?|letters?|texts?|"
            r"pages?)",
            also=(_WHAT_THEY_HAND_OVER + r"|credential page|rebate|refund|redelivery fee|fee at my link",),
            unless=(
                r"spot\w*|recogni[sz]\w*|detect\w*|warn\w*|training|awareness|simulation|report\w*|"
                r"is (?:this|it) (?:real|legit\w*|a scam|genuine|safe)|(?:i|we) (?:got|received|just got)|"
                r"summari[sz]e|never (?:to )?(?:share|give|send|enter|reveal)|remind\w*|(?:won't|will never|"
                r"would never) ask|(?:don't|do not) share",
            ),
        ),
        signal(
            "a-relative-impersonated-for-money",
            2.0,
            r"(?:als ob ich|as if i (?:was|were)|pretending to be|posing as|como si fuera|comme si j'etais|"
            r"come se fossi|como se eu fosse|alsof ik) (?:der |die |el |la |le |il |the |their |your |his |"
            r"her |o |a |de )?(?:sohn|tochter|enkel\w*|son|daughter|grandson|granddaughter|kid|child|nephew|"
            r"niece|hijo|hija|nieto|nieta|fils|fille|petit fils|petite fille|figlio|figlia|nipote|filho|"
            r"filha|neto|neta|zoon|dochter|kleinzoon)",
            also=(
                r"money|geld|dinero|argent|soldi|dinheiro|urgent\w*|dringend|urgente|transfer\w*|uberweis\w*|"
                r"pay|bezahl\w*|new (?:phone|number)|neues handy|neue nummer|nuevo (?:movil|numero)|nouveau "
                r"(?:numero|telephone)|nuovo (?:numero|telefono)|bail|wire",
            ),
        ),
        signal(
            "one-thing-sold-to-many",
            2.0,
            r"(?:sell|resell)\w* (?:the same|one|a single) (?:[\w']+ ){0,2}(?:tickets?|items?|car|apartment|"
            r"puppy|ps5|listing|rooms?) (?:to|multiple|many|several|twice)|(?:same|"
            r"one) (?:[\w']+ )?(?:tickets?|items?) to (?:multiple|many|several|two|different) (?:buyers|"
            r"people)",
        ),
        signal(
            "a-claim-made-up",
            2.0,
            r"(?:insurance|insurer|claim|adjuster)",
            also=(
                r"(?:when|but|though) (?:i|we) (?:actually|really) (?:sold|crashed|burned|broke|lost|gave|"
                r"hid|damaged)|(?:staged?|fake|faked|made up|fabricated|exaggerat\w*|inflat\w*|"
                r"pad\w*) (?:[\w']+ ){0,2}(?:accident|theft|burglary|injury|claim|damage|fire|receipts?|"
                r"losses)|convincing story",
            ),
            unless=(r"spot\w*|detect\w*|investigat\w*|red flags|how do insurers",),
        ),
        signal(
            "documents-forged-other-language",
            2.0,
            r"(?:documentos?|papeles|nominas?|certificados?|recibos?|dokumente|papiere|gehaltsabrechnung\w*|"
            r"documents?|fiches de paie|bulletins? de salaire|documenti|buste paga|comprovantes?|"
            r"holerites?) (?:[\w']+ ){0,3}(?:falsos?|falsas?|falsch\w*|faux|fausses?|falsi|false|"
            r"gefalscht\w*|falsificad\w*)",
            r"(?:falsos?|falsas?|faux|fausses?|gefalschte\w*|falsi|false|"
            r"falsificad\w*) (?:[\w']+ ){0,2}(?:documentos?|papeles|nominas?|certificados?|dokumente|papiere|"
            r"documents?|fiches de paie|documenti|comprovantes?)",
            unless=(r"detect\w*|detectar|erkennen|reconnaitre|riconoscere|reconhecer|identificar",),
        ),
        signal(
            "paid-first-then-gone",
            2.0,
            r"(?:pay|send|zelle|venmo|cash ?app)\w* (?:[\w']+ ){0,4}first (?:[\w']+ ){0,4}(?:then|"
            r"and then) (?:i'll |i will |i |we'll |we )?(?:block|ghost|disappear|delete|never (?:send|ship))",
            r"(?:take|get|collect) (?:the |their )?(?:money|payment|deposit)s? and (?:then )?(?:block|ghost|"
            r"disappear|never ship)",
        ),
        signal(
            "live-card-numbers-made",
            2.0,
            r"(?:generate|make|create)\w* (?:[\w']+ ){0,3}(?:valid|working|real|live|valid looking|"
            r"real looking)\w* (?:[\w']+ ){0,2}(?:credit |debit )?card numbers?",
            also=(r"cvv|expiry|passes|checks|works|charge|checkout|buy|free trials?",),
            unless=(r"test\w*|sandbox|dummy|mock|fixture|qa|development|luhn",),
        ),
        signal(
            "the-boss's-wire-request",
            2.0,
            r"(?:emails?|messages?|texts?|notes?)\w* (?:[\w']+ ){0,2}(?:from|as|pretending to be) (?:our|the|"
            r"my) (?:ceo|cfo|boss|director|owner|president|controller|cto|coo)",
            also=(
                r"(?:wire|transfer)\w* (?:[\w']+ ){0,6}(?:new (?:vendor|account|supplier|bank)|today|"
                r"immediately|urgently)|keep (?:it|this) (?:confidential|quiet|secret|between us)|(?:don't|"
                r"do not) (?:tell|call|verify)",
            ),
        ),
        signal(
            "the-boss's-gift-card-request",
            2.0,
            r"gift ?cards?",
            also=(
                r"(?:ceo|cfo|boss|director|manager|president|executive|owner|pastor|principal)(?:'s)? "
                r"(?:[\w']+ ){0,8}(?:codes?|buy\w*|send\w*|text\w*|message)|(?:codes?|buy\w*|send\w*) "
                r"(?:[\w']+ ){0,8}(?:ceo|cfo|boss|director|president|executive)",
            ),
            unless=(
                r"spot\w*|recogni[sz]\w*|warn\w*|training|awareness|red flags?|is (?:this|it) a scam|"
                r"report\w*",
            ),
        ),
        signal(
            "a-token-launched-to-be-rugged",
            2.0,
            r"(?:to|we|i|then|and|before we|plan to|going to)\s(?:rug|rug pull|pull the rug|dump on)|"
            r"rug (?:it|them|after|before|once)|exit scam|pump and dump (?:scheme|plan|group|it)|(?:don't|"
            r"do not|never) mention the rug",
        ),
        signal(
            "a-code-asked-back",
            2.0,
            r"(?:reply|respond|text back|send|read)\w* (?:[\w']+ ){0,2}(?:with )?(?:the |me the |"
            r"us the )?(?:\d+ )?(?:digit )?(?:code|pin|otp|one time password|verification code)",
            also=(r"bank|paypal|amazon|apple|realistic|fake|unusual activity|suspended|locked|to cancel",),
            unless=(r"never|don't|do not|scam|fraud\w*|spot|warn\w*|is this|legit",),
        ),
        signal(
            "a-fake-role-for-fees",
            2.0,
            r"(?:fake|bogus|phony|made up) (?:[\w']+ )?(?:recruiter|employer|job offers?|job postings?|"
            r"landlord|seller|charity|agent|lawyer|officer)",
            also=(r"pay|fee|deposit|send money|gift cards?|bank details|ssn|wire|crypto|bitcoin",),
            unless=(r"spot\w*|detect\w*|recogni[sz]\w*|warn\w*|report\w*|avoid\w*|red flags",),
        ),
        signal(
            "a-relative-impersonated-to-their-bank",
            2.0,
            r"(?:pretending|claiming|posing|pretend) (?:to be |as )(?:her|him|them|my (?:grandma|grandmother|"
            r"grandpa|grandfather|aunt|uncle|mom|dad|mother|father|wife|husband|sister|brother|boss|"
            r"roommate|neighbou?r))",
            also=(
                r"bank|account|credit|loan|benefits|insurance|pension|add me|access|password|pin|transfer|"
                r"money|social security|irs",
            ),
        ),
        signal(
            "a-cause-invented-for-donations",
            2.0,
            r"(?:fake|fraudulent|made up|phony|bogus|sham) (?:[\w']+ )?(?:gofundme|fundraisers?|charit(?:y|"
            r"ies)|donation (?:pages?|drives?)|crowdfunding|kickstarters?|campaigns? for)|(?:kid|child|"
            r"person|family|baby|veteran|dog) (?:[\w']+ ){0,4}(?:that|who) (?:doesn't|does not|don't|"
            r"didn't) (?:exist|exists|have cancer|need it)",
            unless=(r"spot\w*|verif\w*|report\w*|detect\w*|recogni[sz]\w*|how (?:do|can) (?:i|we|donors)",),
        ),
        signal(
            "a-card-cloned-to-spend",
            2.0,
            rf"{verbs('clone', 'copy', 'skim', 'duplicate', 'emulate', 'replay')} (?:[\w']+ ){{0,3}}(?:contac"
            r"tless |credit |debit |bank |someone's |people's |their )?cards?",
            also=(r"use it|use them|spend|checkout|atm|buy|pay|purchase|tap|withdraw",),
            unless=(
                r"my own card|protect\w*|rfid blocking|detect\w*|prevent\w*|hotel key|key ?cards?|sd cards?|"
                r"sim cards?|graphics cards?|trading cards?|index cards?|flash ?cards?",
            ),
        ),
        signal(
            "credentials-harvested",
            2.0,
            r"(?:to|at|on|into) (?:my|our|a fake|the fake|a cloned|the cloned) (?:credential|credentials|"
            r"login|sign in|phishing|harvesting|capture) (?:page|site|form|portal)",
            r"(?:so|and|where|to make|then) (?:the )?(?:staff|users|people|employees|they|victims?|customers|"
            r"recipients|targets?|la gente|les gens|die leute) (?:[\w']+ )?(?:re ?enter|enter|type|put in|"
            r"submit|give|hand over|ponga|pongan|entre|entren|tape|eingeben|inserisca)\w* (?:their |your |"
            r"su |sus |leur |ihre )?(?:creds|credentials|passwords?|logins?|login details|"
            r"usernames? and passwords?|card details|bank details|usuario|clave|contrasena|identifiants|"
            r"mot de passe|passwort|zugangsdaten)",
            r"(?:pagina|page|seite|sito|site|website|login) (?:[\w']+ ){0,4}(?:igual|identique|identica|"
            r"gleich|uguale|copia|clon\w*|clone|copy|replica|looks exactly like|"
            r"just like) (?:[\w']+ ){0,4}(?:banco|banque|bank|banca|paypal|amazon|microsoft|office 365|"
            r"google|apple|netflix)",
            unless=(r"training|simulation|awareness|phishing test|our own|spot\w*|recogni[sz]\w*",),
        ),
        signal(
            "an-invoice-redirected",
            2.0,
            r"(?:invoices?|bills?|statements?|remittance)\w* (?:[\w']+ ){0,6}(?:looks? like (?:it'?s|it is|"
            r"it comes?) from|appears? to be from|from|as if from) (?:our|the|a|their) (?:[\w']+ )?(?:vendor|"
            r"supplier|contractor|landlord|partner|client|law firm)",
            also=(
                r"(?:my|our new|a different|new|my own) (?:bank )?(?:account|account details|bank details|"
                r"routing)|pays? me|so (?:accounting|ap|accounts payable|they|finance) pays?",
            ),
        ),
        signal(
            "refunds-without-returns",
            2.0,
            r"(?:return\w*|send\w* back|ship\w* back) (?:[\w']+ ){0,3}(?:empty boxes|an empty box|bricks|"
            r"rocks|a different item|fake items?|the box empty)",
            r"(?:refunds?|chargebacks?|money back) (?:[\w']+ ){0,4}(?:without (?:returning|sending)|"
            r"and keep (?:it|the)|while keeping)",
        ),
        signal(
            "reviews-against-a-rival",
            2.0,
            r"(?:\d+|dozens of|many|multiple|different|a bunch of) (?:[\w']+ ){0,3}(?:google |yelp |amazon |"
            r"tripadvisor |negative |1 star |one star |bad )?reviews? (?:[\w']+ ){0,3}(?:for|of|on|"
            r"about) (?:my |a |our |the )?(?:competitor|rival|ex's|ex)",
            r"reviews? (?:[\w']+ ){0,6}(?:saying|claiming) (?:they|it|he|she) (?:gave|caused|made|sold|"
            r"scammed)",
        ),
        signal(
            "a-found-card-spent",
            2.0,
            r"(?:found|stolen|someone's|somebody's|a stranger's) (?:[\w']+ ){0,4}(?:credit |debit )?cards?",
            also=(r"(?:use|spend|buy|charge|max out)\w* (?:[\w']+ ){0,4}(?:online|before|without)",),
            unless=(r"return\w*|report\w*|give (?:it )?back|police|lost and found|what should i do|owner",),
        ),
        signal(
            "credit-in-another's-name",
            2.0,
            r"(?:using|with|under) (?:my |a |the |his |her )?(?:dead|deceased|late) (?:[\w']+ ){0,2}(?:ssn|"
            r"social security numbers?|identity|name|card|credit card)",
            r"(?:open|create|set up|register)\w* (?:[\w']+ ){0,3}(?:bank |brokerage |crypto |paypal |"
            r"credit )?accounts? (?:[\w']+ ){0,2}(?:with|using|under)\s(?:(?:a|an)\s)?(?:made up|fake|false|"
            r"fabricated|synthetic|stolen|borrowed|someone else's|another person's) (?:[\w']+ )?(?:identity|"
            r"identities|name|persona|ssn|id)",
            rf"{verbs('open', 'take out', 'apply for', 'get', 'set up')} (?:[\w']+ ){{0,3}}(?:credit|loans?|"
            r"cards?|credit cards?|accounts?|mortgage|phone contracts?|"
            r"lines? of credit) (?:[\w']+ ){0,2}in\s(?:their|his|her|someone's|somebody's|someone else's|"
            rf"a stranger's|a dead person's|my (?:{RELATION})'s) names?",
            r"i\s(?:have|got|bought|found)\s(?:someone's|somebody's|a stranger's|his|her|their|"
            r"random people's|other people's)\s(?:ssn|social security numbers?|dob|date of birth|fullz|"
            r"card details|identity)",
            unless=(
                r"(?:with|has|have|gave) (?:their|his|her|my) (?:consent|permission)|power of attorney|"
                r"executor|what should i do|how do i report|freeze",
            ),
        ),
        signal(
            "money-mules-card-testing-fake-reviews",
            2.0,
            r"(?:recruit\w*|find|hire|script|message|ad|post)\w* (?:[\w']+ ){0,4}money mules?|(?:receive|"
            r"accept)\w* (?:[\w']+ ){0,4}(?:transfers?|payments?|money) (?:[\w']+ ){0,6}(?:forward|send|wire|"
            r"pass)\w* (?:it |them )?(?:on|along) (?:[\w']+ ){0,4}(?:keep|commission|cut|percent)",
            r"(?:test|check|validate|verify)\w* (?:[\w']+ ){0,3}(?:stolen|dumped|bought|leaked|a list of|"
            r"these|bulk) (?:credit )?cards?|card testing|carding bot",
            r"(?:\d+|dozens of|hundreds of|many|a bunch of|bulk|mass) (?:fake |5 star |five star |positive )+"
            r"(?:[\w']+ )?reviews?|fake reviews? (?:at scale|in bulk|from different accounts|that look real|"
            r"that pass)",
            unless=(r"spot\w*|detect\w*|recogni[sz]\w*|prevent\w*|flag\w*|report\w*|moderat\w*",),
        ),
    ),
    ask=(
        AN_AUDIT_EVADED,
        signal(
            "posing-as-support",
            1.5,
            r"(?:calling|texting|messaging|emailing) (?:them|him|her|people|someone|users|victims|"
            r"customers) as|pretending to be (?:from )?(?:[\w']+ )?support",
            evasion=True,
        ),
        signal(
            "a-check-passed",
            1.5,
            r"(?:pass|passes|passing|get past|gets past|slip past|fool|fools|fooling|beat|beats|trick|"
            r"tricks) (?:[\w']+ ){0,3}(?:verification|background checks?|scanners?|bouncers?|checks?|kyc|"
            r"screening|the landlord|underwriting|id checks?)|(?:scanners?|bouncers?|landlords?|lenders?|"
            r"banks?) (?:will |would )?accept (?:it|them)|make (?:it|them) look (?:real|legit|genuine)|"
            r"(?:believe|think|accept)s? (?:it'?s |it is |is |as )?(?:real|genuine|legit|authentic)|"
            r"(?:lender|bank|landlord|underwriter) approves",
            evasion=True,
        ),
        signal(
            "an-approval-obtained",
            1.5,
            r"(?:get|make|have) (?:a |the |my )?(?:bank|lender|landlord|underwriter|insurer) (?:to )?approve",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "a-con-caught",
            2.0,
            r"(?:is|gets|got|are|get) (?:finally |eventually )?(?:caught|arrested|exposed|jailed|convicted)",
        ),
        signal(
            "so-they-don't-fall-for-it",
            2.0,
            r"so (?:she|he|they|we|i|you|people|my [\w']+) (?:doesn't|don't|won't|wouldn't|never|can't|"
            r"do not|does not) (?:fall for|get scammed|get fooled|get tricked|lose)|"
            r"explain (?:[\w']+ ){0,3}(?:scam|fraud|con) to",
        ),
        AN_EXECUTORS_PAPERWORK,
        LAUNDRY,
    ),
)


FAMILIES_FRAUD: dict[Category, Wider] = {Category.FRAUD_PHISHING: FRAUD}
