#include "world/brain.hpp"

#include "world/area.hpp"

#include <cmath>

namespace mmo::world {

namespace bt = shd::bt;
using bt::Result;

namespace {

// Lord of Pomelo's TryAndAdjust(try, adjust) = Select[try, Sequence[adjust, try]]: try; if that
// fails, adjust (walk closer), then try again.
bt::NodePtr try_and_adjust(std::function<Result()> attempt, std::function<Result()> adjust) {
    auto again = std::make_unique<bt::Sequence>();
    again->add_child(std::make_unique<bt::Action>(adjust));
    again->add_child(std::make_unique<bt::Action>(attempt));
    auto select = std::make_unique<bt::Select>();
    select->add_child(std::make_unique<bt::Action>(std::move(attempt)));
    select->add_child(std::move(again));
    return select;
}

Character *live_character(Area &area, EntityId id) {
    Entity *e = area.entity(id);
    if (!e || (e->type != EntityType::player && e->type != EntityType::mob)) return nullptr;
    auto *c = static_cast<Character *>(e);
    return c->died ? nullptr : c;
}

// Attack the target with a skill; in range or cooling down counts as done for this tick.
Result try_attack(Area &area, Character &self, int skill) {
    Character *target = live_character(area, self.target);
    if (!target) {
        self.target = 0;
        return Result::failure;
    }
    const AttackOutcome out = area.try_attack(self, *target, skill);
    switch (out.result) {
        case kSuccess:
        case kKilled:
        case kMiss:
        case kNotCooldown: return Result::success;
        case kNotInRange:
            if (const SkillKind *s = area.data().skill(skill)) self.distance_limit = s->distance;
            return Result::failure;
        default: self.target = 0; return Result::failure;
    }
}

// Walk until within distance_limit of the target; success when there, wait while walking.
Result move_to_target(Area &area, Character &self) {
    Entity *target = area.entity(self.target);
    if (!target) {
        self.target = 0;
        area.stop_moving(self);
        return Result::failure;
    }
    if (self.type == EntityType::mob) {
        auto &mob = static_cast<Mob &>(self);
        // A mob does not follow further than 500 px from home on either axis: it gives up and goes back.
        if (std::fabs(mob.x - mob.spawn.x) > 500 || std::fabs(mob.y - mob.spawn.y) > 500) {
            mob.target = 0;
            mob.haters.clear();
            area.walk_to(mob, mob.spawn);
            return Result::failure;
        }
    }
    const double d = std::hypot(target->x - self.x, target->y - self.y);
    if (d <= self.distance_limit) {
        area.stop_moving(self);
        return Result::success;
    }
    const double drift = std::hypot(target->x - self.chase_goal.x, target->y - self.chase_goal.y);
    if (!self.move.active() || !self.move.by_server || drift > d / 3) {
        if (!area.walk_to(self, target->pos())) {
            self.target = 0;
            return Result::failure;
        }
    }
    return Result::wait;
}

bt::NodePtr chase_and_attack(Area &area, Character &self, std::shared_ptr<EntityId> fighting) {
    auto attack = [&area, &self] { return try_attack(area, self, 1); };
    auto adjust = [&area, &self] { return move_to_target(area, self); };
    // Loop while the target stays the one the loop started with.
    return std::make_unique<bt::Loop>(try_and_adjust(attack, adjust),
                                      [&self, fighting] { return self.target != 0 && self.target == *fighting; });
}

}  // namespace

std::unique_ptr<bt::Node> make_player_brain(Area &area, Player &self) {
    auto fighting = std::make_shared<EntityId>(0);
    auto root = std::make_unique<bt::Select>();
    root->add_child(std::make_unique<bt::If>(
        [&area, &self, fighting] {
            if (!live_character(area, self.target)) return false;
            *fighting = self.target;
            return true;
        },
        chase_and_attack(area, self, fighting)));
    root->add_child(std::make_unique<bt::If>(
        [&area, &self] {
            Entity *e = area.entity(self.target);
            if (!e || (e->type != EntityType::item && e->type != EntityType::equipment)) return false;
            self.distance_limit = 200;
            return true;
        },
        try_and_adjust(
            [&area, &self] {
                Entity *e = area.entity(self.target);
                if (!e || (e->type != EntityType::item && e->type != EntityType::equipment)) {
                    self.target = 0;
                    return Result::failure;
                }
                const int r = area.try_pick(self, static_cast<GroundItem &>(*e));
                if (r == kSuccess) return Result::success;
                if (r == Area::kPickBagFull) self.target = 0;
                return Result::failure;
            },
            [&area, &self] { return move_to_target(area, self); })));
    root->add_child(std::make_unique<bt::If>(
        [&area, &self] {
            Entity *e = area.entity(self.target);
            if (!e || e->type != EntityType::npc) return false;
            self.distance_limit = 100;
            return true;
        },
        try_and_adjust(
            [&area, &self] {
                Entity *e = area.entity(self.target);
                if (!e || e->type != EntityType::npc) {
                    self.target = 0;
                    return Result::failure;
                }
                return area.try_talk(self, static_cast<Npc &>(*e)) ? Result::success : Result::failure;
            },
            [&area, &self] { return move_to_target(area, self); })));
    return root;
}

std::unique_ptr<bt::Node> make_mob_brain(Area &area, Mob &self) {
    auto fighting = std::make_shared<EntityId>(0);
    auto root = std::make_unique<bt::Select>();
    root->add_child(std::make_unique<bt::If>(
        [&area, &self, fighting] {
            Character *c = live_character(area, self.target);
            if (!c || c->type != EntityType::player) {
                self.target = self.most_hated();  // the next enemy, if any is left
                return false;
            }
            *fighting = self.target;
            self.distance_limit = 100;
            return true;
        },
        chase_and_attack(area, self, fighting)));
    // Patrol: walk the loop, resting 50 ticks (5 s) at each point. Succeeds every tick so the
    // select looks for a target again next tick.
    root->add_child(std::make_unique<bt::Action>([&area, &self] {
        if (self.move.active() || self.patrol.empty()) return Result::success;
        if (self.rest_ticks > 0) {
            --self.rest_ticks;
            return Result::success;
        }
        area.walk_to(self, self.patrol[self.patrol_next]);
        self.patrol_next = (self.patrol_next + 1) % self.patrol.size();
        self.rest_ticks = 50;
        return Result::success;
    }));
    return root;
}

}  // namespace mmo::world
