"""The ``agora`` command: ``demo``, ``serve``, ``migrate`` and ``manage``.

One entry point for a bare machine (``pip install . && agora demo``) and for production
(``agora migrate`` once per deploy, then ``agora serve`` in every web process). HTTP and
WebSockets are served in-process by daphne, so Ctrl-C or SIGTERM stop one Python process whose
normal exit runs the ``atexit`` handlers, among them the one that stops the embedded PostgreSQL.
``agora serve --workers N`` runs N such processes on one socket under a supervisor
(``agora.workers``).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_DB_POOL_SIZE = 16  # PostgreSQL connections per `agora serve` process, at most
MAX_SERVE_WORKERS = 64  # `agora serve --workers`: a typo's 1000 processes would take the host down


def _put_platform_on_path() -> None:
    """Running from a source checkout without an install: make ``platform/``'s packages importable.

    ``platform/`` is a source folder, never a package (it would shadow the standard library's
    ``platform``, see docs/adr/0001-platform-source-folder.md). An install maps its packages to the
    top level already; this only helps ``python platform/agora/cli.py``.
    """
    source_folder = Path(__file__).resolve().parent.parent
    if source_folder.name == "platform":
        for folder in (source_folder.parent, source_folder):
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    import django

    django.setup()


def _warn_about_channel_layer() -> None:
    """Say at start-up that without Redis the channel layer serves this one process only."""
    _setup_django()
    from realtime.layers import warn_if_in_memory_layer

    warn_if_in_memory_layer(to_stderr=True)


def migrate(verbosity: int = 1, workers: int | None = None) -> None:
    """Migrate the public schema and every municipality, then bring the template schema up to date.

    The template goes last: new municipalities are cloned from it, so it must carry every
    migration the existing ones have. Municipalities migrate in ``workers`` forked processes
    (default ``AGORA_MIGRATE_WORKERS`` or twice the CPU count) with a progress bar
    (``agora.municipalities.parallel_migration``); one worker is the serial walk.
    """
    from django.core.management import call_command
    from django.db import connection

    from agora.database import ensure_database
    from agora.dbroles import as_owner, grant_app_role
    from agora.municipalities.template import ensure_template_schema

    # As the owner role (DATABASE_OWNER_URL): it owns every table; the application role is
    # granted what it needs at the end (docs/security.md, "Database roles").
    with as_owner():
        ensure_database(connection.settings_dict)
        if workers is not None:
            os.environ["AGORA_MIGRATE_WORKERS"] = str(workers)
        call_command("migrate_schemas", interactive=False, verbosity=verbosity, executor="agora-parallel")
        connection.set_schema_to_public()
        if ensure_template_schema(verbosity=verbosity) and verbosity:
            print("Template schema brought up to date.", flush=True)
        from agora.municipalities.constraint_names import restore_all_constraint_names

        if restore_all_constraint_names() and verbosity:
            print("Constraint names of cloned municipalities restored.", flush=True)
        with connection.cursor() as cursor:
            granted = grant_app_role(cursor)
        if granted and verbosity:
            print(f"Application role {granted} granted (audit tables: INSERT and SELECT only).", flush=True)


def _cannot_listen(host: str, port: int, reason: str | None = None) -> int:
    """The one line said when the address cannot be listened on (default: the port is taken); exit 1."""
    if reason is None:
        line = (
            f"agora: port {port} on {host} is already in use (is another agora running?); "
            "stop it or choose another port with --port"
        )
    else:
        line = f"agora: cannot listen on {host} port {port}: {reason}"
    print(line, file=sys.stderr, flush=True)
    return 1


def _port_taken(host: str, port: int) -> bool:
    """True if something already listens on ``host:port`` (checked before slow start-up work).

    A probe, so it binds the way Twisted does (SO_REUSEADDR: a port left in TIME_WAIT by the last
    run is free). Any other problem (a host name that does not resolve, say) is left to the server,
    whose own failure is reported by ``_serve`` just as clearly.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def _serve(
    host: str,
    port: int,
    *,
    proxy_headers: bool,
    banner: Sequence[str] = (),
    fd: int | None = None,
    ready_fd: int | None = None,
) -> int:
    """Serve HTTP and WebSockets with daphne in this process until SIGINT/SIGTERM.

    A port that cannot be listened on ends the command with one line on stderr and exit status 1
    (daphne by itself logs the failure, stops, and the command used to exit 0 after "Stopped.").
    With ``ready_fd`` (a worker of ``agora serve --workers N``) the process says it serves by
    writing to that pipe instead of printing, and its supervisor speaks for it.
    """
    # Twisted is import-order sensitive: daphne.server installs the asyncio reactor, so it must
    # be imported before anything else imports twisted.internet.reactor.
    import daphne.server
    from daphne.endpoints import build_endpoint_description_strings
    from django.conf import settings
    from django.db import connections

    from agora.asgi import application

    # Connections opened by start-up work (migrations, demo data) belong to no request.
    connections.close_all()

    def ready() -> None:
        if ready_fd is not None:
            os.write(ready_fd, b"serving")
            os.close(ready_fd)
            return
        for line in banner:
            print(line, flush=True)
        print(f"Serving on http://{host}:{port}/ (Ctrl-C or SIGTERM to stop).", flush=True)

    class Server(daphne.server.Server):
        listen_failure: str | None = None  # why, unless the port is simply taken
        listen_failed = False

        def listen_error(self, failure: Any) -> None:  # a twisted.python.failure.Failure
            from twisted.internet.error import CannotListenError

            error = failure.value
            socket_error = error.socketError if isinstance(error, CannotListenError) else None
            self.listen_failed = True
            if getattr(socket_error, "errno", None) != errno.EADDRINUSE:
                self.listen_failure = str(socket_error or failure.getErrorMessage())
            self.stop()

    server = Server(
        application=application,
        endpoints=(
            build_endpoint_description_strings(file_descriptor=fd)
            if fd is not None
            else build_endpoint_description_strings(host=host, port=port)
        ),
        # Autobahn drops an opening handshake after 5 s by default; the room's join does database
        # work before it accepts, and at 2 a.m. a thousand people join at once. A dropped
        # handshake only makes every client retry, so allow longer (AGORA_WS_HANDSHAKE_SECONDS).
        websocket_handshake_timeout=settings.AGORA_WS_HANDSHAKE_SECONDS,
        # daphne pings every 20 s and drops a socket whose pong it has not read within this
        # (AGORA_WS_PING_TIMEOUT_SECONDS, daphne's 30 by default).
        ping_timeout=settings.AGORA_WS_PING_TIMEOUT_SECONDS,
        signal_handlers=True,
        ready_callable=ready,
        proxy_forwarded_address_header="X-Forwarded-For" if proxy_headers else None,
        proxy_forwarded_port_header="X-Forwarded-Port" if proxy_headers else None,
        proxy_forwarded_proto_header="X-Forwarded-Proto" if proxy_headers else None,
        verbosity=0,
    )
    _stop_reactor_on_signals()
    # Unanswered crisis leads go to their deputies from here too (one round at a time per
    # municipality across every process, by advisory lock; AGORA_ESCALATION_INTERVAL=0 turns it off).
    from tenants.crises.escalation import start_runner_if_enabled

    runner = start_runner_if_enabled()
    try:
        server.run()  # returns when a signal has stopped the reactor
    finally:
        if runner is not None:
            runner.stop()
        _shutdown()
    if server.listen_failed:
        return _cannot_listen(host, port, server.listen_failure)
    if ready_fd is None:
        print("Stopped.", flush=True)
    return 0


def _stop_reactor_on_signals() -> None:
    """From here on SIGINT/SIGTERM stop the reactor, as Twisted's own handlers do.

    Twisted installs its handlers only once the reactor runs; a signal in between used to raise
    SystemExit (``_exit_normally_on_sigterm``) inside a Twisted callback, which swallows it, so the
    process served on with no handler left for the signal it had already received: a SIGTERM just
    after "Serving on" hung the demo. (Twisted leaves a SIGINT handler other than Python's default
    in place, so this one stays for Ctrl-C.)
    """
    from twisted.internet import reactor

    def stop(signum: int, frame: object) -> None:
        reactor.callFromThread(reactor.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _shutdown() -> None:
    """Close database connections, then release the embedded PostgreSQL (the last handle stops it)."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    if not settings.DATABASE_URL:
        from agora import embedded

        embedded.stop()


LOCAL_DATABASE_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def database_is_local(url: str) -> bool:
    """True for the embedded database (no URL), a Unix socket or a loopback server.

    The demo creates logins with a published password: it must never run against a shared or
    production database by accident.
    """
    if not url:
        return True
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in LOCAL_DATABASE_HOSTS or host.startswith("/")


def command_demo(args: argparse.Namespace) -> int:
    """Migrate, load the demo data, print the addresses and logins, serve."""
    if not database_is_local(os.environ.get("DATABASE_URL", "")) and not args.allow_remote_database:
        print(
            "Refusing to load demo logins (published password) into a non-local DATABASE_URL; "
            "pass --allow-remote-database if this really is a demo server.",
            file=sys.stderr,
        )
        return 2
    if _port_taken(args.host, args.port):  # before migrating and loading, not after
        return _cannot_listen(args.host, args.port)
    # Development defaults, here only: plain-HTTP cookies on *.localhost. SECRET_KEY, if unset,
    # is generated once and kept in AGORA_DATA_DIR by the settings.
    os.environ.setdefault("SECURE_COOKIES", "0")
    # The links in the demo's calls and invitations open this server (plain http, this port).
    os.environ.setdefault("AGORA_URL_SCHEME", "http")
    os.environ.setdefault("AGORA_URL_PORT", str(args.port))
    # Read by a person at a terminal, not a log collector (settings.AGORA_LOG_FORMAT).
    os.environ.setdefault("AGORA_LOG_FORMAT", "text")
    # A fresh data folder starts from a prepared (migrated) cluster when there is one.
    from agora.prepared_cluster import ENVIRONMENT as CLUSTER_CACHE
    from agora.prepared_cluster import default_cache_folder

    os.environ.setdefault(CLUSTER_CACHE, str(default_cache_folder()))
    _warn_about_channel_layer()
    _setup_django()
    from django.conf import settings

    from agora.database import ensure_database
    from agora.dbroles import as_owner
    from agora.demo import DEMO_PASSWORD, demo_workers, load_demo
    from agora.loading_session import loading_session
    from agora.migration_state import schemas_needing_migration
    from agora.municipalities.provisioning import host_for

    print(f"Demo password for every demo login: {DEMO_PASSWORD}", flush=True)
    ensure_database()
    # Set-up as the owner (migrations, schemas); the site itself then serves as the app role.
    with as_owner(), loading_session():
        # A restart on the same data has nothing to migrate: skip the seconds migrate_schemas costs.
        if schemas_needing_migration():
            print("Migrating (the first run on the embedded database takes a while)...", flush=True)
            migrate(verbosity=0)
            _keep_prepared_cluster()
        print("Loading demo data...", flush=True)
        result = load_demo(workers=demo_workers())
        _grant_app_role()
    banner = ["", "Municipalities:"]
    for municipality in result.municipalities:
        banner.append(f"  {municipality.name:<12} http://{host_for(municipality.slug)}:{args.port}/")
    banner += ["", f"Demo logins (password {DEMO_PASSWORD}):"]
    for login in result.logins:
        banner.append(_login_line(login))
    if result.addresses:
        banner += ["", "Crisis rooms:"]
        for slug, label, path in result.addresses:
            banner.append(f"  {label}: http://{host_for(slug)}:{args.port}{path}")
    base = f"http://{settings.AGORA_BASE_DOMAIN}:{args.port}"
    banner += ["", f"National view: {base}/national/ (log in at {base}/login/)"]
    for login in result.national_logins:
        banner.append(_login_line(login))
    if any(login.otp_secret for login in (*result.logins, *result.national_logins)):
        banner += [
            "",
            "Logins marked 2FA ask for a code after the password: add the key printed with them to an",
            "authenticator app (FreeOTP, Google Authenticator, ...; 6 digits, 30 s), or print the code with",
            '  python -c "import base64,sys; from django_otp.oath import totp; '
            "print('%06d' % totp(base64.b32decode(sys.argv[1])))\" <key>",
        ]
    if result.skipped_modules:
        banner += ["", "Demo data not (yet) available from: " + ", ".join(result.skipped_modules)]
    banner.append("")
    return _serve(args.host, args.port, proxy_headers=False, banner=banner)


def _keep_prepared_cluster() -> None:
    """After migrating a data folder this process initialised: keep its cluster for later first starts."""
    from django.conf import settings

    if settings.DATABASE_URL:
        return
    from agora import embedded

    if embedded.keep_prepared_cluster():
        print("Kept the migrated cluster for the next fresh data folder.", flush=True)


def _grant_app_role() -> None:
    """Grant the application role (idempotent): the demo's data may predate the role."""
    from django.db import connection

    from agora.dbroles import grant_app_role

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        grant_app_role(cursor)


def _login_line(login) -> str:
    line = f"  {login.username:<28} {login.description}"
    return f"{line}  [2FA key {login.otp_secret}]" if login.otp_secret else line


def command_serve(args: argparse.Namespace) -> int:
    """Production serve: no migrations, configuration from the environment only."""
    if args.workers > 1 and not (os.environ.get("REDIS_URL") or os.environ.get("AGORA_REDIS_SENTINELS")):
        print(
            f"agora: --workers {args.workers} needs REDIS_URL: the worker processes share the crisis "
            "rooms through Redis (channels-redis); set REDIS_URL (or AGORA_REDIS_SENTINELS) "
            "or serve with --workers 1",
            file=sys.stderr,
            flush=True,
        )
        return 1
    if args.fd is None and _port_taken(args.host, args.port):
        return _cannot_listen(args.host, args.port)
    # A bounded connection pool per web process (settings.AGORA_DB_POOL_SIZE says why); 0 turns it off.
    os.environ.setdefault("AGORA_DB_POOL_SIZE", str(DEFAULT_DB_POOL_SIZE))
    if args.workers > 1:
        return _serve_workers(args)
    _warn_about_channel_layer()
    _setup_django()
    return _serve(args.host, args.port, proxy_headers=args.proxy_headers, fd=args.fd, ready_fd=args.ready_fd)


def _serve_workers(args: argparse.Namespace) -> int:
    """``--workers N``: this process holds the socket and supervises N daphne workers on it.

    The settings are read here only to fail early on a bad configuration and to log the
    supervisor's lines (a worker's death, its restart) in the platform's format; the apps are not
    loaded (a third of the memory of ``django.setup()``, and the workers start a second sooner).
    """
    import logging.config

    from django.conf import settings

    from agora.workers import listening_socket, supervise

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    logging.config.dictConfig(settings.LOGGING)
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
        sock.set_inheritable(True)
    elif ":" in args.host:
        # Twisted's inherited-socket endpoint (daphne's --fd) adopts IPv4 sockets only.
        return _cannot_listen(args.host, args.port, "--workers serves on IPv4 only (e.g. --host 0.0.0.0)")
    else:
        try:
            sock = listening_socket(args.host, args.port)
        except OSError as error:
            taken = error.errno == errno.EADDRINUSE
            return _cannot_listen(args.host, args.port, None if taken else str(error))
    host, port = sock.getsockname()[:2]
    return supervise(
        sock,
        args.workers,
        options=["--proxy-headers"] if args.proxy_headers else [],
        ready_line=(
            f"Serving on http://{host}:{port}/ with {args.workers} workers (pids {{pids}}; "
            "Ctrl-C or SIGTERM to stop)."
        ),
    )


def command_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    try:
        migrate(verbosity=args.verbosity, workers=args.workers)
    finally:
        _shutdown()
    return 0


def command_manage(argv: Sequence[str]) -> int:
    """Any Django management command, e.g. ``agora manage create_municipality ...``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["agora manage", *argv])
    finally:
        from django.conf import settings

        if settings.configured:
            _shutdown()
    return 0


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port")
    return port


def _worker_count(value: str) -> int:
    count = int(value)
    if not 1 <= count <= MAX_SERVE_WORKERS:
        raise argparse.ArgumentTypeError(f"{value} is not a number of workers (1 to {MAX_SERVE_WORKERS})")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agora", description="Agora, the platform for the Bondgenoten method."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_listen_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--host",
            default=os.environ.get("AGORA_HOST", DEFAULT_HOST),
            help="interface to listen on (env AGORA_HOST; default %(default)s)",
        )
        sub.add_argument(
            "--port",
            type=_port,
            default=_port(os.environ.get("AGORA_PORT", str(DEFAULT_PORT))),
            help="TCP port (env AGORA_PORT; default %(default)s)",
        )

    demo = commands.add_parser("demo", help="migrate, load demo data and serve (development)")
    add_listen_options(demo)
    demo.add_argument(
        "--allow-remote-database",
        action="store_true",
        help="load the demo into a DATABASE_URL that is not on this machine (demo servers only)",
    )
    demo.set_defaults(handler=command_demo)

    serve = commands.add_parser("serve", help="serve HTTP and WebSockets (production; no migrations)")
    add_listen_options(serve)
    serve.add_argument(
        "--fd",
        type=int,
        default=None,
        help="serve on an inherited listening socket (socket activation, the bench) instead of --host/--port",
    )
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=_worker_count(os.environ.get("AGORA_SERVE_WORKERS", "1")),
        help="daphne processes on one listening socket, restarted if they die; more than 1 needs "
        "REDIS_URL (env AGORA_SERVE_WORKERS; default %(default)s)",
    )
    serve.add_argument(
        "--ready-fd",
        type=int,
        default=None,
        help="a worker of --workers: say 'serving' on this inherited pipe instead of printing",
    )
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        default=os.environ.get("AGORA_PROXY_HEADERS", "").lower() in {"1", "true", "yes", "on"},
        help="trust X-Forwarded-For/-Port/-Proto from a reverse proxy (env AGORA_PROXY_HEADERS)",
    )
    serve.set_defaults(handler=command_serve)

    migrate_parser = commands.add_parser(
        "migrate", help="migrate the public schema, every municipality and the template"
    )
    migrate_parser.add_argument("-v", "--verbosity", type=int, default=1, choices=[0, 1, 2, 3])
    migrate_parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel processes for the municipalities (default AGORA_MIGRATE_WORKERS or twice the CPUs)",
    )
    migrate_parser.set_defaults(handler=command_migrate)

    commands.add_parser("manage", help="run a Django management command: agora manage <command> ...")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # pgserver's platformdirs complains on machines without a login session; the embedded
    # server does not use that folder for anything that matters here.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    _put_platform_on_path()
    if argv[:1] == ["manage"]:
        _exit_normally_on_sigterm()
        # Everything after "manage" belongs to Django, including its own --help.
        return command_manage(argv[1:])
    args = build_parser().parse_args(argv)
    _exit_normally_on_sigterm()
    return args.handler(args)


def _exit_normally_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so cleanup (the embedded PostgreSQL's last handle) runs.

    Python's default for SIGTERM kills the process outright; before daphne installs its own
    handlers (during migrations and the demo load) that would orphan the embedded server.
    """

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":
    sys.exit(main())
