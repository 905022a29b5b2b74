// Built against the installed package: a watcher sees an object enter and leave its window.
#include <shaddock/aoi/tower_aoi.hpp>

#include <cstdio>

int main() {
    shd::aoi::Config config;
    config.width = config.height = 3000;
    config.tower_width = config.tower_height = 300;
    shd::aoi::TowerAoi aoi(config);
    aoi.add_watcher(1, 0, {100, 100}, 1);  // towers 0..2
    shd::aoi::Change c = aoi.add_object(2, 0, {700, 100});
    bool ok = c.ok() && c.entered.size() == 1 && c.entered[0].id == 1;
    c = aoi.update_object(2, {1000, 100});
    ok = ok && c.moved && c.left.size() == 1 && c.left[0].id == 1 && c.entered.empty();
    std::printf("%s\n", ok ? "aoi_check: ok" : "aoi_check: wrong answers");
    return ok ? 0 : 1;
}
