// A command-line client to try the @@NAME@@ cluster: logs in, plays the given moves, prints every
// answer. It uses Shaddock's C++ client library (Shaddock::client); any Pomelo client does the same.
//
//   build/@@NAME@@-client [--host HOST] [--port PORT] <uid> [move...]
//
// Exits with 0 when every answer has code 200, 1 otherwise, 2 on a usage error.
#include <shaddock/client.hpp>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// A command-line word as a JSON string literal.
std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            const char *hex = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xf];
            out += hex[c & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

int usage() {
    std::fprintf(stderr, "usage: @@NAME@@-client [--host HOST] [--port PORT] <uid> [move...]\n");
    return 2;
}

}  // namespace

int main(int argc, char **argv) {
    using namespace shd::client;
    Options options;  // raw TCP to 127.0.0.1:3010, the connector's clientPort in config/servers.json
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--host" && i + 1 < argc) {
            options.host = argv[++i];
        } else if (arg == "--port" && i + 1 < argc) {
            const int port = std::atoi(argv[++i]);
            if (port <= 0 || port > 65535) return usage();
            options.port = static_cast<uint16_t>(port);
        } else if (!arg.empty() && arg[0] == '-') {
            return usage();
        } else {
            words.push_back(arg);
        }
    }
    if (words.empty()) return usage();

    Loop loop(1);
    std::shared_ptr<Client> client = Client::create(loop, options);
    std::promise<Error> connected;
    client->connect([&connected](const Error &e) { connected.set_value(e); });
    if (Error e = connected.get_future().get()) {
        std::fprintf(stderr, "cannot connect to %s:%u: %s\n", options.host.c_str(), unsigned(options.port),
                     e.message.c_str());
        return 1;
    }

    // One request, waited for; prints "<label>: <answer>". True when the answer has code 200.
    auto ask = [&client](const std::string &label, std::string_view route, const std::string &body) {
        std::promise<std::pair<Error, std::string>> answer;
        client->request(route, body, [&answer](const Error &e, std::string_view reply) {
            answer.set_value({e, std::string(reply)});
        });
        auto [error, reply] = answer.get_future().get();
        if (error) {
            std::printf("%s: error %s: %s\n", label.c_str(), error_name(error.code), error.message.c_str());
            return false;
        }
        std::printf("%s: %s\n", label.c_str(), reply.c_str());
        return reply.find("\"code\":200") != std::string::npos;
    };

    bool ok = ask("login", "connector.entryHandler.login", R"({"uid":)" + json_quote(words[0]) + "}");
    for (size_t i = 1; ok && i < words.size(); ++i)
        ok = ask("play " + words[i], "game.gameHandler.play", R"({"move":)" + json_quote(words[i]) + "}");
    client->disconnect();
    return ok ? 0 : 1;
}
