// The rpc wire format: every frame round-trips, the reader reassembles frames from any split of the
// byte stream, and a bad length is reported before any body is buffered.
#include "frame_codec.hpp"
#include "forward_settings_cache.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace shd::rpc;

namespace {

struct Frame {
    uint8_t type;
    std::string body;
};

// Feeds `bytes` to a reader in chunks of `chunk` bytes and collects frames until need_more.
std::vector<Frame> read_all(const std::string &bytes, size_t chunk, size_t max_frame = 1 << 20, bool *bad = nullptr) {
    FrameReader reader(max_frame);
    std::vector<Frame> out;
    size_t pos = 0;
    while (pos < bytes.size()) {
        size_t space = 0;
        char *p = reader.prepare(chunk, space);
        size_t n = std::min({chunk, space, bytes.size() - pos});
        std::memcpy(p, bytes.data() + pos, n);
        reader.commit(n);
        pos += n;
        for (;;) {
            uint8_t type = 0;
            std::string_view body;
            auto r = reader.next(type, body);
            if (r == FrameReader::Result::need_more) break;
            if (r == FrameReader::Result::bad_length) {
                if (bad) *bad = true;
                return out;
            }
            out.push_back(Frame{type, std::string(body)});
        }
    }
    return out;
}

}  // namespace

class FrameCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FrameCodecTest);
    CPPUNIT_TEST(request_round_trip);
    CPPUNIT_TEST(response_round_trip);
    CPPUNIT_TEST(handshake_round_trip);
    CPPUNIT_TEST(exact_bytes_of_the_doc_examples);
    CPPUNIT_TEST(reader_reassembles_any_split);
    CPPUNIT_TEST(reader_rejects_bad_lengths_early);
    CPPUNIT_TEST(malformed_bodies_are_rejected);
    CPPUNIT_TEST(reader_shrinks_after_a_large_frame);
    CPPUNIT_TEST(handshake_limit_fits_a_hello_only);
    CPPUNIT_TEST(forward_round_trip);
    CPPUNIT_TEST(exact_bytes_of_the_forward_examples);
    CPPUNIT_TEST(malformed_forwards_are_rejected);
    CPPUNIT_TEST(unchanged_settings_are_not_resent);
    CPPUNIT_TEST_SUITE_END();

    static ForwardView sample_forward() {
        ForwardView f;
        f.id = 0x0102030405060708ull;
        f.kind = 1;
        f.msg_id = 0x7fffffff;
        f.session_id = 0x1122334455667788ull;
        f.route = "chat.chatHandler.send";
        f.frontend_id = "connector-server-1";
        f.uid = "alice";
        f.settings = R"({"rid":"room 1"})";
        f.body = R"({"content":"hi","target":"*"})";
        return f;
    }

    // Writes forwards as a link does (the sender's cache decides the flag) and reads them back as the
    // other end does (the receiver's cache fills in the settings). Returns the settings read and the
    // bytes written.
    struct LinkPair {
        ForwardSettingsCache sent, read;
        size_t bytes = 0;
        std::string send_and_read(ForwardView f) {
            f.flags = sent.carry(f.session_id, f.settings) ? kForwardSettingsCached : 0;
            std::string wire;
            append_forward(wire, f);
            bytes += wire.size();
            auto frames = read_all(wire, 7);
            CPPUNIT_ASSERT_EQUAL(size_t(1), frames.size());
            ForwardView v;
            CPPUNIT_ASSERT(parse_forward(frames[0].body, v));
            if (v.flags & kForwardSettingsCached) {
                const std::string *cached = read.lookup(v.session_id);
                CPPUNIT_ASSERT(cached);
                return *cached;
            }
            read.received(v.session_id, v.settings);
            return std::string(v.settings);
        }
    };

public:
    void forward_round_trip() {
        const ForwardView f = sample_forward();
        std::string buf;
        append_forward(buf, f);
        CPPUNIT_ASSERT_EQUAL(forward_frame_size(f), buf.size());
        auto frames = read_all(buf, 3);
        CPPUNIT_ASSERT_EQUAL(size_t(1), frames.size());
        CPPUNIT_ASSERT_EQUAL(uint8_t(FrameType::forward), frames[0].type);
        ForwardView v;
        CPPUNIT_ASSERT(parse_forward(frames[0].body, v));
        CPPUNIT_ASSERT_EQUAL(f.id, v.id);
        CPPUNIT_ASSERT_EQUAL(f.kind, v.kind);
        CPPUNIT_ASSERT_EQUAL(uint8_t(0), v.flags);
        CPPUNIT_ASSERT_EQUAL(f.msg_id, v.msg_id);
        CPPUNIT_ASSERT_EQUAL(f.session_id, v.session_id);
        CPPUNIT_ASSERT_EQUAL(std::string(f.route), std::string(v.route));
        CPPUNIT_ASSERT_EQUAL(std::string(f.frontend_id), std::string(v.frontend_id));
        CPPUNIT_ASSERT_EQUAL(std::string(f.uid), std::string(v.uid));
        CPPUNIT_ASSERT_EQUAL(std::string(f.settings), std::string(v.settings));
        CPPUNIT_ASSERT_EQUAL(std::string(f.body), std::string(v.body));
        // With the flag the settings field is left out (and parsed as empty); the body is the rest.
        ForwardView c = f;
        c.flags = kForwardSettingsCached;
        std::string cached;
        append_forward(cached, c);
        CPPUNIT_ASSERT_EQUAL(buf.size() - 4 - f.settings.size(), cached.size());
        CPPUNIT_ASSERT(parse_forward(std::string_view(cached).substr(5), v));
        CPPUNIT_ASSERT(v.settings.empty());
        CPPUNIT_ASSERT_EQUAL(std::string(f.body), std::string(v.body));
    }

    void exact_bytes_of_the_forward_examples() {
        // docs/rpc.md shows these two frames byte for byte: a request of session 9, then the next one
        // of the same session on the same link, its settings unchanged.
        ForwardView f;
        f.id = 1;
        f.kind = 0;
        f.msg_id = 3;
        f.session_id = 9;
        f.route = "chat.h.send";
        f.frontend_id = "conn-1";
        f.uid = "u1";
        f.settings = "{}";
        f.body = "{}";
        std::string buf;
        append_forward(buf, f);
        const unsigned char expected[] = {0x00, 0x00, 0x00, 0x38, 0x12, 0,    0,   0,   0,   0,   0,   0,
                                          1,    0x00, 0x00, 0,    0,    0,    3,   0,   0,   0,   0,   0,
                                          0,    0,    9,    0x00, 0x0b, 'c',  'h', 'a', 't', '.', 'h', '.',
                                          's',  'e',  'n',  'd',  0x00, 0x06, 'c', 'o', 'n', 'n', '-', '1',
                                          0x00, 0x02, 'u',  '1',  0,    0,    0,   2,   '{', '}', '{', '}'};
        CPPUNIT_ASSERT_EQUAL(sizeof expected, buf.size());
        CPPUNIT_ASSERT(std::memcmp(expected, buf.data(), buf.size()) == 0);
        f.id = 2;
        f.msg_id = 4;
        f.flags = kForwardSettingsCached;
        std::string next;
        append_forward(next, f);
        const unsigned char expected_next[] = {
            0x00, 0x00, 0x00, 0x32, 0x12, 0,    0,   0,   0,   0,    0,    0,   2,    0x00, 0x01, 0,   0,   0,
            4,    0,    0,    0,    0,    0,    0,   0,   9,   0x00, 0x0b, 'c', 'h',  'a',  't',  '.', 'h', '.',
            's',  'e',  'n',  'd',  0x00, 0x06, 'c', 'o', 'n', 'n',  '-',  '1', 0x00, 0x02, 'u',  '1', '{', '}'};
        CPPUNIT_ASSERT_EQUAL(sizeof expected_next, next.size());
        CPPUNIT_ASSERT(std::memcmp(expected_next, next.data(), next.size()) == 0);
    }

    void malformed_forwards_are_rejected() {
        std::string ok;
        append_forward(ok, sample_forward());
        const std::string body = ok.substr(5);
        ForwardView v;
        CPPUNIT_ASSERT(parse_forward(body, v));
        CPPUNIT_ASSERT(!parse_forward("", v));
        // Cut anywhere before the body: a field runs past the end.
        const size_t body_at = body.size() - sample_forward().body.size();
        for (size_t cut = 0; cut < body_at; ++cut)
            CPPUNIT_ASSERT_MESSAGE(std::to_string(cut), !parse_forward(std::string_view(body).substr(0, cut), v));
        std::string bad = body;
        bad[8] = 2;  // kind: neither request (0) nor notify (1)
        CPPUNIT_ASSERT(!parse_forward(bad, v));
        bad = body;
        bad[9] = 0x02;  // an unknown flag bit
        CPPUNIT_ASSERT(!parse_forward(bad, v));
        bad = body;
        bad[9] = static_cast<char>(0x80);
        CPPUNIT_ASSERT(!parse_forward(bad, v));
        // A settings length beyond the frame.
        ForwardView f = sample_forward();
        const size_t settings_at = 8 + 1 + 1 + 4 + 8 + 2 + f.route.size() + 2 + f.frontend_id.size() + 2 + f.uid.size();
        bad = body;
        bad[settings_at] = 0x7f;
        CPPUNIT_ASSERT(!parse_forward(bad, v));
    }

    // A session's settings travel once per link while they stay the same: the next forwards of that
    // session carry a flag instead, and a change travels again and reaches the other end.
    void unchanged_settings_are_not_resent() {
        LinkPair link;
        ForwardView f = sample_forward();
        const std::string first(R"({"rid":"room 1","level":3})");
        f.settings = first;
        CPPUNIT_ASSERT_EQUAL(first, link.send_and_read(f));
        const size_t full = link.bytes;
        CPPUNIT_ASSERT_EQUAL(forward_frame_size(f), full);

        // Unchanged: 4 + settings bytes fewer on the wire, and the receiver still sees them.
        CPPUNIT_ASSERT_EQUAL(first, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(full - 4 - first.size(), link.bytes - full);

        // Changed: travels again, in full, and is what the receiver sees from then on.
        const std::string changed(R"({"rid":"room 2","level":3})");
        f.settings = changed;
        size_t before = link.bytes;
        CPPUNIT_ASSERT_EQUAL(changed, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(full, link.bytes - before);
        before = link.bytes;
        CPPUNIT_ASSERT_EQUAL(changed, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(full - 4 - changed.size(), link.bytes - before);

        // Another session in the same slot evicts it; the evicted session's settings travel again.
        ForwardView other = f;
        other.session_id = f.session_id + ForwardSettingsCache::kSlots;
        other.settings = "{}";
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), link.send_and_read(other));
        before = link.bytes;
        CPPUNIT_ASSERT_EQUAL(changed, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(full, link.bytes - before);

        // Settings above kMaxCached always travel.
        const std::string big = "{\"x\":\"" + std::string(ForwardSettingsCache::kMaxCached, 'x') + "\"}";
        f.settings = big;
        before = link.bytes;
        CPPUNIT_ASSERT_EQUAL(big, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(big, link.send_and_read(f));
        CPPUNIT_ASSERT_EQUAL(2 * forward_frame_size(f), link.bytes - before);

        // A fresh link (both ends) knows nothing: the receiver refuses a flag it cannot resolve.
        ForwardSettingsCache fresh;
        CPPUNIT_ASSERT(fresh.lookup(f.session_id) == nullptr);
    }

    void request_round_trip() {
        std::string buf;
        append_request(buf, 0x0102030405060708ull, "user", "chatRemote", "add", R"(["alice",1,{"x":[]}])");
        CPPUNIT_ASSERT_EQUAL(request_frame_size("user", "chatRemote", "add", R"(["alice",1,{"x":[]}])"), buf.size());
        auto frames = read_all(buf, 1 << 16);
        CPPUNIT_ASSERT_EQUAL(size_t(1), frames.size());
        CPPUNIT_ASSERT_EQUAL(uint8_t(FrameType::request), frames[0].type);
        RequestView v;
        CPPUNIT_ASSERT(parse_request(frames[0].body, v));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0x0102030405060708ull), v.id);
        CPPUNIT_ASSERT_EQUAL(std::string("user"), std::string(v.ns));
        CPPUNIT_ASSERT_EQUAL(std::string("chatRemote"), std::string(v.service));
        CPPUNIT_ASSERT_EQUAL(std::string("add"), std::string(v.method));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["alice",1,{"x":[]}])"), std::string(v.args));
    }

    void response_round_trip() {
        std::string buf;
        append_response(buf, 7, -5, R"([null,"ok"])");
        append_response(buf, 8, 10, "");
        auto frames = read_all(buf, 1 << 16);
        CPPUNIT_ASSERT_EQUAL(size_t(2), frames.size());
        ResponseView v;
        CPPUNIT_ASSERT(parse_response(frames[0].body, v));
        CPPUNIT_ASSERT_EQUAL(uint64_t(7), v.id);
        CPPUNIT_ASSERT_EQUAL(int32_t(-5), v.status);
        CPPUNIT_ASSERT_EQUAL(std::string(R"([null,"ok"])"), std::string(v.result));
        CPPUNIT_ASSERT(parse_response(frames[1].body, v));
        CPPUNIT_ASSERT_EQUAL(int32_t(10), v.status);
        CPPUNIT_ASSERT(v.result.empty());
    }

    void handshake_round_trip() {
        std::string n1(kNonceSize, 'a'), n2(kNonceSize, 'b'), mac(kMacSize, 'm');
        std::string buf;
        append_challenge(buf, n1, "chat-server-1");
        append_hello(buf, n2, mac, "connector-server-1", "chat-server-1");
        append_welcome(buf, mac);
        auto frames = read_all(buf, 3);
        CPPUNIT_ASSERT_EQUAL(size_t(3), frames.size());
        ChallengeView c;
        CPPUNIT_ASSERT(parse_challenge(frames[0].body, c));
        CPPUNIT_ASSERT_EQUAL(kProtocolVersion, c.version);
        CPPUNIT_ASSERT_EQUAL(n1, std::string(c.nonce));
        CPPUNIT_ASSERT_EQUAL(std::string("chat-server-1"), std::string(c.server_id));
        HelloView h;
        CPPUNIT_ASSERT(parse_hello(frames[1].body, h));
        CPPUNIT_ASSERT_EQUAL(n2, std::string(h.nonce));
        CPPUNIT_ASSERT_EQUAL(mac, std::string(h.mac));
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-1"), std::string(h.client_id));
        CPPUNIT_ASSERT_EQUAL(std::string("chat-server-1"), std::string(h.server_id));
        std::string_view w;
        CPPUNIT_ASSERT(parse_welcome(frames[2].body, w));
        CPPUNIT_ASSERT_EQUAL(mac, std::string(w));
    }

    void exact_bytes_of_the_doc_examples() {
        // docs/rpc.md shows these frames byte for byte.
        std::string buf;
        append_response(buf, 1, 0, "[]");
        const unsigned char expected[] = {0, 0, 0, 15, 0x11, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, '[', ']'};
        CPPUNIT_ASSERT_EQUAL(sizeof expected, buf.size());
        CPPUNIT_ASSERT(std::memcmp(expected, buf.data(), buf.size()) == 0);
        std::string req;
        append_request(req, 1, "user", "testRemote", "echo", "[1]");
        const unsigned char expected_req[] = {0,   0,   0,   0x24, 0x10, 0,   0,   0,   0,   0,   0,   0,   1,   0,
                                              4,   'u', 's', 'e',  'r',  0,   10,  't', 'e', 's', 't', 'R', 'e', 'm',
                                              'o', 't', 'e', 0,    4,    'e', 'c', 'h', 'o', '[', '1', ']'};
        CPPUNIT_ASSERT_EQUAL(sizeof expected_req, req.size());
        CPPUNIT_ASSERT(std::memcmp(expected_req, req.data(), req.size()) == 0);
    }

    void reader_reassembles_any_split() {
        std::string buf;
        for (uint64_t i = 0; i < 50; ++i)
            append_request(buf, i, "user", "s", "m", "[" + std::string(i * 37, '1') + "]");
        for (size_t chunk : {size_t(1), size_t(2), size_t(5), size_t(64), size_t(4096), buf.size()}) {
            auto frames = read_all(buf, chunk);
            CPPUNIT_ASSERT_EQUAL(size_t(50), frames.size());
            for (uint64_t i = 0; i < 50; ++i) {
                RequestView v;
                CPPUNIT_ASSERT(parse_request(frames[i].body, v));
                CPPUNIT_ASSERT_EQUAL(i, v.id);
                CPPUNIT_ASSERT_EQUAL(i * 37 + 2, uint64_t(v.args.size()));
            }
        }
    }

    void reader_rejects_bad_lengths_early() {
        bool bad = false;
        // A declared length above the limit is refused from its 4 length bytes alone.
        std::string huge("\x7f\xff\xff\xff", 4);
        CPPUNIT_ASSERT(read_all(huge, 4, 1024, &bad).empty());
        CPPUNIT_ASSERT(bad);
        bad = false;
        std::string zero("\0\0\0\0", 4);
        read_all(zero, 4, 1024, &bad);
        CPPUNIT_ASSERT(bad);
        // Exactly at the limit is fine; one more is not.
        std::string at_limit;
        append_response(at_limit, 1, 0, std::string(1024 - 13, 'x'));
        bad = false;
        CPPUNIT_ASSERT_EQUAL(size_t(1), read_all(at_limit, 100, 1024, &bad).size());
        CPPUNIT_ASSERT(!bad);
        std::string over;
        append_response(over, 1, 0, std::string(1024 - 12, 'x'));
        read_all(over, 100, 1024, &bad);
        CPPUNIT_ASSERT(bad);
        // Garbage text is a huge length too ("GET " = 0x47455420).
        bad = false;
        read_all("GET / HTTP/1.1\r\n\r\n", 64, 16 << 20, &bad);
        CPPUNIT_ASSERT(bad);
    }

    void malformed_bodies_are_rejected() {
        RequestView r;
        CPPUNIT_ASSERT(!parse_request("", r));
        CPPUNIT_ASSERT(!parse_request(std::string("\0\0\0\0\0\0\0\1\0\x09user", 14), r));  // name past the end
        ResponseView s;
        CPPUNIT_ASSERT(!parse_response(std::string(11, '\0'), s));
        ChallengeView c;
        CPPUNIT_ASSERT(!parse_challenge(std::string(10, '\1'), c));
        std::string ok;
        append_challenge(ok, std::string(kNonceSize, 'n'), "id");
        std::string body = ok.substr(5) + "extra";
        CPPUNIT_ASSERT(!parse_challenge(body, c));  // trailing bytes
        HelloView h;
        CPPUNIT_ASSERT(!parse_hello(std::string(40, '\0'), h));
        std::string_view w;
        CPPUNIT_ASSERT(!parse_welcome(std::string(31, 'x'), w));
    }

    // A link that received one 4 MiB frame goes back to a buffer of about one read, instead of
    // keeping 4 MiB for its lifetime; frames of one size in a row do not reallocate each time.
    void reader_shrinks_after_a_large_frame() {
        const size_t chunk = 64 * 1024;
        FrameReader reader(16 << 20);
        std::string bytes;
        append_request(bytes, 1, "user", "s", "m", "[\"" + std::string(4 << 20, 'x') + "\"]");
        for (uint64_t i = 2; i < 10; ++i) append_request(bytes, i, "user", "s", "m", "[1]");
        size_t pos = 0, largest = 0, frames = 0;
        while (pos < bytes.size()) {
            size_t space = 0;
            char *p = reader.prepare(chunk, space);
            largest = std::max(largest, reader.capacity());
            size_t n = std::min(space, bytes.size() - pos);
            std::memcpy(p, bytes.data() + pos, n);
            reader.commit(n);
            pos += n;
            uint8_t type;
            std::string_view body;
            while (reader.next(type, body) == FrameReader::Result::frame) ++frames;
        }
        CPPUNIT_ASSERT_EQUAL(size_t(9), frames);
        CPPUNIT_ASSERT(largest >= (4u << 20));
        size_t space = 0;
        reader.prepare(chunk, space);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(reader.capacity()), reader.capacity() <= 2 * chunk);

        // Same-sized frames back to back: the buffer settles and stays. A reallocation shows as a new
        // capacity or a new address (the allocator may hand back the block it just took, so the
        // address alone would miss one).
        FrameReader steady(16 << 20);
        std::string one;
        append_request(one, 1, "user", "s", "m", "[\"" + std::string(300 * 1024, 'y') + "\"]");
        const char *last = nullptr;
        size_t moves = 0, last_capacity = 0;
        for (int round = 0; round < 20; ++round) {
            size_t at = 0;
            while (at < one.size()) {
                char *p = steady.prepare(chunk, space);
                if (round > 0 && steady.capacity() != last_capacity) ++moves;
                last_capacity = steady.capacity();
                size_t n = std::min(space, one.size() - at);
                std::memcpy(p, one.data() + at, n);
                steady.commit(n);
                at += n;
                uint8_t type;
                std::string_view body;
                while (steady.next(type, body) == FrameReader::Result::frame) {
                    if (last && body.data() != last) ++moves;
                    last = body.data();
                }
            }
        }
        CPPUNIT_ASSERT(steady.capacity() < 4 * one.size());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(moves), moves <= 2);
    }

    // Before authentication only challenges and hellos fit; a hello with server ids of 200 bytes
    // each still does.
    void handshake_limit_fits_a_hello_only() {
        std::string hello;
        append_hello(hello, std::string(kNonceSize, 'n'), std::string(kMacSize, 'm'), std::string(200, 'c'),
                     std::string(200, 's'));
        CPPUNIT_ASSERT(hello.size() - kLengthSize <= kMaxHandshakeFrame);
        CPPUNIT_ASSERT(kMaxHandshakeFrame <= 1024);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FrameCodecTest);
