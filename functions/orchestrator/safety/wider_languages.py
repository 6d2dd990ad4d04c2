"""Each category's key terms in Spanish, Portuguese, French, German, Italian and Dutch (see
``widening``), written without accents as the normalised text reads them ("como hackear", "wie
hacke ich", "comment empoisonner"). They weigh as the English lexicons: with an ask they refuse,
alone most of them do not; the idioms they share with everyday speech ("bombe de bain", "mourir
de rire") are left out.
"""

from __future__ import annotations

from orchestrator.safety.rules import Signal, signal
from orchestrator.safety.taxonomy import Category

_ALL = r"(?:todas?|todos|alle|toutes?|tous|tutti|tutte) (?:las |los |les |die |os |as |le |i |de )?"
_PRODUCTION = (
    r"produccion|produktion\w*|production|producao|produzione|productie|backups?|copias de seguridad"
)

LANGUAGE_TERMS: dict[Category, tuple[Signal, ...]] = {
    Category.VIOLENCE_WEAPONS: (
        signal(
            "violence-other-language",
            1.0,
            r"arma casera|armas caseras|arma de fuego|pistola casera|waffe\w*|arme a feu|arme artisanale|"
            r"arma artigianale|vergift\w*|envenen\w*|empoisonn\w*|avvelen\w*|vergiftig\w*|bombe(?! de bain)|"
            r"bomba(?! de bano| de banho| da bagno)|molotov|explosivos|explosifs|esplosivi|"
            r"explosieven|sprengstoff\w*",
        ),
    ),
    Category.MALWARE_INTRUSION: (
        signal(
            "intrusion-other-language",
            1.0,
            r"hackear|hackeo|hackerare|pirater|piratear|hacke|hacken|gehackt|invadir|"
            r"entrar en (?:la |el )?(?:cuenta|whatsapp|instagram|facebook|wifi|wlan)|wlan (?:von|"
            r"meines|meiner)|"
            r"virus informatico|troyano|trojaner|keylogger",
        ),
    ),
    Category.FRAUD_PHISHING: (
        signal(
            "fraud-other-language-terms",
            1.0,
            r"fausse facture|factura falsa|fatura falsa|gefalschte rechnung|falsche rechnung|fattura falsa|"
            r"arnaquer|estafar|betrugen|truffare|enganar|clonar|cloner|haciendote pasar por|im namen der|"
            r"en se faisant passer pour|fingiendo ser",
        ),
    ),
    Category.SELF_HARM: (
        signal(
            "self-harm-intent-other-language",
            2.0,
            r"quiero morir(?:me)?(?! de risa)|je veux mourir(?! de rire)|"
            r"ich will (?:nicht mehr leben|sterben)|"
            r"voglio morire(?! dal ridere)|quero morrer(?! de rir)|me mato(?! de risa| trabajando)|me matar|"
            r"matarme(?! de risa| trabajando)|me tuer(?! a la tache| au travail)|"
            r"suicidarme|me suicider|mich umbringen|uccidermi|ik wil dood|zelfmoord",
        ),
    ),
    Category.HATE_HARASSMENT: (
        signal(
            "hate-other-language",
            2.0,
            r"(?:son|sont|sind|sao|sono|zijn) (?:una |des |eine |uma |una |een )?(?:plaga|plaie|plage|praga|"
            r"piaga|parasit\w*|basura|dechets|abschaum|ungeziefer|lixo|feccia|tuig|cafards|ratas|rats|ratten|"
            r"inferiores|inferieurs|minderwertig)",
        ),
        signal("threat-other-language", 1.0, r"drohung\w*|amenaza\w*|minaccia\w*|ameaca\w*|bedreiging\w*"),
    ),
    Category.ILLEGAL_DRUGS: (
        signal(
            "drugs-other-language-terms",
            1.0,
            r"cocaina|kokain|heroina|metanfetamina|meth|marihuana|maconha|porro|gras kaufen|"
            r"kiffen|lanca perfume|(?:faire|hacer|fazer|machen|fare) (?:du |de |el |la )?crack|"
            r"drogas?|drogen|drogue\w*|droga",
        ),
    ),
    Category.PRIVACY_DOXXING: (
        signal(
            "privacy-other-language",
            1.0,
            r"(?:direccion|adresse|endereco|indirizzo|adres) (?:de|von|di|van) (?:una |un |"
            r"meiner |meinem |mi |"
            r"ma |mon |uma |um |la |el |der |dem )?(?:persona|person|personne|pessoa|ex|novia|novio|mujer|"
            r"femme|frau|nachbar\w*|vecino|vecina|voisin\w*)",
            r"espionn\w*|espiar|spiare|ausspionieren|bespitzeln|rastrear|localizar el (?:celular|"
            r"movil|telefono)",
        ),
    ),
    Category.PROMPT_INJECTION: (
        signal(
            "override-other-language-terms",
            2.0,
            r"(?:ignorier\w*|ignora\w*|ignorez|olvida\w*|oublie\w*|vergiss|esquec\w*|dimentica\w*|negeer\w*) "
            r"(?:[\w']+ ){0,3}(?:regeln|reglas|regles|regole|regras|regels|anweisungen|instrucciones|"
            r"instructions|istruzioni|instrucoes|instructies|vorgaben)",
            r"prompt secreto|geheimen anweisungen|instructions secretes|istruzioni segrete|prompt do sistema",
        ),
    ),
    Category.DESTRUCTIVE_OPERATIONS: (
        signal(
            "destroy-other-language",
            2.0,
            r"(?:borra\w*|elimina\w*|losch\w*|supprim\w*|apag\w*|cancella\w*|verwijder\w*|efface\w*) "
            rf"{_ALL}(?:[\w']+ ){{0,7}}(?:{_PRODUCTION})",
        ),
    ),
}
