// A stand-in for the cluster plugin in the rpc tests: provides "shd.cluster/1" from a fixed list in
// its options, {"servers": [{server entry}, ...], "secret": "..."}, in the order given, and emits what
// a real one emits: "start_all" once started, and "remove_servers" when the test asks (the event
// "test.remove_servers" with a JSON array of ids, which the test app emits on command).
#include <shaddock/ext/cluster.h>
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

struct Member {
    std::string id, type, json;
};

class FakeCluster : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::Options opts(host().options_json());
        opts.reject_unknown({"servers", "secret"});
        secret_ = opts.get_string("secret", "");
        if (const rapidjson::Value *list = opts.find("servers"); list && list->IsArray()) {
            for (const auto &e : list->GetArray()) {
                rapidjson::StringBuffer sb;
                rapidjson::Writer<rapidjson::StringBuffer> w(sb);
                e.Accept(w);
                members_.push_back(Member{e["id"].GetString(), e["serverType"].GetString(), sb.GetString()});
            }
        }
        vtable_.struct_size = sizeof vtable_;
        vtable_.abi_major = SHD_ABI_MAJOR;
        vtable_.abi_minor = SHD_ABI_MINOR;
        vtable_.servers = shd::guard<&FakeCluster::servers>;
        vtable_.server_ids_by_type = shd::guard<&FakeCluster::ids_by_type>;
        vtable_.server = shd::guard<&FakeCluster::server>;
        vtable_.all_started = shd::guard<&FakeCluster::all_started, 0>;
        vtable_.cluster_secret = shd::guard<&FakeCluster::cluster_secret>;
        host().provide(SHD_CLUSTER_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        sub_ = host().subscribe("test.remove_servers", [this](std::string_view, std::string_view ids) {
            rapidjson::Document d;
            d.Parse(ids.data(), ids.size());
            if (!d.IsArray()) return;
            for (const auto &v : d.GetArray()) {
                std::string id = v.GetString();
                members_.erase(
                    std::remove_if(members_.begin(), members_.end(), [&](const Member &m) { return m.id == id; }),
                    members_.end());
            }
            host().emit("remove_servers", ids);
        });
        host().emit("start_all", "{}");
    }

    void stop(shd::Done done) override {
        host().unsubscribe(sub_);
        done();
    }

private:
    static FakeCluster *self(FakeCluster *c) { return c; }
    static int32_t all_started(FakeCluster *) { return 1; }
    static shd_str cluster_secret(FakeCluster *c) { return shd::to_shd(c->secret_); }
    static void servers(FakeCluster *c, shd_text_fn sink, void *ud) {
        std::string all = "[";
        for (const auto &m : self(c)->members_) all += (all.size() > 1 ? "," : "") + m.json;
        all += "]";
        sink(ud, shd::to_shd(all));
    }
    static void ids_by_type(FakeCluster *c, shd_str type, shd_text_fn sink, void *ud) {
        for (const auto &m : self(c)->members_)
            if (m.type == shd::to_view(type)) sink(ud, shd::to_shd(m.id));
    }
    static shd_status server(FakeCluster *c, shd_str id, shd_text_fn sink, void *ud) {
        for (const auto &m : self(c)->members_) {
            if (m.id == shd::to_view(id)) {
                sink(ud, shd::to_shd(m.json));
                return SHD_OK;
            }
        }
        return SHD_ERR_NOT_FOUND;
    }

    std::string secret_;
    std::vector<Member> members_;
    shd_cluster_v1 vtable_{};
    uint64_t sub_ = 0;
};

}  // namespace

SHADDOCK_PLUGIN(FakeCluster, "fake_cluster", "1.0.0", SHD_CLUSTER_SERVICE_ID, "")
