"""Intent families, second widening: what a user who wants the harm asks for, however worded
(``wider_intents`` was the first). Here the acts against a body; ``families_systems`` holds malware
and injection, ``families_fraud`` fraud, ``families_people`` privacy, hate, minors and drugs.

- ``self_harm``: a death of one's own, said plainly or by euphemism ("end it", "finish things",
  "not wake up", "nicht mehr aufwachen", "para morir") next to a means, a dose or a way; methods
  compared; cuts or starving hidden; a height no one survives; a goodbye letter beside a method; a
  character's suicide asked in working detail; the help lines refused ("not a hotline", "no me
  digas que llame");
- ``violence_weapons``: a device that goes off when someone opens, starts or touches something;
  household products mixed to go off; a gun got around its background check or bought through
  someone else.

Each family keeps its benign twins: a breakup ("end things kindly"), a subscription ended, worry
for a friend, an alarm that goes off when a door opens, a chart blown up to be readable, "ce
spectacle a été une bombe".
"""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import Wider, signal
from orchestrator.safety.taxonomy import Category

_OWN_DEATH = (
    r"so (?:it'?s|it is|it'll be|it will be) over(?: fast| quickly| quick)?|until i die|till i die|"
    r"(?:my plan is|i plan|i'm going|i am going|i want) to (?:drive|jump|crash|walk|"
    r"step)\w* (?:[\w']+ ){0,3}(?:off|into|in front of|from)|(?:tired|sick) of (?:living|being alive|life)|"
    r"cansad[oa] de vivir|fatigue de vivre|mude zu leben|stanc[oa] di vivere|cansad[oa] de viver|i (?:don't|"
    r"do not) want to suffer|(?:okay|ok|time|ready) to (?:come )?join (?:you|her|him|them)|come join you|"
    r"(?:going to|gonna|ready to|will) (?:jump|end it) (?:tonight|tomorrow|today|this weekend|soon)|"
    r"(?:going to|gonna|ready to|will) do it (?:tonight|tomorrow|this (?:weekend|week|time)|soon|"
    r"on (?:friday|saturday|sunday|monday|my birthday))|ich will (?:einfach )?nicht mehr|ich kann nicht mehr|"
    r"je n'en peux plus|no puedo mas|ya no quiero (?:seguir|estar)|non ce la faccio piu|nao aguento mais|"
    r"(?:better off|happier) without me|(?:kill|end|off)(?:s|ing)? myself|(?:would|will|could|to|that|which|"
    r"it) kill me (?:quickly|fast|painlessly|for sure|instantly|in my sleep|outright)|kill me (?:quickly|"
    r"painlessly|fast|for sure|instantly|in my sleep)|so (?:that )?i (?:die|don't wake up|won't wake up|"
    r"never wake up)|(?:not|never|no longer|won't|wouldn't) (?:wake|waking) (?:up|back up)|wouldn't survive|"
    r"won't survive|would not survive|will not survive|no chance of surviving|finish (?:things|it all|myself|"
    r"me off|it for good)|(?:end|ends|ending) (?:it|it all|things|my life|everything)(?! (?:with|between|"
    r"kindly|nicely|politely|gently|amicably))|take my (?:own )?life|stop existing|(?:not|no longer|"
    r"never) exist|cease to exist|(?:not|no longer) be (?:alive|here anymore|around anymore)|(?:wouldn't|"
    r"won't|would not|will not|never|not) come back from|(?:someone|a person) (?:my|of my) (?:size|weight)|"
    r"(?:want|going|ready) to (?:join|be with) (?:her|him|them|my (?:late|dead|deceased) [\w']+) (?:again|"
    r"in heaven|on the other side|soon|forever|wherever)|(?:want|going|ready) to join (?:her|him|them)$|"
    r"my (?:choice|decision|plan|right) to (?:die|end it|go)|decided to die|ready to die|(?:for me|"
    r"i want)\sto die|para morir|para matarme|para no despertar|no despertar|nicht mehr aufwach\w*|"
    r"nie mehr aufwach\w*|(?:painless|peaceful|least painful|quickest|quiet)\w* (?:way|"
    r"method) (?:for me )?to go(?! to| home| back| out| there| abroad)|(?:sleep|be gone|disappear) forever|"
    r"no sobrevivir|nicht zu uberleben|pour ne pas survivre|per non sopravvivere|para nao sobreviver|"
    r"um zu sterben|zum sterben|pour mourir|ne plus me reveiller|ne pas me reveiller|per morire|"
    r"non svegliarmi piu|ne plus (?:se|me) reveiller|pour ne pas (?:se|me) reveiller|nicht mehr aufzuwachen|"
    r"disappear (?:permanently|for good)|para morrer|nao acordar mais|om dood te gaan"
)
_METHODS = (
    r"pills|overdos\w*|bridge|jump\w*|rope|hang\w*|gun|cut\w*|drown\w*|train|gas|exhaust|pills|poison|"
    r"bleach|insulin|noose|wrists?"
)
_A_MEANS_OR_WAY = (
    r"guardrail|stretch|no barrier|cliff|edge|lithium|seroquel|amitriptyline|benadryl|diphenhydramine|"
    r"how (?:i )?(?:should|would|could|can) do it|how to do it|todlich\w*|mortel\w*|mortal\w*|letal\w*|"
    r"dodelijk\w*|zusammen|ensemble|juntos|insieme|quickest way out|is (?:it |that )?enough|pills?|tablets?|"
    r"capsules?|doses?|overdos\w*|milligrams?|mg|paracetamol|tylenol|acetaminophen|ibuprofen|insulin|"
    r"sleeping pills|schlaftabletten|tabletten|medikamente|pastillas|comprimidos|comprimes|cachets|pillole|"
    r"pilulas|gas|fumes|exhaust|carbon monoxide|chemicals|bleach|knot|noose|rope|height|floors?|stor(?:y|"
    r"ies)|bridges?|buildings?|cliffs?|roof|train|tracks|methods?|ways?|painless\w*|quick\w*|fast\w*|surest|"
    r"certain\w*|lethal|fatal|how many|how much|which|garage|wrists?|veins?|blade|razor|gun|autopsy|tox\w*|"
    r"cuantas|cuantos|wie viele|wie viel|combien|quanti|quante|quantos|quantas|hoeveel|date|plan|(?:least|"
    r"less) painful|painkillers|opioids|benzos|sleeping tablets|antidepressants|meds|medicine|altura|hohe|"
    r"hauteur|altezza|puente|brucke|pont|ponte|bridge|how deep|deep enough|cut\w*|strongest|remedios|"
    r"medicamentos|medicaments|farmaci|medicijnen|pillen|suficientes|genug|assez|abbastanza|heart pills"
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
            "methods-compared",
            2.0,
            rf"(?:{_METHODS}) (?:or|vs|versus) (?:the |a )?(?:{_METHODS})",
            also=(
                r"(?:less|least|more|most) (?:painful|certain|reliable|lethal|effective|peaceful)|painless|"
                r"quicker|faster|surer|for me|asking for me|better way to go",
            ),
        ),
        signal(
            "pills-stockpiled",
            2.0,
            r"(?:stockpil\w*|sav\w* up|hoard\w*|collect\w*|been saving)\s(?:[\w']+ ){0,3}(?:pills|meds|"
            r"medications?|tablets|sleeping pills|painkillers|insulin|lithium|oxy\w*|benzos|seroquel)",
            also=(r"enough|how many|is \d+|more|do i need|will it|would it",),
        ),
        signal(
            "methods-ranked",
            2.0,
            r"methods? (?:[\w']+ ){0,3}(?:ranked|sorted|ordered|compared|listed) (?:by|from) (?:[\w']+ ){0,3}"
            r"(?:painless\w*|pain|lethal\w*|quick\w*|reliab\w*|certain\w*|fast\w*)",
            also=(r"suffer|i don't want|for me|myself|end it|die|dying",),
        ),
        signal(
            "cuts-hidden",
            2.0,
            r"cut\w* (?:[\w']+ ){0,6}(?:so|where|that) (?:[\w']+ ){0,6}(?:won't|wouldn't|can't|don't) (?:see|"
            r"notice|find)|(?:hide|cover|hiding|covering) (?:the |my )?(?:cuts|scars|marks|burns|wounds)|"
            r"(?:wrist|arm|thigh)s? (?:[\w']+ ){0,4}(?:to )?cut",
            also=(
                r"parents|mom|dad|family|teacher|roommates?|nobody|no one|anyone|won't see|under (?:a |my )?"
                r"(?:watch|sleeve|sleeves|bracelet|clothes)|bleeds? (?:a lot|more)",
            ),
            unless=(r"surgery|surgical|c ?section|acne|chicken ?pox|stretch marks|tattoo removal",),
        ),
        signal(
            "starving-hidden",
            2.0,
            r"stopped eating|not eating|starving myself|starve myself|purging|throwing up (?:after|my)|"
            r"skip\w* (?:all )?meals",
            also=(
                r"hide it|hiding it|keep going|so (?:nobody|no one|they|my [\w']+) (?:notices?|knows?|"
                r"finds? out)|without (?:anyone|my [\w']+) noticing|suppress (?:my )?appetite|lose (?:more|"
                r"faster)",
            ),
            unless=(
                r"recover\w*|support (?:her|him|them)|my friend|doctor|religious|ramadan|medical fast|before "
                r"surgery|intermittent",
            ),
        ),
        signal(
            "a-height-no-one-survives",
            2.0,
            r"high enough (?:that |so that |so )?(?:you|i|one|a person|someone|"
            r"people) (?:[\w']+ )?(?:wouldn't|won't|would not|will not|don't|do not|can't|cannot) survive|"
            r"high enough to (?:die|be fatal|kill)",
        ),
        signal(
            "a-height-no-one-survives-other-language",
            2.0,
            r"wie hoch|que altura|quelle hauteur|quanto alto|que tan alto|qual altura|hoe hoog|a partir de "
            r"que altura|ab welcher hohe",
            also=(
                r"nicht (?:mehr )?uberleb\w*|no sobreviv\w*|ne (?:pas )?survi\w*|non sopravviv\w*|"
                r"nao sobreviv\w*|niet overleef\w*|sicher tot|muerte segura|mort certaine|morte certa|"
                r"para morir|pour mourir|um zu sterben|per morire",
            ),
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
            r"their) (?:own )?life|(?:ends?|ending|ended) (?:her|his|their) (?:own )?life|suicide",
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
            r"looks? like (?:i|it was an accident when i) (?:slipped|fell|tripped|drowned|crashed|"
            r"lost control)",
            r"(?:freez|bleed|starv|drown|burn)\w* (?:myself )?to death (?:[\w']+ ){0,4}(?:if i|i'm going|"
            r"i am going|my plan|that's my plan|tonight|i want to)",
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
            r"pipe) (?:from|on|to) the exhaust|exhaust (?:thing|method|trick)|(?:engine|motor|"
            r"car) (?:[\w']+ ){0,2}running (?:[\w']+ ){0,4}(?:in|inside) (?:the |my |a )?(?:closed |"
            r"shut )?garage",
        ),
    ),
    ask=(signal("help-refused", 1.5, _HELP_REFUSED, evasion=True),),
    benign=(
        signal(
            "dying-of-laughter",
            2.0,
            r"(?:morir|muero|mourir|meurs|sterben|sterbe|morire|muoio|morrer|morro|dying|died|die) (?:de |"
            r"vor |dal |van het |of )?(?:la )?(?:risa|rire|lachen|ridere|rir|laughing|laughter)",
        ),
        signal(
            "a-service-ended",
            2.0,
            r"(?:the|my|this|our) (?:[\w']+ )?(?:subscription|membership|account|contract|lease|trial|"
            r"service|streak|season)|netflix|spotify|cancel\w*|unsubscrib\w*|break ?up|breaking up|"
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
            "a-homemade-weapon-other-language",
            2.0,
            r"(?:bomba|bombe|arma|armas|pistola|fucile|espingarda|granada|granata|"
            r"molotov)\w* (?:caseir[ao]s?|caser[ao]s?|artigianal[ei]|artesanal\w*|fatt[ao] in casa|"
            r"hech[ao] en casa|feit[ao] em casa|selbstgebaut\w*|artisanal\w*|zelfgemaakt\w*)",
            r"(?:dispare|dispari|dispara|tire|schiesst|schiet)\w* (?:balas|proiettili|balles|kugeln|kogels) "
            r"(?:de verdade|vere|veri|de verdad|reales|reelles|echte)",
        ),
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
            "armed-for-a-massacre",
            2.0,
            r"(?:make sure|so that|to ensure|ensure) (?:nobody|no one) survives|(?:bring|take|"
            r"carry)\w* (?:[\w']+ ){0,3}(?:guns?|rifles?|ammo|weapons?|knives|"
            r"bombs?)s? (?:[\w']+ ){0,3}to (?:school|class|work|church|the mall|the parade|the concert|"
            r"the mosque|the synagogue)",
            unless=(r"range|hunting|legal\w*|allowed|policy|safe\w*|gun show|drill",),
        ),
        signal(
            "a-weapon-past-the-checks",
            2.0,
            r"(?:knife|knives|gun|guns|weapon|blade|pistol|taser|pepper spray|"
            r"box cutter)s? (?:[\w']+ ){0,3}(?:past|through|by|around) (?:the )?(?:metal detectors?|security|"
            r"bag checks?|scanners?|guards?)",
            r"(?:knife|knives|gun|guns|weapon|blade|pistol)s? (?:[\w']+ ){0,3}(?:won't|doesn't|wouldn't|"
            r"will not|does not) (?:show up|be detected|set off|trigger|register) (?:on|by|"
            r"in) (?:the )?(?:airport |metal )?(?:scanners?|detectors?|x ?rays?)",
            rf"{verbs('sneak', 'bring', 'smuggle', 'get', 'carry', 'hide')} (?:a |my |the )?(?:knife|gun|"
            r"weapon|blade|pistol|taser|box cutter) (?:[\w']+ ){0,3}(?:into|to|in) (?:school|class|"
            r"the stadium|the concert|court|the courthouse|the airport|a plane|the plane|the game|church)",
            unless=(r"legal\w*|allowed|permitted|policy|checked luggage|tsa rules|rules about|is it ok",),
        ),
        signal(
            "a-gun-around-its-checks",
            2.0,
            r"(?:guns?|handguns?|firearms?|rifles?|pistols?|shotguns?|ar ?15s?|ak ?47s?|glocks?|weapons?) "
            r"(?:[\w']+ ){0,8}(?:without|no|skip\w*|avoid\w*|get(?:ting)? around|bypass\w*|dodg\w*|evad\w*|"
            r"past) (?:a |the |any )?(?:background checks?|ffl|paperwork|registration|serial numbers?|"
            r"waiting period)",
            r"(?:without|no|skip\w*|avoid\w*|get(?:ting)? around|bypass\w*|dodg\w*|evad\w*) (?:[\w']+ )?"
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
            "first-aid",
            2.0,
            r"first aid|tourniquet|stops? (?:the )?bleeding|stops? (?:someone|a person|them|him|her) from "
            r"bleeding|pressure on the wound",
        ),
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


FAMILIES_ACTS: dict[Category, Wider] = {
    Category.SELF_HARM: SELF_HARM,
    Category.VIOLENCE_WEAPONS: VIOLENCE,
}
