"""Pure normalisation functions: each keeps the value as delivered beside the normalised one.

Table-driven and free of I/O, so the readers of every source call the same code and a county
load (about a million values) stays fast. Nothing here decides whether a bad value quarantines
a row; the results carry a status or ``None`` and the caller reports a ``FieldIssue``.
"""

from hub.normalise.addresses import LEVELS, ParsedAddress, parse_address, standard_address
from hub.normalise.dates import (
    CHINA_TZ,
    DatePrecision,
    DateValue,
    date_to_excel_serial,
    excel_serial_to_date,
    parse_date,
    parse_timestamp,
)
from hub.normalise.names import PersonName, normalise_name, pinyin_key, to_simplified
from hub.normalise.phones import (
    Phone,
    PhoneKind,
    PhoneList,
    mask_phone,
    normalise_phone,
    normalise_phones,
)
from hub.normalise.resident_id import (
    IdStatus,
    ResidentId,
    mask_resident_id,
    normalise_resident_id,
)
from hub.normalise.text import clean_text
from hub.normalise.values import (
    ETHNICITIES,
    normalise_ethnicity,
    normalise_sex,
    parse_amount,
    parse_int,
    parse_yes_no,
)

__all__ = [
    "CHINA_TZ",
    "ETHNICITIES",
    "LEVELS",
    "DatePrecision",
    "DateValue",
    "IdStatus",
    "ParsedAddress",
    "PersonName",
    "Phone",
    "PhoneKind",
    "PhoneList",
    "ResidentId",
    "clean_text",
    "date_to_excel_serial",
    "excel_serial_to_date",
    "mask_phone",
    "mask_resident_id",
    "normalise_ethnicity",
    "normalise_name",
    "normalise_phone",
    "normalise_phones",
    "normalise_resident_id",
    "normalise_sex",
    "parse_address",
    "parse_amount",
    "parse_date",
    "parse_int",
    "parse_timestamp",
    "parse_yes_no",
    "pinyin_key",
    "standard_address",
    "to_simplified",
]
