#include "area/area_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/channel.hpp>
#include <shaddock/cpp/cluster.hpp>
#include <shaddock/cpp/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace mmo {

namespace {

constexpr std::int64_t kTickMs = 100;
constexpr std::int64_t kSaveMs = 1000;

}  // namespace

AreaServer::AreaServer(AppContext &ctx, int area_id) : ctx_(ctx) {
    data_ = std::make_unique<world::GameData>(world::GameData::load(ctx.server.app_dir));
    instance_server_ = area_id == 0;
    if (!instance_server_) {
        if (!data_->area(area_id))
            throw std::runtime_error("config/data/area.json: no area " + std::to_string(area_id) +
                                     " (servers.json gives it to " + ctx.server.id + ")");
        make_area(area_id, "");
    }
    records_ = ctx.players ? store_player_records(*ctx.players, *data_) : memory_player_records(*data_);
    install_handlers();
    if (instance_server_ && ctx.rpc)
        ctx.rpc->remote("areaRemote", "create",
                        [this](const std::string &args, shd::RpcReply reply) { create_instance(args, reply); });
    if (ctx.rpc)
        ctx.rpc->remote("areaRemote", "teamLeft",
                        [this](const std::string &args, shd::RpcReply reply) { team_left(args, reply); });
}

world::Area &AreaServer::make_area(int area_id, const std::string &instance) {
    const world::AreaKind &kind = *data_->area(area_id);
    world::SceneMap map = world::SceneMap::load(ctx_.server.app_dir + kind.map_path, kind.width, kind.height);
    world::AreaOptions options;
    options.seed = static_cast<std::uint32_t>(ctx_.host.now_ms() ^ static_cast<std::uint64_t>(area_id) * 2654435761u ^
                                              areas_.size());
    // A test may ask every kill to drop something (servers.json: "minDrops"), so it can pick one at once.
    rapidjson::Document me = shd::parse_json_or_empty(ctx_.server.json);
    if (me.IsObject() && me.HasMember("minDrops") && me["minDrops"].IsInt())
        options.min_drops = std::max(0, std::min(2, me["minDrops"].GetInt()));
    auto area = std::make_unique<world::Area>(*data_, kind, std::move(map), *this, options);
    world::Area &ref = *area;
    areas_[instance] = std::move(area);
    // Its clock agrees with the others' (they all count from the server's start).
    ref.tick(static_cast<std::int64_t>(ctx_.host.now_ms()) - started_ms_);
    if (!instance.empty()) idle_since_[instance] = static_cast<std::int64_t>(ctx_.host.now_ms());
    return ref;
}

// areaRemote.create [{areaId, instanceId}] (the manager's): an instance of a dungeon scene, once.
void AreaServer::create_instance(const std::string &args, const shd::RpcReply &reply) {
    rapidjson::Document a = shd::parse_json_or_empty(args);
    if (!a.IsArray() || a.Empty() || !a[0].IsObject())
        return reply.fail(SHD_ERR_INVALID, R"("create needs [{areaId, instanceId}]")");
    const rapidjson::Value &o = a[0];
    const int area_id = o.HasMember("areaId") && o["areaId"].IsInt() ? o["areaId"].GetInt() : 0;
    const std::string instance = shd::json_string(o, "instanceId");
    const world::AreaKind *kind = data_->area(area_id);
    if (!kind || kind->type == 1 || instance.empty() || instance.size() > 64)
        return reply.fail(SHD_ERR_INVALID, R"("no such dungeon, or no instance id")");
    if (!areas_.count(instance)) make_area(area_id, instance);
    reply.ok(R"([null,{"code":200}])");
}

// An instance empty for 30 minutes closes, and the manager forgets it (§1.3).
void AreaServer::close_idle_instances() {
    const std::int64_t now = static_cast<std::int64_t>(ctx_.host.now_ms());
    for (auto it = areas_.begin(); it != areas_.end();) {
        if (it->first.empty() || it->second->player_count() > 0) {
            idle_since_.erase(it->first);
            ++it;
            continue;
        }
        auto [since, fresh] = idle_since_.emplace(it->first, now);
        if (fresh || now - since->second < 1800000) {
            ++it;
            continue;
        }
        const std::string id = it->first;
        idle_since_.erase(since);
        it = areas_.erase(it);
        if (!ctx_.rpc) continue;
        for (const std::string &manager : shd::Cluster(ctx_.host).server_ids_by_type("manager"))
            ctx_.rpc->to_server(manager, "manager", "instanceRemote", "remove", "[" + shd::json_quote(id) + "]",
                                [](shd_status, const std::string &) {});
    }
}

AreaServer::~AreaServer() {
    if (tick_timer_) ctx_.host.cancel(tick_timer_);
    if (save_timer_) ctx_.host.cancel(save_timer_);
    if (idle_timer_) ctx_.host.cancel(idle_timer_);
}

void AreaServer::start() {
    channels_ = std::make_unique<shd::ChannelService>(ctx_.host);
    started_ms_ = static_cast<std::int64_t>(ctx_.host.now_ms());
    tick_timer_ = ctx_.host.every(kTickMs, [this] { tick(); });
    save_timer_ = ctx_.host.every(kSaveMs, [this] { save_dirty(); });
    if (instance_server_) idle_timer_ = ctx_.host.every(60000, [this] { close_idle_instances(); });
}

void AreaServer::stop(std::function<void()> done) {
    if (tick_timer_) ctx_.host.cancel(tick_timer_);
    if (save_timer_) ctx_.host.cancel(save_timer_);
    if (idle_timer_) ctx_.host.cancel(idle_timer_);
    tick_timer_ = save_timer_ = idle_timer_ = 0;
    // Everyone still here is saved now.
    auto pending = std::make_shared<size_t>(clients_.size() + 1);
    auto finish = [pending, done] {
        if (--*pending == 0) done();
    };
    for (const auto &kv : clients_) {
        world::Player *p = kv.second.area ? kv.second.area->player(kv.first) : nullptr;
        if (p)
            records_->save_now(kv.second.area->record_of(*p), [finish](bool) { finish(); });
        else
            finish();
    }
    finish();
}

void AreaServer::tick() {
    // The areas' clock starts at 0 with the server; it never goes back.
    const std::int64_t now = static_cast<std::int64_t>(ctx_.host.now_ms()) - started_ms_;
    for (auto &kv : areas_) kv.second->tick(now);
}

void AreaServer::save_dirty() {
    for (auto &kv : areas_)
        for (world::Player *p : kv.second->take_dirty()) {
            records_->save(kv.second->record_of(*p));
            update_team_member(*p);
        }
}

void AreaServer::push(const std::vector<world::EntityId> &to, const char *route, const std::string &body) {
    if (!channels_ || !channels_->available()) return;
    // One uid list per frontend holding receivers (a cluster has a few), each sent as it is.
    std::vector<std::pair<const std::string *, std::string>> lists;
    for (world::EntityId id : to) {
        auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        const Client &c = it->second;
        auto list = std::find_if(lists.begin(), lists.end(), [&](const auto &l) { return *l.first == c.frontend; });
        if (list == lists.end()) {
            list = lists.emplace(lists.end(), &c.frontend, "[");
            list->second.reserve(2 + to.size() * (c.quoted_uid.size() + 1));
        } else {
            list->second += ',';
        }
        list->second += c.quoted_uid;
    }
    for (auto &[frontend, uids] : lists) {
        uids += ']';
        channels_->push_to_frontend(*frontend, route, body, uids);
    }
}

std::int64_t AreaServer::session_player_id(shd::Session &s) const {
    std::optional<std::string> v = s.get("playerId");
    if (!v) return 0;
    rapidjson::Document d = shd::parse_json_or_empty(*v);
    if (d.IsInt64()) return d.GetInt64();
    if (d.IsString()) {
        const std::string text = d.GetString();
        if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
        return std::stoll(text);
    }
    return 0;
}

world::Player *AreaServer::player_of(std::int64_t player_id, world::Area **area) {
    auto it = by_player_.find(player_id);
    if (it == by_player_.end()) return nullptr;
    auto c = clients_.find(it->second);
    if (c == clients_.end() || !c->second.area) return nullptr;
    if (area) *area = c->second.area;
    return c->second.area->player(it->second);
}

world::Area *AreaServer::area_of(shd::Session &s) {
    std::string instance;
    if (instance_server_) {
        instance = s.get_string("instanceId").value_or("");
        if (instance.empty()) return nullptr;
    }
    auto it = areas_.find(instance);
    return it == areas_.end() ? nullptr : it->second.get();
}

world::Player *AreaServer::filter(const shd::RequestPtr &req, world::Area *&area, bool rate) {
    const std::int64_t pid = session_player_id(req->session());
    world::Player *p = player_of(pid, &area);
    if (!p) {
        req->respond(R"({"code":500,"error":"the player is not in this area"})");
        return nullptr;
    }
    if (p->died) {
        req->respond(R"({"code":500,"error":"the player is dead"})");
        return nullptr;
    }
    if (rate && !area->allow_request(*p)) {
        req->respond(R"({"code":500,"error":"too many requests"})");
        return nullptr;
    }
    return p;
}

void AreaServer::remove_and_save(std::int64_t player_id, int new_area,
                                 std::function<void(std::optional<world::PlayerRecord>)> done) {
    auto it = by_player_.find(player_id);
    if (it == by_player_.end()) return done(std::nullopt);
    const world::EntityId id = it->second;
    by_player_.erase(it);
    auto c = clients_.find(id);
    world::Area *area = c == clients_.end() ? nullptr : c->second.area;
    world::Player *p = area ? area->player(id) : nullptr;
    clients_.erase(id);
    if (!p) return done(std::nullopt);
    world::PlayerRecord record = area->record_of(*p);
    if (new_area > 0) {
        record.area_id = new_area;
        record.x = record.y = -1;  // off the map: the new scene picks a birth point
    }
    area->remove_player(id);
    // lordofpomelo's onUserLeave to the area, on an area change (on a logout the chat server tells the
    // area channel).
    if (new_area > 0) {
        std::vector<world::EntityId> everyone;
        for (const auto &kv : clients_)
            if (kv.second.area == area) everyone.push_back(kv.first);
        push(everyone, "onUserLeave", "{\"code\":200,\"playerId\":" + std::to_string(player_id) + "}");
    }
    records_->save_now(
        record, [record, done](bool ok) { done(ok ? std::optional<world::PlayerRecord>(record) : std::nullopt); });
}

void AreaServer::leave(std::int64_t player_id, std::function<void()> done) {
    forget_team_offers(player_id);
    team_sent_.erase(player_id);
    remove_and_save(player_id, 0, [done](std::optional<world::PlayerRecord>) { done(); });
}

}  // namespace mmo
