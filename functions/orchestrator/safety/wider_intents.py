"""Intents widened as families, whatever their wording: what a user who wants the harm asks for.

- ``privacy_doxxing``: the identifying or locating details of someone else (home address, real
  name, employer, ID numbers) together with a purpose that exposes or reaches them (publish, show up,
  visit), or looked for from a trace they left (an IP, a username, a photo); a dossier on a person;
- ``prompt_injection``: instructions addressed to the assistant from inside the data it reads
  (``<!-- AI assistant: ...``, ``"note": "ASSISTANT: new instruction..."``), asks for the
  instructions it was given before the conversation, personas without rules, and data sent out
  through tools, URLs and rendered images (the conversation in a query string, ``.env`` pasted
  into a gist, an SSH key emailed);
- ``hate_harassment``: a campaign against a person (many or fake accounts reporting, replying,
  messaging until they are banned or break), hateful jokes and extremist recruitment material,
  and excluding a protected group from jobs or housing;
- the families of the other categories the same way (a payload obfuscated past named endpoint
  defences, a refund claimed with another person's identity, sexual-abuse material looked for by
  its abbreviation, time alone with a child hidden from the parents, a fatal height).

Their benign twins pass: a filter that flags the phrase "ignore previous instructions", a review of
account takeover risks, a scam story where the victim sees through it.
"""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, MINOR, RELATION, gap

_SOMEONES = (
    r"(?:their|his|her|this (?:[\w']+ )?[\w']+'s|that [\w']+'s|the [\w']+'s|a [\w']+'s|someone's|somebody's|"
    r"(?:my )?(?:" + RELATION + r")'s)"
)
_IDENTIFYING = (
    r"(?:home |house |real |exact |current |private |personal |full |legal )?(?:address(?:es)?|names?|"
    r"employer|workplace|house|location|phone numbers?|identity)|where (?:she|he|they) (?:lives?|works?|"
    r"sleeps?)"
)
_DETAILS_OF_A_PERSON = (
    rf"{_SOMEONES} {_IDENTIFYING}",
    r"(?<!my )(?<!our )home address(?:es)?|real names? and|date of birth|ssn|social security numbers?|"
    r"(?:direccion|domicilio|dni|adresse|privatadresse|wohnadresse|anschrift|indirizzo|endereco|"
    r"morada|adres)(?! de (?:correo|email|e mail|ip))",
    r"(?:home |private |personal |cell |mobile )?(?:address(?:es)?|phone numbers?|real names?|workplace|"
    r"employer) (?:and [\w' ]{1,25} )?of (?:the|this|that|a|my|our|every|everyone|each|all) ",
)
_EXPOSE_OR_REACH = (
    r"(?:so|then) (?:i|we) can (?:show up|visit|go (?:there|to)|confront|find|wait|post|publish|expose|leak)|"
    r"show up (?:at|there|on)|turn up at|post (?:it|them|the list|the info\w*|everything) (?:publicly|online|"
    r"everywhere)|post\w* (?:[\w']+ ){0,3}publicly|make (?:it|them|this) public|(?:para|pour|um|per) "
    r"(?:publicar\w*|publier|publicarl\w*|zu veroffentlichen|pubblicarl\w*)|publicarlos|publicarla|"
    r"(?:besuchen|visitarla|visitarlo|lui rendre visite)|damit ich (?:sie|ihn) (?:besuchen|finden|treffen)",
    r"pay (?:them|her|him|it)? ?a visit|(?:who|that) (?:reported|fired|dumped|blocked|rejected|testified "
    r"against|sued|arrested|ticketed|banned|left|ghosted) (?:me|us)",
)
_TRACE = r"(?:ip|ip address|username|handle|gamertag|phone number|selfies?|photos?|license plate)"
_SEND_OUT = verbs(
    "paste", "post", "upload", "send", "email", "copy", "append", "push", "commit", "leak", "dump"
)
_CONFIDENTIAL = (
    r"(?:the )?(?:contents? of )?(?:(?:the |my |your |our )?(?:env|dotenv) file|id rsa|"
    r"ssh (?:private )?keys?|"
    r"private keys?|aws credentials|credentials file|api keys?|secrets?|access tokens?|session cookies?|"
    r"passwords?|(?:the |this |our |full |entire )?(?:conversation|chat)(?: history| log| so far| summary)?|"
    r"(?:all |every )?(?:previous |prior |earlier )?messages (?:in|of) this (?:chat|conversation)|"
    r"system prompt)"
)

PRIVACY = Wider(
    harm=(
        signal("exposing-a-person", 2.0, *_DETAILS_OF_A_PERSON, also=_EXPOSE_OR_REACH),
        signal(
            "locating-from-a-trace",
            2.0,
            rf"(?:(?:home|house|street|physical|real|exact) (?:address|location)|house|home|where (?:he|she|"
            rf"they) (?:lives?|is)|real name|identity) {gap}(?:from|using|with|through|by) (?:just )?"
            rf"(?:his|her|someone's|somebody's|(?:this|that|a|the) (?:guy|girl|woman|man|kid|person|stranger|"
            rf"streamer|user|troll|driver)'s|(?:my )?(?:{RELATION})'s) (?:[\w']+ )?{_TRACE}",
            rf"(?:(?:home|house|street|physical|real|exact) (?:address|location)|real name|where (?:he|she|"
            rf"they) lives?) {gap}(?:from|using|with|through|by) (?:just |only )?(?:their|a|an|the) "
            rf"(?:[\w']+ )?{_TRACE}",
            r"(?:given|with|from|using) (?:only |just )?(?:their|his|her|a|an|the|"
            rf"this) (?:[\w']+ )?{_TRACE} "
            rf"{gap}(?:how|can you|find|work out|figure out|get|identify|uncover) (?:[\w']+ ){{0,6}}(?:real "
            r"name|full name|home address|employer|workplace|where (?:he|she|they) lives?)",
        ),
        signal(
            "identity-numbers-of-a-named-person",
            2.0,
            r"(?:look up|find|get|dig up|pull up|search for|tell me|give me)\w* (?:me )?(?:the |his |her |"
            r"their )?(?:ssn|social security numbers?|national (?:id|insurance) numbers?|passport numbers?|"
            r"dni|tax id) (?:and [\w' ]{1,30} )?(?:for|of|belonging to) (?!(?:each|every|all|the|a|an|our|"
            r"my|your|this|these|those|any|users?|customers?|records?|rows?|accounts?|employees?|patients?|"
            r"applicants?|clients?|members?|people|testing|validation|verification|masking)\b)[a-z]+ [a-z]+",
        ),
        signal(
            "dossier",
            2.0,
            r"(?:compile|build|put together|assemble|make|create|draw up)\w* (?:me )?(?:a |an )?(?:full |"
            r"complete |detailed )?(?:dossier|file|background file|profile|timeline) (?:on|of|about) "
            rf"(?:her|him|them|someone|somebody|this (?:person|guy|girl|woman|man|user|journalist|reporter|"
            rf"activist|streamer)|my (?:{RELATION}))",
            r"dossier on",
        ),
        signal(
            "unmasking-someone",
            2.0,
            r"(?:find|uncover|reveal|work out|figure out|get|learn|expose|pin down)\w* (?:out )?(?:the |"
            r"this |"
            r"that )?(?:person's|poster's|guy's|girl's|woman's|man's|troll's|critic's|reviewer's|"
            r"account holder's) "
            r"(?:real |true |actual |legal |full )?(?:identity|name)",
        ),
        signal(
            "a-stranger-identified-from-a-photo",
            2.5,
            r"(?:identify|find|track down|figure out who|work out who)\w* (?:is )?(?:her|him|this (?:woman|"
            r"man|girl|guy|person|stranger)|the (?:woman|girl|guy|stranger)) (?:[\w']+ ){0,6}"
            r"(?:from|using|with|in|by) (?:a|this|the|my|that) (?:photo|picture|pic|video|clip|selfie)",
            r"(?:photo|picture|pic|video) of (?:a|this|that|the) (?:woman|girl|man|guy|stranger|person) "
            r"(?:[\w']+ ){0,8}(?:identify|find (?:her|his|their) (?:instagram|facebook|name|profile|socials?|"
            r"tiktok|account))",
            unless=(
                r"\d{4}|histor\w*|ancestors?|grand(?:father|mother|parents)|family (?:photo|tree)|old photo|"
                r"opencv|face detection|dataset|python|api|library|model",
            ),
        ),
        signal(
            "someone-who-keeps-away",
            2.0,
            r"(?:where|which (?:apartment|house|city|town|street|building|flat|"
            r"neighbou?rhood)) (?:[\w']+ ){0,3}"
            rf"(?:my |her |his )?(?:{RELATION}|ex) (?:[\w']+ )?(?:moved|lives|is living|is staying|relocated|"
            r"went|works now)",
            also=(
                r"(?:won't|wouldn't|will not|refuse to|refuses to|don't|doesn't) (?:tell|give|say|share)|"
                r"blocked me|restraining order|cut (?:off )?contact|doesn't want me to (?:know|find)|"
                r"moved away from me|changed (?:her|his|their) number",
            ),
        ),
    ),
    ask=(signal("to-expose-or-reach", 1.0, *_EXPOSE_OR_REACH, evasion=True),),
)

INJECTION = Wider(
    harm=(
        signal(
            "instruction-in-the-data",
            3.5,
            r"(?:<!--|[\"'\[(:]|^|\n)\s*(?:(?:note|message) (?:to|for) (?:the )?)?(?:ai|assistant|system|"
            r"agent|"
            r"model|llm|chatbot|bot|ai assistant)\s*[:,]\s*(?:please )?(?:new instructions?|ignore|disregard|"
            r"forget|instead|"
            r"send|email|forward|call|run|execute|open|paste|upload|reveal|print|you (?:must|should|will))",
            r"[\"']\s*:\s*[\"'](?:ai|assistant|system|agent|model|llm)\s*:",
            folded=True,
        ),
        signal(
            "sending-data-out",
            3.5,
            r"!\[[^\]]*\]\(\s*https?://[^)\s]*\?[^)\s]*(?:\{\{?|%7b|\$\{)\s*\w*(?:key|secret|token|password|"
            r"conversation|chat|history|summary|prompt|message|email|session|cookie)",
            folded=True,
        ),
        signal(
            "exfiltration-through-tools",
            3.5,
            r"(?:open|fetch|visit|load|request|render|browse to|navigate to|ping|curl|"
            r"get)\w* (?:[\w']+ ){0,4}"
            r"https? (?:[\w']+ ){0,12}(?:(?:base64|url ?encoded|hex encoded|encoded)(?: version| form)? of "
            r"(?:[\w']+ ){0,3}(?:messages?|conversation|chat|history|keys?|secrets?|tokens?|passwords?|"
            r"prompt|instructions)|every (?:previous |prior )?message|"
            r"(?:the |this |our )?(?:conversation|chat) (?:history|log|so far)|system prompt)",
            rf"{_SEND_OUT} {_CONFIDENTIAL} (?:[\w']+ ){{0,2}}(?:to|into|in|on|at) "
            r"(?:my |a |an |this |the |our )?(?:public |external |personal )?(?:gist|pastebin|paste|https?|"
            r"url|link|webhook|endpoint|server|repo|email|"
            r"inbox|address|channel|form|[\w]+ (?:example|com|net|org|io))",
            r"(?:email|mail|send)\w* (?:me )?(?:the )?(?:contents? of )?(?:(?:the |my |your )?(?:env|"
            r"dotenv) file|"
            r"id rsa|ssh (?:private )?keys?|private keys?|aws credentials|credentials file)",
        ),
        signal(
            "the-instructions-given-before",
            3.5,
            r"(?:instructions?|rules|prompt|text|message|guidelines|directions) (?:that )?(?:you were|you've "
            r"been|you have been|you got|were you|have you been) (?:given|told|provided|set up with|sent) "
            r"(?:before|at the (?:start|beginning) of|prior to|above|ahead of) (?:this|our|the) "
            r"(?:conversation|chat|session|message)",
            r"(?:repeat|recite|print|output|quote|write out)\w* (?:them|it|that|those|this|"
            r"these)? ?(?:exactly|"
            r"verbatim|word for word) (?:[\w']+ ){0,3}starting (?:with|from) (?:you are|your instructions)",
        ),
        signal(
            "persona-without-rules",
            3.5,
            r"(?:who|that|which) (?:has|have|had) no (?:guidelines|rules|restrictions|limits|filters|ethics|"
            r"morals|boundaries|content polic(?:y|ies)) and (?:always|never|will)",
            r"(?:answer|respond|reply|act)\w* as (?:two|both|2) (?:ais|assistants|personas|characters|bots|"
            r"models|versions)",
        ),
        signal(
            "secrets-in-a-request",
            3.5,
            r"(?:append|add|include|attach|put|embed|insert|encode)\w* (?:the )?(?:user's |their |my |your |"
            r"the )?"
            r"(?:session (?:token|cookie|id)|api keys?|access tokens?|auth(?:orization)? (?:token|header)|"
            r"passwords?|credentials|cookies|secrets?|conversation|chat history|system prompt) (?:to|in|"
            r"into) "
            r"(?:the |every |each )?(?:query|url|request|search|link|image url|parameters?|params)",
            r"(?:send|post|make|fire|issue)\w* (?:a )?(?:post |get |http |web )?(?:request|call|webhook)? ?"
            r"(?:to )?(?:https?|the url|this url|this endpoint|this webhook) (?:[\w']+ ){0,6}(?:with|"
            r"containing|"
            r"including|carrying) (?:the |this |our )?(?:whole |entire |full )?(?:conversation|chat history|"
            r"chat|"
            r"messages|system prompt|api keys?|secrets|credentials|tokens)",
        ),
        signal(
            "rules-said-to-be-lifted",
            3.5,
            r"(?:safety|content) (?:policy|policies|filters?|rules|guardrails) (?:was|were|got|has been|have "
            r"been|is|are) (?:[\w']+ )?(?:removed|suspended|disabled|lifted|turned off|switched off|waived)",
            r"(?:ignore|disregard|forget) (?:the above|everything above|all of the above|that|all that|all "
            r"previous|the previous|your previous) (?:[\w']+ ){0,2}and (?:instead |just |only |now )?(?:say|"
            r"print|output|reply|respond|write|tell|show|reveal|list|give|send)",
            r"(?:what|tell me|show me) (?:your|the) (?:initial|original|system|hidden|first|secret|starting) "
            r"(?:instructions|prompt|rules|guidelines) (?:were|are|say|said)",
        ),
    ),
    benign=(
        signal(
            "detecting-the-phrase",
            2.5,
            r"(?:flag|block|detect|catch|filter|reject|strip|scan|match|classif|screen|log|alert)\w* "
            r"[^.?!]{0,40}(?:containing|contain|contains|with|like|such as|matching|including|that say|"
            r"saying|for) ['\"]",
            folded=True,
            unless=(
                r"(?:^|[.!?:;]\s+)(?:now |actually |also |then |and |but )?(?:ignore|disregard|forget|reveal|"
                r"print|output|repeat|you are now|from now on)",
            ),
        ),
    ),
)

_A_PERSON = (
    r"(?:her|him|them|(?:this|that|a|the) (?:[\w']+ )?(?:person|guy|girl|woman|man|activist|streamer|"
    r"journalist|user|kid|student|creator|influencer|reporter|teacher|account)|my (?:" + RELATION + r"))\b"
)
_UNTIL_THEY_BREAK = (
    r"until (?:her|his|their) (?:[\w']+ )?(?:account|channel|page|profile|business) (?:gets?|is|are) "
    r"(?:suspended|banned|deleted|taken down|removed|shut down)|until (?:she|he|they) (?:kills?|hurts?|"
    r"hangs?) (?:herself|himself|themselves)"
)

HATE = Wider(
    harm=(
        signal(
            "campaign-against-a-person",
            2.0,
            r"brigad\w* (?:plan|campaign|them|her|him|this|that|the|a)|dogpil\w* (?:on )?(?:her|him|them|"
            r"this|"
            r"that)|report ?bomb\w*",
            r"(?:\d+|dozens of|hundreds of|many|multiple|a bunch of|a lot of|lots of|several|fake|"
            r"sock ?puppet|"
            r"alt|burner|throwaway) accounts? (?:[\w']+ ){0,6}(?:report\w*|repl\w*|messag\w*|spam\w*|"
            r"flood\w*|"
            r"harass\w*|tag\w*|attack\w*|target\w*|dm\w*|send\w*|comment\w*|mention\w*|"
            r"post\w*) (?:[\w']+ ){0,8}"
            rf"{_A_PERSON}",
            r"(?:messages?|texts?|dms|comments|posts|replies) (?:[\w']+ ){0,6}until (?:she|he|"
            r"they) (?:kills?|"
            r"hurts?|hangs?|cuts?) (?:herself|himself|themselves)",
            _UNTIL_THEY_BREAK,
        ),
        signal(
            "hateful-jokes-other-language",
            2.0,
            r"(?:chistes|bromas|blagues|witze|barzellette|piadas|grappen|memes) (?:racistas|racistes|"
            r"rassistische\w*|razzist\w*|racist\w*|homofob\w*|homophobes?|antisemit\w*|machistas?|sexistes?)",
            r"(?:rassistische|racistas|racistes|razziste) (?:witze|chistes|blagues|barzellette|piadas)",
        ),
        signal(
            "extremist-recruitment",
            2.0,
            r"(?:recruitment|recruiting|propaganda|pamphlet|flyer|leaflet|poster|manifesto|"
            r"membership drive)\w* "
            r"(?:[\w']+ ){0,4}(?:for|of|from) (?:a |an |the |our |my )?(?:white (?:nationalist|supremacist|"
            r"power|pride)|neo ?nazi|nazi|jihadi\w*|isis|kkk|ku klux klan|accelerationist|ethnostate|"
            r"aryan|national socialist)",
        ),
        signal(
            "excluding-a-group",
            2.0,
            r"(?:to|that|which|and|will) (?:quietly |subtly |secretly |implicitly |"
            r"effectively )?(?:discourag|"
            r"exclud|filter\w* out|screen\w* out|weed\w* out|deter|keep\w* out|"
            r"turn\w* away)\w* (?:[\w']+ ){0,2}"
            rf"(?:{GROUP}|women|men|mothers|pregnant|older|over (?:[4-6]\d)|black|white|asian|hispanic|"
            r"latino|"
            r"latina|immigrants|foreigners|disabled|gay|trans|muslims?|jews|jewish)",
            also=(
                r"job|hiring|hire|applicants?|candidates?|tenants?|renters?|listing|ad|posting|apartment|"
                r"rent\w*|"
                r"lease|landlord|admissions?|membership|recruit\w*",
            ),
            unless=(
                r"(?:avoid|prevent|stop|remove|fix|check|flag|audit|review|find)\w* (?:[\w']+ ){0,4}(?:that|"
                r"which|"
                r"wording|language|phrases?) (?:[\w']+ ){0,2}(?:discourag|exclud|deter)\w*|(?:doesn't|"
                r"does not|"
                r"won't|don't|do not|never|not) (?:[\w']+ )?(?:discourag|exclud|deter|screen|filter)\w*",
            ),
        ),
    ),
    ask=(signal("until-they-break", 1.0, _UNTIL_THEY_BREAK, evasion=True),),
)

_DEFENCES = (
    r"(?:windows )?defender|crowdstrike|falcon|sentinel ?one|carbon black|sophos|mcafee|norton|kaspersky|"
    r"bitdefender|malwarebytes|edr|xdr|av|antivirus|anti virus|the sandbox|sandboxes|amsi|the soc|siem"
)

_REVIEWING_OUR_OWN = signal(
    "reviewing-our-own-system",
    2.0,
    r"(?:review|audit|assess|threat model|pen ?test|harden|secure|check)\w* (?:our|my) (?:[\w']+ ){0,4}"
    r"(?:flow|system|app|application|api|login|process|endpoint|service|site|setup|design|code) for "
    r"(?:[\w']+ ){0,3}(?:risks?|vulnerabilit\w*|weakness\w*|issues|gaps|attacks?|abuse|flaws?)",
)
_PAST_DEFENCES = (
    rf"(?:so|that|until) (?:the )?(?:{_DEFENCES})(?: and (?:the )?(?:{_DEFENCES}))? (?:won't|will not|can't|"
    r"cannot|doesn't|does not|don't|do not|never|no longer) (?:detect|flag|catch|see|notice|block|quarantine|"
    r"pick)",
    rf"(?:past|around|slip\w* by|sneak\w* by) (?:the )?(?:{_DEFENCES})",
)

MALWARE = Wider(
    harm=(
        signal(
            "payload-hidden-from-defences",
            2.0,
            r"(?:obfuscat|pack|crypt|encrypt|encod|disguis|hid|modif|rewrit|mutat)\w* (?:this |the |my |a |"
            r"our )?"
            r"(?:[\w']+ ){0,2}(?:payload|shellcode|dropper|loader|implant|beacon|stager|malware|ransomware|"
            r"rat|trojan|backdoor|reverse shell)",
            also=_PAST_DEFENCES,
        ),
    ),
    ask=(signal("past-named-defences", 1.5, *_PAST_DEFENCES, evasion=True),),
    benign=(
        _REVIEWING_OUR_OWN,
        signal(
            "our-own-software-flagged",
            2.0,
            r"false positives?|(?:whitelist|allowlist)\w*|(?:my|our) (?:own )?(?:installer|app|application|"
            r"program|build|exe|binary|package|game|tool) (?:[\w']+ ){0,3}(?:is |gets? |got |keeps getting |"
            r"was )?"
            r"(?:flagged|detected|quarantined|blocked)",
        ),
    ),
)

_AUTHORITY = (
    r"irs|hmrc|the tax (?:office|authority|department)|impots|finanzamt|hacienda|agencia tributaria|"
    r"agenzia delle entrate|receita federal|belastingdienst|the police|la policia|la police|the bank|"
    r"la banque|el banco|die bank|social security administration|medicare|the government"
)

FRAUD = Wider(
    harm=(
        signal(
            "posing-as-an-authority-for-bank-details",
            2.0,
            r"(?:ask\w*|request\w*|demand\w*|to (?:enter|confirm|verify|provide|send|update|give)|demandant|"
            r"demander|pidiendo|pide|solicitando|chiedendo|chiede|fordert|pedindo|vraagt)\w* (?:[\w']+ ){0,5}"
            r"(?:bank (?:details|account (?:number|details))|card (?:number|details)|login|password|pin|"
            r"coordonnees bancaires|donnees bancaires|datos bancarios|dados bancarios|bankdaten|"
            r"kontodaten|dati bancari|numero de (?:carte|tarjeta|cartao)|mot de passe|contrasena|senha)",
            also=(
                r"(?:from|de la part (?:de|des|du)|im namen (?:des|der)|a nome (?:di|del|della)|"
                r"en nombre de|"
                r"em nome (?:de|da|do)|pretending to be|posing as|as if (?:it's |it is )?from) (?:the |la |"
                r"le |"
                rf"les |el |der |die |das |il |a |o )?(?:{_AUTHORITY})",
                r"(?:look|looks|sound|seem|appear)s? (?:[\w']+ )?official|avoir l'air officiel|air officiel|"
                r"parecer oficial|offiziell (?:aussehen|wirken)|sembrare ufficiale",
            ),
        ),
        signal(
            "running-a-scam-on-people",
            2.0,
            rf"{verbs('run', 'pull', 'operate', 'execute', 'work')} (?:a |an |the )?(?:[\w']+ )?(?:scams?|"
            r"cons?|"
            r"frauds?|schemes?) (?:on|against|targeting) (?:[\w']+ ){0,2}(?:widows|widowers|elderly|seniors|"
            r"old "
            r"(?:people|ladies|men|women)|grandparents|retirees|immigrants|lonely|vulnerable|people|victims)",
            r"(?:what to say|a script|the script|the lines|the message) (?:[\w']+ ){0,3}to get (?:the |a |"
            r"their |her |his )?(?:first )?(?:transfer|wire|payment|money|gift cards?|crypto|deposit)",
        ),
        signal(
            "someone-elses-identity-for-money",
            2.0,
            r"(?:using|with|under) (?:another person's|someone else's|somebody else's|a stranger's|stolen|"
            r"fake|"
            r"fabricated|a dead person's|random) (?:[\w']+ )?(?:ssn|social security numbers?|identity|"
            r"identities|ids?|tax ids?|names?|credit cards?|card details)",
            r"so (?:i|we) (?:can )?(?:get|receive|keep|collect|pocket) (?:their|his|her) (?:tax )?(?:refund|"
            r"benefits|money|check|cheque|payout|pension)",
        ),
    ),
    benign=(
        signal(
            "to-warn-or-protect",
            2.0,
            r"so (?:i|we) can (?:warn|protect|educate|alert|teach|help)|to (?:warn|protect|educate|alert) "
            r"(?:my|our|the|people|customers|seniors|elderly|users|staff|employees)|(?:spot|recognize|"
            r"recognise|"
            r"avoid|detect) (?:it|them|one|these|the signs|a scam|scams|the red flags)",
        ),
        signal(
            "the-victim-sees-through-it",
            2.0,
            r"(?:she|he|they|the (?:[\w']+ )?(?:victim|grandmother|grandfather|woman|man|customer|caller)) "
            r"(?:realizes?|realises?|recognizes?|recognises?|spots?|figures? out|sees? through|catches? on|"
            r"notices?) (?:[\w']+ ){0,3}(?:scam|fraud|con|trick|lie|fake|phishing)",
            r"hangs? up on (?:him|her|them|the scammer)",
        ),
        _REVIEWING_OUR_OWN,
    ),
)

SELF_HARM = Wider(
    harm=(
        signal(
            "wanting-to-die-other-language",
            2.0,
            r"(?:je veux|j'ai envie d'|quiero|voglio|quero|ich will|ik wil) (?:en finir|acabar con todo|"
            r"farla finita|acabar com tudo|sterben(?! vor lachen)|mourir(?! de rire)|morir(?! de risa)|"
            r"morrer(?! de rir)|dood(?! van het lachen)|morire(?! dal ridere))",
            r"ich will nicht mehr leben|je ne veux plus vivre|no quiero vivir|nao quero viver|"
            r"non voglio (?:piu )?vivere|ik wil niet meer leven",
        ),
        signal(
            "certainly-fatal",
            2.0,
            r"how (?:high|far|tall|many floors|many stories|many storeys) (?:[\w']+ ){0,8}(?:sure|certain|"
            r"guaranteed|definitely|always) (?:[\w']+ ){0,2}(?:fatal|lethal|deadly|die|dead)",
            unless=(r"without|survive\w*|safe\w*|cat|dog|phone|egg",),
        ),
    ),
)

SEXUAL_MINORS = Wider(
    harm=(
        signal(
            "abuse-material-by-its-abbreviation",
            3.0,
            r"cp (?:[\w']+ ){0,2}(?:on|from|via|through|over) (?:tor|the dark ?web|dark ?web|onion|i2p)|"
            r"(?:tor|onion|dark ?web) (?:[\w']+ ){0,2}cp|cp (?:sites?|links?|forums?)|csam (?:sites?|links?|"
            r"forums?|videos?|collections?)",
        ),
        signal(
            "alone-with-a-child-unsuspected",
            2.0,
            r"(?:be|get|spend time|time|stay) alone with (?:him|her|them|the (?:kid|child|boy|girl)|"
            r"one (?:kid|"
            r"child|boy|girl)|a (?:kid|child|boy|girl))[\w' ]{0,60}(?:parents|mom|dad|mother|father|family) "
            r"(?:won't|will not|don't|do not|never|wouldn't|can't|cannot) (?:suspect|notice|find out|know|"
            r"ask|"
            r"worry)",
            r"(?:build|gain|earn)\w* (?:the )?trust (?:of|with) (?:one|a|the|this) (?:kid|child|boy|girl|"
            r"student|player)s? (?:[\w']+ ){0,4}(?:so|to) (?:i can )?(?:be|get|spend|have) (?:time )?alone",
            also=(MINOR + r"|youth|coach",),
        ),
    ),
)

DRUGS = Wider(
    harm=(
        signal(
            "a-drug-recipe",
            2.0,
            r"(?:meth|methamphetamine|fentanyl|heroin|mdma|lsd|dmt|ghb|crack cocaine) (?:recipe|synthesis|"
            r"cook|formula|batch)",
            r"shake and bake (?:method|meth|cook)|one pot (?:method|meth|cook)|p2p (?:method|cook|route)|"
            r"red phosphorus (?:method|route)|birch (?:reduction|method)",
        ),
        signal(
            "exact-synthesis-for-a-drug-story",
            2.0,
            r"(?:exact|precise|real|actual|accurate|specific) (?:[\w']+ ){0,2}(?:reagents|precursors|"
            r"temperatures|quantities|ratios|reaction conditions)(?: and (?:[\w']+ ){0,2}(?:reagents|"
            r"precursors|"
            r"temperatures|quantities|ratios|steps|times))? (?:[\w']+ ){0,3}(?:of|for) (?:the |his |her |a )?"
            r"(?:synthesis|cook|reaction|batch|recipe|process)",
            also=(r"breaking bad|walter white|walter|heisenberg|meth\w*|drugs?|blue sky|crystal|pseudo\w*",),
        ),
    ),
)

WIDER_INTENTS: dict[Category, Wider] = {
    Category.PRIVACY_DOXXING: PRIVACY,
    Category.PROMPT_INJECTION: INJECTION,
    Category.HATE_HARASSMENT: HATE,
    Category.MALWARE_INTRUSION: MALWARE,
    Category.FRAUD_PHISHING: FRAUD,
    Category.SELF_HARM: SELF_HARM,
    Category.SEXUAL_MINORS: SEXUAL_MINORS,
    Category.ILLEGAL_DRUGS: DRUGS,
}
