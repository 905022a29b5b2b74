// Loop: N I/O threads, each running its own io_context. Shutting down closes every client on its
// own thread (pending calls fail with `cancelled`), cancels post_after timers, then lets the
// io_contexts run dry; a thread that does not finish in time is stopped outright.
#include "client_impl.hpp"
#include "loop_impl.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>

namespace shd::client {

namespace net = boost::asio;

std::shared_ptr<net::ssl::context> ThreadContext::tls_context(const std::string &ca_file, std::string &error) {
    auto it = tls_contexts.find(ca_file);
    if (it != tls_contexts.end()) return it->second;
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3,
                     ec);
    if (!ca_file.empty()) {
        ctx->load_verify_file(ca_file, ec);
        if (ec) {
            error = "cannot load the CA file " + ca_file + ": " + ec.message();
            return nullptr;
        }
    }
    tls_contexts.emplace(ca_file, ctx);
    return ctx;
}

Loop::Loop(unsigned threads) : impl_(std::make_unique<Impl>()) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i) {
        auto ctx = std::make_shared<ThreadContext>();
        impl_->guards.emplace_back(net::make_work_guard(ctx->io));
        impl_->contexts.push_back(ctx);
    }
    for (unsigned i = 0; i < threads; ++i) {
        std::promise<void> started;
        auto ready = started.get_future();
        impl_->threads.emplace_back([impl = impl_.get(), ctx = impl_->contexts[i], &started] {
            ctx->thread_id = std::this_thread::get_id();
            started.set_value();
            ctx->io.run();
            ctx->finished = true;
            std::lock_guard<std::mutex> lock(impl->mutex);
            ++impl->finished;
            impl->finished_cv.notify_all();
        });
        ready.wait();  // thread_id is set before any client can ask on_this_thread()
    }
}

Loop::~Loop() {
    for (auto &ctx : impl_->contexts) {
        net::post(ctx->io, [ctx] {
            ctx->stopped = true;
            // shutdown() removes the client from the set, and its callbacks may destroy other
            // clients (which leave the set too): take the first one each time, and hold it while
            // it shuts down.
            while (!ctx->clients.empty()) {
                std::shared_ptr<Client::Impl> c = (*ctx->clients.begin())->shared_from_this();
                c->shutdown();
            }
            for (auto &timer : ctx->timers) timer->cancel();
            ctx->timers.clear();
            ctx->tls_contexts.clear();
        });
    }
    for (auto &guard : impl_->guards) guard.reset();
    {
        // Normally every io_context runs dry at once; a peer that never finishes a close handshake
        // must not hold the process, so give up waiting after a while.
        std::unique_lock<std::mutex> lock(impl_->mutex);
        impl_->finished_cv.wait_for(lock, std::chrono::seconds(5),
                                    [this] { return impl_->finished == impl_->threads.size(); });
    }
    for (auto &ctx : impl_->contexts) {
        ctx->stopped = true;
        ctx->io.stop();
    }
    for (auto &t : impl_->threads) t.join();
}

unsigned Loop::threads() const {
    return static_cast<unsigned>(impl_->contexts.size());
}

void Loop::post(unsigned index, std::function<void()> fn) {
    auto &ctx = impl_->contexts[index % impl_->contexts.size()];
    if (ctx->stopped) return;
    net::post(ctx->io, std::move(fn));
}

void Loop::post_after(unsigned index, uint32_t delay_ms, std::function<void()> fn) {
    auto ctx = impl_->contexts[index % impl_->contexts.size()];
    if (ctx->stopped) return;
    net::post(ctx->io, [ctx, delay_ms, fn = std::move(fn)]() mutable {
        if (ctx->stopped) return;
        auto timer = std::make_shared<net::steady_timer>(ctx->io, std::chrono::milliseconds(delay_ms));
        ctx->timers.insert(timer);
        timer->async_wait([ctx, timer, fn = std::move(fn)](const boost::system::error_code &ec) {
            ctx->timers.erase(timer);
            if (!ec && !ctx->stopped) fn();
        });
    });
}

}  // namespace shd::client
