// The public Client and ProtocolCache: thin forwarding to Client::Impl on the client's thread.
#include "client_impl.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>

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

// Runs fn(impl) on the client's thread and returns once it has run: inline when called there, else
// posted and waited for. This is what makes disconnect() and ~Client() final: the client's thread
// has finished whatever callback it was running and every callback fn completes before the caller
// goes on. Returns without fn when the thread has ended (the Loop is gone; its shutdown already
// closed the client).
template <class F>
void run_and_wait(const std::shared_ptr<Client::Impl> &impl, F fn) {
    ThreadContext &ctx = *impl->ctx;
    if (ctx.on_this_thread()) return fn(*impl);
    if (ctx.finished) return;
    struct Waiter {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
    };
    struct Signal {  // marks the wait done however the task ends
        std::shared_ptr<Waiter> w;
        ~Signal() {
            std::lock_guard<std::mutex> lock(w->m);
            w->done = true;
            w->cv.notify_all();
        }
    };
    auto waiter = std::make_shared<Waiter>();
    // Weak: a task left in the queue of a thread that has ended must not keep the client alive.
    std::weak_ptr<Client::Impl> weak = impl;
    boost::asio::post(ctx.io, [weak, waiter, fn = std::move(fn)]() mutable {
        Signal signal{waiter};
        if (auto i = weak.lock()) fn(*i);
    });
    std::unique_lock<std::mutex> lock(waiter->m);
    // The thread may be stopped outright (a Loop whose threads did not finish in time): then the
    // task never runs, and the wait ends with the thread.
    while (!waiter->cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return waiter->done; })) {
        if (ctx.finished) return;
    }
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
    // The connection goes with the Client. Impl is released on its own thread (it leaves the
    // thread's client list there), and this waits for it: no callback runs after ~Client().
    auto impl = std::move(impl_);
    run_and_wait(impl, [](Impl &i) { i.release(); });
}

void Client::connect(Done done) {
    if (!done) done = [](const Error &) {};
    auto &ctx = *impl_->ctx;
    if (ctx.stopped) return done(Error{ErrorCode::cancelled, "the loop has stopped"});
    // Impl::connect() defers every callback, so it may run inline on the client's thread (and then
    // a disconnect() right after it ends this connect at once).
    if (ctx.on_this_thread()) return impl_->connect(std::move(done));
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

void Client::on_any_route(std::function<void(std::string_view route)> handler) {
    on_thread(impl_, [handler = std::move(handler)](Impl &i) mutable { i.on_any_route(std::move(handler)); });
}

void Client::disconnect() {
    // Final: the failing requests, a waiting connect's done and on_disconnected run before this
    // returns (inline when called on the client's thread, else there while this call waits).
    run_and_wait(impl_, [](Impl &i) { i.disconnect(ErrorCode::disconnected); });
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
