// The public Client and ProtocolCache: thin forwarding to Client::Impl on the client's thread.
#include "client_impl.hpp"

#include <boost/asio/post.hpp>

namespace shd::client {

ProtocolCache::ProtocolCache() : impl_(std::make_unique<Impl>()) {}
ProtocolCache::~ProtocolCache() = default;

namespace {

// Runs fn(impl) on the client's thread: inline when already there (the hot path of a load tool
// that sends from its callbacks), else posted. False if the Loop has stopped and nothing will run.
template <class F>
bool on_thread(const std::shared_ptr<Client::Impl> &impl, F &&fn) {
    ThreadContext &ctx = *impl->ctx;
    if (ctx.stopped) return false;
    if (ctx.on_this_thread()) {
        fn(*impl);
    } else {
        boost::asio::post(ctx.io, [impl, fn = std::forward<F>(fn)]() mutable { fn(*impl); });
    }
    return true;
}

}  // namespace

std::shared_ptr<Client> Client::create(Loop &loop, Options options, Events events, unsigned thread_hint) {
    auto &contexts = loop.impl().contexts;
    auto impl = std::make_shared<Impl>(contexts[thread_hint % contexts.size()], std::move(options), std::move(events));
    on_thread(impl, [](Impl &i) { i.attach(); });
    return std::shared_ptr<Client>(new Client(impl));
}

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
    // The connection goes with the Client; Impl is released on its own thread, after it left the
    // thread's client list.
    auto impl = std::move(impl_);
    if (impl->ctx->stopped) return;
    boost::asio::post(impl->ctx->io, [impl] { impl->release(); });
}

void Client::connect(Done done) {
    if (!done) done = [](const Error &) {};
    auto fallback = done;
    // connect() always goes through the queue: its callback must not run inside this call.
    auto &ctx = *impl_->ctx;
    if (ctx.stopped) return fallback(Error{ErrorCode::cancelled, "the loop has stopped"});
    boost::asio::post(ctx.io, [impl = impl_, done = std::move(done)]() mutable { impl->connect(std::move(done)); });
}

void Client::request(std::string_view route, std::string_view body_json, Reply reply, uint32_t timeout_ms) {
    if (!reply) reply = [](const Error &, std::string_view) {};
    if (impl_->ctx->on_this_thread() && !impl_->ctx->stopped) {
        impl_->request(route, body_json, std::move(reply), timeout_ms);  // no copies on the hot path
        return;
    }
    if (impl_->ctx->stopped) return reply(Error{ErrorCode::cancelled, "the loop has stopped"}, {});
    boost::asio::post(impl_->ctx->io, [impl = impl_, route = std::string(route), body = std::string(body_json),
                                       reply = std::move(reply), timeout_ms]() mutable {
        impl->request(route, body, std::move(reply), timeout_ms);
    });
}

void Client::notify(std::string_view route, std::string_view body_json) {
    if (impl_->ctx->on_this_thread() && !impl_->ctx->stopped) return impl_->notify(route, body_json);
    on_thread(impl_, [route = std::string(route), body = std::string(body_json)](Impl &i) { i.notify(route, body); });
}

void Client::on(std::string_view route, Push handler) {
    on_thread(impl_, [route = std::string(route), handler = std::move(handler)](Impl &i) mutable {
        i.on(route, std::move(handler));
    });
}

void Client::on_any(std::function<void(std::string_view route, std::string_view body_json)> handler) {
    on_thread(impl_, [handler = std::move(handler)](Impl &i) mutable { i.on_any(std::move(handler)); });
}

void Client::disconnect() {
    // Always queued: the failing requests and on_disconnected must not run inside this call.
    if (impl_->ctx->stopped) return;
    boost::asio::post(impl_->ctx->io, [impl = impl_] { impl->disconnect(ErrorCode::disconnected); });
}

Client::State Client::state() const {
    return impl_->state.load();
}
int64_t Client::heartbeat_rtt_us() const {
    return impl_->rtt_us.load();
}
uint32_t Client::heartbeat_interval_s() const {
    return impl_->heartbeat_s.load();
}
bool Client::uses_dictionary() const {
    return impl_->use_dict.load();
}
bool Client::uses_protobuf() const {
    return impl_->use_proto.load();
}
bool Client::dictionary_from_cache() const {
    return impl_->dict_from_cache.load();
}
bool Client::protos_from_cache() const {
    return impl_->protos_from_cache.load();
}

}  // namespace shd::client
