// What one link last carried as a session's settings, so a FORWARD frame whose settings did not
// change since the previous forward of that session on the same link sends a flag instead of them
// (docs/rpc.md, FORWARD).
//
// Both ends keep one cache per link: the sender updates it as it writes each forward frame, the
// receiver as it reads each one, in the same frame order, so the two stay identical without any
// message about the cache itself. A new link starts empty on both ends. The table is direct-mapped
// (slot = session id mod kSlots): another session in the same slot simply evicts the entry, and its
// next forward carries the settings again. Settings longer than kMaxCached clear their slot, which
// bounds the memory of one link to kSlots x kMaxCached bytes.
//
// Not thread-safe: the sender's cache is touched only on the logic thread, the receiver's only on
// the link's I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace shd::rpc {

class ForwardSettingsCache {
public:
    static constexpr size_t kSlots = 256;
    static constexpr size_t kMaxCached = 4096;

    // Sender: true when `settings` equal what this link last carried for session_id (the frame then
    // goes with kForwardSettingsCached and without them); otherwise remembers them and returns false.
    bool carry(uint64_t session_id, std::string_view settings) {
        Slot &s = slot(session_id);
        if (s.used && s.session_id == session_id && s.settings == settings) return true;
        remember(s, session_id, settings);
        return false;
    }

    // Receiver: a frame carried these settings.
    void received(uint64_t session_id, std::string_view settings) { remember(slot(session_id), session_id, settings); }

    // Receiver: a frame with kForwardSettingsCached. Null when the link carried none for session_id
    // (a peer that sends the flag without having sent the settings is broken or hostile).
    const std::string *lookup(uint64_t session_id) const {
        if (!slots_) return nullptr;
        const Slot &s = slots_[session_id % kSlots];
        return s.used && s.session_id == session_id ? &s.settings : nullptr;
    }

private:
    struct Slot {
        uint64_t session_id = 0;
        bool used = false;
        std::string settings;
    };

    Slot &slot(uint64_t session_id) {
        if (!slots_) slots_ = std::make_unique<Slot[]>(kSlots);  // only links that carry forwards pay
        return slots_[session_id % kSlots];
    }

    static void remember(Slot &s, uint64_t session_id, std::string_view settings) {
        if (settings.size() > kMaxCached) {
            s.used = false;
            std::string().swap(s.settings);
            return;
        }
        s.session_id = session_id;
        s.used = true;
        s.settings.assign(settings.data(), settings.size());
    }

    std::unique_ptr<Slot[]> slots_;
};

}  // namespace shd::rpc
