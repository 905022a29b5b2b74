// The Loop's insides: one io_context per I/O thread. Clients pin themselves to one ThreadContext
// and keep it alive (shared_ptr), so their sockets and timers never outlive their io_context even
// when a Client outlives its Loop.
#pragma once

#include <shaddock/client.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace shd::client {

struct ThreadContext {
    boost::asio::io_context io{1};
    std::atomic<bool> stopped{false};   // the Loop is gone or going: nothing new runs here
    std::atomic<bool> finished{false};  // the thread has left io.run(): nothing posted runs any more
    std::thread::id thread_id;

    // Touched on this thread only.
    std::unordered_set<Client::Impl *> clients;
    std::unordered_set<std::shared_ptr<boost::asio::steady_timer>> timers;           // Loop::post_after
    std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> tls_contexts;  // by CA file

    bool on_this_thread() const { return std::this_thread::get_id() == thread_id; }

    // One SSL_CTX per CA file and thread, shared by that thread's clients: a context per client
    // would cost a CA load and tens of KiB each. Returns null and sets `error` on failure.
    std::shared_ptr<boost::asio::ssl::context> tls_context(const std::string &ca_file, std::string &error);
};

struct Loop::Impl {
    std::vector<std::shared_ptr<ThreadContext>> contexts;
    std::vector<std::thread> threads;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;

    // Threads whose run() returned, for a bounded wait on shutdown.
    std::mutex mutex;
    std::condition_variable finished_cv;
    size_t finished = 0;
};

}  // namespace shd::client
