#include "area/area_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/ext/channel.h>

#include <stdexcept>

namespace mmo {

namespace {

constexpr std::int64_t kTickMs = 100;
constexpr std::int64_t kSaveMs = 1000;

const shd_channel_service_v1 *channel_table(const void *p) { return static_cast<const shd_channel_service_v1 *>(p); }

}  // namespace

AreaServer::AreaServer(AppContext &ctx, int area_id) : ctx_(ctx) {
    data_ = std::make_unique<world::GameData>(world::GameData::load(ctx.server.app_dir));
    const world::AreaKind *kind = data_->area(area_id);
    if (!kind) throw std::runtime_error("config/data/area.json: no area " + std::to_string(area_id) + " (servers.json gives it to " + ctx.server.id + ")");
    world::SceneMap map = world::SceneMap::load(ctx.server.app_dir + kind->map_path, kind->width, kind->height);
    world::AreaOptions options;
    options.seed = static_cast<std::uint32_t>(ctx.host.now_ms() ^ static_cast<std::uint64_t>(area_id) * 2654435761u);
    // A test may ask every kill to drop something (servers.json: "minDrops"), so it can pick one at once.
    rapidjson::Document me = shd::parse_json_or_empty(ctx.server.json);
    if (me.IsObject() && me.HasMember("minDrops") && me["minDrops"].IsInt()) options.min_drops = std::max(0, std::min(2, me["minDrops"].GetInt()));
    area_ = std::make_unique<world::Area>(*data_, *kind, std::move(map), *this, options);
    records_ = ctx.players ? store_player_records(*ctx.players) : memory_player_records(*data_);
    install_handlers();
}

AreaServer::~AreaServer() {
    if (tick_timer_) ctx_.host.cancel(tick_timer_);
    if (save_timer_) ctx_.host.cancel(save_timer_);
}

void AreaServer::start() {
    auto [channels, cctx] = ctx_.host.find<shd_channel_service_v1>(SHD_CHANNEL_SERVICE_ID);
    channels_ = channels;
    channels_ctx_ = cctx;
    started_ms_ = static_cast<std::int64_t>(ctx_.host.now_ms());
    tick_timer_ = ctx_.host.every(kTickMs, [this] { tick(); });
    save_timer_ = ctx_.host.every(kSaveMs, [this] { save_dirty(); });
}

void AreaServer::stop(std::function<void()> done) {
    if (tick_timer_) ctx_.host.cancel(tick_timer_);
    if (save_timer_) ctx_.host.cancel(save_timer_);
    tick_timer_ = save_timer_ = 0;
    // Everyone still here is saved now.
    auto pending = std::make_shared<size_t>(clients_.size() + 1);
    auto finish = [pending, done] {
        if (--*pending == 0) done();
    };
    for (const auto &kv : clients_) {
        if (world::Player *p = area_->player(kv.first)) records_->save_now(area_->record_of(*p), [finish](bool) { finish(); });
        else finish();
    }
    finish();
}

void AreaServer::tick() {
    // The area's clock starts at 0 with the server; it never goes back.
    area_->tick(static_cast<std::int64_t>(ctx_.host.now_ms()) - started_ms_);
}

void AreaServer::save_dirty() {
    for (world::Player *p : area_->take_dirty()) records_->save(area_->record_of(*p));
}

void AreaServer::push(const std::vector<world::EntityId> &to, const char *route, const std::string &body) {
    if (!channels_) return;
    std::string receivers = "[";
    for (world::EntityId id : to) {
        auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        if (receivers.size() > 1) receivers += ",";
        receivers += "{\"uid\":" + shd::json_quote(it->second.uid) + ",\"sid\":" + shd::json_quote(it->second.frontend) + "}";
    }
    if (receivers.size() == 1) return;
    receivers += "]";
    channel_table(channels_)->push_by_uids(channels_ctx_, shd::to_shd(route), shd::to_shd(body), shd::to_shd(receivers),
                                           [](void *, shd_status, shd_str) {}, nullptr);
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

world::Player *AreaServer::filter(const shd::RequestPtr &req, bool rate) {
    const std::int64_t pid = session_player_id(req->session());
    auto it = by_player_.find(pid);
    world::Player *p = it == by_player_.end() ? nullptr : area_->player(it->second);
    if (!p) {
        req->respond(R"({"code":500,"error":"the player is not in this area"})");
        return nullptr;
    }
    if (p->died) {
        req->respond(R"({"code":500,"error":"the player is dead"})");
        return nullptr;
    }
    if (rate && !area_->allow_request(*p)) {
        req->respond(R"({"code":500,"error":"too many requests"})");
        return nullptr;
    }
    return p;
}

void AreaServer::remove_and_save(std::int64_t player_id, int new_area, std::function<void(std::optional<world::PlayerRecord>)> done) {
    auto it = by_player_.find(player_id);
    if (it == by_player_.end()) return done(std::nullopt);
    const world::EntityId id = it->second;
    by_player_.erase(it);
    world::Player *p = area_->player(id);
    clients_.erase(id);
    if (!p) return done(std::nullopt);
    world::PlayerRecord record = area_->record_of(*p);
    if (new_area > 0) {
        record.area_id = new_area;
        record.x = record.y = -1;  // off the map: the new scene picks a birth point
    }
    area_->remove_player(id);
    // lordofpomelo's onUserLeave to the area channel.
    std::vector<world::EntityId> everyone;
    for (const auto &kv : clients_) everyone.push_back(kv.first);
    push(everyone, "onUserLeave", "{\"code\":200,\"playerId\":" + std::to_string(player_id) + "}");
    records_->save_now(record, [record, done](bool ok) { done(ok ? std::optional<world::PlayerRecord>(record) : std::nullopt); });
}

void AreaServer::leave(std::int64_t player_id, std::function<void()> done) {
    remove_and_save(player_id, 0, [done](std::optional<world::PlayerRecord>) { done(); });
}

}  // namespace mmo
