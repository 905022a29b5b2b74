// The plugin half every RPC plugin built on RpcService shares: the "shd.rpc/1" table, its lifecycle
// (membership from "shd.cluster/1" when loaded, its add_servers and remove_servers events) and the
// stop. A plugin derives from RpcProvider and says which RpcService it runs (make_service: the
// options it reads and the transport it uses); rpc_plugin.cpp is the TCP one, plugins/rpc_nats the
// NATS one.
#pragma once

#include "rpc_service.hpp"

#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/plugin.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace shd::rpc {

class RpcProvider : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override;
    void start() override;
    void stop(shd::Done done) override;

protected:
    // [logic, configure] The service with its options and transport; throws shd::Error on a bad option.
    virtual std::unique_ptr<RpcService> make_service() = 0;

private:
    std::unique_ptr<RpcService> service_;
    shd_rpc_v1 vtable_{};
    std::vector<uint64_t> subscriptions_;
};

}  // namespace shd::rpc
