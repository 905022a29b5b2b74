// The `cron` plugin: Pomelo's crons. Reads config/crons.json in configure (a bad entry stops the
// server with the file, the entry and the field), provides "shd.cron/1" for the app's actions and
// for addCrons/removeCrons, and runs each cron of this server on the logic thread at its times.
#include "cron_entry.hpp"
#include "cron_scheduler.hpp"

#include <shaddock/cpp/admin.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

using shd::cron::CronScheduler;

class CronPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::Options(host().options_json()).reject_unknown({});
        shd::ServerInfo me = host().server();
        server_id_ = me.id;
        if (auto text = host().read_config("crons.json")) {
            rapidjson::Document doc;
            doc.Parse(text->data(), text->size());  // read_config has checked it is JSON
            scheduler_.add(shd::cron::crons_for_server(doc, shown_file_name(me), me.type, me.id));
        }
        shd::stamp(vtable_);
        vtable_.add_action = shd::guard<&CronPlugin::add_action>;
        vtable_.add_crons = shd::guard<&CronPlugin::add_crons>;
        vtable_.remove_crons = shd::guard<&CronPlugin::remove_crons>;
        vtable_.list = shd::guard<&CronPlugin::list>;
        host().provide(SHD_CRON_SERVICE_ID, &vtable_, this);
        // The admin console's addCron / removeCron (`shaddock cron add|remove|list`) reach this server here.
        if (shd::AdminModules::available(host())) {  // a host older than shd.admin/1 has none
            admin_ = std::make_unique<shd::AdminModules>(host());
            admin_->add("cron",
                        "this server's crons: {\"op\":\"list\"}, {\"op\":\"add\",\"crons\":[...]}, "
                        "{\"op\":\"remove\",\"ids\":[...]}",
                        [this](const rapidjson::Value &req) { return console(req); });
        }
    }

    void start() override {
        scheduler_.start();
        host().info(std::to_string(scheduler_.size()) + " cron(s) scheduled for " + server_id_);
        // The app registered its actions in its configure, which ran before this start.
        for (const auto &action : scheduler_.actions_of_crons())
            if (!scheduler_.has_action(action))
                host().warn("cron action " + action + " is not registered (yet); its crons are skipped until it is");
    }

    void stop(shd::Done done) override {
        scheduler_.stop();
        done();
    }

private:
    static CronPlugin *self(void *ctx) { return static_cast<CronPlugin *>(ctx); }

    // How errors name the file read_config resolved, as the host does: "config/crons.json
    // (development)" for the environment's member of the flat file, else "config/<env>/crons.json".
    static std::string shown_file_name(const shd::ServerInfo &me) {
        std::string flat = me.app_dir + "/config/crons.json";
        if (!std::filesystem::exists(flat)) return "config/" + me.env + "/crons.json";
        std::ifstream in(flat);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        rapidjson::Document raw;
        raw.Parse(text.data(), text.size());
        bool per_env = !raw.HasParseError() && raw.IsObject() && raw.HasMember(me.env.c_str());
        return per_env ? "config/crons.json (" + me.env + ")" : "config/crons.json";
    }

    static shd_status add_action(CronPlugin *ctx, shd_str name, shd_cron_action_fn fn, void *ud) {
        return self(ctx)->scheduler_.add_action(shd::to_view(name), fn, ud);
    }

    static shd_status add_crons(CronPlugin *ctx, shd_str crons_json, shd_text_fn why, void *why_data) {
        CronPlugin *me = self(ctx);
        try {
            rapidjson::Document doc;
            doc.Parse(crons_json.data ? crons_json.data : "", crons_json.size);
            if (doc.HasParseError() || !doc.IsArray())
                throw shd::Error(SHD_ERR_INVALID, "addCrons: expected a JSON array of crons");
            std::vector<shd::cron::CronEntry> entries;
            for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
                auto e = shd::cron::parse_cron_entry(doc[i], "addCrons[" + std::to_string(i) + "]");
                if (e.server_id.empty() || e.server_id == me->server_id_) entries.push_back(std::move(e));
            }
            me->scheduler_.add(std::move(entries));
            return SHD_OK;
        } catch (const shd::Error &e) {  // a refused entry: the reason goes to the caller
            if (why) why(why_data, shd::to_shd(e.what()));
            return e.status();
        }
    }

    static shd_status remove_crons(CronPlugin *ctx, shd_str crons_json) {
        rapidjson::Document doc;
        doc.Parse(crons_json.data ? crons_json.data : "", crons_json.size);
        if (doc.HasParseError() || !doc.IsArray()) return SHD_ERR_INVALID;
        for (const auto &item : doc.GetArray()) {
            const rapidjson::Value &id = item.IsObject() && item.HasMember("id") ? item["id"] : item;
            self(ctx)->scheduler_.remove(shd::to_json(id));
        }
        return SHD_OK;
    }

    static void list(CronPlugin *ctx, shd_text_fn sink, void *ud) {
        if (!sink) return;
        std::string text = self(ctx)->scheduler_.list_json();
        sink(ud, shd::to_shd(text));
    }

    // The "cron" admin module. Added crons are checked like those of crons.json (the reason of a refusal
    // goes back to the admin user); a cron for another server is refused rather than skipped.
    std::string console(const rapidjson::Value &req) {
        std::string op = shd::json_string(req, "op");
        if (op == "list") return scheduler_.list_json();
        if (op == "add") {
            if (!req.HasMember("crons") || !req["crons"].IsArray() || req["crons"].Empty() || req["crons"].Size() > 100)
                throw shd::Error(SHD_ERR_INVALID, "crons: expected a list of 1 to 100 entries");
            for (const auto &c : req["crons"].GetArray()) {
                std::string sid = c.IsObject() ? shd::json_string(c, "serverId") : std::string();
                if (!sid.empty() && sid != server_id_)
                    throw shd::Error(SHD_ERR_INVALID, "serverId " + sid + " is not this server (" + server_id_ + ")");
            }
            std::string why;
            shd_status s = add_crons(
                this, shd::to_shd(shd::to_json(req["crons"])),
                [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(shd::to_view(t)); }, &why);
            if (s != SHD_OK) throw shd::Error(s, why.empty() ? std::string(shd::status_name(s)) : why);
            return scheduler_.list_json();
        }
        if (op == "remove") {
            if (!req.HasMember("ids") || !req["ids"].IsArray())
                throw shd::Error(SHD_ERR_INVALID, "ids: expected a list of cron ids");
            std::string removed = "[", unknown = "[";
            for (const auto &id : req["ids"].GetArray()) {
                std::string key = shd::to_json(id);
                std::string &list = scheduler_.remove(key) ? removed : unknown;
                list += (list.size() > 1 ? "," : "") + key;
            }
            return R"({"removed":)" + removed + R"(],"unknown":)" + unknown + "]}";
        }
        throw shd::Error(SHD_ERR_INVALID, "op: expected list, add or remove");
    }

    std::string server_id_;
    std::unique_ptr<shd::AdminModules> admin_;
    CronScheduler scheduler_{host()};
    shd_cron_service_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(CronPlugin, "cron", "0.1.0", SHD_CRON_SERVICE_ID, "")
