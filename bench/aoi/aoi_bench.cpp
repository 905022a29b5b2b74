// aoi_bench: updates/s of shd::aoi::TowerAoi for entities walking on a map, the workload of
// pomelo_aoi_bench.js step for step (the same 32-bit generator, mulberry32, drives both), so
// bench/aoi/run.js can compare the two and check that both saw the same events.
//
//   aoi_bench [--entities N] [--rounds R] [--warmup W] [--width px] [--height px] [--tower px]
//             [--range r] [--seed S] [--min-ms T] [--storage automatic|dense|sparse]
//
// Each entity is an object and a watcher (a lordofpomelo player). One update is one entity's step:
// update_object then update_watcher at the new position, as lordofpomelo's move action does. After
// W rounds of warm-up, R rounds of N updates are timed and their entered/left entities counted (the
// figures both sides must agree on); further rounds follow until T ms have passed (default 2000), so
// a fast run is timed long enough. Prints one JSON line.
#include <shaddock/aoi/tower_aoi.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

// mulberry32, as pomelo_aoi_bench.js computes it with Math.imul.
struct Mulberry32 {
    std::uint32_t a;
    std::uint32_t next() {
        a += 0x6D2B79F5u;
        std::uint32_t t = a;
        t = (t ^ (t >> 15)) * (1u | t);
        t = (t + (t ^ (t >> 7)) * (61u | t)) ^ t;
        return t ^ (t >> 14);
    }
    int in(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint32_t>(hi - lo + 1)); }
};

struct Walker {
    int x, y, vx, vy;
};

struct Options {
    int entities = 10000, rounds = 50, warmup = 3, width = 20000, height = 20000, tower = 300, range = 2, seed = 1,
        min_ms = 2000;
};

// One step of walker w: now and then a new velocity, then a move that bounces off the borders.
void step(Walker &w, Mulberry32 &rng, const Options &o) {
    if (rng.next() % 50 == 0) {
        w.vx = rng.in(-30, 30);
        w.vy = rng.in(-30, 30);
    }
    w.x += w.vx;
    w.y += w.vy;
    if (w.x < 0) w.x = -w.x, w.vx = -w.vx;
    if (w.x >= o.width) w.x = 2 * (o.width - 1) - w.x, w.vx = -w.vx;
    if (w.y < 0) w.y = -w.y, w.vy = -w.vy;
    if (w.y >= o.height) w.y = 2 * (o.height - 1) - w.y, w.vy = -w.vy;
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    const std::pair<const char *, int *> flags[] = {
        {"--entities", &o.entities}, {"--rounds", &o.rounds}, {"--warmup", &o.warmup},
        {"--width", &o.width},       {"--height", &o.height}, {"--tower", &o.tower},
        {"--range", &o.range},       {"--seed", &o.seed},     {"--min-ms", &o.min_ms}};
    shd::aoi::Storage storage = shd::aoi::Storage::automatic;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--storage") == 0 && i + 1 < argc) {
            std::string s = argv[++i];
            storage = s == "dense"    ? shd::aoi::Storage::dense
                      : s == "sparse" ? shd::aoi::Storage::sparse
                                      : shd::aoi::Storage::automatic;
            continue;
        }
        int *target = nullptr;
        for (const auto &[name, field] : flags)
            if (std::strcmp(argv[i], name) == 0) target = field;
        if (!target || i + 1 >= argc) {
            std::fprintf(stderr, "aoi_bench: bad argument %s (see the comment at the top of aoi_bench.cpp)\n", argv[i]);
            return 2;
        }
        *target = int(std::strtol(argv[++i], nullptr, 10));
    }

    shd::aoi::Config config;
    config.width = o.width;
    config.height = o.height;
    config.tower_width = o.tower;
    config.tower_height = o.tower;
    config.storage = storage;
    shd::aoi::TowerAoi aoi(config);
    Mulberry32 rng{std::uint32_t(o.seed)};
    std::vector<Walker> walkers(static_cast<std::size_t>(o.entities));
    for (std::size_t id = 0; id < walkers.size(); ++id) {
        Walker &w = walkers[id];
        w.x = rng.in(0, o.width - 1);
        w.y = rng.in(0, o.height - 1);
        w.vx = rng.in(-30, 30);
        w.vy = rng.in(-30, 30);
        shd::aoi::Position p{double(w.x), double(w.y)};
        aoi.add_object(id + 1, 0, p);
        aoi.add_watcher(id + 1, 0, p, o.range);
    }

    long object_events = 0, watcher_events = 0, failures = 0;
    auto round = [&]() {
        for (std::size_t id = 0; id < walkers.size(); ++id) {
            Walker &w = walkers[id];
            step(w, rng, o);
            shd::aoi::Position p{double(w.x), double(w.y)};
            shd::aoi::Change c = aoi.update_object(id + 1, p);
            object_events += long(c.entered.size() + c.left.size());
            failures += !c.ok();
            c = aoi.update_watcher(id + 1, p, o.range);
            watcher_events += long(c.entered.size() + c.left.size());
            failures += !c.ok();
        }
    };
    for (int r = 0; r < o.warmup; ++r) round();
    object_events = watcher_events = 0;
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&t0]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    for (int r = 0; r < o.rounds; ++r) round();
    const long counted_objects = object_events, counted_watchers = watcher_events;
    long rounds = o.rounds;
    for (; elapsed() * 1000 < o.min_ms; ++rounds) round();  // longer, for a steadier figure
    double seconds = elapsed();
    long updates = long(o.entities) * rounds;
    object_events = counted_objects;
    watcher_events = counted_watchers;
    std::printf(
        "{\"impl\":\"shd::aoi\",\"storage\":\"%s\",\"entities\":%d,\"updates\":%ld,\"seconds\":%.6f,"
        "\"updatesPerSecond\":%.0f,"
        "\"objectEvents\":%ld,\"watcherEvents\":%ld,\"failures\":%ld}\n",
        aoi.sparse() ? "sparse" : "dense", o.entities, updates, seconds, seconds > 0 ? updates / seconds : 0.0,
        object_events, watcher_events, failures);
    return failures ? 1 : 0;
}
