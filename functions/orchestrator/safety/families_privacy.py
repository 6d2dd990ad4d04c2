"""Intent families, second widening, for privacy (see ``families_acts``): a named private person's
address, number or workplace searched for, the person behind an account unmasked, someone who
blocked the asker located, an address to turn up at (in the rules' languages), a resident to
confront, officials reached at home, a driver found from a plate, where someone sleeps tonight,
someone's routine tracked, everyone who opposed the asker listed, dossiers and ID numbers asked
for, another's records pulled, health or other sensitive data about staff turned into decisions
about them; a grudge behind the lookup weighs as an ask to evade.

Benign twins pass: a moderation policy that names doxxing, an executor filing a late father's tax
return, an address kept private from people-search sites.
"""

from __future__ import annotations

from orchestrator.safety.families_fraud import AN_EXECUTORS_PAPERWORK
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import RELATION

_DETAILS = (
    r"(?:current |home |new |present |exact |real |private |personal |cell |mobile |unlisted |last known )?"
    r"(?:address(?:es)?|phone numbers?|cell numbers?|workplace|employer|place of work|whereabouts|location)"
)
_SEARCHED_FOR = (
    r"search everything|everything you can|whatever you can|any database|database tricks?|people ?search|"
    r"skip trac\w*|track (?:him|her|them) down|find (?:him|her|them)|trust me|private investigator|"
    r"moved out|owing|owes (?:me|us)|owe (?:me|us)|stopped paying|ran off|disappeared|formerly of|used to "
    r"live|\d{2}"
)
_NOT_A_PLACE = (
    r"company|business|office|store|shop|embassy|consulate|white house|museum|restaurant|hotel|"
    r"registered office|headquarters|hq|school|hospital|clinic|venue|warehouse|branch|"
    r"our (?:new )?(?:customer|client)s?",
)
_SENSITIVE = (
    r"antidepressants|medications?|meds|pregnant|pregnancy|hiv|therapy|mental health|diagnos\w*|"
    r"disabilit\w*|disabled|cancer|gay|lesbian|trans|muslim|jewish|undocumented|immigrants?|union members?|"
    r"in rehab|rehab|addicted|sick leave|ivf|chronic \w+|on leave"
)

A_POLICY_AGAINST_IT = signal(
    "a-policy-against-it",
    2.0,
    r"(?:moderation|content|community|privacy|acceptable use|anti ?harassment|safety|trust (?:and )?safety|"
    r"data protection|retention|platform) (?:polic(?:y|ies)|guidelines|rules|standards|terms)|"
    r"code of conduct|terms of service|(?:polic(?:y|ies)|guidelines|rules|faq|training|course|workshop|"
    r"module|handbook) (?:[\w']+ ){0,6}(?:covering|against|prohibiting|banning|that (?:covers?|prohibits?|"
    r"bans?|forbids?))",
)

PRIVACY = Wider(
    harm=(
        signal(
            "a-driver-from-a-plate",
            2.0,
            r"license plate|licence plate|plate number|number plate|registration number|kennzeichen|"
            r"matricula|plaque d'immatriculation|targa",
            also=(
                r"(?:look up|find|get|pull|tell me|give me|dig up)\w* (?:[\w']+ ){0,3}(?:name|address|home|"
                r"owner|who (?:he|she|it) is|where (?:he|she) lives)",
            ),
            unless=(r"police|report\w*|insurance|file a|claim|dmv form|my own|stolen car|parking ticket",),
        ),
        signal(
            "a-resident-to-confront",
            2.0,
            r"who lives at (?:\d+|the house|that house|this address|number)",
            also=(
                r"confront|show up|go over|deal with|get back at|teach (?:them|him|her)|so (?:i|we) can|"
                r"complain to (?:them|him|her) (?:in person|at home)",
            ),
        ),
        signal(
            "officials-reached-at-home",
            2.0,
            r"(?:personal|private|home|cell|mobile)\w* (?:[\w']+ )?(?:numbers?|addresses|address|emails?|"
            r"phones?) (?:[\w']+ ){0,2}(?:of|for) (?:the |our |all |every )?(?:[\w']+ ){0,3}(?:members?|"
            r"officials?|judges?|jurors?|officers?|staff|employees|reporters?|journalists?|moderators?|"
            r"executives?|teachers?|doctors?|nurses?)",
            also=(
                r"flood|at home|harass\w*|show up|spam|confront|so (?:we|i) can|protest (?:at|"
                r"outside) (?:their|his|her) (?:homes?|houses?)|make (?:them|him|her) pay",
            ),
        ),
        signal(
            "an-address-to-turn-up-at",
            2.0,
            r"direccion|domicilio|adresse|anschrift|wohnadresse|indirizzo|endereco|morada|adres|home address|"
            r"where (?:she|he|they) lives?|wo (?:wohnt|lebt)|donde vive|ou (?:habite|vit)|dove abita|"
            r"onde mora|waar woont",
            also=(
                r"presentarme|aparecerme|aparecer en su casa|ir a su casa|plantarme|sin avisar|sorprenderla|"
                r"sorprenderlo|me presenter|debarquer|chez (?:elle|lui)|sans prevenir|vor (?:ihrer|"
                r"seiner) tur|vorbeikommen|unangemeldet|uberraschen|presentarmi|senza avvisare|aparecer la|"
                r"sotto casa|farle una sorpresa|fargli una sorpresa|darle una sorpresa|hacerle una sorpresa|"
                r"sem avisar|de surpresa|langskomen|onaangekondigd|unannounced|without warning|uninvited|"
                r"m'a bloquee?|me bloqueo|hat mich blockiert|mi ha bloccat[oa]|me bloqueou|blocked me|"
                r"publicala|publicalo|publicarla|publicarlo|publie la|publiez|veroffentliche|pubblicala|"
                r"publique|besuchen|zu hause|visitarla|visitarlo|lui rendre visite|a casa sua|em casa|"
                r"ir a verl[eao]|ir a buscarl[eao]|vamos a ir|vamos a por (?:el|ella)|on va (?:le |"
                r"la )?(?:voir|aller)|wir (?:gehen|kommen) (?:zu ihm|zu ihr|vorbei)|andiamo da (?:lui|lei)|"
                r"vamos la|qui a (?:[\w']+ ){0,2}contre moi|qui m'a|que me (?:denuncio|despidio|demando)|"
                r"der mich|die mich|(?:who|that) ruled against me|who (?:wrote|posted) about me|contre moi|"
                r"gegen mich|contra mi|contro di me",
            ),
        ),
        signal(
            "identity-numbers-of-a-named-person-asked",
            2.0,
            r"(?:what(?:'s| is)|give me|tell me|need|find)\s(?:(?:the|his|her)\s)?(?:ssn|"
            r"social security number|passport number|national id(?: number)?|dni|tax id|"
            r"date of birth) of [a-z]+ [a-z]+",
            unless=(r"(?:my|our) own|format|example|fake|sample|test\w*|validat\w*",),
        ),
        signal(
            "a-dossier-other-language",
            2.0,
            r"(?:profil|dossier|akte|ficha|expediente|fascicolo|perfil|fiche) (?:uber|sobre|sur|su|de|von|"
            r"van|about|on) (?:meine?n?|mi|mon|ma|il mio|la mia|minha|meu|den|die|der|la|le|el|mijn)",
            also=(
                r"arbeitgeber|tagesablauf|kennzeichen|adresse|wohnort|employeur|horaires|plaque|empleador|"
                r"rutina|matricula|direccion|datore di lavoro|targa|routine|employer|license plate|schedule|"
                r"werkgever|kenteken",
            ),
        ),
        signal(
            "a-named-private-person-looked-for",
            2.0,
            rf"{_DETAILS}(?: and (?:[\w']+ ){{0,3}})? of (?:my )?(?:former |old |ex |"
            rf"previous )?(?:{RELATION})",
            r"(?:current|home|present|new|last known) (?:address|location|whereabouts|phone number|number|"
            r"workplace) of [a-z]+ [a-z]+",
            also=(_SEARCHED_FOR,),
            unless=_NOT_A_PLACE,
        ),
        signal(
            "someone-identified-from-their-posts",
            2.0,
            r"(?:real (?:identity|name)|who (?:she|he|they) (?:really )?(?:is|are)|where (?:she|he|"
            r"they) (?:works?|lives?)) (?:[\w']+ ){0,3}(?:from|using|based on|through) (?:her|his|their|"
            r"the) (?:[\w']+ )?(?:post history|posts|comments|reddit|profile|writing style|messages|tweets|"
            r"videos|stories|photos|pictures|selfies|exif|metadata)",
            r"(?:who|which) (?:[\w']+ ){0,3}(?:is|are) (?:gay|lesbian|trans|bi|queer|hiv positive|pregnant|"
            r"muslim|jewish|undocumented) (?:based on|from|using) (?:their |his |her )?(?:social media|posts|"
            r"photos|likes|profiles)",
        ),
        signal(
            "a-face-matched-to-a-name",
            2.0,
            r"facial recognition|face search|reverse image search|pimeyes|face match\w*|face ?check",
            also=(
                r"(?:find|get|identify|figure out)\w* (?:[\w']+ ){0,3}(?:name|identity|who|employer|address)",
            ),
            unless=(r"opt out|how does|how do|privacy concerns|protect\w*|remov\w*|my own|works\b",),
        ),
        signal(
            "the-person-behind-an-account",
            2.0,
            r"(?:real name|identity|address|who|person|name|phone number|location)(?: and (?:[\w']+ ){0,3})? "
            r"(?:[\w']+ ){0,3}behind (?:the |this |that |an |a )?(?:[\w']+ ){0,2}(?:account|handle|username|"
            r"profile|alias|page|blog|channel|burner|finsta|alt|screen name)",
            r"(?:who is|who's|whos) (?:really |actually )?(?:running|behind|operating|posting (?:as|"
            r"from)) (?:the |this |that |an |a )?(?:anonymous |anon )?(?:[\w']+ )?(?:account|handle|page|"
            r"profile|blog|channel)",
            unless=(r"brand|company|official|verified|pen name|band|mascot|our own|my own",),
        ),
        signal(
            "where-someone-sleeps-tonight",
            2.0,
            r"(?:which|what) (?:hotel|motel|house|apartment|room|building|floor) (?:[\w']+ ){0,3}(?:senator|"
            r"mayor|judge|journalist|celebrity|actress|actor|singer|streamer|influencer|ceo|president|she|he|"
            r"my ex|her|his|the (?:[\w']+ )?(?:girl|woman|guy|man)) (?:is|are|will be|was) (?:staying|"
            r"sleeping|living)|(?:her|his|their) (?:hotel )?room number",
        ),
        signal(
            "another's-records-pulled",
            1.5,
            r"(?:my |a |the |our )?(?:co ?worker|colleague|employee|neighbou?r|ex|boss|classmate|tenant|"
            r"student|roommate|friend|sister in law|brother in law)'s (?:[\w']+ ){0,2}(?:medical|health|"
            r"therapy|hr|psych\w*|leave|sick|prescription|diagnos\w*|insurance|personnel|disciplinary|"
            r"salary)\w* (?:records?|files?|paperwork|notes|history|data|information|info|details|claims?|"
            r"forms?)|what\s(?:condition|illness|diagnosis|disease|medication) (?:she|he|they) (?:has|have|"
            r"is on|takes)",
            unless=(
                r"(?:my|our) own|consent|with (?:her|his|their) permission|(?:she|he|they) asked me|"
                r"authori[sz]ed",
            ),
        ),
        signal(
            "someone's-routine-tracked",
            2.0,
            r"(?:which|what)\s(?:gym|school|bar|cafe|church|office|route|bus|class|club|hospital|store|"
            r"company|restaurant|clinic|job|building|floor) (?:[\w']+ ){0,5}(?:works?|lives?) (?:at|in)|"
            r"(?:which|what)\s(?:gym|school|bar|cafe|church|office|route|bus|class|club) (?:and (?:what|"
            r"which) times? )?(?:[\w']+ ){0,3}(?:my ex|she|he|they|her|him|my [\w']+) (?:goes|go|attends?|"
            r"takes?|visits?|works out|leaves?|uses?|go to|goes to)|what\stimes? (?:[\w']+ ){0,3}(?:she|he|"
            r"my ex|they) (?:goes|leaves|arrives|gets|works out|get out)",
            also=(
                r"shift times|shifts|schedule|stories|instagram|posts|snap\w*|tiktok|strava|location|tag\w*|"
                r"my ex|without (?:her|him|them) knowing|figure out|track",
            ),
        ),
        signal(
            "everyone-who-opposed-me-listed",
            2.0,
            r"(?:names|addresses|phone numbers|home addresses|emails|employers)(?:,? and [\w' ]{1,30})? of (?"
            r":everyone|everybody|all (?:the )?(?:people|users|members|protesters)|the people|those) (?:who|"
            r"that) (?:signed|protested|complained|reported|voted|commented|posted|left (?:a )?reviews?|sued|"
            r"testified|spoke)",
        ),
        signal(
            "someone-who-blocked-me-located",
            2.0,
            r"(?:where|wo|donde|ou|dove|onde|waar) (?:[\w']+ ){0,4}(?:lives?|wohnt|vive|habite|vit|abita|"
            r"mora|woont|is living|moved|works|arbeitet|trabaja|travaille|lavora|trabalha|werkt)",
            also=(
                r"blocked|blockiert|bloqueado|bloqueada|bloqueo|m'a bloquee?|bloquee?|bloccato|bloccata|"
                r"bloqueou|geblokkeerd|restraining order|einstweilige verfugung|orden de alejamiento|"
                r"cut (?:off )?contact|kontaktverbot|doesn't want (?:me|to see me)|changed (?:her|his|"
                r"their) number|kontakt abgebrochen|ghosted me|cambio de numero|no me contesta|no contesta|"
                r"ne repond pas|antwortet nicht|a change de numero|hat (?:ihre|seine) nummer geandert",
            ),
            unless=(
                r"(?:where|wo|donde|ou|dove|onde|waar) (?:i|ich|yo|je|io|eu|ik) (?:live|wohne|vivo|habite|"
                r"moro|woon)|protect\w*|safe\w*|schutz\w*|proteger|stalk\w* me",
            ),
        ),
        signal(
            "identifiers-dug-out-of-a-trace",
            2.0,
            r"(?:someone's|somebody's|their|his|her|a person's|a stranger's|people's) (?:[\w']+ ){0,3}(?:ssn|"
            r"social security numbers?|unlisted (?:cell |phone |mobile )?numbers?|date of birth|dob|mother's "
            r"maiden name|passport numbers?|bank account numbers?|home address)",
            also=(
                r"from (?:just |only )?(?:their|his|her|an|a|the|someone's) (?:e ?mail(?: address)?|"
                r"phone number|name|username|license plate|ip|photo|handle)|(?:people ?search|skip trac\w*|"
                r"background check|osint) (?:[\w']+ ){0,3}(?:tricks?|sites?|hacks?|ways?|tools?)",
            ),
        ),
        signal(
            "sensitive-data-turned-on-people",
            2.0,
            rf"(?:which|who|list of|names of|what) (?:[\w']+ ){{0,3}}(?:employees?|staff|workers|tenants|"
            r"students|co ?workers|applicants|candidates|members|team members|colleagues|residents|players) "
            rf"(?:[\w']+ ){{0,3}}(?:are|is|have|has|take|takes|were|on) (?:[\w']+ ){{0,2}}(?:{_SENSITIVE})",
            also=(
                r"(?:decide|choose|pick|figure out) (?:who|which)|fire|cut|let go|lay off|layoffs?|demote|"
                r"not (?:hire|promote|renew)|evict|expose|out (?:them|him|her)|deny|screen out|reject|"
                r"blacklist|medical records|health records|hr records|shared drive|get rid of|(?:push|get|"
                r"force|kick|drive) (?:them|him|her) out|raise (?:their|his|her) rent|target (?:them|him|"
                r"her)",
            ),
            unless=(r"protect\w*|comply|compliance|gdpr|hipaa|accommodat\w*|support them|anonymi[sz]\w*",),
        ),
    ),
    ask=(
        signal(
            "a-pretended-authority",
            1.5,
            r"(?:pretend|imagine|act as if|as if) (?:you(?:'re| are)|to be) (?:a |"
            r"an )?(?:private (?:detective|investigator)|pi|cop|police officer|detective|skip tracer|hacker|"
            r"bounty hunter)",
            evasion=True,
        ),
        signal(
            "a-grudge",
            1.5,
            r"(?:who|that) (?:scratched|keyed|hit|dented|cut me off|honked at|yelled at|insulted|"
            r"flipped me off|stole from|rear ?ended|ruled against|wrote about|posted about|criticized|"
            r"criticised)\w* ?(?:me|my|us)?|so (?:we|i) can (?:contact|call|email|reach|message|"
            r"report) (?:his|her|their) (?:employer|boss|school|family|parents|work)",
            evasion=True,
        ),
    ),
    benign=(A_POLICY_AGAINST_IT, AN_EXECUTORS_PAPERWORK),
)


FAMILIES_PRIVACY: dict[Category, Wider] = {Category.PRIVACY_DOXXING: PRIVACY}
