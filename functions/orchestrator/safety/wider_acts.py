"""The wider terms of the categories about acts: violence and weapons, self-harm, malware,
prompt injection and destructive operations (see ``widening``)."""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import RELATION, gap

_SELF = r"(?:myself|my self|my own life|me)"
_WHO = (
    rf"(?:(?:my |the |his |her |our )?(?:{RELATION}|stepfather|stepmother|husband|wife)|he|she|they|him|her)"
)

VIOLENCE = Wider(
    harm=(
        signal(
            "explosives-other-language",
            1.0,
            r"bombas?(?! de bano| de banho| da bagno)|bombe(?! de bain)|bombes(?! de bain)|"
            r"een bom|de bom|bommen|rohrbomben?|sprengstoff\w*|sprengsatz|"
            r"explosivos?|explosifs?|"
            r"esplosiv[oi]|explosieven|granaten?|molotov",
        ),
        signal(
            "killing-other-language",
            1.0,
            r"(?:matar|asesinar|uccidere|tuer|toten|toten|vermoorden|doden) (?:a |al |la |le |mon |ma |mi |"
            r"il |meinen |meine |den |die |o |a |mijn )(?!tiempo|tempo|temps|zeit|sede|saudade|"
            r"fome|hambre)\w+",
        ),
        signal(
            "mass-harm",
            2.0,
            r"(?:maximi[sz]e|max) (?:the )?(?:casualties|deaths|victims|body count)",
            r"(?:drop|dropping) (?:a |the )?(?:grenade|bomb|explosive)s? on",
            rf"{verbs('shoot up')} (?:my |the |a |our )?(?:school|class|office|church|mall|work)",
            rf"{verbs('rig')} (?:a |the |his |her |their |my )?(?:[\w']+ )?(?:car|door|mailbox|package) "
            r"to (?:explode|blow)",
            r"(?:kill|hurt|poison|choke|burn)\w* (?:whoever|anyone who|everyone (?:in|who|inside)|everybody "
            r"(?:in|who|inside))",
        ),
        signal(
            "staged-death",
            2.0,
            r"(?:broken glass|glass|needles?|razor blades?|laxatives?|bleach) (?:in|"
            r"into) (?:[\w']+ )?(?:someone's|his|her|their|[\w']+'s) (?:food|drink|coffee|meal|tea)",
            r"make it look like (?:a |an )?(?:robbery|burglary|break in|mugging|accident|"
            r"suicide)|with (?:her|him|them|the family|people|kids) inside",
            r"(?:plan|planning|organi[sz]e|carry out)\w* (?:an? )?(?:attack|shooting|bombing|"
            r"massacre) (?:on|at|against)|hunt\w* (?:people|humans|him|her|them)\b|"
            r"make it look like (?:they|he|she) (?:tripped|fell|slipped)",
            r"(?:ambush\w*|attack\w*|assault\w*|raid\w*) (?:[\w']+ ){0,2}(?:police|patrols?|"
            r"officers|soldiers|troops|convoys?|checkpoints?)",
            rf"{verbs('sabotage', 'cut', 'tamper with', 'loosen', 'drain')} the (?:brakes?|brake lines?) "
            r"(?:on|of|in) (?:my |his |her |their |[\w']+'s )",
            r"(?:have|has) (?:a |an )?(?:fatal|deadly) accident",
            r"(?:someone's|somebody's|a person's|his|her|their|[\w']+'s) death look like (?:a |an )?"
            r"(?:heart attack|accident|suicide|natural causes|stroke|overdose)",
            rf"{_WHO} (?:needs? to|has to|have to|must|should) (?:disappear|die|go away) (?:permanently|"
            r"for good|forever)",
            r"(?:i have|i've got|got) (?:someone|a person|somebody) in mind",
            r"claymores?|(?:directional|anti personnel) mines?",
            r"(?:most|more|maximum|worst) (?:damage|harm|pain|injury) (?:to|on) (?:a )?(?:human|person|"
            r"body|someone)",
        ),
    ),
    benign=(
        signal(
            "idiom",
            2.0,
            r"(?:was|is|were|are|'s) (?:the|da|a) bomb(?! (?:made|hidden|placed|going|set|wired|built|"
            r"planted|under|in|at|on|to|for)\b)",
            rf"{verbs('blow up')} (?:my|our|the|your) (?:[\w']+ ){{0,2}}(?:business|brand|instagram|tiktok|"
            r"channel|page|account|followers|sales|phone|notifications|inbox|youtube|twitter|startup)",
            r"bomb ass|bomb dot com",
        ),
        signal(
            "pests",
            1.5,
            r"aphids?|weeds?|pests?|slugs?|snails?|ants|roaches|cockroaches|termites|mou?ld|fleas|"
            r"ticks|lice|moles|gophers|wasps?|mosquito(?:e?s)?|bacteria|germs|fruit flies|bed bugs|"
            r"zombie process\w*|processes",
        ),
    ),
)

SELF_HARM = Wider(
    harm=(
        signal(
            "self-harm-other-language",
            2.0,
            r"suicidarme|suicidarse|matarme|me suicider|me tuer|mich (?:umbringen|toten|toten)|"
            r"uccidermi|suicidarmi|quitarme la vida|tirarme la vida|selbstmord begehen|"
            r"mich selbst (?:umbringen|verletzen)|me matar|zelfmoord plegen|mezelf (?:doden|ombrengen)",
        ),
        signal(
            "self-harm-slang",
            2.0,
            r"(?:best|good|quiet) (?:place|spot|bridge|building) to jump|use (?:it |"
            r"them )?on myself|(?:decided|ready|going) to end it",
            r"(?:jump|jumping) off my|is \d+ (?:floors|stories|storeys|metres|meters|"
            r"feet) high enough|(?:to|under|below) (?:2\d|3\d) ?(?:kg|kilos)|(?:to|under|"
            r"below) (?:[4-8]\d) ?(?:lbs|pounds)",
            r"(?:last|final|goodbye) (?:letter|note|message|"
            r"words)\b[\w' ]{0,30} before i (?:jump|go|die|do it|end)|stop eating and drinking|"
            r"i'll stop eating|(?:lose|drop) \d+ ?(?:kg|kilos|lbs|pounds) in (?:a|one|\d) (?:week|days?)",
            rf"unalive {_SELF}|(?:to|gonna|wanna|will|i'll|i) kms|(?:want|going|"
            r"ready) to end it all|off myself",
            r"(?:lethal|fatal|deadly) (?:dose|amount) of (?:my |the )?(?:[\w']+ )?"
            r"(?:antidepressants|pills|tablets|meds|medication|sleeping pills|insulin)",
            rf"{verbs('starve')} {_SELF}",
            r"(?:tie|make|tying) a noose",
            r"high enough to (?:jump|die)|(?:jump|fall) from and not survive",
            r"(?:pills|tablets|meds|capsules) (?:[\w']+ ){0,3}(?:is (?:that|it|this) enough|enough to "
            r"(?:die|not wake up|end it|kill me))",
            r"(?:drink|take|swallow|eat|inject|use) (?:[\w']+ ){0,2}to end it",
            r"(?:goodbye|farewell|suicide) (?:note|letter) (?:for me )?(?:to leave )?before i",
            r"(?:take|taking|swallow|swallowing) all (?:of )?(?:my|the) (?:pills|meds|tablets|medication)",
            r"(?:peaceful|painless|quick|quiet|easy|certain) way (?:to go|out|to die)",
            r"(?:going to|gonna) do it tonight|(?:rope|knot) for hanging",
            r"(?:will|would|is|are) \d+ (?:[\w']+ )?(?:paracetamol|tylenol|pills|tablets|advil|"
            r"ibuprofen|aspirin)\w* "
            r"(?:do it|be enough|kill me|enough)",
        ),
        signal(
            "tired-of-living",
            1.0,
            r"(?:best|easiest|quickest) way to cut|"
            r"cut (?:myself )?without (?:[\w']+ ){0,3}(?:finding out|noticing|knowing)",
            r"tired of (?:living|being alive|life)|done with (?:life|living)|(?:don't|do not) want to "
            r"(?:live|be alive|exist|be here)|(?:no|nothing) (?:reason|point) (?:to|in) (?:live|living)",
            r"carbon monoxide (?:in|from) (?:the|my|a) (?:garage|car)",
        ),
    ),
    ask=(
        signal(
            "hidden-from-carers",
            1.5,
            r"no (?:hotline|helpline|crisis line)\w*|(?:don't|do not) (?:give me|send me|"
            r"tell me) (?:a |any )?(?:hotline|helpline|crisis)",
            r"hide (?:it|them|this|the \w+) from (?:my )?(?:doctor|parents|family|mom|dad|therapist|teacher|"
            r"friends|husband|wife|partner)",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "hyperbole-or-everyday",
            2.0,
            r"is it (?:dangerous|safe|bad|harmful|ok|okay) to|side effects|(?:drug )?interactions?",
            r"(?:killing|kill|killed) myself (?:at|in|with|over) (?:the gym|work|training|practice|"
            r"leg day|this|studying|homework|laughing)",
            r"(?:lethal|fatal|toxic) (?:dose|amount) of (?:caffeine|coffee|water|energy drinks?|"
            r"vitamin \w+|salt|chocolate|nutmeg)",
            r"leg day|die laughing|dying (?:of|from) laughter",
            r"(?:on|with|from) (?:the|a|my) (?:stove|oven|iron|pan|kettle|grill|hob)|"
            r"how do i treat|first aid|"
            r"accidentally|by accident",
        ),
        signal(
            # asking for someone to talk to, for help to stay safe, or how to help a friend at risk:
            # care, unless the same text asks for a means or a method
            "help-seeking",
            2.0,
            rf"(?:who|where) (?:can|could|should|do) (?:i|we) {gap}(?:talk|speak|turn|reach out|call|"
            r"text|go|get help|find help|find support)",
            r"(?:someone|somebody|anyone|a person|people|a counsell?or|a therapist|a doctor) (?:i|we) "
            r"(?:can|could) (?:talk|speak|call|text|reach)|(?:someone|somebody|anyone) to (?:talk|speak) to",
            r"(?:don't|do not|never) (?:want|plan|intend|mean) to (?:act on|do anything|go through with|"
            r"hurt myself|do it)|(?:not|never) (?:going|gonna) to act on",
            r"(?:need|want|get|getting|find|finding|seek|seeking|looking for|ask for|asking for) (?:some )?"
            r"(?:professional |urgent |real )?(?:help|support|counsel\w*)"
            r"(?! (?:to |with |in )?(?:die|dying|end|ending|kill|killing|do it|doing it))",
            r"how (?:do|can|could|should|would) (?:i|we) (?:cope|deal with|get through|stay safe|"
            r"keep (?:myself|me|her|him|them) safe|stop (?:thinking|feeling|having|these|the|my)|"
            r"help (?:her|him|them|my|a))",
            r"(?:keep|keeping) (?:myself|me|her|him|them) safe|safety plan|"
            r"talk (?:me|her|him|them) out of it",
            r"(?:i'm|i am|we're|we are) (?:really |so |very )?(?:worried|scared|afraid|concerned) "
            rf"(?:about|for|that) (?:my |a |our )?(?:friend|her|him|them|she|he|they|{RELATION})",
            unless=(
                r"how (?:many|much|long|high|far|deep)|painless\w*|quick(?:est|ly)?|fastest|surest",
                r"easiest|lethal|fatal|deadly|method|methods|enough to|(?:best|right|safest) way|make sure",
                r"without (?:pain|hurting|anyone|them|her|him|my)|(?:not|never|don't) wake up|won't survive",
                r"which (?:pills|drugs|bridge|building)|no (?:hotline|helpline|crisis)\w*",
            ),
        ),
    ),
)

MALWARE = Wider(
    harm=(
        signal(
            "malware-other-language",
            1.0,
            r"troyanos?|trojaners?|cheval de troie|virus informatico|logiciel malveillant|schadsoftware|"
            r"(?:robe|roube|robar|roubar|stehlen|voler|rubare)\w* (?:las |as |les |die |le )?"
            r"(?:contrasenas|contrasenas|senhas|passworter|passworter|mots de passe|password)|"
            r"hackear|pirater|hacken",
            r"(?:entrar|entrare|acceder|acceder|einloggen|"
            r"inloggen)\w* (?:[\w']+ ){0,2}(?:\w+')?(?:account|cuenta|"
            r"conta|compte|konto)",
        ),
        signal(
            "stealers",
            2.0,
            r"read (?:the )?(?:emails?|messages|dms|texts|inbox) of (?:[\w']+ ){0,3}(?:ceo|cfo|"
            r"boss|director|manager|coworker|colleague|wife|husband|ex)|skimmers? (?:on|at|"
            r"in) (?:gas pumps|atms?|pumps)",
            r"(?:easiest|weakest|best|simplest) (?:[\w']+ ){0,3}to (?:hack|break) into|(?:fake|"
            r"rogue|evil twin) (?:wifi|wi fi|hotspot|access point)s?",
            r"(?:token|password|cookie|credential|info|crypto|wallet) ?(?:grabbers?|stealers?|loggers?)",
            r"(?:crypters?|binders?) (?:so|to|that) (?:[\w']+ ){0,3}(?:not|isn't|undetect\w*|flagged|bypass)",
            r"pop (?:a )?(?:shell|reverse shell) on (?:someone|somebody|a stranger|[\w']+ else's|their|his|"
            r"her)",
            r"(?:secretly|heimlich|en secreto|en secret) (?:turns?|einschalt\w*|activ\w*|enciend\w*) "
            r"(?:on )?(?:the |die |la )?(?:webcam|camera|cam|kamera)",
            r"webcam heimlich|heimlich (?:die |the )?webcam",
            r"(?:sms|call|text|email) bomb\w*|flood\w* (?:my |his |her |their |"
            r"[\w']+'s )?(?:[\w']+'s )?(?:phone|inbox|"
            r"number|email) with",
            r"clone (?:a |the )?(?:hotel )?(?:key ?card|rfid|badge|access card|fob)s?",
        ),
    ),
    ask=(
        signal(
            "not-authorised",
            1.5,
            r"(?:i|we) (?:got|was|were) fired from|i no longer work (?:there|at|for)",
            r"lost the contract|(?:without|no) (?:a )?(?:contract|scope)|no longer authori[sz]ed|"
            r"after (?:the|my) (?:contract|access) (?:ended|expired|was revoked)",
            r"(?:someone|somebody) else's (?:server|account|computer|laptop|network|site|website|wifi|phone)",
            r"(?:a |an )?(?:site|server|network|system|account)s? (?:that )?(?:i|we) (?:don't|do not) own",
            r"without (?:their |the owner's )?(?:authori[sz]ation|permission)",
            r"(?:that )?(?:isn't|is not|aren't|are not) (?:mine|ours)",
            r"senza password|sin (?:la )?contrasena|sin (?:la )?contrasena|sans (?:le )?mot de passe|"
            r"ohne (?:das )?passwort|sem (?:a )?senha|zonder wachtwoord",
            evasion=True,
        ),
    ),
)

INJECTION = Wider(
    ask=(
        signal(
            "addressed-to-the-model",
            0.5,
            r"you|your|yourself|assistant|ai|chatbot|gpt|the user|this (?:conversation|session|"
            r"chat)|the response",
        ),
    ),
    harm=(
        signal(
            "override-other-language",
            2.0,
            r"(?:ignora|ignorez|olvida|oublie|oubliez|vergiss|esquece|esqueca|dimentica|negeer|vergeet)\w* "
            r"(?:[\w']+ ){0,3}(?:instrucciones|instructions|anweisungen|instrucoes|instrucoes|istruzioni|"
            r"instructies|reglas|regles|regeln|regras|regole|regels)",
            r"prompt (?:del |de |do |di )?sistema|prompt systeme|prompt systeme|systemprompt|systeemprompt",
        ),
        signal(
            "reveal-hidden",
            2.0,
            r"(?:repeat|print|output|reveal|show|dump) (?:the |all )?(?:text|words|instructions) "
            r"(?:above|before this)",
            r"including (?:the )?hidden instructions",
            r"(?:reveal|print|show|output|repeat|dump|leak) (?:me )?(?:the |your )?(?:system|hidden|initial|"
            r"original|secret) (?:instructions|prompt|message|rules)",
            r"(?:api keys?|secrets|environment variables|credentials|tokens|env vars) (?:that )?you (?:can )?"
            r"(?:access|have|see|know)",
            r"(?:any|all) (?:the )?secrets in your (?:context|memory|prompt)",
        ),
    ),
    benign=(
        signal(
            "explaining-attacks",
            2.5,
            r"(?:prompt )?injection attacks? (?:like|such as)|attacks? like '|"
            r"examples? of (?:prompt )?injection",
        ),
        signal(
            "own-device",
            2.5,
            r"(?:to|of|for|on) my own (?:[\w']+ ){0,2}(?:laptop|computer|pc|mac|router|account|device|server|"
            r"phone|windows)",
        ),
    ),
)

DESTRUCTIVE = Wider(
    harm=(
        signal(
            "destroy-everything",
            2.0,
            r"terraform destroy (?:the |our |all )?(?:whole |entire )?(?:prod\w*|live|company)",
            r"(?:kubectl )?delete (?:the |all |every )?namespaces? (?:[\w']+ ){0,4}(?:in |on )?prod\w*",
            rf"{verbs('wipe', 'erase', 'delete')} (?:the |our )?shared (?:drive|folder|disk)",
            r"so (?:my |the |our )?(?:[\w']+ ){0,2}lose (?:all )?their work",
            r"purge (?:the )?point in time recovery",
            r"(?:and|then|also) (?:delete|disable|purge) (?:the |all )?(?:audit logs?|backups|snapshots)",
            r"(?:encrypt|lock) the backups with a key only (?:i|we) know",
            r"force ?push\w* (?:[\w']+ ){0,5}in (?:all|every one of) (?:our |the )?repo\w*",
            rf"{verbs('delete', 'wipe', 'erase', 'destroy')} (?:their|everyone's|every employee's|all "
            r"(?:the )?(?:employees|users)') (?:home )?(?:directories|files|data|accounts|mailboxes)",
            r"rm rf (?:[\w']+ ){0,2}(?:on |across )?(?:every|all) (?:[\w']+ )?(?:hosts?|servers?|"
            r"machines?|nodes?)",
            r"so (?:the )?(?:line|production|factory|plant|servers?|site|service|everything) (?:stops|goes "
            r"down|halts|crashes|breaks|goes dark|goes offline)",
        ),
        signal(
            "corrupt",
            1.0,
            r"corrupt\w* (?:the |our |their |[\w']+'s )?(?:[\w']+ )?(?:git history|database|backups|repo\w*|"
            r"files|data|disks?)",
        ),
    ),
    ask=(
        signal(
            "destroy-all-now",
            1.0,
            r"^(?:please )?(?:delete|drop|wipe|erase|destroy|kill|purge|truncate|remove) (?:all|"
            r"every|everything)",
        ),
        signal(
            "no-way-back",
            1.5,
            r"so (?:the |all )?(?:data|files|backups|everything) (?:is|are) gone|expire everything",
            r"so they lose (?:everything|all|it)",
            r"(?:purge|delete|disable|destroy|wipe) (?:the |all )?(?:point in time recovery|"
            r"backups|snapshots|"
            r"audit logs?)",
            r"(?:with )?no backups?|without (?:a |any |taking a )?backups?",
            r"so (?:nothing|none of it|no one) can (?:be )?(?:recovered|restored|recover|restore)",
            r"so (?:the )?(?:site|service|app|line|company|they|everything) (?:goes|go|stops|is|are|gets?) "
            r"(?:dark|down|offline|stuck)|so they(?:'re| are) stuck",
            r"(?:runs?|execute\w*) rm rf (?:[\w']+ ){0,2}(?:on |across )?(?:every|all)",
            r"(?:remove|delete|revoke)\w* (?:[\w']+ ){0,3}(?:who|that) could (?:restore|recover|undo)",
            r"i(?:'m| am) (?:quitting|leaving)(?: anyway)?",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "own-files",
            1.5,
            r"my old (?:files|photos|tweets|emails|posts|laptop|phone|drive files|google drive)",
            r"my local|(?:test|dev|staging|sandbox) (?:db|database|env\w*|server|cluster)",
            r"my (?:downloads|desktop|documents|trash|recycle bin|temp|cache|personal|"
            r"own)(?: folder| files)?",
        ),
    ),
)

WIDER_ACTS: dict[Category, Wider] = {
    Category.VIOLENCE_WEAPONS: VIOLENCE,
    Category.SELF_HARM: SELF_HARM,
    Category.MALWARE_INTRUSION: MALWARE,
    Category.PROMPT_INJECTION: INJECTION,
    Category.DESTRUCTIVE_OPERATIONS: DESTRUCTIVE,
}
