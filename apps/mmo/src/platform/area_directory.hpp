// lordofpomelo's areaIdMap: which server holds which scene, read from the "area" property of the
// area servers in servers.json, and the `area` route function that sends a session's area requests
// to its session key `serverId`.
#pragma once
#include <map>
#include <string>

namespace shd {
class Host;
class Rpc;
}  // namespace shd

namespace mmo {

class AreaDirectory {
public:
    // Reads every configured server; servers of type "area" with an integer "area" property are scenes.
    void load(const shd::Host &host);
    // The server of a scene, or "" when no server holds it.
    std::string server_of(int area_id) const;
    bool has(int area_id) const { return servers_.count(area_id) != 0; }
    const std::map<int, std::string> &all() const { return servers_; }

private:
    std::map<int, std::string> servers_;
};

// Installs the route function of the "area" server type: the session's `serverId` setting, when it
// names one of the candidates; otherwise the call fails (a session that has not entered a scene
// has no area server).
void install_area_route(shd::Rpc &rpc);

}  // namespace mmo
