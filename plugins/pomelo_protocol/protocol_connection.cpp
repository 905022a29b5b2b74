#include "protocol_connection.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>
#include <shaddock/pomelo/message_codec.hpp>

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

namespace shd::pomelo {

namespace {
shd_str view(std::string_view s) { return shd_str{s.data(), s.size()}; }
}  // namespace

ProtocolConnection::ProtocolConnection(const ProtocolSetup &setup, const shd_protocol_link_v1 &link)
    : setup_(setup), link_(link), parser_(setup.max_package_size) {
    // Until the handshake completes the client has idle_timeout in total (not per byte), so a client
    // that trickles a byte now and then cannot hold a connection open forever.
    link_.set_timeout(link_.link_ctx, setup_.idle_timeout_ms);
}

void ProtocolConnection::close(const char *reason) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    link_.close(link_.link_ctx, view(reason));
}

void ProtocolConnection::send_package(PackageType type, std::string_view body) {
    std::string out;
    if (encode_package(out, type, body)) return;  // only bodies over 16 MiB fail; none are built here
    link_.send(link_.link_ctx, shd_bytes{reinterpret_cast<const uint8_t *>(out.data()), out.size()});
}

void ProtocolConnection::receive(std::string_view bytes, bool whole_message) {
    if (state_ == State::closed) return;
    if (whole_message) {
        PackageDecodeResult r = decode_frame_package(bytes, setup_.max_package_size);
        if (!r.ok()) return close(r.error);
        handle_package(r.package);
        return;
    }
    parser_.feed(bytes);
    while (state_ != State::closed) {
        PackageStreamParser::Result r = parser_.next();
        if (r.status == PackageStreamParser::Status::need_more) break;
        if (r.status == PackageStreamParser::Status::error) return close(r.error);
        handle_package(r.package);
    }
}

void ProtocolConnection::handle_package(const Package &p) {
    // Pomelo: a type in the wrong state is ignored; a type with no server handler (kick) disconnects.
    switch (p.type) {
    case PackageType::handshake:
        if (state_ == State::inited && !handshake_) handle_handshake(p.body);
        break;
    case PackageType::handshake_ack:
        if (state_ != State::wait_ack) break;
        state_ = State::working;
        link_.established(link_.link_ctx);
        if (setup_.heartbeat_s) {
            send_package(PackageType::heartbeat, {});  // the server's first heartbeat starts the ping-pong
            link_.set_timeout(link_.link_ctx, setup_.heartbeat_timeout_ms);
        } else {
            link_.set_timeout(link_.link_ctx, setup_.idle_timeout_ms);
        }
        break;
    case PackageType::heartbeat:
        if (state_ != State::working) break;
        send_package(PackageType::heartbeat, {});
        link_.set_timeout(link_.link_ctx, setup_.heartbeat_s ? setup_.heartbeat_timeout_ms : setup_.idle_timeout_ms);
        break;
    case PackageType::data:
        if (state_ != State::working) break;  // DATA before the ACK is dropped
        if (!setup_.heartbeat_s) link_.set_timeout(link_.link_ctx, setup_.idle_timeout_ms);  // traffic keeps it alive
        handle_data(p.body);
        break;
    case PackageType::kick:
        close("client sent a kick package");
        break;
    }
}

void ProtocolConnection::handle_handshake(std::string_view body) {
    auto request = std::make_unique<HandshakeRequest>(parse_handshake_request(body));
    if (!request->has_sys) {
        send_package(PackageType::handshake, handshake_error_reply(kHandshakeBadRequest));
        return close("handshake without sys");
    }
    handshake_ = std::move(request);
    link_.handshake(link_.link_ctx, view(handshake_->type), view(handshake_->version), view(handshake_->user_json),
                    &ProtocolConnection::on_handshake_reply, this);
}

void SHD_CALL ProtocolConnection::on_handshake_reply(void *ctx, int32_t code, shd_str user_json) {
    static_cast<ProtocolConnection *>(ctx)->finish_handshake(code, std::string_view(user_json.data ? user_json.data : "", user_json.size));
}

void ProtocolConnection::finish_handshake(int code, std::string_view user_json) {
    std::unique_ptr<HandshakeRequest> request = std::move(handshake_);
    if (state_ != State::inited || !request) return;
    if (code != kHandshakeOk) {
        send_package(PackageType::handshake, handshake_error_reply(code == kHandshakeOldClient ? code : kHandshakeBadRequest));
        return close(code == kHandshakeOldClient ? "client version refused" : "handshake refused");
    }
    HandshakeReplyConfig config;
    config.heartbeat_seconds = setup_.heartbeat_s;
    if (setup_.use_dict) config.dictionary = &setup_.dictionary;
    if (setup_.use_protobuf) {
        config.server_protos = &setup_.server_protos;
        config.client_protos = &setup_.client_protos;
        config.protos_version = setup_.protos_version;
    }
    rapidjson::Document user;
    if (!user_json.empty() && parse_json(user_json, user)) config.user = &user;
    send_package(PackageType::handshake, handshake_reply(*request, config));
    state_ = State::wait_ack;
}

void ProtocolConnection::handle_data(std::string_view body) {
    MessageDecodeResult r = decode_message(body);
    if (!r.ok()) return close(r.error);
    const Message &m = r.message;
    if (m.type != MessageType::request && m.type != MessageType::notify) return close("client sent a server-side message type");

    std::string_view route;
    if (m.route_compressed) {
        // Pomelo drops a coded route it cannot expand, without replying.
        const std::string *known = setup_.use_dict ? setup_.dictionary.route_of(m.route_code) : nullptr;
        if (!known) return;
        route = *known;
    } else {
        route = m.route;
        if (route.find('.') == std::string_view::npos) return;  // Pomelo drops routes without a dot
    }

    shd_inbound_msg_v1 in{};
    shd::stamp(in);
    in.kind = m.type == MessageType::request ? SHD_MSG_REQUEST : SHD_MSG_NOTIFY;
    in.id = m.id;
    in.route = view(route);

    std::string decoded;
    if (setup_.use_protobuf && setup_.client_protos.has_route(route)) {
        std::string error = setup_.client_protos.decode_json(route, m.body, decoded);
        if (!error.empty()) {
            // A body that does not match the schema: the request fails, the connection stays.
            if (in.kind == SHD_MSG_REQUEST) {
                std::string out;
                Message resp;
                resp.type = MessageType::response;
                resp.id = m.id;
                resp.body = R"({"code":500})";
                if (!encode_data_package(out, resp))
                    link_.send(link_.link_ctx, shd_bytes{reinterpret_cast<const uint8_t *>(out.data()), out.size()});
            }
            return;
        }
        in.body_json = view(decoded);
    } else {
        // Pomelo parses the body with JSON.parse and uses {} when that fails. Valid JSON passes
        // through as it came: checked in one pass without building a document, parsed once by the
        // handler that owns it (or by nobody, when the body is forwarded to a backend as bytes).
        in.body_json = m.body.empty() || !json_valid(m.body) ? view("{}") : view(m.body);
    }
    link_.deliver(link_.link_ctx, &in);
}

void ProtocolConnection::on_timeout() {
    if (state_ == State::closed) return;
    close(state_ == State::working && setup_.heartbeat_s ? "heartbeat timeout" : "idle timeout");
}

}  // namespace shd::pomelo
