// Tasks (LORDOFPOMELO.md §3.7): kill counts, completion and the hand-over's rewards.
#include "world/area.hpp"

#include <algorithm>
#include <cmath>

namespace mmo::world {

namespace {

bool taken(const Player &p, int kind) {
    return std::any_of(p.tasks.begin(), p.tasks.end(), [kind](const TaskState &t) { return t.kind == kind; });
}

}  // namespace

const TaskKind *Area::next_task(const Player &p) const {
    for (const TaskState &t : p.tasks)
        if (t.state < 2) return data_.task(t.kind);
    for (const auto &[id, kind] : data_.tasks())
        if (!taken(p, id)) return &kind;
    return nullptr;
}

bool Area::can_start_task(const Player &p, int kind) const {
    const TaskKind *next = next_task(p);
    return next && next->id == kind && !taken(p, kind) && p.level >= next->level;
}

TaskState &Area::start_task(Player &p, int kind, std::int64_t row_id) {
    TaskState t;
    t.row_id = row_id;
    t.kind = kind;
    t.start_time = now_;
    p.tasks.push_back(t);
    p.dirty = true;
    return p.tasks.back();
}

// A kill counts for the killer's running tasks: a mob of the task's kind, or (type 1) a player of at
// least the killer's level. onUpdateTaskData on each count, onTaskCompleted when done.
void Area::count_kill(Player &killer, const Character &victim) {
    for (TaskState &t : killer.tasks) {
        if (t.state != 0) continue;
        const TaskKind *kind = data_.task(t.kind);
        if (!kind) continue;
        int *counter = nullptr;
        if (kind->type == 0 && victim.type == EntityType::mob && victim.kind_id == kind->mob_kind)
            counter = &t.mob_killed;
        if (kind->type == 1 && victim.type == EntityType::player && victim.level >= killer.level)
            counter = &t.player_killed;
        if (!counter) continue;
        ++*counter;
        t.dirty = true;
        killer.dirty = true;
        push({killer.id}, "onUpdateTaskData",
             "{\"" + std::to_string(t.row_id) + "\":{\"mobKilled\":" + std::to_string(t.mob_killed) +
                 ",\"playerKilled\":" + std::to_string(t.player_killed) + "}}");
        if (*counter >= kind->count) {
            t.state = 1;
            push({killer.id}, "onTaskCompleted", "{\"taskId\":" + std::to_string(t.row_id) + "}");
        }
    }
}

std::vector<std::int64_t> Area::hand_over_tasks(Player &p) {
    std::vector<std::int64_t> ids;
    std::string dropped = "[";
    for (TaskState &t : p.tasks) {
        if (t.state != 1) continue;
        t.state = 2;
        t.dirty = true;
        ids.push_back(t.row_id);
        const TaskKind *kind = data_.task(t.kind);
        if (!kind) continue;
        gain_exp(p, kind->exp);
        // The reward pieces fall by the player, for it to pick up (as the original drops them).
        for (int equipment : kind->items) {
            const EquipmentKind *e = data_.equipment(equipment);
            if (!e) continue;
            auto g = std::make_unique<GroundItem>();
            g->id = next_id();
            g->type = EntityType::equipment;
            g->kind_id = e->id;
            g->kind_name = e->name;
            Point at = p.pos();
            std::uniform_int_distribution<int> off(-60, 60);
            for (int i = 0; i < 10; ++i) {
                Point c{std::floor(p.x + off(rng_)), std::floor(p.y + off(rng_))};
                if (map_.reachable(c.x, c.y)) {
                    at = c;
                    break;
                }
            }
            g->x = at.x;
            g->y = at.y;
            g->player_id = p.player_id;
            g->expires_at = now_ + options_.item_life_ms;
            if (dropped.size() > 1) dropped += ",";
            g->write_json(dropped);
            add_entity(std::move(g));
        }
    }
    if (dropped.size() > 1) push({p.id}, "onDropItems", "{\"dropItems\":" + dropped + "]}");
    p.dirty = true;
    return ids;
}

std::string Area::task_json(const TaskState &t) const {
    const TaskKind *k = data_.task(t.kind);
    std::string out = "{";
    auto text = [&out](const char *key, const std::string &v, bool comma = true) {
        if (comma) out += ",";
        out += "\"" + std::string(key) + "\":";
        json_quote(out, v);
    };
    text("acceptTalk", k ? k->accept_talk : "", false);
    text("workTalk", k ? k->work_talk : "");
    text("finishTalk", k ? k->finish_talk : "");
    text("item", k ? k->item_text : "");
    text("name", k ? k->name : "");
    out += ",\"id\":" + std::to_string(t.row_id) + ",\"kindId\":" + std::to_string(t.kind) +
           ",\"type\":" + std::to_string(k ? k->type : 0) + ",\"exp\":" + std::to_string(k ? k->exp : 0);
    text("taskData", "{\"mobKilled\":" + std::to_string(t.mob_killed) +
                         ",\"playerKilled\":" + std::to_string(t.player_killed) + "}");
    out += ",\"taskState\":" + std::to_string(t.state);
    text("completeCondition", k ? k->complete_condition : "{}");
    return out + "}";
}

}  // namespace mmo::world
