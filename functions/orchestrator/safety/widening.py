"""What widens every category's rules beyond the English wording they were written with.

- ``OTHER_LANGUAGES_ASK`` and ``OTHER_LANGUAGES_EVASION``: the ways of asking, and of asking not to
  be found out, in Spanish, Portuguese, French, German, Italian and Dutch ("como hacer", "wie baue
  ich", "comment fabriquer", "sin que se entere"), weighed as the English ones (``frames``);
- per category, the harm terms of the same languages (``bomba``, ``umbringen``, ``metanfetamina``),
  the slang, euphemisms and indirect phrasings of English (``unalive``, ``fullz``, "make his death
  look like a heart attack", "so people type their login") and the benign idioms a category's
  words live in ("the concert was the bomb", "blow up my Instagram", "killing myself at the gym"):
  ``wider_acts`` (violence, self-harm, malware, injection, destructive operations) and
  ``wider_people`` (fraud, minors, hate, drugs, privacy).

``widened`` adds them, the category's lexicon of harm objects (``wider_terms``) and its
``concepts`` to a category's rules; the signals weigh as every other (see ``rules``).
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator.safety.concepts import CONCEPT_WEIGHTS, CONCEPTS
from orchestrator.safety.families_acts import FAMILIES_ACTS
from orchestrator.safety.families_fraud import FAMILIES_FRAUD
from orchestrator.safety.families_people import FAMILIES_PEOPLE
from orchestrator.safety.families_privacy import FAMILIES_PRIVACY
from orchestrator.safety.families_systems import FAMILIES_SYSTEMS
from orchestrator.safety.rules import CategoryRules, Wider, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.wider_acts import WIDER_ACTS
from orchestrator.safety.wider_intents import WIDER_INTENTS
from orchestrator.safety.wider_languages import LANGUAGE_TERMS
from orchestrator.safety.wider_people import WIDER_PEOPLE
from orchestrator.safety.wider_terms import HARM_TERMS

OTHER_LANGUAGES_ASK = signal(
    "ask-other-language",
    1.0,
    # Spanish, Portuguese, Italian
    r"como (?:hacer|hago|puedo|se hace|fazer|faco|posso|se faz|cocinar|fabricar|preparar|conseguir|"
    r"encontrar|comprar|obtener|rastrear|clonar|entrar)",
    r"c[oo]mo (?:hacer|hago|puedo|se hace|cocinar|fabricar|preparar|conseguir|clonar|rastrear|entrar)",
    r"cual es la (?:mejor |forma|manera)|qual (?:e|e) a (?:melhor )?(?:forma|maneira)",
    r"(?:la |a )?(?:mejor|melhor|forma|manera|maneira) (?:mas |mais )?(?:facil |rapida |rapida )?de",
    r"escribe|escreve|escreva|scrivi|dame|dime|muestra|mostra|hazme|quiero|quero|voglio|"
    r"dimmi|dammi|come (?:fare|posso|si fa)|paso a paso|passo a passo|quanto|cuanto|cuanto|"
    r"para (?:fazer|hacer)|per fare|rivela|revela|muestra|mostra",
    # French
    r"comment (?:faire|fabriquer|fait on|puis je|je peux|creer|creer|obtenir|pirater|trouver)",
    r"ecris|ecris|donne moi|montre moi|affiche|explique moi|je veux|etape par etape|etape par etape|"
    r"pour faire",
    # German, Dutch
    r"wie (?:baue|mache|kann|bekomme|finde|stelle|koche|hacke)|wie (?:stellt|baut|macht) man|wie viel",
    r"schreib\w*|gib mir|zeig mir|ich will|ich mochte|ich mochte|schritt fur schritt|anleitung",
    r"hoe (?:maak|kan|krijg|bouw|vind) (?:ik|je)|hoe maak je|schrijf|geef me|toon|laat zien",
    r"c?omo (?:hackear|encontrar|rastrear|espiar|clonar|comprar|conseguir|matar|envenenar|me)|"
    r"comment (?:pirater|hacker|empoisonner|espionner|tuer|acheter|trouver|faire|me)|"
    r"come (?:hackerare|avvelenare|uccidere|trovare|comprare|fare|posso)|"
    r"wie (?:hacke|finde|kaufe|vergifte|kann|bekomme|mache|baue)|wo kann ich|"
    r"donde (?:puedo|compro|consigo|encuentro)|onde (?:posso|compro)|ou (?:acheter|trouver)|"
    r"dove (?:posso|comprare)|"
    r"(?:cuantas|cuantos|combien de|wie viele|quantos|quantas|quante|quanti|hoeveel) |"
    r"(?:quelle est|cual es|qual e|welche ist|qual e) la (?:methode|metodo|forma|maneira|manera)|"
    r"borra|losche|supprime|elimina|ignoriere|ignora|escribe|ecris|schreib\w*|scrivi",
)

MORE_ASK = signal(
    "ask-more",
    1.0,
    r"i (?:want|need) (?:\d+|a few|some|several|ideas|options)",
    r"(?:i )?need a (?:script|program|tool|way|bot|message|letter)",
    r"(?:max|maximum|most) (?:number|amount)|(?:components?|parts|materials|shopping) list|bill of materials",
    r"(?:tools|steps|commands|code) (?:and|&) (?:tools|steps|commands|code)",
    r"(?:what|which)(?:'s| is) (?:the )?(?:best|easiest|most effective|quickest|cheapest) \w+|"
    r"(?:which|what) (?:[\w']+ ){0,2}(?:does|do|did) (?:she|he|they)|(?:what|which) tools|"
    r"^script (?:to|that)|a script (?:to|that)|where(?:'s|"
    r" is) (?:the )?(?:nearest|closest|best|"
    r"cheapest) (?:place|spot)|explain like i'm 5",
    r"^(?:please |pls |now )?(?:turn|hack|knock|get|find|list|write|make|give|tell|show|send|"
    r"post|say|listen|revoke|"
    r"create|build|generate|describe|draft|compose|track|locate|spy|steal|"
    r"crack|break|bypass|disable|install|pull|dig|grab|dump|flood|spam|dox|leak|forge|clone)\b",
)

MORE_EVASION = signal(
    "evasion-more",
    1.5,
    r"past (?:the )?border(?: checkpoints?)?|across the border undetected|no questions|(?:pay|"
    r"paid|buy\w*) (?:[\w']+ ){0,2}(?:in )?cash|off the books|no id|without (?:an )?id",
    # fiction that must work in the real world: printed and handed out, accurate to experts
    r"(?:that|which|so) (?:i|we) can (?:actually|really) (?:print|hand out|post|send|use|distribute|deploy|"
    r"run)|"
    r"so (?:chemists|experts|professionals|hackers|cops|doctors|"
    r"engineers) (?:[\w']+ )?(?:think|believe|would agree|would say) (?:it's|it is) (?:accurate|realistic|"
    r"real|"
    r"correct|right)",
    r"(?:chemists|experts|hackers|professionals|doctors|pharmacists|cops|nurses) (?:[\w']+ ){0,2}(?:find|"
    r"think|say|consider|would find) (?:it|them|this) (?:accurate|realistic|correct|real|legit)|(?:accurate|"
    r"realistic|real|correct|working) enough (?:to|that|for) (?:actually )?(?:use|work|follow|make|try)|"
    r"so (?:readers|people|anyone) could (?:actually )?(?:follow|use|replicate|reproduce|do) (?:it|them)",
    evasion=True,
)

OTHER_LANGUAGES_EVASION = signal(
    "evasion-other-language",
    1.5,
    r"sin que (?:se entere|lo sepa|sepa|nadie)|ohne dass (?:sie|er|es|jemand) (?:es )?(?:merkt|weiss|weiss)|"
    r"sans qu'(?:il|elle|on) (?:le sache|s'en rende compte)|sem que (?:ele|ela|ninguem) (?:saiba|perceba)|"
    r"sin que (?:[\w']+ ){0,3}(?:lo |la )?(?:noten|note|sepan|sepa|se enteren|vea|vean)|"
    r"senza che (?:lui|lei|nessuno) (?:lo sappia|se ne accorga)|zonder dat (?:hij|zij|ze) het (?:merkt|"
    r"weet)|heimlich|en secreto|en secret|di nascosto|as escondidas|as escondidas|"
    r"sans laisser de traces?|sin dejar rastro|sem deixar rastro|senza lasciare tracce|ohne spuren|"
    r"ohne dass es auffallt|sans que personne|sin que nadie",
    evasion=True,
)


def _joined(*tables: dict[Category, Wider]) -> dict[Category, Wider]:
    """Every table's signals of a category, one after the other."""
    joined: dict[Category, Wider] = {}
    for table in tables:
        for category, wider in table.items():
            before = joined.get(category, Wider())
            joined[category] = Wider(
                before.harm + wider.harm, before.ask + wider.ask, before.benign + wider.benign
            )
    return joined


WIDER: dict[Category, Wider] = _joined(
    WIDER_ACTS,
    WIDER_PEOPLE,
    WIDER_INTENTS,
    FAMILIES_ACTS,
    FAMILIES_SYSTEMS,
    FAMILIES_FRAUD,
    FAMILIES_PRIVACY,
    FAMILIES_PEOPLE,
)


def widened(rules: CategoryRules) -> CategoryRules:
    """``rules`` with their category's wider terms added."""
    wider = WIDER.get(rules.category, Wider())
    return replace(
        rules,
        harm=rules.harm
        + wider.harm
        + ((HARM_TERMS[rules.category],) if rules.category in HARM_TERMS else ())
        + LANGUAGE_TERMS.get(rules.category, ()),
        ask=rules.ask + wider.ask,
        benign=rules.benign + wider.benign,
        concepts=CONCEPTS.get(rules.category, ()),
        concept_weights=CONCEPT_WEIGHTS.get(rules.category, rules.concept_weights),
    )
