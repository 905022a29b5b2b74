// A test plugin for the admin console (tests/cluster/console_test.js): it registers the admin module
// "probe" through "shd.admin/1" and the cron action "probeCron.tick" through "shd.cron/1".
//   {"echo": X}   -> {"echo": X, "server": <id>, "calls": N}
//   {"fail": true} -> the error "probe refused the request"
//   {"big": true}  -> an answer of 300 KiB (over the console's limit)
//   {"deep": true} -> an answer nested 30 levels deep
//   {"sleep": MS}  -> blocks the logic thread MS milliseconds (at most 10000), then answers
#include <shaddock/cpp/admin.hpp>
#include <shaddock/cpp/cron.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>

#include <chrono>
#include <memory>
#include <thread>

namespace {

class ConsoleProbe : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        admin_ = std::make_unique<shd::AdminModules>(host());
        admin_->add("probe", "a test module: echo, fail, big, deep, sleep",
                    [this](const rapidjson::Value &req) { return answer(req); });
        crons_ = std::make_unique<shd::Crons>(host());
        crons_->action("probeCron.tick", [this](const std::string &cron_json) {
            rapidjson::Document d;
            d.Parse(cron_json.c_str());
            host().info("probe cron fired id=" + (d.IsObject() && d.HasMember("id") ? shd::to_json(d["id"]) : "?"));
        });
    }

private:
    std::string answer(const rapidjson::Value &req) {
        ++calls_;
        if (!req.IsObject()) throw shd::Error(SHD_ERR_INVALID, "probe: expected an object");
        if (req.HasMember("fail")) throw shd::Error(SHD_ERR_INVALID, "probe refused the request");
        if (req.HasMember("big")) return shd::json_quote(std::string(300 * 1024, 'x'));
        if (req.HasMember("deep")) return std::string(30, '[') + std::string(30, ']');
        if (req.HasMember("sleep") && req["sleep"].IsUint())
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(req["sleep"].GetUint(), 10000u)));
        std::string echo = req.HasMember("echo") ? shd::to_json(req["echo"]) : "null";
        return R"({"echo":)" + echo + R"(,"server":)" + shd::json_quote(host().server().id) + R"(,"calls":)" +
               std::to_string(calls_) + "}";
    }

    std::unique_ptr<shd::AdminModules> admin_;
    std::unique_ptr<shd::Crons> crons_;
    unsigned calls_ = 0;
};

}  // namespace

SHADDOCK_PLUGIN(ConsoleProbe, "console_probe", "0.1.0", "", SHD_CRON_SERVICE_ID)
