// The sync plugin's queue (plugins/sync/write_queue.*): merging by (key, id), the bound, writes given
// back after a failed attempt merging with newer values, and the watermark a sync waits on.
#include "write_queue.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>

using namespace shd::sync;

namespace {

std::shared_ptr<const Writer> writer(const std::string &key) {
    auto w = std::make_shared<Writer>();
    w->key = key;
    return w;
}

Write make(const std::shared_ptr<const Writer> &w, const std::string &id, int64_t value, uint64_t ticket = 0) {
    Write out;
    out.writer = w;
    out.id = id;
    out.params = {Param(value)};
    if (ticket) out.tickets.push_back(ticket);
    return out;
}

int64_t value_of(const Write &w) {
    return std::get<int64_t>(w.params.at(0));
}

}  // namespace

class WriteQueueTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(WriteQueueTest);
    CPPUNIT_TEST(writes_merge_by_key_and_id_the_last_value_wins);
    CPPUNIT_TEST(busy_past_the_bound_but_a_merge_is_accepted);
    CPPUNIT_TEST(writes_given_back_keep_their_order_and_lose_to_newer_values);
    CPPUNIT_TEST(the_watermark_passes_a_change_only_once_it_is_written);
    CPPUNIT_TEST_SUITE_END();

public:
    void writes_merge_by_key_and_id_the_last_value_wins() {
        WriteQueue q(100);
        auto player = writer("player.save"), bag = writer("bag.save");
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "1", 10)));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "2", 20)));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(bag, "1", 30)));  // another key, same id: not merged
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "1", 11, 7)));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "1", 12)));
        QueueFigures f = q.figures();
        CPPUNIT_ASSERT_EQUAL(size_t(3), f.queued);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), f.accepted);
        CPPUNIT_ASSERT_EQUAL(uint64_t(2), f.merged);
        std::vector<Write> batch = q.take(10);
        CPPUNIT_ASSERT_EQUAL(size_t(3), batch.size());
        CPPUNIT_ASSERT_EQUAL(std::string("1"), batch[0].id);  // keeps its place: first queued
        CPPUNIT_ASSERT_EQUAL(int64_t(12), value_of(batch[0]));
        CPPUNIT_ASSERT(batch[0].tickets == std::vector<uint64_t>{7});  // a flush merged in waits for it
        CPPUNIT_ASSERT_EQUAL(int64_t(20), value_of(batch[1]));
        CPPUNIT_ASSERT_EQUAL(std::string("bag.save"), batch[2].writer->key);
        CPPUNIT_ASSERT(!q.idle());
        q.finished(3, 0);
        CPPUNIT_ASSERT(q.idle());
        CPPUNIT_ASSERT_EQUAL(uint64_t(3), q.figures().written);
    }

    void busy_past_the_bound_but_a_merge_is_accepted() {
        WriteQueue q(3);
        auto player = writer("player.save");
        for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, std::to_string(i), i)));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_BUSY, q.put(make(player, "3", 3)));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "0", 100)));
        // Writes being written count too: a new one for an id in flight is a new write.
        std::vector<Write> batch = q.take(2);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_BUSY, q.put(make(player, "0", 101)));
        q.finished(2, 0);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, q.put(make(player, "0", 101)));
        CPPUNIT_ASSERT_EQUAL(uint64_t(2), q.figures().busy);
    }

    void writes_given_back_keep_their_order_and_lose_to_newer_values() {
        WriteQueue q(100);
        auto player = writer("player.save");
        q.put(make(player, "a", 1, 1));
        q.put(make(player, "b", 2));
        q.put(make(player, "c", 3));
        std::vector<Write> batch = q.take(2);  // a, b: the database fails while writing them
        q.put(make(player, "a", 10, 2));       // a newer value of a meanwhile
        q.put(make(player, "d", 4));
        q.give_back(std::move(batch));
        CPPUNIT_ASSERT_EQUAL(size_t(4), q.figures().queued);
        std::vector<Write> again = q.take(10);
        CPPUNIT_ASSERT_EQUAL(size_t(4), again.size());
        CPPUNIT_ASSERT_EQUAL(std::string("a"), again[0].id);
        CPPUNIT_ASSERT_EQUAL(int64_t(10), value_of(again[0]));  // the newer value, nothing of a lost
        CPPUNIT_ASSERT(again[0].tickets == (std::vector<uint64_t>{1, 2}));
        CPPUNIT_ASSERT_EQUAL(std::string("b"), again[1].id);
        CPPUNIT_ASSERT_EQUAL(std::string("c"), again[2].id);
        CPPUNIT_ASSERT_EQUAL(std::string("d"), again[3].id);
    }

    void the_watermark_passes_a_change_only_once_it_is_written() {
        WriteQueue q(100);
        auto player = writer("player.save");
        CPPUNIT_ASSERT_EQUAL(uint64_t(1), q.watermark());  // nothing queued: everything before 1 is written
        q.put(make(player, "a", 1));                       // change 1
        q.put(make(player, "b", 1));                       // change 2
        uint64_t sync_at = q.last_seq();
        CPPUNIT_ASSERT_EQUAL(uint64_t(2), sync_at);
        std::vector<Write> batch = q.take(1);  // a
        q.put(make(player, "b", 2));           // change 3, merged into b: b keeps change 2
        CPPUNIT_ASSERT(q.watermark() <= sync_at);
        q.finished(1, 0);
        CPPUNIT_ASSERT(q.watermark() <= sync_at);  // b is not written yet
        batch = q.take(10);
        q.give_back(std::move(batch));  // a failed attempt changes nothing
        CPPUNIT_ASSERT(q.watermark() <= sync_at);
        batch = q.take(10);
        q.finished(batch.size(), 0);
        CPPUNIT_ASSERT(q.watermark() > sync_at);
        CPPUNIT_ASSERT(q.watermark() > q.last_seq());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(WriteQueueTest);
