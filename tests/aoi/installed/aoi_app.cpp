// An app built against the installed SDK that uses the AOI library: it logs what a TowerAoi answers,
// so the test sees the library linked into an app module and running in the host.
#include <shaddock/aoi/tower_aoi.hpp>
#include <shaddock/cpp/app.hpp>

#include <string>

namespace {

class AoiApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        shd::aoi::Config config;
        config.width = config.height = 3000;
        config.tower_width = config.tower_height = 300;
        shd::aoi::TowerAoi aoi(config);
        aoi.add_watcher(1, 0, {100, 100}, 1);
        shd::aoi::Change c = aoi.add_object(2, 0, {700, 100});
        host().info("configure: object 2 is seen by " + std::to_string(c.entered.size()) + " watcher(s)");
    }
    void start_all() override { host().info("start_all: the whole cluster is up"); }
};

}  // namespace

SHADDOCK_APP(AoiApp, "aoi_app", "1.0.0", "")
