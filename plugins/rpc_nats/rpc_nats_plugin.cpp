// The `rpc_nats` plugin: provides "shd.rpc/1" (shaddock/ext/rpc.h) exactly as the rpc plugin does (the
// same RpcService: routing, filters, deadlines, failover, forwards, remotes) with its frames carried
// over NATS subjects instead of direct TCP links (nats_transport.hpp). Switching is the plugin's name in
// plugins.json; it accepts every option of the rpc plugin, and its own (README.md).
#include "nats_options.hpp"
#include "nats_transport.hpp"
#include "rpc_provider.hpp"

namespace {

using shd::rpc::nats::NatsOptions;

class RpcNatsPlugin final : public shd::rpc::RpcProvider {
public:
    using RpcProvider::RpcProvider;

protected:
    std::unique_ptr<shd::rpc::RpcService> make_service() override {
        shd::rpc::nats::RpcNatsOptions o = shd::rpc::nats::parse_rpc_nats_options(host().options_json());
        const bool url_credentials = o.nats.url.find('@') != std::string::npos;
        if (!o.nats.has_credentials() && !url_credentials) {
            // As the cluster plugin refuses the shipped secrets (docs/security.md): anyone who reaches
            // an open NATS could read every call and flood every server.
            if (host().server().env == "production")
                throw shd::Error(SHD_ERR_INVALID,
                                 "option token: NATS without credentials is refused in production; set token, or "
                                 "user and password (and require them in the NATS server's authorization)");
            host().warn(
                "connecting to NATS without credentials (option token, or user and password): development "
                "only, refused in production");
        }
        shd::Host h = host();
        NatsOptions nats = std::move(o.nats);
        return std::make_unique<shd::rpc::RpcService>(
            h, std::move(o.rpc), [h, nats](shd::rpc::TransportConfig cfg, shd::rpc::TransportEvents &events) {
                return shd::rpc::nats::make_nats_transport(h, nats, std::move(cfg), events);
            });
    }
};

}  // namespace

SHADDOCK_PLUGIN(RpcNatsPlugin, "rpc_nats", "0.1.0", SHD_RPC_SERVICE_ID, "")
