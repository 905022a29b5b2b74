// shaddock/client.hpp - the Shaddock client SDK: a Pomelo-protocol client in C++.
//
// Talks to any Pomelo 2.x compatible server (Shaddock or Pomelo itself) over raw TCP, TLS, WebSocket
// or secure WebSocket: handshake with route dictionary and protobuf negotiation (cached across
// connections as libpomelo2 does), request / notify / on(route) / disconnect, heartbeats, kick, and
// optional reconnect with backoff.
//
// Threading: a Loop owns one or more I/O threads. Each Client is pinned to one of them and every
// callback of that client runs on that thread, never re-entrantly inside a call made by the user
// (disconnect() and the destructor excepted, see below). The Client's methods may be called from
// any thread. Thousands of clients share one Loop.
//
// Lifetime rule: once disconnect() returns, or the Client has been destroyed (its last shared_ptr
// released), none of its callbacks runs again: not a reply, not connect()'s done, not a push handler,
// not an Events member. Whatever the client still owes runs before that call returns, on the
// client's thread: pending replies (with `disconnected`, or `cancelled` when destroyed), a waiting
// connect()'s done, callbacks deferred out of earlier calls, and on_disconnected (not when
// destroyed: Events and push handlers stop at once). So state that callbacks capture may be freed
// right after either call. Both may be called
//  - from any other thread: the call waits until the client's thread has done it (and has finished
//    the callback it was running, if any). Do not hold a lock there that the client's callbacks
//    take, and do not make two I/O threads wait for each other this way (a callback of a client on
//    thread A disconnecting a client on thread B while B does the same to A deadlocks); use
//    Loop::post to the client's own thread instead;
//  - on the client's own thread, from inside any of its callbacks or a Loop::post task: it runs
//    there and then (no deadlock); the owed callbacks run inside the call. Dropping the last
//    reference from the client's own callback is allowed; the callback that is running may finish.
// Callbacks given to calls made after disconnect() returned run as usual (a request() fails with
// `disconnected`), and a connect() made from inside an owed callback starts a new connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace shd::client {

enum class Transport { tcp, tls, ws, wss };

// Parses "tcp", "tls", "ws", "wss"; false for anything else.
bool parse_transport(std::string_view name, Transport &out);
const char *transport_name(Transport t);

// What went wrong with a connection or a request. code 0 never reaches a callback.
enum class ErrorCode {
    ok = 0,
    connect_failed,    // TCP connect, TLS or WebSocket upgrade failed
    handshake_failed,  // the server refused the handshake (code != 200) or answered garbage
    timeout,           // connect, handshake or request deadline passed
    disconnected,      // the connection closed (by either side, heartbeat timeout, or disconnect())
    kicked,            // the server kicked this client
    protocol,          // the server sent bytes the protocol does not allow
    invalid_argument,  // bad route/body given by the caller (e.g. body is not JSON)
    cancelled,         // the Loop is stopping
    busy,              // send_buffer_limit bytes already wait to be written: the server is not reading; retry later
};

struct Error {
    ErrorCode code = ErrorCode::ok;
    std::string message;
    explicit operator bool() const { return code != ErrorCode::ok; }
};

const char *error_name(ErrorCode c);

// Dictionary and protos learned in handshakes, keyed by server address; pass one cache to many clients
// so that they announce the versions they hold (as libpomelo2 does) and the server sends only changes.
class ProtocolCache {
public:
    ProtocolCache();
    ~ProtocolCache();
    ProtocolCache(const ProtocolCache &) = delete;
    ProtocolCache &operator=(const ProtocolCache &) = delete;
    struct Impl;
    Impl &impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

struct Options {
    Transport transport = Transport::tcp;
    std::string host = "127.0.0.1";
    uint16_t port = 3010;
    std::string ws_path = "/";            // WebSocket request path
    std::string tls_ca_file;              // empty: do not verify the server certificate
    std::string tls_server_name;          // SNI and verification name; default: host
    std::string handshake_user = "{}";    // JSON object sent as the handshake's "user"
    uint32_t connect_timeout_ms = 10000;  // TCP + TLS + WebSocket + handshake
    uint32_t request_timeout_ms = 10000;  // default per request; 0 = none
    bool reconnect = false;  // reconnect with backoff after a lost connection (not after kick/disconnect())
    uint32_t reconnect_initial_ms = 500;          // doubled per failed attempt ...
    uint32_t reconnect_max_ms = 30000;            // ... up to this
    uint32_t reconnect_max_attempts = 10;         // 0 = unlimited
    std::shared_ptr<ProtocolCache> cache;         // optional, shared
    uint32_t max_package_size = 4 * 1024 * 1024;  // larger packages from the server are a protocol error
    // Bytes that may wait behind the write in progress; past it request()/notify() fail with `busy`
    // (the connection stays up). 0: unlimited.
    uint32_t send_buffer_limit = 8 * 1024 * 1024;
};

// Event sink for connection-level events. Every member is optional.
struct Events {
    std::function<void()> on_connected;                  // handshake done (also after a reconnect)
    std::function<void(const Error &)> on_disconnected;  // once per lost connection; not after a failed connect()
    std::function<void(std::string_view reason_json)> on_kick;  // kick body as JSON text (before on_disconnected)
    std::function<void(const Error &)> on_error;            // non-fatal trouble worth logging (e.g. undecodable push)
    std::function<void(uint32_t attempt)> on_reconnecting;  // a reconnect attempt is about to start
};

class Loop {
public:
    // Starts `threads` I/O threads (at least 1).
    explicit Loop(unsigned threads = 1);
    // Stops: closes every client of this loop, fails their pending calls with `cancelled`, joins threads.
    ~Loop();
    Loop(const Loop &) = delete;
    Loop &operator=(const Loop &) = delete;

    unsigned threads() const;
    // Runs fn on I/O thread `index % threads()` (e.g. for timers of a load tool).
    void post(unsigned index, std::function<void()> fn);
    // Runs fn on that thread after delay_ms.
    void post_after(unsigned index, uint32_t delay_ms, std::function<void()> fn);

    struct Impl;
    Impl &impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

class Client {
public:
    enum class State { idle, connecting, connected, reconnecting, closed };

    using Done = std::function<void(const Error &)>;
    // body is the response body as JSON text (protobuf responses are decoded to JSON).
    using Reply = std::function<void(const Error &, std::string_view body_json)>;
    using Push = std::function<void(std::string_view body_json)>;

    // `thread_hint` picks the Loop thread (hint % threads); clients with the same hint share a thread.
    static std::shared_ptr<Client> create(Loop &loop, Options options, Events events = {}, unsigned thread_hint = 0);
    // Closes the connection; pending replies run with `cancelled` before it returns, Events and push
    // handlers do not run any more (the lifetime rule above).
    ~Client();

    // Connects and handshakes. done runs once: with no error when the handshake completed.
    void connect(Done done);

    // Sends a request; reply runs exactly once: with the response, or with an error (timeout,
    // disconnected, cancelled, invalid_argument). timeout_ms 0 = Options::request_timeout_ms.
    void request(std::string_view route, std::string_view body_json, Reply reply, uint32_t timeout_ms = 0);

    // Sends a notify (no response). Errors (not connected, bad body) go to Events::on_error.
    void notify(std::string_view route, std::string_view body_json);

    // Subscribes to pushes on a route (one handler per route; a second call replaces it).
    // on_any receives pushes whose route has no handler.
    void on(std::string_view route, Push handler);
    void on_any(std::function<void(std::string_view route, std::string_view body_json)> handler);
    // Pushes that neither a route's handler nor on_any takes reach this one with their route only:
    // their body is not decoded (counting pushes a client ignores costs no protobuf or JSON work).
    void on_any_route(std::function<void(std::string_view route)> handler);

    // Closes the connection; pending requests fail with `disconnected`. No reconnect follows. Final:
    // every callback still owed runs before it returns and none after (the lifetime rule above).
    void disconnect();

    State state() const;
    // Round-trip of the last heartbeat, -1 before the first one.
    int64_t heartbeat_rtt_us() const;
    // The handshake's heartbeat interval in seconds (0 = heartbeats off).
    uint32_t heartbeat_interval_s() const;
    // Whether the handshake enabled the route dictionary / protobuf.
    bool uses_dictionary() const;
    bool uses_protobuf() const;
    // Whether the last handshake reply left out the dictionary / protos because the versions this
    // client announced from its ProtocolCache were current (the cached copies are in use).
    bool dictionary_from_cache() const;
    bool protos_from_cache() const;

    struct Impl;

private:
    explicit Client(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

}  // namespace shd::client
