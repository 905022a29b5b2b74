#include "io_server.hpp"

#include "client_intake.hpp"
#include "connection_tracker.hpp"
#include "peer_blacklist.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace shd::connector {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Connections taken per readiness event before other work on the acceptor's thread runs.
constexpr int kAcceptsPerWakeup = 64;

// A connector may hold many thousands of sockets: use the whole descriptor allowance.
void raise_descriptor_limit(const Host &host) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
        host.debug("raised the open file limit from " + std::to_string(before) + " to " + std::to_string(lim.rlim_max));
}

// Extra certificates from ssl.ca are sent with the server's chain (intermediate CAs).
void add_chain_file(SSL_CTX *ctx, const std::string &path) {
    BIO *bio = BIO_new_file(path.c_str(), "r");
    if (!bio) throw Error(SHD_ERR_INVALID, "option ssl.ca: cannot open \"" + path + "\"");
    int added = 0;
    while (X509 *cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        SSL_CTX_add1_chain_cert(ctx, cert);
        X509_free(cert);
        ++added;
    }
    BIO_free(bio);
    ERR_clear_error();
    if (added == 0) throw Error(SHD_ERR_INVALID, "option ssl.ca: no PEM certificate in \"" + path + "\"");
}

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsFiles &files) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(files.cert, ec);
    if (ec)
        throw Error(SHD_ERR_INVALID,
                    "option ssl.cert: \"" + files.cert + "\" is not a PEM certificate (" + ec.message() + ")");
    ctx->use_private_key_file(files.key, asio::ssl::context::pem, ec);
    if (ec)
        throw Error(SHD_ERR_INVALID,
                    "option ssl.key: \"" + files.key + "\" is not a PEM private key (" + ec.message() + ")");
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw Error(SHD_ERR_INVALID, "option ssl.key: the key does not match the certificate in ssl.cert");
    if (!files.ca.empty()) add_chain_file(ctx->native_handle(), files.ca);
    return ctx;
}

}  // namespace

struct IoServer::Impl {
    Impl(const ConnectorOptions &o, const ConnectionSettings &s, const Host &h)
        : options(o),
          settings(s),
          host(h),
          blacklist(o.blacklist),
          tracker(o.max_connections, PeerLimits{o.max_connections_per_ip, o.connect_rate, o.connect_burst}) {
        for (unsigned i = 0; i < options.io_threads; ++i) {
            iocs.push_back(std::make_unique<asio::io_context>(1));
            guards.emplace_back(asio::make_work_guard(*iocs.back()));
        }
        acceptor_strand.emplace(asio::make_strand(*iocs[0]));
        acceptor.emplace(*acceptor_strand);
        retry_timer.emplace(*acceptor_strand);
    }

    ~Impl() {
        join();
        retry_timer.reset();
        acceptor.reset();
    }

    tcp::endpoint endpoint() const {
        boost::system::error_code ec;
        if (options.host.empty()) return tcp::endpoint(tcp::v6(), static_cast<unsigned short>(options.port));
        asio::ip::address addr = asio::ip::make_address(options.host, ec);
        if (!ec) return tcp::endpoint(addr, static_cast<unsigned short>(options.port));
        asio::io_context resolver_io;
        tcp::resolver resolver(resolver_io);
        auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
        if (ec || results.empty())
            throw Error(SHD_ERR_INVALID, "option host: cannot resolve \"" + options.host + "\" (" + ec.message() + ")");
        return results.begin()->endpoint();
    }

    void listen() {
        tcp::endpoint ep = endpoint();
        boost::system::error_code ec;
        acceptor->open(ep.protocol(), ec);
        if (ec && options.host.empty()) {  // no IPv6 here: every IPv4 interface
            ep = tcp::endpoint(tcp::v4(), static_cast<unsigned short>(options.port));
            ec.clear();
            acceptor->open(ep.protocol(), ec);
        }
        if (!ec && ep.address().is_v6() && options.host.empty()) acceptor->set_option(asio::ip::v6_only(false), ec);
        ec.clear();
        // Boost.Asio (1.74) opens sockets without SOCK_CLOEXEC: mark the listener close-on-exec
        // before it is bound, so no process spawned from here ever holds the client port.
        if (!ec && ::fcntl(acceptor->native_handle(), F_SETFD, FD_CLOEXEC) != 0)
            ec.assign(errno, boost::system::system_category());
        if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) acceptor->non_blocking(true, ec);  // accept4 below takes what is waiting, then stops
        if (ec) {
            std::string where =
                (options.host.empty() ? std::string("*") : options.host) + ":" + std::to_string(options.port);
            throw Error(SHD_ERR_IO, "cannot listen on " + where + ": " + ec.message());
        }
        bound_port = acceptor->local_endpoint().port();
        listen_protocol = ep.protocol();
    }

    asio::io_context &next_io() {
        size_t i = next_io_index++ % iocs.size();
        return *iocs[i];
    }

    // [acceptor strand] Waits for connections, then takes them with accept4(SOCK_CLOEXEC): Boost.Asio's
    // accept() would hand out descriptors without close-on-exec, open to a fork+exec on another
    // thread until they were marked.
    void accept() {
        acceptor->async_wait(tcp::acceptor::wait_read,
                             [this](const boost::system::error_code &ec) { on_readable(ec); });
    }

    void on_readable(boost::system::error_code ec) {
        if (!acceptor->is_open() || ec == asio::error::operation_aborted) return;
        for (int i = 0; !ec && i < kAcceptsPerWakeup; ++i) {
            int fd = ::accept4(acceptor->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;  // that one is gone
                ec.assign(errno, boost::system::system_category());
                break;
            }
            TcpSocket socket(next_io().get_executor());
            boost::system::error_code assign_ec;
            socket.assign(listen_protocol, fd, assign_ec);
            if (assign_ec) {
                ::close(fd);
                continue;
            }
            admit(std::move(socket));
        }
        if (!ec) return accept();
        // Out of descriptors or memory: say so (at most once a second) and try again shortly.
        auto now = Clock::now();
        if (now - last_accept_warning > std::chrono::seconds(1)) {
            last_accept_warning = now;
            host.warn("accept failed: " + ec.message());
        }
        retry_timer->expires_after(std::chrono::milliseconds(50));
        retry_timer->async_wait([this](const boost::system::error_code &e) {
            if (!e && acceptor->is_open()) accept();
        });
    }

    void admit(TcpSocket socket) {
        boost::system::error_code ec;
        tcp::endpoint peer = socket.remote_endpoint(ec);
        if (ec) return;  // already gone
        asio::ip::address addr = peer.address();
        if (addr.is_v6() && addr.to_v6().is_v4_mapped())
            addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
        std::string remote = addr.to_string();
        if (blocked_address(remote)) {
            host.debug("client " + remote + ": closed at accept (blacklisted by the admin console)");
            socket.close(ec);
            return;
        }
        if (!blacklist.empty() && blacklist.matches(remote)) {
            host.debug("client " + remote + ": closed at accept (blacklist)");
            socket.close(ec);
            return;
        }
        Refusal refused = Refusal::none;
        TrackerSlot slot = tracker.acquire(remote, &refused);
        if (!slot) {
            warn_refusal(refused, remote);
            socket.close(ec);
            return;
        }
        if (options.no_delay) socket.set_option(tcp::no_delay(true), ec);
        start_intake(std::move(socket), tls.get(), settings, std::move(slot), std::move(remote));
    }

    bool blocked_address(const std::string &remote) {
        std::shared_ptr<const std::set<std::string>> now;
        {
            std::lock_guard<std::mutex> lock(blocked_mutex);
            now = blocked;
        }
        return now && now->count(remote) != 0;
    }

    // At most one line a second: a flood of refusals must not flood the log.
    void warn_refusal(Refusal refused, const std::string &remote) {
        if (const ConnectorMetrics *m = settings.metrics) {
            if (refused == Refusal::max_connections) m->refused_max.add();
            if (refused == Refusal::max_per_ip) m->refused_per_ip.add();
            if (refused == Refusal::connect_rate) m->refused_rate.add();
        }
        std::string what;
        switch (refused) {
            case Refusal::max_connections:
                what = "max-connections (" + std::to_string(options.max_connections) + ") reached: closing new clients";
                break;
            case Refusal::max_per_ip:
                what = "client " + remote + ": maxConnectionsPerIp (" + std::to_string(options.max_connections_per_ip) +
                       ") reached: closing its new connections";
                break;
            case Refusal::connect_rate:
                what = "client " + remote + ": connecting faster than connectRate allows: closing its new connections";
                break;
            default: return;
        }
        auto now = Clock::now();
        if (now - last_limit_warning < std::chrono::seconds(1)) return;
        last_limit_warning = now;
        host.warn(what);
    }

    void start_threads() {
        for (auto &ioc : iocs) {
            asio::io_context *io = ioc.get();
            threads.emplace_back([this, io] {
                for (;;) {
                    try {
                        io->run();
                        return;
                    } catch (const std::exception &e) {
                        host.error(std::string("I/O thread: unexpected exception: ") + e.what());
                    } catch (...) {
                        host.error("I/O thread: unexpected exception");
                    }
                }
            });
        }
    }

    void join() {
        for (auto &g : guards) g.reset();
        for (auto &ioc : iocs) ioc->stop();
        for (auto &t : threads)
            if (t.joinable()) t.join();
        threads.clear();
    }

    ConnectorOptions options;
    const ConnectionSettings &settings;
    Host host;
    PeerBlacklist blacklist;
    std::mutex blocked_mutex;  // guards `blocked` (set from the logic thread, read at accept)
    std::shared_ptr<const std::set<std::string>> blocked;
    ConnectionTracker tracker;
    std::unique_ptr<asio::ssl::context> tls;
    std::vector<std::unique_ptr<asio::io_context>> iocs;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::optional<asio::strand<asio::io_context::executor_type>> acceptor_strand;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> retry_timer;
    std::vector<std::thread> threads;
    std::atomic<int> bound_port{0};
    tcp listen_protocol = tcp::v4();
    size_t next_io_index = 0;
    Clock::time_point last_accept_warning{};
    Clock::time_point last_limit_warning{};
};

IoServer::IoServer(const ConnectorOptions &options, const ConnectionSettings &settings, const Host &host)
    : impl_(std::make_unique<Impl>(options, settings, host)) {}

IoServer::~IoServer() = default;

void IoServer::start() {
    if (impl_->options.tls) impl_->tls = make_tls_context(impl_->options.tls_files);
    raise_descriptor_limit(impl_->host);
    if (impl_->settings.metrics) impl_->tracker.count_into(impl_->settings.metrics->connections);
    impl_->listen();
    asio::post(*impl_->acceptor_strand, [impl = impl_.get()] { impl->accept(); });
    impl_->start_threads();
}

int IoServer::port() const {
    return impl_->bound_port.load();
}

uint64_t IoServer::connections() const {
    return impl_->tracker.count();
}

void IoServer::stop(std::function<void()> on_all_closed) {
    asio::post(*impl_->acceptor_strand, [impl = impl_.get()] {
        boost::system::error_code ec;
        impl->retry_timer->cancel();
        impl->acceptor->close(ec);
    });
    impl_->tracker.stop_all("server stopping", std::move(on_all_closed));
}

void IoServer::set_blocked_addresses(std::set<std::string> ips) {
    auto next = std::make_shared<const std::set<std::string>>(std::move(ips));
    std::lock_guard<std::mutex> lock(impl_->blocked_mutex);
    impl_->blocked = std::move(next);
}

void IoServer::join() {
    impl_->join();
}

}  // namespace shd::connector
