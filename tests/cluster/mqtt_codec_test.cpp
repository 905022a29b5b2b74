// The MQTT pieces of the master's pomelo-admin front end without I/O (plugins/cluster/mqtt_codec,
// pomelo_console): packets split from a stream fed byte by byte, every bound of the fixed header
// (reserved types and flags, a fifth length byte, the cap checked before the body arrives), CONNECT
// and PUBLISH read and refused, the packets the master sends, and `__console__` requests and results
// translated to and from the admin commands.
#include "mqtt_codec.hpp"
#include "pomelo_console.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace shd::cluster {
namespace {

using namespace mqtt;

std::string field(const std::string &s) {
    return std::string{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xff)} + s;
}
std::string packet(uint8_t first, const std::string &body) {
    return std::string(1, static_cast<char>(first)) + encode_remaining_length(body.size()) + body;
}
std::string connect_body(const std::string &protocol = "MQTT", uint8_t level = 4, uint8_t flags = 2,
                         const std::string &id = "MQTT_ADMIN_1") {
    return field(protocol) + std::string{static_cast<char>(level), static_cast<char>(flags), 0, 60} + field(id);
}

// Every packet of `bytes` fed one byte at a time; `error` set when the reader fails.
std::vector<Packet> split(const std::string &bytes, size_t cap, std::string &error) {
    PacketReader r(cap);
    std::vector<Packet> out;
    for (char c : bytes) {
        r.feed(&c, 1);
        Packet p;
        for (;;) {
            auto res = r.next(p);
            if (res == PacketReader::need_more) break;
            if (res == PacketReader::error) {
                error = r.error_text();
                return out;
            }
            out.push_back(p);
        }
    }
    return out;
}

rapidjson::Document parse(const std::string &json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    return d;
}

}  // namespace

class MqttCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MqttCodecTest);
    CPPUNIT_TEST(splitsPacketsFedByteByByte);
    CPPUNIT_TEST(refusesReservedTypesAndFlags);
    CPPUNIT_TEST(boundsTheRemainingLength);
    CPPUNIT_TEST(readsAndRefusesConnect);
    CPPUNIT_TEST(readsAndRefusesPublish);
    CPPUNIT_TEST(encodesWhatTheMasterSends);
    CPPUNIT_TEST(translatesConsoleRequests);
    CPPUNIT_TEST(translatesResults);
    CPPUNIT_TEST(answersWatchServer);
    CPPUNIT_TEST_SUITE_END();

public:
    void splitsPacketsFedByteByByte() {
        std::string payload(300, 'x');  // a two-byte remaining length
        std::string bytes = packet(0x10, connect_body()) + packet(0x30, field("register") + payload) +
                            std::string{static_cast<char>(0xc0), 0} + std::string{static_cast<char>(0xe0), 0};
        std::string error;
        auto got = split(bytes, 4096, error);
        CPPUNIT_ASSERT_EQUAL(std::string(), error);
        CPPUNIT_ASSERT_EQUAL(size_t(4), got.size());
        CPPUNIT_ASSERT_EQUAL(uint8_t(kConnect), got[0].type);
        CPPUNIT_ASSERT_EQUAL(uint8_t(kPublish), got[1].type);
        CPPUNIT_ASSERT_EQUAL(field("register") + payload, got[1].body);
        CPPUNIT_ASSERT_EQUAL(uint8_t(kPingreq), got[2].type);
        CPPUNIT_ASSERT_EQUAL(uint8_t(kDisconnect), got[3].type);
        CPPUNIT_ASSERT(got[3].body.empty());
    }

    void refusesReservedTypesAndFlags() {
        for (unsigned char first : {0x00, 0xf0, 0x11, 0xc1, 0xe8, 0x80, 0x36}) {
            std::string error;
            auto got = split(std::string{static_cast<char>(first), 0}, 4096, error);
            CPPUNIT_ASSERT_MESSAGE(std::to_string(first), got.empty() && !error.empty());
        }
        // SUBSCRIBE must carry flags 0010; PUBLISH may carry dup, QoS 0-2 and retain.
        std::string error;
        CPPUNIT_ASSERT_EQUAL(size_t(1), split(std::string{static_cast<char>(0x82), 0}, 4096, error).size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), split(std::string{static_cast<char>(0x3d), 0}, 4096, error).size());
        CPPUNIT_ASSERT_EQUAL(std::string(), error);
    }

    void boundsTheRemainingLength() {
        std::string error;
        // A fifth length byte.
        split(std::string{0x10, '\xff', '\xff', '\xff', '\xff', 0x01}, 1 << 30, error);
        CPPUNIT_ASSERT(error.find("4 bytes") != std::string::npos);
        // Over the cap: refused from the header alone, before any body byte.
        error.clear();
        PacketReader r(4096);
        std::string header = std::string(1, 0x30) + encode_remaining_length(4097);
        r.feed(header.data(), header.size());
        Packet p;
        CPPUNIT_ASSERT_EQUAL(PacketReader::error, r.next(p));
        // Exactly the cap is fine; raised after login, a larger one passes too.
        std::string at_cap = packet(0x30, std::string(4096, 'a'));
        CPPUNIT_ASSERT_EQUAL(size_t(1), split(at_cap, 4096, error).size());
        PacketReader raised(16);
        raised.set_max_packet(8192);
        std::string big = packet(0x30, std::string(5000, 'b'));
        raised.feed(big.data(), big.size());
        CPPUNIT_ASSERT_EQUAL(PacketReader::packet, raised.next(p));
        CPPUNIT_ASSERT_EQUAL(size_t(5000), p.body.size());
        CPPUNIT_ASSERT_EQUAL(size_t(0), raised.buffered());
    }

    void readsAndRefusesConnect() {
        Connect c;
        std::string error;
        CPPUNIT_ASSERT(parse_connect(connect_body(), c, error));
        CPPUNIT_ASSERT_EQUAL(std::string("MQTT_ADMIN_1"), c.client_id);
        CPPUNIT_ASSERT_EQUAL(uint16_t(60), c.keepalive_s);
        CPPUNIT_ASSERT(parse_connect(connect_body("MQIsdp", 3), c, error));
        // User name and password of MQTT itself are read (and not used).
        CPPUNIT_ASSERT(parse_connect(connect_body("MQTT", 4, 0xc2) + field("u") + field("p"), c, error));
        CPPUNIT_ASSERT(c.has_username && c.username == "u" && c.password == "p");
        const std::string bad[] = {
            connect_body("MQTT", 3),        // wrong level for the name
            connect_body("HTTP"),           // another protocol
            connect_body("MQTT", 4, 3),     // reserved flag
            connect_body("MQTT", 4, 0x18),  // will QoS 3
            connect_body("MQTT", 4, 0x20),  // will retain without a will
            connect_body("MQTT", 4, 0x42),  // a password without a user name
            connect_body("MQTT", 4, 0x06),  // will flag, will fields missing
            connect_body() + "x",           // bytes left over
            connect_body().substr(0, 9),    // truncated
            std::string(),
        };
        for (const auto &b : bad) {
            error.clear();
            CPPUNIT_ASSERT_MESSAGE(b, !parse_connect(b, c, error) && !error.empty());
        }
    }

    void readsAndRefusesPublish() {
        Publish p;
        std::string error;
        CPPUNIT_ASSERT(parse_publish(0, field("client") + "\"{}\"", p, error));
        CPPUNIT_ASSERT_EQUAL(std::string("client"), p.topic);
        CPPUNIT_ASSERT_EQUAL(std::string("\"{}\""), p.payload);
        CPPUNIT_ASSERT(parse_publish(2, field("client") + std::string{0, 7} + "{}", p, error));
        CPPUNIT_ASSERT(p.qos == 1 && p.packet_id == 7 && p.payload == "{}");
        CPPUNIT_ASSERT(!parse_publish(6, field("client"), p, error));                      // QoS 3
        CPPUNIT_ASSERT(!parse_publish(2, field("client") + std::string{0, 0}, p, error));  // packet id 0
        CPPUNIT_ASSERT(!parse_publish(2, field("client") + std::string(1, 0), p, error));  // truncated id
        CPPUNIT_ASSERT(!parse_publish(0, field(""), p, error));                            // empty topic
        CPPUNIT_ASSERT(!parse_publish(0, field("a/#"), p, error));                         // wildcard
        CPPUNIT_ASSERT(!parse_publish(0, field(std::string("a\0b", 3)), p, error));        // NUL
        CPPUNIT_ASSERT(!parse_publish(0, std::string{0, 9, 'a'}, p, error));               // truncated topic
    }

    void encodesWhatTheMasterSends() {
        CPPUNIT_ASSERT_EQUAL(std::string("\x20\x02\x00\x00", 4), encode_connack(0));
        CPPUNIT_ASSERT_EQUAL(std::string("\xd0\x00", 2), encode_pingresp());
        CPPUNIT_ASSERT_EQUAL(std::string("\x40\x02\x01\x02", 4), encode_puback(0x0102));
        CPPUNIT_ASSERT_EQUAL(std::string("\x7f"), encode_remaining_length(127));
        CPPUNIT_ASSERT_EQUAL(std::string("\x80\x01", 2), encode_remaining_length(128));
        CPPUNIT_ASSERT_EQUAL(std::string("\xff\xff\xff\x7f", 4), encode_remaining_length(268435455));
        std::string payload(200, 'p');
        std::string pub = encode_publish("register", payload);
        std::string error;
        auto got = split(pub, 4096, error);
        Publish p;
        CPPUNIT_ASSERT(got.size() == 1 && parse_publish(got[0].flags, got[0].body, p, error));
        CPPUNIT_ASSERT(p.topic == "register" && p.payload == payload && p.qos == 0);
    }

    void translatesConsoleRequests() {
        std::string cmd, error;
        const std::vector<std::string> all = {"a-1", "b-1"};
        CPPUNIT_ASSERT(console_to_admin_command(parse(R"({"signal":"list","clientId":"x"})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"list"})"), cmd);
        CPPUNIT_ASSERT(console_to_admin_command(parse(R"({"signal":"stop","ids":["a-1"]})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"stop","ids":["a-1"]})"), cmd);
        CPPUNIT_ASSERT(
            console_to_admin_command(parse(R"({"signal":"restart","ids":[],"type":null})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"restart","ids":["a-1","b-1"]})"), cmd);
        CPPUNIT_ASSERT(console_to_admin_command(parse(R"({"signal":"restart","ids":[],"type":"b"})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"restart","ids":[],"type":"b"})"), cmd);
        CPPUNIT_ASSERT(console_to_admin_command(
            parse(R"({"signal":"add","args":["host=127.0.0.1","port=4000","id=x\"y","a=b=c"]})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"cmd":"add","server":{"host":"127.0.0.1","port":"4000","id":"x\"y","a":"b=c"}})"), cmd);
        CPPUNIT_ASSERT(parse(cmd).IsObject());
        CPPUNIT_ASSERT(
            console_to_admin_command(parse(R"({"signal":"blacklist","args":["1.2.3.4"]})"), all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"blacklist","op":"add","ips":["1.2.3.4"]})"), cmd);
        // pomelo-cli's cron signals: key=value words, a cron time's spaces kept, the target taken out.
        CPPUNIT_ASSERT(console_to_admin_command(
            parse(R"({"signal":"addCron","args":["id=7","action=tick.run","time=*/5","*","*","*","*","*","serverId=b-1"]})"),
            all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"cmd":"addCron","cron":{"id":7,"action":"tick.run","time":"*/5 * * * * *"},"ids":["b-1"]})"),
            cmd);
        CPPUNIT_ASSERT(console_to_admin_command(parse(R"({"signal":"removeCron","args":["id=x7","serverType=b"]})"),
                                                all, cmd, error));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"cmd":"removeCron","id":"x7","type":"b"})"), cmd);
        for (const char *bad : {R"({"signal":"add","args":["novalue"]})", R"({"signal":"add","args":["=v"]})",
                                R"({"signal":"stop","ids":"a-1"})", R"({"signal":"stop","ids":[1]})", R"({"ids":[]})",
                                R"("list")", "null", R"({"signal":"addCron","args":["id=1","time=* * * * * *"]})",
                                R"({"signal":"removeCron","args":["*","id=1","serverId=b-1"]})",
                                R"({"signal":"blacklist","args":[]})"}) {
            error.clear();
            CPPUNIT_ASSERT_MESSAGE(bad, !console_to_admin_command(parse(bad), all, cmd, error) && !error.empty());
        }
    }

    void translatesResults() {
        std::string error, body;
        auto cmd = parse(R"({"cmd":"list"})");
        admin_result_to_console(
            "list", cmd,
            R"({"ok":true,"master":{"id":"m","serverType":"master","pid":10,"rssKb":20480,"uptimeMs":90000},)"
            R"("servers":[{"id":"s1","serverType":"chat","pid":11,"rssKb":1024,"uptimeMs":60000,"registered":true},)"
            R"({"id":"s2","serverType":"chat","pid":0,"uptimeMs":0,"registered":false}]})",
            error, body);
        CPPUNIT_ASSERT_EQUAL(std::string(), error);
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"msg":{"m":{"serverId":"m","serverType":"master","pid":10,"rss":"20.00","heapTotal":"-",)"
                        R"("heapUsed":"-","uptime":"1.50"},"s1":{"serverId":"s1","serverType":"chat","pid":11,)"
                        R"("rss":"1.00","heapTotal":"-","heapUsed":"-","uptime":"1.00"}}})"),
            body);
        admin_result_to_console("stop", parse(R"({"cmd":"stop","ids":["s1"]})"), R"({"ok":true})", error, body);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"status":"part"})"), body);
        admin_result_to_console("stop", parse(R"({"cmd":"stop","ids":[]})"), R"({"ok":true})", error, body);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"status":"all"})"), body);
        admin_result_to_console("kill", cmd, R"({"ok":true,"force":false,"pids":[1]})", error, body);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":"ok"})"), body);
        admin_result_to_console("add", cmd, R"({"ok":false,"error":"port: required"})", error, body);
        CPPUNIT_ASSERT(error == "port: required" && body == "null");
        admin_result_to_console(
            "restart", cmd,
            R"({"ok":false,"error":"b did not join","servers":[{"id":"a","ok":true},{"id":"b","ok":false}]})", error,
            body);
        CPPUNIT_ASSERT(error.empty() && body == R"(["b"])");
        admin_result_to_console(
            "restart", cmd, R"({"ok":false,"error":"b did not join","servers":[{"id":"b","ok":false}]})", error, body);
        CPPUNIT_ASSERT_EQUAL(std::string("b did not join"), error);
        admin_result_to_console("restart", cmd, R"({"ok":true,"servers":[{"id":"a","ok":true}]})", error, body);
        CPPUNIT_ASSERT(error.empty() && body == "[]");
        admin_result_to_console("addCron", cmd, R"({"ok":true,"status":"ok"})", error, body);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"status":"ok"})"), body);
        admin_result_to_console("list", cmd, "not json", error, body);
        CPPUNIT_ASSERT(!error.empty());
    }

    void answersWatchServer() {
        const char *list =
            R"({"ok":true,"master":{"id":"m","serverType":"master","host":"h","port":3005,"pid":10,"uptimeMs":0},)"
            R"("servers":[{"id":"c1","serverType":"connector","host":"h","port":4050,"clientPort":3010,"pid":11,)"
            R"("uptimeMs":120000,"registered":true,"stats":{"connections":7}},)"
            R"({"id":"s1","serverType":"chat","host":"h","port":6050,"clientPort":0,"pid":12,"uptimeMs":0,"registered":true}]})";
        std::string error, body;
        CPPUNIT_ASSERT(admin_list_to_watch_server("servers", "c1", list, error, body));
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"msg":{"c1":{"serverId":"c1","serverType":"connector","host":"h","port":4050,)"
                        R"("pid":11,"heapUsed":"-","uptime":"2.00"}}})"),
            body);
        CPPUNIT_ASSERT(admin_list_to_watch_server("servers", "all", list, error, body));
        CPPUNIT_ASSERT_EQUAL(3u, static_cast<unsigned>(parse(body)["msg"].MemberCount()));
        CPPUNIT_ASSERT(admin_list_to_watch_server("connections", "all", list, error, body));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"msg":{"c1":{"serverId":"c1","totalConnCount":7,"loginedCount":"-"}}})"),
                             body);
        CPPUNIT_ASSERT(!admin_list_to_watch_server("run", "all", list, error, body));
        CPPUNIT_ASSERT(admin_list_to_watch_server("servers", "all", R"({"ok":false,"error":"no"})", error, body));
        CPPUNIT_ASSERT_EQUAL(std::string("no"), error);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MqttCodecTest);

}  // namespace shd::cluster
