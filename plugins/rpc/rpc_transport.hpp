// The transport seam of the rpc plugin: what RpcService needs from whatever carries its frames (Link,
// Transport), what it is told back (TransportEvents), and the TCP transport (Transport::create): its
// own I/O threads, the listening socket, and one connection (a Link) per peer and direction. The TCP
// transport speaks the frames of frame_codec.hpp and authenticates peers with peer_auth.hpp. A
// transport knows nothing of calls, routes or the host: it moves frames and reports. The rpc_nats
// plugin builds the same RpcService over its own NATS transport (plugins/rpc_nats).
//
// Asio stays inside rpc_transport.cpp; this header is plain C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd::rpc {

struct ForwardView;

// A REQUEST frame, or a FORWARD frame when `forward` is set (then ns, service, method and args are
// empty and the forwarded message's fields are below, its strings in one buffer).
struct InboundRequest {
    uint64_t id = 0;
    std::string ns, service, method, args;

    bool forward = false;
    int32_t kind = 0;  // SHD_MSG_REQUEST or SHD_MSG_NOTIFY
    uint32_t msg_id = 0;
    uint64_t session_id = 0;
    std::string fields;  // route, frontend id, uid, settings and body, back to back
    uint32_t route_size = 0, frontend_id_size = 0, uid_size = 0, settings_size = 0;

    std::string_view route() const { return part(0, route_size); }
    std::string_view frontend_id() const { return part(route_size, frontend_id_size); }
    std::string_view uid() const { return part(route_size + frontend_id_size, uid_size); }
    std::string_view settings() const { return part(route_size + frontend_id_size + uid_size, settings_size); }
    std::string_view body() const {
        const size_t at = size_t(route_size) + frontend_id_size + uid_size + settings_size;
        return std::string_view(fields).substr(at);
    }

private:
    std::string_view part(size_t at, size_t size) const { return std::string_view(fields).substr(at, size); }
};

// A FORWARD frame a transport has read (frame_codec.hpp), as the request the service takes.
InboundRequest forwarded_request(const ForwardView &v);

struct InboundResponse {
    uint64_t id = 0;
    int32_t status = 0;
    std::string result;
    bool refused = false;  // not the peer's answer: the transport refused it (nested too deep)
};

// One TCP connection. The logic thread sends, an I/O thread writes.
class Link {
public:
    enum class Send { ok, closed, busy };
    virtual ~Link() = default;
    // Unique per process, never reused; 0 is never a serial.
    virtual uint64_t serial() const = 0;
    // Outbound: the server it was opened to. Inbound: the authenticated caller (set before any request
    // is reported).
    virtual const std::string &peer_id() const = 0;
    // [logic] Stages a frame: the frames staged on all links go to their I/O threads together, at
    // Transport::flush_staged() (one lock and one wake-up per link for a whole batch of work).
    // `closed` once the link is closing (its close is or will be reported); `busy` when maxQueuedBytes
    // are already waiting.
    virtual Send send_request(uint64_t id, std::string_view ns, std::string_view service, std::string_view method,
                              std::string_view args) = 0;
    virtual Send send_response(uint64_t id, int32_t status, std::string_view result) = 0;
    // A FORWARD frame (f.id is the call id). The link decides whether the settings travel (its
    // ForwardSettingsCache); f.flags is ignored.
    virtual Send send_forward(const ForwardView &f) = 0;
    // Closes soon, on the link's I/O thread.
    virtual void close(std::string reason) = 0;
    // Why it closed ("" while open).
    virtual std::string close_reason() = 0;
};

// What the transport reports, on its I/O threads (on_staged: on the logic thread). The events of one
// link arrive in order.
class TransportEvents {
public:
    virtual ~TransportEvents() = default;
    // [logic] The first frame since the last Transport::flush_staged() was staged: call it soon on the
    // logic thread, after the work at hand (frames staged meanwhile go with it).
    virtual void on_staged() = 0;
    // Responses read on an outbound link.
    virtual void on_responses(uint64_t link_serial, std::vector<InboundResponse> responses) = 0;
    // An outbound link ended (connect failure, authentication failure, loss, close()); once per link,
    // after its last on_responses.
    virtual void on_link_closed(uint64_t link_serial, std::string reason) = 0;
    // Requests read on an authenticated inbound link.
    virtual void on_requests(std::shared_ptr<Link> link, std::vector<InboundRequest> requests) = 0;
    virtual void on_log(int level, std::string message) = 0;
};

struct TransportConfig {
    std::string self_id;
    size_t max_frame = 16u << 20;
    size_t max_queued_bytes = 64u << 20;
    bool buffer_msg = false;
    uint32_t interval_ms = 30;
    uint32_t connect_timeout_ms = 5000;  // also the deadline for a peer's hello on inbound links
    int io_threads = 1;
    // Inbound connections still waiting for a valid hello; one more closes the oldest of them.
    size_t max_unauthenticated = 128;
    // Args and results nested deeper are refused on arrival (never handed to a JSON parser).
    size_t max_json_depth = 128;
    // This server answers calls (false on the master, which only calls). The TCP transport serves
    // when it is given a port; a transport without addresses (addressed() false) serves by this.
    bool serve = true;
};

class Transport {
public:
    static std::unique_ptr<Transport> create(TransportConfig config, TransportEvents &events);
    virtual ~Transport() = default;

    // Whether peers are reached at the host and port of their server entry (TCP). False: by their
    // server id alone (NATS subjects), so a server without a port is reachable too.
    virtual bool addressed() const { return true; }
    // [logic, after start] The largest frame the transport can carry (the engine's own limit);
    // maxFrameSize is lowered to it.
    virtual size_t max_frame() const { return SIZE_MAX; }

    // [logic] Starts the I/O threads, and listens on host:port when port != 0. Throws
    // std::runtime_error naming host:port when it cannot listen.
    virtual void start(const std::string &listen_host, int port) = 0;
    // [any] The shared secret for handshakes from now on ("" refuses every handshake).
    virtual void set_secret(std::string secret) = 0;
    // [logic] A new outbound link to peer_id at host:port; it connects in the background, and frames
    // sent meanwhile wait for the handshake.
    virtual std::shared_ptr<Link> connect(const std::string &peer_id, const std::string &host, int port) = 0;
    // [logic] Hands every staged frame to its link's I/O thread.
    virtual void flush_staged() = 0;
    // [logic] Closes every socket and joins the I/O threads; nothing is reported after it returns.
    // Frames still staged are dropped.
    virtual void stop() = 0;
};

// Makes the transport RpcService::start uses (Transport::create for TCP).
using TransportFactory = std::function<std::unique_ptr<Transport>(TransportConfig, TransportEvents &)>;

}  // namespace shd::rpc
