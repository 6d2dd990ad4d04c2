"""Intent families, second widening: what a user who wants the harm asks for, however worded
(``wider_intents`` was the first; ``families_people`` holds fraud, privacy, hate, minors and drugs).

- ``self_harm``: a death of one's own, said plainly or by euphemism ("end it", "finish things",
  "not wake up", "nicht mehr aufwachen", "para morir") next to a means, a dose or a way; a height
  no one survives; a goodbye letter beside a method; a character's suicide asked in working
  detail; the help lines refused ("not a hotline", "no me digas que llame");
- ``violence_weapons``: a device that goes off when someone opens, starts or touches something;
  household products mixed to go off; a gun got around its background check or bought through
  someone else;
- ``malware_intrusion``: a document or app that runs or sends something behind its user's back
  (a macro's hidden download, a flashlight that forwards texts), data sent to "my server", what
  survives a reinstall (UEFI, bootkits), stealers and ransomware in any language, records changed
  through someone else's system, an old employer's network entered after leaving;
- ``prompt_injection``: words addressed to whatever model reads the data ("assistant reading
  this", "note pour l'IA") asking it to act, remote instructions obeyed unread ("fetch this paste
  and do what it says"), environment and secrets sent out through URLs and tools.

Each family keeps its benign twins: "answer in French" addressed to the assistant, a unit test that
quotes an injection, a system prompt we write, an alarm that goes off when a door opens, a
breakup ("end it with him"), a chart blown up to be readable.
"""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category

_OWN_DEATH = (
    r"(?:kill|end|off)(?:s|ing)? myself|(?:would|will|could|to|that|which|it) kill me (?:quickly|fast|"
    r"painlessly|for sure|instantly|in my sleep|outright)|kill me (?:quickly|painlessly|fast|for sure|"
    r"instantly|in my sleep)|so (?:that )?i (?:die|don't wake up|won't wake up|never wake up)|(?:not|never|"
    r"no longer|won't|wouldn't) (?:wake|waking) (?:up|back up)|wouldn't survive|won't survive|"
    r"would not survive|will not survive|no chance of surviving|finish (?:things|it all|myself|me off|"
    r"it for good)|(?:end|ends|ending) (?:it|it all|things|my life|everything)(?! (?:with|between|kindly|"
    r"nicely|politely|gently|amicably))|take my (?:own )?life|stop existing|(?:not|no longer|never) exist|"
    r"cease to exist|(?:not|no longer) be (?:alive|here anymore|around anymore)|(?:wouldn't|won't|would not|"
    r"will not|never|not) come back from|(?:someone|a person) (?:my|of my) (?:size|weight)|(?:want|going|"
    r"ready) to (?:join|be with) (?:her|him|them|my (?:late|dead|deceased) [\w']+) (?:again|in heaven|"
    r"on the other side|soon|forever|wherever)|(?:want|going|ready) to join (?:her|him|them)$|my (?:choice|"
    r"decision|plan|right) to (?:die|end it|go)|decided to die|ready to die|(?:for me|i want) to die|"
    r"para morir|para matarme|para no despertar|no despertar|nicht mehr aufwach\w*|nie mehr aufwach\w*|"
    r"(?:painless|peaceful|least painful|quickest|quiet)\w* (?:way|method) (?:for me )?to go(?! to| home|"
    r" back| out| there| abroad)|(?:sleep|be gone|disappear) forever|no sobrevivir|nicht zu uberleben|"
    r"pour ne pas survivre|per non sopravvivere|para nao sobreviver|um zu sterben|zum sterben|pour mourir|"
    r"ne plus me reveiller|ne pas me reveiller|per morire|non svegliarmi piu|para morrer|nao acordar mais|"
    r"om dood te gaan"
)
_A_MEANS_OR_WAY = (
    r"pills?|tablets?|capsules?|doses?|overdos\w*|milligrams?|mg|paracetamol|tylenol|acetaminophen|"
    r"ibuprofen|insulin|sleeping pills|schlaftabletten|tabletten|medikamente|pastillas|comprimidos|"
    r"comprimes|cachets|pillole|pilulas|gas|fumes|exhaust|carbon monoxide|chemicals|bleach|knot|noose|"
    r"rope|height|floors?|stor(?:y|ies)|bridges?|buildings?|cliffs?|roof|train|tracks|methods?|ways?|"
    r"painless\w*|quick\w*|fast\w*|surest|certain\w*|lethal|fatal|how many|how much|which|garage|wrists?|"
    r"veins?|blade|razor|gun|autopsy|tox\w*|cuantas|cuantos|wie viele|wie viel|combien|quanti|quante|"
    r"quantos|quantas|hoeveel|date|plan|(?:least|less) painful|painkillers|opioids|benzos|sleeping tablets|"
    r"antidepressants|meds|medicine|altura|hohe|hauteur|altezza|puente|brucke|pont|ponte|bridge|how deep|"
    r"deep enough|cut\w*|strongest|remedios|medicamentos|medicaments|farmaci|medicijnen|pillen|suficientes|"
    r"genug|assez|abbastanza|heart pills"
)
_NOT_A_BREAKUP = (
    r"break ?up|relationship|boyfriend|girlfriend|husband|wife|partner|with (?:him|her|them)|the call|"
    r"the meeting|the conversation|subscription|contract|lease|the game|the season|the series|the story|"
    r"the book|the movie|the film|the project|the chapter|the episode|the quarter",
)
_HELP_REFUSED = (
    r"not (?:a |the )?(?:hotline|helpline|help ?line|crisis line|lecture|therapist)|(?:no|skip the|spare me "
    r"the|without the|don't give me(?: a| the)?|don't send me(?: a| the)?) (?:hotlines?|helplines?|"
    r"lectures?|crisis (?:lines?|numbers?)|resources|sermon)|(?:don't|do not) tell me to (?:call|talk|get "
    r"help|see)|no me digas que (?:llame|hable|busque)|ne me dis pas d'appeler|sag mir nicht,? (?:ich soll|"
    r"dass ich) (?:anrufen|hilfe)|non dirmi di chiamare|nao me diga para ligar|so (?:nobody|no one) "
    r"(?:interrupts|stops me|finds me|can stop me|saves me)"
)

SELF_HARM = Wider(
    harm=(
        signal(
            "own-death-by-a-means",
            2.0,
            _OWN_DEATH,
            also=(_A_MEANS_OR_WAY,),
            unless=_NOT_A_BREAKUP,
        ),
        signal(
            "a-height-no-one-survives",
            2.0,
            r"high enough (?:that |so that |so )?(?:you|i|one|a person|someone|"
            r"people) (?:[\w']+ )?(?:wouldn't|won't|would not|will not|don't|do not|can't|cannot) survive|"
            r"high enough to (?:die|be fatal|kill)",
        ),
        signal(
            "a-goodbye-beside-a-method",
            2.0,
            r"(?:goodbye|farewell|last|final|suicide) (?:letter|note|message|words) (?:to|for) (?:my|our)",
            also=(
                r"exhaust|garage|pills|rope|noose|bridge|overdose|carbon monoxide|i'm done|i am done|"
                r"before i go|when i'm gone|after i'm gone|won't be (?:here|around)|end it|for good",
            ),
            unless=(r"retir\w*|new job|leaving the (?:company|team|firm)|moving|graduat\w*",),
        ),
        signal(
            "a-character's-suicide-in-working-detail",
            2.0,
            r"(?:kills?|killing|hangs?|hanging|poisons?|poisoning|end(?:s|ing)?) (?:herself|himself|"
            r"themselves|her own life|his own life|their own life)|(?:takes?|taking) (?:her|his|"
            r"their) (?:own )?life|suicide",
            also=(
                r"(?:which|what) (?:knot|height|floor|dose|drug|pills?|rope|bridge|method|amount|gas)|"
                r"so (?:that )?it works|works (?:the )?first time|(?:knot|height|dose|drop|amount|milligrams|"
                r"pills) (?:she|he|they) (?:uses?|needs?|takes?|swallows?)|how (?:high|many|much) (?:she|he|"
                r"they)",
            ),
            unless=(r"prevent\w*|hotline|warning signs|survivor\w*",),
        ),
        signal(
            "a-death-dressed-as-an-accident",
            2.0,
            r"my (?:own )?(?:death|suicide) (?:[\w']+ ){0,3}look\w* like (?:an accident|natural causes|"
            r"an overdose|a heart attack)|(?:kill myself|my death|my suicide) (?:[\w']+ ){0,8}(?:life )?insur"
            r"ance (?:still )?(?:pays?|gets? paid|covers?)|so (?:my|the) (?:family|kids|wife|"
            r"husband) (?:still )?gets? (?:the )?(?:life )?insurance",
        ),
        signal(
            "a-train-timed",
            2.0,
            r"(?:trains?|express|freight)s? (?:[\w']+ ){0,6}(?:so it'?s (?:quick|instant|over)|fast enough|"
            r"full speed|can't stop|won't stop|wouldn't stop)",
            also=(r"tracks|platform|crossing|step (?:in front|out)|jump\w*|rails",),
        ),
        signal(
            "car-exhaust-in-a-closed-space",
            1.5,
            r"(?:car )?exhaust (?:[\w']+ ){0,6}(?:closed|sealed|shut|locked) (?:garage|car|room)|(?:hose|"
            r"pipe) (?:from|on|to) the exhaust|exhaust (?:thing|method|trick)",
        ),
    ),
    ask=(signal("help-refused", 1.5, _HELP_REFUSED, evasion=True),),
    benign=(
        signal(
            "a-service-ended",
            2.0,
            r"(?:the|my|this|our) (?:[\w']+ )?(?:subscription|membership|account|contract|lease|plan|trial|"
            r"service|streak|season|project)|netflix|spotify|cancel\w*|unsubscrib\w*|break ?up|breaking up|"
            r"(?:end|ends|ending) things (?:kindly|nicely|politely|gently|amicably|with)",
            unless=(r"pills|rope|bridge|jump\w*|overdose|method|die|dying|kill\w*|suicide|hurt\w*|cut\w*",),
        ),
        signal(
            "worry-for-someone",
            2.0,
            r"(?:worried|worry|scared|concerned|afraid) (?:[\w']+ ){0,3}(?:that )?(?:my |a |"
            r"our )?[\w']+ (?:is|might be|may be|seems?|could be) (?:suicidal|self harming|cutting|depressed|"
            r"in danger)|what (?:should|can|do) i (?:say|do) (?:to|for) (?:him|her|them)|how (?:do|"
            r"can) i help (?:him|her|them|my)",
            unless=(r"myself|i want to die|for me to die|my own",),
        ),
    ),
)

_GOES_OFF = (
    r"(?:goes?|going|went) off|explodes?|exploding|blows? up|detonates?|go(?:es)? (?:bang|boom)|with a "
    r"(?:bang|boom)"
)
VIOLENCE = Wider(
    harm=(
        signal(
            "a-trap-that-goes-off-on-someone",
            2.0,
            rf"(?:{_GOES_OFF}) (?:[\w']+ ){{0,3}}when (?:he|she|they|someone|somebody|anyone|the [\w']+|"
            r"my [\w']+|his [\w']+|her [\w']+) (?:[\w']+ )?(?:opens?|starts?|turns?|steps?|walks?|touches?|"
            r"sits?|lifts?|picks?|unlocks?|switch\w*|flips?)",
            unless=(
                r"alarms?|sensors?|notifications?|buzzer|chime|siren|lights?|camera|reminder|timer|confetti|"
                r"party|popper|glitter|surprise|gender reveal|balloons?|streamers|sprinkler|airbags?|"
                r"fireworks? show|test\w*|game|level|bug|app|code|script|function|event|trigger",
            ),
        ),
        signal(
            "household-products-mixed-to-go-off",
            1.5,
            r"(?:household|kitchen|garage|cleaning|hardware store|pharmacy) (?:stuff|items|things|chemicals|"
            r"products|supplies) (?:[\w']+ ){0,6}(?:mix|combine|put)\w* (?:[\w']+ ){0,8}(?:bang|explo\w*|"
            r"blow\w* up|go(?:es)? off|boom)",
            unless=(
                r"never|don't|do not|avoid|shouldn't|should not|safe\w*|dangerous to|accident\w*|by mistake|"
                r"warning|label",
            ),
        ),
        signal(
            "a-gun-around-its-checks",
            2.0,
            r"(?:guns?|handguns?|firearms?|rifles?|pistols?|shotguns?|ar ?15s?|ak ?47s?|glocks?|weapons?) "
            r"(?:[\w']+ ){0,8}(?:without|no|skip\w*|avoid\w*|get(?:ting)? around|bypass\w*|dodg\w*|evad\w*|"
            r"past) (?:a |the |any )?(?:background checks?|ffl|paperwork|registration|serial numbers?|"
            r"waiting period)",
            r"(?:without|no|skip\w*|avoid\w*|get(?:ting)? around|bypass\w*|dodg\w*|evad\w*) (?:a |the |any )?"
            r"(?:background checks?|waiting period|ffl) (?:[\w']+ ){0,6}(?:guns?|handguns?|firearms?|rifles?|"
            r"pistols?|shotguns?|ar ?15s?|glocks?|weapons?)",
            r"(?:have|get|ask|pay)\w* (?:my |a |some )?[\w']+ (?:to )?buy (?:[\w']+ ){0,2}(?:guns?|handguns?|"
            r"firearms?|rifles?|pistols?|ar ?15s?) for me|straw (?:purchase|buyer|man)",
            unless=(
                r"is it legal|legally|the law|laws|legislation|polic(?:y|ies)|statistics|debate|"
                r"loophole debate|illegal because|why is|penalt\w*|prosecut\w*|report\w*",
            ),
        ),
    ),
    benign=(
        signal(
            "a-toy-or-tool-not-a-weapon",
            2.0,
            r"(?:gun|pistol|knife|sword|bomb|grenade|rocket|rifle|dagger) ?shaped|toy (?:guns?|swords?|"
            r"pistols?|rifles?|knives)|(?:nerf|water|cap|squirt|bubble|laser tag|glue|heat|nail|staple|spray|"
            r"paint|massage|radar|foam) guns?|cookie cutters?",
        ),
        signal(
            "an-alarm-goes-off",
            2.0,
            r"(?:alarms?|timers?|buzzers?|sirens?|smoke detectors?|notifications?|sprinklers?|airbags?|"
            r"reminders?|chimes?|doorbells?|sensors?) (?:[\w']+ ){0,2}(?:goes|go|going|went|keeps going|"
            r"keep going) off",
        ),
        signal(
            "enlarged-not-exploded",
            2.0,
            rf"{verbs('blow up')} (?:this|the|my|our|that|a) (?:[\w']+ ){{0,2}}(?:chart|graph|image|photo|"
            r"picture|pic|font|text|screenshot|slide|pdf|logo|poster|print|diagram|map|figure|plot|table|"
            r"page|label|labels|thumbnail|icon|banner|headline|view|window|selfie)",
            r"(?:ce|cette|le|la|son|sa|notre|el|este|esta|nuestro|nuestra|il|questo|questa|il nostro|das|der|"
            r"die|dieser|diese|unser|unsere|o|a|este|esta|nosso|nossa) (?:[\w']+ ){1,2}(?:a ete|etait|est|"
            r"fue|es|era|ha sido|e stato|e stata|war|ist|foi|e) (?:une|una|eine|um|uma|la|a) (?:vraie |"
            r"verdadera |vera |echte |autentica |verdadeira )?(?:bombe|bomba)",
            r"(?:c'etait|c'est|era|es|war|e) (?:une|una|eine|la|uma) (?:vraie |verdadera |vera |echte )?"
            r"(?:bombe|bomba)(?! (?:artisanale|casera|artigianale|caseira|selbstgebaut))",
        ),
    ),
)

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
    r"sms|texts|text messages|messages|location|gps|contacts|call logs|photos|keystrokes|cookies|session "
    r"cookies|passwords|credentials|browser data|saved logins|clipboard|screenshots|microphone|audio|"
    r"camera|wallets?|seed phrases?"
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
            "a-document-that-runs-on-open",
            2.0,
            r"(?:macros?|vba|attachments?|documents?|docs?|docx|xlsm|pdfs?|files?|invoices?|shortcuts?|lnk|"
            r"iso|zip|spreadsheets?|workbooks?) (?:[\w']+ ){0,10}(?:runs?|download\w*|execut\w*|install\w*|"
            r"launch\w*|drops?|fetch\w*|opens? a shell) (?:[\w']+ ){0,4}when (?:the |a |my |"
            r"our )?(?:recipient|victim|target|user|they|he|she|someone|anyone|people|client|customer|"
            r"employee|hr|accountant)s? opens?",
            also=(_COVERT + r"|recipient|victim|target",),
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
            r"c2|email|inbox|phone|dropbox|ftp|panel|bot)",
            also=(
                _COVERT + r"|co ?workers?|colleagues|victims?|targets?|girlfriend|boyfriend|wife|husband|ex|"
                r"partner|kids?|employees|classmates|roommates?|(?:her|his|their|other people's) (?:phone|"
                r"browser|laptop|computer|device)",
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
            r"\w* (?:with )?(?:the |their |all |any )?(?:logs|audit (?:log|trail)s?|event logs|bash history)",
            evasion=True,
        ),
    ),
    benign=(
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
    r"(?:note|message|instructions?|nota|hinweis|anweisung|remarque|consigne|aviso|bericht|ps|p s) (?:pour|"
    r"para|per|fur|an|a|aan|voor|to|for) (?:l'|l |la |el |den |die |der |das |o |a |il |lo |the |any |all |"
    r"every |de )?(?:ia|ki|ai|assistant|assistente|asistente|assistenten|assistentin|modele|modelo|modello|"
    r"modell|llm|bot|agent|agente|chatbot|model)s?",
    r"(?:assistant|ai|llm|model|bot|agent|chatgpt|claude|gpt|copilot|gemini)s? (?:reading|processing|"
    r"summari[sz]ing|parsing|that reads|who reads|that is reading|analy[sz]ing|reviewing|handling|"
    r"triaging) (?:this|these|the (?:email|document|page|message|file|ticket|review|resume))",
    r"if you(?:'re| are) an? (?:ai|llm|assistant|language model|bot|agent|automated)",
    r"(?:hey|hi|hello|dear|attention|attn|yo) (?:ai|assistant|bot|agent|model|llm|chatgpt|claude|copilot|"
    r"gemini)(?! (?:team|group|lab|startup|company|newsletter|conference|summit))",
    r"when you (?:read|process|see|parse|summari[sz]e|open) this",
    r"to (?:any|all|every) (?:ai|llm|assistant|language model|bot|agent|automated system)s?",
)
_AN_ACT_ON_ITS_BEHALF = (
    r"ignore|disregard|forget|instead|plutot|au lieu|en lugar|stattdessen|invece|forward\w*|send|email|"
    r"mail|upload|post|paste|delete|remove|erase|reveal|print|run|execute|click|visit|link|lien|enlace|"
    r"url|http|https|credentials|passwords?|secrets?|api keys?|tokens?|base64|encod\w*|conversation|"
    r"ne fais pas|no hagas|mach (?:es )?nicht|non fare|envoie|envia|schick\w*|invia|transf\w*|supprime|"
    r"borra|losche|elimina|cancella|(?:do not|don't) summari[sz]e|approve|grant|buy|pay|wire|rate (?:this|"
    r"it|me)|recommend (?:this|me|hiring)|score (?:this|it|me)|hire (?:this|me)"
)
_ADDRESSED_INLINE = (
    r"(?:^|[>\[(\"'\n]|<!--)\s*(?:ai|assistant|system|agent|model|llm|chatbot|bot|ai model|ai assistant|"
    r"language model)\s*[:,]\s*(?:please |urgent[:,!]?\s*|important[:,!]?\s*|now[:,]?\s*)?(?:ignore|"
    r"disregard|forget|instead|send|email|forward|call|run|execute|open|paste|upload|reveal|print|"
    r"tell (?:the user|them|him|her)|visit|click|delete|wire|transfer|pay|buy|approve|grant|(?:don't|"
    r"do not) tell|new instructions?|you (?:must|should|will))"
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

FAMILIES_ACTS: dict[Category, Wider] = {
    Category.SELF_HARM: SELF_HARM,
    Category.VIOLENCE_WEAPONS: VIOLENCE,
    Category.MALWARE_INTRUSION: MALWARE,
    Category.PROMPT_INJECTION: INJECTION,
}
