// zk_write HOST:PORT PATH DATA [USER:PASSWORD]: sets the data of an existing znode (any version), as
// a hostile or mistaken writer would; exit status 0 when ZooKeeper took it. For the masterha tests.
#include <zookeeper/zookeeper.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: zk_write HOST:PORT PATH DATA [USER:PASSWORD]\n");
        return 2;
    }
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(argv[1], nullptr, 5000, nullptr, nullptr, 0);
    if (!zh) return 1;
    if (argc > 4) zoo_add_auth(zh, "digest", argv[4], static_cast<int>(std::strlen(argv[4])), nullptr, nullptr);
    for (int i = 0; i < 100 && zoo_state(zh) != ZOO_CONNECTED_STATE; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int rc = zoo_set(zh, argv[2], argv[3], static_cast<int>(std::strlen(argv[3])), -1);
    if (rc != ZOK) std::fprintf(stderr, "zk_write %s: %s\n", argv[2], zerror(rc));
    zookeeper_close(zh);
    return rc == ZOK ? 0 : 1;
}
