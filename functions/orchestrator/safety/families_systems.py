"""Intent families, second widening, for the categories about systems (see ``families_acts``).

- ``malware_intrusion``: a document or app that runs or sends something behind its user's back (a
  macro's hidden download, a flashlight that forwards texts, a skimmer in a checkout page), what it
  takes sent to "my server", what survives a reinstall or a reboot (UEFI, bootkits), stealers and
  ransomware in any of the rules' languages, defences disabled for a payload, records changed
  through someone else's system, admin taken on a school or work device, an old employer's network
  entered after leaving;
- ``prompt_injection``: words addressed to whatever model reads the data ("assistant reading
  this", "note pour l'IA", "instructions for the summarizer", ``AI model: ignore...`` inside
  markup) asking it to act, remote instructions obeyed unread ("fetch this paste and do what it
  says"), the environment and secrets sent out through URLs, image links and tool calls.

Their benign twins pass: "answer in French" addressed to the assistant, a unit test that quotes an
injection, a system prompt we write, "exploit the seasonality in our sales data".
"""

from __future__ import annotations

from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category

_COVERT = (
    r"hidden|silent\w*|secret\w*|covert\w*|stealth\w*|in the background|payload|backdoor|malware|reverse "
    r"shell|beacon|without (?:them|him|her|the user|the recipient|anyone|the owner) (?:knowing|noticing|"
    r"seeing)|(?:looks?|disguised|posing) (?:like|as)|pretends? to be"
)
_DEFENCES_OFF = (
    r"(?:disabl|bypass|patch|kill|turn\w* off|tamper\w* with|unhook|blind|evad)\w* (?:[\w']+ ){0,3}(?:amsi|"
    r"etw|defender|edr|av|antivirus|real ?time protection|tamper protection|sysmon|crowdstrike|sentinel ?"
    r"one|falcon)"
)
_TAKEN = (
    r"card numbers|card details|payment details|texts|text messages|messages|location|gps|contacts|call logs|"
    r"photos|keystrokes|cookies|session cookies|passwords|credentials|browser data|saved logins|clipboard|"
    r"screenshots|microphone|audio|camera|wallets?|seed phrases?"
)
_ATTACK_TOOLS = (
    r"sqlmap|sql ?injection|sqli|hydra|metasploit|mimikatz|burp(?: suite)?|cobalt strike|responder|"
    r"aircrack|hashcat|john the ripper|evilginx|gophish|beef"
)
_NOT_OURS = (
    r"(?:my |the |our )?(?:school|university|college|employer|ex|neighbou?r|teacher|boss|rival|competitor|"
    r"landlord|gym|office|work|district)'?s? (?:[\w']+ ){0,2}(?:portal|site|website|server|database|network|"
    r"wi ?fi|system|app|accounts?|admin)|(?:someone|somebody) else's|isn't mine|not mine|not ours"
)

MALWARE = Wider(
    harm=(
        signal(
            "leaked-credentials-tried",
            2.0,
            r"(?:leaked|stolen|dumped|breached|combo) (?:password |credential |login )?(?:lists?|dumps?|"
            r"combos?)|combo ?lists?",
            also=(
                r"(?:log\w* in|logs into|try|tries|test|check)\w* (?:[\w']+ ){0,4}(?:accounts?|logins?|"
                r"sites?)|saves? the ones that work|which (?:ones )?work",
            ),
        ),
        signal(
            "a-shell-back-to-me",
            2.0,
            r"(?:shell|connection|session|beacon)s? back to (?:me|my (?:server|machine|box|laptop|vps))|"
            r"phones? home to (?:me|my)|(?:calls?|connects?) back to (?:me|my (?:server|vps|machine|box))",
            also=(
                r"payload|doc|document|pdf|file|attachment|macro|exe|installer|embedded|client|victim|target|"
                r"rat|hidden|run commands|remote",
            ),
        ),
        signal(
            "a-partner's-phone-read-other-language",
            2.0,
            r"(?:handy|telefon|smartphone|computer|laptop|movil|celular|telephone|portable|telefono|"
            r"cellulare|telemovel|whatsapp|chats?) (?:[\w']+ ){0,2}(?:meiner|meines|de mi|de ma|de mon|"
            r"della mia|del mio|da minha|do meu|van mijn) (?:freundin|freund|frau|mann|ex|partner\w*|novia|"
            r"novio|esposa|esposo|mujer|marido|copine|copain|femme|mari|ragazza|ragazzo|moglie|marito|"
            r"namorada|namorado|vriendin|vriend|vrouw|man)",
            also=(
                r"zugreifen|lesen|mitlesen|ausspionieren|hacken|leer|espiar|hackear|acceder|lire|espionner|"
                r"pirater|leggere|spiare|entrare|ler|espionar|invadir|lezen|bespioneren|unbemerkt|sin que|"
                r"sans qu|senza che|sem que|heimlich|en secreto|en secret|di nascosto",
            ),
        ),
        signal(
            "a-destroyer-passed-off",
            2.0,
            r"(?:delet|wip|eras|corrupt|brick|format|destroy)\w* (?:[\w']+ ){0,3}(?:system32|systeme2|"
            r"system files|the (?:hard )?drive|c drive|boot\w*|bios|their (?:files|computer|pc|laptop|"
            r"phone))",
            also=(
                r"(?:send|give|share|disguis|pass|pretend|looks? like|fake)\w* (?:[\w']+ ){0,4}(?:friend|him|"
                r"her|them|someone|cheat|mod|crack|game|update|installer|as a)",
            ),
        ),
        signal(
            "a-document-that-runs-on-open",
            2.0,
            r"(?:macros?|vba|attachments?|documents?|docs?|docx|xlsm|pdfs?|files?|invoices?|shortcuts?|lnk|"
            r"iso|zip|spreadsheets?|workbooks?) (?:[\w']+ ){0,10}(?:runs?|download\w*|execut\w*|install\w*|"
            r"launch\w*|drops?|fetch\w*|opens? a shell|steal\w*|grab\w*|harvest\w*) (?:[\w']+ ){0,4}(?:of "
            r"(?:whoever|anyone who|everyone who) opens?|when (?:the |a |my |"
            r"our )?(?:recipient|victim|target|user|they|he|she|someone|anyone|people|client|customer|"
            r"employee|hr|accountant)s? opens?)",
            also=(_COVERT + r"|recipient|victim|target|whoever|emails? (?:them|it) to me|to me",),
        ),
        signal(
            "an-app-that-betrays-its-user",
            2.0,
            r"(?:apps?|application|programs?|extensions?|tools?|games?|apk|plugins?|add ?ons?|software|"
            r"installer|keyboard|widget|wallpaper) (?:[\w']+ ){0,6}(?:looks? like|disguised as|"
            r"pretends? to be|poses? as|posing as|masquerad\w* as|appears? to be|"
            r"acts? like) (?:[\w']+ ){0,5}but (?:[\w']+ ){0,3}(?:forward|send|upload|record|steal|log|read|"
            r"copie|copy|mirror|track|collect|exfiltrat|harvest|sends|grab|spy|mine)\w*",
        ),
        signal(
            "what-it-takes-sent-to-me",
            2.0,
            r"(?:forward|send|upload|copie|copy|mirror|exfiltrat|beam|ship|post|leak|relay|"
            rf"push)\w* (?:[\w']+ ){{0,4}}(?:{_TAKEN}) (?:[\w']+ ){{0,5}}(?:to|into) (?:my|a|our|the|"
            r"an) (?:own |remote |private |external |secret )?(?:server|endpoint|telegram|discord|webhook|"
            r"c2|email|inbox|phone|dropbox|ftp|panel|bot)|(?:forward|send|upload|post|leak|relay)\w* "
            rf"(?:[\w']+ ){{0,4}}(?:{_TAKEN}) (?:[\w']+ ){{0,2}}(?:to me|back to me)",
            also=(
                _COVERT + r"|co ?workers?|colleagues|victims?|targets?|girlfriend|boyfriend|wife|husband|ex|"
                r"partner|kids?|employees|classmates|roommates?|(?:her|his|their|other people's) (?:phone|"
                r"browser|laptop|computer|device)",
            ),
        ),
        signal(
            "a-relative's-account-taken",
            2.0,
            r"(?:phish|hack|get into|break into|crack|take over|log into|spy on|"
            r"steal)\w* (?:[\w']+ ){0,2}my (?:sister|brother|wife|husband|girlfriend|boyfriend|partner|"
            r"ex|mom|dad|mother|father|roommate|coworker|boss|friend|cousin|neighbou?r|daughter|son|"
            r"teacher)'s (?:[\w']+ )?(?:gmail|email|icloud|instagram|facebook|snapchat|whatsapp|account|"
            r"phone|laptop|password|credentials|messages|texts)",
        ),
        signal(
            "a-link-into-their-device",
            2.0,
            r"(?:link|file|app|apk|qr code)s? (?:[\w']+ ){0,4}(?:gives?|grants?|"
            r"lets?) me (?:[\w']+ ){0,2}(?:access|control) (?:to|of|over) (?:her|his|their|"
            r"my [\w']+'s) (?:[\w']+ )?(?:phone|camera|webcam|mic\w*|computer|laptop|messages|location|"
            r"account)",
        ),
        signal(
            "a-coworker's-files-taken",
            1.5,
            r"(?:copy|copies|download|take|grab|exfiltrat|pull)\w* (?:[\w']+ ){0,2}(?:my )?(?:co ?worker|"
            r"colleague|boss|roommate|manager|employer)'s (?:[\w']+ )?(?:files|documents|emails|data|"
            r"folders?|drive)",
        ),
        signal(
            "a-phishing-page-for-accounts",
            2.0,
            r"(?:fake|cloned|spoofed|phishing|copycat) (?:[\w']+ )?(?:login|sign in) (?:page|site|portal|"
            r"form)",
            also=(r"steal\w*|harvest\w*|captur\w*|collect\w*|grab\w*|accounts|credentials|passwords|host",),
            unless=(r"training|simulation|awareness|spot\w*|detect\w*|report\w*|take down",),
        ),
        signal(
            "a-malicious-package",
            2.0,
            r"malicious (?:npm |pypi |python |node |browser |vs ?code |chrome )?(?:package|library|module|"
            r"extension|plugin|dependency|gem|crate)",
            unless=(
                r"detect\w*|protect\w*|how do|audit\w*|report\w*|scan\w*|prevent\w*|history|case stud\w*",
            ),
        ),
        signal(
            "a-camera-without-its-light",
            2.0,
            r"(?:webcam|camera|mic\w*)s? (?:[\w']+ ){0,6}without (?:the )?(?:led|light|indicator|"
            r"green light)\w*",
        ),
        signal(
            "a-neighbour's-wifi-cracked-other-language",
            2.0,
            r"(?:kraken|hacken|knacken|craquer|pirater|hackear|crackear|violare|craccare|quebrar|invadir)",
            also=(
                r"(?:van mijn|meiner|meines|de mi|de mon|de ma|del mio|della mia|do meu|da minha|van de|"
                r"des voisins|del vecino|dei vicini|dos vizinhos|der nachbarn|buren|vecinos|voisins|vicini|"
                r"vizinhos|nachbarn|vecino|voisin|vicino|vizinho|nachbar|buurman)",
            ),
            unless=(
                r"mijn eigen|mein eigenes|mi propio|mon propre|il mio|meu proprio|proteger|schutzen|"
                r"proteggere",
            ),
        ),
        signal(
            "a-stealer",
            2.0,
            r"(?:steal|grab|harvest|swipe|snag|captur|hijack|exfiltrat|lift)\w* (?:[\w']+ ){0,2}(?:their|his|"
            r"her|people's|users'|the victim's|victims'|someone's|other people's|visitors'|players'|"
            r"members') (?:[\w']+ )?(?:tokens?|cookies|sessions?|passwords|logins|credentials|accounts|"
            r"wallets?|seed phrases?|keys|2fa codes?)",
            unless=(
                r"detect\w*|prevent\w*|protect\w*|how do (?:attackers|scammers|hackers)|awareness|report\w*|"
                r"if (?:someone|a bot|an attacker)|was stolen|got stolen|were stolen",
            ),
        ),
        signal(
            "defences-disabled-for-a-payload",
            2.0,
            _DEFENCES_OFF,
            also=(
                r"(?:download|drop|run|launch|load|execute|inject)\w* (?:[\w']+ ){0,3}(?:my |the |a |our )?"
                r"(?:beacon|payload|implant|shellcode|stager|loader|rat|agent|dropper|malware|ransomware)",
            ),
        ),
        signal(
            "a-skimmer-injected",
            2.0,
            r"(?:inject|insert|add|embed|drop|hide|plant)\w* (?:[\w']+ ){0,6}(?:checkout|payment|login|"
            r"billing|sign in) (?:page|form|flow|script)",
            also=(
                r"(?:skim|steal|capture|grab|log|exfiltrat|send|harvest)\w* (?:[\w']+ ){0,3}(?:card numbers|"
                r"card details|cards|credentials|passwords|payment)",
            ),
        ),
        signal(
            "admin-on-a-device-not-ours",
            2.0,
            r"(?:get|gain|obtain|escalate to)\w* (?:admin|root|administrator|superuser)\w* (?:access |"
            r"rights |privileges )?(?:on|to) (?:the |my |our )?(?:school|work|company|employer|office|"
            r"library|district)'?s? (?:issued )?(?:chromebook|laptop|computer|pc|device|network|server|ipad|"
            r"tablet)",
        ),
        signal(
            "a-stealer-other-language",
            2.0,
            r"(?:robe|robar|roba|roben|roubar|roube|rouba|voler|vole|volent|stehlen|stiehlt|klaut|klauen|"
            r"rubare|rubi|ruba|stelen|steelt) (?:[\w']+ ){0,3}(?:las |los |les |die |i |le |as |os |"
            r"de )?(?:cookies|contrasenas|passwords?|mots de passe|passworter|senhas|credenciales|"
            r"credenciais|identifiants|zugangsdaten|tokens?|wachtwoorden|sesiones|sessions?|datos|donnees|"
            r"daten|dati|dados)",
            r"(?:me (?:las|los) (?:mande|mandes|envie|envies)|(?:a|an|al|à|ao|naar) (?:mi|meinen|mon|meu|mio|"
            r"mijn) (?:propio |eigenen )?(?:servidor|server|serveur|bot))",
            unless=(
                r"evitar|proteger|prevenir|detectar|schutzen|verhindern|eviter|empecher|evitare|proteggere|"
                r"impedir|erkennen|detecter|rilevare",
            ),
        ),
        signal(
            "files-held-for-ransom-other-language",
            2.0,
            r"(?:cifre|cifrar|cifra|encripte|encriptar|chiffre|chiffrer|verschlusselt|verschlusseln|"
            r"crittografa|crittografare|criptografe|criptografar|versleutel\w*) (?:[\w']+ ){0,5}(?:archivos|"
            r"ficheros|fichiers|dateien|file|arquivos|bestanden)",
            also=(
                r"rescate|rancon|losegeld|riscatto|resgate|losgeld|bitcoin|pague|payer|zahlen|pagare|victima|"
                r"victime|opfer|vittima|vitima|slachtoffer",
            ),
        ),
        signal(
            "surviving-a-reinstall",
            2.0,
            r"(?:survive|persist|stay|remain|live)\w* (?:[\w']+ ){0,3}(?:reinstall\w*|reboots?|re ?format\w*|"
            r"formats?|wipes?|factory resets?|disk wipes?)|(?:hid\w*|living|lives|resid\w*|persist\w*|"
            r"implant\w*) in (?:the )?(?:uefi|bios|firmware|boot sector|mbr|spi flash)|bootkit\w*|"
            r"uefi (?:implants?|rootkits?|malware)|(?:keep|kept|keeps|keeping)\w* (?:[\w']+ ){0,3}(?:running|"
            r"alive|active|resident|installed) (?:after|across|through) (?:a |every )?(?:reboots?|restarts?|"
            r"reinstalls?)|(?:survives?|across|through) (?:a |every )?(?:reboots?|restarts?)",
            also=(
                r"rats?|implants?|backdoors?|payloads?|malware|trojans?|rootkits?|agents?|beacons?|remote "
                r"access|keyloggers?|stealers?|miners?|bots?|spyware|bootkit\w*|virus",
            ),
        ),
        signal(
            "records-changed-through-their-system",
            2.0,
            r"(?:change|alter|modify|edit|raise|fix|bump|boost|update|delete|erase|wipe|"
            r"clear)\w* (?:[\w']+ ){0,3}(?:my|mine|our) (?:[\w']+ )?(?:grades?|marks|gpa|transcripts?|"
            r"attendance|credit score|criminal record|records?|balance|scores?|salary|absences)|(?:change|"
            r"alter|modify|edit|raise|bump)\w* mine",
            also=(
                rf"{_ATTACK_TOOLS}|inject\w*|dump\w*|hack\w*|break into|exploit\w*|brute ?forc\w*|bypass\w*|"
                r"without (?:the )?(?:teacher|school|admin|them|anyone) (?:knowing|noticing)|admin "
                r"(?:password|panel|credentials)",
            ),
        ),
        signal(
            "attack-tools-on-a-system-not-ours",
            2.0,
            _ATTACK_TOOLS,
            also=(_NOT_OURS,),
            unless=(
                r"authori[sz]ed|permission|engagement|in scope|scope of|ctf|lab|hack the box|tryhackme|"
                r"my own|our own|homelab|bug bounty",
            ),
        ),
        signal(
            "back-in-after-leaving",
            1.5,
            r"(?:got|get|been|was|were|being) (?:fired|laid off|let go|terminated|sacked)|former employer|"
            r"ex employer|(?:old|former|previous|ex) (?:job|employer|company|workplace|boss)(?:'s)?|"
            r"after (?:i|we) (?:left|quit)",
            also=(
                r"(?:still )?(?:have|kept|remember|know)\w* (?:the |my |their |our |an )?(?:old )?(?:vpn|"
                r"credentials|password|login|access|keys?|admin|ssh|tokens?|api keys?)|get back in|(?:log|"
                r"sign) (?:back )?in(?:to)? (?:their|the company|the)|access (?:their|the company's|"
                r"the) (?:network|servers?|systems?|vpn|database)|(?:never|didn't|did not|"
                r"forgot to) (?:revoke|disable|remove|delete|deactivate)\w* (?:my|the|"
                r"our) (?:[\w']+ )?(?:access|keys?|credentials|account|login|vpn|password)",
            ),
        ),
    ),
    ask=(
        signal("defences-turned-off", 1.5, _DEFENCES_OFF, evasion=True),
        signal(
            "logs-evaded",
            1.5,
            r"(?:without|not|never) (?:showing up|appearing|leaving (?:a |any )?(?:trace|record)s?|being "
            r"logged) (?:in|on) (?:their |the |any )?(?:logs|audit)|(?:clear|wipe|delete|erase|scrub|tamper)"
            r"\w* (?:with )?(?:the |their |all |any )?(?:logs|audit (?:log|trail)s?|event logs|bash history)|"
            r"without (?:any )?(?:logs|a trace|leaving logs|logging)",
            evasion=True,
        ),
    ),
    benign=(
        signal(
            "our-account-was-hacked",
            2.0,
            r"(?:contact|reach|email|call)\w* (?:[\w']+ )?support|recover\w* (?:my|our|a|the) (?:hacked|"
            r"compromised|stolen) (?:account|email|instagram|facebook)|(?:my|our) (?:[\w']+ )?(?:account|"
            r"email|instagram|facebook|site|server) (?:was|got|has been|is) (?:hacked|compromised|breached)",
        ),
        signal(
            "how-an-attack-worked",
            2.0,
            r"how (?:did|does|do) (?:the )?[\w']+ (?:[\w']+ )?(?:exploit|vulnerability|attack|worm|"
            r"ransomware|malware|breach|hack)s? work|how (?:do|can|should) we (?:check|patch|scan|audit|test|"
            r"protect) our",
        ),
        signal(
            "protection-other-language",
            2.0,
            r"(?:proteggere|proteger|schutzen|beschermen|difendere|prevenire|prevenir|evitare|evitar|eviter|"
            r"verhindern|proteger) (?:il mio|mi|mon|ma|mein\w*|mijn|o meu|a minha|meu|minha|la mia|nuestro|"
            r"notre|unser\w*|onze)",
        ),
        signal(
            "an-advantage-exploited",
            2.0,
            r"exploit\w* (?:[\w']+ ){0,3}(?:seasonality|seasonal \w+|trends?|patterns?|opportunit\w*|"
            r"correlations?|synerg\w*|momentum|demand|parallelism|concurrency|locality|sparsity|symmetry|"
            r"structure|strengths?|insights?|economies of scale|the market|market \w+|niches?|gaps? in the "
            r"market|arbitrage|cach\w*|vectori[sz]\w*|gpus?|cores|hardware|data (?:locality|parallelism))",
        ),
    ),
)

_TO_THE_READER = (
    r"(?:grader|reviewer|screener|evaluator|marker|recruiter|ats|ai|model|assistant|llm|bot|"
    r"agent)s?'? (?:note|notes|instructions?|message|directive)",
    r"(?:l'ia|l ia|la ia|die ki|l'assistant|el asistente|o assistente|l'assistente|der assistent|l'agent|"
    r"el agente)\s(?:doit|debe|muss|deve|soll|moet) (?:[\w']+ ){0,2}(?:ignorer|ignorar|ignorieren|ignorare|"
    r"ignore|oublier|olvidar|vergessen|envoyer|enviar|senden|schicken|inviare|send|forward|reveal|reveler|"
    r"revelar|disregard)",
    r"(?:instructions?|note|message|directive)s? (?:for|to) (?:the |any )?(?:summari[sz]er|reader|parser|"
    r"reviewer|crawler|indexer|scraper|translator|screener|grader)s?",
    r"(?:note|message|instructions?|nota|hinweis|anweisung|remarque|consigne|aviso|bericht|ps|p s) (?:pour|"
    r"para|per|fur|an|a|aan|voor|to|for) (?:l'|l |la |el |den |die |der |das |o |a |il |lo |the |any |all |"
    r"every |de )?(?:ia|ki|ai|assistant|assistente|asistente|assistenten|assistentin|modele|modelo|modello|"
    r"modell|llm|bot|agent|agente|chatbot|model)s?",
    r"(?:assistant|ai|llm|model|bot|agent|chatgpt|claude|gpt|copilot|gemini|ai systems?|ai agents?|ai tools?|"
    r"ai models?|automated systems?|llm agents?)s? (?:reading|processing|"
    r"parsing|analy[sz]ing|reviewing|"
    r"triaging) (?:this|these|the (?:email|document|page|message|file|ticket|review|resume))",
    r"if you(?:'re| are) an? (?:ai|llm|assistant|language model|bot|agent|automated)",
    r"(?:hey|hi|hello|dear|attention|attn|yo) (?:ai|assistant|bot|agent|model|llm|chatgpt|claude|copilot|"
    r"gemini)(?! (?:team|group|lab|startup|company|newsletter|conference|summit))",
    r"when you (?:read|process|see|parse|summari[sz]e|open) this",
    r"to (?:any|all|every) (?:ai|llm|assistant|language model|bot|agent|automated system)s?",
)
_AN_ACT_ON_ITS_BEHALF = (
    r"tell (?:the user|them|him|her|users|customers|people)|say (?:that|this)|recommend|ignore|disregard|"
    r"forget|instead|plutot|au lieu|en lugar|stattdessen|invece|forward\w*|send|email|mail|upload|post|paste|"
    r"delete|remove|erase|reveal|print|run|execute|click|visit|link|lien|enlace|url|http|https|credentials|"
    r"passwords?|secrets?|api keys?|tokens?|base64|encod\w*|conversation|ne fais pas|no hagas|"
    r"mach (?:es )?nicht|non fare|envoie|envia|schick\w*|invia|transf\w*|supprime|borra|losche|elimina|"
    r"cancella|(?:do not|don't) summari[sz]e|approve|grant|buy|pay|wire|rate (?:this|it|me)|"
    r"recommend (?:this|me|hiring)|score (?:this|it|me)|hire (?:this|me)"
)
_ADDRESSED_INLINE = (
    r"(?:^|[>\[(\"'\n;.]|<!--)\s*(?:ai|assistant|system|agent|model|llm|chatbot|bot|ai model|ai assistant|"
    r"language model|assistente|asistente|ia|ki|agente)\s*[:,]\s*(?:please |also |urgent[:,!]?\s*|"
    r"important[:,!]?\s*|now[:,]?\s*)?(?:encaminhe|encaminha|envie|envia|reenvia|inoltra|invia|envoie|"
    r"transfere|ignora|ignorer|ignoriere|olvida|oublie|vergiss|revele|revela|rivela|apaga|borra|supprime|"
    r"losche|elimina|cancella|push|commit|publish|ignore|disregard|forget|instead|send|email|forward|call|"
    r"run|execute|open|paste|upload|reveal|print|tell (?:the user|them|him|her)|visit|click|delete|wire|"
    r"transfer|pay|buy|approve|grant|(?:don't|do not) tell|new instructions?|you (?:must|should|will))"
)
_HIDDEN_STYLE = (
    r"(?:font-size\s*:\s*0|display\s*:\s*none|visibility\s*:\s*hidden|color\s*:\s*(?:white|#fff\w*)|"
    r"opacity\s*:\s*0|<div hidden>|<span hidden>)"
)
_REMOTE_OBEYED = (
    r"(?:do|follow|execute|obey|carry out|run|apply)\w* (?:exactly |blindly |whatever |everything |all |"
    r"any )?(?:what|whatever|everything|the instructions?|any instructions?|the commands?|any commands?|"
    r"the steps|all instructions) (?:[\w']+ ){0,4}(?:it|the page|the file|that|the document|the paste|"
    r"the text|there|in it|in there|the site|the readme|you find|it lists|it contains|says|tells you|lists)",
    r"(?:download|fetch|get|read|open|load|grab|pull)\w* (?:[\w']+ ){0,2}(?:instructions?|commands?|tasks?|"
    r"steps|script|orders) (?:at|from|in|on) (?:[\w']+ ){0,6}(?:and|then) (?:[\w']+ ){0,2}(?:carry (?:them|"
    r"it) out|follow (?:them|it)|execute (?:them|it)|run (?:them|it)|do (?:them|it|what)|obey)",
)
_SHELL_OUT = (
    r"(?:don't|do not|without|no) (?:question\w*|check\w*|verify\w*|asking|thinking|reading|reviewing|"
    r"confirm\w*)|pastebin|gist|raw|curl (?:[\w']+ ){0,6}(?:bash|sh)|wget (?:[\w']+ ){0,6}(?:bash|sh)|"
    r"pipe\w* (?:it )?(?:to|into) (?:bash|sh)|output of (?:the )?(?:env|printenv|set|export)|"
    r"environment variables|env vars"
)

INJECTION = Wider(
    harm=(
        signal("addressed-to-whoever-reads-it", 3.5, *_TO_THE_READER, also=(_AN_ACT_ON_ITS_BEHALF,)),
        signal("addressed-inline", 3.5, _ADDRESSED_INLINE, folded=True),
        signal(
            "the-chat-into-a-tool-call",
            3.5,
            r"(?:call|use|invoke|run)\w* (?:the )?(?:[\w]+ ){1,2}tool (?:[\w']+ ){0,4}(?:with|containing|"
            r"including) (?:the )?(?:full |whole |entire )?(?:conversation|chat|history|credentials|secrets|"
            r"api keys?|passwords?)",
        ),
        signal(
            "orders-in-hidden-text",
            3.5,
            _HIDDEN_STYLE,
            also=(
                r"ignore|disregard|forget|reply only|respond only|instead|new instructions|visit|send|click|"
                r"forward|download|run|reveal|print",
            ),
            folded=True,
        ),
        signal(
            "addressed-midsentence",
            3.5,
            r"(?:also|and|btw|ps|oh and|by the way|hey)[,:]?\s+(?:ai|assistant|agent|model|bot|"
            r"chatbot)\s*[:,]\s*(?:please )?(?:ignore|disregard|forget|instead|send|email|forward|delete|"
            r"reveal|print|wire|transfer)",
            folded=True,
        ),
        signal(
            "what-the-page-says-done",
            3.5,
            r"(?:the |this |that )?(?:page|site|document|email|file|readme|pdf|tool output|web ?page|message|"
            r"comment|ticket|issue) (?:[\w']+ ){0,3}(?:says|tells you|asks you|instructs you|wants you) to "
            r"(?:[\w']+ ){0,3}(?:paste|send|enter|upload|share|post|reveal|submit|run|execute|email|forward|"
            r"download|install|transfer|wire|pay|delete)",
            also=(
                r"do it|do that|comply|follow it|go ahead|just do|and do so|session token|password|"
                r"credentials|api keys?|cookies|secrets",
            ),
        ),
        signal("remote-instructions-obeyed-unread", 3.5, *_REMOTE_OBEYED, also=(_SHELL_OUT,)),
        signal(
            "the-environment-sent-out",
            3.5,
            r"(?:send|post|upload|paste|pipe|email|curl|forward|submit)\w* (?:[\w']+ ){0,3}(?:output|result|"
            r"contents?|dump|values?) of (?:the )?(?:env|printenv|set|export|environment|env vars|"
            r"environment variables|cat (?:[\w']+ ){0,2}(?:aws|ssh|env|credentials))",
            also=(r"to|into|at",),
        ),
        signal(
            "a-placeholder-in-an-image-url",
            3.5,
            r"!\[[^\]]*\]\(\s*https?://[^)\s]*\?[^)]{0,80}?(?:\{\{|%7b|\$\{|<)[^)]{0,80}?(?:key|secret|token|"
            r"password|conversation|chat|history|summary|prompt|message|email|session|cookie|previous|name|"
            r"address|data|credential)",
            folded=True,
        ),
        signal(
            "secrets-put-into-a-tool-call",
            3.5,
            r"(?:append|add|include|attach|put|embed|insert|encode|pass|stuff|"
            r"copy)\w* (?:[\w']+ ){0,10}?(?:conversation|chat history|credentials|passwords?|api keys?|"
            r"tokens?|cookies|secrets?|system prompt|session|saved (?:logins|passwords|cards)|"
            r"previous messages)(?: [\w']+){0,6}? (?:to|in|into) (?:the |every |each |a |its |"
            r"your )?(?:query|url|request|search|link|image url|parameters?|params|query string|tool call|"
            r"headers?|next call)",
        ),
    ),
    benign=(
        signal(
            "an-injection-quoted-by-a-test",
            3.0,
            r"(?:tests?|test cases?|unit tests?|evals?|red ?team\w*|regression|fixtures?|examples?|dataset|"
            r"benchmark|classifier|filter|detector|guardrail)\w* [^.?!]{0,80}(?:refuses?|rejects?|blocks?|"
            r"flags?|detects?|handles?|resists?|ignores?|doesn't obey|does not obey|declines?) [^.?!]{0,40}"
            r"(?:when|if) (?:a |the )?(?:user|someone|attacker|input|message|prompt|document|email|customer) "
            r"(?:says|types|writes|sends|enters|contains|includes|asks|pastes)",
            folded=True,
            unless=(
                r"(?:^|[.!?:;]\s+)(?:now |actually |also |then |and |but )?(?:ignore|disregard|forget|reveal|"
                r"print|output|repeat|you are now|from now on)",
            ),
        ),
        signal(
            "a-system-prompt-we-write",
            2.0,
            r"(?:write|draft|design|improve|review|create|compose|edit|refine|tighten)\w* (?:[\w']+ ){0,3}"
            r"system prompts? (?:for|of) (?:our|my|the|a|an) (?:[\w']+ ){0,3}(?:bot|assistant|agent|chatbot|"
            r"app|model|gpt|product|service|team|helpdesk|support)",
            unless=(r"your (?:own )?(?:system )?prompt|reveal yours|print yours",),
        ),
    ),
)


FAMILIES_SYSTEMS: dict[Category, Wider] = {
    Category.MALWARE_INTRUSION: MALWARE,
    Category.PROMPT_INJECTION: INJECTION,
}
