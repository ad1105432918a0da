from tests.tenants.crises.conftest import make_council, room, sms_file, staff  # noqa: F401
