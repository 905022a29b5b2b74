// Prints seeded random behaviour trees (in the JSON description format), built with shd::bt from
// that description and ticked, as JSON lines for pomelo_bt_compare.js to tick the same trees with
// the npm pomelo-bt package:
//   {"tree":<description>,"conditions":{"c0":"tft",...},"results":[0,2,...],"trace":[["a3:2","c0:t"],...]}
// Leaves are scripted: action "scripted" with args {"id": n, "script": "0212"} returns the script's
// results in turn (0 success, 1 failure, 2 wait; cycling), condition "c<k>" the booleans of its
// script ("t"/"f", cycling; one counter per name). trace[i] lists the leaves tick i reached, in order.
//
//   bt_driver [--trees N] [--ticks T] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include <shaddock/bt/library.hpp>
#include <shaddock/bt/tree.hpp>

using namespace shd::bt;

namespace {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    int below(int n) {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return static_cast<int>((z ^ (z >> 31)) % static_cast<uint64_t>(n));
    }

private:
    uint64_t state_;
};

struct Generator {
    Rng &rng;
    int conditions;
    int actions = 0;

    std::string cond() { return "\"c" + std::to_string(rng.below(conditions)) + "\""; }

    std::string action() {
        std::string script;
        for (int i = 0, n = 1 + rng.below(5); i < n; ++i) script += static_cast<char>('0' + rng.below(3));
        return "{\"type\":\"action\",\"name\":\"scripted\",\"args\":{\"id\":" + std::to_string(actions++) +
               ",\"script\":\"" + script + "\"}}";
    }

    std::string children(int depth) {
        std::string s = "[";
        const int n = rng.below(12) == 0 ? 0 : 1 + rng.below(4);
        for (int i = 0; i < n; ++i) s += (i ? "," : "") + node(depth + 1);
        return s + "]";
    }

    std::string node(int depth) {
        if (depth >= 4 || rng.below(10) < 3) {
            return rng.below(10) < 7 ? action() : "{\"type\":\"condition\",\"cond\":" + cond() + "}";
        }
        switch (rng.below(6)) {
            case 0: return "{\"type\":\"sequence\",\"children\":" + children(depth) + "}";
            case 1: return "{\"type\":\"select\",\"children\":" + children(depth) + "}";
            case 2: {
                const int policy = rng.below(3);
                const char *p = policy == 0   ? ""
                                : policy == 1 ? ",\"policy\":\"failOnOne\""
                                              : ",\"policy\":\"failOnAll\"";
                return "{\"type\":\"parallel\",\"children\":" + children(depth) + p + "}";
            }
            case 3: return "{\"type\":\"if\",\"cond\":" + cond() + ",\"action\":" + node(depth + 1) + "}";
            case 4: {
                std::string loop = "{\"type\":\"loop\",\"child\":" + node(depth + 1);
                if (rng.below(10) < 7) loop += ",\"loopCond\":" + cond();
                return loop + "}";
            }
            default: return action();
        }
    }
};

struct Board {
    std::vector<std::string> trace;
    std::map<std::string, size_t> condition_calls;
};

}  // namespace

int main(int argc, char **argv) {
    int trees = 400, ticks = 40;
    uint64_t seed = 20261204;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--trees"))
            trees = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--ticks"))
            ticks = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed"))
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "bt_driver: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    Rng rng(seed);
    try {
        for (int t = 0; t < trees; ++t) {
            Generator gen{rng, 1 + rng.below(4)};
            const std::string json = gen.node(0);
            std::map<std::string, std::string> scripts;
            Library<Board> library;
            for (int c = 0; c < gen.conditions; ++c) {
                std::string script;
                for (int i = 0, n = 1 + rng.below(4); i < n; ++i) script += rng.below(2) ? 't' : 'f';
                const std::string name = "c" + std::to_string(c);
                scripts[name] = script;
                library.condition(name, [name, script](Board &b) {
                    const bool value = script[b.condition_calls[name]++ % script.size()] == 't';
                    b.trace.push_back(name + ":" + (value ? "t" : "f"));
                    return value;
                });
            }
            library.action("scripted", [](Board &b, const Args &args) -> NodePtr {
                const std::string id = args.text("id");
                const std::string script = args.text("script");
                return std::make_unique<Action>([&b, id, script, calls = size_t(0)]() mutable {
                    const char r = script[calls++ % script.size()];
                    b.trace.push_back("a" + id + ":" + r);
                    return static_cast<Result>(r - '0');
                });
            });
            const Description description = parse_description(json, "tree " + std::to_string(t));
            Board board;
            Tree tree(library.build(description, board));
            std::string results, trace;
            for (int i = 0; i < ticks; ++i) {
                board.trace.clear();
                results += (i ? "," : "") + std::to_string(static_cast<int>(tree.tick()));
                trace += i ? ",[" : "[";
                for (size_t k = 0; k < board.trace.size(); ++k) trace += (k ? ",\"" : "\"") + board.trace[k] + "\"";
                trace += "]";
            }
            std::string conditions;
            for (const auto &[name, script] : scripts) {
                conditions += (conditions.empty() ? "\"" : ",\"") + name + "\":\"" + script + "\"";
            }
            std::printf("{\"tree\":%s,\"conditions\":{%s},\"results\":[%s],\"trace\":[%s]}\n", json.c_str(),
                        conditions.c_str(), results.c_str(), trace.c_str());
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bt_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
