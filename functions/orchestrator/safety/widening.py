"""What widens every category's rules beyond the English wording they were written with.

- ``OTHER_LANGUAGES_ASK``: the ways of asking in Spanish, Portuguese, French, German and Italian
  ("como hacer", "wie baue ich", "comment fabriquer", "écris", "dame"), an ask like any other;
- per category (``WIDER``), the harm terms of the same languages (``bomba``, ``umbringen``,
  ``metanfetamina``), the slang and euphemisms of English (``unalive``, ``fullz``, ``kms``) and
  the benign idioms a category's words live in ("the concert was the bomb", "blow up my Instagram",
  "killing myself at the gym", "the lethal dose of caffeine").

``widened`` adds them to a category's rules: the signals weigh as every other (see ``rules``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import CategoryRules, Signal, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import GROUP, PERSON, RELATION

OTHER_LANGUAGES_ASK = signal(
    "ask-other-language",
    1.0,
    # Spanish, Portuguese, Italian
    r"como (?:hacer|hago|puedo|se hace|fazer|faço|posso|se faz|cocinar|fabricar|preparar|conseguir|"
    r"encontrar|comprar|obtener)",
    r"cual es la (?:mejor |forma|manera)|qual (?:e|é) a (?:melhor )?(?:forma|maneira)",
    r"(?:la |a )?(?:mejor|melhor|forma|manera|maneira) (?:mas |mais )?(?:facil |rapida |rápida )?de",
    r"escribe|escreve|escreva|scrivi|dame|dime|muestra|mostra|hazme|quiero|quero|voglio|"
    r"dimmi|dammi|come (?:fare|posso|si fa)|paso a paso|passo a passo",
    # French
    r"comment (?:faire|fabriquer|fait on|puis je|je peux|créer|creer|obtenir|pirater|trouver)",
    r"ecris|écris|donne moi|montre moi|affiche|explique moi|je veux|étape par étape|etape par etape",
    # German
    r"wie (?:baue|mache|kann|bekomme|finde|stelle|koche|hacke)|wie (?:stellt|baut|macht) man",
    r"schreib\w*|gib mir|zeig mir|ich will|ich möchte|ich mochte|schritt für schritt|anleitung",
)


@dataclass(frozen=True)
class Wider:
    harm: tuple[Signal, ...] = ()
    ask: tuple[Signal, ...] = ()
    benign: tuple[Signal, ...] = ()


_SELF = r"(?:myself|my self|my own life|me)"
WIDER: dict[Category, Wider] = {
    Category.VIOLENCE_WEAPONS: Wider(
        harm=(
            signal(
                "explosives-other-language",
                1.0,
                r"bombas?|bombe|bombes|rohrbomben?|sprengstoff\w*|sprengsatz|explosivos?|explosifs?|"
                r"esplosiv[oi]|granaten?|molotov",
            ),
            signal(
                "killing-other-language",
                1.0,
                r"(?:matar|asesinar|uccidere|tuer|töten|toten) (?:a |al |la |le |mon |ma |mi |il |"
                r"meinen |meine |den |die |o |a )(?!tiempo|tempo|temps|zeit|sede|saudade|fome|hambre)\w+",
            ),
            signal(
                "mass-harm",
                2.0,
                r"(?:maximi[sz]e|max) (?:the )?(?:casualties|deaths|victims|body count)",
                r"(?:drop|dropping) (?:a |the )?(?:grenade|bomb|explosive)s? on",
                rf"{verbs('shoot up')} (?:my |the |a |our )?(?:school|class|office|church|mall|work)",
                rf"{verbs('rig')} (?:a |the |his |her |their |my )?(?:[\w']+ )?(?:car|door|mailbox|package) "
                r"to (?:explode|blow)",
            ),
            signal(
                "sabotage",
                2.0,
                rf"{verbs('sabotage', 'cut', 'tamper with', 'loosen', 'drain')} the (?:brakes?|brake lines?) "
                r"(?:on|of|in) (?:my |his |her |their |[\w']+'s )",
                r"(?:have|has) (?:a |an )?'?(?:fatal|deadly) accident'?",
            ),
        ),
        benign=(
            signal(
                "idiom",
                2.0,
                r"(?:was|is|were|are|'s) (?:the|da|a) bomb(?! (?:made|hidden|placed|going|"
                r"set|wired|built|planted|"
                r"under|in|at|on|to|for)\b)",
                rf"{verbs('blow up')} (?:my|our|the|your) (?:[\w']+ ){{0,2}}(?:business|"
                rf"brand|instagram|tiktok|"
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
    ),
    Category.MALWARE_INTRUSION: Wider(
        harm=(
            signal(
                "malware-other-language",
                1.0,
                r"troyanos?|trojaners?|cheval de troie|virus informatico|logiciel malveillant|schadsoftware|"
                r"(?:robe|roube|robar|roubar|stehlen|voler|rubare)\w* (?:las |as |les |die |le )?"
                r"(?:contraseñas|contrasenas|senhas|passwörter|passworter|mots de passe|password)|"
                r"hackear|pirater|hacken",
            ),
            signal(
                "stealers",
                2.0,
                r"(?:token|password|cookie|credential|info|crypto|wallet) ?(?:grabbers?|stealers?|loggers?)",
                r"(?:crypters?|binders?) (?:so|to|that) (?:[\w']+ ){0,3}(?:not|isn't|undetect\w*|"
                r"flagged|bypass)",
                r"pop (?:a )?(?:shell|reverse shell) on (?:someone|somebody|a stranger|"
                r"[\w']+ else's|their|his|"
                r"her)",
                r"(?:secretly|heimlich|en secreto|en secret) (?:turns?|einschalt\w*|activ\w*|enciend\w*) "
                r"(?:on )?(?:the |die |la )?(?:webcam|camera|cam|kamera)",
                r"webcam heimlich|heimlich (?:die |the )?webcam",
            ),
        ),
        ask=(
            signal(
                "not-authorised",
                1.5,
                r"(?:someone|somebody) else's (?:server|account|computer|laptop|network|"
                r"site|website|wifi|phone)",
                r"(?:a |an )?(?:site|server|network|system|account)s? (?:that )?(?:i|"
                r"we) (?:don't|do not) own",
                r"without (?:their |the owner's )?(?:authori[sz]ation|permission)",
                evasion=True,
            ),
        ),
    ),
    Category.FRAUD_PHISHING: Wider(
        harm=(
            signal(
                "fraud-other-language",
                1.0,
                r"estafas?|fraude|betrug\w*|arnaques?|golpes?|truffa|phishing|hameçonnage|hameconnage",
            ),
            signal(
                "carding",
                2.0,
                r"fullz|carders?|carding|cvv dumps?|cc dumps?|bank logs|cash ?out (?:cloned|stolen)",
                r"(?:valid|working|real|live) (?:credit |debit )?card numbers? (?:with|and|plus) (?:cvv|"
                r"expiry|expiration)",
                r"(?:text|sms|message|email|mail)s? (?:that )?(?:looks?|seems?|"
                r"appears?) (?:like it(?:'s| is) |"
                r"to be )?from (?:dhl|fedex|ups|usps|the post office|royal mail|amazon|the bank|your bank|"
                r"paypal|netflix|apple|microsoft|the irs|hmrc)",
                r"(?:calling|call|cold call\w*) (?:people|victims|seniors|"
                r"the elderly) (?:as|pretending to be) "
                r"(?:microsoft|apple|tech support|the irs|their bank|the police)",
            ),
        ),
        ask=(
            signal(
                "dodging-buyers", 1.5, r"avoid (?:the |any )?(?:chargebacks|refunds|disputes)", evasion=True
            ),
        ),
    ),
    Category.SELF_HARM: Wider(
        harm=(
            signal(
                "self-harm-other-language",
                2.0,
                r"suicidarme|suicidarse|matarme|me suicider|me tuer|mich (?:umbringen|töten|toten)|"
                r"uccidermi|suicidarmi|quitarme la vida|tirarme la vida|selbstmord begehen|"
                r"mich selbst (?:umbringen|verletzen)|me matar",
            ),
            signal(
                "self-harm-slang",
                2.0,
                rf"unalive {_SELF}|kms|(?:want|going|ready) to end it all|off myself",
                r"(?:lethal|fatal|deadly) (?:dose|amount) of (?:my |the )?(?:[\w']+ )?"
                r"(?:antidepressants|pills|tablets|meds|medication|sleeping pills|insulin)",
                rf"{verbs('starve')} {_SELF}",
                r"(?:tie|make|tying) a noose",
                r"high enough to (?:jump|die)|(?:jump|fall) from and not survive",
                r"(?:pills|tablets|meds|capsules) (?:[\w']+ ){0,3}(?:is (?:that|it|this) enough|enough to "
                r"(?:die|not wake up|end it|kill me))",
            ),
        ),
        benign=(
            signal(
                "hyperbole-or-everyday",
                2.0,
                r"(?:killing|kill|killed) myself (?:at|in|with|over) (?:the gym|work|"
                r"training|practice|leg day|"
                r"this|studying|homework|laughing)",
                r"(?:lethal|fatal|toxic) (?:dose|amount) of (?:caffeine|coffee|water|"
                r"energy drinks?|vitamin \w+|"
                r"salt|chocolate|nutmeg)",
                r"leg day|die laughing|dying (?:of|from) laughter",
            ),
        ),
    ),
    Category.SEXUAL_MINORS: Wider(
        harm=(
            signal(
                "abuse-material-slang",
                3.0,
                r"(?:links? to|send me|share|trade|download|videos of|pics of) cp|cp (?:links?|videos?|pics?|"
                r"collection)|child porn\w*|kiddie porn|pedo (?:pics|videos|material)",
            ),
            signal(
                "minor-and-sexual-wider",
                2.0,
                r"(?:[1-9]|1[0-2])(?:th|st|nd|rd) grade (?:students?|pupils?|girls?|boys?|kids?)|"
                r"(?:minors?|kids?|children|underage|pre ?teens?) (?:[\w']+ ){0,3}(?:to )?sext\w*|"
                r"sext\w* (?:with )?(?:a |an )?(?:minor|kid|child|teen|underage)",
                also=(r"seduc\w*|sext\w*|sexy|sexual\w*|erotic\w*|explicit|nudes?|naked|in bed|lewd",),
            ),
        ),
        benign=(
            signal(
                "shopping-or-care",
                1.5,
                r"brands?|what size|which size|swim ?(?:suit|wear)|swimming lessons|bedtime story|"
                r"age appropriate|sleepover",
            ),
        ),
    ),
    Category.HATE_HARASSMENT: Wider(
        harm=(
            signal(
                "dehumanising-wider",
                3.0,
                r"useless eaters|subhumans?|untermenschen|vermin|parasites|cockroaches|"
                r"(?:son|sont|sind) (?:basura|escoria|ratas|des rats|des déchets|abschaum|ungeziefer|dreck)",
                also=(
                    GROUP + r"|gitanos|judios|judíos|juifs|juden|musulmanes|musulmans|muslime|"
                    r"inmigrantes|immigrés|immigres|ausländer|auslander|flüchtlinge|negros|noirs",
                ),
            ),
            signal(
                "group-removal",
                3.0,
                r"(?:should|must|need to|have to|ought to) be (?:gotten rid of|got rid of|exterminated|"
                r"gassed|shot|eliminated|wiped out|purged)",
                r"hay que (?:expulsar|matar|eliminar)\w*|müssen (?:raus|weg|ausgerottet)|"
                r"(?:il faut|faut) les (?:virer|expulser|tuer)",
                also=(
                    GROUP + r"|gitanos|judios|juifs|juden|musulmanes|muslime|inmigrantes|immigrés|"
                    r"ausländer|auslander",
                ),
            ),
            signal(
                "threat",
                2.0,
                rf"{verbs('make')} (?:her|his|their|your) life (?:a living )?hell",
                r"(?:better|gonna|going to) watch (?:her|his|their|your) back",
                rf"{verbs('bully')} (?:{PERSON}|the [\w']+ (?:girl|boy|kid)) (?:[\w']+ ){{0,3}}until",
            ),
        ),
    ),
    Category.ILLEGAL_DRUGS: Wider(
        harm=(
            signal(
                "drugs-other-language",
                1.0,
                r"metanfetamina|methamphetamin|metamfetamina|cocaína|cocaina|kokain|heroína|heroina|"
                r"héroïne|heroin|crystal meth|drogas?|drogen|drogue",
            ),
            signal(
                "drug-slang",
                1.0,
                r"percs|percocets?|addys|xans|xanax bars|fent|oxys|shrooms|eight ?ball|"
                r"(?:cop|pop|score|sell|some) (?:molly|blow|tabs)",
            ),
            signal("pills", 0.5, r"pills|tablets|powder"),
            signal(
                "drug-sale",
                2.0,
                r"sell\w* (?:[\w']+ ){0,5}(?:at|in|on|around) (?:the |a |my )?(?:concert|"
                r"festival|rave|club|campus|"
                r"dorm|school|party)",
                also=(r"mushrooms|shrooms|edibles|harvest|grow tent|pills|tabs|weed|grams|ounces|eighths?",),
            ),
        ),
        ask=(
            signal(
                "hook-up",
                1.0,
                r"hook (?:me|us) up|(?:find|get|need) (?:me |us )?(?:a |an )?(?:plug|dealer|connect)",
                r"cocinar|kochen|herstellen|fabriquer|sintetizar|synthétiser",
            ),
        ),
    ),
    Category.PRIVACY_DOXXING: Wider(
        harm=(
            signal(
                "identifiers-of-a-person",
                2.0,
                r"(?:social security|ssn|national insurance|passport) numbers? of (?:[\w']+ ){1,3}",
                r"(?:location|location history|whereabouts|home address) of (?:a specific|a particular|this|"
                r"that) (?:person|woman|man|girl|guy|individual)",
                r"(?:hide|put|stick|plant|slip)\w* (?:an? )?(?:airtag|tile|gps tracker|"
                r"tracker) (?:in|on|under)"
                rf" (?:his |her |their |(?:my |the )?(?:{RELATION})'s )",
                rf"(?:log|logging|get|break) (?:in)?to (?:my |his |her |their )?{PERSON}'s (?:icloud|google "
                r"account|phone|email)",
                rf"{verbs('clone', 'mirror')} (?:my |his |her |their )?(?:[\w']+'s )?(?:phone|sim)",
                r"where (?:this|the|that) (?:[\w']+ ){0,2}(?:lives|works|goes to school) from",
            ),
            signal(
                "someone-elses-device",
                0.5,
                rf"(?:(?:{RELATION})|him|her)'s (?:phone|messages|texts|whatsapp|location|icloud|email|"
                r"snapchat|instagram|laptop|computer|car)",
            ),
        ),
    ),
    Category.PROMPT_INJECTION: Wider(
        harm=(
            signal(
                "override-other-language",
                2.0,
                r"(?:ignora|ignorez|olvida|oublie|oubliez|vergiss|esquece|esqueça|dimentica)\w* "
                r"(?:[\w']+ ){0,3}(?:instrucciones|instructions|anweisungen|instruções|instrucoes|istruzioni|"
                r"reglas|règles|regeln|regras|regole)",
                r"prompt (?:del |de |do )?sistema|prompt système|prompt systeme|systemprompt",
            ),
            signal(
                "reveal-hidden",
                2.0,
                r"(?:repeat|print|output|reveal|show|dump) (?:the |all )?(?:text|words|instructions) "
                r"(?:above|before this)",
                r"including (?:the )?hidden instructions",
            ),
        ),
    ),
    Category.DESTRUCTIVE_OPERATIONS: Wider(
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
            ),
        ),
        ask=(
            signal(
                "no-way-back",
                1.5,
                r"(?:purge|delete|disable|destroy|wipe) (?:the |"
                r"all )?(?:point in time recovery|backups|snapshots|"
                r"audit logs?)",
                evasion=True,
            ),
        ),
    ),
}


def widened(rules: CategoryRules) -> CategoryRules:
    """``rules`` with their category's wider terms added."""
    wider = WIDER.get(rules.category, Wider())
    return replace(
        rules,
        harm=rules.harm + wider.harm,
        ask=rules.ask + wider.ask,
        benign=rules.benign + wider.benign,
    )
