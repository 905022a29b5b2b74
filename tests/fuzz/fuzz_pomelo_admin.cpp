// libFuzzer target: what the master reads from Pomelo's admin clients (plugins/cluster, option
// pomeloAdmin): the MQTT stream split into packets with the pre-login cap (4 KiB) and the post-login cap
// (64 KiB) in chunks of hostile sizes, CONNECT and PUBLISH read (a PUBLISH re-encoded must read back the
// same), the payloads as JSON (once or twice encoded, depth-limited), `__console__` bodies translated to
// admin commands (which must be JSON objects), and hostile results translated back.
//
// run.sh compiles plugins/cluster/mqtt_codec.cpp and pomelo_console.cpp with it.
#include "../../plugins/cluster/mqtt_codec.hpp"
#include "../../plugins/cluster/pomelo_console.hpp"

#include <shaddock/pomelo/json_parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace shd::cluster;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    // The first byte picks the read size (1..256 bytes per read), like TCP segments.
    size_t chunk = size_t(data[0]) + 1;
    const char *in = reinterpret_cast<const char *>(data + 1);
    size_t n = size - 1;
    mqtt::PacketReader reader(4096);
    bool logged_in = false;
    static const std::vector<std::string> all_ids = {"connector-server-1", "chat-server-1"};
    for (size_t pos = 0; pos < n; pos += chunk) {
        reader.feed(in + pos, std::min(chunk, n - pos));
        mqtt::Packet p;
        for (;;) {
            auto r = reader.next(p);
            if (r == mqtt::PacketReader::need_more) break;
            if (r == mqtt::PacketReader::error) return 0;  // the link closes
            if (p.type == 0 || p.type > 14) std::abort();
            if (p.body.size() > (logged_in ? size_t(64) << 10 : 4096)) std::abort();
            std::string error;
            if (p.type == mqtt::kConnect) {
                mqtt::Connect c;
                if (!mqtt::parse_connect(p.body, c, error) && error.empty()) std::abort();
                continue;
            }
            if (p.type != mqtt::kPublish) continue;
            mqtt::Publish pub;
            if (!mqtt::parse_publish(p.flags, p.body, pub, error)) {
                if (error.empty()) std::abort();
                continue;
            }
            if (pub.topic.empty() || pub.qos > 2) std::abort();
            if (pub.qos == 0) {
                // What the master sends reads back the same.
                std::string again = mqtt::encode_publish(pub.topic, pub.payload);
                mqtt::PacketReader back(1 << 20);
                back.feed(again.data(), again.size());
                mqtt::Packet q;
                mqtt::Publish pub2;
                if (back.next(q) != mqtt::PacketReader::packet || !mqtt::parse_publish(q.flags, q.body, pub2, error) ||
                    pub2.topic != pub.topic || pub2.payload != pub.payload)
                    std::abort();
            }
            rapidjson::Document msg;
            if (!shd::pomelo::parse_json(pub.payload, msg)) continue;
            if (msg.IsString()) {
                std::string inner(msg.GetString(), msg.GetStringLength());
                if (!shd::pomelo::parse_json(inner, msg)) continue;
            }
            if (!msg.IsObject()) continue;
            if (pub.topic == "register") {
                logged_in = true;
                reader.set_max_packet(64 << 10);
            }
            const rapidjson::Value &body = msg.HasMember("body") ? msg["body"] : msg;
            std::string command, out;
            if (console_to_admin_command(body, all_ids, command, error)) {
                rapidjson::Document cmd;
                if (!shd::pomelo::parse_json(command, cmd) || !cmd.IsObject() || !cmd.HasMember("cmd")) std::abort();
                for (const char *signal : {"list", "stop", "kill", "add", "restart", "other"}) {
                    admin_result_to_console(signal, cmd, pub.payload, error, out);
                    rapidjson::Document check;
                    if (!shd::pomelo::parse_json(out, check)) std::abort();
                }
            }
            for (const char *comd : {"servers", "connections"}) {
                if (!admin_list_to_watch_server(comd, "all", pub.payload, error, out)) std::abort();
                rapidjson::Document check;
                if (!shd::pomelo::parse_json(out, check)) std::abort();
            }
        }
    }
    return 0;
}
