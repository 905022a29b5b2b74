#include "platform/instance_manager.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/cluster.hpp>

#include <map>

namespace mmo {
namespace {

std::string answer(const std::string &body) {
    return "[null," + body + "]";
}

// The instance servers in membership order: area servers whose entry says "instance": true.
std::vector<std::string> instance_servers(const shd::Host &host) {
    std::vector<std::string> out;
    for (const auto &s : shd::Cluster(host).servers_by_type("area")) {
        rapidjson::Document d = shd::parse_json_or_empty(s.json);
        auto it = d.FindMember("instance");
        if (it != d.MemberEnd() && ((it->value.IsBool() && it->value.GetBool()) ||
                                    (it->value.IsString() && std::string(it->value.GetString()) == "true")))
            out.push_back(s.id);
    }
    return out;
}

}  // namespace

class InstanceManager : public std::enable_shared_from_this<InstanceManager> {
public:
    explicit InstanceManager(AppContext &ctx) : ctx_(ctx) {}

    void install() {
        std::weak_ptr<InstanceManager> weak = shared_from_this();
        ctx_.rpc->remote("instanceRemote", "create", [weak](const std::string &args, shd::RpcReply reply) {
            if (auto s = weak.lock()) s->create(args, reply);
        });
        ctx_.rpc->remote("instanceRemote", "remove", [weak](const std::string &args, shd::RpcReply reply) {
            auto s = weak.lock();
            rapidjson::Document a = shd::parse_json_or_empty(args);
            if (s && a.IsArray() && !a.Empty() && a[0].IsString()) s->instances_.erase(a[0].GetString());
            reply.ok(answer(R"({"code":200})"));
        });
        ctx_.rpc->remote("instanceRemote", "find", [weak](const std::string &args, shd::RpcReply reply) {
            auto s = weak.lock();
            rapidjson::Document a = shd::parse_json_or_empty(args);
            if (!s || !a.IsArray() || a.Empty() || !a[0].IsString()) return reply.ok(answer(R"({"code":500})"));
            auto it = s->instances_.find(a[0].GetString());
            if (it == s->instances_.end()) return reply.ok(answer(R"({"code":500})"));
            reply.ok(answer(R"({"code":200,"serverId":)" + shd::json_quote(it->second) + "}"));
        });
    }

private:
    void create(const std::string &args, const shd::RpcReply &reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        if (!a.IsArray() || a.Empty() || !a[0].IsObject() || !a[0].HasMember("areaId") || !a[0]["areaId"].IsInt64() ||
            !a[0].HasMember("id") || !a[0]["id"].IsInt64())
            return reply.ok(answer(R"({"code":500})"));
        std::string id = std::to_string(a[0]["areaId"].GetInt64()) + "_" + std::to_string(a[0]["id"].GetInt64());
        int64_t area = a[0]["areaId"].GetInt64();
        auto found = instances_.find(id);
        if (found != instances_.end()) return reply.ok(made(id, found->second));
        std::vector<std::string> servers = instance_servers(ctx_.host);
        if (servers.empty()) return reply.ok(answer(R"({"code":500})"));
        std::string server = servers[next_++ % servers.size()];
        auto self = shared_from_this();
        ctx_.rpc->to_server(server, "area", "areaRemote", "create",
                            R"([{"areaId":)" + std::to_string(area) + R"(,"instanceId":)" + shd::json_quote(id) + "}]",
                            [self, id, server, reply](shd_status s, const std::string &) {
                                if (s != SHD_OK) {
                                    self->ctx_.host.warn("instance " + id + ": " + server + " could not make it");
                                    return reply.ok(answer(R"({"code":500})"));
                                }
                                // Two creates of one instance at once: the first made stays.
                                auto it = self->instances_.emplace(id, server).first;
                                reply.ok(self->made(id, it->second));
                            });
    }

    std::string made(const std::string &id, const std::string &server) const {
        return answer(R"({"code":200,"instanceId":)" + shd::json_quote(id) + R"(,"serverId":)" +
                      shd::json_quote(server) + "}");
    }

    AppContext &ctx_;
    std::map<std::string, std::string> instances_;  // instance id -> server id
    size_t next_ = 0;
};

std::shared_ptr<InstanceManager> install_instance_manager(AppContext &ctx) {
    auto m = std::make_shared<InstanceManager>(ctx);
    m->install();
    return m;
}

}  // namespace mmo
