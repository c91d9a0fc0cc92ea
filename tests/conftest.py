pytest_plugins = ["tests.servers.fixtures", "tests.program.year"]
