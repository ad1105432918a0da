"""Demo lists: one from the municipality, one from the police, imported through the real service.

Runs inside the municipality's schema after the network map's demo, whose neighbourhoods and
communities the lists refer to (those of the demo that exist; none is created here). Only the
demo's own: a name staff entered since (say, one with a control character, which the import
refuses) must neither break a restart nor change the lists, which would import them again.
The two lists are built so that the comparison shows every case: on both lists (same phone
written differently, same e-mail), only on one list, and ambiguous candidates (a swapped
first/last name, "van der" written "v.d.", diacritics) that staff must confirm or reject.
Idempotent: a list already imported with the same content is not imported again.
"""

from __future__ import annotations

import csv
import hashlib
import io

from tenants.networkmap.demo import demo_community_names, demo_neighbourhood_names
from tenants.networkmap.models import Community, Neighbourhood
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.models import ImportRun, Source

HEADER = ["Voornaam", "Tussenvoegsel", "Achternaam", "Mobiel", "E-mail", "Wijk", "Gemeenschappen", "Invloed"]

# (first, infix, last, mobile, e-mail, neighbourhood index, community index, influence)
MUNICIPALITY_LIST = [
    ("Hasan", "", "Öztürk", "06-10000001", "", 0, 0, "Voorzitter moskeebestuur, brede achterban"),
    ("Jan", "van der", "Berg", "06-10000002", "", 1, 1, "Bekend bij ondernemers in de wijk"),
    ("Samira", "", "Bouali", "", "samira.bouali@example.org", 2, 0, "Organiseert moedergroepen"),
    ("Mehmet", "", "Yıldız", "06-10000004", "", 0, 2, "Jongerenwerk vrijwilliger"),
    ("Ria", "de", "Groot", "06-10000005", "", 1, 1, "Bewonerscommissie"),
]
POLICE_LIST = [
    ("Hasan", "", "Ozturk", "+31 6 1000 0001", "", 0, 0, "Aanspreekpunt bij incidenten"),  # both: phone
    ("Samira", "", "Bouali", "", "Samira.Bouali@example.org", 2, 0, ""),  # both: e-mail
    ("J.", "v.d.", "Berg", "06-20000002", "", 1, 1, "Ondernemer, kent de hangjongeren"),  # ambiguous
    ("Yıldız", "", "Mehmet", "", "", 0, 2, ""),  # ambiguous: first and last swapped
    ("Karim", "", "Haddou", "06-20000005", "", 2, 0, "Sportclub, veel jongeren"),  # only police
]


def _csv(rows, neighbourhoods: list[str], communities: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for first, infix, last, mobile, email, wijk, community, influence in rows:
        writer.writerow(
            [
                first,
                infix,
                last,
                mobile,
                email,
                neighbourhoods[wijk % len(neighbourhoods)] if neighbourhoods else "",
                communities[community % len(communities)] if communities else "",
                influence,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def load_demo(municipality, staff: dict) -> None:
    """Import both demo lists into ``municipality`` (the current schema) unless already done."""
    neighbourhoods = list(
        Neighbourhood.objects.filter(name__in=demo_neighbourhood_names(municipality))
        .order_by("name")
        .values_list("name", flat=True)[:3]
    )
    communities = list(
        Community.objects.filter(name__in=demo_community_names(municipality))
        .order_by("name")
        .values_list("name", flat=True)[:3]
    )
    lists = (
        (Source.MUNICIPALITY, MUNICIPALITY_LIST, staff.get("official"), "gemeente-sleutelfiguren.csv"),
        (Source.POLICE, POLICE_LIST, staff.get("police"), "politie-sleutelfiguren.csv"),
    )
    for source, rows, user, filename in lists:
        data = _csv(rows, neighbourhoods, communities)
        checksum = hashlib.sha256(data).hexdigest()
        if ImportRun.objects.filter(source=source.value, checksum=checksum, dry_run=False).exists():
            continue
        do_import_nominations(data, filename=filename, source=source, acting_user=user)
