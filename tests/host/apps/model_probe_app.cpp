// A test app that exercises the app model of the C++ SDK and logs what it sees, one line per fact:
// settings shared with the settings_probe plugin, components (order, asynchronous steps, failures),
// and the membership getters (printed as one JSON line at start_all).
//
// Options (plugins.json "app" entry):
//   "components": ["alpha", ...]   components to add, in this order
//   "async": ["beta", ...]         these finish every step 20 ms later, from a timer
//   "fail": "beta", "failIn": "start" | "after_start" | "stop"   this one fails in that step
#include <shaddock/cpp/cluster.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/settings.hpp>

#include <memory>
#include <set>
#include <string>

namespace {

std::set<std::string> strings(const rapidjson::Value &opts, const char *key) {
    std::set<std::string> out;
    if (opts.IsObject() && opts.HasMember(key) && opts[key].IsArray())
        for (const auto &v : opts[key].GetArray())
            if (v.IsString()) out.insert(v.GetString());
    return out;
}

class Probe : public shd::Component {
public:
    Probe(const shd::Host &host, std::string name, bool async, std::string fail_in)
        : shd::Component(std::move(name)), host_(host), async_(async), fail_in_(std::move(fail_in)) {}

    void start(shd::Step done) override { step("start", done); }
    void after_start(shd::Step done) override { step("after_start", done); }
    void stop(bool force, shd::Step done) override { step(std::string("stop force=") + (force ? "1" : "0"), done); }

private:
    void step(const std::string &what, const shd::Step &done) {
        host_.info("component " + name() + " " + what);
        bool fail = !fail_in_.empty() && what.rfind(fail_in_, 0) == 0;
        auto finish = [done, fail, name = name()] {
            if (fail) done.fail(name + " refuses on purpose");
            else done();
        };
        if (async_) host_.after(20, finish);
        else finish();
    }

    shd::Host host_;
    bool async_;
    std::string fail_in_;
};

class ModelProbeApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        shd::Settings settings(host());
        host().info("app sees fromPlugin=" + settings.get("fromPlugin").value_or("(unset)"));
        host().info("app sees defaults serverId=" + settings.get_string("serverId").value_or("?") +
                    " serverType=" + settings.get_string("serverType").value_or("?") +
                    " env=" + settings.get_string("env").value_or("?") +
                    " stopTimeout=" + std::to_string(settings.get_int("stopTimeout").value_or(-1)));
        settings.set("fromApp", R"({"answer":42,"list":[1,2]})");
        settings.enable("appFeature");
        settings.disable("appOther");

        rapidjson::Document opts = shd::parse_json_or_empty(host().options_json());
        auto async = strings(opts, "async");
        std::string fail = shd::json_string(opts, "fail"), fail_in = shd::json_string(opts, "failIn", "start");
        if (opts.HasMember("components") && opts["components"].IsArray())
            for (const auto &v : opts["components"].GetArray()) {
                if (!v.IsString()) continue;
                std::string name = v.GetString();
                add_component(std::make_unique<Probe>(host(), name, async.count(name) > 0, name == fail ? fail_in : ""));
            }
        // Pomelo ignores a second component of the same name.
        if (opts.HasMember("components") && opts["components"].IsArray() && !opts["components"].Empty() &&
            opts["components"][0].IsString()) {
            bool added = add_component(std::make_unique<Probe>(host(), opts["components"][0].GetString(), false, ""));
            host().info(std::string("duplicate component added: ") + (added ? "yes" : "no"));
        }
    }

    void start() override { host().info("app start"); }

    void start_all() override {
        shd::Cluster cluster(host());
        std::string out = R"({"live":)" + std::string(cluster.live() ? "true" : "false") + R"(,"servers":[)";
        bool first = true;
        for (const auto &s : cluster.servers()) {
            out += (first ? "" : ",") + std::string(R"({"id":)") + shd::json_quote(s.id) + R"(,"serverType":)" +
                   shd::json_quote(s.server_type) + R"(,"host":)" + shd::json_quote(s.host) + R"(,"port":)" +
                   std::to_string(s.port) + R"(,"clientPort":)" + std::to_string(s.client_port) + R"(,"frontend":)" +
                   (s.frontend ? "true" : "false") + "}";
            first = false;
        }
        out += R"(],"byType":{)";
        first = true;
        for (const auto &type : cluster.server_types()) {
            out += (first ? "" : ",") + shd::json_quote(type) + ":[";
            bool f2 = true;
            for (const auto &s : cluster.servers_by_type(type)) {
                out += (f2 ? "" : ",") + shd::json_quote(s.id);
                f2 = false;
            }
            out += "]";
            first = false;
        }
        auto ids = cluster.server_ids_by_type(cluster.server_type());
        auto me = cluster.server(cluster.server_id());
        auto master = cluster.master();
        auto cur = cluster.current();
        out += R"(},"idsOfMyType":)" + std::to_string(ids.size()) + R"(,"meFound":)" + (me ? "true" : "false") +
               R"(,"unknownFound":)" + (cluster.server("no-such-server") ? "true" : "false") + R"(,"master":)" +
               shd::json_quote(master ? master->id : "") + R"(,"current":)" + shd::json_quote(cur.id) + R"(,"currentType":)" +
               shd::json_quote(cur.server_type) + R"(,"frontend":)" + (cluster.frontend() ? "true" : "false") +
               R"(,"backend":)" + (cluster.backend() ? "true" : "false") + R"(,"allStarted":)" +
               (cluster.all_started() ? "true" : "false") + "}";
        host().info("membership " + out);
    }

    void stop(shd::Done done) override {
        host().info("app stop");
        done();
    }

};

}  // namespace

SHADDOCK_APP(ModelProbeApp, "model_probe", "1.0.0", "shd.settings/1")
