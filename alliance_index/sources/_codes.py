"""Code tables the readers need to put other code systems on COW numbers.

UN vote records (ISO 3166 alpha-2, plus a few historical codes) and ICEWS
(ISO 3166 alpha-3) are mapped onto Correlates of War state numbers here. The
table lists, for each COW state that appears in those files, ``(cow, iso2, iso3)``.
Historical states whose records carry no ISO code in the UN vote data are
matched by the name in the file (:data:`UN_NAME_TO_COW`).
"""
from __future__ import annotations

# (cow, iso2, iso3)
_TABLE = [
    (2, "US", "USA"), (20, "CA", "CAN"), (31, "BS", "BHS"), (40, "CU", "CUB"), (41, "HT", "HTI"),
    (42, "DO", "DOM"), (51, "JM", "JAM"), (52, "TT", "TTO"), (53, "BB", "BRB"), (54, "DM", "DMA"),
    (55, "GD", "GRD"), (56, "LC", "LCA"), (57, "VC", "VCT"), (58, "AG", "ATG"), (60, "KN", "KNA"),
    (70, "MX", "MEX"), (80, "BZ", "BLZ"), (90, "GT", "GTM"), (91, "HN", "HND"), (92, "SV", "SLV"),
    (93, "NI", "NIC"), (94, "CR", "CRI"), (95, "PA", "PAN"), (100, "CO", "COL"), (101, "VE", "VEN"),
    (110, "GY", "GUY"), (115, "SR", "SUR"), (130, "EC", "ECU"), (135, "PE", "PER"), (140, "BR", "BRA"),
    (145, "BO", "BOL"), (150, "PY", "PRY"), (155, "CL", "CHL"), (160, "AR", "ARG"), (165, "UY", "URY"),
    (200, "GB", "GBR"), (205, "IE", "IRL"), (210, "NL", "NLD"), (211, "BE", "BEL"), (212, "LU", "LUX"),
    (220, "FR", "FRA"), (221, "MC", "MCO"), (223, "LI", "LIE"), (225, "CH", "CHE"), (230, "ES", "ESP"),
    (232, "AD", "AND"), (235, "PT", "PRT"), (255, "DE", "DEU"), (265, "DD", "DDR"), (290, "PL", "POL"),
    (305, "AT", "AUT"), (310, "HU", "HUN"), (315, "CS", "CSK"), (316, "CZ", "CZE"), (317, "SK", "SVK"),
    (325, "IT", "ITA"), (331, "SM", "SMR"), (338, "MT", "MLT"), (339, "AL", "ALB"), (341, "ME", "MNE"),
    (343, "MK", "MKD"), (344, "HR", "HRV"), (345, "YU", "YUG"), (346, "BA", "BIH"), (347, "XK", "XKX"),
    (349, "SI", "SVN"), (350, "GR", "GRC"), (352, "CY", "CYP"), (355, "BG", "BGR"), (359, "MD", "MDA"),
    (360, "RO", "ROU"), (365, "RU", "RUS"), (366, "EE", "EST"), (367, "LV", "LVA"), (368, "LT", "LTU"),
    (369, "UA", "UKR"), (370, "BY", "BLR"), (371, "AM", "ARM"), (372, "GE", "GEO"), (373, "AZ", "AZE"),
    (375, "FI", "FIN"), (380, "SE", "SWE"), (385, "NO", "NOR"), (390, "DK", "DNK"), (395, "IS", "ISL"),
    (402, "CV", "CPV"), (403, "ST", "STP"), (404, "GW", "GNB"), (411, "GQ", "GNQ"), (420, "GM", "GMB"),
    (432, "ML", "MLI"), (433, "SN", "SEN"), (434, "BJ", "BEN"), (435, "MR", "MRT"), (436, "NE", "NER"),
    (437, "CI", "CIV"), (438, "GN", "GIN"), (439, "BF", "BFA"), (450, "LR", "LBR"), (451, "SL", "SLE"),
    (452, "GH", "GHA"), (461, "TG", "TGO"), (471, "CM", "CMR"), (475, "NG", "NGA"), (481, "GA", "GAB"),
    (482, "CF", "CAF"), (483, "TD", "TCD"), (484, "CG", "COG"), (490, "CD", "COD"), (500, "UG", "UGA"),
    (501, "KE", "KEN"), (510, "TZ", "TZA"), (516, "BI", "BDI"), (517, "RW", "RWA"), (520, "SO", "SOM"),
    (522, "DJ", "DJI"), (530, "ET", "ETH"), (531, "ER", "ERI"), (540, "AO", "AGO"), (541, "MZ", "MOZ"),
    (551, "ZM", "ZMB"), (552, "ZW", "ZWE"), (553, "MW", "MWI"), (560, "ZA", "ZAF"), (565, "NA", "NAM"),
    (570, "LS", "LSO"), (571, "BW", "BWA"), (572, "SZ", "SWZ"), (580, "MG", "MDG"), (581, "KM", "COM"),
    (590, "MU", "MUS"), (591, "SC", "SYC"), (600, "MA", "MAR"), (615, "DZ", "DZA"), (616, "TN", "TUN"),
    (620, "LY", "LBY"), (625, "SD", "SDN"), (626, "SS", "SSD"), (630, "IR", "IRN"), (640, "TR", "TUR"),
    (645, "IQ", "IRQ"), (651, "EG", "EGY"), (652, "SY", "SYR"), (660, "LB", "LBN"), (663, "JO", "JOR"),
    (666, "IL", "ISR"), (670, "SA", "SAU"), (679, "YE", "YEM"), (680, "YD", "YMD"), (690, "KW", "KWT"),
    (692, "BH", "BHR"), (694, "QA", "QAT"), (696, "AE", "ARE"), (698, "OM", "OMN"), (700, "AF", "AFG"),
    (701, "TM", "TKM"), (702, "TJ", "TJK"), (703, "KG", "KGZ"), (704, "UZ", "UZB"), (705, "KZ", "KAZ"),
    (710, "CN", "CHN"), (712, "MN", "MNG"), (713, "TW", "TWN"), (731, "KP", "PRK"), (732, "KR", "KOR"),
    (740, "JP", "JPN"), (750, "IN", "IND"), (760, "BT", "BTN"), (770, "PK", "PAK"), (771, "BD", "BGD"),
    (775, "MM", "MMR"), (780, "LK", "LKA"), (781, "MV", "MDV"), (790, "NP", "NPL"), (800, "TH", "THA"),
    (811, "KH", "KHM"), (812, "LA", "LAO"), (816, "VN", "VNM"), (820, "MY", "MYS"), (830, "SG", "SGP"),
    (835, "BN", "BRN"), (840, "PH", "PHL"), (850, "ID", "IDN"), (860, "TL", "TLS"), (900, "AU", "AUS"),
    (910, "PG", "PNG"), (920, "NZ", "NZL"), (935, "VU", "VUT"), (940, "SB", "SLB"), (946, "KI", "KIR"),
    (947, "TV", "TUV"), (950, "FJ", "FJI"), (955, "TO", "TON"), (970, "NR", "NRU"), (983, "MH", "MHL"),
    (986, "PW", "PLW"), (987, "FM", "FSM"), (990, "WS", "WSM"),
]

#: ISO 3166 alpha-2 (as used in the UN vote data) -> COW.
ISO2_TO_COW: dict[str, int] = {iso2: cow for cow, iso2, _ in _TABLE}
ISO2_TO_COW["RS"] = 345  # Serbia continues Yugoslavia's COW number

#: ISO 3166 alpha-3 -> COW (ICEWS and other ISO3-keyed files).
ISO3_TO_COW: dict[str, int] = {iso3: cow for cow, _, iso3 in _TABLE}
ISO3_TO_COW.update({"SRB": 345, "SCG": 345})

#: States that carry no ISO code in the UN vote data, matched by the name in the file.
UN_NAME_TO_COW: dict[str, int] = {
    "Federal Republic of Germany": 260,
    "German Democratic Republic": 265,
    "Yemen Arab Republic": 678,
    "Yemen People's Republic": 680,
    "Zanzibar": 511,
}
