// The servers of an app, read from master.json and servers.json (Pomelo formats, env-resolved), with
// clusterCount entries expanded. The host uses it to learn its own identity; the master plugin reads
// the same files through read_config.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shd::host {

struct ServerEntry {
    std::string id;
    std::string type;  // "master" for the master
    std::string host;
    int port = 0;
    int client_port = 0;
    bool frontend = false;
    bool is_master = false;
    std::string json;  // the entry as JSON text (with "serverType" added, clusterCount expanded)
};

struct ServerDirectory {
    std::optional<ServerEntry> master;
    std::vector<ServerEntry> servers;  // servers.json order, clusters expanded in place
    // Standby masters of masterha.json (Pomelo's pomelo-masterha-plugin format: a list of
    // {"id","host","port"} per environment): each may be run with --server-id and is then a master.
    std::vector<ServerEntry> standby_masters;

    const ServerEntry *find(const std::string &id) const;
};

// Throws ConfigError naming the file and key for every malformed entry or duplicate id.
ServerDirectory load_server_directory(const std::string &app_dir, const std::string &env);

// One server entry given as JSON text outside servers.json (the host's --server-entry, which the master
// passes to a server added with `shaddock add`): an object with "id" and "serverType" (not "master"),
// checked like an entry of servers.json. Throws ConfigError naming `where`.
ServerEntry parse_server_entry(const std::string &json, const std::string &where);

}  // namespace shd::host
