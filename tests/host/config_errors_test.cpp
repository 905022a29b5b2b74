// Every configuration mistake stops the real shaddock-host with exit 2 and a message that names the
// file, the key and what was expected; and Pomelo's environment resolution finds the right config.
#include "host_process.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>

namespace {

using shd::test::Outcome;
using shd::test::TempAppDir;

const char *const kOneServer = R"({"svc": [{"id": "svc-1"}]})";

// Runs the host on an app dir holding the given servers.json and plugins.json ("" = no such file).
Outcome run_with(const std::string &servers, const std::string &plugins, const std::vector<std::string> &extra = {}) {
    TempAppDir app("config");
    if (!servers.empty()) app.write("config/servers.json", servers);
    if (!plugins.empty()) app.write("config/plugins.json", plugins);
    std::vector<std::string> args{"--env", "development", "--plugins-dir", SHD_TEST_EXAMPLE_PLUGIN_DIR};
    args.insert(args.end(), extra.begin(), extra.end());
    return shd::test::run_host(app, args);
}

class ConfigErrorsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConfigErrorsTest);
    CPPUNIT_TEST(bad_json_in_plugins_json_gives_line_and_column);
    CPPUNIT_TEST(unknown_plugin_name_lists_the_available_ones);
    CPPUNIT_TEST(enabled_must_be_a_boolean);
    CPPUNIT_TEST(server_types_must_be_strings);
    CPPUNIT_TEST(options_must_be_an_object);
    CPPUNIT_TEST(unknown_key_lists_the_known_ones);
    CPPUNIT_TEST(port_must_be_a_number);
    CPPUNIT_TEST(server_without_id);
    CPPUNIT_TEST(duplicate_server_id);
    CPPUNIT_TEST(unknown_server_id_lists_the_known_ones);
    CPPUNIT_TEST(server_entry_is_checked);
    CPPUNIT_TEST(per_env_folder_is_used);
    CPPUNIT_TEST(top_level_env_key_is_used);
    CPPUNIT_TEST(options_take_environment_references);
    CPPUNIT_TEST(unset_environment_reference_is_an_error);
    CPPUNIT_TEST(other_environments_entries_are_not_expanded);
    CPPUNIT_TEST_SUITE_END();

public:
    void bad_json_in_plugins_json_gives_line_and_column() {
        Outcome out = run_with(kOneServer, "{\n  \"plugins\": [\n    \"greeter\" \"server\"\n  ]\n}\n");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: invalid JSON at line 3, column 15:");
    }

    void unknown_plugin_name_lists_the_available_ones() {
        Outcome out = run_with(kOneServer, R"({"plugins": ["greter"]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: plugins[0].name: no plugin \"greter\" in ");
        SHD_ASSERT_CONTAINS(out.output, "(available: ");
        SHD_ASSERT_CONTAINS(out.output, "greeter");
    }

    void enabled_must_be_a_boolean() {
        Outcome out = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "enabled": "yes"}]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: plugins[0].enabled: expected true or false, got \"yes\"");
    }

    void server_types_must_be_strings() {
        Outcome out = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "serverTypes": 5}]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(
            out.output, "config/plugins.json: plugins[0].serverTypes: expected a string or an array of strings, got 5");
    }

    void options_must_be_an_object() {
        Outcome out = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "options": []}]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: plugins[0].options: expected an object, got an array");
    }

    void unknown_key_lists_the_known_ones() {
        Outcome out = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "serverType": "svc"}]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: plugins[0].serverType: unknown key; expected one of: ");
        SHD_ASSERT_CONTAINS(out.output, "serverTypes");
    }

    void port_must_be_a_number() {
        Outcome out = run_with(R"({"svc": [{"id": "svc-1", "port": "abc"}]})", "");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output,
                            "config/servers.json: svc[0].port: expected a port number (0-65535), got \"abc\"");
    }

    void server_without_id() {
        Outcome out = run_with(R"({"svc": [{"id": "svc-1"}, {"host": "127.0.0.1"}]})", "");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output,
                            "config/servers.json: svc[1].id: expected a non-empty string, but it is missing");
    }

    void duplicate_server_id() {
        Outcome out = run_with(R"({"svc": [{"id": "svc-1"}], "other": [{"id": "svc-1"}]})", "");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/servers.json: other[0].id: duplicate server id \"svc-1\"");
    }

    void unknown_server_id_lists_the_known_ones() {
        Outcome out = run_with(R"({"svc": [{"id": "svc-1"}, {"id": "svc-2"}]})", "", {"--server-id", "svc-9"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output,
                            "--server-id svc-9: no such server in config/master.json or config/servers.json "
                            "(known: svc-1, svc-2)");
    }

    // --server-entry (a server added with `shaddock add`): checked like an entry of servers.json.
    void server_entry_is_checked() {
        Outcome bad_json = run_with(kOneServer, "", {"--server-entry", "{not json"});
        SHD_ASSERT_EXIT(bad_json, 2);
        SHD_ASSERT_CONTAINS(bad_json.output, "--server-entry: expected a JSON object describing a server");
        Outcome no_type = run_with(kOneServer, "", {"--server-entry", R"({"id": "svc-9"})"});
        SHD_ASSERT_EXIT(no_type, 2);
        SHD_ASSERT_CONTAINS(no_type.output, "--server-entry.serverType: expected a non-empty string");
        Outcome port =
            run_with(kOneServer, "", {"--server-entry", R"({"id": "svc-9", "serverType": "svc", "port": "x"})"});
        SHD_ASSERT_EXIT(port, 2);
        SHD_ASSERT_CONTAINS(port.output, "--server-entry.port: expected a port number (0-65535)");
        Outcome taken = run_with(kOneServer, "", {"--server-entry", R"({"id": "svc-1", "serverType": "svc"})"});
        SHD_ASSERT_EXIT(taken, 2);
        SHD_ASSERT_CONTAINS(
            taken.output,
            "--server-entry: server id \"svc-1\" is already in config/master.json or config/servers.json");
        Outcome other = run_with(kOneServer, "",
                                 {"--server-id", "svc-2", "--server-entry", R"({"id": "svc-9", "serverType": "svc"})"});
        SHD_ASSERT_EXIT(other, 2);
        SHD_ASSERT_CONTAINS(other.output, "--server-entry names server \"svc-9\", not --server-id svc-2");
    }

    // config/<env>/servers.json and config/<env>/plugins.json when there is no flat file. The
    // stop_soon plugin ends the run by itself, so exit 0 proves plugins.json was found too.
    void per_env_folder_is_used() {
        TempAppDir app("env-folder");
        app.write("config/production/servers.json", R"({"game": [{"id": "prod-game-1"}]})");
        app.write("config/development/servers.json", R"({"game": [{"id": "dev-game-1"}]})");
        app.write("config/production/plugins.json",
                  R"({"plugins": [{"name": "stop_soon", "options": {"from": "production"}}]})");
        Outcome out = shd::test::run_host(app, {"--env", "production", "--plugins-dir", SHD_TEST_PLUGIN_DIR});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_CONTAINS(out.output,
                            R"(stop_soon: server prod-game-1 type game env production options {"from":"production"})");
        SHD_ASSERT_NOT_CONTAINS(out.output, "dev-game-1");
    }

    // A flat config file with a top-level key per environment: only that member counts.
    void top_level_env_key_is_used() {
        TempAppDir app("env-key");
        app.write("config/servers.json", R"({
            "development": {"game": [{"id": "dev-game-1"}]},
            "production": {"game": [{"id": "prod-game-1"}]}})");
        app.write("config/plugins.json", R"({
            "development": {"plugins": [{"name": "stop_soon", "options": {"from": "development"}}]},
            "production": {"plugins": [{"name": "no_such_plugin"}]}})");
        Outcome out = shd::test::run_host(app, {"--env", "development", "--plugins-dir", SHD_TEST_PLUGIN_DIR});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_CONTAINS(out.output,
                            R"(stop_soon: server dev-game-1 type game env development options {"from":"development"})");
        SHD_ASSERT_NOT_CONTAINS(out.output, "prod-game-1");
    }

    // ${NAME} and ${NAME:-default} in option strings; a whole reference to a number or a boolean
    // becomes one; $$ is a literal $; keys and other files are untouched.
    void options_take_environment_references() {
        ::setenv("SHD_TEST_REF_HOST", "10.1.2.3", 1);
        ::setenv("SHD_TEST_REF_PORT", "6380", 1);
        ::setenv("SHD_TEST_REF_FLAG", "true", 1);
        ::setenv("SHD_TEST_REF_EMPTY", "", 1);
        ::unsetenv("SHD_TEST_REF_UNSET");
        TempAppDir app("env-refs");
        app.write("config/servers.json", R"({"game": [{"id": "game-1"}]})");
        app.write("config/plugins.json", R"({"plugins": [{"name": "stop_soon", "options": {
            "url": "redis://${SHD_TEST_REF_HOST}:${SHD_TEST_REF_PORT}/0", "port": "${SHD_TEST_REF_PORT}",
            "on": "${SHD_TEST_REF_FLAG}", "d": "${SHD_TEST_REF_UNSET:-7}", "e": "${SHD_TEST_REF_EMPTY:-fallback}",
            "price": "$$5", "list": ["${SHD_TEST_REF_HOST}"], "${SHD_TEST_REF_HOST}": 1}}]})");
        Outcome out = shd::test::run_host(app, {"--env", "development", "--plugins-dir", SHD_TEST_PLUGIN_DIR});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_CONTAINS(out.output, R"(options {"url":"redis://10.1.2.3:6380/0","port":6380,"on":true,"d":7,)"
                                        R"("e":"fallback","price":"$5","list":["10.1.2.3"],"${SHD_TEST_REF_HOST}":1})");
    }

    void unset_environment_reference_is_an_error() {
        ::unsetenv("SHD_TEST_REF_UNSET");
        Outcome out = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "options": {"password": "${SHD_TEST_REF_UNSET}"}}]})");
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, "config/plugins.json: plugins[0].options.password: ${SHD_TEST_REF_UNSET} is not set "
                                        "in the environment (set it, or give a default: ${SHD_TEST_REF_UNSET:-value})");
        Outcome open = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "options": {"a": {"b": "x${OOPS"}}}]})");
        SHD_ASSERT_EXIT(open, 2);
        SHD_ASSERT_CONTAINS(open.output, "config/plugins.json: plugins[0].options.a.b: \"x${OOPS\": a reference ${...} is not closed");
        Outcome bad = run_with(kOneServer, R"({"plugins": [{"name": "greeter", "options": {"a": "${1X}"}}]})");
        SHD_ASSERT_EXIT(bad, 2);
        SHD_ASSERT_CONTAINS(bad.output, "plugins[0].options.a: \"${1X}\": expected ${NAME} or ${NAME:-default}");
    }

    // An entry of another environment (or server type) may name variables this run does not set.
    void other_environments_entries_are_not_expanded() {
        ::unsetenv("SHD_TEST_REF_UNSET");
        TempAppDir app("env-refs-other");
        app.write("config/servers.json", R"({"game": [{"id": "game-1"}]})");
        app.write("config/plugins.json", R"({"plugins": [
            {"name": "stop_soon", "env": "development", "options": {"from": "development"}},
            {"name": "greeter", "env": "scaled", "options": {"password": "${SHD_TEST_REF_UNSET}"}},
            {"name": "greeter", "serverTypes": "other", "options": {"password": "${SHD_TEST_REF_UNSET}"}}]})");
        Outcome out = shd::test::run_host(app, {"--env", "development", "--plugins-dir", SHD_TEST_PLUGIN_DIR});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_CONTAINS(out.output, R"(options {"from":"development"})");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigErrorsTest);

}  // namespace
