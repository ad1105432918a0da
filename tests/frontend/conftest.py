"""The crisis room's fixtures (a convened Utrecht council) for the crisis page tests."""

from tests.tenants.councils.conftest import make_council, staff  # noqa: F401
from tests.tenants.crises.conftest import room, sms_file  # noqa: F401
