// shaddock-limit-server [--port N] [--threads N] [--host ADDR] [--heartbeat S]
#include "limit_server.hpp"

#include <boost/program_options.hpp>

#include <iostream>

int main(int argc, char **argv) {
    namespace po = boost::program_options;
    limit::Options o;
    int port = o.port;
    po::options_description desc(
        "shaddock-limit-server: a raw-socket Pomelo echo server (TCP), the ceiling for the connector-local "
        "echo benchmark.\nEvery request is answered with its own body; notifies get nothing; heartbeats are "
        "echoed.\nOptions");
    desc.add_options()("help,h", "this text")("host", po::value(&o.host)->default_value(o.host),
                                              "address to listen on")("port,p", po::value(&port)->default_value(port),
                                                                      "TCP port (0: a free one, printed at start)")(
        "threads,t", po::value(&o.threads)->default_value(o.threads), "threads, one io_context and acceptor each")(
        "heartbeat", po::value(&o.heartbeat)->default_value(o.heartbeat), "heartbeat seconds announced to clients");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const std::exception &e) {
        std::cerr << "shaddock-limit-server: " << e.what() << "\n" << desc << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (port < 0 || port > 65535 || o.threads < 1 || o.threads > 256 || o.heartbeat < 0) {
        std::cerr << "shaddock-limit-server: --port must be 0-65535, --threads 1-256, --heartbeat >= 0\n";
        return 2;
    }
    o.port = static_cast<uint16_t>(port);
    return limit::run(o);
}
