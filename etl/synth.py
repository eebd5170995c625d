"""Synthetic dumps: deterministic, realistic trade and customs news in the dump format.

`generate` writes a dump of about `size_bytes` (uncompressed) in the format of CONTRACT
section 1, streaming fixed-size blocks so memory stays flat whatever the size (a 1 GB dump is
written in well under a minute). Articles are built from templates filled with a realistic
mix of entities: countries under several names and as demonyms, international organizations
and their acronyms, national customs administrations with acronyms defined in the text
("the Kenya Revenue Authority (KRA)"), programmes, instruments, cities, ports, regions and
corridors, with some non-ASCII names (Côte d'Ivoire, Türkiye, São Paulo).

The stream holds, at the stated rates, exact duplicates (an earlier article repeated
unchanged), near duplicates (an earlier article with one or two words inserted or deleted in
its body, same headline) and articles that reuse an earlier headline over a new body (not
duplicates). With `messiness` > 0 a fraction of records is rendered messily (CRLF, trailing
whitespace, blank-line runs, headline case or spacing variants, an undoubled or tripled
headline, control characters, Latin-1 bytes that are invalid UTF-8, hard-wrapped lines) and
headline-only blocks are inserted; the file then also starts with a BOM and a body with no
headline, and ends without a final newline.

Every messy rendering keeps the article's normalised text, so its `article_id` is the one of
the clean rendering (Latin-1 bytes decode back to the same characters under the parser's
cp1252 fallback). Messiness draws from its own random stream: the same seed gives the same
articles in the same order whatever the messiness, a property the tests rely on. Output is
byte-identical for a given seed, size and set of options, on any machine.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import itertools
import json
import math
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, NoReturn

from etl.cli import fraction
from etl.errors import OutputError, UsageError

__all__ = ["MESS_KINDS", "DumpStream", "SynthStats", "generate", "main", "parse_size"]

#: Kinds of per-record messiness, drawn uniformly for each messy record.
MESS_KINDS = (
    "crlf",
    "trailing_whitespace",
    "blank_line_run",
    "headline_case",
    "headline_spacing",
    "headline_once",
    "headline_thrice",
    "control_chars",
    "invalid_utf8",
    "wrapped_lines",
    "headline_without_body",
)

#: Fraction of articles that reuse an earlier headline over a new body.
DEFAULT_SHARED_HEADLINE_RATE = 0.01

# Earlier articles a duplicate may copy: a sliding window keeps memory flat.
_WINDOW = 4096
# Encoded bytes per write: big enough to amortise the write, small enough to stay lean.
_BLOCK_BYTES = 1 << 20
_MIN_WORDS = 120
_MAX_WORDS = 250

# ---------------------------------------------------------------------------------------------
# Vocabulary. Countries: "headline name/body names (the first is canonical)/demonym/capital/
# cities and ports", then one indented line per customs administration:
# "body name;headline name;acronym".
# ---------------------------------------------------------------------------------------------
# The Turkish dotless i in Kapikule's real spelling is deliberate: it exercises Unicode offsets.
_COUNTRIES = """
Kenya/Kenya/Kenyan/Nairobi/Mombasa|Malaba|Nairobi
    the Kenya Revenue Authority;Kenya Revenue Authority;KRA
Uganda/Uganda/Ugandan/Kampala/Kampala|Busia|Entebbe
    the Uganda Revenue Authority;Uganda Revenue Authority;URA
Tanzania/Tanzania|the United Republic of Tanzania/Tanzanian/Dodoma/Dar es Salaam|Tanga|Namanga
    the Tanzania Revenue Authority;Tanzania Revenue Authority;TRA
Rwanda/Rwanda/Rwandan/Kigali/Kigali|Rusumo
    the Rwanda Revenue Authority;Rwanda Revenue Authority;RRA
Nigeria/Nigeria/Nigerian/Abuja/Lagos|Apapa|Tin Can Island|Seme
    the Nigeria Customs Service;Nigeria Customs Service;NCS
Ghana/Ghana/Ghanaian/Accra/Tema|Takoradi|Accra
    the Ghana Revenue Authority;Ghana Revenue Authority;GRA
Côte d'Ivoire/Côte d'Ivoire|Ivory Coast/Ivorian/Yamoussoukro/Abidjan|San-Pédro
    Ivorian Customs;Ivorian Customs;
    the General Directorate of Customs of Côte d'Ivoire;Ivorian Customs;DGD
Senegal/Senegal/Senegalese/Dakar/Dakar|Kaolack
    Senegalese Customs;Senegalese Customs;
Cameroon/Cameroon/Cameroonian/Yaoundé/Douala|Kribi
    Cameroon Customs;Cameroon Customs;
DR Congo/the Democratic Republic of the Congo|DR Congo/Congolese/Kinshasa/Matadi|Kasumbalesa
    the General Directorate of Customs and Excise;Congolese Customs;DGDA
South Africa/South Africa/South African/Pretoria/Durban|Cape Town|Beitbridge
    the South African Revenue Service;South African Revenue Service;SARS
Egypt/Egypt/Egyptian/Cairo/Alexandria|Port Said|Sokhna
    the Egyptian Customs Authority;Egyptian Customs;ECA
Morocco/Morocco/Moroccan/Rabat/Tanger Med|Casablanca
    the Customs and Indirect Taxes Administration;Moroccan Customs;ADII
Ethiopia/Ethiopia/Ethiopian/Addis Ababa/Addis Ababa|Moyale|Galafi
    the Ethiopian Customs Commission;Ethiopian Customs;ECC
China/China|the People's Republic of China/Chinese/Beijing/Shanghai|Shenzhen|Ningbo|Guangzhou
    China Customs;China Customs;
    the General Administration of Customs of China;China Customs;GACC
Hong Kong/Hong Kong|Hong Kong, China/Hong Kong/Hong Kong/Kwai Chung|Lok Ma Chau
    the Customs and Excise Department;Hong Kong Customs;C&ED
Japan/Japan/Japanese/Tokyo/Yokohama|Osaka|Kobe|Narita
    Japan Customs;Japan Customs;
South Korea/the Republic of Korea|South Korea|Korea/South Korean/Seoul/Busan|Incheon
    the Korea Customs Service;Korea Customs Service;KCS
India/India/Indian/New Delhi/Mumbai|Nhava Sheva|Chennai|Mundra
    the Central Board of Indirect Taxes and Customs;Indian Customs;CBIC
Singapore/Singapore/Singaporean/Singapore/Jurong|Pasir Panjang
    Singapore Customs;Singapore Customs;
Malaysia/Malaysia/Malaysian/Kuala Lumpur/Port Klang|Penang|Johor Bahru
    the Royal Malaysian Customs Department;Malaysian Customs;RMCD
Indonesia/Indonesia/Indonesian/Jakarta/Tanjung Priok|Surabaya
    the Directorate General of Customs and Excise;Indonesian Customs;DGCE
Viet Nam/Viet Nam|Vietnam/Vietnamese/Hanoi/Ho Chi Minh City|Hai Phong|Cai Mep
    the General Department of Vietnam Customs;Vietnam Customs;GDVC
Philippines/the Philippines/Filipino/Manila/Manila|Cebu|Subic
    the Bureau of Customs;Philippine Customs;BOC
Thailand/Thailand/Thai/Bangkok/Laem Chabang|Bangkok
    the Thai Customs Department;Thai Customs;
Bangladesh/Bangladesh/Bangladeshi/Dhaka/Chittagong|Benapole
    the National Board of Revenue;Bangladesh Customs;NBR
Pakistan/Pakistan/Pakistani/Islamabad/Karachi|Port Qasim|Torkham
    the Federal Board of Revenue;Pakistan Customs;FBR
Türkiye/Türkiye|Turkey/Turkish/Ankara/Istanbul|Mersin|İzmir|Kapıkule
    the Turkish Ministry of Trade;Turkish Customs;
    Turkish Customs;Turkish Customs;
UAE/the United Arab Emirates|the UAE/Emirati/Abu Dhabi/Dubai|Jebel Ali|Khalifa Port
    Dubai Customs;Dubai Customs;
Saudi Arabia/Saudi Arabia/Saudi/Riyadh/Jeddah|Dammam
    the Zakat, Tax and Customs Authority;Saudi Customs;ZATCA
US/the United States|the U.S.|the USA/American/Washington/Los Angeles|Long Beach|Newark|Laredo
    U.S. Customs and Border Protection;US Customs;CBP
Canada/Canada/Canadian/Ottawa/Vancouver|Montréal|Halifax
    the Canada Border Services Agency;Canada Border Services Agency;CBSA
Mexico/Mexico/Mexican/Mexico City/Manzanillo|Veracruz|Nuevo Laredo|Lázaro Cárdenas
    the Tax Administration Service;Mexican Customs;SAT
    the National Customs Agency of Mexico;Mexican Customs;ANAM
Brazil/Brazil/Brazilian/Brasília/Santos|São Paulo|Paranaguá|Manaus
    the Federal Revenue of Brazil;Receita Federal;RFB
Argentina/Argentina/Argentine/Buenos Aires/Buenos Aires|Rosario
    Argentine Customs;Argentine Customs;
Colombia/Colombia/Colombian/Bogotá/Cartagena|Buenaventura|Bogotá
    the National Tax and Customs Directorate;Colombian Customs;DIAN
Peru/Peru/Peruvian/Lima/Callao|Lima
    the National Superintendency of Customs and Tax Administration;Peruvian Customs;SUNAT
Chile/Chile/Chilean/Santiago/Valparaíso|San Antonio
    the National Customs Service of Chile;Chilean Customs;
UK/the United Kingdom|the UK|Britain/British/London/Felixstowe|Dover|Southampton
    HM Revenue and Customs;HMRC;HMRC
    the UK Border Force;UK Border Force;
Netherlands/the Netherlands/Dutch/Amsterdam/Rotterdam|Amsterdam|Schiphol
    Dutch Customs;Dutch Customs;
Belgium/Belgium/Belgian/Brussels/Antwerp|Zeebrugge|Liège
    Belgian Customs;Belgian Customs;
Germany/Germany/German/Berlin/Hamburg|Bremerhaven|Frankfurt
    German Customs;German Customs;
France/France/French/Paris/Le Havre|Marseille|Roissy
    the Directorate General of Customs and Indirect Taxes;French Customs;DGDDI
Poland/Poland/Polish/Warsaw/Gdańsk|Gdynia|Małaszewicze
    Polish Customs;Polish Customs;
Sweden/Sweden/Swedish/Stockholm/Malmö|Gothenburg
    Swedish Customs;Swedish Customs;
Spain/Spain/Spanish/Madrid/Algeciras|Valencia|Barcelona
    the Spanish Tax Agency;Spanish Customs;AEAT
Russia/Russia|the Russian Federation/Russian/Moscow/St Petersburg|Novorossiysk
    the Federal Customs Service;Russian Customs;FCS
Kazakhstan/Kazakhstan/Kazakh/Astana/Khorgos|Almaty
    the State Revenue Committee;Kazakh Customs;SRC
Uzbekistan/Uzbekistan/Uzbek/Tashkent/Tashkent|Termez
    the State Customs Committee;Uzbek Customs;SCC
Australia/Australia/Australian/Canberra/Sydney|Melbourne|Brisbane
    the Australian Border Force;Australian Border Force;ABF
New Zealand/New Zealand/New Zealand/Wellington/Auckland|Tauranga
    the New Zealand Customs Service;New Zealand Customs;
Fiji/Fiji/Fijian/Suva/Suva|Lautoka
    the Fiji Revenue and Customs Service;Fiji Customs;FRCS
"""  # noqa: RUF001

# International organizations: body name; headline name; acronym.
_ORGS = (
    "the World Customs Organization;WCO;WCO",
    "the World Trade Organization;WTO;WTO",
    "the United Nations Conference on Trade and Development;UNCTAD;UNCTAD",
    "the World Bank;World Bank;",
    "the International Monetary Fund;IMF;IMF",
    "the Organisation for Economic Co-operation and Development;OECD;OECD",
    "the United Nations Economic Commission for Europe;UNECE;UNECE",
    "the United Nations Office on Drugs and Crime;UNODC;UNODC",
    "INTERPOL;INTERPOL;",
    "the International Chamber of Commerce;ICC;ICC",
    "the African Union;African Union;AU",
    "the AfCFTA Secretariat;AfCFTA Secretariat;",
    "the East African Community;EAC;EAC",
    "the Economic Community of West African States;ECOWAS;ECOWAS",
    "the Common Market for Eastern and Southern Africa;COMESA;COMESA",
    "the Southern African Development Community;SADC;SADC",
    "the Association of Southeast Asian Nations;ASEAN;ASEAN",
    "the European Union;EU;EU",
    "the European Commission;European Commission;",
    "the International Trade Centre;ITC;ITC",
    "the Global Alliance for Trade Facilitation;Global Alliance for Trade Facilitation;",
    "the Universal Postal Union;UPU;UPU",
    "the International Maritime Organization;IMO;IMO",
    "the Food and Agriculture Organization;FAO;FAO",
    "the Asian Development Bank;ADB;ADB",
    "the African Development Bank;AfDB;AfDB",
    "the Inter-American Development Bank;IDB;IDB",
    "the Eurasian Economic Union;Eurasian Economic Union;EAEU",
    "the Gulf Cooperation Council;GCC;GCC",
    "the Japan International Cooperation Agency;JICA;JICA",
)

# Programmes, projects, schemes: body name; headline name; acronym.
_PROGRAMMES = (
    "the Authorized Economic Operator programme;AEO Programme;AEO",
    "the Mercator Programme;Mercator Programme;",
    "the National Single Window;National Single Window;NSW",
    "the Single Window system;Single Window;",
    "the Columbus Programme;Columbus Programme;",
    "the PICARD Programme;PICARD Programme;",
    "the Container Control Programme;Container Control Programme;CCP",
    "the Trade Facilitation Support Program;Trade Facilitation Support Program;TFSP",
    "the Green Customs Initiative;Green Customs Initiative;GCI",
    "the ASYCUDA World system;ASYCUDA World;",
    "the Time Release Study;Time Release Study;TRS",
    "the Coordinated Border Management programme;Coordinated Border Management;CBM",
    "the Electronic Cargo Tracking System;Electronic Cargo Tracking;ECTS",
    "the Customs-Business Partnership Programme;Customs-Business Partnership;",
    "the Accelerate Trade Facilitation Programme;Accelerate Trade Facilitation Programme;",
)

# Agreements, conventions, guidelines, standards: body name; headline name; acronym.
_INSTRUMENTS = (
    "the Trade Facilitation Agreement;Trade Facilitation Agreement;TFA",
    "the Revised Kyoto Convention;Revised Kyoto Convention;RKC",
    "the SAFE Framework of Standards;SAFE Framework;",
    "the Harmonized System;Harmonized System;HS",
    "the Istanbul Convention;Istanbul Convention;",
    "the ATA Convention;ATA Convention;",
    "the Convention on International Trade in Endangered Species of Wild Fauna and Flora"
    ";CITES;CITES",
    "the Nairobi Convention;Nairobi Convention;",
    "the Johannesburg Convention;Johannesburg Convention;",
    "the Arusha Declaration;Arusha Declaration;",
    "the Agreement Establishing the African Continental Free Trade Area;AfCFTA Agreement;AfCFTA",
    "the Customs Valuation Agreement;Customs Valuation Agreement;",
    "the Agreement on Rules of Origin;Rules of Origin Agreement;",
    "the WCO Data Model;WCO Data Model;",
    "the Cross-Border E-Commerce Framework of Standards;E-Commerce Framework of Standards;",
    "the Immediate Release Guidelines;Immediate Release Guidelines;",
    "the Post-Clearance Audit Guidelines;Post-Clearance Audit Guidelines;",
    "the TIR Convention;TIR Convention;",
)

# Regions and corridors: body name; headline name.
_REGIONS = (
    "East Africa;East Africa",
    "West Africa;West Africa",
    "Southern Africa;Southern Africa",
    "Sub-Saharan Africa;Sub-Saharan Africa",
    "Latin America;Latin America",
    "the Caribbean;Caribbean",
    "the Asia-Pacific region;Asia-Pacific",
    "Southeast Asia;Southeast Asia",
    "Central Asia;Central Asia",
    "the Middle East;Middle East",
    "North Africa;North Africa",
    "Europe;Europe",
    "the Pacific Islands;Pacific Islands",
    "the Western Balkans;Western Balkans",
    "the Sahel;Sahel",
)
# The region an article about a country usually mentions (headline names of both).
_HOME_REGION = {
    "East Africa": "Kenya|Uganda|Tanzania|Rwanda|Ethiopia|DR Congo",
    "West Africa": "Nigeria|Ghana|Côte d'Ivoire|Senegal|Cameroon",
    "Southern Africa": "South Africa",
    "North Africa": "Egypt|Morocco",
    "Southeast Asia": "Singapore|Malaysia|Indonesia|Viet Nam|Philippines|Thailand",
    "Asia-Pacific": "China|Hong Kong|Japan|South Korea|India|Bangladesh|Pakistan|Australia",
    "Middle East": "Türkiye|UAE|Saudi Arabia",
    "Latin America": "Mexico|Brazil|Argentina|Colombia|Peru|Chile",
    "Caribbean": "US|Canada",
    "Europe": "UK|Netherlands|Belgium|Germany|France|Poland|Sweden|Spain",
    "Central Asia": "Russia|Kazakhstan|Uzbekistan",
    "Pacific Islands": "New Zealand|Fiji",
}
_CORRIDORS = (
    "the Northern Corridor",
    "the Central Corridor",
    "the Lobito Corridor",
    "the Abidjan-Lagos Corridor",
    "the Maputo Corridor",
    "the Middle Corridor",
    "the Dar es Salaam Corridor",
)

# Themes: body phrase; headline phrase.
_THEMES = (
    "trade facilitation;Trade Facilitation",
    "post-clearance audit;Post-Clearance Audit",
    "supply chain security;Supply Chain Security",
    "illegal wildlife trade;Illegal Wildlife Trade",
    "plant health;Plant Health",
    "cross-border e-commerce;Cross-Border E-Commerce",
    "revenue collection;Revenue Collection",
    "risk management;Risk Management",
    "counterfeit goods;Counterfeit Goods",
    "rules of origin;Rules of Origin",
    "customs valuation;Customs Valuation",
    "green customs;Green Customs",
    "digital customs;Digital Customs",
    "transit;Transit Reform",
    "coordinated border management;Border Management",
    "drug trafficking;Drug Trafficking",
    "tariff classification;Tariff Classification",
    "integrity;Customs Integrity",
)

# Seized goods: body phrase; headline phrase.
_SEIZED = (
    "ivory;Ivory",
    "pangolin scales;Pangolin Scales",
    "counterfeit medicines;Counterfeit Medicines",
    "cocaine;Cocaine",
    "undeclared cigarettes;Cigarettes",
    "rhino horn;Rhino Horn",
    "illegally logged timber;Illegal Timber",
    "fake spare parts;Fake Spare Parts",
    "undeclared gold;Gold",
    "ozone-depleting substances;Ozone-Depleting Substances",
    "tramadol tablets;Tramadol",
    "counterfeit apparel;Counterfeit Apparel",
    "sea cucumbers;Sea Cucumbers",
    "methamphetamine;Methamphetamine",
)
_EXPORTS = (
    "coffee", "tea", "cut flowers", "avocados", "cashew nuts", "cocoa", "textiles", "copper",
    "rice", "soybeans", "fish", "spices", "automotive parts", "electronics", "wine", "cotton",
)  # fmt: skip
_OFFICIALS = (
    "Commissioner General", "Director General", "Deputy Commissioner for Customs",
    "Head of Enforcement", "Chief Customs Officer", "Minister of Trade", "Minister of Finance",
)  # fmt: skip
_PEOPLE = (
    "Grace Wanjiru", "Kwame Mensah", "José Martínez", "Ayşe Kaya", "Nguyễn Văn An", "Li Wei",
    "Amara Diallo", "Fatima Zahra El Amrani", "João Silva", "Chloé Dubois", "Søren Nielsen",
    "Priya Sharma", "Ahmed Hassan", "Olga Ivanova", "Kenji Sato", "Mariana López",
    "Thabo Nkosi", "Aïssata Traoré", "Peter Okello", "Hannah Schmidt", "Carlos Gómez",
)  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_PERIODS = ("first quarter", "second quarter", "third quarter", "fourth quarter", "first half")
_ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_CURRENCIES = ("USD", "EUR", "US$")
_FILLERS = ("also", "now", "recently", "further", "officially", "formally", "reportedly")

# ---------------------------------------------------------------------------------------------
# Templates. Headlines are Title Case with no sentence-final punctuation (what the parser's
# headline rule expects). Lead sentences define acronyms; later sentences use them.
# ---------------------------------------------------------------------------------------------
# Stories: a headline and the lead sentence that goes with it.
_STORIES = (
    ("{AdminH} Launches {ProgrammeH} to Speed Up Clearance",
     "{admin_def} has launched {programme_def} to cut clearance times for {demonym} importers "
     "and exporters, officials said in {city} on {date}."),
    ("{CountryH} Ratifies {InstrumentH}",
     "{country} has deposited its instrument of ratification of {instrument_def} with "
     "{org_def}, becoming the {ordinal} country to do so this year."),
    ("{CountryH} Customs Seize {SeizedH} at {Port}",
     "Officers from {admin_def} seized {qty} kilograms of {seized} at {port} on {date}, in an "
     "operation coordinated with {org_def}."),
    ("{OrgH} and {AdminH} Sign Agreement on {ThemeH}",
     "{org_def} and {admin_def} signed a memorandum of understanding in {city} on {date} to "
     "strengthen cooperation on {theme}."),
    ("{OrgH} Workshop in {City} Focuses on {ThemeH}",
     "A {days}-day regional workshop on {theme}, organised by {org_def} in {City}, brought "
     "together {num} officials from {n_countries} countries across {region}."),
    ("{CountryH} and {Country2H} Sign AEO Mutual Recognition Arrangement",
     "{country} and {country2} have signed a Mutual Recognition Arrangement of their "
     "Authorized Economic Operator (AEO) programmes, {admin_def} announced on {date}."),
    ("{AdminH} Reports Record Revenue in {Year}",
     "{admin_def} collected {currency} {amount}.{decimal} billion in revenue in the {period} "
     "of {year}, {pct} percent above target, according to figures released in {capital}."),
    ("{Port} Cuts Cargo Dwell Time With {ProgrammeH}",
     "Traders using {programme_def} at {port} now clear {pct} percent of consignments within "
     "{hours} hours, {admin_def} said in a statement on {date}."),
    ("{DemonymH} Exporters Gain From {ProgrammeH}",
     "{demonym} exporters of {export} have cut the time their goods spend at the border by "
     "{pct2} percent since joining {programme_def}, {admin_def} said on {date}."),
    ("{OrgH} Backs {CountryH} Push on {ThemeH}",
     "{org_def} has pledged support for {country}'s reform agenda on {theme}, following talks "
     "with {admin_def} in {capital} on {date}."),
    ("{RegionH} Customs Chiefs Meet in {City} on {ThemeH}",
     "Heads of customs administrations from across {region} met in {City} on {date} for "
     "talks on {theme} hosted by {admin_def} and {org_def}."),
    ("{CountryH} Moves to Implement {InstrumentH} by {Year2}",
     "{country} has set out a plan to implement {instrument_def} in full by {year2}, "
     "{admin_def} told a meeting of {org_def} in {city} on {date}."),
    ("{AdminH} Steps Up Checks on {SeizedH} Smuggling",
     "{admin_def} has stepped up checks on shipments of {seized} after a series of seizures "
     "at {port}, the agency said in {capital} on {date}."),
    ("{OrgH} Report Ranks {CountryH} Among Top Reformers in {ThemeH}",
     "A new report by {org_def} ranks {country} among the {num} economies that made the most "
     "progress on {theme} in {year}."),
    ("{CountryH} and {Country2H} Agree to Share Customs Data",
     "{country} and {country2} have agreed to exchange customs data electronically under "
     "{instrument_def}, {admin_def} said on {date}."),
    ("New {ProgrammeH} Phase Begins in {CountryH} With {OrgH} Support",
     "A new phase of {programme_def} began in {country} on {date} with funding from "
     "{org_def}, {admin_def} said in {city}."),
)  # fmt: skip
_SENTENCES = (
    "{admin_ref} said the reform would reduce the cost of doing business and support the "
    "implementation of {instrument}.",
    "{demonym} officials said {pct} percent of import declarations are now lodged electronically "
    "through {programme}.",
    "The project is funded by {org_ref} under {programme} and will run until {year2}.",
    "Delegations from {country2} and {country3} attended the meeting as observers.",
    "According to {org_ref}, average release times at {port} fell from {d1} days to {d2} "
    "days over the past {n_years} years.",
    "The initiative forms part of wider efforts across {region} to align national procedures "
    "with {instrument}.",
    "Private-sector representatives in {city} welcomed the move but called for better "
    "coordination between border agencies.",
    "{admin_ref} plans to extend the system to all border posts along {corridor} by {year2}.",
    "Physical inspections will increasingly rely on risk management, with only {pct2} percent "
    "of low-risk consignments selected for examination.",
    "Experts from {org2_def} provided technical assistance during a diagnostic mission to "
    "{capital} in {month}.",
    "The seizure is one of the largest recorded in {region} this year and highlights the "
    "growing role of {port} as a transit hub.",
    "Investigators believe the shipment, declared as {export}, was bound for buyers in {country2}.",
    "{official} {person} described the agreement as a milestone for {theme} in {region}.",
    "More than {num2} companies have been granted AEO status in {country} since the scheme "
    "began in {year0}.",
    "{admin_ref} also plans to connect its systems with those of {country2} to exchange "
    "pre-arrival data.",
    "A joint committee will meet every {months} months to review progress on {theme}.",
    "Training for frontline officers in {city2} is due to start in {month}.",
    "The reform is expected to save traders an estimated {currency} {amount2} million a year.",
    "Under {instrument}, members must publish their clearance procedures and offer advance "
    "rulings on tariff classification.",
    "{demonym} exporters of {export} are expected to be among the main beneficiaries.",
    "{org_ref} will publish a progress report on {theme} at the end of {year}.",
    "Delegates also discussed {instrument2_def} and its role in securing cross-border supply "
    "chains.",
    "Officials said {programme} had been piloted in {City} before being rolled out nationwide.",
    "The authorities in {capital} have opened an investigation into the importers involved.",
    "{admin_ref} said the measures were consistent with {instrument} and with "
    "guidance from {org2_ref}.",
    "{official} {person} told reporters in {city} that revenue targets for {year} remain "
    "within reach.",
    "{country2} is {country}'s {ordinal}-largest trading partner, with two-way trade worth "
    "{currency} {amount}.{decimal} billion in {year0}.",
    "{admin_ref} has trained {num} officers in post-clearance audit since {year0}.",
    "Observers from {org2_def} noted that traders in {region} still face long queues at {port2}.",
    "{org_ref} estimates that full implementation of {instrument} could cut trade costs by "
    "{pct2} percent in {region}.",
    "A pilot for paperless {theme} checks at {port} reduced the average inspection time to "
    "{hours} hours.",
    "{admin_ref} urged importers to register for {programme} before {month} {year2}.",
    "Customs brokers in {city} said the new rules on {theme} would take time to bed in.",
    "{org_ref} and {admin_ref} will hold a follow-up meeting in {city2} next year.",
)

# Acronyms used without an article ("ASEAN said", not "the ASEAN said").
_BARE_ACRONYMS = frozenset(
    {"ASEAN", "COMESA", "ECOWAS", "JICA", "SADC", "UNCTAD", "UNECE", "UNODC", "SUNAT", "ZATCA",
     "KRA", "URA", "TRA", "RRA", "GRA", "SARS", "HMRC", "CBP", "CBSA", "DIAN"}
)  # fmt: skip

_STRIDES = tuple(k for k in range(1, len(_SENTENCES)) if math.gcd(k, len(_SENTENCES)) == 1)

_LATIN1 = re.compile("[\u00a0-\u00ff]")
# Latin-1 characters written as their single cp1252 byte (invalid UTF-8): the parser's
# fallback decodes each back to the same character, so the article's text is unchanged.
_TO_LATIN1_BYTES = {code: 0xDC00 + code for code in range(0xA0, 0x100)}


@dataclass(frozen=True, slots=True)
class SynthStats:
    """What a synthetic dump holds, by construction."""

    path: str
    bytes: int  # uncompressed size of the dump
    records: int  # blocks the parser reads: articles + duplicates + rejects
    articles: int  # records left after exact and near dedup, rejects excluded
    exact_duplicates: int
    near_duplicates: int
    shared_headlines: int  # new bodies under an earlier headline (not duplicates)
    rejects: int  # headline-without-body and body-without-headline blocks
    messy: dict[str, int] = field(
        default_factory=dict
    )  # records per MESS_KINDS entry (+ file-level)


def _pick(r: float, seq: tuple[str, ...]) -> str:
    return seq[int(r * len(seq))]


def _split3(entry: str) -> tuple[str, str, str]:
    body, head, acronym = entry.split(";")
    return body, head, acronym


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(slots=True)
class _Country:
    head: str
    names: tuple[str, ...]
    demonym: str
    capital: str
    places: tuple[str, ...]
    admins: list[tuple[str, str, str]] = field(default_factory=list)


def _countries() -> tuple[_Country, ...]:
    """Parse the country table."""
    countries: list[_Country] = []
    for line in _COUNTRIES.strip("\n").splitlines():
        if line.startswith(" "):
            countries[-1].admins.append(_split3(line.strip()))
            continue
        head, names, demonym, capital, places = line.split("/")
        countries.append(
            _Country(head, tuple(names.split("|")), demonym, capital, tuple(places.split("|")))
        )
    return tuple(countries)


def _defined(name: str, acronym: str) -> str:
    """The first mention of a name, defining its acronym in the text where it has one."""
    return f"{name} ({acronym})" if acronym else name


def _referred(name: str, acronym: str) -> str:
    """A later mention: the acronym (with the name's article where usage keeps it), or the name."""
    if not acronym:
        return name
    return (
        f"the {acronym}" if name.startswith("the ") and acronym not in _BARE_ACRONYMS else acronym
    )


class _Articles:
    """Fresh articles (headline, body) drawn from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.countries = _countries()
        self.orgs = tuple(_split3(o) for o in _ORGS)
        self.programmes = tuple(_split3(p) for p in _PROGRAMMES)
        self.instruments = tuple(_split3(i) for i in _INSTRUMENTS)
        self.regions = tuple(tuple(r.split(";")) for r in _REGIONS)
        by_head = {region[1]: region for region in self.regions}
        self.home = {
            country: by_head[head]
            for head, countries in _HOME_REGION.items()
            for country in countries.split("|")
        }
        self.themes = tuple(tuple(t.split(";")) for t in _THEMES)
        self.seized = tuple(tuple(s.split(";")) for s in _SEIZED)

    def cast(self) -> dict[str, str]:
        """Return the slot values of one article: who and what it is about."""
        r = self.rng.random
        cs = self.countries
        n = len(cs)
        c, c2, c3 = cs[int(r() * n)], cs[int(r() * n)], cs[int(r() * n)]
        if c2 is c:
            c2 = cs[(cs.index(c) + 1) % n]
        admin = c.admins[int(r() * len(c.admins))]
        org = self.orgs[int(r() * len(self.orgs))]
        org2 = self.orgs[int(r() * len(self.orgs))]
        prog = self.programmes[int(r() * len(self.programmes))]
        inst = self.instruments[int(r() * len(self.instruments))]
        inst2 = self.instruments[int(r() * len(self.instruments))]
        region = self.home.get(c.head) if r() < 0.7 else None
        region = region or self.regions[int(r() * len(self.regions))]
        theme = self.themes[int(r() * len(self.themes))]
        seized = self.seized[int(r() * len(self.seized))]
        year = 2012 + int(r() * 14)
        amount = 1 + int(r() * 90)
        port = _pick(r(), c.places)
        d1 = 3 + int(r() * 12)
        return {
            "story": str(int(r() * len(_STORIES))),
            "country": _pick(r(), c.names),
            "country2": _pick(r(), c2.names),
            "country3": _pick(r(), c3.names),
            "CountryH": c.head,
            "Country2H": c2.head,
            "demonym": c.demonym,
            "DemonymH": c.demonym,
            "capital": c.capital,
            "city": _pick(r(), c.places) if r() < 0.5 else c.capital,
            "City": _pick(r(), c.places),
            "city2": _pick(r(), c2.places),
            "port": port,
            "Port": port,
            "port2": _pick(r(), c2.places),
            "admin_def": _defined(admin[0], admin[2]),
            "admin_ref": _referred(admin[0], admin[2]),
            "AdminH": admin[1],
            "org_def": _defined(org[0], org[2]),
            "org_ref": _referred(org[0], org[2]),
            "OrgH": org[1],
            "org2_def": _defined(org2[0], org2[2]),
            "org2_ref": _referred(org2[0], org2[2]),
            "programme_def": _defined(prog[0], prog[2]),
            "programme": prog[0],
            "programme_h": prog[1],
            "ProgrammeH": prog[1],
            "instrument_def": _defined(inst[0], inst[2]),
            "instrument": inst[0],
            "InstrumentH": inst[1],
            "instrument2_def": _defined(inst2[0], inst2[2]),
            "region": region[0],
            "RegionH": region[1],
            "corridor": _pick(r(), _CORRIDORS),
            "theme": theme[0],
            "ThemeH": theme[1],
            "seized": seized[0],
            "SeizedH": seized[1],
            "export": _pick(r(), _EXPORTS),
            "official": _pick(r(), _OFFICIALS),
            "person": _pick(r(), _PEOPLE),
            "date": f"{1 + int(r() * 28)} {_pick(r(), _MONTHS)}",
            "month": _pick(r(), _MONTHS),
            "period": _pick(r(), _PERIODS),
            "ordinal": _pick(r(), _ORDINALS),
            "currency": _pick(r(), _CURRENCIES),
            "year": str(year),
            "Year": str(year),
            "year0": str(year - 1 - int(r() * 8)),
            "year2": str(year + 1 + int(r() * 5)),
            "Year2": str(year + 1 + int(r() * 5)),
            "qty": f"{10 + int(r() * 4990):,}",
            "num": str(12 + int(r() * 300)),
            "num2": f"{20 + int(r() * 2500):,}",
            "n_countries": str(3 + int(r() * 30)),
            "days": str(2 + int(r() * 4)),
            "hours": str(1 + int(r() * 47)),
            "months": str(2 + int(r() * 5)),
            "n_years": str(2 + int(r() * 6)),
            "d1": str(d1),
            "d2": str(1 + int(r() * (d1 - 1))),
            "pct": str(5 + int(r() * 90)),
            "pct2": str(2 + int(r() * 30)),
            "amount": str(amount),
            "amount2": str(5 + int(r() * 400)),
            "decimal": str(int(r() * 10)),
        }

    def headline(self, cast: dict[str, str]) -> str:
        """Return a Title Case headline for `cast`."""
        return _STORIES[int(cast["story"])][0].format_map(cast)

    def body(self, cast: dict[str, str]) -> str:
        """Return a body of 1-3 paragraphs and about 120-250 words for `cast`."""
        r = self.rng.random
        sentences = [_cap(_STORIES[int(cast["story"])][1].format_map(cast))]
        words = sentences[0].count(" ") + 1
        target = _MIN_WORDS + int(r() * (_MAX_WORDS - _MIN_WORDS - 25))
        n_templates = len(_SENTENCES)
        index = int(r() * n_templates)
        # A stride coprime with the number of templates walks them all before repeating one.
        step = _STRIDES[int(r() * len(_STRIDES))]
        while words < target:
            index = (index + step) % n_templates
            sentence = _cap(_SENTENCES[index].format_map(cast))
            sentences.append(sentence)
            words += sentence.count(" ") + 1
        paragraphs = 1 + int(r() * 3)
        if paragraphs == 1 or len(sentences) < 4:
            return " ".join(sentences)
        cut = [0, *sorted({1 + int(r() * (len(sentences) - 1)) for _ in range(paragraphs - 1)})]
        cut.append(len(sentences))
        return "\n\n".join(" ".join(sentences[a:b]) for a, b in itertools.pairwise(cut) if b > a)

    def article(self) -> tuple[str, str]:
        """Return a fresh (headline, body)."""
        cast = self.cast()
        return self.headline(cast), self.body(cast)


def _edit(body: str, rng: random.Random) -> str:
    """Return `body` with one or two words inserted or deleted: a near duplicate."""
    r = rng.random
    words = body.split(" ")
    for _ in range(1 + int(r() * 2)):
        at = 1 + int(r() * (len(words) - 2))
        if r() < 0.5 and "\n" not in words[at]:
            del words[at]
        else:
            words.insert(at, _pick(r(), _FILLERS))
    edited = " ".join(words)
    return edited if edited != body else f"{body} {_FILLERS[0]}"


def _wrap(body: str, every: int) -> str:
    """Hard-wrap each paragraph of `body` every `every` words (it parses back to the same text)."""
    wrapped = []
    for paragraph in body.split("\n\n"):
        words = paragraph.split(" ")
        wrapped.append(
            "\n".join(" ".join(words[i : i + every]) for i in range(0, len(words), every))
        )
    return "\n\n".join(wrapped)


def _insert_control(body: str, r: float, char: str) -> str:
    """Return `body` with a control character inside its first paragraph, before a word."""
    first = body.find("\n\n")
    limit = first if first > 0 else len(body)
    at = body.find(" ", int(r * limit * 0.9))
    at = at + 1 if 0 <= at < limit else 1
    return body[:at] + char + body[at:]


def _clean(headline: str, body: str, _: random.Random) -> str:
    return f"{headline}\n\n{headline}\n\n{body}\n\n"


def _crlf(headline: str, body: str, _: random.Random) -> str:
    return _clean(headline, body, _).replace("\n", "\r\n")


def _trailing_whitespace(headline: str, body: str, _: random.Random) -> str:
    # The same trailing run on both headline lines: a whitespace repair, not a headline variant.
    body = body.replace("\n\n", "  \n\n")
    return f"{headline} \t\n\n{headline} \t\n\n{body} \n\n"


def _blank_line_run(headline: str, body: str, _: random.Random) -> str:
    return f"{headline}\n\n\n\n{headline}\n  \n\t\n\n{body}\n\n\n"


def _headline_case(headline: str, body: str, rng: random.Random) -> str:
    variant = headline.upper() if rng.random() < 0.5 else headline.lower()
    return f"{headline}\n\n{variant}\n\n{body}\n\n"


def _headline_spacing(headline: str, body: str, _: random.Random) -> str:
    return f"{headline}\n\n{headline.replace(' ', '  ', 1)}\n\n{body}\n\n"


def _headline_once(headline: str, body: str, _: random.Random) -> str:
    return f"{headline}\n\n{body}\n\n"


def _headline_thrice(headline: str, body: str, _: random.Random) -> str:
    return f"{headline}\n\n{headline}\n\n{headline}\n\n{body}\n\n"


def _control_chars(headline: str, body: str, rng: random.Random) -> str:
    body = _insert_control(body, rng.random(), "\x00" if rng.random() < 0.5 else "\x07")
    return _clean(headline, body, rng)


def _invalid_utf8(headline: str, body: str, _: random.Random) -> str:
    return _clean(headline, body, _).translate(_TO_LATIN1_BYTES)


def _wrapped_lines(headline: str, body: str, rng: random.Random) -> str:
    return _clean(headline, _wrap(body, 8 + int(rng.random() * 8)), rng)


# How each kind of mess renders a record ("headline_without_body" adds a block instead).
_RENDER = {
    "crlf": _crlf,
    "trailing_whitespace": _trailing_whitespace,
    "blank_line_run": _blank_line_run,
    "headline_case": _headline_case,
    "headline_spacing": _headline_spacing,
    "headline_once": _headline_once,
    "headline_thrice": _headline_thrice,
    "control_chars": _control_chars,
    "invalid_utf8": _invalid_utf8,
    "wrapped_lines": _wrapped_lines,
}


@dataclass(slots=True)
class _Seen:
    """An earlier fresh article that a duplicate may copy."""

    headline: str
    body: str
    edited: bool = False  # used as a near-duplicate source (each is edited at most once)


class DumpStream:
    """A synthetic dump as a stream of encoded blocks; `stats` is complete once it is consumed."""

    def __init__(
        self,
        size_bytes: int,
        *,
        seed: int = 0,
        exact_dup_rate: float = 0.02,
        near_dup_rate: float = 0.02,
        shared_headline_rate: float = DEFAULT_SHARED_HEADLINE_RATE,
        messiness: float = 0.0,
        path: str = "",
    ) -> None:
        rates = (exact_dup_rate, near_dup_rate, shared_headline_rate, messiness)
        if any(not 0.0 <= rate <= 1.0 for rate in rates) or sum(rates[:3]) > 1.0:
            raise ValueError(
                "rates must be in [0, 1] and the duplicate rates must sum to at most 1"
            )
        if size_bytes <= 0:
            raise ValueError(f"size must be positive, not {size_bytes}")
        self.size_bytes = size_bytes
        self.messiness = messiness
        self.path = path
        # Thresholds on one uniform draw per record: exact, near, shared headline, fresh.
        self._exact_until = exact_dup_rate
        self._near_until = exact_dup_rate + near_dup_rate
        self._shared_until = self._near_until + shared_headline_rate
        # Two random streams: content never depends on messiness, so the same seed gives the
        # same articles in the same order at any messiness.
        self._crng = random.Random(seed)
        self._mrng = random.Random(f"mess:{seed}")
        self._articles = _Articles(self._crng)
        self._mess_articles = _Articles(random.Random(f"mess-text:{seed}"))
        self._window: list[_Seen] = []
        self._counts = {"records": 0, "exact": 0, "near": 0, "shared": 0, "rejects": 0}
        self._messy = dict.fromkeys(MESS_KINDS, 0)
        self._bytes = 0
        self._started = False
        self._done = False

    @property
    def stats(self) -> SynthStats:
        """Return what the dump holds; only complete once the stream has been consumed."""
        if not self._done:
            raise RuntimeError("the stream has not been consumed yet")
        c = self._counts
        return SynthStats(
            path=self.path,
            bytes=self._bytes,
            records=c["records"],
            articles=c["records"] - c["exact"] - c["near"] - c["rejects"],
            exact_duplicates=c["exact"],
            near_duplicates=c["near"],
            shared_headlines=c["shared"],
            rejects=c["rejects"],
            messy={kind: count for kind, count in self._messy.items() if count},
        )

    def _content(self) -> tuple[str, str]:
        """Return the next record's (headline, body): fresh, or a duplicate of an earlier one."""
        r = self._crng.random
        window = self._window
        kind = r()
        if window and kind < self._near_until:
            seen = window[int(r() * len(window))]
            if kind < self._exact_until:
                self._counts["exact"] += 1
                return seen.headline, seen.body
            if not seen.edited:
                seen.edited = True
                self._counts["near"] += 1
                return seen.headline, _edit(seen.body, self._crng)
            headline, body = self._articles.article()  # already edited: a fresh article instead
        elif window and kind < self._shared_until:
            headline = window[int(r() * len(window))].headline
            body = self._articles.body(self._articles.cast())
            self._counts["shared"] += 1
        else:
            headline, body = self._articles.article()
        window.append(_Seen(headline, body))
        if len(window) > _WINDOW:
            del window[: _WINDOW // 2]
        return headline, body

    def _render(self, headline: str, body: str) -> list[str]:
        """Return the record as dump text, maybe messy, maybe after a headline-only block."""
        if not (self.messiness and self._mrng.random() < self.messiness):
            return [_clean(headline, body, self._mrng)]
        mess = MESS_KINDS[int(self._mrng.random() * len(MESS_KINDS))]
        if mess == "headline_without_body":
            # A headline-only block before a cleanly rendered record: the next headline is
            # doubled, so the orphan can be neither its body nor an undoubled headline.
            self._messy[mess] += 1
            self._counts["rejects"] += 1
            orphan = self._mess_articles.headline(self._mess_articles.cast())
            return [f"{orphan}\n\n{orphan}\n\n", _clean(headline, body, self._mrng)]
        if mess == "invalid_utf8" and not _LATIN1.search(headline + body):
            mess = "control_chars"  # nothing to write as Latin-1 in this record
        self._messy[mess] += 1
        return [_RENDER[mess](headline, body, self._mrng)]

    def _preamble(self) -> bytes:
        """File-level mess: a BOM, then a body with no headline before the first record."""
        self._messy["body_without_headline"] = 1
        self._messy["bom"] = 1
        self._counts["records"] += 1  # each rendered block is one record read by the parser
        self._counts["rejects"] += 1
        _, orphan = self._mess_articles.article()
        return b"\xef\xbb\xbf" + f"{orphan}\n\n".encode()

    def __iter__(self) -> Iterator[bytes]:
        """Yield the dump's bytes in blocks of about 1 MiB."""
        if self._started:
            raise RuntimeError("a DumpStream can be consumed only once")
        self._started = True
        block: list[bytes] = [self._preamble()] if self.messiness else []
        block_bytes = sum(len(b) for b in block)
        total = 0
        while total + block_bytes < self.size_bytes:
            headline, body = self._content()
            for text in self._render(headline, body):
                data = text.encode("utf-8", "surrogateescape")
                block.append(data)
                block_bytes += len(data)
                self._counts["records"] += 1
            # The last block is kept back so the final record can lose its final newline.
            if block_bytes >= _BLOCK_BYTES and total + block_bytes < self.size_bytes:
                total += block_bytes
                yield b"".join(block)
                block, block_bytes = [], 0
        if block and self.messiness:
            # No final newline: the last record ends with its last word.
            last = block[-1].rstrip(b"\r\n")
            block_bytes -= len(block[-1]) - len(last)
            block[-1] = last
            self._messy["no_final_newline"] = 1
        self._bytes = total + block_bytes
        self._done = True
        if block:
            yield b"".join(block)


def generate(
    path: Path,
    size_bytes: int,
    *,
    seed: int = 0,
    exact_dup_rate: float = 0.02,
    near_dup_rate: float = 0.02,
    messiness: float = 0.0,
    gzip: bool = False,
    shared_headline_rate: float = DEFAULT_SHARED_HEADLINE_RATE,
) -> SynthStats:
    """Write a dump of about `size_bytes` (uncompressed) to `path` and return its stats."""
    stream = DumpStream(
        size_bytes,
        seed=seed,
        exact_dup_rate=exact_dup_rate,
        near_dup_rate=near_dup_rate,
        shared_headline_rate=shared_headline_rate,
        messiness=messiness,
        path=str(path),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw:
        # mtime=0 and no file name in the header keep gzip output byte-identical across runs.
        out: BinaryIO = (
            gzip_module.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=1, mtime=0)  # type: ignore[assignment]
            if gzip
            else raw
        )
        with out:
            for block in stream:
                out.write(block)
    return stream.stats


_UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
}


def parse_size(text: str) -> int:
    """Return the bytes in a size such as `100MB`, `1GB`, `512KiB` or `2000` (SI: MB = 10**6)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).upper() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (use e.g. 100MB, 1GB, 512KiB)")
    value = int(float(match.group(1)) * _UNITS[unit])
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are raised as one-line usage errors."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic dump from command-line options and return the exit status."""
    parser = _Parser(
        prog="etl synth",
        description="Write a deterministic synthetic trade-news dump; prints its stats as JSON.",
    )
    parser.add_argument(
        "--size", type=_size, default=parse_size("100MB"), help="uncompressed: 20MB, 1GB, 512MiB"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="PATH", help="file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--messiness", type=fraction, default=0.0, metavar="X", help="fraction of messy records"
    )
    parser.add_argument("--exact-dup-rate", type=fraction, default=0.02, metavar="X")
    parser.add_argument("--near-dup-rate", type=fraction, default=0.02, metavar="X")
    parser.add_argument(
        "--gzip", action="store_true", help="gzip the output (implied by a .gz name)"
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]  # `etl synth -- --size 1GB ...`: the separator is not an option
    try:
        args = parser.parse_args(argv)
        stats = generate(
            args.out,
            args.size,
            seed=args.seed,
            exact_dup_rate=args.exact_dup_rate,
            near_dup_rate=args.near_dup_rate,
            messiness=args.messiness,
            gzip=args.gzip or args.out.name.endswith(".gz"),
        )
    except UsageError as error:
        print(f"etl synth: error: {error}", file=sys.stderr)
        return error.exit_code
    except ValueError as error:
        print(f"etl synth: error: {error}", file=sys.stderr)
        return UsageError.exit_code
    except OSError as error:
        print(
            f"etl synth: error: {OutputError(args.out, error.strerror or str(error))}",
            file=sys.stderr,
        )
        return OutputError.exit_code
    print(json.dumps(asdict(stats), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
