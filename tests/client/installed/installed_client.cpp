// Built against the installed SDK: connects to a port where nothing listens and expects the
// client library to say so, then checks the name lookups. Exit 0 and "PASS" on success.
#include <shaddock/client.hpp>

#include <cstdio>
#include <future>
#include <string>

int main(int argc, char **argv) {
    using namespace shd::client;
    if (argc != 2) {
        std::fprintf(stderr, "usage: installed_client <closed port>\n");
        return 2;
    }
    Transport t;
    if (!parse_transport("wss", t) || t != Transport::wss || parse_transport("udp", t)) {
        std::fprintf(stderr, "FAIL: parse_transport\n");
        return 1;
    }
    Loop loop(1);
    Options options;
    options.port = static_cast<uint16_t>(std::stoi(argv[1]));
    options.connect_timeout_ms = 5000;
    auto client = Client::create(loop, options);
    std::promise<Error> result;
    client->connect([&](const Error &e) { result.set_value(e); });
    auto future = result.get_future();
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        std::fprintf(stderr, "FAIL: connect() never finished\n");
        return 1;
    }
    const Error e = future.get();
    if (e.code != ErrorCode::connect_failed) {
        std::fprintf(stderr, "FAIL: expected connect_failed, got %s (%s)\n", error_name(e.code), e.message.c_str());
        return 1;
    }
    std::printf("PASS: %s: %s\n", error_name(e.code), e.message.c_str());
    return 0;
}
