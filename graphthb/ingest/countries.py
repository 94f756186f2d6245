"""Country names and codes, for :func:`graphthb.ingest.normalize.country`.

One line per country: the ISO 3166-1 alpha-2 code, the alpha-3 code, then the
English name and other names separated by ``|``. Other names are native names
(in their own script), common English variants and a few exonyms in the main
European languages, because analysts paste what the ad or the platform shows.
Matching folds case, accents and punctuation, so each spelling is listed once.

Kosovo has no ISO code; ``XK``/``XKX`` are the user-assigned codes that the EU,
phonenumbers and most data sets use. ``UK`` (GB) and ``EL`` (GR) are the codes
the EU itself writes; they are not assigned to anything else.
"""

from __future__ import annotations

__all__ = ["COUNTRY_TABLE", "parse_table"]

COUNTRY_TABLE = """
AD AND Andorra
AE ARE United Arab Emirates | UAE | Emirates
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania | Shqipëria | Shqipëri | Albanien | Albanie
AM ARM Armenia | Հայաստան | Hayastan
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria | Österreich | Autriche
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands | Åland
AZ AZE Azerbaijan | Azərbaycan
BA BIH Bosnia and Herzegovina | Bosnia | Bosnia-Herzegovina | Bosna i Hercegovina | Босна и Херцеговина | BiH
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium | België | Belgique | Belgien | Belgio | Bélgica
BF BFA Burkina Faso
BG BGR Bulgaria | България | Bulgarien | Bulgarie
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy | St Barthélemy
BM BMU Bermuda
BN BRN Brunei | Brunei Darussalam
BO BOL Bolivia | Bolivia, Plurinational State of
BQ BES Bonaire, Sint Eustatius and Saba | Caribbean Netherlands | Bonaire
BR BRA Brazil | Brasil
BS BHS Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus | Беларусь | Белоруссия | Byelorussia | Belorussia | Weißrussland
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands | Cocos Islands
CD COD Democratic Republic of the Congo | DR Congo | DRC | Congo-Kinshasa | Congo, Democratic Republic of the | Congo, The Democratic Republic of the
CF CAF Central African Republic
CG COG Congo | Republic of the Congo | Congo-Brazzaville
CH CHE Switzerland | Schweiz | Suisse | Svizzera | Svizra | Suiza
CI CIV Côte d'Ivoire | Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China | 中国 | People's Republic of China | PRC
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cabo Verde | Cape Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus | Κύπρος | Kıbrıs | Zypern | Chypre | Cipro
CZ CZE Czechia | Czech Republic | Czech | Česko | Česká republika | Tschechien | République tchèque | Chequia | Czechy
DE DEU Germany | Deutschland | Allemagne | Alemania | Germania | Niemcy | Duitsland | Německo | Németország | Tyskland | Γερμανία | Германия | Німеччина
DJ DJI Djibouti
DK DNK Denmark | Danmark | Dänemark | Danemark | Dinamarca
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia | Eesti | Estland | Estonie
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain | España | Espagne | Spanien | Spagna | Espanha | Hiszpania | Spanje | Spania | Španělsko | Spanyolország | Ισπανία | Испания | Іспанія
ET ETH Ethiopia
FI FIN Finland | Suomi | Finnland | Finlande
FJ FJI Fiji
FK FLK Falkland Islands | Falklands | Falkland Islands (Malvinas) | Malvinas
FM FSM Micronesia | Federated States of Micronesia | Micronesia, Federated States of
FO FRO Faroe Islands | Føroyar | Faroes
FR FRA France | Frankreich | Francia | França | Francja | Frankrijk | Franța | Francie | Franciaország | Frankrike | Γαλλία | Франция | Франція
GA GAB Gabon
GB GBR United Kingdom | UK | Great Britain | Britain | England | Scotland | Wales | Northern Ireland | United Kingdom of Great Britain and Northern Ireland | Großbritannien | Grossbritannien | Royaume-Uni | Reino Unido | Regno Unito | Verenigd Koninkrijk | Wielka Brytania | Marea Britanie
GD GRD Grenada
GE GEO Georgia | საქართველო | Sakartvelo
GF GUF French Guiana | Guyane
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland | Kalaallit Nunaat | Grønland
GM GMB Gambia | The Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece | EL | Ελλάδα | Ελλάς | Ellada | Hellas | Griechenland | Grèce | Grecia | Grécia | Grecja | Griekenland | Řecko | Görögország | Grekland | Греция | Греція
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia | Hrvatska | Kroatien | Croatie | Croazia | Chorwacja
HT HTI Haiti
HU HUN Hungary | Magyarország | Ungarn | Hongrie | Ungheria | Hungría | Węgry | Hongarije | Ungaria | Maďarsko | Венгрия | Угорщина
ID IDN Indonesia
IE IRL Ireland | Éire | Republic of Ireland | Irland | Irlande | Irlanda
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran | Islamic Republic of Iran | Iran, Islamic Republic of
IS ISL Iceland | Ísland | Island
IT ITA Italy | Italia | Italien | Italie | Itália | Włochy | Italië | Itálie | Olaszország | Ιταλία | Италия | Італія
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan | Kirghizia
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis | St Kitts and Nevis
KP PRK North Korea | Democratic People's Republic of Korea | Korea, Democratic People's Republic of | DPRK
KR KOR South Korea | Korea | Republic of Korea | Korea, Republic of
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan | Қазақстан | Казахстан
LA LAO Laos | Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia | St Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania | Lietuva | Litauen | Lituanie | Litwa
LU LUX Luxembourg | Lëtzebuerg | Luxemburg | Lussemburgo | Luxemburgo
LV LVA Latvia | Latvija | Lettland | Lettonie | Łotwa
LY LBY Libya
MA MAR Morocco | Maroc
MC MCO Monaco
MD MDA Moldova | Republic of Moldova | Moldova, Republic of | Moldawien | Moldavie | Moldavia | Mołdawia | Молдова | Молдавия
ME MNE Montenegro | Crna Gora | Црна Гора
MF MAF Saint Martin (French part) | Saint-Martin
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia | Macedonia | Северна Македонија | Македонија | Severna Makedonija | Nordmazedonien | Macédoine du Nord | Macedonia del Nord
ML MLI Mali
MM MMR Myanmar | Burma
MN MNG Mongolia
MO MAC Macao | Macau
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico | México
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia | Nouvelle-Calédonie
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands | The Netherlands | Nederland | Holland | Niederlande | Pays-Bas | Países Bajos | Paesi Bassi | Holandia | Olanda | Nizozemsko | Hollandia | Nederländerna | Ολλανδία | Нидерланды | Нідерланди
NO NOR Norway | Norge | Noreg | Norwegen | Norvège | Noruega | Norvegia | Norwegia
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand | Aotearoa
OM OMN Oman
PA PAN Panama | Panamá
PE PER Peru | Perú
PF PYF French Polynesia | Polynésie française
PG PNG Papua New Guinea
PH PHL Philippines | Pilipinas
PK PAK Pakistan
PL POL Poland | Polska | Polen | Pologne | Polonia | Polónia | Polsko | Lengyelország | Польша | Польща
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn | Pitcairn Islands
PR PRI Puerto Rico
PS PSE Palestine | State of Palestine | Palestine, State of | Palestinian Territories
PT PRT Portugal | Portogallo | Portugalia | Portugalsko
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania | România | Rumänien | Roumanie | Rumania | Roménia | Rumunia | Roemenië | Rumunsko | Románia | Ρουμανία | Румыния | Румунія
RS SRB Serbia | Srbija | Србија | Serbien | Serbie | Сербия
RU RUS Russia | Russian Federation | Россия | Российская Федерация | Rossiya | Russland | Russie | Rusia | Rosja | Rusland | Rusko | Oroszország | Росія
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden | Sverige | Schweden | Suède | Suecia | Svezia | Szwecja | Zweden | Švédsko | Svédország
SG SGP Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha | Saint Helena | St Helena
SI SVN Slovenia | Slovenija | Slowenien | Slovénie
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia | Slovensko | Slovak Republic | Slowakei | Slovaquie | Słowacja
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal | Sénégal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP Sao Tome and Principe | São Tomé and Príncipe
SV SLV El Salvador
SX SXM Sint Maarten | Sint Maarten (Dutch part)
SY SYR Syria | Syrian Arab Republic
SZ SWZ Eswatini | Swaziland
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste | East Timor
TM TKM Turkmenistan
TN TUN Tunisia | Tunisie
TO TON Tonga
TR TUR Turkey | Türkiye | Turkiye | Türkei | Turquie | Turquía | Turchia | Turcja
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan | Taiwan, Province of China
TZ TZA Tanzania | United Republic of Tanzania | Tanzania, United Republic of
UA UKR Ukraine | Україна | Украина | Ukraina | Ucraina | Ucrania | Ucrânia | Oekraïne | Ukrajina | Ukrajna | Ουκρανία | Украйна
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States | United States of America | America | USA | U.S. | U.S.A. | Vereinigte Staaten | États-Unis | Estados Unidos | Stati Uniti | Stany Zjednoczone | США
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Holy See | Vatican | Vatican City | Vatikan | Holy See (Vatican City State)
VC VCT Saint Vincent and the Grenadines | St Vincent and the Grenadines
VE VEN Venezuela | Venezuela, Bolivarian Republic of
VG VGB British Virgin Islands | Virgin Islands, British
VI VIR United States Virgin Islands | US Virgin Islands | Virgin Islands, U.S.
VN VNM Viet Nam | Vietnam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
XK XKX Kosovo | Kosova | Косово
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa | RSA
ZM ZMB Zambia
ZW ZWE Zimbabwe
"""


def parse_table(table: str = COUNTRY_TABLE) -> list[tuple[str, str, list[str]]]:
    """The table as ``(alpha2, alpha3, names)`` rows, names in the order written."""
    rows = []
    for line in table.strip().splitlines():
        codes, _, names = line.partition(" ")
        alpha3, _, names = names.partition(" ")
        rows.append((codes, alpha3, [n.strip() for n in names.split("|") if n.strip()]))
    return rows
