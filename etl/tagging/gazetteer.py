"""The gazetteer: package data (`etl/tagging/data/`) loaded once per run into pattern tables.

`load_gazetteer` reads the TSV files, expands every name into the surface forms the matcher
looks for, and returns a frozen `Gazetteer`. What it prepares:

- **entities**: one row per `entity_id` with its `label`, canonical `name` and `country`.
- **patterns**: one row per distinct pattern string, in Aho-Corasick priority order (longest
  first, so polars' leftmost-first matching is leftmost-longest). A pattern can be a surface
  form of an entity (as written, an ALL-CAPS form for wire headlines, a Title Case form for
  headlines, a plural for programmes and instruments), a demonym, a rule head word (`Customs`,
  `Agency`, `Programme`, `Agreement`, ...), a theme trigger (lower, Capitalised, Title and
  ALL-CAPS forms, with plurals) or `(` (where an acronym definition may start). Every pattern
  carries the themes its text contains, so a trigger swallowed by a longer name still counts.
- **ambiguous**: surface forms that need a context rule before they count (see `rules.py`).

The files are read by their header, never by column position: `gazetteer.tsv` has
`entity_id label name country kind aliases demonyms` (`|`-separated lists; `kind` and
`demonyms` are optional so the seed file still loads).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import polars as pl

from etl.errors import InputError
from etl.tagging.matcher import Automaton, compile_patterns
from schemas.records import EntityLabel

__all__ = [
    "BARE_HEAD_FIRST_EXCEPT",
    "CONTEXT_WORDS",
    "DEFAULT_DATA_DIR",
    "HEAD_FIRST_WORDS",
    "HEAD_WORDS",
    "LEGAL_FORMS",
    "MINOR_TOWNS_FILE",
    "MINOR_TOWN_KIND",
    "NAMESAKES_COLUMNS",
    "NAMESAKES_FILE",
    "NO_COUNTRY_HEADS",
    "PLACE_PREFIXES",
    "PROGRAMME_BEFORE",
    "PROGRAMME_WORDS",
    "ROAD_BEFORE",
    "SEA_HEADS",
    "TRADE_WORDS",
    "Gazetteer",
    "load_gazetteer",
]

DEFAULT_DATA_DIR = Path(str(files("etl.tagging").joinpath("data")))

#: Companies' legal forms (`Semiconductor Manufacturing International Corp`): ORG heads, and
#: a known company's name takes one right after it.
LEGAL_FORMS = (
    *("Corporation", "Corp", "Company", "Inc", "Ltd", "Limited"),
    # (continental and British forms: `Timor Port SA`, `Dresdner Bank AG`, `Unilever Plc`)
    *("SA", "NV", "AG", "GmbH", "LLC", "PLC", "Plc", "SpA"),
)
#: Trades that end companies' names (`Abu Dhabi Ports`, `Pacific Logistics Holdings`): ORG heads
#: that are also ministries' portfolios (`Ministry of Ports, Shipping and Waterways`).
TRADE_WORDS = (
    *("Ports", "Shipping", "Logistics", "Holdings", "Mines", "Mining"),
    *("Forwarding", "Lines", "Terminals", "Industries"),
)
#: Head words of the capitalised-phrase rule and the label a phrase they end gets.
HEAD_WORDS: dict[str, EntityLabel] = {
    **dict.fromkeys(
        (
            "Customs",
            "Authority",
            "Administration",
            "Organization",
            "Organisation",
            "Agency",
            "Ministry",
            "Bank",
            "Commission",
            "Council",
            "Union",
            "Community",
            # Beyond the issue's list: the usual heads of national administrations' names.
            "Service",
            # (`Misr Technology Services`, `Plant Quarantine Services`)
            "Services",
            "Department",
            "Directorate",
            "Bureau",
            "Board",
            "Committee",
            "Chamber",
            *LEGAL_FORMS,
            # Trade bodies and carriers (`Bangladesh Garment Manufacturers and Exporters
            # Association`, `Canadian National Railway`).
            "Association",
            "Federation",
            "Railway",
            "Railways",
            "Rail",
            "Police",
            *TRADE_WORDS,
            "Group",
            "Taskforce",
            "Task Force",
            # State enterprises (`Ethiopian Shipping and Logistics Services Enterprise`).
            "Enterprise",
            "Enterprises",
            # Alliances of states and missions (`Alliance of Sahel States`, `European Union
            # Border Assistance Mission`).
            "Alliance",
            "Mission",
            # Governments of regions and of national unity (`Kurdistan Regional Government`,
            # `Government of Åland`): a country's own is the country (`the Japanese Government`).
            "Government",
            # Parties and coalitions (`Liberal Democratic Party`, `U.S. Lumber Coalition`).
            "Party",
            "Coalition",
            # Coast and border guards, syndicates and confederations of trades (`Hellenic Coast
            # Guard`, `Mauritius Sugar Syndicate`, `Argentine Confederation of Medium Enterprises`).
            "Guard",
            "Guards",
            "Syndicate",
            "Confederation",
            # A body's permanent staff (`Pacific Islands Forum Secretariat`, `CEFTA Secretariat`),
            # and societies (`Barbados Agricultural Society`, `Halifax Building Society`).
            "Secretariat",
            "Society",
            # Centres of cooperation and enforcement (`Lancang-Mekong Integrated Law
            # Enforcement and Security Cooperation Centre`, `National Targeting Center`).
            "Centre",
            "Center",
            # A customs post (`Rasuwa Customs Office`); `Office` alone heads names that come
            # first (`Office Togolais des Recettes`), and is no head at the end.
            "Customs Office",
            # Divisions of administrations and assemblies of communities (`Customs and Excise
            # Division`, `East African Legislative Assembly`).
            "Division",
            "Assembly",
            # Police and border forces (`Malta Police Force`, `UK Border Force`), and
            # cooperatives (`Kuapa Kokoo Cooperative`).
            "Police Force",
            "Border Force",
            "Cooperative",
            # Courts (`U.S. Court of International Trade`, `East African Court of Justice`).
            "Court",
            # Legislatures and funds (`Guam Legislature`, `Green Climate Fund`).
            "Legislature",
            "Fund",
            # Armed services (`Sri Lanka Navy`, `Philippine Navy`).
            "Navy",
            # Markets that are bodies (`Ethiopia Commodity Exchange`, `Tokyo Stock Exchange`).
            "Exchange",
            # Institutes and panels (`Australian Steel Institute`, `Anti-Dumping Review Panel`).
            # Not `Unit`: a company's subsidiary, a reactor, a currency in wire news (`U.S.
            # Unit`, `Nine Mile Unit`, `European Currency Unit`).
            "Institute",
            "Panel",
        ),
        EntityLabel.ORG,
    ),
    **dict.fromkeys(
        (
            "Programme",
            "Program",
            "Project",
            "Initiative",
            "Scheme",
            # Customs IT systems and registers (`Customs Declaration System`, `CBAM Registry`).
            "System",
            "Registry",
            # A country's own single window (`Jamaica Single Window for International Trade`,
            # `Nepal National Single Window`): the gazetteer's class names head it.
            "Single Window",
            "National Single Window",
            # Named plans (`Growth Plan for the Western Balkans`, `National Export Plan`).
            "Plan",
        ),
        EntityLabel.PROGRAMME,
    ),
    **dict.fromkeys(
        (
            "Agreement",
            "Convention",
            "Framework",
            "Guidelines",
            "Protocol",
            "Arrangement",
            "Standards",
            "Treaty",
            "Act",
            "Code",
            "Regulation",
            "Law",
            "Directive",
            "Decree",
            "Regulations",
            # Iberian decree-laws (`Royal Decree-Law 16/2018`), one head, not a decree and a law.
            "Decree-Law",
            "Standard",
            "Measures",
            "Free Trade Area",
            "Declaration",
            # Decisions of communities and councils (`Decision 502`, `Overseas Association
            # Decision`), and compacts (`Compact of Free Association`).
            "Decision",
            "Compact",
            # Common-law statutes (`Import and Export Ordinance`, `Medical and Kindred
            # Professions Ordinance`).
            "Ordinance",
        ),
        EntityLabel.INSTRUMENT,
    ),
    # Named places that no list holds (`Grand Faw Port`, `Cairo Airport`, `Khyber Pass`, `Wouri
    # River`).
    **dict.fromkeys(
        (
            "Port",
            "Airport",
            "Corridor",
            "Pass",
            "River",
            "Terminal",
            "Bridge",
            # Quays and border posts (`Queen Salote Wharf`, `Chirundu One-Stop Border Post`).
            "Wharf",
            "Quay",
            # (`Avatiu Harbour`, `Malé Commercial Harbour`)
            "Harbour",
            "Harbor",
            "Border Post",
            # (`Poipet International Border Checkpoint`)
            "Border Checkpoint",
            # Lakes, canals and highways no list holds (`Gatun Lake`, `Pamir Highway`).
            "Lake",
            "Canal",
            # (`Torres Strait`, `Bougainville Strait`)
            "Strait",
            "Highway",
            # (`Lagos-Badagry Expressway`, `Trakia Motorway`)
            "Expressway",
            "Motorway",
            # (`King Hamad Causeway`; `Turkmenbashi International Seaport`)
            "Causeway",
            "Seaport",
            # (`Brenner Base Tunnel`, `Gotthard Road Tunnel`, `Majuro Lagoon`)
            "Tunnel",
            "Lagoon",
            # (`Shortland Islands`, `Tin Can Island`; `Azapa Valley`)
            "Island",
            "Islands",
            "Valley",
            "Province",
            # Administrative areas no list holds (`Turkestan Region`, `Pujehun District`,
            # `Harris County`).
            "Region",
            "District",
            "County",
            "Freeport",
            "Free Zone",
            # Zones by their class names (`Sihanoukville Special Economic Zone`, `Hawassa
            # Industrial Park`): a class name alone names nothing.
            "Special Economic Zone",
            "Economic Zone",
            "Free Trade Zone",
            "Trade Zone",
            "Cooperation Zone",
            "Logistics Park",
            "Export Processing Zone",
            "Industrial Zone",
            "Industrial Park",
            "National Park",
        ),
        EntityLabel.LOCATION,
    ),
}

#: Seas named by what they wash (`Gulf of Cádiz`, `Bay of Fundy`): heads that come first, but
#: English words, so only through `of` and its kin (`Gulf Cooperation Council` is no gulf).
SEA_HEADS = ("Gulf", "Bay")
#: Malay and Indonesian place words that come first (`Tanjung Kupang`, `Pulau Ubin`, `Teluk
#: Intan`): a cape, island or bay is not the town it shares a word with.
MALAY_PLACE_WORDS = ("Tanjung", "Pulau", "Teluk", "Sungai", "Bukit", "Kampung")

#: Head words that come first in their names, with the label they give (French, Spanish,
#: Portuguese, Italian and Romanian names: `Office Togolais des Recettes`, `Servicio Nacional
#: de Aduanas`, `Programa de Integración Fronteriza`, `Zona Franca de Iquique`): a phrase runs
#: right from them over capitalised words joined by `de`, `des`, `du`, `del`, `da`, `do`, `y`,
#: `et`, or over one or two capitalised words alone (`Aduana Nacional`, `Autoridade
#: Tributária`) unless the word is also English (`BARE_HEAD_FIRST_EXCEPT`). Each word is also
#: listed without its accents (`Direccion`), as English news often writes them.
_HEAD_FIRST_BY_LABEL: dict[EntityLabel, tuple[str, ...]] = {
    EntityLabel.ORG: (
        "Direction",
        "Dirección",
        "Direção",
        "Office",
        "Servicio",
        "Servicios",
        "Serviço",
        "Serviços",
        # Dutch ministries (`Ministerie van Financiën`).
        "Ministerie",
        "Superintendencia",
        "Superintendência",
        "Agence",
        "Agencia",
        "Agência",
        "Agenzia",
        "Autorité",
        "Autoridad",
        "Autoridade",
        "Autorità",
        "Autoritatea",
        "Administración",
        "Administração",
        "Ministère",
        "Ministerio",
        "Ministério",
        "Viceministerio",
        "Aduana",
        "Aduanas",
        "Asociación",
        "Associação",
        "Federación",
        "Fédération",
        "Confederación",
        "Cámara",
        "Câmara",
        "Chambre",
        "Conseil",
        "Consejo",
        "Conselho",
        "Comisión",
        "Comissão",
        "Comando",
        "Instituto",
        "Institut",
        "Banco",
        "Banque",
        "Secretaría",
        "Unidad",
        "Unidade",
        "Policía",
        "Polícia",
        "Guardia",
        "Corporación",
        "Empresa",
        "Compagnie",
        "Société",
        "Sociedad",
        # A French-speaking country's port authority (`Port Autonome de Lomé`).
        "Port Autonome",
        # Cooperatives (`Cooperativa de Exportação de Cacau Biológico`, `Coopérative
        # Agricole de ...`).
        "Cooperativa",
        "Coopérative",
        # A port or terminal operator (`Operadora Portuaria Centroamericana`).
        "Operadora",
        # Customs by their French names (`Douane Tunisienne`, `Douanes Sénégalaises`), funds
        # and banks (`Caisse Nationale de Crédit Agricole`), gendarmeries and brigades,
        # committees, unions and foundations, consortia.
        "Douane",
        "Douanes",
        "Caisse",
        # Dutch administrations and services (`Algemene Administratie van Douane en
        # Accijnzen`, `Dienst der Douane`).
        "Administratie",
        "Dienst",
        # (`Fondo para la Convergencia Estructural del Mercosur`; a region's government or a
        # board, `Junta de Andalucía`)
        "Fondo",
        "Fundo",
        "Junta",
        # (governments: `Gobierno de Canarias`, `Govern d'Andorra`)
        "Gobierno",
        "Governo",
        "Gouvernement",
        "Govern",
        "Gendarmerie",
        "Brigade",
        "Comité",
        "Commissariat",
        "Syndicat",
        "Sindicato",
        "Fundación",
        "Fondation",
        "Consorcio",
    ),
    EntityLabel.PROGRAMME: (
        # Single windows (`Ventanilla Única de Importación`, `Guichet Unique du Commerce
        # Extérieur`, `Janela Única de Comércio Exterior`).
        "Ventanilla Única",
        "Guichet Unique",
        "Janela Única",
        "Programa",
        "Proyecto",
        "Projeto",
        "Projet",
        "Sistema",
        # (single windows and trade platforms: `Plataforma Digital de Comercio Centroamericana`)
        "Plataforma",
        "Plateforme",
        "Système",
    ),
    EntityLabel.INSTRUMENT: (
        # (an Andean Community decision or a tax authority's resolution, with its number:
        # `Decisión 416`, `Resolución 46`)
        "Decisión",
        "Resolución",
        "Resolução",
        "Ley",
        "Lei",
        "Loi",
        "Decreto",
        "Décret",
        "Código",
        "Acuerdo",
        "Acordo",
        "Accord",
        "Tratado",
        "Traité",
        "Convenio",
        "Reglamento",
        "Règlement",
        "Regulamento",
    ),
    EntityLabel.LOCATION: (
        # (mountains: `Mount Kilimanjaro`, not the region of Tanzania named after it)
        "Mount",
        # (roads: `Carretera del Litoral`, `Autopista del Sol`, `Rodovia dos Imigrantes`)
        "Carretera",
        "Autopista",
        "Rodovia",
        # (islands: `Isla Verde`, `Ilha do Governador`)
        "Isla",
        "Ilha",
        "Puerto",
        "Aeropuerto",
        "Aeroporto",
        "Aéroport",
        "Zona Franca",
        "Zona Libre",
        "Zone Franche",
        *SEA_HEADS,
        *MALAY_PLACE_WORDS,
    ),
}
HEAD_FIRST_WORDS: dict[str, EntityLabel] = {
    form: label
    for label, words in _HEAD_FIRST_BY_LABEL.items()
    for word in words
    for form in (word, unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode())
    if form not in HEAD_WORDS  # (`Federation` is English, and comes last)
}
#: Head words that come first but are also English words: they take a name only through `de`
#: and its kin (`Office Togolais des Recettes`, not `Office Depot`; `Honda Accord`).
BARE_HEAD_FIRST_EXCEPT = frozenset(
    {
        "Office",
        "Direction",
        "Accord",
        "Institut",
        "Projet",
        # (a decision or a resolution is named by its number: `Resolución Ministerial` is a
        # kind of resolution)
        "Decisión",
        "Resolución",
        "Resolucion",
        "Resolução",
        "Resolucao",
        *SEA_HEADS,
    }
)
#: Place heads whose name's place lends no country: a river, a sea or a cape runs past or lies
#: beside the place it is named for (`Wouri River`, `Gulf of Thailand`, `Tanjung Kupang` in
#: Malaysia, not Indonesia's Kupang).
NO_COUNTRY_HEADS = frozenset({"River", *SEA_HEADS, *MALAY_PLACE_WORDS})

PAREN = "("

#: Capitalised words before a known place that name another place (`New Amsterdam`, in
#: Guyana, not the Dutch city) or a part of it (`South Auckland`, `Upper Mustang`, `Port
#: Adelaide`): whether the part keeps the place's country. The matcher finds them, so that
#: the tagger looks only at places right after one.
PLACE_PREFIXES = {
    "New": False,
    "North": True,
    "South": True,
    "East": True,
    "West": True,
    "Upper": True,
    "Lower": True,
    "Port": True,
    # (a city's metropolitan area: `Metro Manila`, `Metro Vancouver`)
    "Metro": True,
}

#: Where the name a `PROGRAMME_WORDS` word names stands (a `CONTEXT_WORDS` value).
PROGRAMME_BEFORE = "programme-before"
#: Where a road's name stands before a word of kind: a name, or a number (`the BR-163 highway`).
ROAD_BEFORE = "road-before"
#: Lower-case words after a programme's name: `context.context_places` reads the two or more
#: capitalised words before one as a PROGRAMME (a company's platform, `the Amazon platform`, is
#: named in one word, and an acronym alone is left to the acronym rules). Not `program`: in
#: American news it is mostly a broadcast's (`the NBC News program`).
PROGRAMME_WORDS = ("programme", "scheme", "initiative", "system", "platform")

#: Lower-case words that say a capitalised name beside them is a place, where no list holds it:
#: after the name (`the Oybek crossing`, `the Abdali and Nuwaiseeb land borders`, `the new
#: Gulhifalhu port`), or before it and `of` (`the Uzbek town of Keles`, `the river port of
#: Villeta`, `the Tuamotu atolls of Manihi and Arutua`), or right after it (`near Zuwara`).
#: Values: where the name stands (`PROGRAMME_BEFORE` for the words of kind that end programmes'
#: names).
CONTEXT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "crossing",
            "crossings",
            "border crossing",
            "border crossings",
            "border post",
            "border posts",
            "border",
            "borders",
            "land border",
            "land borders",
            "checkpoint",
            "checkpoints",
            "customs station",
            "land customs station",
            "dry port",
            "port of entry",
            "ports of entry",
            "land port",
            "ports",
            "river",
            "regions",
            "terminal",
            "tunnel",
            # (`Apia's Matautu wharf`)
            "wharf",
            "quay",
            "jetty",
            # (`the Kempir-Abad reservoir`, `the Diama dam`, `Zhongba county`, `the Dordoi
            # bazaar`)
            "reservoir",
            "dam",
            "county",
            "bazaar",
            # (`the Gedeo zone`, `the Bunardžik zone near Skopje`)
            "zone",
            # (`the Beni Ensar commercial customs post`, `the Khor Abdullah waterway`)
            "customs post",
            "customs posts",
            "waterway",
        ),
        "before",
    ),
    **dict.fromkeys(("highway", "motorway", "expressway"), ROAD_BEFORE),
    **dict.fromkeys(
        (
            "town",
            "towns",
            "border town",
            "city",
            "port city",
            "river port",
            "village",
            "state",
            "islands",
            "municipality",
        ),
        "after",
    ),
    **dict.fromkeys(
        (
            *("port", "region", "district", "prefecture", "island", "atoll", "atolls"),
            # (`Svay Rieng province`, `Sambas regency`, `the Nineveh governorate`)
            *("province", "regency", "governorate", "oblast"),
        ),
        "both",
    ),
    # Words of direction, the name right after them (`near Zuwara`, `towards Rosenheim`):
    # news puts a place there, and seldom a company (`toward Ameritrust`).
    **dict.fromkeys(("near", "towards", "toward"), "next"),
    # Words of kind that say a programme is named before them, in lower case because they are
    # no part of its name (`the Unified Cargo Processing programme`, `the Green Lanes system`).
    **dict.fromkeys(PROGRAMME_WORDS, PROGRAMME_BEFORE),
}

# Kinds of pattern, in the order a pattern string that is several things at once keeps them.
SOURCE_NAME = "gazetteer"
SOURCE_DEMONYM = "gazetteer:demonym"

_LABELS = {label.value for label in EntityLabel}
_PLURAL_LABELS = {EntityLabel.PROGRAMME.value, EntityLabel.INSTRUMENT.value}
_PORT_KINDS = ["port", "city", "capital"]
_POSSESSIVE = re.compile(r"^(\S+)['\u2019]s ")
#: How German- and Danish-speaking countries' names are written without their letters (wires
#: and ASCII text: `Duesseldorf`, `Muenster`, `Aalborg`): a variant of their entities' names.
_SPELLED_OUT = {
    **dict.fromkeys(
        ("DEU", "AUT", "CHE", "LIE", "LUX"),
        str.maketrans(
            {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
        ),
    ),
    **dict.fromkeys(
        ("DNK", "NOR"),
        str.maketrans({"å": "aa", "Å": "Aa", "ø": "oe", "Ø": "Oe", "æ": "ae", "Æ": "Ae"}),
    ),
}
# (a legal form in lower case is part of a name, not a generic tail: `Anglo American plc`)
_GENERIC_TAILS = {
    *(word.lower() for word in HEAD_WORDS if word not in LEGAL_FORMS),
    *(word.lower() + "s" for word in HEAD_WORDS if word not in LEGAL_FORMS),
    "scheme",
    "schemes",
    "system",
    "tool",
}
_LIST_SPLIT = "|"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Everything the tagger needs, prepared once per run: entities, patterns, themes, rules."""

    version: str
    entities: pl.DataFrame  # entity_id, label, name, country
    patterns: pl.DataFrame  # one row per pattern string: see _pattern_table
    alternatives: pl.DataFrame  # surface, entity_id, country: every entity of every surface
    themes: pl.DataFrame  # theme_id, name
    customs: pl.DataFrame  # country, customs_id, customs_name: each country's customs body
    namesakes: pl.DataFrame  # entity_id, namesake_id, namesake_name, namesake_country, population
    companies: pl.Series  # the entity ids of companies (kind `company`)
    pattern_list: pl.Series  # the pattern strings in Aho-Corasick priority order
    automaton: Automaton  # pattern_list compiled, once per run


def _read_tsv(path: Path) -> pl.DataFrame:
    """Return a TSV file as all-string columns (no quoting, `#` comment lines skipped)."""
    try:
        return pl.read_csv(
            path,
            separator="\t",
            quote_char=None,
            comment_prefix="#",
            infer_schema=False,
            empty_string_is_null=False,
        )
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise InputError(path, f"cannot read gazetteer data: {exc}") from exc


def _require(frame: pl.DataFrame, path: Path, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)} in header")


def _split_list(column: str) -> pl.Expr:
    """Split a `|`-separated cell into its stripped, non-empty items."""
    return (
        pl.col(column)
        .str.split(_LIST_SPLIT)
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
    )


def _read_entries(path: Path) -> pl.DataFrame:
    """Return the gazetteer rows: entity_id, label, name, country (or null), aliases, demonyms."""
    raw = _read_tsv(path)
    _require(raw, path, ("entity_id", "label", "name", "country", "aliases"))
    if "demonyms" not in raw.columns:
        raw = raw.with_columns(demonyms=pl.lit(""))
    if "kind" not in raw.columns:
        raw = raw.with_columns(kind=pl.lit(""))
    entries = raw.select(
        pl.col("entity_id").str.strip_chars(),
        pl.col("label").str.strip_chars(),
        pl.col("name").str.strip_chars(),
        country=pl.when(pl.col("country").str.strip_chars() != "").then(
            pl.col("country").str.strip_chars()
        ),
        kind=pl.col("kind").str.strip_chars(),
        aliases=_split_list("aliases"),
        demonyms=_split_list("demonyms"),
    ).filter(pl.col("entity_id") != "")
    bad = entries.filter(~pl.col("label").is_in(list(_LABELS)))
    if bad.height:
        raise InputError(path, f"unknown label {bad['label'][0]!r} for {bad['entity_id'][0]}")
    dupes = entries.filter(pl.col("entity_id").is_duplicated())
    if dupes.height:
        raise InputError(path, f"duplicate entity_id {dupes['entity_id'][0]}")
    return entries


def _title_variant(text: str) -> str:
    """Capitalise the first letter of every word, keeping the rest (`Republic Of Korea`)."""
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def _plural(text: str) -> str | None:
    """Return the English plural of a name's last word, or None when it has none."""
    if not text or not text[-1].isalpha():
        return None
    if text[-1] in "sS":
        return None
    if text.isupper():
        return text + "s"  # AEO -> AEOs, MRA -> MRAs
    if text.endswith("y") and len(text) > 1 and text[-2] not in "aeiou":
        return text[:-1] + "ies"  # Time Release Study -> Time Release Studies
    return text + "s"


def _surfaces(entries: pl.DataFrame) -> pl.DataFrame:
    """Return one row per (surface, entity_id, source, variant rank): names, aliases, demonyms."""
    names = (
        entries.select("entity_id", "label", surface=pl.concat_list(pl.col("name"), "aliases"))
        .explode("surface")
        .with_columns(source=pl.lit(SOURCE_NAME))
    )
    # `the Port of Los Angeles` names the port itself.
    ports = (
        names.join(entries.select("entity_id", "kind"), on="entity_id")
        .filter(pl.col("kind").is_in(_PORT_KINDS) & (pl.col("label") == EntityLabel.LOCATION.value))
        .select(
            "entity_id", "label", surface=pl.lit("Port of ") + pl.col("surface"), source="source"
        )
    )
    names = pl.concat([names, ports])
    demonyms = (
        entries.select("entity_id", "label", surface="demonyms")
        .explode("surface")
        .drop_nulls("surface")
        .with_columns(source=pl.lit(SOURCE_DEMONYM))
    )
    base = pl.concat([names, demonyms]).unique(
        ["surface", "entity_id", "source"], maintain_order=True
    )
    rows: list[tuple[str, str, str, int]] = []
    known = set(base.select("surface", "entity_id").iter_rows())
    # A minor town is not read in ALL CAPS (wire headlines): 23,000 fewer patterns to hold.
    minor = set(entries.filter(pl.col("kind") == MINOR_TOWN_KIND)["entity_id"].to_list())
    spelling = {
        entity_id: _SPELLED_OUT[country]
        for entity_id, country in entries.select("entity_id", "country").iter_rows()
        if country in _SPELLED_OUT
    }
    countries = set(
        base.select(
            "surface", is_country=pl.col("entity_id").str.starts_with("country:")
        ).iter_rows()
    )
    # Variant generation runs once per load over a few thousand names (configuration, not data).
    for surface, entity_id, label, source in base.select(
        "surface", "entity_id", "label", "source"
    ).iter_rows():
        head, _, last = surface.rpartition(" ")
        if last in _GENERIC_TAILS and (head, entity_id) in known:
            # `the AEO programme`: a lower-case generic noun after a name is not part of it.
            continue
        possessor = _POSSESSIVE.match(surface)
        if possessor and (possessor.group(1), True) in countries:
            # `Brazil's Federal Revenue`: the matcher reads possessives itself; kept, the alias
            # would swallow the country.
            continue
        rows.append((surface, entity_id, source, 0))
        spelled = surface.translate(spelling[entity_id]) if entity_id in spelling else surface
        if spelled != surface:
            rows.append((spelled, entity_id, source, 1))
            if entity_id not in minor:
                rows.append((spelled.upper(), entity_id, source, 2))  # (`DUESSELDORF`)
        title = _title_variant(surface)
        if title != surface:
            rows.append((title, entity_id, source, 1))
        upper = surface.upper()
        if upper != surface and entity_id not in minor:
            rows.append((upper, entity_id, source, 2))
        if label in _PLURAL_LABELS and source == SOURCE_NAME:
            plural = _plural(surface)
            if plural is not None:
                rows.append((plural, entity_id, source, 3))
    return pl.DataFrame(
        rows,
        schema={"surface": pl.String, "entity_id": pl.String, "source": pl.String, "rank": pl.Int8},
        orient="row",
    )


def _read_themes(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (themes: theme_id, name) and (triggers: trigger, theme_id) from themes.tsv."""
    empty_themes = pl.DataFrame(schema={"theme_id": pl.String, "name": pl.String})
    empty_triggers = pl.DataFrame(schema={"trigger": pl.String, "theme_id": pl.String})
    if not path.exists():
        return empty_themes, empty_triggers
    raw = _read_tsv(path)
    id_col = "theme_id" if "theme_id" in raw.columns else "id"
    _require(raw, path, (id_col, "name", "triggers"))
    themes = raw.select(theme_id=pl.col(id_col).str.strip_chars(), name=pl.col("name"))
    triggers = (
        raw.select(theme_id=pl.col(id_col).str.strip_chars(), trigger=_split_list("triggers"))
        .explode("trigger")
        .drop_nulls("trigger")
        .select("trigger", "theme_id")
    )
    return themes.filter(pl.col("theme_id") != ""), triggers


def _trigger_variants(triggers: pl.DataFrame) -> pl.DataFrame:
    """Return (pattern, theme_id) for every case form and plural of every trigger."""
    rows: set[tuple[str, str]] = set()
    for trigger, theme_id in triggers.iter_rows():
        forms = {trigger, trigger.lower()}
        plural = _plural(trigger.lower())
        if plural is not None:
            forms.add(plural)
        for form in list(forms):
            forms.update({form[:1].upper() + form[1:], _title_variant(form), form.upper()})
        rows.update((form, theme_id) for form in forms)
    return pl.DataFrame(
        sorted(rows), schema={"pattern": pl.String, "theme_id": pl.String}, orient="row"
    )


def _key(expr: pl.Expr) -> pl.Expr:
    """Lower-case a text, turn every run of non-alphanumerics into one space, pad with spaces."""
    words = expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    return pl.concat_str(pl.lit(" "), words, pl.lit(" "))


def _contained_themes(patterns: pl.Series, triggers: pl.DataFrame) -> pl.DataFrame:
    """Return (pattern, themes) with the themes whose triggers occur, as words, in each pattern."""
    schema = pl.Schema({"pattern": pl.String(), "themes": pl.List(pl.String())})
    if triggers.height == 0 or patterns.len() == 0:
        return pl.DataFrame(schema=schema)
    keys = (
        triggers.with_columns(key=_key(pl.col("trigger")))
        .filter(pl.col("key").str.strip_chars() != "")
        .group_by("key")
        .agg(theme_id=pl.col("theme_id").unique())
    )
    return (
        pl.DataFrame({"pattern": patterns})
        .with_columns(key=_key(pl.col("pattern")))
        .with_columns(
            hit=pl.col("key").str.extract_many(pl.lit(keys["key"]).implode(), overlapping=True)
        )
        .explode("hit")
        .drop_nulls("hit")
        .join(keys, left_on="hit", right_on="key")
        .explode("theme_id")
        .group_by("pattern")
        .agg(themes=pl.col("theme_id").unique().sort())
        .cast(schema)
    )


# Ambiguity rules, read from a `rule` column of ambiguous.tsv or, failing one, its notes.
RULE_CAPS_WORD = "caps-word"  # an acronym that is also a word: not in ALL-CAPS texts
RULE_GIVEN_NAME = "given-name"  # also a person's name: not beside another capitalised word
RULE_US_STATE = "us-state"  # Georgia: not where the article is about places in the US
RULE_COUNTRY_CONTEXT = "country-context"  # a minor town: only where its country is named too
#: A national body's name that other countries' bodies share (`Securities and Exchange
#: Commission`): not right after another country's name or adjective (`Nigeria's`, `Philippine`).
RULE_HOME_COUNTRY = "home-country"
#: Towns of 15,000 to 99,999 people (`import_towns --minor`), read only where the article also
#: names their country, and only with `load_gazetteer(minor_towns=True)`: their kind, and their
#: own file beside gazetteer.tsv.
MINOR_TOWN_KIND = "minor-town"
MINOR_TOWNS_FILE = "minor_towns.tsv"
#: A place's namesakes abroad (`import_namesakes`), read by `rules.namesakes`.
NAMESAKES_FILE = "namesakes.tsv"
#: Its columns, as `build_gazetteer` writes them and `load_gazetteer` reads them.
NAMESAKES_COLUMNS = ("entity_id", "namesake_id", "name", "country", "population")
_NOTE_RULES = (
    (r"(?i)all-caps|english word|pronoun|\bverb\b", RULE_CAPS_WORD),
    (r"(?i)given name|surname", RULE_GIVEN_NAME),
    (r"(?i)us state", RULE_US_STATE),
)


def _read_ambiguous(path: Path) -> pl.DataFrame:
    """Return (pattern, rule) from ambiguous.tsv: the surface forms with a context rule."""
    schema = pl.Schema({"pattern": pl.String(), "rule": pl.String()})
    if not path.exists():
        return pl.DataFrame(schema=schema)
    raw = _read_tsv(path)
    surface = next((c for c in ("surface", "alias", "pattern") if c in raw.columns), None)
    if surface is None:
        raise InputError(path, "no surface column (alias) in header")
    if "rule" in raw.columns:
        rule = pl.col("rule").str.strip_chars()
    else:
        note = pl.col("note") if "note" in raw.columns else pl.lit("")
        rule = pl.lit(None, pl.String)
        for pattern, name in reversed(_NOTE_RULES):
            rule = pl.when(note.str.contains(pattern)).then(pl.lit(name)).otherwise(rule)
    rows = raw.select(pattern=pl.col(surface).str.strip_chars(), rule=rule).filter(
        pl.col("rule").is_not_null() & (pl.col("rule") != "")
    )
    # The ALL-CAPS form of a surface is a pattern of its own (`GEORGIA`, `SAPPORO`): it takes
    # the same rule.
    return (
        pl.concat([rows, rows.with_columns(pl.col("pattern").str.to_uppercase())])
        .unique("pattern", keep="first", maintain_order=True)
        .cast(schema)
    )


def _pattern_table(
    entries: pl.DataFrame,
    surfaces: pl.DataFrame,
    trigger_patterns: pl.DataFrame,
    ambiguous: pl.DataFrame,
) -> pl.DataFrame:
    """Return one row per pattern string, longest first, with what a match of it means.

    Columns: pattern; the entity it names (entity_id, label, name, country, source) or
    nulls; head (the label of a head word) or null, head_at, head_first (a `HEAD_FIRST_WORDS`
    word); context (where a `CONTEXT_WORDS` word's place stands: before, after, both) or
    null; paren; prefix (a `PLACE_PREFIXES` word); rule (ambiguity rule) or null.
    """
    # One entity per surface string: the best variant rank, then the entity listed first.
    order = entries.select("entity_id").with_row_index("entry_order")
    entity_of = (
        surfaces.join(order, on="entity_id")
        .sort("surface", "rank", "entry_order")
        .unique("surface", keep="first", maintain_order=True)
        .select(pattern="surface", entity_id="entity_id", source="source")
        .join(entries.select("entity_id", "label", "name", "country", "kind"), on="entity_id")
    )
    heads = pl.DataFrame(
        {"pattern": list(HEAD_WORDS), "head": [label.value for label in HEAD_WORDS.values()]}
    ).with_columns(head_at=pl.lit(0, pl.Int64), head_first=pl.lit(value=False))
    # A trigger that ends in a head word (`Free Trade Agreement`, `One Stop Border Post`) must
    # still anchor the rule: its longest head of one word or more.
    trigger_heads = (
        trigger_patterns.select("pattern")
        .unique()
        .join(entity_of.select("pattern"), on="pattern", how="anti")
        .join(heads.select(last="pattern", head="head"), how="cross")
        .filter(pl.col("pattern").str.ends_with(pl.concat_str(pl.lit(" "), "last")))
        .sort(pl.col("last").str.len_chars(), "pattern", descending=[True, False])
        .unique("pattern", keep="first", maintain_order=True)
        .select(
            "pattern",
            "head",
            head_at=(pl.col("pattern").str.len_chars() - pl.col("last").str.len_chars()).cast(
                pl.Int64
            ),
            head_first=pl.lit(value=False),
        )
    )
    first = pl.DataFrame(
        {
            "pattern": list(HEAD_FIRST_WORDS),
            "head": [label.value for label in HEAD_FIRST_WORDS.values()],
        }
    ).with_columns(head_at=pl.lit(0, pl.Int64), head_first=pl.lit(True))
    heads = pl.concat([heads, trigger_heads, first])
    context = pl.DataFrame(
        {"pattern": list(CONTEXT_WORDS), "context": list(CONTEXT_WORDS.values())}
    )
    return (
        pl.concat(
            [
                entity_of.select("pattern"),
                heads.select("pattern"),
                trigger_patterns.select("pattern"),
                context.select("pattern"),
                pl.DataFrame({"pattern": [PAREN, *PLACE_PREFIXES]}),
            ]
        )
        .unique(maintain_order=True)
        .join(entity_of, on="pattern", how="left")
        .join(heads, on="pattern", how="left")
        .join(context, on="pattern", how="left")
        .join(ambiguous, on="pattern", how="left")
        .with_columns(
            paren=pl.col("pattern") == PAREN,
            prefix=pl.col("pattern").is_in(list(PLACE_PREFIXES)),
            rule=pl.coalesce(
                "rule",
                pl.when(pl.col("kind") == MINOR_TOWN_KIND).then(pl.lit(RULE_COUNTRY_CONTEXT)),
            ),
        )
        .drop("kind")
        .with_columns(
            n_chars=pl.col("pattern").str.len_chars(), n_bytes=pl.col("pattern").str.len_bytes()
        )
        .sort(["n_chars", "n_bytes", "pattern"], descending=[True, True, False])
    )


#: What a gazetteer version says when the minor towns are read (`2026.11.21+minor-towns`).
MINOR_TOWNS_SUFFIX = "+minor-towns"


_NAMESAKE_SCHEMA = {
    "entity_id": pl.String,
    "namesake_id": pl.String,
    "namesake_name": pl.String,
    "namesake_country": pl.String,
    "population": pl.Int64,
}


def _read_namesakes(path: Path) -> pl.DataFrame:
    """Return the namesakes table: entity_id, namesake_id, namesake_name, namesake_country,
    population (Int64); empty where the data directory has none (a gazetteer of one's own)."""
    if not path.exists():
        return pl.DataFrame(schema=_NAMESAKE_SCHEMA)
    raw = _read_tsv(path)
    _require(raw, path, NAMESAKES_COLUMNS)
    try:
        return raw.select(
            "entity_id",
            "namesake_id",
            namesake_name="name",
            namesake_country="country",
            population=pl.col("population").cast(pl.Int64),
        )
    except pl.exceptions.InvalidOperationError as exc:
        raise InputError(path, f"population is not a whole number: {exc}") from exc


def load_gazetteer(data_dir: Path | None = None, *, minor_towns: bool = False) -> Gazetteer:
    """Return the gazetteer read from `data_dir` (default: the package data), ready to match.

    The minor towns (15,000 to 99,999 people, 23,000 names, read only beside their country)
    are left out unless `minor_towns`: they cost about 30 MiB of memory and 7% of tagging
    time (docs/TAGGING.md). With them the version carries `MINOR_TOWNS_SUFFIX`, so outputs
    and incremental state say which list tagged them.
    """
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    gazetteer_path = root / "gazetteer.tsv"
    version_path = root / "VERSION"
    try:
        version = version_path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(version_path, exc.strerror or str(exc)) from exc
    entries = _read_entries(gazetteer_path)
    if minor_towns:
        version += MINOR_TOWNS_SUFFIX
        entries = pl.concat([entries, _read_entries(root / MINOR_TOWNS_FILE)])
    surfaces = _surfaces(entries)
    themes, triggers = _read_themes(root / "themes.tsv")
    trigger_patterns = _trigger_variants(triggers)
    ambiguous = _read_ambiguous(root / "ambiguous.tsv")
    table = _pattern_table(entries, surfaces, trigger_patterns, ambiguous)
    # A pattern's themes: those of the trigger it is a form of, and of triggers inside it.
    themed = (
        pl.concat(
            [
                _contained_themes(table["pattern"], triggers).explode("themes"),
                trigger_patterns.select("pattern", themes="theme_id"),
            ]
        )
        .group_by("pattern")
        .agg(pl.col("themes").unique().sort())
    )
    table = table.join(themed, on="pattern", how="left", maintain_order="left").with_columns(
        themes=pl.col("themes").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )
    entities = entries.select("entity_id", "label", "name", "country")
    return Gazetteer(
        version=version,
        entities=entities,
        patterns=table,
        alternatives=surfaces.select("surface", "entity_id")
        .unique(maintain_order=True)
        .join(entities.select("entity_id", "country"), on="entity_id"),
        themes=themes,
        customs=entities.filter(pl.col("entity_id").str.starts_with("org:customs:"))
        .select("country", customs_id="entity_id", customs_name="name")
        .unique("country", keep="first", maintain_order=True),
        companies=entries.filter(pl.col("kind") == "company")["entity_id"],
        namesakes=_read_namesakes(root / NAMESAKES_FILE),
        pattern_list=table["pattern"],
        automaton=compile_patterns(table["pattern"]),
    )
