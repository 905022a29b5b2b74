// The client's protocol state machine (see client_impl.hpp for the lifecycle).
#include "client_impl.hpp"

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/json_parse.hpp>
#include <shaddock/pomelo/message_codec.hpp>

#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace shd::client {

namespace net = boost::asio;
using pomelo::MessageType;
using pomelo::PackageType;

namespace {

// Checks that text is one JSON value without building it: a reused reader, no allocation once warm.
bool is_json(std::string_view text) {
    thread_local rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    return !reader.Parse<rapidjson::kParseIterativeFlag>(in, ignore).IsError();
}

// Scratch buffers reused for protobuf bodies (per thread). Two of them: a reply callback may send a
// request inline while its body (decoded into the first) is still in use.
std::string &decode_scratch() {
    thread_local std::string s;
    s.clear();
    return s;
}
std::string &encode_scratch() {
    thread_local std::string s;
    s.clear();
    return s;
}

// User callbacks must not unwind through the event loop; an exception from one is reported and dropped.
template <class F>
void guarded(F &&f) {
    try {
        f();
    } catch (...) {
    }
}

}  // namespace

Client::Impl::Impl(std::shared_ptr<ThreadContext> context, Options options, Events events)
    : ctx(std::move(context)),
      options_(std::move(options)),
      events_(std::move(events)),
      connect_timer_(ctx->io),
      heartbeat_timer_(ctx->io),
      heartbeat_timeout_timer_(ctx->io),
      request_timer_(ctx->io) {
    cache_key_ = options_.host + ":" + std::to_string(options_.port);
    cache_ = options_.cache ? options_.cache : std::make_shared<ProtocolCache>();
}

Client::Impl::~Impl() = default;

void Client::Impl::attach() {
    if (ctx->stopped) return;
    ctx->clients.insert(this);
}

// --- connecting -----------------------------------------------------------------------------

void Client::Impl::connect(Done done) {
    const State s = state.load();
    if (s == State::connecting || s == State::connected || s == State::reconnecting) {
        defer_callback([done = std::move(done)] {
            done(Error{ErrorCode::invalid_argument, "already connecting or connected"});
        });
        return;
    }
    rapidjson::Document user;
    if (!pomelo::parse_json(options_.handshake_user, user) || !user.IsObject()) {
        defer_callback([done = std::move(done)] {
            done(Error{ErrorCode::invalid_argument, "Options::handshake_user is not a JSON object"});
        });
        return;
    }
    if (options_.port == 0 || options_.host.empty()) {
        defer_callback([done = std::move(done)] {
            done(Error{ErrorCode::invalid_argument, "no host or port to connect to"});
        });
        return;
    }
    user_closed_ = false;
    reconnect_attempt_ = 0;
    reconnecting_ = false;
    connect_done_ = std::move(done);
    start_connection();
}

void Client::Impl::start_connection() {
    ++generation_;
    state = reconnecting_ ? State::reconnecting : State::connecting;
    phase_ = Phase::opening;
    parser_.emplace(std::min<uint32_t>(options_.max_package_size, pomelo::kMaxPackageBodySize));
    last_id_ = 0;

    WireConfig config;
    config.transport = options_.transport;
    config.host = options_.host;
    config.port = options_.port;
    config.ws_path = options_.ws_path.empty() ? "/" : options_.ws_path;
    config.tls_server_name = options_.tls_server_name;
    config.tls_verify = !options_.tls_ca_file.empty();
    // A frame may batch many packages; a whole frame larger than a few packages is hostile.
    config.max_message_size = std::max<uint32_t>(options_.max_package_size, 1u << 20) + 4;
    const bool tls = options_.transport == Transport::tls || options_.transport == Transport::wss;
    if (tls) {
        std::string error;
        config.tls = ctx->tls_context(options_.tls_ca_file, error);
        if (!config.tls) {
            // Reported from the loop, like every other connect failure.
            defer([self = shared_from_this(), error, gen = generation_] {
                if (self->generation_ == gen) self->connect_failed(Error{ErrorCode::connect_failed, error});
            });
            return;
        }
    }
    const bool ws = options_.transport == Transport::ws || options_.transport == Transport::wss;
    wire_ = ws ? make_websocket_wire(ctx->io, std::move(config)) : make_stream_wire(ctx->io, std::move(config));

    if (options_.connect_timeout_ms > 0) {
        connect_timer_.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
        connect_timer_.async_wait([self = shared_from_this(), gen = generation_](const boost::system::error_code &ec) {
            if (ec || self->generation_ != gen || self->phase_ == Phase::working || self->phase_ == Phase::none) return;
            self->connect_failed(Error{
                ErrorCode::timeout,
                "no connection and handshake within " + std::to_string(self->options_.connect_timeout_ms) + " ms"});
        });
    }
    wire_->open(shared_from_this());
}

void Client::Impl::on_wire_open(const std::string &error) {
    if (phase_ != Phase::opening) return;
    if (!error.empty()) return connect_failed(Error{ErrorCode::connect_failed, error});
    phase_ = Phase::handshaking;
    announced_ = cache_->impl().get(cache_key_);
    append_control(PackageType::handshake, handshake_request_json(announced_, options_.handshake_user));
    flush();
}

void Client::Impl::connect_failed(Error error) {
    teardown(false);
    if (reconnecting_ && !user_closed_ && error.code != ErrorCode::cancelled) {
        report(error.code, "reconnect attempt " + std::to_string(reconnect_attempt_) + " failed: " + error.message);
        schedule_reconnect();
        return;
    }
    state = State::closed;
    finish_connect(error);
}

void Client::Impl::finish_connect(const Error &error) {
    if (!connect_done_) return;
    Done done = std::move(connect_done_);
    connect_done_ = nullptr;
    guarded([&] { done(error); });
}

void Client::Impl::schedule_reconnect() {
    ++reconnect_attempt_;
    if (options_.reconnect_max_attempts != 0 && reconnect_attempt_ > options_.reconnect_max_attempts) {
        state = State::closed;
        reconnecting_ = false;
        report(ErrorCode::disconnected,
               "gave up reconnecting after " + std::to_string(options_.reconnect_max_attempts) + " attempts");
        return;
    }
    reconnecting_ = true;
    state = State::reconnecting;
    // initial * 2^(attempt-1), capped; computed in 64 bits so large attempts cannot overflow.
    uint64_t delay = options_.reconnect_initial_ms;
    for (uint32_t i = 1; i < reconnect_attempt_ && delay < options_.reconnect_max_ms; ++i) delay *= 2;
    delay = std::min<uint64_t>(delay, options_.reconnect_max_ms);
    ++generation_;
    connect_timer_.expires_after(std::chrono::milliseconds(delay));
    connect_timer_.async_wait([self = shared_from_this(), gen = generation_](const boost::system::error_code &ec) {
        if (ec || self->generation_ != gen || self->user_closed_) return;
        const uint32_t attempt = self->reconnect_attempt_;
        // Copies of the callbacks in events_ are called: one may destroy the Client, which clears events_.
        if (auto cb = self->events_.on_reconnecting) guarded([&] { cb(attempt); });
        if (self->generation_ != gen || self->user_closed_) return;  // the callback called disconnect()
        self->start_connection();
    });
}

// --- closing --------------------------------------------------------------------------------

void Client::Impl::teardown(bool graceful) {
    ++generation_;
    phase_ = Phase::none;
    if (wire_) {
        wire_->close(graceful);
        wire_.reset();
    }
    boost::system::error_code ignored;
    connect_timer_.cancel();
    heartbeat_timer_.cancel();
    heartbeat_timeout_timer_.cancel();
    request_timer_.cancel();
    request_timer_at_ = Clock::time_point::max();
    heartbeat_sent_.reset();
    writing_ = false;
    out_.clear();
    frame_ends_.clear();
}

void Client::Impl::fail_pending(ErrorCode code, const std::string &message) {
    deadlines_ = {};
    // One at a time from pending_ itself: a reply that disconnects or destroys the client fails the
    // rest there and then, not after that call returned.
    while (!pending_.empty()) {
        auto it = pending_.begin();
        Reply reply = std::move(it->second.reply);
        pending_.erase(it);
        guarded([&] { reply(Error{code, message}, {}); });
    }
}

void Client::Impl::connection_lost(Error cause, bool graceful) {
    teardown(graceful);
    const ErrorCode pending_code =
        cause.code == ErrorCode::kicked || cause.code == ErrorCode::cancelled ? cause.code : ErrorCode::disconnected;
    fail_pending(pending_code, cause.message);
    const bool again =
        options_.reconnect && !user_closed_ && cause.code != ErrorCode::kicked && cause.code != ErrorCode::cancelled;
    state = again ? State::reconnecting : State::closed;
    if (auto cb = events_.on_disconnected) guarded([&] { cb(cause); });
    if (again && !user_closed_ && state == State::reconnecting) {
        reconnect_attempt_ = 0;
        schedule_reconnect();
    }
}

void Client::Impl::disconnect(ErrorCode pending_code) {
    user_closed_ = true;
    const std::string why = pending_code == ErrorCode::cancelled ? "the loop is stopping" : "disconnect() was called";
    run_callbacks();  // what was deferred before this call comes first
    switch (phase_) {
        case Phase::working: connection_lost(Error{pending_code, why}, pending_code != ErrorCode::cancelled); break;
        case Phase::opening:
        case Phase::handshaking: connect_failed(Error{pending_code, why}); break;
        case Phase::none:
            // Perhaps waiting to reconnect: stop that.
            teardown(false);
            reconnecting_ = false;
            state = State::closed;
            fail_pending(pending_code, why);
            break;
    }
    // A connect() still waiting (on_connected called disconnect()) ends here too, and so does
    // whatever the callbacks above deferred: nothing of this client runs after disconnect() returns.
    finish_connect(Error{pending_code, why});
    run_callbacks();
}

void Client::Impl::shutdown() {
    ctx->clients.erase(this);
    disconnect(ErrorCode::cancelled);
}

void Client::Impl::release() {
    ctx->clients.erase(this);
    events_ = Events{};
    handlers_.clear();
    any_handler_ = nullptr;
    any_route_handler_ = nullptr;
    user_closed_ = true;
    const std::string why = "the Client was destroyed";
    if (phase_ == Phase::working) {
        run_callbacks();
        connection_lost(Error{ErrorCode::cancelled, why}, true);
        finish_connect(Error{ErrorCode::cancelled, why});
        run_callbacks();
    } else {
        disconnect(ErrorCode::cancelled);
    }
}

void Client::Impl::protocol_error(const std::string &what) {
    report(ErrorCode::protocol, what);
    if (phase_ == Phase::working) {
        connection_lost(Error{ErrorCode::protocol, what}, false);
    } else {
        connect_failed(Error{ErrorCode::protocol, what});
    }
}

void Client::Impl::on_wire_closed(const std::string &reason) {
    if (phase_ == Phase::working) {
        connection_lost(Error{ErrorCode::disconnected, reason}, false);
    } else if (phase_ != Phase::none) {
        connect_failed(
            Error{phase_ == Phase::handshaking ? ErrorCode::handshake_failed : ErrorCode::connect_failed, reason});
    }
}

void Client::Impl::on_wire_written(const std::string &error) {
    writing_ = false;
    if (phase_ == Phase::none) return;
    if (!error.empty()) return on_wire_closed(error);
    flush();
}

void Client::Impl::report(ErrorCode code, std::string message) {
    if (auto cb = events_.on_error) guarded([&] { cb(Error{code, std::move(message)}); });
}

void Client::Impl::defer_callback(std::function<void()> fn) {
    callbacks_.push_back(std::move(fn));
    // Each post runs the oldest queued callback, if disconnect() or release() has not run it already.
    defer([this] {
        if (callbacks_.empty()) return;
        std::function<void()> next = std::move(callbacks_.front());
        callbacks_.pop_front();
        guarded(next);
    });
}

void Client::Impl::run_callbacks() {
    while (!callbacks_.empty()) {
        std::function<void()> fn = std::move(callbacks_.front());
        callbacks_.pop_front();
        guarded(fn);
    }
}

// --- receiving ------------------------------------------------------------------------------

void Client::Impl::on_wire_data(std::string_view bytes) {
    if (phase_ != Phase::handshaking && phase_ != Phase::working) return;
    last_received_ = Clock::now();
    parser_->feed(bytes);
    const uint64_t gen = generation_;
    for (;;) {
        auto r = parser_->next();
        if (r.status == pomelo::PackageStreamParser::Status::need_more) return;
        if (r.status == pomelo::PackageStreamParser::Status::error) {
            return protocol_error(std::string("bad package from the server: ") + r.error);
        }
        handle_package(r.package);
        // A package may end the connection (kick, error) or a callback may have closed it.
        if (generation_ != gen || phase_ == Phase::none) return;
    }
}

void Client::Impl::handle_package(const pomelo::Package &p) {
    switch (p.type) {
        case PackageType::handshake:
            if (phase_ != Phase::handshaking) return protocol_error("a handshake package after the handshake");
            return handle_handshake(p.body);
        case PackageType::heartbeat:
            if (heartbeat_sent_) {
                rtt_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *heartbeat_sent_).count();
                heartbeat_sent_.reset();
            }
            return;
        case PackageType::data:
            if (phase_ != Phase::working) return protocol_error("a data package before the handshake completed");
            return handle_data(p.body);
        case PackageType::kick: {
            const std::string reason(p.body);
            user_closed_ = true;  // no reconnect after a kick
            if (auto cb = events_.on_kick) guarded([&] { cb(reason); });
            if (phase_ == Phase::working) {
                connection_lost(Error{ErrorCode::kicked, "kicked by the server: " + reason}, false);
            } else if (phase_ != Phase::none) {
                connect_failed(Error{ErrorCode::kicked, "kicked by the server: " + reason});
            }
            return;
        }
        case PackageType::handshake_ack: return protocol_error("the server sent a handshake ACK");
    }
}

void Client::Impl::handle_handshake(std::string_view body) {
    HandshakeOutcome hs;
    std::string error = parse_handshake_reply(body, announced_, hs);
    if (!error.empty()) {
        report(ErrorCode::handshake_failed, error);
        return connect_failed(Error{ErrorCode::handshake_failed, error});
    }
    if (hs.code != 200) {
        std::string why = "the server refused the handshake with code " + std::to_string(hs.code);
        if (hs.code == 501) why += " (client version refused)";
        return connect_failed(Error{ErrorCode::handshake_failed, why});
    }
    protocol_ = hs.protocol;
    // Keep what is new; keep the cached half the server did not resend.
    if ((hs.protocol.dict && !hs.dict_from_cache) || (hs.protocol.protos && !hs.protos_from_cache)) {
        ServerProtocol merged = announced_;
        if (hs.protocol.dict) {
            merged.dict = hs.protocol.dict;
            merged.dict_version = hs.protocol.dict_version;
        }
        if (hs.protocol.protos) {
            merged.protos = hs.protocol.protos;
            merged.proto_version = hs.protocol.proto_version;
        }
        cache_->impl().put(cache_key_, merged);
    }
    heartbeat_s = hs.heartbeat_s;
    use_dict = hs.use_dict;
    use_proto = hs.use_proto;
    dict_from_cache = hs.dict_from_cache;
    protos_from_cache = hs.protos_from_cache;

    connect_timer_.cancel();
    append_control(PackageType::handshake_ack);
    flush();
    phase_ = Phase::working;
    state = State::connected;
    reconnect_attempt_ = 0;
    reconnecting_ = false;
    start_heartbeat();

    const uint64_t gen = generation_;
    if (auto cb = events_.on_connected) guarded([&] { cb(); });
    if (generation_ != gen) return;  // on_connected disconnected (which ended connect() too)
    finish_connect(Error{});
}

void Client::Impl::handle_data(std::string_view bytes) {
    const auto decoded = pomelo::decode_message(bytes);
    if (!decoded.ok()) return protocol_error(std::string("bad message from the server: ") + decoded.error);
    const pomelo::Message &m = decoded.message;

    if (m.type == MessageType::response) {
        auto it = pending_.find(m.id);
        if (it == pending_.end()) return;  // answered too late (timed out) or never asked: drop
        Pending p = std::move(it->second);
        pending_.erase(it);
        if (!p.proto_route.empty()) {
            rapidjson::Document doc;
            std::string err = protocol_.protos->server.decode(p.proto_route, m.body, doc, doc.GetAllocator());
            std::string &json = decode_scratch();
            if (err.empty() && !pomelo::append_js_json(json, doc)) err = "decoded body nests too deeply";
            if (!err.empty()) {
                guarded([&] { p.reply(Error{ErrorCode::protocol, "undecodable response: " + err}, {}); });
                return;
            }
            guarded([&] { p.reply(Error{}, json); });
            return;
        }
        guarded([&] { p.reply(Error{}, m.body); });
        return;
    }
    if (m.type != MessageType::push) return protocol_error("the server sent a request or notify message");

    std::string_view route = m.route;
    if (m.route_compressed) {
        const std::string *r = protocol_.dict ? protocol_.dict->route_of(m.route_code) : nullptr;
        if (!r) return report(ErrorCode::protocol, "push with unknown route code " + std::to_string(m.route_code));
        route = *r;
    }
    auto h = handlers_.find(route);
    if (h == handlers_.end() && !any_handler_) {
        if (any_route_handler_) {
            auto handler = any_route_handler_;
            guarded([&] { handler(route); });
        }
        return;  // nobody reads the body: it is not decoded
    }
    std::string_view body = m.body;
    if (protocol_.protos && protocol_.protos->server.has_route(route)) {
        rapidjson::Document doc;
        std::string err = protocol_.protos->server.decode(route, m.body, doc, doc.GetAllocator());
        std::string &json = decode_scratch();
        if (err.empty() && !pomelo::append_js_json(json, doc)) err = "decoded body nests too deeply";
        if (!err.empty()) return report(ErrorCode::protocol, "undecodable push on " + std::string(route) + ": " + err);
        body = json;
    }
    if (h != handlers_.end()) {
        Push handler = h->second;  // a copy: the handler may replace itself
        guarded([&] { handler(body); });
    } else if (any_handler_) {
        auto handler = any_handler_;
        guarded([&] { handler(route, body); });
    }
}

// --- sending --------------------------------------------------------------------------------

uint32_t Client::Impl::next_request_id() {
    // 1..2^31-1 as Pomelo allows, wrapping; an id still waiting for its answer is skipped.
    for (;;) {
        last_id_ = last_id_ >= pomelo::kMaxMessageId ? 1 : last_id_ + 1;
        if (pending_.find(last_id_) == pending_.end()) return last_id_;
    }
}

std::string Client::Impl::append_message(uint32_t id, std::string_view route, std::string_view body) {
    if (route.empty() || route.size() > pomelo::kMaxRouteSize) return "route must be 1..255 bytes";
    pomelo::Message m;
    m.type = id ? MessageType::request : MessageType::notify;
    m.id = id;
    if (protocol_.dict) {
        if (uint16_t code = protocol_.dict->code_of(route)) {
            m.route_compressed = true;
            m.route_code = code;
        }
    }
    if (!m.route_compressed) m.route = route;
    if (body.empty()) body = "{}";
    if (protocol_.protos && protocol_.protos->client.has_route(route)) {
        rapidjson::Document doc;
        if (!pomelo::parse_json(body, doc) || !doc.IsObject()) return "body is not a JSON object";
        std::string &encoded = encode_scratch();
        std::string err = protocol_.protos->client.encode(encoded, route, doc);
        if (!err.empty()) return "protobuf encoding failed: " + err;
        m.body = encoded;
    } else {
        if (!is_json(body)) return "body is not JSON";
        m.body = body;
    }
    if (const char *err = pomelo::encode_data_package(out_, m)) return err;
    frame_ends_.push_back(static_cast<uint32_t>(out_.size()));
    return {};
}

void Client::Impl::append_control(PackageType type, std::string_view body) {
    if (pomelo::encode_package(out_, type, body) == nullptr) frame_ends_.push_back(static_cast<uint32_t>(out_.size()));
}

void Client::Impl::flush() {
    if (writing_ || out_.empty() || !wire_ || phase_ == Phase::none || phase_ == Phase::opening) return;
    writing_ = true;
    wire_->write(out_, frame_ends_);
}

void Client::Impl::flush_soon() {
    if (writing_ || flush_posted_) return;  // the write in progress takes what queued meanwhile
    flush_posted_ = true;
    defer([this] {
        flush_posted_ = false;
        flush();
    });
}

void Client::Impl::request(std::string_view route, std::string_view body, Reply reply, uint32_t timeout_ms) {
    if (phase_ != Phase::working) {
        defer_callback([reply = std::move(reply)] { reply(Error{ErrorCode::disconnected, "not connected"}, {}); });
        return;
    }
    if (send_buffer_full()) {
        defer_callback([reply = std::move(reply)] { reply(Error{ErrorCode::busy, "send buffer full"}, {}); });
        return;
    }
    const uint32_t id = next_request_id();
    std::string err = append_message(id, route, body);
    if (!err.empty()) {
        defer_callback([reply = std::move(reply), err] { reply(Error{ErrorCode::invalid_argument, err}, {}); });
        return;
    }
    Pending p;
    p.reply = std::move(reply);
    if (protocol_.protos && protocol_.protos->server.has_route(route)) p.proto_route = std::string(route);
    const uint32_t t = timeout_ms ? timeout_ms : options_.request_timeout_ms;
    if (t) {
        p.deadline = Clock::now() + std::chrono::milliseconds(t);
        deadlines_.push(Deadline{p.deadline, id});
    }
    pending_.emplace(id, std::move(p));
    if (t) arm_request_timer();
    flush_soon();
}

void Client::Impl::notify(std::string_view route, std::string_view body) {
    if (phase_ != Phase::working) {
        defer_callback(
            [this, r = std::string(route)] { report(ErrorCode::disconnected, "notify " + r + ": not connected"); });
        return;
    }
    if (send_buffer_full()) {
        defer_callback(
            [this, r = std::string(route)] { report(ErrorCode::busy, "notify " + r + ": send buffer full"); });
        return;
    }
    std::string err = append_message(0, route, body);
    if (!err.empty()) {
        defer_callback(
            [this, err, r = std::string(route)] { report(ErrorCode::invalid_argument, "notify " + r + ": " + err); });
        return;
    }
    flush_soon();
}

void Client::Impl::on(std::string_view route, Push handler) {
    if (handler) {
        auto it = handlers_.find(route);
        if (it != handlers_.end()) {
            it->second = std::move(handler);
        } else {
            handlers_.emplace(std::string(route), std::move(handler));
        }
    } else if (auto it = handlers_.find(route); it != handlers_.end()) {
        handlers_.erase(it);
    }
}

void Client::Impl::on_any(std::function<void(std::string_view, std::string_view)> handler) {
    any_handler_ = std::move(handler);
}

void Client::Impl::on_any_route(std::function<void(std::string_view)> handler) {
    any_route_handler_ = std::move(handler);
}

// --- timers ---------------------------------------------------------------------------------

void Client::Impl::arm_request_timer() {
    if (deadlines_.empty()) return;
    const Clock::time_point at = deadlines_.top().at;
    if (at >= request_timer_at_) return;  // already armed earlier: it will re-arm for this one
    request_timer_at_ = at;
    request_timer_.expires_at(at);
    request_timer_.async_wait([self = shared_from_this(), gen = generation_](const boost::system::error_code &ec) {
        if (ec || self->generation_ != gen) return;
        self->request_timer_at_ = Clock::time_point::max();
        self->on_request_timer();
    });
}

void Client::Impl::on_request_timer() {
    const Clock::time_point now = Clock::now();
    const uint64_t gen = generation_;
    while (!deadlines_.empty() && deadlines_.top().at <= now) {
        const Deadline d = deadlines_.top();
        deadlines_.pop();
        auto it = pending_.find(d.id);
        if (it == pending_.end() || it->second.deadline != d.at) continue;  // answered already
        Reply reply = std::move(it->second.reply);
        pending_.erase(it);
        guarded([&] { reply(Error{ErrorCode::timeout, "no response within the request timeout"}, {}); });
        if (generation_ != gen) return;
    }
    arm_request_timer();
}

void Client::Impl::start_heartbeat() {
    if (heartbeat_s == 0) return;
    last_received_ = Clock::now();
    arm_heartbeat_send();
    arm_heartbeat_timeout();
}

void Client::Impl::arm_heartbeat_send() {
    heartbeat_timer_.expires_after(std::chrono::seconds(heartbeat_s.load()));
    heartbeat_timer_.async_wait([self = shared_from_this(), gen = generation_](const boost::system::error_code &ec) {
        if (ec || self->generation_ != gen || self->phase_ != Phase::working) return;
        if (!self->heartbeat_sent_) self->heartbeat_sent_ = Clock::now();
        self->append_control(PackageType::heartbeat);
        self->flush();
        self->arm_heartbeat_send();
    });
}

void Client::Impl::arm_heartbeat_timeout() {
    // As Pomelo's clients do: the connection is dead when nothing arrived for 2 x heartbeat.
    const auto limit = std::chrono::seconds(2 * heartbeat_s.load());
    heartbeat_timeout_timer_.expires_at(last_received_ + limit);
    heartbeat_timeout_timer_.async_wait(
        [self = shared_from_this(), gen = generation_, limit](const boost::system::error_code &ec) {
            if (ec || self->generation_ != gen || self->phase_ != Phase::working) return;
            if (Clock::now() < self->last_received_ + limit) return self->arm_heartbeat_timeout();
            self->connection_lost(Error{ErrorCode::disconnected, "heartbeat timeout: nothing from the server for " +
                                                                     std::to_string(2 * self->heartbeat_s) + " s"},
                                  false);
        });
}

}  // namespace shd::client
