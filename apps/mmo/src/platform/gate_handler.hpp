// gate.gateHandler.queryEntry {uid} -> {code:200, host, port}: the connector at index uid mod the
// number of connectors (lordofpomelo's dispatcher); 500 without a usable uid, 2001 when no
// connector is up.
#pragma once

namespace mmo {
struct AppContext;
void install_gate_handler(AppContext &ctx);
}  // namespace mmo
