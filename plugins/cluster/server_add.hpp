// The servers that `shaddock add k=v...` asks the master for (Pomelo's `pomelo add`): every field
// checked, clusterCount expanded into servers with generated ids and consecutive ports, and refused when
// an id or a port is already taken. Pure: the master passes what it knows and a probe for ports in use.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace shd::cluster {

// A server the cluster already has (configured, added earlier, or the master).
struct KnownServer {
    std::string id, type, host;
    int port = 0, client_port = 0;
};

// One server to add: its entry as JSON (serverType set, ports as numbers) and what the checks need.
struct NewServer {
    std::string id, type, host;
    int port = 0, client_port = 0;
    bool auto_restart = false;
    std::string json;
};

// The reason a request is refused: one line that names the field.
struct AddError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// True when something already listens on host:port (checked only for hosts of this machine).
using PortProbe = std::function<bool(const std::string &host, int port)>;
// True when `host` is this machine (is_local_host with the master's host).
using LocalProbe = std::function<bool(const std::string &host)>;

// Fields (strings as typed on the command line, or JSON numbers and booleans):
//   serverType   required; letters, digits, '_', '-', '.'; not "master"
//   id           required without clusterCount, refused with it (ids are generated); same characters
//   host         required; an IP address or host name
//   port         RPC port, 1-65535 ("N++" allowed); clientPort: the clients' port (frontends), 1-65535
//   clientHost   the host clients are told to use; frontend: true|false (true needs clientPort)
//   auto-restart, restart-force: true|false
//   clusterCount 1-100: that many servers with ids cluster-server-<type>-<k> (k after the highest in use)
//                and ports port, port+1, ... (clientPort likewise)
// At least one of port and clientPort. Throws AddError.
std::vector<NewServer> plan_added_servers(const rapidjson::Value &fields, const std::vector<KnownServer> &known,
                                          const LocalProbe &is_local, const PortProbe &in_use);

// "k=v" words of the command line into a JSON object of strings; throws AddError on a word without '='
// or a key given twice.
std::string add_fields_json(const std::vector<std::string> &words);

}  // namespace shd::cluster
