// The `pomelo_protocol` plugin: "shd.protocol/1" speaking Pomelo 2.2.7's client protocol byte for
// byte (packages, handshake, heartbeats, kick, messages, route dictionary, pomelo-protobuf).
// The connector plugin owns the sockets and calls in here for every byte in and out.
#include "protocol_connection.hpp"
#include "protocol_setup.hpp"

#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>
#include <shaddock/pomelo/kick_body.hpp>
#include <shaddock/pomelo/message_codec.hpp>
#include <shaddock/pomelo/protos_version.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace shd::pomelo;

shd_bytes as_bytes(const std::string &s) { return shd_bytes{reinterpret_cast<const uint8_t *>(s.data()), s.size()}; }

class PomeloProtocol : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::stamp(vtable_);
        vtable_.setup = shd::guard<&PomeloProtocol::setup>;
        vtable_.open = shd::guard<&PomeloProtocol::open>;
        vtable_.receive = shd::guard<&PomeloProtocol::receive>;
        vtable_.on_timeout = shd::guard<&PomeloProtocol::on_timeout>;
        vtable_.close = shd::guard<&PomeloProtocol::close>;
        vtable_.encode_response = shd::guard<&PomeloProtocol::encode_response>;
        vtable_.encode_push = shd::guard<&PomeloProtocol::encode_push>;
        vtable_.encode_kick = shd::guard<&PomeloProtocol::encode_kick>;
        vtable_.can_batch = shd::guard<&PomeloProtocol::can_batch, 0>;
        vtable_.teardown = shd::guard<&PomeloProtocol::teardown>;
        host().provide(SHD_PROTOCOL_SERVICE_ID, &vtable_, this);
    }

private:
    static PomeloProtocol *self(void *p) { return static_cast<PomeloProtocol *>(p); }

    // Reads config/<name> as a protobuf schema; a missing file is an empty schema.
    void load_schema(const char *name, ProtobufSchema &schema) {
        auto text = host().read_config(name);
        if (!text) return;
        rapidjson::Document doc;
        doc.Parse(text->c_str(), text->size());
        if (!doc.IsObject()) throw shd::Error(SHD_ERR_INVALID, std::string("config/") + name + ": expected an object keyed by route");
        std::string error = schema.load(doc);
        if (!error.empty()) throw shd::Error(SHD_ERR_INVALID, std::string("config/") + name + ": " + error);
    }

    std::unique_ptr<ProtocolSetup> build_setup(std::string_view options_json, std::vector<std::string> routes) {
        shd::Options opts(options_json);
        auto s = std::make_unique<ProtocolSetup>();
        s->heartbeat_s = static_cast<uint32_t>(opts.get_int("heartbeat", 0, 0, 86400));
        int64_t timeout_s = opts.get_int("timeout", 0, 0, 86400);
        s->heartbeat_timeout_ms = uint64_t(timeout_s ? timeout_s : 2 * int64_t(s->heartbeat_s)) * 1000;
        s->idle_timeout_ms = uint64_t(opts.get_number("idleTimeout", timeout_s ? double(timeout_s) : 90.0, 0.01, 86400) * 1000);
        s->max_package_size = static_cast<uint32_t>(opts.get_int("maxPackageSize", kDefaultMaxPackageBodySize, 16, kMaxPackageBodySize));
        s->use_dict = opts.get_bool("useDict", false);
        s->use_protobuf = opts.get_bool("useProtobuf", false);
        if (s->use_dict) {
            std::vector<std::string> extra;
            if (auto text = host().read_config("dictionary.json")) {
                rapidjson::Document d;
                d.Parse(text->c_str(), text->size());
                if (!d.IsArray()) throw shd::Error(SHD_ERR_INVALID, "config/dictionary.json: expected an array of routes");
                for (const auto &v : d.GetArray()) {
                    if (!v.IsString()) throw shd::Error(SHD_ERR_INVALID, "config/dictionary.json: expected an array of strings");
                    extra.emplace_back(v.GetString(), v.GetStringLength());
                }
            }
            s->dictionary = RouteDictionary(std::move(routes), extra);
        }
        if (s->use_protobuf) {
            load_schema("serverProtos.json", s->server_protos);
            load_schema("clientProtos.json", s->client_protos);
            s->protos_version = protos_version(s->client_protos, s->server_protos);
        }
        host().info("setup: heartbeat " + std::to_string(s->heartbeat_s) + " s, useDict " + (s->use_dict ? "on" : "off") +
                    " (" + std::to_string(s->dictionary.code_count()) + " routes), useProtobuf " +
                    (s->use_protobuf ? "on" : "off") + ", max package " + std::to_string(s->max_package_size) + " bytes");
        return s;
    }

    static shd_status setup(PomeloProtocol *pctx, shd_str options, const shd_str *routes, size_t count, void **out) {
        if (!out) return SHD_ERR_INVALID;
        PomeloProtocol *me = self(pctx);
        std::vector<std::string> list;
        for (size_t i = 0; i < count; ++i) list.emplace_back(shd::to_view(routes[i]));
        *out = me->build_setup(shd::to_view(options), std::move(list)).release();
        return SHD_OK;
    }

    static int32_t can_batch(PomeloProtocol *, void *) { return 1; }

    static void teardown(PomeloProtocol *, void *setup) { delete static_cast<ProtocolSetup *>(setup); }

    static shd_status open(PomeloProtocol *, void *setup, const shd_protocol_link_v1 *link, void **out_conn) {
        if (!setup || !link || !out_conn) return SHD_ERR_INVALID;
        *out_conn = new ProtocolConnection(*static_cast<ProtocolSetup *>(setup), *link);
        return SHD_OK;
    }

    static void receive(PomeloProtocol *, void *conn, shd_bytes data, int32_t whole) {
        static_cast<ProtocolConnection *>(conn)->receive(
            std::string_view(reinterpret_cast<const char *>(data.data), data.size), whole != 0);
    }

    static void on_timeout(PomeloProtocol *, void *conn) { static_cast<ProtocolConnection *>(conn)->on_timeout(); }

    static void close(PomeloProtocol *, void *conn) { delete static_cast<ProtocolConnection *>(conn); }

    static shd_status encode_response(PomeloProtocol *pctx, void *setup, uint32_t id, shd_str route, shd_str body,
                                      int32_t is_error, shd_bytes_fn sink, void *ud) {
        const auto &s = *static_cast<const ProtocolSetup *>(setup);
        std::string encoded_body;
        std::string err = s.encode_body(encoded_body, shd::to_view(route), shd::to_view(body), is_error != 0);
        if (!err.empty()) {
            // As in Pomelo, a body the schema cannot carry is not sent; the reason is logged.
            self(pctx)->host().warn("response to " + std::string(shd::to_view(route)) + " not sent: " + err);
            return SHD_ERR_INVALID;
        }
        Message m;
        m.type = MessageType::response;
        m.id = id;
        m.body = encoded_body;
        std::string out;
        if (const char *e = encode_data_package(out, m)) {
            self(pctx)->host().warn(std::string("response not sent: ") + e);
            return SHD_ERR_INVALID;
        }
        sink(ud, as_bytes(out));
        return SHD_OK;
    }

    static shd_status encode_push(PomeloProtocol *pctx, void *setup, shd_str route, shd_str body, shd_bytes_fn sink,
                                  void *ud) {
        const auto &s = *static_cast<const ProtocolSetup *>(setup);
        std::string_view r = shd::to_view(route);
        std::string encoded_body;
        std::string err = s.encode_body(encoded_body, r, shd::to_view(body), false);
        if (!err.empty()) {
            self(pctx)->host().warn("push " + std::string(r) + " not sent: " + err);
            return SHD_ERR_INVALID;
        }
        Message m;
        m.type = MessageType::push;
        uint32_t code = s.use_dict ? s.dictionary.code_of(r) : 0;
        if (code > 0 && code <= 0xFFFF) {
            m.route_compressed = true;
            m.route_code = static_cast<uint16_t>(code);
        } else {
            m.route = r;
        }
        m.body = encoded_body;
        std::string out;
        if (const char *e = encode_data_package(out, m)) {
            self(pctx)->host().warn("push " + std::string(r) + " not sent: " + e);
            return SHD_ERR_INVALID;
        }
        sink(ud, as_bytes(out));
        return SHD_OK;
    }

    static shd_status encode_kick(PomeloProtocol *, void *, shd_str reason, shd_bytes_fn sink, void *ud) {
        std::string out;
        if (encode_package(out, PackageType::kick, kick_body(shd::to_view(reason)))) return SHD_ERR_INVALID;
        sink(ud, as_bytes(out));
        return SHD_OK;
    }

    shd_protocol_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(PomeloProtocol, "pomelo_protocol", "0.1.0", SHD_PROTOCOL_SERVICE_ID, "")
