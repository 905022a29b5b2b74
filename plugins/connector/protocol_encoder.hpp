// The protocol's [any] encoders, producing shared buffers that any number of connections can send.
// Returns null when the protocol refused to encode (for example a protobuf body missing a required
// field: Pomelo then sends nothing).
#pragma once

#include "client_link.hpp"

#include <shaddock/ext/protocol.h>
#include <shaddock/cpp/host.hpp>

#include <string>
#include <string_view>

namespace shd::connector {

class ProtocolEncoder {
public:
    ProtocolEncoder() = default;
    ProtocolEncoder(const shd_protocol_v1 *vt, void *pctx, void *setup) : vt_(vt), pctx_(pctx), setup_(setup) {}

    SharedBytes response(uint32_t id, std::string_view request_route, std::string_view body_json, bool is_error) const {
        return collect([&](shd_bytes_fn sink, void *ud) {
            return vt_->encode_response(pctx_, setup_, id, to_shd(request_route), to_shd(body_json), is_error ? 1 : 0,
                                        sink, ud);
        });
    }
    SharedBytes push(std::string_view route, std::string_view body_json) const {
        return collect([&](shd_bytes_fn sink, void *ud) {
            return vt_->encode_push(pctx_, setup_, to_shd(route), to_shd(body_json), sink, ud);
        });
    }
    SharedBytes kick(std::string_view reason) const {
        return collect(
            [&](shd_bytes_fn sink, void *ud) { return vt_->encode_kick(pctx_, setup_, to_shd(reason), sink, ud); });
    }

private:
    template <class F>
    SharedBytes collect(F &&encode) const {
        if (!vt_) return nullptr;
        std::string out;
        bool called = false;
        struct Sink {
            std::string *out;
            bool *called;
        } sink{&out, &called};
        shd_status s = encode(
            [](void *ud, shd_bytes b) {
                auto *k = static_cast<Sink *>(ud);
                k->out->assign(reinterpret_cast<const char *>(b.data), b.size);
                *k->called = true;
            },
            &sink);
        if (s != SHD_OK || !called || out.empty()) return nullptr;
        return std::make_shared<const std::string>(std::move(out));
    }

    const shd_protocol_v1 *vt_ = nullptr;
    void *pctx_ = nullptr;
    void *setup_ = nullptr;
};

}  // namespace shd::connector
