#include "logic_bridge.hpp"

namespace shd::connector {

// One request's way back. Allocated per request, freed when respond() is called.
struct LogicBridge::Responder {
    shd_responder_v1 table;
    LogicBridge *bridge;
    std::shared_ptr<ClientLink> link;
    uint32_t id;
    bool notify;
    std::string route;  // the request's route: it selects the response's body codec
    // A request counts against its connection's maxPendingMessages until it is answered.
    std::shared_ptr<InboxCredit> credit;
    const ConnectorMetrics::Route *metrics;  // requests: counted and timed when answered
    std::chrono::steady_clock::time_point arrived;
};

void LogicBridge::handshake(std::shared_ptr<ClientLink> link, shd_str client_type, shd_str client_version,
                            shd_str user_json, shd_handshake_reply_fn reply, void *reply_ctx) {
    Inbound in;
    in.task = [this, link = std::move(link), type = std::string(to_view(client_type)),
               version = std::string(to_view(client_version)), user = std::string(to_view(user_json)), reply,
               reply_ctx] {
        struct Pending {
            std::shared_ptr<ClientLink> link;
            shd_handshake_reply_fn reply;
            void *reply_ctx;
        };
        auto *pending = new Pending{std::move(link), reply, reply_ctx};
        handlers_->check_handshake(
            handlers_ctx_, to_shd(type), to_shd(version), to_shd(user),
            [](void *ctx, int32_t code, shd_str user_out) {
                auto *p = static_cast<Pending *>(ctx);
                p->link->answer_handshake(p->reply, p->reply_ctx, code, std::string(to_view(user_out)));
                delete p;
            },
            pending);
    };
    enqueue(std::move(in));
}

void LogicBridge::established(std::shared_ptr<ClientLink> link, uint64_t sid) {
    Inbound in;
    in.task = [this, link = std::move(link), sid] { sessions_.add(sid, link); };
    enqueue(std::move(in));
}

void LogicBridge::closed(uint64_t sid, std::string reason) {
    Inbound in;
    in.task = [this, sid, reason = std::move(reason)] { sessions_.remove(sid, reason); };
    enqueue(std::move(in));
}

void LogicBridge::deliver(uint64_t sid, const shd_inbound_msg_v1 &msg, std::shared_ptr<InboxCredit> credit) {
    Inbound in;
    in.sid = sid;
    in.kind = msg.kind;
    in.id = msg.id;
    in.route = to_view(msg.route);
    in.body = to_view(msg.body_json);
    in.credit = std::move(credit);
    in.cost = sizeof(Inbound) + msg.route.size + msg.body_json.size;
    in.arrived = std::chrono::steady_clock::now();
    inbox_bytes_.fetch_add(in.cost);
    enqueue(std::move(in));
}

bool LogicBridge::wait_for_room(std::weak_ptr<InboxCredit> waiter) {
    // Checked again under the lock that release_budget() takes after lowering the count: either
    // that check sees this waiter, or this check sees the lowered count.
    std::lock_guard<std::mutex> lock(waiters_mutex_);
    if (!inbox_over_budget()) return false;
    waiters_.push_back(std::move(waiter));
    return true;
}

void LogicBridge::release_budget(uint64_t freed) {
    if (freed) inbox_bytes_.fetch_sub(freed);
    std::vector<std::weak_ptr<InboxCredit>> wake;
    {
        std::lock_guard<std::mutex> lock(waiters_mutex_);
        if (waiters_.empty() || inbox_bytes_.load() > max_inbox_bytes_ / 2) return;
        wake.swap(waiters_);
    }
    for (auto &w : wake)
        if (auto credit = w.lock()) credit->room_available();
}

void LogicBridge::enqueue(Inbound in) {
    bool first;
    {
        std::lock_guard<std::mutex> lock(inbox_mutex_);
        first = inbox_.empty();
        inbox_.push_back(std::move(in));
    }
    if (first && host_.api()->post(host_.ctx(), &LogicBridge::run_inbox, this) != SHD_OK) {
        std::vector<Inbound> dropped;
        {
            std::lock_guard<std::mutex> lock(inbox_mutex_);  // the host has stopped taking work
            dropped.swap(inbox_);
        }
        uint64_t freed = 0;
        for (Inbound &d : dropped) freed += d.cost;
        inbox_bytes_.fetch_sub(freed);
    }
}

void SHD_CALL LogicBridge::run_inbox(void *ud, shd_status status) {
    auto *self = static_cast<LogicBridge *>(ud);
    std::vector<Inbound> &batch = self->batch_;
    {
        std::lock_guard<std::mutex> lock(self->inbox_mutex_);
        batch.swap(self->inbox_);
    }
    uint64_t freed = 0;
    for (Inbound &in : batch) {
        freed += in.cost;
        if (status != SHD_OK) {
            if (in.credit) in.credit->message_done();
            continue;
        }
        try {
            if (in.task)
                in.task();
            else
                self->dispatch(in);
        } catch (const std::exception &e) {
            self->host_.error(std::string("dispatch of ") + (in.task ? "a connection event" : in.route) +
                              " threw: " + e.what());
        } catch (...) {
            self->host_.error(std::string("dispatch of ") + (in.task ? "a connection event" : in.route) + " threw");
        }
        if (in.credit) in.credit->message_done();
    }
    batch.clear();  // drops the credits (and maybe connections) before waking anyone
    self->release_budget(freed);
}

void LogicBridge::dispatch(Inbound &in) {
    Session *s = sessions_.find(in.sid);
    if (!s || !encoder_.load()) return;  // the client left before its message got here
    auto *r =
        new Responder{{}, this, s->link, in.id, in.kind == SHD_MSG_NOTIFY, in.route, nullptr, nullptr, in.arrived};
    if (in.kind == SHD_MSG_REQUEST) r->credit = std::move(in.credit);
    if (in.kind == SHD_MSG_REQUEST && metrics_) r->metrics = &metrics_->route(in.route);
    shd::stamp(r->table);
    r->table.ctx = r;
    r->table.respond = &LogicBridge::respond;

    shd_inbound_msg_v1 msg{};
    shd::stamp(msg);
    msg.kind = in.kind;
    msg.id = in.id;
    msg.route = to_shd(in.route);
    msg.body_json = to_shd(in.body);
    shd_session_view_v1 view = sessions_.view(*s);
    handlers_->dispatch(handlers_ctx_, &msg, &view, &r->table);
}

void SHD_CALL LogicBridge::respond(void *ctx, shd_status status, shd_str body_json) {
    std::unique_ptr<Responder> r(static_cast<Responder *>(ctx));
    if (r->credit) r->credit->message_done();
    if (r->metrics) {
        r->metrics->requests.add();
        if (status != SHD_OK) r->metrics->errors.add();
        r->metrics->duration.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - r->arrived).count());
    }
    if (r->notify) return;  // a notify never gets an answer (Pomelo drops it too)
    const ProtocolEncoder *encoder = r->bridge->encoder_.load();
    if (!encoder) return;  // the connector stopped
    std::string_view body = to_view(body_json);
    SharedBytes bytes =
        encoder->response(r->id, r->route, body.empty() ? std::string_view("{}") : body, status != SHD_OK);
    if (!bytes) {
        r->bridge->host_.warn("response to " + r->route + " could not be encoded; nothing sent");
        return;
    }
    r->link->send_reply(std::move(bytes));
}

}  // namespace shd::connector
