"""The rules of the categories about systems: malware and intrusion, prompt injection, destructive
operations (fraud and drugs are in ``rules_illicit``)."""

from __future__ import annotations

from orchestrator.safety.inflect import verbs
from orchestrator.safety.rules import CategoryRules, signal
from orchestrator.safety.taxonomy import Category
from orchestrator.safety.vocabulary import RELATION, gap

_ACCOUNT = (
    r"account|email|e ?mail|gmail|outlook|yahoo|icloud|inbox|instagram|facebook|snapchat|tiktok|twitter|"
    r"whatsapp|telegram|discord|phone|wi ?fi|network|router|server|computer|laptop|pc|system|database|"
    r"grading|webcam|camera|cloud|bank account|steam|slack|teams|zoom|github|aws|onedrive|dropbox|"
    r"google drive|portal|crm"
)
_SOMEONE_ELSES = (
    rf"(?:my |her |his |their |the |a )?(?:ex|{RELATION}|someone|somebody|other people|a stranger|the "
    r"victim|the target)(?:'s|s'|'|s)? "
)

_LEARN = verbs("get", "find out", "obtain", "steal", "guess", "crack", "figure out")
_LOG_IN = verbs("get", "log", "sign", "break", "access")

MALWARE = CategoryRules(
    Category.MALWARE_INTRUSION,
    harm=(
        signal(
            "malicious-software",
            1.0,
            r"malware",
            r"(?:info|password|cookie|token|credential)? ?stealers?|cobalt strike|mimikatz|meterpreter",
            r"c2 (?:server|infrastructure|beacon|channel)s?|exploit kits?|bootkits?|fileless malware",
            r"session hijack\w*|cookie (?:stealing|theft|hijack\w*)|man in the middle|mitm|arp spoof\w*|"
            r"dns spoof\w*",
            r"evil twin (?:ap|access point|wi ?fi|hotspot)|wi ?fi (?:cracking|hacking)",
            r"zero click|ddos for hire|booters?|stressers?",
            r"(?:process|dll|code) injection|process hollowing",
            r"obfuscat\w* (?:the |my )?(?:payload|malware|shellcode|script to evade|code to evade)",
            r"ransomware",
            r"keyloggers?|key loggers?",
            r"trojans?",
            r"rootkits?",
            r"botnets?",
            r"spyware",
            r"stalkerware",
            r"(?:computer|network|usb|email|internet) (?:worms?|viruse?s?)",
            r"(?:worms?|viruse?s?) that (?:spreads?|copies|replicates|infects)",
            rf"{verbs('build', 'write', 'create', 'code', 'make')} (?:a |an )?(?:worm|virus)",
            r"(?:reverse|remote|hidden|bind|web) shells?",
            r"shell ?code",
            r"backdoors?",
            r"remote access trojans?",
            r"command and control|c2 server",
            r"(?:working |zero day |0 day )?exploits?",
            r"zero days?",
            r"ddos|dos attack|denial of service",
            r"infostealers?|(?:password|token|cookie|credential) (?:stealers?|grabbers?|loggers?)",
            r"crypters?",
            r"cryptojack\w*",
            r"droppers?",
            r"downloads? and (?:runs?|executes?|installs?)",
            r"brute forc\w*",
            r"credential stuffing",
            r"session cookies",
            r"keystrokes?",
            r"(?:records?|logs?|captures?|recording|logging|capturing) (?:every ?thing|all|every key|"
            r"each key) (?:that is |that's |someone |they |the user |you |he |she )?(?:typed|types|type|"
            r"presses|pressed)",
            r"remote(?:ly)? access",
            r"(?:malicious|meterpreter|exploit|shellcode|stager|injection|xss) payloads?",
            rf"{verbs('pull', 'download', 'drop', 'fetch', 'deliver', 'deploy')} (?:down )?(?:a |the |my |"
            r"our )?(?:second stage |malicious )?payloads?",
            r"privilege escalation",
            r"infected (?:computer|machine|host|pc|device)s?",
            r"spread\w* (?:itself )?(?:through|via|to|across) (?:the |their |all )?(?:email )?contacts",
            r"tr(?:y|ies|ying) (?:common|default|leaked|known|stolen) passwords",
            r"scan\w* (?:the internet|ip ranges?|the web) for (?:open(?! source)|vulnerable|exposed|"
            r"unpatched)",
            r"sim swap\w*",
            r"(?:get|gain|obtain|escalate to) (?:admin|root|domain admin|system) (?:rights |access |"
            r"privileges )?on (?:the |my |our |a |their )?(?:[\w']+ )?(?:computers?|servers?|network|"
            r"machines?|laptops?)",
            r"change (?:my|their|his|her) (?:grades|marks|salary|records)",
            r"domain controller|lateral movement|pivot\w* (?:from|to|into)",
            r"without the (?:camera |webcam |indicator )?(?:light|led|indicator) (?:coming on|turning on|on)",
            r"(?:turn|turns|switch|switches) on (?:the |their |her |his |a )?(?:laptop |phone )?(?:camera|"
            r"webcam|microphone|mic) (?:[\w']+ ){0,3}(?:streams?|sends?|records?|without)",
            r"remote control program|remote (?:control|admin) tool that",
            r"(?:grab|steal|log|harvest)s? (?:the )?(?:discord|steam|roblox|session|auth) tokens",
            r"(?:get (?:back )?in(?:to)?|access|control) it (?:later|remotely|from home|whenever)",
            r"(?:swap|replace|change)\w* (?:[\w']+ ){0,2}(?:wallet )?addresses in the clipboard|"
            r"clipboard (?:hijack\w*|swap\w*)",
            r"(?:looks|disguised|pretends?|posing) (?:like|as) (?:a |an )?[\w' ]{1,25} but (?:secretly |"
            r"actually )?(?:uploads|sends|steals|records|collects|installs|mines)",
            r"knock (?:[\w']+ ){0,2}off (?:the |their |my |our )?wi ?fi|deauth\w*",
            r"(?:that|which) (?:when |once |as soon as )?(?:opened|clicked|run|launched|"
            r"plugged in) (?:sends|runs|executes|launches|downloads|installs|uploads|emails)",
            r"spread\w* (?:my |the |this |a |our )?(?:program|script|file|exe|code|payload|virus|"
            r"tool) (?:to|across|through|over|onto)",
            r"bypass\w* (?:the )?(?:login|log in|authentication|auth|paywall|2fa|mfa|captcha|license check|"
            r"two factor(?: authentication)?|2 factor(?: authentication)?|multi factor(?: authentication)?|"
            r"otp)",
            r"(?:sql|command|code) injection",
            r"default (?:router |admin |camera )?passwords",
            r"(?:everyone's|other people's|all (?:the )?users'?|all employees'?) (?:[\w']+ )?(?:browsing |"
            r"chrome |browser |search )?(?:history|emails|messages|passwords|files|screens?|keystrokes)",
            r"fake (?:windows |software |security |browser |flash )?(?:update|installer|antivirus|alert|"
            r"popup|pop up)s?",
            r"(?:my |a )?remote (?:tool|access tool|control tool|admin tool)",
            r"etc shadow|etc passwd|sam hashes|ntds dit",
            rf"{verbs('get', 'steal', 'pull', 'grab')} (?:the )?(?:answers|grades|data|files|records|"
            r"exam) (?:from|off) (?:the )?(?:[\w']+'s) (?:[\w']+ )?(?:server|computer|database|system|"
            r"account|laptop)",
            r"(?:tries|try|trying|guess\w*|cycles? through) (?:every|all|"
            r"each) (?:possible )?(?:\d+ digit )?(?:codes?|pins?|passwords?|combinations?|passcodes?)",
            r"(?:secretly |silently )?mines? (?:crypto|bitcoin|monero|coins) on (?:users|other|their|people|"
            r"victims|visitors)",
            r"(?:guess|try|tries|trying|test)\w* (?:thousands|millions|hundreds|lots|a list|"
            r"a wordlist) of (?:passwords|logins|combinations|pins)",
            r"password spray\w*",
            r"(?:macro|word doc\w*|excel file|pdf|attachment|lnk file|shortcut)s? (?:[\w']+ ){0,4}(?:that|"
            r"which) (?:silently |quietly |secretly )?(?:runs|executes|launches|downloads|installs|drops)",
            r"hidden (?:powershell|cmd|process|download|window|miner)",
            rf"{verbs('send', 'upload', 'forward', 'report', 'email', 'copy')} (?:every|all|"
            rf"each) {gap}(?:[\w']+ )?(?:to my (?:server|email|phone|account|site)|to me)",
            r"(?:copies|replicates|spreads|propagates) itself",
            r"self (?:replicating|propagating|spreading)",
            rf"{verbs('crack')} (?:the |a |their |my |his |her )?(?:[\w']+ )?(?:wpa2?|wep|wi ?fi|password|"
            r"hash(?:es)?|key|pin|login)",
            r"(?:saved|stored|browser) (?:[\w']+ )?passwords",
            rf"{verbs('flood')} (?:the|a|an|their|his|her|my|our|this|that) {gap}(?:with )?(?:traffic|"
            r"requests|packets)",
            rf"{verbs('crash', 'take down', 'knock out', 'knock offline', 'take offline')} (?:the |a |"
            r"their |my |our )?(?:[\w']+ )?(?:site|website|server|network|service)",
            r"(?:turns?|turning|switch\w*) off (?:windows )?(?:defender|antivirus|av|firewall)",
            rf"{verbs('disable', 'kill', 'bypass')} (?:windows )?(?:defender|antivirus|av|edr|amsi|uac)",
        ),
        signal(
            "intrusion",
            2.0,
            rf"{verbs('hack', 'break')} (?:into|in to) {gap}(?:{_ACCOUNT})s?",
            r"(?:see|log|record|capture|know) (?:what|everything) (?:she|he|they|my [\w']+) types?",
            rf"{_LEARN} (?:her|his|their|my [\w']+'s|[\w']+'s) (?:[\w']+ )?(?:password|passcode|pin|login)s?",
            rf"{_LOG_IN} (?:into|in to) (?:her|his|their) (?:[\w']+ )?(?:{_ACCOUNT})s?",
            rf"{_LOG_IN} (?:into|in to) {_SOMEONE_ELSES}(?:[\w']+ )?(?:{_ACCOUNT})s?",
            rf"{verbs('hack')} {gap}(?:{_ACCOUNT})s?",
            rf"{verbs('access', 'get into', 'open', 'unlock', 'control', 'monitor', 'watch')} "
            rf"{_SOMEONE_ELSES}(?:[\w']+ )?(?:{_ACCOUNT})s?",
            rf"(?:{_ACCOUNT}) (?:if|when|but|and) (?:i|we|you|they|he|she) (?:don't|do not|"
            r"doesn't) know (?:the|their|his|her|its) password",
            rf"{verbs('steal', 'grab', 'harvest', 'dump', 'exfiltrate')} {gap}(?:passwords?|credentials|"
            r"cookies|tokens|sessions?|logins?|hashes)",
            rf"{verbs('install', 'put', 'hide', 'plant', 'deploy')} {gap}(?:spyware|stalkerware|keylogger|"
            r"malware|tracker|backdoor) on",
            r"(?:brute force|crack)\w* (?:the |my |a |his |her )?(?:neighbou?r's |neighbou?r )?wi ?fi",
            rf"take\w* over {gap}(?:{_ACCOUNT})s?",
            rf"(?:{_ACCOUNT}|site|app|api)s? (?:that )?(?:i|we) (?:don't|do not) (?:own|control|"
            r"have (?:access|permission))",
        ),
    ),
    ask=(
        signal(
            "operational",
            1.0,
            r"that (?:spreads|emails|sends|steals|encrypts|evades|hides|gives me|disables|reports back|"
            r"uploads|copies|opens|pulls)",
            r"encrypts? (?:all|every)",
            r"ransom notes?|demanding (?:bitcoin|crypto|payment|money)",
            r"working exploit",
            r"persistence",
            r"spreads? (?:over|via|through)",
            r"victim's",
            r"uploads? (?:it |them )?to my",
            r"emails? (?:it|them) to me",
            r"what tools",
            r"one liner",
            r"disabl\w* (?:the )?(?:antivirus|anti virus|av|defender|security)",
            r"(?:use|using) their (?:network|wi ?fi|account)",
        ),
    ),
    benign=(
        signal(
            "security-work",
            1.5,
            r"antivirus tools?",
            r"security awareness",
            r"quarantin\w*",
            r"sandbox\w*",
            r"fail2ban",
            r"firewalls?",
            r"unit tests",
            r"edr products",
            r"endpoint detection",
            r"yara",
            r"sigma rules?",
            r"siem",
            r"(?:has|have|had) been (?:compromised|hacked|infected)",
            r"on my (?:own )?(?:laptop|computer|pc|phone|server|network)",
            r"my own",
            r"(?:authori[sz]ed|permitted) (?:pen ?test\w*|penetration test\w*|engagement)",
            r"patch\w*",
            r"maintenance|migration",
            r"passwords to (?:change|rotate|reset)",
            r"(?:change|rotate|reset|harden)\w* (?:the |our |my |all |every )?(?:default )?(?:passwords|"
            r"credentials)",
            r"my (?:saved |stored |own |browser )*passwords",
            r"cve",
        ),
    ),
)

_DETERMINER = (
    r"(?:all|any|every|your|the|my|our|previous|prior|earlier|above|original|initial|system|"
    r"safety|these|those|"
    r"of|its|that|this|existing|current|old|default|content|built in|hidden|own)"
)

INJECTION = CategoryRules(
    Category.PROMPT_INJECTION,
    harm=(
        signal(
            "override-instructions",
            3.5,
            rf"(?:ignore|disregard|forget|override|bypass)\w* (?:{_DETERMINER} ){{0,4}}(?:instructions?|"
            r"rules|prompts?|guidelines|directives|programming|training|restrictions|content polic(?:y|"
            r"ies)|safety guidelines)",
            r"(?:stop|quit) (?:following|obeying)\w* (?:[\w']+ ){0,3}(?:instructions?|rules|guidelines|"
            r"polic(?:y|ies))",
            r"(?:no longer|not) (?:bound|restricted|limited|constrained) by",
            r"(?:pretend|imagine|act as if|assume) (?:that )?(?:your|the|all) (?:[\w']+ )?(?:guidelines|"
            r"rules|instructions|restrictions|filters|policies) (?:don't|do not|no longer)? ?(?:exist|apply|"
            r"matter)",
            r"(?:output|print|dump|show|reveal)\w* (?:the |your )?raw (?:config|configuration|prompt|"
            r"context)",
            rf"(?:send|post|forward|upload|email|leak)\w* {gap}(?:conversation|chat|history|context|memory|"
            rf"documents?|files|logs) {gap}to (?:https?|www|the url|this url|this address|an external)",
            r"(?:ignore|disregard|forget)\w* (?:what|everything|anything|all) (?:you(?:'ve| have)? (?:were|"
            r"been|was) )?(?:told|given|instructed|taught|said)",
            r"you are now (?:[\w']+ ){0,3}(?:dan|unrestricted|unfiltered|uncensored|jailbroken|free|evil|"
            r"an ai with no)",
            r"do anything now",
            r"developer mode (?:enabled|on|activated)|enable developer mode|enter developer mode",
            r"(?:reveal|print|show|repeat|leak|output|display|tell me|dump|"
            r"share)\w* (?:[\w']+ ){0,2}(?:system prompt|initial prompt|hidden prompts?|your instructions|"
            r"your prompt|hidden (?:configuration|config|instructions|rules)|internal (?:configuration|"
            r"config|instructions|rules))",
            r"(?:output|print|repeat|reveal|show|display|copy)\w* (?:the |all )?(?:text|everything|words|"
            r"content|lines?) (?:above|before) (?:this|here|that)",
            r"verbatim,? starting with",
            rf"pretend {gap}no (?:rules|restrictions|limits|filters|guidelines)",
            r"without (?:any )?(?:filters|restrictions|limits|guidelines|censorship|content filters)",
            r"(?:with )?no (?:content |safety )?filters",
            r"(?:ai|assistant|bot|model|chatbot|you) (?:with|that has|who has|has|have) no (?:restrictions|"
            r"rules|limits|filters|guidelines)",
            r"(?:an )?ai (?:without|with no) (?:any )?(?:restrictions|rules|limits|filters|guidelines)",
            r"\w*(?:bot|ai|gpt)s? (?:will |must |should |can )?never refuses?",
            r"you (?:will |must |should |can )?never refuse",
            r"never refuses? (?:anything|any request|a request|requests)",
            r"(?:as|be|become) (?:your|an?) evil (?:twin|mode|version|ai|assistant)",
            r"(?:act|respond|behave) as (?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken)",
            r"(?:uncensored|unrestricted|unfiltered) (?:model|assistant|ai|mode|version)",
            r"drop your (?:content )?polic(?:y|ies)",
            rf"(?:send|forward|email|post|upload|reveal|share|leak)\w* {gap}(?:api keys?|secrets|"
            r"credentials|tokens|passwords?|customer (?:data|database|records|list)|user (?:data|database|"
            r"records)) (?:to|with)",
            r"(?:reveal|share|leak|give|show|print)\w* (?:me )?(?:your |the |any |all (?:the |"
            r"your )?)(?:[\w']+ )?(?:api keys?|secrets|credentials|tokens|passwords)",
            r"approve every request",
            r"(?:admin|root) password",
            r"(?:previous|prior|earlier|above|your|all|original|initial) (?:rules|instructions|"
            r"guidelines) (?:are|were|is) (?:cancelled|canceled|void|revoked|no longer|suspended|lifted|"
            r"overridden)",
            r"(?:safety|content) (?:policy|policies|filters?|rules|guardrails) (?:is|are|has been|"
            r"have been) (?:suspended|disabled|off|lifted|removed|turned off)",
            rf"{verbs('suspend', 'disable', 'turn off', 'lift', 'remove')} (?:the |your |all )?(?:safety|"
            r"content) (?:policy|policies|filters?|rules|guardrails)",
            r"system override|admin override|override mode|god mode",
            r"(?:answer|respond|listen|report|obey) only (?:to )?me",
            r"contents of your (?:context|memory|prompt)",
            r"(?:assistant|ai|model|agent)s? (?:must|should|will|shall) now",
            r"(?:you|assistants?|ais?|models?) must now (?:reveal|ignore|obey|do|comply|send|print)",
            r"end of (?:user )?(?:data|input|document)",
            r"(?:forget|ignore|disregard) (?:everything|all) (?:above|before|prior|previous|earlier)",
            r"you are (?:a |an )?[\w']+ now",
            r"admin credentials",
            r"your new (?:task|instructions|role|goal) (?:is|are)",
            r"you have been (?:updated|reprogrammed|unlocked|freed|jailbroken)",
            r"exfiltrat\w*",
            r"what (?:were|was|have) you (?:been )?(?:told|instructed|given) (?:in|by) (?:your|"
            r"the) (?:system|developer|initial|hidden)",
            r"must be obeyed",
            r"(?:pretend|act|roleplay)\w* (?:to be |as )?my (?:deceased |dead |late )?grand(?:ma|mother|pa|"
            r"father) who (?:used to )?(?:tell|read|recite|explain)",
            r"decode (?:this|the following|it) and (?:follow|execute|do|obey|run)",
            r"(?:do not|don't|never) (?:mention|reveal|disclose) (?:this|these) (?:note|instructions?|"
            r"message|text|line)",
            r"(?:note|disclaimer|message|instructions?|memo) (?:for|to) (?:any )?(?:ai|llm|automated|"
            r"language model) (?:tools|systems|screeners|models|assistants|agents|readers|reviewers)",
            r"(?:ai|assistant|model|bot|version of you|you) (?:with|that has|who has|without) (?:no |"
            r"any )?(?:ethics|morals|morality|conscience|principles)",
            r"(?:your )?(?:real|true|new|only) (?:owner|master|creator|boss|admin|operator) is me",
            r"(?:print|reveal|show|dump|list|send|leak|output|display)\w* (?:[\w']+ ){0,3}(?:environment "
            r"variables?|env vars?|secret keys?)",
            r"(?:to|for|dear|attention|hey|hi|ps to|p s to) (?:any|the|all|every) (?:ai|assistant|model|llm|"
            r"bot|agent)s? (?:reading|summari[sz]ing|processing|that reads|who reads|parsing|handling)",
            r"(?:your )?only (?:goal|purpose|job|task|function) is (?:now )?to (?:obey|serve|follow) me",
            r"no (?:system )?(?:instructions|rules|guidelines) anymore|no longer have (?:any )?(?:rules|"
            r"instructions|guidelines|restrictions)",
            r"obey (?:me|my (?:every|commands|orders))",
            r"(?:ignore|disregard|forget) (?:everything|all of that|all that|all previous|"
            r"the above) and (?:just |only )?(?:say|print|output|reply|respond|write)",
            r"(?:repeat|print|output|show|reveal)\w* (?:[\w']+ ){0,5}(?:your|the) (?:context window|"
            r"system message|preamble|hidden context)",
            r"(?:ai|assistant|model|llm|agent|bot)s? (?:must|should|shall|are to) (?:also |now |"
            r"always )?(?:email|send|forward|post|upload|include|reveal|ignore|mark|approve|delete|execute|"
            r"rank)",
            r"you(?:'re| are) not (?:an? |the )?(?:assistant|ai|chatbot|model) anymore",
            r"(?:you're|you are) (?:now )?(?:a |an |the )?(?:root shell|linux terminal|terminal|shell|"
            r"unix shell)(?! (?:tutor|teacher|expert|guide|instructor|coach|emulator for))",
            r"you(?:'re| are) (?:now )?in (?:maintenance|debug|admin|god|developer|diagnostic|test|"
            r"unrestricted) mode",
            r"(?:list|show|print|reveal|dump) (?:your|all|the) (?:tools|functions|"
            r"plugins) and (?:their )?(?:credentials|keys|secrets|tokens)",
            r"when (?:the|an|any) (?:ai|agent|assistant|model|bot|llm) (?:reads|sees|processes|"
            r"summari[sz]es|opens|parses) (?:this|it)",
            r"end of (?:the )?(?:prompt|system prompt|instructions|context)",
            r"(?:output|print|show|reveal|list|dump)\w* (?:me )?your (?:full |complete |entire )?(?:rules|"
            r"rules list|guidelines|policies|configuration)",
            r"(?:pre ?approved|already approved|whitelisted|exempt(?:ed)?|cleared) by (?:your|"
            r"the) (?:safety|security|trust|moderation|policy) team",
            r"treat (?:every|all|my|each) (?:request|message|prompt)s? (?:from me )?as (?:pre ?approved|"
            r"safe|authori[sz]ed|exempt|trusted)",
            r"(?:the )?(?:ai|assistant|model|llm|agent|bot) (?:reading|processing|summari[sz]ing|parsing|"
            r"handling) (?:this|it|these) (?:[\w']+ )?(?:must|should|will|shall|has to)",
            r"zero (?:restrictions|rules|limits|filters|guardrails)",
            r"you (?:may|can) now (?:answer|say|do|respond to) anything",
            r"(?:contents?|text) of (?:your|the) (?:initial|original|first|system|setup) (?:setup |"
            r"system )?(?:message|prompt|instructions|setup)",
            r"(?:earlier|previous|original|initial) (?:setup|instructions|prompt) was (?:a |"
            r"just a )?(?:test|joke|mistake)",
        ),
        signal(
            "instruction-markers",
            2.0,
            r"</?(?:system|data|instructions?)>|\[system\]|\[/?inst\]|<\|im_start\|>|^system:|#+ ?system\b",
            r"<!-- ?(?:assistant|ai|system|model|agent|llm|instructions?)\b",
            r"(?:safety|filters?|guardrails?|moderation|censorship)\s*[=:]\s*(?:false|off|0|none|disabled|"
            r"no)\b",
            r"^(?:system|assistant) (?:override|message|note|instruction)",
            folded=True,
        ),
        signal(
            "jailbreak",
            1.0,
            r"jailbreak\w*",
            r"system prompts?",
            r"sudo mode|opposite mode|anti ?gpt|evil confidant",
            r"new (?:instructions|directive|directives|orders|session)",
            r"hidden (?:text|instructions?|prompt)",
            r"pwned",
            r"grant (?:user )?[\w']+ (?:admin|root|owner|superuser)",
            r"(?:from|by) the (?:developer|developers|admin|administrator|system|operator)s?",
            r"(?:authori[sz]ed|approved|signed) by the (?:admin|developer|system)",
            r"skip (?:all|every|the) (?:checks|approvals|validation|verification|review)",
            r"from now on",
            r"from this point on",
            r"(?:your )?(?:developers|creators|openai|anthropic) (?:say|says|said|have said|want|require)",
            r"(?:please )?comply",
            r"acknowledge and continue",
        ),
    ),
    ask=(
        signal(
            "to-the-model",
            1.0,
            r"you (?:must|will|shall|should) (?:now )?(?:reveal|answer|respond|obey|print|output|comply)",
            r"(?:answer|respond|reply) (?:as (?:if|an?|your)|only (?:as|in character|to me)|"
            r"without (?:any )?(?:filters|rules|restrictions|limits|refusing))",
        ),
    ),
    benign=(
        signal(
            "defending-models",
            1.5,
            r"defend\w*",
            r"protect\w*",
            r"detect\w*",
            r"mitigat\w*",
            r"resist\w*",
            r"red team\w*",
            r"research papers?",
            r"explain\w*",
            r"what (?:is|are|does)",
            r"difference between",
            r"summari[sz]\w*",
            r"owasp",
            r"design a system prompt|write a system prompt",
            r"iphone|ipad|ps4|ps5|kindle|nintendo|android",
        ),
    ),
    shared=False,
)

_DATA = (
    r"data|records?|rows?|users?|customers?|backups?|tables?|databases?|files?|disks?|snapshots?|buckets?|"
    r"objects?|versions?|vms?|virtual machines?|instances?|servers?|volumes?|repos?|repositories|logs?|"
    r"clusters?|accounts?|everything|history|commits?|emails?|documents?|mailboxes|archives?|namespaces?|"
    r"ec2 instances?|(?:[\w']+ )?instances? in every region|laptops?|computers?|devices?|machines?|phones?|"
    r"drives?|nas|file servers?|network shares?|storage"
)

_DESTROY = verbs(
    "delete",
    "mass delete",
    "terminate",
    "wipe",
    "erase",
    "destroy",
    "purge",
    "corrupt",
    "nuke",
    "shred",
    "overwrite",
    "zero out",
    "format",
    "brick",
)

DESTRUCTIVE = CategoryRules(
    Category.DESTRUCTIVE_OPERATIONS,
    harm=(
        signal(
            "destroy-data",
            2.0,
            r"rm\s+-(?:rf|fr|r\s+-f)\s+(?:--no-preserve-root\s+)?/(?=\s|$|\*|`|'|\")",
            r"--no-preserve-root",
            r"rm\s+-(?:rf|fr)\s+(?:~|\$home|\*)(?=\s|$|`|'|\")",
            r"del\s+/[sfq]\s+/[sfq]\s+c:|format\s+c:|rd\s+/s\s+/q\s+c:",
            r"mkfs(?:\.\w+)?\s+/dev/sd[a-z]|dd\s+if=/dev/(?:zero|urandom)\s+of=/dev/(?:sd[a-z]|nvme)",
            r":\(\)\s*\{\s*:\|:\s*&\s*\}\s*;\s*:",
            r"drop\s+(?:table|database|schema)",
            r"truncate\s+table",
            r"(?:delete|wipe|erase|destroy|purge)s?\s+(?:all|every|the)\s+(?:\w+\s+){0,2}(?:data|records|"
            r"rows|users|backups?|tables|databases?|files|disks?|snapshots)",
            r"(?:delete|wipe|erase|destroy|purge)s?\s+all\s+records",
            r"wipe\s+(?:the\s+|our\s+|their\s+|every\s+)?(?:\w+\s+)?(?:disks?|databases?|backups?|servers?)",
            r"format\s+(?:every|all|the)\s+(?:\w+\s+)?(?:disks?|drives?)",
            folded=True,
        ),
        signal(
            "drop-words",
            1.0,
            rf"{verbs('drop', 'truncate')} (?:the |all |every |our )?(?:[\w']+ ){{0,2}}(?:tables?|"
            r"databases?|schemas?|collections?)",
            r"(?:set|sets|setting) (?:every|all) (?:[\w']+ ){0,2}(?:balances?|prices?|records?|values?|"
            r"salaries) to (?:zero|0|null|nothing)",
            r"(?:delete|wipe|erase|clear)\w* (?:the |all )?(?:audit )?(?:logs?|trail|evidence|"
            r"history) (?:of it|of this|afterwards|after|so)",
        ),
        signal(
            "destroy-data-words",
            2.0,
            rf"{_DESTROY} (?:all|every|each|the entire|the whole|everything|all of) (?:of )?(?:the |our |"
            rf"their |its )?(?:[\w']+ ){{0,3}}(?:{_DATA})",
            rf"{verbs('corrupt', 'sabotage', 'poison')} (?:the |our |their )?(?:[\w']+ )?(?:database|data|"
            r"backups?|records|tables)",
            rf"{verbs('drop')} (?:the )?(?:database|table|schema) (?:prod|production|live|main)",
            r"(?:in|on|from) (?:prod|production) so (?:nobody|no one) can",
            r"so (?:nobody|no one) can (?:recover|restore|get back|undo) (?:it|them)",
            r"so (?:nobody|no one) can (?:get|bring) (?:it|them) back",
            rf"{_DESTROY} (?:the |our |their |all )?(?:[\w']+ ){{0,2}}(?:prod|production|"
            rf"live)(?:'s)? (?:[\w']+ ){{0,3}}(?:{_DATA}|disks?|drives?|volumes?)",
            r"force ?push\w* (?:[\w']+ ){0,4}(?:in|to|across|over) (?:all|every) (?:of )?(?:our |the |"
            r"their )?repos",
            r"chmod\w* (?:r )?000 (?:everything|all|the whole|the entire)",
            r"(?:fill|fills|filling) (?:up )?(?:every|all|the) (?:[\w']+ )?(?:disks?|drives?|storage|"
            r"memory) (?:[\w']+ ){0,4}(?:until|so) (?:it|they|the server) (?:crash|crashes|dies|fails)",
            r"(?:make|force|let|get) (?:the |our |all )?(?:backups?|backup jobs?|"
            r"snapshots?) (?:[\w']+ ){0,2}(?:silently|quietly|secretly) (?:skip|fail|stop)",
            r"can't be (?:recovered|restored)|cannot be (?:recovered|restored)|unrecoverabl\w*",
            r"no preserve root",
        ),
    ),
    ask=(
        signal(
            "in-production",
            1.0,
            r"prod|production|live",
            r"(?:and|then) (?:removes?|deletes?) itself",
            r"before (?:i|we) (?:quit|leave|get fired)",
            r"before the (?:audit|investigation|inspection|handover)",
            r"quietly|silently|secretly|without (?:[\w']+ ){0,2}(?:knowing|noticing)",
            r"without (?:approval|a backup|backups)",
        ),
    ),
    benign=(
        signal(
            "recovery-or-test",
            1.5,
            r"restor\w*",
            r"recover\w*",
            r"backup retention",
            r"point in time",
            r"test environments?",
            r"staging",
            r"teardown",
            r"sandbox",
            r"local (?:dev )?(?:database|db)",
            r"my (?:own |old )?(?:laptop|phone|computer|pc|drive|disk)",
            r"temp(?:orary)? files",
            r"test (?:accounts?|env\w*|instances?|data|clusters?)|idle|unused|to save (?:money|costs?)",
            r"older than",
            r"lifecycle",
            r"node modules|build artifacts|cache",
            r"safely",
            r"incident",
        ),
    ),
)
