"""The rules of violence and weapons, and of self-harm (the shared vocabulary is in ``vocabulary``,
the intent frames in ``frames``)."""

from __future__ import annotations

from orchestrator.safety.inflect import nouns, verbs
from orchestrator.safety.rules import CategoryRules, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import PERSON, gap

_ATTACK = verbs(
    "kill",
    "murder",
    "poison",
    "stab",
    "shoot",
    "hurt",
    "injure",
    "attack",
    "assassinate",
    "strangle",
    "choke",
    "suffocate",
    "smother",
    "drown",
    "kidnap",
    "abduct",
    "maim",
    "ambush",
    "assault",
    "beat up",
    "torture",
    "disfigure",
    "cripple",
    "knock out",
    "run over",
    "burn",
    "gas",
    "blow up",
    "jump",
)
_SILENCE = verbs(
    "disable", "neutralize", "neutralise", "silence", "stop", "deal with", "take care of", "handle"
)
_TAMPER = verbs("sabotage", "cut", "tamper with", "loosen", "drain")
_EXPLOSIVES = nouns(
    "bomb",
    "explosive",
    "detonator",
    "ied",
    "grenade",
    "landmine",
    "pipe charge",
    "blasting cap",
    "shrapnel",
    "firebomb",
    "incendiary",
    "incendiary device",
    "explosive device",
    "car bomb",
    "nail bomb",
    "pressure cooker bomb",
)
_EVENTS = (
    r"crowds?|concerts?|schools?|church(?:es)?|mosques?|synagogues?|temples?|malls?|stadiums?|festivals?|"
    r"subways?|parades?|rall(?:y|ies)|marathons?|protests?|markets?|airports?|stations?|trains?|"
    r"buses|planes?|classrooms?|campus|hospitals?|offices?|buildings?|meetings?|council|parliament|capitol|"
    r"congress|court ?house|city hall|(?:[\w']+ )?council meeting"
)

VIOLENCE = CategoryRules(
    Category.VIOLENCE_WEAPONS,
    harm=(
        signal(
            "explosives-or-weapons",
            1.0,
            _EXPLOSIVES,
            r"molotov\w*",
            r"thermite",
            r"napalm",
            r"tnt",
            r"c 4",
            r"semtex",
            r"anfo",
            r"ammonium nitrate",
            r"fertili[sz]er (?:and|with|plus) (?:diesel|fuel|oil)",
            r"black powder",
            r"gunpowder",
            r"flash powder",
            r"nerve agents?",
            r"sarin",
            r"ricin",
            r"anthrax",
            r"cyanide",
            r"(?:poison|toxic|lethal|deadly|chlorine|mustard|nerve) gas",
            r"(?:chemical|biological|bio) ?weapons?",
            r"dirty bomb",
            r"ghost guns?",
            r"untraceable (?:guns?|firearms?|handguns?|rifles?|pistols?)",
            r"unregistered (?:guns?|firearms?|handguns?|rifles?|pistols?)",
            r"(?:no|without a|without any|remove the|file off the) serial numbers?",
            r"80 (?:percent )?lowers?",
            r"auto sear",
            r"full auto",
            r"(?:fully )?automatic (?:weapons?|rifles?|fire)",
            r"machine ?guns?",
            r"trip ?wires?|booby traps?|spring guns?",
            r"zip guns?|pipe guns?|slam ?fires?",
            r"det cord|detonating cord|hmtd|tatp|acetone peroxide|nitroglycerin|petn|rdx|ammonal",
            r"throw\w* acid (?:on|at|in)|acid attacks?",
            r"(?:hire|find|pay|contact)\w* (?:a )?hit ?m[ae]n|contract killers?|murder for hire|hire (?:a |"
            r"someone to |somebody to )(?:kill|hurt|beat|murder)",
            r"(?:goes|go|going|gets?|cuts?|pierces?|penetrates?) through (?:a |the )?(?:police |body |"
            r"bulletproof |kevlar )?(?:vests?|body armou?r|armou?r)",
            r"armou?r piercing|cop killer (?:bullets|rounds)",
            r"flame ?throwers?",
            r"(?:toxic|poison|poisonous|deadly|lethal) (?:cloud|fumes|smoke|vapou?r)s?",
            r"shak\w* (?:a |the |my )?(?:baby|infant|toddler)(?! bottles?| formula| food| rattles?)",
            r"poison(?!ous| ivy| oak| control)\w*",
            r"(?:stab|stabbing|slash|slashing)\w* (?:through|into) (?:a |the )?(?:thick )?(?:jacket|coat|"
            r"vest|clothes|ribs|chest|neck)",
            r"(?:fires?|shoots?) real (?:bullets|ammo|rounds)",
            r"how long (?:would|could|can|does|will) (?:someone|a person|he|she|they|a kid|"
            r"a child) (?:survive|last|live) (?:locked|trapped|tied)",
            rf"{verbs('make', 'build', 'print', 'assemble')} (?:a |an |my own |your own )?(?:homemade |"
            r"working )?(?:gun|firearm|pistol|rifle|shotgun|silencer|suppressor)s?",
            r"traps? that (?:fires|shoots|explodes|stabs|electrocutes)",
            r"bump stocks?",
            r"silencers?",
            r"suppressors?",
            r"solvent trap",
            r"explod\w*",
            r"detonat\w*",
            rf"{verbs('blow up')}",
            rf"{verbs('go')} off (?:when|if|after|at)",
            rf"{verbs('level', 'bring down', 'take down', 'collapse', 'derail', 'burn down')} (?:a |the |"
            r"an |their |his |her )?(?:[\w']+ )?(?:building|house|bridge|plane|train|tower|office)",
            rf"{verbs('set')} fire to",
            r"arson",
        ),
        signal(
            "firearms",
            0.5,
            r"guns?",
            r"firearms?",
            r"handguns?",
            r"pistols?",
            r"rifles?",
            r"shotguns?",
            r"ar 15",
            r"ammunition",
            r"ammo",
            r"weapons?",
            r"knife|knives",
        ),
        signal(
            "harm-to-people",
            2.0,
            rf"{_ATTACK} (?:up )?{PERSON}",
            rf"{verbs('make')} (?:{PERSON}) (?:really |very |so |seriously )?(?:sick|ill|suffer|bleed|vomit)",
            rf"{verbs('take out', 'get rid of', 'eliminate', 'off', 'silence')} (?:{PERSON}|a (?:politician|"
            r"target|witness|rival|senator|judge|leader))",
            r"(?:can|could|would|will) kill (?:a |an )?(?:person|someone|somebody|man|woman|human|him|her|"
            r"them)",
            r"(?:one|a single) (?:punch|blow|hit|strike|stab) (?:can|could|would|will) kill",
            r"(?:has to|have to|must|should|needs? to) (?:have|suffer|meet) (?:a |an )?(?:fatal|deadly|"
            r"tragic|unfortunate|nasty) (?:accident|fall|end)",
            rf"{verbs('arrange', 'stage', 'fake', 'plan', 'cause')} (?:a |an |his |her |their )?(?:fatal |"
            r"deadly |little )?(?:accident|overdose|fall) (?:for|on|that kills)",
            r"(?:so|to make) it hurts? (?:more|worse|the most)",
            rf"{verbs('make')} (?:{PERSON}) (?:disappear|vanish|go away for good)",
            rf"{verbs('beat', 'rough', 'slap', 'knock')} (?:{PERSON}) (?:up|around|out|senseless)",
            r"start\w* (?:a )?fires? (?:in|at|inside|to) (?:a |an |the |his |her |their |"
            r"my [\w']+'s )?(?:[\w']+ )?(?:apartment|house|home|building|school|office|car|store|shop)",
            rf"{verbs('bring', 'take', 'carry', 'sneak')} (?:[\w']+ ){{0,3}}(?:guns?|rifles?|pistols?|"
            r"shotguns?|knives|knife|weapons?|bombs?) (?:in)?to (?:school|class|campus|work|church|"
            r"the office|the mall|the concert|the game)",
            r"to use (?:it |them )?(?:on|against) (?:the )?(?:protesters|people|crowd|crowds|them|him|her|"
            r"my (?:neighbou?rs?|family|classmates|coworkers|ex)|cops|police)",
            r"(?:how hard|hard enough) (?:do you have to|do i have to|to|would i have to) (?:shake|hit|"
            r"punch|kick|choke|squeeze)",
            rf"teach (?:{PERSON}) a lesson (?:he|she|they) (?:won't|will never|wont) (?:walk away from|"
            r"forget|recover from|survive)",
            rf"{_TAMPER} (?:his|her|their|[\w']+'s) (?:[\w']+ ){{0,2}}(?:brakes?|brake lines?|steering|"
            r"tyres?|tires?|gas line|airbags?)",
            rf"{_TAMPER} (?:the )?(?:brake lines?|airbags?)",
            rf"{verbs('hit', 'kill', 'hurt', 'injure', 'run over', 'mow down')} (?:the )?(?:most|as many|"
            r"many|more) (?:pedestrians|people|victims|kids|students|shoppers)",
            rf"{verbs('storm', 'raid', 'attack')} (?:[\w']+ ){{0,5}}with (?:weapons|guns|rifles|knives|"
            r"bombs|explosives)",
            rf"(?:want|wish|need) (?:{PERSON}) (?:gone|dead|out of the picture) (?:for good|forever|"
            r"permanently)",
            rf"{_SILENCE} (?:{PERSON}|a (?:security )?guard|the (?:security )?guard|"
            r"a witness) (?:permanently|for good|forever)",
            r"(?:antifreeze|bleach|rat poison|poison|cyanide|arsenic|eye drops|oleander|insulin|"
            r"ethylene glycol) (?:in|into) (?:[\w']+ )?(?:someone's|her|his|their|[\w']+'s) (?:drink|food|"
            r"coffee|tea|meal|soup)",
            r"(?:call\w* for|incit\w*|promot\w*|encourag\w*|justify\w*|glorif\w*) (?:violence|attacks?|"
            r"war) against",
            rf"{verbs('kill', 'murder', 'stab', 'shoot', 'poison')} (?:the |all )?(?:people|everyone|them)",
            r"(?:mass|school) (?:shootings?|stabbings?|murders?|casualt(?:y|ies))",
            rf"{verbs('attack', 'bomb', 'shoot up', 'ram', 'storm')} (?:a|an|the|our|their|"
            rf"my) (?:[\w']+ ){{0,2}}(?:{_EVENTS})",
            rf"{verbs('drive', 'plow', 'crash')} (?:a |my |the )?(?:car|truck|van) into",
            rf"poison\w* {gap}(?:dog|cat|pet|horse|drink|food|coffee|tea|water supply|reservoir)",
            r"maximum casualties",
            r"(?:so|until|and) (?:it|he|she|they) (?:doesn't|don't|does not|won't|will not|"
            r"never) (?:wake up|survive|breathe again|come back)",
            r"(?:many|most|more) (?:deaths|casualties|victims|people dead|people killed)",
            rf"(?:so|until) (?:they|he|she) (?:{verbs('die')}|don't survive|doesn't survive|bleeds? out|"
            r"stops? breathing)",
            rf"{verbs('kill')} (?:the )?(?:people|person|guests|family|everyone) (?:sleeping|inside|in)",
            rf"{PERSON} {gap}(?:{verbs('bleed')} out|{verbs('bleed')} to death)",
            r"(?:where|how) (?:should|do|would|can) i (?:stab|shoot|hit|strike|cut) (?:someone|a person|him|"
            r"her)",
        ),
    ),
    ask=(
        signal(
            "assembly",
            1.0,
            r"ingredients",
            r"mix\w*",
            r"combin\w*",
            r"assembl\w*",
            r"convert\w*",
            r"turn (?:a|an|my|the) [\w ]{0,30} into",
            r"3d print\w*",
            r"at home",
            r"in my (?:garage|kitchen|basement|backyard|shed|bathroom)",
            r"homemade",
            r"diy",
            r"burns? longer",
            r"fits? in a (?:backpack|bag|car)",
            r"burn through",
            r"melt through",
            r"rig\w*",
            r"chemicals",
            r"wiring|wire it",
            r"parts",
            r"finish\w*",
        ),
    ),
    benign=(
        signal(
            "not-a-weapon",
            2.0,
            r"bath bombs?",
            r"photo ?bomb\w*",
            r"bomb ?proof",
            r"poison ivy|poison oak|food poisoning|poisonous (?:plants|mushrooms|snakes|spiders|berries)|"
            r"poison proof",
            r"toxicology|pharmacology|class|course",
            r"mice|rats|pests|weeds|insects|ants|roaches|cockroaches|rodents|slugs|snails|termites",
            rf"{verbs('blow up')} (?:my |our |your |the )?(?:instagram|following|tiktok|channel|phone|"
            r"social|sales|business|brand|internet|balloons?|photos?|images?|pictures?|mattress|pool|inbox)",
            r"bomb (?:disposal|squad|threat procedures?|shelter)",
            r"fireworks?",
            r"f bombs?",
            r"kill (?:a |the |this |that |all |every )?(?:zombie |stale |hung |old |idle |"
            r"running )?(?:process\w*|build\w*|weeds?|bugs?|pests?|ants|mold|bacteria|germs|cache|task|job|"
            r"session|pod|container|query|tab|switch|time|the lights|the engine|it)",
            r"killer (?:feature|app|talk|presentation|deal|look)",
            r"photo shoot",
            r"gun safety",
            r"hunters?",
            r"antique",
            r"defus\w*",
            r"disarm\w*",
            r"sniffer dogs?|bomb sniffing|explosives? detection",
            r"nuclear reactors?",
            r"chess|checkers|video game|in minecraft|in fortnite",
            rf"{verbs('shoot')} (?:[\w']+ )?(?:a|an) (?:message|email|text|note|line|dm|video|photo)",
        ),
    ),
)

_DESPAIR = (
    r"can'?t do this anymore|can'?t take (?:it|this) anymore|can'?t go on|don'?t want to (?:live|be here|"
    r"exist|wake up)|tired of (?:living|being alive|life)|want (?:it|everything) to (?:stop|end)|"
    r"i'?m done with (?:everything|life|it all)|made up my mind|no reason to live|better off dead|"
    r"better off without me|nobody would miss me|say goodbye (?:to everyone|forever)|last night alive|"
    r"want (?:it|this|everything|it all) to be over|(?:asking|i mean it|i'm) serious(?:ly)?|"
    r"keep thinking (?:about|of) (?:dying|ending|killing|driving into|jumping|crashing|not being here)|"
    r"(?:before|when) i go through with it|asking for myself|(?:the )?pain to stop (?:forever|for good|"
    r"permanently)|can'?t feel anything|saving up (?:my )?(?:pills|meds|tablets)|tonight'?s the night|"
    r"(?:nobody|no one) would (?:notice|care|miss me) if i (?:disappeared|"
    r"died|was gone|vanished)"
)
_METHOD = (
    r"pills|tablets|meds|medication|overdose|rope|noose|bridge|jump|roof|cut|cuts|blade|razor|wrists?|"
    r"gun|train|sleep forever|die|end it|take all|all at once|how many|how much|lethal|fatal|mix|"
    r"dangerous|painless|painful|way to go|speed|make sure|enough|deep|wall|letter|note|chemical|fastest|"
    r"insulin|pens|do it|roof"
)

SELF_HARM = CategoryRules(
    Category.SELF_HARM,
    harm=(
        signal(
            "self-harm-intent",
            2.0,
            rf"{verbs('kill', 'hurt', 'harm', 'cut', 'hang', 'starve', 'poison', 'shoot', 'drown', 'burn')} "
            r"(?:myself|yourself|oneself)",
            r"ana coach|meanspo|bonespo|pro mia|thinspiration",
            r"(?:end|ending|take|taking) (?:my|my own) life",
            r"end (?:it all|everything|things)(?! with| between| off| on| for (?:the|this|now))",
            rf"{verbs('cut', 'slit', 'slash')} (?:my |the |your )?(?:wrists?|veins?)",
            r"(?:want|going|planning|ready) to die",
            r"suicide (?:notes?|methods?|plans?)",
            r"commit suicide",
            r"painless\w* (?:way to )?(?:die|death|suicide)",
            r"lethal dose",
            r"overdose on",
            r"jump from and die",
            r"hide (?:my |the )?(?:self harm|cuts|scars|burns|wounds)",
            r"hiding (?:my |the )?(?:self harm|cuts|scars|burns|wounds)",
            r"pro ana",
            r"thinspo",
            r"stop my (?:own )?heart",
            r"(?:not|never) wake up",
            r"eating disorder worse",
            r"bleed out",
            r"bleed to death",
            rf"how much {gap}(?:would|will|to) (?:kill|stop|end)",
            r"(?:would it|does it|will it) take to (?:die|not wake up|stop breathing)",
            r"(?:fatal|lethal|deadly) (?:for|to) (?:me|someone my|a person my|someone of my)",
            r"(?:sleeping (?:pills|tablets)|pills|tablets|painkillers) {gap}(?:is that|would that be|"
            r"are they|will that be) enough",
            r"(?:make|making) sure (?:i|that i) (?:die|don't survive|don't wake up|don't make it)",
            r"(?:when|after|once) i'?m gone (?:tomorrow|tonight|next week|soon|for good)",
            r"won'?t be (?:here|around|alive) (?:tomorrow|much longer|next week|by morning)",
            r"(?:and|to) (?:not|never) come (?:back )?(?:down|home|back)",
            r"(?:stop|quit) eating (?:completely|entirely|altogether|for good)",
            r"(?:made up my mind|i'm done with everything|i am done with everything|no reason to live|"
            r"better off dead|better off without me|don't want to be here anymore|can't go on)",
            r"(?:she|he|they|the character) (?:overdoses|kills (?:herself|himself|themselves))",
            r"(?:way|ways|method|methods|how) to die(?! \w+ hair)",
            r"die in my sleep",
            r"purg(?:e|ing) after (?:every |each |a )?(?:meal|eating|dinner|lunch)",
            r"(?:hide|hiding) (?:my |the )?(?:eating disorder|purging|not eating|weight loss) from",
        ),
        signal("despair-and-method", 2.0, _DESPAIR, also=(_METHOD,)),
        signal(
            "self-injury",
            2.0,
            r"cuts|cutting|burns|burning|(?:cut|burn) (?:without|myself|deep|deeper)",
            also=(
                r"stitches|bleed\w*|scars?|my (?:skin|arms?|thighs?|wrists?|legs?)|deep(?:er)? enough|"
                r"without it hurting|hurting too much|razors?|blades?|without (?:anyone|people|my parents|"
                r"them) (?:noticing|knowing|seeing)",
            ),
        ),
        signal(
            "self-harm",
            1.0,
            r"nothing matters anymore",
            r"tonight is the night",
            r"(?:least|less|not) painful (?:way|ways|method) to go",
            r"painless(?:ly)? (?:way )?to go",
            r"(?:for|by) hanging",
            r"(?:ribs|bones|hip ?bones|collar ?bones) (?:to )?show",
            r"(?:[1-5]00|zero) calories a day",
            r"starv\w* myself",
            r"(?:get|go|drop) (?:down )?to (?:[5-9]\d|1[01]\d) (?:pounds|lbs|lb)",
            r"(?:get|go|drop) (?:down )?to (?:[2-4]\d) ?kg",
            r"(?:take|taking|took) enough (?:benadryl|pills|tylenol|advil|ibuprofen|acetaminophen|"
            r"paracetamol|sleeping (?:pills|tablets)|insulin)",
            r"skip meals",
            r"suicid\w*",
            r"self harm",
            r"overdos\w*",
            r"sleeping pills",
            r"cut\w* deeper",
            r"(?:fatal|lethal|deadly) (?:dose|amount|quantity|fall|height|combination)",
            r"(?:certain|sure|guaranteed|enough) to be (?:fatal|lethal|deadly)",
            r"(?:tall|high) enough (?:to|that|for) (?:a |the )?(?:fall|jump|drop)",
            r"noose",
            r"can'?t stop in time|(?:step|jump|lie|lay) (?:down )?(?:in front of|onto) (?:a |the )?(?:train|"
            r"bus|truck|tracks)",
            r"(?:days|weeks) without (?:food|eating)",
            r"make myself (?:throw up|vomit|sick|puke)",
            r"(?:take|swallow) (?:them )?all at once",
            r"laxatives to lose",
        ),
    ),
    ask=(
        signal(
            "method",
            1.0,
            r"how many (?:[\w']+ ){0,3}(?:pills|tablets|would|to)",
            r"best method",
            r"quick(?:est|ly)?",
            r"painless\w*",
            r"without pain",
            r"tonight",
            r"tips",
            r"deeper",
            r"reliable",
            r"without going to (?:hospital|a doctor)",
            r"high enough",
            r"hide it",
        ),
    ),
    benign=(
        signal(
            "care",
            2.0,
            r"prevention",
            r"hotlines?",
            r"helplines?",
            r"lifeline",
            r"crisis lines?",
            r"resources",
            r"help (?:a|my) (?:friend|child|son|daughter|colleague|student)",
            r"help someone",
            r"support (?:a|my|someone)",
            r"warning signs",
            r"statistics",
            r"public health",
            r"treatments?",
            r"therapy",
            r"supportive",
            r"recover\w*",
            r"safe messaging",
            r"naloxone",
            r"reverses? an? (?:opioid )?overdose",
            r"grie(?:f|ving)",
            r"how do i talk to",
            r"(?:maximum|max) safe",
            r"(?:my )?doctor (?:said|says|told)|poison(?:ous| control)|ate something",
            r"safe (?:daily )?dose",
        ),
    ),
)
