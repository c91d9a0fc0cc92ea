pytest_plugins = ["tests.servers.fixtures", "tests.program.year"]

# The slowest files first. With --dist loadfile a free worker takes the next whole file in
# the order collected: collected last, the conversation corpora and the calendar year left
# one worker finishing alone for two minutes while the others were idle.
SLOW_FIRST = ("tests/conversations/test_", "tests/program/test_calendar_year.py",
              "tests/program/test_year_content.py", "tests/program/test_matching_any_size.py",
              "tests/integration/test_mass_mailing_crash.py",
              "tests/integration/test_cli_while_running.py")


def pytest_collection_modifyitems(session, config, items):
    def slow(item) -> bool:
        path = item.nodeid.split("::", 1)[0]
        return any(path.startswith(prefix) for prefix in SLOW_FIRST)

    items.sort(key=lambda item: not slow(item))  # stable: the order within each part stays
