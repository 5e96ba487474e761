"""The elements of a request on each legal basis, each with the paragraph that asks for it.

``verified`` marks an element whose paragraph was read in the instrument's text itself;
``docs/assistance.md`` lists the others. One id means one thing on every basis.
"""

from __future__ import annotations

from tocsin.model.assist.instruments import BC, EEV, EIOD, P2, UNCC, Basis, Element


def _e(id: str, label: str, source: str, *, optional: bool = False, ok: bool = False) -> Element:
    return Element(id, label, source, required=not optional, verified=ok)


_A29 = f"{BC} Art. 29(2)"
_A30 = f"{BC} Art. 30(1)"
_T11 = "T-CY(2018)11 template"
_T10 = "T-CY(2018)10 template"
_P6 = f"{P2} Art. 6(3)"
_P7 = f"{P2} Art. 7(3)"
_P7S = f"{P2} Art. 7(4)"
_P8 = f"{P2} Art. 8(3)"
_P9 = f"{P2} Art. 9(3)"
_P10 = f"{P2} Art. 10(3)"
_EP = f"{EEV} Annex I"
_EPR = f"{EEV} Annex II"
_EA = f"{EIOD} Annex A"
_UN = f"{UNCC} Art. 40(15)"
_BI = "the treaty named (its contents of requests)"
# Art. 33 and 34 assistance follows the conditions of the applicable treaty or law
_LAW = f"{BC} Art. 25(4) (the contents the applicable treaty or law asks)"

ELEMENTS: dict[Basis, tuple[Element, ...]] = {
    Basis.BC_29: (
        _e("authority", "Authority seeking the preservation", f"{_A29}(a)", ok=True),
        _e("offence", "Offence under investigation", f"{_A29}(b)", ok=True),
        _e("facts", "Brief summary of the related facts", f"{_A29}(b)", ok=True),
        _e("data", "Stored computer data to be preserved", f"{_A29}(c)", ok=True),
        _e("relation", "Relationship of the data to the offence", f"{_A29}(c)", ok=True),
        _e("custodian", "Custodian of the data or location of the system", f"{_A29}(d)", ok=True),
        _e("necessity", "Necessity of the preservation", f"{_A29}(e)", ok=True),
        _e(
            "mla_intent",
            "Intention to submit a request for mutual assistance",
            f"{_A29}(f)",
            ok=True,
        ),
    ),
    Basis.BC_30: (
        _e("authority", "Requesting authority", f"{_T11}, section 5", ok=True),
        _e(
            "preservation_ref",
            "The Art. 29 request in whose execution the path is traced",
            _A30,
            ok=True,
        ),
        _e("communication", "The specific communication to be traced", _A30, ok=True),
        _e("data", "Traffic data enough to identify the provider and the path", _A30, ok=True),
        _e("provider", "Service provider in another State involved", _A30, optional=True, ok=True),
    ),
    Basis.BC_31: (
        _e("authority", "Requesting authority", f"{_T10}, section 5", ok=True),
        _e(
            "prosecution",
            "Prosecution office or court in charge, case numbers",
            f"{_T10}, section 8",
            ok=True,
        ),
        _e("offence", "Offence under investigation", f"{_T10}, offence"),
        _e("facts", "Summary of the facts", f"{_T10}, summary of facts"),
        _e("data", "Stored data to be searched, seized or disclosed", f"{BC} Art. 31(1)", ok=True),
        _e("relation", "Relationship of the data to the offence", f"{_T10}, link to the offence"),
        _e(
            "custodian",
            "Custodian of the data or location of the system",
            f"{_T10}, service provider",
        ),
        _e(
            "preservation_ref",
            "Previous preservation request (date, reference)",
            f"{_T10}, section 10",
            optional=True,
            ok=True,
        ),
        _e(
            "mla_ref",
            "Previous request for mutual assistance",
            f"{_T10}, section 9",
            optional=True,
            ok=True,
        ),
    ),
    Basis.BC_32: (
        _e("authority", "Authority accessing the data", f"{BC} Art. 32", ok=True),
        _e(
            "access_ground",
            "Publicly available (a) or lawful and voluntary consent (b)",
            f"{BC} Art. 32(a)-(b)",
            ok=True,
        ),
        _e("data", "Stored computer data accessed", f"{BC} Art. 32", ok=True),
        _e(
            "consent",
            "Person with lawful authority who consented",
            f"{BC} Art. 32(b)",
            optional=True,
            ok=True,
        ),
    ),
    Basis.BC_33: (
        _e("authority", "Requesting authority", _LAW, ok=True),
        _e("offence", "Offence under investigation", f"{BC} Art. 33(2)", ok=True),
        _e("facts", "Summary of the facts", _LAW, ok=True),
        _e(
            "communications",
            "Specified communications in the requested territory",
            f"{BC} Art. 33(1)",
            ok=True,
        ),
        _e("data", "Traffic data to be collected in real time", f"{BC} Art. 33(1)", ok=True),
        _e("period", "Period of the collection", f"{BC} Art. 15(2)"),
    ),
    Basis.BC_34: (
        _e("authority", "Requesting authority", _LAW, ok=True),
        _e("offence", "Offence under investigation", _LAW, ok=True),
        _e("facts", "Summary of the facts", _LAW, ok=True),
        _e(
            "communications",
            "Specified communications to be intercepted",
            f"{BC} Art. 34",
            ok=True,
        ),
        _e("data", "Content data to be collected or recorded", f"{BC} Art. 34", ok=True),
        _e("period", "Period of the interception", f"{BC} Art. 15(2)"),
        _e(
            "treaty",
            "Treaty that permits the interception",
            f"{BC} Art. 34",
            optional=True,
            ok=True,
        ),
    ),
    Basis.BC_35: (
        _e("authority", "Requesting point of contact", f"{BC} Art. 35(1)", ok=True),
        _e(
            "assistance",
            "Assistance sought: technical advice, preservation, evidence, legal "
            "information or locating suspects",
            f"{BC} Art. 35(1)(a)-(c)",
            ok=True,
        ),
        _e(
            "facts",
            "Investigation or proceedings the assistance serves",
            f"{BC} Art. 35(1)",
            ok=True,
        ),
        _e("offence", "Offence under investigation", f"{BC} Art. 35(1)", optional=True, ok=True),
    ),
    Basis.P2_6: (
        _e("issued_on", "Date the request was issued", f"{_P6}(a)"),
        _e("authority", "Issuing authority and its contact details", f"{_P6}(a)"),
        _e("domain", "Domain name", f"{_P6}(b)"),
        _e("data", "Information sought, element by element", f"{_P6}(b)"),
        _e(
            "protocol_statement",
            "Issued under the Protocol, needed for and used only in a "
            "specific criminal investigation or proceeding",
            f"{_P6}(c)",
        ),
        _e("time_frame", "Time frame and manner of disclosure, special instructions", f"{_P6}(d)"),
    ),
    Basis.P2_7: (
        _e("authority", "Issuing authority", f"{_P7}(a)"),
        _e("issued_on", "Date the order was issued", f"{_P7}(a)"),
        _e(
            "protocol_statement",
            "Statement that the order is issued under the Protocol",
            f"{_P7}(b)",
        ),
        _e("provider", "Name and address of the service provider", f"{_P7}(c)"),
        _e("offence", "Offence under investigation", f"{_P7}(d)"),
        _e(
            "seeking_authority",
            "Authority seeking the information, if not the issuer",
            f"{_P7}(e)",
            optional=True,
        ),
        _e("data", "Detailed description of the subscriber information sought", f"{_P7}(f)"),
        _e(
            "legal_grounds",
            "Domestic legal grounds empowering the issuer",
            f"{_P7S}(a)",
            optional=True,
        ),
        _e(
            "penalties",
            "Legal provisions and penalties for the offence",
            f"{_P7S}(b)",
            optional=True,
        ),
        _e("contact", "Authority to return the information to", f"{_P7S}(c)", optional=True),
        _e("time_frame", "Time frame and manner of return", f"{_P7S}(d)", optional=True),
        _e(
            "preservation_ref",
            "Preservation already sought (date, reference)",
            f"{_P7S}(e)",
            optional=True,
        ),
        _e("instructions", "Special procedural instructions", f"{_P7S}(f)", optional=True),
        _e("notification", "Simultaneous notification made", f"{_P7S}(g)", optional=True),
        _e("other_info", "Other information aiding disclosure", f"{_P7S}(h)", optional=True),
    ),
    Basis.P2_8: (
        _e("authority", "Issuing authority", f"{_P8}(a)"),
        _e("issued_on", "Date the order was issued", f"{_P8}(a)"),
        _e(
            "protocol_statement",
            "Statement that the request is made under the Protocol",
            f"{_P8}(a)",
        ),
        _e("provider", "Name and address of the service provider", f"{_P8}(a)"),
        _e("offence", "Offence under investigation", f"{_P8}(a)"),
        _e("data", "Detailed description of the information or data sought", f"{_P8}(a)"),
        _e("legal_grounds", "Domestic legal grounds empowering the issuer", f"{_P8}(b)"),
        _e("penalties", "Legal provisions and penalties for the offence", f"{_P8}(b)"),
        _e("custodian", "Why the provider is believed to hold the data", f"{_P8}(b)"),
        _e("facts", "Summary of the facts", f"{_P8}(b)"),
        _e("relation", "Relevance of the data to the investigation", f"{_P8}(b)"),
        _e("contact", "Authority that can give further information", f"{_P8}(b)"),
        _e(
            "seeking_authority",
            "Authority seeking the data, if not the issuer",
            f"{_P8}(a)",
            optional=True,
        ),
        _e(
            "preservation_ref",
            "Preservation already sought (date, reference)",
            f"{_P8}(b)",
            optional=True,
        ),
        _e("instructions", "Special procedural instructions", f"{_P8}(c)", optional=True),
    ),
    Basis.P2_9: (
        _e("authority", "Competent authority seeking the data", f"{_P9}(a)"),
        _e("issued_on", "Date the request was issued", f"{_P9}(a)"),
        _e(
            "protocol_statement",
            "Statement that the request is issued under the Protocol",
            f"{_P9}(b)",
        ),
        _e("provider", "Name and address of the service provider holding the data", f"{_P9}(c)"),
        _e("offence", "Offence, its legal provisions and penalties", f"{_P9}(d)"),
        _e("emergency_facts", "Facts that show the emergency", f"{_P9}(e)"),
        _e("relation", "How the data sought relate to the emergency", f"{_P9}(e)"),
        _e("data", "Detailed description of the data sought", f"{_P9}(f)"),
        _e("instructions", "Special procedural instructions", f"{_P9}(g)", optional=True),
        _e("other_info", "Other information aiding disclosure", f"{_P9}(h)", optional=True),
    ),
    Basis.P2_10: (
        _e("authority", "Requesting authority", f"{_P10} (contents of the applicable treaty)"),
        _e("offence", "Offence under investigation", f"{_P10} (contents of the applicable treaty)"),
        _e("assistance", "Assistance sought", f"{_P10} (contents of the applicable treaty)"),
        _e("emergency_facts", "Facts that show the emergency", _P10),
        _e("relation", "How the assistance sought relates to the emergency", _P10),
    ),
    Basis.EPOC: (
        _e(
            "authority",
            "Issuing State, issuing and validating authority, file numbers",
            f"{_EP} Section A",
            ok=True,
        ),
        _e(
            "provider",
            "Addressee: designated establishment or legal representative",
            f"{_EP} Section B",
            ok=True,
        ),
        _e("time_frame", "Deadline for producing the data", f"{_EP} Section C", ok=True),
        _e(
            "earlier_orders",
            "Relation to an earlier order or request",
            f"{_EP} Section D",
            optional=True,
        ),
        _e(
            "notification",
            "Information supporting a notification to the enforcing State",
            f"{_EP} Section E",
            optional=True,
        ),
        _e("data", "Data requested: categories, identifiers and time range", f"{_EP} Section F"),
        _e("offence", "Offence, its legal classification and provisions", f"{_EP} Section G"),
        _e("facts", "Summary description of the case", f"{_EP} Section G"),
        _e("necessity", "Grounds for necessity and proportionality", f"{EEV} Art. 5(2)"),
        _e("other_info", "Other information", f"{_EP} Section H", optional=True),
        _e("contact", "Details of the issuing authority", f"{_EP} Section I", ok=True),
        _e(
            "validation",
            "Details of the validating authority",
            f"{_EP} Section J",
            optional=True,
            ok=True,
        ),
        _e(
            "recipient",
            "Authority to which the data are to be transmitted",
            f"{_EP} Section L",
            ok=True,
        ),
    ),
    Basis.EPOC_PR: (
        _e(
            "authority",
            "Issuing State, issuing and validating authority, file numbers",
            f"{_EPR} Section A",
            ok=True,
        ),
        _e(
            "provider",
            "Addressee: designated establishment or legal representative",
            f"{_EPR} Section B",
            ok=True,
        ),
        _e("data", "Data to be preserved: categories, identifiers and time range", _EPR),
        _e("offence", "Offence, its legal classification and provisions", _EPR),
        _e("facts", "Summary description of the case", _EPR),
        _e("necessity", "Grounds for necessity and proportionality", f"{EEV} Art. 6(2)"),
        _e("earlier_orders", "Relation to an earlier order or request", _EPR, optional=True),
        _e("contact", "Details of the issuing authority", f"{_EPR} Section F", ok=True),
        _e(
            "validation",
            "Details of the validating authority",
            f"{_EPR} Section G",
            optional=True,
            ok=True,
        ),
    ),
    Basis.EIO: (
        _e("authority", "Issuing authority", f"{EIOD} Art. 5(1)(a); {_EA} Section K"),
        _e("purpose", "Object of and reasons for the EIO", f"{EIOD} Art. 5(1)(b)"),
        _e(
            "person",
            "Information on the person(s) concerned",
            f"{EIOD} Art. 5(1)(c); {_EA} Section E",
        ),
        _e(
            "offence",
            "Criminal act and applicable provisions",
            f"{EIOD} Art. 5(1)(d); {_EA} Section G",
        ),
        _e("facts", "Summary of the facts", f"{_EA} Section G"),
        _e(
            "assistance",
            "Investigative measures requested and evidence to be obtained",
            f"{EIOD} Art. 5(1)(e); {_EA} Section C",
        ),
        _e("proceedings", "Type of proceedings", f"{_EA} Section F"),
        _e("urgency", "Urgency and its reasons", f"{_EA} Section B", optional=True, ok=True),
        _e("earlier_orders", "Relation to an earlier EIO", f"{_EA} Section D", optional=True),
        _e("validation", "Validating authority", f"{_EA} Section L", optional=True),
    ),
    Basis.UN_CC: (
        _e("authority", "Authority making the request", f"{_UN}(a)"),
        _e("offence", "Subject matter and nature of the investigation or proceeding", f"{_UN}(b)"),
        _e("facts", "Summary of the relevant facts", f"{_UN}(c)"),
        _e("assistance", "Assistance sought and any procedure to follow", f"{_UN}(d)"),
        _e(
            "person",
            "Identity, location and nationality of any person concerned",
            f"{_UN}(e)",
            optional=True,
        ),
        _e("purpose", "Purpose of the evidence, information or action sought", f"{_UN}(f)"),
    ),
    Basis.BILATERAL: (
        _e("treaty", "Treaty the request is made under", _BI),
        _e("authority", "Requesting authority", _BI),
        _e("offence", "Offence under investigation", _BI),
        _e("facts", "Summary of the facts", _BI),
        _e("assistance", "Assistance sought", _BI),
        _e("purpose", "Purpose of the request", _BI, optional=True),
    ),
}
