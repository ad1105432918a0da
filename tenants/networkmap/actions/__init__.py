"""Every change to the network map goes through these functions (API, admin, demo data alike).

Each action runs in one transaction and writes its audit row in that same transaction, so a
change without its audit row cannot exist. Rules that a form must show before saving (the admin)
are exposed as ``clean_*`` functions that the actions call again: one rule, one place.

The boundary rule of the method ("no council across the municipal boundary") starts here: a
neighbourhood's police officers and municipal contact, and whoever had a contact moment, must be
active members of *this* municipality with the right role. Memberships live in the public
schema, so the database cannot enforce this; these functions do.

Who acts is checked here too, not only by the API's permission classes: only staff (officials and
police officers) of this municipality change the map, so the admin, a web form, a socket or the
nominations import calling an action meets the same rule (``permission_denied``, 403).
``acting_user=None`` is the platform itself: a management command run by an operator with shell
access (``import_nominations`` without ``--user``). A request always carries a user (at least
``AnonymousUser``, which is refused), so no client reaches that path.

The modules: :mod:`.checks` (who acts, fields, memberships), :mod:`.places` (city districts and
neighbourhoods), :mod:`.communities`, :mod:`.key_figures` (one at a time), :mod:`.bulk` (a
nomination list at once) and :mod:`.contacts` (contact moments). Import from here.
"""

from tenants.networkmap.actions.bulk import (
    NewKeyFigure,
    do_create_key_figures,
    prepare_key_figure,
    reserve_ids,
)
from tenants.networkmap.actions.checks import check_acting_user, check_membership
from tenants.networkmap.actions.communities import (
    COMMUNITY_FIELDS,
    do_create_community,
    do_delete_community,
    do_update_community,
)
from tenants.networkmap.actions.contacts import do_record_contact
from tenants.networkmap.actions.key_figures import (
    KEY_FIGURE_FIELDS,
    MUNICIPALITY_CODE,
    check_ally_rules,
    check_key_figure,
    clean_key_figure_data,
    do_create_key_figure,
    do_link_key_figure_user,
    do_update_key_figure,
)
from tenants.networkmap.actions.places import (
    CITY_DISTRICT_FIELDS,
    NEIGHBOURHOOD_CODE,
    NEIGHBOURHOOD_FIELDS,
    clean_neighbourhood_code,
    clean_neighbourhood_data,
    do_create_city_district,
    do_create_neighbourhood,
    do_delete_city_district,
    do_delete_neighbourhood,
    do_update_city_district,
    do_update_neighbourhood,
)

__all__ = [
    "CITY_DISTRICT_FIELDS",
    "COMMUNITY_FIELDS",
    "KEY_FIGURE_FIELDS",
    "MUNICIPALITY_CODE",
    "NEIGHBOURHOOD_CODE",
    "NEIGHBOURHOOD_FIELDS",
    "NewKeyFigure",
    "check_acting_user",
    "check_ally_rules",
    "check_key_figure",
    "check_membership",
    "clean_key_figure_data",
    "clean_neighbourhood_code",
    "clean_neighbourhood_data",
    "do_create_city_district",
    "do_create_community",
    "do_create_key_figure",
    "do_create_key_figures",
    "do_create_neighbourhood",
    "do_delete_city_district",
    "do_delete_community",
    "do_delete_neighbourhood",
    "do_link_key_figure_user",
    "do_record_contact",
    "do_update_city_district",
    "do_update_community",
    "do_update_key_figure",
    "do_update_neighbourhood",
    "prepare_key_figure",
    "reserve_ids",
]
