// The `rpc` plugin: provides "shd.rpc/1" (shaddock/ext/rpc.h), Pomelo's RPC between the servers of a
// cluster over Shaddock's own authenticated binary frames on TCP (docs/rpc.md).
//
// Membership comes from "shd.cluster/1" when a cluster plugin is loaded (optional: looked up at start,
// not declared as required), else from the `peers` option or the servers of the configuration.
// Options: README.md. The table and the lifecycle are RpcProvider's (rpc_provider.hpp), shared with
// the rpc_nats plugin, which runs the same service over NATS.
#include "rpc_options.hpp"
#include "rpc_provider.hpp"
#include "rpc_transport.hpp"

namespace {

class RpcPlugin final : public shd::rpc::RpcProvider {
public:
    using RpcProvider::RpcProvider;

protected:
    std::unique_ptr<shd::rpc::RpcService> make_service() override {
        return std::make_unique<shd::rpc::RpcService>(host(), shd::rpc::parse_rpc_options(host().options_json()),
                                                      &shd::rpc::Transport::create);
    }
};

}  // namespace

SHADDOCK_PLUGIN(RpcPlugin, "rpc", "0.1.0", SHD_RPC_SERVICE_ID, "")
