// The admin modules the cluster plugin registers in every server process, master included, through
// "shd.admin/1" (docs/operations.md, "Admin console"): Pomelo's monitoring modules systemInfo, nodeInfo,
// monitorLog and watchServer, and `settings` (app.get / app.set). Each answers from this process only;
// the master fans a console request out to the servers asked for. None of them runs code it is sent.
// [logic]
#pragma once

#include <shaddock/cpp/admin.hpp>
#include <shaddock/cpp/host.hpp>

#include <memory>
#include <string>

namespace shd::cluster {

class ConsoleModules {
public:
    explicit ConsoleModules(const Host &host);
    // Registers the modules (in configure: the host's admin service is there from the entry call on).
    void install();

    // The pieces, public for their unit test: a summary of a "shd.metrics/1" snapshot (watchServer) and
    // the last `lines` lines of a file's text that contain `match`.
    static std::string watch_summary(const std::string &snapshot_json, const std::string &comd);
    static std::string last_lines(const std::string &text, size_t lines, const std::string &match);

private:
    std::string system_info() const;
    std::string node_info() const;
    std::string monitor_log(const rapidjson::Value &req) const;
    std::string watch_server(const rapidjson::Value &req) const;
    std::string settings(const rapidjson::Value &req) const;

    Host host_;
    uint64_t started_ms_;
    std::unique_ptr<AdminModules> modules_;
};

}  // namespace shd::cluster
