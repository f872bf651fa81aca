"""The demo document's text: two drafts of a Swedish guidance on open licences, as data.

Pure data for the seeding code: no database, no Flask. Block texts are stored rich
text (see :mod:`app.richtext`), already in canonical form, so seeding can
write them as they are. Each block has a short stable key that the seeding code
maps to a block uid; a key keeps its uid from one draft to the next.
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class DemoBlock(NamedTuple):
    """One block of a demo draft: stable key, kind, level and rich text."""

    key: str
    kind: str
    level: int
    text: str


class DemoComment(NamedTuple):
    """A network member's comment on a block of the first draft.

    ``quote`` is an exact span of the block's plain text, what the member pointed at;
    ``suggestion`` is the whole paragraph as the member proposes it (rich text), whether or
    not there is a quote.
    """

    block_key: str
    author_email: str
    kind: str
    body: str
    suggestion: str | None
    quote: str | None


class DemoDecision(NamedTuple):
    """The editors' decision on a demo comment, taken before the second draft was published.

    ``status`` is a CommentStatus value (``withdrawn``: the author withdrew it);
    ``duplicate_of`` the index in :data:`DEMO_COMMENTS` of the comment it repeats.
    """

    status: str
    response: str
    duplicate_of: int | None = None


class DemoVersion(TypedDict):
    """One published draft: label, change summary, date (ISO) and blocks."""

    label: str
    summary: str
    published: str
    blocks: list[DemoBlock]


TITLE = "Vägledning om öppna licenser och immaterialrätt för myndigheter"
SLUG = "oppna-licenser"
DESCRIPTION = (
    "En gemensam vägledning från PRV och DIGG om hur myndigheter kan publicera text, data "
    "och programvara under öppna licenser, och om hur licenserna förhåller sig till "
    "upphovsrätten och offentlighetsprincipen."
)
LICENCE = "CC-BY-4.0"

_CC_BY = "https://creativecommons.org/licenses/by/4.0/deed.sv"
_CC0 = "https://creativecommons.org/publicdomain/zero/1.0/deed.sv"
_EUPL = "https://interoperable-europe.ec.europa.eu/collection/eupl"
_PORTAL = "https://www.dataportal.se/"


def _a(href: str, text: str) -> str:
    return f'<a href="{href}">{text}</a>'


_H, _P, _B, _N, _Q, _T = "heading", "paragraph", "bullet", "number", "quote", "table"

VERSION_1: list[DemoBlock] = [
    DemoBlock(
        "about-h",
        _H,
        1,
        "Om vägledningen",
    ),
    DemoBlock(
        "about-purpose",
        _P,
        1,
        "Den här vägledningen riktar sig till statliga myndigheter, regioner och kommuner som "
        "vill göra sitt material tillgängligt för andra att använda. Den förklarar hur öppna "
        "licenser fungerar, vilka licenser vi rekommenderar för olika slags material och hur "
        "licensieringen förhåller sig till upphovsrätten och offentlighetsprincipen.",
    ),
    DemoBlock(
        "about-authors",
        _P,
        1,
        "Vägledningen har tagits fram gemensamt av Patent- och registreringsverket (PRV) och "
        "Myndigheten för digital förvaltning (DIGG). Den är inte bindande och ersätter inte en "
        "juridisk bedömning i det enskilda fallet, men den beskriver vad vi anser vara god "
        "praxis.",
    ),
    DemoBlock(
        "about-licence",
        _P,
        1,
        "Texten i vägledningen får användas fritt enligt "
        + _a(_CC_BY, "Creative Commons Erkännande 4.0 (CC BY 4.0)")
        + ".",
    ),
    # --- 1. Varför öppna licenser -------------------------------------------------
    DemoBlock(
        "why-h",
        _H,
        1,
        "Varför öppna licenser?",
    ),
    DemoBlock(
        "why-intro",
        _P,
        1,
        "Myndigheter tar fram stora mängder information: rapporter, statistik, geodata, "
        "register, bilder och programvara. Mycket av detta har ett värde långt utöver det "
        "ändamål som det togs fram för. När andra myndigheter, företag, forskare och enskilda "
        "kan använda materialet fritt kan det ge nya tjänster, bättre beslutsunderlag och en "
        "effektivare förvaltning.",
    ),
    DemoBlock(
        "why-problem",
        _P,
        1,
        "Att material finns publicerat på en webbplats betyder inte att det får användas "
        "fritt. Upphovsrätten uppstår automatiskt, och utan uttryckliga villkor vet en "
        "användare inte vad som är tillåtet. En öppen licens ger på förhand ett tillstånd som "
        "gäller alla, på samma villkor, utan att någon behöver fråga.",
    ),
    DemoBlock(
        "why-def",
        _P,
        1,
        "Med <em>öppen licens</em> menar vi i den här vägledningen en standardiserad licens "
        "som tillåter att materialet används, bearbetas och sprids vidare av vem som helst och "
        "för alla ändamål, även kommersiella. Licensen får som mest kräva att upphovet anges "
        "och att bearbetningar delas på samma villkor.",
    ),
    DemoBlock(
        "why-law-h",
        _H,
        2,
        "Öppna data-direktivet och öppna data-lagen",
    ),
    DemoBlock(
        "why-directive",
        _P,
        1,
        "Europaparlamentets och rådets direktiv (EU) 2019/1024 om öppna data och "
        "vidareutnyttjande av information från den offentliga sektorn, det så kallade öppna "
        "data-direktivet, syftar till att information från den offentliga sektorn ska kunna "
        "vidareutnyttjas så fritt som möjligt. Villkor för vidareutnyttjande ska vara "
        "objektiva, proportionerliga och icke-diskriminerande, och medlemsstaterna ska "
        "uppmuntra offentliga organ att använda standardlicenser.",
    ),
    DemoBlock(
        "why-sfs",
        _P,
        1,
        "I Sverige gäller i dag lagen (2010:566) om vidareutnyttjande av handlingar från den "
        "offentliga förvaltningen, den så kallade PSI-lagen. Direktivet ska vara genomfört i "
        "svensk rätt senast den 17 juli 2021. Lagen reglerar bland annat format, avgifter och "
        "villkor när en myndighet gör handlingar tillgängliga för vidareutnyttjande.",
    ),
    DemoBlock(
        "why-sfs-scope",
        _P,
        1,
        "Lagen ger i sig ingen rätt att ta del av handlingar. Den gäller inte heller data som "
        "tredje man har rättigheter till enligt upphovsrättslagen. Men när en myndighet gör "
        "data tillgängliga för vidareutnyttjande får villkor bara ställas om det är motiverat "
        "av ett allmänintresse, och villkoren får inte i onödan inskränka möjligheterna att "
        "vidareutnyttja data. En öppen standardlicens är det enklaste sättet att uppfylla "
        "kraven.",
    ),
    DemoBlock(
        "why-benefits",
        _P,
        1,
        "Öppna licenser ger fördelar för både den som publicerar och den som använder materialet:",
    ),
    DemoBlock(
        "why-b-clarity",
        _B,
        1,
        "<strong>Tydlighet:</strong> användaren ser direkt vad som är tillåtet och behöver "
        "inte kontakta myndigheten.",
    ),
    DemoBlock(
        "why-b-cost",
        _B,
        1,
        "<strong>Lägre kostnader:</strong> myndigheten slipper besvara förfrågningar och "
        "skriva egna avtal för varje användning.",
    ),
    DemoBlock(
        "why-b-combine",
        _B,
        1,
        "<strong>Kombinerbarhet:</strong> material under samma eller förenliga licenser kan "
        "sättas samman med annat material, även från andra länder.",
    ),
    DemoBlock(
        "why-b-equal",
        _B,
        1,
        "<strong>Likabehandling:</strong> samma villkor för alla gör det lätt att visa att "
        "ingen användare gynnas.",
    ),
    # --- 2. Text och data -----------------------------------------------------------
    DemoBlock(
        "cc-h",
        _H,
        1,
        "Text och data: CC BY 4.0 och CC0",
    ),
    DemoBlock(
        "cc-intro",
        _P,
        1,
        "Creative Commons är en ideell organisation som tillhandahåller standardiserade "
        "licenser för upphovsrättsligt skyddat material. Licenserna används över hela världen "
        "och har sammanfattningar på svenska. Vi rekommenderar två av dem för myndigheters "
        "texter och data.",
    ),
    DemoBlock(
        "cc-by-h",
        _H,
        2,
        "CC BY 4.0 för texter, bilder och rapporter",
    ),
    DemoBlock(
        "cc-by-what",
        _P,
        1,
        _a(_CC_BY, "CC BY 4.0")
        + " (Erkännande 4.0 Internationell) tillåter vem som helst att kopiera, sprida, "
        "bearbeta och bygga vidare på materialet för alla ändamål, även kommersiella. Det enda "
        "kravet är att användaren ger ett korrekt <strong>erkännande</strong>: anger "
        "upphovsman eller rättighetshavare, hänvisar till licensen och talar om ifall "
        "materialet har ändrats.",
    ),
    DemoBlock(
        "cc-by-fit",
        _P,
        1,
        "Licensen passar för rapporter, vägledningar, webbtexter, presentationer, "
        "illustrationer och fotografier som myndigheten har rättigheterna till. Kravet på "
        "erkännande gör att källan följer med materialet, vilket är viktigt för texter där "
        "läsaren behöver kunna bedöma vem som står bakom innehållet.",
    ),
    DemoBlock(
        "cc-by-endorse",
        _P,
        1,
        "Erkännandet får inte utformas så att det ger intryck av att myndigheten står bakom "
        "användaren eller godkänner bearbetningen. Det följer av licensvillkoren och behöver "
        "inte skrivas in särskilt.",
    ),
    DemoBlock(
        "cc0-h",
        _H,
        2,
        "CC0 för data och metadata",
    ),
    DemoBlock(
        "cc0-what",
        _P,
        1,
        _a(_CC0, "CC0 1.0")
        + " är inte en licens i vanlig mening utan ett avstående: rättighetshavaren avstår så "
        "långt lagen tillåter från sin upphovsrätt och sina närstående rättigheter, också "
        "databasrätten. Där ett fullständigt avstående inte är möjligt gäller CC0 i stället "
        "som en licens utan villkor.",
    ),
    DemoBlock(
        "cc0-why",
        _P,
        1,
        "Vi rekommenderar CC0 för data och metadata. Enskilda uppgifter är sällan skyddade i "
        "sig, och ett krav på erkännande blir svårt att uppfylla när en tjänst hämtar data från "
        "hundratals källor. CC0 gör det möjligt att kombinera datamängder fritt och ger "
        "användaren full klarhet. Metadata som beskriver datamängder, till exempel på "
        "dataportal.se, bör alltid vara fria att använda.",
    ),
    DemoBlock(
        "cc0-moral",
        _P,
        1,
        "Den ideella rätten, alltså upphovsmannens rätt att bli namngiven och att inte få "
        "verket ändrat eller använt på ett kränkande sätt, kan enligt svensk rätt bara "
        "efterges i begränsad omfattning. CC0 påverkar den därför inte fullt ut. För data har "
        "det i regel ingen praktisk betydelse.",
    ),
    DemoBlock(
        "cc-pdm",
        _P,
        1,
        "För material som helt saknar skydd, till exempel för att skyddstiden har löpt ut, kan "
        "myndigheten i stället använda märkningen <em>Public Domain Mark</em>. Den är ingen "
        "licens utan en upplysning om att materialet är fritt.",
    ),
    DemoBlock(
        "cc-nc-h",
        _H,
        2,
        "Undvik villkoren NC och ND",
    ),
    DemoBlock(
        "cc-nc",
        _P,
        1,
        "Creative Commons erbjuder också licenser med villkoren <em>IckeKommersiell</em> (NC) "
        "och <em>IngaBearbetningar</em> (ND). De ska inte användas för myndigheters material. "
        "NC utestänger företag och gör gränsen för tillåten användning oklar, eftersom det inte "
        "är givet vad som räknas som kommersiellt. ND hindrar översättningar, anpassningar för "
        "tillgänglighet och sammanställningar med annat material. Båda villkoren är svåra att "
        "förena med kravet på icke-diskriminerande villkor, och material med dem uppfyller "
        "inte vedertagna definitioner av öppna data.",
    ),
    DemoBlock(
        "cc-sa",
        _P,
        1,
        "Villkoret <em>DelaLika</em> (SA) kräver att bearbetningar licensieras på samma "
        "villkor. Det ger en öppen licens, men villkoret gör materialet svårare att kombinera "
        "med annat och bör därför bara väljas när det finns ett särskilt skäl.",
    ),
    DemoBlock(
        "cc-irrevocable",
        _P,
        1,
        "Observera att Creative Commons-licenserna <strong>inte går att återkalla</strong>. "
        "Den som har fått materialet under licensen får fortsätta använda det på de villkoren, "
        "även om myndigheten senare slutar tillhandahålla det eller byter licens. Beslutet om "
        "licens ska därför fattas med omsorg, och myndigheten måste vara säker på att den har "
        "rätt att licensiera materialet.",
    ),
    # --- 3. Programvara -------------------------------------------------------------
    DemoBlock(
        "sw-h",
        _H,
        1,
        "Licenser för programvara",
    ),
    DemoBlock(
        "sw-intro",
        _P,
        1,
        "Programvara som myndigheten har utvecklat eller låtit utveckla kan delas som öppen "
        "källkod. Då kan andra offentliga aktörer återanvända lösningen, leverantörer bidra "
        "med förbättringar och allmänheten granska hur systemet fungerar. Creative "
        "Commons-licenserna är inte gjorda för programvara, och Creative Commons avråder själva "
        "från det. Välj i stället en etablerad licens för öppen källkod.",
    ),
    DemoBlock(
        "sw-eupl-h",
        _H,
        2,
        "EUPL 1.2",
    ),
    DemoBlock(
        "sw-eupl",
        _P,
        1,
        _a(_EUPL, "European Union Public Licence (EUPL)")
        + " har tagits fram av Europeiska kommissionen. Version 1.2 finns på EU:s officiella "
        "språk, däribland svenska, och alla språkversioner har samma giltighet. Licensen är "
        "skriven med europeisk rätt i åtanke, vilket gör den till ett naturligt val för "
        "offentlig förvaltning.",
    ),
    DemoBlock(
        "sw-eupl-copyleft",
        _P,
        1,
        "EUPL är en så kallad <em>copyleft</em>-licens. Den som sprider programmet eller en "
        "bearbetning av det måste göra källkoden tillgänglig under samma villkor. Som spridning "
        "räknas även att ge andra tillgång till programmets väsentliga funktioner över nätet, "
        "vilket hindrar att en öppen lösning byggs in i en stängd tjänst.",
    ),
    DemoBlock(
        "sw-eupl-compat",
        _P,
        1,
        "Licensen innehåller en förteckning över förenliga licenser, bland annat GPL version 2 "
        "och 3, AGPL version 3, LGPL, MPL 2.0 och EPL 1.0. Den som kombinerar kod under EUPL "
        "med kod under en förenlig licens får sprida det kombinerade verket under den förenliga "
        "licensen. Det gör EUPL lättare att använda tillsammans med befintliga projekt.",
    ),
    DemoBlock(
        "sw-permissive-h",
        _H,
        2,
        "Tillåtande licenser: MIT och Apache 2.0",
    ),
    DemoBlock(
        "sw-permissive",
        _P,
        1,
        "Tillåtande licenser som MIT och Apache 2.0 ställer få krav. Licens- och "
        "upphovsrättstexten ska följa med koden, men bearbetningar får spridas under andra "
        "villkor, även som sluten programvara. De passar för bibliotek, komponenter och "
        "exempelkod där största möjliga spridning är viktigare än att bearbetningar förblir "
        "öppna.",
    ),
    DemoBlock(
        "sw-apache",
        _P,
        1,
        "Apache 2.0 innehåller dessutom en uttrycklig patentlicens från dem som bidrar till "
        "koden och kräver att ändrade filer märks. Om myndigheten eller en leverantör kan ha "
        "patent som rör programvaran är det ett skäl att välja Apache 2.0 framför MIT.",
    ),
    DemoBlock(
        "sw-deps",
        _P,
        1,
        "Kontrollera alltid licenserna för de komponenter som programmet bygger på. Den "
        "samlade programvaran måste kunna spridas under den licens som myndigheten väljer.",
    ),
    DemoBlock(
        "sw-table-intro",
        _P,
        1,
        "Tabellen sammanfattar de licenser som vägledningen rekommenderar.",
    ),
    DemoBlock(
        "sw-table",
        _T,
        1,
        "\n".join(
            "\t".join(row)
            for row in [
                ["Licens", "Passar för", "Krav"],
                [
                    _a(_CC0, "CC0 1.0"),
                    "Data, metadata och enkla sammanställningar",
                    "Inga",
                ],
                [
                    _a(_CC_BY, "CC BY 4.0"),
                    "Rapporter, vägledningar, webbtexter och bilder",
                    "Erkännande: upphov, källa, licens och eventuella ändringar",
                ],
                [
                    _a(_EUPL, "EUPL 1.2"),
                    "Programvara som ska förbli öppen",
                    "Källkoden till spridda bearbetningar ska vara tillgänglig under EUPL "
                    "eller en förenlig licens",
                ],
                [
                    "MIT, Apache 2.0",
                    "Bibliotek, komponenter och exempelkod",
                    "Licens- och upphovsrättstexten ska följa med koden",
                ],
            ]
        ),
    ),
    # --- 4. Myndighetens rättigheter ------------------------------------------------
    DemoBlock(
        "rights-h",
        _H,
        1,
        "Vad har myndigheten rättigheter till?",
    ),
    DemoBlock(
        "rights-intro",
        _P,
        1,
        "En myndighet kan bara licensiera material som den själv har rättigheterna till. "
        "Innan materialet märks med en öppen licens behöver myndigheten därför veta om det är "
        "skyddat och i så fall vem som har rättigheterna.",
    ),
    DemoBlock(
        "rights-url-h",
        _H,
        2,
        "Upphovsrätt",
    ),
    DemoBlock(
        "rights-url",
        _P,
        1,
        "Enligt lagen (1960:729) om upphovsrätt till litterära och konstnärliga verk "
        "(upphovsrättslagen) har den som skapar ett litterärt eller konstnärligt verk "
        "upphovsrätt till det. Skyddet uppstår automatiskt, utan registrering, och gäller i "
        "regel till 70 år efter upphovsmannens död. Till litterära verk räknas även "
        "beskrivande framställningar i skrift, datorprogram och kartor, om de är resultatet av "
        "upphovsmannens egna fria och kreativa val.",
    ),
    DemoBlock(
        "rights-9",
        _P,
        1,
        "Vissa texter är helt undantagna från upphovsrätt. I 9 § upphovsrättslagen står:",
    ),
    DemoBlock(
        "rights-9-quote",
        _Q,
        1,
        "Upphovsrätt gäller inte till 1. författningar, 2. beslut av myndigheter, 3. yttranden "
        "av svenska myndigheter och 4. officiella översättningar av sådant som avses i 1–3.",
    ),
    DemoBlock(
        "rights-9-scope",
        _P,
        1,
        "Undantaget gäller inte kartor, bildkonst, musikaliska verk eller diktverk som ingår i "
        "sådana texter. Det omfattar inte heller det mesta av det som myndigheter i övrigt "
        "publicerar, till exempel rapporter, vägledningar, webbtexter, fotografier och "
        "programvara. Sådant material är skyddat på vanligt sätt och kan licensieras.",
    ),
    DemoBlock(
        "rights-26a",
        _P,
        1,
        "Upphovsrättslagen ger också var och en rätt att återge vissa allmänna handlingar som "
        "har upprättats hos en myndighet (26 a §). Den rätten har många undantag, bland annat "
        "för datorprogram, kartor, bildkonst och verk som har skapats för undervisning eller "
        "forskning, och den är svår för en användare att tillämpa. En öppen licens ger ett "
        "tydligare besked.",
    ),
    DemoBlock(
        "rights-employee-h",
        _H,
        2,
        "Verk som skapas av anställda",
    ),
    DemoBlock(
        "rights-employee",
        _P,
        1,
        "Upphovsrätten uppstår hos den fysiska person som skapar verket, även när det sker i "
        "tjänsten. Upphovsrättslagen saknar en allmän regel om anställdas verk, men enligt en "
        "i praxis etablerad presumtion övergår upphovsrätten till arbetsgivaren i den "
        "utsträckning som behövs för arbetsgivarens normala verksamhet. Hur långt övergången "
        "sträcker sig beror på anställningen och på vad som har avtalats.",
    ),
    DemoBlock(
        "rights-40a",
        _P,
        1,
        "För datorprogram finns en uttrycklig regel i 40 a § upphovsrättslagen. Om en "
        "arbetstagare skapar ett datorprogram som ett led i sina arbetsuppgifter eller efter "
        "instruktioner från arbetsgivaren, övergår upphovsrätten till programmet till "
        "arbetsgivaren, om inte något annat har avtalats.",
    ),
    DemoBlock(
        "rights-employee-advice",
        _P,
        1,
        "Eftersom presumtionen är oskarp för andra verk än datorprogram bör myndigheten "
        "klargöra, i anställningsavtal eller interna riktlinjer, att material som tas fram i "
        "tjänsten får publiceras under öppen licens. Den ideella rätten stannar hos "
        "upphovsmannen, men den hindrar inte en öppen licensiering.",
    ),
    DemoBlock(
        "rights-db-h",
        _H,
        2,
        "Databaser och katalogskyddet",
    ),
    DemoBlock(
        "rights-db",
        _P,
        1,
        "Även när enskilda uppgifter saknar skydd kan en sammanställning av dem vara skyddad. "
        "Enligt 49 § upphovsrättslagen har den som har framställt en katalog, en tabell eller "
        "ett annat liknande arbete, där ett stort antal uppgifter har sammanställts eller som "
        "är resultatet av en väsentlig investering, ensamrätt att framställa exemplar av "
        "arbetet och göra det tillgängligt för allmänheten. Skyddet gäller i 15 år, räknat "
        "från utgången av det år då arbetet framställdes eller gjordes tillgängligt.",
    ),
    DemoBlock(
        "rights-db-public",
        _P,
        1,
        "Många register och datamängder hos myndigheter omfattas av katalogskyddet. Enligt "
        "öppna data-direktivet får offentliga organ inte använda databasrätten för att hindra "
        "eller begränsa vidareutnyttjande. Både CC0 och CC BY 4.0 omfattar databasrätten och "
        "passar därför även för skyddade sammanställningar.",
    ),
    DemoBlock(
        "rights-tf-h",
        _H,
        2,
        "Offentlighetsprincipen är inte en licens",
    ),
    DemoBlock(
        "rights-tf",
        _P,
        1,
        "Enligt 2 kap. tryckfrihetsförordningen har var och en rätt att ta del av allmänna "
        "handlingar. Rätten gäller även handlingar som är skyddade av upphovsrätt, men den ger "
        "ingen rätt att kopiera, publicera eller på annat sätt använda verket vidare. Att en "
        "handling är allmän säger alltså ingenting om hur den får vidareutnyttjas.",
    ),
    DemoBlock(
        "rights-tf-third",
        _P,
        1,
        "En handling kan vara allmän och samtidigt skyddad av upphovsrätt som någon annan "
        "innehar, till exempel en konsultrapport, ett fotografi eller en karta som har kommit "
        "in till myndigheten. Myndigheten lämnar ut sådant material på begäran, om inte "
        "sekretess hindrar det, men den kan inte licensiera det utan rättighetshavarens "
        "tillstånd.",
    ),
    # --- 5. Upphandling och avtal ---------------------------------------------------
    DemoBlock(
        "proc-h",
        _H,
        1,
        "Upphandling och avtal",
    ),
    DemoBlock(
        "proc-intro",
        _P,
        1,
        "Mycket av det material som myndigheter publicerar tas fram av konsulter, byråer och "
        "andra leverantörer. Uppdragstagare är inte anställda, och presumtionen om anställdas "
        "verk gäller inte dem. Utan ett avtal som säger något annat behåller uppdragstagaren "
        "upphovsrätten, och myndigheten får bara använda materialet på det sätt som uppdraget "
        "förutsätter.",
    ),
    DemoBlock(
        "proc-clause",
        _P,
        1,
        "Ställ därför krav redan i upphandlingen. Upphandlingsdokumenten och avtalet bör ange "
        "att myndigheten får de rättigheter som behövs för att publicera resultatet under den "
        "öppna licens som myndigheten väljer, eller att leverantören själv licensierar "
        "leveransen under den licensen.",
    ),
    DemoBlock(
        "proc-list-intro",
        _P,
        1,
        "Avtalet bör särskilt reglera följande:",
    ),
    DemoBlock(
        "proc-n-rights",
        _N,
        1,
        "Vilka rättigheter myndigheten får till resultatet, däribland rätten att ändra det och att "
        "upplåta rätt till andra.",
    ),
    DemoBlock(
        "proc-n-licence",
        _N,
        1,
        "Vilken öppen licens resultatet ska kunna publiceras under.",
    ),
    DemoBlock(
        "proc-n-source",
        _N,
        1,
        "För programvara: att källkoden levereras och att den får publiceras som öppen källkod.",
    ),
    DemoBlock(
        "proc-n-third",
        _N,
        1,
        "Vilket material från tredje part som ingår och på vilka villkor, och att leverantören "
        "redovisar det.",
    ),
    DemoBlock(
        "proc-third",
        _P,
        1,
        "Var särskilt uppmärksam på fotografier, illustrationer, kartor och typsnitt. Ett "
        "fotografi är skyddat som fotografisk bild i 50 år även när det inte når upp till "
        "verkshöjd. Bildbyråers och kartleverantörers villkor tillåter sällan att materialet "
        "sprids vidare under en öppen licens. Sådant material bör märkas med sina egna villkor "
        "och uttryckligen undantas från myndighetens licens.",
    ),
    DemoBlock(
        "proc-framework",
        _P,
        1,
        "Vid avrop från ramavtal, till exempel de statliga ramavtal som Kammarkollegiet "
        "förvaltar, gäller ramavtalets villkor om rättigheter till resultat. Läs dem noga och "
        "komplettera i avropet där ramavtalet tillåter det.",
    ),
    # --- 6. Praktiska steg ----------------------------------------------------------
    DemoBlock(
        "steps-h",
        _H,
        1,
        "Praktiska steg",
    ),
    DemoBlock(
        "steps-intro",
        _P,
        1,
        "Så här kan en myndighet gå till väga för att börja publicera material under öppna licenser.",
    ),
    DemoBlock(
        "steps-inventory-h",
        _H,
        2,
        "Inventera och besluta",
    ),
    DemoBlock(
        "steps-inventory",
        _P,
        1,
        "Börja med att inventera vilket material myndigheten publicerar eller skulle kunna "
        "publicera: texter, bilder, datamängder och programvara. Ta för varje slag av material "
        "reda på om det är skyddat, vem som har rättigheterna och om material från tredje part "
        "ingår.",
    ),
    DemoBlock(
        "steps-decision",
        _P,
        1,
        "Besluta sedan vilka licenser myndigheten ska använda, gärna i en riktlinje som gäller "
        "för hela myndigheten. Riktlinjen bör ange vem som ansvarar för licensfrågor och hur "
        "undantag hanteras.",
    ),
    DemoBlock(
        "steps-mark-h",
        _H,
        2,
        "Märk materialet",
    ),
    DemoBlock(
        "steps-mark",
        _P,
        1,
        "Allt publicerat material ska tydligt ange vilken licens det har. Skriv ut licensens "
        "namn och version och länka till licenstexten, till exempel i sidfoten på en webbsida, "
        "på baksidan av titelbladet i en rapport eller i en fil med namnet LICENSE i ett "
        "källkodsförråd.",
    ),
    DemoBlock(
        "steps-meta",
        _P,
        1,
        "För datamängder ska licensen också anges i maskinläsbara metadata, så att den följer "
        "med när data hämtas och sammanställs automatiskt. Använd licensens webbadress som "
        "identifierare i stället för fritext.",
    ),
    DemoBlock(
        "steps-attr-h",
        _H,
        3,
        "Exempel på källhänvisning",
    ),
    DemoBlock(
        "steps-attr",
        _P,
        1,
        "Ange också hur myndigheten vill att källhänvisningen ska se ut. Ett exempel för "
        "material under CC BY 4.0: <em>Källa: Patent- och registreringsverket, licens CC BY "
        "4.0.</em>",
    ),
    DemoBlock(
        "steps-publish-h",
        _H,
        2,
        "Publicera och följ upp",
    ),
    DemoBlock(
        "steps-portal",
        _P,
        1,
        "Beskriv myndighetens datamängder på "
        + _a(_PORTAL, "Sveriges dataportal")
        + ", där andra kan hitta dem. Portalen kan hämta metadata direkt från myndighetens "
        "egen webbplats, så att beskrivningarna bara behöver underhållas på ett ställe.",
    ),
    DemoBlock(
        "steps-contact",
        _P,
        1,
        "Utse en kontaktpunkt, till exempel en funktionsbrevlåda, dit användare kan vända sig "
        "med frågor om licenser och om materialets innehåll. Ange kontaktpunkten i metadata "
        "och på webbplatsen.",
    ),
]

# The second draft, after the network's comments on the first: edited paragraphs keep
# their keys, new paragraphs get new keys, one paragraph goes and one moves.
_V2_EDITS: dict[str, str] = {
    "why-sfs-scope": (
        "Lagen ger i sig ingen rätt att ta del av handlingar; den rätten följer av "
        "tryckfrihetsförordningen. Lagen gäller inte heller data som tredje man har "
        "rättigheter till enligt upphovsrättslagen. Men när en myndighet gör data tillgängliga "
        "för vidareutnyttjande får villkor bara ställas om det är motiverat av ett "
        "allmänintresse, och villkoren får inte i onödan inskränka möjligheterna att "
        "vidareutnyttja data. En öppen standardlicens är ett enkelt sätt att uppfylla kraven."
    ),
    "cc0-why": (
        "Vi rekommenderar CC0 för data och metadata. Enskilda uppgifter är sällan skyddade i "
        "sig, och ett krav på erkännande blir svårt att uppfylla när en tjänst hämtar data från "
        "hundratals källor. CC0 gör det möjligt att kombinera datamängder fritt och ger "
        "användaren full klarhet. Metadata som beskriver datamängder, till exempel på "
        "dataportal.se, bör märkas med CC0 även när själva datamängden har en annan licens."
    ),
    "rights-employee": (
        "Upphovsrätten uppstår hos den fysiska person som skapar verket, även när det sker i "
        "tjänsten. Upphovsrättslagen saknar en allmän regel om anställdas verk, men enligt en "
        "presumtion som har vuxit fram i rättspraxis och doktrin övergår upphovsrätten till "
        "arbetsgivaren i den utsträckning som behövs för arbetsgivarens normala verksamhet. "
        "Hur långt övergången sträcker sig beror på anställningen och på vad som har avtalats."
    ),
    "steps-attr": (
        "Ange också hur myndigheten vill att källhänvisningen ska se ut, gärna med titel, "
        "upphov, källa och licens. Ett exempel för material under CC BY 4.0: <em>Källa: "
        "Vägledning om öppna licenser, PRV och DIGG, licens CC BY 4.0.</em>"
    ),
}
_V2_REMOVED = "cc-sa"
# (key, key of the block it now follows)
_V2_MOVED = ("cc-irrevocable", "cc-intro")
_V2_NEW: list[tuple[str, DemoBlock]] = [
    (
        "cc-by-endorse",
        DemoBlock(
            "cc-trademark",
            _P,
            1,
            "Licenserna omfattar inte heller varumärken eller andra kännetecken. Att en rapport "
            "är licensierad under CC BY 4.0 ger alltså ingen rätt att använda myndighetens namn "
            "eller logotyp som kännetecken för den egna verksamheten.",
        ),
    ),
    (
        "steps-contact",
        DemoBlock(
            "steps-review",
            _P,
            1,
            "Följ upp licensbeslutet regelbundet, till exempel i samband med att riktlinjen ses "
            "över. Notera vilka frågor användarna ställer; de visar ofta var märkningen behöver "
            "bli tydligare.",
        ),
    ),
]


def _next_draft(blocks: list[DemoBlock]) -> list[DemoBlock]:
    """The first draft with the second draft's edits, removal, move and additions."""
    out = [b._replace(text=_V2_EDITS.get(b.key, b.text)) for b in blocks if b.key != _V2_REMOVED]
    moved_key, after_key = _V2_MOVED
    moved = next(b for b in out if b.key == moved_key)
    out.remove(moved)
    out.insert(next(i for i, b in enumerate(out) if b.key == after_key) + 1, moved)
    for after_key, block in _V2_NEW:
        out.insert(next(i for i, b in enumerate(out) if b.key == after_key) + 1, block)
    return out


VERSION_2: list[DemoBlock] = _next_draft(VERSION_1)

VERSIONS: list[DemoVersion] = [
    DemoVersion(
        label="Utkast 1",
        summary="Första utkastet, publicerat för synpunkter från nätverket.",
        published="2020-08-25",
        blocks=VERSION_1,
    ),
    DemoVersion(
        label="Utkast 2",
        summary=(
            "Förtydliganden efter nätverkets synpunkter: öppna data-lagens förhållande till "
            "offentlighetsprincipen, CC0 för metadata, presumtionen om anställdas verk och "
            "exemplet på källhänvisning. Nya stycken om varumärken och om uppföljning. Stycket "
            "om DelaLika är struket och stycket om att licenserna inte kan återkallas har "
            "flyttats till början av avsnitt 2."
        ),
        published="2020-09-29",
        blocks=VERSION_2,
    ),
]

_MEMBER = "member@demo.example"
_MEMBER2 = "member2@demo.example"

# Comments made on the first draft. Quotes are exact spans of the block's plain text.
DEMO_COMMENTS: list[DemoComment] = [
    DemoComment(
        block_key="cc0-why",
        author_email=_MEMBER,
        kind="suggestion",
        body="Förtydliga gärna att **metadata** bör märkas med CC0 även när datamängden själv "
        "har en annan licens. Det är en vanlig missuppfattning hos oss.",
        suggestion=_V2_EDITS["cc0-why"],
        quote="bör alltid vara fria att använda",
    ),
    DemoComment(
        block_key="why-sfs-scope",
        author_email=_MEMBER2,
        kind="question",
        body="Hur förhåller sig detta till offentlighetsprincipen? Kan ni skriva ut var rätten "
        "att ta del av handlingar kommer ifrån?",
        suggestion=None,
        quote="Lagen ger i sig ingen rätt att ta del av handlingar.",
    ),
    DemoComment(
        block_key="rights-employee",
        author_email=_MEMBER,
        kind="comment",
        body="Presumtionen är inte lagfäst. Skriv hellre att den har vuxit fram i *rättspraxis "
        "och doktrin*, så att ingen tror att det finns en paragraf att hänvisa till.",
        suggestion=None,
        quote="i praxis etablerad presumtion",
    ),
    DemoComment(
        block_key="cc-sa",
        author_email=_MEMBER2,
        kind="comment",
        body="Stycket om DelaLika skapar mer förvirring än det hjälper när vägledningen ändå "
        "inte rekommenderar licensen. Stryk det?",
        suggestion=None,
        quote=None,
    ),
    DemoComment(
        block_key="steps-attr",
        author_email=_MEMBER,
        kind="suggestion",
        body="Ta med titeln i exemplet, så att det följer den vanliga modellen titel, upphov, "
        "källa och licens.",
        suggestion=_V2_EDITS["steps-attr"],
        quote=None,
    ),
    DemoComment(
        block_key="cc-irrevocable",
        author_email=_MEMBER2,
        kind="comment",
        body="Det här är det viktigaste i hela avsnittet för oss som ska fatta beslutet. Flytta "
        "upp stycket så att det kommer före genomgången av licenserna.",
        suggestion=None,
        quote="inte går att återkalla",
    ),
    DemoComment(
        block_key="cc-by-endorse",
        author_email=_MEMBER,
        kind="suggestion",
        body="Nämn också att licenserna inte omfattar myndighetens namn och logotyp. Vi får "
        "ofta frågor om det.",
        suggestion="Erkännandet får inte utformas så att det ger intryck av att myndigheten står "
        "bakom användaren eller godkänner bearbetningen. Det följer av licensvillkoren och behöver "
        "inte skrivas in särskilt. Licenserna ger inte heller någon rätt att använda myndighetens "
        "namn eller logotyp.",
        quote=None,
    ),
    DemoComment(
        block_key="rights-tf",
        author_email=_MEMBER2,
        kind="question",
        body="Hur ska vi svara när någon begär ut en datamängd som vi redan har publicerat "
        "under CC BY 4.0? Gäller licensen då även det utlämnade exemplaret?",
        suggestion=None,
        quote="Att en handling är allmän säger alltså ingenting om hur den får vidareutnyttjas.",
    ),
    DemoComment(
        block_key="sw-eupl",
        author_email=_MEMBER,
        kind="question",
        body="Finns det en länk direkt till den svenska språkversionen av EUPL 1.2?",
        suggestion=None,
        quote="däribland svenska",
    ),
]

# Two more comments on the first draft: one repeats #4, one the network did not follow.
DEMO_COMMENTS += [
    DemoComment(
        block_key="cc-sa",
        author_email=_MEMBER,
        kind="comment",
        body="Instämmer med Alingsås: stycket om DelaLika kan strykas.",
        suggestion=None,
        quote=None,
    ),
    DemoComment(
        block_key="cc-nc",
        author_email=_MEMBER2,
        kind="suggestion",
        body="Tillåt IckeKommersiell för bilder från våra fotografer, så att vi kan behålla "
        "intäkterna från kommersiell användning.",
        # Two changes in one paragraph, one of them outside the quoted sentence.
        suggestion="Creative Commons erbjuder också licenser med villkoren <em>IckeKommersiell</em> "
        "(NC) och <em>IngaBearbetningar</em> (ND). De bör som regel inte användas för myndigheters "
        "material. NC utestänger företag och gör gränsen för tillåten användning oklar, eftersom "
        "det inte är givet vad som räknas som kommersiellt. ND hindrar översättningar, "
        "anpassningar för tillgänglighet och sammanställningar med annat material. Båda villkoren "
        "är svåra att förena med kravet på icke-diskriminerande villkor, och material med dem "
        "uppfyller inte vedertagna definitioner av öppna data. För fotografier som myndigheten "
        "säljer kan NC ändå vara motiverat.",
        quote="De ska inte användas för myndigheters material.",
    ),
    DemoComment(
        block_key="sw-deps",
        author_email=_MEMBER,
        kind="question",
        body="Gäller det även verktyg som bara används när programmet byggs?",
        suggestion=None,
        quote=None,
    ),
]

# What the editors decided on each comment of DEMO_COMMENTS (same order) before they
# published the second draft; None: still open, carried forward to the next meeting.
DEMO_DECISIONS: list[DemoDecision | None] = [
    DemoDecision(
        "accepted",
        "Infört i Utkast 2: stycket säger nu att metadata bör märkas med CC0 även när "
        "själva datamängden har en annan licens.",
    ),
    DemoDecision(
        "accepted",
        "Utkast 2 förklarar att rätten att ta del av allmänna handlingar kommer från "
        "tryckfrihetsförordningen och att öppna data-lagen bygger på den.",
    ),
    DemoDecision(
        "partly_accepted",
        "Vi skriver att presumtionen har vuxit fram i rättspraxis och doktrin, men behåller "
        "hänvisningen till 40 a § för datorprogram, där regeln är lagfäst.",
    ),
    DemoDecision("accepted", "Stycket om DelaLika är struket i Utkast 2."),
    DemoDecision("accepted", "Exemplet följer nu modellen titel, upphov, källa och licens."),
    DemoDecision("accepted", "Stycket är flyttat till början av avsnitt 2."),
    DemoDecision("accepted", "Nytt stycke om varumärken och kännetecken efter stycket om erkännande."),
    DemoDecision(
        "noted",
        "Licensen gäller materialet oavsett hur det har lämnats ut. Vi tar upp frågan i "
        "nätverkets frågelista i stället för i vägledningen.",
    ),
    None,
    DemoDecision("duplicate", "Samma förslag som #4, som är beaktat.", duplicate_of=3),
    DemoDecision(
        "rejected",
        "IckeKommersiell gör gränsen för tillåten användning oklar och utestänger företag; "
        "vägledningen avråder därför från den för allt myndighetsmaterial.",
    ),
    DemoDecision("withdrawn", ""),
]

# Comments made on the second draft, still open at the meetings that present it.
DEMO_COMMENTS_V2: list[DemoComment] = [
    DemoComment(
        block_key="cc-trademark",
        author_email=_MEMBER2,
        kind="question",
        body="Bra tillägg. Gäller detsamma myndighetens grafiska profil, till exempel typsnitt och färger?",
        suggestion=None,
        quote="myndighetens namn eller logotyp",
    ),
    # An open suggestion with two changes in the paragraph and no reason given (a reason is optional).
    DemoComment(
        block_key="steps-contact",
        author_email=_MEMBER,
        kind="suggestion",
        body="",
        suggestion="Utse en kontaktpunkt, till exempel en funktionsbrevlåda, dit användare kan vända "
        "sig med frågor om licenser, om tillgänglighet och om materialets innehåll. Ange "
        "kontaktpunkten i metadata och på webbplatsen, och svara inom fem arbetsdagar.",
        quote=None,
    ),
]
