// The NATS transport of the rpc_nats plugin: the Transport of rpc_transport.hpp over one connection to
// a NATS server (the NATS C client), so that RpcService (calls, routing, filters, deadlines, failover,
// remotes) runs unchanged over NATS.
//
//   a call to server <id>   published to <subjectPrefix>.<id>, reply subject <inbox>.<link>.<call id>
//   its answer              published by the callee to that reply subject
//   probes                  <subjectPrefix>.<id>, reply <inbox>.<link>.0, while calls are in flight
//
// Each server subscribes to its own subject (not a queue group: the caller routes, as Pomelo does) and
// to its inbox. Every payload is a frame of frame_codec.hpp in the signed envelope of nats_envelope.hpp.
// A Link is a peer's subject: "closed" when NATS answers "no responders" for it (the peer is gone),
// when the connection to NATS is lost, or when RpcService closes it.
//
// The NATS client calls back on its own threads; everything reported goes through TransportEvents,
// which moves it to the logic thread.
#pragma once

#include "nats_options.hpp"
#include "rpc_transport.hpp"

#include <shaddock/cpp/host.hpp>

#include <memory>

namespace shd::rpc::nats {

std::unique_ptr<Transport> make_nats_transport(const shd::Host &host, NatsOptions options, TransportConfig config,
                                               TransportEvents &events);

}  // namespace shd::rpc::nats
