"""The vocabulary the categories share: who a person is, what makes a minor, sexual content and a
protected group (the intent frames and benign contexts every category weighs are in ``frames``).

Patterns are regular expressions over the normalised words of a text (lower case, plain letters,
single spaces); ``gap`` stands for up to three words in between. Verbs and nouns are written as
lemmas and matched in every inflected form (``inflect``).
"""

from __future__ import annotations

from orchestrator.safety.inflect import nouns

gap = r"(?:[\w']+ ){0,3}"
RELATION = (
    r"neighbou?rs?|boss|wife|husband|girlfriend|boyfriend|partner|ex|teacher|co ?workers?|colleagues?|"
    r"classmates?|family|parents?|mother|mom|father|dad|brother|sister|roommate|cousin|stepdad|stepmom|"
    r"son|daughter|friend|landlord|tenant|manager|employee|customer|client|rival"
)
PERSON = (
    r"(?:my |the |a |an |his |her |our |their |this |that |some |these |those |every |all the )?"
    r"(?:[\w']+'s )?(?:sleeping |old |young |annoying )?"
    rf"(?:{RELATION}|president|senator|mayor|politician|someone|somebody|anyone|people|persons?|him|her|them|"
    r"child|baby|crowd|students?|kids?|journalists?|streamer|judge|victims?|guy|man|woman|men|women|"
    r"girl|boy|cop|police officer|officers?|guard|witness|jurors?|guests?|passengers?|strangers?|"
    r"worshippers|shoppers|everyone|everybody|each other|a person)"
)
MINOR = (
    r"child|children|childs|kids?|minors?|underage|under age|pre ?teens?|tweens?|teens?|teenagers?|teenage|"
    r"high school (?:freshman|freshmen|sophomores?|juniors?|students?)|high ?schoolers?|"
    r"(?:they|we)(?:'re| are) (?:1[0-7]|[1-9])(?! \w)|"
    r"(?:she|he)(?:'s| is) (?:1[0-7]|[1-9])(?! \w)|"
    r"young teens?|toddlers?|infants?|"
    r"(?:[1-9]|1[0-7]) ?(?:year|yr)s? olds?|(?:[1-9]|1[0-7]) ?yo|(?:ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|five|six|seven|eight|nine) year old|schoolgirls?|schoolboys?|"
    r"young (?:girl|boy)s?|little (?:girl|boy)s?|"
    r"lolis?|shota|boys|girls|middle school\w*|elementary school\w*|grade schoolers?|high school (?:girl|"
    r"boy)s?|pupils?|"
    r"in (?:[1-9]|1[0-2])(?:th|st|nd|rd) grade|in (?:first|second|third|fourth|fifth|sixth|seventh|eighth) "
    r"grade|"
    r"(?:[1-9]|1[0-2])(?:th|st|nd|rd) graders?|(?:first|second|third|fourth|fifth|sixth|seventh|eighth) "
    r"graders?"
)
SEXUAL = (
    r"sex|sexual\w*|nudes?|naked|nudity|explicit|erotic\w*|porn\w*|nsfw|lewd|hentai|steamy|seduc\w*|"
    r"aroused|arousing|sensual\w*|nudist|naturist|flirt\w*|(?:adult|older|grown) (?:boyfriend|girlfriend|"
    r"man|lover|partner)|"
    r"sexting|"
    r"intercourse|molest\w*|sexy|love scenes?|bikinis?|posing|the younger the "
    r"better|romantic|in bed|in my bed|sleep with|make out|making out|undress\w*|touch(?:es|ing)? (?:her|"
    r"him|them)|"
    r"secret (?:girlfriend|boyfriend|relationship)|"
    r"chat privately|privately chat|get (?:their )?(?:photos|pics)|send (?:me )?(?:photos|pics|pictures)|"
    r"(?:photos|pics|pictures|videos) of (?:herself|himself|themselves)|meet (?:me |up )?(?:in person |"
    r")alone|"
    r"trusts? me enough|without (?:her|his|their) parents|(?:her|his|their) parents (?:aren't|are not|"
    r"aren't) (?:around|home|looking)|sit on my lap|(?:explor|touch)\w* (?:her|his|their) bod(?:y|ies)|"
    r"suggestive|provocative|(?:adult|older) (?:neighbou?r|man|woman|stranger)|special relationship|"
    r"our (?:little )?secret|keep (?:it|this|their|our|a) [\w' ]{0,25}secret from (?:their|her|his) "
    r"(?:parents|"
    r"mom|dad|mother|father|family)|how hot (?:she|he|my)|(?:she|he)(?:'s| is) (?:so |really )?(?:hot|sexy)|"
    r"message (?:them|her|him|kids|children) privately|adults can (?:message|chat|talk)|goes? further|"
    r"(?:romantic|sexual) (?:relationship|tension)|(?:parents|mom|dad) (?:are|is) (?:at work|away|out|not "
    r"home|asleep)|attractive to (?:men|adults|me)|i like them (?:young|around|under|at)"
)
_NATIONS = nouns(
    "pakistani",
    "indian",
    "arab",
    "african",
    "nigerian",
    "somali",
    "syrian",
    "afghan",
    "iranian",
    "iraqi",
    "turk",
    "pole",
    "romanian",
    "russian",
    "ukrainian",
    "mexican",
    "latino",
    "latina",
    "hispanic",
    "haitian",
    "jamaican",
    "asian",
    "filipino",
    "vietnamese",
    "korean",
    "japanese",
    "palestinian",
    "israeli",
    "gypsy",
    "hindu",
    "sikh",
    "buddhist",
    "atheist",
    "catholic",
    "christian",
    "muslim",
    "jew",
    "immigrant",
    "refugee",
    "migrant",
    "foreigner",
    "gay",
    "lesbian",
    "bisexual",
)
GROUP = (
    rf"{_NATIONS}|blacks|whites|jewish people|black people|white people|brown people|chinese people|irish "
    r"people|"
    r"polish people|roma|the roma|travellers|indigenous people|native americans|aboriginals?|"
    r"black (?:players|kids|students|men|women|guys|folks|neighbou?rs|families|americans)|"
    r"trans (?:people|women|men|folks?|kids)|trans|transgender (?:people|women|men)?|queer (?:people)?|"
    r"lgbt\w*|women|disabled|autistic|deaf|fat people|old people|the elderly|"
    r"asylum seekers"
)
