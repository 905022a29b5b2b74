// IdTable: EntityId -> slot index (uint32), open addressing with linear probing and backward-shift
// deletion, so lookups and removals never allocate and inserts allocate only when the table grows
// (load kept at or below 1/2). Private to shd_aoi.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "shaddock/aoi/tower_aoi.hpp"

namespace shd::aoi::detail {

class IdTable {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    std::uint32_t find(EntityId id) const {
        if (slots_.empty()) return npos;
        for (std::size_t i = home(id);; i = (i + 1) & mask_) {
            const Slot &s = slots_[i];
            if (s.value == npos) return npos;
            if (s.key == id) return s.value;
        }
    }

    // Inserts id -> value; false (and nothing changes) when id is already there.
    bool insert(EntityId id, std::uint32_t value) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        for (std::size_t i = home(id);; i = (i + 1) & mask_) {
            Slot &s = slots_[i];
            if (s.value == npos) {
                s.key = id;
                s.value = value;
                ++size_;
                return true;
            }
            if (s.key == id) return false;
        }
    }

    // Removes id; false when it was not there.
    bool erase(EntityId id) {
        if (slots_.empty()) return false;
        std::size_t i = home(id);
        for (;; i = (i + 1) & mask_) {
            if (slots_[i].value == npos) return false;
            if (slots_[i].key == id) break;
        }
        // Backward shift: pull later members of the probe run into the hole when their home allows.
        std::size_t hole = i;
        for (std::size_t j = (hole + 1) & mask_; slots_[j].value != npos; j = (j + 1) & mask_) {
            std::size_t h = home(slots_[j].key);
            // j's entry may move to the hole if its home is not in (hole, j] (cyclically).
            bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (!stays) {
                slots_[hole] = slots_[j];
                hole = j;
            }
        }
        slots_[hole].value = npos;
        --size_;
        return true;
    }

    std::size_t size() const { return size_; }

private:
    struct Slot {
        EntityId key = 0;
        std::uint32_t value = npos;
    };

    std::size_t home(EntityId id) const {
        // Fibonacci hashing: sequential ids spread over the table.
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
    }

    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        std::size_t capacity = old.empty() ? 64 : old.size() * 2;
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
        int bits = 0;
        while ((std::size_t{1} << bits) < capacity) ++bits;
        shift_ = 64 - bits;
        size_ = 0;
        for (const Slot &s : old)
            if (s.value != npos) insert(s.key, s.value);
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;
};

}  // namespace shd::aoi::detail
